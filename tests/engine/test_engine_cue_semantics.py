"""QLab cue semantics, table-driven in virtual time: each row is a cue list, events and the exact timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from installation.engine.clock import VirtualClock
from installation.engine.commands import OscSend, Panic
from installation.engine.show_engine import Engine, EngineError
from installation.show.model import (
    ActCue,
    ArmCue,
    ContinueMode,
    Cue,
    Curve,
    DevampCue,
    DisarmCue,
    FadeCue,
    GotoCue,
    GroupCue,
    GroupMode,
    LoadCue,
    MemoCue,
    OnEnter,
    OperatorSettings,
    OscCue,
    PauseCue,
    ResetCue,
    StartCue,
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
    armed: bool = True,
) -> WaitCue:
    return WaitCue(
        name=name, pre_wait_s=pre, duration_s=dur, post_wait_s=post, continue_mode=cont, armed=armed
    )


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
    on_enter: OnEnter = OnEnter.GO
    operator: OperatorSettings = field(default_factory=OperatorSettings)


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
    show = make_show(
        [act("one", row.cues, on_enter=row.on_enter), act("two")],
        params=light_params(DIM, RED, PAN),
        operator=row.operator,
    )
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


# ------------------------------------------------------------------------------ QLab's cue vocabulary

CONTROL = ("start", "action", "end", "stop", "pause", "resume", "load", "reset", "skip", "arm", "disarm")


def go_number(number: str) -> Callable[[Engine], object]:
    return lambda e: e.go(number)


VOCABULARY = [
    Row(
        "start-cue-starts-another-cue-without-moving-the-playhead",
        [StartCue(name="S", target="C"), wait("B", 1), wait("C", 1)],
        [(3, go)],
        [
            (0, "start", "S"),
            (0, "action", "S"),
            (0, "start", "C"),
            (0, "action", "C"),
            (0, "end", "S"),
            (1, "end", "C"),
            (3, "start", "B"),
            (3, "action", "B"),
            (4, "end", "B"),
        ],
    ),
    Row(
        "start-cue-leaves-a-running-cue-alone",
        [wait("A", 5, post=1, cont=AC), StartCue(name="S", target="A")],
        [],
        [(0, "start", "A"), (0, "action", "A"), (1, "start", "S"), (1, "action", "S"), (1, "end", "S"),
         (5, "end", "A")],
    ),
    Row(
        "pause-cue-holds-a-cue-and-a-start-cue-resumes-it",
        [
            fade("A", {DIM: 1.0}, dur=4, post=1, cont=AC),
            PauseCue(name="P", target="A"),
            StartCue(name="R", target="A"),
        ],
        [(3, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "start", "P"),
            (1, "action", "P"),
            (1, "pause", "A"),
            (1, "end", "P"),
            (3, "start", "R"),
            (3, "action", "R"),
            (3, "resume", "A"),
            (3, "end", "R"),
            (6, "end", "A"),
        ],
        values={(1.0, DIM): 0.25, (2.9, DIM): 0.25, (4.0, DIM): 0.5, (6.0, DIM): 1.0},
        kinds=CONTROL,
    ),
    Row(
        "pause-cue-freezes-the-pre-wait-too-and-operator-resume-continues",
        [group("G", [wait("A", 1, pre=2), PauseCue(name="P", target="A", pre_wait_s=1)])],
        [(4, lambda e: e.resume())],
        [
            (0, "start", "G"),
            (0, "action", "G"),
            (0, "start", "A"),
            (0, "start", "P"),
            (1, "action", "P"),
            (1, "pause", "A"),
            (1, "end", "P"),
            (4, "resume", "A"),
            (5, "action", "A"),
            (6, "end", "A"),
            (6, "end", "G"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "load-cue-loads-to-a-time-and-the-next-go-continues-from-there",
        [LoadCue(name="L", target="A", at_s=2.0), fade("A", {DIM: 1.0}, dur=4, pre=1, cont=AF), wait("B", 1)],
        [(3, go)],
        [
            (0, "start", "L"),
            (0, "action", "L"),
            (0, "load", "A"),
            (0, "end", "L"),
            (3, "start", "A"),
            (6, "end", "A"),
            (6, "start", "B"),
            (6, "action", "B"),
            (7, "end", "B"),
        ],
        values={(0.0, DIM): 0.25, (2.9, DIM): 0.25, (4.0, DIM): 0.5, (6.0, DIM): 1.0},
        kinds=CONTROL,
    ),
    Row(
        "load-cue-leaves-the-playhead-and-a-start-cue-runs-the-loaded-cue",
        [
            LoadCue(name="L", target="C", at_s=0.5, continue_mode=AC, post_wait_s=1),
            StartCue(name="S", target="C"),
            wait("C", 2),
        ],
        [],
        [
            (0, "start", "L"),
            (0, "action", "L"),
            (0, "load", "C"),
            (0, "end", "L"),
            (1, "start", "S"),
            (1, "action", "S"),
            (1, "start", "C"),
            (1, "end", "S"),
            (2.5, "end", "C"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "reset-cue-stops-its-target-and-arms-it-as-written",
        [
            wait("A", 10, post=1, cont=AC),
            DisarmCue(name="D", target="A", post_wait_s=1, continue_mode=AC),
            ResetCue(name="R", target="A", post_wait_s=1, continue_mode=AC),
            GotoCue(name="G", target="A", continue_mode=AC),
        ],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "start", "D"),
            (1, "action", "D"),
            (1, "disarm", "A"),
            (1, "end", "D"),
            (2, "start", "R"),
            (2, "action", "R"),
            (2, "stop", "A"),
            (2, "reset", "A"),
            (2, "end", "R"),
            (3, "start", "G"),
            (3, "action", "G"),
            (3, "end", "G"),
            (3, "start", "A"),
            (3, "action", "A"),
        ],
        until=3.5,
        kinds=CONTROL,
    ),
    Row(
        "reset-all-stops-everything-and-puts-the-playhead-back-on-top",
        [wait("A", 1), wait("B", 5), ResetCue(name="R", target=None)],
        [(2, go), (3, go), (4, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (2, "start", "B"),
            (2, "action", "B"),
            (3, "start", "R"),
            (3, "action", "R"),
            (3, "stop", "B"),
            (3, "reset", "all"),
            (3, "end", "R"),
            (4, "start", "A"),
            (4, "action", "A"),
            (5, "end", "A"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "devamp-ends-a-loop-after-its-current-pass-then-continues-after-it",
        [
            group("P", [wait("x", 1), wait("y", 1)], mode=GroupMode.PLAYLIST, loop=True),
            DevampCue(name="V", target="P", continue_mode=AF),
            wait("N", 1),
        ],
        [(2.5, go)],
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
            (2.5, "start", "V"),
            (2.5, "action", "V"),
            (3, "end", "x"),
            (3, "start", "y"),
            (3, "action", "y"),
            (4, "end", "y"),
            (4, "end", "P"),
            (4, "end", "V"),
            (4, "start", "N"),
            (4, "action", "N"),
            (5, "end", "N"),
        ],
    ),
    Row(
        "devamp-of-a-loop-that-is-not-running-ends-at-once",
        [
            group("P", [wait("x", 1)], mode=GroupMode.PLAYLIST, loop=True, cont=AF),
            DevampCue(name="V", target="P", continue_mode=AF),
            wait("N", 1),
        ],
        [(0.5, lambda e: e.stop()), (2, go)],
        [
            (0, "start", "P"),
            (0, "action", "P"),
            (0, "start", "x"),
            (0, "action", "x"),
            (0.5, "stop", "P"),
            (2, "start", "V"),
            (2, "action", "V"),
            (2, "end", "V"),
            (2, "start", "N"),
            (2, "action", "N"),
            (3, "end", "N"),
        ],
    ),
    Row(
        "go-skips-a-disarmed-cue",
        [wait("A", 1), wait("B", 1, armed=False), wait("C", 1)],
        [(2, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (2, "skip", "B"),
            (2, "start", "C"),
            (2, "action", "C"),
            (3, "end", "C"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "auto-follow-skips-a-disarmed-cue",
        [wait("A", 1, cont=AF), wait("B", 1, armed=False), wait("C", 1)],
        [],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (1, "skip", "B"),
            (1, "start", "C"),
            (1, "action", "C"),
            (2, "end", "C"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "disarm-and-arm-cues-change-what-go-runs",
        [
            DisarmCue(name="D", target="B", continue_mode=AC),
            wait("A", 1, cont=AF),
            wait("B", 1),
            ArmCue(name="R", target="B", continue_mode=AC),
            GotoCue(name="G", target="B"),
        ],
        [(3, go)],
        [
            (0, "start", "D"),
            (0, "action", "D"),
            (0, "disarm", "B"),
            (0, "end", "D"),
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (1, "skip", "B"),
            (1, "start", "R"),
            (1, "action", "R"),
            (1, "arm", "B"),
            (1, "end", "R"),
            (1, "start", "G"),
            (1, "action", "G"),
            (1, "end", "G"),
            (3, "start", "B"),
            (3, "action", "B"),
            (4, "end", "B"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "disarmed-children-are-skipped-in-a-playlist",
        [group("P", [wait("x", 1), wait("y", 1, armed=False), wait("z", 1)], mode=GroupMode.PLAYLIST)],
        [],
        [
            (0, "start", "P"),
            (0, "action", "P"),
            (0, "start", "x"),
            (0, "action", "x"),
            (1, "end", "x"),
            (1, "skip", "y"),
            (1, "start", "z"),
            (1, "action", "z"),
            (2, "end", "z"),
            (2, "end", "P"),
        ],
        kinds=CONTROL,
    ),
    Row(
        "a-start-cue-skips-a-disarmed-cue",
        [StartCue(name="S", target="C"), wait("C", 1, armed=False)],
        [],
        [(0, "start", "S"), (0, "action", "S"), (0, "skip", "C"), (0, "end", "S")],
        kinds=CONTROL,
    ),
    Row(
        "memo-cue-does-nothing-but-keeps-its-place",
        [MemoCue(name="M", text="the doors open here", post_wait_s=1, continue_mode=AC), wait("A", 1)],
        [],
        [
            (0, "start", "M"),
            (0, "action", "M"),
            (0, "end", "M"),
            (1, "start", "A"),
            (1, "action", "A"),
            (2, "end", "A"),
        ],
    ),
    Row(
        "act-that-waits-for-go-on-entry",
        [wait("A", 1), wait("B", 1)],
        [(2, go)],
        [(2, "start", "A"), (2, "action", "A"), (3, "end", "A")],
        on_enter=OnEnter.WAIT,
    ),
    Row(
        "operator-stop-returns-what-running-cues-changed-to-before",
        [fade("A", {DIM: 0.2}, cont=AC), fade("B", {DIM: 1.0, RED: 1.0}, dur=4)],
        [(2, lambda e: e.stop())],
        [(0, "start", "A"), (0, "action", "A"), (0, "end", "A"), (0, "start", "B"), (0, "action", "B"),
         (2, "stop", "B")],
        values={(1.0, DIM): 0.4, (2.0, DIM): 0.2, (2.0, RED): 0.0, (5.0, DIM): 0.2},
    ),
    Row(
        "operator-stop-fades-back-over-the-show-stop-fade",
        [fade("B", {DIM: 1.0}, dur=4)],
        [(2, lambda e: e.stop())],
        [(0, "start", "B"), (0, "action", "B"), (2, "stop", "B")],
        values={(2.0, DIM): 0.5, (3.0, DIM): 0.25, (4.0, DIM): 0.0},
        operator=OperatorSettings(stop_fade_s=2.0),
    ),
    Row(
        "operator-stop-keeps-a-look-that-has-landed",
        [fade("A", {DIM: 0.7}, dur=1, post=2, cont=AC), wait("B", 5)],
        [(2.5, lambda e: e.stop())],
        [(0, "start", "A"), (0, "action", "A"), (1, "end", "A"), (2, "start", "B"), (2, "action", "B"),
         (2.5, "stop", "B")],
        values={(2.5, DIM): 0.7, (9.0, DIM): 0.7},
    ),
    Row(
        "go-debounce-from-the-show",
        [wait("A", 1), wait("B", 1), wait("C", 1)],
        [(5, go), (5.8, go), (6.1, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (5, "start", "B"),
            (5, "action", "B"),
            (6, "end", "B"),
            (6.1, "start", "C"),
            (6.1, "action", "C"),
            (7.1, "end", "C"),
        ],
        operator=OperatorSettings(go_debounce_s=1.0),
    ),
    Row(
        "panic-fade-from-the-show",
        [fade("A", {DIM: 1.0})],
        [(2, lambda e: e.panic())],
        [],
        values={(3.0, DIM): 0.5, (4.0, DIM): 0.0, (4.0, "audio.master.level"): -90.0},
        operator=OperatorSettings(panic_fade_s=2.0),
    ),
    Row(
        "go-by-cue-number-moves-the-playhead-there",
        [
            wait("A", 1),
            WaitCue(name="B", number="2", duration_s=1),
            WaitCue(name="C", number="2.5", duration_s=1),
        ],
        [(2, go_number("2.5")), (4, go)],
        [
            (0, "start", "A"),
            (0, "action", "A"),
            (1, "end", "A"),
            (2, "start", "C"),
            (2, "action", "C"),
            (3, "end", "C"),
        ],
    ),
]


VOCABULARY.append(
    Row(
        "load-cue-does-not-hide-other-cues-acting-at-the-same-instant",
        [
            group(
                "G",
                [LoadCue(name="L", target="C", at_s=0.5, pre_wait_s=1), wait("x", 1, pre=1)],
            ),
            wait("C", 2),
        ],
        [],
        [
            (0, "start", "G"),
            (0, "action", "G"),
            (0, "start", "L"),
            (0, "start", "x"),
            (1, "action", "L"),
            (1, "load", "C"),
            (1, "action", "x"),
            (1, "end", "L"),
            (2, "end", "x"),
            (2, "end", "G"),
        ],
        kinds=CONTROL,
    )
)


@pytest.mark.parametrize("row", VOCABULARY, ids=[r.id for r in VOCABULARY])
def test_cue_vocabulary(row: Row) -> None:
    recorder, seen, _ = run_row(row)
    if row.timeline or not row.values:
        assert recorder.rows(row.kinds) == [(float(t), k, c) for t, k, c in row.timeline]
    for key, expected in row.values.items():
        assert seen[key] == pytest.approx(expected, abs=1e-4), key


def test_cues_are_found_by_number_in_the_current_act() -> None:
    clock = VirtualClock()
    cues = [
        WaitCue(name="A", number="1", duration_s=1),
        group("G", [WaitCue(name="x", number="1.10", duration_s=1)]),
    ]
    engine = Engine(make_show([act("one", cues, on_enter=OnEnter.WAIT)]), clock)
    engine.tick()
    assert engine.cue_by_number("1.10").name == "x" and engine.cue_by_number(" 1 ").name == "A"
    with pytest.raises(EngineError, match=r"no cue number 7 in act 'one' \(numbers: 1, 1.10\)"):
        engine.cue_by_number("7")
    with pytest.raises(EngineError, match="inside a group"):
        engine.go("1.10")
    status = {c.name: c for c in engine.state().cues}
    assert (status["x"].number, status["A"].to_dict()["number"], status["A"].armed) == ("1.10", "1", True)


def test_operator_controls_for_the_new_cue_actions() -> None:
    clock = VirtualClock()
    loop = group("P", [wait("x", 1)], mode=GroupMode.PLAYLIST, loop=True)
    engine = Engine(make_show([act("one", [loop, wait("B", 5, armed=False)])]), clock)
    recorder = TimelineRecorder()
    engine.subscribe(recorder)
    engine.tick()
    with pytest.raises(EngineError, match="'B' is disarmed"):
        engine.start_cue("B")
    with pytest.raises(EngineError, match="not a looping playlist"):
        engine.devamp_cue("B")
    engine.arm_cue("B")
    assert {c.name: c.armed for c in engine.state().cues}["B"]
    clock.jump_to(0.5)
    engine.pause_cue("P")
    clock.jump_to(1.0)
    engine.start_cue("P")  # resumes it: x ends at 1.5
    engine.devamp_cue("P")
    clock.jump_to(2.0)
    engine.tick()
    engine.reset_cue("all")
    assert not {c.name: c.armed for c in engine.state().cues}["B"]
    assert recorder.rows(CONTROL) == [
        (0.0, "start", "P"),
        (0.0, "action", "P"),
        (0.0, "start", "x"),
        (0.0, "action", "x"),
        (0.0, "arm", "B"),
        (0.5, "pause", "P"),
        (1.0, "resume", "P"),
        (1.5, "end", "x"),
        (1.5, "end", "P"),
        (2.0, "reset", "all"),
    ]
