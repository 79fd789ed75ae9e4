"""Opening hours across a week in virtual time: the runtime's hours check, the engine and the adapters.

The Unenclosed is closed on Mondays, open 10:00-18:00 Tuesday to Friday and 11:00-19:00 at weekends, and
closed on 25 December. A Runtime (not started: no threads) gets a virtual clock and a wall clock made of
it; the test plays the hours thread (`check_hours()`), the engine loop (`_step`) and the output loop
(`adapters.update`). The wiring is real (`installation.runtime.wiring.Adapters`), with an unopened
RigOutput that renders DMX, an audio control that records its messages and a projection that records its
calls.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from installation.audio.soundscape import soundscapes_from_show
from installation.engine.clock import VirtualClock
from installation.engine.commands import TimelineEvent
from installation.rig.output import RigOutput
from installation.runtime import Runtime
from installation.runtime.wiring import Adapters
from tests.runtime.conftest import REPO, RecordingAudio, make_project, options

MONDAY = dt.datetime(2026, 12, 21, 8, 0)  # the week of Christmas: Friday the 25th is a closed date
WASH1_DIMMER = 0


class RecordingProjection:
    """Records what the wiring asks of the projection."""

    name = "projection"

    def __init__(self) -> None:
        self.blackouts: list[tuple[float, bool, float]] = []
        self.scenes: list[Any] = []
        self.now = 0.0

    def blackout(self, on: bool, fade_s: float = 1.0) -> None:
        self.blackouts.append((self.now, on, fade_s))

    def command(self, cmd: Any) -> None:
        self.scenes.append(cmd)

    def update(self, params: Any, presence: Any, now: float) -> None:
        self.now = now

    def health(self) -> Any:
        from installation.adapters import Health, HealthState

        return Health("projection", HealthState.OK, "recording")

    @property
    def black(self) -> bool:
        return bool(self.blackouts) and self.blackouts[-1][1]


class Week:
    """A runtime in virtual time with recording adapters; `to(wall)` plays every loop up to that time."""

    def __init__(self, show: Path, state_dir: Path, start: dt.datetime = MONDAY, **changes: Any) -> None:
        self.clock = VirtualClock(0.0)
        self.start = start
        changes = {"log_file": False, "hours": True, **changes}  # a live run's hours, simulated rig
        self.runtime = Runtime(show, options(state_dir, **changes), clock=self.clock, wall=self.wall)
        self.events: list[tuple[dt.datetime, str, str]] = []
        self.runtime.engine.subscribe(self._record)
        adapters = Adapters(self.runtime)
        adapters.rig = RigOutput(self.runtime.show.rig, now=self.clock.now)
        adapters.audio = RecordingAudio(soundscapes_from_show(self.runtime.show))
        adapters.projection = RecordingProjection()
        self.runtime.adapters = adapters
        self.audio: RecordingAudio = adapters.audio
        self.projection: RecordingProjection = adapters.projection
        self.rig: RigOutput = adapters.rig
        self._step(0.0)

    def wall(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.clock.now())

    def _record(self, event: TimelineEvent) -> None:
        if event.kind in ("open", "closing", "closed", "act"):
            self.events.append((self.start + dt.timedelta(seconds=event.t), event.kind, event.act))

    def _step(self, t: float) -> None:
        self.clock.jump_to(t)
        self.runtime.check_hours()
        self.runtime._step(t)
        self.runtime.adapters.update(self.runtime._params, t)

    def to(self, when: dt.datetime, every_s: float = 600.0) -> None:
        target = (when - self.start).total_seconds()
        t = self.clock.now()
        while t + every_s < target:
            t += every_s
            self._step(t)
        self._step(target)

    def wash(self) -> int:
        return self.rig.universe(1)[WASH1_DIMMER]

    @property
    def dark(self) -> bool:
        return self.rig.engine.blackout and all(fx.intensity == 0.0 for fx in self.rig.fixture_states())

    @property
    def param(self) -> dict[str, float]:
        return self.runtime._params


def at(day: int, hour: int, minute: int = 0, second: float = 0.0) -> dt.datetime:
    """A time in the test week: day 0 is Monday 21 December 2026."""
    return dt.datetime(2026, 12, 21 + day, hour, minute) + dt.timedelta(seconds=second)


@pytest.fixture
def unenclosed(tmp_path: Path) -> Path:
    show = make_project(tmp_path / "project", (REPO / "cues" / "unenclosed.yaml").read_text(), "unenclosed")
    return show


def test_a_week_of_opening_hours_with_a_holiday(unenclosed: Path, tmp_path: Path) -> None:
    week = Week(unenclosed, tmp_path / "state")
    # Monday morning, closed: the rig is dark, the sound muted, the projection black, no act runs
    assert week.dark and week.audio.muted and week.projection.black
    assert week.runtime.state()["open"] is False

    opening_days = {1: (10, 18), 2: (10, 18), 3: (10, 18), 5: (11, 19), 6: (11, 19)}
    for day in range(7):
        hours = opening_days.get(day)
        if hours is None:  # Monday, and Friday the 25th (closed_on)
            week.to(at(day, 23, 0))
            assert week.dark and week.audio.muted and week.projection.black, f"day {day} stayed dark"
            continue
        open_h, close_h = hours
        week.to(at(day, open_h, 0))
        # opening: outputs back, the idle act starts from its top
        assert not week.rig.engine.blackout and not week.audio.muted and not week.projection.black
        assert week.runtime.engine.act == "attract"
        week.to(at(day, open_h, 0, 30.0), every_s=0.5)
        assert week.wash() == round(0.35 * 255)  # the attract look, faded in
        week.to(at(day, close_h - 1, 59, 59.0))
        lit_db = week.audio.master_db()
        # closing: light and sound fade over 10 s, the projection fades to black with them
        week.to(at(day, close_h, 0))
        assert week.projection.blackouts[-1][1:] == (True, 10.0)
        week.to(at(day, close_h, 0, 5.0), every_s=0.5)
        assert 0 < week.wash() < round(0.35 * 255)
        assert week.audio.master_db() < lit_db and not week.audio.muted
        week.to(at(day, close_h, 0, 10.5), every_s=0.5)
        assert week.dark and week.audio.muted and week.projection.black
        week.to(at(day, 23, 0))
    week.to(at(7, 12, 0))  # the next Monday: closed again
    assert week.dark

    changes = [(when, kind) for when, kind, _ in week.events if kind != "act"]
    expected = [(MONDAY, "closed")]  # started outside opening hours
    for day, (open_h, close_h) in opening_days.items():
        expected += [(at(day, open_h), "open"), (at(day, close_h), "closing")]
        expected += [(at(day, close_h, 0, 10), "closed")]
    assert changes == expected
    acts = [(when, act) for when, kind, act in week.events if kind == "act"]
    assert acts == [(at(day, h), "attract") for day, (h, _) in opening_days.items()]


def test_a_power_cut_restart_after_closing_time_stays_dark_until_opening(
    unenclosed: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    day = Week(unenclosed, state, start=at(1, 9, 59))
    day.to(at(1, 10, 5))
    assert day.runtime.call(lambda e: e.goto_act("broadcast"), "act broadcast", "test").ok
    day.to(at(1, 10, 6), every_s=0.5)
    day.runtime._write_journal(day.clock.now(), force=True)
    assert json.loads((state / "unenclosed.journal.jsonl").read_text().splitlines()[-1])["act"] == "broadcast"

    # during opening hours (a crash at noon) it resumes the act it was in
    noon_state = tmp_path / "noon"
    noon_state.mkdir()
    (noon_state / "unenclosed.journal.jsonl").write_bytes((state / "unenclosed.journal.jsonl").read_bytes())
    noon = Week(unenclosed, noon_state, start=at(1, 12, 0))
    assert noon.runtime.engine.act == "broadcast"
    assert noon.runtime.state()["open"] is True and not noon.dark and not noon.audio.muted

    # the power comes back at 03:00 the next night: resume dark, open at 10:00 in the idle act
    night = Week(unenclosed, state, start=at(2, 3, 0))
    assert night.dark and night.audio.muted and night.projection.black
    assert night.runtime.state()["open"] is False
    night.to(at(2, 10, 0))
    assert night.runtime.engine.act == "attract" and not night.rig.engine.blackout
