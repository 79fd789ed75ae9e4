"""The presence adapter: runs a feed in its own thread at camera rate and hands snapshots to the engine.

A *feed* produces snapshots: `FrameFeed` (a frame source through the pipeline) or `ReplayFeed` (a
recorded presence log). `PresenceSource` drives a feed: synchronously with `step()` (tests, virtual
time), or in a daemon thread after `open()`. Delivery never blocks: snapshots go to a callback (which
must be quick, e.g. `queue.put_nowait`) and to a bounded buffer read with `drain()` / `latest()`.
A feed that fails to open or stops delivering is reported (health DOWN), `Presence.unknown(t)` is
delivered once, and the feed is reopened with exponential backoff; the first good snapshot after that
is delivered as usual (known again).
"""

from __future__ import annotations

import abc
import collections
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from installation.adapters import Adapter, Health, HealthState
from installation.engine.presence import Person, Presence, ZoneState
from installation.errors import DeviceError, InstallationError
from installation.presence.pipeline import PresencePipeline
from installation.presence.record import read_log
from installation.presence.sources import FrameSource, SourceEnded

log = logging.getLogger(__name__)

Now = Callable[[], float]


def now_function(clock: object | None) -> Now:
    """A `() -> seconds` from a Clock (anything with `now()`), a plain callable, or None (monotonic)."""
    if clock is None:
        try:
            from installation.engine.clock import MonotonicClock  # type: ignore[import-not-found]

            return MonotonicClock().now  # type: ignore[no-any-return]
        except ImportError:  # the engine's clock module is not there yet
            import time

            return time.monotonic
    now = getattr(clock, "now", None)
    if callable(now):
        return now  # type: ignore[no-any-return]
    if callable(clock):
        return clock  # type: ignore[return-value]
    raise TypeError("clock must have now() or be a callable returning seconds")


class Feed(abc.ABC):
    """Something that yields presence snapshots: a camera through the pipeline, or a recorded log."""

    @abc.abstractmethod
    def describe(self) -> str:
        """One line naming the feed for health and logs."""

    @abc.abstractmethod
    def open(self, now: float) -> None:
        """Acquire the device or file; raises DeviceError (or InstallationError) with a fix."""

    @abc.abstractmethod
    def poll(self, now: float) -> Presence | None:
        """The next snapshot (may block up to one frame on live devices); None when nothing is due yet.
        Raises DeviceError when the device stopped delivering."""

    def next_due(self) -> float | None:
        """Clock time at which polling is worth it again (paced feeds); None = poll right away."""
        return None

    def notify_scene_change(self) -> None:  # noqa: B027 - optional hook: feeds without frames ignore it
        """The show changed the light or projection."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release everything; idempotent."""


class FrameFeed(Feed):
    """Frames from a FrameSource through a PresencePipeline, stamped with the clock time of the read."""

    def __init__(
        self,
        source: FrameSource,
        pipeline: PresencePipeline,
        frame_sink: Callable[[np.ndarray, float], None] | None = None,
    ) -> None:
        self.source = source
        self.pipeline = pipeline
        self.frame_sink = frame_sink  # only when the operator asked to keep frames
        self._due: float | None = None
        self._opened_before = False

    def describe(self) -> str:
        return self.source.describe()

    def open(self, now: float) -> None:
        self.source.open()
        if self._opened_before:
            self.pipeline.reset_tracking()  # people may have come and gone while it was down
        self._opened_before = True
        self._due = None

    def poll(self, now: float) -> Presence | None:
        frame = self.source.read()
        if frame is None:
            raise DeviceError(f"{self.source.describe()}: stopped delivering frames")
        period = self.source.period_s
        if period:  # keep the cadence; after a long stall start again from now
            late = self._due is None or now - self._due >= period
            self._due = now + period if late else self._due + period  # type: ignore[operator]
        if self.frame_sink is not None:
            self.frame_sink(frame, now)
        return self.pipeline.process(frame, now)

    def next_due(self) -> float | None:
        return self._due

    def notify_scene_change(self) -> None:
        self.pipeline.notify_scene_change()

    def close(self) -> None:
        self.source.close()


