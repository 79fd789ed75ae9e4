"""Opening hours as pure functions of a local datetime: open now?, when is the next change?

A naive datetime is read as plain local wall time (virtual show tests). An aware one is an instant in
its zone, and the hours follow that zone's daylight-saving rules: an opening time the clocks skip
(02:30 on the night they spring forward) opens when the clocks jump (03:00), and a time that happens
twice (02:30 on the night they fall back) counts its first occurrence only, so the gallery does not
close at the first 02:30 and open again for the repeated hour.
"""

from __future__ import annotations

import datetime as dt

from installation.show.model import Hours

_SEARCH_DAYS = 400  # a closure longer than a year is not an opening schedule
_UTC = dt.UTC
_SECOND = dt.timedelta(seconds=1)


def seconds_since_midnight(when: dt.datetime) -> float:
    """Local time of day in seconds."""
    return when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6


def local_instant(day: dt.date, seconds: float, tz: dt.tzinfo | None) -> dt.datetime:
    """The moment local `day` + `seconds` happens in `tz` (UTC-aware; naive when `tz` is None).

    A local time that does not exist (skipped by a DST change) is the moment the clocks jump; one that
    happens twice is its first occurrence.
    """
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    if tz is None:
        return naive
    first = naive.replace(tzinfo=tz, fold=0).astimezone(_UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists; fold=0 is the first of two occurrences
    # in a gap: the two readings of the offset bracket the jump; find it to the second
    lo, hi = sorted((first, naive.replace(tzinfo=tz, fold=1).astimezone(_UTC)))
    while hi - lo > _SECOND:
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def _intervals(hours: Hours, day: dt.date, tz: dt.tzinfo | None) -> list[tuple[dt.datetime, dt.datetime]]:
    """The open intervals [start, end) of the ranges that start on local `day` (none on a closed date).

    A range that runs past midnight (`20:00-02:00`) belongs to the day it starts on: it is open early
    the next morning even if that next day is closed or a closed date.
    """
    if day in hours.closed_on:
        return []
    out = []
    for r in hours.days[day.weekday()]:
        end_day = day if r.end_s > r.start_s else day + dt.timedelta(days=1)
        out.append((local_instant(day, r.start_s, tz), local_instant(end_day, r.end_s, tz)))
    return out


def _moment(when: dt.datetime) -> dt.datetime:
    """What intervals are compared with: the naive time itself, or the instant in UTC."""
    return when if when.tzinfo is None else when.astimezone(_UTC)


def is_open(hours: Hours | None, when: dt.datetime) -> bool:
    """Open at `when` (naive local, or aware in the zone whose rules apply); no hours = always open."""
    if hours is None:
        return True
    tz = when.tzinfo
    moment = _moment(when)
    today = when.date()
    for day in (today - dt.timedelta(days=1), today):
        for start, end in _intervals(hours, day, tz):
            if start <= moment < end:
                return True
    return False


def next_transition(hours: Hours | None, when: dt.datetime) -> tuple[dt.datetime, bool] | None:
    """The first time after `when` at which open/closed flips, and the state from then on.

    The time is in `when`'s zone (naive for naive). None when it never changes (no hours, always
    closed, or open round the clock).
    """
    if hours is None:
        return None
    tz = when.tzinfo
    state = is_open(hours, when)
    moment = _moment(when)
    day = when.date() - dt.timedelta(days=1)
    for _ in range(0, _SEARCH_DAYS, 7):
        # a week of boundaries at once, sorted together (an overnight range ends on the next day)
        cands = sorted(
            edge
            for i in range(8)
            for interval in _intervals(hours, day + dt.timedelta(days=i), tz)
            for edge in interval
        )
        for c in cands:
            local = c if tz is None else c.astimezone(tz)
            if c > moment and is_open(hours, local) != state:
                return local, not state
        day += dt.timedelta(days=7)
    return None


def transitions(hours: Hours | None, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, bool]]:
    """Every open/closed change in (start, end]."""
    out: list[tuple[dt.datetime, bool]] = []
    t = start
    while True:
        nxt = next_transition(hours, t)
        if nxt is None or _moment(nxt[0]) > _moment(end):
            return out
        out.append(nxt)
        t = nxt[0]


def first_opening(hours: Hours | None, after: dt.datetime) -> dt.datetime:
    """`after` itself when open then, else the next time the installation opens (or `after` if never)."""
    if is_open(hours, after):
        return after
    nxt = next_transition(hours, after)
    return nxt[0] if nxt is not None else after


def label(when: dt.datetime, now: dt.datetime) -> str:
    """A schedule time as an operator reads it: `18:00` today, `Tue 10:00` this week, else with the date."""
    days = (when.date() - now.date()).days
    if days == 0:
        return f"{when:%H:%M}"
    if 0 < days < 7:
        return f"{when:%a %H:%M}"
    return f"{when:%a %d %b %H:%M}"
