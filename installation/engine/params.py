"""Named parameters: the single currency between the sequencer and every adapter."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What a named parameter accepts: range, default, unit word for messages and docs."""

    name: str  # full path, e.g. "light.wash.dimmer", "audio.wind.level", "scene.hue"
    minimum: float = 0.0
    maximum: float = 1.0
    default: float = 0.0
    unit: str = ""  # "", "dB", "s", "Hz", "deg" ... shown to artists
    kind: str = "float"  # float | bool | long | color-component | choice
    choices: tuple[tuple[str, float], ...] = ()  # named values (colour wheel slots, ISF long labels)

    def clamp(self, value: float) -> float:
        return min(self.maximum, max(self.minimum, value))
