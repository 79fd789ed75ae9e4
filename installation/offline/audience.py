"""Audience scripts: people entering, walking between zones and leaving, the operator beside them, and the
exact presence they produce.

Pure: `load_audience()` parses a script (all problems at once, with positions; `repeat` blocks are
expanded here) and `AudienceScript.presence_at(t, zones)` gives the ground-truth `Presence` at any time t —
positions interpolated while walking, a small seeded wander while standing, zone counts and dwell. The
synthetic camera source draws these people; `installation test` feeds these snapshots straight to the
engine and plays the script's operator events (GO, stop, panic, go to an act, open or close now) at their
times. docs/show-tests.md describes the format.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import itertools
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.engine.presence import Person, Presence, ZoneState
from installation.errors import Problem, ShowError
from installation.show.located import key_pos, load_file, load_text, node_pos, value_pos
from installation.show.units import UnitError, is_number, parse_duration

Point = tuple[float, float]
Polygon = tuple[Point, ...]

ALL = "all"
DEFAULT_WALK_S = 4.0
WANDER_M = 0.008  # wander amplitude while standing, in frame widths
PERSON_W, PERSON_H = 0.05, 0.16  # nominal size at the back of the room; people nearer look bigger

_TOP_KEYS = ("duration", "seed", "events")
_EVENT_KEYS = ("at", "enter", "zone", "move", "to", "over", "leave", "operator", "act", "until")
_REPEAT_KEYS = ("repeat", "every", "at", "events")
_KINDS = ("enter", "move", "leave", "operator")
# what the operator can do from a script, as on the panel and over OSC
OPERATOR_ACTIONS = ("go", "stop", "panic", "pause", "resume", "goto", "open", "close", "schedule")
ACT_TARGETS = ("next", "idle")
REPETITION = "#"  # in a person's id inside a repeat (`visitor#`): the repetition number, 1, 2, 3, …
MAX_EVENTS = 200_000  # a repeat that makes more is a mistake (a period of 1 s over a week)
_HHMM = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True, slots=True)
class Place:
    """Where people appear or walk to: a zone name or a point [x, y] (0..1, y down = nearer)."""

    zone: str | None = None
    point: Point | None = None
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class AudienceEvent:
    """One line of the script: `enter`, `move` or `leave` of some people at `at_s`."""

    at_s: float
    kind: str  # enter | move | leave
    people: tuple[str, ...]  # ids; ("all",) for everyone present
    place: Place | None = None  # enter: where (None = anywhere); move: destination
    over_s: float = DEFAULT_WALK_S  # walking time of a move
    line: int = 1
    col: int = 1
    repetition: str = ""  # inside a repeat: which one ("repetition 2 of the repeat at line 5")


@dataclass(frozen=True, slots=True)
class OperatorEvent:
    """What the operator does at `at_s`: go, stop, panic, pause, resume, goto `act`, open or close now
    `until` a time of day ("22:00"), or schedule (back to the opening hours)."""

    at_s: float
    action: str  # one of OPERATOR_ACTIONS
    act: str | None = None  # goto: an act name, next or idle
    until: str | None = None  # open/close: "HH:MM", the next time the clock shows it
    line: int = 1
    col: int = 1
    repetition: str = ""

    @property
    def text(self) -> str:
        """How the timeline shows it: `go`, `goto streets`, `open until 22:00`."""
        if self.act is not None:
            return f"{self.action} {self.act}"
        if self.until is not None:
            return f"{self.action} until {self.until}"
        return self.action


@dataclass(frozen=True, slots=True)
class _Repeat:
    """A `repeat` block before expansion: its items, each at a time relative to the block's start."""

    start_s: float
    count: int | None  # None: until the script ends
    every_s: float
    items: tuple[AudienceEvent | OperatorEvent | _Repeat, ...]
    line: int
    col: int


# ------------------------------------------------------------------------------------------ geometry


def point_in_polygon(x: float, y: float, polygon: Sequence[Point]) -> bool:
    """Even-odd rule; a point exactly on an edge may fall either side."""
    inside = False
    n = len(polygon)
    j = n - 1
    for i in range(n):
        xi, yi = polygon[i]
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _dist_to_segment(px: float, py: float, a: Point, b: Point) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    den = dx * dx + dy * dy
    s = 0.0 if den == 0.0 else min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / den))
    return math.hypot(px - (ax + s * dx), py - (ay + s * dy))


def distance_to_edges(x: float, y: float, polygon: Sequence[Point]) -> float:
    """Shortest distance from a point to the polygon's outline."""
    n = len(polygon)
    return min(_dist_to_segment(x, y, polygon[i - 1], polygon[i]) for i in range(n)) if n else math.inf


