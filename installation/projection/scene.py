"""One ISF scene on a moderngl context: compiled program, pass buffers, input values, one frame at a time."""

from __future__ import annotations

import logging
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from installation.audio.spectrum import AudioBlock
from installation.errors import Problem, ShowError
from installation.projection.glsl import compile_problems, glsl_version, isf_name, translate, vertex_display
from installation.projection.isf import AUDIO_TYPES, SceneInfo, load_scene_info
from installation.projection.presence_uniforms import PresenceUniforms

log = logging.getLogger(__name__)

QUAD = struct.pack("8f", -1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0)


class ShaderCompileError(ShowError):
    """A scene's GLSL did not compile; problems point at the `.fs` file's own lines."""


@dataclass
class FrameTime:
    """Clock values for one rendered frame: scene-local time and the date for ISF's DATE uniform."""

    now: float  # runtime clock seconds
    date: tuple[float, float, float, float] = (2026.0, 1.0, 1.0, 0.0)  # year, month, day, seconds of day


class CompiledScene:
    """A scene's header and linked program; shared by every Scene instance of the same file version."""

    def __init__(self, ctx: moderngl.Context, info: SceneInfo, zones: tuple[str, ...]) -> None:
        self.info = info
        vertex_body = None
        if info.vertex_path is not None:
            try:
                vertex_body = info.vertex_path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ShowError([Problem(vertex_display(info), 1, 1,
                                         f"cannot read vertex shader: {exc}")]) from None
        src = translate(info, zones, vertex_body, glsl_version(ctx.version_code))
        try:
            self.program = ctx.program(vertex_shader=src.vertex, fragment_shader=src.fragment)
        except moderngl.Error as exc:
            raise ShaderCompileError(compile_problems(str(exc), info)) from None
        self.samplers = src.samplers
        self.uniforms: dict[str, Any] = {}
        for name in self.program:
            member = self.program[name]
            if isinstance(member, moderngl.Uniform):
                self.uniforms[isf_name(name)] = member
        self.vbo = ctx.buffer(QUAD)
        self.vao = ctx.vertex_array(self.program, [(self.vbo, "2f", "isf_position")]) \
            if "isf_position" in self.program else ctx.vertex_array(self.program, [])
        self.audio_inputs = {i.name: (i.type, None if i.maximum is None else int(i.maximum))
                             for i in info.inputs if i.type in AUDIO_TYPES}
        self.images: dict[str, moderngl.Texture] = {}
        for img in info.imported:
            self.images[img.name] = load_image_texture(ctx, img.path, info.display, img.line, img.col)

    def release(self) -> None:
        """Free GL objects."""
        for tex in self.images.values():
            tex.release()
        self.vao.release()
        self.vbo.release()
        self.program.release()


def load_image_texture(ctx: moderngl.Context, path: Path, display: str = "", line: int = 1, col: int = 1,
                       ) -> moderngl.Texture:
    """An image file as an RGBA8 texture (bottom row first, as GL samples it)."""
    import cv2

    data = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if data is None:
        raise ShowError([Problem(display or path.name, line, col, f"cannot decode image {path.name}",
                                 "use PNG, JPEG, BMP or PPM")])
    if data.dtype != np.uint8:
        data = (data.astype(np.float32) * (255.0 / float(np.iinfo(data.dtype).max))).astype(np.uint8)
    if data.ndim == 2:
        data = cv2.cvtColor(data, cv2.COLOR_GRAY2RGBA)
    elif data.shape[2] == 3:
        data = cv2.cvtColor(data, cv2.COLOR_BGR2RGBA)
    else:
        data = cv2.cvtColor(data, cv2.COLOR_BGRA2RGBA)
    data = np.ascontiguousarray(data[::-1])
    tex = ctx.texture((data.shape[1], data.shape[0]), 4, data.tobytes())
    tex.repeat_x = tex.repeat_y = False
    tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
    return tex


