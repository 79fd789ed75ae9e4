"""`installation test` in virtual time: a 24-hour day with a scripted audience, zero drift, expects."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time

import pytest

from installation.engine.params import ParamSpec
from installation.errors import ShowError
from installation.offline.audience import parse_audience
from installation.offline.showtest import run_show_test
from installation.show.model import (
    ActAtExpect,
    AfterCondition,
    ContinueMode,
    FadeCue,
    GroupCue,
    GroupMode,
    Hours,
    Mapping,
    NeverReachesExpect,
    OscCue,
    PresenceCondition,
    ReachesExpect,
    Show,
    TimeRange,
    Trigger,
    WaitCue,
    frozen_map,
)
from installation.testing import act, light_params, make_show

AF = ContinueMode.AUTO_FOLLOW
DIM, RED = "light.wash.dimmer", "light.wash.red"
ZONES = {
    "door": [(0.0, 0.0), (0.25, 0.0), (0.25, 1.0), (0.0, 1.0)],
    "screen": [(0.3, 0.7), (0.7, 0.7), (0.7, 1.0), (0.3, 1.0)],
}
OPEN_10_18 = Hours(days=((TimeRange(start_s=10 * 3600, end_s=18 * 3600),),) * 7)
LOOP_A, LOOP_B = 7.3, 4.1  # durations that are not exact in binary floating point


def gallery_show(expects: tuple = ()) -> Show:  # type: ignore[type-arg]
    def cond(source: str, op: str, threshold: float, hold_s: float) -> PresenceCondition:
        return PresenceCondition(
            source=source,
            op=op,
            threshold=threshold,
            hold_s=hold_s,  # type: ignore[arg-type]
            text=f"{source} {op} {threshold:g} for {hold_s:g}s",
        )

    glow = {"scene.glow": ParamSpec("scene.glow")}
    attract = act(
        "attract",
        [
            FadeCue(name="settle", duration_s=3.0, targets=frozen_map({DIM: 0.3}), continue_mode=AF),
            GroupCue(
                name="breathe",
                mode=GroupMode.PLAYLIST,
                loop=True,
                children=(
                    FadeCue(name="in", duration_s=LOOP_A, targets=frozen_map({RED: 0.6})),
                    FadeCue(name="out", duration_s=LOOP_B, targets=frozen_map({RED: 0.1})),
                ),
            ),
        ],
        triggers=[Trigger(condition=cond("count", ">=", 1, 2.0), target="next")],
        mappings=[Mapping(source="nearest", param="scene.glow", out_range=(0.2, 1.0), smoothing_s=2.0)],
        params=glow,
    )
    arrival = act(
        "arrival",
        [
            FadeCue(name="rise", duration_s=5.0, targets=frozen_map({DIM: 0.9}), continue_mode=AF),
            OscCue(name="cue media", endpoint="media", address="/scene/start", continue_mode=AF),
            WaitCue(name="hold", duration_s=20.0),
        ],
        triggers=[
            Trigger(condition=cond("zone.screen.count", ">=", 2, 5.0), target="next"),
            Trigger(condition=AfterCondition(after_s=300.0), target="next"),
        ],
    )
    gather = act(
        "gather",
        [FadeCue(name="focus", duration_s=2.5, targets=frozen_map({DIM: 0.6}))],
        triggers=[Trigger(condition=AfterCondition(after_s=180.0), target="attract")],
    )
    return make_show(
        [attract, arrival, gather],
        params=light_params(DIM, RED),
        when_empty_for_s=60.0,
        zones=ZONES,
        hours=OPEN_10_18,
        expects=expects,
    )


def day_script(seed: int = 3) -> str:
    """Groups arriving every 15–30 minutes from opening to closing; some linger at the screen."""
    rng = random.Random(seed)
    lines = ["duration: 24h", f"seed: {seed}", "events:"]
    t = 10 * 3600 + 120.0
    n = 0
    while t < 17.5 * 3600:
        ids = [f"v{n + i}" for i in range(rng.randint(1, 4))]
        n += len(ids)
        stay = rng.uniform(120, 900)
        lines += [
            f"  - {{at: {t:.1f}s, enter: [{', '.join(ids)}], zone: door}}",
            f"  - {{at: {t + 5:.1f}s, move: [{', '.join(ids)}], to: screen, over: 6s}}",
            f"  - {{at: {t + stay:.1f}s, leave: [{', '.join(ids)}]}}",
        ]
        t += stay + rng.uniform(300, 1200)
    return "\n".join(lines) + "\n"


def test_a_24_hour_day_runs_in_seconds_with_zero_drift() -> None:
    show = gallery_show(expects=(ReachesExpect(audience=None, act="gather", by_s=12 * 3600),))
    script = parse_audience(day_script(), "day.yaml")
    t0 = time.perf_counter()
    report = run_show_test(show, script, start=dt.datetime(2026, 6, 1, 0, 0))
    wall_s = time.perf_counter() - t0
    assert wall_s < 10.0, f"24 h took {wall_s:.1f} s"
    assert report.passed, report.format(params=False)

    events = report.timeline
    kinds = [e.kind for e in events]
    assert kinds.count("open") == 1 and kinds.count("closing") == 1
    assert kinds.count("closed") == 2  # dark from midnight, and again after closing at 18:00
    opened = next(e.t for e in events if e.kind == "open")
    assert opened == 10 * 3600.0  # hours changes land on the exact second
    # every scheduled time is exact: a playlist child starts exactly when the previous one ends, each end
    # is exactly action + duration, and across hours of looping the times stay on the ideal grid
    by_cue: dict[str, list[tuple[float, str]]] = {}
    loops = 0
    for e in events:
        if e.detail == "in breathe":
            by_cue.setdefault(e.act, []).append((e.t, f"{e.kind}:{e.cue}"))
    for seq in by_cue.values():
        for (t_prev, what_prev), (t_next, what_next) in itertools.pairwise(seq):
            if what_prev.startswith("end:") and what_next.startswith("start:"):
                assert t_next == t_prev
                loops += 1
    starts: dict[str, float] = {}
    for e in events:
        if e.kind == "action" and e.detail == "in breathe":
            starts[e.cue] = e.t
        if e.kind == "end" and e.detail == "in breathe":
            assert e.t == starts[e.cue] + (LOOP_A if e.cue == "in" else LOOP_B)
    assert loops > 1000
    # act changes from `after:` land exactly on entry + after_s
    entries = [(e.t, e.act) for e in events if e.kind == "act"]
    for (t_in, name), (t_out, _) in itertools.pairwise(entries):
        gone = next(e for e in events if e.kind == "trigger" and e.t == t_out)
        if name == "gather" and "after" in gone.detail:
            assert t_out == t_in + 180.0
    # the longest attract stretch loops for hours; its last pass is still on the ideal grid
    attract_runs = [e for e in events if e.kind == "action" and e.cue == "breathe"]
    longest = max(
        attract_runs,
        key=lambda e: next((x.t for x in events if x.kind == "act" and x.t > e.t), 24 * 3600.0) - e.t,
    )
    passes = [e.t for e in events if e.kind == "start" and e.cue == "in" and e.t >= longest.t]
    end = next((x.t for x in events if x.kind == "act" and x.t > longest.t), 24 * 3600.0)
    passes = [p for p in passes if p < end]
    assert len(passes) > 100
    period = LOOP_A + LOOP_B
    assert max(abs(p - (longest.t + i * period)) for i, p in enumerate(passes)) < 1e-6


def test_expects_pass_and_fail_with_positions() -> None:
    show = gallery_show(
        expects=(
            ReachesExpect(audience="walk", act="arrival", by_s=60.0),
            ReachesExpect(audience="walk", act="gather", by_s=20.0),
            NeverReachesExpect(audience=None, act="gather"),
            ActAtExpect(audience="walk", time_s=35.0, act="arrival"),
            ActAtExpect(audience="someone-else", time_s=1.0, act="gather"),
        )
    )
    script = parse_audience(
        """
