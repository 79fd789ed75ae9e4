"""Frame sources: a camera (index or device path), a video file (looped or not), a network stream."""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from installation.errors import DeviceError

log = logging.getLogger(__name__)


class SourceEnded(DeviceError):
    """A finite source (a video file that does not loop) has no more frames."""


class FrameSource(abc.ABC):
    """Delivers BGR (or grey) frames. `open` raises DeviceError naming the device and a fix."""

    #: seconds between frames when the caller must pace reads (files, synthetic); None when read() blocks
    #: until the device has a frame (cameras, streams).
    period_s: float | None = None

    @abc.abstractmethod
    def describe(self) -> str:
        """One line naming the source, e.g. `camera 0` or `file media/room.mp4`."""

    @abc.abstractmethod
    def open(self) -> None:
        """Acquire the device; raises DeviceError."""

    @abc.abstractmethod
    def read(self) -> np.ndarray | None:
        """The next frame; None when the device stopped delivering (the caller reports and retries)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the device; idempotent."""


class _CaptureSource(FrameSource):
    """Shared code of sources read through cv2.VideoCapture."""

    def __init__(self) -> None:
        self._cap: cv2.VideoCapture | None = None

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class CameraSource(_CaptureSource):
    """A local camera by index (0) or device path (/dev/video0)."""

    def __init__(
        self,
        device: int | str = 0,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
    ) -> None:
        super().__init__()
        self.device = int(device) if isinstance(device, str) and device.isdigit() else device
        self.width, self.height, self.fps = width, height, fps

    def describe(self) -> str:
        return f"camera {self.device}"

    def open(self) -> None:
        self.close()
        cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            raise DeviceError(
                f"{self.describe()}: cannot open (check the cable and that no other program "
                "uses it; list cameras with `ls /dev/video*`; set presence.camera in the show)"
            )
        if self.width and self.height:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps:
            cap.set(cv2.CAP_PROP_FPS, self.fps)
        self._cap = cap
        log.info(
            "%s opened (%dx%d)",
            self.describe(),
            int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )


class StreamSource(_CaptureSource):
    """A network stream (rtsp://, http://) through FFmpeg, with open and read timeouts."""

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        super().__init__()
        self.url = url
        self.timeout_s = timeout_s

    def describe(self) -> str:
        return f"stream {self.url}"

    def open(self) -> None:
        self.close()
        ms = int(self.timeout_s * 1000)
        cap = cv2.VideoCapture(
            self.url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
        )
        if not cap.isOpened():
            cap.release()
            raise DeviceError(
                f"{self.describe()}: cannot open (check the address, the network and the "
                "camera's stream settings)"
            )
        self._cap = cap


class VideoFileSource(_CaptureSource):
    """A video file, looped or not; paced at its own frame rate when `realtime` (rehearsal)."""

    def __init__(self, path: Path | str, loop: bool = True, realtime: bool = True) -> None:
        super().__init__()
        self.path = Path(path)
        self.loop = loop
        self.realtime = realtime
        self.fps = 0.0
        self.frame_count = 0
        self.size: tuple[int, int] = (0, 0)

    def describe(self) -> str:
        return f"file {self.path}"

    def open(self) -> None:
        self.close()
        if not self.path.is_file():
            raise DeviceError(f"{self.describe()}: no such file (check presence.file in the show)")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise DeviceError(
                f"{self.describe()}: cannot decode (convert it with `ffmpeg -i IN -c:v libx264 OUT.mp4`)"
            )
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 240.0 else 25.0
        self.frame_count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.period_s = 1.0 / self.fps if self.realtime else None
        self._cap = cap

    def read(self) -> np.ndarray | None:
        frame = super().read()
        if frame is None and self._cap is not None:
            if not self.loop:
                raise SourceEnded(f"{self.describe()}: end of video (set it to loop, or use a camera)")
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            frame = super().read()
        return frame


def iter_frames(path: Path | str) -> Iterator[tuple[int, np.ndarray]]:
    """Every frame of a video file in order, for evaluation and benchmarks (no pacing, no loop)."""
    src = VideoFileSource(path, loop=False, realtime=False)
    src.open()
    try:
        i = 0
        while True:
            try:
                frame = src.read()
            except SourceEnded:
                return
            if frame is None:
                return
            yield i, frame
            i += 1
    finally:
        src.close()
