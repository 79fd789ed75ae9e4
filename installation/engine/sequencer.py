"""One act's cue list, timed like QLab: pre-wait → action (duration) → post-wait counted from action start.

Continue modes: *none* waits for GO; *auto-continue* starts the next cue when this cue's post-wait
elapses (so a post-wait shorter than the action overlaps the next cue); *auto-follow* starts it when the
action ends. Groups: *timeline* starts every child with the group's action (their own pre-waits place
them) and ends when the last child is done; *playlist* plays children one after another (optionally
looping). Children's continue modes are not used inside groups. Every time is computed from scheduled
times, never from "now", so nothing drifts.

Control cues act on other cues of the act by name: start, stop, pause, load (to a time), reset, devamp
(a looping playlist ends after its current pass), arm and disarm (GO, continues and start cues skip a
disarmed cue); memo does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from installation.engine.commands import OscSend, SerialSend
from installation.engine.scheduler import Scheduler, TimerCallback, TimerHandle
from installation.show.model import (
    Act,
    ActCue,
    ArmCue,
    ContinueMode,
    Cue,
    DevampCue,
    DisarmCue,
    FadeCue,
    GotoCue,
    GroupCue,
    GroupMode,
    LoadCue,
    OscCue,
    PauseCue,
    ResetCue,
    SerialCue,
    StartCue,
    StopCue,
)

if TYPE_CHECKING:
    from installation.engine.show_engine import Engine

log = logging.getLogger(__name__)

IDLE, PRE_WAIT, RUNNING, POST_WAIT, DONE, STOPPED = (
    "idle",
    "pre-wait",
    "running",
    "post-wait",
    "done",
    "stopped",
)
_MAX_STARTS_PER_INSTANT = 10_000  # a goto/loop chain of zero-length cues would otherwise never end


class CueRun:
    """One running instance of a cue: its scheduled times, timers, children and touched parameters."""

    def __init__(
        self, rid: int, cue: Cue, parent: CueRun | None, top_index: int | None, start_t: float
    ) -> None:
        self.id = rid
        self.cue = cue
        self.parent = parent
        self.top_index = top_index
        self.start_t = start_t
        self.action_t = start_t + cue.pre_wait_s
        self.post_end_t = self.action_t + cue.post_wait_s
        self.action_end_t: float | None = None  # known when the action starts (groups: when children finish)
        self.action_started = False
        self.action_ended = False
        self.post_ended = False
        self.stopped = False
        self.continued = False  # its continue already fired (or must not fire)
        self.loaded = False  # prepared by load-to-time, waiting for GO
        self.paused_at: float | None = None
        self.saved: list[tuple[str, float, TimerCallback]] = []  # timers frozen by a pause: key, remaining
        self.timers: dict[str, TimerHandle] = {}
        self.children: list[CueRun] = []
        self.pass_start_t = 0.0  # playlist: when the current pass began
        self.devamped = False  # looping playlist: end after the current pass
        self.devamps: list[CueRun] = []  # devamp cues whose action ends when this run's action does
        self.touched: dict[str, float] = {}  # param → its value before this cue (or a child) first faded it

    @property
    def name(self) -> str:
        return self.cue.name

    def phase(self) -> str:
        """idle/pre-wait/running/post-wait/done/stopped."""
        if self.stopped:
            return STOPPED
        if not self.action_started:
            return PRE_WAIT
        if not self.action_ended:
            return RUNNING
        if not self.post_ended:
            return POST_WAIT
        return DONE

    def shift(self, dt: float) -> None:
        """Move every scheduled time later by dt (after a pause)."""
        self.start_t += dt
        self.action_t += dt
        self.post_end_t += dt
        self.pass_start_t += dt
        if self.action_end_t is not None and not self.action_ended:
            self.action_end_t += dt

    def ancestors(self) -> list[CueRun]:
        out: list[CueRun] = []
        p = self.parent
        while p is not None:
            out.append(p)
            p = p.parent
        return out


def _with_children(cue: Cue) -> list[Cue]:
    """A cue and, for a group, every cue inside it (depth-first)."""
    out = [cue]
    if isinstance(cue, GroupCue):
        for child in cue.children:
            out.extend(_with_children(child))
    return out


def _where(run: CueRun) -> str:
    """Timeline detail for a group's child: `in <group>` (tools hide these to show top-level cues only)."""
    return f"in {run.parent.name}" if run.parent is not None else ""


