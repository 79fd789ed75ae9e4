"""Discrete commands the engine emits for adapters, and the timeline events it publishes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

OscArg = int | float | str | bool


@dataclass(frozen=True, slots=True)
class OscSend:
    """Send one OSC message to a rig endpoint (address as written, or a named template of the endpoint)."""

    endpoint: str
    address: str
    args: tuple[OscArg, ...] = ()
    t: float = 0.0  # clock time the cue's action started (scheduled time)
    fields: tuple[tuple[str, OscArg], ...] = ()  # values for the address template's {placeholders}


@dataclass(frozen=True, slots=True)
class SerialSend:
    """Send one named command to a serial device of the rig."""

    device: str
    command: str
    args: tuple[OscArg, ...] = ()
    t: float = 0.0


@dataclass(frozen=True, slots=True)
class SceneChange:
    """Projection: crossfade to the act's scene (None = no projection) over `transition_s`."""

    act: str
    scene_path: Path | None
    transition_s: float = 0.0
    transition_shader: Path | None = None
    t: float = 0.0


@dataclass(frozen=True, slots=True)
class SoundscapeChange:
    """Audio: crossfade to the act's soundscape (`show.act(act).soundscape`) over `transition_s`."""

    act: str
    transition_s: float = 0.0
    t: float = 0.0


@dataclass(frozen=True, slots=True)
class Panic:
    """Everything quiet: the engine fades light and audio over `fade_s` (0 = at once); adapters follow."""

    fade_s: float = 0.0
    t: float = 0.0


@dataclass(frozen=True, slots=True)
class Blackout:
    """Closed (on=True: outputs dark and silent, projection black) or open again (on=False)."""

    on: bool
    t: float = 0.0


Command = OscSend | SerialSend | SceneChange | SoundscapeChange | Panic | Blackout


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing that happened, at its exact (scheduled) clock time.

    kinds: act (entered; detail = why), trigger, start (cue GO'd: pre-wait begins), action (its action
    starts), end (its action ended), stop (stopped early), go, go-ignored (debounced), stop-all,
    panic, pause, resume (without a cue: the whole show; with one: that cue), load (a cue loaded to
    a time), reset (a cue, or "all"), arm, disarm, skip (a disarmed cue passed over), open, closing,
    closed, presence (known/unknown), warning.
    Cue events of a group's children carry `detail` "in <group>".
    """

    t: float
    kind: str
    act: str = ""
    cue: str = ""
    detail: str = ""
