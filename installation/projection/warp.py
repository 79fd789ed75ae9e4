"""Corner-pin (four-corner keystone) warps and the per-output settings a projector window needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Point = tuple[float, float]
IDENTITY_CORNERS: tuple[Point, Point, Point, Point] = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


def homography(src: Sequence[Point], dst: Sequence[Point]) -> np.ndarray:
    """The 3×3 projective map taking the four `src` points onto the four `dst` points."""
    rows = []
    rhs = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        rhs.extend([u, v])
    a = np.asarray(rows, dtype=np.float64)
    b = np.asarray(rhs, dtype=np.float64)
    try:
        h = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise ValueError("corner pin corners are degenerate (three in a line or two the same)") from None
    return np.append(h, 1.0).reshape(3, 3)


def apply(h: np.ndarray, point: Point) -> Point:
    """Map one point through a homography."""
    x, y, w = h @ np.array([point[0], point[1], 1.0])
    return (float(x / w), float(y / w))


@dataclass(frozen=True, slots=True)
class CornerPin:
    """Where the image's corners land in the window, as fractions (x right, y down): tl, tr, br, bl."""

    corners: tuple[Point, Point, Point, Point] = IDENTITY_CORNERS

    @staticmethod
    def parse(value: Any) -> CornerPin:
        """From `[[x, y] × 4]` (tl, tr, br, bl); ValueError naming what is wrong."""
        if (not isinstance(value, list | tuple) or len(value) != 4
                or not all(isinstance(p, list | tuple) and len(p) == 2 for p in value)):
            raise ValueError("corners must be four [x, y] pairs: "
                             "top-left, top-right, bottom-right, bottom-left")
        pts = []
        for p in value:
            try:
                x, y = float(p[0]), float(p[1])
            except (TypeError, ValueError):
                raise ValueError(f"corner {list(p)} is not two numbers") from None
            if not (-1.0 <= x <= 2.0 and -1.0 <= y <= 2.0):
                raise ValueError(f"corner {[x, y]} is far outside the window (fractions 0..1 expected)")
            pts.append((x, y))
        pin = CornerPin((pts[0], pts[1], pts[2], pts[3]))
        pin.window_to_image()  # raises for degenerate corners
        return pin

    def window_to_image(self) -> np.ndarray:
        """Homography from window coordinates (GL: 0..1, y up) to image coordinates (0..1, y up)."""
        window = [(x, 1.0 - y) for x, y in self.corners]
        image = [(0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
        return homography(window, image)

    @property
    def is_identity(self) -> bool:
        return self.corners == IDENTITY_CORNERS


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """One projector output: which monitor, fullscreen or not, its corner pin and the part of the image."""

    monitor: int | str = 0  # index in glfw's monitor list, or a monitor name
    fullscreen: bool = True
    size: tuple[int, int] = (1280, 720)  # window size when not fullscreen
    position: tuple[int, int] = (0, 0)  # window position when not fullscreen
    corners: CornerPin = field(default_factory=CornerPin)
    source: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # x0, y0, x1, y1 of the image (y down)
    name: str = "main"

    @staticmethod
    def parse(value: Mapping[str, Any], name: str = "main") -> OutputConfig:
        """From a rig/show mapping: {monitor, fullscreen, size: [w, h], position, corners, source}."""
        known = {"monitor", "fullscreen", "size", "position", "corners", "source", "name"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown output key {unknown[0]!r} (valid: {', '.join(sorted(known))})")
        monitor = value.get("monitor", 0)
        if not isinstance(monitor, int | str) or isinstance(monitor, bool):
            raise ValueError("monitor is an index (0, 1, ...) or a monitor name")
        size = tuple(value.get("size", (1280, 720)))
        position = tuple(value.get("position", (0, 0)))
        if len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size):
            raise ValueError("size is [width, height] in pixels")
        if len(position) != 2 or not all(isinstance(v, int) for v in position):
            raise ValueError("position is [x, y] in pixels")
        corners = CornerPin.parse(value["corners"]) if "corners" in value else CornerPin()
        src = tuple(float(v) for v in value.get("source", (0.0, 0.0, 1.0, 1.0)))
        if len(src) != 4 or not (0.0 <= src[0] < src[2] <= 1.0 and 0.0 <= src[1] < src[3] <= 1.0):
            raise ValueError("source is [x0, y0, x1, y1], fractions of the image with x0 < x1 and y0 < y1")
        return OutputConfig(monitor, bool(value.get("fullscreen", True)), (size[0], size[1]),
                            (position[0], position[1]), corners, (src[0], src[1], src[2], src[3]),
                            str(value.get("name", name)))

    def source_rect_gl(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the source region in GL texture coordinates (y up)."""
        x0, y0, x1, y1 = self.source
        return (x0, 1.0 - y1, x1 - x0, y1 - y0)


WARP_VS = """#version 330 core
in vec2 p; out vec2 win;
void main() { win = p * 0.5 + 0.5; gl_Position = vec4(p, 0.0, 1.0); }
"""
WARP_FS = """#version 330 core
uniform sampler2D src; uniform mat3 warp; uniform vec4 rect;
in vec2 win; out vec4 o;
void main() {
  vec3 q = warp * vec3(win, 1.0);
  vec2 s = q.xy / q.z;
  // soften the edge over about one window pixel so the keystoned border does not crawl
  vec2 px = fwidth(s);
  vec2 inside = smoothstep(-px * 0.5, px * 0.5, s) * smoothstep(-px * 0.5, px * 0.5, 1.0 - s);
  o = vec4(texture(src, rect.xy + clamp(s, 0.0, 1.0) * rect.zw).rgb * inside.x * inside.y, 1.0);
}
"""
