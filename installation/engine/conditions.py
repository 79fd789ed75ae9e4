"""Presence conditions with hold time and hysteresis, evaluated on (value, now) — no timers inside."""

from __future__ import annotations

from dataclasses import dataclass

from installation.show.model import PresenceCondition


def released(cond: PresenceCondition, value: float) -> bool:
    """Whether an armed condition lets go at `value`: past the threshold by the hysteresis the other way."""
    t, h = cond.threshold, cond.hysteresis
    match cond.op:
        case ">=":
            return value < t - h
        case ">":
            return value <= t - h
        case "<=":
            return value > t + h
        case "<":
            return value >= t + h
        case "==":
            return abs(value - t) > h
        case _:  # "!=": only exact equality lets go
            return value == t


@dataclass(slots=True)
class ConditionTracker:
    """Arms when the comparison becomes true, disarms only when `released()`; fires after `hold_s` armed.

    `update()` returns the time the condition will fire (armed since + hold) or None when disarmed; the
    owner schedules a timer for it. A break restarts the hold.
    """

    condition: PresenceCondition
    armed: bool = False
    since: float | None = None
    fired: bool = False

    def update(self, value: float, now: float) -> float | None:
        """Feed the current value at time `now`; returns the fire time while armed, else None."""
        if self.armed:
            if released(self.condition, value):
                self.armed = False
                self.since = None
        elif self.condition.compare(value):
            self.armed = True
            self.since = now
        return self.fire_at

    @property
    def fire_at(self) -> float | None:
        """When the condition fires if it stays armed (None while disarmed)."""
        return None if self.since is None else self.since + self.condition.hold_s

    def reset(self) -> None:
        """Forget everything (act re-entered, presence lost)."""
        self.armed = False
        self.since = None
        self.fired = False
