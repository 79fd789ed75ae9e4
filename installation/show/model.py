"""Immutable typed model of a loaded, validated show: what the engine runs.

Every value is already in base units (seconds, dB, Hz, 0..1 fractions), every parameter is a full path
(`light.wash.dimmer`, `scene.hue`, `audio.wind.level`), every reference (acts, cues, zones, params, files)
has been checked, and every object keeps `pos` (file, line, col) for runtime messages.

Change log (this file is read by the engine): additive changes only; breaking changes noted here.
- OscCue.fields added (template placeholders); PresenceSettings may carry other sources' settings.
- CueBase.number and CueBase.armed added; cue kinds start, pause, load, reset, devamp, arm, disarm, memo;
  Act.on_enter; Show.operator (GO debounce, panic and stop fades).
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from installation.errors import Problem
from installation.show.params import ParamSpec

# --------------------------------------------------------------------------------------------- basics


@dataclass(frozen=True, slots=True)
class Pos:
    """Where something was written: display file name and 1-based line and column."""

    file: str = "<memory>"
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def problem(self, message: str, hint: str = "") -> Problem:
        """A Problem at this position (for runtime messages that point back into the show file)."""
        return Problem(self.file, self.line, self.col, message, hint)


NOWHERE = Pos()


def frozen_map(items: cabc.Mapping[str, Any] | None = None) -> cabc.Mapping[str, Any]:
    """A read-only, insertion-ordered copy of a mapping (the model never shares mutable dicts)."""
    return MappingProxyType(dict(items or {}))


def _empty() -> cabc.Mapping[str, Any]:
    return MappingProxyType({})


class ContinueMode(StrEnum):
    """What happens after a cue (QLab semantics; the post-wait counts from the start of the action)."""

    NONE = "none"  # wait for the next GO
    AUTO_CONTINUE = "auto-continue"  # next cue starts when this cue's post-wait ends
    AUTO_FOLLOW = "auto-follow"  # next cue starts when this cue's action ends


class Curve(StrEnum):
    """Shape of a fade or a mapping."""

    LINEAR = "linear"
    S_CURVE = "s-curve"
    EXPONENTIAL = "exponential"  # for audio levels
    LOG = "log"


class GroupMode(StrEnum):
    """Timeline: children start together (their pre-waits place them); playlist: one after another."""

    TIMELINE = "timeline"
    PLAYLIST = "playlist"


class OnEnter(StrEnum):
    """What entering an act does with its cue list."""

    GO = "go"  # GO the first cue (an unattended gallery has no operator)
    WAIT = "wait"  # the playhead stands on the first cue until an operator GO


class PresenceSource(StrEnum):
    """Where presence snapshots come from."""

    CAMERA = "camera"
    FILE = "file"
    URL = "url"
    SYNTHETIC = "synthetic"
    REPLAY = "replay"


class Fallback(StrEnum):
    """What the show does while the presence source is down."""

    KEEP = "keep"  # stay in the current act, ignore presence triggers
    IDLE = "idle"  # go to the idle act


Point = tuple[float, float]
Polygon = tuple[Point, ...]

# ------------------------------------------------------------------------------------------ presence


@dataclass(frozen=True, slots=True, kw_only=True)
class Zone:
    """A named polygon in normalised frame coordinates (x right 0..1, y down 0..1 = nearer)."""

    name: str
    polygon: Polygon
    pos: Pos = NOWHERE

    def contains(self, x: float, y: float) -> bool:
        """Point-in-polygon (even-odd rule); points on an edge may fall either side."""
        inside = False
        pts = self.polygon
        n = len(pts)
        j = n - 1
        for i in range(n):
            xi, yi = pts[i]
            xj, yj = pts[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
        return inside


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceSettings:
    """Camera/presence source, what to do when it is down, zones and masked-out regions.

    The settings of other sources may be present too (`camera: 0` kept while rehearsing with
    `source: synthetic`), so switching source is one edit.
    """

    source: PresenceSource = PresenceSource.SYNTHETIC
    camera: int | str | None = None  # index or /dev/videoN (source: camera)
    file: Path | None = None  # absolute, inside the project (source: file)
    url: str | None = None  # rtsp://... (source: url)
    replay: Path | None = None  # absolute, inside the project (source: replay)
    fallback: Fallback = Fallback.KEEP
    zones: cabc.Mapping[str, Zone] = field(default_factory=_empty)
    mask: tuple[Polygon, ...] = ()
    pos: Pos = NOWHERE


# --------------------------------------------------------------------------------------------- hours


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeRange:
    """Open from start to end, in seconds since midnight; end < start runs past midnight."""

    start_s: float
    end_s: float
    pos: Pos = NOWHERE


WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True, kw_only=True)
class Hours:
    """Opening hours: ranges per weekday (index 0 = Monday; empty = closed) and closed dates.

    Read them with `installation.engine.schedule` (open at a time?, the next change), which also knows
    what a daylight-saving change does to a local time.
    """

    days: tuple[tuple[TimeRange, ...], ...] = ((),) * 7
    closed_on: frozenset[dt.date] = frozenset()
    pos: Pos = NOWHERE


# --------------------------------------------------------------------------------------------- cues


@dataclass(frozen=True, slots=True, kw_only=True)
class CueBase:
    """What every cue has: QLab's pre-wait → action (duration) → post-wait and a continue mode.

    Names are unique within an act, nested group children included. A cue written without a name gets
    `#<n>` (n counting every cue of the act depth-first from 1). `number` is QLab's cue number: optional
    text, unique within the act, separate from the name (OSC `/go <number>` finds a cue by it). A cue
    that is not `armed` is skipped by GO, by continues and by start cues (arm/disarm cues change that
    while the act runs).
    """

    KIND: ClassVar[str] = "cue"

    name: str
    number: str | None = None
    pre_wait_s: float = 0.0
    duration_s: float = 0.0  # length of the action (0 = instant); group cues: see GroupCue
    post_wait_s: float = 0.0  # counted from the start of the action
    continue_mode: ContinueMode = ContinueMode.NONE
    armed: bool = True
    pos: Pos = NOWHERE

    @property
    def kind(self) -> str:
        """The cue type word: fade, osc, serial, group, stop, goto, wait, act, start, pause, load, …"""
        return self.KIND


@dataclass(frozen=True, slots=True, kw_only=True)
class FadeCue(CueBase):
    """Fade parameters to target values over `duration_s` (0 = snap) with a curve.

    `targets` already merges the look (if any) and the explicit `fade:` values (explicit wins);
    an RGB colour is expanded to its component params and choice values to their numbers.
    """

    KIND: ClassVar[str] = "fade"

    targets: cabc.Mapping[str, float] = field(default_factory=_empty)
    curve: Curve = Curve.LINEAR
    look: str | None = None  # name of the look used, for display


OscArg = int | float | str | bool


@dataclass(frozen=True, slots=True, kw_only=True)
class OscCue(CueBase):
    """Send one OSC message to an endpoint of the rig.

    `address` is a literal `/path` or a named address template of the endpoint; `fields` fill the
    template's `{placeholders}` (the rig's `OscEndpoint.address(address, fields)` gives the path).
    """

    KIND: ClassVar[str] = "osc"

    endpoint: str
    address: str
    args: tuple[OscArg, ...] = ()
    fields: cabc.Mapping[str, OscArg] = field(default_factory=_empty)  # added (additive)


@dataclass(frozen=True, slots=True, kw_only=True)
class SerialCue(CueBase):
    """Send one named command to a serial device of the rig."""

    KIND: ClassVar[str] = "serial"

    device: str
    command: str
    args: tuple[OscArg, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupCue(CueBase):
    """A group: timeline (children start together, placed by their pre-waits) or playlist (in order).

    `duration_s` of a group is 0 as written; the engine derives the real length from its children.
    `loop` only applies to playlists.
    """

    KIND: ClassVar[str] = "group"

    mode: GroupMode = GroupMode.TIMELINE
    loop: bool = False
    children: tuple[Cue, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StopCue(CueBase):
    """Stop a running cue of the same act (None = every running cue of the act), with a fade-out."""

    KIND: ClassVar[str] = "stop"

    target: str | None
    fade_out_s: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class GotoCue(CueBase):
    """Select a cue of the same act as the next one to GO (its act's playhead moves there)."""

    KIND: ClassVar[str] = "goto"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitCue(CueBase):
    """A cue that only takes time (`duration_s`)."""

    KIND: ClassVar[str] = "wait"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActCue(CueBase):
    """Go to another act: an act name, `next` (next act in file order) or `idle`."""

    KIND: ClassVar[str] = "act"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StartCue(CueBase):
    """Start a cue of the same act without moving the playhead (a paused one resumes, a loaded one goes)."""

    KIND: ClassVar[str] = "start"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PauseCue(CueBase):
    """Pause a running cue of the same act: its waits and fades hold until a start cue or GO resumes it."""

    KIND: ClassVar[str] = "pause"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadCue(CueBase):
    """Load a cue of the same act to a time: its state after `at_s`, paused until it is started."""

    KIND: ClassVar[str] = "load"

    target: str
    at_s: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetCue(CueBase):
    """Put a cue (None = the whole cue list) back to its initial state: stopped, armed as written."""

    KIND: ClassVar[str] = "reset"

    target: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DevampCue(CueBase):
    """End a looping playlist after its current pass; this cue's action lasts until the loop has ended."""

    KIND: ClassVar[str] = "devamp"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ArmCue(CueBase):
    """Arm a cue of the same act (GO, continues and start cues run it again)."""

    KIND: ClassVar[str] = "arm"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DisarmCue(CueBase):
    """Disarm a cue of the same act (GO, continues and start cues skip it)."""

    KIND: ClassVar[str] = "disarm"

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoCue(CueBase):
    """Does nothing: a note in the cue list (it still has waits and a continue)."""

    KIND: ClassVar[str] = "memo"

    text: str = ""


Cue = (
    FadeCue
    | OscCue
    | SerialCue
    | GroupCue
    | StopCue
    | GotoCue
    | WaitCue
    | ActCue
    | StartCue
    | PauseCue
    | LoadCue
    | ResetCue
    | DevampCue
    | ArmCue
    | DisarmCue
    | MemoCue
)
CUE_TYPES: tuple[type[CueBase], ...] = (
    FadeCue,
    OscCue,
    SerialCue,
    GroupCue,
    StopCue,
    GotoCue,
    WaitCue,
    ActCue,
    StartCue,
    PauseCue,
    LoadCue,
    ResetCue,
    DevampCue,
    ArmCue,
    DisarmCue,
    MemoCue,
)
# cues that act on another cue of the act by name (`target`)
TargetCue = StopCue | GotoCue | StartCue | PauseCue | LoadCue | ResetCue | DevampCue | ArmCue | DisarmCue

# ----------------------------------------------------------------------------------------- mappings


@dataclass(frozen=True, slots=True, kw_only=True)
class Mapping:
    """Continuous mapping: presence value → parameter, with ranges, curve and one-pole smoothing."""

    source: str  # a PRESENCE_SOURCES name or zone.<zone>.<attribute>
    param: str  # full parameter path
    in_range: tuple[float, float] = (0.0, 1.0)
    out_range: tuple[float, float] = (0.0, 1.0)  # in the parameter's units (dB, Hz, 0..1)
    curve: Curve = Curve.LINEAR
    smoothing_s: float = 0.0
    pos: Pos = NOWHERE


ParamMapping = Mapping  # an alias for modules that also import typing's Mapping

# ----------------------------------------------------------------------------------------- triggers

Op = Literal[">=", ">", "<=", "<", "==", "!="]
OPS: tuple[str, ...] = (">=", ">", "<=", "<", "==", "!=")


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceCondition:
    """`<source> <op> <threshold> [for <hold>]`: true once the comparison has held for `hold_s`.

    The hold restarts whenever the comparison breaks. With `hysteresis` h > 0, once armed the condition
    only breaks when the value passes the threshold by h the other way (e.g. `count >= 3`, h 1: stays
    true down to 2). Sugar: `zone door empty` is `zone.door.count == 0`, `zone door occupied` is
    `zone.door.count >= 1`, `room empty` is `count == 0`, `room occupied` is `count >= 1`.
    """

    KIND: ClassVar[str] = "presence"

    source: str  # PRESENCE_SOURCES name or zone.<zone>.<attribute>
    op: Op
    threshold: float
    hold_s: float = 0.0
    hysteresis: float = 0.0
    text: str = ""  # as written, for messages
    pos: Pos = NOWHERE

    def compare(self, value: float) -> bool:
        """The bare comparison (no hold, no hysteresis)."""
        t = self.threshold
        match self.op:
            case ">=":
                return value >= t
            case ">":
                return value > t
            case "<=":
                return value <= t
            case "<":
                return value < t
            case "==":
                return value == t
            case _:
                return value != t


@dataclass(frozen=True, slots=True, kw_only=True)
class AfterCondition:
    """`after: 10min`: time spent in the act."""

    KIND: ClassVar[str] = "after"

    after_s: float
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class AtCondition:
    """`at: "17:55"`: local time of day, seconds since midnight."""

    KIND: ClassVar[str] = "at"

    time_of_day_s: float
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class GoCondition:
    """`on: go`: an operator GO when the act's cue list has nothing left to GO."""

    KIND: ClassVar[str] = "go"

    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandCondition:
    """`on: osc /show/skip` or `on: skip`: fires when `Engine.command(command)` is called.

    `command` is what follows the channel word (`/show/skip`); `channel` is `osc`, `web` or `any`
    (written without a channel word). The engine matches on `command` only.
    """

    KIND: ClassVar[str] = "command"

    command: str
    channel: str = "any"
    pos: Pos = NOWHERE


Condition = PresenceCondition | AfterCondition | AtCondition | GoCondition | CommandCondition

TARGET_NEXT = "next"
TARGET_IDLE = "idle"


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """A way out of an act: when the condition fires, go to `target` (act name | `next` | `idle`)."""

    condition: Condition
    target: str
    pos: Pos = NOWHERE


# --------------------------------------------------------------------------------------- soundscape


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    """One soundscape layer: an instrument from the audio catalog with its initial values.

    `values` are numeric params by short name (`level` in dB, `cutoff` in Hz); `options` are the
    non-numeric ones (`color: wind`, `file: media/rain.wav` as written, checked to stay inside the project).
    """

    name: str
    instrument: str
    values: cabc.Mapping[str, float] = field(default_factory=_empty)
    options: cabc.Mapping[str, str] = field(default_factory=_empty)
    pos: Pos = NOWHERE

    def initial_params(self) -> dict[str, float]:
        """The numeric values as full parameter paths (`audio.<layer>.<param>`)."""
        return {f"audio.{self.name}.{k}": v for k, v in self.values.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class Soundscape:
    """An act's soundscape: master level (initial `audio.master.level`) and its layers in order."""

    level_db: float = 0.0
    layers: cabc.Mapping[str, Layer] = field(default_factory=_empty)
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """How the act is entered: crossfade time for scene and soundscape, optional transition shader."""

    time_s: float = 0.0
    shader: Path | None = None  # absolute, inside the project
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Look:
    """A named light (or any parameter) state, usable by fade cues (`look: glow`)."""

    name: str
    values: cabc.Mapping[str, float] = field(default_factory=_empty)
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorSettings:
    """How the operator's buttons behave in this show (`operator:`)."""

    go_debounce_s: float = 0.3  # a second GO within this time of the last one is ignored
    panic_fade_s: float = 1.0  # PANIC fades light and sound out over this time
    stop_fade_s: float = 0.0  # STOP: what running cues changed returns to before them over this time
    pos: Pos = NOWHERE


# --------------------------------------------------------------------------------------------- acts


@dataclass(frozen=True, slots=True, kw_only=True)
class Act:
    """One act: projection scene, soundscape, looks, mappings, cue list and triggers (ways out)."""

    name: str
    scene: Path | None = None  # absolute, inside the project; None = no projection in this act
    scene_inputs: cabc.Mapping[str, float] = field(default_factory=_empty)  # keyed `scene.<input>`
    transition: Transition = Transition()
    soundscape: Soundscape = Soundscape()
    looks: cabc.Mapping[str, Look] = field(default_factory=_empty)
    mappings: tuple[Mapping, ...] = ()
    pixel_map: tuple[str, ...] = ()  # rig fixtures and groups that take the scene's colour (rig `map:`)
    cues: tuple[Cue, ...] = ()
    on_enter: OnEnter = OnEnter.GO
    triggers: tuple[Trigger, ...] = ()
    # this act's own parameters: scene.* and audio.<layer>.* (rig params are on Show.params)
    params: cabc.Mapping[str, ParamSpec] = field(default_factory=_empty)
    pos: Pos = NOWHERE

    def all_cues(self) -> cabc.Iterator[Cue]:
        """Every cue of the act, depth-first (group children after their group)."""
        stack: list[Cue] = list(reversed(self.cues))
        while stack:
            cue = stack.pop()
            yield cue
            if isinstance(cue, GroupCue):
                stack.extend(reversed(cue.children))

    def cue(self, name: str) -> Cue:
        """A cue of this act by name, nested ones included (KeyError if absent)."""
        for c in self.all_cues():
            if c.name == name:
                return c
        raise KeyError(name)

    def cue_by_number(self, number: str) -> Cue:
        """A cue of this act by its cue number, nested ones included (KeyError if absent)."""
        for c in self.all_cues():
            if c.number == number:
                return c
        raise KeyError(number)

    def initial_params(self) -> dict[str, float]:
        """Values the act sets on entry: scene inputs, audio master level and layer values."""
        out = dict(self.scene_inputs)
        out["audio.master.level"] = self.soundscape.level_db
        for layer in self.soundscape.layers.values():
            out.update(layer.initial_params())
        return out


# ------------------------------------------------------------------------------------------ expects


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachesExpect:
    """`reaches: act` (optionally `by: 25min`): under the audience script the show enters the act."""

    KIND: ClassVar[str] = "reaches"

    audience: str | None  # script stem; None = every script
    act: str
    by_s: float | None = None
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class NeverReachesExpect:
    """`never_reaches: act`: under the audience script the show never enters the act."""

    KIND: ClassVar[str] = "never_reaches"

    audience: str | None
    act: str
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class ActAtExpect:
    """`act_at: {time: 3min, act: streets}`: at that script time the current act is this one."""

    KIND: ClassVar[str] = "act_at"

    audience: str | None
    time_s: float
    act: str
    pos: Pos = NOWHERE


CUE_START_TOLERANCE_S = 0.1  # one presence tick: what presence-driven times are resolved to
PARAM_TOLERANCE = 0.01  # of the parameter's range
DMX_TOLERANCE = 1  # one DMX step: rounding


@dataclass(frozen=True, slots=True, kw_only=True)
class CueStartExpect:
    """`cue_start: {act: streets, cue: dawn, time: 1:32}`: the cue starts (is GO'd) then, ± a tolerance."""

    KIND: ClassVar[str] = "cue_start"

    audience: str | None
    act: str
    cue: str
    time_s: float
    tolerance_s: float = CUE_START_TOLERANCE_S
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamAtExpect:
    """`param_at: {time: 2min, param: light.wash.dimmer, value: 60%}`: the parameter's value then.

    A colour expands to its components; each must hold. `tolerances` are per component, in the
    parameter's own unit (default: 1 % of its range; exact for named values).
    """

    KIND: ClassVar[str] = "param_at"

    audience: str | None
    time_s: float
    param: str  # as written (`light.wash.color` for a colour)
    values: cabc.Mapping[str, float]  # full parameter path → value
    tolerances: cabc.Mapping[str, float]
    units: cabc.Mapping[str, str] = field(default_factory=_empty)  # for the report
    pos: Pos = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class DmxAtExpect:
    """`dmx_at: {time: 2min, universe: 1, channel: 12, value: 153}` (or `fixture:` + `attribute:`): the DMX
    value the rig sends on that channel then, ± a tolerance (default one step)."""

    KIND: ClassVar[str] = "dmx_at"

    audience: str | None
    time_s: float
    universe: int
    channel: int  # 1..512
    value: int
    tolerance: int = DMX_TOLERANCE
    fixture: str | None = None  # when written as a fixture attribute (its coarse channel)
    attribute: str | None = None
    pos: Pos = NOWHERE


Expect = ReachesExpect | NeverReachesExpect | ActAtExpect | CueStartExpect | ParamAtExpect | DmxAtExpect

# --------------------------------------------------------------------------------------------- show


@dataclass(frozen=True, slots=True, kw_only=True)
class Show:
    """A loaded, validated show. `acts` is ordered as in the file; `start_act` defaults to `idle_act`."""

    name: str
    path: Path  # the show file, absolute
    root: Path  # the project folder (contains cues/), absolute
    rig_path: Path | None  # absolute, inside the project; None when the show names no rig
    rig: Any  # installation.rig.rigfile.Rig (opaque here; None without a rig)
    presence: PresenceSettings = PresenceSettings()
    hours: Hours | None = None  # None = always open
    operator: OperatorSettings = OperatorSettings()
    idle_act: str
    when_empty_for_s: float | None = None  # room empty this long → idle act; None = never
    start_act: str
    acts: cabc.Mapping[str, Act] = field(default_factory=_empty)
    expects: tuple[Expect, ...] = ()
    params: cabc.Mapping[str, ParamSpec] = field(default_factory=_empty)  # rig params + audio.master.level
    pos: Pos = NOWHERE

    def act(self, name: str) -> Act:
        """An act by name (KeyError if absent)."""
        return self.acts[name]

    @property
    def act_names(self) -> tuple[str, ...]:
        """Act names in file order."""
        return tuple(self.acts)

    def next_act(self, name: str) -> str:
        """The act after `name` in file order; after the last act comes the first."""
        names = self.act_names
        return names[(names.index(name) + 1) % len(names)]

    def resolve_target(self, current: str, target: str) -> str:
        """An act name for a trigger/act-cue target (`next`, `idle` or an act name)."""
        if target == TARGET_NEXT:
            return self.next_act(current)
        if target == TARGET_IDLE:
            return self.idle_act
        return target

    def act_params(self, name: str) -> dict[str, ParamSpec]:
        """Every parameter valid while `name` is the current act: rig, master level, scene and layers."""
        out = dict(self.params)
        out.update(self.acts[name].params)
        return out
