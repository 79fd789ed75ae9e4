"""The camera thumbnail for the panel's room view: small, JPEG, made at most a few times a second."""

from __future__ import annotations

import numpy as np
import pytest

from installation.control.thumbnail import CameraThumbnail

cv2 = pytest.importorskip("cv2")


def frame(value: int, width: int = 640, height: int = 480) -> np.ndarray:
    img = np.full((height, width, 3), value, np.uint8)
    img[100:200, 300:340] = 255 - value  # a "person"
    return img


def test_a_frame_becomes_a_small_jpeg_with_the_same_aspect() -> None:
    thumb = CameraThumbnail(width=320)
    assert thumb.jpeg() is None
    thumb(frame(40), 10.0)
    data = thumb.jpeg()
    assert data is not None and data[:3] == b"\xff\xd8\xff"
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (240, 320, 3)
    assert abs(int(img[75, 160, 0]) - 215) < 20 and abs(int(img[10, 10, 0]) - 40) < 20


def test_frames_are_encoded_at_most_once_per_period_of_clock_time() -> None:
    thumb = CameraThumbnail(every_s=0.25)
    for i in range(30):  # one second at 30 fps
        thumb(frame(i), 100.0 + i / 30)
    assert thumb.encoded == 4
    thumb(frame(0), 50.0)  # the clock went backwards (a new source): encode at once, do not stall
    assert thumb.encoded == 5


def test_grey_and_small_frames_are_kept_as_they_are() -> None:
    thumb = CameraThumbnail(width=320)
    thumb(np.zeros((120, 160), np.uint8), 0.0)
    img = cv2.imdecode(np.frombuffer(thumb.jpeg() or b"", np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (120, 160)


def test_a_broken_frame_is_logged_once_and_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    thumb = CameraThumbnail()
    thumb(np.zeros((0, 0, 3), np.uint8), 0.0)
    thumb(np.zeros((0, 0, 3), np.uint8), 1.0)
    assert thumb.jpeg() is None
    assert len([r for r in caplog.records if "camera thumbnail" in r.getMessage()]) == 1


def test_clear_forgets_the_picture() -> None:
    thumb = CameraThumbnail()
    thumb(frame(0), 0.0)
    thumb.clear()
    assert thumb.jpeg() is None
    thumb(frame(0), 0.01)  # right after: encoded again, no stale wait
    assert thumb.jpeg() is not None
