"""Soak test: a show in real time with every simulator for a long time; memory, CPU, threads, fds, cue timing.

Runs the show in rehearse mode in this process (rig simulators, synthetic camera driven by an audience
script through the real detection pipeline, audio in its child process on jackd dummy, headless
projection, panel and OSC API), samples the process every `--every` seconds and prints a table. At the
end it checks: flat memory (RSS growth after warm-up), no growth in threads or file descriptors, and
every cue fired on time — each cue start's offset from its act's start equals the offset the same act
gives in virtual time (the show's own timing), and it was handled within a few ms of its scheduled time.

Run: /work/venv/bin/python bench/soak.py [cues/unenclosed.yaml] [--minutes 10] [--audience SCRIPT]
Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from installation.engine.clock import VirtualClock
from installation.engine.commands import TimelineEvent
from installation.engine.show_engine import Engine
from installation.runtime import Runtime, RuntimeOptions
from installation.show.model import Show

REPO = Path(__file__).resolve().parents[1]
WARMUP_S = 60.0  # memory is judged from here on (caches, first frames, bounded buffers filling)
RSS_GROWTH_MB_PER_H = 20.0  # "flat": less than this slope over the run after warm-up ...
RSS_GROWTH_MB = 5.0  # ... or less than this in all (a short run's slope is noisy)
OFFSET_TOLERANCE_S = 0.001  # a cue's start relative to its act, against virtual time
LATE_LIMIT_S = 0.05  # handled within this of its scheduled time
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_stats(pid: int | str = "self") -> tuple[float, float, int, int]:
    """(RSS MB, CPU seconds user+system, threads, open fds) of a process, from /proc."""
    rss_kb, threads = 0, 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / CLK_TCK
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kb / 1024.0, cpu_s, threads, fds


@dataclass
class Sample:
    t_s: float
    act: str
    rss_mb: float
    cpu_pct: float
    threads: int
    py_threads: int
    fds: int
    child_rss_mb: float
    child_cpu_pct: float
    sims_mb: float
    cue_starts: int
    late_max_ms: float
    loop_p99_ms: float


@dataclass
class Visit:
    act: str
    t0: float
    starts: list[tuple[str, float, float]] = field(default_factory=list)  # (cue, offset_s, late_s)
    end: float | None = None


class Timeline:
    """Every act entry and cue start as the engine emitted it, with when the loop handled it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.visits: list[Visit] = []
        self.lateness: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, event: TimelineEvent) -> None:
        handled = self.runtime.clock.now()
        with self._lock:
            if event.kind == "act":
                if self.visits:
                    self.visits[-1].end = event.t
                self.visits.append(Visit(event.act, event.t))
            elif event.kind == "start" and self.visits and not event.detail.startswith("in "):
                late = handled - event.t
                self.lateness.append(late)
                self.visits[-1].starts.append((event.cue, event.t - self.visits[-1].t0, late))


def reference_starts(show: Show, act: str, length_s: float) -> dict[str, list[float]]:
    """Cue start offsets of an act in virtual time, nobody in the room: the show's own timing."""
    clock = VirtualClock(0.0)
    engine = Engine(show, clock)
    starts: dict[str, list[float]] = defaultdict(list)
    t0: list[float] = []

    def record(e: TimelineEvent) -> None:
        if e.kind == "act" and e.act == act and not t0:
            t0.append(e.t)
        elif e.kind == "start" and t0 and e.act == act and not e.detail.startswith("in "):
            starts[e.cue].append(e.t - t0[0])

    engine.subscribe(record)
    engine.tick()
    engine.goto_act(act)
    end = clock.now() + length_s
    while clock.now() < end and engine.act == act:
        deadline = engine.next_deadline()
        clock.jump_to(min(end, deadline if deadline is not None else end))
        engine.tick()
    return starts


def check_timing(show: Show, timeline: Timeline) -> tuple[int, list[str]]:
    """(cue starts checked, problems): offsets against virtual time, lateness against LATE_LIMIT_S."""
    problems: list[str] = []
    checked = 0
    for visit in timeline.visits:
        if not visit.starts:
            continue
        length = (visit.end if visit.end is not None else timeline.runtime.clock.now()) - visit.t0
        reference = reference_starts(show, visit.act, length + 1.0)
        seen: dict[str, int] = defaultdict(int)
        for cue, offset, late in visit.starts:
            k = seen[cue]
            seen[cue] += 1
            expected = reference.get(cue, [])
            checked += 1
            name = f"{visit.act}/{cue}"
            if k >= len(expected):
                problems.append(f"{name}: start #{k + 1} at +{offset:.3f}s not in the show's timing")
            elif abs(expected[k] - offset) > OFFSET_TOLERANCE_S:
                problems.append(f"{name}: started at +{offset:.3f}s, the show says +{expected[k]:.3f}s")
            if late > LATE_LIMIT_S:
                problems.append(f"{visit.act}/{cue}: handled {late * 1000:.1f} ms after its time")
    return checked, problems


