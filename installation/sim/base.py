"""What every simulator shares: a timestamped record of what arrived, and a way to wait for it."""

from __future__ import annotations

import collections
import contextlib
import os
import pty
import select
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Now = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Record:
    """One thing a simulator received or did, at clock time t."""

    t: float
    kind: str  # "dmx", "params", "osc", "line", "reply", "unplug", "replug", "garbage", ...
    detail: Any = None


class Simulator:
    """Keeps records (bounded) and lets tests wait, with a deadline, until the wire delivered something."""

    def __init__(self, name: str, *, now: Now = time.monotonic, keep: int = 10_000) -> None:
        self.name = name
        self._now = now
        self.records: collections.deque[Record] = collections.deque(maxlen=keep)
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, kind: str, detail: Any = None) -> Record:
        rec = Record(self._now(), kind, detail)
        with self._cond:
            self.records.append(rec)
            self._cond.notify_all()
        return rec

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 2.0) -> bool:
        """Block until predicate() is true after a record arrives, or the deadline passes."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def of_kind(self, kind: str) -> list[Record]:
        with self._cond:
            return [r for r in self.records if r.kind == kind]

    def _start_thread(self, target: Callable[[], None]) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=target, name=f"sim-{self.name}", daemon=True)
        self._thread.start()

    def _stop_thread(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
            self._thread = None

    def start(self) -> None:
        """Start listening (a thread on the port or socket)."""

    def stop(self) -> None:
        """Stop and release the port or socket; idempotent."""

    def state(self) -> dict[str, Any]:
        """What the rehearsal view draws; subclasses add their current state."""
        return {"name": self.name, "records": len(self.records)}


class PtyEnd:
    """A pseudo-terminal whose slave side a driver opens through a stable symlink, like a USB serial port.

    `unplug()` closes the master (the driver's reads and writes fail) and removes the link; `replug()`
    makes a new pty and points the link at it, as a re-enumerated USB device would appear again.
    """

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master: int | None = None
        self._slave: int | None = None
        self.slave_path = ""

    def plug(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        os.set_blocking(master, False)
        self.master, self._slave = master, slave
        self.slave_path = os.ttyname(slave)
        tmp = self.link.with_name(self.link.name + ".new")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(self.slave_path)
        os.replace(tmp, self.link)

    def unplug(self) -> None:
        if self.link.is_symlink():
            self.link.unlink()
        for fd in (self._slave, self.master):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master = self._slave = None

    @property
    def plugged(self) -> bool:
        return self.master is not None


class PtyDeviceSim(Simulator):
    """A serial device on a pty: a reader thread hands bytes to `_on_bytes`; tests can unplug and replug it.

    Unplug/replug requests are carried out by the reader thread itself, so no fd is closed under its feet.
    """

    def __init__(self, name: str, link: Path, *, now: Now = time.monotonic) -> None:
        super().__init__(name, now=now)
        self.end = PtyEnd(link)
        self._wake_r, self._wake_w = os.pipe()
        self._requests: collections.deque[tuple[str, threading.Event]] = collections.deque()

    @property
    def port(self) -> str:
        """The path a driver opens (a symlink to the current pty, like /dev/serial/by-id/...)."""
        return str(self.end.link)

    def start(self) -> None:
        self.end.plug()
        self._start_thread(self._loop)

    def stop(self) -> None:
        self._stop_thread()
        self.end.unplug()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def unplug(self) -> None:
        """Pull the USB cable: the driver's port fails and the device path disappears."""
        self._request("unplug")

    def replug(self) -> None:
        """Plug it back: the same path appears again, on a fresh pty."""
        self._request("replug")

    def _request(self, what: str) -> None:
        done = threading.Event()
        self._requests.append((what, done))
        os.write(self._wake_w, b"x")
        if not done.wait(2.0):
            raise RuntimeError(f"simulator {self.name} did not {what} within 2 s")

    def write(self, data: bytes) -> None:
        """Send bytes to the driver (dropped when unplugged or the driver is not reading)."""
        fd = self.end.master
        if fd is None:
            return
        try:
            os.write(fd, data)
        except (BlockingIOError, OSError):
            self.record("dropped-reply", len(data))

    def _loop(self) -> None:
        while not self._stopping.is_set():
            fds = [self._wake_r] + ([self.end.master] if self.end.master is not None else [])
            readable, _, _ = select.select(fds, [], [], 0.05)
            if self._wake_r in readable:
                os.read(self._wake_r, 64)
                while self._requests:
                    what, done = self._requests.popleft()
                    if what == "unplug" and self.end.plugged:
                        self.end.unplug()
                        self.record("unplug")
                    elif what == "replug" and not self.end.plugged:
                        self.end.plug()
                        self.record("replug", self.end.slave_path)
                    done.set()
                continue
            master = self.end.master
            if master is not None and master in readable:
                try:
                    data = os.read(master, 65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:  # EIO: no process has the port open right now
                    self._stopping.wait(0.01)  # polling real I/O: the driver reopens the port
                    continue
                if data:
                    self._on_bytes(data)

    def _on_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        return {**super().state(), "port": self.port, "plugged": self.end.plugged}
