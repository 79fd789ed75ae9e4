"""The journal: the engine state needed to resume after a crash or power cut, as JSON lines.

Pure encode/decode; the runtime appends `encode(engine.journal_state())` to a file now and then (and
fsyncs), and on start feeds the file's lines to `last_state()` and the result to `Engine.resume(...)`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from installation.engine.show_engine import JOURNAL_VERSION

log = logging.getLogger(__name__)


class JournalError(ValueError):
    """A journal line that is not a journal entry of this version."""


def encode(state: dict[str, Any]) -> str:
    """One journal line (no newline) for a `journal_state()` dict."""
    return json.dumps(state, separators=(",", ":"), allow_nan=False, sort_keys=False)


def decode(line: str) -> dict[str, Any]:
    """The state in one journal line; JournalError when it is not one."""
    try:
        state = json.loads(line)
    except json.JSONDecodeError as exc:
        raise JournalError(f"not JSON: {exc}") from None
    if not isinstance(state, dict) or state.get("journal") != JOURNAL_VERSION:
        raise JournalError(f"not a journal entry of version {JOURNAL_VERSION}")
    return state


def last_state(lines: Iterable[str], show_name: str | None = None) -> dict[str, Any] | None:
    """The newest valid entry (a torn last line after a power cut is skipped); None when there is none.

    With `show_name`, entries written by another show are ignored.
    """
    found: dict[str, Any] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            state = decode(line)
        except JournalError as exc:
            log.warning("journal line %d skipped: %s", number, exc)
            continue
        if show_name is not None and state.get("show") != show_name:
            continue
        found = state
    return found
