"""PJLink: the codec against literal bytes, the handshake and the adapter against a projector on a real
socket, and projectors switched on at opening and off at closing by the runtime in virtual wall time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from installation.adapters import HealthState
from installation.engine.clock import VirtualClock
from installation.errors import ShowError
from installation.rig.pjlink import (
    PJLinkError,
    PJLinkSession,
    Projector,
    auth_digest,
    encode_command,
    parse_errors,
    parse_greeting,
    parse_lamps,
    parse_reply,
)
from installation.rig.rigfile import load_rig
from installation.runtime import Runtime
from installation.runtime.wiring import Adapters
from installation.sim.pjlink import PJLinkProjectorSim
from tests.runtime.conftest import REPO, make_project, options, wait_until

FAST = (0.05, 0.1, 0.2)  # backoff for tests: a refused or missing projector is retried within real I/O waits

PROJECTORS = """
projectors:
  end-wall:
    host: 10.0.0.21
    password_env: TEST_PJLINK_PASSWORD
    input: 31
    poll: 1s
"""


@pytest.fixture
def sim() -> Iterator[PJLinkProjectorSim]:
    projector = PJLinkProjectorSim(password="JBMIAProjectorLink")
    projector.start()
    yield projector
    projector.stop()


@pytest.fixture
def projectors() -> Iterator[list[Projector]]:
    made: list[Projector] = []
    yield made
    for p in made:
        p.close()


def adapter(sim: PJLinkProjectorSim, made: list[Projector], **kw: object) -> Projector:
    kw = {"password": sim.password, "poll_s": 60.0, "backoff_s": FAST, **kw}
    p = Projector("test", "127.0.0.1", sim.port, **kw)  # type: ignore[arg-type]
    made.append(p)
    return p


# ---------------------------------------------------------------- codec


def test_digest_is_md5_of_random_and_password_as_the_spec_example() -> None:
    # the PJLink specification's own example: random 498e4a67, password JBMIAProjectorLink
    assert auth_digest("498e4a67", "JBMIAProjectorLink") == "5d8409bc1c3fa39749434aa3a5c38682"


def test_command_lines_and_replies_as_bytes() -> None:
    assert encode_command(1, "POWR", "1") == b"%1POWR 1\r"
    assert encode_command(2, "INPT", "?", "ab" * 16) == b"abababababababababababababababab%2INPT ?\r"
    assert parse_greeting("PJLINK 0\r") is None
    assert parse_greeting("PJLINK 1 498e4a67") == "498e4a67"
    assert parse_reply("%1POWR=OK\r", 1, "POWR") == "OK"
    assert parse_reply("%1LAMP=1234 1 80 0", 1, "LAMP") == "1234 1 80 0"
    assert parse_lamps("1234 1 80 0") == ((1234, True), (80, False))
    assert parse_errors("020100") == {"fan": 0, "lamp": 2, "temperature": 0, "cover": 1, "filter": 0,
                                      "other": 0}
    for code in ("ERR1", "ERR2", "ERR3", "ERR4"):
        with pytest.raises(PJLinkError) as err:
            parse_reply(f"%1POWR={code}", 1, "POWR")
        assert err.value.code == code
    with pytest.raises(PJLinkError, match="authentication"):
        parse_reply("PJLINK ERRA", 1, "POWR")
    with pytest.raises(ValueError):
        encode_command(1, "powr", "1")


# ---------------------------------------------------------------- handshake on a real socket


def test_handshake_with_the_right_password(sim: PJLinkProjectorSim) -> None:
    session = PJLinkSession("127.0.0.1", sim.port, "JBMIAProjectorLink")
    try:
        assert session.ask(1, "POWR", "1") == "OK"
        assert session.ask(1, "POWR") == "1"  # later commands on the session need no digest
    finally:
        session.close()
    assert sim.commands() == [(1, "POWR", "1"), (1, "POWR", "?")]
    assert not sim.of_kind("auth-failed")


def test_wrong_password_is_refused_and_nothing_runs(sim: PJLinkProjectorSim) -> None:
    session = PJLinkSession("127.0.0.1", sim.port, "wrong")
    try:
        with pytest.raises(PJLinkError) as err:
            session.ask(1, "POWR", "1")
    finally:
        session.close()
    assert err.value.code == "ERRA"
    assert sim.of_kind("auth-failed") and not sim.commands() and not sim.powered


def test_a_projector_without_password_and_class_2_commands() -> None:
    sim = PJLinkProjectorSim(pjlink_class=2)
    sim.start()
    try:
        session = PJLinkSession("127.0.0.1", sim.port, None)
        try:
            assert session.ask(1, "CLSS") == "2"
            session.ask(1, "POWR", "1")
            assert session.ask(2, "INPT", "3A") == "OK"  # class 2 input names
            assert session.ask(2, "SNUM") == "SIM0001"
        finally:
            session.close()
    finally:
        sim.stop()
    one = PJLinkProjectorSim(pjlink_class=1)
    one.start()
    try:
        session = PJLinkSession("127.0.0.1", one.port, None)
        try:
            with pytest.raises(PJLinkError) as err:
                session.ask(2, "SNUM")
            assert err.value.code == "ERR1"  # a class 1 projector does not know class 2
        finally:
            session.close()
    finally:
        one.stop()


# ---------------------------------------------------------------- the adapter


def test_power_input_lamp_and_errors_reach_health(
    sim: PJLinkProjectorSim, projectors: list[Projector]
) -> None:
    sim.lamp_hours = 2345
    p = adapter(sim, projectors, input_code="32")
    p.power(True)
    p.open()
    wait_until(lambda: p.health().state == HealthState.OK and p.status.input == "32", "on, input 32")
    assert sim.powered and sim.input == "32"
    assert "lamp 2345 h" in p.health().detail and "class 1" in p.health().detail
    assert "JBMIAProjectorLink" not in p.health().detail + p.health().last_error

    sim.set_errors(filter_=1)
    p.poll_s = 0.05
    p._wake.set()
    wait_until(lambda: p.health().state == HealthState.DEGRADED, "filter warning")
    assert "filter warning" in p.health().detail
    sim.set_errors(lamp=2)
    wait_until(lambda: p.health().state == HealthState.DOWN, "lamp error")
    assert "lamp error" in p.health().detail


def test_warming_up_is_waited_out_and_err3_retried(projectors: list[Projector]) -> None:
    sim = PJLinkProjectorSim(transition_polls=1_000_000)  # warms up until the test ends it
    sim.start()
    try:
        p = adapter(sim, projectors, password=None)
        p.power(True)
        p.open()
        wait_until(lambda: p.status.power == "warming up", "warming up")
        assert p.health().state == HealthState.DEGRADED and "turning on" in p.health().detail
        p.power(False)  # closing during the warm-up: refused (ERR3) until on, then honoured
        wait_until(lambda: len(sim.commands("POWR")) >= 8, "asked again while warming up")
        sim.finish_transition()
        wait_until(lambda: sim.power == "2", "cooling down")
        sim.finish_transition()
        wait_until(lambda: p.status.power == "off" and p.health().state == HealthState.OK, "off at last")
        assert [d for r in sim.of_kind("power") for d in [r.detail]] == [True, False]
    finally:
        sim.stop()


def test_wrong_password_and_unreachable_projector_are_down(
    sim: PJLinkProjectorSim, projectors: list[Projector]
) -> None:
    p = adapter(sim, projectors, password="nope")
    p.open()
    wait_until(lambda: p.health().state == HealthState.DOWN, "refused password in health")
    assert "password" in p.health().detail
    assert "nope" not in p.health().detail

    port = sim.port
    sim.stop()
    gone = adapter(sim, projectors, password=None)
    gone.port = port
    gone.open()
    wait_until(lambda: gone.health().state == HealthState.DOWN and gone.failures >= 2, "unreachable")
    assert "cannot reach" in gone.health().detail
    # the projector comes back: retried with backoff, healthy again
    back = PJLinkProjectorSim()
    back.start(port)
    try:
        gone.power(True)
        wait_until(lambda: gone.health().state == HealthState.OK and back.powered, "reconnected")
    finally:
        gone.close()
        back.stop()


# ---------------------------------------------------------------- rig file


def test_rig_file_projectors_section(tmp_path: Path) -> None:
    show = make_project(tmp_path / "p")
    rig = show.parent.parent / "hardware" / "gallery.yaml"
    rig.write_text(rig.read_text() + PROJECTORS)
    loaded = load_rig(rig, show.parent.parent)
    spec = loaded.projectors["end-wall"]
    assert (spec.host, spec.port, spec.password_env, spec.input, spec.poll_s) == (
        "10.0.0.21", 4352, "TEST_PJLINK_PASSWORD", "31", 1.0)
    rig.write_text(rig.read_text().replace("input: 31", "input: 99\n    password: secret"))
    with pytest.raises(ShowError) as err:
        load_rig(rig, show.parent.parent)
    text = str(err.value)
    assert "unknown key 'password'" in text and "input" in text


# ---------------------------------------------------------------- through the runtime


def test_projectors_follow_opening_and_closing_in_virtual_wall_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PJLINK_PASSWORD", "gallery-secret")
    show = make_project(tmp_path / "project", (REPO / "cues" / "unenclosed.yaml").read_text(), "unenclosed")
    rig = show.parent.parent / "hardware" / "gallery.yaml"
    rig.write_text(rig.read_text() + PROJECTORS)
    clock = VirtualClock(0.0)
    tuesday = dt.datetime(2026, 12, 22, 9, 59)  # opens at 10:00, closes at 18:00 with a 10 s fade

    def wall() -> dt.datetime:
        return tuesday + dt.timedelta(seconds=clock.now())

    runtime = Runtime(show, options(tmp_path / "state", log_file=False, hours=True), clock=clock, wall=wall)
    adapters = Adapters(runtime)
    runtime.adapters = adapters
    adapters._open_projectors()
    try:
        sim = adapters.pjlink_sims["end-wall"]
        projector = adapters.projectors[0]
        assert sim.password == "gallery-secret"  # the rehearsal's simulator asks for the configured password

        def step(seconds: float) -> None:
            clock.jump_to(seconds)
            runtime.check_hours()
            runtime._step(seconds)

        step(0.0)
        wait_until(lambda: projector.exchanges >= 1, "first contact")
        assert not sim.powered and not sim.of_kind("power")  # closed before 10:00: stays off
        step(61.0)  # 10:00:01
        wait_until(lambda: sim.powered and sim.input == "31", "power on and input 31 at opening")
        assert sim.of_kind("auth-failed") == []
        t = 61.0
        while t < 8 * 3600 + 60:  # to 18:00:00, closing starts: the projector stays on through the fade
            t += 600.0
            step(min(t, 8 * 3600 + 60.0))
        assert sim.powered
        step(8 * 3600 + 60.0 + 5.0)
        assert sim.powered
        step(8 * 3600 + 60.0 + 10.5)  # the fade is over: closed
        wait_until(lambda: not sim.powered, "power off after closing")
        assert [r.detail for r in sim.of_kind("power")] == [True, False]
        assert any(h.name == "projector:end-wall" for h in adapters.health())
    finally:
        adapters._close_projectors()