duration: 3min
events:
  - {at: 0:30, enter: [a, b], zone: door}
  - {at: 0:31, move: [a, b], to: screen, over: 3s}
  - {at: 2:30, leave: all}
""",
        "walk.yaml",
    )
    report = run_show_test(show, script)  # hours: starts at the first opening, Monday 10:00
    assert report.start == dt.datetime(2026, 6, 1, 10, 0)
    assert [r.passed for r in report.expects] == [True, False, False, True]
    assert report.act_at(32.0) == "arrival"
    assert report.acts[:2] == [(0.0, "attract"), (32.0, "arrival")]
    zones = show.presence.zones
    both_at_screen = min(
        t for t in script.change_times(zones) if script.presence_at(t, zones).zones["screen"].count >= 2
    )
    assert report.acts[2] == (both_at_screen + 5.0, "gather")  # exactly when they have been there 5 s
    text = report.format()
    assert "FAIL" in text and "2 passed, 2 failed" in text
    assert "ACT arrival" in text and "param      light.wash.dimmer" in text
    assert not report.passed


def test_unknown_zone_in_the_script_is_a_show_error_naming_the_script_line() -> None:
    script = parse_audience("events:\n  - {at: 1s, enter: [a], zone: scren}\n", "oops.yaml")
    with pytest.raises(
        ShowError, match=r"oops.yaml:2:\d+: unknown zone 'scren' \(zones of this show: door, screen\)"
    ):
        run_show_test(gallery_show(), script)


def test_closed_all_day_stays_dark() -> None:
    show = make_show(
        [act("attract", [FadeCue(name="up", targets=frozen_map({DIM: 1.0}))])],
        params=light_params(DIM),
        hours=Hours(),
    )
    script = parse_audience("duration: 2h\nevents:\n  - {at: 1h, enter: [a]}\n", "x.yaml")
    report = run_show_test(show, script)
    assert [e.kind for e in report.timeline] == ["closed"]
    assert report.steps < 100


YAML_SHOW = """\
show: Engine YAML test
presence:
  source: synthetic
  zones:
    door: [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]
idle:
  act: attract
  when_empty_for: 30s
