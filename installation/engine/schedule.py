"""Opening hours as pure functions of a local datetime: open now?, when is the next change?"""

from __future__ import annotations

import datetime as dt

from installation.show.model import Hours

_SEARCH_DAYS = 400  # a closure longer than a year is not an opening schedule


def seconds_since_midnight(when: dt.datetime) -> float:
    """Local time of day in seconds."""
    return when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6


def is_open(hours: Hours | None, when: dt.datetime) -> bool:
    """Open at local `when`; no hours = always open."""
    return True if hours is None else hours.is_open(when)


def _candidates(hours: Hours, day: dt.date) -> list[dt.datetime]:
    midnight = dt.datetime.combine(day, dt.time())
    out = [midnight]
    for r in hours.days[day.weekday()]:
        out.append(midnight + dt.timedelta(seconds=r.start_s))
        end = r.end_s if r.end_s >= r.start_s else r.end_s + 86400.0
        out.append(midnight + dt.timedelta(seconds=end))
    return out


def next_transition(hours: Hours | None, when: dt.datetime) -> tuple[dt.datetime, bool] | None:
    """The first local time after `when` at which open/closed flips, and the state from then on.

    None when it never changes (no hours, always closed, or open round the clock).
    """
    if hours is None:
        return None
    state = hours.is_open(when)
    day = when.date() - dt.timedelta(days=1)
    for _ in range(0, _SEARCH_DAYS, 7):
        # a week of candidates at once, sorted together (an overnight range ends on the next day)
        cands = sorted(c for i in range(8) for c in _candidates(hours, day + dt.timedelta(days=i)))
        for c in cands:
            if c > when and hours.is_open(c) != state:
                return c, not state
        day += dt.timedelta(days=7)
    return None


def transitions(hours: Hours | None, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, bool]]:
    """Every open/closed change in (start, end]."""
    out: list[tuple[dt.datetime, bool]] = []
    t = start
    while True:
        nxt = next_transition(hours, t)
        if nxt is None or nxt[0] > end:
            return out
        out.append(nxt)
        t = nxt[0]


def first_opening(hours: Hours | None, after: dt.datetime) -> dt.datetime:
    """`after` itself when open then, else the next time the installation opens (or `after` if never)."""
    if is_open(hours, after):
        return after
    nxt = next_transition(hours, after)
    return nxt[0] if nxt is not None else after
