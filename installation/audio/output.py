"""The runtime's audio adapter: drives the audio child process, restarts it with backoff, never blocks."""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Protocol

from installation.adapters import Adapter, Health, HealthState
from installation.audio.config import BACKENDS, AudioConfig, ChildOptions
from installation.audio.control import AudioControl
from installation.audio.soundscape import SILENCE, Soundscape
from installation.errors import DeviceError
from installation.platform.childproc import describe_exit, relay_output

log = logging.getLogger(__name__)

RESUME_FADE_S = 0.5  # a restarted child fades the current act back in over this


class ClockLike(Protocol):
    """Anything with now() in seconds (installation.engine.clock.Clock)."""

    def now(self) -> float: ...


@dataclass(frozen=True, slots=True)
class AudioStatus:
    """The latest report from the child: for the web panel's audio view and tests."""

    running: bool = False  # a child is alive and has reported ready
    pid: int | None = None
    act: str | None = None
    time_s: float = 0.0  # audio time of this child incarnation
    level_db: float = 0.0
    trim_db: float = 0.0
    muted: bool = False
    soundscapes: int = 0  # live soundscapes (2 during a crossfade)
    peak_db: tuple[float, ...] = ()  # per channel, since the previous report
    rms_db: tuple[float, ...] = ()
    errors: tuple[str, ...] = ()  # layers that could not be built
    restarts: int = 0
    reports: int = 0  # status messages received from this incarnation


@dataclass
class _Child:
    process: Any
    conn: Any
    outbox: queue.SimpleQueue[tuple[Any, ...] | None] = field(default_factory=queue.SimpleQueue)
    started_at: float = 0.0
    ready: bool = False
    error: str = ""
    reader: threading.Thread | None = None


