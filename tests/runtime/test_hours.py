"""Rehearsing on a closed day, and the operator's open-now / close-now, in virtual wall time.

The Unenclosed is closed on Mondays and open 10:00-18:00 Tuesday to Friday. The runtime is the real one,
not started (the test plays its loops, see `Week` in test_schedule.py), with an injected wall clock.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from installation.engine.show_engine import EngineError
from tests.runtime.test_schedule import Week, at, unenclosed  # noqa: F401  (fixture)

MONDAY_NIGHT = at(0, 22, 5)  # when the issue was found: Monday 21 December 2026 at 22:05


def hours_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("hours:")]


def test_a_rehearsal_on_a_closed_monday_night_plays_and_says_what_a_live_run_would_do(
    unenclosed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.INFO, logger="installation")
    week = Week(unenclosed, tmp_path / "state", start=MONDAY_NIGHT, hours=None)  # `rehearse`, no --hours
    runtime = week.runtime
    assert runtime.state()["open"] is True and runtime.engine.act == "attract"
    assert not week.dark and not week.audio.muted and not week.projection.black
    status = "rehearsal: outside opening hours — in a live run the show would be closed (opens Tue 10:00)"
    assert runtime.state()["hours"]["status"] == status
    assert hours_lines(caplog) == [f"hours: {status}"]
    assert status in runtime.status_line()
    assert runtime.go(source="test").ok
    week.to(at(0, 22, 5, 2.0), every_s=0.1)
    assert runtime.engine.act == "streets"  # the attract act's GO trigger: the show moves on
    # the schedule changes are still told, one line each
    week.to(at(1, 10, 0, 1.0))
    assert hours_lines(caplog)[-1] == "hours: rehearsal: inside opening hours; a live run closes 18:00"
    assert runtime.state()["open"] is True


def test_a_live_run_refuses_show_commands_while_closed_and_says_until_when(
    unenclosed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.INFO, logger="installation")
    week = Week(unenclosed, tmp_path / "state", start=MONDAY_NIGHT)
    runtime = week.runtime
    reason = "closed until Tue 10:00; use open-now to override"
    for result in (runtime.go(source="test"), runtime.goto_act("broadcast", source="test"),
                   runtime.start_cue("rest", source="test"), runtime.command("/skip", source="test"),
                   runtime.set_param("light.wash.dimmer", 1.0, source="test"),
                   runtime.load_cue("rest", 1.0, source="test")):
        assert (result.status, result.message) == ("denied", reason)
    week.to(at(0, 22, 6), every_s=0.5)
    # no half state: nothing started, light, sound and picture all off
    assert runtime.engine.act is None and week.dark and week.audio.muted and week.projection.black
    with pytest.raises(EngineError, match="closed"):  # the engine itself refuses too
        runtime.engine.goto_act("broadcast")
    assert hours_lines(caplog) == ["hours: closed until Tue 10:00"]
    assert runtime.state()["hours"]["next_change"] == {"at": "Tue 10:00", "open": True}
    week.to(at(1, 18, 0, 1.0))
    assert hours_lines(caplog) == ["hours: closed until Tue 10:00", "hours: open until 18:00",
                                   "hours: closed until Wed 10:00"]


def test_open_now_for_a_private_evening_survives_a_restart_and_ends_by_itself(
    unenclosed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.INFO, logger="installation")
    state = tmp_path / "state"
    week = Week(unenclosed, state, start=at(0, 20, 0))
    assert week.dark
    result = week.runtime.hours_open("22:00", source="web:test")
    assert result.ok and result.message == "open now until 22:00"
    week.to(at(0, 20, 0, 1.0))
    assert week.runtime.engine.act == "attract" and not week.dark and not week.audio.muted
    status = "open by the operator until 22:00, then the schedule (closed until Tue 10:00)"
    assert week.runtime.state()["hours"]["status"] == status
    assert week.runtime.go(source="test").ok
    kept = json.loads((state / "unenclosed.hours.json").read_text())
    assert kept["open"] is True and kept["source"] == "web:test"

    # a crash at 21:00: the restarted show is still open by the operator's word
    again = Week(unenclosed, state, start=at(0, 21, 0))
    assert again.runtime.state()["open"] is True and not again.dark
    again.to(at(0, 22, 0))
    assert again.runtime.state()["open"] is False  # closing: the fade to dark has started
    again.to(at(0, 22, 0, 11.0), every_s=0.5)
    assert again.dark and again.audio.muted
    assert not (state / "unenclosed.hours.json").exists()
    assert "hours: the operator's open-now ended at 22:00; following the schedule" in hours_lines(caplog)
    assert hours_lines(caplog)[-1] == "hours: closed until Tue 10:00"


def test_close_now_for_maintenance_then_back_to_the_schedule(
    unenclosed: Path, tmp_path: Path  # noqa: F811
) -> None:
    week = Week(unenclosed, tmp_path / "state", start=at(1, 12, 0))
    runtime = week.runtime
    assert runtime.engine.act == "attract"
    assert runtime.hours_close("14:00", source="osc:test").ok
    week.to(at(1, 12, 0, 11.0), every_s=0.5)
    assert week.dark and week.audio.muted and week.projection.black
    go = runtime.go(source="test")
    assert go.status == "denied"
    assert go.message == "closed by the operator until 14:00; use open-now to override"
    assert runtime.state()["hours"]["status"] == (
        "closed by the operator until 14:00, then the schedule (open until 18:00)")
    week.to(at(1, 14, 0))
    assert runtime.engine.act == "attract" and not week.rig.engine.blackout
    # close again, and give the room back early
    assert runtime.hours_close("17:00", source="osc:test").ok
    week.to(at(1, 14, 30))
    assert not runtime.engine.is_open
    assert runtime.hours_schedule(source="osc:test").ok
    week.to(at(1, 14, 30, 1.0))
    assert runtime.engine.is_open and runtime.engine.act == "attract"


def test_overrides_need_a_time_of_day_and_a_live_schedule(unenclosed: Path, tmp_path: Path) -> None:  # noqa: F811
    live = Week(unenclosed, tmp_path / "live", start=MONDAY_NIGHT)
    for bad in ("25:00", "10", "", "22:00; rm -rf /"):
        result = live.runtime.hours_open(bad, source="test")
        assert result.status == "error" and "HH:MM" in result.message, bad
    rehearsal = Week(unenclosed, tmp_path / "rehearsal", start=MONDAY_NIGHT, hours=None)
    result = rehearsal.runtime.hours_close("23:00", source="test")
    assert result.status == "error" and "--hours" in result.message
    assert rehearsal.runtime.engine.is_open


def test_open_now_until_an_hour_already_past_today_means_tomorrow(unenclosed: Path, tmp_path: Path) -> None:  # noqa: F811
    week = Week(unenclosed, tmp_path / "state", start=MONDAY_NIGHT)
    assert week.runtime.hours_open("01:30", source="test").ok  # a party through the night
    week.to(at(1, 1, 29))
    assert week.runtime.engine.is_open
    week.to(at(1, 1, 30))
    assert not week.runtime.engine.is_open


def test_a_corrupt_override_file_is_ignored_with_a_line(
    unenclosed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "unenclosed.hours.json").write_bytes(b'{"open": "yes", "until": 12}\xff')
    week = Week(unenclosed, state, start=MONDAY_NIGHT)
    assert week.runtime.engine.is_open is False
    assert any("hours override is unreadable" in r.getMessage() for r in caplog.records)