class _Target:
    """A pass target: two textures swapped after each write, so a pass may read its own last frame."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], dtype: str) -> None:
        self.size = size
        self.dtype = dtype
        self.tex = [ctx.texture(size, 4, dtype=dtype) for _ in range(2)]
        self.fbo = [ctx.framebuffer(color_attachments=[t]) for t in self.tex]
        for t in self.tex:
            t.repeat_x = t.repeat_y = False
            t.filter = (moderngl.LINEAR, moderngl.LINEAR)
        for f in self.fbo:
            f.clear(0.0, 0.0, 0.0, 0.0)
        self.front = 0  # index of the texture holding the latest result

    @property
    def texture(self) -> moderngl.Texture:
        return self.tex[self.front]

    @property
    def back_fbo(self) -> moderngl.Framebuffer:
        return self.fbo[1 - self.front]

    def swap(self) -> None:
        self.front = 1 - self.front

    def release(self) -> None:
        for f in self.fbo:
            f.release()
        for t in self.tex:
            t.release()


def input_defaults(info: SceneInfo) -> dict[str, float]:
    """Default value for every scalar of every input, including a transition's `progress`."""
    values = info.defaults()
    for inp in info.inputs:
        if inp.type == "float":
            values.setdefault(f"scene.{inp.name}", float(inp.default))
    return values


