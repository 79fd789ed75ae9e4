"""Acts and their ways out: presence hold/hysteresis, time in act, time of day, GO, commands, idle, hours."""

from __future__ import annotations

import math

import pytest

from installation.engine.clock import VirtualClock
from installation.engine.commands import Blackout, SceneChange, SoundscapeChange
from installation.engine.params import ParamSpec
from installation.engine.presence import Presence, ZoneState
from installation.engine.show_engine import Engine, EngineError
from installation.offline.audience import parse_audience
from installation.show.model import (
    AfterCondition,
    AtCondition,
    CommandCondition,
    Condition,
    ContinueMode,
    FadeCue,
    Fallback,
    GoCondition,
    Mapping,
    PresenceCondition,
    Transition,
    Trigger,
    WaitCue,
    frozen_map,
)
from installation.testing import TimelineRecorder, act, light_params, make_show

DIM = "light.wash.dimmer"
ZONES = {
    "door": [(0.0, 0.0), (0.25, 0.0), (0.25, 1.0), (0.0, 1.0)],
    "screen": [(0.3, 0.7), (0.7, 0.7), (0.7, 1.0), (0.3, 1.0)],
}


def presence_cond(
    source: str, op: str, threshold: float, hold_s: float = 0.0, hysteresis: float = 0.0
) -> Condition:
    return PresenceCondition(
        source=source,
        op=op,
        threshold=threshold,
        hold_s=hold_s,  # type: ignore[arg-type]
        hysteresis=hysteresis,
    )


def two_acts(condition: Condition, **show_kw: object) -> tuple[Engine, VirtualClock, TimelineRecorder]:
    clock = VirtualClock()
    show = make_show(
        [
            act("attract", triggers=[Trigger(condition=condition, target="next")]),
            act("streets", [WaitCue(name="w", duration_s=100)]),
        ],
        params=light_params(DIM),
        zones=ZONES,
        **show_kw,
    )  # type: ignore[arg-type]
    engine = Engine(show, clock)
    recorder = TimelineRecorder()
    engine.subscribe(recorder)
    engine.tick()
    return engine, clock, recorder


def feed(engine: Engine, clock: VirtualClock, samples: list[tuple[float, Presence]]) -> None:
    for t, p in samples:
        clock.jump_to(t)
        engine.presence(p)


