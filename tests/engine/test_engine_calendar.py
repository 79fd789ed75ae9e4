"""Opening hours against the real calendar: DST both ways, nights past midnight, closed dates, 29 February.

Hours are read from show YAML by the real loader; times are instants in a real zone (IANA data through
`zoneinfo`), so a DST change does what the tz database says it does, not what this project assumes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from installation.engine.schedule import first_opening, is_open, local_instant, next_transition, transitions
from installation.show.loader import load_show
from installation.show.model import Hours

BERLIN = ZoneInfo("Europe/Berlin")  # springs forward 02:00 → 03:00, falls back 03:00 → 02:00
NEW_YORK = ZoneInfo("America/New_York")  # springs forward 02:00 → 03:00, falls back 02:00 → 01:00
UTC = dt.UTC


def hours_from(tmp_path: Path, text: str) -> Hours:
    """Hours as the loader reads them from a show file's `hours:` block."""
    show = tmp_path / "show.yaml"
    body = "\n".join("  " + line for line in text.strip().splitlines())
    show.write_text(
        "show: Calendar\nidle: {act: only}\nhours:\n" + body
        + "\nacts:\n  only:\n    cues:\n      - wait: 1s\n",
        encoding="utf-8",
    )
    hours = load_show(show).hours
    assert hours is not None
    return hours


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone, fold=fold)  # type: ignore[misc]


# ------------------------------------------------------------------ daylight saving: spring forward
def test_an_opening_minute_that_does_not_exist_opens_when_the_clocks_jump(tmp_path: Path) -> None:
    # Sunday 28 March 2027, Berlin: 02:00 CET becomes 03:00 CEST; 02:30 never happens
    hours = hours_from(tmp_path, 'sun: "02:30-12:00"')
    jump = utc(2027, 3, 28, 1, 0)  # 03:00 CEST
    assert local_instant(dt.date(2027, 3, 28), 2.5 * 3600, BERLIN) == jump
    assert not is_open(hours, (jump - dt.timedelta(seconds=1)).astimezone(BERLIN))  # 01:59:59 CET
    assert is_open(hours, jump.astimezone(BERLIN))
    nxt = next_transition(hours, local(BERLIN, 2027, 3, 27, 22, 0))
    assert nxt is not None and nxt[1] is True
    assert nxt[0].astimezone(UTC) == jump and f"{nxt[0]:%H:%M %Z}" == "03:00 CEST"


def test_spring_forward_makes_the_night_an_hour_shorter_not_the_opening(tmp_path: Path) -> None:
    hours = hours_from(tmp_path, 'sat: "20:00-04:00"')
    opened = local(BERLIN, 2027, 3, 27, 20, 0)
    changes = transitions(hours, opened, opened + dt.timedelta(hours=12))
    assert [(f"{w:%a %H:%M %Z}", state) for w, state in changes] == [("Sun 04:00 CEST", False)]
    assert changes[0][0].astimezone(UTC) - opened.astimezone(UTC) == dt.timedelta(hours=7)  # 8 on the wall


# ------------------------------------------------------------------ daylight saving: fall back
def test_a_closing_hour_that_happens_twice_closes_the_first_time_only(tmp_path: Path) -> None:
    # Sunday 31 October 2027, Berlin: 03:00 CEST becomes 02:00 CET; 02:00–02:59 happens twice
    hours = hours_from(tmp_path, 'sat: "20:00-02:30"')
    first = local(BERLIN, 2027, 10, 31, 2, 30, fold=0)
    assert first.utcoffset() == dt.timedelta(hours=2)
    assert is_open(hours, local(BERLIN, 2027, 10, 31, 2, 29, fold=0))
    assert not is_open(hours, first)
    # the repeated hour: the wall clock reads 02:00–02:29 again, but the night is over
    for minute in (0, 10, 29):
        again = local(BERLIN, 2027, 10, 31, 2, minute, fold=1)
        assert again.utcoffset() == dt.timedelta(hours=1)
        assert not is_open(hours, again), f"reopened at the second 02:{minute:02d}"
    opened = local(BERLIN, 2027, 10, 30, 19, 0)
    changes = transitions(hours, opened, opened + dt.timedelta(hours=12))
    assert [(w.astimezone(UTC), state) for w, state in changes] == [
        (utc(2027, 10, 30, 18, 0), True),
        (utc(2027, 10, 31, 0, 30), False),  # the first 02:30 (CEST)
    ]