def slope_per_hour(ts: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over ts (seconds), per hour."""
    if len(ts) < 3:
        return 0.0
    return float(statistics.linear_regression(ts, ys).slope * 3600.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", nargs="?", default="cues/unenclosed.yaml")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--audience", default=None, help="script for the synthetic camera "
                        "(default: cues/audiences/<show>/school-group.yaml, looped)")
    parser.add_argument("--audio", default="auto", choices=("auto", "jack", "off"))
    parser.add_argument("--projection", default="headless", choices=("headless", "off"))
    parser.add_argument("--port", type=int, default=0, help="web panel port (0 = any free one)")
    parser.add_argument("--osc-port", type=int, default=0)
    parser.add_argument("--sims", default="process", choices=("process", "inline"),
                        help="rig simulators in their own process (default: the controller's memory is "
                        "measured alone) or inside the controller, as `installation rehearse` runs them")
    args = parser.parse_args()

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # the INFO log goes to the state folder's log file
    show_path = Path(args.show)
    audience = Path(args.audience) if args.audience else (
        show_path.parent / "audiences" / show_path.stem / "school-group.yaml")
    state = Path(tempfile.mkdtemp(prefix="installation-soak-"))
    sims_proc: subprocess.Popen[bytes] | None = None
    sims_dir: Path | None = None
    if args.sims == "process":
        sims_dir = state / "sims"
        sims_proc = subprocess.Popen([sys.executable, "-m", "installation.sim.simulate", str(show_path),
                                      "--dir", str(sims_dir)], stdout=subprocess.DEVNULL,
                                     stderr=(state / "sims.log").open("wb"), cwd=REPO)
        deadline = time.monotonic() + 30.0
        while not (sims_dir / "sims.json").exists():
            if time.monotonic() > deadline or sims_proc.poll() is not None:
                print(f"the simulators did not start (see {state / 'sims.log'})")
                return 1
            time.sleep(0.05)
    options = RuntimeOptions(mode="rehearse", panel_port=args.port, osc_port=args.osc_port, audio=args.audio,
                             projection=args.projection, state_dir=state, audience=audience, resume=False,
                             watch=True, sims=sims_dir)
    runtime = Runtime(show_path, options)
    timeline = Timeline(runtime)
    runtime.subscribe_timeline(timeline)
    duration_s = args.minutes * 60.0
    print(f"soak: {runtime.show.name!r} for {args.minutes:g} min, audience {audience}, state {state}")
    wall0 = time.monotonic()
    clock0 = runtime.clock.now()
    runtime.start()
    samples: list[Sample] = []
    last_cpu = proc_stats()[1]
    last_child: tuple[int | None, float] = (None, 0.0)
    last_t = time.monotonic()
    header = (f"{'t':>6} {'act':<14} {'RSS MB':>7} {'CPU %':>6} {'thr':>4} {'py':>3} {'fds':>4} "
              f"{'aud MB':>7} {'aud %':>6} {'sim MB':>6} {'cues':>5} {'late ms':>7} {'loop p99':>8}")
    print(header)
    print("-" * len(header))
    try:
        next_sample = wall0 + min(args.every, duration_s)
        while True:
            now = time.monotonic()
            if now >= next_sample or now - wall0 >= duration_s:
                rss, cpu, threads, fds = proc_stats()
                dt = max(1e-6, now - last_t)
                cpu_pct = 100.0 * (cpu - last_cpu) / dt
                child_pid = runtime.adapters.audio.child_pid if runtime.adapters.audio is not None else None
                child_rss, child_pct = 0.0, 0.0
                if child_pid is not None:
                    try:
                        c_rss, c_cpu, _, _ = proc_stats(child_pid)
                        child_rss = c_rss
                        if last_child[0] == child_pid:
                            child_pct = 100.0 * (c_cpu - last_child[1]) / dt
                        last_child = (child_pid, c_cpu)
                    except FileNotFoundError:
                        pass
                sims_rss = proc_stats(sims_proc.pid)[0] if sims_proc is not None else 0.0
                last_cpu, last_t = cpu, now
                late = max(timeline.lateness, default=0.0) * 1000.0
                act = runtime.state().get("act", "") or "-"
                sample = Sample(now - wall0, act, rss, cpu_pct, threads, threading.active_count(), fds,
                                child_rss, child_pct, sims_rss, len(timeline.lateness), late,
                                runtime.lateness_ms()[1])
                samples.append(sample)
                s = sample
                print(f"{s.t_s:6.0f} {s.act:<14} {s.rss_mb:7.1f} {s.cpu_pct:6.1f} {s.threads:4d} "
                      f"{s.py_threads:3d} {s.fds:4d} {s.child_rss_mb:7.1f} {s.child_cpu_pct:6.1f} "
                      f"{s.sims_mb:6.1f} "
                      f"{s.cue_starts:5d} {s.late_max_ms:7.2f} {s.loop_p99_ms:8.2f}", flush=True)
                next_sample += args.every
                if now - wall0 >= duration_s:
                    break
            time.sleep(max(0.0, min(next_sample, wall0 + duration_s) - time.monotonic()))
    except KeyboardInterrupt:
        print("interrupted")
    finally:
        health = runtime.health()
        sims = runtime.adapters.sim_rig
        frames = {name: w.frames for name, w in sims.widgets.items()} if sims is not None else {}
        runtime.shutdown()
        if sims_proc is not None:
            sims_proc.send_signal(signal.SIGTERM)
            sims_proc.wait(timeout=10)

    ok = True
    print()
    late = sorted(timeline.lateness)
    checked, problems = check_timing(runtime.show, timeline)
    acts = " → ".join(v.act for v in timeline.visits)
    print(f"acts: {acts}")
    if late:
        p99 = late[min(len(late) - 1, int(0.99 * len(late)))]
        print(f"cue starts: {len(late)}; handled after their scheduled time: median "
              f"{statistics.median(late) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
              f"max {late[-1] * 1000:.2f} ms")
    loop_med, loop_p99, loop_max = runtime.lateness_ms()
    print(f"engine loop wake-up after its deadlines (last {len(runtime.loop_lateness)}): median "
          f"{loop_med:.2f} ms, p99 {loop_p99:.2f} ms, max {loop_max:.2f} ms")
    print(f"cue timing against virtual time: {checked} starts checked, {len(problems)} problem(s)")
    for p in problems[:20]:
        print(f"  {p}")
    ok &= not problems and checked > 0
    # memory: a leak grows steadily; entering an act for the first time loads its scene, shaders and sound
    # (a step, once). So growth is summed over the sample intervals after WARMUP_S in which no act began.
    judged = True
    entries = sorted(v.t0 - clock0 for v in timeline.visits)
    steady_mb, steady_s = 0.0, 0.0
    steady = [s for s in samples if s.t_s >= WARMUP_S]
    for prev, cur in itertools.pairwise(steady):
        if not any(prev.t_s < e <= cur.t_s for e in entries):
            steady_mb += cur.rss_mb - prev.rss_mb
            steady_s += cur.t_s - prev.t_s
    if steady_s >= 60.0:
        rate = steady_mb / steady_s * 3600.0
        print(f"RSS {samples[0].rss_mb:.1f} → {samples[-1].rss_mb:.1f} MB; growth while no act began "
              f"(after {WARMUP_S:.0f} s): {steady_mb:+.1f} MB over {steady_s / 60:.1f} min = "
              f"{rate:+.1f} MB/h "
              f"(limit {RSS_GROWTH_MB_PER_H:g} MB/h or {RSS_GROWTH_MB:g} MB)")
        ok &= steady_mb <= RSS_GROWTH_MB or rate < RSS_GROWTH_MB_PER_H
    else:
        judged = False
        print("memory not judged: less than a minute without an act change after warm-up (run longer)")
    after = [s for s in samples if s.t_s >= WARMUP_S] or samples
    threads = (min(s.threads for s in after), max(s.threads for s in after))
    fds = (min(s.fds for s in after), max(s.fds for s in after))
    print(f"threads {threads[0]}..{threads[1]}, fds {fds[0]}..{fds[1]} after {WARMUP_S:.0f} s; audio child "
          f"{after[0].child_rss_mb:.1f} → {after[-1].child_rss_mb:.1f} MB; simulators "
          f"{after[0].sims_mb:.1f} → {after[-1].sims_mb:.1f} MB")
    ok &= after[-1].threads <= after[0].threads and after[-1].fds <= after[0].fds
    cpu = [s.cpu_pct for s in after]
    print(f"CPU: controller {statistics.mean(cpu):.0f} % of one core on average (max {max(cpu):.0f} %), "
          f"audio child {statistics.mean(s.child_cpu_pct for s in after):.0f} %")
    if frames:
        print(f"DMX frames received by the Enttec simulator: {frames}")
    down = [h["name"] for h in health if h["state"] == "down"]
    states = ", ".join(f"{h['name']}={h['state']}" for h in health)
    print(f"health at the end: {states}")
    ok &= not down
    print(("SOAK OK" if judged else "SOAK OK (timing and health only)") if ok else "SOAK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
