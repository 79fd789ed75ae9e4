"""QLab 5's OSC API against independent peers: liblo (oscsend/oscdump, UDP and TCP), node-osc as a remote,
and a remote on another address of the network (a network namespace) with and without the passcode."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from installation.control.osc_api import OscControlApi
from tests.control.conftest import require

PEER_WAIT_S = 10.0  # bounded wait for a peer process (real I/O, a cold npm cache)
NODE_OSC = "node-osc@11"


def free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oscsend_tool() -> str:
    tool = shutil.which("oscsend")
    require(tool is not None, "liblo's oscsend is not installed (apt-get install liblo-tools)")
    assert tool is not None
    return tool


def oscsend(target: list[str], address: str, types: str = "", *values: Any) -> None:
    """liblo's oscsend to `target` (["127.0.0.1", "53000"] or ["osc.tcp://127.0.0.1:53000"])."""
    cmd = [oscsend_tool(), *target, address]
    if types:
        cmd += [types, *(str(v) for v in values)]
    subprocess.run(cmd, check=True, timeout=PEER_WAIT_S, capture_output=True)


class Dump:
    """liblo's oscdump listening on a UDP port; lines read with a bounded wait."""

    def __init__(self) -> None:
        tool = shutil.which("oscdump")
        require(tool is not None, "liblo's oscdump is not installed (apt-get install liblo-tools)")
        assert tool is not None
        self.port = free_udp_port()
        self.proc = subprocess.Popen([tool, "-L", str(self.port)], stdout=subprocess.PIPE)
        self.sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self._pending = b""
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        """Probe until oscdump prints a message: before it binds its port, replies sent there are lost."""
        import socket

        probe = b"/ready\x00\x00,\x00\x00\x00"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for _ in range(100):
                sock.sendto(probe, ("127.0.0.1", self.port))
                if self.sel.select(0.1):
                    self.until(lambda line: line.startswith("/ready"))
                    return
        raise AssertionError(f"oscdump never started listening on udp {self.port}")

    def _line(self) -> str | None:
        """The next line, read straight from the pipe (a buffered reader would hide lines from select)."""
        assert self.proc.stdout is not None
        while b"\n" not in self._pending:
            if not self.sel.select(PEER_WAIT_S):
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        text = line.decode("utf-8", "replace").strip()
        stamp, _, rest = text.partition(" ")
        return rest if "." in stamp and not stamp.startswith("/") else text  # drop the time tag it prints

    def until(self, predicate: Any, limit: int = 50) -> list[str]:
        """Lines until one satisfies `predicate` (bounded by line count and the wait per line)."""
        lines = []
        for _ in range(limit):
            line = self._line()
            if line is None:
                break
            lines.append(line)
            if predicate(line):
                return lines
        raise AssertionError(f"oscdump never printed the line wanted; it printed {lines}")

    def close(self) -> None:
        self.sel.close()
        self.proc.terminate()
        self.proc.wait(timeout=PEER_WAIT_S)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def dump():
    d = Dump()
    yield d
    d.close()


@pytest.fixture
def open_api(fake):
    with OscControlApi(fake, port=0) as server:
        yield server


# the operator's buttons, as a QLab remote sends them, and what the show is asked to do
BUTTONS: list[tuple[str, str, tuple[Any, ...], str, tuple[Any, ...]]] = [
    ("/go", "", (), "go", ()),
    ("/go", "s", ("2",), "go", ("2",)),
    ("/stop", "", (), "stop", ()),
    ("/hardStop", "", (), "stop", (0.0,)),
    ("/panic", "", (), "panic", ()),
    ("/panicInTime", "f", (2.0,), "panic", (2.0,)),
    ("/reset", "", (), "reset_cue", ("all",)),  # every cue back, the playhead to the top
    ("/select/next", "", (), "select_cue", ("glow",)),
    ("/playhead/previous", "", (), "select_cue", ("dawn",)),
    ("/cue/2/start", "", (), "start_cue", ("glow",)),
    ("/cue/2/load", "", (), "load_cue", ("glow", 0.0)),
    ("/cue/2.5/loadAt", "f", (0.5,), "load_cue", ("ping", 0.5)),
]


