"""Faults on real wires: unplugged widget mid-fade, OSC peer not listening, a serial device talking garbage.

None of them may stop or slow the engine side: `update()` stays fast while the transports recover.
"""

from __future__ import annotations

import socket
import time

import pytest
from rig_helpers import poll

from installation.adapters import HealthState
from installation.rig.output import RigOutput
from installation.rig.refresh import RefreshLoop
from installation.sim.rehearsal import SimulatedRig
from installation.sim.serialdev import garbage_responder, ok_responder


class Fade:
    """wash.dimmer rising from 0 to 1 over `fade_s` of real time, fed through the real refresh loop."""

    def __init__(self, out: RigOutput, fade_s: float) -> None:
        self.out = out
        self.fade_s = fade_s
        self.t0 = time.monotonic()
        self.update_s: list[float] = []

    def level(self, now: float) -> float:
        return min(1.0, (now - self.t0) / self.fade_s)

    def tick(self, now: float) -> None:
        start = time.perf_counter()
        self.out.update({"light.wash.dimmer": self.level(now)}, now)
        self.update_s.append(time.perf_counter() - start)


@pytest.fixture
def rehearsal(gallery):
    sims = SimulatedRig(gallery)
    out = RigOutput(sims.start())
    out.open()
    yield sims, out
    out.close()
    sims.stop()


def health(out: RigOutput, name: str):
    return next(h for h in out.health() if h.name == name)


def test_widget_unplugged_mid_fade_resumes_with_current_values_within_1s_of_replug(rehearsal):
    sims, out = rehearsal
    widget = sims.widgets["usb"]
    fade = Fade(out, fade_s=4.0)
    loop = RefreshLoop(fade.tick, 44.0)
    loop.start()
    try:
        assert widget.wait_for(lambda: widget.universe[0] >= 20, timeout_s=2.0)
        widget.unplug()
        assert poll(lambda: health(out, "dmx:usb").state == HealthState.DOWN, timeout_s=1.0)
        frames_while_unplugged = widget.frames
        assert poll(lambda: fade.level(time.monotonic()) - widget.universe[0] / 255 > 0.1, timeout_s=2.0)
        replug_t = time.monotonic()
        level_at_replug = round(fade.level(replug_t) * 255)
        widget.replug()
        assert widget.wait_for(lambda: widget.frames > frames_while_unplugged, timeout_s=1.0)
        first_after = next(r for r in widget.of_kind("dmx") if r.t >= replug_t)
        assert first_after.t - replug_t < 1.0
        assert first_after.detail[0] >= level_at_replug  # the current value, not the one from before
        assert poll(lambda: health(out, "dmx:usb").state == HealthState.OK, timeout_s=1.0)
        assert out.dmx["usb"].reconnects == 1
    finally:
        loop.stop()
    assert loop.errors == 0
    assert max(fade.update_s) < 0.02  # the refresh loop never waited on the dead port


def test_osc_peer_not_listening_degrades_health_and_nothing_else(gallery):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    dead_port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: the kernel answers ICMP port unreachable
    sims = SimulatedRig(gallery)
    rig = sims.start().with_targets(osc={"media": ("127.0.0.1", dead_port)})
    out = RigOutput(rig)
    out.open()

    def refused() -> bool:
        return "no answer from 127.0.0.1:" in health(out, "osc:media").detail

    try:
        widget = sims.widgets["usb"]
        for i in range(20):
            start = time.perf_counter()
            out.update({"osc.media.brightness": i / 20, "light.wash.dimmer": i / 19}, float(i))
            out.send_osc("media", "scene_start", [i])
            assert time.perf_counter() - start < 0.02
            if refused():
                break
            poll(lambda: False, timeout_s=0.02)  # pace the frames on the wall clock
        # DEGRADED alone could still be "connecting": wait for the refusal itself to be reported
        assert poll(refused, timeout_s=2.0), health(out, "osc:media")
        assert health(out, "osc:media").state == HealthState.DEGRADED
        assert widget.wait_for(lambda: widget.universe[0] > 0)  # the lights carried on
        assert health(out, "dmx:usb").state == HealthState.OK
    finally:
        out.close()
        sims.stop()


def test_serial_device_answering_garbage_is_reported_then_recovers(rehearsal):
    sims, out = rehearsal
    fan = sims.devices["fan"]
    fan.responder = garbage_responder
    assert poll(lambda: health(out, "serial:fan").state == HealthState.OK)
    start = time.perf_counter()
    out.send_serial("fan", "speed", [100])
    out.update({"light.wash.dimmer": 0.3}, 0.0)
    assert time.perf_counter() - start < 0.02
    assert poll(lambda: health(out, "serial:fan").state == HealthState.DEGRADED)
    detail = health(out, "serial:fan").detail
    assert "answered '\\x7f\\x1b#~\\x00' to 'SPEED 100', expected '^OK'" in detail
    assert "check baud rate (115200)" in detail
    assert sims.widgets["usb"].wait_for(lambda: sims.widgets["usb"].universe[0] == 76)
    fan.responder = ok_responder
    out.send_serial("fan", "speed", [0])
    assert poll(lambda: health(out, "serial:fan").state == HealthState.OK)
    assert fan.lines == ["SPEED 100", "SPEED 0"]


def test_serial_device_silent_then_unplugged_then_back(rehearsal):
    sims, out = rehearsal
    fan = sims.devices["fan"]
    fan.responder = None
    out.send_serial("fan", "hello")
    assert poll(lambda: "no answer to 'HELLO' within 0.5 s" in health(out, "serial:fan").detail)
    fan.responder = ok_responder
    fan.unplug()
    out.send_serial("fan", "stop")  # the write fails or the port check does: the transport reconnects
    assert poll(lambda: health(out, "serial:fan").state == HealthState.DOWN, timeout_s=2.0)
    assert "is the device plugged in?" in health(out, "serial:fan").detail
    fan.replug()
    out.send_serial("fan", "speed", [7])
    assert fan.wait_for(lambda: "SPEED 7" in fan.lines, timeout_s=2.0)
    assert fan.lines[-2:] == ["STOP", "SPEED 7"]  # the command sent while unplugged was kept, in order
    assert poll(lambda: health(out, "serial:fan").state == HealthState.OK)
