"""What the supervised child processes (audio, projection, jackd) share: output, a death, a lifetime."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import IO, Any

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


def send(conn: Connection, message: tuple[Any, ...]) -> bool:
    """Send to the parent (or child); False, never an exception, when the other end has gone."""
    try:
        conn.send(message)
    except (BrokenPipeError, EOFError, OSError):
        return False
    return True


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


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(sig: int = signal.SIGKILL) -> Callable[[], None] | None:
    """A `preexec_fn` that has the kernel send the child `sig` when this process dies, even by kill -9.

    Linux only (None elsewhere). The signal follows the *thread* that forked: spawn from a thread that
    lives as long as the process (the main thread, or one that waits on the child).
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not in the child
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl: nobody would send the signal
            os._exit(1)

    return preexec


EXIT_ERROR = 3  # a child's exit status when the parent's handshake was wrong


def accept(argv: list[str] | None, prefix: str, options_type: type) -> tuple[Connection, tuple[Any, ...]]:
    """A child's start: the inherited socket FD from argv, then the parent's ("options", ...) message.

    Exits with EXIT_ERROR (one line on stderr, in the child's log format) when the handshake is wrong.
    """
    args = sys.argv[1:] if argv is None else argv
    conn = Connection(int(args[0]))
    try:
        first = conn.recv()
    except (EOFError, OSError):
        sys.exit(EXIT_ERROR)
    if first[0] != "options" or not isinstance(first[1], options_type):
        print(f"{prefix} ERROR: first message must be the options, not {first[0]!r}", file=sys.stderr)
        sys.exit(EXIT_ERROR)
    return conn, tuple(first)
