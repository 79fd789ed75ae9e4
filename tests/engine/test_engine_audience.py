"""Audience scripts: parsing with positioned errors, and exact ground-truth presence."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from installation.errors import ShowError
from installation.offline.audience import load_audience, parse_audience, point_in_polygon

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
        "bad.yaml:13:5: an event needs exactly one of enter, move, leave, operator (found enter, leave)",
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


# ------------------------------------------------------------------------------------- operator events

OPERATOR = """\
duration: 10min
events:
  - {at: 0:30, enter: [a], zone: door}
  - {at: 1:00, operator: go}
  - {at: 1:10, operator: stop}
  - {at: 1:20, operator: panic}
  - {at: 1:30, operator: pause}
  - {at: 1:40, operator: resume}
  - {at: 2:00, operator: goto, act: streets}
  - {at: 3:00, operator: close, until: "9:30"}
  - {at: 4:00, operator: open, until: "22:00"}
  - {at: 5:00, operator: schedule}
  - {at: 6:00, leave: all}
"""


def test_operator_events_sit_beside_the_visitors_in_time_order() -> None:
    s = parse_audience(OPERATOR, "op.yaml")
    assert [e.kind for e in s.events] == ["enter", "leave"]  # presence comes from visitors only
    assert [(e.at_s, e.text) for e in s.operator] == [
        (60.0, "go"),
        (70.0, "stop"),
        (80.0, "panic"),
        (90.0, "pause"),
        (100.0, "resume"),
        (120.0, "goto streets"),
        (180.0, "close until 09:30"),
        (240.0, "open until 22:00"),
        (300.0, "schedule"),
    ]
    assert (s.operator[0].line, s.operator[0].col) == (4, 16)
    assert s.presence_at(65.0, ZONES).count == 1


def test_operator_mistakes_are_reported_at_their_place() -> None:
    bad = """\
events:
  - {at: 1s, operator: panik}
  - {at: 2s, operator: goto}
  - {at: 3s, operator: open}
  - {at: 4s, operator: close, until: "25:00"}
  - {at: 5s, operator: go, act: streets}
  - {at: 6s, operator: stop, until: "22:00"}
  - {at: 7s, enter: [a], operator: go}
  - {at: 8s, operator: goto, act: streets, zone: door}
