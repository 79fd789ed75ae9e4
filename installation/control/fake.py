"""A tiny simulated show behind the `Controller` protocol, for the panel's tests, demos and benches.

It records every call with its source and clock time, runs two acts of a few timed cues with QLab's
pre-wait / action / post-wait semantics (auto-follow and auto-continue included), moves to the
second act when a visitor appears and back to the idle act when the room has been empty for a while.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from installation.control.protocol import (
    MAX_VISITORS,
    SPEED_MAX,
    SPEED_MIN,
    AudioLevels,
    CueListView,
    CueView,
    EventKind,
    HealthView,
    LogLine,
    PresenceView,
    Result,
    RigView,
    ShowState,
)

log = logging.getLogger(__name__)

EMPTY_RETURN_S = 5.0  # room empty this long in the second act -> back to the idle act


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded call: method name, arguments, source and the controller's clock time."""

    method: str
    args: tuple[Any, ...]
    source: str
    t: float


@dataclass(frozen=True, slots=True)
class FakeCue:
    """A cue of the simulated show (times in seconds)."""

    name: str
    kind: str = "fade"
    pre_wait_s: float = 0.0
    duration_s: float = 0.0
    post_wait_s: float = 0.0
    continue_mode: str = "none"  # none | auto-continue | auto-follow
    look: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)  # r, g, b, intensity at the end
    number: str | None = None  # QLab's cue number


@dataclass
class _CueRun:
    started_at: float | None = None  # show time the cue was started (its pre-wait began)
    stopped: bool = False
    paused_at: float | None = None  # show time a pause_cue froze it


DEFAULT_ACTS: dict[str, tuple[FakeCue, ...]] = {
    "attract": (
        FakeCue("dawn", "fade", 0.0, 4.0, 0.0, "auto-follow", (0.16, 1.0, 0.61, 0.4), "1"),
        FakeCue("glow", "fade", 1.0, 6.0, 2.0, "none", (0.1, 0.6, 1.0, 0.7), "2"),
        FakeCue("ping", "osc", 0.0, 0.0, 0.0, "none", (0.1, 0.6, 1.0, 0.7), "2.5"),
    ),
    "encounter": (
        FakeCue("approach", "fade", 0.5, 3.0, 1.0, "auto-continue", (1.0, 0.55, 0.1, 0.8), "10"),
        FakeCue("pulses", "group", 0.0, 8.0, 0.0, "none", (1.0, 0.3, 0.2, 1.0), "11"),
        FakeCue("hush", "fade", 2.0, 5.0, 0.0, "none", (0.3, 0.2, 0.6, 0.25), "12"),
        FakeCue("fan", "serial", 0.0, 0.0, 0.0, "none", (0.3, 0.2, 0.6, 0.25)),
    ),
}

ZONES: dict[str, list[list[float]]] = {
    "door": [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]],
    "screen": [[0.3, 0.7], [0.7, 0.7], [0.7, 1.0], [0.3, 1.0]],
}
MASK: list[list[list[float]]] = [[[0.0, 0.0], [1.0, 0.0], [1.0, 0.12], [0.0, 0.12]]]

FIXTURES: tuple[tuple[str, str, float, float], ...] = (  # name, kind, x_m, y_m in the room plan
    ("wash-1", "wash", 1.0, 0.6),
    ("wash-2", "wash", 3.0, 0.6),
    ("wash-3", "wash", 5.0, 0.6),
    ("wash-4", "wash", 7.0, 0.6),
    ("spot-l", "spot", 1.5, 4.0),
    ("spot-r", "spot", 6.5, 4.0),
    ("floor", "strip", 4.0, 5.5),
)

PARAMS: dict[str, tuple[float, float]] = {
    "light.wash.dimmer": (0.0, 1.0),
    "light.wash.red": (0.0, 1.0),
    "light.wash.green": (0.0, 1.0),
    "light.wash.blue": (0.0, 1.0),
    "light.spots.dimmer": (0.0, 1.0),
    "scene.hue": (0.0, 1.0),
    "scene.glow": (0.0, 1.0),
    "audio.master.level": (-60.0, 0.0),
    "audio.wind.level": (-60.0, 0.0),
    "osc.console./fader/1": (0.0, 1.0),
}