def people(t: float, n: int, **kw: object) -> Presence:
    return Presence(t=t, count=n, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ presence holds


def test_presence_condition_fires_exactly_after_its_hold() -> None:
    engine, clock, rec = two_acts(presence_cond("count", ">=", 1, hold_s=2.0))
    feed(engine, clock, [(t / 10, people(t / 10, 1)) for t in range(30, 41)])  # 3.0 .. 4.0 s
    clock.jump_to(10.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract"), (5.0, "streets")]


def test_a_visitor_passing_briefly_does_not_flip_the_act() -> None:
    engine, clock, rec = two_acts(presence_cond("count", ">=", 1, hold_s=2.0))
    feed(
        engine,
        clock,
        [
            (3.0, people(3.0, 1)),
            (4.0, people(4.0, 1)),
            (4.5, people(4.5, 0)),
            (5.5, people(5.5, 1)),
            (7.0, people(7.0, 0)),
        ],
    )
    clock.jump_to(60.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract")]


def test_visitor_walking_through_the_door_zone_does_not_trigger_door_occupied() -> None:
    # a scripted visitor crosses the door zone in about a second on the way to the screen
    script = parse_audience(
        """
events:
  - {at: 10s, enter: [a], zone: [0.2, 0.5]}
  - {at: 10s, move: [a], to: screen, over: 3s}
  - {at: 60s, leave: all}
""",
        "pass.yaml",
    )
    engine, clock, rec = two_acts(presence_cond("zone.door.count", ">=", 1, hold_s=3.0))
    zones = engine.show.presence.zones
    for k in range(0, 700):
        clock.jump_to(k / 10)
        engine.presence(script.presence_at(k / 10, zones))
    assert rec.acts() == [(0.0, "attract")]
    assert script.presence_at(10.0, zones).zones["door"].count == 1
    assert script.presence_at(20.0, zones).zones["screen"].count == 1


def test_hysteresis_keeps_a_jittery_value_armed() -> None:
    jitter = [0.65, 0.58, 0.66, 0.57, 0.64, 0.59, 0.63, 0.58, 0.65, 0.3]
    samples = [(1.0 + i * 0.5, people(1.0 + i * 0.5, 1, zones={})) for i in range(len(jitter))]

    def run(hysteresis: float) -> list[tuple[float, str]]:
        engine, clock, rec = two_acts(presence_cond("motion", ">", 0.6, hold_s=2.0, hysteresis=hysteresis))
        for (t, _), v in zip(samples, jitter, strict=True):
            clock.jump_to(t)
            engine.presence(Presence(t=t, count=1, motion=v))
        clock.jump_to(30.0)
        engine.tick()
        return rec.acts()

    assert run(0.0) == [(0.0, "attract")]  # the hold restarts at every dip below 0.6
    assert run(0.1) == [(0.0, "attract"), (3.0, "streets")]  # armed at 1.0, dips stay above 0.5


def test_hysteresis_releases_when_the_value_passes_the_margin() -> None:
    engine, clock, rec = two_acts(presence_cond("count", ">=", 3, hold_s=5.0, hysteresis=1.0))
    feed(
        engine,
        clock,
        [(1.0, people(1.0, 3)), (2.0, people(2.0, 2)), (3.0, people(3.0, 1)), (4.0, people(4.0, 3))],
    )
    clock.jump_to(8.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract")]  # released at 3.0 (1 < 3 - 1); re-armed at 4.0
    clock.jump_to(9.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract"), (9.0, "streets")]


def test_zone_empty_condition_with_hold() -> None:
    engine, clock, rec = two_acts(presence_cond("zone.door.count", "==", 0, hold_s=30.0))
    occupied = {"door": ZoneState(count=1, dwell_s=1.0)}
    feed(
        engine,
        clock,
        [
            (0.0, people(0.0, 1, zones=occupied)),
            (10.0, people(10.0, 0)),
            (20.0, people(20.0, 1, zones=occupied)),
            (21.0, people(21.0, 0)),
        ],
    )
    clock.jump_to(50.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract")]
    clock.jump_to(51.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract"), (51.0, "streets")]


# -------------------------------------------------------------------------------- time, GO, commands


def test_after_fires_exactly_at_time_in_act() -> None:
    engine, clock, rec = two_acts(AfterCondition(after_s=600.0))
    for t in (100.0, 599.9, 1000.0):
        clock.jump_to(t)
        engine.tick()
    assert rec.acts() == [(0.0, "attract"), (600.0, "streets")]


def test_pause_holds_time_in_act() -> None:
    engine, clock, rec = two_acts(AfterCondition(after_s=60.0))
    clock.jump_to(30.0)
    engine.pause()
    clock.jump_to(100.0)
    engine.tick()
    assert engine.time_in_act() == 30.0
    engine.resume()
    clock.jump_to(200.0)
    engine.tick()
    assert rec.acts() == [(0.0, "attract"), (130.0, "streets")]


def test_at_time_of_day_fires_when_the_wall_clock_passes_it() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act(
                "attract",
                triggers=[Trigger(condition=AtCondition(time_of_day_s=17 * 3600 + 55 * 60), target="next")],
            ),
            act("streets"),
        ]
    )
    engine = Engine(show, clock, time_of_day=lambda: 17 * 3600 + 50 * 60 + clock.now())
    rec = TimelineRecorder()
    engine.subscribe(rec)
    for t in (0.0, 299.0, 300.0, 400.0):
        clock.jump_to(t)
        engine.tick()
    assert rec.acts() == [(0.0, "attract"), (300.0, "streets")]


def test_at_time_of_day_wraps_past_midnight() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act("night", triggers=[Trigger(condition=AtCondition(time_of_day_s=60.0), target="next")]),
            act("morning"),
        ]
    )
    engine = Engine(show, clock, time_of_day=lambda: (86400 - 30 + clock.now()) % 86400)
    rec = TimelineRecorder()
    engine.subscribe(rec)
    for t in (0.0, 50.0, 95.0):
        clock.jump_to(t)
        engine.tick()
    assert rec.acts() == [(0.0, "night"), (95.0, "morning")]


def test_go_on_a_finished_cue_list_fires_the_on_go_trigger() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act(
                "a",
                [WaitCue(name="one", duration_s=1), WaitCue(name="two", duration_s=1)],
                triggers=[Trigger(condition=GoCondition(), target="next")],
            ),
            act("b"),
        ]
    )
    engine = Engine(show, clock)
    rec = TimelineRecorder()
    engine.subscribe(rec)
    engine.tick()
    clock.jump_to(5.0)
    engine.go()  # starts "two"
    clock.jump_to(10.0)
    engine.go()  # list finished: on go → next
    assert rec.acts() == [(0.0, "a"), (10.0, "b")]


def test_command_trigger() -> None:
    engine, clock, rec = two_acts(CommandCondition(command="/show/skip", channel="osc"))
    clock.jump_to(3.0)
    assert engine.command("/show/other") is False
    assert engine.command("/show/skip") is True
    assert rec.acts() == [(0.0, "attract"), (3.0, "streets")]


def test_first_trigger_to_fire_wins_and_the_rest_are_disarmed() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act(
                "a",
                triggers=[
                    Trigger(condition=AfterCondition(after_s=10.0), target="c"),
                    Trigger(condition=AfterCondition(after_s=20.0), target="b"),
                ],
            ),
            act("b"),
            act("c"),
        ]
    )
    engine = Engine(show, clock)
    rec = TimelineRecorder()
    engine.subscribe(rec)
    engine.tick()
    clock.jump_to(100.0)
    engine.tick()
    assert rec.acts() == [(0.0, "a"), (10.0, "c")]


