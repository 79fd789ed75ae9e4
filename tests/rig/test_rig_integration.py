"""Interop with independent implementations: liblo's oscdump/oscsend, and OLA's olad for Art-Net and sACN.

Skipped when a tool is missing; `.ci/run` sets INSTALLATION_REQUIRE_INTEGRATION=1 so that a missing tool
fails instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import select
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rig_helpers import integration_unavailable, poll, require_tool

from installation.rig.output import RigOutput
from installation.rig.rigfile import DmxOutput, OscEndpoint, load_rig
from installation.rig.transports import OscSender, osc_datagram
from installation.sim.osc import OscConsoleSim

pytestmark = pytest.mark.integration


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LineReader:
    """Lines from a subprocess's stdout, read from the raw pipe with a deadline (no Python-side buffering)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.buf = b""

    def read(self, until: int, timeout_s: float) -> list[str]:
        lines: list[str] = []
        deadline = time.monotonic() + timeout_s
        while len(lines) < until:
            if b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                lines.append(line.decode())
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    break
                self.buf += chunk
        return lines


def test_our_osc_output_is_received_by_liblo_oscdump():
    require_tool("oscdump")
    port = free_port()
    dump = subprocess.Popen(["oscdump", "-L", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    reader = LineReader(dump)
    sender = OscSender(OscEndpoint("media", "127.0.0.1", port))
    sender.start()
    try:
        # oscdump is listening once it prints our probe
        got: list[str] = []
        for _ in range(40):
            sender.send(osc_datagram([("/probe", [])], bundle=False))
            got = reader.read(1, 0.05)
            if got:
                break
        assert got and got[0].split(" ", 1)[1] == "/probe "
        reader.read(40, 0.1)  # drain extra probes
        sender.send(osc_datagram([("/scene/start", [1, 0.5, "biodome", True, None])], bundle=False))
        sender.send(osc_datagram([("/composition/master", [0.25]), ("/layer/2/clip", [3])], bundle=True))
        lines = [line.split(" ", 1)[1] for line in reader.read(3, 3.0)]
        assert lines == [
            '/scene/start ifsTN 1 0.500000 "biodome" #T Nil',
            "/composition/master f 0.250000",
            "/layer/2/clip i 3",
        ]
    finally:
        sender.stop()
        dump.terminate()
        dump.wait(timeout=5)
        assert dump.stdout is not None
        dump.stdout.close()


def test_liblo_oscsend_is_received_by_our_osc_console():
    require_tool("oscsend")
    console = OscConsoleSim()
    console.start()
    try:
        subprocess.run(
            ["oscsend", "127.0.0.1", str(console.port), "/cue/go", "ifsTFN", "7", "0.25", "hi"],
            check=True,
            timeout=10,
        )
        assert console.wait_for(lambda: "/cue/go" in console.values)
        assert console.values["/cue/go"] == (7, 0.25, "hi", True, False, None)
    finally:
        console.stop()


# ---------------------------------------------------------------- OLA


_OTHER_PLUGINS = (
    "dummy",
    "espnet",
    "ftdidmx",
    "gpio",
    "karate",
    "kinet",
    "milinst",
    "opendmx",
    "openpixelcontrol",
    "osc",
    "pathport",
    "renard",
    "sandnet",
    "shownet",
    "spi",
    "stageprofi",
    "uartdmx",
    "usbdmx",
    "usbserial",
)


class Olad:
    """A private olad: own config dir, Art-Net and E1.31 only, loopback, HTTP on a free port."""

    def __init__(self) -> None:
        self.confdir = Path(tempfile.mkdtemp(prefix="olad-"))
        self.http_port = free_port(socket.SOCK_STREAM)
        self.rpc_port = free_port(socket.SOCK_STREAM)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.confdir / "olad.log"

    def start(self) -> None:
        for plugin in _OTHER_PLUGINS:
            (self.confdir / f"ola-{plugin}.conf").write_text("enabled = false\n")
        (self.confdir / "ola-artnet.conf").write_text(
            textwrap.dedent("""\
            enabled = true
            ip = 127.0.0.1
            use_loopback = true
            always_broadcast = false
            use_limited_broadcast = false
            net = 0
            subnet = 0
            output_ports = 4
            short_name = OLA test node
            long_name = OLA test node
            """)
        )
        (self.confdir / "ola-e131.conf").write_text(
            textwrap.dedent("""\
            enabled = true
            ip = 127.0.0.1
            input_ports = 5
            output_ports = 5
            draft_discovery = false
            ignore_preview = true
            prepend_hostname = true
            revision = 0.46
            """)
        )
        cmd = [
            "olad",
            "-c",
            str(self.confdir),
            "-i",
            "127.0.0.1",
            "-p",
            str(self.http_port),
            "-r",
            str(self.rpc_port),
            "--no-register-with-dns-sd",
            "-l",
            "3",
        ]
        if os.geteuid() == 0:  # olad refuses to run as root
            try:
                user = pwd.getpwnam("olad")
            except KeyError:
                integration_unavailable("running as root and there is no 'olad' user to run olad as")
            for p in [self.confdir, *self.confdir.iterdir()]:
                os.chown(p, user.pw_uid, user.pw_gid)
            cmd = ["runuser", "-u", "olad", "--", *cmd]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        if not poll(lambda: self._get("/json/server_stats") is not None, timeout_s=8.0, step_s=0.05):
            self.stop()
            pytest.fail(f"olad did not answer on its HTTP port within 8 s: {self.log.read_text()[-600:]}")

    def _get(self, path: str) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=1.0) as r:
                return json.loads(r.read().decode())
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            return None

    def input_port(self, device_prefix: str) -> str:
        ports = self._get("/json/get_ports") or []
        for p in ports:
            if p["device"].startswith(device_prefix) and not p["is_output"]:
                return str(p["id"])
        raise AssertionError(f"olad has no {device_prefix} input port: {ports}")

    def patch(self, universe: int, port_id: str) -> None:
        data = f"id={universe}&name=rig-test-{universe}&add_ports={port_id}".encode()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self.http_port}/new_universe", data=data, timeout=2
        ) as r:
            assert json.loads(r.read().decode())["ok"], f"olad could not patch {port_id} to {universe}"

    def dmx(self, universe: int) -> bytes:
        got = self._get(f"/get_dmx?u={universe}") or {"dmx": []}
        return bytes(got["dmx"]).ljust(512, b"\x00")

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.http_port}/quit", data=b"", timeout=1.0
                ).close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            self.proc = None
        shutil.rmtree(self.confdir, ignore_errors=True)