REPLAYS = ["recordings/opening-night.jsonl", "recordings/school-group.jsonl"]


@dataclass
class _Replay:
    path: str
    speed: float
    started_at: float
    length_s: float = 600.0


@dataclass
class FakeController:
    """The simulated show; `now` is its clock (monotonic seconds), injectable for tests."""

    show: str = "The Unenclosed"
    mode: str = "rehearse"
    now: Callable[[], float] = time.monotonic
    acts: dict[str, tuple[FakeCue, ...]] = field(default_factory=lambda: dict(DEFAULT_ACTS))
    idle_act: str = "attract"
    frames: bool = True  # produce camera / projection images (needs OpenCV)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._log: deque[LogLine] = deque(maxlen=500)
        self._seq = 0
        self._subscribers: list[Callable[[EventKind], None]] = []
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._panicked = False
        self._params: dict[str, float | str] = {}
        self._visitors: dict[str, tuple[float, float]] = {}
        self._next_visitor = 1
        self._empty_since: float | None = None
        self._replay: _Replay | None = None
        self._override: tuple[bool, str] | None = None  # the operator's open-now / close-now (open?, HH:MM)
        self._light: dict[str, Any] = {"blackout": False, "grand_master": 1.0}
        self._health: dict[str, HealthView] = {}
        for name, state, detail, err in (
            ("camera", "ok", "synthetic audience, 10 fps", ""),
            ("audio", "ok", "jack dummy 48 kHz, 2 ch", ""),
            ("projection", "ok", "headless preview 640×360", ""),
            ("dmx:artnet-1", "ok", "universe 0 → 127.0.0.1:6454, 44 Hz", ""),
            ("osc:media", "degraded", "retrying every 2 s", "no reply from 127.0.0.1:7000 for 3 s"),
            ("serial:fan", "down", "retrying in 5 s", "/dev/ttyUSB0: no such device (check the USB cable)"),
        ):
            self._health[name] = {"name": name, "state": state, "detail": detail,  # type: ignore[typeddict-item]
                                  "last_error": err, "since": 0.0}
        self._enter_act(self.idle_act)
        self._log_line("info", "engine", f"show '{self.show}' loaded ({self.mode}), act {self.idle_act}")

    # ---- helpers ----

    def _t(self) -> float:
        """Show time: the clock minus time spent paused."""
        if self._paused_at is not None:
            return self._paused_at - self._paused_total
        return self.now() - self._paused_total

    def _record(self, method: str, args: tuple[Any, ...], source: str) -> None:
        self.calls.append(Call(method, args, source, self.now()))

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls of one method, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def _log_line(self, level: str, source: str, message: str) -> None:
        self._seq += 1
        self._log.append({"seq": self._seq, "t": round(self.now(), 3), "level": level,
                          "source": source, "message": message, "wall": datetime.now().timestamp()})
        getattr(log, "warning" if level == "warning" else "error" if level == "error" else "info")(
            "%s (%s)", message, source)
        self._notify("log")

    def _notify(self, kind: EventKind) -> None:
        for callback in list(self._subscribers):
            callback(kind)

    def _enter_act(self, name: str) -> None:
        self.act = name
        self._act_started = self._t()
        self._runs = [_CueRun() for _ in self.acts[name]]
        self._armed = {cue.name: True for cue in self.acts[name]}
        self._selected: int | None = 0 if self.acts[name] else None

    def _cues(self) -> tuple[FakeCue, ...]:
        return self.acts[self.act]

    def _find(self, name: str) -> int | None:
        for i, cue in enumerate(self._cues()):
            if cue.name == name:
                return i
        return None

    def _no_such_cue(self, name: str) -> Result:
        names = ", ".join(c.name for c in self._cues())
        return Result.error(f"no cue '{name}' in act {self.act} (cues: {names})")

    def _stop_active(self) -> None:
        """Stop every cue still running (as the engine: a finished cue stays `done`, the rest `stopped`)."""
        t = self._t()
        for cue, run in zip(self._cues(), self._runs, strict=True):
            if run.started_at is None or run.stopped:
                continue
            if run.paused_at is not None or t - run.started_at < cue.pre_wait_s + max(cue.duration_s,
                                                                                          cue.post_wait_s):
                run.stopped = True

    def _start(self, index: int, at: float) -> None:
        self._runs[index] = _CueRun(started_at=at)
        self._panicked = False

    def _update(self) -> None:
        """Run continuations and presence triggers up to the current show time."""
        t = self._t()
        cues = self._cues()
        for i, (cue, run) in enumerate(zip(cues, self._runs, strict=True)):
            if run.started_at is None or run.stopped or run.paused_at is not None or i + 1 >= len(cues):
                continue
            nxt = self._runs[i + 1]
            if nxt.started_at is not None and nxt.started_at >= run.started_at:
                continue
            if cue.continue_mode == "auto-follow":
                when = run.started_at + cue.pre_wait_s + cue.duration_s
            elif cue.continue_mode == "auto-continue":
                when = run.started_at + cue.pre_wait_s + cue.post_wait_s
            else:
                continue
            if when <= t:
                self._start(i + 1, when)
                if self._selected == i + 1:
                    self._selected = i + 2 if i + 2 < len(cues) else None
        people = self._people()
        if people and self.act == self.idle_act and len(self.acts) > 1:
            target = next(a for a in self.acts if a != self.idle_act)
            self._log_line("info", "trigger", f"count >= 1 → act {target}")
            self._enter_act(target)
            self._start(0, self._t())
            self._selected = 1 if len(self._cues()) > 1 else None
            self._notify("state")
        if people:
            self._empty_since = None
        elif self.act != self.idle_act:
            if self._empty_since is None:
                self._empty_since = t
            elif t - self._empty_since >= EMPTY_RETURN_S:
                self._log_line("info", "trigger", f"room empty for {EMPTY_RETURN_S:g}s → act {self.idle_act}")
                self._enter_act(self.idle_act)
                self._empty_since = None
                self._notify("state")

    def _cue_view(self, cue: FakeCue, run: _CueRun, t: float) -> CueView:
        view: CueView = {
            "name": cue.name, "kind": cue.kind, "depth": 0, "state": "idle",
            "pre_wait_s": cue.pre_wait_s, "duration_s": cue.duration_s, "post_wait_s": cue.post_wait_s,
            "pre_wait_left_s": None, "action_left_s": None, "post_wait_left_s": None,
            "continue_mode": cue.continue_mode, "number": cue.number, "armed": self._armed[cue.name],
            "paused": run.paused_at is not None, "loaded": False,
        }
        if run.started_at is None:
            return view
        if run.stopped:
            view["state"] = "stopped"
            return view
        elapsed = (run.paused_at if run.paused_at is not None else t) - run.started_at
        action_at = cue.pre_wait_s
        if elapsed < action_at:
            view["state"] = "pre-wait"
            view["pre_wait_left_s"] = round(action_at - elapsed, 2)
            return view
        post_end = action_at + cue.post_wait_s
        if elapsed < action_at + cue.duration_s:
            view["state"] = "running"
            view["action_left_s"] = round(action_at + cue.duration_s - elapsed, 2)
        elif elapsed < post_end:
            view["state"] = "post-wait"
        else:
            view["state"] = "done"
        if elapsed < post_end:  # the post-wait counts from the start of the action
            view["post_wait_left_s"] = round(post_end - elapsed, 2)
        return view

    def _people(self) -> list[tuple[str, float, float, bool]]:
        people = [(vid, x, y, True) for vid, (x, y) in self._visitors.items()]
        if self._replay is not None:
            pos = (self._t() - self._replay.started_at) * self._replay.speed
            if pos >= self._replay.length_s:
                self._log_line("info", "replay", f"replay of {self._replay.path} finished")
                self._replay = None
            else:
                for k in range(2):
                    phase = pos / 40.0 + k * 2.1
                    x = 0.5 + 0.35 * math.sin(phase)
                    y = 0.55 + 0.3 * math.cos(phase * 0.7)
                    people.append((f"r{k + 1}", x, y, False))
        return people

    # ---- commands ----

    def _command(
        self, method: str, args: tuple[Any, ...], source: str, action: Callable[[], Result]
    ) -> Result:
        with self._lock:
            self._record(method, args, source)
            self._update()
            result = action()
            self._update()
            shown = " ".join(f"{a:.3g}" if isinstance(a, float) else str(a) for a in args)
            text = f"{method.upper()} {shown}".strip()
            level = "info" if result.ok else "warning"
            detail = f": {result.message}" if result.message else ""
            self._log_line(level, source, f"{text} → {result.status}{detail}")
            self._notify("state")
            return result

    def go(self, *, source: str, number: str | None = None) -> Result:
        def action() -> Result:
            if number is not None:
                found = [i for i, c in enumerate(self._cues()) if c.number == number]
                if not found:
                    numbers = ", ".join(c.number for c in self._cues() if c.number is not None)
                    return Result.error(f"no cue number {number} in act {self.act} (numbers: {numbers})")
                self._selected = found[0]
            while self._selected is not None and not self._armed[self._cues()[self._selected].name]:
                self._selected = self._selected + 1 if self._selected + 1 < len(self._cues()) else None
            if self._selected is None:
                acts = list(self.acts)
                i = acts.index(self.act)
                if i + 1 < len(acts):  # `on: go → next` when the cue list is finished
                    self._enter_act(acts[i + 1])
                    return Result.success(f"cue list finished: act {self.act}")
                return Result.error("nothing to GO: the last act's cue list is finished")
            index = self._selected
            self._start(index, self._t())
            self._selected = index + 1 if index + 1 < len(self._cues()) else None
            return Result.success(f"started {self._cues()[index].name}", {"cue": self._cues()[index].name})
        return self._command("go", () if number is None else (number,), source, action)

    def stop(self, *, source: str, fade_s: float | None = None) -> Result:
        def action() -> Result:
            self._stop_active()
            return Result.success("all cues stopped")
        return self._command("stop", () if fade_s is None else (fade_s,), source, action)

    def panic(self, *, source: str, fade_s: float | None = None) -> Result:
        def action() -> Result:
            if fade_s is not None and not (math.isfinite(fade_s) and fade_s >= 0):
                return Result.error(f"panic fade must be a time ≥ 0 s, not {fade_s!r}")
            self._stop_active()
            self._panicked = True
            self._paused_at = None
            return Result.success("PANIC: all cues stopped, lights and sound faded out")
        return self._command("panic", () if fade_s is None else (fade_s,), source, action)

    def pause(self, *, source: str) -> Result:
        def action() -> Result:
            if self._paused_at is None:
                self._paused_at = self.now()
            return Result.success("paused")
        return self._command("pause", (), source, action)

    def resume(self, *, source: str) -> Result:
        def action() -> Result:
            if self._paused_at is not None:
                self._paused_total += self.now() - self._paused_at
                self._paused_at = None
            return Result.success("resumed")
        return self._command("resume", (), source, action)

    def goto_act(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            if name not in self.acts:
                return Result.error(f"no act '{name}' (acts: {', '.join(self.acts)})")
            self._enter_act(name)
            return Result.success(f"act {name}")
        return self._command("goto_act", (name,), source, action)

    def start_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            self._start(i, self._t())
            return Result.success(f"started {name}")
        return self._command("start_cue", (name,), source, action)

    def stop_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            self._runs[i].stopped = True
            return Result.success(f"stopped {name}")
        return self._command("stop_cue", (name,), source, action)

    def load_cue(self, name: str, at_s: float, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            if not math.isfinite(at_s) or at_s < 0:
                return Result.error(f"load time {at_s} must be a time ≥ 0 s")
            self._start(i, self._t() - at_s)
            return Result.success(f"loaded {name} at {at_s:g}s")
        return self._command("load_cue", (name, at_s), source, action)

    def select_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            self._selected = i
            return Result.success(f"selected {name}")
        return self._command("select_cue", (name,), source, action)

    def pause_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            run = self._runs[i]
            if run.started_at is None or run.stopped or run.paused_at is not None:
                return Result.error(f"cue {name} is not running")
            run.paused_at = self._t()
            return Result.success(f"paused {name}")
        return self._command("pause_cue", (name,), source, action)

    def resume_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            run = self._runs[i]
            if run.paused_at is None or run.started_at is None:
                return Result.error(f"cue {name} is not paused")
            run.started_at += self._t() - run.paused_at
            run.paused_at = None
            return Result.success(f"resumed {name}")
        return self._command("resume_cue", (name,), source, action)

    def reset_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            if name == "all":
                self._runs = [_CueRun() for _ in self._cues()]
                self._armed = {cue.name: True for cue in self._cues()}
                self._selected = 0 if self._cues() else None
                return Result.success("reset every cue; playhead to the top")
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            self._runs[i] = _CueRun()
            self._armed[name] = True
            return Result.success(f"reset {name}")
        return self._command("reset_cue", (name,), source, action)

    def arm_cue(self, name: str, armed: bool, *, source: str) -> Result:
        def action() -> Result:
            if self._find(name) is None:
                return self._no_such_cue(name)
            self._armed[name] = bool(armed)
            return Result.success(f"{'armed' if armed else 'disarmed'} {name}")
        return self._command("arm_cue", (name, bool(armed)), source, action)

    def devamp_cue(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            i = self._find(name)
            if i is None:
                return self._no_such_cue(name)
            if self._cues()[i].kind != "group":
                return Result.error(f"cue {name} is not a looping playlist")
            return Result.success(f"devamp {name}")
        return self._command("devamp_cue", (name,), source, action)

    def set_param(self, path: str, value: float | str, *, source: str) -> Result:
        def action() -> Result:
            if path not in PARAMS:
                return Result.error(f"no parameter '{path}' in this show")
            lo, hi = PARAMS[path]
            if isinstance(value, str) or not math.isfinite(value) or not lo <= value <= hi:
                return Result.error(f"{path} takes a number {lo:g}..{hi:g}, not {value!r}")
            self._params[path] = value
            return Result.success(f"{path} = {value:g}")
        return self._command("set_param", (path, value), source, action)

    def command(self, name: str, *, source: str) -> Result:
        def action() -> Result:
            if name != "/show/skip":
                return Result.error(f"no trigger listens to '{name}' (try /show/skip)")
            acts = list(self.acts)
            self._enter_act(acts[(acts.index(self.act) + 1) % len(acts)])
            return Result.success(f"act {self.act}")
        return self._command("command", (name,), source, action)

    # ---- opening hours: a rehearsal ignores them; live, the fake is open 10:00-18:00 and it is noon ----

    def _hours_change(self, open_: bool | None, until: str, source: str) -> Result:
        verb = "schedule" if open_ is None else ("open" if open_ else "close")

        def action() -> Result:
            if self.mode == "rehearse":
                return Result.error(f"{verb} now: a rehearsal ignores opening hours; rehearse with --hours")
            if open_ is None:
                self._override = None
                return Result.success("following the opening hours", self._hours_view())
            hh, _, mm = until.partition(":")
            if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
                return Result.error(f"{verb} now: {until!r} is not a time of day; write HH:MM, e.g. 22:00")
            self._override = (open_, f"{int(hh):02d}:{mm}")
            return Result.success(f"{verb} now until {self._override[1]}", self._hours_view())
        return self._command(f"hours_{verb}", (until,) if open_ is not None else (), source, action)

    def light_blackout(self, on: bool, *, source: str) -> Result:
        def action() -> Result:
            self._light["blackout"] = bool(on)
            return Result.success(f"blackout {'on' if on else 'off'}", dict(self._light))
        return self._command("blackout", (on,), source, action)

    def grand_master(self, level: float, *, source: str) -> Result:
        def action() -> Result:
            if isinstance(level, bool) or not 0.0 <= float(level) <= 1.0:
                return Result.error(f"grand master must be 0..1, not {level!r}")
            self._light["grand_master"] = float(level)
            return Result.success(f"grand master {float(level) * 100:.0f}%", dict(self._light))
        return self._command("grand_master", (level,), source, action)

    def hours_open(self, until: str, *, source: str) -> Result:
        return self._hours_change(True, until, source)

    def hours_close(self, until: str, *, source: str) -> Result:
        return self._hours_change(False, until, source)

    def hours_schedule(self, *, source: str) -> Result:
        return self._hours_change(None, "", source)

    def _open(self) -> bool:
        return self._override is None or self._override[0]

    def _hours_view(self) -> dict[str, Any]:
        if self.mode == "rehearse":
            status = "rehearsal: inside opening hours; a live run closes 18:00"
        elif self._override is not None:
            what = "open" if self._override[0] else "closed"
            status = f"{what} by the operator until {self._override[1]}, then the schedule (open until 18:00)"
        else:
            status = "open until 18:00"
        override = None if self._override is None else {"open": self._override[0], "until": self._override[1],
                                                        "source": "fake"}
        return {"honoured": self.mode != "rehearse", "scheduled_open": True, "override": override,
                "next_change": {"at": "18:00", "open": False}, "status": status,
                "wall": "2026-06-02T12:00:00"}

    # ---- rehearse tools ----

    def _rehearse_only(self) -> Result | None:
        if self.mode != "rehearse":
            return Result.denied("simulated visitors and replays are only available in rehearse mode")
        return None

    @staticmethod
    def _check_xy(x: float, y: float) -> Result | None:
        if not (math.isfinite(x) and math.isfinite(y) and 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            return Result.error(f"position ({x}, {y}) must be inside the frame: 0..1 each")
        return None

    def visitor_add(self, x: float, y: float, *, source: str) -> Result:
        def action() -> Result:
            bad = self._rehearse_only() or self._check_xy(x, y)
            if bad:
                return bad
            if len(self._visitors) >= MAX_VISITORS:
                return Result.error(f"already {MAX_VISITORS} simulated visitors (the most a rehearsal "
                                    f"holds); remove some first")
            vid = f"v{self._next_visitor}"
            self._next_visitor += 1
            self._visitors[vid] = (x, y)
            self._update()
            return Result.success(f"visitor {vid} at ({x:.2f}, {y:.2f})", {"id": vid})
        return self._command("visitor_add", (x, y), source, action)

    def visitor_move(self, visitor_id: str, x: float, y: float, *, source: str) -> Result:
        def action() -> Result:
            bad = self._rehearse_only() or self._check_xy(x, y)
            if bad:
                return bad
            if visitor_id not in self._visitors:
                return Result.error(f"no simulated visitor '{visitor_id}'")
            self._visitors[visitor_id] = (x, y)
            return Result.success(f"visitor {visitor_id} at ({x:.2f}, {y:.2f})")
        return self._command("visitor_move", (visitor_id, x, y), source, action)

    def visitor_remove(self, visitor_id: str, *, source: str) -> Result:
        def action() -> Result:
            bad = self._rehearse_only()
            if bad:
                return bad
            if self._visitors.pop(visitor_id, None) is None:
                return Result.error(f"no simulated visitor '{visitor_id}'")
            return Result.success(f"visitor {visitor_id} removed")
        return self._command("visitor_remove", (visitor_id,), source, action)

    def replay(self, path: str, speed: float, *, source: str) -> Result:
        def action() -> Result:
            bad = self._rehearse_only()
            if bad:
                return bad
            if path == "":
                self._replay = None
                return Result.success("replay stopped")
            if path not in REPLAYS:
                return Result.error(f"no recording '{path}' (recordings: {', '.join(REPLAYS)})")
            if not (math.isfinite(speed) and SPEED_MIN <= speed <= SPEED_MAX):
                return Result.error(f"replay speed {speed} must be {SPEED_MIN:g}..{SPEED_MAX:g}×")
            self._replay = _Replay(path, speed, self._t())
            return Result.success(f"replaying {path} at {speed:g}×")
        return self._command("replay", (path, speed), source, action)

    # ---- queries ----

    def state(self) -> ShowState:
        with self._lock:
            self._update()
            t = self._t()
            cues = self._cues()
            sel = self._selected
            return {
                "show": self.show, "mode": self.mode, "open": self._open(),  # type: ignore[typeddict-item]
                "paused": self._paused_at is not None,
                "act": self.act, "acts": list(self.acts), "idle_act": self.idle_act,
                "act_elapsed_s": round(t - self._act_started, 2),
                "cues": [self._cue_view(c, r, t) for c, r in zip(cues, self._runs, strict=True)],
                "selected": cues[sel].name if sel is not None else None,
                "next": cues[sel + 1].name if sel is not None and sel + 1 < len(cues) else None,
                "t": round(self.now(), 3),
                "hours": self._hours_view(),  # type: ignore[typeddict-item]
                "light": dict(self._light),  # type: ignore[typeddict-item]
                "panicked": self._panicked,
            }

    def cue_lists(self) -> list[CueListView]:
        with self._lock:
            return [{"act": act, "cues": [
                {"name": c.name, "number": c.number, "kind": c.kind, "depth": 0,
                 "armed": self._armed.get(c.name, True) if act == self.act else True} for c in cues
            ]} for act, cues in self.acts.items()]

    def health(self) -> list[HealthView]:
        with self._lock:
            return [dict(h) for h in self._health.values()]  # type: ignore[misc]

    def set_health(self, name: str, state: str, detail: str = "", last_error: str = "") -> None:
        """Test hook: change one adapter's health."""
        with self._lock:
            self._health[name] = {"name": name, "state": state, "detail": detail,  # type: ignore[typeddict-item]
                                  "last_error": last_error, "since": self.now()}
            level = "warning" if state != "ok" else "info"
            self._log_line(level, name, f"{name} {state}: {last_error or detail}")
            self._notify("health")

    def log_tail(self, n: int) -> list[LogLine]:
        with self._lock:
            n = max(0, min(n, len(self._log)))
            return list(self._log)[len(self._log) - n:]

    def _camera_down(self) -> bool:
        camera = self._health.get("camera")
        return camera is not None and camera["state"] == "down"

    def presence_view(self) -> PresenceView:
        with self._lock:
            self._update()
            if self._camera_down():  # as a real source: no people, `known` False, the show's fallback
                return {"zones": ZONES, "mask": MASK, "people": [], "count": 0, "known": False,
                        "source": "synthetic", "aspect": 4 / 3, "replay": None}
            people = self._people()
            replay = None
            if self._replay is not None:
                pos = (self._t() - self._replay.started_at) * self._replay.speed
                replay = {"file": self._replay.path, "speed": self._replay.speed,
                          "position_s": round(pos, 1), "length_s": self._replay.length_s}
            return {
                "zones": ZONES, "mask": MASK,
                "people": [{"id": pid, "x": round(x, 4), "y": round(y, 4), "simulated": sim}
                           for pid, x, y, sim in people],
                "count": len(people), "known": True, "source": "replay" if replay else "synthetic",
                "aspect": 4 / 3, "replay": replay,
            }

    def _look(self) -> tuple[float, float, float, float]:
        """The lights as the fake cues leave them: the last started cue's look, faded by its progress."""
        if self._panicked:
            return (0.0, 0.0, 0.0, 0.0)
        t = self._t()
        look = (0.05, 0.1, 0.2, 0.15)
        for cue, run in zip(self._cues(), self._runs, strict=True):
            if run.started_at is None:
                continue
            elapsed = t - run.started_at - cue.pre_wait_s
            if elapsed < 0:
                continue
            k = 1.0 if cue.duration_s <= 0 else min(1.0, elapsed / cue.duration_s)
            look = tuple(a + (b - a) * k for a, b in zip(look, cue.look, strict=True))  # type: ignore[assignment]
        return look

    def rig_view(self) -> RigView:
        with self._lock:
            self._update()
            r, g, b, level = self._look()
            fixtures = []
            for i, (name, kind, x, y) in enumerate(FIXTURES):
                shade = 1.0 - 0.12 * (i % 3)
                fixtures.append({"name": name, "kind": kind, "x": x, "y": y,
                                 "rgb": [round(r * shade, 3), round(g, 3), round(b * shade, 3)],
                                 "intensity": round(level * (0.6 if kind == "strip" else 1.0), 3)})
            return {
                "fixtures": fixtures, "bounds": [0.0, 0.0, 8.0, 6.0],  # type: ignore[typeddict-item]
                "outputs": [{"name": "dmx:artnet-1", "kind": "dmx", "detail": "universe 0, 7 fixtures"},
                            {"name": "osc:media", "kind": "osc", "detail": "127.0.0.1:7000"},
                            {"name": "serial:fan", "kind": "serial", "detail": "/dev/ttyUSB0"}],
            }

    def audio_levels(self) -> AudioLevels:
        with self._lock:
            t = self._t()
            if self._panicked:
                return {"channels": [{"name": n, "peak_db": -120.0, "rms_db": -120.0} for n in ("L", "R")]}
            base = -20.0 if self.act == self.idle_act else -12.0
            return {"channels": [
                {"name": n, "peak_db": round(base + 6 * math.sin(t * 2.3 + k), 1),
                 "rms_db": round(base - 8 + 4 * math.sin(t * 1.7 + k), 1)}
                for k, n in enumerate(("L", "R"))
            ]}

    def param_names(self) -> Collection[str]:
        return PARAMS.keys()

    def replay_files(self) -> list[str]:
        return list(REPLAYS)

    def camera_frame(self) -> bytes | None:
        if not self.frames:
            return None
        with self._lock:
            if self._camera_down():
                return None
            people = self._people()
        return _camera_jpeg([(x, y) for _, x, y, _ in people])

    def projection_frame(self) -> bytes | None:
        if not self.frames:
            return None
        with self._lock:
            r, g, b, level = self._look()
            t = self._t()
        return _projection_png((r, g, b), level, t)

    def subscribe(self, callback: Callable[[EventKind], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
        return unsubscribe


def _camera_jpeg(people: list[tuple[float, float]]) -> bytes | None:
    """A 160×120 grey 'camera' frame: a floor gradient and a dark blob per visitor."""
    try:
        import cv2
        import numpy as np
    except ImportError:
        return None
    h, w = 120, 160
    rows = np.linspace(40, 110, h, dtype=np.float32)[:, None]
    img = np.repeat(np.repeat(rows, w, axis=1)[:, :, None], 3, axis=2).astype(np.uint8)
    cv2.rectangle(img, (0, 0), (w, 14), (25, 25, 25), -1)  # the wall
    for x, y in people:
        cx, cy = int(x * w), int(y * h)
        cv2.ellipse(img, (cx, cy - 8), (5, 10), 0, 0, 360, (30, 30, 35), -1)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 70])
    return bytes(buf) if ok else None


def _projection_png(rgb: tuple[float, float, float], level: float, t: float) -> bytes | None:
    """A 192×108 'projection' frame: soft bands in the current look's colour."""
    try:
        import cv2
        import numpy as np
    except ImportError:
        return None
    h, w = 108, 192
    x = np.linspace(0, 6.28, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 3.14, h, dtype=np.float32)[:, None]
    wave = 0.5 + 0.5 * np.sin(x * 1.5 + y * 2.0 + t * 0.8)
    k = (0.35 + 0.65 * level) * (0.3 + 0.7 * wave)
    img = np.stack([k * rgb[2], k * rgb[1], k * rgb[0]], axis=2)  # BGR for OpenCV
    ok, buf = cv2.imencode(".png", (img * 255).astype(np.uint8))
    return bytes(buf) if ok else None
