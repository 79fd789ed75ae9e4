"""A fixed-rate loop on its own thread (the DMX refresh): absolute deadlines, so periods do not drift."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import numpy as np

log = logging.getLogger(__name__)


class Wakeup:
    """A binary semaphore: `set()` from any thread; `wait(timeout)` is True, and consumes it, if it was set.

    One C call on each side. `threading.Event.wait` runs a Python-level Condition (a new lock, a waiter
    list, a context manager) on every call; in a loop at 44 Hz on a core that went cold while it slept,
    that was a tenth of a millisecond a frame, a fifth of the whole DMX frame.
    """

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()  # held: not set

    def set(self) -> None:
        with contextlib.suppress(RuntimeError):  # released already: it is set, and stays set once
            self._lock.release()

    def wait(self, timeout: float) -> bool:
        if timeout <= 0:
            return self._lock.acquire(False)
        return self._lock.acquire(True, timeout)


class RefreshLoop:
    """Calls `tick(now)` at `rate_hz` until stopped; keeps the last periods to report jitter.

    A tick that overruns skips the missed deadlines instead of bursting to catch up.
    """

    def __init__(
        self,
        tick: Callable[[float], None],
        rate_hz: float = 44.0,
        *,
        now: Callable[[], float] = time.monotonic,
        keep: int = 4096,
    ) -> None:
        self._tick = tick
        self.period_s = 1.0 / rate_hz
        self._now = now
        self._stop = threading.Event()
        self._halt = Wakeup()
        self._thread: threading.Thread | None = None
        self._periods = [0.0] * keep  # a ring of plain floats: a numpy store is slow on a cold core
        self._n = 0
        self.overruns = 0
        self.errors = 0

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._halt = Wakeup()
            self._thread = threading.Thread(target=self._run, name="rig-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._halt.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
            self._thread = None

    def _run(self) -> None:
        period = self.period_s
        deadline = self._now()
        last = None
        while not self._stop.is_set():
            now = self._now()
            if last is not None:
                self._periods[self._n % len(self._periods)] = now - last
                self._n += 1
            last = now
            try:
                self._tick(now)
            except Exception:  # one bad frame must not stop the lights: log it and keep the rate
                self.errors += 1
                log.exception("rig refresh tick failed")
            deadline += period
            late = self._now() - deadline
            if late > 0:
                self.overruns += 1
                deadline += period * (int(late / period) + 1)
            if self._halt.wait(deadline - self._now()):
                break

    def periods(self) -> np.ndarray:
        """The measured tick-to-tick periods (seconds), oldest first."""
        n = min(self._n, len(self._periods))
        if self._n <= len(self._periods):
            return np.asarray(self._periods[:n])
        i = self._n % len(self._periods)
        return np.asarray(self._periods[i:] + self._periods[:i])

    def jitter_s(self, percentile: float = 99.0) -> float:
        """Percentile of |period − nominal period|, in seconds."""
        p = self.periods()
        return float(np.percentile(np.abs(p - self.period_s), percentile)) if len(p) else 0.0
