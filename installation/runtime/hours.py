"""The operator's opening-hours override kept on disk (state/<show>.hours.json), across restarts.

The logic (schedule, override, rehearsal, the lines an operator reads) is `installation.engine.opening`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from installation.engine.opening import OpeningHours, Override
from installation.runtime import statefile
from installation.show.model import Hours

log = logging.getLogger(__name__)


def kept_opening_hours(hours: Callable[[], Hours | None], wall: Callable[[], dt.datetime], *, honour: bool,
                       path: Path) -> OpeningHours:
    """OpeningHours whose override is read from `path` at start and written there on every change."""
    return OpeningHours(hours, wall, honour=honour, override=load_override(path),
                        on_change=lambda o: save_override(path, o))


def save_override(path: Path, override: Override | None) -> None:
    statefile.write(path, None if override is None else override.to_json(), "hours override")


def load_override(path: Path) -> Override | None:
    data = statefile.read(path, "hours override")
    if data is None:
        return None
    try:
        until = dt.datetime.fromisoformat(data["until"])
        if not isinstance(data["open"], bool):
            raise ValueError("'open' is not true or false")
        source = data.get("source", "")
        return Override(data["open"], until, source if isinstance(source, str) else "")
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("%s: the hours override is unreadable (%s); following the schedule", path, exc)
        return None


__all__ = ["OpeningHours", "Override", "kept_opening_hours", "load_override", "save_override"]
