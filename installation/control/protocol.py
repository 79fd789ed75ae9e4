"""What the operator surfaces (OSC API, web panel) need from the runtime: the `Controller` protocol.

The runtime implements `Controller`; the control layer only ever talks to this protocol, so the OSC
API and the panel run unchanged against `installation.control.fake.FakeController` (tests, demos)
and against the real runtime.

Rules every implementation keeps:
- Every method is callable from any thread (the OSC thread, the web server's worker threads); the
  runtime serialises commands onto its engine loop. Calls return quickly (no waiting on devices).
- Commands never raise for bad input: they return `Result.error(...)` with one line naming what was
  wrong and what would be valid; rehearse-only commands return `Result.denied(...)` in live mode.
- Every command is logged (one line) with its `source`: `"osc:127.0.0.1:53000"`, `"web:127.0.0.1:51234"`,
  `"key"`, `"cli"`.
- Queries return JSON-able data only (dict/list/str/float/int/bool/None), shapes as documented below.
- `set_param` only accepts names in `param_names()`; `replay` only accepts names in `replay_files()`
  (files inside the show's project folder); neither ever opens a path a request spelled out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, Protocol, TypedDict, runtime_checkable

from installation.adapters import Health

Status = Literal["ok", "error", "denied"]
CueStateName = Literal["idle", "pre-wait", "running", "post-wait", "done", "stopped"]
HealthStateName = Literal["ok", "degraded", "down", "off"]
ModeName = Literal["live", "rehearse"]

CUE_STATES: tuple[str, ...] = ("idle", "pre-wait", "running", "post-wait", "done")
SPEED_MIN = 1.0  # replay speed range, × real time
SPEED_MAX = 60.0
MAX_VISITORS = 200  # simulated visitors a rehearsal holds at once (each is drawn into every camera frame)


@dataclass(frozen=True, slots=True)
class Result:
    """Outcome of one command: status, a one-line message for the operator, optional JSON-able data."""

    status: Status
    message: str = ""
    data: Any = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @staticmethod
    def success(message: str = "", data: Any = None) -> Result:
        return Result("ok", message, data)

    @staticmethod
    def error(message: str) -> Result:
        return Result("error", message)

    @staticmethod
    def denied(message: str) -> Result:
        return Result("denied", message)

    def to_json(self) -> dict[str, Any]:
        """The reply body both surfaces send: {"status", "message", "data"}."""
        return {"status": self.status, "message": self.message, "data": self.data}


# ---- query shapes (documentation for implementers; plain dicts at runtime) ----


class CueView(TypedDict, total=False):
    """One cue of the current act as the panel shows it."""

    name: str
    kind: str  # "fade" | "osc" | "serial" | "group" | "stop" | "goto" | "wait" | ...
    depth: int  # 0 for top-level cues, 1.. for children of group cues
    state: CueStateName
    pre_wait_s: float  # configured times (0 when none)
    duration_s: float
    post_wait_s: float
    pre_wait_left_s: float | None  # countdowns: None when that phase is not running
    action_left_s: float | None
    post_wait_left_s: float | None
    continue_mode: str  # "none" | "auto-continue" | "auto-follow"
    number: str | None  # QLab's cue number (unique in the act), None when the show gives none
    armed: bool
    paused: bool
    loaded: bool


class CueListView(TypedDict):
    """One act as a QLab cue list: `Controller.cue_lists()`."""

    act: str
    cues: list[CueView]  # name, number, kind, depth, armed (no run state)


class ShowState(TypedDict, total=False):
    """`Controller.state()`: everything the operator needs at a glance."""

    show: str  # show title
    mode: ModeName
    open: bool  # inside opening hours
    paused: bool
    act: str  # current act
    acts: list[str]  # in show order
    idle_act: str
    act_elapsed_s: float
    cues: list[CueView]  # the current act's cue list
    selected: str | None  # the cue GO will start (QLab's playhead)
    next: str | None  # the cue after the selected one
    t: float  # controller clock time of this snapshot
    hours: HoursView  # opening hours, override, and the line the panel shows
    light: LightView  # the operator's BLACKOUT and grand master
    panicked: bool  # PANIC was pressed; cleared by the next GO, act change or cue start


class LightView(TypedDict):
    """`ShowState["light"]`."""

    blackout: bool
    grand_master: float  # 0..1


class HoursView(TypedDict, total=False):
    """`ShowState["hours"]`: whether the schedule is followed and what it says."""

    honoured: bool  # False in a rehearsal: always open, the schedule only described
    scheduled_open: bool  # what the opening hours alone say now
    override: dict[str, Any] | None  # {"open": bool, "until": "22:00", "source": "web:…"}
    next_change: dict[str, Any] | None  # {"at": "Tue 10:00", "open": True}
    status: str  # "closed until Tue 10:00", "rehearsal: outside opening hours — …"
    wall: str  # the wall clock's local time, ISO 8601


class HealthView(TypedDict):
    """One adapter in `Controller.health()`."""

    name: str  # "camera", "audio", "projection", "dmx:artnet-1", "osc:media", "serial:fan"
    state: HealthStateName
    detail: str
    last_error: str
    since: float


class LogLine(TypedDict):
    """One line of `Controller.log_tail(n)`; `seq` increases by one per line, forever."""

    seq: int
    t: float  # controller clock time
    level: str  # "info" | "warning" | "error"
    source: str  # who caused it ("osc:…", "web:…", "engine", "camera", …)
    message: str
    wall: NotRequired[float]  # UNIX time, for display only (the panel shows HH:MM:SS)


class PersonView(TypedDict, total=False):
    id: str  # tracked ids are numbers; simulated visitors are "v1", "v2", …
    x: float  # normalised frame coordinates (0..1, y down)
    y: float
    simulated: bool


class PresenceView(TypedDict, total=False):
    """`Controller.presence_view()`: zones and people in normalised frame coordinates."""

    zones: dict[str, list[list[float]]]  # name -> polygon [[x, y], ...]
    mask: list[list[list[float]]]  # ignored polygons
    people: list[PersonView]
    count: int
    known: bool  # False while the camera is down
    source: str  # "camera" | "file" | "url" | "synthetic" | "replay" | "none"
    aspect: float  # frame width / height (for the canvas)
    replay: dict[str, Any] | None  # {"file", "speed", "position_s", "length_s"} while replaying


class FixtureView(TypedDict, total=False):
    name: str
    kind: str  # "wash" | "spot" | "par" | "strip" | "dimmer" | ...
    x: float  # position in the room plan (any unit; the panel fits `bounds` or the fixtures' extent)
    y: float
    rgb: list[float]  # live colour, each 0..1
    intensity: float  # live intensity 0..1


class RigView(TypedDict, total=False):
    """`Controller.rig_view()`: fixtures in their live state (simulator in rehearse, DMX in live)."""

    fixtures: list[FixtureView]
    bounds: list[float]  # optional [x_min, y_min, x_max, y_max] of the room plan
    outputs: list[dict[str, Any]]  # [{"name", "kind", "detail"}] DMX universes, OSC endpoints, serial


class ChannelLevel(TypedDict):
    name: str
    peak_db: float  # dBFS; -inf is sent as -120.0
    rms_db: float


class AudioLevels(TypedDict, total=False):
    """`Controller.audio_levels()`; an empty channel list means audio is not configured."""

    channels: list[ChannelLevel]


# Subscribers receive one of these kinds; the panel treats every kind as "something changed".
EventKind = Literal["state", "log", "health", "presence"]


@runtime_checkable
class Controller(Protocol):
    """The runtime as the operator surfaces see it (commands, queries, rehearse tools)."""

    # ---- commands (each logged with its source; never raise for bad input) ----
    def go(self, *, source: str, number: str | None = None) -> Result:
        """GO; with `number` (QLab's `/go {number}`) the playhead first moves to that top-level cue."""
        ...

    def stop(self, *, source: str, fade_s: float | None = None) -> Result:
        """STOP all; `fade_s` 0 is QLab's hard stop (default: the show's stop fade)."""
        ...

    def panic(self, *, source: str, fade_s: float | None = None) -> Result:
        """PANIC over `fade_s` (QLab's `/panicInTime`; default: the show's panic fade)."""
        ...

    def pause(self, *, source: str) -> Result: ...
    def resume(self, *, source: str) -> Result: ...
    def goto_act(self, name: str, *, source: str) -> Result: ...
    def start_cue(self, name: str, *, source: str) -> Result: ...
    def stop_cue(self, name: str, *, source: str) -> Result: ...
    def load_cue(self, name: str, at_s: float, *, source: str) -> Result: ...
    def select_cue(self, name: str, *, source: str) -> Result: ...
    def pause_cue(self, name: str, *, source: str) -> Result: ...
    def resume_cue(self, name: str, *, source: str) -> Result:
        """Resume a paused cue; error when it is not paused."""
        ...

    def reset_cue(self, name: str, *, source: str) -> Result:
        """Back to its initial state (stopped, armed as written); `all`: every cue, playhead to the top."""
        ...

    def arm_cue(self, name: str, armed: bool, *, source: str) -> Result: ...
    def devamp_cue(self, name: str, *, source: str) -> Result: ...
    def set_param(self, path: str, value: float | str, *, source: str) -> Result: ...
    def command(self, name: str, *, source: str) -> Result:
        """A named command for `on: osc /show/skip` triggers; error when no trigger listens to it."""
        ...

    # ---- light, as on a lighting desk (kept across restarts) ----
    def light_blackout(self, on: bool, *, source: str) -> Result:
        """BLACKOUT: every light dark, sound and picture carry on; off gives the light back."""
        ...

    def grand_master(self, level: float, *, source: str) -> Result:
        """Scale every light by `level` (0..1)."""
        ...

    # ---- opening hours (a live run; a rehearsal answers error: it ignores the hours) ----
    def hours_open(self, until: str, *, source: str) -> Result:
        """Open now until `HH:MM` (the next such time), whatever the schedule says; kept across restarts."""
        ...

    def hours_close(self, until: str, *, source: str) -> Result:
        """Close now until `HH:MM`: fade to dark; show commands are refused with the reason meanwhile."""
        ...

    def hours_schedule(self, *, source: str) -> Result:
        """End an open-now / close-now: follow the opening hours again."""
        ...

    # ---- queries (JSON-able) ----
    def state(self) -> ShowState: ...
    def cue_lists(self) -> list[CueListView]:
        """Every act with its cues (name, number, kind, depth), in show order."""
        ...

    def health(self) -> list[HealthView]: ...
    def log_tail(self, n: int) -> list[LogLine]: ...
    def presence_view(self) -> PresenceView: ...
    def camera_frame(self) -> bytes | None:
        """A small JPEG of the current camera frame, or None (no camera / not configured)."""
        ...

    def rig_view(self) -> RigView: ...
    def projection_frame(self) -> bytes | None:
        """A PNG or JPEG preview of the projection, or None."""
        ...

    def audio_levels(self) -> AudioLevels: ...
    def param_names(self) -> Collection[str]:
        """Every parameter `set_param` accepts."""
        ...

    def replay_files(self) -> list[str]:
        """Recorded presence logs `replay` accepts (relative to the project folder)."""
        ...

    # ---- rehearse only (Result.denied in live mode) ----
    def visitor_add(self, x: float, y: float, *, source: str) -> Result:
        """Add a simulated visitor at normalised (x, y); `Result.data` is {"id": "v1"}."""
        ...

    def visitor_move(self, visitor_id: str, x: float, y: float, *, source: str) -> Result: ...
    def visitor_remove(self, visitor_id: str, *, source: str) -> Result: ...
    def replay(self, path: str, speed: float, *, source: str) -> Result:
        """Replay one of `replay_files()` at 1×–60×; path "" stops a running replay."""
        ...

    # ---- pushes ----
    def subscribe(self, callback: Callable[[EventKind], None]) -> Callable[[], None]:
        """Call `callback(kind)` (from any thread, must not block) when something changed.

        Returns a function that unsubscribes. The panel also polls `state()` at 10 Hz, so a
        controller may call back rarely (or never) without the panel going stale.
        """
        ...


def health_view(health: Health) -> HealthView:
    """Turn an adapter's `Health` into the JSON shape `Controller.health()` returns."""
    return {
        "name": health.name,
        "state": health.state.value,
        "detail": health.detail,
        "last_error": health.last_error,
        "since": health.since,
    }

