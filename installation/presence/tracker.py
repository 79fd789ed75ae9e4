"""Blobs to people: a person-size model and a centroid tracker (stable ids, merges, splits, coasting)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Blob:
    """A foreground region in processing pixels; `people` is how many persons its area suggests."""

    x: int
    y: int
    w: int
    h: int
    area: int
    edge: bool = False  # touches the frame border (a person partly out of view)
    people: int = 1

    @property
    def foot(self) -> tuple[float, float]:
        """Bottom centre of the blob: where the feet are."""
        return self.x + self.w / 2.0, float(self.y + self.h)

    def contains(self, px: float, py: float, grow: float = 0.15) -> bool:
        """True when the point lies in the blob's box grown by `grow` of its size."""
        gx, gy = self.w * grow, self.h * grow
        return self.x - gx <= px <= self.x + self.w + gx and self.y - gy <= py <= self.y + self.h + gy


class SizeModel:
    """Expected size of one standing person at a given feet height, learnt online from lone walkers.

    The prior is a linear perspective: a person's height is `far` of the frame height with feet at the
    top and `near` with feet at the bottom. sqrt(area) is fitted as a + b*y by exponentially forgetting
    least squares over blobs that clearly hold one tracked person; the prior counts as `prior_weight`
    samples so a handful of odd blobs cannot pull it far.
    """

    ASPECT = 0.38  # width / height of a standing person's silhouette
    FILL = 0.6  # silhouette area / box area

    def __init__(
        self,
        frame_h: int,
        far: float = 0.15,
        near: float = 0.4,
        *,
        learn: bool = True,
        prior_weight: float = 40.0,
        forget: float = 0.998,
    ) -> None:
        self.frame_h = frame_h
        self.learn = learn
        self.forget = forget
        k = math.sqrt(self.ASPECT * self.FILL) * frame_h
        self._prior = (k * far, k * (near - far))  # sqrt(area) = a + b * y before any learning
        self._sw = self._sy = self._syy = self._ss = self._sys = 0.0
        for yn, hn in ((0.2, far + 0.2 * (near - far)), (0.8, far + 0.8 * (near - far))):
            self._add(yn, k * hn, prior_weight / 2)
        self._fit()

    def _add(self, yn: float, s: float, w: float) -> None:
        self._sw += w
        self._sy += w * yn
        self._syy += w * yn * yn
        self._ss += w * s
        self._sys += w * yn * s

    def _fit(self) -> None:
        det = self._sw * self._syy - self._sy * self._sy
        if det <= 1e-9:
            return
        self.b = (self._sw * self._sys - self._sy * self._ss) / det
        self.a = (self._ss - self.b * self._sy) / self._sw

    def area(self, foot_y_px: float) -> float:
        """Expected silhouette area in pixels of one person with feet at this row."""
        yn = foot_y_px / self.frame_h
        s = self.a + self.b * yn
        prior = self._prior[0] + self._prior[1] * yn
        # where few lone walkers were seen the fit extrapolates: keep it within ×2.5 (area) of the prior
        s = min(max(s, prior / 1.6), prior * 1.6)
        return max(s, 2.0) ** 2

    def height(self, foot_y_px: float) -> float:
        """Expected person height in pixels with feet at this row."""
        return math.sqrt(self.area(foot_y_px) / (self.ASPECT * self.FILL))

    def observe(self, blob: Blob) -> None:
        """Learn from a blob that holds exactly one person (the caller decides that)."""
        if not self.learn or blob.edge:
            return
        aspect = blob.h / max(blob.w, 1)
        if not 1.6 <= aspect <= 5.0:
            return
        ratio = blob.area / self.area(blob.y + blob.h)
        if not 0.5 <= ratio <= 1.8:
            return
        self._sw *= self.forget
        self._sy *= self.forget
        self._syy *= self.forget
        self._ss *= self.forget
        self._sys *= self.forget
        self._add((blob.y + blob.h) / self.frame_h, math.sqrt(blob.area), 1.0)
        self._fit()

    def people_in(self, blob: Blob) -> int:
        """How many people a blob's area holds (at least one)."""
        # conservative rounding: people vary ±30% in area, so two large visitors must not read as three
        return max(1, int(blob.area / self.area(blob.y + blob.h) + 0.3))


@dataclass(slots=True)
class Track:
    """One followed visitor in processing pixels; the anchor (x, y) is the feet (or centre)."""

    key: int
    x: float
    y: float
    w: float
    h: float
    first_t: float
    last_t: float
    vx: float = 0.0
    vy: float = 0.0
    area: float = 0.0
    hits: int = 1
    id: int = 0  # public id, given on confirmation so noise does not use up ids
    host: int = -1  # index of the blob it is in this frame; -1 while coasting
    primary: bool = False  # matched one-to-one to its host (False: merged into someone else's blob)
    edge: bool = False
    merged_since: float | None = None
    still_since: float = 0.0  # when it last moved more than a tenth of its height from `still_at`
    still_at: tuple[float, float] = (0.0, 0.0)
    checked_t: float = 0.0  # last time the still-region check ran on it
    parent: int = 0  # key of the person this track was born next to (a fragment of them, or a companion)

    @property
    def confirmed(self) -> bool:
        """Seen long enough to count as a person (has a public id)."""
        return self.id > 0


