"""GO-to-first-output latency: `oscsend /go` → OSC API → Runtime → Engine → cue's OSC packet → `oscdump`.

Run: /work/venv/bin/python bench/control_bench.py [--gos 200] [--controller runtime|fake|both]
     [--rig gallery|osc-only] [--cues 8]

The real path (`runtime`): a temporary project (a copy of `hardware/`, the gallery rig with its `media`
OSC endpoint aimed at oscdump, and a show whose one act is a chain of `--cues` `osc:` cues, each
`{endpoint: media, address: /cue/fired, args: [N]}`, the last auto-continuing into `goto: c1` so the
chain goes round) runs in a `Runtime` in live mode, with audio, projection, presence, the panel, hot
reload and systemd off (the log file on, as `installation run`). Each `/go` from liblo's `oscsend` goes
through the OSC control API → `Runtime.go()` → the engine loop (GO → sequencer → `OscSend` command) →
`RigOutput.send_osc` → the rig's OSC sender thread → UDP → `oscdump -L`. With `--rig gallery` (the
default) the rig's DMX outputs run too (Art-Net and sACN to loopback at 44 Hz; the Enttec widget and
the fan's serial port do not exist here, so those two retry in the background, as they would in a
gallery with a cable out). `--rig osc-only` leaves only the OSC endpoint.

The engine ignores a second GO within its debounce (0.3 s), so GOs are sent 0.35 s apart: 200 GOs take
about 75 s. The act's length matters: the runtime's per-GO work grows with the number of cues in the
act (try `--cues 200`). The `fake` path is the earlier yardstick: the OSC API in front of the fake
show, whose go() sends the packet itself (no engine, no adapter thread); 5 ms apart.

Timestamps, all CLOCK_REALTIME:
- t0: the kernel's receive time of the /go datagram on the API's socket (SO_TIMESTAMPNS). On loopback
  the datagram is queued during oscsend's sendto(), so this is when oscsend sent it;
- t1: when the API had sent its /reply/go (the controller's go() returned);
- t2: the time liblo's oscdump stamped on the cue's packet it received (the time tag it prints);
- t3: when this script read oscdump's line from its pipe (includes oscdump's printing and the pipe).
GO-to-first-output = t2 - t0 (goal p99 ≤ 2 ms).
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
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pythonosc.osc_message_builder import OscMessageBuilder  # noqa: E402
from pythonosc.udp_client import SimpleUDPClient  # noqa: E402

from installation.control.fake import FakeController  # noqa: E402
from installation.control.osc_api import OscControlApi, OscRequest  # noqa: E402
from installation.control.protocol import Result  # noqa: E402

GOAL_P99_MS = 2.0
NTP_EPOCH_OFFSET_S = 2208988800  # 1900-01-01 → 1970-01-01
WARMUP = 10
CUE_ADDRESS = "/cue/fired"
ENGINE_GO_DEBOUNCE_S = 0.3  # Engine(go_debounce_s=0.3): GOs closer than this are ignored
RUNTIME_GAP_MS = 350.0
FAKE_GAP_MS = 5.0
LINE_WAIT_S = 2.0


class DirectController(FakeController):
    """The fake show whose GO sends the cue's OSC packet at once, like an `osc:` cue with no pre-wait."""

    def __init__(self, out_port: int) -> None:
        super().__init__(frames=False)
        self.out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.out_addr = ("127.0.0.1", out_port)
        self.seq = 0

    def go(self, *, source: str) -> Result:
        self.seq += 1
        builder = OscMessageBuilder(CUE_ADDRESS)
        builder.add_arg(self.seq)
        self.out.sendto(builder.build().dgram, self.out_addr)
        super().go(source=source)  # the show's bookkeeping, the log line with the source
        return Result.success("go", {"seq": self.seq})


@dataclass
class Timings:
    """Per-GO latencies in milliseconds for one path."""

    label: str
    total: list[float]  # t2 - t0
    reply: list[float]  # t1 - t0
    printed: list[float]  # t3 - t0
    extra: str = ""


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


