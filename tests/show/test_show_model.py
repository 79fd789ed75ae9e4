"""Behaviour the model itself carries: opening hours, zones, comparisons, act order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from installation.engine import schedule
from installation.show import model as m


def hours(**days: list[tuple[float, float]]) -> m.Hours:
    table = tuple(
        tuple(m.TimeRange(start_s=a * 3600, end_s=b * 3600) for a, b in days.get(d, [])) for d in m.WEEKDAYS
    )
    return m.Hours(days=table, closed_on=frozenset({dt.date(2026, 12, 25)}))


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (dt.datetime(2026, 11, 24, 9, 59), False),  # a Tuesday, before opening
        (dt.datetime(2026, 11, 24, 10, 0), True),
        (dt.datetime(2026, 11, 24, 17, 59, 59), True),
        (dt.datetime(2026, 11, 24, 18, 0), False),  # end is exclusive
        (dt.datetime(2026, 11, 23, 12, 0), False),  # Monday: closed
        (dt.datetime(2026, 11, 28, 23, 0), True),  # Saturday night range runs past midnight ...
        (dt.datetime(2026, 11, 29, 1, 59), True),  # ... into Sunday
        (dt.datetime(2026, 11, 29, 2, 0), False),
        (dt.datetime(2026, 12, 25, 12, 0), False),  # a closed date (a Friday)
    ],
)
def test_opening_hours(when: dt.datetime, is_open: bool) -> None:
    h = hours(tue=[(10, 18)], fri=[(10, 18)], sat=[(20, 2)])
    assert schedule.is_open(h, when) is is_open


def test_zone_contains_points_inside_its_polygon() -> None:
    door = m.Zone(name="door", polygon=((0.0, 0.0), (0.25, 0.0), (0.25, 1.0), (0.0, 1.0)))
    assert door.contains(0.1, 0.5) and not door.contains(0.3, 0.5)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", 3, True),
        (">=", 2.9, False),
        (">", 3, False),
        ("<=", 3, True),
        ("<", 3, False),
        ("==", 3, True),
        ("!=", 3, False),
    ],
)
def test_presence_condition_compares(op: m.Op, value: float, expected: bool) -> None:
    assert m.PresenceCondition(source="count", op=op, threshold=3).compare(value) is expected


def test_show_resolves_next_and_idle_targets_and_act_params() -> None:
    acts = {n: m.Act(name=n) for n in ("attract", "a", "b")}
    show = m.Show(
        name="s",
        path=Path("/p/cues/s.yaml"),
        root=Path("/p"),
        rig_path=None,
        rig=None,
        idle_act="attract",
        start_act="attract",
        acts=m.frozen_map(acts),
    )
    assert show.resolve_target("a", "next") == "b"
    assert show.resolve_target("b", "next") == "attract"
    assert show.resolve_target("b", "idle") == "attract"
    assert show.resolve_target("b", "a") == "a"
    assert m.Pos("cues/s.yaml", 3, 7).problem("bad", "fix").__str__() == "cues/s.yaml:3:7: bad (fix)"
