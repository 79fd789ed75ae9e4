"""A synthetic audience for the camera: seeded visitors drawn as people-like figures, with exact ground truth.

Two parts that plug together:
- who is where: `RandomAudience` (seeded walkers that enter, wander, stop in zones and leave) or any
  callable `t -> list[Person]` (e.g. the audience-script model's `presence_at(t, zones).people`);
- what the camera sees: `AudienceRenderer` draws those people (feet at `Person.x, Person.y`, perspective
  size, head + torso + legs + arms in varied greys) over a textured room with sensor noise and a slow
  illumination drift, and returns the exact box of every figure it drew.
`SyntheticCamera` is a FrameSource built from both; `render_video` writes a video plus its MOT ground truth.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from installation.engine.presence import Person, Presence, ZoneState
from installation.errors import DeviceError
from installation.presence.sources import FrameSource
from installation.presence.zones import Polygon, Zone, make_zones, point_in_polygon

PeopleFn = Callable[[float], Sequence[Person]]
Box = tuple[float, float, float, float]  # x, y, w, h in pixels


# --------------------------------------------------------------------------------------------- walkers


@dataclass(frozen=True, slots=True)
class _Leg:
    """A straight walk (or a stand when the two ends are equal) between t0 and t1."""

    t0: float
    t1: float
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Visitor:
    """One seeded visitor: a path of walks and stands from an entry off-frame to an exit off-frame."""

    id: int
    legs: tuple[_Leg, ...]
    sway_phase: float
    in_view_s: float  # when the feet first cross into the frame

    @property
    def enter_s(self) -> float:
        """When the visitor starts walking in (off-frame)."""
        return self.legs[0].t0

    @property
    def leave_s(self) -> float:
        """When the visitor has walked out (off-frame)."""
        return self.legs[-1].t1

    def at(self, t: float) -> tuple[float, float, float, float] | None:
        """(x, y, vx, vy) at time t, or None when the visitor is not in the room."""
        if not self.legs or t < self.legs[0].t0 or t >= self.legs[-1].t1:
            return None
        i = bisect.bisect_right([leg.t0 for leg in self.legs], t) - 1
        leg = self.legs[max(i, 0)]
        span = max(leg.t1 - leg.t0, 1e-9)
        u = min(max((t - leg.t0) / span, 0.0), 1.0)
        x = leg.x0 + (leg.x1 - leg.x0) * u
        y = leg.y0 + (leg.y1 - leg.y0) * u
        vx = (leg.x1 - leg.x0) / span
        vy = (leg.y1 - leg.y0) / span
        if vx == 0.0 and vy == 0.0:  # standing: a small sway, as people do
            w = 2 * math.pi / 7.0
            x += 0.006 * math.sin(w * t + self.sway_phase)
            y += 0.003 * math.sin(0.7 * w * t + 2 * self.sway_phase)
            vx = 0.006 * w * math.cos(w * t + self.sway_phase)
            vy = 0.003 * 0.7 * w * math.cos(0.7 * w * t + 2 * self.sway_phase)
        return x, y, vx, vy


class RandomAudience:
    """Seeded visitors who enter from a side, wander, stop in zones and leave; call it with t for people."""

    def __init__(
        self,
        zones: Mapping[str, Sequence[Sequence[float]]] | Iterable[Zone] = (),
        *,
        seed: int = 0,
        duration_s: float = 600.0,
        arrivals_per_min: float = 4.0,
        max_people: int = 6,
        speed: tuple[float, float] = (0.07, 0.13),
        stop_s: tuple[float, float] = (4.0, 20.0),
        stops: tuple[int, int] = (1, 3),
        floor: tuple[float, float, float, float] = (0.08, 0.4, 0.92, 0.95),
        first_arrival_s: float = 1.5,
        zone_bias: float = 0.7,
    ) -> None:
        self.zones = make_zones(zones)
        self.seed = seed
        self.duration_s = duration_s
        rng = np.random.default_rng(seed)
        self.visitors: list[Visitor] = []
        t = first_arrival_s
        next_id = 1
        while t < duration_s:
            busy = sum(1 for v in self.visitors if v.enter_s <= t < v.leave_s)
            if busy < max_people:
                self.visitors.append(
                    self._make_visitor(
                        next_id,
                        t,
                        rng,
                        speed=speed,
                        stop_s=stop_s,
                        stops=stops,
                        floor=floor,
                        zone_bias=zone_bias,
                    )
                )
                next_id += 1
            t += float(rng.exponential(60.0 / max(arrivals_per_min, 1e-6)))

    def _point_in(
        self, rng: np.random.Generator, zone: Zone | None, floor: tuple[float, float, float, float]
    ) -> tuple[float, float]:
        fx0, fy0, fx1, fy1 = floor
        if zone is not None:
            xs = [p[0] for p in zone.polygon]
            ys = [p[1] for p in zone.polygon]
            lo_x, hi_x = max(min(xs), fx0), min(max(xs), fx1)
            lo_y, hi_y = max(min(ys), fy0), min(max(ys), fy1)
            for _ in range(50):
                x, y = float(rng.uniform(lo_x, hi_x)), float(rng.uniform(lo_y, hi_y))
                # stand clearly inside, not on the edge, so the truth is not a coin toss
                if all(
                    zone.contains(x + dx, y + dy) for dx, dy in ((0.03, 0), (-0.03, 0), (0, 0.03), (0, -0.03))
                ):
                    return x, y
        return float(rng.uniform(fx0, fx1)), float(rng.uniform(fy0, fy1))

    def _make_visitor(
        self,
        vid: int,
        t: float,
        rng: np.random.Generator,
        *,
        speed: tuple[float, float],
        stop_s: tuple[float, float],
        stops: tuple[int, int],
        floor: tuple[float, float, float, float],
        zone_bias: float,
    ) -> Visitor:
        v = float(rng.uniform(*speed))
        side = int(rng.integers(2))
        x, y = (-0.04 if side == 0 else 1.04), float(rng.uniform(floor[1] + 0.05, floor[3]))
        legs: list[_Leg] = []
        in_view_s = t

        def walk(tx: float, ty: float) -> None:
            nonlocal t, x, y, in_view_s
            dist = math.hypot(tx - x, ty - y)
            dur = max(dist / v, 0.05)
            if not legs and (x < 0.0 or x > 1.0) and tx != x:
                edge = 0.0 if x < 0.0 else 1.0
                in_view_s = t + dur * (edge - x) / (tx - x)
            legs.append(_Leg(t, t + dur, x, y, tx, ty))
            t, x, y = t + dur, tx, ty

        for _ in range(int(rng.integers(stops[0], stops[1] + 1))):
            zone = None
            if self.zones and rng.uniform() < zone_bias:
                zone = self.zones[int(rng.integers(len(self.zones)))]
            walk(*self._point_in(rng, zone, floor))
            dur = float(rng.uniform(*stop_s))
            legs.append(_Leg(t, t + dur, x, y, x, y))
            t += dur
        exit_side = int(rng.integers(2))
        walk(
            -0.06 if exit_side == 0 else 1.06, float(np.clip(y + rng.uniform(-0.1, 0.1), floor[1], floor[3]))
        )
        return Visitor(vid, tuple(legs), float(rng.uniform(0, 2 * math.pi)), in_view_s)

    def _around(self, t: float) -> list[Visitor]:
        """Visitors who may be in the room at t (arrivals are sorted; visits are bounded in length)."""
        if not hasattr(self, "_starts"):
            self._starts = [v.enter_s for v in self.visitors]
            self._longest = max((v.leave_s - v.enter_s for v in self.visitors), default=0.0)
        lo = bisect.bisect_left(self._starts, t - self._longest)
        hi = bisect.bisect_right(self._starts, t)
        return self.visitors[lo:hi]

    def __call__(self, t: float) -> list[Person]:
        """Everyone whose feet are in the frame at time t (the ground truth a camera should report)."""
        people = []
        for v in self._around(t):
            at = v.at(t)
            if at is None:
                continue
            x, y, vx, vy = at
            if 0.0 <= x < 1.0 and 0.0 <= y < 1.0:
                people.append(Person(id=v.id, x=x, y=y, vx=vx, vy=vy, present_s=max(0.0, t - v.in_view_s)))
        return people

    def in_room(self, t: float) -> list[Person]:
        """Everyone on their path at time t, including those still off-frame at the sides (for drawing)."""
        out = []
        for v in self._around(t):
            at = v.at(t)
            if at is not None:
                out.append(Person(id=v.id, x=at[0], y=at[1], vx=at[2], vy=at[3]))
        return out

    def looped(self, start_s: float) -> PeopleFn:
        """`t -> people drawn` for a live clock: time counted from start_s, repeating every duration_s."""
        return lambda t: self.in_room((t - start_s) % self.duration_s)


class GroundTruthZones:
    """Exact zone counts and dwell from ground-truth people fed in time order (dwell = time occupied)."""

    def __init__(self, zones: Mapping[str, Sequence[Sequence[float]]] | Iterable[Zone]) -> None:
        self.zones = make_zones(zones)
        self._since: dict[str, float | None] = {z.name: None for z in self.zones}

    def update(self, t: float, people: Sequence[Person]) -> dict[str, ZoneState]:
        """Zone states at time t for these true people (call in time order)."""
        out = {}
        for z in self.zones:
            n = sum(1 for p in people if point_in_polygon(p.x, p.y, z.polygon))
            if n == 0:
                self._since[z.name] = None
            elif self._since[z.name] is None:
                self._since[z.name] = t
            since = self._since[z.name]
            out[z.name] = ZoneState(count=n, dwell_s=0.0 if since is None else t - since)
        return out

    def presence(self, t: float, people: Sequence[Person]) -> Presence:
        """The exact Presence snapshot at time t."""
        return Presence(t=t, count=len(people), people=tuple(people), zones=self.update(t, people))


# --------------------------------------------------------------------------------------------- drawing


@dataclass(frozen=True, slots=True)
class Look:
    """How one visitor appears: size and the greys of head, shirt and trousers."""

    scale: float
    width_ratio: float
    head: int
    shirt: int
    trousers: int
    gap: bool  # a visible neck gap between head and shoulders


def _grey(rng: np.random.Generator) -> int:
    if rng.uniform() < 0.5:
        return int(rng.integers(20, 80))
    return int(rng.integers(165, 236))


class AudienceRenderer:
    """Draws people over a textured room with sensor noise and slow illumination drift (BGR frames)."""

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        *,
        seed: int = 0,
        noise: float = 3.0,
        drift: float = 0.1,
        drift_period_s: float = 90.0,
        person_height: tuple[float, float] = (0.16, 0.34),
        occluders: Sequence[tuple[float, float, float, float]] = (),
    ) -> None:
        self.width, self.height = width, height
        self.seed = seed
        self.drift, self.drift_period_s = drift, drift_period_s
        self.person_height = person_height
        self.occluders = tuple(occluders)
        rng = np.random.default_rng(seed)
        self.background = self._room(rng)
        bank = (
            rng.normal(0.0, noise, size=(6, height, width, 3))
            if noise > 0
            else np.zeros((1, height, width, 3))
        )
        # signed sensor noise as two saturating steps: add the positive part, subtract the negative part
        self._noise_up = np.clip(bank, 0, 255).astype(np.uint8)
        self._noise_down = np.clip(-bank, 0, 255).astype(np.uint8)
        self._looks: dict[int, Look] = {}
        self._buf = np.empty_like(self.background)
        self._frame_no = 0

    def _room(self, rng: np.random.Generator) -> np.ndarray:
        w, h = self.width, self.height
        y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
        floor = 95.0 + 55.0 * y + np.zeros((1, w), np.float32)
        wall_h = int(0.3 * h)
        floor[:wall_h] = 178.0 - 10.0 * y[:wall_h] * 3
        tex = cv2.GaussianBlur(rng.normal(0, 9, (h, w)).astype(np.float32), (0, 0), 2.5)
        img = np.clip(floor + tex, 0, 255).astype(np.uint8)
        cv2.line(img, (0, wall_h), (w, wall_h), 70, max(1, h // 160))
        for _ in range(3):  # plinths, a bench: static things people pass in front of
            x0 = int(rng.uniform(0.05, 0.85) * w)
            y0 = int(rng.uniform(0.12, 0.25) * h)
            cv2.rectangle(
                img, (x0, y0), (x0 + int(0.08 * w), y0 + int(0.12 * h)), int(rng.integers(40, 90)), -1
            )
        cv2.rectangle(img, (int(0.35 * w), int(0.03 * h)), (int(0.65 * w), int(0.2 * h)), 225, -1)  # a screen
        bgr = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        bgr[..., 0] = cv2.add(bgr[..., 0], 6)  # a slightly cool room
        return bgr

    def look(self, pid: int) -> Look:
        """The (seeded, stable) appearance of visitor `pid`."""
        if pid not in self._looks:
            rng = np.random.default_rng((self.seed, 7919, pid))
            self._looks[pid] = Look(
                scale=float(rng.uniform(0.85, 1.15)),
                width_ratio=float(rng.uniform(0.32, 0.42)),
                head=int(rng.integers(60, 210)),
                shirt=_grey(rng),
                trousers=_grey(rng),
                gap=bool(rng.uniform() < 0.4),
            )
        return self._looks[pid]

    def height_px(self, p: Person) -> float:
        """Drawn height of a standing person whose feet are at p.y (perspective: nearer is bigger)."""
        if p.h > 0:
            return p.h * self.height
        far, near = self.person_height
        return (far + (near - far) * p.y) * self.height * self.look(p.id).scale

    def box(self, p: Person) -> Box:
        """The full box of the figure in pixels (head to feet, arms included), not clipped."""
        hp = self.height_px(p)
        wp = hp * self.look(p.id).width_ratio * 1.1
        fx, fy = p.x * self.width, p.y * self.height
        return fx - wp / 2, fy - hp, wp, hp

    def render(self, t: float, people: Iterable[Person]) -> tuple[np.ndarray, dict[int, Box]]:
        """A frame at time t with these people drawn, and each visible figure's box (clipped, pixels)."""
        img = self._buf
        np.copyto(img, self.background)
        boxes: dict[int, Box] = {}
        for p in sorted(people, key=lambda q: q.y):  # far first, near people occlude them
            bx, by, bw, bh = self.box(p)
            x0, y0 = max(bx, 0.0), max(by, 0.0)
            x1, y1 = min(bx + bw, self.width), min(by + bh, self.height)
            if x1 - x0 < 1 or y1 - y0 < 1:
                continue
            self._draw(img, p, t)
            boxes[p.id] = (x0, y0, x1 - x0, y1 - y0)
        for ox0, oy0, ox1, oy1 in self.occluders:
            cv2.rectangle(
                img,
                (int(ox0 * self.width), int(oy0 * self.height)),
                (int(ox1 * self.width), int(oy1 * self.height)),
                (128, 122, 120),
                -1,
            )
        gain = 1.0 + self.drift * math.sin(2 * math.pi * t / self.drift_period_s)
        out = cv2.convertScaleAbs(img, alpha=gain)
        k = self._frame_no % len(self._noise_up)
        self._frame_no += 1
        cv2.add(out, self._noise_up[k], out)
        cv2.subtract(out, self._noise_down[k], out)
        return out, boxes

    def _draw(self, img: np.ndarray, p: Person, t: float) -> None:
        lk = self.look(p.id)
        hp = self.height_px(p)
        wp = hp * lk.width_ratio
        fx, fy = p.x * self.width, p.y * self.height
        moving = math.hypot(p.vx, p.vy) > 0.02
        swing = 0.22 * wp * math.sin(2 * math.pi * 1.7 * t + p.id) if moving else 0.0
        f = float(1 << 4)  # drawing uses 4 fractional bits for sub-pixel positions

        def pt(x: float, y: float) -> tuple[int, int]:
            return round(x * f), round(y * f)

        hip_y = fy - 0.47 * hp
        leg_w = max(0.16 * wp, 1.0)
        trousers = (lk.trousers,) * 3
        shirt = (lk.shirt,) * 3
        for side in (-1, 1):  # legs
            hx = fx + side * 0.16 * wp
            footx = fx + side * 0.12 * wp + side * swing
            quad = np.array(
                [
                    pt(hx - leg_w / 2, hip_y),
                    pt(hx + leg_w / 2, hip_y),
                    pt(footx + leg_w / 2, fy),
                    pt(footx - leg_w / 2, fy),
                ],
                np.int32,
            )
            cv2.fillConvexPoly(img, quad, trousers, cv2.LINE_AA, 4)
        sh_y = fy - 0.8 * hp
        torso = np.array(
            [
                pt(fx - wp / 2, sh_y + 0.03 * hp),
                pt(fx - 0.4 * wp, sh_y),
                pt(fx + 0.4 * wp, sh_y),
                pt(fx + wp / 2, sh_y + 0.03 * hp),
                pt(fx + 0.42 * wp, hip_y + 0.02 * hp),
                pt(fx - 0.42 * wp, hip_y + 0.02 * hp),
            ],
            np.int32,
        )
        cv2.fillConvexPoly(img, torso, shirt, cv2.LINE_AA, 4)
        arm_t = max(round(0.12 * wp), 1)
        for side in (-1, 1):  # arms swing against the legs
            ax = fx + side * 0.5 * wp
            hand = (ax + side * 0.03 * wp - side * swing * 0.6, fy - 0.45 * hp)
            cv2.line(img, pt(ax, sh_y + 0.04 * hp), pt(*hand), shirt, arm_t, cv2.LINE_AA, 4)
        r = 0.085 * hp
        gap = 0.03 * hp if lk.gap else 0.0
        cv2.circle(img, pt(fx, sh_y - r - gap + 0.01 * hp), round(r * f), (lk.head,) * 3, -1, cv2.LINE_AA, 4)


