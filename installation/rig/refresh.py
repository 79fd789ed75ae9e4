"""A fixed-rate loop on its own thread (the DMX refresh): absolute deadlines, so periods do not drift."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

log = logging.getLogger(__name__)


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
        self._thread: threading.Thread | None = None
        self._periods = np.zeros(keep, dtype=np.float64)
        self._n = 0
        self.overruns = 0
        self.errors = 0

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="rig-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
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
            self._stop.wait(max(0.0, deadline - self._now()))

    def periods(self) -> np.ndarray:
        """The measured tick-to-tick periods (seconds), oldest first."""
        n = min(self._n, len(self._periods))
        if self._n <= len(self._periods):
            return self._periods[:n].copy()
        i = self._n % len(self._periods)
        return np.concatenate([self._periods[i:], self._periods[:i]])

    def jitter_s(self, percentile: float = 99.0) -> float:
        """Percentile of |period − nominal period|, in seconds."""
        p = self.periods()
        return float(np.percentile(np.abs(p - self.period_s), percentile)) if len(p) else 0.0
