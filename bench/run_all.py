"""Run every benchmark, one after another, each printing its own table (ours beside the named peer).

    python bench/run_all.py            # all of them
    python bench/run_all.py rig audio  # only these
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "show": "show_bench.py",  # load+validate a 1,000-cue show vs the YAML parse alone
    "engine": "engine_bench.py",  # scheduling lateness vs a naive time.sleep loop
    "rig": "rig_bench.py",  # DMX fades on 64 universes vs pyartnet; refresh jitter
    "presence": "presence_bench.py",  # our pipeline vs OpenCV's HOG people detector
    "audio": "audio_bench.py",  # soundscape real-time factor; xruns on jackd dummy
    "projection": "projection_bench.py",  # frame time per scene; window frame pacing
    "control": "control_bench.py",  # GO-to-first-output latency, oscsend → oscdump
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)} (choose from {', '.join(BENCHES)})")
        return 2
    failed = []
    for name in names:
        print(f"\n=== {name} ({BENCHES[name]}) ===", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / BENCHES[name])], check=False).returncode
        print(f"--- {name}: exit {code} in {time.perf_counter() - started:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"\nmissed a goal or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