class ReplayFeed(Feed):
    """A recorded presence log played back against the clock (optionally faster, optionally looped)."""

    def __init__(self, path: Path, speed: float = 1.0, loop: bool = False) -> None:
        self.path = path
        self.speed = speed
        self.loop = loop
        self._it: Iterator[Presence] | None = None
        self._pending: Presence | None = None
        self._offset = 0.0  # clock time = recorded time / speed + offset
        self._last_rec: float | None = None
        self._last_out: float | None = None

    def describe(self) -> str:
        return f"replay {self.path}"

    def open(self, now: float) -> None:
        if not self.path.is_file():
            raise DeviceError(
                f"{self.describe()}: no such file (record one with `installation presence record`)"
            )
        self._it = read_log(self.path)
        self._pending = None
        self._last_rec = None
        self._start_at(now)

    def _start_at(self, now: float) -> None:
        self._pending = self._next_record()
        if self._pending is not None:
            self._offset = now - self._pending.t / self.speed

    def _next_record(self) -> Presence | None:
        assert self._it is not None
        try:
            rec = next(self._it)
        except StopIteration:
            return None
        except InstallationError as exc:
            raise DeviceError(str(exc)) from None
        if self._last_rec is not None and rec.t < self._last_rec and self._last_out is not None:
            # a new recording session in the same file: continue right after the previous one
            self._offset = self._last_out + 0.1 - rec.t / self.speed
        self._last_rec = rec.t
        return rec

    def poll(self, now: float) -> Presence | None:
        if self._pending is None:
            if not self.loop:
                raise SourceEnded(f"{self.describe()}: end of the recording")
            self.open(now)
            if self._pending is None:
                raise DeviceError(f"{self.describe()}: the recording is empty")
        due = self._pending.t / self.speed + self._offset
        if now < due:
            return None
        rec = self._pending
        self._last_out = due
        self._pending = self._next_record()
        return _retime(rec, due, self.speed)

    def next_due(self) -> float | None:
        if self._pending is None:
            return None
        return self._pending.t / self.speed + self._offset

    def close(self) -> None:
        self._it = None


def _retime(p: Presence, t: float, speed: float) -> Presence:
    if not p.known:
        return Presence.unknown(t)
    if speed == 1.0:
        return Presence(t=t, count=p.count, people=p.people, zones=p.zones, motion=p.motion)
    people = tuple(
        Person(q.id, q.x, q.y, q.w, q.h, q.vx * speed, q.vy * speed, q.present_s / speed) for q in p.people
    )
    zones = {k: ZoneState(z.count, z.dwell_s / speed) for k, z in p.zones.items()}
    return Presence(t=t, count=p.count, people=people, zones=zones, motion=p.motion)