acts:
  attract:
    soundscape:
      level: "-18 dB"
    cues:
      - name: breathe
        fade: {audio.master.level: "-24 dB"}
        duration: 4s
        curve: exponential
        continue: auto-follow
      - name: rest
        wait: 1s
    triggers:
      - when: zone door occupied for 2s
        go: next
  streets:
    soundscape:
      level: "-12 dB"
    triggers:
      - after: 1min
        go: next
expect:
  - reaches: streets
    by: 1min
  - act_at: {time: 50s, act: streets}
  - never_reaches: streets
"""


def test_a_show_from_the_loader_runs_under_a_script() -> None:
    from pathlib import Path

    from installation.show.loader import load_show_text

    root = Path(__file__).resolve().parents[2]
    show = load_show_text(YAML_SHOW, root / "cues" / "engine-yaml-test.yaml", root)
    script = parse_audience(
        "duration: 3min\nevents:\n  - {at: 20s, enter: [a], zone: door}\n  - {at: 40s, leave: all}\n",
        "a.yaml",
    )
    report = run_show_test(show, script)
    assert report.acts == [(0.0, "attract"), (22.0, "streets"), (70.0, "attract")]  # empty 30 s after 40 s
    assert [r.passed for r in report.expects] == [True, True, False]
    assert [(e.t, e.kind, e.cue) for e in report.timeline if e.kind in ("start", "end")][:4] == [
        (0.0, "start", "breathe"),
        (4.0, "end", "breathe"),
        (4.0, "start", "rest"),
        (5.0, "end", "rest"),
    ]


# ---------------------------------------------------------------------------------- --params and times


def test_params_keep_every_fade_even_an_up_fade_straight_after_a_down_fade() -> None:
    from installation.offline.showtest import ParamChange

    show = make_show(
        [
            act(
                "attract",
                [
                    FadeCue(name="up", duration_s=2.0, targets=frozen_map({DIM: 1.0}), continue_mode=AF),
                    FadeCue(name="down", duration_s=3.0, targets=frozen_map({DIM: 0.0}), continue_mode=AF),
                    FadeCue(
                        name="long",
                        duration_s=10.0,
                        targets=frozen_map({DIM: 1.0}),
                        post_wait_s=4.0,
                        continue_mode=ContinueMode.AUTO_CONTINUE,
                    ),
                    FadeCue(name="cut", duration_s=2.0, targets=frozen_map({DIM: 0.0})),
                ],
            )
        ],
        params=light_params(DIM),
    )
    report = run_show_test(show, parse_audience("duration: 20s\nevents: []\n", "x.yaml"))
    dim = [p for p in report.params if p.name == DIM]
    assert dim == [
        ParamChange(0.0, 2.0, DIM, 0.0, 1.0),
        ParamChange(2.0, 5.0, DIM, 1.0, 0.0),
        ParamChange(5.0, 9.0, DIM, 0.0, pytest.approx(0.4)),  # cut off by the next fade at 9 s
        ParamChange(9.0, 11.0, DIM, pytest.approx(0.4), 0.0),
    ]


def test_a_24_hour_loop_lists_every_one_of_its_fades() -> None:
    show = make_show(
        [
            act(
                "attract",
                [
                    GroupCue(
                        name="breathe",
                        mode=GroupMode.PLAYLIST,
                        loop=True,
                        children=(
                            FadeCue(name="in", duration_s=300.0, targets=frozen_map({RED: 0.6})),
                            FadeCue(name="out", duration_s=300.0, targets=frozen_map({RED: 0.1})),
                        ),
                    )
                ],
            )
        ],
        params=light_params(RED),
    )
    report = run_show_test(show, parse_audience("duration: 24h\nevents: []\n", "day.yaml"))
    red = [p for p in report.params if p.name == RED]
    assert len(red) == 288  # 24 h of 5-minute fades, up and down by turns: each listed whole
    assert [(p.t0, p.t1, p.end) for p in red[:3]] == [
        (0.0, 300.0, 0.6),
        (300.0, 600.0, 0.1),
        (600.0, 900.0, 0.6),
    ]
    assert all(p.t1 - p.t0 == 300.0 for p in red)
    assert red[-1].t1 == 24 * 3600.0


def test_times_print_to_the_millisecond() -> None:
    from installation.offline.showtest import format_time

    assert format_time(0.0) == "0:00.000"
    assert format_time(7.3) == "0:07.300"
    assert format_time(61.0004) == "1:01.000" and format_time(61.0006) == "1:01.001"  # nearest ms
    assert format_time(59.9996) == "1:00.000"  # rounding carries into the minute
    assert format_time(3600 * 25 + 0.25) == "25:00:00.250"
    assert format_time(-1.5) == "-0:01.500"
    show = make_show(
        [act("attract", [FadeCue(name="up", duration_s=LOOP_A, targets=frozen_map({DIM: 1.0}))])],
        params=light_params(DIM),
    )
    text = run_show_test(show, parse_audience("duration: 10s\nevents: []\n", "x.yaml")).format()
    assert "light.wash.dimmer 0 → 1  [0:00.000–0:07.300]" in text
    assert "    0:07.300    attract      end        up" in text
