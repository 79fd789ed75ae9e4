"""A small JPEG of the camera's latest frame for the panel's room view, made a few times a second at most.

Use it as a presence feed's frame sink (`FrameFeed.frame_sink = thumb`: called with every frame and its
clock time on the camera thread) and serve `thumb.jpeg()` as `Controller.camera_frame()`.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

log = logging.getLogger(__name__)

THUMB_WIDTH = 320  # pixels: enough to see people and zones on a tablet, cheap to encode and send
THUMB_EVERY_S = 0.25  # the panel fetches the picture 4 times a second
JPEG_QUALITY = 70


class CameraThumbnail:
    """Keeps a downscaled JPEG of the newest frame; encodes at most once per `every_s` of clock time."""

    def __init__(self, width: int = THUMB_WIDTH, every_s: float = THUMB_EVERY_S,
                 quality: int = JPEG_QUALITY) -> None:
        self.width = width
        self.every_s = every_s
        self.quality = quality
        self._jpeg: bytes | None = None
        self._last_t: float | None = None
        self._lock = threading.Lock()
        self._failed = False
        self.encoded = 0

    def __call__(self, frame: np.ndarray, t: float) -> None:
        """A new camera frame taken at clock time `t` (BGR or grey, any size)."""
        if self._last_t is not None and 0.0 <= t - self._last_t < self.every_s:
            return
        self._last_t = t
        try:
            data = self.encode(frame)
        except Exception as exc:  # never disturb the camera thread; the panel shows no picture
            if not self._failed:
                log.warning("camera thumbnail: cannot encode a frame (%s); the panel shows no picture", exc)
                self._failed = True
            return
        with self._lock:
            self._jpeg = data
        self.encoded += 1

    def encode(self, frame: np.ndarray) -> bytes:
        """The frame scaled to `width` (aspect kept) as JPEG bytes."""
        import cv2

        h, w = frame.shape[:2]
        if w > self.width:
            size = (self.width, max(1, round(h * self.width / w)))
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise ValueError("cv2.imencode refused the frame")
        return buf.tobytes()

    def jpeg(self) -> bytes | None:
        """The newest thumbnail, or None before the first frame."""
        with self._lock:
            return self._jpeg

    def clear(self) -> None:
        """Forget the picture (the camera closed: the panel must not show a stale room)."""
        with self._lock:
            self._jpeg = None
        self._last_t = None
