"""What the supervised child processes (audio, projection) share: relaying output, naming a death."""

from __future__ import annotations

import logging
import signal
from typing import IO

_CRASH_SIGNALS = ("SIGSEGV", "SIGABRT", "SIGBUS")


def relay_output(stream: IO[bytes] | None, prefix: str, library: str, log: logging.Logger) -> None:
    """Log a child's output: its own `PREFIX LEVEL ...` lines at their level, library chatter at debug."""
    if stream is None:
        return
    with stream:
        for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            if not line:
                continue
            if line.startswith(prefix + " "):
                level_name = line.split(" ", 2)[1]
                level = logging.getLevelName(level_name) if level_name.isupper() else logging.INFO
                log.log(level if isinstance(level, int) else logging.INFO, "%s", line)
            else:
                log.debug("%s: %s", library, line)


def describe_exit(code: int, what: str, crash_in: str) -> str:
    """One line for the health card: `audio engine killed by SIGSEGV (a native crash in the ...)`."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = f" (a native crash in {crash_in})" if name in _CRASH_SIGNALS else ""
        return f"{what} killed by {name}{hint}"
    return f"{what} exited with status {code}"
