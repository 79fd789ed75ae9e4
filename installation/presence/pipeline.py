"""Frames to presence: downscaled grey, background subtraction, mask, morphology, blobs, tracking, zones.

`PresencePipeline.process(frame, t)` is synchronous and deterministic: the threaded source, the CLI
tools, the benchmark and the tests all drive it frame by frame with the frame's clock time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import cv2
import numpy as np

from installation.engine.presence import Person, Presence, ZoneState
from installation.presence.smoothing import SteadyCount, ZoneOccupancy
from installation.presence.tracker import Blob, CentroidTracker, SizeModel, Track
from installation.presence.zones import Point, Zone, keep_mask, make_zones, point_in_polygon

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """Tuning of the presence pipeline; the defaults suit a gallery camera at 10..30 fps."""

    process_width: int = 320  # frames are shrunk by an integer factor to about this width
    subtractor: str = "mog2"  # mog2 | knn
    var_threshold: float = 16.0  # MOG2: squared distance in variances for "foreground"
    absorb_s: float = 120.0  # a still object (or visitor) becomes background after about this long
    warmup_s: float = 1.0  # first frames only build the background; presence is unknown meanwhile
    relearn_s: float = 1.0  # after the show changes the light, relearn the background for this long
    relearn_rate: float = 0.25  # background learning rate per frame while relearning
    auto_relearn: float = 0.5  # more of the frame than this "moving" at once = a light change: relearn
    min_area: float = 0.0006  # blobs smaller than this fraction of the frame are noise
    max_area: float = 0.5  # blobs larger than this fraction of the frame are ignored
    min_person: float = 0.15  # blobs smaller than this fraction of one expected person are not people
    person_height: tuple[float, float] = (
        0.15,
        0.35,
    )  # prior person height (of frame) with feet at top, bottom
    learn_size: bool = True  # refine the person size from lone walkers
    open_px: int = 3  # opening kernel (removes speckle)
    close_px: tuple[int, int] = (3, 7)  # closing kernel w, h (joins head, torso and legs)
    confirm_frames: int = 3  # a new blob must be seen this many frames in a row to become a person
    coast_s: float = 0.8  # a person hidden behind something is kept on their predicted path this long
    merge_keep_s: float = 60.0  # a person hidden inside a group's blob is kept this long
    # no built-in hold: the show's own `for 2s` is the hold; set these for hysteresis on a noisy camera
    count_tau_s: float = 0.0  # smoothing of the count before hysteresis (0.3 s for a steadier count)
    count_margin: float = 0.0  # hysteresis margin (0 = follows the tracks, 0.5 = never changes)
    zone_tau_s: float = 0.0  # smoothing of zone counts (people are already confirmed tracks)
    motion_threshold: int = 18  # grey levels of change between frames that count as motion
    motion_tau_s: float = 0.2  # smoothing of motion energy
    still_check_s: float = 2.0  # still this long: checked; a ghost or no person shape is absorbed
    ghost_ratio: float = 0.7  # edges along a still region's outline: live/background below this = a ghost
    person_low: float = 0.5  # a still region lower than this fraction of a person's height is an object
    anchor: str = "feet"  # feet | center: which point of a person is their position
    gain_compensation: bool = True  # cancel slow global brightness drift before subtraction

    def check(self) -> None:
        """Raise ValueError naming the first bad setting."""
        if self.subtractor not in ("mog2", "knn"):
            raise ValueError(f"subtractor must be mog2 or knn, not {self.subtractor!r}")
        if self.anchor not in ("feet", "center"):
            raise ValueError(f"anchor must be feet or center, not {self.anchor!r}")
        if self.process_width < 32:
            raise ValueError("process_width must be at least 32 pixels")
        if not 0 < self.min_area < self.max_area <= 1:
            raise ValueError("need 0 < min_area < max_area <= 1")
        far, near = self.person_height
        if not (0 < far <= 1 and 0 < near <= 1):
            raise ValueError("person_height values are fractions of the frame height (0..1]")


_BACKGROUND_RATIO = 0.9  # MOG2's default: a mode is background once it holds 1 - 0.9 of the weight
_K3 = np.ones((3, 3), np.uint8)


def _edges(img: np.ndarray) -> np.ndarray:
    """Gradient magnitude (L1) of a grey image, as float32."""
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    return np.abs(gx) + np.abs(gy)  # type: ignore[no-any-return]


class PresencePipeline:
    """Turns camera frames into `Presence` snapshots; call `process(frame, t)` for each frame in order."""

    def __init__(
        self,
        zones: Mapping[str, Sequence[Sequence[float]]] | Iterable[Zone] = (),
        mask: Iterable[Sequence[Point]] = (),
        config: PipelineConfig | None = None,
    ) -> None:
        self.config = config or PipelineConfig()
        self.config.check()
        self.zones = make_zones(zones)
        self.mask = tuple(tuple((float(x), float(y)) for x, y in poly) for poly in mask)
        self._relearn_pending = False
        self._shape: tuple[int, ...] | None = None
        self.frames = 0

    # -- public controls ------------------------------------------------------------------------

    def notify_scene_change(self) -> None:
        """The show changed the light or the projection: relearn the background quickly (thread-safe)."""
        self._relearn_pending = True

    def reset_tracking(self) -> None:
        """Forget people and counts (after the camera was lost); keeps the learnt background."""
        if self._shape is None:
            return
        self.tracker.reset()
        self.count.reset()
        for z in self.zone_occ.values():
            z.reset()
        self._last = None
        self._last_t = None

    def seed_background(self, image: np.ndarray, repeats: int = 30, noise: float = 2.5) -> None:
        """Learn an empty-room image (from calibration) as the background, so no warm-up is needed.

        A median image has no sensor noise; it is learnt with a little added noise so the model does not
        become so sure of every pixel that live frames look like movement everywhere.
        """
        self._ensure(image)
        small = self._prepare(image).astype(np.float32)
        rng = np.random.default_rng(0)
        for _ in range(repeats):
            noisy = np.clip(small + rng.normal(0.0, noise, small.shape), 0, 255).astype(np.uint8)
            self._bg.apply(noisy, self._fg, -1)
        np.copyto(self._prev, self._small)
        self._warm = True
        self._ref_mean = float(cv2.mean(self._small, self._keep)[0])  # live frames are scaled to this

    # -- the pipeline ---------------------------------------------------------------------------

    def _ensure(self, frame: np.ndarray) -> None:
        if self._shape == frame.shape:
            return
        c = self.config
        self._shape = frame.shape
        h, w = frame.shape[:2]
        self.factor = max(1, round(w / c.process_width))
        self.width, self.height = w // self.factor, h // self.factor
        pw, ph = self.width, self.height
        if c.subtractor == "mog2":
            self._bg = cv2.createBackgroundSubtractorMOG2(500, c.var_threshold, False)
        else:
            self._bg = cv2.createBackgroundSubtractorKNN(500, 400.0, False)
        self._grey_full = np.empty((h, w), np.uint8)
        self._small = np.empty((ph, pw), np.uint8)
        self._prev = np.zeros((ph, pw), np.uint8)
        self._fg = np.zeros((ph, pw), np.uint8)
        self._tmp = np.zeros((ph, pw), np.uint8)
        self._composite = np.zeros((ph, pw), np.uint8)
        self._scratch = np.zeros((ph, pw), np.uint8)
        self._bg_img: np.ndarray | None = None
        self._labels = np.zeros((ph, pw), np.int32)
        self._keep = keep_mask(self.mask, pw, ph)
        self._keep_px = max(int(cv2.countNonZero(self._keep)), 1)
        self._k_open = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (c.open_px, c.open_px))
        self._k_close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, c.close_px)
        far, near = c.person_height
        self.size = SizeModel(ph, far, near, learn=c.learn_size)
        self.tracker = CentroidTracker(
            self.size.height,
            pw,
            ph,
            confirm_frames=c.confirm_frames,
            coast_s=c.coast_s,
            merge_keep_s=c.merge_keep_s,
        )
        self.count = SteadyCount(c.count_tau_s, c.count_margin)
        self.zone_occ = {z.name: ZoneOccupancy(c.zone_tau_s, c.count_margin) for z in self.zones}
        self._min_px = c.min_area * pw * ph
        self._max_px = c.max_area * pw * ph
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._warm = False
        self._ref_mean: float | None = None
        self._relearn_until: float | None = None
        self._relearn_boxes: list[tuple[int, int, int, int]] = []
        self._old_bg: np.ndarray | None = None
        self._motion = 0.0
        self._last: Presence | None = None
        self.blobs: list[Blob] = []
        self.raw_count = 0

    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        if frame.ndim == 3:
            cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, self._grey_full)
            grey = self._grey_full
        else:
            grey = frame
        if self.factor == 1:
            np.copyto(self._small, grey)
        else:
            cv2.resize(grey, (self.width, self.height), self._small, interpolation=cv2.INTER_AREA)
        return self._small

    def process(self, frame: np.ndarray, t: float) -> Presence:
        """One frame (BGR or grey, any size) taken at clock time t → the presence snapshot for it."""
        self._ensure(frame)
        c = self.config
        self.frames += 1
        small = self._prepare(frame)
        dt = 0.0 if self._last_t is None else max(t - self._last_t, 0.0)
        self._last_t = t
        if self._first_t is None:
            self._first_t = t
        if self._relearn_pending:
            self._relearn_pending = False
            self._begin_relearn(t, "scene change")

        if not self._warm:
            self._bg.apply(small, self._fg, -1)
            np.copyto(self._prev, small)
            if t - self._first_t >= c.warmup_s:
                self._warm = True
            return Presence.unknown(t)

        if c.gain_compensation:
            self._compensate(small)
        motion = self._measure_motion(small, dt)

        if self._relearn_until is not None:
            if t < self._relearn_until:
                self._bg.apply(self._relearn_frame(small), self._fg, c.relearn_rate)
                return self._held(t, motion)
            self._relearn_until = None
            self._old_bg = None
            self._ref_mean = None

        rate = 1.0 - _BACKGROUND_RATIO ** (min(max(dt, 1e-3), 1.0) / c.absorb_s)
        fg = self._fg
        self._bg.apply(small, fg, 0.0)  # find what differs; learning comes after tracking, around people
        cv2.bitwise_and(fg, self._keep, fg)
        if cv2.countNonZero(fg) > c.auto_relearn * self._keep_px:
            self._begin_relearn(t, "sudden light change")
            self._bg.apply(self._relearn_frame(small), fg, c.relearn_rate)
            return self._held(t, motion)
        cv2.morphologyEx(fg, cv2.MORPH_OPEN, self._k_open, fg)
        cv2.morphologyEx(fg, cv2.MORPH_CLOSE, self._k_close, fg)
        self.blobs = blobs = self._find_blobs(fg)
        self.tracker.update(blobs, t)
        self._check_still(t, blobs, small)
        self._learn(small, rate)
        return self._snapshot(t, blobs, motion)

    def _person_boxes(self) -> list[tuple[int, int, int, int]]:
        """Boxes (x0, y0, x1, y1, processing pixels) around every confirmed person, with a margin."""
        boxes = []
        for tr in self.tracker.tracks:
            if tr.confirmed:
                gx, gy = 0.2 * tr.w + 2, 0.1 * tr.h + 2
                x0, x1 = int(tr.x - tr.w / 2 - gx), int(tr.x + tr.w / 2 + gx) + 1
                y0, y1 = int(tr.y - tr.h - gy), int(tr.y + gy) + 1
                x0, y0 = max(x0, 0), max(y0, 0)
                x1, y1 = min(x1, self.width), min(y1, self.height)
                if x1 > x0 and y1 > y0:
                    boxes.append((x0, y0, x1, y1))
        return boxes

    def _learn(self, small: np.ndarray, rate: float) -> None:
        """Learn the background from this frame everywhere except where people are.

        Where a tracked person stands the model is shown its own background image, so a visitor who
        stands still for an hour is never absorbed; what is not a person was released by `_check_still`.
        """
        boxes = self._person_boxes() if self._bg_img is not None else []
        src = small
        if boxes:
            src = self._composite
            np.copyto(src, small)
            bg = self._bg_img
            for x0, y0, x1, y1 in boxes:
                src[y0:y1, x0:x1] = bg[y0:y1, x0:x1]  # type: ignore[index]
        self._bg.apply(src, self._scratch, rate)
        self._bg_img = self._grey_background()

    def _grey_background(self) -> np.ndarray | None:
        img = self._bg.getBackgroundImage()
        if img is not None and img.ndim == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        return img

    def _check_still(self, t: float, blobs: list[Blob], small: np.ndarray) -> None:
        """A person still for `still_check_s` is looked at again: a ghost (where someone stood when the
        background was learnt) or something too low to be a person (a chair, a bag) is absorbed into the
        background at once and forgotten; a real person is checked again after the same time."""
        c = self.config
        if self._bg_img is None:
            return
        hosts: dict[int, int] = {}
        for tr in self.tracker.tracks:
            if tr.host >= 0:
                hosts[tr.host] = hosts.get(tr.host, 0) + 1
        for tr in list(self.tracker.tracks):
            if not tr.confirmed or tr.host < 0 or hosts.get(tr.host, 0) != 1:
                continue
            if t - tr.still_since < c.still_check_s or t - tr.checked_t < c.still_check_s:
                continue
            tr.checked_t = t
            b = blobs[tr.host]
            why = self._not_a_person(b, small)
            if why:
                log.info("presence: still region at (%d, %d) %s: absorbed", b.x, b.y, why)
                self._absorb(b, small)
                self.tracker.drop(tr)

    def _not_a_person(self, b: Blob, small: np.ndarray) -> str:
        """Why a still blob is not a person ('' when it may be one)."""
        c = self.config
        expect = self.size.height(b.y + b.h)
        if not b.edge and b.h < c.person_low * expect:
            return "too low for a person"
        if b.w > 1.8 * expect or b.h > 2.0 * expect:
            return "larger than a group of people"
        if b.area > 0.9 * b.w * b.h:
            return "a filled rectangle, not a person's outline"
        x0, y0 = max(b.x - 1, 0), max(b.y - 1, 0)
        x1, y1 = min(b.x + b.w + 1, self.width), min(b.y + b.h + 1, self.height)
        m = self._fg[y0:y1, x0:x1]
        outline = cv2.morphologyEx(m, cv2.MORPH_GRADIENT, _K3) > 0
        if not outline.any():
            return ""
        live = _edges(small[y0:y1, x0:x1])[outline].sum()
        then = _edges(self._bg_img[y0:y1, x0:x1])[outline].sum()  # type: ignore[index]
        if live < c.ghost_ratio * then:
            return f"a ghost (outline edges {live / max(then, 1.0):.2f} of the background's)"
        return ""

    def _absorb(self, b: Blob, small: np.ndarray) -> None:
        """Make a region part of the background now (only that region)."""
        if self._bg_img is None:
            return
        gx, gy = b.w // 4 + 2, b.h // 8 + 2
        x0, y0 = max(b.x - gx, 0), max(b.y - gy, 0)
        x1, y1 = min(b.x + b.w + gx, self.width), min(b.y + b.h + gy, self.height)
        src = self._composite
        np.copyto(src, self._bg_img)
        src[y0:y1, x0:x1] = small[y0:y1, x0:x1]
        for _ in range(4):
            self._bg.apply(src, self._scratch, 0.5)
        self._bg_img = self._grey_background()

    def _compensate(self, small: np.ndarray) -> None:
        """Scale the frame so the background's brightness matches the learnt model (slow light drift)."""
        cv2.bitwise_not(self._fg, self._tmp)
        cv2.bitwise_and(self._tmp, self._keep, self._tmp)
        if cv2.countNonZero(self._tmp) < 0.2 * self._keep_px:
            return
        mean = cv2.mean(small, self._tmp)[0]
        if self._ref_mean is None:
            self._ref_mean = mean
            return
        if mean > 1.0:
            gain = self._ref_mean / mean
            if abs(gain - 1.0) > 0.002:
                cv2.convertScaleAbs(small, small, gain)

    def _measure_motion(self, small: np.ndarray, dt: float) -> float:
        cv2.absdiff(small, self._prev, self._tmp)
        np.copyto(self._prev, small)
        cv2.threshold(self._tmp, self.config.motion_threshold, 255, cv2.THRESH_BINARY, self._tmp)
        cv2.bitwise_and(self._tmp, self._keep, self._tmp)
        raw = cv2.countNonZero(self._tmp) / self._keep_px
        a = 1.0 - math.exp(-dt / self.config.motion_tau_s) if dt > 0 else 1.0
        self._motion += a * (raw - self._motion)
        return min(max(self._motion, 0.0), 1.0)

    def _begin_relearn(self, t: float, why: str) -> None:
        if self._shape is None:
            return
        log.info("presence: relearning the background for %.1fs (%s)", self.config.relearn_s, why)
        self._relearn_until = t + self.config.relearn_s
        self._old_bg = self._bg.getBackgroundImage()
        if self._old_bg is not None and self._old_bg.ndim == 3:
            self._old_bg = cv2.cvtColor(self._old_bg, cv2.COLOR_BGR2GRAY)
        boxes = []
        for tr in self.tracker.tracks:
            if tr.confirmed:
                gx, gy = 0.2 * tr.w + 2, 0.1 * tr.h + 2
                x0, x1 = int(tr.x - tr.w / 2 - gx), int(tr.x + tr.w / 2 + gx)
                y0, y1 = int(tr.y - tr.h - gy), int(tr.y + gy)
                x0, y0 = max(x0, 0), max(y0, 0)
                x1, y1 = min(x1, self.width), min(y1, self.height)
                if x1 > x0 and y1 > y0:
                    boxes.append((x0, y0, x1, y1))
        self._relearn_boxes = boxes

    def _relearn_frame(self, small: np.ndarray) -> np.ndarray:
        """The frame to relearn from: where people stood, the old background lit like its surroundings.

        Relearning from the raw frame would absorb everyone standing still; filling their boxes from the
        old background (scaled by the brightness change around each box) keeps them foreground.
        """
        old = self._old_bg
        if old is None or not self._relearn_boxes:
            return small
        out = self._composite
        np.copyto(out, small)
        for x0, y0, x1, y1 in self._relearn_boxes:
            rx0, ry0 = max(x0 - (x1 - x0) // 2, 0), max(y0 - (y1 - y0) // 4, 0)
            rx1, ry1 = min(x1 + (x1 - x0) // 2, self.width), min(y1 + (y1 - y0) // 4, self.height)
            inner = (y1 - y0) * (x1 - x0)
            ring = (ry1 - ry0) * (rx1 - rx0) - inner
            gain = 1.0
            if ring > 0:
                now_sum = float(small[ry0:ry1, rx0:rx1].sum()) - float(small[y0:y1, x0:x1].sum())
                old_sum = float(old[ry0:ry1, rx0:rx1].sum()) - float(old[y0:y1, x0:x1].sum())
                if old_sum > 0:
                    gain = now_sum / old_sum
            cv2.convertScaleAbs(old[y0:y1, x0:x1], out[y0:y1, x0:x1], gain)
        return out

    def _find_blobs(self, fg: np.ndarray) -> list[Blob]:
        c = self.config
        n, _, stats, _ = cv2.connectedComponentsWithStats(fg, self._labels, connectivity=8)
        if n <= 1:
            return []
        st = stats[1:]
        sel = np.nonzero((st[:, 4] >= self._min_px) & (st[:, 4] <= self._max_px))[0]
        w_img, h_img = self.width, self.height
        parts = []
        for k in sel[np.argsort(st[sel, 1])]:  # top to bottom
            x, y, w, h, a = (int(v) for v in st[k])
            parts.append([x, y, w, h, a])
        # join parts stacked vertically (a head above its shoulders, legs below a coat)
        merged = True
        while merged and len(parts) > 1:
            merged = False
            for i in range(len(parts)):
                for j in range(i + 1, len(parts)):
                    a, b = parts[i], parts[j]
                    top, bot = (a, b) if a[1] <= b[1] else (b, a)
                    overlap = min(top[0] + top[2], bot[0] + bot[2]) - max(top[0], bot[0])
                    if overlap < 0.5 * min(top[2], bot[2]):
                        continue
                    gap = bot[1] - (top[1] + top[3])
                    foot = max(top[1] + top[3], bot[1] + bot[3])
                    expect_h = self.size.height(foot)
                    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
                    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
                    if gap <= 0.2 * expect_h and (y1 - y0) <= 1.25 * expect_h:
                        parts[i] = [x0, y0, x1 - x0, y1 - y0, a[4] + b[4]]
                        del parts[j]
                        merged = True
                        break
                if merged:
                    break
        blobs = []
        for x, y, w, h, a in parts:
            edge = x <= 1 or y <= 1 or x + w >= w_img - 1 or y + h >= h_img - 1
            b = Blob(x, y, w, h, a, edge)
            if not edge and a < c.min_person * self.size.area(y + h):
                continue
            b.people = self.size.people_in(b)
            blobs.append(b)
        return blobs

    def _snapshot(self, t: float, blobs: list[Blob], motion: float) -> Presence:
        tracks = self.tracker.tracks
        hosted: dict[int, list[Track]] = {}
        raw = 0
        people_tracks: list[Track] = []
        for tr in tracks:
            if not tr.confirmed:
                continue
            if tr.host >= 0:
                hosted.setdefault(tr.host, []).append(tr)
            else:
                raw += 1  # coasting through an occlusion
                people_tracks.append(tr)
        extras: list[tuple[Blob, int]] = []
        for j, group in hosted.items():
            b = blobs[j]
            # the area says how many; ids inside only add one more when the area reads as a single
            # person (two people one behind the other)
            if len(group) > 1:  # a fragment that became its own track and rejoined its person
                keys = {tr.key for tr in group}
                for tr in [tr for tr in group if tr.parent in keys]:
                    self.tracker.drop(tr)
                    group.remove(tr)
            n = max(b.people, min(len(group), 2))
            if len(group) > n:  # more ids inside than the blob can hold: drop the longest-merged
                group.sort(key=lambda tr: (tr.primary, -(tr.merged_since or t)), reverse=True)
                for tr in group[n:]:
                    self.tracker.drop(tr)
                del group[n:]
            raw += n
            people_tracks.extend(group)
            if n > len(group):
                extras.append((b, n - len(group)))
            if len(group) == 1 and not b.edge and t - group[0].first_t > 1.0:
                self.size.observe(b)
        self.raw_count = raw
        count = self.count.update(raw, t)

        w, h = self.width, self.height
        people = []
        center = self.config.anchor == "center"
        for tr in sorted(people_tracks, key=lambda tr: tr.id):
            y = (tr.y - tr.h / 2) if center else tr.y
            people.append(
                Person(
                    id=tr.id,
                    x=min(max(tr.x / w, 0.0), 1.0),
                    y=min(max(y / h, 0.0), 1.0),
                    w=tr.w / w,
                    h=tr.h / h,
                    vx=tr.vx / w,
                    vy=tr.vy / h,
                    present_s=t - tr.first_t,
                )
            )
        zones = {}
        for z in self.zones:
            n = sum(1 for p in people if point_in_polygon(p.x, p.y, z.polygon))
            for b, extra in extras:
                fx, fy = b.foot
                if point_in_polygon(fx / w, (fy - b.h / 2 if center else fy) / h, z.polygon):
                    n += extra
            zc, dwell = self.zone_occ[z.name].update(n, t)
            zones[z.name] = ZoneState(count=zc, dwell_s=dwell)
        snap = Presence(t=t, count=count, people=tuple(people), zones=MappingProxyType(zones), motion=motion)
        self._last = snap
        return snap

    def _held(self, t: float, motion: float) -> Presence:
        """While relearning: the last snapshot carried forward in time (dwell keeps growing)."""
        last = self._last
        if last is None:
            return Presence(
                t=t, motion=motion, zones=MappingProxyType({z.name: ZoneState() for z in self.zones})
            )
        dt = t - last.t
        zones = {
            name: ZoneState(z.count, z.dwell_s + dt if z.count else 0.0) for name, z in last.zones.items()
        }
        people = tuple(Person(p.id, p.x, p.y, p.w, p.h, 0.0, 0.0, p.present_s + dt) for p in last.people)
        snap = Presence(t=t, count=last.count, people=people, zones=MappingProxyType(zones), motion=motion)
        self._last = snap
        return snap

    @property
    def warm(self) -> bool:
        """True once the background is learnt and snapshots are known."""
        return self._shape is not None and self._warm
