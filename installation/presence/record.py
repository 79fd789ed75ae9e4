"""Presence logs: snapshots as JSON lines (never frames), for replaying a day in the gallery in rehearsal."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from installation.engine.presence import Person, Presence, ZoneState
from installation.errors import InstallationError
from installation.platform.wallclock import WallClock, system_wall

log = logging.getLogger(__name__)

FORMAT = "installation-presence-log"
VERSION = 1


class PresenceLogError(InstallationError):
    """A presence log cannot be read; the message names the file and line."""


def snapshot_to_json(p: Presence) -> dict[str, Any]:
    """A compact JSON-able dict; people are [id, x, y, w, h, vx, vy, present_s], zones [count, dwell_s]."""
    if not p.known:
        return {"t": round(p.t, 4), "known": False}
    return {
        "t": round(p.t, 4),
        "count": p.count,
        "motion": round(p.motion, 4),
        "people": [
            [
                q.id,
                round(q.x, 4),
                round(q.y, 4),
                round(q.w, 4),
                round(q.h, 4),
                round(q.vx, 4),
                round(q.vy, 4),
                round(q.present_s, 2),
            ]
            for q in p.people
        ],
        "zones": {name: [z.count, round(z.dwell_s, 2)] for name, z in p.zones.items()},
    }


def snapshot_from_json(d: Mapping[str, Any]) -> Presence:
    """The inverse of snapshot_to_json; raises KeyError/TypeError/ValueError on malformed data."""
    t = float(d["t"])
    if not d.get("known", True):
        return Presence.unknown(t)
    people = tuple(Person(int(q[0]), *(float(v) for v in q[1:8])) for q in d.get("people", ()))
    zones = {str(k): ZoneState(int(v[0]), float(v[1])) for k, v in d.get("zones", {}).items()}
    return Presence(
        t=t,
        count=int(d["count"]),
        people=people,
        zones=MappingProxyType(zones),
        motion=float(d.get("motion", 0.0)),
    )


class PresenceRecorder:
    """Writes snapshots to a JSON-lines file: a header line, then at most one snapshot per `min_interval_s`
    (and always when the count, a zone's count or known/unknown changes)."""

    def __init__(
        self,
        path: Path,
        min_interval_s: float = 0.1,
        meta: Mapping[str, Any] | None = None,
        wall: WallClock | None = None,
    ) -> None:
        self.path = path
        self.min_interval_s = min_interval_s
        try:
            self._f: IO[str] | None = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise InstallationError(
                f"{path}: cannot write the presence log ({exc.strerror}); "
                "check the folder exists and is writable"
            ) from None
        header = {
            "format": FORMAT,
            "version": VERSION,
            "started": (wall or system_wall())().isoformat(timespec="seconds"),
        }
        header.update(meta or {})
        self._f.write(json.dumps(header) + "\n")
        self._last_t: float | None = None
        self._last_key: tuple[Any, ...] | None = None
        self.written = 0

    def write(self, p: Presence) -> bool:
        """Record one snapshot if due; True when it was written."""
        if self._f is None:
            return False
        key = (p.known, p.count, tuple(sorted((k, z.count) for k, z in p.zones.items())))
        due = self._last_t is None or p.t - self._last_t >= self.min_interval_s or key != self._last_key
        if not due:
            return False
        self._f.write(json.dumps(snapshot_to_json(p), separators=(",", ":")) + "\n")
        self._last_t, self._last_key = p.t, key
        self.written += 1
        if self.written % 50 == 0:
            self._f.flush()
        return True

    def close(self) -> None:
        """Flush and close the log; idempotent."""
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self) -> PresenceRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_log(path: Path) -> Iterator[Presence]:
    """Snapshots of a presence log in order (header lines skipped); bad lines raise PresenceLogError."""
    try:
        f = path.open(encoding="utf-8")
    except OSError as exc:
        raise PresenceLogError(f"{path}: cannot read the presence log ({exc.strerror})") from None
    with f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
                if d.get("format") == FORMAT:
                    continue
                yield snapshot_from_json(d)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, IndexError, AttributeError):
                raise PresenceLogError(
                    f"{path}:{n}: not a presence snapshot (record one with `installation presence record`)"
                ) from None