def _crossings(p0: Point, p1: Point, polygon: Sequence[Point]) -> list[float]:
    """Fractions s in (0, 1) where the segment p0→p1 crosses an edge of the polygon."""
    out: list[float] = []
    x0, y0 = p0
    dx, dy = p1[0] - x0, p1[1] - y0
    n = len(polygon)
    for i in range(n):
        ax, ay = polygon[i - 1]
        bx, by = polygon[i]
        ex, ey = bx - ax, by - ay
        den = dx * ey - dy * ex
        if den == 0.0:
            continue
        s = ((ax - x0) * ey - (ay - y0) * ex) / den
        u = ((ax - x0) * dy - (ay - y0) * dx) / den
        if 0.0 < s < 1.0 and 0.0 <= u <= 1.0:
            out.append(s)
    return sorted(out)


def _polygon_of(zone: Any) -> Polygon:
    poly = getattr(zone, "polygon", zone)
    return tuple((float(x), float(y)) for x, y in poly)


# ------------------------------------------------------------------------------------ resolved paths


class _Segment:
    """A stretch of one visit: walking in a straight line from p0 to p1, or standing at p0 with a wander."""

    __slots__ = ("dx", "dy", "p0", "p1", "t0", "t1", "vx", "vy", "w", "walking", "wander_m")

    def __init__(
        self,
        t0: float,
        t1: float,
        p0: Point,
        p1: Point,
        *,
        wander_m: float = 0.0,
        w: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.t0 = t0
        self.t1 = t1  # end (math.inf while standing until the script ends)
        self.p0 = p0  # start (walking) or anchor (standing)
        self.p1 = p1  # walking destination; == p0 when standing
        self.wander_m = wander_m  # standing: wander amplitude (shrunk near zone edges: membership stays put)
        self.w = w  # wander angular speeds (x, y)
        self.walking = p0 != p1
        self.dx = p1[0] - p0[0]
        self.dy = p1[1] - p0[1]
        self.set_end(t1)

    def set_end(self, t1: float) -> None:
        """Set when the segment ends (walking speed follows from it)."""
        self.t1 = t1
        span = t1 - self.t0
        ok = self.walking and 0.0 < span < math.inf
        self.vx = self.dx / span if ok else 0.0
        self.vy = self.dy / span if ok else 0.0

    def position(self, t: float) -> tuple[float, float, float, float]:
        """(x, y, vx, vy) at time t within the segment."""
        x0, y0 = self.p0
        if self.walking:
            span = self.t1 - self.t0
            s = min(1.0, max(0.0, (t - self.t0) / span)) if span > 0 else 1.0
            return x0 + self.dx * s, y0 + self.dy * s, self.vx, self.vy
        a = self.wander_m
        if a == 0.0:
            return x0, y0, 0.0, 0.0
        tau = t - self.t0
        w1, w2 = self.w
        # zero at tau = 0 so standing continues smoothly from walking; |offset| <= a on each axis
        return (
            x0 + a * math.sin(w1 * tau),
            y0 + a * math.sin(w2 * tau),
            a * w1 * math.cos(w1 * tau),
            a * w2 * math.cos(w2 * tau),
        )


@dataclass(slots=True)
class _Visit:
    """One stay of a person in view: from entering to leaving, as segments."""

    pid: int
    enter_t: float
    leave_t: float
    segments: list[_Segment] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)

    def segment_at(self, t: float) -> _Segment:
        i = bisect.bisect_right(self.starts, t) - 1
        return self.segments[max(0, i)]


@dataclass(slots=True)
class _Resolved:
    visits: list[_Visit]  # visits that end, sorted by enter time
    visit_starts: list[float]  # their enter times
    staying: list[_Visit]  # visits that last to the end of the script
    zone_names: tuple[str, ...]
    # per zone: sorted change times and, after each, the count and the start of the occupied stretch
    zone_times: dict[str, list[float]]
    zone_counts: dict[str, list[int]]
    zone_since: dict[str, list[float]]
    max_visit_s: float


