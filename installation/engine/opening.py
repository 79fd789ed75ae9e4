"""Whether the show is open now: the show's opening hours, the operator's override, and rehearsal.

Pure: the wall clock is handed in, and where an override is kept is the caller's business (`on_change`).

A live run (`installation run`) follows the hours. A rehearsal ignores them unless asked
(`rehearse --hours`), but says what a live run would do ("outside opening hours — in a live run the
show would be closed (opens Tue 10:00)"), so an artist can rehearse on the day the gallery is shut.
The operator can open now or close now until a time of day (a private event, a press preview,
maintenance): the override expires by itself; the runtime keeps it on disk across restarts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from installation.engine.schedule import is_open, label, local_instant, next_transition
from installation.show.model import Hours

_HHMM = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True, slots=True)
class Override:
    """The operator's 'open now' (open=True) or 'close now' until a moment (aware)."""

    open: bool
    until: dt.datetime
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"open": self.open, "until": self.until.isoformat(), "source": self.source}


class OpeningHours:
    """Open or closed at a wall time: schedule, override, rehearsal; the lines an operator reads."""

    def __init__(self, hours: Callable[[], Hours | None], wall: Callable[[], dt.datetime], *, honour: bool,
                 override: Override | None = None,
                 on_change: Callable[[Override | None], None] | None = None) -> None:
        self._hours = hours
        self.wall = wall
        self.honour = honour  # False in a rehearsal: always open, the schedule only described
        self.on_change = on_change  # told every change of the override (the runtime keeps it on disk)
        self.override: Override | None = None
        if override is not None and (override.until.tzinfo is None) == (wall().tzinfo is None):
            self.override = override

    @property
    def hours(self) -> Hours | None:
        return self._hours()

    # ---------------------------------------------------------------- reading
    def scheduled(self, now: dt.datetime) -> bool:
        """What the opening hours alone say."""
        return is_open(self.hours, now)

    def _active(self, now: dt.datetime) -> Override | None:
        o = self.override
        return o if o is not None and now < o.until else None

    def open_at(self, now: dt.datetime) -> bool:
        """Whether the show runs at `now`: always in a rehearsal; else the override, else the schedule."""
        if not self.honour:
            return True
        o = self._active(now)
        return o.open if o is not None else self.scheduled(now)

    def _schedule_text(self, now: dt.datetime) -> str:
        """`open until 18:00` / `closed until Tue 10:00` / `always open` for the schedule from `now`."""
        state = self.scheduled(now)
        nxt = next_transition(self.hours, now)
        if self.hours is None:
            return "no opening hours: always open"
        if nxt is None:
            return "open round the clock" if state else "closed: the hours never open"
        return f"{'open' if state else 'closed'} until {label(nxt[0], now)}"

    def status(self, now: dt.datetime) -> str:
        """One line for the panel, the terminal and `systemctl status`."""
        scheduled = self.scheduled(now)
        if not self.honour:
            if self.hours is None:
                return "rehearsal (the show has no opening hours)"
            nxt = next_transition(self.hours, now)
            if scheduled:
                until = f"; a live run closes {label(nxt[0], now)}" if nxt else ""
                return f"rehearsal: inside opening hours{until}"
            opens = f" (opens {label(nxt[0], now)})" if nxt else ""
            return f"rehearsal: outside opening hours — in a live run the show would be closed{opens}"
        o = self._active(now)
        if o is not None:
            what = "open" if o.open else "closed"
            return (f"{what} by the operator until {label(o.until, now)}, then the schedule "
                    f"({self._schedule_text(o.until)})")
        return self._schedule_text(now)

    def refusal(self, now: dt.datetime) -> str:
        """Why a show command is refused while closed, and what to do about it."""
        o = self._active(now)
        if o is not None and not o.open:
            return f"closed by the operator until {label(o.until, now)}; use open-now to override"
        nxt = next_transition(self.hours, now)
        when = f"until {label(nxt[0], now)}" if nxt is not None else "(the hours never open)"
        return f"closed {when}; use open-now to override"

    def view(self, now: dt.datetime) -> dict[str, Any]:
        """The panel's view: honoured?, scheduled state, override, the next change, the status line."""
        o = self._active(now)
        nxt = next_transition(self.hours, now)
        return {
            "honoured": self.honour,
            "scheduled_open": self.scheduled(now),
            "override": None if o is None else {"open": o.open, "until": label(o.until, now),
                                                "source": o.source},
            "next_change": None if nxt is None else {"at": label(nxt[0], now), "open": nxt[1]},
            "status": self.status(now),
            "wall": now.isoformat(timespec="seconds"),
        }

    # ---------------------------------------------------------------- operator
    def until(self, text: str, now: dt.datetime) -> dt.datetime:
        """The next `HH:MM` after `now` (today, or tomorrow when already past); ValueError when not HH:MM."""
        m = _HHMM.match(text or "")
        if m is None:
            raise ValueError(f"{text!r} is not a time of day; write HH:MM, e.g. 22:00")
        seconds = int(m.group(1)) * 3600 + int(m.group(2)) * 60
        tz = now.tzinfo
        for days in (0, 1, 2):
            day = now.date() + dt.timedelta(days=days)
            when = local_instant(day, seconds, tz)
            if when > (now if tz is None else now.astimezone(dt.UTC)):
                return when if tz is None else when.astimezone(tz)
        raise ValueError(f"{text!r} is not within a day")  # unreachable: tomorrow always comes

    def set_override(self, open_: bool, text: str, now: dt.datetime, source: str) -> Override:
        """Open now / close now until `HH:MM`; kept on disk. ValueError for a bad time or in rehearsal."""
        if not self.honour:
            raise ValueError("a rehearsal ignores opening hours; rehearse with --hours to try overrides")
        override = Override(open_, self.until(text, now), source)
        self.override = override
        self._save()
        return override

    def clear(self) -> bool:
        """Back to the schedule; False when there was no override."""
        had = self.override is not None
        self.override = None
        self._save()
        return had

    def expire(self, now: dt.datetime) -> Override | None:
        """Drop an override whose time has come; returns it (once) so the caller can say so."""
        o = self.override
        if o is not None and now >= o.until:
            self.override = None
            self._save()
            return o
        return None

    def _save(self) -> None:
        if self.on_change is not None:
            self.on_change(self.override)
