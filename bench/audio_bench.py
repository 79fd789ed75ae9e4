"""Audio benchmark: real-time factor of each instrument and act soundscape on one core; xruns on jackd dummy.

python bench/audio_bench.py                 # 10 s renders, 60 s of real-time play on jackd -d dummy
python bench/audio_bench.py --seconds 15    # shorter real-time part
python bench/audio_bench.py --no-jack       # renders only
python bench/audio_bench.py --realtime --nice -10   # jackd -R (SCHED_FIFO) as on a show machine
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from installation.audio.config import AudioConfig, EngineConfig
from installation.audio.output import AudioOutput
from installation.audio.render import SoundscapeEvent, render_array
from installation.audio.soundscape import Layer, Soundscape

GOAL_RTF = 20.0
DUMMY = ["-d", "dummy", "-r", "48000", "-p", "512"]

INSTRUMENTS = {
    "drone": Layer("drone", "drone", {"level": -12.0}),
    "noise (wind)": Layer("wind", "noise", {"color": "wind", "level": -12.0}),
    "noise (rain)": Layer("rain", "noise", {"color": "rain", "level": -12.0}),
    "noise (surf)": Layer("surf", "noise", {"color": "surf", "level": -12.0}),
    "granular": Layer("cloud", "granular", {"density": 40.0, "level": -12.0}),
    "pulses": Layer("pulses", "pulses", {"rate": 8.0, "level": -12.0}),
    "bells": Layer("bells", "bells", {"rate": 4.0, "level": -12.0}),
}

ACTS = {
    "forest": Soundscape(
        (
            Layer("drone", "drone", {"root": 55.0, "cutoff": 700.0, "level": -14.0}),
            Layer("wind", "noise", {"color": "wind", "cutoff": 900.0, "level": -16.0}),
            Layer("cloud", "granular", {"density": 30.0, "level": -14.0}),
            Layer("room", "space", {"size": 0.8, "level": -8.0}),
        ),
        level_db=-3.0,
    ),
    "harbour": Soundscape(
        (
            Layer("surf", "noise", {"color": "surf", "rate": 0.3, "level": -12.0}),
            Layer("rain", "noise", {"color": "rain", "density": 0.6, "level": -20.0}),
            Layer("bells", "bells", {"rate": 3.0, "hits": 3, "steps": 4, "level": -14.0}),
            Layer("pulses", "pulses", {"rate": 6.0, "root": 110.0, "level": -16.0}),
        ),
        level_db=-3.0,
    ),
    "everything": Soundscape(tuple(INSTRUMENTS.values()), level_db=-6.0),
}


def realtime_factor(events: list[SoundscapeEvent], seconds: float) -> float:
    """Seconds of audio rendered per wall second (manual server, block by block, this process)."""
    started = time.perf_counter()
    render_array(events, seconds, config=EngineConfig())
    return seconds / (time.perf_counter() - started)


def bench_renders(seconds: float) -> list[tuple[str, float]]:
    rows = []
    for name, layer in INSTRUMENTS.items():
        rows.append(
            (
                f"instrument {name}",
                realtime_factor([SoundscapeEvent(0.0, name, Soundscape((layer,)))], seconds),
            )
        )
    for name, soundscape in ACTS.items():
        rows.append((f"act {name}", realtime_factor([SoundscapeEvent(0.0, name, soundscape)], seconds)))
    fade = [
        SoundscapeEvent(0.0, "forest", ACTS["forest"]),
        SoundscapeEvent(0.0, "harbour", ACTS["harbour"], transition_s=seconds * 2),
    ]
    rows.append(("crossfade forest → harbour", realtime_factor(fade, seconds)))
    return rows


class XrunMonitor:
    """A tiny JACK client (ctypes on libjack) counting xruns and sampling the DSP load."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("jack")
        if name is None:
            raise RuntimeError("libjack not found")
        self.lib = ctypes.CDLL(name)
        self.lib.jack_client_open.restype = ctypes.c_void_p
        self.lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
        self.lib.jack_cpu_load.restype = ctypes.c_float
        self.lib.jack_cpu_load.argtypes = [ctypes.c_void_p]
        self.lib.jack_activate.argtypes = [ctypes.c_void_p]
        self.lib.jack_client_close.argtypes = [ctypes.c_void_p]
        callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
        self.lib.jack_set_xrun_callback.argtypes = [ctypes.c_void_p, callback_type, ctypes.c_void_p]
        status = ctypes.c_int(0)
        self.client = self.lib.jack_client_open(
            b"xrun-monitor", 0x01, ctypes.byref(status)
        )  # JackNoStartServer
        if not self.client:
            raise RuntimeError(f"cannot open a JACK client (status 0x{status.value:x})")
        self.xruns = 0
        self.times: list[float] = []
        self._callback = callback_type(self._on_xrun)
        self.lib.jack_set_xrun_callback(self.client, self._callback, None)
        self.lib.jack_activate(self.client)

    def _on_xrun(self, _arg: object) -> int:
        self.xruns += 1
        self.times.append(time.monotonic())
        return 0

    def dsp_load(self) -> float:
        return float(self.lib.jack_cpu_load(self.client))

    def close(self) -> None:
        self.lib.jack_client_close(self.client)


