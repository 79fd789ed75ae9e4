"""OpenCV's HOG + linear SVM people detector: the comparison peer for counts and speed."""

from __future__ import annotations

import cv2
import numpy as np

from installation.errors import InstallationError


class HogPeopleDetector:
    """Dalal-Triggs pedestrian detector (64×128 window) with non-maximum suppression."""

    def __init__(
        self,
        win_stride: int = 8,
        *,
        padding: int = 8,
        scale: float = 1.05,
        hit_threshold: float = 0.0,
        nms_iou: float = 0.4,
        upscale: float = 1.0,
    ) -> None:
        if not hasattr(cv2, "HOGDescriptor"):
            raise InstallationError(
                "this OpenCV has no HOGDescriptor (OpenCV 5 dropped it): install "
                "opencv-python-headless>=4.10,<5 or opencv-contrib-python-headless"
            )
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.win_stride = (win_stride, win_stride)
        self.padding = (padding, padding)
        self.scale = scale
        self.hit_threshold = hit_threshold
        self.nms_iou = nms_iou
        self.upscale = upscale  # > 1 finds people smaller than the 128-pixel window (slower)

    def detect(self, frame: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        """People in a frame as (x, y, w, h, score) in the frame's pixels, after NMS."""
        img = frame
        if self.upscale != 1.0:
            img = cv2.resize(frame, None, fx=self.upscale, fy=self.upscale, interpolation=cv2.INTER_LINEAR)
        rects, weights = self.hog.detectMultiScale(
            img,
            hitThreshold=self.hit_threshold,
            winStride=self.win_stride,
            padding=self.padding,
            scale=self.scale,
        )
        if len(rects) == 0:
            return []
        scores = np.asarray(weights, np.float32).reshape(-1)
        boxes = [list(map(int, r)) for r in rects]
        keep = (
            cv2.dnn.NMSBoxes(boxes, scores.tolist(), 0.0, self.nms_iou)
            if hasattr(cv2, "dnn")
            else range(len(boxes))
        )
        k = 1.0 / self.upscale
        out = []
        for i in np.asarray(keep).reshape(-1):
            x, y, w, h = boxes[int(i)]
            # the detector's box has a margin around the person; shrink it to the body like annotations do
            out.append(
                (k * (x + 0.15 * w), k * (y + 0.07 * h), k * 0.7 * w, k * 0.86 * h, float(scores[int(i)]))
            )
        return out
