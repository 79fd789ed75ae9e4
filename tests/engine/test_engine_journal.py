"""Journal round trip: an engine rebuilt from its journal line carries on exactly like the original."""

from __future__ import annotations

import pytest

from installation.engine import journal
from installation.engine.clock import VirtualClock
from installation.engine.commands import OscSend
from installation.engine.show_engine import Engine
from installation.show.model import (
    AfterCondition,
    ContinueMode,
    Curve,
    FadeCue,
    GroupCue,
    GroupMode,
    OscCue,
    Trigger,
    WaitCue,
    frozen_map,
)
from installation.testing import RecordingOutputs, TimelineRecorder, act, light_params, make_show

AC, AF = ContinueMode.AUTO_CONTINUE, ContinueMode.AUTO_FOLLOW
DIM, RED = "light.wash.dimmer", "light.wash.red"


def show_under_test():  # type: ignore[no-untyped-def]
    cues = [
        FadeCue(
            name="rise",
            pre_wait_s=1.0,
            duration_s=4.0,
            post_wait_s=2.0,
            continue_mode=AC,
            targets=frozen_map({DIM: 0.8}),
            curve=Curve.S_CURVE,
        ),
        GroupCue(
            name="pulses",
            mode=GroupMode.PLAYLIST,
            loop=True,
            continue_mode=AC,
            post_wait_s=9.0,
            children=(
                FadeCue(name="on", duration_s=1.5, targets=frozen_map({RED: 1.0})),
                FadeCue(name="off", duration_s=1.5, targets=frozen_map({RED: 0.0})),
                OscCue(name="tick", endpoint="media", address="/tick", args=(1,)),
            ),
        ),
        WaitCue(name="hold", duration_s=30.0),
        OscCue(name="bye", endpoint="media", address="/bye"),
    ]
    return make_show(
        [
            act("a", cues, triggers=[Trigger(condition=AfterCondition(after_s=40.0), target="b")]),
            act("b", [WaitCue(name="w", duration_s=5)]),
        ],
        params=light_params(DIM, RED),
    )


def run(engine: Engine, clock: VirtualClock, t_from: float, t_to: float, out: RecordingOutputs) -> None:
    k = 0
    while t_from + k * 0.25 <= t_to:
        clock.jump_to(t_from + k * 0.25)
        engine.tick()
        out.pump(engine)
        k += 1


@pytest.mark.parametrize("cut_s", [0.5, 2.5, 6.25, 9.0, 17.3, 39.9, 41.0])
def test_resumed_engine_continues_exactly_like_the_original(cut_s: float) -> None:
    show = show_under_test()
    clock_a = VirtualClock()
    original = Engine(show, clock_a)
    rec_a = TimelineRecorder()
    original.subscribe(rec_a)
    out_a = RecordingOutputs(clock_a)
    run(original, clock_a, 0.0, cut_s, out_a)
    clock_a.jump_to(cut_s)
    line = journal.encode(original.journal_state())
    assert "\n" not in line

    offset = 5000.0  # a new process: another clock origin
    clock_b = VirtualClock(start=offset + cut_s)
    resumed = Engine.resume(show, clock_b, journal.decode(line))
    rec_b = TimelineRecorder()
    resumed.subscribe(rec_b)
    out_b = RecordingOutputs(clock_b)
    resumed.tick()
    assert resumed.params.snapshot() == pytest.approx(original.params.snapshot())
    out_b.pump(resumed)
    out_b.commands.clear()  # scene/soundscape set-up on resume
    out_a.commands.clear()
    run(original, clock_a, cut_s + 0.25, 60.0, out_a)
    run(resumed, clock_b, offset + cut_s + 0.25, offset + 60.0, out_b)

    def after(rows: list[tuple[float, str, str]], shift: float) -> list[tuple[float, str, str]]:
        return [(round(t - shift, 6), k, c) for t, k, c in rows if t - shift > cut_s + 1e-6]

    kinds = ("start", "action", "end", "stop", "act", "trigger")
    assert after(rec_b.rows(kinds), offset) == after(rec_a.rows(kinds), 0.0)
    osc_a = [(round(t, 6), c.address) for t, c in out_a.commands if isinstance(c, OscSend)]
    osc_b = [(round(t - offset, 6), c.address) for t, c in out_b.commands if isinstance(c, OscSend)]
    assert osc_b == osc_a
    for name in (DIM, RED):
        va = [(round(t, 6), round(v, 9)) for t, v in out_a.values(name) if t > cut_s]
        vb = [(round(t - offset, 6), round(v, 9)) for t, v in out_b.values(name) if t - offset > cut_s + 1e-6]
        assert vb == va, name
    assert resumed.act == original.act


def test_journal_keeps_pause_playhead_and_open_state() -> None:
    show = show_under_test()
    clock = VirtualClock()
    engine = Engine(show, clock)
    engine.tick()
    clock.jump_to(3.0)
    engine.pause()
    state = journal.decode(journal.encode(engine.journal_state()))
    assert state["paused"] is True and state["act"] == "a" and state["time_in_act_s"] == 3.0
    resumed = Engine.resume(show, VirtualClock(100.0), state)
    assert resumed.state().paused is True
    assert resumed.state().playhead == engine.state().playhead
    assert resumed.params.value(DIM) == engine.params.value(DIM)


def test_last_state_skips_a_torn_line_and_other_shows() -> None:
    show = show_under_test()
    engine = Engine(show, VirtualClock())
    good = journal.encode(engine.journal_state())
    other = good.replace('"show":"test show"', '"show":"another"')
    lines = [good, other, good[: len(good) // 2]]
    assert journal.last_state(lines, show_name="test show") == journal.decode(good)
    assert journal.last_state(["", "not json"]) is None
    with pytest.raises(journal.JournalError):
        journal.decode('{"journal": 99}')


def test_resume_from_a_journal_naming_a_removed_act_starts_at_the_start_act() -> None:
    show = show_under_test()
    state = Engine(show, VirtualClock()).journal_state()
    state["act"] = "gone"
    resumed = Engine.resume(show, VirtualClock(), state)
    resumed.tick()
    assert resumed.act == "a"
