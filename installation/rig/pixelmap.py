"""Pixel mapping: each mapped head takes the projection scene's colour at its place, at the DMX rate.

A head's place in the scene is the rig's `map:` (a point, a line along a bar, a rectangle over a matrix),
else its room `position:` (the scene then covers the room plan). Everything is worked out once: a frame
costs one gather of bytes out of the scene image and one scaled copy into the DMX engine's parameter vector
(a slice when the mapped channels are contiguous there, as the channels of a strip of pixels are).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import numpy as np

from installation.rig.rigfile import Rig

log = logging.getLogger(__name__)

RGB = ("red", "green", "blue")


class PixelMap:
    """Samples a scene image (rows top to bottom, RGB or RGBA bytes) into the red/green/blue parameters of
    the heads of `targets` (fixture and group names); writes them into a parameter vector in place."""

    def __init__(self, rig: Rig, targets: Iterable[str], param_slot: Mapping[str, int]) -> None:
        places: list[tuple[float, float]] = []
        slots: list[int] = []
        self.heads: list[str] = []
        self.unplaced: list[str] = []
        seen: set[str] = set()
        for target in targets:
            for fx in rig.members(target):
                for prefix, room, scene in fx.pixels():
                    place = scene if scene is not None else room
                    if prefix in seen:
                        continue
                    seen.add(prefix)
                    names = [f"{prefix}.{c}" for c in RGB]
                    if place is None or not all(n in param_slot for n in names):
                        self.unplaced.append(prefix)
                        continue
                    self.heads.append(prefix)
                    places.append(place)
                    slots += [param_slot[n] for n in names]
        if self.unplaced:
            log.warning(
                "pixel map: %d heads without map:/position: (or red/green/blue) left out, e.g. %s",
                len(self.unplaced),
                self.unplaced[0],
            )
        self._places = np.clip(np.asarray(places, dtype=np.float64).reshape(-1, 2), 0.0, 1.0)
        dst = np.asarray(slots, dtype=np.intp)
        self._order = np.argsort(dst, kind="stable")  # sample in the order the vector stores them
        self._dst = dst[self._order]
        n = len(self._dst)
        self._run: slice | None = None
        if n and np.array_equal(self._dst, np.arange(self._dst[0], self._dst[0] + n)):
            self._run = slice(int(self._dst[0]), int(self._dst[0]) + n)
        self._src = np.zeros(n, dtype=np.intp)
        self._bytes = np.zeros(n, dtype=np.uint8)
        self._values = np.zeros(n, dtype=np.float32)
        self._shape: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.heads)

    def _prepare(self, shape: tuple[int, ...]) -> None:
        """Byte offsets of every sampled channel in an image of this shape (once per image size)."""
        h, w, depth = shape
        x = np.minimum((self._places[:, 0] * w).astype(np.intp), w - 1)
        y = np.minimum((self._places[:, 1] * h).astype(np.intp), h - 1)
        base = (y * w + x) * depth
        src = (base[:, None] + np.arange(3, dtype=np.intp)[None, :]).reshape(-1)
        self._src = np.ascontiguousarray(src[self._order])
        self._shape = shape

    def apply(self, image: np.ndarray, vector: np.ndarray) -> None:
        """Each head's red/green/blue ← the image's colour at its place (0..1), written into `vector`."""
        if not len(self._dst):
            return
        if image.shape != self._shape:
            if image.ndim != 3 or image.shape[2] not in (3, 4) or image.dtype != np.uint8:
                raise ValueError(
                    f"pixel map: expected an (h, w, 3|4) uint8 image, got {image.shape} {image.dtype}"
                )
            self._prepare(image.shape)
        flat = image.reshape(-1)  # a view for a contiguous image
        np.take(flat, self._src, out=self._bytes)
        if self._run is not None and vector.dtype == np.float32:
            np.multiply(self._bytes, np.float32(1 / 255), out=vector[self._run])
        else:
            np.multiply(self._bytes, np.float32(1 / 255), out=self._values)
            vector[self._dst] = self._values
