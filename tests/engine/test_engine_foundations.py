"""Clock, scheduler, parameter store (fades, curves, versions, mappings), conditions and opening hours."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time

import pytest

from installation.engine.clock import MonotonicClock, RealtimeLoop, VirtualClock
from installation.engine.conditions import ConditionTracker
from installation.engine.params import ParameterStore, ParamSpec, fade_value, shape
from installation.engine.presence import Person, Presence
from installation.engine.schedule import first_opening, is_open, next_transition, transitions
from installation.engine.scheduler import Scheduler
from installation.show.model import Hours, Mapping, PresenceCondition, TimeRange

# ------------------------------------------------------------------------------------------- clocks


def test_virtual_clock_moves_only_when_told_and_never_back() -> None:
    clock = VirtualClock(10.0)
    assert clock.now() == 10.0
    assert clock.advance(2.5) == 12.5
    assert clock.jump_to(20.0) == 20.0
    with pytest.raises(ValueError, match="backwards"):
        clock.jump_to(19.0)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-0.1)
    with pytest.raises(ValueError):
        clock.advance(math.nan)
    assert clock.now() == 20.0


def test_monotonic_clock_is_offset_far_from_perf_counter() -> None:
    clock = MonotonicClock()
    assert abs(clock.now() - time.perf_counter()) >= 10_000.0  # mixing raw perf_counter breaks visibly
    a = clock.now()
    assert clock.now() >= a
    assert MonotonicClock(offset_s=5.0).offset_s == 5.0


def test_realtime_loop_runs_a_step_until_stopped_and_takes_calls_from_threads() -> None:
    clock = MonotonicClock()
    loop = RealtimeLoop(clock)
    seen: list[float] = []
    start = clock.now()

    def step(now: float) -> float | None:
        seen.append(now)
        if len(seen) == 3:
            loop.call_soon_threadsafe(loop.stop)
        return start + 0.002 * len(seen)

    loop.run(step)
    assert len(seen) == 3 and loop.stopped
    assert seen[1] >= start + 0.002 and seen[2] >= start + 0.004


# ---------------------------------------------------------------------------------------- scheduler


def test_scheduler_runs_in_deadline_order_and_passes_the_scheduled_time() -> None:
    sched = Scheduler()
    ran: list[tuple[str, float]] = []
    sched.call_at(2.0, lambda d: ran.append(("b", d)))
    sched.call_at(1.0, lambda d: ran.append(("a", d)))
    sched.call_at(2.0, lambda d: ran.append(("c", d)))  # same deadline: first scheduled runs first
    dropped = sched.call_at(1.5, lambda d: ran.append(("x", d)))
    dropped.cancel()
    assert sched.next_deadline() == 1.0
    assert sched.run_due(5.0) == 3
    assert ran == [("a", 1.0), ("b", 2.0), ("c", 2.0)]
    assert sched.next_deadline() is None and len(sched) == 0


def test_timers_scheduled_by_a_callback_run_in_the_same_pass_when_due() -> None:
    sched = Scheduler()
    ran: list[float] = []

    def chain(d: float) -> None:
        ran.append(d)
        if d < 3.0:
            sched.call_at(d + 1.0, chain)

    sched.call_at(0.0, chain)
    sched.run_due(2.5)
    assert ran == [0.0, 1.0, 2.0]
    sched.run_due(10.0)
    assert ran == [0.0, 1.0, 2.0, 3.0]


def test_a_million_chained_timers_keep_exact_scheduled_times() -> None:
    sched = Scheduler()
    last: list[float] = [0.0]

    def tick(d: float) -> None:
        last[0] = d
        if d < 86_400.0:
            sched.call_at(d + 0.25, tick)  # 0.25 is exact in binary: no rounding at all

    sched.call_at(0.0, tick)
    now = 0.0
    while now < 86_400.0:  # driven by a coarse, uneven loop: the callbacks still see exact times
        now += 7.77
        sched.run_due(now)
    sched.run_due(86_400.0)
    assert last[0] == 86_400.0


# -------------------------------------------------------------------------------------------- curves


@pytest.mark.parametrize("curve", ["linear", "s-curve", "exponential", "log"])
def test_shapes_start_at_0_end_at_1_and_rise(curve: str) -> None:
    values = [shape(curve, i / 100) for i in range(101)]
    assert values[0] == 0.0 and values[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(values))


def test_curve_shapes() -> None:
    assert shape("linear", 0.25) == 0.25
    assert shape("s-curve", 0.25) == pytest.approx(0.15625)
    assert shape("exponential", 0.5) == pytest.approx(0.0909, abs=1e-4)  # slow start
    assert shape("log", 0.5) == pytest.approx(math.log(50.5) / math.log(100))  # fast start


def test_exponential_db_fade_is_linear_in_amplitude_and_exact_at_the_ends() -> None:
    assert fade_value("exponential", -6.0, -60.0, 0.0, unit="dB") == -6.0
    assert fade_value("exponential", -6.0, -60.0, 1.0, unit="dB") == -60.0
    mid = fade_value("exponential", 0.0, -200.0, 0.5, unit="dB", floor_db=-90.0)
    assert mid == pytest.approx(20 * math.log10(0.5), abs=1e-6)  # half the amplitude: -6 dB


# --------------------------------------------------------------------------------------------- store


def store() -> ParameterStore:
    return ParameterStore(
        [ParamSpec("light.a.dimmer"), ParamSpec("audio.master.level", -90.0, 0.0, -20.0, "dB")]
    )


def test_store_versions_and_changed_since() -> None:
    s = store()
    v0 = s.version
    s.set("light.a.dimmer", 0.5)
    s.set("light.a.dimmer", 0.5)  # no change, no new version
    assert s.changed_since(v0) == {"light.a.dimmer": 0.5}
    v1 = s.version
    assert s.changed_since(v1) == {}
    s.set("light.a.dimmer", 7.0)  # clamped to the range
    assert s.value("light.a.dimmer") == 1.0
    with pytest.raises(KeyError, match="unknown parameter"):
        s.set("light.b.dimmer", 1.0)


def test_fade_evaluated_at_any_now_and_stop_freezes_it() -> None:
    s = store()
    s.fade("light.a.dimmer", 1.0, start_t=10.0, duration_s=4.0)
    s.update(11.0)
    assert s.value("light.a.dimmer") == 0.25
    assert s.value_at("light.a.dimmer", 13.0) == 0.75
    s.stop_fade("light.a.dimmer", 12.0)
    s.update(20.0)
    assert s.value("light.a.dimmer") == 0.5 and not s.fading("light.a.dimmer")


def test_paused_fade_resumes_where_it_froze() -> None:
    s = store()
    s.fade("light.a.dimmer", 1.0, start_t=0.0, duration_s=4.0, owner=7)
    s.pause_fades({7}, 1.0)
    s.update(100.0)
    assert s.value("light.a.dimmer") == 0.25
    s.resume_fades({7}, 100.0)
    s.update(101.0)
    assert s.value("light.a.dimmer") == 0.5
    assert s.next_fade_end() == 103.0


def test_mapping_smoothing_is_exact_for_any_step_pattern() -> None:
    spec = ParamSpec("scene.glow", 0.0, 2.0)
    mapping = Mapping(
        source="x", param="scene.glow", in_range=(0.0, 1.0), out_range=(0.0, 2.0), smoothing_s=1.5
    )

    def run(steps: list[float]) -> float:
        s = ParameterStore([spec])
        s.add_mapping(mapping)
        s.set_presence(Presence(t=0.0, count=1, people=(Person(id=1, x=0.75, y=0.5),)), 0.0)
        for t in steps:
            s.update(t)
        return s.value("scene.glow")

    expected = 1.5 * (1 - math.exp(-3.0 / 1.5))
    assert run([3.0]) == pytest.approx(expected, rel=1e-12)
    assert run([0.01 * k for k in range(1, 301)]) == pytest.approx(expected, rel=1e-9)
    assert run([0.3, 0.31, 2.0, 2.9, 3.0]) == pytest.approx(expected, rel=1e-12)


def test_mapping_curve_and_unknown_presence_keeps_the_last_input() -> None:
    s = ParameterStore([ParamSpec("scene.a")])
    s.add_mapping(Mapping(source="count", param="scene.a", in_range=(0.0, 4.0), curve="s-curve"))  # type: ignore[arg-type]
    s.set_presence(Presence(t=0.0, count=1), 0.0)
    s.update(0.0)
    assert s.value("scene.a") == pytest.approx(0.15625)
    s.set_presence(Presence.unknown(1.0), 1.0)
    s.update(2.0)
    assert s.value("scene.a") == pytest.approx(0.15625)


# ---------------------------------------------------------------------------------------- conditions


def test_condition_tracker_hold_and_hysteresis() -> None:
    c = ConditionTracker(PresenceCondition(source="count", op=">=", threshold=3, hold_s=2.0, hysteresis=1.0))
    assert c.update(2, 0.0) is None
    assert c.update(3, 1.0) == 3.0
    assert c.update(2, 1.5) == 3.0  # within the hysteresis: still armed, same fire time
    assert c.update(1, 2.0) is None  # 1 < 3 - 1: released
    assert c.update(4, 2.5) == 4.5  # the hold restarts
    eq = ConditionTracker(PresenceCondition(source="count", op="==", threshold=0, hold_s=1.0))
    assert eq.update(0, 0.0) == 1.0 and eq.update(1, 0.5) is None


# -------------------------------------------------------------------------------------------- hours


def hours() -> Hours:
    day = (TimeRange(start_s=10 * 3600, end_s=18 * 3600),)
    late = (TimeRange(start_s=20 * 3600, end_s=2 * 3600),)  # past midnight
    return Hours(days=((), day, day, day, day, late, ()), closed_on=frozenset({dt.date(2026, 12, 25)}))


def test_open_and_next_transition() -> None:
    h = hours()
    mon = dt.datetime(2026, 6, 1, 12, 0)  # a Monday: closed
    assert not is_open(h, mon) and is_open(None, mon)
    assert next_transition(h, mon) == (dt.datetime(2026, 6, 2, 10, 0), True)
    assert next_transition(h, dt.datetime(2026, 6, 2, 11, 0)) == (dt.datetime(2026, 6, 2, 18, 0), False)
    # Saturday 20:00 – Sunday 02:00
    assert next_transition(h, dt.datetime(2026, 6, 6, 12, 0)) == (dt.datetime(2026, 6, 6, 20, 0), True)
    assert next_transition(h, dt.datetime(2026, 6, 6, 23, 0)) == (dt.datetime(2026, 6, 7, 2, 0), False)
    assert first_opening(h, mon) == dt.datetime(2026, 6, 2, 10, 0)
    assert next_transition(None, mon) is None
    assert next_transition(Hours(), mon) is None  # never open


def test_closed_dates_and_transitions_over_a_week() -> None:
    h = hours()
    xmas = dt.datetime(2026, 12, 25, 9, 0)  # a Friday, closed on the date
    assert next_transition(h, xmas) == (dt.datetime(2026, 12, 26, 20, 0), True)
    week = transitions(h, dt.datetime(2026, 6, 1), dt.datetime(2026, 6, 8))
    assert len(week) == 10 and [s for _, s in week] == [True, False] * 5
