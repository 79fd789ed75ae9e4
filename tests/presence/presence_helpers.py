"""Shared test helpers for presence: a stepping clock, zones, and a scripted synthetic audience."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from installation.engine.presence import Person

ZONES = {
    "door": ((0.0, 0.3), (0.2, 0.3), (0.2, 1.0), (0.0, 1.0)),
    "screen": ((0.35, 0.6), (0.7, 0.6), (0.7, 0.95), (0.35, 0.95)),
}


class StepClock:
    """A clock that only moves when told (stands in for installation.engine.clock.VirtualClock)."""

    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def now(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


def walker(pid: int, path: Sequence[tuple[float, float, float]]):
    """A person following (t, x, y) keyframes linearly; absent before the first and after the last."""

    def at(t: float) -> Person | None:
        if t < path[0][0] or t > path[-1][0]:
            return None
        for (t0, x0, y0), (t1, x1, y1) in itertools.pairwise(path):
            if t0 <= t <= t1:
                u = (t - t0) / (t1 - t0) if t1 > t0 else 0.0
                vx, vy = ((x1 - x0) / (t1 - t0), (y1 - y0) / (t1 - t0)) if t1 > t0 else (0.0, 0.0)
                return Person(pid, x0 + (x1 - x0) * u, y0 + (y1 - y0) * u, vx=vx, vy=vy)
        return None

    return at


def crowd(*walkers):
    """`t -> people` from walkers; people with feet outside the frame are drawn but not in the truth."""

    def drawn(t: float) -> list[Person]:
        return [p for w in walkers if (p := w(t)) is not None]

    def truth(t: float) -> list[Person]:
        return [p for p in drawn(t) if 0.0 <= p.x < 1.0 and 0.0 <= p.y < 1.0]

    return truth, drawn