"""
    with pytest.raises(ShowError) as info:
        parse_audience(bad, "op.yaml")
    assert [str(p) for p in info.value.problems] == [
        "op.yaml:2:24: operator: 'panik' is not something the operator does (did you mean 'panic'?)",
        "op.yaml:3:14: operator: goto needs `act:` (an act name, next or idle)",
        'op.yaml:4:14: operator: open needs `until:` (the time of day the open ends, e.g. until: "22:00")',
        "op.yaml:5:38: until: expected a time of day HH:MM, got '25:00' (e.g. until: \"22:00\" (the next "
        "time the clock shows it))",
        "op.yaml:6:28: `act` does not go with `operator: go` (act: is where `operator: goto` goes)",
        "op.yaml:7:30: `until` does not go with `operator: stop` (until: is when `operator: open` or `close` "
        "ends)",
        "op.yaml:8:5: an event needs exactly one of enter, move, leave, operator (found enter, operator) "
        "(split it into one event per action)",
        "op.yaml:9:44: `zone` does not go with `operator` (zone: is where people enter)",
    ]


def test_goto_an_act_the_show_lacks_is_named_with_its_line() -> None:
    s = parse_audience(
        "events:\n  - {at: 1s, operator: goto, act: strets}\n  - {at: 2s, operator: goto, act: next}\n",
        "op.yaml",
    )
    assert [str(p) for p in s.act_problems(["attract", "streets"])] == [
        "op.yaml:2:14: unknown act 'strets' (did you mean 'streets'?)"
    ]
    with pytest.raises(ShowError, match="unknown zone 'hall'"):
        script = parse_audience("events:\n  - {at: 1s, enter: [a], zone: hall}\n", "z.yaml")
        script.check_show(ZONES, ["attract"])


# ----------------------------------------------------------------------------------------------- repeat

REPEAT = """\
duration: 1h
events:
  - repeat: 3
    every: 10min
    at: 1:00
    events:
      - {at: 0:00, enter: [v#, guide], zone: door}
      - {at: 0:30, move: [v#], to: screen}
      - {at: 5:00, leave: all}
      - {at: 5:00, operator: go}
"""


def test_repeat_places_a_block_n_times_with_the_repetition_number_in_ids() -> None:
    s = parse_audience(REPEAT, "r.yaml")
    enters = [(e.at_s, e.people) for e in s.events if e.kind == "enter"]
    assert enters == [(60.0, ("v1", "guide")), (660.0, ("v2", "guide")), (1260.0, ("v3", "guide"))]
    assert [e.at_s for e in s.operator] == [360.0, 960.0, 1560.0]
    assert s.events[0].repetition == "repetition 1 of the repeat at line 3"
    assert s.presence_at(700.0, ZONES).zones["screen"].count == 1
    assert s.presence_at(1000.0, ZONES).count == 0


def test_repeat_without_a_count_runs_to_the_end_of_the_script_and_nests() -> None:
    s = parse_audience(
        """\
duration: 30min
events:
  - every: 10min
    events:
      - {at: 0:00, enter: [a#]}
      - repeat: 2
        every: 1min
        at: 1:00
        events:
          - {at: 0s, operator: go}
      - {at: 9:00, leave: all}
  - every: 7min
    at: 25min
    events:
      - {at: 0s, operator: panic}
      - {at: 6min, operator: stop}
""",
        "r.yaml",
    )
    assert [(e.at_s, e.people) for e in s.events if e.kind == "enter"] == [
        (0.0, ("a1",)),
        (600.0, ("a2",)),
        (1200.0, ("a3",)),
    ]
    # the inner repeat's # is its own repetition; the last panic block is cut off at the end
    assert [(e.at_s, e.action) for e in s.operator] == [
        (60.0, "go"),
        (120.0, "go"),
        (660.0, "go"),
        (720.0, "go"),
        (1260.0, "go"),
        (1320.0, "go"),
        (1500.0, "panic"),
    ]


def test_repeat_mistakes_are_reported_once_at_their_place() -> None:
    with pytest.raises(ShowError) as info:
        parse_audience(
            """\
duration: 1h
events:
  - repeat: 3
    every: 1min
    events:
      - {at: 0s, enter: [a]}
  - repeat: 0
    every: 0s
    enter: [b]
    events: []
  - {at: 1s, enter: [c#]}
""",
            "r.yaml",
        )
    assert [str(p) for p in info.value.problems] == [
        "r.yaml:6:18: 'a' enters but is already in the room (repetition 2 of the repeat at line 3) "
        "(leave first, or use move)",
        "r.yaml:7:13: repeat: how many times, a whole number from 1 (e.g. repeat: 4 — or leave it out to "
        "repeat until the script ends)",
        "r.yaml:8:12: every: must be longer than 0s (e.g. every: 10min)",
        "r.yaml:9:5: unknown key 'enter' in a repeat (a repeat holds its events under `events:`; keys: "
        "repeat, every, at, events)",
        "r.yaml:10:13: events: must be a list of events (- {at: 0s, enter: [a]})",
        "r.yaml:11:22: enter: # in an id is the repetition number of a repeat (use it inside `repeat:` … "
        "`events:`, e.g. enter: [visitor#])",
    ]
    with pytest.raises(ShowError, match=r"r.yaml:2:5: a repeat without a count runs until the script ends"):
        parse_audience("events:\n  - every: 1min\n    events: [{at: 0s, operator: go}]\n", "r.yaml")
    with pytest.raises(ShowError, match=r"the repeats make more than 200000 events"):
        parse_audience(
            "duration: 48h\nevents:\n  - every: 0.5s\n    events: [{at: 0s, operator: go}]\n", "r.yaml"
        )
