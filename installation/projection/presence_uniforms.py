"""Presence snapshots → the PRESENCE_* uniforms every scene sees, smoothed per visitor between snapshots."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from installation.engine.presence import Presence
from installation.projection.glsl import PRESENCE_MAX_PEOPLE, PRESENCE_MAX_ZONES


@dataclass
class PresenceUniforms:
    """Values for the PRESENCE_* uniforms (arrays are float32, one vec4 per row)."""

    count: int = 0
    known: int = 1
    people: np.ndarray = field(default_factory=lambda: np.zeros((PRESENCE_MAX_PEOPLE, 4), np.float32))
    tracks: np.ndarray = field(default_factory=lambda: np.zeros((PRESENCE_MAX_PEOPLE, 4), np.float32))
    motion: float = 0.0
    center: tuple[float, float] = (0.5, 0.5)
    nearest: float = 0.0
    spread: float = 0.0
    stillness: float = 0.0
    zones: np.ndarray = field(default_factory=lambda: np.zeros((PRESENCE_MAX_ZONES, 4), np.float32))


@dataclass
class _Track:
    x: float
    y: float
    w: float
    h: float
    vx: float = 0.0
    vy: float = 0.0
    present_s: float = 0.0
    weight: float = 0.0  # fades in when a visitor appears and out when they leave
    alive: bool = True
    target: tuple[float, float, float, float] | None = None  # latest snapshot position to glide to


class PresenceSmoother:
    """Keeps visitors' positions gliding between camera snapshots and fades people in and out.

    `smoothing_s` is the one-pole time constant for positions; `fade_s` how long a visitor takes to
    appear or vanish. Both 0 give the raw snapshot (what tests use).
    """

    def __init__(self, zones: Sequence[str] = (), smoothing_s: float = 0.12, fade_s: float = 0.4) -> None:
        self.zones = tuple(zones)[:PRESENCE_MAX_ZONES]
        self.smoothing_s = smoothing_s
        self.fade_s = fade_s
        self._tracks: dict[int, _Track] = {}
        self._presence: Presence | None = None
        self._last_t: float | None = None
        self._out = PresenceUniforms()

    def feed(self, presence: Presence | None) -> None:
        """Take a new snapshot (None: nobody known yet)."""
        self._presence = presence
        if presence is None:
            return
        seen = set()
        # if more people than slots, keep the nearest to the screen
        people = sorted(presence.people, key=lambda p: -p.y)[:PRESENCE_MAX_PEOPLE]
        for p in people:
            seen.add(p.id)
            track = self._tracks.get(p.id)
            if track is None:
                self._tracks[p.id] = _Track(p.x, p.y, p.w, p.h, p.vx, p.vy, p.present_s,
                                            weight=0.0 if self.fade_s > 0 else 1.0)
            else:
                track.alive = True
                track.vx, track.vy, track.present_s = p.vx, p.vy, p.present_s
                track.target = (p.x, p.y, p.w, p.h)
        for pid, track in self._tracks.items():
            if pid not in seen:
                track.alive = False
        if self.smoothing_s <= 0:
            for p in people:
                t = self._tracks[p.id]
                t.x, t.y, t.w, t.h = p.x, p.y, p.w, p.h

    def uniforms(self, now: float) -> PresenceUniforms:
        """Advance smoothing to `now` and return the uniform values."""
        dt = 0.0 if self._last_t is None else max(0.0, min(0.5, now - self._last_t))
        self._last_t = now
        alpha = 1.0 if self.smoothing_s <= 0 else 1.0 - math.exp(-dt / self.smoothing_s)
        fade = 1.0 if self.fade_s <= 0 else dt / self.fade_s
        for pid in list(self._tracks):
            t = self._tracks[pid]
            target = t.target
            if target is not None and t.alive:
                t.x += (target[0] - t.x) * alpha
                t.y += (target[1] - t.y) * alpha
                t.w += (target[2] - t.w) * alpha
                t.h += (target[3] - t.h) * alpha
            t.weight = min(1.0, t.weight + fade) if t.alive else max(0.0, t.weight - fade)
            if not t.alive and t.weight <= 0.0:
                del self._tracks[pid]
        out = self._out
        out.people[:] = 0.0
        out.tracks[:] = 0.0
        ordered = sorted(self._tracks.items())[:PRESENCE_MAX_PEOPLE]
        for slot, (_, t) in enumerate(ordered):
            out.people[slot] = (t.x, t.y, t.w, t.h)
            out.tracks[slot] = (t.vx, t.vy, t.present_s, t.weight)
        out.count = len(ordered)
        p = self._presence
        out.known = 1 if p is None or p.known else 0
        out.zones[:] = 0.0
        if p is None:
            out.motion, out.center, out.nearest, out.spread, out.stillness = 0.0, (0.5, 0.5), 0.0, 0.0, 0.0
            return out
        out.motion = float(p.motion)
        out.center = (p.value("x"), p.value("y"))
        out.nearest = p.value("nearest")
        out.spread = p.value("spread")
        out.stillness = p.value("stillness")
        for index, name in enumerate(self.zones):
            z = p.zones.get(name)
            if z is not None:
                out.zones[index] = (z.count, 1.0 if z.count > 0 else 0.0, z.dwell_s, 0.0)
        return out
