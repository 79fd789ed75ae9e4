"""Scoring presence against ground truth: MOT Challenge files, count error, precision, recall, id switches."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from installation.engine.presence import Person, Presence, ZoneState
from installation.errors import InstallationError
from installation.presence.pipeline import PresencePipeline
from installation.sim.audience import AudienceRenderer, GroundTruthZones

BoxT = tuple[float, float, float, float]  # x, y, w, h in pixels (left, top, width, height)


class GroundTruthError(InstallationError):
    """A ground-truth file cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class TruthBox:
    """One annotated person in one frame (MOT: frame and id 1-based, box in pixels)."""

    frame: int
    id: int
    x: float
    y: float
    w: float
    h: float


def load_mot(path: Path, classes: Iterable[int] = (1,)) -> dict[int, list[TruthBox]]:
    """Read a MOT Challenge text file (`frame,id,left,top,width,height,conf,...`) → boxes per frame.

    Lines whose 7th column (MOT16+: "consider" flag) is 0 are skipped; for 9-column files (MOT16/17
    ground truth) only the given classes are kept (1 = pedestrian). 10-column MOT15 files keep all.
    """
    keep = set(classes)
    out: dict[int, list[TruthBox]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GroundTruthError(
            f"{path}: cannot read ground truth ({exc.__class__.__name__}: {exc})"
        ) from None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.replace(" ", ",").split(",") if c.strip()]
        if len(cols) < 6:
            raise GroundTruthError(
                f"{path}:{n}: expected frame,id,left,top,width,height,... "
                f"(MOT Challenge format), got {line[:60]!r}"
            )
        try:
            frame, pid = int(float(cols[0])), int(float(cols[1]))
            x, y, w, h = (float(c) for c in cols[2:6])
            conf = float(cols[6]) if len(cols) > 6 else 1.0
            cls = int(float(cols[7])) if len(cols) == 9 else None
        except ValueError:
            raise GroundTruthError(
                f"{path}:{n}: not a number in {line[:60]!r} "
                "(MOT Challenge format: frame,id,left,top,width,height,...)"
            ) from None
        if len(cols) == 9 and conf == 0:
            continue
        if cls is not None and keep and cls not in keep:
            continue
        out.setdefault(frame, []).append(TruthBox(frame, pid, x, y, w, h))
    return out


def presence_boxes(p: Presence, width: int, height: int, anchor: str = "feet") -> list[tuple[int, BoxT]]:
    """The tracked people of a snapshot as (id, pixel box); the position is the feet (or the centre)."""
    out = []
    for q in p.people:
        w, h = q.w * width, q.h * height
        x = q.x * width - w / 2
        y = q.y * height - (h if anchor == "feet" else h / 2)
        out.append((q.id, (x, y, w, h)))
    return out


