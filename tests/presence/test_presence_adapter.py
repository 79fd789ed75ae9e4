"""The presence adapter: faults (camera gone, back again), backoff, stalls, threaded delivery, replay."""

from __future__ import annotations

import itertools
import queue

import numpy as np
import pytest
from presence_helpers import ZONES, StepClock, crowd, walker

from installation.adapters import HealthState
from installation.engine.presence import Presence
from installation.errors import DeviceError
from installation.presence.adapter import FrameFeed, PresenceSource, ReplayFeed
from installation.presence.pipeline import PresencePipeline
from installation.presence.record import PresenceRecorder
from installation.presence.sources import FrameSource
from installation.sim.audience import AudienceRenderer, SyntheticCamera

FPS = 15.0


class Unplugged:
    """Fault schedule: the camera is gone during [start, end)."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end

    def __call__(self, t: float) -> bool:
        return self.start <= t < self.end


def stepping_source(clock, fail=None, people=None):
    _, drawn = people or crowd(walker(1, [(1.5, -0.05, 0.8), (5.0, 0.5, 0.8), (60.0, 0.5, 0.8)]))
    cam = SyntheticCamera(drawn, AudienceRenderer(seed=1), fps=FPS, now=clock.now, fail=fail)
    feed = FrameFeed(cam, PresencePipeline(ZONES))
    got: list[Presence] = []
    src = PresenceSource(feed, clock, got.append, backoff_s=(0.5, 4.0), stall_s=2.0)
    return src, got


def drive(src, clock, until, dt=1 / FPS):
    """Step the adapter synchronously on the virtual clock (what its thread does in real time)."""
    while clock.now() < until - 1e-9:
        src.step()
        clock.advance(dt)


def test_camera_that_disappears_and_comes_back_gives_unknown_then_known():
    clock = StepClock()
    src, got = stepping_source(clock, fail=Unplugged(8.0, 12.0))
    drive(src, clock, 8.0)
    assert src.health().state is HealthState.OK
    assert got[-1].known and got[-1].count == 1
    drive(src, clock, 8.1)
    h = src.health()
    assert h.state is HealthState.DOWN
    assert "stopped delivering frames" in h.detail and "retrying in" in h.detail
    drive(src, clock, 9.0)
    unknown = [p for p in got if not p.known and p.t >= 8.0]
    assert len(unknown) == 1 and unknown[0].t == pytest.approx(8.0, abs=0.07)  # once, at once
    drive(src, clock, 20.0)
    assert src.health().state is HealthState.OK
    back = [p for p in got if p.t >= 12.0]
    assert back and all(p.known for p in back)
    assert got[-1].count == 1  # the visitor standing at the screen is counted again
    known_again = min(p.t for p in back)
    assert known_again - 12.0 <= 4.0 + 0.3  # within one retry at the backoff cap (0.5, 1, 2, 4 s)
    # the engine sees known → unknown → known exactly once each
    states = [p.known for p in got if p.t >= 3.0]
    flips = [b for a, b in itertools.pairwise(states) if a != b]
    assert flips == [False, True]


def test_camera_missing_at_start_is_retried_with_exponential_backoff():
    clock = StepClock()
    src, got = stepping_source(clock, fail=Unplugged(0.0, 100.0))
    attempts = []
    real_open = src.feed.source.open

    def counting_open():
        attempts.append(round(clock.now(), 3))
        real_open()

    src.feed.source.open = counting_open
    drive(src, clock, 20.0, dt=0.01)
    gaps = [round(b - a, 1) for a, b in itertools.pairwise(attempts)]
    assert gaps[:4] == [0.5, 1.0, 2.0, 4.0]
    assert all(g == 4.0 for g in gaps[4:])  # capped
    assert src.health().state is HealthState.DOWN
    assert [p.known for p in got] == [False]  # unknown delivered once, not on every retry


def test_stalled_camera_is_reported_by_the_watchdog():
    clock = StepClock()
    src, got = stepping_source(clock)
    drive(src, clock, 3.0)
    clock.advance(2.5)  # the thread is stuck in a read: no step, no snapshot
    src.check_stall()
    assert src.health().state is HealthState.DOWN
    assert not got[-1].known
    src.check_stall()
    assert sum(1 for p in got if not p.known and p.t > 2.0) == 1
    drive(src, clock, 8.0)  # frames flow again
    assert src.health().state is HealthState.OK and got[-1].known


def test_bad_frames_from_a_consumer_error_do_not_stop_delivery():
    clock = StepClock()
    calls = []

    def flaky(p):
        calls.append(p)
        raise RuntimeError("consumer bug")

    _, drawn = crowd()
    src = PresenceSource(
        FrameFeed(SyntheticCamera(drawn, fps=FPS, now=clock.now), PresencePipeline()), clock, flaky
    )
    drive(src, clock, 1.0)
    assert len(calls) >= 14 and src.health().state is not HealthState.DOWN


class Flaky(FrameSource):
    """A real-time frame source that stops after some frames and then recovers (for the thread test)."""

    period_s = 0.01

    def __init__(self) -> None:
        self.reads = 0
        self.opens = 0

    def describe(self) -> str:
        return "flaky camera"

    def open(self) -> None:
        self.opens += 1
        if self.opens == 2:
            raise DeviceError("flaky camera: not there yet")

    def read(self):
        self.reads += 1
        if self.reads == 40:
            return None
        return np.zeros((120, 160, 3), np.uint8)

    def close(self) -> None:
        pass


def test_threaded_source_delivers_without_blocking_and_recovers():
    q: queue.Queue[Presence] = queue.Queue()
    src = PresenceSource(FrameFeed(Flaky(), PresencePipeline()), None, q.put_nowait, backoff_s=(0.02, 0.05))
    src.open()
    try:
        seen = []
        # real I/O with a thread: bounded waits for each snapshot, no sleeps
        while len(seen) < 150:
            seen.append(q.get(timeout=2.0))
        states = [p.known for p in seen]
        assert False in states  # the stop was reported as unknown
        last_unknown = max(i for i, k in enumerate(states) if not k)
        assert any(states[last_unknown + 1 :])  # and it came back
        assert src.health().state is HealthState.OK
        assert src.latest() is not None
    finally:
        src.close()
    assert src.health().state is HealthState.OFF
    assert len(src.drain()) > 0


def test_replay_plays_a_recorded_log_against_the_clock(tmp_path):
    log = tmp_path / "day.jsonl"
    with PresenceRecorder(log, min_interval_s=0.0) as rec:
        for i in range(50):
            t = 100.0 + i * 0.2
            rec.write(Presence(t=t, count=i % 3) if i != 20 else Presence.unknown(t))
    clock = StepClock(5.0)
    got: list[Presence] = []
    src = PresenceSource(ReplayFeed(log), clock, got.append)
    drive(src, clock, 5.0 + 4.5, dt=0.05)
    assert [p.count for p in got[:6]] == [0, 1, 2, 0, 1, 2]
    assert got[0].t == pytest.approx(5.0) and got[5].t == pytest.approx(6.0)
    assert not got[20].known and got[21].known
    drive(src, clock, 5.0 + 12.0, dt=0.05)
    assert src.health().state is HealthState.DOWN  # end of the recording (not looped)
    assert "end of the recording" in src.health().detail


def test_replay_of_a_missing_log_is_reported(tmp_path):
    clock = StepClock()
    src = PresenceSource(ReplayFeed(tmp_path / "nope.jsonl"), clock)
    src.step()
    assert src.health().state is HealthState.DOWN
    assert "nope.jsonl" in src.health().detail
    assert src.drain() == [Presence.unknown(0.0)]


def test_scene_change_reaches_the_pipeline():
    clock = StepClock()
    src, _ = stepping_source(clock)
    src.notify_scene_change()
    assert src.feed.pipeline._relearn_pending