def test_an_opening_in_the_repeated_hour_opens_at_its_first_occurrence(tmp_path: Path) -> None:
    # New York, Sunday 7 November 2027: 02:00 EDT becomes 01:00 EST; 01:00–01:59 happens twice
    hours = hours_from(tmp_path, 'sun: "01:30-06:00"')
    nxt = next_transition(hours, local(NEW_YORK, 2027, 11, 7, 0, 0))
    assert nxt is not None and nxt[1] is True
    assert nxt[0].astimezone(UTC) == utc(2027, 11, 7, 5, 30)  # 01:30 EDT
    assert is_open(hours, local(NEW_YORK, 2027, 11, 7, 1, 10, fold=1))  # the second 01:10: still open
    closing = next_transition(hours, nxt[0])
    assert closing is not None and closing[0].astimezone(UTC) == utc(2027, 11, 7, 11, 0)  # 06:00 EST


def test_a_zone_without_dst_and_naive_local_time_agree(tmp_path: Path) -> None:
    hours = hours_from(tmp_path, 'mon: closed\ntue-sun: "10:00-18:00"')
    tokyo = ZoneInfo("Asia/Tokyo")
    start = dt.datetime(2026, 12, 7, 0, 0)  # a Monday
    for step in range(0, 7 * 24 * 4):
        naive = start + dt.timedelta(minutes=15 * step)
        assert is_open(hours, naive) == is_open(hours, naive.replace(tzinfo=tokyo)), naive


# ------------------------------------------------------------------ nights past midnight, closed dates
def test_a_night_event_past_midnight_belongs_to_the_day_it_starts(tmp_path: Path) -> None:
    hours = hours_from(tmp_path, 'fri: "18:00-02:00"\nsat: closed\nclosed_on: ["2027-01-15"]')
    friday = dt.datetime(2027, 1, 8, 23, 0)
    assert is_open(hours, friday)
    assert is_open(hours, dt.datetime(2027, 1, 9, 1, 59))  # Saturday 01:59, though Saturday is closed
    assert not is_open(hours, dt.datetime(2027, 1, 9, 2, 0))
    assert not is_open(hours, dt.datetime(2027, 1, 8, 17, 59))
    nxt = next_transition(hours, friday)
    assert nxt == (dt.datetime(2027, 1, 9, 2, 0), False)
    # a closed date on a Friday closes that Friday's night, not the Saturday morning it runs into
    assert not is_open(hours, dt.datetime(2027, 1, 15, 23, 0))
    assert not is_open(hours, dt.datetime(2027, 1, 16, 1, 0))
    hours2 = hours_from(tmp_path, 'fri: "18:00-02:00"\nclosed_on: ["2027-01-09"]')
    assert is_open(hours2, dt.datetime(2027, 1, 9, 1, 0))  # the 9th is closed; Friday's night still runs


def test_closed_on_dates_and_29_february(tmp_path: Path) -> None:
    hours = hours_from(tmp_path, 'daily: "10:00-18:00"\nclosed_on: ["2028-02-29", "2026-12-25"]')
    assert not is_open(hours, dt.datetime(2028, 2, 29, 12, 0))
    assert is_open(hours, dt.datetime(2028, 2, 28, 12, 0))
    assert is_open(hours, dt.datetime(2028, 3, 1, 12, 0))
    assert first_opening(hours, dt.datetime(2028, 2, 28, 18, 0)) == dt.datetime(2028, 3, 1, 10, 0)
    assert not is_open(hours, dt.datetime(2026, 12, 25, 12, 0))
    # a leap day that is not closed is an ordinary Tuesday
    open_leap = hours_from(tmp_path, 'tue: "10:00-18:00"')
    assert is_open(open_leap, dt.datetime(2028, 2, 29, 12, 0))
    closing = next_transition(open_leap, dt.datetime(2028, 2, 29, 12, 0))
    assert closing == (dt.datetime(2028, 2, 29, 18, 0), False)


def test_29_february_in_a_year_without_one_is_a_clear_error(tmp_path: Path) -> None:
    from installation.errors import ShowError

    with pytest.raises(ShowError, match=r"2027-02-29"):
        hours_from(tmp_path, 'daily: "10:00-18:00"\nclosed_on: ["2027-02-29"]')


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"])
def test_a_year_of_transitions_alternates_and_matches_is_open(tmp_path: Path, zone: str) -> None:
    """Every change over a year flips the state, and is_open agrees just before and at each one."""
    tz = ZoneInfo(zone)  # Lord Howe moves its clocks by half an hour
    hours = hours_from(tmp_path, 'mon: closed\ntue-sat: "02:15-02:45"\nsun: "23:00-02:30"')
    start = dt.datetime(2027, 1, 1, tzinfo=tz)
    changes = transitions(hours, start, start + dt.timedelta(days=366))
    assert len(changes) > 500
    state = is_open(hours, start)
    for when, new_state in changes:
        assert new_state != state
        assert is_open(hours, when) == new_state
        assert is_open(hours, when - dt.timedelta(seconds=1)) == state
        state = new_state