@pytest.mark.integration
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_liblo_presses_the_operator_buttons_over_udp_and_tcp(open_api, fake, transport):
    port = open_api.port
    target = ["127.0.0.1", str(port)] if transport == "udp" else [f"osc.tcp://127.0.0.1:{port}"]
    for address, types, values, _, _ in BUTTONS:
        oscsend(target, address, types, *values)
    # oscsend exits once its bytes are written: the API may still be reading the last ones (over TCP each
    # send is a new connection, handled in turn); wait for them, bounded
    deadline = time.monotonic() + 10.0
    while len(fake.calls) < len(BUTTONS) and time.monotonic() < deadline:
        time.sleep(0.02)  # noqa: TID251 - polling real I/O with a deadline
    assert [(c.method, c.args) for c in fake.calls] == [(b[3], b[4]) for b in BUTTONS]
    assert all(c.source.startswith("osc:127.0.0.1:") for c in fake.calls)
    assert open_api.stats.malformed == 0


@pytest.mark.integration
def test_oscdump_reads_replies_and_updates_at_the_udp_reply_port(open_api, fake, dump):
    target = ["127.0.0.1", str(open_api.port)]
    oscsend(target, "/udpReplyPort", "i", dump.port)
    dump.until(lambda line: line.startswith("/reply/udpReplyPort"))
    oscsend(target, "/updates", "i", 1)
    dump.until(lambda line: line.startswith("/reply/updates"))
    oscsend(target, "/go", "s", "2")
    lines = dump.until(lambda line: "/playbackPosition" in line)
    ws = f"/update/workspace/{open_api.workspace_id}"
    assert any(line.startswith("/reply/go s") and '"status":"ok"' in line for line in lines)
    assert any(line.startswith(f"{ws}/cue_id/") for line in lines)
    oscsend(target, "/cue/playhead/number")  # the playhead moved past cue 2
    reply = dump.until(lambda line: line.startswith("/reply/cue/playhead/number"))[-1]
    assert '"data":"2.5"' in reply


