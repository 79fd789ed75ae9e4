"""Timers as a `(deadline, seq, entry)` heap, run in deadline order by whoever owns the clock."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

TimerCallback = Callable[[float], None]


@dataclass(eq=False, slots=True)
class TimerHandle:
    """A scheduled call; `cancel()` it to drop it. The callback receives its own (scheduled) deadline."""

    deadline: float
    callback: TimerCallback
    label: str = ""
    cancelled: bool = field(default=False)
    fired: bool = field(default=False)

    def cancel(self) -> None:
        """Drop the timer (no effect once fired)."""
        self.cancelled = True

    @property
    def pending(self) -> bool:
        """Neither fired nor cancelled."""
        return not (self.cancelled or self.fired)


class Scheduler:
    """A heap of timers. `run_due(now)` calls every timer with deadline <= now in (deadline, seq) order.

    Callbacks get their *scheduled* deadline, so follow-up timers are computed from scheduled times and a
    24-hour show in virtual time has zero drift. Timers a callback schedules at or before `now` run in
    the same `run_due` call, after those already due at an earlier or equal time.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._seq = 0

    def call_at(self, deadline: float, callback: TimerCallback, label: str = "") -> TimerHandle:
        """Schedule `callback(deadline)` at clock time `deadline`."""
        if math.isnan(deadline):  # NaN would corrupt the heap order
            raise ValueError("timer deadline is NaN")
        handle = TimerHandle(deadline, callback, label)
        self._seq += 1
        heapq.heappush(self._heap, (deadline, self._seq, handle))
        return handle

    def _prune(self) -> None:
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)

    def next_deadline(self) -> float | None:
        """The earliest pending deadline, or None."""
        self._prune()
        return self._heap[0][0] if self._heap else None

    def run_due(self, now: float) -> int:
        """Run every pending timer with deadline <= now, in deadline order; returns how many ran."""
        heap = self._heap
        ran = 0
        while heap and heap[0][0] <= now:
            deadline, _, handle = heapq.heappop(heap)
            if handle.cancelled:
                continue
            handle.fired = True
            handle.callback(deadline)
            ran += 1
        return ran

    def clear(self) -> None:
        """Cancel everything."""
        for _, _, handle in self._heap:
            handle.cancelled = True
        self._heap.clear()

    def __len__(self) -> int:
        return sum(1 for _, _, h in self._heap if not h.cancelled)
