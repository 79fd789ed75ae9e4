"""SceneRenderer: the act's scene, transitions between scenes, blackout, hot reload, readback and previews."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import moderngl
import numpy as np

from installation.audio.spectrum import AudioBlock
from installation.engine.presence import Presence
from installation.errors import DeviceError, Problem, ShowError
from installation.projection.presence_uniforms import PresenceSmoother, PresenceUniforms
from installation.projection.scene import (
    QUAD,
    AudioTextures,
    Blitter,
    CompiledScene,
    FrameTime,
    Scene,
    compile_scene,
)

log = logging.getLogger(__name__)

_CROSSFADE_FS = """#version 330 core
uniform sampler2D startImage; uniform sampler2D endImage; uniform float progress;
in vec2 uv; out vec4 o;
void main() { o = mix(texture(startImage, uv), texture(endImage, uv), progress); }
"""
_PLAIN_VS = """#version 330 core
in vec2 p; out vec2 uv;
void main() { uv = p * 0.5 + 0.5; gl_Position = vec4(p, 0.0, 1.0); }
"""


def create_headless_context(backend: str | None = "egl", device_index: int = 0) -> moderngl.Context:
    """A standalone GL 3.3+ context without a window (EGL: Mesa llvmpipe here, the GPU's driver elsewhere)."""
    try:
        if backend:
            return moderngl.create_standalone_context(require=330, backend=backend, device_index=device_index)
        return moderngl.create_standalone_context(require=330)
    except Exception as exc:  # glcontext raises plain Exceptions for a missing libEGL or display
        raise DeviceError(f"no headless OpenGL context ({backend or 'default'} backend): {exc}; install "
                          "libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri libgbm1, or a GPU driver") from None


class Fade:
    """A 0..1 level that moves toward its target at a fixed rate (blackout and panic fades)."""

    def __init__(self) -> None:
        self.level = 1.0
        self.target = 1.0
        self.rate = 0.0

    def go(self, target: float, fade_s: float) -> None:
        self.target = target
        self.rate = 0.0 if fade_s <= 0 else 1.0 / fade_s
        if fade_s <= 0:
            self.level = target

    def advance(self, dt: float) -> None:
        if self.level < self.target:
            self.level = min(self.target, self.level + self.rate * dt)
        elif self.level > self.target:
            self.level = max(self.target, self.level - self.rate * dt)


class _Source(Protocol):
    def render(self, fbo: moderngl.Framebuffer, t: FrameTime, presence: PresenceUniforms) -> None: ...

    def release(self) -> None: ...

    def scenes(self) -> list[Scene]: ...


class _SceneSource:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    def render(self, fbo: moderngl.Framebuffer, t: FrameTime, presence: PresenceUniforms) -> None:
        self.scene.render(fbo, t, presence)

    def release(self) -> None:
        self.scene.close()

    def scenes(self) -> list[Scene]:
        return [self.scene]


class _BlackSource:
    """What an act without a scene shows."""

    def render(self, fbo: moderngl.Framebuffer, t: FrameTime, presence: PresenceUniforms) -> None:
        fbo.clear(0.0, 0.0, 0.0, 1.0)

    def release(self) -> None:
        pass

    def scenes(self) -> list[Scene]:
        return []


class Transition:
    """From one source (a scene or an unfinished transition) to a new scene, over `duration_s`."""

    def __init__(self, renderer: SceneRenderer, src: _Source, dst: Scene | None, *, start_t: float,
                 duration_s: float, shader: Scene | None) -> None:
        self.renderer = renderer
        self.src = src
        self.dst = dst  # None: fading to black (an act without a scene)
        self.target: _Source = _SceneSource(dst) if dst is not None else _BlackSource()
        self.start_t = start_t
        self.duration_s = max(1e-6, duration_s)
        self.shader = shader
        ctx = renderer.ctx
        self._tex = [ctx.texture(renderer.size, 4) for _ in range(2)]
        self._fbo = [ctx.framebuffer(color_attachments=[t]) for t in self._tex]
        for tex in self._tex:
            tex.repeat_x = tex.repeat_y = False
        self.forced_progress: float | None = None  # tests and previews may pin the progress

    def progress(self, now: float) -> float:
        """0 at the start, 1 at the end (linear in time)."""
        if self.forced_progress is not None:
            return self.forced_progress
        return min(1.0, max(0.0, (now - self.start_t) / self.duration_s))

    def done(self, now: float) -> bool:
        """True once the new scene is fully on screen."""
        return self.forced_progress is None and self.progress(now) >= 1.0

    def render(self, fbo: moderngl.Framebuffer, t: FrameTime, presence: PresenceUniforms) -> None:
        """Both sides into textures, then the crossfade or the transition shader into `fbo`."""
        p = self.progress(t.now)
        if p >= 1.0 and self.forced_progress is None:
            self.target.render(fbo, t, presence)
            return
        self.src.render(self._fbo[0], t, presence)
        self.target.render(self._fbo[1], t, presence)
        if self.shader is None:
            self.renderer.crossfade(self._tex[0], self._tex[1], p, fbo)
        else:
            self.shader.set_image("startImage", self._tex[0])
            self.shader.set_image("endImage", self._tex[1])
            self.shader.values["scene.progress"] = p
            self.shader.render(fbo, t, presence)

    def release(self) -> None:
        self.src.release()
        self.target.release()
        if self.shader is not None:
            self.shader.close()
        for f in self._fbo:
            f.release()
        for tex in self._tex:
            tex.release()

    def scenes(self) -> list[Scene]:
        return [*self.src.scenes(), *self.target.scenes(), *([self.shader] if self.shader else [])]


class SceneRenderer:
    """Renders the current act's scene (and transitions) into an RGBA8 output texture of `size`.

    Single-threaded: call everything from the thread that owns the GL context.
    """

    def __init__(self, size: tuple[int, int] = (1280, 720), *, ctx: moderngl.Context | None = None,
                 backend: str | None = "egl", zones: Sequence[str] = (), root: Path | None = None,
                 smoothing_s: float = 0.12, fade_s: float = 0.4, media_dir: Path | None = None) -> None:
        self.ctx = ctx if ctx is not None else create_headless_context(backend)
        # where clips named "generated:NAME" are made at first use (the show's state folder in a show)
        self.media_dir = media_dir if media_dir is not None else default_media_dir(root)
        self._own_ctx = ctx is None
        self.size = (int(size[0]), int(size[1]))
        self.zones = tuple(zones)
        self.root = root
        self.presence = PresenceSmoother(self.zones, smoothing_s, fade_s)
        self.output = self.ctx.texture(self.size, 4)
        self.output.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self.output.repeat_x = self.output.repeat_y = False
        self.output_fbo = self.ctx.framebuffer(color_attachments=[self.output])
        self._frame_tex = self.ctx.texture(self.size, 4)
        self._frame_fbo = self.ctx.framebuffer(color_attachments=[self._frame_tex])
        self._black = self.ctx.texture((1, 1), 4, bytes(4))
        self.blitter = Blitter(self.ctx)
        self.audio = AudioTextures(self.ctx)
        self._samplers: dict[tuple[int, int], tuple[Any, Any]] = {}  # size → (texture, framebuffer)
        self._xfade = self.ctx.program(vertex_shader=_PLAIN_VS, fragment_shader=_CROSSFADE_FS)
        self._xfade_vbo = self.ctx.buffer(QUAD)
        self._xfade_vao = self.ctx.vertex_array(self._xfade, [(self._xfade_vbo, "2f", "p")])
        self._compiled: dict[Path, tuple[tuple[int, ...], CompiledScene]] = {}
        self._retired: list[CompiledScene] = []
        self._failed: dict[Path, tuple[tuple[int, ...], str]] = {}
        self.source: _Source | None = None
        self._params: Mapping[str, float] = {}
        self._blackout = Fade()
        self._panic = Fade()
        self._last_now: float | None = None
        self.last_error = ""  # the latest shader problem, one line per problem; "" when all is well
        self.video_error = ""  # the latest video input that could not be opened
        self.frames = 0

    # --- scenes ---------------------------------------------------------------------------------------

    def _stamp(self, compiled_or_path: CompiledScene | Path) -> tuple[int, ...]:
        files: Iterable[Path]
        if isinstance(compiled_or_path, CompiledScene):
            files = compiled_or_path.info.watched_files()
        else:
            files = [compiled_or_path, compiled_or_path.with_suffix(".vs")]
        out = []
        for f in files:
            try:
                out.append(f.stat().st_mtime_ns)
            except OSError:
                out.append(-1)
        return tuple(out)

    def compile(self, path: Path) -> CompiledScene:
        """The compiled scene for `path` (cached until its files change); ShowError when it is broken."""
        key = path.resolve()
        cached = self._compiled.get(key)
        if cached is not None and cached[0] == self._stamp(cached[1]):
            return cached[1]
        compiled = compile_scene(self.ctx, path, self.zones, self.root)
        if cached is not None:
            self._retired.append(cached[1])
        self._compiled[key] = (self._stamp(compiled), compiled)
        return compiled

    def preload(self, paths: Iterable[Path]) -> list[Problem]:
        """Compile scenes ahead of time (at show open); returns every problem found, compiles the rest."""
        problems: list[Problem] = []
        for path in paths:
            try:
                compiled = self.compile(path)
            except ShowError as exc:
                problems.extend(exc.problems)
                continue
            for inp in compiled.info.inputs:  # make generated clips now (seconds), not at the act change
                if inp.video.startswith("generated:"):
                    from installation.projection.video import generated_clip

                    try:
                        generated_clip(inp.video.removeprefix("generated:"), self.media_dir)
                    except (OSError, ValueError) as exc:
                        log.error("video %s could not be generated: %s", inp.video, exc)
        return problems

    def new_scene(self, path: Path) -> Scene:
        """A fresh running instance of the scene at `path` (own TIME, buffers and input values).

        A video input whose source cannot be opened stays black; the problem shows as the scene error.
        """
        scene = Scene(self.ctx, self.compile(path), self._black, self.blitter, self.audio)
        for inp in scene.info.inputs:
            if not inp.video:
                continue
            from installation.projection.video import VideoInput

            try:
                scene.videos[inp.name] = VideoInput(self.ctx, inp.video, scene.info.path, self.media_dir,
                                                    inp.playback)
            except (DeviceError, OSError, ValueError) as exc:
                self.video_error = f"{scene.info.display}:{inp.line}:{inp.col}: input {inp.name!r}: {exc}"
                log.error("scene %s: video input %r stays black: %s", path.name, inp.name, exc)
        return scene

    @property
    def scene(self) -> Scene | None:
        """The scene being shown (the incoming one during a transition)."""
        src = self.source
        if isinstance(src, Transition):
            return src.dst
        if isinstance(src, _SceneSource):
            return src.scene
        return None

    @property
    def transition(self) -> Transition | None:
        """The transition in progress, if any."""
        return self.source if isinstance(self.source, Transition) else None

    def set_scene(self, path: Path | None, now: float, transition_s: float = 0.0,
                  transition_shader: Path | None = None, elapsed_s: float = 0.0) -> None:
        """Show the scene at `path` (None: black), over a transition; on ShowError the current one stays.

        `elapsed_s`: how long the scene has been on already (a restarted projection process resumes it:
        TIME and video inputs continue where they were). A scene change also lifts a panic fade.
        """
        if self._panic.target < 1.0:
            self._panic.go(1.0, max(transition_s, 0.5))
        if path is None:
            self._set_source(None, now, transition_s, None)
            log.info("scene: none (black, transition %.1fs)", transition_s)
            return
        try:
            scene = self.new_scene(path)
            try:
                shader = self._transition_scene(transition_shader) if transition_s > 0 else None
            except ShowError:
                scene.close()
                raise
        except ShowError as exc:
            self.last_error = str(exc)
            log.error("scene %s not shown, keeping the current one: %s", path.name,
                      str(exc).replace("\n", "; "))
            raise
        scene.set_params(self._params)
        if elapsed_s > 0:
            scene.start_t = now - elapsed_s
        self._set_source(scene, now, transition_s, shader)
        self.last_error, self.video_error = self.video_error, ""
        log.info("scene %s (transition %.1fs%s)", path.name, transition_s,
                 f" {transition_shader.name}" if transition_shader and transition_s > 0 else "")

    def _set_source(self, scene: Scene | None, now: float, transition_s: float, shader: Scene | None) -> None:
        if self.source is None or transition_s <= 0:
            if self.source is not None:
                self.source.release()
            if shader is not None:
                shader.close()
            self.source = _SceneSource(scene) if scene is not None else None
        else:
            self.source = Transition(self, self.source, scene, start_t=now, duration_s=transition_s,
                                     shader=shader)
        self._collect()

    def _transition_scene(self, path: Path | None) -> Scene | None:
        if path is None:
            return None
        shader = self.new_scene(path)
        if not shader.info.is_transition:
            shader.close()
            raise ShowError([Problem(shader.info.display, 1, 1, "not a transition shader",
                                     "a transition declares startImage, endImage (image) and "
                                     "progress (float)")])
        return shader

    def _collect(self) -> None:
        live = {id(s.compiled) for s in (self.source.scenes() if self.source else [])}
        keep = []
        for compiled in self._retired:
            if id(compiled) in live:
                keep.append(compiled)
            else:
                compiled.release()
        self._retired = keep

    def check_reload(self) -> list[str]:
        """Reload scenes whose files changed; a broken edit keeps the last good scene (messages returned)."""
        if self.source is None:
            return []
        messages: list[str] = []
        for scene in self.source.scenes():
            path = scene.info.path
            stamp = self._stamp(scene.compiled)
            key = path.resolve()
            cached = self._compiled.get(key)
            if cached is not None and cached[1] is scene.compiled and cached[0] == stamp:
                continue
            if cached is not None and cached[1] is not scene.compiled and cached[0] == stamp:
                scene.rebind(cached[1])
                continue
            failed = self._failed.get(key)
            if failed is not None and failed[0] == stamp:
                continue  # already reported this version
            try:
                compiled = self.compile(path)
            except ShowError as exc:
                msg = str(exc)
                self._failed[key] = (stamp, msg)
                self.last_error = msg
                messages.append(msg)
                log.error("hot reload of %s failed, keeping the last good scene: %s", path.name,
                          msg.replace("\n", "; "))
                continue
            self._failed.pop(key, None)
            scene.rebind(compiled)
            self.last_error = ""
            log.info("hot reloaded %s", path.name)
        self._collect()
        return messages

    # --- per frame --------------------------------------------------------------------------------------

    def set_params(self, params: Mapping[str, float]) -> None:
        """The parameter store snapshot: `scene.*` values go to the current (incoming) scene.

        During a transition the outgoing scene keeps the values it had, so the act it belonged to
        fades out as it was, not with the new act's inputs.
        """
        self._params = params
        if self.scene is not None:
            self.scene.set_params(params)

    def set_audio(self, block: AudioBlock) -> None:
        """The soundscape's latest waveform and FFT: every scene's `audio`/`audioFFT` inputs show it."""
        self.audio.feed(block)

    def set_presence(self, presence: Presence | None) -> None:
        """The latest presence snapshot (smoothed per visitor until the next one)."""
        self.presence.feed(presence)

    def blackout(self, on: bool, fade_s: float = 0.0) -> None:
        """Fade the whole output to black (on) or back to the scene (off): closed hours, operator."""
        self._blackout.go(0.0 if on else 1.0, fade_s)

    def panic(self, fade_s: float = 0.0) -> None:
        """Fade to black on PANIC; the next scene change brings the picture back."""
        self._panic.go(0.0, fade_s)

    def crossfade(self, a: moderngl.Texture, b: moderngl.Texture, progress: float,
                  fbo: moderngl.Framebuffer) -> None:
        """Draw mix(a, b, progress) over `fbo`."""
        fbo.use()
        self.ctx.viewport = (0, 0, *fbo.size)
        a.use(location=0)
        b.use(location=1)
        self._xfade["startImage"].value = 0
        self._xfade["endImage"].value = 1
        self._xfade["progress"].value = float(progress)
        self._xfade_vao.render(moderngl.TRIANGLE_STRIP, vertices=4)

    def render(self, now: float, date: tuple[float, float, float, float] | None = None) -> moderngl.Texture:
        """Draw one frame for clock time `now` into `self.output` and return it."""
        dt = 0.0 if self._last_now is None else max(0.0, now - self._last_now)
        self._last_now = now
        self._blackout.advance(dt)
        self._panic.advance(dt)
        gain = self._blackout.level * self._panic.level
        if date is None:
            date = (2026.0, 1.0, 1.0, now % 86400.0)
        t = FrameTime(now, date)
        presence = self.presence.uniforms(now)
        if isinstance(self.source, Transition) and self.source.done(now):
            finished = self.source
            self.source = _SceneSource(finished.dst) if finished.dst is not None else None
            finished.dst = None  # handed over: not released with the transition
            finished.target = _BlackSource()
            finished.release()
            self._collect()
        if self.source is None or gain <= 0.0:
            self.output_fbo.clear(0.0, 0.0, 0.0, 1.0)
        elif gain >= 1.0:
            self.source.render(self.output_fbo, t, presence)
        else:
            self.source.render(self._frame_fbo, t, presence)
            self.output_fbo.clear(0.0, 0.0, 0.0, 1.0)
            self.blitter.draw(self._frame_tex, self.output_fbo, gain)
        self.frames += 1
        return self.output

    # --- readback ---------------------------------------------------------------------------------------

    def read_rgb(self) -> np.ndarray:
        """The last frame as an H×W×3 uint8 array, top row first."""
        data = self.output_fbo.read(components=3, alignment=1)
        return np.frombuffer(data, np.uint8).reshape(self.size[1], self.size[0], 3)[::-1]

    def read_rgba_float(self) -> np.ndarray:
        """The last frame as an H×W×4 float array 0..1, top row first (for tests)."""
        data = self.output_fbo.read(components=4, alignment=1)
        return np.frombuffer(data, np.uint8).reshape(self.size[1], self.size[0], 4)[::-1] / 255.0

    def sample(self, size: tuple[int, int]) -> np.ndarray:
        """The last frame scaled to `size` as RGB bytes, rows top to bottom (what pixel mapping reads).

        Pixel mapping asks every frame: the small target is made once per size, not per call.
        """
        target = self._samplers.get(size)
        if target is None:
            tex = self.ctx.texture(size, 3)
            target = self._samplers[size] = (tex, self.ctx.framebuffer(color_attachments=[tex]))
        self.blitter.draw(self.output, target[1])
        data = target[1].read(components=3, alignment=1)
        return np.ascontiguousarray(np.frombuffer(data, np.uint8).reshape(size[1], size[0], 3)[::-1])

    def preview(self, size: tuple[int, int] = (320, 180), fmt: str = "jpeg", quality: int = 80) -> bytes:
        """A small encoded copy of the last frame for the web panel (JPEG or PNG bytes)."""
        import cv2

        bgr = cv2.cvtColor(self.sample(size), cv2.COLOR_RGB2BGR)
        if fmt == "png":
            ok, buf = cv2.imencode(".png", bgr)
        else:
            ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise DeviceError(f"could not encode a {fmt} preview")
        return bytes(buf)

    def release(self) -> None:
        """Free every GL object (and the context when the renderer made it)."""
        if self.source is not None:
            self.source.release()
            self.source = None
        for _, compiled in self._compiled.values():
            compiled.release()
        for compiled in self._retired:
            compiled.release()
        self._compiled.clear()
        self._retired.clear()
        for obj in (self._xfade_vao, self._xfade_vbo, self._xfade, self.output_fbo, self.output,
                    self._frame_fbo, self._frame_tex, self._black):
            obj.release()
        for tex, fbo in self._samplers.values():
            fbo.release()
            tex.release()
        self._samplers.clear()
        self.blitter.release()
        self.audio.release()
        if self._own_ctx:
            self.ctx.release()


def default_media_dir(root: Path | None) -> Path:
    """Generated clips' folder when none is given: the project's state/media (or the temp folder's)."""
    import tempfile

    if root is not None:
        return root / "state" / "media"
    return Path(tempfile.gettempdir()) / "installation-media"


def check_scenes(paths: Iterable[Path], zones: Sequence[str] = (), root: Path | None = None,
                 backend: str | None = "egl") -> list[Problem]:
    """Compile scenes headlessly (for `installation check`); every problem found, [] when all compile.

    Raises DeviceError when no OpenGL context can be made here (the caller may then check headers only
    with `load_scene_info`).
    """
    renderer = SceneRenderer((16, 16), backend=backend, zones=zones, root=root)
    try:
        return renderer.preload(paths)
    finally:
        renderer.release()