def udp_port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def olad() -> Iterator[Olad]:
    require_tool("olad")
    for port, proto in ((6454, "Art-Net"), (5568, "sACN")):
        if not udp_port_free(port):
            integration_unavailable(f"UDP port {port} ({proto}) is taken by another program; olad needs it")
    server = Olad()
    server.start()
    yield server
    server.stop()


def test_artnet_and_sacn_output_is_read_back_through_olad(olad, tmp_path):
    olad.patch(4, olad.input_port("ArtNet"))
    olad.patch(5, olad.input_port("E1.31"))
    hw = tmp_path / "hardware"
    (hw / "fixtures").mkdir(parents=True)
    shutil.copy(
        Path(__file__).resolve().parents[2] / "hardware" / "fixtures" / "generic-rgbw.yaml", hw / "fixtures"
    )
    (hw / "rig.yaml").write_text(
        textwrap.dedent("""\
        rig: OLA interop
        outputs:
          node: {type: artnet, host: 127.0.0.1, universe: 4, net_universe: 4}
          sacn: {type: sacn, host: 127.0.0.1, universe: 5, priority: 150}
        fixtures:
          a: {profile: generic-rgbw, mode: 6ch, universe: 4, address: 1, count: 20}
          b: {profile: generic-rgbw, mode: 6ch, universe: 5, address: 301, count: 30}
        """)
    )
    rig = load_rig(hw / "rig.yaml", tmp_path)
    assert rig.outputs["node"] == DmxOutput(
        "node", "artnet", (4,), host="127.0.0.1", udp_port=6454, net_universe=4
    )
    out = RigOutput(rig)
    out.open()
    try:
        params = {
            f"light.a{i}.{attr}": ((i * 37 + k * 11) % 100) / 99
            for i in range(1, 21)
            for k, attr in enumerate(("dimmer", "red", "green", "blue", "white", "strobe"))
        }
        params.update({"light.b.dimmer": 0.8, "light.b.blue": 1.0, "light.b17.red": 0.5})
        out.update(params, 0.0)
        expected4, expected5 = out.universe(4), out.universe(5)
        assert expected4[:6] != bytes(6) and expected5[300] == 204
        assert poll(lambda: olad.dmx(4) == expected4, timeout_s=3.0, step_s=0.05), olad.dmx(4)[:24]
        assert poll(lambda: olad.dmx(5) == expected5, timeout_s=3.0, step_s=0.05), olad.dmx(5)[300:324]
    finally:
        out.close()