@dataclass(frozen=True, slots=True)
class CueStatus:
    """A cue as the panel shows it: state and countdowns (seconds; None where not applicable)."""

    name: str
    kind: str
    depth: int
    state: str
    at_playhead: bool = False
    paused: bool = False
    loaded: bool = False
    elapsed_s: float | None = None
    pre_wait_left_s: float | None = None
    action_left_s: float | None = None
    post_wait_left_s: float | None = None
    number: str | None = None
    armed: bool = True

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "number": self.number,
            "armed": self.armed,
            "kind": self.kind,
            "depth": self.depth,
            "state": self.state,
            "at_playhead": self.at_playhead,
            "paused": self.paused,
            "loaded": self.loaded,
            "elapsed_s": self.elapsed_s,
            "pre_wait_left_s": self.pre_wait_left_s,
            "action_left_s": self.action_left_s,
            "post_wait_left_s": self.post_wait_left_s,
        }


class Sequencer:
    """The cue list of one act: playhead, running cues, and QLab timing, on the engine's scheduler."""

    def __init__(self, act: Act, engine: Engine) -> None:
        self.act = act
        self.engine = engine
        self.playhead: int | None = 0 if act.cues else None
        self.runs: dict[int, CueRun] = {}  # active runs, children included, in start order
        self.finished: dict[str, str] = {}  # cue name → done/stopped for cues not running now
        self._top_names = [c.name for c in act.cues]
        self._cues = {c.name: c for c in act.all_cues()}
        self.armed: dict[str, bool] = {c.name: c.armed for c in act.all_cues()}  # arm/disarm cues change it
        self._timers: Scheduler = engine.scheduler  # a replay runs its past on a scheduler of its own
        self._replay_timers: list[tuple[CueRun, str, TimerHandle]] = []
        self._mute_before: float | None = None  # while replaying: no commands for actions before this time
        self._skip_fades_before: float | None = None  # journal restore: fades come from the journal instead
        self._quiet = False  # replaying: no timeline events
        self._burst_t: float | None = None
        self._burst_n = 0
        self.closed = False

    # ------------------------------------------------------------------ lookup
    def top_index(self, name: str) -> int | None:
        """Index of a top-level cue by name."""
        try:
            return self._top_names.index(name)
        except ValueError:
            return None

    def playhead_name(self) -> str | None:
        """The cue the next GO starts (None when the list is finished)."""
        return None if self.playhead is None else self._top_names[self.playhead]

    def active(self, name: str | None = None) -> list[CueRun]:
        """Active runs, optionally of one cue name."""
        return [r for r in self.runs.values() if name is None or r.cue.name == name]

    def cue_by_number(self, number: str) -> Cue | None:
        """A cue of the act by its cue number (None when no cue has it)."""
        try:
            return self.act.cue_by_number(number)
        except KeyError:
            return None

    def next_go(self) -> int | None:
        """The top-level cue the next GO starts: the first armed one at or after the playhead."""
        if self.playhead is None:
            return None
        for index in range(self.playhead, len(self._top_names)):
            if self.armed.get(self._top_names[index], True):
                return index
        return None

    @property
    def finished_list(self) -> bool:
        """Nothing left to GO (the playhead is past the end, or only disarmed cues are left)."""
        return self.next_go() is None

    # ------------------------------------------------------------------ events
    def _emit(self, t: float, kind: str, cue: str, detail: str = "") -> None:
        if not self._quiet:
            self.engine.emit(t, kind, cue, detail)

    def _call_at(self, run: CueRun, key: str, deadline: float, callback: TimerCallback) -> None:
        handle = self._timers.call_at(deadline, callback, f"{run.name}:{key}")
        run.timers[key] = handle
        if self._timers is not self.engine.scheduler:
            self._replay_timers.append((run, key, handle))

    def _at(self, run: CueRun, key: str, deadline: float, fn: Callable[[CueRun, float], None]) -> None:
        def fire(d: float) -> None:
            run.timers.pop(key, None)
            if run.stopped or self.closed:
                return
            try:
                fn(run, d)
            except Exception:  # a broken cue must not stop the show
                log.exception("cue %r (%s): %s failed", run.name, run.cue.pos, key)

        self._call_at(run, key, deadline, fire)

    # ------------------------------------------------------------------ starting
    def go(self, t: float) -> bool:
        """GO: start (or, if loaded, release) the first armed cue at the playhead; False when none is left."""
        index = self._skip_disarmed(self.playhead, t)
        if index is None:
            self.playhead = None
            return False
        self.start_top(index, t)
        return True

    def _skip_disarmed(self, index: int | None, t: float) -> int | None:
        """The first armed top-level cue from `index` on; each disarmed one passed over is a `skip` event."""
        while index is not None and index < len(self._top_names):
            name = self._top_names[index]
            if self.armed.get(name, True):
                return index
            self._emit(t, "skip", name, "disarmed")
            index += 1
        return None

    def start_top(self, index: int, t: float) -> CueRun | None:
        """Start (or, if loaded, release) the top-level cue `index` and move the playhead past it."""
        self.playhead = index + 1 if index + 1 < len(self._top_names) else None
        name = self._top_names[index]
        loaded = [r for r in self.active(name) if r.loaded and r.parent is None]
        if loaded:
            for r in loaded:
                r.loaded = False
                self._resume_run(r, t)
            self._emit(t, "start", name, "from load")
            return loaded[0]
        return self.start(self.act.cues[index], t, None, index)

    def start_named(self, name: str, t: float, by: CueRun | None = None) -> CueRun | None:
        """Start a cue by name without moving the playhead (a start cue, the operator's start).

        A loaded cue goes on from its load time, a paused one resumes; one already running is left alone
        (as in QLab) and a disarmed one is skipped.
        """
        cue = self._cues.get(name)
        if cue is None:
            return None
        if not self.armed.get(name, True):
            self._emit(t, "skip", name, "disarmed")
            return None
        own = self._own(by)
        runs = [r for r in self.active(name) if r.id not in own]
        loaded = [r for r in runs if r.loaded]
        paused = [r for r in runs if r.paused_at is not None and not r.loaded]
        for r in loaded:
            r.loaded = False
            self._resume_run(r, t)
        if loaded:
            self._emit(t, "start", name, "from load")
        for r in paused:
            self._resume_run(r, t)
            self._emit(t, "resume", name)
        if runs:
            return runs[0]
        return self.start(cue, t, None, self.top_index(name))

    def start(self, cue: Cue, t: float, parent: CueRun | None, top_index: int | None) -> CueRun | None:
        """Start a cue at scheduled time t: its pre-wait begins."""
        if self._burst_t == t:
            self._burst_n += 1
            if self._burst_n > _MAX_STARTS_PER_INSTANT:
                if self._burst_n == _MAX_STARTS_PER_INSTANT + 1:
                    log.error(
                        "act %r: cues keep starting at one instant (zero-length loop?); stopping them",
                        self.act.name,
                    )
                    self._emit(t, "warning", cue.name, "zero-length cue loop stopped")
                    self.stop_all(t)
                return None
        else:
            self._burst_t, self._burst_n = t, 1
        run = CueRun(self.engine.new_run_id(), cue, parent, top_index, t)
        self.runs[run.id] = run
        self.finished.pop(cue.name, None)
        if parent is not None:
            parent.children.append(run)
        self._emit(t, "start", cue.name, _where(run))
        self._at(run, "action", run.action_t, self._on_action)
        return run

    # ------------------------------------------------------------------ the action
    def _on_action(self, run: CueRun, t: float) -> None:
        run.action_started = True
        cue = run.cue
        self._emit(t, "action", cue.name, _where(run))
        duration: float | None = cue.duration_s
        muted = self._mute_before is not None and t < self._mute_before
        if isinstance(cue, FadeCue):
            self._do_fade(run, t)
        elif isinstance(cue, OscCue):
            if not muted:
                self.engine.send(OscSend(cue.endpoint, cue.address, cue.args, t, tuple(cue.fields.items())))
        elif isinstance(cue, SerialCue):
            if not muted:
                self.engine.send(SerialSend(cue.device, cue.command, cue.args, t))
        elif isinstance(cue, StartCue):
            self.start_named(cue.target, t, by=run)
        elif isinstance(cue, PauseCue):
            self.pause_named(cue.target, t, by=run)
        elif isinstance(cue, LoadCue):
            target = self._cues.get(cue.target)
            if target is not None:
                self.load(target, cue.at_s, t, move_playhead=False)
        elif isinstance(cue, ResetCue):
            self.reset(cue.target, t, by=run)
        elif isinstance(cue, DevampCue):
            if self.devamp(cue.target, t, by=run):
                duration = None  # the action lasts until the loop has ended (then its auto-follow fires)
        elif isinstance(cue, ArmCue | DisarmCue):
            self.set_armed(cue.target, isinstance(cue, ArmCue), t)
        elif isinstance(cue, StopCue):
            self._do_stop_cue(run, t)
            duration = max(cue.duration_s, cue.fade_out_s)
        elif isinstance(cue, GotoCue):
            index = self.top_index(cue.target)
            if index is None:
                log.warning(
                    "cue %r (%s): goto target %r is not a top-level cue of act %r",
                    cue.name,
                    cue.pos,
                    cue.target,
                    self.act.name,
                )
            else:
                self.playhead = index
        elif isinstance(cue, ActCue):
            self.engine.change_act(cue.target, t, f"cue {cue.name}")
            return  # this sequencer has been closed
        elif isinstance(cue, GroupCue):
            duration = None
        if run.stopped or self.closed:
            return
        if duration is not None:
            run.action_end_t = run.action_t + duration
            self._at(run, "end", run.action_end_t, self._on_action_end)
        self._at(run, "post", run.post_end_t, self._on_post_end)
        if isinstance(cue, GroupCue):
            self._start_group(run, t)

    def _do_fade(self, run: CueRun, t: float) -> None:
        cue = run.cue
        assert isinstance(cue, FadeCue)
        if self._skip_fades_before is not None and t < self._skip_fades_before:
            return
        store = self.engine.params
        chain = [run, *run.ancestors()]
        for name, target in cue.targets.items():
            if name not in store:
                log.warning(
                    "cue %r (%s): no parameter %r in act %r; skipped", cue.name, cue.pos, name, self.act.name
                )
                continue
            before = store.value_at(name, t)
            for r in chain:
                r.touched.setdefault(name, before)
            store.fade(name, target, start_t=t, duration_s=cue.duration_s, curve=str(cue.curve), owner=run.id)

    def _do_stop_cue(self, run: CueRun, t: float) -> None:
        cue = run.cue
        assert isinstance(cue, StopCue)
        own = {run.id, *(a.id for a in run.ancestors())}
        if cue.target is None:
            targets = [r for r in self.runs.values() if r.parent is None and r.id not in own]
        else:
            targets = [r for r in self.active(cue.target) if r.id != run.id]
        for target in targets:
            self.stop_run(target, t, cue.fade_out_s, by=run)

    def _start_group(self, run: CueRun, t: float) -> None:
        cue = run.cue
        assert isinstance(cue, GroupCue)
        if not cue.children:
            self._at(run, "end", t, self._on_action_end)
            return
        if cue.mode == GroupMode.TIMELINE:
            started = False
            for child in cue.children:
                if not self.armed.get(child.name, True):
                    self._emit(t, "skip", child.name, _where(run) + "; disarmed")
                    continue
                started = self.start(child, t, run, None) is not None or started
                if run.stopped:
                    return
            if not started and not run.stopped:
                self._at(run, "end", t, self._on_action_end)
        else:
            run.pass_start_t = t
            first = self._next_child(run, 0, t)
            if first is None:
                self._at(run, "end", t, self._on_action_end)
            else:
                self.start(cue.children[first], t, run, None)

    def _next_child(self, parent: CueRun, index: int, t: float) -> int | None:
        """A playlist's first armed child from `index` on (each disarmed one is a `skip` event)."""
        cue = parent.cue
        assert isinstance(cue, GroupCue)
        while index < len(cue.children):
            child = cue.children[index]
            if self.armed.get(child.name, True):
                return index
            self._emit(t, "skip", child.name, _where(parent) + "; disarmed")
            index += 1
        return None

    def _on_child_done(self, parent: CueRun, child: CueRun, t: float) -> None:
        if parent.stopped or parent.action_ended or parent.id not in self.runs:
            return
        cue = parent.cue
        assert isinstance(cue, GroupCue)
        if cue.mode == GroupMode.TIMELINE:
            if not any(c.id in self.runs for c in parent.children):
                self._at(parent, "end", t, self._on_action_end)
            return
        index = next((i for i, c in enumerate(cue.children) if c is child.cue), len(cue.children) - 1) + 1
        following = self._next_child(parent, index, t)
        if following is not None:
            self.start(cue.children[following], t, parent, None)
        elif cue.loop and not parent.devamped:
            if t <= parent.pass_start_t:
                log.warning("playlist %r (%s) takes no time; not looping it", cue.name, cue.pos)
                self._emit(t, "warning", cue.name, "zero-length playlist loop ended")
                self._at(parent, "end", t, self._on_action_end)
                return
            parent.pass_start_t = t
            parent.children = [c for c in parent.children if c.id in self.runs]
            first = self._next_child(parent, 0, t)
            if first is None:
                self._at(parent, "end", t, self._on_action_end)
            else:
                self.start(cue.children[first], t, parent, None)
        else:
            self._at(parent, "end", t, self._on_action_end)

    # ------------------------------------------------------------------ ends
    def _on_action_end(self, run: CueRun, t: float) -> None:
        if run.action_ended:
            return
        run.action_ended = True
        run.action_end_t = t
        self._emit(t, "end", run.name, _where(run))
        if run.devamps:
            self._release_devamps(run, t)
        if run.cue.continue_mode == ContinueMode.AUTO_FOLLOW:
            self._continue(run, t)
        self._check_done(run, t)

    def _on_post_end(self, run: CueRun, t: float) -> None:
        run.post_ended = True
        if run.cue.continue_mode == ContinueMode.AUTO_CONTINUE:
            self._continue(run, t)
        self._check_done(run, t)

    def _continue(self, run: CueRun, t: float) -> None:
        if run.parent is not None or run.continued or run.stopped or self.closed:
            return
        run.continued = True
        if isinstance(run.cue, GotoCue):
            index = self.playhead
        else:
            index = None if run.top_index is None else run.top_index + 1
        if index is not None and index < len(self._top_names):
            armed = self._skip_disarmed(index, t)
            if armed is None:
                self.playhead = None
            else:
                self.start_top(armed, t)

    def _check_done(self, run: CueRun, t: float) -> None:
        if not (run.action_ended and run.post_ended) or run.id not in self.runs or self.closed:
            return
        del self.runs[run.id]
        self.finished[run.name] = DONE
        self.engine.params.release_fades(run.id)
        if run.parent is not None:
            self._on_child_done(run.parent, run, t)

    # ------------------------------------------------------------------ stopping
    def stop_run(
        self, run: CueRun, t: float, fade_out_s: float = 0.0, by: CueRun | None = None, quiet: bool = False
    ) -> None:
        """Stop a run and its children at t; with fade_out_s its parameters glide back to where they were."""
        if run.stopped or run.id not in self.runs:
            return
        run.stopped = True
        for child in [c for c in run.children if c.id in self.runs]:
            self.stop_run(child, t, 0.0, None, quiet=True)
        for handle in run.timers.values():
            handle.cancel()
        run.timers.clear()
        run.saved.clear()
        del self.runs[run.id]
        self.finished[run.name] = STOPPED
        store = self.engine.params
        store.resume_fades({run.id}, t)
        if fade_out_s > 0.0 and run.touched:
            for name, before in run.touched.items():
                if name in store:
                    store.fade(
                        name,
                        before,
                        start_t=t,
                        duration_s=fade_out_s,
                        curve="linear",
                        owner=by.id if by is not None else None,
                    )
        else:
            store.stop_fades(run.id, t)
        if not quiet:
            fade = f"fade out {fade_out_s:g}s" if fade_out_s > 0 else ""
            self._emit(t, "stop", run.name, "; ".join(x for x in (_where(run), fade) if x))
        if run.devamps:
            self._release_devamps(run, t)
        if run.parent is not None and not run.parent.stopped:
            self._on_child_done(run.parent, run, t)

    def stop_named(self, name: str, t: float, fade_out_s: float = 0.0) -> int:
        """Stop every running instance of a cue; returns how many."""
        runs = self.active(name)
        for r in runs:
            self.stop_run(r, t, fade_out_s)
        return len(runs)

    def stop_all(self, t: float, revert_s: float | None = None) -> None:
        """Stop every running cue.

        `revert_s` None: a hard stop, their fades freeze where they are (panic and closing fade on their
        own). A number (the operator's STOP): what the cues still in their action changed returns to the
        value it had before the first of them changed it, over `revert_s` (0 = at once).
        """
        before: dict[str, float] = {}
        if revert_s is not None:
            for run in self.runs.values():  # in start order: the earliest cue's "before" wins
                if not run.action_ended:
                    for name, value in run.touched.items():
                        before.setdefault(name, value)
        for run in [r for r in self.runs.values() if r.parent is None]:
            self.stop_run(run, t)
        for run in list(self.runs.values()):  # orphans (started on their own by start_cue)
            self.stop_run(run, t)
        store = self.engine.params
        for name, value in before.items():
            if name in store:
                store.fade(name, value, start_t=t, duration_s=max(0.0, revert_s or 0.0), curve="linear")

    # ------------------------------------------------------------------ control cues
    def _own(self, by: CueRun | None) -> set[int]:
        """A control cue's own run and the groups it is in: it never acts on those."""
        return set() if by is None else {by.id, *(a.id for a in by.ancestors())}

    def pause_named(self, name: str, t: float, by: CueRun | None = None) -> int:
        """Pause every running instance of a cue (waits and fades hold); returns how many."""
        own = self._own(by)
        runs = [r for r in self.active(name) if r.id not in own and r.paused_at is None]
        for r in runs:
            self._pause_run(r, t)
            self._emit(t, "pause", name)
        return len(runs)

    def reset(self, name: str | None, t: float, by: CueRun | None = None) -> None:
        """A cue (None: every cue) back to its initial state: stopped at once, armed as written, idle.

        Resetting everything also puts the playhead back on the first cue.
        """
        own = self._own(by)
        if name is None:
            names = list(self._cues)
            runs = [r for r in self.runs.values() if r.id not in own]
        else:
            cue = self._cues.get(name)
            if cue is None:
                return
            names = [c.name for c in _with_children(cue)]
            runs = [r for r in self.active(name) if r.id not in own]
        for r in runs:
            self.stop_run(r, t)
        for n in names:
            self.armed[n] = self._cues[n].armed
            if n not in {r.name for r in self.runs.values()}:
                self.finished.pop(n, None)
        if name is None:
            self.playhead = 0 if self._top_names else None
        self._emit(t, "reset", name or "all")

    def devamp(self, name: str, t: float, by: CueRun | None = None) -> int:
        """A looping playlist ends after its current pass; returns how many running instances.

        `by` (a devamp cue) ends its own action when the playlist's action ends.
        """
        runs = [r for r in self.active(name) if isinstance(r.cue, GroupCue) and r.cue.loop]
        for r in runs:
            r.devamped = True
            if by is not None:
                r.devamps.append(by)
        return len(runs)

    def _release_devamps(self, run: CueRun, t: float) -> None:
        """The devamped loop has ended (or stopped): the devamp cues' actions end with it."""
        devamps, run.devamps = run.devamps, []
        for d in devamps:
            if d.id in self.runs and not d.action_ended and not any(
                d in r.devamps for r in self.runs.values()
            ):
                self._at(d, "end", t, self._on_action_end)

    def set_armed(self, name: str, armed: bool, t: float) -> None:
        """Arm or disarm a cue (GO, continues and start cues skip a disarmed one)."""
        if name in self.armed:
            self.armed[name] = armed
            self._emit(t, "arm" if armed else "disarm", name)

    def close(self, t: float) -> None:
        """The act ends: cancel everything; fades already under way land by themselves."""
        for run in list(self.runs.values()):
            for handle in run.timers.values():
                handle.cancel()
            run.timers.clear()
            self.engine.params.resume_fades({run.id}, t)
            self.engine.params.release_fades(run.id)
        self.runs.clear()
        self.closed = True

    # ------------------------------------------------------------------ pause
    def _pause_run(self, run: CueRun, t: float) -> None:
        if run.paused_at is not None:
            return
        run.paused_at = t
        for key, handle in run.timers.items():
            if handle.pending:
                run.saved.append((key, handle.deadline - t, handle.callback))
                handle.cancel()
        run.timers.clear()
        self.engine.params.pause_fades({run.id}, t)
        for child in run.children:
            if child.id in self.runs:
                self._pause_run(child, t)

    def _resume_run(self, run: CueRun, t: float) -> None:
        if run.paused_at is None:
            return
        run.shift(t - run.paused_at)
        run.paused_at = None
        for key, remaining, callback in run.saved:
            self._call_at(run, key, t + remaining, callback)
        run.saved.clear()
        self.engine.params.resume_fades({run.id}, t)
        for child in run.children:
            if child.id in self.runs:
                self._resume_run(child, t)

    def pause_all(self, t: float) -> None:
        """Freeze every running cue (timers and fades)."""
        for run in list(self.runs.values()):
            if run.parent is None or run.parent.id not in self.runs:
                self._pause_run(run, t)

    def resume_all(self, t: float) -> list[str]:
        """Continue every paused cue except those loaded and waiting for GO; the names of those resumed."""
        out: list[str] = []
        for run in list(self.runs.values()):
            if run.paused_at is not None and not run.loaded and (
                run.parent is None or run.parent.id not in self.runs or run.parent.paused_at is None
            ):
                self._resume_run(run, t)
                out.append(run.name)
        return out

    # ------------------------------------------------------------------ load-to-time and replay
    def replay(
        self, cue: Cue, top_index: int | None, start_t: float, now: float, *, fades: bool
    ) -> CueRun | None:
        """Start `cue` as if GO'd at start_t (<= now) and run its past instantly: no commands, no events.

        `fades=False` (journal restore) also skips fades that started before now: the journal has them.
        """
        # the past runs on a scheduler of its own, so timers of other cues due at `now` (a load cue's
        # action runs inside the engine's scheduler) fire in their turn, with their events
        saved = (self._mute_before, self._skip_fades_before, self._quiet, self._timers, self._replay_timers)
        self._mute_before = now
        self._skip_fades_before = None if fades else now
        self._quiet = True
        self._timers = Scheduler()
        self._replay_timers = []
        try:
            run = self.start(cue, start_t, None, top_index)
            self._timers.run_due(now)
        finally:
            pending = [(r, key, h) for r, key, h in self._replay_timers if h.pending]
            self._mute_before, self._skip_fades_before, self._quiet, self._timers, self._replay_timers = (
                saved
            )
        for r, key, handle in pending:  # what is still to come joins the real schedule
            handle.cancel()
            if r.timers.get(key) is handle:
                self._call_at(r, key, handle.deadline, handle.callback)
        return run

    def load(self, cue: Cue, at_s: float, t: float, *, move_playhead: bool = True) -> CueRun | None:
        """Load-to-time: prepare `cue` as if it had run for at_s, paused, until GO or a start cue.

        The operator's load moves the playhead to the cue (the next GO continues it); a load cue does not.
        """
        for r in self.active(cue.name):
            self.stop_run(r, t, quiet=True)
        index = self.top_index(cue.name)
        run = self.replay(cue, index, t - at_s, t, fades=True)
        if run is not None and run.id in self.runs:
            self._pause_run(run, t)
            run.loaded = True
            if index is not None and move_playhead:
                self.playhead = index
        elif index is not None and move_playhead:
            self.playhead = index + 1 if index + 1 < len(self._top_names) else None
        self._emit(t, "load", cue.name, f"at {at_s:g}s")
        return run

    # ------------------------------------------------------------------ status
    def status(self, now: float) -> list[CueStatus]:
        """Every cue of the act (depth-first) with its state and countdowns at `now`."""
        latest: dict[str, CueRun] = {}
        for r in self.runs.values():
            latest[r.cue.name] = r
        out: list[CueStatus] = []

        def walk(cues: tuple[Cue, ...], depth: int) -> None:
            for cue in cues:
                run = latest.get(cue.name)
                at_playhead = depth == 0 and self.playhead_name() == cue.name
                armed = self.armed.get(cue.name, True)
                if run is None:
                    out.append(
                        CueStatus(
                            cue.name,
                            cue.kind,
                            depth,
                            self.finished.get(cue.name, IDLE),
                            at_playhead,
                            number=cue.number,
                            armed=armed,
                        )
                    )
                else:
                    ref = now if run.paused_at is None else run.paused_at
                    pre = max(0.0, run.action_t - ref) if not run.action_started else None
                    action: float | None = None
                    if not run.action_started:
                        action = cue.duration_s if not isinstance(cue, GroupCue) else None
                    elif not run.action_ended and run.action_end_t is not None:
                        action = max(0.0, run.action_end_t - ref)
                    post: float | None = None
                    if not run.post_ended:
                        post = cue.post_wait_s if not run.action_started else max(0.0, run.post_end_t - ref)
                    out.append(
                        CueStatus(
                            cue.name,
                            cue.kind,
                            depth,
                            run.phase(),
                            at_playhead,
                            run.paused_at is not None,
                            run.loaded,
                            max(0.0, ref - run.start_t),
                            pre,
                            action,
                            post,
                            cue.number,
                            armed,
                        )
                    )
                if isinstance(cue, GroupCue):
                    walk(cue.children, depth + 1)

        walk(self.act.cues, 0)
        return out