class CentroidTracker:
    """Greedy nearest-neighbour tracker on predicted positions, with merge/split and short coasting."""

    def __init__(
        self,
        expected_height: Callable[[float], float],
        frame_w: int,
        frame_h: int,
        *,
        confirm_frames: int = 3,
        coast_s: float = 0.8,
        merge_keep_s: float = 60.0,
        gate: float = 0.6,
        alpha: float = 0.6,
        beta: float = 0.15,
    ) -> None:
        self.expected_height = expected_height
        self.frame_w, self.frame_h = frame_w, frame_h
        self.confirm_frames = confirm_frames
        self.coast_s = coast_s
        self.merge_keep_s = merge_keep_s
        self.gate = gate
        self.alpha, self.beta = alpha, beta
        self.tracks: list[Track] = []
        self._next_key = 1
        self._next_id = 1
        self._t: float | None = None

    def reset(self) -> None:
        """Forget every track (after the source was lost); ids keep counting up."""
        self.tracks.clear()
        self._t = None

    def update(self, blobs: list[Blob], t: float) -> None:
        """Match this frame's blobs to the tracks at clock time t (predict, match, merge, coast, create)."""
        dt = 0.0 if self._t is None else max(t - self._t, 0.0)
        self._t = t
        pred = [(tr.x + tr.vx * dt, tr.y + tr.vy * dt) for tr in self.tracks]
        feet = [b.foot for b in blobs]

        pairs = []
        for i, tr in enumerate(self.tracks):
            px, py = pred[i]
            # the longer someone has been hidden, the further from the prediction they may reappear
            gate = max(self.gate * self.expected_height(py), 6.0) * (1.0 + min(t - tr.last_t, 1.0))
            for j, (fx, fy) in enumerate(feet):
                d = math.hypot(fx - px, fy - py)
                if d < gate:
                    pairs.append((d, i, j))
        pairs.sort()
        track_blob = [-1] * len(self.tracks)
        blob_taken = [False] * len(blobs)
        for _, i, j in pairs:
            if track_blob[i] < 0 and not blob_taken[j]:
                track_blob[i] = j
                blob_taken[j] = True

        hosts: dict[int, list[int]] = {}
        for i, j in enumerate(track_blob):
            if j >= 0:
                hosts.setdefault(j, []).append(i)
        merged: list[int] = []
        for i, tr in enumerate(self.tracks):  # unmatched tracks inside a blob: merged with someone
            if track_blob[i] >= 0 or not tr.confirmed:
                continue
            px, py = pred[i]
            for j, b in enumerate(blobs):
                if blob_taken[j] and b.contains(px, py):
                    track_blob[i] = j
                    hosts.setdefault(j, []).append(i)
                    merged.append(i)
                    break

        keep: list[Track] = []
        for i, tr in enumerate(self.tracks):
            j = track_blob[i]
            px, py = pred[i]
            if j < 0:
                tr.host, tr.primary = -1, False
                tr.x, tr.y = px, py
                lost_s = t - tr.last_t
                outside = not (0 <= px < self.frame_w and 0 <= py <= self.frame_h + 1)
                if tr.confirmed and not tr.edge and not outside and lost_s <= self.coast_s:
                    keep.append(tr)  # occluded: coast on the prediction
                continue
            b = blobs[j]
            tr.host = j
            tr.edge = b.edge
            together = len(hosts[j]) > 1
            tr.primary = i not in merged
            if together:
                # several people in one blob: each rides inside it on its own prediction
                if tr.merged_since is None:
                    tr.merged_since = t
                tr.x = min(max(px, b.x), b.x + b.w)
                tr.y = min(max(py, b.y + 0.5 * b.h), b.y + b.h)
                decay = math.exp(-dt / 2.0)
                tr.vx *= decay
                tr.vy *= decay
                tr.last_t = t
                if t - tr.merged_since > self.merge_keep_s and not tr.primary:
                    continue
            else:
                tr.merged_since = None
                mx, my = b.foot
                rx, ry = mx - px, my - py
                tr.x, tr.y = px + self.alpha * rx, py + self.alpha * ry
                whole = tr.area <= 0 or 0.6 <= b.area / tr.area <= 1.6
                if dt > 0 and whole:  # a half-hidden blob's centre lags: keep the velocity from before
                    tr.vx += self.beta * rx / dt
                    tr.vy += self.beta * ry / dt
                if whole:
                    tr.w += 0.5 * (b.w - tr.w)
                    tr.h += 0.5 * (b.h - tr.h)
                tr.area = b.area if tr.area <= 0 else tr.area + (0.3 if whole else 0.05) * (b.area - tr.area)
                tr.last_t = t
            sx, sy = tr.still_at
            if math.hypot(tr.x - sx, tr.y - sy) > 0.1 * max(tr.h, 4.0):
                tr.still_since, tr.still_at = t, (tr.x, tr.y)
            tr.hits += 1
            if not tr.confirmed and tr.hits >= self.confirm_frames:
                tr.id = self._next_id
                self._next_id += 1
            keep.append(tr)

        for j, b in enumerate(blobs):  # new people
            if j not in hosts:
                fx, fy = b.foot
                tr = Track(
                    key=self._next_key,
                    x=fx,
                    y=fy,
                    w=b.w,
                    h=b.h,
                    first_t=t,
                    last_t=t,
                    host=j,
                    primary=True,
                    edge=b.edge,
                    parent=self._neighbour(keep, b),
                    area=b.area,
                    still_since=t,
                    still_at=(fx, fy),
                    checked_t=t,
                )
                self._next_key += 1
                if self.confirm_frames <= 1:
                    tr.id = self._next_id
                    self._next_id += 1
                keep.append(tr)
        # tentative tracks must be seen every frame until confirmed
        self.tracks = [tr for tr in keep if tr.confirmed or tr.last_t == t]

    def _neighbour(self, tracks: list[Track], b: Blob) -> int:
        fx, fy = b.foot
        reach = 0.7 * self.expected_height(fy)
        for tr in tracks:
            if tr.confirmed and tr.host >= 0 and math.hypot(tr.x - fx, tr.y - fy) < reach:
                return tr.key
        return 0

    def drop(self, track: Track) -> None:
        """Forget one track."""
        self.tracks.remove(track)
