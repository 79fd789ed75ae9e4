"""The wall clock: local date and time for opening hours, `at:` triggers, ISF DATE and log stamps.

Everything that needs the date or the time of day gets it from a `WallClock` (a function returning an
aware local datetime) handed to it, never from `datetime.now()`. The real one is `system_wall()`: the
machine's local time zone, read with its daylight-saving rules. `$INSTALLATION_WALL_CLOCK` pins where
it starts (`2026-12-07T22:05`, local, or with an offset `...+01:00`); from there it runs at real speed.
That is how a rehearsal, a test run or CI is put on a Monday night without faking the system clock.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import zoneinfo
from collections.abc import Callable, Mapping
from pathlib import Path

from installation.errors import InstallationError

WallClock = Callable[[], dt.datetime]
ENV = "INSTALLATION_WALL_CLOCK"
UTC = dt.UTC


def local_zone(env: Mapping[str, str] | None = None) -> dt.tzinfo:
    """The machine's time zone with its DST rules: $TZ when it names a zone, else /etc/localtime.

    A POSIX rule string in $TZ (`LOC+19`, `CET-1CEST,M3.5.0,M10.5.0/3`) is not a zone name: then the
    fixed offset the C library computes for now is used (correct at this instant, blind to DST).
    """
    env = os.environ if env is None else env
    name = env.get("TZ", "").lstrip(":")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            fixed = dt.datetime.now().astimezone().tzinfo
            return fixed if fixed is not None else UTC
    try:
        with Path("/etc/localtime").open("rb") as f:
            return zoneinfo.ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        fixed = dt.datetime.now().astimezone().tzinfo
        return fixed if fixed is not None else UTC


def parse_pinned(text: str, tz: dt.tzinfo) -> dt.datetime:
    """An ISO date-time for $INSTALLATION_WALL_CLOCK: naive = local in `tz`; with an offset: that instant."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InstallationError(
            f"${ENV}={text!r} is not a date and time; write it as 2026-12-07T22:05 (local) "
            "or 2026-12-07T22:05+01:00"
        ) from None
    if when.tzinfo is None:
        return when.replace(tzinfo=tz)
    return when.astimezone(tz)


def pinned_wall(start: dt.datetime, tz: dt.tzinfo | None = None) -> WallClock:
    """A wall clock that reads `start` now and then runs at real speed (monotonic, immune to NTP steps)."""
    zone = tz or start.tzinfo or UTC
    base = start.astimezone(UTC)
    t0 = time.monotonic()

    def now() -> dt.datetime:
        return (base + dt.timedelta(seconds=time.monotonic() - t0)).astimezone(zone)

    return now


def system_wall(env: Mapping[str, str] | None = None) -> WallClock:
    """The real wall clock in the local zone, or one pinned by $INSTALLATION_WALL_CLOCK."""
    env = os.environ if env is None else env
    tz = local_zone(env)
    pinned = env.get(ENV, "").strip()
    if pinned:
        return pinned_wall(parse_pinned(pinned, tz), tz)

    def now() -> dt.datetime:
        return dt.datetime.now(tz)

    return now


def fixed_wall(when: dt.datetime) -> WallClock:
    """A wall clock that always reads `when` (tests)."""
    return lambda: when


def offset_of(wall: WallClock) -> float:
    """How far `wall` reads ahead of the machine's clock, in seconds (to hand a wall clock to a child)."""
    return wall().timestamp() - dt.datetime.now(UTC).timestamp()


def offset_wall(offset_s: float, tz: dt.tzinfo | None = None) -> WallClock:
    """The machine's clock shifted by `offset_s` (a child process's copy of its parent's wall clock)."""
    zone = tz or local_zone()
    shift = dt.timedelta(seconds=offset_s)

    def now() -> dt.datetime:
        return dt.datetime.now(zone) + shift

    return now