def bench_jack(seconds: float, nice: int, baseline_s: float, realtime: bool) -> dict[str, float]:
    name = f"audio-bench-{os.getpid()}"
    os.environ["JACK_DEFAULT_SERVER"] = name
    os.environ["JACK_NO_START_SERVER"] = "1"
    log_path = Path(tempfile.gettempdir()) / f"{name}-jackd.log"
    with open(log_path, "wb") as jack_log:
        jackd = subprocess.Popen(
            ["jackd", "-n", name, *(["-R", "-P", "70"] if realtime else ["--no-realtime"]), *DUMMY],
            stdout=jack_log,
            stderr=subprocess.STDOUT,
        )
    if nice:  # jackd, this process (its monitor client is in the graph too) and the audio child
        os.setpriority(os.PRIO_PROCESS, jackd.pid, nice)
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    try:
        subprocess.run(["jack_wait", "-w", "-t", "5"], check=True, capture_output=True, timeout=10)
        monitor = XrunMonitor()
        time.sleep(baseline_s)  # jackd and the monitor alone: what this machine's load costs by itself
        baseline_xruns = monitor.xruns
        monitor.xruns, monitor.times = 0, []
        config = AudioConfig(backend="jack", jack_server=name, nice=nice, rt_priority=60 if realtime else 0)
        out = AudioOutput(ACTS, config)
        out.open()
        started = time.monotonic()
        acts = ["forest", "harbour", "everything"]
        next_change, act_index, loads, status = 0.0, 0, [], out.status()
        while (elapsed := time.monotonic() - started) < seconds + 1.0:
            if elapsed >= next_change:  # a new act every 10 s: crossfades are part of the test
                out.change_soundscape(acts[act_index % len(acts)], 4.0, elapsed)
                act_index += 1
                next_change += 10.0
            out.update({"audio.drone.cutoff": 600.0 + 300.0 * (elapsed % 3.0)}, elapsed)
            status = out.wait_report(out.report_count, timeout_s=1.0) or status
            loads.append(monitor.dsp_load())
        played_s = status.time_s
        health = out.health()
        out.close()
        xruns_seen = monitor.xruns
        xrun_times = [round(t - started, 2) for t in monitor.times]
        monitor.close()
    finally:
        jackd.terminate()
        jackd.wait(timeout=5)
    log_xruns = sum(1 for line in log_path.read_text(errors="replace").splitlines() if "xrun" in line.lower())
    return {
        "baseline_s (no audio client)": baseline_s,
        "baseline_xruns": baseline_xruns,
        "seconds": seconds,
        "played_s": played_s,
        "xruns": xruns_seen,
        "jackd_log_xruns": log_xruns,
        "dsp_load_max_pct": max(loads, default=0.0),
        "dsp_load_mean_pct": sum(loads) / max(len(loads), 1),
        "health": health.state.value,
        "restarts": status.restarts,
        "xrun_times_s": " ".join(map(str, xrun_times)) or "-",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="real-time play on jackd dummy (default 60)"
    )
    parser.add_argument(
        "--render-seconds", type=float, default=10.0, help="audio rendered per case (default 10)"
    )
    parser.add_argument("--no-jack", action="store_true", help="skip the real-time part")
    parser.add_argument("--cpu", type=int, default=0, help="core to pin the renders to (default 0)")
    parser.add_argument("--nice", type=int, default=0, help="priority of jackd and the audio process (-10)")
    parser.add_argument("--baseline-seconds", type=float, default=20.0, help="jackd alone first (20)")
    parser.add_argument(
        "--realtime", action="store_true", help="jackd -R -P 70 (SCHED_FIFO, as on a show machine)"
    )
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})  # one core, as the goal says
    print(f"real-time factor on one core (cpu {args.cpu}), {args.render_seconds:g} s each, 48 kHz stereo")
    print(f"{'case':34s} {'× real time':>12s}  goal ≥{GOAL_RTF:g}×")
    worst = float("inf")
    for label, rtf in bench_renders(args.render_seconds):
        worst = min(worst, rtf)
        print(f"{label:34s} {rtf:12.1f}  {'ok' if rtf >= GOAL_RTF else 'SLOW'}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))

    if args.no_jack:
        return 0 if worst >= GOAL_RTF else 1
    if shutil.which("jackd") is None:
        print("jackd not installed: skipping the real-time part (apt-get install jackd2)")
        return 0 if worst >= GOAL_RTF else 1
    mode = "-R -P 70" if args.realtime else "--no-realtime"
    print(f"\nreal-time play on jackd {mode} {' '.join(DUMMY)} for {args.seconds:g} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine load average {load:.1f} on {os.cpu_count()} cores; nice {args.nice}")
    result = bench_jack(args.seconds, args.nice, args.baseline_seconds, args.realtime)
    for key, value in result.items():
        print(f"{key:34s} {value:>12}" if isinstance(value, str) else f"{key:34s} {value:12.2f}")
    ok = worst >= GOAL_RTF and result["xruns"] == 0 and result["restarts"] == 0
    print(
        f"\n{'PASS' if ok else 'FAIL'}: slowest case {worst:.1f}× real time, {result['xruns']:.0f} xruns "
        f"(jackd alone on this machine: {result['baseline_xruns']:.0f} in {args.baseline_seconds:g} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
