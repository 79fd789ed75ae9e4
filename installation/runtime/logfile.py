"""Log files for unattended operation: a rotating file in the state folder, journald-friendly stderr."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from installation.platform.wallclock import WallClock

log = logging.getLogger(__name__)

LOG_MAX_BYTES = 5 << 20  # per file
LOG_BACKUPS = 5  # show.log, show.log.1 … show.log.5: at most 30 MB on disk
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# journald adds the time and the unit; `<N>` at the start of a line is the syslog priority it stores
JOURNAL_FORMAT = "<%(priority)d>%(name)s: %(message)s"
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class WallFormatter(logging.Formatter):
    """Stamps each line with a wall clock's time (the runtime's, which tests and CI pin), zone included."""

    def __init__(self, fmt: str, wall: WallClock | None = None) -> None:
        super().__init__(fmt)
        self.wall = wall

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if self.wall is None:
            return super().formatTime(record, datefmt)
        return self.wall().isoformat(sep=" ", timespec="milliseconds")


class _OneLine(WallFormatter):
    """One line per event: a multi-line message or a traceback is folded onto the same line.

    With a wall clock, lines are stamped with its time (the runtime's injected clock), with the zone.
    """

    def format(self, record: logging.LogRecord) -> str:
        record.priority = _PRIORITY.get(record.levelno, 6)
        text = super().format(record)
        return text.replace("\n", " ⏎ ")


def under_journald(stream: object = None) -> bool:
    """True when stderr is connected to the systemd journal ($JOURNAL_STREAM names its device:inode)."""
    value = os.environ.get("JOURNAL_STREAM", "")
    if not value:
        return False
    stream = sys.stderr if stream is None else stream
    try:
        st = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
    dev, _, ino = value.partition(":")
    return dev == str(st.st_dev) and ino == str(st.st_ino)


class LogFiles:
    """Attaches a RotatingFileHandler (state/logs/<show>.log) to the `installation` loggers; detach on stop.

    Under systemd, the stderr handlers are switched to journald's format (priority prefix, no time),
    so `journalctl -u installation-<show> -p err` shows the errors.
    """

    def __init__(self, state_dir: Path, stem: str, *, max_bytes: int = LOG_MAX_BYTES,
                 backups: int = LOG_BACKUPS, level: int = logging.INFO,
                 wall: WallClock | None = None) -> None:
        self.wall = wall
        self.path = state_dir / "logs" / f"{stem}.log"
        self.max_bytes = max_bytes
        self.backups = backups
        self.level = level
        self.handler: logging.handlers.RotatingFileHandler | None = None
        self._journal_restore: list[tuple[logging.Handler, logging.Formatter | None]] = []
        self._old_level: int | None = None

    def attach(self) -> bool:
        """Start writing the log file; False (with a warning) when the folder is not writable."""
        logger = logging.getLogger("installation")
        if logger.getEffectiveLevel() > self.level:
            self._old_level = logger.level
            logger.setLevel(self.level)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                self.path, maxBytes=self.max_bytes, backupCount=self.backups, encoding="utf-8", delay=False
            )
        except OSError as exc:
            log.warning("%s: cannot write the log file (%s); logging to stderr only", self.path,
                        exc.strerror or exc)
            return False
        handler.setLevel(self.level)
        handler.setFormatter(_OneLine(FILE_FORMAT, self.wall))
        logger.addHandler(handler)
        self.handler = handler
        if under_journald():
            for h in logging.getLogger().handlers:
                if isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) is sys.stderr:
                    self._journal_restore.append((h, h.formatter))
                    h.setFormatter(_OneLine(JOURNAL_FORMAT))
        return True

    def detach(self) -> None:
        """Stop writing the log file; idempotent."""
        if self.handler is not None:
            logging.getLogger("installation").removeHandler(self.handler)
            self.handler.close()
            self.handler = None
        if self._old_level is not None:
            logging.getLogger("installation").setLevel(self._old_level)
            self._old_level = None
        for handler, formatter in self._journal_restore:
            handler.setFormatter(formatter)  # type: ignore[arg-type]
        self._journal_restore.clear()