class PresenceSource(Adapter):
    """The presence adapter the runtime opens: a feed in its own thread, snapshots out, faults reported."""

    def __init__(
        self,
        feed: Feed,
        clock: object | None = None,
        on_presence: Callable[[Presence], None] | None = None,
        *,
        name: str = "camera",
        buffer: int = 256,
        backoff_s: tuple[float, float] = (0.5, 30.0),
        stall_s: float = 3.0,
    ) -> None:
        self.feed = feed
        self.name = name
        self._now = now_function(clock)
        self._on_presence = on_presence
        self._buffer: collections.deque[Presence] = collections.deque(maxlen=buffer)
        self._lock = threading.Lock()
        self._backoff = backoff_s
        self.stall_s = stall_s
        self._up = False
        self._failures = 0
        self._retry_at: float | None = None  # None: open at the next step
        self._unknown_sent = False
        self._last_snapshot_t: float | None = None
        self._latest: Presence | None = None
        self._health = Health(name, HealthState.OFF, "not opened", self._now())
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._watchdog: threading.Thread | None = None
        self.delivered = 0
        self.dropped = 0

    # -- Adapter --------------------------------------------------------------------------------

    def open(self) -> None:
        """Start the camera thread (returns at once; a missing camera shows up in health())."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"presence-{self.name}", daemon=True)
        self._thread.start()
        self._watchdog = threading.Thread(
            target=self._watch, name=f"presence-{self.name}-watchdog", daemon=True
        )
        self._watchdog.start()

    def close(self) -> None:
        """Stop the thread and release the device; idempotent."""
        self._stop.set()
        self._wake.set()
        for th in (self._thread, self._watchdog):
            if th is not None and th is not threading.current_thread():
                th.join(timeout=5.0)
                if th.is_alive():
                    log.warning("%s: thread did not stop within 5s (device read blocked)", self.name)
        self._thread = self._watchdog = None
        self.feed.close()
        self._up = False
        self._set_health(HealthState.OFF, "closed")

    def health(self) -> Health:
        return self._health

    # -- for the runtime/engine -----------------------------------------------------------------

    def drain(self) -> list[Presence]:
        """All snapshots delivered since the last drain, oldest first (never blocks for long)."""
        with self._lock:
            out = list(self._buffer)
            self._buffer.clear()
        return out

    def latest(self) -> Presence | None:
        """The most recent snapshot delivered."""
        return self._latest

    def notify_scene_change(self) -> None:
        """The show changed the light or projection: the background is relearnt (thread-safe)."""
        self.feed.notify_scene_change()

    # -- the loop -------------------------------------------------------------------------------

    def step(self) -> float:
        """One iteration at the clock's now: (re)open when due, or poll one snapshot and deliver it.

        Returns how long the caller may wait before the next step is useful (0 = at once).
        """
        now = self._now()
        if not self._up:
            if self._retry_at is not None and now < self._retry_at:
                return self._retry_at - now
            try:
                self.feed.open(now)
            except InstallationError as exc:
                self._fail(now, str(exc))
                return self._retry_at - now if self._retry_at is not None else 0.0
            self._up = True
            self._last_snapshot_t = now
            log.info("%s: %s open", self.name, self.feed.describe())
            self._set_health(
                HealthState.DEGRADED if self._failures else HealthState.OK,
                f"{self.feed.describe()}: reopened, waiting for frames" if self._failures else "",
            )
        due = self.feed.next_due()
        if due is not None and now < due:
            return due - now
        try:
            snap = self.feed.poll(now)
        except SourceEnded as exc:  # a file or recording that does not loop: over, no retry
            self.feed.close()
            self._up = False
            self._fail(now, str(exc))
            self._retry_at = float("inf")
            self._set_health(HealthState.DOWN, str(exc), str(exc))
            return 1.0
        except InstallationError as exc:
            self.feed.close()
            self._up = False
            self._fail(now, str(exc))
            return self._retry_at - now if self._retry_at is not None else 0.0
        if snap is None:
            due = self.feed.next_due()
            return max(due - now, 0.0) if due is not None else 0.0
        self._last_snapshot_t = now
        if snap.known:
            if self._health.state is not HealthState.OK:
                self._set_health(HealthState.OK, "")
            self._failures = 0
            self._unknown_sent = False
        elif self._health.state is HealthState.OK and not self._failures:
            self._set_health(HealthState.DEGRADED, f"{self.feed.describe()}: learning the background")
        self._deliver(snap)
        due = self.feed.next_due()
        return max(due - now, 0.0) if due is not None else 0.0

    def check_stall(self) -> None:
        """Report a feed that is open but silent for `stall_s` (a blocked read): DOWN and unknown, once."""
        now = self._now()
        if self._up and self._last_snapshot_t is not None and now - self._last_snapshot_t > self.stall_s:
            if self._health.state is not HealthState.DOWN:
                msg = f"{self.feed.describe()}: no frame for {now - self._last_snapshot_t:.1f}s"
                log.warning("%s: %s", self.name, msg)
                self._set_health(HealthState.DOWN, msg, msg)
            if not self._unknown_sent:
                self._unknown_sent = True
                self._deliver(Presence.unknown(now))

    def _fail(self, now: float, message: str) -> None:
        self._failures += 1
        lo, hi = self._backoff
        wait = min(hi, lo * 2 ** (self._failures - 1))
        self._retry_at = now + wait
        if self._failures == 1 or self._health.state is not HealthState.DOWN:
            log.warning("%s: %s; retrying in %.1fs", self.name, message, wait)
        self._set_health(HealthState.DOWN, f"{message}; retrying in {wait:.1f}s", message)
        if not self._unknown_sent:
            self._unknown_sent = True
            self._deliver(Presence.unknown(now))

    def _deliver(self, snap: Presence) -> None:
        with self._lock:
            if len(self._buffer) == self._buffer.maxlen:
                self.dropped += 1
            self._buffer.append(snap)
        self._latest = snap
        self.delivered += 1
        if self._on_presence is not None:
            try:
                self._on_presence(snap)
            except Exception:  # a consumer's bug must not kill the camera thread
                log.exception("%s: presence consumer failed", self.name)

    def _set_health(self, state: HealthState, detail: str, error: str = "") -> None:
        h = self._health
        since = h.since if h.state is state else self._now()
        self._health = Health(self.name, state, detail, since, error or h.last_error)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception as exc:  # never let the thread die silently: report, back off, go on
                log.exception("%s: unexpected error", self.name)
                self.feed.close()
                self._up = False
                self._fail(self._now(), f"{self.feed.describe()}: {exc.__class__.__name__}: {exc}")
                wait = 0.0
            if wait > 0:
                self._wake.wait(min(wait, 0.5))
                self._wake.clear()

    def _watch(self) -> None:
        while not self._stop.wait(max(self.stall_s / 4, 0.05)):
            self.check_stall()