def node_osc_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """node-osc installed with npm into a cache outside the repository (once per cache)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    require(node is not None and npm is not None,
            "node and npm are not installed (apt-get install nodejs npm)")
    assert npm is not None
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "installation-tests" / "node-osc"
    if not (cache / "node_modules" / "node-osc" / "package.json").exists():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            install = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), NODE_OSC]
            done = subprocess.run(install, capture_output=True, text=True, timeout=120, check=False)
            ok = done.returncode == 0
            why = (done.stderr or done.stdout).strip().splitlines()[-1:] if not ok else []
        except subprocess.TimeoutExpired:
            ok, why = False, ["timed out"]
        require(ok, f"npm could not install {NODE_OSC} (registry unreachable?): {' '.join(why)}")
    return cache


REMOTE_JS = r"""
import { Client, Server } from 'node-osc';
const apiPort = Number(process.argv[2]);
const replyPort = Number(process.argv[3]);
const steps = JSON.parse(process.argv[4]);
const server = new Server(replyPort, '127.0.0.1');
const client = new Client('127.0.0.1', apiPort);
const seen = [];
let waiting = null;
server.on('message', (msg) => {
  seen.push(msg);
  if (waiting && msg[0] === '/reply' + waiting.address) { const w = waiting; waiting = null; w.resolve(msg); }
});
const ask = (address, args) => new Promise((resolve, reject) => {
  waiting = { address, resolve };
  setTimeout(() => reject(new Error('no reply to ' + address)), 5000);
  client.send(address, ...args);
});
server.on('listening', async () => {
  try {
    await ask('/udpReplyPort', [replyPort]);
    for (const [address, args] of steps) { await ask(address, args); }
    console.log(JSON.stringify(seen));
  } catch (e) { console.error(String(e)); process.exitCode = 1; }
  await client.close(); server.close();
});
"""


@pytest.mark.integration
def test_a_node_osc_remote_runs_the_show_and_follows_updates(open_api, fake, tmp_path, tmp_path_factory):
    modules = node_osc_dir(tmp_path_factory)
    script = modules / "remote.mjs"  # beside its node_modules, so `import 'node-osc'` resolves
    script.write_text(REMOTE_JS)
    steps = [("/updates", [1]), ("/go", []), ("/stop", []), ("/panic", []), ("/select/next", []),
             ("/select/previous", []), ("/cue/2/start", []), ("/cue/2/load", []), ("/reset", []),
             ("/go", ["2.5"]), ("/cueLists", [])]
    done = subprocess.run(["node", str(script), str(open_api.port), str(free_udp_port()), json.dumps(steps)],
                          capture_output=True, text=True, timeout=PEER_WAIT_S * 3, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    replies = {m[0][len("/reply"):]: json.loads(m[1]) for m in seen if m[0].startswith("/reply")}
    assert all(body["status"] == "ok" for body in replies.values()), replies
    assert [(c.method, c.args) for c in fake.calls] == [
        ("go", ()), ("stop", ()), ("panic", ()), ("select_cue", ("ping",)), ("select_cue", ("glow",)),
        ("start_cue", ("glow",)), ("load_cue", ("glow", 0.0)), ("reset_cue", ("all",)), ("go", ("2.5",))]
    ws = f"/update/workspace/{open_api.workspace_id}"
    updates = [m[0] for m in seen if m[0].startswith(ws)]
    lists = replies["/cueLists"]["data"]
    ping = next(c["uniqueID"] for c in lists[0]["cues"] if c["number"] == "2.5")
    assert f"{ws}/cue_id/{ping}" in updates  # /go 2.5 started ping
    assert any(u.endswith("/playbackPosition") for u in updates)


# ---- a remote on another address of the network ----

def _ip(*args: str, ns: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = ["ip", *args] if ns is None else ["ip", "netns", "exec", ns, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=PEER_WAIT_S, check=False)


@pytest.fixture
def lan():
    """A network namespace behind a veth pair: (show's address, remote's namespace)."""
    require(shutil.which("ip") is not None, "iproute2's ip is not installed (apt-get install iproute2)")
    tag = f"{os.getpid() % 100000}"
    ns, host_if, peer_if = f"inst-osc-{tag}", f"vo{tag}a", f"vo{tag}b"
    net = f"10.231.{os.getpid() % 250}"
    made = _ip("netns", "add", ns)
    if made.returncode != 0:
        pytest.skip(f"cannot make a network namespace here (needs CAP_SYS_ADMIN): {made.stderr.strip()}")
    try:
        for step in (["link", "add", host_if, "type", "veth", "peer", "name", peer_if],
                     ["link", "set", peer_if, "netns", ns],
                     ["addr", "add", f"{net}.1/30", "dev", host_if],
                     ["link", "set", host_if, "up"]):
            result = _ip(*step)
            if result.returncode != 0:
                pytest.skip(f"cannot set up a veth pair here: ip {' '.join(step)}: {result.stderr.strip()}")
        for step in (["ip", "addr", "add", f"{net}.2/30", "dev", peer_if],
                     ["ip", "link", "set", peer_if, "up"], ["ip", "link", "set", "lo", "up"]):
            result = _ip(*step, ns=ns)
            assert result.returncode == 0, result.stderr
        yield f"{net}.1", ns
    finally:
        _ip("link", "del", host_if)
        _ip("netns", "del", ns)


REMOTE_PY = r"""
import json, socket, sys
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder
host, port, steps = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5.0)
for address, args in steps:
    b = OscMessageBuilder(address=address)
    for a in args:
        b.add_arg(a)
    s.sendto(b.build().dgram, (host, port))
    print(OscMessage(s.recv(65535)).params[0], flush=True)
"""


@pytest.mark.integration
def test_a_remote_on_the_lan_needs_the_passcode(fake, lan):
    host, ns = lan
    net = host.rsplit(".", 1)[0] + ".0/30"
    codes = {"S3cret-7": ["view", "control"]}
    with OscControlApi(fake, host=host, port=0, allow=[net], passcodes=codes) as api:
        steps = [("/go", []), ("/cueLists", []), ("/connect", ["guess"]), ("/go", []),
                 ("/connect", ["S3cret-7"]), ("/go", ["2"]), ("/runningCues", [])]
        remote = [sys.executable, "-c", REMOTE_PY, host, str(api.port), json.dumps(steps)]
        done = subprocess.run(["ip", "netns", "exec", ns, *remote], capture_output=True, text=True,
                              timeout=PEER_WAIT_S * 2, check=False)
        assert done.returncode == 0, done.stderr
        replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["status"] for r in replies] == ["denied", "denied", "ok", "denied", "ok", "ok", "ok"]
    assert replies[2]["data"] == "badpass" and replies[4]["data"] == "ok:view|control"
    assert [c["name"] for c in replies[6]["data"]] == ["glow"]
    assert [(c.method, c.args) for c in fake.calls] == [("go", ("2",))]
    assert all(c.source.startswith(f"osc:{host.rsplit('.', 1)[0]}.2:") for c in fake.calls)