class SyntheticCamera(FrameSource):
    """A FrameSource that renders `people(t)` at the clock's time: the rehearsal and test camera."""

    def __init__(
        self,
        people: PeopleFn,
        renderer: AudienceRenderer | None = None,
        fps: float = 30.0,
        now: Callable[[], float] | None = None,
        fail: Callable[[float], bool] | None = None,
    ) -> None:
        self.people = people
        self.renderer = renderer or AudienceRenderer()
        self.period_s = 1.0 / fps
        self._now = now
        self._fail = fail  # fault injection for tests: True at times the "camera" is unplugged
        self._open = False
        self.last_t = 0.0
        self.last_boxes: dict[int, Box] = {}

    def describe(self) -> str:
        return "synthetic audience"

    def open(self) -> None:
        if self._fail is not None and self._now is not None and self._fail(self._now()):
            raise DeviceError("synthetic audience: simulated camera failure (unplugged)")
        self._open = True

    def frame_at(self, t: float) -> np.ndarray:
        """The frame a camera would see at time t; also records the drawn boxes in `last_boxes`."""
        frame, self.last_boxes = self.renderer.render(t, self.people(t))
        self.last_t = t
        return frame

    def read(self) -> np.ndarray | None:
        if not self._open or self._now is None:
            return None
        t = self._now()
        if self._fail is not None and self._fail(t):
            return None
        return self.frame_at(t)

    def close(self) -> None:
        self._open = False


