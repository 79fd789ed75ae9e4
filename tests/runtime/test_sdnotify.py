"""sd_notify over a real AF_UNIX datagram socket: READY, WATCHDOG from the engine loop, STATUS."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from installation.runtime import Runtime
from installation.runtime.sdnotify import Notifier
from tests.runtime.conftest import wait_until


class NotifySocket:
    """systemd's end: a datagram socket that collects what the service sends."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(b"\0" + address[1:].encode() if address.startswith("@") else address)
        self.sock.settimeout(0.05)
        self.messages: list[str] = []

    def poll(self) -> list[str]:
        """Every datagram that has arrived so far (real I/O, read without waiting for more)."""
        try:
            while True:
                self.messages.append(self.sock.recv(4096).decode())
        except (TimeoutError, BlockingIOError):
            pass
        return self.messages

    def fields(self) -> list[str]:
        return [f for m in self.poll() for f in m.split("\n")]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["path", "abstract"])
def notify_socket(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NotifySocket]:
    abstract = f"@installation-test-{uuid.uuid4().hex}"
    address = str(tmp_path / "notify") if request.param == "path" else abstract
    sock = NotifySocket(address)
    yield sock
    sock.close()


def test_notifier_sends_ready_status_and_watchdog_datagrams(notify_socket: NotifySocket) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "3000000"})
    assert notifier.enabled and notifier.watchdog_s == 3.0
    assert notifier.ready("act attract")
    assert notifier.watchdog()
    assert notifier.status("act streets,\n 12 s in")
    assert not notifier.status("act streets, 12 s in")  # unchanged: not sent again
    assert notifier.stopping()
    notifier.close()
    got = wait_until(lambda: len(notify_socket.poll()) >= 4 and notify_socket.messages, "four datagrams")
    assert got == ["READY=1\nSTATUS=act attract", "WATCHDOG=1", "STATUS=act streets, 12 s in", "STOPPING=1"]


def test_notifier_is_silent_without_systemd_and_never_raises(tmp_path: Path) -> None:
    assert not Notifier({}).enabled
    assert Notifier({}).ready() is False
    gone = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    assert gone.enabled and gone.watchdog() is False  # logged once, not raised
    gone.close()
    elsewhere = {"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getpid() + 1)}
    other = Notifier(elsewhere)
    assert other.watchdog_s is None  # the watchdog is meant for another process


@pytest.fixture
def systemd_env(notify_socket: NotifySocket, monkeypatch: pytest.MonkeyPatch) -> NotifySocket:
    monkeypatch.setenv("NOTIFY_SOCKET", notify_socket.address)
    monkeypatch.setenv("WATCHDOG_USEC", "300000")  # 0.3 s: pings every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    return notify_socket


@pytest.mark.parametrize("notify_socket", ["abstract"], indirect=True)
def test_runtime_notifies_ready_then_pings_from_the_engine_loop_and_stops_when_it_hangs(
    project: Path, systemd_env: NotifySocket, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project, notify=True)
    fields = wait_until(lambda: "READY=1" in systemd_env.fields() and systemd_env.fields(), "READY=1")
    ready_at = fields.index("READY=1")
    assert fields[ready_at + 1].startswith("STATUS=Runtime Test: act attract")
    wait_until(lambda: systemd_env.fields().count("WATCHDOG=1") >= 3, "watchdog pings from the engine loop")

    # a hung engine loop: the pings stop (systemd would kill and restart the service)
    release = threading.Event()
    hung = threading.Event()

    def hang() -> None:
        hung.set()
        release.wait(30.0)

    runtime.engine_stall_s = 0.5
    runtime.loop.call_soon_threadsafe(hang)
    try:
        wait_until(hung.is_set, "the engine loop to hang")
        pings = systemd_env.fields().count("WATCHDOG=1")
        wait_until(lambda: {h["name"]: h for h in runtime.health()}["engine"]["state"] == "down",
                   "the engine reported down")
        assert systemd_env.fields().count("WATCHDOG=1") == pings
    finally:
        release.set()
    wait_until(lambda: systemd_env.fields().count("WATCHDOG=1") > pings, "pings again once the loop runs")
    runtime.go(source="test")
    wait_until(lambda: any(f.startswith("STATUS=Runtime Test: act streets") for f in systemd_env.fields()),
               "STATUS with the new act")