class AudienceScript:
    """A parsed audience script; `presence_at(t, zones)` is the exact presence it produces at time t."""

    def __init__(
        self,
        name: str,
        file: str,
        duration_s: float,
        seed: int,
        events: Sequence[AudienceEvent],
        *,
        operator: Sequence[OperatorEvent] = (),
    ):
        self.name = name
        self.file = file
        self.duration_s = duration_s
        self.seed = seed
        self.events: tuple[AudienceEvent, ...] = tuple(sorted(events, key=lambda e: e.at_s))
        self.operator: tuple[OperatorEvent, ...] = tuple(sorted(operator, key=lambda e: e.at_s))
        ids: dict[str, int] = {}
        for e in self.events:
            for p in e.people:
                if p != ALL and p not in ids:
                    ids[p] = len(ids) + 1
        self.ids: dict[str, int] = ids
        self._cache: dict[tuple[tuple[str, Polygon], ...], _Resolved] = {}
        self._last: tuple[Mapping[str, Any], _Resolved] | None = None

    def __repr__(self) -> str:
        return (
            f"AudienceScript({self.name!r}, duration_s={self.duration_s}, events={len(self.events)}, "
            f"operator={len(self.operator)})"
        )

    # ------------------------------------------------------------------ checks
    def zone_names_used(self) -> set[str]:
        """Every zone name the script mentions."""
        return {e.place.zone for e in self.events if e.place is not None and e.place.zone is not None}

    def zone_problems(self, zones: Iterable[str]) -> list[Problem]:
        """Problems for zone names the show does not define (one per mention in the file)."""
        known = sorted(zones)
        hint = "zones of this show: " + (", ".join(known) if known else "none (use [x, y] points)")
        out: list[Problem] = []
        seen: set[tuple[int, int]] = set()
        for e in self.events:
            place = e.place
            if place is None or place.zone is None or place.zone in known or (place.line, place.col) in seen:
                continue
            seen.add((place.line, place.col))
            out.append(Problem(self.file, place.line, place.col, f"unknown zone {place.zone!r}", hint))
        return out

    def check_zones(self, zones: Iterable[str]) -> None:
        """Raise ShowError when the script names zones the show does not have."""
        problems = self.zone_problems(zones)
        if problems:
            raise ShowError(problems)

    def act_problems(self, acts: Iterable[str]) -> list[Problem]:
        """Problems for `goto` events naming acts the show does not have (one per event in the file)."""
        known = list(acts)
        out: list[Problem] = []
        seen: set[tuple[int, int]] = set()
        for e in self.operator:
            if e.act is None or e.act in known or e.act in ACT_TARGETS or (e.line, e.col) in seen:
                continue
            seen.add((e.line, e.col))
            out.append(
                Problem(self.file, e.line, e.col, f"unknown act {e.act!r}", _suggest(e.act, known, "acts"))
            )
        return out

    def check_show(self, zones: Iterable[str], acts: Iterable[str]) -> None:
        """Raise ShowError when the script names zones or acts the show does not have."""
        problems = self.zone_problems(zones) + self.act_problems(acts)
        if problems:
            raise ShowError(problems)

    # ------------------------------------------------------------------ resolution
    def _resolve(self, zones: Mapping[str, Any]) -> _Resolved:
        last = self._last
        if last is not None and last[0] is zones:  # the same zones object as last time: skip the key
            return last[1]
        resolved = self._resolve_key(zones)
        self._last = (zones, resolved)
        return resolved

    def _resolve_key(self, zones: Mapping[str, Any]) -> _Resolved:
        key = tuple(sorted((n, _polygon_of(z)) for n, z in zones.items()))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        self.check_zones(zones)
        polys = dict(key)
        rng = random.Random(self.seed)

        def clearance(x: float, y: float) -> float:
            return min((distance_to_edges(x, y, p) for p in polys.values()), default=math.inf)

        def place_point(place: Place | None) -> Point:
            if place is not None and place.point is not None:
                return place.point
            if place is not None and place.zone is not None:
                poly = polys[place.zone]
                xs = [p[0] for p in poly]
                ys = [p[1] for p in poly]
                best: Point | None = None
                best_clear = -1.0
                for _ in range(200):  # rejection sampling; prefer spots clear of the edges
                    x = rng.uniform(min(xs), max(xs))
                    y = rng.uniform(min(ys), max(ys))
                    if point_in_polygon(x, y, poly):
                        c = distance_to_edges(x, y, poly)
                        if c > best_clear:
                            best, best_clear = (x, y), c
                        if c >= 2 * WANDER_M:
                            break
                if best is not None:
                    return best
                return (sum(xs) / len(xs), sum(ys) / len(ys))
            return rng.uniform(0.1, 0.9), rng.uniform(0.2, 0.9)

        def standing(t0: float, p: Point) -> _Segment:
            amp = min(WANDER_M, 0.6 * clearance(*p))  # |offset| <= amp·√2 < clearance
            w1 = 2 * math.pi / rng.uniform(6.0, 17.0)
            w2 = 2 * math.pi / rng.uniform(6.0, 17.0)
            return _Segment(t0, math.inf, p, p, wander_m=amp, w=(w1, w2))

        current: dict[str, _Visit] = {}
        visits: list[_Visit] = []
        for e in self.events:
            people = tuple(current) if e.people == (ALL,) else e.people
            if e.kind == "enter":
                for pid in people:
                    v = _Visit(self.ids[pid], e.at_s, math.inf)
                    seg = standing(e.at_s, place_point(e.place))
                    v.segments.append(seg)
                    v.starts.append(seg.t0)
                    current[pid] = v
                    visits.append(v)
            elif e.kind == "move":
                for pid in people:
                    v = current[pid]
                    here = v.segments[-1].position(e.at_s)
                    dest = place_point(e.place)
                    v.segments[-1].set_end(e.at_s)
                    walk = _Segment(e.at_s, e.at_s + e.over_s, (here[0], here[1]), dest)
                    if walk.p0 == walk.p1 or e.over_s <= 0.0:
                        seg = standing(e.at_s, dest)
                        v.segments.append(seg)
                        v.starts.append(seg.t0)
                        continue
                    v.segments.append(walk)
                    v.starts.append(walk.t0)
                    stand = standing(walk.t1, dest)
                    v.segments.append(stand)
                    v.starts.append(stand.t0)
            else:  # leave
                for pid in people:
                    v = current.pop(pid)
                    v.leave_t = e.at_s
                    # a walk still under way at leaving time is cut short there
                    keep = [i for i, s in enumerate(v.starts) if s < e.at_s] or [0]
                    v.segments = [v.segments[i] for i in keep]
                    v.starts = [v.starts[i] for i in keep]
        for v in current.values():
            v.leave_t = math.inf
        visits.sort(key=lambda v: v.enter_t)

        # zone membership changes, exact: constant while standing (wander stays clear of edges),
        # analytic edge crossings while walking
        changes: dict[str, list[tuple[float, int]]] = {n: [] for n in polys}
        for v in visits:
            for name, poly in polys.items():
                inside = False
                entered = 0.0
                transitions: list[tuple[float, bool]] = []
                for seg in v.segments:
                    seg_end = min(seg.t1, v.leave_t)
                    if seg.t0 >= v.leave_t:
                        break
                    if seg.p0 == seg.p1:
                        transitions.append((seg.t0, point_in_polygon(*seg.p0, poly)))
                        continue
                    cuts = [0.0, *_crossings(seg.p0, seg.p1, poly), 1.0]
                    span = seg.t1 - seg.t0
                    for a, b in itertools.pairwise(cuts):
                        mid = (a + b) / 2
                        mx = seg.p0[0] + (seg.p1[0] - seg.p0[0]) * mid
                        my = seg.p0[1] + (seg.p1[1] - seg.p0[1]) * mid
                        t_a = seg.t0 + a * span
                        if t_a < seg_end:
                            transitions.append((t_a, point_in_polygon(mx, my, poly)))
                for t, now_inside in transitions:
                    if now_inside and not inside:
                        inside, entered = True, t
                    elif not now_inside and inside:
                        inside = False
                        changes[name].append((entered, +1))
                        changes[name].append((t, -1))
                if inside:
                    changes[name].append((entered, +1))
                    if v.leave_t != math.inf:
                        changes[name].append((v.leave_t, -1))
        zone_times: dict[str, list[float]] = {}
        zone_counts: dict[str, list[int]] = {}
        zone_since: dict[str, list[float]] = {}
        for name, ch in changes.items():
            ch.sort()  # at one instant, leaving (-1) sorts before entering (+1)
            times: list[float] = []
            counts: list[int] = []
            since: list[float] = []
            count = 0
            occupied_since = 0.0
            i = 0
            while i < len(ch):
                t = ch[i][0]
                before = count
                while i < len(ch) and ch[i][0] == t:  # one instant is atomic: swap-overs keep the dwell
                    count += ch[i][1]
                    i += 1
                if before == 0 and count > 0:
                    occupied_since = t
                times.append(t)
                counts.append(count)
                since.append(occupied_since)
            zone_times[name] = times
            zone_counts[name] = counts
            zone_since[name] = since
        bounded = [v for v in visits if v.leave_t != math.inf]
        longest = max((v.leave_t - v.enter_t for v in bounded), default=0.0)
        resolved = _Resolved(
            bounded,
            [v.enter_t for v in bounded],
            [v for v in visits if v.leave_t == math.inf],
            tuple(polys),
            zone_times,
            zone_counts,
            zone_since,
            longest,
        )
        self._cache[key] = resolved
        return resolved

    # ------------------------------------------------------------------ queries
    def people_at(self, t: float, zones: Mapping[str, Any]) -> tuple[Person, ...]:
        """The people in view at time t with positions, velocities and time in view."""
        r = self._resolve(zones)
        hi = bisect.bisect_right(r.visit_starts, t)
        lo = bisect.bisect_left(r.visit_starts, t - r.max_visit_s)
        out: list[Person] = []
        candidates = r.visits[lo:hi]
        if r.staying:
            candidates = candidates + r.staying
        for v in candidates:
            if not v.enter_t <= t < v.leave_t:
                continue
            x, y, vx, vy = v.segment_at(t).position(t)
            x = 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
            y = 0.0 if y < 0.0 else 1.0 if y > 1.0 else y
            scale = 0.6 + 0.8 * y
            out.append(Person(v.pid, x, y, PERSON_W * scale, PERSON_H * scale, vx, vy, t - v.enter_t))
        if len(out) > 1:
            out.sort(key=lambda p: p.id)
        return tuple(out)

    def zones_at(self, t: float, zones: Mapping[str, Any]) -> dict[str, ZoneState]:
        """Count and continuous-occupancy dwell of every zone at time t."""
        r = self._resolve(zones)
        out: dict[str, ZoneState] = {}
        for name in r.zone_names:
            times = r.zone_times[name]
            i = bisect.bisect_right(times, t) - 1
            if i < 0 or r.zone_counts[name][i] == 0:
                out[name] = ZoneState()
            else:
                out[name] = ZoneState(count=r.zone_counts[name][i], dwell_s=t - r.zone_since[name][i])
        return out

    def presence_at(self, t: float, zones: Mapping[str, Any]) -> Presence:
        """The exact presence snapshot at time t for the show's zones (name → Zone or polygon)."""
        people = self.people_at(t, zones)
        motion = 0.0
        for p in people:
            speed = math.hypot(p.vx, p.vy)
            motion += p.w * p.h * min(1.0, speed / 0.1)
        return Presence(
            t=t, count=len(people), people=people, zones=self.zones_at(t, zones), motion=min(1.0, motion)
        )

    def change_times(self, zones: Mapping[str, Any]) -> list[float]:
        """Times at which the count or a zone's occupancy changes (to skip ahead through quiet stretches)."""
        r = self._resolve(zones)
        ts: set[float] = set()
        for v in (*r.visits, *r.staying):
            ts.add(v.enter_t)
            if v.leave_t != math.inf:
                ts.add(v.leave_t)
        for times in r.zone_times.values():
            ts.update(times)
        return sorted(ts)

    def busy_intervals(self, zones: Mapping[str, Any]) -> list[tuple[float, float]]:
        """Stretches of time when someone is in view (presence changes continuously), merged."""
        r = self._resolve(zones)
        spans = sorted((v.enter_t, v.leave_t) for v in (*r.visits, *r.staying))
        merged: list[tuple[float, float]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged


# ------------------------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.duration_s: float | None = None  # the script's `duration:`, when given

    def add(self, pos: tuple[int, int], message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, pos[0], pos[1], message, hint))

    def duration(self, node: Any, key: str) -> float | None:
        try:
            return parse_duration(node[key])
        except UnitError as exc:
            self.add(value_pos(node, key), f"{key}: {exc.message}", exc.hint)
            return None

    def people(self, node: Any, key: str, allow_all: bool, depth: int) -> tuple[str, ...] | None:
        raw = node[key]
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            self.add(
                value_pos(node, key),
                f"{key}: expected a list of people ids",
                "e.g. [a, b, c]" + (" or all" if allow_all else ""),
            )
            return None
        out: list[str] = []
        for i, raw_item in enumerate(raw):
            item = str(raw_item) if is_number(raw_item) else raw_item
            if not isinstance(item, str) or not item.strip():
                self.add(
                    value_pos(raw, i) if hasattr(raw, "lc") else value_pos(node, key),
                    f"{key}: people ids are names",
                    "e.g. [a, b, c]",
                )
                return None
            if REPETITION in item and depth == 0:
                self.add(
                    value_pos(raw, i) if hasattr(raw, "lc") else value_pos(node, key),
                    f"{key}: {REPETITION} in an id is the repetition number of a repeat",
                    "use it inside `repeat:` … `events:`, e.g. enter: [visitor#]",
                )
                return None
            out.append(item.strip())
        if ALL in out:
            if not allow_all:
                self.add(
                    value_pos(node, key), f"{key}: 'all' is not a person here", "name the people entering"
                )
                return None
            if len(out) > 1:
                self.add(value_pos(node, key), f"{key}: 'all' stands alone", "write `all` or a list of ids")
                return None
        if len(set(out)) != len(out):
            self.add(value_pos(node, key), f"{key}: a person is listed twice")
            return None
        return tuple(out)

    def place(self, node: Any, key: str) -> Place | None:
        raw = node[key]
        line, col = value_pos(node, key)
        if isinstance(raw, str) and raw.strip():
            return Place(zone=raw.strip(), line=line, col=col)
        if (
            isinstance(raw, list)
            and len(raw) == 2
            and all(is_number(v) for v in raw)
            and all(0.0 <= float(v) <= 1.0 for v in raw)
        ):
            return Place(point=(float(raw[0]), float(raw[1])), line=line, col=col)
        self.add(
            (line, col),
            f"{key}: expected a zone name or a point [x, y]",
            "a zone of the show, or two numbers 0..1 like [0.5, 0.8]",
        )
        return None

    def items(self, raw: list[Any], depth: int) -> list[AudienceEvent | OperatorEvent | _Repeat]:
        out: list[AudienceEvent | OperatorEvent | _Repeat] = []
        for i, node in enumerate(raw):
            if isinstance(node, dict) and any(k in node for k in ("repeat", "every", "events")):
                item: AudienceEvent | OperatorEvent | _Repeat | None = self.repeat(node, depth)
            else:
                item = self.event(node, i, raw, depth)
            if item is not None:
                out.append(item)
        return out

    def repeat(self, node: Any, depth: int) -> _Repeat | None:
        """`repeat: N` (or none: until the script ends) `every: 10min`, `at:` (the first start), `events:`."""
        pos = node_pos(node)
        bad = False
        for k in node:
            if k not in _REPEAT_KEYS:
                hint = "keys: " + ", ".join(_REPEAT_KEYS)
                if k in _KINDS:
                    hint = "a repeat holds its events under `events:`; " + hint
                self.add(key_pos(node, k), f"unknown key {k!r} in a repeat", hint)
                bad = True
        count: int | None = None
        if "repeat" in node:
            raw = node["repeat"]
            if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
                count = raw
            else:
                self.add(
                    value_pos(node, "repeat"),
                    "repeat: how many times, a whole number from 1",
                    "e.g. repeat: 4 — or leave it out to repeat until the script ends",
                )
                bad = True
        elif self.duration_s is None:
            self.add(
                pos,
                "a repeat without a count runs until the script ends, but the script has no `duration:`",
                "add `duration:` at the top, or `repeat: N`",
            )
            bad = True
        every: float | None = None
        if "every" not in node:
            self.add(
                pos,
                "a repeat needs `every:`",
                "the time from one repetition's start to the next, e.g. every: 10min",
            )
            bad = True
        else:
            every = self.duration(node, "every")
            if every is not None and every <= 0.0:
                self.add(value_pos(node, "every"), "every: must be longer than 0s", "e.g. every: 10min")
                every = None
            bad = bad or every is None
        start = 0.0
        if "at" in node:
            at = self.duration(node, "at")
            bad = bad or at is None
            start = at if at is not None else 0.0
        raw_events = node.get("events")
        items: list[AudienceEvent | OperatorEvent | _Repeat] = []
        if raw_events is None:
            self.add(pos, "a repeat needs `events:`", "the events of one repetition, at times from its start")
            bad = True
        elif not isinstance(raw_events, list) or not raw_events:
            self.add(value_pos(node, "events"), "events: must be a list of events", "- {at: 0s, enter: [a]}")
            bad = True
        else:
            items = self.items(raw_events, depth + 1)
        if bad or every is None:
            return None
        line, col = key_pos(node, "repeat" if "repeat" in node else "every")
        return _Repeat(start, count, every, tuple(items), line, col)

    def event(self, node: Any, index: int, parent: Any, depth: int) -> AudienceEvent | OperatorEvent | None:
        if not isinstance(node, dict):
            self.add(
                value_pos(parent, index),
                "an event must be a mapping",
                "e.g. {at: 0:30, enter: [a, b], zone: door}",
            )
            return None
        pos = node_pos(node)
        bad = False
        for k in node:
            if k not in _EVENT_KEYS:
                self.add(
                    key_pos(node, k), f"unknown key {k!r} in an event", _suggest(k, _EVENT_KEYS, "keys")
                )
                bad = True
        if "at" not in node:
            self.add(pos, "event has no `at` time", 'add e.g. `at: 1:30` or `at: "90s"`')
            return None
        at_s = self.duration(node, "at")
        kinds = [k for k in _KINDS if k in node]
        if len(kinds) != 1:
            self.add(
                pos,
                "an event needs exactly one of enter, move, leave, operator"
                + (f" (found {', '.join(kinds)})" if kinds else ""),
                "split it into one event per action",
            )
            return None
        kind = kinds[0]
        allowed = {
            "enter": {"zone"},
            "move": {"to", "over"},
            "leave": set(),
            "operator": {"act", "until"},
        }[kind]
        for k in ("zone", "to", "over", "act", "until"):
            if k in node and k not in allowed:
                self.add(
                    key_pos(node, k),
                    f"`{k}` does not go with `{kind}`",
                    {
                        "zone": "zone: is where people enter",
                        "to": "to: is where people move",
                        "over": "over: is how long a move takes",
                        "act": "act: is where `operator: goto` goes",
                        "until": "until: is when `operator: open` or `close` ends",
                    }[k],
                )
                bad = True
        if kind == "operator":
            op = self.operator(node)
            if bad or op is None or at_s is None:
                return None
            line, col = key_pos(node, kind)
            return OperatorEvent(at_s, op[0], op[1], op[2], line, col)
        people = self.people(node, kind, allow_all=kind != "enter", depth=depth)
        place: Place | None = None
        over_s = DEFAULT_WALK_S
        if kind == "enter" and "zone" in node:
            place = self.place(node, "zone")
            bad = bad or place is None
        if kind == "move":
            if "to" not in node:
                self.add(key_pos(node, "move"), "move needs `to:`", "a zone name or a point [x, y]")
                bad = True
            else:
                place = self.place(node, "to")
                bad = bad or place is None
            if "over" in node:
                over = self.duration(node, "over")
                bad = bad or over is None
                over_s = over if over is not None else DEFAULT_WALK_S
        if bad or at_s is None or people is None:
            return None
        line, col = key_pos(node, kind)
        return AudienceEvent(at_s, kind, people, place, over_s, line, col)

    def operator(self, node: Any) -> tuple[str, str | None, str | None] | None:
        """(action, act, until) of an `operator:` event."""
        raw = node["operator"]
        action = raw.strip() if isinstance(raw, str) else None
        if action not in OPERATOR_ACTIONS:
            self.add(
                value_pos(node, "operator"),
                f"operator: {raw!r} is not something the operator does",
                _suggest(raw, OPERATOR_ACTIONS, "one of"),
            )
            return None
        act: str | None = None
        until: str | None = None
        for key, goes_with, hint in (
            ("act", ("goto",), "act: is where `operator: goto` goes"),
            ("until", ("open", "close"), "until: is when `operator: open` or `close` ends"),
        ):
            if key in node and action not in goes_with:
                self.add(key_pos(node, key), f"`{key}` does not go with `operator: {action}`", hint)
                return None
        if action == "goto":
            raw_act = node.get("act")
            if raw_act is None:
                self.add(
                    key_pos(node, "operator"), "operator: goto needs `act:`", "an act name, next or idle"
                )
                return None
            act = str(raw_act).strip() if is_number(raw_act) or isinstance(raw_act, str) else ""
            if not act:
                self.add(value_pos(node, "act"), "act: must be an act name", "an act name, next or idle")
                return None
        if action in ("open", "close"):
            raw_until = node.get("until")
            match = _HHMM.match(raw_until) if isinstance(raw_until, str) else None
            if raw_until is None:
                self.add(
                    key_pos(node, "operator"),
                    f"operator: {action} needs `until:`",
                    f'the time of day the {action} ends, e.g. until: "22:00"',
                )
                return None
            if match is None:
                self.add(
                    value_pos(node, "until"),
                    f"until: expected a time of day HH:MM, got {raw_until!r}",
                    'e.g. until: "22:00" (the next time the clock shows it)',
                )
                return None
            until = f"{int(match.group(1)):02d}:{match.group(2)}"
        return action, act, until

    def expand(
        self,
        items: Sequence[AudienceEvent | OperatorEvent | _Repeat],
        *,
        offset: float,
        n: int,
        label: str,
        open_ended: bool,
        out: list[AudienceEvent | OperatorEvent],
    ) -> bool:
        """Place items at `offset` (repeats repeated); False once the expansion grows past MAX_EVENTS."""
        end = self.duration_s if self.duration_s is not None else math.inf
        for it in items:
            if isinstance(it, _Repeat):
                k = 0
                while it.count is None or k < it.count:
                    start = offset + it.start_s + k * it.every_s
                    if it.count is None and start >= end:
                        break
                    k += 1
                    where = f"repetition {k} of the repeat at line {it.line}"
                    inner = open_ended or it.count is None
                    if not self.expand(it.items, offset=start, n=k, label=where, open_ended=inner, out=out):
                        return False
                continue
            at = offset + it.at_s
            if open_ended and at > end:
                continue  # the script ends before this part of the last repetition
            if isinstance(it, AudienceEvent):
                people = tuple(p.replace(REPETITION, str(n)) for p in it.people) if n else it.people
                out.append(dataclasses.replace(it, at_s=at, people=people, repetition=label))
            else:
                out.append(dataclasses.replace(it, at_s=at, repetition=label))
            if len(out) > MAX_EVENTS:
                self.add(
                    (it.line, it.col),
                    f"the repeats make more than {MAX_EVENTS} events",
                    "a longer `every:`, fewer repetitions or a shorter `duration:`",
                )
                return False
        return True

    def script(self, data: Any, name: str) -> AudienceScript:
        if not isinstance(data, dict):
            self.add((1, 1), "an audience script is a mapping", "keys: duration, seed, events")
            raise ShowError(self.problems)
        for k in data:
            if k not in _TOP_KEYS:
                self.add(key_pos(data, k), f"unknown key {k!r}", _suggest(k, _TOP_KEYS, "keys"))
        seed = 0
        if "seed" in data:
            if isinstance(data["seed"], int) and not isinstance(data["seed"], bool):
                seed = data["seed"]
            else:
                self.add(value_pos(data, "seed"), "seed must be a whole number", "e.g. seed: 7")
        duration_s: float | None = None
        if "duration" in data:
            duration_s = self.duration(data, "duration")
            self.duration_s = duration_s
        templates: list[AudienceEvent | OperatorEvent | _Repeat] = []
        raw = data.get("events")
        if raw is None:
            self.add(node_pos(data), "no `events:`", "list when people enter, move and leave")
        elif not isinstance(raw, list):
            self.add(value_pos(data, "events"), "events must be a list", "- at: 0:30\n  enter: [a]")
        else:
            templates = self.items(raw, 0)
        placed: list[AudienceEvent | OperatorEvent] = []
        self.expand(templates, offset=0.0, n=0, label="", open_ended=False, out=placed)
        placed.sort(key=lambda e: e.at_s)  # stable: at one instant, file and repetition order
        events = [e for e in placed if isinstance(e, AudienceEvent)]
        operator = [e for e in placed if isinstance(e, OperatorEvent)]
        # who is in the room when: entering twice or moving someone absent is a mistake in the script
        present: set[str] = set()
        reported: set[tuple[int, int]] = set()  # a mistake inside a repeat: reported once, not per repetition

        def mistake(e: AudienceEvent, message: str, hint: str) -> None:
            if (e.line, e.col) not in reported:
                reported.add((e.line, e.col))
                self.add((e.line, e.col), message + (f" ({e.repetition})" if e.repetition else ""), hint)

        for e in events:
            if e.kind == "enter":
                for p in e.people:
                    if p in present:
                        mistake(e, f"{p!r} enters but is already in the room", "leave first, or use move")
                    present.add(p)
            elif e.people == (ALL,):
                if e.kind == "leave":
                    present.clear()
            else:
                for p in e.people:
                    if p not in present:
                        mistake(
                            e,
                            f"{p!r} {e.kind}s but is not in the room at {_clock(e.at_s)}",
                            "add an enter event before this one",
                        )
                if e.kind == "leave":
                    present.difference_update(e.people)
        last = placed[-1].at_s if placed else 0.0
        if duration_s is None:
            duration_s = last + 60.0
        elif placed and last > duration_s:
            self.add(
                value_pos(data, "duration"),
                f"events run to {_clock(last)}, past the duration",
                f"make duration at least {_clock(last)}",
            )
        if self.problems:
            raise ShowError(self.problems)
        return AudienceScript(name, self.file, duration_s, seed, events, operator=operator)


def _suggest(word: object, options: Sequence[str], what: str) -> str:
    """`did you mean 'x'?` for a close match, else the options."""
    if isinstance(word, str):
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        if close:
            return f"did you mean {close[0]!r}?"
    return f"{what}: " + ", ".join(options)


def _clock(t: float) -> str:
    m, s = divmod(t, 60.0)
    return f"{int(m)}:{s:04.1f}" if s != int(s) else f"{int(m)}:{int(s):02d}"


def parse_audience(text: str, filename: str = "<audience>", name: str | None = None) -> AudienceScript:
    """Parse an audience script from YAML text; all problems at once as a ShowError."""
    data = load_text(text, filename)
    stem = name if name is not None else Path(filename).stem
    return _Parser(filename).script(data, stem)


def load_audience(path: Path, display: str | None = None) -> AudienceScript:
    """Read and parse an audience script file (`cues/audiences/<show>/<name>.yaml`)."""
    shown = display or str(path)
    data = load_file(path, shown)
    return _Parser(shown).script(data, path.stem)
