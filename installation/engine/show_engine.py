"""The engine: acts, cue lists, triggers, presence, hours and parameters, advanced by an injected clock.

Pure: no I/O, no threads, no wall clock. The runtime calls the event methods (`go()`, `presence()`,
`set_open()`, ...) and `tick()` from one thread, reads `params`, and sends what `drain_commands()` returns.
"""

from __future__ import annotations

import functools
import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, overload

from installation.engine.clock import Clock
from installation.engine.commands import (
    Blackout,
    Command,
    Panic,
    SceneChange,
    SoundscapeChange,
    TimelineEvent,
)
from installation.engine.conditions import ConditionTracker
from installation.engine.params import ParameterStore
from installation.engine.presence import Presence
from installation.engine.scheduler import Scheduler, TimerHandle
from installation.engine.sequencer import CueStatus, Sequencer
from installation.errors import InstallationError
from installation.show.model import (
    AfterCondition,
    AtCondition,
    CommandCondition,
    Cue,
    Fallback,
    GoCondition,
    GroupCue,
    OnEnter,
    PresenceCondition,
    Show,
    Trigger,
)

log = logging.getLogger(__name__)

JOURNAL_VERSION = 1
# light attributes that make light: panic and closing fade these to 0 (positions and colour wheels stay)
INTENSITY_ATTRIBUTES = frozenset(
    {
        "dimmer",
        "intensity",
        "red",
        "green",
        "blue",
        "white",
        "amber",
        "uv",
        "lime",
        "warm",
        "cold",
        "strobe",
        "output",  # hazers and fog machines: panic and closing stop them too
    }
)
_PANIC_OWNER = "panic"
_CLOSE_OWNER = "close"


class EngineError(InstallationError):
    """An operator request the engine cannot do (unknown act, cue or parameter); the message says why."""


def is_intensity(name: str) -> bool:
    """A `light.<fixture>.<attribute>` whose attribute makes light."""
    parts = name.split(".")
    return len(parts) >= 3 and parts[0] == "light" and parts[-1] in INTENSITY_ATTRIBUTES


def describe_condition(trigger: Trigger) -> str:
    """A trigger's condition as the artist wrote it (for the timeline)."""
    c = trigger.condition
    if isinstance(c, PresenceCondition):
        if c.text:
            return c.text
        hold = f" for {c.hold_s:g}s" if c.hold_s else ""
        return f"{c.source} {c.op} {c.threshold:g}{hold}"
    if isinstance(c, AfterCondition):
        return f"after {c.after_s:g}s"
    if isinstance(c, AtCondition):
        h, rem = divmod(round(c.time_of_day_s), 3600)
        return f"at {h:02d}:{rem // 60:02d}"
    if isinstance(c, GoCondition):
        return "on go"
    return f"on {c.command}"


def _crossed(prev: float, cur: float, at: float) -> bool:
    """Did the time of day pass `at` from prev to cur (wrapping at midnight, not on a clock set back)?"""
    if cur >= prev:
        return prev < at <= cur
    if prev - cur > 43200.0:  # wrapped past midnight
        return at > prev or at <= cur
    return False


@dataclass(frozen=True, slots=True)
class EngineState:
    """What the panel and OSC queries show: acts, the current act, time in act, cue states and countdowns."""

    t: float
    acts: tuple[str, ...]
    act: str | None
    idle_act: str
    time_in_act_s: float
    open: bool
    closing: bool
    paused: bool
    panic: bool
    presence_known: bool | None
    playhead: str | None
    cues: tuple[CueStatus, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "t": self.t,
            "acts": list(self.acts),
            "act": self.act,
            "idle_act": self.idle_act,
            "time_in_act_s": self.time_in_act_s,
            "open": self.open,
            "closing": self.closing,
            "paused": self.paused,
            "panic": self.panic,
            "presence_known": self.presence_known,
            "playhead": self.playhead,
            "cues": [c.to_dict() for c in self.cues],
        }


class _ResumeMethod:
    """`engine.resume()` continues after `pause()`; `Engine.resume(show, clock, state)` restores a journal."""

    @overload
    def __get__(self, obj: None, owner: type[Engine]) -> Callable[..., Engine]: ...

    @overload
    def __get__(self, obj: Engine, owner: type[Engine]) -> Callable[[], None]: ...

    def __get__(self, obj: Engine | None, owner: type[Engine]) -> Callable[..., Any]:
        if obj is None:
            return functools.partial(owner.from_journal)
        return obj.resume_playback


