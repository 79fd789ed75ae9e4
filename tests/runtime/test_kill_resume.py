"""kill -9: the controller is killed mid-fade and restarted; it resumes act, cue and DMX levels within 2 s.

The simulators live in this test's process (they outlive the controller, as the real devices do) and the
controller runs as a child process aimed at them; it is driven over its OSC API and judged by the bytes
the simulated Enttec widget and Art-Net node received.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from installation.show.loader import load_show
from installation.sim.simulate import SIMS_FILE, start_simulators
from tests.runtime.conftest import REPO, STRIP_UNIVERSE, WASH1_DIMMER, wait_until

RESUME_LIMIT_S = 2.0  # the requirement: back to the same act, cue and levels within 2 s
FADE_TOLERANCE = 8  # DMX steps: the strip fades 5 steps/s; the journal is at most 0.5 s old


class OscClient:
    """Sends commands to the controller's OSC API and reads its `/reply/...` JSON answers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.3)

    def ask(self, address: str, *args: Any) -> dict[str, Any] | None:
        """One request; the JSON reply, or None when nothing answered (the controller is not up yet)."""
        builder = OscMessageBuilder(address)
        for a in args:
            builder.add_arg(a)
        self.sock.sendto(builder.build().dgram, ("127.0.0.1", self.port))
        try:
            while True:
                data = self.sock.recv(65536)
                msg = OscMessage(data)
                if msg.address == f"/reply{address}":
                    return dict(json.loads(msg.params[0]))
        except (TimeoutError, OSError):
            return None

    def close(self) -> None:
        self.sock.close()


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sims(project: Path, tmp_path: Path) -> Iterator[Any]:
    sims = start_simulators(load_show(project).rig, tmp_path / "sims")
    yield sims
    sims.stop()


def _spawn(project: Path, tmp_path: Path, osc_port: int) -> subprocess.Popen[bytes]:
    with (tmp_path / "controller.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "runtime" / "controller.py"), str(project), "--sims",
             str(tmp_path / "sims"), "--state-dir", str(tmp_path / "state"), "--osc-port", str(osc_port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        )


def test_kill_9_mid_fade_resumes_act_cue_and_dmx_levels_within_2_s(
    project: Path, tmp_path: Path, sims: Any
) -> None:
    assert json.loads((tmp_path / "sims" / SIMS_FILE).read_text())["rig"] == "Gallery"
    widget = sims.widgets["usb"]
    node = sims.nodes["strip-node"]
    osc_port = _free_udp_port()
    osc = OscClient(osc_port)
    first = _spawn(project, tmp_path, osc_port)
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: osc.ask("/state"), "the controller's OSC API")
        wait_until(lambda: widget.universe[WASH1_DIMMER] == 102, "the idle act's wash level on the widget")
        assert osc.ask("/go")["status"] == "ok"
        wait_until(lambda: widget.universe[WASH1_DIMMER] == 153, "the act's first cue on the widget")
        assert osc.ask("/go")["data"] is True  # GO: the 40 s strip fade starts
        wait_until(lambda: sims.received_universe(STRIP_UNIVERSE)[0] >= 60, "the strip fade under way")
        before = osc.ask("/state")["data"]
        assert before["act"] == "streets"
        u1, u2 = sims.received_universe(1), sims.received_universe(STRIP_UNIVERSE)

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # the far end forgets what it had, so only the restarted controller can bring the levels back
        with widget._cond:
            widget.universe[:] = 0
            mark_widget = len(widget.records)
        with node._cond:
            node.artnet_universes.clear()
            mark_node = len(node.records)

        t0 = time.monotonic()
        second = _spawn(project, tmp_path, osc_port)

        def resumed() -> bool:
            strip = sims.received_universe(STRIP_UNIVERSE)[0]
            return sims.received_universe(1) == u1 and abs(strip - u2[0]) <= FADE_TOLERANCE

        wait_until(resumed, "the levels back on the simulators", timeout_s=10.0)
        resume_s = time.monotonic() - t0
        print(f"resumed on the simulators {resume_s:.2f} s after the restart")
        assert resume_s < RESUME_LIMIT_S

        # the first frame after the restart already carries the resumed levels: no flash of defaults
        first_frame = next(r.detail for r in list(widget.records)[mark_widget:] if r.kind == "dmx")
        assert first_frame == u1[: len(first_frame)]
        first_strip = next(r.detail[2] for r in list(node.records)[mark_node:] if r.kind == "artdmx")
        assert abs(first_strip[0] - u2[0]) <= FADE_TOLERANCE

        after = wait_until(lambda: osc.ask("/state"), "the restarted controller's OSC API")["data"]
        assert after["act"] == "streets"
        assert after["selected"] == "ping"
        cues = {c["name"]: c for c in after["cues"]}
        assert cues["warm"]["state"] == "done" and cues["slow"]["state"] == "running"
        assert after["act_elapsed_s"] >= before["act_elapsed_s"] - 0.6
        wait_until(lambda: sims.received_universe(STRIP_UNIVERSE)[0] > u2[0] + 2, "the fade carrying on")
    finally:
        osc.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
