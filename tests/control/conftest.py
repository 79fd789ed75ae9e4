"""Fixtures for the control surfaces: the fake show, oscsend as an independent client, a headless browser."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pythonosc.osc_message import OscMessage

from installation.control.fake import FakeController
from installation.control.osc_api import OscControlApi

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
REPLY_WAIT_S = 3.0  # bounded wait for a UDP reply (real I/O)


def require(available: bool, reason: str) -> None:
    """Skip when a real peer is missing, or fail when INSTALLATION_REQUIRE_INTEGRATION=1 (CI)."""
    if available:
        return
    if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{reason} (INSTALLATION_REQUIRE_INTEGRATION=1 forbids skipping)")
    pytest.skip(reason)


class ManualClock:
    """A clock the test moves by hand (the fake show reads it as its monotonic time)."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeController:
    return FakeController(now=clock, frames=False)


@pytest.fixture
def reply_sock() -> Iterator[socket.socket]:
    """Where the API sends its replies (the configured reply port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(REPLY_WAIT_S)
    yield sock
    sock.close()


@pytest.fixture
def api(fake: FakeController, reply_sock: socket.socket) -> Iterator[OscControlApi]:
    server = OscControlApi(fake, port=0, reply_port=reply_sock.getsockname()[1]).start()
    yield server
    server.close()


@pytest.fixture
def oscsend() -> Callable[..., None]:
    """Send one message with liblo's oscsend: oscsend(port, "/addr", "fs", 0.5, "x")."""
    tool = shutil.which("oscsend")
    require(tool is not None, "liblo's oscsend is not installed (apt-get install liblo-tools)")
    assert tool is not None

    def send(port: int, address: str, types: str = "", *values: Any) -> None:
        cmd = [tool, "127.0.0.1", str(port), address]
        if types:
            cmd += [types, *(str(v) for v in values)]
        subprocess.run(cmd, check=True, timeout=5, capture_output=True)

    return send


def read_reply(sock: socket.socket) -> tuple[str, dict[str, Any]]:
    """The next reply datagram: (address, decoded JSON body)."""
    data = sock.recv(65535)
    message = OscMessage(data)
    assert len(message.params) == 1 and isinstance(message.params[0], str)
    return message.address, json.loads(message.params[0])


@pytest.fixture
def reply() -> Callable[[socket.socket], tuple[str, dict[str, Any]]]:
    return read_reply


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never `playwright install`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(sync_playwright is not None, "playwright is not installed (pip install playwright)")
    require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (apt-get install chromium)")
    assert sync_playwright is not None
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def panel(fake: FakeController) -> Iterator[Any]:
    """The web panel on a free loopback port, serving the fake show."""
    from installation.control.web import WebPanel

    server = WebPanel(fake, port=0).start()
    yield server
    server.stop()


def http(port: int, path: str, headers: dict[str, str] | None = None, host: str = "127.0.0.1"
         ) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP/1.1 GET (the path goes on the wire exactly as given: no client-side clean-up)."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=REPLY_WAIT_S) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed: dict[str, str] = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        parsed[key.strip().lower()] = (parsed.get(key.strip().lower(), "") + " " + value.strip()).strip()
    return int(status_line.split()[1]), parsed, body


def ws_connect(port: int, **kwargs: Any) -> Any:
    """A websocket client to the panel (no proxies; short timeouts)."""
    from websockets.sync.client import connect

    return connect(f"ws://127.0.0.1:{port}/ws", proxy=None, open_timeout=REPLY_WAIT_S,
                   close_timeout=1, **kwargs)


def ws_until(conn: Any, predicate: Callable[[dict[str, Any]], bool], limit: int = 100) -> dict[str, Any]:
    """Read messages until one satisfies `predicate` (bounded by message count and the socket timeout)."""
    for _ in range(limit):
        message = json.loads(conn.recv(timeout=REPLY_WAIT_S))
        if predicate(message):
            return message
    raise AssertionError(f"no matching message in {limit}")


@pytest.fixture
def get() -> Callable[..., tuple[int, dict[str, str], bytes]]:
    return http


@pytest.fixture
def ws() -> Callable[..., Any]:
    return ws_connect


@pytest.fixture
def until() -> Callable[..., dict[str, Any]]:
    return ws_until


class OscRig:
    """The API under test, its fake show, and oscsend + the reply socket, in one handle."""

    def __init__(self, api: OscControlApi, fake: FakeController, send: Callable[..., None],
                 replies: socket.socket) -> None:
        self.api = api
        self.fake = fake
        self._send = send
        self.replies = replies

    def send(self, address: str, types: str = "", *values: Any) -> None:
        self._send(self.api.port, address, types, *values)

    def reply(self) -> tuple[str, dict[str, Any]]:
        return read_reply(self.replies)

    def ask(self, address: str, types: str = "", *values: Any) -> tuple[str, dict[str, Any]]:
        """Send with oscsend and wait for the reply."""
        self.send(address, types, *values)
        return self.reply()


@pytest.fixture
def osc(api: OscControlApi, fake: FakeController, oscsend: Callable[..., None],
        reply_sock: socket.socket) -> OscRig:
    return OscRig(api, fake, oscsend, reply_sock)
