"""`installation fleet`: every show on the broker with its alarms, once or as it changes."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from installation.fleet import TOPIC_ROOT, parse_broker

SETTLE_S = 0.5  # one-shot: retained messages arrive at once; stop this long after the last one


@dataclass
class ShowEntry:
    """One show as the fleet sees it: its last retained state and whether it is online."""

    show_id: str
    online: bool | None = None  # None: no status message yet
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def alarms(self) -> list[str]:
        out = list(self.state.get("alarms", []))
        if self.online is False:
            out.insert(0, "OFFLINE (the show process or its machine is gone)")
        return out


class Fleet:
    """A subscriber to every show's state and status; `shows` is kept current by paho's thread."""

    def __init__(self, host: str, port: int, *, user: str = "", password: str | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.host, self.port = host, port
        self.shows: dict[str, ShowEntry] = {}
        self.lock = threading.Lock()
        self.on_change = on_change
        self.last_message = time.monotonic()
        self.subscribed = threading.Event()
        self.error = ""
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if user:
            self.client.username_pw_set(user, password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def start(self) -> None:
        self.client.connect(self.host, self.port, keepalive=10)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode,
                    _p: Properties | None) -> None:
        if reason.is_failure:
            self.error = f"the broker refused the connection: {reason}"
            self.subscribed.set()
            return
        client.subscribe([(f"{TOPIC_ROOT}/+/state", 1), (f"{TOPIC_ROOT}/+/status", 1)])

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, reasons: list[ReasonCode],
                      _p: Properties | None) -> None:
        refused = [str(r) for r in reasons if r.is_failure]
        if refused:
            self.error = f"the broker refused the subscription ({', '.join(refused)}): check the user's ACL"
        self.last_message = time.monotonic()
        self.subscribed.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        parts = message.topic.split("/")
        if len(parts) != 3:
            return
        show_id, kind = parts[1], parts[2]
        text = message.payload.decode("utf-8", errors="replace")
        with self.lock:
            entry = self.shows.setdefault(show_id, ShowEntry(show_id))
            if kind == "status":
                entry.online = text == "online" if text else None
            elif kind == "state":
                try:
                    state = json.loads(text) if text else {}
                except json.JSONDecodeError:
                    state = {"alarms": [f"unreadable state: {text[:40]!r}"]}
                entry.state = state if isinstance(state, dict) else {}
            self.last_message = time.monotonic()
        if self.on_change is not None:
            self.on_change()

    def snapshot(self) -> list[ShowEntry]:
        with self.lock:
            return [ShowEntry(e.show_id, e.online, dict(e.state)) for _, e in sorted(self.shows.items())]


def table(entries: list[ShowEntry]) -> str:
    """The fleet as a text table: show, online, open/closed, act, cue, alarms."""
    rows = [("SHOW", "STATUS", "HOURS", "ACT", "CUE", "ALARMS")]
    for e in entries:
        st = e.state
        status = {True: "online", False: "OFFLINE", None: "?"}[e.online]
        hours = ("open" if st.get("open") else "closed") if st else "-"
        alarms = e.alarms
        rows.append((e.show_id, status, hours, str(st.get("act") or "-"), str(st.get("cue") or "-"),
                     "; ".join(alarms) if alarms else "none"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5] for r in rows]
    if not entries:
        lines.append("(no show has reported to this broker)")
    return "\n".join(line.rstrip() for line in lines)


def collect(host: str, port: int, *, user: str = "", password: str | None = None,
            settle_s: float = SETTLE_S, timeout_s: float = 10.0) -> list[ShowEntry]:
    """Every show's retained state and status, read once (after the retained messages stop arriving)."""
    fleet = Fleet(host, port, user=user, password=password)
    fleet.start()
    try:
        if not fleet.subscribed.wait(timeout_s):
            raise ConnectionError(f"no answer from the broker {host}:{port} within {timeout_s:g} s")
        if fleet.error:
            raise ConnectionError(fleet.error)
        quiet = threading.Event()
        while not quiet.wait(settle_s / 5):
            if time.monotonic() - fleet.last_message >= settle_s:
                break
        return fleet.snapshot()
    finally:
        fleet.stop()


def watch(host: str, port: int, out: TextIO, *, user: str = "", password: str | None = None,
          duration_s: float | None = None) -> None:
    """Print the table again whenever a show changes (until interrupted or `duration_s`)."""
    changed = threading.Event()
    fleet = Fleet(host, port, user=user, password=password, on_change=changed.set)
    fleet.start()
    deadline = None if duration_s is None else time.monotonic() + duration_s
    try:
        while deadline is None or time.monotonic() < deadline:
            if changed.wait(0.5):
                changed.clear()
                changed.wait(0.1)  # a burst of retained messages: one table
                changed.clear()
                out.write(table(fleet.snapshot()) + "\n\n")
                out.flush()
    finally:
        fleet.stop()


def add_parser(sub: Any) -> None:
    p = sub.add_parser("fleet", help="list every show on an MQTT broker with its alarms")
    p.add_argument("--broker", required=True, metavar="HOST:PORT")
    p.add_argument("--user", default="", help="MQTT user (one allowed to read installation/#)")
    p.add_argument("--password-file", default=None, metavar="FILE", help="the MQTT password, first line")
    p.add_argument("--watch", action="store_true", help="print the table again at every change")
    p.add_argument("--duration", type=float, default=None, help="watch for this many seconds")
    p.set_defaults(func=cmd_fleet)


def cmd_fleet(args: argparse.Namespace) -> int:
    try:
        host, port = parse_broker(args.broker)
        password = (Path(args.password_file).read_text(encoding="utf-8").splitlines() or [""])[0] \
            if args.password_file else None
    except (ValueError, OSError) as exc:
        print(f"installation fleet: {exc}", file=sys.stderr)
        return 2
    try:
        if args.watch:
            watch(host, port, sys.stdout, user=args.user, password=password, duration_s=args.duration)
            return 0
        entries = collect(host, port, user=args.user, password=password)
    except (ConnectionError, OSError) as exc:
        print(f"installation fleet: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    print(table(entries))
    return 1 if any(e.alarms for e in entries) else 0
