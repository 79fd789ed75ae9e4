"""ProjectionOutput: the projection adapter; renders in a child process, fed without blocking the engine."""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from installation.adapters import Adapter, Health, HealthState
from installation.engine.presence import Presence
from installation.errors import DeviceError, ShowError
from installation.platform.childproc import describe_exit, relay_output
from installation.platform.wallclock import WallClock, offset_wall
from installation.projection.renderer import SceneRenderer
from installation.projection.warp import OutputConfig

log = logging.getLogger(__name__)


class ClockLike(Protocol):
    def now(self) -> float: ...


@dataclass(frozen=True, slots=True)
class SceneRequest:
    """Show this scene (paths absolute or relative to the project root; None: black)."""

    scene_path: Path | None
    transition_s: float = 0.0
    transition_shader: Path | None = None
    elapsed_s: float = 0.0  # how long the scene has been on (a restarted render process resumes it)


@dataclass(frozen=True, slots=True)
class FrameStats:
    """Render loop timing over the last few seconds."""

    frames: int
    fps: float
    render_ms_p50: float
    render_ms_p99: float
    interval_ms_p50: float
    interval_ms_p99: float
    interval_ms_max: float
    audio_ms_p50: float = 0.0  # sound → picture: audio block captured → the frame showing it rendered
    audio_ms_p99: float = 0.0


def date_now(wall: WallClock) -> tuple[float, float, float, float]:
    """ISF DATE: (year, month, day, seconds since local midnight) on the given wall clock."""
    d = wall()
    return (
        float(d.year),
        float(d.month),
        float(d.day),
        d.hour * 3600.0 + d.minute * 60.0 + d.second + d.microsecond / 1e6,
    )


def resolve(path: str | Path | None, root: Path | None) -> Path | None:
    """A show path (relative to the project folder) as a file path."""
    if path is None or path == "":
        return None
    p = Path(path)
    return p if p.is_absolute() or root is None else root / p


def apply_command(renderer: SceneRenderer, command: Any, now: float, root: Path | None) -> bool:
    """Apply an engine Command the projection cares about (SceneChange, Blackout, Panic); True if used.

    Commands are matched by shape so this module needs no import of the engine's command classes:
    anything with `scene_path` is a scene change; class names Blackout (`on`) and Panic are honoured.
    """
    kind = type(command).__name__
    if hasattr(command, "scene_path"):
        path = resolve(command.scene_path, root)  # None: an act without projection fades to black
        shader = resolve(getattr(command, "transition_shader", None), root)
        renderer.set_scene(path, now, float(getattr(command, "transition_s", 0.0) or 0.0), shader)
        return True
    if kind == "Blackout":
        renderer.blackout(bool(getattr(command, "on", True)), float(getattr(command, "fade_s", 0.0) or 0.0))
        return True
    if kind == "Panic":
        renderer.panic(float(getattr(command, "fade_s", 0.0) or 0.0))
        return True
    return False


