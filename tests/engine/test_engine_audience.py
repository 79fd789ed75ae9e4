"""Audience scripts: parsing with positioned errors, and exact ground-truth presence."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from installation.audience import load_audience, parse_audience, point_in_polygon
from installation.errors import ShowError

ZONES = {
    "door": ((0.0, 0.0), (0.25, 0.0), (0.25, 1.0), (0.0, 1.0)),
    "screen": ((0.3, 0.7), (0.7, 0.7), (0.7, 1.0), (0.3, 1.0)),
}

WALK = """\
# A school group arrives, gathers at the screen and leaves
duration: 40min
seed: 7
events:
  - at: 0:30
    enter: [a, b, c]
    zone: door
  - at: 1:00
    move: [a, b]
    to: screen
    over: 5s
  - at: 12:00
    leave: all
"""


def test_script_parses_and_people_appear_in_their_zone() -> None:
    s = parse_audience(WALK, "walk.yaml")
    assert (s.name, s.duration_s, s.seed, len(s.events)) == ("walk", 2400.0, 7, 3)
    before = s.presence_at(29.9, ZONES)
    assert before.count == 0 and before.zones["door"].count == 0
    p = s.presence_at(45.0, ZONES)
    assert p.count == 3 and p.zones["door"].count == 3 and p.zones["door"].dwell_s == 15.0
    assert all(point_in_polygon(q.x, q.y, ZONES["door"]) for q in p.people)
    assert [q.id for q in p.people] == [1, 2, 3]
    assert p.people[0].present_s == 15.0


def test_walking_is_interpolated_and_zone_changes_are_exact() -> None:
    s = parse_audience(WALK, "walk.yaml")
    start = s.people_at(60.0, ZONES)[0]
    end = s.people_at(65.0, ZONES)[0]
    mid = s.people_at(62.5, ZONES)[0]
    assert mid.x == pytest.approx((start.x + end.x) / 2, abs=1e-9)
    assert mid.y == pytest.approx((start.y + end.y) / 2, abs=1e-9)
    assert math.hypot(mid.vx, mid.vy) > 0.05
    assert point_in_polygon(end.x, end.y, ZONES["screen"])
    p = s.presence_at(100.0, ZONES)
    assert (p.zones["door"].count, p.zones["screen"].count) == (1, 2)
    # counts change only at the exact crossing times the script reports
    for t in s.change_times(ZONES):
        if 60.0 < t < 65.0:
            a, b = s.presence_at(t - 1e-6, ZONES), s.presence_at(t + 1e-6, ZONES)
            assert a.zones != b.zones
    assert s.presence_at(720.0, ZONES).count == 0


def test_standing_people_wander_a_little_but_never_across_a_zone_edge() -> None:
    s = parse_audience(WALK, "walk.yaml")
    xs = [s.people_at(100.0 + k * 0.5, ZONES)[2].x for k in range(400)]
    assert 0.0 < max(xs) - min(xs) < 0.05
    for k in range(2000):
        p = s.presence_at(66.0 + k * 0.3, ZONES)
        assert p.zones["screen"].count == 2 and p.zones["door"].count == 1


def test_same_seed_same_people_other_seed_other_places() -> None:
    a = parse_audience(WALK, "walk.yaml").presence_at(100.0, ZONES)
    b = parse_audience(WALK, "walk.yaml").presence_at(100.0, ZONES)
    c = parse_audience(WALK.replace("seed: 7", "seed: 8"), "walk.yaml").presence_at(100.0, ZONES)
    assert a == b and a.people != c.people


def test_dwell_keeps_running_while_anyone_stays() -> None:
    s = parse_audience(
        """
events:
  - {at: 0s, enter: [a], zone: screen}
  - {at: 10s, enter: [b], zone: screen}
  - {at: 20s, leave: [a]}
  - {at: 30s, leave: [b]}
  - {at: 40s, enter: [a], zone: [0.5, 0.8]}
""",
        "d.yaml",
    )
    assert s.presence_at(25.0, ZONES).zones["screen"].dwell_s == 25.0
    assert s.presence_at(35.0, ZONES).zones["screen"].count == 0
    assert s.presence_at(45.0, ZONES).zones["screen"].dwell_s == 5.0
    assert s.duration_s == 100.0  # last event + 1 min when no duration is given


def test_every_problem_reported_at_once_with_positions() -> None:
    bad = """\
duration: 1min
seed: x
speed: fast
events:
  - at: 30
    enter: [a]
  - at: 0:40
    move: [b]
    to: [2, 3]
  - at: 0:50
    leave: [a]
    over: 3s
  - {at: 1s, enter: [a], leave: [a]}
  - {enter: [z]}
  - {at: 2min, enter: [q]}
"""
    with pytest.raises(ShowError) as info:
        parse_audience(bad, "bad.yaml")
    text = str(info.value)
    for expected in [
        "bad.yaml:2:7: seed must be a whole number",
        "bad.yaml:3:1: unknown key 'speed'",
        "bad.yaml:5:9: at: ",
        "bad.yaml:9:9: to: expected a zone name or a point [x, y]",
        "bad.yaml:12:5: `over` does not go with `leave`",
        "bad.yaml:13:5: an event needs exactly one of enter, move, leave (found enter, leave)",
        "bad.yaml:14:5: event has no `at` time",
        "bad.yaml:1:11: events run to 2:00, past the duration",
    ]:
        assert expected in text
    assert len(info.value.problems) == 8


def test_people_must_be_in_the_room_to_move_or_leave() -> None:
    with pytest.raises(ShowError, match=r"m.yaml:3:14: 'b' moves but is not in the room at 0:05"):
        parse_audience(
            "events:\n  - {at: 1s, enter: [a]}\n  - {at: 5s, move: [b], to: [0.5, 0.5]}\n", "m.yaml"
        )
    with pytest.raises(ShowError, match="enters but is already in the room"):
        parse_audience("events:\n  - {at: 1s, enter: [a]}\n  - {at: 5s, enter: [a]}\n", "m.yaml")


def test_yaml_syntax_error_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ShowError, match=r"s.yaml:\d+:\d+: YAML syntax"):
        parse_audience("events:\n  - at: [1s\n", "s.yaml")
    with pytest.raises(ShowError, match="cannot read file"):
        load_audience(tmp_path / "missing.yaml")
    path = tmp_path / "ok.yaml"
    path.write_text(WALK, encoding="utf-8")
    assert load_audience(path).name == "ok"
