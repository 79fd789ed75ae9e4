"""GO-to-first-output latency: `oscsend /go` → OSC control API → controller → cue's OSC packet → `oscdump`.

Run: /work/venv/bin/python bench/control_bench.py [--gos 200] [--controller direct|fake]

Timestamps, all CLOCK_REALTIME:
- t0: the kernel's receive time of the /go datagram on the API's socket (SO_TIMESTAMPNS). On loopback
  the datagram is queued during oscsend's sendto(), so this is when oscsend sent it;
- t1: when the controller's go() had sent the cue's OSC packet (python-osc client);
- t2: the time liblo's oscdump stamped on the packet it received (the timetag it prints);
- t3: when this script read oscdump's line from its pipe (includes oscdump's printing and the pipe).
GO-to-first-output = t2 - t0 (goal p99 ≤ 2 ms).

The controller here is minimal: `direct` sends the cue's packet straight from go() (on top of the
fake show's bookkeeping and logging); `fake` is the same. The lead rewires this to the real engine
(GO → sequencer → OscSend command → rig OSC adapter) when the runtime lands.
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.udp_client import SimpleUDPClient

from installation.control.fake import FakeController
from installation.control.osc_api import OscControlApi, OscRequest
from installation.control.protocol import Result

GOAL_P99_MS = 2.0
NTP_EPOCH_OFFSET_S = 2208988800  # 1900-01-01 → 1970-01-01
WARMUP = 10


class DirectController(FakeController):
    """The fake show whose GO sends the cue's OSC packet at once, like an `osc:` cue with no pre-wait."""

    def __init__(self, out_port: int) -> None:
        super().__init__(frames=False)
        self.out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.out_addr = ("127.0.0.1", out_port)
        self.sent_ns: dict[int, int] = {}
        self.seq = 0

    def go(self, *, source: str) -> Result:
        self.seq += 1
        builder = OscMessageBuilder("/cue/ping")
        builder.add_arg(self.seq)
        dgram = builder.build().dgram
        self.sent_ns[self.seq] = time.time_ns()
        self.out.sendto(dgram, self.out_addr)
        super().go(source=source)  # the show's bookkeeping, the log line with the source
        return Result.success("go", {"seq": self.seq})


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ntp_to_ns(stamp: str) -> int:
    seconds, fraction = stamp.split(".")
    return (int(seconds, 16) - NTP_EPOCH_OFFSET_S) * 1_000_000_000 + (int(fraction, 16) * 1_000_000_000 >> 32)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gos", type=int, default=200)
    parser.add_argument("--gap-ms", type=float, default=5.0, help="pause between GOs (no operator is faster)")
    args = parser.parse_args()
    for tool in ("oscsend", "oscdump"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install liblo-tools")
            return 2
    logging.basicConfig(level=logging.ERROR)  # the fake logs every GO past the end of its list

    out_port = free_udp_port()
    dump = subprocess.Popen(["oscdump", "-L", str(out_port)], stdout=subprocess.PIPE, text=True, bufsize=1)
    lines: queue.Queue[tuple[int, str]] = queue.Queue()

    def read() -> None:
        assert dump.stdout is not None
        for line in dump.stdout:
            lines.put((time.time_ns(), line.strip()))

    threading.Thread(target=read, daemon=True).start()
    controller = DirectController(out_port)
    received: queue.Queue[OscRequest] = queue.Queue()
    api = OscControlApi(controller, port=0, observer=received.put).start()
    try:
        probe = SimpleUDPClient("127.0.0.1", out_port)  # wait until oscdump listens (bounded)
        for _ in range(50):
            probe.send_message("/probe", [])
            try:
                lines.get(timeout=0.1)
                break
            except queue.Empty:
                continue
        else:
            print("oscdump did not start")
            return 2
        while not lines.empty():
            lines.get_nowait()

        total, in_process, delivery, printed = [], [], [], []
        for i in range(WARMUP + args.gos):
            subprocess.run(["oscsend", "127.0.0.1", str(api.port), "/go"], check=True)
            request = received.get(timeout=2.0)
            t3, line = lines.get(timeout=2.0)
            stamp, address, *_rest = line.split()
            seq = controller.seq
            assert address == "/cue/ping" and line.endswith(f" {seq}"), line
            t0, t1, t2 = request.rx_ns, controller.sent_ns[seq], ntp_to_ns(stamp)
            if i < WARMUP:
                continue
            total.append((t2 - t0) / 1e6)
            in_process.append((t1 - t0) / 1e6)
            delivery.append((t2 - t1) / 1e6)
            printed.append((t3 - t0) / 1e6)
            time.sleep(args.gap_ms / 1000)
    finally:
        api.close()
        dump.terminate()
        dump.wait(timeout=5)

    rows = [
        ("GO → first output (oscdump's stamp)", total),
        ("  in process: /go received → cue packet sendto()", in_process),
        ("  wire: sendto() → oscdump stamp", delivery),
        ("GO → oscdump line read from its pipe", printed),
    ]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    print(
        f"\nGO-to-first-output latency over {args.gos} GOs ({WARMUP} warm-up, {args.gap_ms:g} ms apart), "
        f"milliseconds; {os.cpu_count()} CPUs, load average {load}"
    )
    print(f"{'stage':<48} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}")
    for name, values in rows:
        print(
            f"{name:<48} {statistics.median(values):7.3f} {percentile(values, 90):7.3f} "
            f"{percentile(values, 99):7.3f} {max(values):7.3f}"
        )
    p99 = percentile(total, 99)
    verdict = "met" if p99 <= GOAL_P99_MS else "MISSED"
    print(
        f"\ngoal p99 ≤ {GOAL_P99_MS} ms: {verdict} (p99 {p99:.3f} ms); malformed packets: "
        f"{api.stats.malformed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
