"""What the room looks like at one instant: the snapshot presence sources send to the engine."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from installation.show.params import PRESENCE_SOURCES, ZONE_ATTRIBUTES


@dataclass(frozen=True, slots=True)
class Person:
    """One tracked visitor; positions and sizes in normalised frame coordinates (0..1, y down)."""

    id: int
    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    vx: float = 0.0  # frame widths per second
    vy: float = 0.0
    present_s: float = 0.0  # how long this id has been tracked


@dataclass(frozen=True, slots=True)
class ZoneState:
    """Occupancy of one named zone: people inside and how long it has been continuously occupied."""

    count: int = 0
    dwell_s: float = 0.0


_NO_ZONES: Mapping[str, ZoneState] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Presence:
    """A presence snapshot. `known=False` means the source is down: the show applies its fallback."""

    t: float  # clock time of the frame the snapshot describes
    count: int = 0
    people: tuple[Person, ...] = ()
    zones: Mapping[str, ZoneState] = field(default_factory=lambda: _NO_ZONES)
    motion: float = 0.0  # 0..1, fraction of the frame that moved
    known: bool = True

    @staticmethod
    def unknown(t: float) -> Presence:
        """The snapshot sent while the camera is down."""
        return Presence(t=t, known=False)

    def value(self, source: str) -> float:
        """A named scalar used by conditions and mappings (see PRESENCE_SOURCES)."""
        if source == "count":
            return float(self.count)
        if source == "motion":
            return self.motion
        if source in ("x", "y"):
            if not self.people:
                return 0.5
            vals = [p.x if source == "x" else p.y for p in self.people]
            return sum(vals) / len(vals)
        if source == "nearest":  # closeness of the nearest visitor to the camera/screen: max y
            return max((p.y for p in self.people), default=0.0)
        if source == "spread":
            if len(self.people) < 2:
                return 0.0
            mx = sum(p.x for p in self.people) / len(self.people)
            my = sum(p.y for p in self.people) / len(self.people)
            return max(math.hypot(p.x - mx, p.y - my) for p in self.people)
        if source == "stillness":  # 1 when people are present and nobody moves
            if not self.people:
                return 0.0
            speed = max(math.hypot(p.vx, p.vy) for p in self.people)
            return max(0.0, 1.0 - speed / 0.2)
        if source.startswith("zone."):
            _, zone, attr = source.split(".", 2)
            z = self.zones.get(zone, ZoneState())
            if attr == "count":
                return float(z.count)
            if attr == "occupied":
                return 1.0 if z.count > 0 else 0.0
            if attr == "dwell":
                return z.dwell_s
        raise KeyError(source)

__all__ = ["PRESENCE_SOURCES", "ZONE_ATTRIBUTES", "Person", "Presence", "ZoneState"]