# ---------------------------------------------------------------------------------- idle and fallback


def idle_show(fallback: Fallback = Fallback.KEEP) -> tuple[Engine, VirtualClock, TimelineRecorder]:
    clock = VirtualClock()
    show = make_show(
        [act("attract"), act("streets")],
        start="streets",
        when_empty_for_s=60.0,
        fallback=fallback,
        params=light_params(DIM),
    )
    engine = Engine(show, clock)
    rec = TimelineRecorder()
    engine.subscribe(rec)
    engine.tick()
    return engine, clock, rec


def test_empty_room_returns_to_the_idle_act() -> None:
    engine, clock, rec = idle_show()
    feed(
        engine,
        clock,
        [(0.0, people(0.0, 2)), (10.0, people(10.0, 0)), (69.0, people(69.0, 1)), (70.0, people(70.0, 0))],
    )
    clock.jump_to(129.9)
    engine.tick()
    assert engine.act == "streets"
    clock.jump_to(200.0)
    engine.tick()
    assert rec.acts() == [(0.0, "streets"), (130.0, "attract")]


def test_presence_unknown_with_fallback_keep_stays_and_freezes_holds() -> None:
    engine, clock, rec = idle_show(Fallback.KEEP)
    feed(engine, clock, [(0.0, people(0.0, 0)), (30.0, Presence.unknown(30.0))])
    clock.jump_to(500.0)
    engine.tick()
    assert rec.acts() == [(0.0, "streets")]
    assert [e.detail for e in rec.events if e.kind == "presence"] == ["unknown"]
    feed(engine, clock, [(500.0, people(500.0, 0))])  # known again: the empty hold starts over
    clock.jump_to(560.0)
    engine.tick()
    assert rec.acts() == [(0.0, "streets"), (560.0, "attract")]


def test_presence_unknown_with_fallback_idle_goes_idle_at_once() -> None:
    engine, clock, rec = idle_show(Fallback.IDLE)
    feed(engine, clock, [(5.0, people(5.0, 3)), (7.5, Presence.unknown(7.5))])
    assert rec.acts() == [(0.0, "streets"), (7.5, "attract")]


# ------------------------------------------------------------------------------------- act changes


def test_act_entry_sends_scene_and_soundscape_and_resets_scene_and_audio_params() -> None:
    clock = VirtualClock()
    a_params = {
        "scene.hue": ParamSpec("scene.hue", default=0.1),
        "audio.wind.level": ParamSpec("audio.wind.level", -90.0, 0.0, -30.0, "dB"),
    }
    b_params = {"scene.hue": ParamSpec("scene.hue", default=0.9), "scene.glow": ParamSpec("scene.glow")}
    show = make_show(
        [
            act(
                "a",
                [FadeCue(name="f", duration_s=10, targets=frozen_map({DIM: 1.0, "scene.hue": 0.5}))],
                params=a_params,
                level_db=-12.0,
                triggers=[Trigger(condition=AfterCondition(after_s=5), target="b")],
            ),
            act(
                "b",
                params=b_params,
                scene_inputs={"scene.glow": 0.4},
                level_db=-6.0,
                transition=Transition(time_s=4.0),
            ),
        ],
        params=light_params(DIM),
    )
    engine = Engine(show, clock)
    engine.tick()
    assert engine.params.value("audio.master.level") == -12.0
    assert engine.params.value("audio.wind.level") == -30.0
    engine.drain_commands()
    clock.jump_to(5.0)
    engine.tick()
    assert engine.drain_commands() == [
        SceneChange("b", None, 4.0, None, 5.0),
        SoundscapeChange("b", 4.0, 5.0),
    ]
    assert engine.params.value("scene.hue") == 0.9  # reset to the new act's value
    assert engine.params.value("scene.glow") == 0.4
    assert engine.params.value("audio.master.level") == -6.0
    assert "audio.wind.level" not in engine.params  # the old act's layer is gone
    assert engine.params.value(DIM) == 0.5  # light persists ...
    clock.jump_to(10.0)
    engine.tick()
    assert engine.params.value(DIM) == 1.0  # ... and its fade lands even though the act changed


