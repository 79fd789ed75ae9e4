"""The fleet: every show reports to an MQTT broker (retained state, a last will) and takes commands there."""

from __future__ import annotations

TOPIC_ROOT = "installation"


def state_topic(show_id: str) -> str:
    """Retained JSON: act, cue, open/closed, hours, health of each device, version."""
    return f"{TOPIC_ROOT}/{show_id}/state"


def status_topic(show_id: str) -> str:
    """Retained `online`, or `offline` (the broker publishes the last will when the show dies)."""
    return f"{TOPIC_ROOT}/{show_id}/status"


def command_topic(show_id: str) -> str:
    """Commands in: {"command": "go" | "stop" | "panic" | "open-now" | "close-now" | "schedule", ...}."""
    return f"{TOPIC_ROOT}/{show_id}/command"


def reply_topic(show_id: str) -> str:
    """Answers out: {"id", "command", "ok", "status", "message"}."""
    return f"{TOPIC_ROOT}/{show_id}/reply"


def parse_broker(text: str) -> tuple[str, int]:
    """`host:port` (port 1883 when left out); ValueError says what is wrong."""
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        host, port = text.strip(), "1883"
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"broker {text!r} must be HOST:PORT, e.g. 10.0.0.2:1883")
    return host.strip("[]"), int(port)