def people_from_presence(presence_at: Callable[[float], Presence]) -> PeopleFn:
    """Adapt a ground-truth `t -> Presence` function (the audience-script model) to `t -> people`."""
    return lambda t: list(presence_at(t).people)


def render_video(
    path: Path,
    gt_path: Path,
    people: PeopleFn,
    duration_s: float,
    *,
    fps: float = 15.0,
    renderer: AudienceRenderer | None = None,
    drawn: PeopleFn | None = None,
) -> int:
    """Write an MJPG video of the audience and its MOT ground truth (`frame,id,x,y,w,h,1,1,1`); frame count.

    `people` gives who is in view (the truth); `drawn` (default: the same) who is drawn, e.g. including
    visitors half off-frame at the sides.
    """
    renderer = renderer or AudienceRenderer()
    drawn = drawn or people
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (renderer.width, renderer.height)
    )
    if not writer.isOpened():
        raise DeviceError(f"{path}: cannot write video (check the folder exists and is writable)")
    n = round(duration_s * fps)
    lines = []
    try:
        for i in range(n):
            t = i / fps
            truth = {p.id for p in people(t)}
            frame, boxes = renderer.render(t, drawn(t))
            writer.write(frame)
            for pid, (x, y, w, h) in sorted(boxes.items()):
                if pid in truth:
                    lines.append(f"{i + 1},{pid},{x:.1f},{y:.1f},{w:.1f},{h:.1f},1,1,1.0\n")
    finally:
        writer.release()
    gt_path.write_text("".join(lines), encoding="utf-8")
    return n


def zone_polygons(zones: Mapping[str, Polygon] | Iterable[Zone]) -> dict[str, Polygon]:
    """`{name: polygon}` from either form."""
    return {z.name: z.polygon for z in make_zones(zones)}


def synthetic_camera(
    settings: Any, clock: object | None, *, audience: Callable[[float], list[Person]] | None = None,
    fps: float = 15.0, seed: int = 0,
) -> SyntheticCamera:
    """`presence.source: synthetic`: a camera drawing `audience` (default: seeded walkers, an hour long and
    repeating, timed from now) for the real detection pipeline (presence.build's `synthetic` factory)."""
    from installation.presence.adapter import now_function

    now = now_function(clock)
    if audience is None:
        audience = RandomAudience(settings.zones, seed=seed, duration_s=3600.0).looped(now())
    return SyntheticCamera(audience, fps=fps, now=now)
