"""A show's link to the fleet broker: retained state and a last will out, operator commands in.

paho-mqtt's own network thread keeps the connection and reconnects with backoff; a publisher thread sends
the state when it changes (at most every `min_interval_s`, and every `refresh_s` anyway); commands run on a
worker thread, so a slow engine answer never holds up the network thread. Nothing here is on the engine's
path: a broker that is down shows in health and the show carries on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from installation import __version__
from installation.adapters import Adapter, Health, HealthState
from installation.fleet import command_topic, reply_topic, state_topic, status_topic

log = logging.getLogger(__name__)

COMMANDS = ("go", "stop", "panic", "open-now", "close-now", "schedule")
KEEPALIVE_S = 10
RECONNECT_S = (1, 30)  # paho's reconnect backoff: from 1 s, doubling to 30 s
SOURCE = "fleet"


def content_version(data: bytes) -> str:
    """The show's content hash as the fleet shows it (12 hex digits of SHA-256)."""
    return hashlib.sha256(data).hexdigest()[:12]


def alarms_of(health: list[dict[str, Any]]) -> list[str]:
    """`name: detail` for every device that is degraded or down."""
    return [f"{h['name']}: {h.get('detail', '')}".rstrip(": ") for h in health
            if h.get("state") in ("degraded", "down")]