class Engine:
    """Runs a show: acts with cue lists and triggers, parameters with fades and mappings, on a given clock.

    `time_of_day` returns local seconds since midnight (for `at:` triggers); the runtime passes the wall
    clock, tests a function of virtual time. Opening hours arrive as `set_open()` events. GO debounce,
    the panic fade and the stop fade come from the show's `operator:` unless given here.

    Cues are named by their name (`cue` or `act/cue`); `cue_by_number()` finds one by its QLab cue
    number, and `go(number)` moves the playhead to a numbered cue and GOes it (OSC `/go <number>`).
    """

    resume = _ResumeMethod()

    def __init__(
        self,
        show: Show,
        clock: Clock,
        *,
        time_of_day: Callable[[], float] | None = None,
        is_open: bool = True,
        go_debounce_s: float | None = None,
        panic_fade_s: float | None = None,
        stop_fade_s: float | None = None,
        close_fade_s: float = 10.0,
        _enter: bool = True,
    ) -> None:
        self.show = show
        self.clock = clock
        self.scheduler = Scheduler()
        self.params = ParameterStore(show.params)
        settings = show.operator  # the show's `operator:`; an argument given here wins
        self.go_debounce_s = settings.go_debounce_s if go_debounce_s is None else go_debounce_s
        self.panic_fade_s = settings.panic_fade_s if panic_fade_s is None else panic_fade_s
        self.stop_fade_s = settings.stop_fade_s if stop_fade_s is None else stop_fade_s
        self.close_fade_s = close_fade_s
        self.recent: deque[TimelineEvent] = deque(maxlen=500)  # for the panel's log
        self._time_of_day = time_of_day
        self._commands: list[Command] = []
        self._subscribers: list[Callable[[TimelineEvent], None]] = []
        self._seq: Sequencer | None = None
        self._act: str | None = None
        self._act_enter_t = clock.now()
        self._act_timers: dict[str, TimerHandle] = {}
        self._act_saved: list[tuple[str, float, Callable[[float], None]]] = []
        self._trackers: list[tuple[Trigger, ConditionTracker]] = []
        self._at_triggers: tuple[Trigger, ...] = ()
        self._tracker_timers: dict[int, TimerHandle] = {}
        self._idle_tracker: ConditionTracker | None = None
        self._presence: Presence | None = None
        self._presence_known: bool | None = None
        self._open = is_open
        self._closing = False
        self._paused_at: float | None = None
        self._deferred: list[Trigger] = []
        self._last_go_t: float | None = None
        self._panic_until: float | None = None
        self._tod_prev: float | None = None
        self._run_ids = 0
        self._mappings_on = True
        self._now = clock.now()
        # the show starts at the first call (tick, an event, state), so subscribers see its first events
        self._pending_start: Callable[[float], None] | None = self._start if _enter else None

    def _start(self, now: float) -> None:
        if self._open:
            self._enter_act(self.show.start_act, now, "start")
        else:
            self._go_dark(now, 0.0)
            self.send(Blackout(True, now))
            self.emit(now, "closed", detail="outside opening hours")
        self._settle(now)

    def _ensure_started(self) -> None:
        start = self._pending_start
        if start is not None:
            self._pending_start = None
            start(self.clock.now())

    # ================================================================== plumbing
    def new_run_id(self) -> int:
        """A fresh id for a cue run (fades are owned by it)."""
        self._run_ids += 1
        return self._run_ids

    def emit(self, t: float, kind: str, cue: str = "", detail: str = "") -> None:
        """Publish a timeline event at its (scheduled) time to the log, the panel and subscribers."""
        event = TimelineEvent(t, kind, self._act or "", cue, detail)
        self.recent.append(event)
        log.debug("%.3f %s %s %s %s", t, kind, event.act, cue, detail)
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("timeline subscriber %r failed", callback)

    def send(self, command: Command) -> None:
        """Queue a command for the adapters (`drain_commands()`)."""
        self._commands.append(command)

    def _begin(self) -> float:
        self._ensure_started()
        now = self.clock.now()
        self._advance(now)
        return now

    def _advance(self, now: float) -> None:
        # timers and time-of-day triggers up to now; parameters are brought to now by _settle()
        self._now = now
        self.scheduler.run_due(now)
        self._check_time_of_day(now)

    def _settle(self, now: float) -> None:
        self.scheduler.run_due(now)
        self.params.update(now)

    def _act_timer(self, key: str, deadline: float, fn: Callable[[float], None]) -> None:
        def fire(d: float) -> None:
            self._act_timers.pop(key, None)
            fn(d)

        old = self._act_timers.pop(key, None)
        if old is not None:
            old.cancel()
        self._act_timers[key] = self.scheduler.call_at(deadline, fire, key)

    # ================================================================== reading
    @property
    def act(self) -> str | None:
        """The current act (None only while closed before any act ran)."""
        return self._act

    @property
    def paused(self) -> bool:
        """True between `pause()` and `resume()`."""
        return self._paused_at is not None

    @property
    def is_open(self) -> bool:
        """Open hours state as last told by `set_open()` (closing counts as closed)."""
        return self._open

    @property
    def sequencer(self) -> Sequencer | None:
        """The current act's cue list (for tools and tests)."""
        return self._seq

    def time_in_act(self, now: float | None = None) -> float:
        """Seconds spent in the current act (a pause does not count)."""
        now = self.clock.now() if now is None else now
        ref = now if self._paused_at is None else self._paused_at
        return max(0.0, ref - self._act_enter_t)

    def next_deadline(self) -> float | None:
        """When the engine next needs `tick()` for a timer (fades and mappings want frame-rate ticks)."""
        return self.scheduler.next_deadline()

    def busy(self) -> bool:
        """True while fades or mappings change parameters continuously (tick at frame rate)."""
        return bool(self.params.fades()) or bool(self.params.mappings())

    def subscribe(self, callback: Callable[[TimelineEvent], None]) -> Callable[[], None]:
        """Call `callback(event)` for every timeline event; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def drain_commands(self) -> list[Command]:
        """The commands emitted since the last call, oldest first."""
        self._ensure_started()
        out, self._commands = self._commands, []
        return out

    def state(self) -> EngineState:
        """A snapshot for the panel and OSC replies (advances the engine to now first, like `tick()`)."""
        now = self._begin()
        self._settle(now)
        seq = self._seq
        return EngineState(
            t=now,
            acts=self.show.act_names,
            act=self._act,
            idle_act=self.show.idle_act,
            time_in_act_s=self.time_in_act(now),
            open=self._open,
            closing=self._closing,
            paused=self.paused,
            panic=self._panic_until is not None and now < self._panic_until,
            presence_known=self._presence_known,
            playhead=seq.playhead_name() if seq is not None else None,
            cues=tuple(seq.status(now)) if seq is not None else (),
        )

    # ================================================================== operator events
    def tick(self) -> None:
        """Advance to `clock.now()`: due timers (cues, triggers), time-of-day triggers, fades, mappings."""
        self._ensure_started()
        now = self.clock.now()
        self._advance(now)
        self._settle(now)

    def go(self, number: str | None = None) -> bool:
        """GO: start the cue at the playhead; on a finished cue list fire an `on: go` trigger.

        With `number`, the playhead first moves to the top-level cue with that cue number (EngineError if
        the current act has none). Disarmed cues at the playhead are skipped. A second GO within
        `go_debounce_s` of the last accepted one is ignored (returns False), and so is a GO while closed
        (nothing may start in the dark).
        """
        now = self._begin()
        index: int | None = None
        if number is not None:
            cue = self.cue_by_number(number)
            seq = self._seq
            assert seq is not None  # cue_by_number found the cue in it
            index = seq.top_index(cue.name)
            if index is None:
                raise EngineError(f"cue {number} ({cue.name!r}) is inside a group; GO starts top-level cues")
        if not self._open or self._closing:
            self.emit(now, "go-ignored", detail="closed")
            return False
        if self._last_go_t is not None and now - self._last_go_t < self.go_debounce_s:
            self.emit(now, "go-ignored", detail=f"within {self.go_debounce_s:g}s of the last GO")
            return False
        self._last_go_t = now
        seq = self._seq
        if seq is not None and index is not None:
            seq.playhead = index
        self.emit(now, "go", cue=(seq.playhead_name() or "") if seq is not None else "")
        if seq is not None and not seq.finished_list:
            self._mappings_on_again(now)
            seq.go(now)
        else:
            for trig in self._current_triggers():
                if isinstance(trig.condition, GoCondition):
                    self._fire_trigger(trig, now)
                    break
        self._settle(now)
        return True

    def stop(self, fade_s: float | None = None) -> None:
        """STOP: every running cue stops, and what it was doing stops with it; the playhead stays.

        As in QLab, where a stopped cue's sound and video end: the parameters that cues still in their
        action changed return to the values they had before those cues, over `fade_s` (default: the
        show's `operator: stop_fade`, 0 s = at once). Cues that had finished their action keep their
        values (a look that has landed stays), and so does everything else. To freeze values where they
        are, pause instead.
        """
        now = self._begin()
        fade = self.stop_fade_s if fade_s is None else max(0.0, fade_s)
        if self._seq is not None:
            self._seq.stop_all(now, revert_s=fade)
        self.emit(now, "stop-all", detail=f"back over {fade:g}s" if fade > 0 else "")
        self._settle(now)

    def panic(self) -> None:
        """Stop all; fade light and sound out over `panic_fade_s`; a second panic within it: at once."""
        now = self._begin()
        if self._panic_until is not None and now < self._panic_until:
            for fade in self.params.fades():
                if fade.owner == _PANIC_OWNER:
                    self.params.set(fade.name, fade.target)
            self._panic_until = None
            self.send(Panic(0.0, now))
            self.emit(now, "panic", detail="immediate")
            self._settle(now)
            return
        if self._seq is not None:
            self._seq.stop_all(now)
        self._quiet_everything(now, self.panic_fade_s, _PANIC_OWNER)
        self._panic_until = now + self.panic_fade_s
        self.send(Panic(self.panic_fade_s, now))
        self.emit(now, "panic", detail=f"fade {self.panic_fade_s:g}s")
        self._settle(now)

    def pause(self) -> None:
        """Freeze running cues, their fades and the time in act; triggers wait until `resume()`."""
        now = self._begin()
        if self._paused_at is not None:
            return
        self._paused_at = now
        if self._seq is not None:
            self._seq.pause_all(now)
        self.params.pause_fades({None}, now)
        for key, handle in self._act_timers.items():
            if handle.pending:
                self._act_saved.append((key, handle.deadline - now, handle.callback))
                handle.cancel()
        self._act_timers.clear()
        self.emit(now, "pause")
        self._settle(now)

    def resume_playback(self) -> None:
        """Continue after `pause()`, and every cue a pause cue paused (also `engine.resume()`)."""
        now = self._begin()
        if self._paused_at is None:
            resumed = self._seq.resume_all(now) if self._seq is not None else []
            for name in resumed:
                self.emit(now, "resume", name)
            self._settle(now)
            return
        paused_for = now - self._paused_at
        self._paused_at = None
        self._act_enter_t += paused_for
        for key, remaining, callback in self._act_saved:
            self._act_timers[key] = self.scheduler.call_at(now + remaining, callback, key)
        self._act_saved.clear()
        self.params.resume_fades({None}, now)
        if self._seq is not None:
            self._seq.resume_all(now)
        self.emit(now, "resume", detail=f"after {paused_for:g}s")
        deferred, self._deferred = self._deferred, []
        if deferred:
            self._fire_trigger(deferred[0], now)
        self._settle(now)

    def goto_act(self, name: str) -> None:
        """Go to an act now (`next` and `idle` work too)."""
        now = self._begin()
        self._refuse_closed("go to an act")
        target = self._resolve_act(name)
        self._enter_act(target, now, "operator")
        self._settle(now)

    def start_cue(self, name: str) -> None:
        """Start a cue of the current act now (`cue` or `act/cue`); the playhead does not move.

        As a start cue: a loaded cue goes on, a paused one resumes, a running one is left alone; a
        disarmed one is refused.
        """
        now = self._begin()
        self._refuse_closed("start a cue")
        seq, cue = self._find_cue(name)
        if not seq.armed.get(cue.name, True):
            raise EngineError(f"cue {cue.name!r} is disarmed (arm it first)")
        self._mappings_on_again(now)
        seq.start_named(cue.name, now)
        self._settle(now)

    def pause_cue(self, name: str) -> None:
        """Pause a running cue of the current act (as a pause cue); `start_cue` or `resume` resumes it."""
        now = self._begin()
        seq, cue = self._find_cue(name)
        seq.pause_named(cue.name, now)
        self._settle(now)

    def reset_cue(self, name: str) -> None:
        """Put a cue of the current act (or `all`) back to its initial state (a reset cue's action)."""
        now = self._begin()
        if name.rpartition("/")[2] == "all":
            if self._seq is None:
                raise EngineError("no act is running")
            self._seq.reset(None, now)
        else:
            seq, cue = self._find_cue(name)
            seq.reset(cue.name, now)
        self._settle(now)

    def devamp_cue(self, name: str) -> None:
        """End a running looping playlist after its current pass (a devamp cue's action)."""
        now = self._begin()
        seq, cue = self._find_cue(name)
        if not (isinstance(cue, GroupCue) and cue.loop):
            raise EngineError(f"cue {cue.name!r} is not a looping playlist")
        seq.devamp(cue.name, now)
        self._settle(now)

    def arm_cue(self, name: str, armed: bool = True) -> None:
        """Arm (or, with armed=False, disarm) a cue of the current act until the act is entered again."""
        now = self._begin()
        seq, cue = self._find_cue(name)
        seq.set_armed(cue.name, armed, now)
        self._settle(now)

    def cue_by_number(self, number: str) -> Cue:
        """The current act's cue with this QLab cue number (EngineError if it has none)."""
        seq = self._seq
        if seq is None:
            raise EngineError("no act is running")
        cue = seq.cue_by_number(str(number).strip())
        if cue is None:
            numbers = ", ".join(c.number for c in seq.act.all_cues() if c.number is not None) or "none"
            raise EngineError(f"no cue number {number} in act {seq.act.name!r} (numbers: {numbers})")
        return cue

    def stop_cue(self, name: str, fade_out_s: float = 0.0) -> None:
        """Stop a running cue of the current act (with an optional fade back)."""
        now = self._begin()
        seq, cue = self._find_cue(name)
        seq.stop_named(cue.name, now, fade_out_s)
        self._settle(now)

    def load_cue(self, name: str, at_s: float) -> None:
        """Load-to-time: put a cue in its state after `at_s` seconds, paused; the next GO continues it."""
        now = self._begin()
        self._refuse_closed("load a cue")
        seq, cue = self._find_cue(name)
        if not at_s >= 0.0:
            raise EngineError(f"load time must be 0 or more, got {at_s}")
        seq.load(cue, at_s, now)
        self._settle(now)

    def set_param(self, path: str, value: float, fade_s: float = 0.0) -> None:
        """Set a parameter (operator override), at once or with a linear fade."""
        now = self._begin()
        if path not in self.params:
            known = ", ".join(sorted(self.params.names())[:8])
            raise EngineError(f"no parameter {path!r} in act {self._act!r} (e.g. {known})")
        self.params.fade(path, float(value), start_t=now, duration_s=max(0.0, fade_s))
        self._settle(now)

    def command(self, name: str) -> bool:
        """An OSC/web command for `on:` triggers (e.g. `/show/skip`); True when a trigger took it."""
        now = self._begin()
        taken = False
        for trig in self._current_triggers():
            c = trig.condition
            if isinstance(c, CommandCondition) and c.command.strip() == name.strip():
                taken = self._fire_trigger(trig, now)
                break
        self._settle(now)
        return taken

    def presence(self, snapshot: Presence) -> None:
        """A presence snapshot: drives mappings and presence triggers; unknown → the show's fallback."""
        now = self._begin()
        if not snapshot.known:
            if self._presence_known is not False:
                self._presence_known = False
                self.emit(now, "presence", detail="unknown")
                self._reset_trackers()
                fallback = self.show.presence.fallback
                if (
                    fallback == Fallback.IDLE
                    and self._open
                    and not self._closing
                    and self._act != self.show.idle_act
                ):
                    self._enter_act(self.show.idle_act, now, "presence lost")
            self._settle(now)
            return
        if self._presence_known is False:
            self.emit(now, "presence", detail="known")
        self._presence_known = True
        self._presence = snapshot
        if self._mappings_on:
            self.params.set_presence(snapshot, now)
        if self._open and not self._closing:
            self._feed_trackers(now)
        self._settle(now)

    def set_open(self, is_open: bool) -> None:
        """Hours changed: closing fades to dark and silence, then Blackout; opening enters the idle act."""
        now = self._begin()
        if is_open == self._open:
            self._settle(now)
            return
        self._open = is_open
        if is_open:
            self._closing = False
            old = self._act_timers.pop("closed", None)
            if old is not None:
                old.cancel()
            self.send(Blackout(False, now))
            self.emit(now, "open")
            self._enter_act(self.show.idle_act, now, "opening")
        else:
            self._closing = True
            self.emit(now, "closing", detail=f"fade {self.close_fade_s:g}s")
            self._go_dark(now, self.close_fade_s)
            self._act_timer("closed", now + self.close_fade_s, self._on_closed)
        self._settle(now)

    def _on_closed(self, t: float) -> None:
        self._closing = False
        self.send(Blackout(True, t))
        self.emit(t, "closed")

    def _refuse_closed(self, what: str) -> None:
        # while closed (or closing) nothing may start: no sound over dark lights and a black picture
        if not self._open or self._closing:
            raise EngineError(f"cannot {what}: the show is closed")

    # ================================================================== acts
    def _resolve_act(self, name: str) -> str:
        current = self._act or self.show.idle_act
        target = self.show.resolve_target(current, name)
        if target not in self.show.acts:
            raise EngineError(f"no act {name!r} (acts: {', '.join(self.show.act_names)}, next, idle)")
        return target

    def _find_cue(self, name: str) -> tuple[Sequencer, Cue]:
        seq = self._seq
        if seq is None:
            raise EngineError("no act is running")
        act_name, _, cue_name = name.rpartition("/")
        if act_name and act_name != seq.act.name:
            raise EngineError(f"cue {name!r} is not in the current act {seq.act.name!r}")
        try:
            return seq, seq.act.cue(cue_name)
        except KeyError:
            names = ", ".join(c.name for c in seq.act.all_cues())
            raise EngineError(f"no cue {cue_name!r} in act {seq.act.name!r} (cues: {names})") from None

    def change_act(self, target: str, t: float, reason: str) -> None:
        """Called by act cues and triggers: go to `target` (act, next or idle) at scheduled time t."""
        try:
            name = self._resolve_act(target)
        except EngineError as exc:
            log.warning("%s: %s", reason, exc)
            return
        self._enter_act(name, t, reason)

    def _current_triggers(self) -> tuple[Trigger, ...]:
        return self.show.acts[self._act].triggers if self._act is not None else ()

    def _exit_act(self, t: float) -> None:
        if self._seq is not None:
            self._seq.close(t)
            self._seq = None
        for handle in self._act_timers.values():
            handle.cancel()
        self._act_timers.clear()
        self._act_saved.clear()
        for handle in self._tracker_timers.values():
            handle.cancel()
        self._tracker_timers.clear()
        self._trackers = []
        self._at_triggers = ()
        self._idle_tracker = None
        self._deferred.clear()
        self.params.remove_mappings()

    def _setup_act_params(self, name: str) -> None:
        act = self.show.acts[name]
        current = self._act
        old = self.show.acts[current].params if current is not None and current in self.show.acts else {}
        self.params.retire(n for n in old if n not in act.params and n not in self.show.params)
        self.params.declare_all(act.params)
        initial = act.initial_params()
        for pname, spec in act.params.items():
            self.params.set(pname, initial.get(pname, spec.default))
        for pname, value in initial.items():
            if pname in self.params and pname not in act.params:
                self.params.set(pname, value)

    def _enter_act(self, name: str, t: float, reason: str, *, restore: bool = False) -> None:
        act = self.show.acts[name]
        self._exit_act(t)
        self._setup_act_params(name)
        transition_s = 0.0 if restore else act.transition.time_s
        self.send(SceneChange(name, act.scene, transition_s, act.transition.shader, t))
        self.send(SoundscapeChange(name, transition_s, t))
        self._act = name
        self._act_enter_t = t
        if self._paused_at is not None:  # a new act starts unpaused
            self.params.resume_fades({None}, t)
            self._paused_at = None
        self._seq = Sequencer(act, self)
        self._mappings_on = True
        for mapping in act.mappings:
            if mapping.param in self.params:
                self.params.add_mapping(mapping, owner="act")
        if self._presence is not None and self._presence_known:
            self.params.set_presence(self._presence, t)
        self.emit(t, "act", detail=reason)
        self._arm_triggers(t)
        if not restore and act.cues and act.on_enter is OnEnter.GO:
            self._seq.go(t)

    def _arm_triggers(self, t: float) -> None:
        act = self.show.acts[self._act] if self._act is not None else None
        if act is None:
            return
        self._tod_prev = self._time_of_day() if self._time_of_day is not None else None
        self._at_triggers = tuple(t for t in act.triggers if isinstance(t.condition, AtCondition))
        for i, trig in enumerate(act.triggers):
            c = trig.condition
            if isinstance(c, PresenceCondition):
                self._trackers.append((trig, ConditionTracker(c)))
            elif isinstance(c, AfterCondition):
                self._act_timer(
                    f"after:{i}",
                    self._act_enter_t + c.after_s,
                    functools.partial(self._on_timer_trigger, trig),
                )
        if self.show.when_empty_for_s is not None and self._act != self.show.idle_act:
            self._idle_tracker = ConditionTracker(
                PresenceCondition(
                    source="count",
                    op="==",
                    threshold=0.0,
                    hold_s=self.show.when_empty_for_s,
                    text=f"room empty for {self.show.when_empty_for_s:g}s",
                )
            )
        if self._presence_known:
            self._feed_trackers(t)

    def _on_timer_trigger(self, trig: Trigger, t: float) -> None:
        self._fire_trigger(trig, t)

    def _fire_trigger(self, trig: Trigger, t: float) -> bool:
        if self._paused_at is not None:
            if trig not in self._deferred:
                self._deferred.append(trig)
            return True
        if not self._open or self._closing:
            return False
        current = self._act or self.show.idle_act
        try:
            target = self._resolve_act(trig.target)
        except EngineError as exc:
            log.warning("trigger %s: %s", trig.pos, exc)
            return False
        self.emit(t, "trigger", detail=f"{describe_condition(trig)} → {target}")
        self._enter_act(target, t, f"{describe_condition(trig)} (from {current})")
        return True

    def _go_idle(self, t: float) -> None:
        if self._paused_at is not None or not self._open or self._closing:
            return
        if self._act == self.show.idle_act:
            return
        reason = f"room empty for {self.show.when_empty_for_s:g}s"
        self.emit(t, "trigger", detail=f"{reason} → {self.show.idle_act}")
        self._enter_act(self.show.idle_act, t, reason)

    # ================================================================== presence triggers
    def _reset_trackers(self) -> None:
        for _, tracker in self._trackers:
            tracker.reset()
        if self._idle_tracker is not None:
            self._idle_tracker.reset()
        for handle in self._tracker_timers.values():
            handle.cancel()
        self._tracker_timers.clear()

    def _feed_trackers(self, now: float) -> None:
        presence = self._presence
        if presence is None:
            return
        for i, (trig, tracker) in enumerate(self._trackers):
            try:
                value = presence.value(tracker.condition.source)
            except KeyError:
                continue
            self._reconcile(
                i, tracker.update(value, now), now, functools.partial(self._on_timer_trigger, trig)
            )
        if self._idle_tracker is not None:
            fire_at = self._idle_tracker.update(float(presence.count), now)
            self._reconcile(-1, fire_at, now, self._go_idle)

    def _reconcile(self, key: int, fire_at: float | None, now: float, fn: Callable[[float], None]) -> None:
        handle = self._tracker_timers.get(key)
        if fire_at is None:
            if handle is not None:
                handle.cancel()
                del self._tracker_timers[key]
            return
        if handle is not None and handle.pending and handle.deadline == max(fire_at, now):
            return
        if handle is not None:
            handle.cancel()

        def fire(d: float) -> None:
            self._tracker_timers.pop(key, None)
            fn(d)

        self._tracker_timers[key] = self.scheduler.call_at(max(fire_at, now), fire, f"trigger:{key}")

    # ================================================================== time of day
    def _check_time_of_day(self, now: float) -> None:
        if self._time_of_day is None or not self._at_triggers:
            return
        tod = self._time_of_day()
        prev, self._tod_prev = self._tod_prev, tod
        if prev is None:
            return
        for trig in self._at_triggers:
            assert isinstance(trig.condition, AtCondition)
            if _crossed(prev, tod, trig.condition.time_of_day_s) and self._fire_trigger(trig, now):
                return

    # ================================================================== dark and quiet
    def _quiet_everything(self, t: float, fade_s: float, owner: str) -> None:
        for fade in self.params.fades():
            self.params.stop_fade(fade.name, t)
        self.params.remove_mappings()
        self._mappings_on = False
        for name in list(self.params.names()):
            if is_intensity(name) or name == "audio.master.level":
                spec = self.params.spec(name)
                target = spec.minimum if name == "audio.master.level" else max(spec.minimum, 0.0)
                self.params.fade(name, target, start_t=t, duration_s=fade_s, owner=owner)

    def _go_dark(self, t: float, fade_s: float) -> None:
        if self._seq is not None:
            self._seq.stop_all(t)
        self._reset_trackers()
        for key in [k for k in self._act_timers if k.startswith("after:")]:
            self._act_timers.pop(key).cancel()
        self._quiet_everything(t, fade_s, _CLOSE_OWNER)

    def _mappings_on_again(self, now: float) -> None:
        """After a panic, the next GO brings the act's mappings back."""
        if self._mappings_on or self._act is None:
            return
        self._mappings_on = True
        for mapping in self.show.acts[self._act].mappings:
            if mapping.param in self.params:
                self.params.add_mapping(mapping, owner="act")
        if self._presence is not None and self._presence_known:
            self.params.set_presence(self._presence, now)

    # ================================================================== journal
    def journal_state(self) -> dict[str, Any]:
        """What a restart needs: act, time in act, cue positions, playhead, params, fades (JSON-ready)."""
        now = self._begin()
        self._settle(now)
        seq = self._seq
        cues: list[dict[str, Any]] = []
        owners: dict[int, str] = {}
        if seq is not None:
            for run in seq.runs.values():
                owners[run.id] = run.name
                if run.parent is None:
                    ref = now if run.paused_at is None else run.paused_at
                    cues.append(
                        {
                            "name": run.name,
                            "elapsed_s": ref - run.start_t,
                            "continued": run.continued,
                            "paused": run.paused_at is not None,
                            "loaded": run.loaded,
                        }
                    )
        fades = []
        for f in self.params.fades():
            ref = now if f.paused_at is None else f.paused_at
            fades.append(
                {
                    "param": f.name,
                    "start_value": f.start_value,
                    "target": f.target,
                    "elapsed_s": ref - f.start_t,
                    "duration_s": f.duration_s,
                    "curve": f.curve,
                    "cue": owners.get(f.owner) if isinstance(f.owner, int) else None,
                    "owner": f.owner if isinstance(f.owner, str) else None,
                    "paused": f.paused_at is not None,
                }
            )
        return {
            "journal": JOURNAL_VERSION,
            "show": self.show.name,
            "act": self._act,
            "time_in_act_s": self.time_in_act(now),
            "open": self._open,
            "closing": self._closing,
            "paused": self._paused_at is not None,
            "playhead": seq.playhead_name() if seq is not None else None,
            "finished": dict(seq.finished) if seq is not None else {},
            "cues": cues,
            "params": {k: v for k, v in self.params.snapshot().items() if math.isfinite(v)},
            "fades": fades,
        }

    @classmethod
    def from_journal(cls, show: Show, clock: Clock, state: dict[str, Any], **kwargs: Any) -> Engine:
        """Rebuild an engine from `journal_state()` output: same act, time in act, cues, playhead, params.

        The state is validated first (`journal.validate`): JournalError when it is not a whole entry.
        """
        from installation.engine import journal  # journal imports this module

        state = journal.validate(state)
        engine = cls(show, clock, _enter=False, **kwargs)
        engine._pending_start = functools.partial(engine._restore, state)
        return engine

    def _restore(self, state: dict[str, Any], now: float) -> None:
        """Enter the journal's act as it was; `state` passed `journal.validate` (types and bounds)."""
        act = state["act"]
        if act not in self.show.acts:
            log.warning(
                "journal names act %r, which the show no longer has; starting at %r", act, self.show.start_act
            )
            act = self.show.start_act
        self._act_enter_t = now - float(state["time_in_act_s"])
        self._enter_act_restored(act, now)
        for name, value in state["params"].items():
            if name in self.params:
                self.params.set(name, float(value))
        seq = self._seq
        assert seq is not None
        by_name: dict[str, int] = {}
        for entry in state["cues"]:
            try:
                cue = seq.act.cue(entry["name"])
            except KeyError:
                continue
            run = seq.replay(cue, seq.top_index(cue.name), now - float(entry["elapsed_s"]), now, fades=False)
            if run is None or run.id not in seq.runs:
                continue
            run.continued = run.continued or entry["continued"]
            for r in seq.runs.values():
                by_name[r.name] = r.id
            if entry["loaded"] or entry["paused"]:
                seq._pause_run(run, now)
                run.loaded = entry["loaded"]
        for f in state["fades"]:
            name = f["param"]
            if name not in self.params:
                continue
            spec = self.params.spec(name)
            owner: Any = f["owner"] or by_name.get(f["cue"] or "")
            self.params.fade(
                name,
                float(f["target"]),
                start_t=now - float(f["elapsed_s"]),
                duration_s=float(f["duration_s"]),
                curve=f["curve"],
                owner=owner,
                start_value=spec.clamp(float(f["start_value"])),
            )
            if f["paused"]:
                self.params.pause_fades({owner}, now)
        playhead = state["playhead"]
        seq.playhead = seq.top_index(playhead) if playhead is not None else None
        running = {r.name for r in seq.runs.values()}
        seq.finished.update({k: v for k, v in state["finished"].items() if k not in running})
        if not state["open"]:
            self._open = False
            self._go_dark(now, 0.0)
            self.send(Blackout(True, now))
        elif state["closing"]:
            self._open = False
            self._closing = True
            self._act_timer("closed", now, self._on_closed)
        self._settle(now)
        if state["paused"]:
            self.pause()

    def _enter_act_restored(self, name: str, now: float) -> None:
        enter_t = self._act_enter_t
        self._enter_act(name, now, "restored from journal", restore=True)
        self._act_enter_t = enter_t
        for handle in self._act_timers.values():
            handle.cancel()
        self._act_timers.clear()
        for i, trig in enumerate(self.show.acts[name].triggers):
            c = trig.condition
            if isinstance(c, AfterCondition):
                self._act_timer(
                    f"after:{i}",
                    max(now, enter_t + c.after_s),
                    functools.partial(self._on_timer_trigger, trig),
                )
