"""Steady numbers from jittery ones: a smoothed count with hysteresis, and zone dwell built on it."""

from __future__ import annotations

import math


class SteadyCount:
    """An integer that follows a noisy count only when the smoothed value clearly crosses to a new integer.

    The raw count is smoothed with a one-pole filter (`tau_s`); the output moves up to n only when the
    smoothed value reaches n - 0.5 + margin, and down to n only when it falls to n + 0.5 - margin. A
    person flickering in and out at the door (raw 0,1,0,1...) holds the output where it is.
    """

    def __init__(self, tau_s: float = 0.3, margin: float = 0.25) -> None:
        if not 0.0 <= margin < 0.5:
            raise ValueError("margin must be in 0..0.5")
        self.tau_s = tau_s
        self.margin = margin
        self.value = 0
        self.smoothed = 0.0
        self._t: float | None = None

    def reset(self, value: int = 0) -> None:
        """Start again at `value` (after the camera was lost)."""
        self.value = value
        self.smoothed = float(value)
        self._t = None

    def update(self, raw: float, t: float) -> int:
        """Feed the raw count at clock time t; returns the steady count."""
        dt = 0.0 if self._t is None else max(t - self._t, 0.0)
        self._t = t
        a = 1.0 if self.tau_s <= 0 else 1.0 - math.exp(-dt / self.tau_s)
        self.smoothed += a * (raw - self.smoothed)
        up = math.floor(self.smoothed + 0.5 - self.margin)
        down = math.ceil(self.smoothed - 0.5 + self.margin)
        if up > self.value:
            self.value = up
        elif down < self.value:
            self.value = max(down, 0)
        return self.value


class ZoneOccupancy:
    """One zone's steady count and dwell: dwell counts from when the raw occupancy began (not the delay)."""

    def __init__(self, tau_s: float = 0.3, margin: float = 0.25) -> None:
        self.count = SteadyCount(tau_s, margin)
        self._raw_since: float | None = None  # start of the current raw-occupied streak
        self._occupied_since: float | None = None

    def reset(self) -> None:
        """Forget the zone's state (after the camera was lost)."""
        self.count.reset()
        self._raw_since = None
        self._occupied_since = None

    def update(self, raw: int, t: float) -> tuple[int, float]:
        """Feed the raw zone count at time t; returns (steady count, dwell_s)."""
        if raw > 0:
            if self._raw_since is None:
                self._raw_since = t
        else:
            self._raw_since = None
        n = self.count.update(raw, t)
        if n > 0:
            if self._occupied_since is None:
                self._occupied_since = self._raw_since if self._raw_since is not None else t
            return n, t - self._occupied_since
        self._occupied_since = None
        return 0, 0.0
