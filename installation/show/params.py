"""What a named parameter accepts (`ParamSpec`): part of the show language, used by the engine and devices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


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


# the presence values conditions and mappings can name (the engine's Presence provides them)
PRESENCE_SOURCES: Mapping[str, str] = MappingProxyType({
    "count": "people in view (0..)",
    "motion": "fraction of the frame that moved (0..1)",
    "x": "mean horizontal position of visitors (0 left .. 1 right; 0.5 when empty)",
    "y": "mean depth position of visitors (0 far .. 1 near the screen; 0.5 when empty)",
    "nearest": "closeness of the nearest visitor (0 far .. 1 at the screen)",
    "spread": "how spread out the group is (0..~0.7)",
    "stillness": "1 when visitors stand still, 0 when they move or nobody is there",
})
ZONE_ATTRIBUTES: Mapping[str, str] = MappingProxyType({
    "count": "people in the zone",
    "occupied": "1 when anyone is in the zone, else 0",
    "dwell": "seconds the zone has been continuously occupied",
})
