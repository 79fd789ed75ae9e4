"""Zones and masks: named polygons in normalised frame coordinates (x right, y down), tests and rasters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

Point = tuple[float, float]
Polygon = tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Zone:
    """A named floor region; a visitor is in it when their position (feet) lies inside the polygon."""

    name: str
    polygon: Polygon

    def contains(self, x: float, y: float) -> bool:
        """True when the point (feet) lies inside the zone."""
        return point_in_polygon(x, y, self.polygon)


def point_in_polygon(x: float, y: float, polygon: Sequence[Point]) -> bool:
    """Even-odd rule; points on the left/top edges count as inside, right/bottom edges as outside."""
    inside = False
    n = len(polygon)
    if n < 3:
        return False
    x0, y0 = polygon[-1]
    for x1, y1 in polygon:
        if (y1 > y) != (y0 > y):
            x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if x < x_cross:
                inside = not inside
        x0, y0 = x1, y1
    return inside


def make_zones(zones: Mapping[str, Sequence[Sequence[float]]] | Iterable[Zone]) -> tuple[Zone, ...]:
    """Zones from a `{name: [[x, y], ...]}` mapping (as in the show file) or from Zone objects."""
    if isinstance(zones, Mapping):
        return tuple(Zone(str(name), as_polygon(poly)) for name, poly in zones.items())
    return tuple(zones)


def as_polygon(points: Sequence[Sequence[float]]) -> Polygon:
    """A polygon as a tuple of float pairs; raises ValueError with a readable reason."""
    if len(points) < 3:
        raise ValueError(f"a polygon needs at least 3 points, got {len(points)}")
    out = []
    for p in points:
        if len(p) != 2:
            raise ValueError(f"a point is [x, y], got {list(p)!r}")
        x, y = float(p[0]), float(p[1])
        if not (-0.001 <= x <= 1.001 and -0.001 <= y <= 1.001):
            raise ValueError(f"point [{x}, {y}] is outside the frame (coordinates are 0..1)")
        out.append((x, y))
    return tuple(out)


def rasterise(polygons: Iterable[Sequence[Point]], width: int, height: int) -> np.ndarray:
    """A uint8 image of the given size, 255 inside any polygon, 0 elsewhere."""
    img = np.zeros((height, width), np.uint8)
    pts = [np.round(np.array(p, np.float64) * (width, height)).astype(np.int32) for p in polygons]
    if pts:
        cv2.fillPoly(img, pts, 255)
    return img


def keep_mask(ignore: Iterable[Sequence[Point]], width: int, height: int) -> np.ndarray:
    """The complement of the ignore polygons: 255 where detection runs, 0 where it is masked off."""
    return cv2.bitwise_not(rasterise(ignore, width, height))