class Scene:
    """A running instance of a compiled scene: input values, buffers, its own TIME and FRAMEINDEX."""

    def __init__(self, ctx: moderngl.Context, compiled: CompiledScene, black: moderngl.Texture,
                 blit: Blitter, audio: AudioTextures | None = None) -> None:
        self.ctx = ctx
        self.audio = audio
        self.compiled = compiled
        self.info = compiled.info
        self._black = black
        self._blit = blit
        self.values: dict[str, float] = input_defaults(self.info)
        self._event_prev: dict[str, float] = {i.name: 0.0 for i in self.info.inputs if i.type == "event"}
        self._event_fire: set[str] = set()
        self.image_inputs: dict[str, moderngl.Texture] = {}
        self._targets: dict[str, _Target] = {}
        self.start_t: float | None = None
        self.last_t: float | None = None
        self.frame_index = 0
        self.videos: dict[str, Any] = {}  # image input name → VideoInput (installation.projection.video)

    @property
    def path(self) -> Path:
        return self.info.path

    def set_params(self, params: Mapping[str, float]) -> None:
        """Take this scene's `scene.*` values from the parameter store snapshot (others are ignored)."""
        for name in self.values:
            val = params.get(name)
            if val is not None:
                self.values[name] = float(val)
        for name, prev in self._event_prev.items():
            cur = self.values[f"scene.{name}"]
            if cur > 0.5 >= prev:
                self._event_fire.add(name)
            self._event_prev[name] = cur

    def rebind(self, compiled: CompiledScene) -> None:
        """Switch to a newer compile of the same file (hot reload), keeping input values and time."""
        old = self.values
        self.release()
        self.compiled = compiled
        self.info = compiled.info
        self.values = input_defaults(compiled.info)
        for name in self.values:
            if name in old:
                self.values[name] = old[name]
        self._event_prev = {i.name: self.values.get(f"scene.{i.name}", 0.0)
                            for i in self.info.inputs if i.type == "event"}
        self._event_fire.clear()

    def set_image(self, name: str, texture: moderngl.Texture | None) -> None:
        """Bind a texture to an image input (None: transparent black)."""
        if texture is None:
            self.image_inputs.pop(name, None)
        else:
            self.image_inputs[name] = texture

    def _input_values(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for inp in self.info.inputs:
            if inp.type in ("float", "long", "bool", "event"):
                out[inp.name] = self.values.get(f"scene.{inp.name}", 0.0)
        return out

    def _ensure_targets(self, size: tuple[int, int]) -> None:
        inputs = self._input_values()
        for p in self.info.passes:
            if not p.target:
                continue
            want = p.size(size[0], size[1], inputs)
            dtype = "f4" if p.float_storage else ("f2" if p.persistent else "f1")
            cur = self._targets.get(p.target)
            if cur is None or cur.size != want or cur.dtype != dtype:
                if cur is not None:
                    cur.release()
                self._targets[p.target] = _Target(self.ctx, want, dtype)

    def _set(self, name: str, value: Any) -> None:
        u = self.compiled.uniforms.get(name)
        if u is not None:
            u.value = value

    def _write_array(self, name: str, data: np.ndarray) -> None:
        u = self.compiled.uniforms.get(name)
        if u is not None:
            n = max(1, u.array_length)
            u.write(np.ascontiguousarray(data[:n], dtype=np.float32).tobytes())

    def _common_uniforms(self, t: FrameTime, presence: PresenceUniforms) -> None:
        if self.start_t is None:
            self.start_t = t.now
        time_s = t.now - self.start_t
        delta = 0.0 if self.last_t is None else max(0.0, t.now - self.last_t)
        self._set("TIME", time_s)
        self._set("TIMEDELTA", delta)
        self._set("FRAMEINDEX", self.frame_index)
        self._set("DATE", t.date)
        self._set("PRESENCE_COUNT", presence.count)
        self._set("PRESENCE_KNOWN", presence.known)
        self._write_array("PRESENCE_PEOPLE", presence.people)
        self._write_array("PRESENCE_TRACKS", presence.tracks)
        self._write_array("PRESENCE_ZONES", presence.zones)
        self._set("PRESENCE_MOTION", presence.motion)
        self._set("PRESENCE_CENTER", presence.center)
        self._set("PRESENCE_NEAREST", presence.nearest)
        self._set("PRESENCE_SPREAD", presence.spread)
        self._set("PRESENCE_STILLNESS", presence.stillness)
        for inp in self.info.inputs:
            base = f"scene.{inp.name}"
            if inp.type == "float":
                self._set(inp.name, self.values[base])
            elif inp.type == "long":
                self._set(inp.name, round(self.values[base]))
            elif inp.type == "bool":
                self._set(inp.name, self.values[base] > 0.5)
            elif inp.type == "event":
                self._set(inp.name, inp.name in self._event_fire)
            elif inp.type == "color":
                self._set(inp.name, tuple(self.values[f"{base}.{c}"] for c in "rgba"))
            elif inp.type == "point2D":
                self._set(inp.name, (self.values[f"{base}.x"], self.values[f"{base}.y"]))

    def _bind_samplers(self) -> None:
        for unit, name in enumerate(self.compiled.samplers):
            target = self._targets.get(name)
            if target is not None:
                tex = target.texture
            elif name in self.compiled.audio_inputs and self.audio is not None:
                kind, width = self.compiled.audio_inputs[name]
                tex = self.audio.texture(kind, width)
            else:
                tex = self.compiled.images.get(name) or self.image_inputs.get(name) or self._black
            if name in self.compiled.uniforms:
                tex.use(location=unit)
                self._set(name, unit)
                w, h = tex.size
                self._set(f"_{name}_imgSize", (float(w), float(h)))
                self._set(f"_{name}_imgRect", (0.0, 0.0, float(w), float(h)))
                self._set(f"_{name}_flip", False)

    def render(self, fbo: moderngl.Framebuffer, t: FrameTime, presence: PresenceUniforms) -> None:
        """Run every pass; the last one draws into `fbo` (whose size is the render size)."""
        size = fbo.size
        self._ensure_targets(size)
        self._common_uniforms(t, presence)
        if self.videos:
            assert self.start_t is not None
            for name, video in self.videos.items():
                tex = video.texture_at(t.now - self.start_t)
                if tex is not None:
                    self.image_inputs[name] = tex
        passes = self.info.passes
        for index, p in enumerate(passes):
            last = index == len(passes) - 1
            self._set("PASSINDEX", index)
            self._bind_samplers()
            target = self._targets.get(p.target) if p.target else None
            if last and target is None:
                dest, dsize = fbo, size
            else:
                assert target is not None
                dest, dsize = target.back_fbo, target.size
            if not last and target is None:
                continue  # a middle pass with no target renders nowhere
            dest.use()
            self.ctx.viewport = (0, 0, dsize[0], dsize[1])
            # VVISF clears each target before a pass draws: what a custom vertex shader leaves uncovered
            # is transparent black, never an older picture
            dest.clear(0.0, 0.0, 0.0, 0.0)
            self._set("RENDERSIZE", (float(dsize[0]), float(dsize[1])))
            self.compiled.vao.render(moderngl.TRIANGLE_STRIP, vertices=4)
            if target is not None:
                target.swap()
                if last:
                    self._blit.draw(target.texture, fbo)
        self._event_fire.clear()
        self.last_t = t.now
        self.frame_index += 1

    def release(self) -> None:
        """Free this instance's buffers (the compiled program is shared and freed by its cache)."""
        for target in self._targets.values():
            target.release()
        self._targets.clear()

    def close(self) -> None:
        """Release buffers and close video sources (the scene is gone for good)."""
        self.release()
        for video in self.videos.values():
            video.release()
        self.videos.clear()


class AudioTextures:
    """The latest audio block as ISF audio images: waveform (0.5 = silence) and FFT, one row per channel.

    Textures are float (R32F read as grey: .r = .g = .b, alpha 1), made on demand for each width a scene
    asks for (an input's MAX) and refreshed only when a new block arrived.
    """

    def __init__(self, ctx: moderngl.Context, channels: int = 2, samples: int = 512, bins: int = 256) -> None:
        self.ctx = ctx
        self.block = AudioBlock.silence(channels, samples, bins)
        self._generation = 0
        self._textures: dict[tuple[str, int | None], tuple[int, moderngl.Texture]] = {}

    def feed(self, block: AudioBlock) -> None:
        """A new block from the soundscape (the next frame's textures show it)."""
        self.block = block
        self._generation += 1

    def texture(self, kind: str, width: int | None) -> moderngl.Texture:
        """The texture for an `audio` or `audioFFT` input of MAX `width` (None: the block's own width)."""
        key = (kind, width)
        cached = self._textures.get(key)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        rows = audio_rows(self.block, kind, width)
        h, w = rows.shape
        tex = cached[1] if cached is not None and cached[1].size == (w, h) else None
        if tex is None:
            if cached is not None:
                cached[1].release()
            tex = self.ctx.texture((w, h), 1, dtype="f4")
            tex.swizzle = "RRR1"
            tex.repeat_x = tex.repeat_y = False
            tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
        tex.write(np.ascontiguousarray(rows, dtype=np.float32).tobytes())
        self._textures[key] = (self._generation, tex)
        return tex

    def release(self) -> None:
        """Free GL objects."""
        for _, tex in self._textures.values():
            tex.release()
        self._textures.clear()


def audio_rows(block: AudioBlock, kind: str, width: int | None) -> np.ndarray:
    """channels × width values 0..1 as ISF hosts give them: waveform 0.5 + 0.5·sample, FFT magnitude.

    A MAX below the block's size resamples the whole block (every frequency still present); above it,
    the block's own size is given (ISF lets hosts give fewer samples than asked for).
    """
    data = block.waveform if kind == "audio" else block.fft
    data = np.atleast_2d(np.asarray(data, dtype=np.float32))
    n = data.shape[1]
    if width is not None and 0 < width < n:
        if kind == "audio":
            x = np.linspace(0.0, n - 1.0, width)
            data = np.stack([np.interp(x, np.arange(n), row) for row in data])
        else:  # each output bin is the loudest of the bins it covers (a peak stays a peak)
            edges = np.linspace(0, n, width + 1).astype(int)
            data = np.stack([np.maximum.reduceat(row, edges[:-1]) for row in data])
    if kind == "audio":
        data = 0.5 + 0.5 * np.clip(data, -1.0, 1.0)
    return np.clip(data, 0.0, 1.0).astype(np.float32)


class Blitter:
    """Draws a texture over a whole framebuffer (scaled with linear filtering)."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.program = ctx.program(
            vertex_shader="#version 330 core\nin vec2 p; out vec2 uv;\n"
                          "void main(){ uv = p*0.5+0.5; gl_Position = vec4(p,0,1); }",
            fragment_shader="#version 330 core\nuniform sampler2D src; uniform float gain; in vec2 uv;\n"
                            "out vec4 o; void main(){ o = texture(src, uv) * gain; }")
        self.vbo = ctx.buffer(QUAD)
        self.vao = ctx.vertex_array(self.program, [(self.vbo, "2f", "p")])

    def draw(self, tex: moderngl.Texture, fbo: moderngl.Framebuffer, gain: float = 1.0) -> None:
        """Cover `fbo` with `tex` times `gain`."""
        fbo.use()
        self.ctx.viewport = (0, 0, *fbo.size)
        tex.use(location=0)
        self.program["src"].value = 0
        self.program["gain"].value = gain
        self.vao.render(moderngl.TRIANGLE_STRIP, vertices=4)

    def release(self) -> None:
        """Free GL objects."""
        self.vao.release()
        self.vbo.release()
        self.program.release()


def compile_scene(ctx: moderngl.Context, path: Path, zones: tuple[str, ...] = (), root: Path | None = None,
                  ) -> CompiledScene:
    """Read and compile an ISF file; ShowError (or ShaderCompileError) naming the file's lines."""
    info = load_scene_info(path, root)
    return CompiledScene(ctx, info, zones)