class ThreadedProjection(Adapter):
    """The render loop: a thread drawing the act's scene to projector windows or headless (in this process).

    ProjectionOutput runs one of these in a child process; tests that need the renderer itself
    (`on_frame`) use it directly with `ProjectionOutput(..., process=False)`.

    `update()` and `command()` only store values / queue commands and return at once; the thread picks
    them up each frame. Pacing: `vsync` (the window's swap blocks) or `clock` (frames at `fps` on the
    runtime clock); `auto` is vsync with windows, clock headless.
    """

    name = "projection"

    def __init__(
        self,
        clock: ClockLike,
        *,
        size: tuple[int, int] = (1920, 1080),
        outputs: Sequence[OutputConfig] = (),
        fps: float = 60.0,
        pacing: str = "auto",
        zones: Sequence[str] = (),
        root: Path | None = None,
        backend: str | None = "egl",
        preload: Sequence[Path] = (),
        preview_size: tuple[int, int] = (320, 180),
        preview_interval_s: float = 0.25,
        sample_size: tuple[int, int] | None = None,
        reload_interval_s: float = 0.5,
        retry_max_s: float = 30.0,
        on_frame: Callable[[SceneRenderer], None] | None = None,
        render_scale: float = 1.0,
        wall_offset_s: float = 0.0,
        media_dir: Path | None = None,
    ) -> None:
        if pacing not in ("auto", "vsync", "clock"):
            raise ValueError("pacing is auto, vsync or clock")
        if not 0.1 <= render_scale <= 1.0:
            raise ValueError("render_scale is between 0.1 and 1.0 (fraction of the output size)")
        self.clock = clock
        self.size = size
        # scenes may render below the projector's resolution; the window scales the image up
        self.render_size = (max(1, round(size[0] * render_scale)), max(1, round(size[1] * render_scale)))
        self.outputs = tuple(outputs)
        self.fps = fps
        self.pacing = ("vsync" if self.outputs else "clock") if pacing == "auto" else pacing
        self.zones = tuple(zones)
        self.root = root
        self.backend = backend
        self.preload = tuple(preload)
        self.preview_size = preview_size
        self.preview_interval_s = preview_interval_s
        self.sample_size = sample_size  # a small RGB copy of each frame for pixel mapping (None: none)
        self._sample: np.ndarray | None = None
        self.reload_interval_s = reload_interval_s
        self.retry_max_s = retry_max_s
        self.on_frame = on_frame
        self.media_dir = media_dir
        self.wall = offset_wall(wall_offset_s)  # ISF DATE follows the runtime's (injected) wall clock
        self._lock = threading.Lock()
        self._params: Mapping[str, float] = {}
        self._presence: Presence | None = None
        self._presence_new = False
        self._params_new = False
        self._commands: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = HealthState.OFF
        self._detail = "not opened"
        self._since = clock.now()
        self._last_error = ""
        self._scene_error = ""
        self._current: SceneRequest | None = None  # re-applied after a restart of the render thread
        self._current_since = 0.0  # clock time the current scene came on (minus what it had already)
        self._audio: Any = None  # the latest AudioBlock, None when nothing new
        self._preview: bytes | None = None
        self._render_ms: deque[float] = deque(maxlen=600)
        self._intervals_ms: deque[float] = deque(maxlen=600)
        self._audio_ms: deque[float] = deque(maxlen=600)
        self._frames = 0

    # --- engine side (any thread, never blocks) -------------------------------------------------------

    def update(self, params: Mapping[str, float], presence: Presence | None, now: float) -> None:
        """Latest parameter snapshot and presence; the next frame uses them. `now` is the engine's time."""
        with self._lock:
            self._params = params
            self._params_new = True
            if presence is not None:
                self._presence = presence
                self._presence_new = True

    def update_audio(self, block: Any) -> None:
        """The soundscape's latest AudioBlock (waveform and FFT); the next frame's audio inputs show it."""
        with self._lock:
            self._audio = block

    def change_scene(
        self,
        scene_path: str | Path | None,
        transition_s: float = 0.0,
        transition_shader: str | Path | None = None,
        elapsed_s: float = 0.0,
    ) -> None:
        """Queue a scene change (what a SceneChange command asks for); None fades to black."""
        shader = resolve(transition_shader, self.root)
        self._commands.put(SceneRequest(resolve(scene_path, self.root), transition_s, shader, elapsed_s))

    def command(self, command: Any) -> None:
        """Queue an engine Command (SceneChange, Blackout, Panic); others are ignored by the render thread."""
        self._commands.put(command)

    def blackout(self, on: bool, fade_s: float = 1.0) -> None:
        """Fade the projection to black (on) or back."""
        self._commands.put(("blackout", on, fade_s))

    def panic(self, fade_s: float = 0.0) -> None:
        """Fade to black now; the next scene change brings the picture back."""
        self._commands.put(("panic", fade_s))

    def preview(self) -> bytes | None:
        """The latest small JPEG of the output (None before the first frame)."""
        return self._preview

    def sample(self) -> np.ndarray | None:
        """The newest small RGB copy of the output (rows top to bottom), when `sample_size` is set."""
        return self._sample

    def stats(self) -> FrameStats:
        """Frame timing over the recent frames."""
        render = np.array(self._render_ms) if self._render_ms else np.zeros(1)
        inter = np.array(self._intervals_ms) if self._intervals_ms else np.zeros(1)
        sound = np.array(self._audio_ms) if self._audio_ms else np.zeros(1)
        mean = float(inter.mean())
        return FrameStats(
            len(self._intervals_ms),
            1000.0 / mean if mean > 0 else 0.0,
            float(np.percentile(render, 50)),
            float(np.percentile(render, 99)),
            float(np.percentile(inter, 50)),
            float(np.percentile(inter, 99)),
            float(inter.max()),
            float(np.percentile(sound, 50)),
            float(np.percentile(sound, 99)),
        )

    def reset_stats(self) -> None:
        """Forget the frame timings so far (e.g. after start-up, before a measurement)."""
        self._render_ms.clear()
        self._intervals_ms.clear()
        self._audio_ms.clear()

    @property
    def scene_error(self) -> str:
        """The last scene/shader problem (file.fs:line:col: message), '' when none."""
        return self._scene_error

    # --- lifecycle ------------------------------------------------------------------------------------

    def open(self) -> None:
        """Start the render thread; a missing display or GL shows up in health(), retried with backoff."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._set_state(HealthState.DOWN, "starting")
        self._thread = threading.Thread(target=self._run, name="projection", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the render thread and free the GL context and windows; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
            self._thread = None
        self._set_state(HealthState.OFF, "closed")

    def health(self) -> Health:
        """OK while frames flow; DEGRADED with the shader error when a scene failed; DOWN without GL."""
        return Health(self.name, self._state, self._detail, self._since, self._last_error)

    def _set_state(self, state: HealthState, detail: str, error: str = "") -> None:
        if state != self._state or detail != self._detail:
            self._since = self.clock.now()
        self._state, self._detail = state, detail
        if error:
            self._last_error = error

    # --- render thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            windows: list[Any] = []
            renderer: SceneRenderer | None = None
            try:
                renderer, windows = self._setup()
                backoff = 1.0
                self._loop(renderer, windows)
            except (DeviceError, ShowError) as exc:
                msg = str(exc).splitlines()[0]
                log.error("projection down: %s (retry in %.0fs)", msg, backoff)
                self._set_state(HealthState.DOWN, msg, msg)
            except Exception as exc:  # a GL or window failure must never stop the show: report and retry
                msg = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
                log.exception("projection render loop failed: %s", msg)
                self._set_state(HealthState.DOWN, f"render loop failed: {msg}", msg)
            finally:
                self._teardown(renderer, windows)
            if self._stop.wait(backoff):
                break
            backoff = min(self.retry_max_s, backoff * 2.0)

    def _setup(self) -> tuple[SceneRenderer, list[Any]]:
        windows: list[Any] = []
        if self.outputs:
            from installation.projection.window import ProjectorWindow

            try:
                for cfg in self.outputs:
                    win = ProjectorWindow(
                        cfg,
                        vsync=self.pacing == "vsync" and not windows,
                        share=windows[0] if windows else None,
                    )
                    win.open()
                    windows.append(win)
                windows[0].make_current()
                renderer = SceneRenderer(
                    self.render_size, ctx=windows[0].ctx, zones=self.zones, root=self.root,
                    media_dir=self.media_dir,
                )
            except Exception:
                for win in windows:
                    win.close()
                raise
            for win in windows:
                win.attach(renderer.output)
            windows[0].make_current()
        else:
            renderer = SceneRenderer(self.render_size, backend=self.backend, zones=self.zones, root=self.root,
                                     media_dir=self.media_dir)
        problems = renderer.preload(self.preload)
        if problems:
            log.error("projection: %d scene problem(s) at preload: %s", len(problems), problems[0])
        if self._current is not None:  # after a restart, show what was on screen, where it was
            now = self.clock.now()
            request = SceneRequest(self._current.scene_path, elapsed_s=now - self._current_since)
            self._apply(renderer, request, now)
        return renderer, windows

    def _teardown(self, renderer: SceneRenderer | None, windows: list[Any]) -> None:
        try:
            if windows:
                windows[0].make_current()
            if renderer is not None:
                renderer.release()
        except Exception as exc:  # the context may already be gone; nothing more to free
            log.debug("projection teardown: %s", exc)
        for win in reversed(windows):
            try:
                win.close()
            except Exception as exc:
                log.debug("projection window close: %s", exc)

    def _apply(self, renderer: SceneRenderer, cmd: Any, now: float) -> None:
        try:
            if isinstance(cmd, SceneRequest):
                renderer.set_scene(cmd.scene_path, now, cmd.transition_s, cmd.transition_shader,
                                   cmd.elapsed_s)
                self._current = cmd if cmd.scene_path is not None else None
                self._current_since = now - cmd.elapsed_s
            elif isinstance(cmd, tuple) and cmd and cmd[0] == "blackout":
                renderer.blackout(cmd[1], cmd[2])
            elif isinstance(cmd, tuple) and cmd and cmd[0] == "panic":
                renderer.panic(cmd[1])
            elif apply_command(renderer, cmd, now, self.root) and hasattr(cmd, "scene_path"):
                path = resolve(cmd.scene_path, self.root)
                self._current = SceneRequest(path) if path is not None else None
                self._current_since = now
        except ShowError as exc:
            self._scene_error = str(exc)
            self._last_error = str(exc).splitlines()[0]

    def _loop(self, renderer: SceneRenderer, windows: list[Any]) -> None:
        from time import monotonic, perf_counter  # timing statistics only; show time comes from self.clock

        from installation.projection.window import poll_events

        period = 1.0 / self.fps if self.fps > 0 else 0.0
        next_frame = self.clock.now()
        next_preview = next_reload = next_frame
        last_start: float | None = None
        while not self._stop.is_set():
            now = self.clock.now()
            while True:
                try:
                    cmd = self._commands.get_nowait()
                except queue.Empty:
                    break
                self._apply(renderer, cmd, now)
            with self._lock:
                params, params_new = self._params, self._params_new
                presence, presence_new = self._presence, self._presence_new
                self._params_new = self._presence_new = False
                audio, self._audio = self._audio, None
            if audio is not None:
                renderer.set_audio(audio)
            if params_new:
                renderer.set_params(params)
            if presence_new:
                renderer.set_presence(presence)
            if self.reload_interval_s > 0 and now >= next_reload:
                next_reload = now + self.reload_interval_s
                messages = renderer.check_reload()
                if messages:
                    self._last_error = messages[-1].splitlines()[0]
            t0 = perf_counter()
            if windows:
                windows[0].make_current()
            renderer.render(now, date_now(self.wall))
            for win in windows:
                win.present()
            if windows:
                poll_events()
                if any(w.should_close() for w in windows):
                    log.warning("projector window closed by the window system; reopening")
                    raise DeviceError("projector window was closed")
            if now >= next_preview:
                next_preview = now + self.preview_interval_s
                if windows:
                    windows[0].make_current()
                self._preview = renderer.preview(self.preview_size)
            if self.sample_size is not None:
                self._sample = renderer.sample(self.sample_size)
            if self.on_frame is not None:
                self.on_frame(renderer)
            t1 = perf_counter()
            if audio is not None and audio.captured_s > 0:  # sound captured → its picture rendered
                self._audio_ms.append((monotonic() - audio.captured_s) * 1000.0)
            self._render_ms.append((t1 - t0) * 1000.0)
            if last_start is not None:
                self._intervals_ms.append((t0 - last_start) * 1000.0)
            last_start = t0
            self._frames += 1
            self._scene_error = renderer.last_error
            if self._scene_error:
                first = self._scene_error.splitlines()[0]
                self._set_state(HealthState.DEGRADED, f"scene problem, showing the last good scene: {first}")
            else:
                self._set_state(
                    HealthState.OK,
                    f"{self.render_size[0]}x{self.render_size[1]} {len(windows) or 'headless'} output(s)",
                )
            if (
                self.pacing == "vsync"
                and period > 0
                and len(self._intervals_ms) >= 60
                and float(np.median(list(self._intervals_ms)[-60:])) < period * 500.0
            ):
                # the swap did not wait for the display (virtual display, vsync off in the driver)
                log.warning(
                    "projection: display does not pace frames (no vsync); pacing by the clock at %.0f fps",
                    self.fps,
                )
                self.pacing = "clock"
                next_frame = self.clock.now()
            if self.pacing == "clock" and period > 0:
                next_frame += period
                wait = next_frame - self.clock.now()
                if wait < -period:  # fell behind (slow frame): do not try to catch up in a burst
                    next_frame = self.clock.now()
                elif wait > 0 and self._stop.wait(wait):
                    break


# --- the child process ---------------------------------------------------------------------------------

RESTART_MIN_S = 0.5  # first restart delay of a dead render process; doubles up to retry_max_s
STABLE_AFTER_S = 10.0  # a render process that lived this long restarts at RESTART_MIN_S again
STOP_WAIT_S = 5.0  # close(): how long the render process may take to stop before it is killed
_NO_STATS = FrameStats(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@dataclass
class _Child:
    process: Any
    conn: Any
    outbox: queue.SimpleQueue[tuple[Any, ...] | None]
    sent: dict[str, float]  # scene.* values this incarnation has
    sent_presence: Presence | None = None
    closed: bool = False
    error: str = ""
    reader: threading.Thread | None = None


class ProjectionOutput(Adapter):
    """Projection adapter: the render loop (ThreadedProjection) runs in a child process, supervised here.

    A frame on a software GL driver holds the interpreter lock for tens of milliseconds, so the render
    loop must not share a process with the engine. Every call here only stores values or queues a
    message and returns at once; a writer thread sends the child the changed `scene.*` values and the
    latest presence at most once per frame, a reader thread takes its health, scene errors, preview JPEG
    and frame statistics. A child that dies is restarted with backoff (health DOWN meanwhile) and shown
    the current scene again. `process=False` gives the in-process ThreadedProjection instead.
    """

    name = "projection"

    def __new__(cls, clock: ClockLike, *, process: bool = True, **options: Any) -> Any:
        if not process:
            return ThreadedProjection(clock, **options)
        return super().__new__(cls)

    def __init__(
        self,
        clock: ClockLike,
        *,
        size: tuple[int, int] = (1920, 1080),
        outputs: Sequence[OutputConfig] = (),
        fps: float = 60.0,
        pacing: str = "auto",
        zones: Sequence[str] = (),
        root: Path | None = None,
        backend: str | None = "egl",
        preload: Sequence[Path] = (),
        preview_size: tuple[int, int] = (320, 180),
        preview_interval_s: float = 0.25,
        sample_size: tuple[int, int] | None = None,
        reload_interval_s: float = 0.5,
        retry_max_s: float = 30.0,
        on_frame: Callable[[SceneRenderer], None] | None = None,
        render_scale: float = 1.0,
        wall_offset_s: float = 0.0,
        media_dir: Path | None = None,
        process: bool = True,
    ) -> None:
        if on_frame is not None:
            raise ValueError("on_frame needs the renderer, which lives in the render process: process=False")
        self._options: dict[str, Any] = dict(
            size=size,
            outputs=tuple(outputs),
            fps=fps,
            pacing=pacing,
            zones=tuple(zones),
            root=root,
            backend=backend,
            preload=tuple(preload),
            preview_size=preview_size,
            preview_interval_s=preview_interval_s,
            sample_size=sample_size,
            reload_interval_s=reload_interval_s,
            retry_max_s=retry_max_s,
            render_scale=render_scale,
            wall_offset_s=wall_offset_s,
            media_dir=media_dir,
        )
        spec = ThreadedProjection(clock, **self._options)  # validates the options; never opened here
        self.clock = clock
        self.size, self.render_size, self.outputs = spec.size, spec.render_size, spec.outputs
        self.fps, self.pacing, self.zones, self.root = spec.fps, spec.pacing, spec.zones, spec.root
        self.retry_max_s = retry_max_s
        self._lock = threading.RLock()  # re-entrant: wait_until's predicate may call health()
        self._reported = threading.Condition(self._lock)  # notified on every message from the child
        self._wake = threading.Event()  # the writer has something to send
        self._stop = threading.Event()
        self._params: Mapping[str, float] = {}
        self._presence: Presence | None = None
        self._frame_new = False
        self._current: SceneRequest | None = None  # shown again by a restarted child
        self._current_since = 0.0  # clock time the current scene came on (minus what it had already)
        self._audio: Any = None  # the latest AudioBlock not yet sent
        self._blackout_on = False
        self._panicked = False
        self._child: _Child | None = None
        self._supervisor: threading.Thread | None = None
        self._restarts = 0
        self._state, self._detail = HealthState.OFF, "not opened"
        self._since = clock.now()
        self._last_error = ""
        self._scene_error = ""
        self._sample: np.ndarray | None = None  # the render process's newest small frame
        self._preview: bytes | None = None
        self._stats = _NO_STATS
        self._stats_generation = 0

    # --- engine side (any thread, never blocks) -------------------------------------------------------

    def update(self, params: Mapping[str, float], presence: Presence | None, now: float) -> None:
        """Latest parameter snapshot and presence; the writer sends what changed. `now`: the engine's time."""
        with self._lock:
            self._params = params
            if presence is not None:
                self._presence = presence
            self._frame_new = True
        self._wake.set()

    def update_audio(self, block: Any) -> None:
        """The soundscape's latest AudioBlock; the writer sends it to the render process at once."""
        with self._lock:
            self._audio = block
        self._wake.set()

    def change_scene(
        self,
        scene_path: str | Path | None,
        transition_s: float = 0.0,
        transition_shader: str | Path | None = None,
        elapsed_s: float = 0.0,
    ) -> None:
        """Queue a scene change (what a SceneChange command asks for); None fades to black.

        `elapsed_s`: how long the scene has been on already (a show resumed mid-act continues its scene).
        """
        request = SceneRequest(
            resolve(scene_path, self.root), float(transition_s or 0.0), resolve(transition_shader, self.root),
            float(elapsed_s),
        )
        self._current = request if request.scene_path is not None else None
        self._current_since = self.clock.now() - float(elapsed_s)
        self._panicked = False  # the next scene brings the picture back
        self._post(("scene", request))

    def command(self, command: Any) -> None:
        """Queue an engine Command (SceneChange, Blackout, Panic); others are ignored."""
        kind = type(command).__name__
        if hasattr(command, "scene_path"):
            self.change_scene(
                command.scene_path,
                getattr(command, "transition_s", 0.0) or 0.0,
                getattr(command, "transition_shader", None),
            )
        elif kind == "Blackout":
            self.blackout(bool(getattr(command, "on", True)), float(getattr(command, "fade_s", 0.0) or 0.0))
        elif kind == "Panic":
            self.panic(float(getattr(command, "fade_s", 0.0) or 0.0))

    def blackout(self, on: bool, fade_s: float = 1.0) -> None:
        """Fade the projection to black (on) or back."""
        self._blackout_on = bool(on)
        self._post(("blackout", bool(on), float(fade_s)))

    def panic(self, fade_s: float = 0.0) -> None:
        """Fade to black now; the next scene change brings the picture back."""
        self._panicked = True
        self._post(("panic", float(fade_s)))

    def preview(self) -> bytes | None:
        """The latest small JPEG of the output from the render process (None before the first)."""
        return self._preview

    def sample(self) -> np.ndarray | None:
        """The render process's newest small RGB frame (rows top to bottom) for pixel mapping, or None."""
        return self._sample

    def stats(self) -> FrameStats:
        """Frame timing over the recent frames, as the render process last reported it."""
        return self._stats

    def reset_stats(self) -> None:
        """Forget the frame timings so far (e.g. after start-up, before a measurement)."""
        with self._lock:
            self._stats_generation += 1
            self._stats = _NO_STATS
            generation = self._stats_generation
        self._post(("reset_stats", generation))

    @property
    def scene_error(self) -> str:
        """The last scene/shader problem (file.fs:line:col: message), '' when none."""
        return self._scene_error

    @property
    def child_pid(self) -> int | None:
        """Process id of the render process (tests kill it)."""
        child = self._child
        return child.process.pid if child is not None else None

    @property
    def restarts(self) -> int:
        """How many times the render process has been restarted."""
        return self._restarts

    def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        """Wait (on the render process's messages, at most timeout_s) until predicate() holds (tests)."""
        with self._reported:
            return self._reported.wait_for(predicate, timeout=timeout_s)

    # --- lifecycle ------------------------------------------------------------------------------------

    def open(self) -> None:
        """Start the render process; a missing display or GL shows up in health(), retried with backoff."""
        if self._supervisor is not None and self._supervisor.is_alive():
            return
        self._stop.clear()
        self._set_state(HealthState.DOWN, "starting")
        self._supervisor = threading.Thread(target=self._supervise, name="projection-supervisor", daemon=True)
        self._supervisor.start()

    def close(self) -> None:
        """Stop the render process (politely, then by force); idempotent."""
        with self._lock:
            self._stop.set()
            child = self._child
        if child is not None:
            child.outbox.put(("stop",))
            self._wake.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=STOP_WAIT_S)
            if self._supervisor.is_alive() and child is not None:
                log.warning("projection process %s did not stop; killing it", child.process.pid)
                child.process.kill()
                self._supervisor.join(timeout=STOP_WAIT_S)
            self._supervisor = None
        self._set_state(HealthState.OFF, "closed")

    def health(self) -> Health:
        """The render process's health (OK, DEGRADED with the shader error); DOWN while it is (re)started."""
        with self._lock:
            return Health(self.name, self._state, self._detail, self._since, self._last_error)

    def _set_state(self, state: HealthState, detail: str, error: str = "") -> None:
        with self._lock:
            if state != self._state or detail != self._detail:
                self._since = self.clock.now()
            self._state, self._detail = state, detail
            if error:
                self._last_error = error
            self._reported.notify_all()

    def _post(self, message: tuple[Any, ...]) -> None:
        child = self._child
        if child is not None:  # no child: the state above is sent to the next one
            child.outbox.put(message)
            self._wake.set()

    # --- supervision (own thread) ---------------------------------------------------------------------

    def _supervise(self) -> None:
        from time import monotonic  # restart backoff only; show time comes from the clock

        backoff = RESTART_MIN_S
        while not self._stop.is_set():
            started = monotonic()
            child = self._spawn()
            if child is None:
                return  # closed meanwhile
            code = child.process.wait()  # blocks this thread only (no interpreter lock held)
            with self._lock:
                child.closed = True
                self._child = None
            self._wake.set()
            if child.reader is not None:  # its last words (an error) are already in the pipe
                child.reader.join(timeout=1.0)
            if child.conn is not None:
                child.conn.close()
            if self._stop.is_set():
                return
            if monotonic() - started >= STABLE_AFTER_S:
                backoff = RESTART_MIN_S
            reason = child.error or describe_exit(code, "projection process", "the GL driver")
            log.error("projection render process down: %s; restarting in %.1f s", reason, backoff)
            self._set_state(HealthState.DOWN, f"{reason}; restarting in {backoff:.1f} s", reason)
            if self._stop.wait(backoff):
                return
            backoff = min(self.retry_max_s, backoff * 2.0)
            self._restarts += 1

    def _spawn(self) -> _Child | None:
        import os
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
        with self._lock:
            if self._stop.is_set():
                mine.close()
                theirs.close()
                return None
            try:
                # a new interpreter (not fork): nothing of this process's GL, EGL or threads comes along
                process = subprocess.Popen(
                    [sys.executable, "-m", "installation.projection.child", str(theirs.fileno())],
                    pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                mine.close()
                theirs.close()
                process = _FailedProcess(f"could not start the projection process: {exc}")
                child = _Child(process, None, queue.SimpleQueue(), {}, error=process.error)
                self._child = child
                return child
            theirs.close()  # the child's death reads as EOF here
            conn = Connection(mine.detach())
            child = _Child(process, conn, queue.SimpleQueue(), {})
            self._child = child
            self._frame_new = True  # the new child gets every scene value and the presence
        child.outbox.put(("options", self._options, logging.getLogger().getEffectiveLevel()))
        if self._current is not None:  # show what was on screen, where it was, without a transition
            elapsed_s = max(0.0, self.clock.now() - self._current_since)
            child.outbox.put(("scene", SceneRequest(self._current.scene_path, elapsed_s=elapsed_s)))
        if self._panicked:
            child.outbox.put(("panic", 0.0))
        if self._blackout_on:
            child.outbox.put(("blackout", True, 0.0))
        if self._stats_generation:
            child.outbox.put(("reset_stats", self._stats_generation))
        child.reader = threading.Thread(
            target=self._reader, args=(child,), name="projection-reader", daemon=True
        )
        child.reader.start()
        threading.Thread(target=self._writer, args=(child,), name="projection-writer", daemon=True).start()
        threading.Thread(
            target=relay_output,
            args=(process.stdout, "projection-child", "projection library", log),
            name="projection-log",
            daemon=True,
        ).start()
        self._wake.set()
        log.info("projection render process started: pid %s", process.pid)
        return child

    def _reader(self, child: _Child) -> None:
        while True:
            try:
                message = child.conn.recv()
            except (EOFError, OSError):
                with self._lock:
                    self._reported.notify_all()
                return
            kind = message[0]
            if kind == "health":
                if not self._stop.is_set():
                    self._set_state(HealthState(message[1]), message[2], message[3])
                continue
            with self._lock:
                if kind == "scene_error":
                    self._scene_error = message[1]
                elif kind == "preview":
                    self._preview = message[1]
                elif kind == "sample":
                    data, width, height = message[1], int(message[2]), int(message[3])
                    self._sample = np.frombuffer(data, np.uint8).reshape(height, width, 3)
                elif kind == "stats":
                    if message[1] == self._stats_generation:
                        self._stats = message[2]
                elif kind == "error":
                    child.error = str(message[1])
                self._reported.notify_all()
            if kind == "log":
                log.log(message[1], "%s", message[2])

    def _writer(self, child: _Child) -> None:
        from time import monotonic  # message pacing only

        period = 1.0 / self.fps if self.fps > 0 else 0.0
        next_frame_s = 0.0
        while True:
            with self._lock:
                pending = self._frame_new
            wait_s = max(0.0, next_frame_s - monotonic()) if pending else None
            if wait_s is None or wait_s > 0:
                self._wake.wait(wait_s)
                self._wake.clear()
            if child.closed:
                return
            while True:  # commands go at once, in order
                try:
                    message = child.outbox.get_nowait()
                except queue.Empty:
                    break
                if message is None or not _send(child.conn, message):
                    return
            with self._lock:
                audio, self._audio = self._audio, None
            if audio is not None and not _send(child.conn, ("audio", audio)):  # sound goes at once
                return
            if monotonic() < next_frame_s:
                continue
            with self._lock:
                params, presence, pending = self._params, self._presence, self._frame_new
                self._frame_new = False
            if not pending:
                continue
            sent = child.sent
            delta = {k: float(v) for k, v in params.items() if k.startswith("scene.") and sent.get(k) != v}
            fresh = presence if presence is not child.sent_presence else None
            if not delta and fresh is None:
                continue
            if not _send(child.conn, ("frame", delta, None if fresh is None else presence_to_wire(fresh))):
                return
            sent.update(delta)
            child.sent_presence = presence
            next_frame_s = monotonic() + period


class _FailedProcess:
    """Stands in for a render process that could not be started (the supervisor retries)."""

    pid = None

    def __init__(self, error: str) -> None:
        self.error = error
        self.stdout = None

    def wait(self, timeout: float | None = None) -> int:
        return 1

    def kill(self) -> None:
        pass


def presence_to_wire(presence: Presence) -> dict[str, Any]:
    """A presence snapshot as picklable fields (its zones are a read-only mapping proxy)."""
    import dataclasses

    fields = {f.name: getattr(presence, f.name) for f in dataclasses.fields(presence)}
    fields["zones"] = dict(fields["zones"])
    return fields


def presence_from_wire(fields: dict[str, Any] | None) -> Presence | None:
    """The presence snapshot presence_to_wire() packed (None stays None)."""
    if fields is None:
        return None
    from types import MappingProxyType

    return Presence(**{**fields, "zones": MappingProxyType(fields["zones"])})


def _send(conn: Any, message: tuple[Any, ...]) -> bool:
    """Send one message; False when the child is gone. A message that cannot be pickled is logged, skipped."""
    try:
        conn.send(message)
    except (BrokenPipeError, EOFError, OSError, ValueError):
        return False
    except Exception as exc:  # a bug in what we send must not silence the projection
        log.error("projection: message %r not sent: %s", message[0], exc)
    return True