def iou(a: BoxT, b: BoxT) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def match_boxes(
    dets: Sequence[BoxT], truths: Sequence[BoxT], method: str = "distance", threshold: float | None = None
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: `distance` between box centres ≤ threshold × truth height (0.5),
    or `iou` ≥ threshold (0.3). Returns (detection index, truth index) pairs."""
    pairs = []
    if method == "iou":
        thr = 0.3 if threshold is None else threshold
        for i, d in enumerate(dets):
            for j, g in enumerate(truths):
                v = iou(d, g)
                if v >= thr:
                    pairs.append((-v, i, j))
    elif method == "distance":
        thr = 0.5 if threshold is None else threshold
        for i, d in enumerate(dets):
            dx, dy = d[0] + d[2] / 2, d[1] + d[3] / 2
            for j, g in enumerate(truths):
                dist = math.hypot(dx - (g[0] + g[2] / 2), dy - (g[1] + g[3] / 2))
                if dist <= thr * max(g[3], 1.0):
                    pairs.append((dist, i, j))
    else:
        raise ValueError(f"match method must be distance or iou, not {method!r}")
    pairs.sort()
    used_d: set[int] = set()
    used_t: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_d and j not in used_t:
            used_d.add(i)
            used_t.add(j)
            out.append((i, j))
    return out


@dataclass
class Score:
    """Accumulated scores of one detector over many frames."""

    name: str
    frames: int = 0
    abs_err: float = 0.0
    sq_err: float = 0.0
    signed_err: float = 0.0
    exact: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    id_switches: int = 0
    truth_total: int = 0
    counts: list[int] = field(default_factory=list)
    _last_match: dict[int, int] = field(default_factory=dict)

    def add(
        self,
        count: int,
        dets: Sequence[tuple[int, BoxT]],
        truths: Sequence[tuple[int, BoxT]],
        method: str = "distance",
        threshold: float | None = None,
    ) -> None:
        """One frame: the reported count, detections (id, box) and truth (id, box)."""
        err = count - len(truths)
        self.frames += 1
        self.abs_err += abs(err)
        self.sq_err += err * err
        self.signed_err += err
        self.exact += err == 0
        self.counts.append(count)
        self.truth_total += len(truths)
        pairs = match_boxes([d[1] for d in dets], [g[1] for g in truths], method, threshold)
        self.tp += len(pairs)
        self.fp += len(dets) - len(pairs)
        self.fn += len(truths) - len(pairs)
        for i, j in pairs:
            did, gid = dets[i][0], truths[j][0]
            prev = self._last_match.get(gid)
            if prev is not None and prev != did and did >= 0:
                self.id_switches += 1
            if did >= 0:
                self._last_match[gid] = did

    @property
    def count_mae(self) -> float:
        """Mean absolute count error per frame."""
        return self.abs_err / self.frames if self.frames else 0.0

    @property
    def count_rmse(self) -> float:
        """Root mean square count error per frame."""
        return math.sqrt(self.sq_err / self.frames) if self.frames else 0.0

    @property
    def count_bias(self) -> float:
        """Mean signed count error (positive: counts too many)."""
        return self.signed_err / self.frames if self.frames else 0.0

    @property
    def exact_fraction(self) -> float:
        """Fraction of frames with the exact count."""
        return self.exact / self.frames if self.frames else 0.0

    @property
    def precision(self) -> float:
        """Matched detections / all detections."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Matched truths / all truths."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def mota(self) -> float:
        """MOT accuracy: 1 - (misses + false positives + id switches) / truths."""
        return 1.0 - (self.fn + self.fp + self.id_switches) / self.truth_total if self.truth_total else 1.0

    def summary(self) -> dict[str, float]:
        """The scores as a flat dict (for tables and JSON)."""
        return {
            "frames": self.frames,
            "count_mae": round(self.count_mae, 4),
            "count_rmse": round(self.count_rmse, 4),
            "count_bias": round(self.count_bias, 4),
            "count_exact": round(self.exact_fraction, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "id_switches": self.id_switches,
            "mota": round(self.mota, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class ZoneScore:
    """Agreement of zone occupancy and dwell with the truth, frame by frame."""

    frames: int = 0
    agree: int = 0
    count_abs_err: float = 0.0
    dwell_errors: list[float] = field(default_factory=list)

    def add(self, ours: Mapping[str, ZoneState], truth: Mapping[str, ZoneState]) -> None:
        """One frame: our zone states and the true ones."""
        for name, z in truth.items():
            o = ours.get(name, ZoneState())
            self.frames += 1
            self.agree += (o.count > 0) == (z.count > 0)
            self.count_abs_err += abs(o.count - z.count)
            if o.count > 0 and z.count > 0:
                self.dwell_errors.append(o.dwell_s - z.dwell_s)

    @property
    def occupancy_agreement(self) -> float:
        """Fraction of (frame, zone) pairs where occupied/empty agrees with the truth."""
        return self.agree / self.frames if self.frames else 1.0

    def dwell_error_s(self, q: float = 50.0) -> float:
        """Percentile of |our dwell - true dwell| over frames where both say occupied."""
        if not self.dwell_errors:
            return 0.0
        return float(np.percentile(np.abs(self.dwell_errors), q))


def format_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    """A plain text table with aligned columns."""
    cells = [[str(c) for c in columns]] + [[_fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    return "\n".join(
        "  ".join(v.rjust(widths[i]) if i else v.ljust(widths[i]) for i, v in enumerate(row)) for row in cells
    )


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def evaluate_video(
    video: Path,
    truth: Mapping[int, Sequence[TruthBox]],
    make_pipeline: Callable[[], object],
    *,
    hog: object | None = None,
    method: str = "distance",
    threshold: float | None = None,
    seed_frames: int = 0,
    max_frames: int | None = None,
    progress: Callable[[int], None] | None = None,
    after_startup: Score | None = None,
) -> tuple[Score, Score | None, int]:
    """Run the pipeline (and optionally a HOG detector) over a video and score both against truth.

    Frames are stamped i / fps. Every frame is scored: a frame where the pipeline is still starting up
    (presence unknown) counts as "nobody seen", as the show would read it. The number of such start-up
    frames is returned third, so a table can show them beside the score. `seed_frames` > 0 first learns
    the background from the temporal median of that many frames spread over the video (like
    calibration's background grab). `after_startup`, when given, also scores only the known frames.
    """
    from installation.presence.sources import VideoFileSource, iter_frames

    src = VideoFileSource(video, loop=False, realtime=False)
    src.open()
    fps, (width, height), total = src.fps, src.size, src.frame_count
    src.close()
    pipeline = make_pipeline()
    if seed_frames > 0:
        from installation.presence.calibrate import median_background

        pipeline.seed_background(median_background(video, seed_frames))  # type: ignore[attr-defined]
    ours = Score("pipeline")
    peer = Score("hog") if hog is not None else None
    skipped = 0
    anchor = getattr(getattr(pipeline, "config", None), "anchor", "feet")
    for i, frame in iter_frames(video):
        if max_frames is not None and i >= max_frames:
            break
        snap = pipeline.process(frame, i / fps)  # type: ignore[attr-defined]
        truths = [(g.id, (g.x, g.y, g.w, g.h)) for g in truth.get(i + 1, ())]
        if progress is not None and i % 50 == 0:
            progress(i)
        if snap.known:
            dets = presence_boxes(snap, width, height, anchor)
            ours.add(snap.count, dets, truths, method, threshold)
            if after_startup is not None:
                after_startup.add(snap.count, dets, truths, method, threshold)
        else:
            skipped += 1
            ours.add(0, [], truths, method, threshold)
        if peer is not None:
            boxes = hog.detect(frame)  # type: ignore[attr-defined]
            peer.add(len(boxes), [(-1, b[:4]) for b in boxes], truths, method, threshold)
    del total
    return ours, peer, skipped


@dataclass
class SyntheticRun:
    """Scores of a run over a synthetic audience, and the count traces (ours, truth, raw) per frame."""

    score: Score
    zones: ZoneScore
    ours: list[int] = field(default_factory=list)
    truth: list[int] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)
    unknown_frames: int = 0


def evaluate_synthetic(
    truth: Callable[[float], Sequence[Person]],
    renderer: AudienceRenderer,
    pipeline: PresencePipeline,
    duration_s: float,
    *,
    fps: float = 15.0,
    drawn: Callable[[float], Sequence[Person]] | None = None,
    start_s: float = 0.0,
) -> SyntheticRun:
    """Render a synthetic audience frame by frame, run the pipeline, and score it against the exact truth."""
    gt_zones = GroundTruthZones(pipeline.zones)
    run = SyntheticRun(Score("pipeline"), ZoneScore())
    drawn = drawn or truth
    n = round(duration_s * fps)
    for i in range(n):
        t = start_s + i / fps
        people = truth(t)
        frame, boxes = renderer.render(t, drawn(t))
        snap = pipeline.process(frame, t)
        gz = gt_zones.update(t, people)
        if not snap.known:
            run.unknown_frames += 1
            continue
        truths = [(p.id, boxes[p.id]) for p in people if p.id in boxes]
        run.score.add(snap.count, presence_boxes(snap, renderer.width, renderer.height), truths)
        run.zones.add(snap.zones, gz)
        run.ours.append(snap.count)
        run.truth.append(len(people))
        run.raw.append(pipeline.raw_count)
    return run
