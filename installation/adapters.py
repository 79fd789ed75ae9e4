"""The shape every adapter shares: open/close, a health report, and a public update that calls a hook."""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass


class HealthState(enum.Enum):
    OK = "ok"
    DEGRADED = "degraded"  # running, but retrying or dropping
    DOWN = "down"  # not delivering; being retried with backoff
    OFF = "off"  # not configured for this show / mode


@dataclass(frozen=True, slots=True)
class Health:
    """An adapter's health as the panel and /health show it."""

    name: str  # "camera", "audio", "dmx:artnet-1", "osc:media-server", "serial:fan"
    state: HealthState
    detail: str = ""  # one line: what is wrong and what to do
    since: float = 0.0  # clock time of the last state change
    last_error: str = ""


class Adapter(abc.ABC):
    """Base of rig outputs, audio, projection and presence sources."""

    name: str = "adapter"

    @abc.abstractmethod
    def open(self) -> None:
        """Acquire the device; must not raise for a missing device: report it through health()."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release everything; idempotent."""

    @abc.abstractmethod
    def health(self) -> Health:
        """Current health; cheap, callable from any thread."""