class Dump:
    """liblo's `oscdump -L PORT` in a child process; its lines with the time this script read them."""

    def __init__(self) -> None:
        self.port = free_udp_port()
        self.proc = subprocess.Popen(["oscdump", "-L", str(self.port)], stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.lines: queue.Queue[tuple[int, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put((time.time_ns(), line.strip()))

    def wait_ready(self) -> bool:
        """Probe until oscdump prints (bounded: 5 s), then forget what it printed."""
        probe = SimpleUDPClient("127.0.0.1", self.port)
        for _ in range(50):
            probe.send_message("/probe", [])
            try:
                self.lines.get(timeout=0.1)
                break
            except queue.Empty:
                continue
        else:
            return False
        self.drain()
        return True

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()

    def next_cue(self, n: int) -> tuple[int, int]:
        """(t2 oscdump's stamp, t3 read time) of the packet `/cue/fired N`; other packets are skipped."""
        deadline = time.monotonic() + LINE_WAIT_S
        while True:
            t3, line = self.lines.get(timeout=max(0.001, deadline - time.monotonic()))
            stamp, address, *rest = line.split()
            if address != CUE_ADDRESS:
                continue  # e.g. the rig's continuous OSC params at start-up
            if rest[-1:] != [str(n)]:
                raise AssertionError(f"expected {CUE_ADDRESS} {n}, oscdump printed {line!r}")
            return ntp_to_ns(stamp), t3

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=5)


def measure(label: str, api_port: int, received: queue.Queue[OscRequest], dump: Dump, *, gos: int,
            gap_ms: float, expected: Callable[[int], int] = lambda i: i) -> Timings:
    """Send WARMUP + gos `/go`s with oscsend; the i-th must make oscdump print `/cue/fired expected(i)`."""
    out = Timings(label, [], [], [])
    for i in range(1, WARMUP + gos + 1):
        started = time.monotonic()
        subprocess.run(["oscsend", "127.0.0.1", str(api_port), "/go"], check=True)
        request = received.get(timeout=LINE_WAIT_S + 1)
        if request.status != "ok":
            raise AssertionError(f"/go {i} was answered {request.status}")
        t2, t3 = dump.next_cue(expected(i))
        t0, t1 = request.rx_ns, request.done_ns
        if i > WARMUP:
            out.total.append((t2 - t0) / 1e6)
            out.reply.append((t1 - t0) / 1e6)
            out.printed.append((t3 - t0) / 1e6)
        rest = gap_ms / 1000 - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)  # an operator's pace between GOs, not a wait for a result
    return out


def run_fake(dump: Dump, gos: int, gap_ms: float) -> Timings:
    controller = DirectController(dump.port)
    received: queue.Queue[OscRequest] = queue.Queue()
    api = OscControlApi(controller, port=0, observer=received.put).start()
    try:
        return measure("fake: API → fake go() sends", api.port, received, dump, gos=gos, gap_ms=gap_ms)
    finally:
        api.close()


def write_project(root: Path, out_port: int, cues: int, rig: str) -> Path:
    """A project folder: hardware/ (copied; the media endpoint aimed at oscdump) and cues/bench.yaml.

    The act is a loop of `cues` OSC cues: the last one auto-continues into `goto: c1`, so GOs go round
    c1 … cN for as long as the bench runs, with an act of a realistic length.
    """
    shutil.copytree(ROOT / "hardware", root / "hardware")
    if rig == "gallery":
        text = (ROOT / "hardware" / "gallery.yaml").read_text(encoding="utf-8")
        if text.count("port: 7000") != 1:
            raise SystemExit("hardware/gallery.yaml: expected the media endpoint on `port: 7000`")
        (root / "hardware" / "bench.yaml").write_text(text.replace("port: 7000", f"port: {out_port}"),
                                                       encoding="utf-8")
    else:
        (root / "hardware" / "bench.yaml").write_text(
            f"rig: Bench\nosc:\n  media: {{host: 127.0.0.1, port: {out_port}}}\n", encoding="utf-8")
    lines = [
        "# GO latency bench: every GO starts the next cue, which sends one OSC packet",
        "show: Control bench",
        "rig: hardware/bench.yaml",
        "idle: {act: chain, when_empty_for: 1h}",
        "acts:",
        "  chain:",
        "    cues:",
    ]
    lines += [f"      - {{name: c{n}, osc: {{endpoint: media, address: {CUE_ADDRESS}, args: [{n}]}}}}"
              for n in range(1, cues)]
    lines += [f"      - {{name: c{cues}, osc: {{endpoint: media, address: {CUE_ADDRESS}, args: [{cues}]}}, "
              "continue: auto-continue}",
              "      - {name: again, goto: c1}"]
    (root / "cues").mkdir()
    show = root / "cues" / "bench.yaml"
    show.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return show


def run_runtime(dump: Dump, gos: int, gap_ms: float, rig: str, cues: int) -> Timings:
    from installation.runtime import Runtime, RuntimeOptions

    with tempfile.TemporaryDirectory(prefix="control-bench-") as tmp:
        show = write_project(Path(tmp), dump.port, cues, rig)
        options = RuntimeOptions(
            mode="live", osc_port=0, audio="off", projection="off", presence="off", panel=False,
            state_dir=Path(tmp) / "state", resume=False, watch=False, notify=False,
            log_file=True,  # as `installation run`: every GO is also a line in state/logs/
        )
        runtime = Runtime(show, options)
        runtime.start()
        try:
            api = runtime.adapters.osc_api
            if api is None:
                raise SystemExit(f"the OSC control API did not start: {runtime.health()}")
            received: queue.Queue[OscRequest] = queue.Queue()
            api.observer = received.put
            selected = runtime.state().get("selected") or ""
            if not selected.startswith("c"):
                raise SystemExit(f"the bench show did not start as expected (next cue {selected!r})")
            first = int(selected[1:])
            for n in range(1, first):
                dump.next_cue(n)  # entering the act started c1 by itself (sent once the OSC sender connected)
            timings = measure(f"runtime ({rig} rig, {cues} cues): API → engine → rig", api.port, received,
                              dump, gos=gos, gap_ms=gap_ms, expected=lambda i: (first + i - 2) % cues + 1)
            down = [h["name"] for h in runtime.health() if h["state"] == "down"]
            timings.extra = f"devices down (absent here): {', '.join(down) or 'none'}"
            return timings
        finally:
            runtime.shutdown()


def stats(values: list[float]) -> tuple[float, float, float, float]:
    return statistics.median(values), percentile(values, 90), percentile(values, 99), max(values)


def table(rows: list[tuple[str, tuple[float, ...]]], unit: str = "ms") -> None:
    print(f"{'':<52} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}  ({unit})")
    for name, values in rows:
        print(f"{name:<52} " + " ".join(f"{v:8.3f}" for v in values))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gos", type=int, default=200, help="GOs measured (after 10 warm-up GOs)")
    parser.add_argument("--controller", choices=("runtime", "fake", "both"), default="both")
    parser.add_argument("--rig", choices=("gallery", "osc-only"), default="gallery",
                        help="the runtime's rig: the gallery's (DMX outputs running too) or only the OSC "
                             "endpoint")
    parser.add_argument("--cues", type=int, default=8, help="OSC cues in the bench act's loop (default 8)")
    parser.add_argument("--gap-ms", type=float, default=None,
                        help=f"pause between GOs (default {RUNTIME_GAP_MS:g} ms for the runtime, whose "
                             f"engine ignores GOs within {ENGINE_GO_DEBOUNCE_S:g} s; {FAKE_GAP_MS:g} ms for "
                             "the fake)")
    args = parser.parse_args()
    if args.gos < 1 or args.cues < 2:
        parser.error("--gos must be at least 1 and --cues at least 2")
    for tool in ("oscsend", "oscdump"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install liblo-tools")
            return 2
    # warnings and errors only on the terminal; the runtime's INFO lines still reach its log buffer and file
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().handlers[0].setLevel(logging.WARNING)
    logging.getLogger("installation").setLevel(logging.INFO)
    logging.getLogger("installation.control.fake").setLevel(logging.ERROR)  # GO past the end of its list

    runtime_gap = args.gap_ms if args.gap_ms is not None else RUNTIME_GAP_MS
    if args.controller != "fake" and runtime_gap < ENGINE_GO_DEBOUNCE_S * 1000:
        parser.error(f"--gap-ms must be ≥ {ENGINE_GO_DEBOUNCE_S * 1000:g} for the runtime (GO debounce)")
    fake_gap = args.gap_ms if args.gap_ms is not None else FAKE_GAP_MS
    runs: list[tuple[str, Callable[[Dump], Timings]]] = []
    if args.controller in ("fake", "both"):
        runs.append(("fake", lambda d: run_fake(d, args.gos, fake_gap)))
    if args.controller in ("runtime", "both"):
        runs.append(("runtime", lambda d: run_runtime(d, args.gos, runtime_gap, args.rig, args.cues)))

    results: dict[str, Timings] = {}
    for name, run in runs:
        dump = Dump()
        try:
            if not dump.wait_ready():
                print("oscdump did not start")
                return 2
            print(f"measuring {name}: {WARMUP} + {args.gos} GOs …", flush=True)
            results[name] = run(dump)
        finally:
            dump.close()

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    print(f"\nGO-to-first-output latency over {args.gos} GOs ({WARMUP} warm-up); {os.cpu_count()} CPUs, "
          f"load average {load}")
    for timings in results.values():
        print(f"\n{timings.label}")
        table([
            ("GO → first output (oscdump's stamp)", stats(timings.total)),
            ("  /go received → /reply/go sent", stats(timings.reply)),
            ("GO → oscdump line read from its pipe", stats(timings.printed)),
        ])
        if timings.extra:
            print(timings.extra)
    if len(results) == 2:
        fake, real = stats(results["fake"].total), stats(results["runtime"].total)
        print("\nGO → first output, both paths")
        table([("fake (API → fake go() sends the packet)", fake),
               ("runtime (API → engine loop → rig OSC sender)", real)])
        ratios = " ".join(f"{r / f:7.1f}×" for r, f in zip(real, fake, strict=True))
        print(f"{'ratio runtime / fake':<52} {ratios}")
    verdicts = []
    for name, timings in results.items():
        p99 = percentile(timings.total, 99)
        verdicts.append(f"{name} p99 {p99:.3f} ms: {'met' if p99 <= GOAL_P99_MS else 'MISSED'}")
    print(f"\ngoal p99 ≤ {GOAL_P99_MS} ms — " + "; ".join(verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