def test_mapping_follows_presence_with_exact_one_pole_smoothing() -> None:
    clock = VirtualClock()
    mapping = Mapping(
        source="nearest", param="scene.glow", in_range=(0.0, 1.0), out_range=(0.2, 1.0), smoothing_s=2.0
    )
    show = make_show([act("a", mappings=[mapping], params={"scene.glow": ParamSpec("scene.glow")})])
    engine = Engine(show, clock)
    engine.tick()
    from installation.engine.presence import Person

    engine.presence(Presence(t=0.0, count=1, people=(Person(id=1, x=0.5, y=1.0),)))
    expected = 1.0 + (0.0 - 1.0) * math.exp(-2.0 / 2.0)
    clock.jump_to(0.7)
    engine.tick()  # uneven steps: the result is the same
    clock.jump_to(2.0)
    engine.tick()
    assert engine.params.value("scene.glow") == pytest.approx(expected, rel=1e-12)


def test_operator_errors_name_what_exists() -> None:
    engine, _, _ = two_acts(AfterCondition(after_s=10))
    with pytest.raises(EngineError, match="acts: attract, streets"):
        engine.goto_act("nowhere")
    with pytest.raises(EngineError, match="no cue 'x'"):
        engine.start_cue("x")
    with pytest.raises(EngineError, match="not in the current act"):
        engine.start_cue("streets/w")
    with pytest.raises(EngineError, match="no parameter"):
        engine.set_param("light.nope.dimmer", 1.0)
    engine.goto_act("next")
    assert engine.act == "streets"


def test_set_param_fades_from_now() -> None:
    engine, clock, _ = two_acts(AfterCondition(after_s=100))
    clock.jump_to(1.0)
    engine.set_param(DIM, 1.0, fade_s=2.0)
    clock.jump_to(2.0)
    engine.tick()
    assert engine.params.value(DIM) == 0.5


# -------------------------------------------------------------------------------------------- hours


def test_closing_fades_to_dark_then_blackout_and_opening_enters_idle() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act("attract"),
            act(
                "streets",
                [FadeCue(name="up", targets=frozen_map({DIM: 1.0}))],
                triggers=[Trigger(condition=presence_cond("count", ">=", 1), target="attract")],
            ),
        ],
        start="streets",
        params=light_params(DIM),
    )
    engine = Engine(show, clock, close_fade_s=10.0)
    rec = TimelineRecorder()
    engine.subscribe(rec)
    engine.tick()
    engine.drain_commands()
    clock.jump_to(5.0)
    engine.set_open(False)
    clock.jump_to(10.0)
    engine.presence(people(10.0, 4))  # closed: triggers do not fire
    assert engine.params.value(DIM) == 0.5
    assert engine.params.value("audio.master.level") == pytest.approx(-18 - 0.5 * 72)
    clock.jump_to(15.0)
    engine.tick()
    assert engine.drain_commands() == [Blackout(True, 15.0)]
    assert engine.params.value(DIM) == 0.0
    clock.jump_to(100.0)
    engine.set_open(True)
    assert engine.drain_commands()[0] == Blackout(False, 100.0)
    assert [(e.t, e.kind) for e in rec.events if e.kind in ("closing", "closed", "open", "act")] == [
        (0.0, "act"),
        (5.0, "closing"),
        (15.0, "closed"),
        (100.0, "open"),
        (100.0, "act"),
    ]
    assert engine.act == "attract"


def test_engine_created_closed_is_dark_at_once() -> None:
    clock = VirtualClock()
    show = make_show(
        [act("attract", [FadeCue(name="up", targets=frozen_map({DIM: 1.0}))])], params=light_params(DIM)
    )
    engine = Engine(show, clock, is_open=False)
    assert engine.drain_commands() == [Blackout(True, 0.0)]
    assert engine.params.value(DIM) == 0.0
    assert engine.state().open is False


def test_fade_started_by_a_cue_with_continue_mode_survives_pause() -> None:
    clock = VirtualClock()
    show = make_show(
        [
            act(
                "a",
                [
                    FadeCue(
                        name="f",
                        duration_s=4,
                        targets=frozen_map({DIM: 1.0}),
                        continue_mode=ContinueMode.AUTO_FOLLOW,
                    ),
                    WaitCue(name="w"),
                ],
            )
        ],
        params=light_params(DIM),
    )
    engine = Engine(show, clock)
    engine.tick()
    clock.jump_to(1.0)
    engine.pause()
    clock.jump_to(11.0)
    engine.tick()
    assert engine.params.value(DIM) == 0.25
    engine.resume()
    clock.jump_to(12.0)
    engine.tick()
    assert engine.params.value(DIM) == 0.5
