"""The runtime: wires a loaded show to its adapters for a mode and runs the real-time loops.

Threads: one engine loop (the only owner of the `Engine`: every command from the panel, the OSC API or
a presence source is handed to it with `call_soon_threadsafe`), one output loop at the DMX refresh rate
(reads the latest parameter snapshot and feeds rig, audio and projection), an hours watch (wall clock →
`engine.set_open`), the hot-reload watcher, and each adapter's own threads. A fault in one adapter is
logged, shown in the panel's health list and retried by the adapter; the engine never waits on a device.

Unattended operation: the journal (state/<show>.journal.jsonl) lets a restart resume the act, cue
positions and levels; under systemd the engine loop sends READY=1, WATCHDOG=1 and STATUS=; a valid edit
of the show, rig or a shader is applied at a safe point, an invalid one is rejected with its problems.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import datetime as dt
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.adapters import Health, HealthState
from installation.control.protocol import (
    MAX_VISITORS,
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
    health_view,
)
from installation.engine import journal
from installation.engine.clock import Clock, MonotonicClock, RealtimeLoop
from installation.engine.commands import (
    Blackout,
    Command,
    OscSend,
    Panic,
    SceneChange,
    SerialSend,
    SoundscapeChange,
    TimelineEvent,
)
from installation.engine.presence import Person, Presence
from installation.engine.show_engine import Engine
from installation.errors import InstallationError, Problem, ShowError
from installation.platform.wallclock import WallClock, system_wall
from installation.runtime import statefile
from installation.runtime.hours import kept_opening_hours
from installation.runtime.logfile import LogFiles
from installation.runtime.sdnotify import Notifier
from installation.show.loader import load_show
from installation.show.model import GroupCue, Show

log = logging.getLogger(__name__)

OUTPUT_RATE_HZ = 44.0  # DMX refresh; audio and projection parameters follow at the same rate
ENGINE_STEP_S = 0.01  # while fades or mappings run, the engine steps at 100 Hz
STATE_PUBLISH_S = 0.05  # the panel's state snapshot at 20 Hz
JOURNAL_EVERY_S = 0.5
JOURNAL_MAX_BYTES = 1 << 20
COMMAND_TIMEOUT_S = 2.0
HOURS_CHECK_S = 1.0
ENGINE_STALL_S = 2.0  # /health reports the engine loop down when it has not stepped for this long
STATUS_EVERY_S = 1.0  # systemd STATUS= line
RELOAD_SCENE_S = 1.0  # a reloaded act whose scene changed crossfades to it
RELOAD_SOUND_S = 2.0  # ... and whose soundscape changed
# timeline events after which the journal is written at once (not at the next JOURNAL_EVERY_S)
JOURNAL_NOW_KINDS = frozenset({"act", "start", "stop", "panic", "stop-all", "closing", "closed", "open",
                               "pause", "resume", "load"})


@dataclass
class RuntimeOptions:
    """How to run: mode, operator surfaces, which adapters, where state lives."""

    mode: str = "rehearse"  # live | rehearse
    hours: bool | None = None  # follow the opening hours (None: in a live run yes, in a rehearsal no)
    panel_host: str = "127.0.0.1"
    panel_port: int = 8080
    panel_allow_hosts: tuple[str, ...] = ()  # more names/addresses the panel answers to (Host, Origin)
    osc_port: int = 53000
    osc_host: str = "127.0.0.1"  # another address needs osc_allow and/or a passcode file
    osc_allow: tuple[str, ...] = ()  # remote addresses or networks (CIDR) the OSC API answers
    osc_passcode_file: Path | None = None  # QLab-style passcodes, one a line (never the passcode itself)
    osc_open: tuple[str, ...] | None = None  # permissions without a passcode (None: QLab's default)
    audio: str = "auto"  # auto | jack | device | off
    projection: str = "auto"  # auto | window | headless | off
    duration_s: float | None = None
    state_dir: Path | None = None
    audience: Path | None = None
    resume: bool = True
    panel: bool = True
    osc: bool = True
    presence: str = "auto"  # auto | off (off: presence only from feed_presence(), e.g. in tests)
    sims: Path | None = None  # rehearse: aim the rig at simulators already running there (sims.json)
    watch: bool = True  # hot reload of the show, rig and shaders
    log_file: bool = True  # state/logs/<show>.log, rotated
    notify: bool = True  # sd_notify when run under systemd (NOTIFY_SOCKET)
    mqtt: str = ""  # fleet broker HOST:PORT ("" = the rig file's fleet: section, if any)
    mqtt_user: str = ""
    mqtt_password_file: Path | None = None  # the password's file (never the password itself)
    mqtt_show_id: str = ""  # the show's name on the broker ("" = the rig's fleet show_id, or the file name)
    extra: dict[str, Any] = field(default_factory=dict)


class _LogBuffer(logging.Handler):
    """The last lines of the log for the panel, each with a sequence number and its source."""

    def __init__(self, clock: Clock, wall: WallClock, size: int = 1000) -> None:
        super().__init__(level=logging.INFO)
        self.clock = clock
        self.wall = wall
        self.lines: collections.deque[LogLine] = collections.deque(maxlen=size)
        self._seq = 0
        self._lock = threading.Lock()
        self.listeners: list[Callable[[], None]] = []

    def add(self, level: str, source: str, message: str) -> None:
        with self._lock:
            self._seq += 1
            self.lines.append(
                {
                    "seq": self._seq,
                    "t": self.clock.now(),
                    "level": level,
                    "source": source,
                    "message": message,
                    "wall": self.wall().timestamp(),
                }
            )
        for listener in list(self.listeners):
            listener()

    def emit(self, record: logging.LogRecord) -> None:
        level = {logging.WARNING: "warning", logging.ERROR: "error", logging.CRITICAL: "error"}.get(
            record.levelno, "info"
        )
        source = getattr(record, "source", None) or record.name.removeprefix("installation.")
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f" ({record.exc_info[1].__class__.__name__}: {record.exc_info[1]})"
        self.add(level, source, message.splitlines()[0] if message else "")

    def tail(self, n: int) -> list[LogLine]:
        with self._lock:
            return list(self.lines)[-max(0, n) :]


class Runtime:
    """One running show: engine loop, output loop, adapters and operator surfaces (a `Controller`)."""

    def __init__(
        self,
        show_path: Path,
        options: RuntimeOptions | None = None,
        *,
        clock: Clock | None = None,
        wall: WallClock | None = None,
    ) -> None:
        self.options = options or RuntimeOptions()
        self.show_path = show_path.resolve()
        self.clock = clock or MonotonicClock()
        self.wall = wall or system_wall()
        self.show: Show = load_show(show_path)
        self.state_dir = (self.options.state_dir or (self.show.root / "state")).resolve()
        self.journal_path = self.state_dir / f"{self.show_path.stem}.journal.jsonl"
        honour = self.options.hours if self.options.hours is not None else self.options.mode == "live"
        self.opening = kept_opening_hours(lambda: self.show.hours, self.wall, honour=honour,
                                          path=self.state_dir / f"{self.show_path.stem}.hours.json")
        self._hours_seen: tuple[bool, bool] | None = None  # (open, scheduled open) last logged
        self.light_path = self.state_dir / f"{self.show_path.stem}.light.json"
        self.operator_blackout, self.grand_master_level = self._read_light()
        self.panicked = False  # PANIC shown until the next GO, act change or cue start
        self._hours_view: tuple[tuple[int, Any], dict[str, Any]] | None = None
        self.loop = RealtimeLoop(self.clock)
        self.logbuf = _LogBuffer(self.clock, self.wall)
        self.notifier = Notifier() if self.options.notify else Notifier({})
        self.log_files = LogFiles(self.state_dir, self.show_path.stem, wall=self.wall)
        self.engine: Engine = self._new_engine()
        self.adapters: Any = None  # installation.runtime.wiring.Adapters, built in start()
        self.watcher: Any = None  # installation.runtime.reload.ShowWatcher, built in start()
        self._params: dict[str, float] = {}
        self._params_version = 0
        self._state: ShowState = {}
        self._state_t = -math.inf
        self._journal_t = -math.inf
        self._journal_last = ""
        self._journal_due = False
        self._answers: list[tuple[concurrent.futures.Future[Any], Any]] = []
        self._last_step_t = -math.inf  # clock time of the engine loop's last turn (liveness, /health)
        self._due_t: float | None = None  # the deadline the engine loop last asked to be woken at
        self.loop_lateness: collections.deque[float] = collections.deque(maxlen=4096)  # seconds, recent
        self._watchdog_t = -math.inf
        self._status_t = -math.inf
        self._last_presence: Presence | None = None
        self._pending_show: Show | None = None
        self.reload_problems: list[Problem] = []
        self.reloads = 0  # shows applied by hot reload
        self.engine_stall_s = ENGINE_STALL_S
        self._reload_since = self.clock.now()
        self._subscribers: list[Callable[[EventKind], None]] = []
        self._timeline_listeners: list[Callable[[TimelineEvent], None]] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._started = False
        self._visitors: dict[str, tuple[float, float]] = {}
        self._visitor_ids = 0
        self._visitor_lock = threading.Lock()

    # ------------------------------------------------------------------------------------ engine
    def _time_of_day(self) -> float:
        now = self.wall()
        return now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6

    def _is_open(self) -> bool:
        return self.opening.open_at(self.wall())

    def _new_engine(self) -> Engine:
        now_open = self._is_open()
        kwargs: dict[str, Any] = {"time_of_day": self._time_of_day, "is_open": now_open}
        state = self._read_journal() if self.options.resume else None
        if state is not None:
            if state.get("open", True) and not now_open:
                # the power came back after closing time: resume dark, the hours watch opens at opening
                state = {**state, "open": False, "closing": False}
            kwargs["is_open"] = bool(state.get("open", True))
            log.info(
                "resuming %r from %s: act %s, %.1f s into it%s",
                self.show.name,
                self.journal_path,
                state.get("act"),
                float(state.get("time_in_act_s", 0.0)),
                "" if state.get("open", True) else " (closed: dark until opening)",
            )
            engine = Engine.from_journal(self.show, self.clock, state, **kwargs)
        else:
            engine = Engine(self.show, self.clock, **kwargs)
        engine.subscribe(self._on_timeline)
        return engine

    def _read_journal(self) -> dict[str, Any] | None:
        """The newest fully valid journal entry of this show; a corrupt file is set aside (one log line)."""
        path = self.journal_path
        try:
            reading = journal.read_file(path, self.show.name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("%s: cannot read the journal (%s); starting from the top", path, exc)
            return None
        if not reading.corrupt:
            return reading.state
        state = reading.state
        first, why = reading.bad[0]
        try:
            aside = f"kept aside as {journal.set_aside(path).name}"
        except OSError as exc:
            aside = f"could not be set aside ({exc})"
        else:
            try:
                if state is not None:  # the next start resumes here too, even if this one dies first
                    journal.replace_file(path, journal.encode(state) + "\n")
            except OSError as exc:
                aside += f" (a fresh journal could not be written: {exc})"
        if state is not None:
            outcome = (f"resuming from line {reading.line}: act {state['act']!r}, "
                       f"{float(state['time_in_act_s']):.1f} s into it")
        else:
            outcome = "no valid entry: starting from the top"
        log.warning("%s: journal corrupt: %d of %d lines bad (line %d: %s); %s; %s",
                    path, len(reading.bad), reading.lines, first, why, aside, outcome)
        return state

    def _write_journal(self, now: float, force: bool = False) -> None:
        if not force and now - self._journal_t < JOURNAL_EVERY_S:
            return
        self._journal_t = now
        line = journal.encode(self.engine.journal_state())
        if line == self._journal_last:
            return
        self._journal_last = line
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            if self.journal_path.exists() and self.journal_path.stat().st_size > JOURNAL_MAX_BYTES:
                journal.replace_file(self.journal_path, line + "\n")  # fsyncs the file, then the folder
                return
            created = not self.journal_path.exists()
            with self.journal_path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()
                os.fsync(f.fileno())
            if created:
                journal.fsync_dir(self.state_dir)
        except OSError as exc:
            log.error(
                "%s: cannot write the journal (%s); a restart will not resume here — free disk "
                "space or fix permissions",
                self.journal_path,
                exc,
            )

    def subscribe_timeline(self, callback: Callable[[TimelineEvent], None]) -> None:
        """Call `callback(event)` (on the engine loop) for every timeline event, across hot reloads too."""
        self._timeline_listeners.append(callback)

    def _on_timeline(self, event: TimelineEvent) -> None:
        for listener in list(self._timeline_listeners):
            try:
                listener(event)
            except Exception:
                log.exception("timeline listener failed")
        if event.kind in JOURNAL_NOW_KINDS:
            self._journal_due = True  # written at the end of this loop turn (not inside the engine call)
        if event.kind == "closing" and self.adapters is not None:
            # the engine fades light and sound over its close fade; the projection follows it to black
            self.adapters.fade_to_black(self.engine.close_fade_s)
        if event.kind in (
            "act",
            "start",
            "stop",
            "panic",
            "stop-all",
            "closed",
            "open",
            "closing",
            "warning",
            "presence",
            "trigger",
            "pause",
            "resume",
            "go-ignored",
        ):
            what = f"{event.kind} {event.cue}".strip()
            detail = f" ({event.detail})" if event.detail else ""
            level = "warning" if event.kind in ("warning", "panic") else "info"
            where = f"[{event.act}] " if event.act else ""
            # through logging: the panel's log (source "engine"), the terminal, the log file, journald
            log.log(logging.WARNING if level == "warning" else logging.INFO, "%s%s%s", where, what, detail,
                    extra={"source": "engine"})
        self._notify("state")

    def _step(self, now: float) -> float | None:
        """One turn of the engine loop: advance, dispatch commands, publish parameters and state."""
        self._last_step_t = now
        due = self._due_t
        if due is not None and now >= due:  # woken by its deadline (not early by a command): how late?
            self.loop_lateness.append(now - due)
        if self._pending_show is not None:
            self._apply_pending_show()
        engine = self.engine
        if self.adapters is not None:
            for snap in self.adapters.drain_presence():
                self._last_presence = snap
                engine.presence(snap)
        engine.tick()
        commands = engine.drain_commands()
        if commands:
            self._dispatch(commands)
        self._params = engine.params.snapshot()
        self._params_version += 1
        if now - self._state_t >= STATE_PUBLISH_S:
            self._state_t = now
            self._state = self._build_state()
        self._write_journal(now, force=self._journal_due)
        self._journal_due = False
        if self._answers:
            answers, self._answers = self._answers, []
            for future, value in answers:
                future.set_result(value)
        self._systemd(now)
        deadline = engine.next_deadline()
        if engine.busy():
            step = now + ENGINE_STEP_S
            deadline = step if deadline is None else min(deadline, step)
        self._due_t = deadline
        return deadline

    def lateness_ms(self) -> tuple[float, float, float]:
        """(median, p99, max) in ms of how late the engine loop woke for its recent deadlines."""
        late = sorted(self.loop_lateness)
        if not late:
            return 0.0, 0.0, 0.0
        return (late[len(late) // 2] * 1e3, late[min(len(late) - 1, int(0.99 * len(late)))] * 1e3,
                late[-1] * 1e3)

    def _dispatch(self, commands: list[Command]) -> None:
        adapters = self.adapters
        for cmd in commands:
            if adapters is None:
                continue
            try:
                match cmd:
                    case OscSend():
                        adapters.send_osc(cmd.endpoint, cmd.address, cmd.args, dict(cmd.fields))
                    case SerialSend():
                        adapters.send_serial(cmd.device, cmd.command, cmd.args)
                    case SceneChange():
                        adapters.scene_change(cmd)
                    case SoundscapeChange():
                        adapters.soundscape_change(self.show.act(cmd.act), cmd.transition_s)
                    case Panic():
                        adapters.panic(cmd.fade_s)
                    case Blackout():
                        adapters.blackout(cmd.on)
            except Exception as exc:  # an adapter fault never stops the engine
                log.error("sending %s failed: %s", cmd.__class__.__name__, exc)

    def check_hours(self) -> bool | None:
        """Compare the opening hours at the wall time with the engine; tell it on a change (on its loop).

        Returns the new open state when the engine was told, else None. The hours thread calls this
        every second; tests call it with an injected wall clock.
        """
        wall = self.wall()
        expired = self.opening.expire(wall)
        if expired is not None:
            log.info("hours: the operator's %s-now ended at %s; following the schedule",
                     "open" if expired.open else "close", f"{expired.until:%H:%M}")
            self._hours_view = None
        now_open = self.opening.open_at(wall)
        self._log_hours(wall, now_open)
        if now_open == self.engine.is_open:
            return None

        def tell() -> None:
            if self.engine.is_open != now_open:
                self.engine.set_open(now_open)

        self._on_loop(tell)
        return now_open

    def _log_hours(self, wall: dt.datetime, now_open: bool) -> None:
        """One terminal line at start and at every open/close change (real or, rehearsing, scheduled)."""
        seen = (now_open, self.opening.scheduled(wall))
        if seen == self._hours_seen:
            return
        self._hours_seen = seen
        self._hours_view = None
        log.info("hours: %s", self.opening.status(wall))

    def _hours_watch(self) -> None:
        """Tell the engine when the opening hours open or close (checked every second)."""
        while not self._stopping.wait(HOURS_CHECK_S):
            self.check_hours()

    def _on_loop(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the engine loop (at once when the loop is not running: tests, start-up)."""
        if self._threads and not self._stopping.is_set():
            self.loop.call_soon_threadsafe(fn)
        else:
            fn()

    # ------------------------------------------------------------------------------------ systemd
    def _systemd(self, now: float) -> None:
        """WATCHDOG=1 from the engine loop (a hung loop stops the pings: systemd restarts us); STATUS=."""
        notifier = self.notifier
        if not notifier.enabled:
            return
        if notifier.watchdog_s is not None and now - self._watchdog_t >= notifier.watchdog_s / 3:
            self._watchdog_t = now
            notifier.watchdog()
        if now - self._status_t >= STATUS_EVERY_S:
            self._status_t = now
            notifier.status(self.status_line())

    def status_line(self) -> str:
        """One line for `systemctl status`: act, open/closed, playhead, problems."""
        st = self._state
        if not st.get("open", True):
            where = "dark"
        else:
            where = f"act {st.get('act') or '-'}, {float(st.get('act_elapsed_s', 0.0)):.0f} s in"
            if st.get("selected"):
                where += f", next cue {st['selected']}"
        where += f"; {self.opening.status(self.wall())}"
        down = [h.name for h in (self.adapters.health() if self.adapters is not None else [])
                if h.state == HealthState.DOWN]
        extra = f"; down: {', '.join(down)}" if down else ""
        if self.reload_problems:
            extra += f"; reload rejected: {self.reload_problems[0]}"
        return f"{self.show.name}: {where}{extra}"

    # ------------------------------------------------------------------------------------ hot reload
    def offer_show(self, show: Show) -> None:
        """A validated new version of the show (any thread): applied on the engine loop at a safe point."""

        def offer() -> None:
            self._pending_show = show
            self.loop.wake()

        self._on_loop(offer)
        if not self._threads:
            self._apply_pending_show()

    def reject_show(self, problems: list[Problem]) -> None:
        """A change that does not load (any thread): keep the running show, show the problems."""
        if [str(p) for p in problems] != [str(p) for p in self.reload_problems]:
            self._reload_since = self.clock.now()
        self.reload_problems = list(problems)
        self._notify("health")

    def _safe_to_reload(self) -> bool:
        # never in the middle of the closing fade: the new engine would cut it short
        return not self.engine.state().closing

    def _apply_pending_show(self) -> None:
        """Rebuild the engine from its own journal state against the new show; re-point the adapters."""
        new = self._pending_show
        if new is None or not self._safe_to_reload():
            return
        self._pending_show = None
        old_show, old_engine = self.show, self.engine
        try:
            state = old_engine.journal_state()
            engine = Engine.from_journal(new, self.clock, state, time_of_day=self._time_of_day,
                                         is_open=bool(state.get("open", True)))
            engine.tick()  # restores here: same act, time in act, cues, playhead, levels and fades
            if self._last_presence is not None:
                engine.presence(self._last_presence)
            commands = self._reload_commands(old_show, new, engine.drain_commands())
        except Exception as exc:  # a show that loads but cannot run here: keep the old one
            log.error("reload of %s failed while rebuilding the engine (%s: %s); the running version "
                      "carries on", self.show_path.name, exc.__class__.__name__, exc)
            self.reject_show([Problem(str(self.show_path), 1, 1, f"cannot apply: {exc}", "")])
            return
        self.show, self.engine = new, engine
        engine.subscribe(self._on_timeline)
        if self.adapters is not None:
            self.adapters.show_changed(old_show, new)
        self._dispatch(commands)
        self._params = engine.params.snapshot()
        self._params_version += 1
        self.reloads += 1
        self.reload_problems = []
        self._journal_due = True
        self._state = self._build_state()
        log.info("reloaded %s: act %s carries on (reload %d)", self.show_path.name, engine.act, self.reloads)
        self._notify("state")
        self._notify("health")

    def _reload_commands(self, old: Show, new: Show, commands: list[Command]) -> list[Command]:
        """What a restore emits, less what would disturb the running act: an unchanged scene or sound."""
        out: list[Command] = []
        for cmd in commands:
            before = old.acts.get(cmd.act) if isinstance(cmd, SceneChange | SoundscapeChange) else None
            if isinstance(cmd, SceneChange):
                if before is not None and before.scene == cmd.scene_path:
                    continue
                out.append(dataclasses.replace(cmd, transition_s=RELOAD_SCENE_S))
            elif isinstance(cmd, SoundscapeChange):
                if before is not None and before.soundscape == new.acts[cmd.act].soundscape:
                    continue
                out.append(dataclasses.replace(cmd, transition_s=RELOAD_SOUND_S))
            else:
                out.append(cmd)
        return out

    # ------------------------------------------------------------------------------------ output
    def _output_loop(self) -> None:
        period = 1.0 / OUTPUT_RATE_HZ
        next_t = self.clock.now()
        while not self._stopping.is_set():
            now = self.clock.now()
            # every frame, changed or not: sACN and Art-Net receivers expect a steady refresh
            if self.adapters is not None:
                self.adapters.update(self._params, now)
            next_t += period
            if next_t < now:  # fell behind (a stall): do not try to catch up in a burst
                next_t = now + period
            self._stopping.wait(max(0.0, next_t - self.clock.now()))

    # ------------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Open adapters and start the loops; returns at once."""
        from installation.runtime.wiring import Adapters

        if self._started:
            return
        self._started = True
        # the GIL is handed between threads every 0.5 ms instead of 5 ms: a GO waiting behind the camera or
        # the panel's JSON reaches the engine and the wire sooner
        sys.setswitchinterval(0.0005)
        package_log = logging.getLogger("installation")
        if package_log.getEffectiveLevel() > logging.INFO:  # embedded: the panel still shows INFO lines
            package_log.setLevel(logging.INFO)
        package_log.addHandler(self.logbuf)
        self.logbuf.listeners.append(lambda: self._notify("log"))
        if self.options.log_file:
            self.log_files.attach()
        log.info(
            "%s %r (%s) from %s",
            "rehearsing" if self.options.mode == "rehearse" else "running",
            self.show.name,
            self.show_path.name,
            self.state_dir,
        )
        # the engine starts (or restores from the journal) before the outputs open, so a restarted
        # controller's first DMX frame already carries the resumed levels: no flash of the defaults
        self.engine.tick()
        self._log_hours(self.wall(), self.engine.is_open)  # the first hours line, before any device
        self._params = self.engine.params.snapshot()
        self.adapters = Adapters(self)
        # the operator's BLACKOUT and grand master survive a restart: the first frame already has them
        self.adapters.operator_blackout = self.operator_blackout
        self.adapters.grand_master = self.grand_master_level
        if self.operator_blackout or self.grand_master_level != 1.0:
            log.warning("light: BLACKOUT %s, grand master %.0f%% (kept from before the restart)",
                        "on" if self.operator_blackout else "off", self.grand_master_level * 100)
        self.adapters.open()
        self._state = self._build_state()
        self._last_step_t = self.clock.now()
        for name, target in (
            ("engine", lambda: self.loop.run(self._step)),
            ("outputs", self._output_loop),
            ("hours", self._hours_watch),
        ):
            thread = threading.Thread(target=target, name=f"installation-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self.options.watch:
            from installation.runtime.reload import ShowWatcher

            self.watcher = ShowWatcher(self.show_path, lambda: self.show, self.offer_show, self.reject_show,
                                       ignore=[self.state_dir])
            self.watcher.start()
        self.notifier.ready(self.status_line())

    def shutdown(self) -> None:
        """Stop the loops, write the journal, close adapters; idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self.notifier.stopping()
        if self.watcher is not None:
            self.watcher.stop()
        self.loop.stop()
        for thread in self._threads:
            thread.join(timeout=5.0)
        try:
            self._write_journal(self.clock.now(), force=True)
        except Exception as exc:
            log.error("final journal write failed: %s", exc)
        if self.adapters is not None:
            self.adapters.close()
        logging.getLogger("installation").removeHandler(self.logbuf)
        self.log_files.detach()
        self.notifier.close()

    def run_forever(self) -> int:
        """Start, then wait for SIGINT/SIGTERM (or --duration); exit code 0."""
        done = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            log.info("signal %s: stopping", signal.Signals(signum).name)
            done.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        self.start()
        try:
            done.wait(self.options.duration_s)
        finally:
            self.shutdown()
        return 0

    # ------------------------------------------------------------------------------------ helpers
    def _notify(self, kind: EventKind) -> None:
        for callback in list(self._subscribers):
            try:
                callback(kind)
            except Exception:
                log.exception("subscriber failed")

    def call(self, fn: Callable[[Engine], Any], what: str, source: str) -> Result:
        """Run `fn(engine)` on the engine loop and wait (briefly) for its result; log with the source."""
        log.info("%s from %s", what, source, extra={"source": source})
        if not self._started:
            try:
                value = fn(self.engine)
            except (KeyError, ValueError, InstallationError) as exc:
                return Result.error(f"{what}: {exc}")
            return Result.success(what, value if _jsonable(value) else None)
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                value = fn(self.engine)
            except Exception as exc:
                future.set_exception(exc)
            else:
                self._journal_due = True  # an operator's command is on disk before the next turn ends
                self._state_t = -math.inf  # the state the reply reflects is rebuilt in this turn
                # answered at the end of this loop turn: after the outputs are dispatched, with fresh state
                self._answers.append((future, value))

        self.loop.call_soon_threadsafe(run)
        try:
            value = future.result(timeout=COMMAND_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            return Result.error(f"{what}: the engine did not answer within {COMMAND_TIMEOUT_S:.0f} s")
        except (KeyError, ValueError, InstallationError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            return Result.error(f"{what}: {message}")
        self._notify("state")
        return Result.success(what, value if _jsonable(value) else None)

    def _build_state(self) -> ShowState:
        es = self.engine.state()
        cues = []
        act = self.show.acts.get(es.act or "")
        by_name = {c.name: c for c in act.all_cues()} if act is not None else {}
        for c in es.cues:
            d = c.to_dict()
            cue = by_name.get(c.name)
            if cue is not None:
                d.update(
                    pre_wait_s=cue.pre_wait_s,
                    duration_s=cue.duration_s,
                    post_wait_s=cue.post_wait_s,
                    continue_mode=cue.continue_mode.value,
                )
            cues.append(d)
        playhead = es.playhead
        names = [c["name"] for c in cues if c.get("depth", 0) == 0]
        nxt = None
        if playhead in names:
            i = names.index(playhead)
            nxt = names[i + 1] if i + 1 < len(names) else None
        return {
            "show": self.show.name,
            "mode": "live" if self.options.mode == "live" else "rehearse",
            "open": es.open,
            "paused": es.paused,
            "act": es.act or "",
            "acts": list(es.acts),
            "idle_act": es.idle_act,
            "act_elapsed_s": es.time_in_act_s,
            "cues": cues,  # type: ignore[typeddict-item]
            "selected": playhead,
            "next": nxt,
            "t": es.t,
            "hours": self._hours_state(),
            "light": {"blackout": self.operator_blackout, "grand_master": self.grand_master_level},
            "panicked": self.panicked,
        }

    def _hours_state(self) -> dict[str, Any]:
        """The panel's hours view, worked out once per wall-clock second (the state is built at 20 Hz)."""
        wall = self.wall()
        key = (int(wall.timestamp()), self.opening.override)
        cached = self._hours_view
        if cached is not None and cached[0] == key:
            return cached[1]
        view = self.opening.view(wall)
        self._hours_view = (key, view)
        return view

    # ------------------------------------------------------------------------------------ light
    def _read_light(self) -> tuple[bool, float]:
        data = statefile.read(self.light_path, "light settings") or {}
        blackout = data.get("blackout") is True
        level = data.get("grand_master", 1.0)
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0.0 <= level <= 1.0:
            level = 1.0
        return blackout, float(level)

    def _apply_light(self) -> None:
        if self.adapters is not None:
            self.adapters.light_controls(self.operator_blackout, self.grand_master_level)

    def light_blackout(self, on: bool, *, source: str) -> Result:
        """The operator's BLACKOUT: every light dark (sound and picture carry on); kept across restarts."""
        return self._set_light(bool(on), self.grand_master_level, f"BLACKOUT {'on' if on else 'off'}", source)

    def grand_master(self, level: float, *, source: str) -> Result:
        """The operator's grand master, 0..1: scales every light; kept across restarts."""
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0.0 <= level <= 1.0:
            return Result.error(f"grand master must be 0..1, not {level!r}")
        what = f"grand master {level * 100:.0f}%"
        return self._set_light(self.operator_blackout, float(level), what, source)

    def _set_light(self, blackout: bool, level: float, what: str, source: str) -> Result:
        def apply(_engine: Engine) -> dict[str, Any]:
            self.operator_blackout, self.grand_master_level = blackout, level
            statefile.write(self.light_path, self._light_view(), "light settings")
            self._apply_light()
            return self._light_view()

        return self.call(apply, what, source)

    def _light_view(self) -> dict[str, Any]:
        return {"blackout": self.operator_blackout, "grand_master": self.grand_master_level}

    def _closed(self) -> Result | None:
        """A show command while closed is refused with the reason (never an ok that does nothing)."""
        if self.engine.is_open:
            return None
        return Result.denied(self.opening.refusal(self.wall()))

    # ------------------------------------------------------------------------------------ hours
    def hours_open(self, until: str, *, source: str) -> Result:
        """Open now until HH:MM (a private event, a press preview), whatever the schedule says."""
        return self._override(True, until, source)

    def hours_close(self, until: str, *, source: str) -> Result:
        """Close now until HH:MM (maintenance): fade to dark; show commands are refused meanwhile."""
        return self._override(False, until, source)

    def hours_schedule(self, *, source: str) -> Result:
        """End an override: back to the opening hours."""
        log.info("hours: back to the schedule, by %s", source, extra={"source": source})
        had = self.opening.clear()
        self._hours_view = None
        self.check_hours()
        self._notify("state")
        return Result.success("following the opening hours" + ("" if had else " (no override was set)"),
                              self.opening.view(self.wall()))

    def _override(self, open_: bool, until: str, source: str) -> Result:
        verb = "open" if open_ else "close"
        try:
            override = self.opening.set_override(open_, until, self.wall(), source)
        except ValueError as exc:
            return Result.error(f"{verb} now: {exc}")
        log.info("hours: %s now until %s, by %s", verb, f"{override.until:%a %H:%M}", source,
                 extra={"source": source})
        self._hours_view = None
        self.check_hours()
        self._notify("state")
        return Result.success(f"{verb} now until {override.until:%H:%M}", self.opening.view(self.wall()))

    # ------------------------------------------------------------------------------------ Controller
    def _unpanic(self, result: Result) -> Result:
        if result.ok:
            self.panicked = False
        return result

    def go(self, *, source: str, number: str | None = None) -> Result:
        what = "GO" if number is None else f"GO {number}"
        return self._closed() or self._unpanic(self.call(lambda e: e.go(number), what, source))

    def stop(self, *, source: str, fade_s: float | None = None) -> Result:
        if fade_s is not None and not (math.isfinite(fade_s) and fade_s >= 0):
            return Result.error(f"stop fade must be a time ≥ 0 s, not {fade_s!r}")
        what = "STOP" if fade_s is None else f"STOP over {fade_s:g} s"
        return self.call(lambda e: e.stop(fade_s), what, source)

    def panic(self, *, source: str, fade_s: float | None = None) -> Result:
        if fade_s is not None and not (math.isfinite(fade_s) and fade_s >= 0):
            return Result.error(f"panic fade must be a time ≥ 0 s, not {fade_s!r}")

        def run(e: Engine) -> None:
            show_fade = e.panic_fade_s
            if fade_s is not None:  # QLab's /panicInTime: this panic only
                e.panic_fade_s = fade_s
            try:
                e.panic()
            finally:
                e.panic_fade_s = show_fade

        result = self.call(run, "PANIC" if fade_s is None else f"PANIC over {fade_s:g} s", source)
        if result.ok:
            self.panicked = True
            self._state_t = -math.inf
        return result

    def pause(self, *, source: str) -> Result:
        return self._closed() or self.call(lambda e: e.pause(), "pause", source)

    def resume(self, *, source: str) -> Result:
        return self._closed() or self.call(lambda e: e.resume(), "resume", source)

    def goto_act(self, name: str, *, source: str) -> Result:
        if name not in self.show.acts:
            return Result.error(f"no act {name!r} (acts: {', '.join(self.show.act_names)})")
        return self._closed() or self._unpanic(
            self.call(lambda e: e.goto_act(name), f"act {name}", source)
        )

    def _check_cue(self, name: str) -> Result | None:
        act = self.show.act(self._state.get("act") or self.show.start_act)
        try:
            act.cue(name)
        except KeyError:
            names = ", ".join(c.name for c in act.all_cues())
            return Result.error(f"no cue {name!r} in act {act.name!r} (cues: {names})")
        return None

    def start_cue(self, name: str, *, source: str) -> Result:
        return self._closed() or self._check_cue(name) or self.call(
            lambda e: e.start_cue(name), f"start cue {name}", source
        )

    def stop_cue(self, name: str, *, source: str) -> Result:
        return self._check_cue(name) or self.call(lambda e: e.stop_cue(name), f"stop cue {name}", source)

    def load_cue(self, name: str, at_s: float, *, source: str) -> Result:
        if not math.isfinite(at_s) or at_s < 0:
            return Result.error(f"load time must be ≥ 0 s, not {at_s!r}")
        return self._closed() or self._check_cue(name) or self.call(
            lambda e: e.load_cue(name, at_s), f"load cue {name} at {at_s:g} s", source
        )

    def select_cue(self, name: str, *, source: str) -> Result:
        def select(e: Engine) -> None:
            seq = e.sequencer
            if seq is None:
                raise ValueError("no act is running")
            index = seq.top_index(name)
            if index is None:
                raise ValueError(f"{name!r} is inside a group: select its group instead")
            seq.playhead = index

        return self._closed() or self._check_cue(name) or self.call(select, f"select cue {name}", source)

    def pause_cue(self, name: str, *, source: str) -> Result:
        return self._check_cue(name) or self.call(lambda e: e.pause_cue(name), f"pause cue {name}", source)

    def resume_cue(self, name: str, *, source: str) -> Result:
        bad = self._closed() or self._check_cue(name)
        if bad is not None:
            return bad
        if not any(c.get("name") == name and c.get("paused") for c in self._state.get("cues", [])):
            return Result.error(f"cue {name!r} is not paused")
        return self.call(lambda e: e.start_cue(name), f"resume cue {name}", source)

    def reset_cue(self, name: str, *, source: str) -> Result:
        bad = None if name == "all" else self._check_cue(name)
        return bad or self.call(lambda e: e.reset_cue(name), f"reset {name}", source)

    def arm_cue(self, name: str, armed: bool, *, source: str) -> Result:
        verb = "arm" if armed else "disarm"
        return self._check_cue(name) or self.call(
            lambda e: e.arm_cue(name, armed), f"{verb} cue {name}", source
        )

    def devamp_cue(self, name: str, *, source: str) -> Result:
        return self._check_cue(name) or self.call(lambda e: e.devamp_cue(name), f"devamp cue {name}", source)

    def cue_lists(self) -> list[CueListView]:
        lists: list[CueListView] = []
        for act_name in self.show.act_names:
            cues: list[CueView] = []
            stack = [(cue, 0) for cue in reversed(self.show.acts[act_name].cues)]
            while stack:
                cue, depth = stack.pop()
                cues.append({"name": cue.name, "number": cue.number, "kind": cue.kind, "depth": depth,
                             "armed": cue.armed})
                if isinstance(cue, GroupCue):
                    stack.extend((child, depth + 1) for child in reversed(cue.children))
            lists.append({"act": act_name, "cues": cues})
        return lists

    def set_param(self, path: str, value: float | str, *, source: str) -> Result:
        if path not in self.param_names():
            return Result.error(f"unknown parameter {path!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            return Result.error(f"{path}: {value!r} is not a number")
        if not math.isfinite(number):
            return Result.error(f"{path}: {value!r} is not a finite number")
        return self._closed() or self.call(
            lambda e: e.set_param(path, number), f"set {path} = {number:g}", source
        )

    def command(self, name: str, *, source: str) -> Result:
        def run(e: Engine) -> bool:
            if not e.command(name):
                raise ValueError(f"no trigger of act {e.act!r} listens to {name!r}")
            return True

        return self._closed() or self.call(run, f"command {name}", source)

    def state(self) -> ShowState:
        return self._state

    def health(self) -> list[HealthView]:
        items: list[Health] = [self._engine_health(), self._show_health()]
        if self.adapters is not None:
            items.extend(self.adapters.health())
        return [health_view(h) for h in items]

    def _engine_health(self) -> Health:
        """The engine loop's liveness: DOWN when it has not turned for ENGINE_STALL_S (a hung loop)."""
        now = self.clock.now()
        if not self._started or self._stopping.is_set():
            return Health("engine", HealthState.OFF, "not running", now)
        age = now - self._last_step_t
        if age > self.engine_stall_s:
            return Health("engine", HealthState.DOWN,
                          f"engine loop has not stepped for {age:.1f} s (stuck); restart the show",
                          self._last_step_t, "engine loop stalled")
        act = self._state.get("act") or "-"
        where = f"act {act}" if self._state.get("open", True) else "closed"
        _, p99, worst = self.lateness_ms()
        return Health("engine", HealthState.OK, f"{where}; last step {age * 1000:.0f} ms ago; "
                      f"wakes late p99 {p99:.1f} ms, max {worst:.0f} ms", self._last_step_t)

    def _show_health(self) -> Health:
        """The show file: DEGRADED while the last edit is rejected (the previous version runs)."""
        problems = self.reload_problems
        if problems:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            return Health("show", HealthState.DEGRADED,
                          f"edit rejected, previous version running: {problems[0]}{more}",
                          self._reload_since, str(problems[0]))
        detail = f"{self.show_path.name}" + (f", reloaded {self.reloads}×" if self.reloads else "")
        return Health("show", HealthState.OK, detail, self._reload_since)

    def log_tail(self, n: int) -> list[LogLine]:
        return self.logbuf.tail(n)

    def presence_view(self) -> PresenceView:
        return {} if self.adapters is None else self.adapters.presence_view()

    def camera_frame(self) -> bytes | None:
        return None if self.adapters is None else self.adapters.camera_frame()

    def rig_view(self) -> RigView:
        return {} if self.adapters is None else self.adapters.rig_view()

    def projection_frame(self) -> bytes | None:
        return None if self.adapters is None else self.adapters.projection_frame()

    def audio_levels(self) -> AudioLevels:
        return {"channels": []} if self.adapters is None else self.adapters.audio_levels()

    def param_names(self) -> Collection[str]:
        act = self._state.get("act") or self.show.start_act
        return self.show.act_params(act).keys()

    def replay_files(self) -> list[str]:
        root = self.show.root
        found = sorted(p.relative_to(root).as_posix() for p in root.glob("recordings/*.jsonl"))
        return found

    # rehearse: simulated visitors are drawn into the synthetic camera's frames (the real pipeline sees them)
    def _rehearse_only(self) -> Result | None:
        if self.options.mode != "rehearse":
            return Result.denied("simulated visitors exist only in rehearse mode")
        return None

    def visitor_add(self, x: float, y: float, *, source: str) -> Result:
        denied = self._rehearse_only()
        if denied:
            return denied
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            return Result.error("visitor position must be inside the frame (0..1)")
        with self._visitor_lock:
            if len(self._visitors) >= MAX_VISITORS:
                return Result.error(f"already {MAX_VISITORS} simulated visitors (the most a rehearsal "
                                    "holds); remove some first")
            self._visitor_ids += 1
            vid = f"v{self._visitor_ids}"
            self._visitors[vid] = (x, y)
        log.info("visitor %s added at (%.2f, %.2f) by %s", vid, x, y, source, extra={"source": source})
        return Result.success(f"visitor {vid} added", {"id": vid})

    def visitor_move(self, visitor_id: str, x: float, y: float, *, source: str) -> Result:
        denied = self._rehearse_only()
        if denied:
            return denied
        with self._visitor_lock:
            if visitor_id not in self._visitors:
                return Result.error(f"no visitor {visitor_id!r}")
            self._visitors[visitor_id] = (min(1.0, max(0.0, x)), min(1.0, max(0.0, y)))
        return Result.success(f"visitor {visitor_id} moved")

    def visitor_remove(self, visitor_id: str, *, source: str) -> Result:
        denied = self._rehearse_only()
        if denied:
            return denied
        with self._visitor_lock:
            if self._visitors.pop(visitor_id, None) is None:
                return Result.error(f"no visitor {visitor_id!r}")
        log.info("visitor %s removed by %s", visitor_id, source, extra={"source": source})
        return Result.success(f"visitor {visitor_id} removed")

    def simulated_people(self, t: float) -> list[Person]:
        """The panel's visitors as people for the synthetic camera (ids 1000+ keep clear of scripts)."""
        with self._visitor_lock:
            items = list(self._visitors.items())
        # drawn at the size a person has at that depth (perspective), as scripted visitors are
        return [Person(id=1000 + int(vid[1:]), x=x, y=y) for vid, (x, y) in items]

    def visitors(self) -> dict[str, tuple[float, float]]:
        with self._visitor_lock:
            return dict(self._visitors)

    def replay(self, path: str, speed: float, *, source: str) -> Result:
        denied = self._rehearse_only()
        if denied:
            return denied
        if path and path not in self.replay_files():
            known = ", ".join(self.replay_files()) or "none"
            return Result.error(f"no recording {path!r} (recordings: {known})")
        if not (1.0 <= speed <= 60.0):
            return Result.error("replay speed must be 1× to 60×")
        if self.adapters is None:
            return Result.error("presence is not running")
        return self.adapters.replay(self.show.root / path if path else None, speed)

    def subscribe(self, callback: Callable[[EventKind], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def feed_presence(self, snap: Presence) -> None:
        """Hand a presence snapshot to the engine (from any thread)."""
        self.loop.call_soon_threadsafe(lambda: self.engine.presence(snap))


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str, list, dict))


def health_down(name: str, detail: str, since: float) -> Health:
    """A Health for an adapter that could not even be built."""
    return Health(name, HealthState.DOWN, detail, since, detail)


__all__ = ["Runtime", "RuntimeOptions", "ShowError", "health_down"]
