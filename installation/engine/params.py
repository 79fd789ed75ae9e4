"""Named parameters: the single currency between the sequencer and every adapter."""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Hashable, Iterable, Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from installation.show.params import ParamSpec

if TYPE_CHECKING:
    from installation.engine.presence import Presence
    from installation.show.model import Mapping

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------- curves

CURVES: tuple[str, ...] = ("linear", "s-curve", "exponential", "log")
_EXP_K = math.log(100.0)  # steepness of the exponential / log shapes (1 % of the way at the quiet end)
_EXP_NORM = math.expm1(_EXP_K)


def shape(curve: str, p: float) -> float:
    """A curve as a map of progress 0..1 onto 0..1 (used by mappings and by fades on non-dB params).

    linear: p · s-curve: 3p²−2p³ · exponential: slow start, fast finish ((100^p − 1)/99) ·
    log: its mirror image, fast start, slow finish.
    """
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    if curve == "s-curve":
        return p * p * (3.0 - 2.0 * p)
    if curve == "exponential":
        return math.expm1(_EXP_K * p) / _EXP_NORM
    if curve == "log":
        return math.log1p(_EXP_NORM * p) / _EXP_K
    return p


def _db_to_gain(db: float) -> float:
    return math.pow(10.0, db / 20.0)


def _gain_to_db(gain: float, floor_db: float) -> float:
    return max(floor_db, 20.0 * math.log10(gain)) if gain > 0.0 else floor_db


def fade_value(
    curve: str, start: float, target: float, p: float, *, unit: str = "", floor_db: float = -120.0
) -> float:
    """The value of a fade at progress p (0..1), exactly `start` at 0 and `target` at 1.

    For a level in dB the exponential curve is linear in amplitude: a fade to silence keeps its
    loudness for most of the way and drops at the end, a fade-in rises quickly and settles gently —
    how audio fades should sound. Every other curve/unit interpolates the value through `shape()`.
    """
    if p <= 0.0:
        return start
    if p >= 1.0:
        return target
    if curve == "exponential" and unit == "dB":
        g0, g1 = _db_to_gain(start), _db_to_gain(target)
        return _gain_to_db(g0 + (g1 - g0) * p, floor_db)
    return start + (target - start) * shape(curve, p)


# -------------------------------------------------------------------------------------------- fades


@dataclass(slots=True)
class Fade:
    """A running fade of one parameter, evaluated at any `now` (no per-frame state)."""

    name: str
    start_value: float
    target: float
    start_t: float
    duration_s: float
    curve: str
    unit: str
    floor_db: float
    owner: Hashable | None = None
    paused_at: float | None = None

    @property
    def end_t(self) -> float:
        """When the fade reaches its target (ignoring a pause in progress)."""
        return self.start_t + self.duration_s

    def value_at(self, t: float) -> float:
        """The fade's value at clock time t (frozen while paused)."""
        if self.paused_at is not None:
            t = min(t, self.paused_at)
        if self.duration_s <= 0.0:
            return self.target if t >= self.start_t else self.start_value
        p = (t - self.start_t) / self.duration_s
        return fade_value(
            self.curve, self.start_value, self.target, p, unit=self.unit, floor_db=self.floor_db
        )


@dataclass(slots=True)
class _MappingState:
    mapping: Mapping
    owner: Hashable | None
    y: float  # smoothed output
    x: float | None = None  # latest unsmoothed output (None until the first known presence)
    last_t: float | None = None


def mapping_output(mapping: Mapping, value: float) -> float:
    """The unsmoothed output of a mapping for an input value: range → 0..1 → curve → out range."""
    lo, hi = mapping.in_range
    u = 0.0 if hi == lo else (value - lo) / (hi - lo)
    u = min(1.0, max(0.0, u))
    o0, o1 = mapping.out_range
    return o0 + (o1 - o0) * shape(str(mapping.curve), u)


# -------------------------------------------------------------------------------------------- store


