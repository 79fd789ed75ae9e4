"""The runtime's audio adapter: a child process it supervises, restarts after a crash, and never waits for."""

import os
import signal
import time

import pytest
from audio_helpers import ACTS

from installation.adapters import HealthState
from installation.audio.config import AudioConfig
from installation.audio.output import AudioOutput
from installation.engine.clock import VirtualClock
from installation.errors import DeviceError

REPORT_WAIT_S = 5.0  # bound on waiting for the child's next message (real I/O)


class Recorder(AudioOutput):
    """An AudioOutput that records the messages it would send, with no child."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = []

    def _post(self, message, now):
        self.sent.append(message)


@pytest.fixture
def output():
    clock = VirtualClock(100.0)
    out = AudioOutput(ACTS, AudioConfig(backend="manual", restart_min_s=0.5), clock)
    yield out, clock
    out.close()


def run_until(out, clock, params, predicate, deadline_s=15.0):
    """Advance the show clock 0.1 s per frame, calling update() like the runtime; returns its durations."""
    durations = []
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        clock.advance(0.1)
        started = time.perf_counter()
        out.update(params, clock.now())
        durations.append(time.perf_counter() - started)
        out.wait_report(out.report_count, timeout_s=0.2 if out.child_pid else 0.0)
        if predicate(out.status()):
            return durations
    raise AssertionError(f"timed out; status {out.status()}, health {out.health()}")


def playing(act):
    return lambda s: s.running and s.act == act and min(s.rms_db) > -60.0


def test_plays_the_act_and_reports_levels(output):
    out, clock = output
    out.open()
    out.change_soundscape("forest", 1.0, clock.now())
    run_until(out, clock, {"audio.drone.cutoff": 900.0}, playing("forest"))
    status = out.status()
    assert out.health().state == HealthState.OK
    assert len(status.peak_db) == 2 and max(status.peak_db) <= -1.0
    assert status.soundscapes == 1 and status.errors == ()


def test_killed_child_is_restarted_and_the_act_resumes_without_blocking_the_caller(output):
    out, clock = output
    out.open()
    out.change_soundscape("forest", 0.5, clock.now())
    run_until(out, clock, {}, playing("forest"))
    out.change_soundscape("harbour", 0.5, clock.now())
    run_until(out, clock, {}, playing("harbour"))
    first_pid = out.child_pid
    os.kill(first_pid, signal.SIGKILL)

    # the show goes on: a cue moves the master level while the audio engine is down
    durations = run_until(out, clock, {"audio.master.level": -6.0}, lambda s: not s.running, deadline_s=5.0)
    assert out.health().state == HealthState.DOWN
    assert "SIGKILL" in out.health().detail and "restarting in 0.5 s" in out.health().detail

    durations += run_until(
        out, clock, {"audio.master.level": -6.0}, lambda s: playing("harbour")(s) and s.pid != first_pid
    )
    status = out.status()
    assert status.restarts == 1
    assert status.level_db == -6.0  # the value sent while it was down reached the new child
    assert out.health().state == HealthState.OK
    assert max(durations) < 0.05, f"update() blocked for {max(durations) * 1000:.0f} ms"


def test_restarts_back_off_while_the_child_keeps_failing():
    clock = VirtualClock(100.0)
    out = AudioOutput({}, AudioConfig(backend="jack", jack_server="no-such-jack-server"), clock)
    out.open()
    try:
        delays = []
        deadline = time.monotonic() + 10.0
        while len(delays) < 3 and time.monotonic() < deadline:
            out.update({}, clock.advance(0.05))
            health = out.health()
            if health.state == HealthState.DOWN and (not delays or delays[-1][0] != health.since):
                delays.append((health.since, health.detail))
            out.wait_report(out.report_count, timeout_s=0.02)
        assert [d.rsplit("restarting in ", 1)[1] for _, d in delays] == ["0.5 s", "1.0 s", "2.0 s"]
        assert "jackd --no-realtime -d dummy" in delays[0][1]
    finally:
        out.close()


def test_panic_mutes_and_the_next_act_unmutes(output):
    out, clock = output
    out.open()
    out.change_soundscape("forest", 0.2, clock.now())
    run_until(out, clock, {}, playing("forest"))
    out.panic(clock.now())
    run_until(out, clock, {}, lambda s: s.muted and max(s.peak_db) < -100.0)
    out.change_soundscape("harbour", 0.5, clock.now())
    run_until(out, clock, {}, lambda s: not s.muted and playing("harbour")(s))


def test_handles_engine_commands_by_their_shape():
    class SoundscapeChange:
        act, transition_s = "forest", 2.0

    class Panic:
        def __init__(self, fade_s):
            self.fade_s = fade_s

    class Blackout:
        def __init__(self, on):
            self.on = on

    class OscSend:
        pass

    out = Recorder(ACTS, AudioConfig(backend="jack"))
    assert out.handle(SoundscapeChange(), 0.0)
    assert out.handle(Panic(fade_s=3.0), 0.0)
    assert out.handle(Blackout(on=False), 0.0)
    assert out.handle(Blackout(on=True), 0.0)
    assert not out.handle(OscSend(), 0.0)
    assert out.sent == [
        ("soundscape", "forest", ACTS["forest"], 2.0),
        ("mute", True, 3.0),
        ("mute", False, None),
        ("mute", True, None),
    ]


def test_only_changed_audio_values_are_sent():
    out = Recorder(ACTS, AudioConfig(backend="jack"))
    out.update({"audio.wind.level": -20.0, "light.wash.dimmer": 0.5, "audio.drone.cutoff": 600.0}, 0.0)
    out.update({"audio.wind.level": -20.0, "audio.drone.cutoff": 650.0}, 0.1)
    out.update({"audio.wind.level": -20.0, "audio.drone.cutoff": 650.0}, 0.2)
    assert out.sent == [
        ("params", {"audio.wind.level": -20.0, "audio.drone.cutoff": 600.0}),
        ("params", {"audio.drone.cutoff": 650.0}),
    ]


def test_a_new_act_gets_the_current_store_values_of_its_layers():
    out = Recorder(ACTS, AudioConfig(backend="jack"))
    out.update({"audio.surf.level": -30.0, "audio.drone.cutoff": 600.0, "audio.master.level": -3.0}, 0.0)
    out.sent.clear()
    out.change_soundscape("harbour", 1.0, 0.1)
    assert out.sent[1] == ("params", {"audio.surf.level": -30.0, "audio.master.level": -3.0})


def test_unknown_backend_is_refused_and_none_is_silent_and_off():
    with pytest.raises(DeviceError, match="backend"):
        AudioOutput(ACTS, AudioConfig(backend="alsa"))
    out = AudioOutput(ACTS, AudioConfig(backend="none"))
    out.open()
    out.update({"audio.wind.level": -10.0}, 1.0)
    assert out.health().state == HealthState.OFF
    assert out.child_pid is None
    out.close()
