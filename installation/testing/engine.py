"""Helpers for engine tests: build shows from model objects, record timelines and outputs with clock times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.engine.clock import Clock, VirtualClock
from installation.engine.commands import Command, TimelineEvent
from installation.engine.params import ParamSpec
from installation.engine.show_engine import Engine
from installation.show.model import (
    Act,
    Cue,
    Expect,
    Fallback,
    Hours,
    OperatorSettings,
    PresenceSettings,
    Show,
    Soundscape,
    Trigger,
    Zone,
    frozen_map,
)
from installation.show.model import (
    Mapping as ParamMapping,
)


def light_params(*names: str) -> dict[str, ParamSpec]:
    """0..1 parameter specs by full name (e.g. `light.wash.dimmer`)."""
    return {n: ParamSpec(n) for n in names}


def act(
    name: str,
    cues: Sequence[Cue] = (),
    *,
    triggers: Sequence[Trigger] = (),
    mappings: Sequence[ParamMapping] = (),
    params: Mapping[str, ParamSpec] | None = None,
    scene_inputs: Mapping[str, float] | None = None,
    level_db: float = -18.0,
    **kw: Any,
) -> Act:
    """An act built from model objects with sensible defaults."""
    return Act(
        name=name,
        cues=tuple(cues),
        triggers=tuple(triggers),
        mappings=tuple(mappings),
        params=frozen_map(params or {}),
        scene_inputs=frozen_map(scene_inputs or {}),
        soundscape=Soundscape(level_db=level_db),
        **kw,
    )


def make_show(
    acts: Iterable[Act],
    *,
    params: Mapping[str, ParamSpec] | None = None,
    idle: str | None = None,
    start: str | None = None,
    when_empty_for_s: float | None = None,
    zones: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    fallback: Fallback = Fallback.KEEP,
    hours: Hours | None = None,
    expects: Sequence[Expect] = (),
    name: str = "test show",
    operator: OperatorSettings | None = None,
) -> Show:
    """A Show from acts (first act = idle act by default); adds `audio.master.level` (-90..0 dB)."""
    acts = list(acts)
    specs = {"audio.master.level": ParamSpec("audio.master.level", -90.0, 0.0, -90.0, "dB")}
    specs.update(params or {})
    idle_act = idle or acts[0].name
    zone_objs = {
        n: Zone(name=n, polygon=tuple((float(x), float(y)) for x, y in poly))
        for n, poly in (zones or {}).items()
    }
    return Show(
        name=name,
        path=Path("/tmp/show/cues/test.yaml"),
        root=Path("/tmp/show"),
        rig_path=None,
        rig=None,
        presence=PresenceSettings(zones=frozen_map(zone_objs), fallback=fallback),
        hours=hours,
        operator=operator or OperatorSettings(),
        idle_act=idle_act,
        when_empty_for_s=when_empty_for_s,
        start_act=start or idle_act,
        acts=frozen_map({a.name: a for a in acts}),
        expects=tuple(expects),
        params=frozen_map(specs),
    )


@dataclass
class TimelineRecorder:
    """Subscribes to an engine and keeps every timeline event."""

    events: list[TimelineEvent] = field(default_factory=list)

    def __call__(self, event: TimelineEvent) -> None:
        self.events.append(event)

    def rows(self, kinds: Iterable[str] = ("start", "action", "end", "stop")) -> list[tuple[float, str, str]]:
        """(t, kind, cue) for the chosen kinds, times rounded to the microsecond."""
        keep = set(kinds)
        return [(round(e.t, 6), e.kind, e.cue) for e in self.events if e.kind in keep]

    def acts(self) -> list[tuple[float, str]]:
        """(t, act) for every act entered."""
        return [(round(e.t, 6), e.act) for e in self.events if e.kind == "act"]


@dataclass
class RecordingOutputs:
    """A fake output stage: each `pump(engine)` drains commands and parameter changes with the clock time."""

    clock: Clock
    commands: list[tuple[float, Command]] = field(default_factory=list)
    changes: list[tuple[float, str, float]] = field(default_factory=list)
    version: int = 0

    def pump(self, engine: Engine) -> None:
        """Record what the engine emitted since the last pump."""
        now = self.clock.now()
        self.commands.extend((now, c) for c in engine.drain_commands())
        for name, value in sorted(engine.params.changed_since(self.version).items()):
            self.changes.append((now, name, value))
        self.version = engine.params.version

    def values(self, name: str) -> list[tuple[float, float]]:
        """(t, value) changes of one parameter."""
        return [(t, v) for t, n, v in self.changes if n == name]


def step_until(
    engine: Engine,
    clock: VirtualClock,
    t_end: float,
    step_s: float = 0.1,
    outputs: RecordingOutputs | None = None,
) -> None:
    """Tick the engine on the grid k·step_s (no rounding drift) up to t_end, pumping outputs each step."""
    k = int(clock.now() / step_s + 1e-9) + 1
    while k * step_s <= t_end + 1e-12:
        clock.jump_to(max(clock.now(), k * step_s))
        engine.tick()
        if outputs is not None:
            outputs.pump(engine)
        k += 1
    if clock.now() < t_end:
        clock.jump_to(t_end)
        engine.tick()
        if outputs is not None:
            outputs.pump(engine)