class ParameterStore:
    """Every controllable value by name, with versions, fades and presence mappings, all driven by `now`.

    Writers: `set()`, `fade()` (evaluated in `update(now)`), mappings (fed by `set_presence()`, smoothed
    in `update(now)`; a mapping writes after fades, so it wins on its parameter). Readers: `value()`,
    `snapshot()`, and `changed_since(version)` for adapters that only send what changed.
    """

    def __init__(self, specs: AbcMapping[str, ParamSpec] | Iterable[ParamSpec] = ()) -> None:
        self._specs: dict[str, ParamSpec] = {}
        self._values: dict[str, float] = {}
        self._versions: dict[str, int] = {}
        self._fades: dict[str, Fade] = {}
        self._mappings: dict[str, _MappingState] = {}
        self.version = 0
        self.declare_all(specs)

    # ------------------------------------------------------------------ declaration
    def declare_all(self, specs: AbcMapping[str, ParamSpec] | Iterable[ParamSpec]) -> None:
        """Declare (or re-declare) several parameters."""
        items = specs.values() if isinstance(specs, AbcMapping) else specs
        for spec in items:
            self.declare(spec)

    def declare(self, spec: ParamSpec, value: float | None = None) -> None:
        """Declare a parameter; a new one starts at its default (or `value`), a known one keeps its value."""
        self._specs[spec.name] = spec
        if spec.name not in self._values:
            self._write(spec.name, spec.clamp(spec.default if value is None else value))
        elif value is not None:
            self._write(spec.name, spec.clamp(value))
        else:
            self._write(spec.name, spec.clamp(self._values[spec.name]))

    def retire(self, names: Iterable[str]) -> None:
        """Forget parameters (e.g. the scene inputs of the act that ended)."""
        for name in list(names):
            self._specs.pop(name, None)
            self._values.pop(name, None)
            self._versions.pop(name, None)
            self._fades.pop(name, None)
            self._mappings.pop(name, None)

    def spec(self, name: str) -> ParamSpec:
        """The spec of a declared parameter (KeyError naming it otherwise)."""
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def names(self) -> Iterator[str]:
        """Declared parameter names."""
        return iter(self._specs)

    # ------------------------------------------------------------------ reading
    def value(self, name: str) -> float:
        """The current value (as of the last write or `update()`)."""
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name!r}") from None

    def value_at(self, name: str, t: float) -> float:
        """The value at time t >= the last update: a running fade is evaluated at t."""
        fade = self._fades.get(name)
        if fade is not None:
            return self.spec(name).clamp(fade.value_at(t))
        return self.value(name)

    def snapshot(self) -> dict[str, float]:
        """All values (a copy)."""
        return dict(self._values)

    def changed_since(self, version: int) -> dict[str, float]:
        """Values written after `version` (pass the `version` you read last time)."""
        vals = self._values
        return {n: vals[n] for n, v in self._versions.items() if v > version}

    def fading(self, name: str) -> bool:
        """True while a fade runs on `name`."""
        return name in self._fades

    def fades(self) -> tuple[Fade, ...]:
        """The running fades."""
        return tuple(self._fades.values())

    def next_fade_end(self) -> float | None:
        """When the next unpaused fade lands (None when none runs)."""
        ends = [f.end_t for f in self._fades.values() if f.paused_at is None]
        return min(ends) if ends else None

    # ------------------------------------------------------------------ writing
    def _write(self, name: str, value: float) -> bool:
        if self._values.get(name) == value and name in self._versions:
            return False
        self._values[name] = value
        self.version += 1
        self._versions[name] = self.version
        return True

    def set(self, name: str, value: float) -> None:
        """Set a value now, clamped to its range; cancels a fade on it."""
        spec = self.spec(name)
        self._fades.pop(name, None)
        self._write(name, spec.clamp(float(value)))

    def fade(
        self,
        name: str,
        target: float,
        *,
        start_t: float,
        duration_s: float,
        curve: str = "linear",
        owner: Hashable | None = None,
        start_value: float | None = None,
    ) -> Fade:
        """Fade `name` to `target` starting at clock time `start_t` (from its value then) over `duration_s`.

        Replaces a fade already running on it. A zero duration snaps at `start_t`.
        """
        spec = self.spec(name)
        if start_value is None:
            start_value = self.value_at(name, start_t)
        fade = Fade(
            name,
            start_value,
            spec.clamp(float(target)),
            start_t,
            max(0.0, duration_s),
            str(curve),
            spec.unit,
            spec.minimum,
            owner,
        )
        self._fades[name] = fade
        if fade.duration_s <= 0.0:
            # snap now: a later update() at >= start_t would do the same; doing it here keeps reads exact
            self._fades.pop(name)
            self._write(name, fade.target)
        return fade

    def stop_fade(self, name: str, t: float) -> None:
        """Freeze a running fade at its value at time t."""
        fade = self._fades.pop(name, None)
        if fade is not None:
            self._write(name, self.spec(name).clamp(fade.value_at(t)))

    def owned_fades(self, owner: Hashable) -> list[Fade]:
        """The fades started by `owner` (a cue run)."""
        return [f for f in self._fades.values() if f.owner == owner]

    def stop_fades(self, owner: Hashable, t: float) -> list[str]:
        """Freeze every fade of `owner` at time t; returns the parameter names."""
        names = [f.name for f in self.owned_fades(owner)]
        for name in names:
            self.stop_fade(name, t)
        return names

    def release_fades(self, owner: Hashable) -> None:
        """Let the fades of `owner` run on by themselves (the owner ended, its fades land anyway)."""
        for f in self.owned_fades(owner):
            f.owner = None

    def pause_fades(self, owners: Collection[Hashable | None], t: float) -> None:
        """Freeze the fades whose owner is in `owners` (None in it: fades without owner) at time t."""
        for f in self._fades.values():
            if f.owner in owners and f.paused_at is None:
                f.paused_at = t

    def resume_fades(self, owners: Collection[Hashable | None], t: float) -> None:
        """Continue paused fades of `owners` from where they froze (their end moves by the pause length)."""
        for f in self._fades.values():
            if f.owner in owners and f.paused_at is not None:
                f.start_t += t - f.paused_at
                f.paused_at = None

    # ------------------------------------------------------------------ mappings
    def add_mapping(self, mapping: Mapping, owner: Hashable | None = None) -> None:
        """Drive `mapping.param` from presence; smoothing starts from the parameter's current value."""
        self.spec(mapping.param)
        self._mappings[mapping.param] = _MappingState(mapping, owner, self._values[mapping.param])

    def remove_mappings(self, owner: Hashable | None = None) -> None:
        """Drop the mappings of `owner` (None: all)."""
        for name in [n for n, m in self._mappings.items() if owner is None or m.owner == owner]:
            del self._mappings[name]

    def settling(self) -> bool:
        """True while a smoothed mapping is still gliding towards its input."""
        return any(m.x is not None and m.y != m.x for m in self._mappings.values())

    def mappings(self) -> tuple[Mapping, ...]:
        """The active mappings."""
        return tuple(m.mapping for m in self._mappings.values())

    def set_presence(self, presence: Presence, now: float) -> None:
        """New presence input for every mapping at time `now` (an unknown snapshot keeps the last input)."""
        if not presence.known:
            return
        for state in self._mappings.values():
            self._integrate(state, now)
            try:
                raw = presence.value(state.mapping.source)
            except KeyError:
                continue
            state.x = mapping_output(state.mapping, raw)

    def _integrate(self, state: _MappingState, now: float) -> None:
        # one-pole low-pass: exact for any step length while the input is held constant
        if state.x is None:
            state.last_t = now
            return
        if state.last_t is None:
            state.last_t = now
        dt = now - state.last_t
        tau = state.mapping.smoothing_s
        if tau <= 0.0:
            state.y = state.x
        elif dt > 0.0:
            state.y = state.x + (state.y - state.x) * math.exp(-dt / tau)
            lo, hi = state.mapping.out_range
            if abs(state.y - state.x) <= 1e-9 * max(1.0, abs(hi - lo)):
                state.y = state.x  # settled: stop producing endless tiny changes
        state.last_t = max(state.last_t, now)

    # ------------------------------------------------------------------ the frame
    def update(self, now: float) -> None:
        """Evaluate fades and mappings at `now`; finished fades land exactly on their targets."""
        if self._fades:
            done: list[str] = []
            for name, fade in self._fades.items():
                if fade.paused_at is None and now >= fade.end_t:
                    self._write(name, fade.target)
                    done.append(name)
                else:
                    self._write(name, self._specs[name].clamp(fade.value_at(now)))
            for name in done:
                del self._fades[name]
        for name, state in self._mappings.items():
            self._integrate(state, now)
            if state.x is not None:
                self._write(name, self._specs[name].clamp(state.y))
