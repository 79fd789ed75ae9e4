"""Show tests with the operator scripted beside the audience: GO, stop, panic, pause, go to an act, open and
close now; what the engine refuses while closed is reported on the timeline, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest

from installation.errors import ShowError
from installation.offline.audience import parse_audience
from installation.offline.showtest import run_show_test
from installation.show.model import FadeCue, Hours, TimeRange, WaitCue, frozen_map
from installation.testing import act, light_params, make_show

DIM = "light.wash.dimmer"
OPEN_10_18 = Hours(days=((TimeRange(start_s=10 * 3600, end_s=18 * 3600),),) * 7)


def cue_show(hours: Hours | None = None):  # type: ignore[no-untyped-def]
    """Two acts; attract's cues wait for GO: a 4 s fade up, then a long hold."""
    attract = act(
        "attract",
        [
            WaitCue(name="ready", duration_s=0.0),
            FadeCue(name="up", duration_s=4.0, targets=frozen_map({DIM: 1.0})),
            WaitCue(name="hold", duration_s=60.0),
        ],
    )
    streets = act("streets", [FadeCue(name="dusk", duration_s=2.0, targets=frozen_map({DIM: 0.2}))])
    return make_show([attract, streets], params=light_params(DIM), hours=hours)


def rows(report, *kinds: str) -> list[tuple[float, str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.t, e.kind, e.cue, e.detail) for e in report.timeline if e.kind in kinds]


def test_go_stop_panic_pause_and_goto_happen_at_their_script_times() -> None:
    script = parse_audience(
        """\
duration: 2min
events:
  - {at: 0:10, operator: go}
  - {at: 0:20, operator: go}
  - {at: 0:21, operator: pause}
  - {at: 0:31, operator: resume}
  - {at: 0:40, operator: stop}
  - {at: 0:50, operator: go}
  - {at: 0:55, operator: panic}
  - {at: 1:00, operator: goto, act: streets}
""",
        "op.yaml",
    )
    report = run_show_test(cue_show(), script)
    assert rows(report, "operator") == [
        (10.0, "operator", "", "go"),
        (20.0, "operator", "", "go"),
        (21.0, "operator", "", "pause"),
        (31.0, "operator", "", "resume"),
        (40.0, "operator", "", "stop"),
        (50.0, "operator", "", "go"),
        (55.0, "operator", "", "panic"),
        (60.0, "operator", "", "goto streets"),
    ]
    starts = [(e.t, e.cue) for e in report.timeline if e.kind == "start" and e.act == "attract"]
    assert starts == [(0.0, "ready"), (10.0, "up"), (20.0, "hold")]  # entering GOes the first cue
    assert rows(report, "stop-all", "panic", "pause", "resume") == [
        (21.0, "pause", "", ""),
        (31.0, "resume", "", "after 10s"),
        (40.0, "stop-all", "", ""),
        (55.0, "panic", "", "fade 1s"),
    ]
    # the fade up ran 10 s → 14 s; the panic faded the light out over 1 s from 55 s
    fades = [(p.t0, p.t1, p.end) for p in report.params if p.name == DIM]
    assert fades[:2] == [(10.0, 14.0, 1.0), (55.0, 56.0, 0.0)]
    assert report.acts == [(0.0, "attract"), (60.0, "streets")]
    assert next(e for e in report.timeline if e.kind == "act" and e.t == 60.0).detail == "operator"
    assert not report.refused
    text = report.format()
    assert "    1:00.000    attract      operator   goto streets" in text


def test_while_closed_the_engine_refuses_and_the_report_says_so() -> None:
    script = parse_audience(
        """\
duration: 1h
events:
  - {at: 10min, operator: go}
  - {at: 11min, operator: goto, act: streets}
""",
        "closed.yaml",
    )
    # Monday 18:30: closed since 18:00
    report = run_show_test(cue_show(OPEN_10_18), script, start=dt.datetime(2026, 6, 1, 18, 30))
    assert [(e.t, e.kind, e.detail) for e in report.refused] == [
        (600.0, "go-ignored", "closed"),
        (660.0, "refused", "goto streets: cannot go to an act: the show is closed"),
    ]
    assert report.acts == []
    text = report.format()
    assert "refused    goto streets: cannot go to an act: the show is closed" in text
    assert "operator: 2 action(s) refused, first at 10:00.000" in text
    assert report.passed  # a refusal is reported, not failed: an expectation can say what should happen


def test_open_and_close_now_until_a_time_then_the_schedule() -> None:
    script = parse_audience(
        """\
duration: 4h
events:
  - {at: 10min, operator: open, until: "20:00"}
  - {at: 20min, operator: goto, act: streets}
  - {at: 2h, operator: close, until: "21:00"}
  - {at: 150min, operator: open, until: "23:00"}
  - {at: 3h, operator: schedule}
""",
        "override.yaml",
    )
    report = run_show_test(cue_show(OPEN_10_18), script, start=dt.datetime(2026, 6, 1, 18, 30))
    hours = [(e.t, e.kind) for e in report.timeline if e.kind in ("open", "closing", "closed")]
    assert hours == [
        (0.0, "closed"),  # 18:30, after closing time
        (600.0, "open"),  # 18:40: open now until 20:00
        (5400.0, "closing"),  # 20:00: the override ends and the schedule says closed
        (5410.0, "closed"),
        # 20:30 close now until 21:00: closed already, nothing changes
        (9000.0, "open"),  # 21:00: open now until 23:00
        (10800.0, "closing"),  # 21:30: back to the schedule, which says closed
        (10810.0, "closed"),
    ]
    assert report.act_at(1300.0) == "streets"  # 18:51: the operator went to streets while open
    assert not report.refused


def test_unknown_act_in_a_goto_is_a_show_error_naming_the_script_line() -> None:
    script = parse_audience("events:\n  - {at: 1s, operator: goto, act: street}\n", "oops.yaml")
    with pytest.raises(ShowError, match=r"oops.yaml:2:14: unknown act 'street' \(did you mean 'streets'\?\)"):
        run_show_test(cue_show(), script)


def test_a_repeated_go_every_minute_starts_the_cues_on_the_minute() -> None:
    show = make_show(
        [act("attract", [WaitCue(name=f"c{i}", duration_s=1.0) for i in range(5)])],
        params=light_params(DIM),
    )
    script = parse_audience(
        "duration: 10min\nevents:\n  - repeat: 4\n    every: 1min\n    at: 1min\n"
        "    events: [{at: 0s, operator: go}]\n",
        "gos.yaml",
    )
    report = run_show_test(show, script)
    assert [(e.t, e.cue) for e in report.timeline if e.kind == "start"] == [
        (0.0, "c0"),
        (60.0, "c1"),
        (120.0, "c2"),
        (180.0, "c3"),
        (240.0, "c4"),
    ]
