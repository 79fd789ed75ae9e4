"""The one clock (`Clock`, `MonotonicClock`, `VirtualClock`) and the real-time loop: the only sleeper."""

from __future__ import annotations

import abc
import collections
import logging
import random
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Clock(abc.ABC):
    """A monotonic source of seconds. Show logic gets `now` from one of these, never from `time`."""

    @abc.abstractmethod
    def now(self) -> float:
        """Current time in seconds; never goes backwards; the origin is arbitrary."""


class MonotonicClock(Clock):
    """Real time from `time.perf_counter()`, shifted by a large random offset.

    The offset (as in Trio) makes any code that mixes raw `perf_counter()`/`monotonic()` values with
    clock values produce obviously wrong numbers instead of subtly wrong ones.
    """

    def __init__(self, offset_s: float | None = None) -> None:
        self.offset_s = random.uniform(10_000.0, 1_000_000.0) if offset_s is None else offset_s

    def now(self) -> float:
        return time.perf_counter() + self.offset_s

    def __repr__(self) -> str:
        return f"MonotonicClock(offset_s={self.offset_s:.3f})"


class VirtualClock(Clock):
    """A clock that only moves when told: `advance(dt)` or `jump_to(t)`; it refuses to go backwards."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, dt: float) -> float:
        """Move forward by `dt` seconds (>= 0); returns the new time."""
        if not dt >= 0.0:  # also rejects NaN
            raise ValueError(f"VirtualClock cannot go backwards (advance by {dt!r})")
        self._now += dt
        return self._now

    def jump_to(self, t: float) -> float:
        """Move to absolute time `t` (>= now) and return it; unlike repeated `advance`, no rounding drift."""
        if not t >= self._now:
            raise ValueError(f"VirtualClock cannot go backwards (from {self._now!r} to {t!r})")
        self._now = float(t)
        return self._now

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now!r})"


# ------------------------------------------------------------------------------------- real-time loop


class RealtimeLoop:
    """Drives pure logic in real time: sleeps until the next deadline, then spins the last stretch.

    This is the only code in the program allowed to sleep for show timing. `Event.wait()` alone is late
    by 0.05–1 ms on a loaded Linux box; waking `spin_s` early and spinning on the clock brings lateness
    to tens of microseconds. Other threads hand work to the loop with `call_soon_threadsafe()` (which
    also wakes it), so a GO from the web panel is handled at once, not at the next deadline.
    """

    def __init__(self, clock: Clock, *, spin_s: float = 0.0015, max_wait_s: float = 0.25) -> None:
        self.clock = clock
        self.spin_s = spin_s
        self.max_wait_s = max_wait_s
        self._wake = threading.Event()
        self._calls: collections.deque[Callable[[], None]] = collections.deque()
        self._stop = threading.Event()

    def call_soon_threadsafe(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the loop's thread at its next turn (callable from any thread)."""
        self._calls.append(fn)
        self._wake.set()

    def wake(self) -> None:
        """Interrupt the current wait (callable from any thread)."""
        self._wake.set()

    def stop(self) -> None:
        """Make `run()` return after the current turn (callable from any thread)."""
        self._stop.set()
        self._wake.set()

    @property
    def stopped(self) -> bool:
        """True once `stop()` was called."""
        return self._stop.is_set()

    def sleep_until(self, deadline: float) -> bool:
        """Wait until clock time `deadline`; False when woken early (`wake()`, `call_soon_threadsafe()`)."""
        clock = self.clock
        while True:
            remaining = deadline - clock.now()
            if remaining <= 0.0:
                return True
            if remaining > self.spin_s:
                if self._wake.wait(min(remaining - self.spin_s, self.max_wait_s)):
                    self._wake.clear()
                    return False
                continue
            # the last stretch: spin on the clock (no syscall that could hand the CPU away; the
            # interpreter's switch interval still lets other threads run)
            wake = self._wake
            while clock.now() < deadline:
                if wake.is_set():
                    wake.clear()
                    return False
            return True

    def _drain_calls(self) -> None:
        while self._calls:
            fn = self._calls.popleft()
            try:
                fn()
            except Exception:  # one bad call must not stop the show loop
                log.exception("loop: call %r failed", fn)

    def run(self, step: Callable[[float], float | None]) -> None:
        """Loop until `stop()`: queued calls, then `step(now)` -> next deadline (None = idle), wait for it."""
        clock = self.clock
        while not self._stop.is_set():
            self._drain_calls()
            if self._stop.is_set():
                break
            next_deadline = step(clock.now())
            if self._stop.is_set():
                break
            if self._calls:
                continue
            if next_deadline is None:
                next_deadline = clock.now() + self.max_wait_s
            self.sleep_until(next_deadline)
        self._drain_calls()