class FleetLink(Adapter):
    """Publishes a show's state to `installation/<id>/state` and runs commands from `.../command`."""

    def __init__(
        self,
        controller: Any,
        show_id: str,
        host: str,
        port: int,
        *,
        user: str = "",
        password: str | None = None,
        show_version: str = "",
        now: Callable[[], float] = time.monotonic,
        min_interval_s: float = 0.2,
        refresh_s: float = 5.0,
    ) -> None:
        self.name = "fleet"
        self.controller = controller
        self.show_id = show_id
        self.host, self.port = host, port
        self.show_version = show_version
        self._now = now
        self.min_interval_s = min_interval_s
        self.refresh_s = refresh_s
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"installation-{show_id}",
                                  protocol=mqtt.MQTTv5)
        if user:
            self.client.username_pw_set(user, password)  # the password is never logged
        self.client.will_set(status_topic(show_id), "offline", qos=1, retain=True)
        self.client.reconnect_delay_set(*RECONNECT_S)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.connected = threading.Event()
        self.listening = threading.Event()  # the broker acknowledged the command subscription
        self.connects = 0
        self._refused = False
        self.published = 0  # state messages sent (tests and the bench wait on it)
        self._last_payload = ""
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._commands: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._health = Health(self.name, HealthState.DEGRADED, f"connecting to {host}:{port}", now())

    # ------------------------------------------------------------------------------ lifecycle
    def open(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        self.client.connect_async(self.host, self.port, keepalive=KEEPALIVE_S)
        self.client.loop_start()
        self._unsubscribe = self.controller.subscribe(self._on_event)
        for name, target in (("publish", self._publish_loop), ("commands", self._command_loop)):
            thread = threading.Thread(target=target, name=f"fleet-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("fleet: reporting as %r to %s:%d", self.show_id, self.host, self.port)

    def close(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._dirty.set()
        self._commands.put(None)
        if self._unsubscribe is not None:
            self._unsubscribe()
        for thread in self._threads:
            thread.join(timeout=3.0)
        self._threads = []
        if self.connected.is_set():
            # a clean stop says so itself (the will is only for a death); waited for, briefly
            info = self.client.publish(status_topic(self.show_id), "offline", qos=1, retain=True)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout=1.0)
        self.client.disconnect()
        self.client.loop_stop()

    def health(self) -> Health:
        return self._health

    def _set_health(self, state: HealthState, detail: str, error: str = "") -> None:
        old = self._health
        since = old.since if old.state == state else self._now()
        self._health = Health(self.name, state, detail, since, error or old.last_error)

    # ------------------------------------------------------------------------------ paho callbacks
    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode,
                    _props: Properties | None) -> None:
        if reason.is_failure:
            why = str(reason)
            fix = ("check the fleet user and password file" if reason.value in (0x86, 0x87)
                   else "check the broker")
            log.error("fleet: broker %s:%d refused the connection: %s (%s)", self.host, self.port, why, fix)
            self._set_health(HealthState.DOWN, f"broker refused: {why} — {fix}", why)
            self._refused = True
            return
        self._refused = False
        self.connects += 1
        self.connected.set()
        if self.connects > 1:
            log.info("fleet: reconnected to %s:%d", self.host, self.port)
        client.publish(status_topic(self.show_id), "online", qos=1, retain=True)
        client.subscribe(command_topic(self.show_id), qos=1)
        self._last_payload = ""  # the broker may have lost the retained state (a restart): send it again
        self._dirty.set()
        self._set_health(HealthState.OK, f"{self.host}:{self.port} as {self.show_id}")

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: list[ReasonCode],
                      _props: Properties | None) -> None:
        if any(r.is_failure for r in reasons):
            log.error("fleet: the broker refused the command subscription (%s): check the ACL",
                      ", ".join(str(r) for r in reasons))
            return
        self.listening.set()

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode,
                       _props: Properties | None) -> None:
        self.connected.clear()
        self.listening.clear()
        if self._stopping.is_set() or self._refused:  # a refusal stays in health as it was said
            return
        why = str(reason)
        log.warning("fleet: lost the broker %s:%d (%s); reconnecting", self.host, self.port, why)
        self._set_health(HealthState.DOWN, f"broker {self.host}:{self.port} unreachable ({why}); "
                         "reconnecting — the show carries on", why)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            text = message.payload.decode("utf-8").strip()
            body: dict[str, Any] = json.loads(text) if text.startswith("{") else {"command": text}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._reply({}, False, "error", f"not a command: {exc}")
            return
        if not isinstance(body, dict):
            self._reply({}, False, "error", "a command is a JSON object or a word (go, stop, panic)")
            return
        self._commands.put((str(body.get("command", "")), body))

    def _on_event(self, kind: str) -> None:
        if kind in ("state", "health"):
            self._dirty.set()

    # ------------------------------------------------------------------------------ threads
    def _command_loop(self) -> None:
        while True:
            item = self._commands.get()
            if item is None:
                return
            name, body = item
            try:
                result = self._run(name, body)
            except Exception as exc:  # a bad command never ends the worker
                log.exception("fleet: command %r failed", name)
                self._reply(body, False, "error", f"{name}: {exc}")
                continue
            self._reply(body, result.ok, result.status, result.message)
            self._dirty.set()

    def _run(self, name: str, body: dict[str, Any]) -> Any:
        from installation.control.protocol import Result

        c = self.controller
        until = str(body.get("until", ""))
        match name:
            case "go":
                return c.go(source=SOURCE)
            case "stop":
                return c.stop(source=SOURCE)
            case "panic":
                return c.panic(source=SOURCE)
            case "open-now":
                return c.hours_open(until, source=SOURCE)
            case "close-now":
                return c.hours_close(until, source=SOURCE)
            case "schedule":
                return c.hours_schedule(source=SOURCE)
        return Result.error(f"unknown command {name!r} (valid: {', '.join(COMMANDS)})")

    def _reply(self, body: dict[str, Any], ok: bool, status: str, message: str) -> None:
        answer = {"id": body.get("id"), "command": body.get("command"), "ok": ok, "status": status,
                  "message": message}
        log.info("fleet: %s → %s: %s", body.get("command"), status, message)
        self.client.publish(reply_topic(self.show_id), json.dumps(answer), qos=1)

    def _publish_loop(self) -> None:
        while not self._stopping.is_set():
            self._dirty.wait(self.refresh_s)
            self._dirty.clear()
            if self._stopping.is_set():
                return
            if self.connected.is_set():
                self._publish_state()
            self._stopping.wait(self.min_interval_s)  # at most 1/min_interval_s messages a second

    def state_message(self) -> dict[str, Any]:
        """The retained state: what the fleet view lists for this show."""
        st = self.controller.state()
        health = [dict(h) for h in self.controller.health()]
        running = [c["name"] for c in st.get("cues", []) if c.get("state") in ("running", "paused")]
        hours = st.get("hours") or {}
        return {
            "show_id": self.show_id,
            "show": st.get("show", ""),
            "mode": st.get("mode", ""),
            "open": bool(st.get("open", False)),
            "act": st.get("act", ""),
            "cue": st.get("selected") or "",
            "running": running,
            "panicked": bool(st.get("panicked", False)),
            "hours": hours.get("status", "") if isinstance(hours, dict) else str(hours),
            # a healthy device's detail changes all the time (ages, rates): only problems carry one
            "health": [{"name": h["name"], "state": h["state"],
                        "detail": h["detail"] if h["state"] in ("degraded", "down") else ""} for h in health],
            "alarms": alarms_of(health),
            "version": {"installation": __version__, "show": self.show_version},
        }

    def _publish_state(self) -> None:
        try:
            message = self.state_message()
        except Exception as exc:  # never take the show down for a report
            log.error("fleet: building the state failed: %s", exc)
            return
        payload = json.dumps(message, sort_keys=True)
        if payload == self._last_payload:
            return
        info = self.client.publish(state_topic(self.show_id), payload, qos=1, retain=True)
        if info.rc == mqtt.MQTT_ERR_SUCCESS:
            self._last_payload = payload
            self.published += 1