class AudioOutput(AudioControl, Adapter):
    """Soundscapes for a show, played by a child process (pyo) so a native crash never stops the show.

    The runtime calls update(params, now) every output frame (only changed `audio.*` values are sent; the
    child is supervised and restarted with backoff there), change_soundscape()/handle() on the engine's
    SoundscapeChange and Panic commands, and health()/status() for the panel. Nothing here waits for the
    child: messages go through a writer thread.
    """

    name = "audio"

    def __init__(
        self,
        soundscapes: Mapping[str, Soundscape],
        config: AudioConfig | None = None,
        clock: ClockLike | None = None,
    ) -> None:
        self.config = config or AudioConfig()
        if self.config.backend not in BACKENDS:
            raise DeviceError(f"audio backend {self.config.backend!r} is unknown (use {', '.join(BACKENDS)})")
        super().__init__(soundscapes)
        self._clock = clock
        self._lock = threading.Lock()
        self._reported = threading.Condition(self._lock)
        self._report_count = 0  # status reports from every incarnation
        self._child: _Child | None = None
        self._opened = False
        self._restart_at: float | None = None
        self._backoff_s = self.config.restart_min_s
        self._restarts = 0
        self._status = AudioStatus()
        self._health = Health(self.name, HealthState.OFF, "not opened")
        self._last_now = 0.0
        self._on_spectrum: Callable[[Any], None] | None = None

    # -- Adapter -----------------------------------------------------------------------------------
    def open(self) -> None:
        """Start the audio child; a failure is reported through health(), never raised."""
        if self._opened:
            return
        self._opened = True
        if self.config.backend == "none":
            self._set_health(HealthState.OFF, "audio backend none: silent")
            return
        self._last_now = self._now()
        self._spawn(self._last_now)

    def close(self) -> None:
        """Stop the child (politely, then by force); idempotent."""
        self._opened = False
        child = self._child
        self._child = None
        if child is not None:
            child.outbox.put(("stop",))
            child.outbox.put(None)
            try:
                child.process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(timeout=2.0)
            child.conn.close()
        self._set_health(HealthState.OFF, "closed")

    def feed_spectrum(self, sink: Callable[[Any], None] | None) -> None:
        """Hand every waveform/FFT block of the soundscape to `sink` (the projection's audio inputs).

        `sink` is called on the reader thread and must not block (ProjectionOutput.update_audio stores).
        None stops the blocks.
        """
        self._on_spectrum = sink
        child = self._child
        if child is not None:
            child.outbox.put(("spectrum", sink is not None))

    def health(self) -> Health:
        """Current health; cheap and thread safe."""
        with self._lock:
            return self._health

    # -- what the runtime calls (update, change_soundscape, panic, unmute, handle: see AudioControl) ------
    def status(self) -> AudioStatus:
        """The child's latest report (levels, act, time) with the restart count."""
        with self._lock:
            return self._status

    @property
    def report_count(self) -> int:
        """How many status reports have arrived from any child so far."""
        with self._lock:
            return self._report_count

    def wait_report(self, after: int, timeout_s: float) -> AudioStatus | None:
        """Wait (on the child's messages, at most timeout_s) for a report beyond `after` (tests, checks)."""
        with self._reported:
            if self._reported.wait_for(lambda: self._report_count > after, timeout=timeout_s):
                return self._status
            return None

    @property
    def child_pid(self) -> int | None:
        """Process id of the current child (tests kill it)."""
        child = self._child
        return child.process.pid if child is not None else None

    # -- internals -----------------------------------------------------------------------------------
    def _now(self) -> float:
        return self._clock.now() if self._clock is not None else self._last_now

    def _post(self, message: tuple[Any, ...], now: float) -> None:
        child = self._child
        if child is not None:
            child.outbox.put(message)

    def _tick(self, now: float) -> None:
        self._last_now = now
        self._supervise(now)
        if self.config.backend == "manual":
            self._post(("clock", now), now)

    def _set_health(self, state: HealthState, detail: str, error: str = "") -> None:
        with self._lock:
            if state != self._health.state or detail != self._health.detail:
                since = self._health.since if state == self._health.state else self._last_now
                self._health = Health(self.name, state, detail, since, error or self._health.last_error)

    def _spawn(self, now: float) -> None:
        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYO_GUI_WX"] = "0"
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "installation.audio.child", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,  # pyo and the audio libraries print here: logged line by line
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # a terminal's Ctrl-C goes to the runtime, which closes us
            )
        except OSError as exc:
            mine.close()
            theirs.close()
            self._died(now, f"could not start the audio process: {exc}")
            return
        theirs.close()  # so that the child's death reads as EOF here
        conn = Connection(mine.detach())
        child = _Child(process, conn, started_at=now)
        self._child = child
        self._restart_at = None
        child.outbox.put(("options", ChildOptions(self.config, logging.getLogger().getEffectiveLevel())))
        child.reader = threading.Thread(target=self._reader, args=(child,), name="audio-reader", daemon=True)
        child.reader.start()
        threading.Thread(target=self._writer, args=(child,), name="audio-writer", daemon=True).start()
        threading.Thread(
            target=relay_output,
            args=(process.stdout, "audio-child", "audio library", log),
            name="audio-log",
            daemon=True,
        ).start()
        if self._act is not None:  # resume the current act where the show is
            child.outbox.put(
                ("soundscape", self._act, self.soundscapes.get(self._act, SILENCE), RESUME_FADE_S)
            )
        if self._sent:
            child.outbox.put(("params", dict(self._sent)))
        if self._muted:
            child.outbox.put(("mute", True, None))
        if self._on_spectrum is not None:
            child.outbox.put(("spectrum", True))
        if self.config.backend == "manual":
            child.outbox.put(("clock", now))
        self._set_health(
            HealthState.DEGRADED, f"audio engine starting (pid {process.pid}, {self.config.backend})"
        )
        log.info("audio child started: pid %s, backend %s", process.pid, self.config.backend)

    def _supervise(self, now: float) -> None:
        if not self._opened or self.config.backend == "none":
            return
        child = self._child
        if child is not None:
            code = child.process.poll()  # waitpid(WNOHANG): does not block
            if code is None:
                if child.ready and now - child.started_at >= self.config.stable_after_s:
                    self._backoff_s = self.config.restart_min_s
                return
            self._child = None
            child.outbox.put(None)
            if child.reader is not None:  # the child is gone: its last words (an error) are already here
                child.reader.join(timeout=0.05)
            child.conn.close()
            self._died(now, child.error or describe_exit(code, "audio engine", "the audio library"))
        if self._restart_at is not None and now >= self._restart_at:
            self._restarts += 1
            with self._lock:
                self._status = dataclasses.replace(self._status, running=False, restarts=self._restarts)
            self._spawn(now)

    def _died(self, now: float, reason: str) -> None:
        delay = self._backoff_s
        self._backoff_s = min(self._backoff_s * 2.0, self.config.restart_max_s)
        self._restart_at = now + delay
        with self._lock:
            self._status = AudioStatus(running=False, restarts=self._restarts)
        log.error("audio engine down: %s; restarting in %.1f s (show continues silent)", reason, delay)
        self._set_health(HealthState.DOWN, f"{reason}; restarting in {delay:.1f} s", reason)

    def _reader(self, child: _Child) -> None:
        while True:
            try:
                message = child.conn.recv()
            except (EOFError, OSError):
                return
            kind = message[0]
            if kind == "ready":
                child.ready = True
                info = message[1]
                with self._lock:  # nothing from the previous incarnation: no act, no levels until it reports
                    self._status = AudioStatus(running=True, pid=info["pid"], restarts=self._restarts)
                self._set_health(HealthState.OK, f"playing ({info['backend']}, pid {info['pid']})")
            elif kind == "status":
                state = message[1]
                with self._lock:
                    self._status = AudioStatus(
                        running=True,
                        pid=child.process.pid,
                        act=state["act"],
                        time_s=state["time_s"],
                        level_db=state["level_db"],
                        trim_db=state["trim_db"],
                        muted=state["muted"],
                        soundscapes=state["soundscapes"],
                        peak_db=tuple(state["peak_db"]),
                        rms_db=tuple(state["rms_db"]),
                        errors=tuple(state["errors"]),
                        restarts=self._restarts,
                        reports=self._status.reports + 1,
                    )
                    self._report_count += 1
                    self._reported.notify_all()
            elif kind == "spectrum":
                sink = self._on_spectrum
                if sink is not None:
                    sink(message[1])
            elif kind == "error":
                child.error = str(message[1])

    def _writer(self, child: _Child) -> None:
        while True:
            message = child.outbox.get()
            if message is None:
                return
            try:
                child.conn.send(message)
            except (BrokenPipeError, EOFError, OSError):
                return
