"""The journal: the engine state needed to resume after a crash or power cut, as JSON lines.

Encoding, decoding and validation are pure; the runtime appends `encode(engine.journal_state())` to a
file now and then (and fsyncs), and on start reads it with `read_file()` and gives the newest valid state
to `Engine.from_journal(...)`. An entry is used only when the whole of it passes `validate()`: every key
present and of its type, every number finite and every time within bounds. A file with any bad line is
corruption: `set_aside()` keeps it for a post-mortem and `replace_file()` writes a fresh journal.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from installation.engine.params import CURVES
from installation.engine.sequencer import DONE, STOPPED
from installation.engine.show_engine import JOURNAL_VERSION

MAX_SECONDS = 10 * 366 * 86400.0  # any time in an entry: ten years (longer is corruption, not a long run)
MAX_LINE_BYTES = 8 << 20  # an entry is a few KB (about 40 bytes a parameter); a longer line is garbage


class JournalError(ValueError):
    """A journal line that is not a journal entry of this version."""


def encode(state: dict[str, Any]) -> str:
    """One journal line (no newline) for a `journal_state()` dict."""
    return json.dumps(state, separators=(",", ":"), allow_nan=False, sort_keys=False)


def decode(line: str | bytes) -> dict[str, Any]:
    """The state in one journal line, fully validated; JournalError saying why when it is not one."""
    if len(line) > MAX_LINE_BYTES:
        raise JournalError(f"a line of {len(line)} bytes (an entry is at most {MAX_LINE_BYTES})")
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JournalError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        state = json.loads(line)
    except json.JSONDecodeError as exc:
        raise JournalError(f"not JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting deeper than Python's stack
        raise JournalError(f"not usable JSON: {exc.__class__.__name__}: {exc}"[:200]) from None
    return validate(state)


# ------------------------------------------------------------------------------------------ validation
# One checker per value kind: it returns what is wrong with a value, or "" when it is fine.
Check = Callable[[Any], str]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _number(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f"expected a number, got {_kind(value)}"
    try:
        x = float(value)
    except OverflowError:
        return "a number too large for a float"
    return "" if math.isfinite(x) else f"expected a finite number, got {x}"


def _time(lo: float) -> Check:
    def check(value: Any) -> str:
        fault = _number(value)
        if not fault and not lo <= float(value) <= MAX_SECONDS:
            fault = f"{float(value):g} s is outside {lo:g}..{MAX_SECONDS:g} s"
        return fault

    return check


def _type(kind: type, name: str, optional: bool = False) -> Check:
    def check(value: Any) -> str:
        if isinstance(value, kind) or (optional and value is None):
            return ""
        return f"expected {name}{' or null' if optional else ''}, got {_kind(value)}"

    return check


def _one_of(options: Iterable[str]) -> Check:
    allowed = tuple(options)

    def check(value: Any) -> str:
        if isinstance(value, str) and value in allowed:
            return ""
        return f"expected one of {', '.join(allowed)}, got {value!r}"[:200]

    return check


def _version(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value == JOURNAL_VERSION:
        return ""
    return f"not a journal entry of version {JOURNAL_VERSION}"


_TEXT, _MAYBE_TEXT, _FLAG = _type(str, "text"), _type(str, "text", optional=True), _type(bool, "true/false")

CUE_ENTRY: dict[str, Check] = {
    "name": _TEXT,
    "elapsed_s": _time(0.0),
    "continued": _FLAG,
    "paused": _FLAG,
    "loaded": _FLAG,
}
FADE_ENTRY: dict[str, Check] = {
    "param": _TEXT,
    "start_value": _number,
    "target": _number,
    "elapsed_s": _time(-MAX_SECONDS),  # a fade may be due to start after the moment written
    "duration_s": _time(0.0),
    "curve": _one_of(CURVES),
    "cue": _MAYBE_TEXT,
    "owner": _MAYBE_TEXT,
    "paused": _FLAG,
}


def _entries(fields: dict[str, Check]) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, list):
            return f"expected a list, got {_kind(value)}"
        for i, item in enumerate(value):
            fault = _fields(item, fields)
            if fault:
                return f"[{i}]{fault if fault.startswith('.') else ': ' + fault}"
        return ""

    return check


def _table(key: Check, value: Check) -> Check:
    def check(table: Any) -> str:
        if not isinstance(table, dict):
            return f"expected an object, got {_kind(table)}"
        for k, v in table.items():
            fault = key(k) or value(v)
            if fault:
                return f"[{k!r}]: {fault}"
        return ""

    return check


STATE: dict[str, Check] = {
    "journal": _version,
    "show": _TEXT,
    "act": _MAYBE_TEXT,
    "time_in_act_s": _time(0.0),
    "open": _FLAG,
    "closing": _FLAG,
    "paused": _FLAG,
    "playhead": _MAYBE_TEXT,
    "finished": _table(_TEXT, _one_of((DONE, STOPPED))),
    "cues": _entries(CUE_ENTRY),
    "params": _table(_TEXT, _number),
    "fades": _entries(FADE_ENTRY),
}


def _fields(value: Any, fields: dict[str, Check]) -> str:
    """What is wrong with an object that must have exactly these keys ("" when nothing is)."""
    if not isinstance(value, dict):
        return f"expected an object, got {_kind(value)}"
    for key, check in fields.items():
        if key not in value:
            return f"missing {key!r}"
        fault = check(value[key])
        if fault:
            return f".{key}{fault if fault.startswith('[') else ': ' + fault}"
    unknown = [k for k in value if k not in fields]
    return f"unknown key {unknown[0]!r}" if unknown else ""


def validate(state: object) -> dict[str, Any]:
    """`state` when it is a whole journal entry of this version; JournalError naming the first fault.

    Names (acts, cues, parameters) are only checked to be text: one the show no longer has is the
    restore's business (an unknown act starts the start act, an unknown cue or parameter is skipped).
    """
    if not isinstance(state, dict):
        raise JournalError(f"not a journal entry: {_kind(state)}")
    if "journal" not in state or _version(state["journal"]):
        raise JournalError(f"not a journal entry of version {JOURNAL_VERSION}")
    fault = _fields(state, STATE)
    if fault:
        raise JournalError(f"entry{fault}" if fault.startswith(".") else fault)
    return state


# --------------------------------------------------------------------------------------------- reading
@dataclasses.dataclass(frozen=True)
class Reading:
    """What a journal file holds: the newest valid entry of the show, and every line that was bad."""

    state: dict[str, Any] | None
    line: int | None  # the line number of `state`
    bad: tuple[tuple[int, str], ...]  # (line number, what is wrong) for each line that is not an entry
    lines: int  # lines read, blank ones included

    @property
    def corrupt(self) -> bool:
        """True when any line was not a valid entry (a torn last line included)."""
        return bool(self.bad)


def read(lines: Iterable[str | bytes], show_name: str | None = None) -> Reading:
    """The newest fully valid entry among `lines` and the bad lines; entries of other shows are skipped."""
    found: dict[str, Any] | None = None
    found_at: int | None = None
    bad: list[tuple[int, str]] = []
    number = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            state = decode(line)
        except JournalError as exc:
            bad.append((number, str(exc)[:200]))
            continue
        if show_name is not None and state["show"] != show_name:
            continue
        found, found_at = state, number
    return Reading(found, found_at, tuple(bad), number)


def last_state(lines: Iterable[str | bytes], show_name: str | None = None) -> dict[str, Any] | None:
    """The newest valid entry (a torn or corrupt line is skipped); None when there is none.

    With `show_name`, entries written by another show are ignored.
    """
    return read(lines, show_name).state


def _bounded_lines(f: BinaryIO) -> Iterator[bytes]:
    """The file's lines, each cut at MAX_LINE_BYTES + 1 bytes (the rest of a longer line is skipped)."""
    while True:
        line = f.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            while line and not line.endswith(b"\n"):
                line = f.readline(MAX_LINE_BYTES)
            yield b"x" * (MAX_LINE_BYTES + 1)
            continue
        yield line


def read_file(path: Path, show_name: str | None = None) -> Reading:
    """`read()` of a journal file as raw bytes (bad UTF-8 spoils one line, not the file); OSError as is."""
    with path.open("rb") as f:
        return read(_bounded_lines(f), show_name)


# ------------------------------------------------------------------------------------------- writing
def fsync_dir(folder: Path) -> None:
    """Make a file created, renamed or replaced in `folder` survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically and durably: temp file, fsync, rename, fsync of the folder."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def set_aside(path: Path) -> Path:
    """Rename a corrupt journal to `<name>.corrupt-<n>` (the first n free) and return the new path."""
    n = 1
    while True:
        aside = path.with_name(f"{path.name}.corrupt-{n}")
        if not aside.exists():
            break
        n += 1
    os.replace(path, aside)
    fsync_dir(path.parent)
    return aside
