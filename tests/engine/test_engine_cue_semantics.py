"""QLab cue semantics, table-driven in virtual time: each row is a cue list, events and the exact timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from installation.engine.clock import VirtualClock
from installation.engine.commands import OscSend, Panic
from installation.engine.show_engine import Engine
from installation.show.model import (
    ActCue,
    ContinueMode,
    Cue,
    Curve,
    FadeCue,
    GotoCue,
    GroupCue,
    GroupMode,
    OscCue,
    StopCue,
    WaitCue,
    frozen_map,
)
from installation.testing import TimelineRecorder, act, light_params, make_show

AC, AF = ContinueMode.AUTO_CONTINUE, ContinueMode.AUTO_FOLLOW
DIM = "light.wash.dimmer"
RED = "light.wash.red"
PAN = "light.spot.pan"


def wait(
    name: str,
    dur: float = 0.0,
    *,
    pre: float = 0.0,
    post: float = 0.0,
    cont: ContinueMode = ContinueMode.NONE,
) -> WaitCue:
    return WaitCue(name=name, pre_wait_s=pre, duration_s=dur, post_wait_s=post, continue_mode=cont)


def fade(
    name: str,
    targets: dict[str, float],
    *,
    dur: float = 0.0,
    pre: float = 0.0,
    post: float = 0.0,
    cont: ContinueMode = ContinueMode.NONE,
    curve: Curve = Curve.LINEAR,
) -> FadeCue:
    return FadeCue(
        name=name,
        pre_wait_s=pre,
        duration_s=dur,
        post_wait_s=post,
        continue_mode=cont,
        targets=frozen_map(targets),
        curve=curve,
    )


def group(
    name: str,
    children: list[Cue],
    *,
    mode: GroupMode = GroupMode.TIMELINE,
    loop: bool = False,
    pre: float = 0.0,
    post: float = 0.0,
    cont: ContinueMode = ContinueMode.NONE,
) -> GroupCue:
    return GroupCue(
        name=name,
        mode=mode,
        loop=loop,
        children=tuple(children),
        pre_wait_s=pre,
        post_wait_s=post,
        continue_mode=cont,
    )


Event = tuple[float, Callable[[Engine], object]]


def go(e: Engine) -> object:
    return e.go()


@dataclass
class Row:
    """A cue list (first cue GO'd on act entry at t=0), operator events, and what must happen."""

    id: str
    cues: list[Cue]
    events: list[Event] = field(default_factory=list)
    timeline: list[tuple[float, str, str]] = field(default_factory=list)
    values: dict[tuple[float, str], float] = field(default_factory=dict)  # (t, param) → value
    until: float = 20.0
    kinds: tuple[str, ...] = ("start", "action", "end", "stop")


ROWS = [
    Row(
        "continue-none-waits-for-go",
        [wait("A", 2), wait("B", 1)],
        [(5.0, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (2, "end", "A"),
            (5, "start", "B"),
            (5, "action", "B"),
            (6, "end", "B"),
        ],
    ),
    Row(
        "pre-wait-delays-the-action",
        [wait("A", 2, pre=1.5)],
        [],
        [(0, "start", "A"), (1.5, "action", "A"), (3.5, "end", "A")],
    ),
    Row(
        "auto-continue-post-wait-counts-from-action-start",
        [wait("A", 4, pre=1, post=2, cont=AC), wait("B", 1)],
        [],
        [
            (0, "start", "A"),
            (1, "action", "A"),
            (3, "start", "B"),
            (3, "action", "B"),
            (4, "end", "B"),
            (5, "end", "A"),
        ],
    ),
    Row(
        "auto-continue-zero-post-wait-starts-next-with-the-action",
        [wait("A", 4, pre=1, cont=AC), wait("B", 1)],
        [],
        [
            (0, "start", "A"),
            (1, "action", "A"),
            (1, "start", "B"),
            (1, "action", "B"),
            (2, "end", "B"),
            (5, "end", "A"),
        ],
    ),
    Row(
        "auto-continue-post-wait-longer-than-the-action",
        [wait("A", 1, post=3, cont=AC), wait("B", 1)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (3, "start", "B"),
            (3, "action", "B"),
            (4, "end", "B"),
        ],
    ),
    Row(
        "auto-follow-starts-next-when-the-action-ends",
        [wait("A", 4, pre=1, post=2, cont=AF), wait("B", 1)],
        [],
        [
            (0, "start", "A"),
            (1, "action", "A"),
            (5, "end", "A"),
            (5, "start", "B"),
            (5, "action", "B"),
            (6, "end", "B"),
        ],
    ),
    Row(
        "auto-follow-chain-with-pre-waits",
        [wait("A", 1, cont=AF), wait("B", 1, pre=0.5, cont=AF), wait("C", 0)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (1, "start", "B"),
            (1.5, "action", "B"),
            (2.5, "end", "B"),
            (2.5, "start", "C"),
            (2.5, "action", "C"),
            (2.5, "end", "C"),
        ],
    ),
    Row(
        "mixed-chain-stops-at-continue-none",
        [wait("A", 1, cont=AC, post=0.25), wait("B", 2, cont=AF), wait("C", 1), wait("D", 1)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (0.25, "start", "B"),
            (0.25, "action", "B"),
            (1, "end", "A"),
            (2.25, "end", "B"),
            (2.25, "start", "C"),
            (2.25, "action", "C"),
            (3.25, "end", "C"),
        ],
    ),
    Row(
        "timeline-group-children-start-together-placed-by-pre-waits",
        [group("G", [wait("x", 2), wait("y", 2, pre=1)], cont=AF), wait("N", 0)],
        [],
        [
            (0, "start", "G"),
            (0, "action", "G"),
            (0, "start", "x"),
            (0, "start", "y"),
            (0, "action", "x"),
            (1, "action", "y"),
            (2, "end", "x"),
            (3, "end", "y"),
            (3, "end", "G"),
            (3, "start", "N"),
            (3, "action", "N"),
            (3, "end", "N"),
        ],
    ),
    Row(
        "group-pre-wait-delays-its-children",
        [group("G", [wait("x", 1)], pre=2)],
        [],
        [
            (0, "start", "G"),
            (2, "action", "G"),
            (2, "start", "x"),
            (2, "action", "x"),
            (3, "end", "x"),
            (3, "end", "G"),
        ],
    ),
    Row(
        "timeline-group-auto-continue-counts-from-group-action",
        [group("G", [wait("x", 5)], pre=1, post=2, cont=AC), wait("N", 0)],
        [],
        [
            (0, "start", "G"),
            (1, "action", "G"),
            (1, "start", "x"),
            (1, "action", "x"),
            (3, "start", "N"),
            (3, "action", "N"),
            (3, "end", "N"),
            (6, "end", "x"),
            (6, "end", "G"),
        ],
    ),
    Row(
        "playlist-children-in-order",
        [group("P", [wait("x", 1), wait("y", 1, pre=0.5)], mode=GroupMode.PLAYLIST, cont=AF), wait("N", 0)],
        [],
        [
            (0, "start", "P"),
            (0, "action", "P"),
            (0, "start", "x"),
            (0, "action", "x"),
            (1, "end", "x"),
            (1, "start", "y"),
            (1.5, "action", "y"),
            (2.5, "end", "y"),
            (2.5, "end", "P"),
            (2.5, "start", "N"),
            (2.5, "action", "N"),
            (2.5, "end", "N"),
        ],
    ),
    Row(
        "looping-playlist-runs-until-a-stop-cue",
        [
            group("P", [wait("x", 1), wait("y", 1)], mode=GroupMode.PLAYLIST, loop=True),
            StopCue(name="S", target="P"),
        ],
        [(3.5, go)],
        [
            (0, "start", "P"),
            (0, "action", "P"),
            (0, "start", "x"),
            (0, "action", "x"),
            (1, "end", "x"),
            (1, "start", "y"),
            (1, "action", "y"),
            (2, "end", "y"),
            (2, "start", "x"),
            (2, "action", "x"),
            (3, "end", "x"),
            (3, "start", "y"),
            (3, "action", "y"),
            (3.5, "start", "S"),
            (3.5, "action", "S"),
            (3.5, "stop", "P"),
            (3.5, "end", "S"),
        ],
    ),
    Row(
        "goto-with-auto-continue-starts-its-target",
        [wait("A", 1, cont=AF), GotoCue(name="G", target="C", continue_mode=AC), wait("B", 1), wait("C", 1)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (1, "start", "G"),
            (1, "action", "G"),
            (1, "end", "G"),
            (1, "start", "C"),
            (1, "action", "C"),
            (2, "end", "C"),
        ],
    ),
    Row(
        "goto-selects-the-next-go",
        [GotoCue(name="G", target="C"), wait("B", 1), wait("C", 1)],
        [(2, go)],
        [
            (0, "start", "G"),
            (0, "action", "G"),
            (0, "end", "G"),
            (2, "start", "C"),
            (2, "action", "C"),
            (3, "end", "C"),
        ],
    ),
    Row(
        "goto-loops-a-cue-list",
        [wait("A", 2, cont=AF), GotoCue(name="G", target="A", continue_mode=AC)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (2, "end", "A"),
            (2, "start", "G"),
            (2, "action", "G"),
            (2, "end", "G"),
            (2, "start", "A"),
            (2, "action", "A"),
            (4, "end", "A"),
            (4, "start", "G"),
            (4, "action", "G"),
            (4, "end", "G"),
            (4, "start", "A"),
            (4, "action", "A"),
        ],
        until=5,
    ),
    Row(
        "stop-all-stops-running-cues-and-pending-continues",
        [wait("A", 10, post=5, cont=AC), wait("B", 1)],
        [(3, lambda e: e.stop())],
        [(0, "start", "A"), (0, "action", "A"), (3, "stop", "A")],
    ),
    Row(
        "go-debounce-ignores-a-double-press",
        [wait("A", 1), wait("B", 1), wait("C", 1)],
        [(5, go), (5.2, go), (5.5, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (5, "start", "B"),
            (5, "action", "B"),
            (5.5, "start", "C"),
            (5.5, "action", "C"),
            (6, "end", "B"),
            (6.5, "end", "C"),
        ],
    ),
    Row(
        "pause-and-resume-shift-every-pending-time",
        [wait("A", 4, pre=1, post=2, cont=AC), wait("B", 1)],
        [(2, lambda e: e.pause()), (5, lambda e: e.resume())],
        [
            (0, "start", "A"),
            (1, "action", "A"),
            (6, "start", "B"),
            (6, "action", "B"),
            (7, "end", "B"),
            (8, "end", "A"),
        ],
    ),
    Row(
        "pause-during-pre-wait",
        [wait("A", 1, pre=2)],
        [(1, lambda e: e.pause()), (4, lambda e: e.resume())],
        [(0, "start", "A"), (5, "action", "A"), (6, "end", "A")],
    ),
    Row(
        "load-to-time-then-go-continues-from-there",
        [wait("W"), fade("A", {DIM: 1.0}, dur=4, pre=1, cont=AF), wait("B", 1)],
        [(1, lambda e: e.load_cue("A", 2.0)), (3, go)],
        [
            (0, "start", "W"),
            (0, "action", "W"),
            (0, "end", "W"),
            (3, "start", "A"),
            (6, "end", "A"),
            (6, "start", "B"),
            (6, "action", "B"),
            (7, "end", "B"),
        ],
        values={(1.0, DIM): 0.25, (2.9, DIM): 0.25, (4.0, DIM): 0.5, (6.0, DIM): 1.0},
    ),
    Row(
        "start-cue-by-name-does-not-move-the-playhead",
        [wait("A", 1), wait("B", 1), wait("C", 1)],
        [(2, lambda e: e.start_cue("C")), (4, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (2, "start", "C"),
            (2, "action", "C"),
            (3, "end", "C"),
            (4, "start", "B"),
            (4, "action", "B"),
            (5, "end", "B"),
        ],
    ),
    Row(
        "stop-cue-without-target-stops-everything-else",
        [wait("A", 10, cont=AC), wait("B", 10, post=1, cont=AC), StopCue(name="S", target=None)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (0, "start", "B"),
            (0, "action", "B"),
            (1, "start", "S"),
            (1, "action", "S"),
            (1, "stop", "A"),
            (1, "stop", "B"),
            (1, "end", "S"),
        ],
    ),
    Row(
        "fade-cue-lands-exactly-on-target",
        [fade("F", {DIM: 1.0}, dur=4)],
        [],
        [(0, "start", "F"), (0, "action", "F"), (4, "end", "F")],
        values={(1.0, DIM): 0.25, (2.0, DIM): 0.5, (4.0, DIM): 1.0, (9.0, DIM): 1.0},
    ),
    Row(
        "s-curve-fade",
        [fade("F", {DIM: 1.0}, dur=4, curve=Curve.S_CURVE)],
        [],
        [],
        values={(1.0, DIM): 0.15625, (2.0, DIM): 0.5, (3.0, DIM): 0.84375, (4.0, DIM): 1.0},
    ),
    Row(
        "exponential-fade-on-a-db-level-is-linear-in-amplitude",
        [fade("F", {"audio.master.level": -90.0}, dur=4, curve=Curve.EXPONENTIAL)],
        [],
        [],
        values={(2.0, "audio.master.level"): -24.0184, (4.0, "audio.master.level"): -90.0},
    ),
    Row(
        "fade-from-wherever-the-previous-fade-was",
        [fade("A", {DIM: 1.0}, dur=4, cont=AC, post=2), fade("B", {DIM: 0.0}, dur=1)],
        [],
        [],
        values={(2.0, DIM): 0.5, (2.5, DIM): 0.25, (3.0, DIM): 0.0, (5.0, DIM): 0.0},
    ),
    Row(
        "stop-with-fade-out-returns-parameters-to-before",
        [
            fade("A", {DIM: 0.2}, cont=AC),
            group("P", [fade("up", {DIM: 1.0, RED: 1.0}, dur=2)], pre=1),
            StopCue(name="S", target="P", fade_out_s=2.0),
        ],
        [(2, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (0, "end", "A"),
            (0, "start", "P"),
            (1, "action", "P"),
            (1, "start", "up"),
            (1, "action", "up"),
            (2, "start", "S"),
            (2, "action", "S"),
            (2, "stop", "P"),
            (4, "end", "S"),
        ],
        values={(2.0, DIM): 0.6, (3.0, DIM): 0.4, (4.0, DIM): 0.2, (3.0, RED): 0.25, (4.0, RED): 0.0},
    ),
    Row(
        "hard-stop-freezes-fades-where-they-are",
        [fade("A", {DIM: 1.0}, dur=4)],
        [(1, lambda e: e.stop_cue("A"))],
        [(0, "start", "A"), (0, "action", "A"), (1, "stop", "A")],
        values={(1.0, DIM): 0.25, (5.0, DIM): 0.25},
    ),
    Row(
        "panic-fades-intensity-in-one-second-then-stops",
        [fade("A", {DIM: 1.0, PAN: 0.7}), wait("B", 10)],
        [(2, lambda e: e.panic())],
        [(0, "start", "A"), (0, "action", "A"), (0, "end", "A")],
        values={(2.5, DIM): 0.5, (3.0, DIM): 0.0, (3.0, PAN): 0.7, (3.0, "audio.master.level"): -90.0},
    ),
    Row(
        "second-panic-within-the-fade-is-immediate",
        [fade("A", {DIM: 1.0})],
        [(2, lambda e: e.panic()), (2.2, lambda e: e.panic())],
        [],
        values={(2.1, DIM): 0.9, (2.2, DIM): 0.0, (2.2, "audio.master.level"): -90.0},
    ),
]


def run_row(row: Row) -> tuple[TimelineRecorder, dict[tuple[float, str], float], Engine]:
    clock = VirtualClock()
    show = make_show([act("one", row.cues), act("two")], params=light_params(DIM, RED, PAN))
    engine = Engine(show, clock)
    recorder = TimelineRecorder()
    engine.subscribe(recorder)
    points = sorted({*(t for t, _ in row.events), *(t for t, _ in row.values), row.until})
    events = sorted(row.events, key=lambda ev: ev[0])
    seen: dict[tuple[float, str], float] = {}
    engine.tick()
    for t in points:
        clock.jump_to(t)
        engine.tick()
        for et, fn in events:
            if et == t:
                fn(engine)
        for (vt, name), _ in row.values.items():
            if vt == t:
                seen[(vt, name)] = engine.params.value(name)
    return recorder, seen, engine


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_cue_semantics(row: Row) -> None:
    recorder, seen, _ = run_row(row)
    if row.timeline or not row.values:
        assert recorder.rows(row.kinds) == [(float(t), k, c) for t, k, c in row.timeline]
    for key, expected in row.values.items():
        assert seen[key] == pytest.approx(expected, abs=1e-4), key


def test_go_debounce_is_configurable() -> None:
    clock = VirtualClock()
    show = make_show([act("one", [wait("A"), wait("B"), wait("C")])])
    engine = Engine(show, clock, go_debounce_s=0.0)
    engine.tick()
    clock.jump_to(1.0)
    assert engine.go() and engine.go()
    assert engine.state().playhead is None


def test_osc_cue_emits_its_message_at_the_action_time() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act(
                "one",
                [
                    OscCue(
                        name="ping",
                        endpoint="media",
                        address="/scene/start",
                        args=(1, 0.5, "x"),
                        pre_wait_s=1.25,
                    )
                ],
            )
        ]
    )
    engine = Engine(show, clock)
    engine.tick()
    engine.drain_commands()
    clock.jump_to(5.0)
    engine.tick()
    assert engine.drain_commands() == [OscSend("media", "/scene/start", (1, 0.5, "x"), 1.25)]


def test_panic_emits_a_panic_command_with_its_fade() -> None:
    _, _, engine = run_row(ROWS[-1])
    panics = [c for c in engine.drain_commands() if isinstance(c, Panic)]
    assert [(p.fade_s, p.t) for p in panics] == [(1.0, 2.0), (0.0, 2.2)]


def test_act_cue_moves_to_the_next_act() -> None:
    recorder, _, engine = run_row(Row("act", [wait("A", 1, cont=AF), ActCue(name="on", target="next")]))
    assert recorder.acts() == [(0.0, "one"), (1.0, "two")]
    assert engine.act == "two"


def test_zero_length_goto_loop_is_stopped_not_hung() -> None:
    clock = VirtualClock()
    show = make_show([act("one", [wait("A", cont=AC), GotoCue(name="G", target="A", continue_mode=AC)])])
    engine = Engine(show, clock)
    recorder = TimelineRecorder()
    engine.subscribe(recorder)
    engine.tick()
    assert any(e.kind == "warning" for e in recorder.events)
    assert engine.sequencer is not None and not engine.sequencer.runs


def test_state_reports_phases_and_countdowns() -> None:
    clock = VirtualClock()
    show = make_show([act("one", [wait("A", 4, pre=1, post=6, cont=AC), wait("B", 1)])])
    engine = Engine(show, clock)
    engine.tick()
    clock.jump_to(0.5)
    a = engine.state().cues[0]
    assert (a.state, a.pre_wait_left_s, a.action_left_s, a.post_wait_left_s) == ("pre-wait", 0.5, 4.0, 6.0)
    clock.jump_to(2.0)
    a = engine.state().cues[0]
    assert (a.state, a.action_left_s, a.post_wait_left_s) == ("running", 3.0, 5.0)
    clock.jump_to(6.0)
    engine.tick()
    a, b = engine.state().cues
    assert (a.state, a.post_wait_left_s, b.state, b.at_playhead) == ("post-wait", 1.0, "idle", True)
    clock.jump_to(7.0)
    engine.tick()
    a, b = engine.state().cues
    assert (a.state, b.state) == ("done", "running")
    assert engine.state().to_dict()["cues"][1]["name"] == "B"
