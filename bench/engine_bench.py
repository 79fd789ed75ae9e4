"""Engine benchmark: real-time scheduling lateness (ours vs naive sleep) and a 24-hour day in virtual time.

python bench/engine_bench.py              # 1,000 events at 10 ms spacing, each way, then the virtual day
python bench/engine_bench.py --events 300 # shorter
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from installation.engine.clock import MonotonicClock, RealtimeLoop
from installation.engine.scheduler import Scheduler

GOAL_P99_MS = 1.0
GOAL_DAY_S = 10.0


def ours(n: int, spacing_s: float, spin_s: float) -> list[float]:
    """Lateness (s) of n timers at fixed spacing: our scheduler driven by the sleep-then-spin loop."""
    clock = MonotonicClock()
    sched = Scheduler()
    loop = RealtimeLoop(clock, spin_s=spin_s)
    late: list[float] = []
    start = clock.now() + 0.05
    for i in range(1, n + 1):
        sched.call_at(start + i * spacing_s, lambda d: late.append(clock.now() - d))

    def step(now: float) -> float | None:
        sched.run_due(now)
        nxt = sched.next_deadline()
        if nxt is None:
            loop.stop()
        return nxt

    loop.run(step)
    return late


def naive(n: int, spacing_s: float) -> list[float]:
    """Lateness of the loop everyone writes first: do the work, time.sleep(spacing), repeat."""
    late: list[float] = []
    start = time.perf_counter()
    for i in range(1, n + 1):
        time.sleep(spacing_s)
        late.append(time.perf_counter() - (start + i * spacing_s))
    return late


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def virtual_day() -> tuple[float, int, int]:
    """A 24-hour gallery day (the test show of tests/engine) in virtual time: wall seconds, steps, events."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engine"))
    from test_engine_showtest import day_script, gallery_show  # type: ignore[import-not-found]

    from installation.offline.audience import parse_audience
    from installation.offline.showtest import run_show_test

    script = parse_audience(day_script(), "day.yaml")
    t0 = time.perf_counter()
    report = run_show_test(gallery_show(), script, start=dt.datetime(2026, 6, 1))
    return time.perf_counter() - t0, report.steps, len(report.timeline)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--spacing-ms", type=float, default=10.0)
    parser.add_argument("--spin-ms", type=float, default=1.5, help="how early the loop wakes to spin")
    parser.add_argument("--no-day", action="store_true", help="skip the 24-hour virtual-time run")
    args = parser.parse_args()
    spacing = args.spacing_ms / 1000.0
    print(
        f"real-time lateness of {args.events} timed events at {args.spacing_ms:g} ms spacing "
        f"(MonotonicClock; {args.events * spacing:.0f} s each)"
    )
    a = ours(args.events, spacing, args.spin_ms / 1000.0)
    b = naive(args.events, spacing)
    rows = [("p50", 50.0), ("p99", 99.0), ("max", 100.0)]
    print(f"{'':6}{'scheduler+loop':>16}{'naive sleep':>16}{'naive/ours':>12}")
    for label, q in rows:
        x, y = pct(a, q) * 1000, pct(b, q) * 1000
        ratio = y / x if x > 0 else float("inf")
        print(f"{label:6}{x:13.3f} ms{y:13.3f} ms{ratio:11.0f}×")
    print(f"{'mean':6}{statistics.fmean(a) * 1000:13.3f} ms{statistics.fmean(b) * 1000:13.3f} ms")
    p99 = pct(a, 99.0) * 1000
    print(
        f"goal p99 <= {GOAL_P99_MS:g} ms: {'met' if p99 <= GOAL_P99_MS else 'NOT met'} ({p99:.3f} ms); "
        f"the naive loop drifts by {b[-1] * 1000:.1f} ms over the run"
    )
    wall = 0.0
    if not args.no_day:
        wall, steps, events = virtual_day()
        print(
            f"24-hour gallery day in virtual time: {wall:.2f} s wall, {steps} steps, "
            f"{events} timeline events "
            f"(goal < {GOAL_DAY_S:g} s: {'met' if wall < GOAL_DAY_S else 'NOT met'})"
        )
    return 0 if p99 <= GOAL_P99_MS and wall < GOAL_DAY_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
