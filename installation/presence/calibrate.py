"""Camera calibration: grab an empty-room background, draw mask and zones over it, save them to the show."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from installation.engine.presence import Presence
from installation.errors import DeviceError, Problem, ShowError
from installation.presence.sources import FrameSource, SourceEnded, VideoFileSource
from installation.presence.zones import Point, Polygon, rasterise
from installation.show.located import load_text

log = logging.getLogger(__name__)

_ZONE_COLOURS = [(0, 200, 255), (255, 160, 0), (120, 255, 120), (255, 80, 200), (80, 80, 255), (255, 255, 80)]


def grab_background(source: FrameSource, samples: int = 25, skip: int = 3) -> np.ndarray:
    """The per-pixel median of `samples` frames (every `skip`+1-th): the room without passers-by.

    The source must already be open. Raises DeviceError when it stops delivering.
    """
    frames = []
    while len(frames) < samples:
        for _ in range(skip):
            if source.read() is None:
                raise DeviceError(
                    f"{source.describe()}: stopped delivering frames during the background grab"
                )
        frame = source.read()
        if frame is None:
            raise DeviceError(f"{source.describe()}: stopped delivering frames during the background grab")
        frames.append(frame.copy())
    return np.median(np.stack(frames), axis=0).astype(np.uint8)


def median_background(video: Path, samples: int = 25) -> np.ndarray:
    """The temporal median of `samples` frames spread evenly over a video file."""
    src = VideoFileSource(video, loop=False, realtime=False)
    src.open()
    try:
        total = max(src.frame_count, 1)
        wanted = set(np.linspace(0, total - 1, min(samples, total)).astype(int).tolist())
        frames = []
        i = 0
        while len(frames) < len(wanted):
            try:
                frame = src.read()
            except SourceEnded:
                break
            if frame is None:
                break
            if i in wanted:
                frames.append(frame)
            i += 1
    finally:
        src.close()
    if not frames:
        raise DeviceError(f"{video}: no frames to build a background from")
    return np.median(np.stack(frames), axis=0).astype(np.uint8)


def draw_overlay(
    frame: np.ndarray,
    zones: Mapping[str, Sequence[Point]],
    mask: Iterable[Sequence[Point]] = (),
    presence: Presence | None = None,
) -> np.ndarray:
    """A copy of the frame: masked regions darkened and hatched, zones outlined and named, people boxed."""
    img = frame.copy() if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    h, w = img.shape[:2]
    masked = rasterise(mask, w, h)
    if masked.any():
        hatch = np.zeros_like(masked)
        for k in range(-h, w, 12):
            cv2.line(hatch, (k, 0), (k + h, h), 255, 1)
        dark = (img * 0.35).astype(np.uint8)
        sel = masked > 0
        img[sel] = dark[sel]
        img[(hatch > 0) & sel] = (0, 0, 200)
        contours, _ = cv2.findContours(masked, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(img, contours, -1, (0, 0, 255), 2)
    for k, (name, poly) in enumerate(zones.items()):
        colour = _ZONE_COLOURS[k % len(_ZONE_COLOURS)]
        pts = np.round(np.array(poly, np.float64) * (w, h)).astype(np.int32)
        layer = img.copy()
        cv2.fillPoly(layer, [pts], colour)
        cv2.addWeighted(layer, 0.2, img, 0.8, 0, img)
        cv2.polylines(img, [pts], True, colour, 2, cv2.LINE_AA)
        x, y = pts.min(axis=0)
        cv2.putText(
            img, name, (int(x) + 4, int(y) + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 3, cv2.LINE_AA
        )
        cv2.putText(
            img, name, (int(x) + 4, int(y) + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, 1, cv2.LINE_AA
        )
    if presence is not None:
        for p in presence.people:
            x0, y0 = int((p.x - p.w / 2) * w), int((p.y - p.h) * h)
            x1, y1 = int((p.x + p.w / 2) * w), int(p.y * h)
            cv2.rectangle(img, (x0, y0), (x1, y1), (0, 255, 0), 1)
            cv2.putText(img, str(p.id), (x0, max(y0 - 3, 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 255, 0), 1)
        cv2.putText(
            img, f"count {presence.count}", (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2
        )
    for gx in range(1, 10):  # a 0.1 grid so the technician can read coordinates off the picture
        cv2.line(img, (gx * w // 10, 0), (gx * w // 10, 6), (255, 255, 255), 1)
        cv2.line(img, (0, gx * h // 10), (6, gx * h // 10), (255, 255, 255), 1)
        cv2.putText(img, f".{gx}", (gx * w // 10 - 6, 18), cv2.FONT_HERSHEY_PLAIN, 0.9, (255, 255, 255), 1)
        cv2.putText(img, f".{gx}", (9, gx * h // 10 + 4), cv2.FONT_HERSHEY_PLAIN, 0.9, (255, 255, 255), 1)
    return img


def save_png(path: Path, image: np.ndarray) -> None:
    """Write an image as PNG; a bad folder is a DeviceError naming it."""
    if not cv2.imwrite(str(path), image):
        raise DeviceError(f"{path}: cannot write the image (check the folder exists and ends in .png)")


def _flow(points: Sequence[Point]) -> CommentedSeq:
    seq = CommentedSeq()
    for x, y in points:
        pt = CommentedSeq([round(float(x), 3), round(float(y), 3)])
        pt.fa.set_flow_style()
        seq.append(pt)
    seq.fa.set_flow_style()
    return seq


def save_calibration(
    show_path: Path, zones: Mapping[str, Polygon] | None = None, mask: Iterable[Polygon] | None = None
) -> None:
    """Write zones and/or mask into the show file's `presence:` section, keeping every comment and key order.

    Existing zones keep their place (and comments); new ones are appended; zones not given are kept.
    `mask` replaces the whole mask list. Raises ShowError when the file cannot be parsed.
    """
    text = show_path.read_text(encoding="utf-8")
    data = load_text(text, str(show_path))  # same parser as the show loader: errors name line:col
    if not isinstance(data, CommentedMap):
        raise ShowError([Problem(str(show_path), 1, 1, "a show file must be a mapping")])
    presence = data.get("presence")
    if presence is None:
        presence = CommentedMap()
        pos = list(data.keys()).index("rig") + 1 if "rig" in data else len(data)
        data.insert(pos, "presence", presence)
    if not isinstance(presence, CommentedMap):
        raise ShowError([Problem(str(show_path), 1, 1, "presence: must be a mapping to save calibration")])
    if mask is not None:
        seq = CommentedSeq()
        for poly in mask:
            seq.append(_flow(poly))
        seq.fa.set_flow_style()
        presence["mask"] = seq
    if zones is not None:
        existing = presence.get("zones")
        if not isinstance(existing, CommentedMap):
            existing = CommentedMap()
            presence["zones"] = existing
        for name, poly in zones.items():
            existing[name] = _flow(poly)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(data, buf)
    tmp = show_path.with_name(show_path.name + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(show_path)
    log.info(
        "calibration saved to %s (%d zones%s)",
        show_path,
        len(zones or {}),
        ", mask" if mask is not None else "",
    )


def suggest_mask(fg_fraction: np.ndarray, threshold: float = 0.3, min_area: float = 0.005) -> list[Polygon]:
    """Polygons around regions that were foreground more than `threshold` of the time in an empty room.

    Run the pipeline over an empty room while the show plays (projection, screens, a window) and pass
    the per-pixel fraction of frames that were foreground: what keeps changing with nobody there is a
    region to mask off.
    """
    h, w = fg_fraction.shape[:2]
    busy = (fg_fraction >= threshold).astype(np.uint8) * 255
    busy = cv2.morphologyEx(busy, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    contours, _ = cv2.findContours(busy, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[Polygon] = []
    for c in contours:
        if cv2.contourArea(c) < min_area * w * h:
            continue
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.01 * cv2.arcLength(hull, True), True).reshape(-1, 2)
        if len(approx) >= 3:
            out.append(tuple((round(float(x) / w, 3), round(float(y) / h, 3)) for x, y in approx))
    return out
