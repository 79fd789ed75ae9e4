"""A real Mosquitto broker per test: its own config on a free port, password authentication, per-show ACLs."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.control.conftest import require
from tests.runtime.conftest import DEADLINE_S, wait_until

USERS = {"unenclosed": "pw-unenclosed", "other": "pw-other", "fleet": "pw-fleet"}
# a show's user is named as the show: it may write its state, status and replies and read its commands only
ACL = """\
pattern write installation/%u/state
pattern write installation/%u/status
pattern write installation/%u/reply
pattern read installation/%u/command
user fleet
topic read installation/#
topic write installation/+/command
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """mosquitto with a config of the test's own; `restart()` keeps the port (nothing persisted)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        passwd = folder / "passwd"
        for i, (user, password) in enumerate(USERS.items()):
            args = ["mosquitto_passwd", "-b", *(["-c"] if i == 0 else []), str(passwd), user, password]
            subprocess.run(args, check=True, capture_output=True)
            (folder / f"{user}.password").write_text(password + "\n")
        (folder / "acl").write_text(ACL)
        (folder / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {passwd}\n"
            f"acl_file {folder / 'acl'}\n"
            "persistence false\n"
            "user root\n"
            f"log_dest file {folder / 'mosquitto.log'}\n"
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.folder / "mosquitto.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + DEADLINE_S
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            if self.proc.poll() is not None:
                log = self.folder / "mosquitto.log"
                pytest.fail(f"mosquitto exited: {log.read_text() if log.exists() else '(no log)'}")
            if time.monotonic() > deadline:
                pytest.fail("mosquitto did not listen in time")
            time.sleep(0.02)  # noqa: TID251 - polling a real port with a deadline

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=DEADLINE_S)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def password_file(self, user: str) -> Path:
        return self.folder / f"{user}.password"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    require(shutil.which("mosquitto") is not None and shutil.which("mosquitto_passwd") is not None,
            "mosquitto is not installed (apt-get install mosquitto)")
    folder = tmp_path / "broker"
    folder.mkdir()
    b = Broker(folder)
    b.start()
    yield b
    b.stop()


class Listener:
    """An MQTT v5 client of the test's own: every message it receives, by topic (retained ones too)."""

    def __init__(self, broker: Broker, user: str = "fleet") -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.acks: dict[int, Any] = {}
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(user, USERS[user])
        self.client.on_message = lambda _c, _u, m: self.messages.append((m.topic, bytes(m.payload), m.retain))
        self.client.on_subscribe = lambda _c, _u, mid, codes, _p: self.acks.__setitem__(mid, codes)
        self.client.on_publish = lambda _c, _u, mid, code, _p: self.acks.__setitem__(mid, code)
        self.client.connect("127.0.0.1", broker.port, keepalive=10)
        self.client.loop_start()

    def subscribe(self, topic: str) -> Any:
        _, mid = self.client.subscribe(topic, qos=1)
        assert mid is not None
        return wait_until(lambda: self.acks.get(mid), f"SUBACK for {topic}")

    def publish(self, topic: str, payload: str) -> Any:
        info = self.client.publish(topic, payload, qos=1)
        return wait_until(lambda: self.acks.get(info.mid), f"PUBACK for {topic}")

    def last(self, topic: str) -> bytes | None:
        found = [p for t, p, _ in self.messages if t == topic]
        return found[-1] if found else None

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def listen(broker: Broker) -> Iterator[Callable[..., Listener]]:
    made: list[Listener] = []

    def make(user: str = "fleet") -> Listener:
        listener = Listener(broker, user)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.stop()
