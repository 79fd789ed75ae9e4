"""The fake show behaves like a tiny QLab cue list, so panel and OSC tests can rely on it."""

from __future__ import annotations

from installation.control.fake import EMPTY_RETURN_S, FakeController
from installation.control.protocol import Controller


def cue(fake: FakeController, name: str) -> dict:
    return next(c for c in fake.state()["cues"] if c["name"] == name)


def test_fake_implements_the_controller_protocol(fake):
    assert isinstance(fake, Controller)


def test_go_runs_pre_wait_action_and_post_wait_with_countdowns(fake, clock):
    fake.go(source="test")  # dawn: no pre-wait, 4 s, auto-follow into glow (1 s pre-wait, 6 s, post-wait 2 s)
    assert cue(fake, "dawn")["state"] == "running"
    assert cue(fake, "dawn")["action_left_s"] == 4.0
    clock.advance(4.5)
    assert cue(fake, "dawn")["state"] == "done"
    glow = cue(fake, "glow")
    assert glow["state"] == "pre-wait" and glow["pre_wait_left_s"] == 0.5
    clock.advance(1.0)
    glow = cue(fake, "glow")
    assert glow["state"] == "running" and glow["action_left_s"] == 5.5 and glow["post_wait_left_s"] == 1.5
    clock.advance(6.0)
    assert cue(fake, "glow")["state"] == "done"
    assert fake.state()["selected"] == "ping"


def test_post_wait_counts_from_the_start_of_the_action_and_auto_continue_starts_the_next(fake, clock):
    fake.goto_act("encounter", source="test")
    fake.go(source="test")  # approach: 0.5 s pre-wait, 3 s action, 1 s post-wait, auto-continue
    clock.advance(1.0)
    assert cue(fake, "approach")["post_wait_left_s"] == 0.5
    assert cue(fake, "pulses")["state"] == "idle"
    clock.advance(0.6)
    assert cue(fake, "pulses")["state"] == "running"  # started while approach still runs
    assert cue(fake, "approach")["state"] == "running"


def test_visitor_moves_the_show_to_the_next_act_and_an_empty_room_brings_it_back(fake, clock):
    result = fake.visitor_add(0.5, 0.8, source="web:t")
    assert result.ok and result.data == {"id": "v1"}
    assert fake.state()["act"] == "encounter"
    assert fake.presence_view()["count"] == 1
    fake.visitor_remove("v1", source="web:t")
    clock.advance(EMPTY_RETURN_S + 0.1)
    assert fake.state()["act"] == "attract"


def test_every_call_is_recorded_with_its_source_and_logged(fake, clock):
    fake.go(source="osc:127.0.0.1:9000")
    clock.advance(1.0)
    fake.panic(source="web:127.0.0.1:5000")
    assert [(c.method, c.source, c.t) for c in fake.calls] == [
        ("go", "osc:127.0.0.1:9000", 100.0), ("panic", "web:127.0.0.1:5000", 101.0)]
    sources = [line["source"] for line in fake.log_tail(10)]
    assert sources[-2:] == ["osc:127.0.0.1:9000", "web:127.0.0.1:5000"]


def test_bad_input_is_an_error_result_not_an_exception(fake):
    assert fake.start_cue("nope", source="t").status == "error"
    assert "dawn" in fake.start_cue("nope", source="t").message
    assert fake.set_param("light.nope", 1.0, source="t").status == "error"
    assert fake.set_param("light.wash.dimmer", 2.0, source="t").status == "error"
    assert fake.visitor_add(1.5, 0.5, source="t").status == "error"
    assert fake.replay("../../etc/passwd", 2.0, source="t").status == "error"
    assert fake.replay("recordings/opening-night.jsonl", 61.0, source="t").status == "error"


def test_rehearse_tools_are_denied_in_live_mode(clock):
    live = FakeController(mode="live", now=clock, frames=False)
    assert live.visitor_add(0.5, 0.5, source="t").status == "denied"
    assert live.replay("recordings/opening-night.jsonl", 2.0, source="t").status == "denied"


def test_panic_stops_every_cue_and_blacks_out_the_rig(fake, clock):
    fake.go(source="t")
    clock.advance(2.0)
    fake.panic(source="t")
    states = {c["name"]: c["state"] for c in fake.state()["cues"]}
    assert states == {"dawn": "stopped", "glow": "idle", "ping": "idle"}  # as the engine reports them
    assert all(f["intensity"] == 0.0 for f in fake.rig_view()["fixtures"])
    assert all(ch["peak_db"] <= -120 for ch in fake.audio_levels()["channels"])


def test_pause_freezes_countdowns(fake, clock):
    fake.go(source="t")
    clock.advance(1.0)
    fake.pause(source="t")
    clock.advance(10.0)
    assert cue(fake, "dawn")["action_left_s"] == 3.0 and fake.state()["paused"]
    fake.resume(source="t")
    clock.advance(1.0)
    assert cue(fake, "dawn")["action_left_s"] == 2.0


def test_subscribers_hear_about_changes(fake):
    kinds: list[str] = []
    unsubscribe = fake.subscribe(kinds.append)
    fake.go(source="t")
    assert "state" in kinds
    unsubscribe()
    kinds.clear()
    fake.stop(source="t")
    assert kinds == []
