"""The fleet over a real Mosquitto: retained state, the last will on kill -9, commands from mosquitto_pub,
per-show ACLs, a broker restart, and `installation fleet` listing the shows with their alarms."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from installation.adapters import HealthState
from installation.control.fake import FakeController
from installation.fleet import command_topic, reply_topic, state_topic, status_topic
from installation.fleet.link import FleetLink
from installation.fleet.view import collect, table
from installation.runtime import Runtime
from tests.control.conftest import ManualClock, require
from tests.fleet.conftest import USERS, Broker, Listener
from tests.runtime.conftest import REPO, make_project, options, wait_until


def state_of(listener: Listener, show_id: str) -> dict[str, Any]:
    payload = listener.last(state_topic(show_id))
    return json.loads(payload) if payload else {}


@pytest.fixture
def show_runtime(tmp_path: Path, broker: Broker) -> Iterator[Runtime]:
    show = make_project(tmp_path / "project", name="unenclosed")
    runtime = Runtime(show, options(tmp_path / "state", log_file=False, mqtt=broker.address,
                                    mqtt_user="unenclosed",
                                    mqtt_password_file=broker.password_file("unenclosed")))
    runtime.start()
    yield runtime
    runtime.shutdown()


@pytest.fixture
def fake_link(broker: Broker) -> Iterator[Callable[..., FleetLink]]:
    made: list[FleetLink] = []

    def make(show_id: str = "other", **kw: Any) -> FleetLink:
        link = FleetLink(FakeController(now=ManualClock(), frames=False), show_id, "127.0.0.1", broker.port,
                         user=show_id, password=USERS.get(show_id, "wrong"), min_interval_s=0.02, **kw)
        link.open()
        made.append(link)
        return link

    yield make
    for link in made:
        link.close()


def test_state_is_retained_and_a_command_from_mosquitto_pub_runs_go(
    show_runtime: Runtime, broker: Broker, listen: Callable[..., Listener]
) -> None:
    tool = shutil.which("mosquitto_pub")
    require(tool is not None, "mosquitto_pub is not installed (apt-get install mosquitto-clients)")
    live = listen()
    live.subscribe("installation/unenclosed/#")
    wait_until(lambda: state_of(live, "unenclosed").get("act") == "attract", "state with the idle act")
    state = state_of(live, "unenclosed")
    assert state["open"] is True and state["version"]["installation"] and len(state["version"]["show"]) == 12
    assert {h["name"] for h in state["health"]} >= {"engine", "show", "fleet"}
    assert live.last(status_topic("unenclosed")) == b"online"

    late = listen()  # a fleet view that starts later still gets the state: it is retained
    late.subscribe(state_topic("unenclosed"))
    wait_until(lambda: late.messages, "retained state for a late subscriber")
    assert late.messages[0][2] is True

    assert tool is not None
    wait_until(show_runtime.adapters.fleet.listening.is_set, "the show listening for commands")
    subprocess.run([tool, "-h", "127.0.0.1", "-p", str(broker.port), "-u", "fleet", "-P", USERS["fleet"],
                    "-q", "1", "-t", command_topic("unenclosed"), "-m", '{"command": "go", "id": "g1"}'],
                   check=True, timeout=10)
    wait_until(lambda: state_of(live, "unenclosed").get("act") == "streets", "GO ran: act streets")
    reply = json.loads(wait_until(lambda: live.last(reply_topic("unenclosed")), "the reply"))
    assert reply == {"id": "g1", "command": "go", "ok": True, "status": "ok", "message": "GO"}
    assert show_runtime.state()["act"] == "streets"

    subprocess.run([tool, "-h", "127.0.0.1", "-p", str(broker.port), "-u", "fleet", "-P", USERS["fleet"],
                    "-q", "1", "-t", command_topic("unenclosed"), "-m", '{"command": "dance", "id": "d"}'],
                   check=True, timeout=10)
    wait_until(lambda: b'"d"' in (live.last(reply_topic("unenclosed")) or b""), "the refusal")
    refusal = json.loads(live.last(reply_topic("unenclosed")) or b"{}")
    assert refusal["ok"] is False and "unknown command 'dance'" in refusal["message"]

    entries = collect("127.0.0.1", broker.port, user="fleet", password=USERS["fleet"])
    listing = table(entries)
    assert [e.show_id for e in entries] == ["unenclosed"]
    assert "unenclosed" in listing and "online" in listing and "streets" in listing


def test_acl_refuses_another_shows_topics(broker: Broker, listen: Callable[..., Listener]) -> None:
    show = listen("unenclosed")
    assert not show.publish(state_topic("unenclosed"), "{}").is_failure
    refused = show.publish(state_topic("other"), '{"act": "forged"}')
    assert refused.is_failure and refused.value == 0x87  # Not authorized
    # mosquitto grants the subscription but never delivers another show's commands: a command to the
    # other show, then one to this show; the second arrives, the first never did
    show.subscribe(command_topic("other"))
    show.subscribe(command_topic("unenclosed"))
    operator = listen("fleet")
    operator.publish(command_topic("other"), "go")
    operator.publish(command_topic("unenclosed"), "go")
    wait_until(lambda: show.last(command_topic("unenclosed")) == b"go", "this show's command")
    assert [t for t, _, _ in show.messages] == [command_topic("unenclosed")]


def test_wrong_password_shows_in_health(fake_link: Callable[..., FleetLink]) -> None:
    link = fake_link("intruder")
    wait_until(lambda: link.health().state == HealthState.DOWN, "refused connection in health")
    assert "broker refused" in link.health().detail and "password" in link.health().detail


def test_last_will_says_offline_when_the_show_is_killed(
    broker: Broker, listen: Callable[..., Listener], tmp_path: Path
) -> None:
    script = tmp_path / "show.py"
    script.write_text(
        "import threading, time\n"
        "from installation.control.fake import FakeController\n"
        "from installation.fleet.link import FleetLink\n"
        "link = FleetLink(FakeController(now=time.monotonic, frames=False), 'other', '127.0.0.1',"
        f" {broker.port}, user='other', password={USERS['other']!r})\n"
        "link.open()\n"
        "threading.Event().wait()\n"
    )
    live = listen()
    live.subscribe(status_topic("other"))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        wait_until(lambda: live.last(status_topic("other")) == b"online", "the show online")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        wait_until(lambda: live.last(status_topic("other")) == b"offline", "the last will")
    finally:
        if proc.poll() is None:
            proc.kill()
    entries = collect("127.0.0.1", broker.port, user="fleet", password=USERS["fleet"])
    assert entries[0].online is False and entries[0].alarms[0].startswith("OFFLINE")
    assert "OFFLINE" in table(entries)


def test_the_show_reconnects_after_a_broker_restart(
    broker: Broker, fake_link: Callable[..., FleetLink], listen: Callable[..., Listener]
) -> None:
    link = fake_link("other")
    wait_until(lambda: link.health().state == HealthState.OK and link.published, "connected and published")
    broker.stop()
    wait_until(lambda: link.health().state == HealthState.DOWN, "broker loss in health")
    assert "reconnecting" in link.health().detail
    broker.start()  # same port, nothing persisted: the show must send its retained state again
    wait_until(lambda: link.health().state == HealthState.OK and link.connects >= 2, "reconnected")
    live = listen()
    live.subscribe("installation/other/#")
    wait_until(lambda: state_of(live, "other").get("show_id") == "other", "state retained again")
    assert live.last(status_topic("other")) == b"online"


def test_fleet_command_line_lists_shows_with_alarms(
    broker: Broker, fake_link: Callable[..., FleetLink], listen: Callable[..., Listener]
) -> None:
    link = fake_link("other")
    wait_until(lambda: link.published, "state published")
    out = subprocess.run(
        [sys.executable, "-m", "installation", "fleet", "--broker", broker.address, "--user", "fleet",
         "--password-file", str(broker.password_file("fleet"))],
        cwd=REPO, capture_output=True, text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    lines = out.stdout.splitlines()
    assert lines[0].split()[:5] == ["SHOW", "STATUS", "HOURS", "ACT", "CUE"]
    assert lines[1].split()[:2] == ["other", "online"]
    expected_rc = 1 if state_of_alarms(link) else 0
    assert out.returncode == expected_rc, out.stderr


def state_of_alarms(link: FleetLink) -> list[str]:
    return list(link.state_message()["alarms"])


def test_hours_overrides_arrive_as_commands_and_are_answered(
    fake_link: Callable[..., FleetLink], listen: Callable[..., Listener]
) -> None:
    link = fake_link("other")
    wait_until(link.listening.is_set, "listening for commands")
    operator = listen("fleet")
    operator.subscribe(reply_topic("other"))
    operator.publish(command_topic("other"), '{"command": "close-now", "until": "14:00", "id": "c1"}')
    operator.publish(command_topic("other"), '{"command": "schedule", "id": "s1"}')
    operator.publish(command_topic("other"), "not json {")
    wait_until(lambda: len([t for t, _, _ in operator.messages if t == reply_topic("other")]) >= 3, "replies")
    replies = [json.loads(p) for t, p, _ in operator.messages if t == reply_topic("other")]
    assert [(r["id"], r["command"]) for r in replies] == [("c1", "close-now"), ("s1", "schedule"),
                                                          (None, "not json {")]
    assert all(isinstance(r["ok"], bool) and r["message"] for r in replies)
    assert replies[2]["ok"] is False


def test_rig_file_fleet_section(tmp_path: Path) -> None:
    from installation.errors import ShowError
    from installation.rig.rigfile import load_rig

    show = make_project(tmp_path / "p")
    root = show.parent.parent
    rig = root / "hardware" / "gallery.yaml"
    base = rig.read_text()
    rig.write_text(base + "\nfleet:\n  broker: 10.0.0.2:1883\n  user: unenclosed\n"
                   "  password_file: secrets/mqtt\n")
    fleet = load_rig(rig, root).fleet
    assert fleet is not None
    assert (fleet.broker, fleet.user, fleet.password_file, fleet.show_id) == (
        "10.0.0.2:1883", "unenclosed", (root / "secrets" / "mqtt").resolve(), "")
    rig.write_text(base + "\nfleet:\n  broker: nowhere\n  password: hunter2\n")
    with pytest.raises(ShowError) as err:
        load_rig(rig, root)
    text = str(err.value)
    assert "unknown key 'password' in fleet" in text and "must be host:port" in text
