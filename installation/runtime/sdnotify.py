"""systemd's notify protocol with the stdlib: READY=1, WATCHDOG=1 and STATUS= to $NOTIFY_SOCKET."""

from __future__ import annotations

import logging
import os
import socket
import threading

log = logging.getLogger(__name__)


class Notifier:
    """Sends `sd_notify` datagrams when run under systemd (`Type=notify`); does nothing otherwise.

    The socket path comes from `$NOTIFY_SOCKET` (a leading `@` is Linux's abstract namespace), the
    watchdog period from `$WATCHDOG_USEC` (only when `$WATCHDOG_PID` is unset or names this process).
    A send that fails is logged once and never raised: the show does not depend on systemd.
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_s: float | None = None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_s = int(usec) / 1e6
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._failed = False
        self._last_status = ""

    @property
    def enabled(self) -> bool:
        """True when systemd asked for notifications (NOTIFY_SOCKET is set)."""
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send `KEY=value` fields in one datagram; True when it went out."""
        if self.address is None:
            return False
        data = "\n".join(fields).encode("utf-8", "replace")
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(data, self.address)
            except OSError as exc:
                if not self._failed:
                    self._failed = True
                    log.warning("systemd notify socket %s: %s (watchdog pings will fail)",
                                _printable(self.address), exc.strerror or exc)
                return False
        self._failed = False
        return True

    def ready(self, status: str = "") -> bool:
        """READY=1 (and a status line): systemd considers the service started."""
        fields = ["READY=1"]
        if status:
            self._last_status = _one_line(status)
            fields.append(f"STATUS={self._last_status}")
        return self.notify(*fields)

    def watchdog(self) -> bool:
        """WATCHDOG=1: the process is alive; systemd restarts it when these stop for WatchdogSec."""
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """STATUS=… (shown by `systemctl status`); repeated identical lines are not sent again."""
        line = _one_line(text)
        if line == self._last_status:
            return False
        self._last_status = line
        return self.notify(f"STATUS={line}")

    def stopping(self) -> bool:
        """STOPPING=1: a clean shutdown has begun."""
        return self.notify("STOPPING=1")

    def close(self) -> None:
        """Release the socket; idempotent."""
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def _address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # abstract namespace
    if value.startswith("/"):
        return value
    log.warning("NOTIFY_SOCKET=%r is neither a path nor @abstract; systemd notifications are off", value)
    return None


def _printable(address: str | bytes) -> str:
    return "@" + address[1:].decode(errors="replace") if isinstance(address, bytes) else address


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
