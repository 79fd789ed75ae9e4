"""Small operator settings kept in the state folder: written whole and atomically, read defensively.

A settings file is one JSON object. Writing goes to a temporary file that is fsynced and then renamed
over the old one, and the folder is fsynced, so a power cut leaves the old version or the new one,
never half of either. A file that cannot be read or parsed is reported in one log line and ignored.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def write(path: Path, data: dict[str, Any] | None, what: str) -> bool:
    """Keep `data` at `path` (None removes the file); False with one error line when the disk refuses."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            path.unlink(missing_ok=True)
        else:
            tmp = path.with_name(path.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as f:
                f.write(json.dumps(data) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        log.error("%s: cannot keep the %s (%s); it holds until a restart — free disk space or fix "
                  "permissions", path, what, exc)
        return False
    return True


def read(path: Path, what: str) -> dict[str, Any] | None:
    """The JSON object at `path`, or None (absent, unreadable or not an object: one warning line)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("%s: cannot read the %s (%s); using the defaults", path, what, exc)
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        log.warning("%s: the %s is unreadable (%s); using the defaults", path, what, exc)
        return None
    if not isinstance(data, dict):
        log.warning("%s: the %s is not a JSON object; using the defaults", path, what)
        return None
    return data
