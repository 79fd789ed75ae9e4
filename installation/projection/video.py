"""Video as a scene input: a file (PyAV), the camera (OpenCV) or a clip generated at first use.

An image input whose ISF header says `"VIDEO": ...` is fed one frame per rendered frame, decoded in the
projection process. The frame shown is the one at the scene's TIME (looped, or once and then held), so a
restarted projection process that is told how long the scene has been on resumes at the right frame.
On a GPU, decoded frames are uploaded as three 8-bit planes (Y, U, V) and turned into RGB by a small GL
pass, so the CPU never converts colours; on a software renderer (Mesa llvmpipe), where that pass costs
more CPU than the conversion itself, libswscale converts to RGB and the frame is uploaded once
(bench/video_bench.py measures both).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from installation.errors import DeviceError

log = logging.getLogger(__name__)

_PLANES_VS = """#version 330 core
in vec2 p; out vec2 uv;
void main() { uv = vec2(p.x * 0.5 + 0.5, 0.5 - p.y * 0.5); gl_Position = vec4(p, 0.0, 1.0); }
"""
# limited-range YCbCr → RGB: BT.709 when the stream says so, else BT.601 (what libswscale assumes, so
# both upload paths agree on an untagged file)
_PLANES_FS = """#version 330 core
uniform sampler2D y_plane; uniform sampler2D u_plane; uniform sampler2D v_plane; uniform mat3 to_rgb;
in vec2 uv; out vec4 o;
void main() {
    vec3 yuv = vec3(texture(y_plane, uv).r - 16.0 / 255.0, texture(u_plane, uv).r - 0.5,
                    texture(v_plane, uv).r - 0.5);
    o = vec4(clamp(to_rgb * yuv, 0.0, 1.0), 1.0);
}
"""
_QUAD = np.array([-1, -1, 1, -1, -1, 1, 1, 1], np.float32).tobytes()


def _matrix(kr: float, kb: float) -> tuple[float, ...]:
    kg = 1.0 - kr - kb
    ys, cs = 255.0 / 219.0, 255.0 / 224.0
    rows = (
        (ys, 0.0, 2 * (1 - kr) * cs),
        (ys, -2 * (1 - kb) * kb / kg * cs, -2 * (1 - kr) * kr / kg * cs),
        (ys, 2 * (1 - kb) * cs, 0.0),
    )
    return tuple(rows[r][c] for c in range(3) for r in range(3))  # column-major for GLSL


BT709 = _matrix(0.2126, 0.0722)
BT601 = _matrix(0.299, 0.114)


# --- clips generated at first use (nothing binary is kept in the repository) -----------------------------
def _tideline(index: int, size: tuple[int, int], fps: float) -> np.ndarray:
    """Slow blue-green swell with a bright band drifting across: a calm, recognisable test clip."""
    w, h = size
    t = index / fps
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    swell = 0.5 + 0.5 * np.sin(2 * np.pi * (x * 1.5 + y * 0.7 - t * 0.2))
    band = np.exp(-(((x - (t * 0.1) % 1.0) * 8.0) ** 2))
    rgb = np.stack([0.1 + 0.5 * band + 0 * y, 0.3 + 0.4 * swell, 0.5 + 0.4 * swell * (1 - y)], axis=-1)
    return (np.clip(rgb, 0.0, 1.0) * 255).astype(np.uint8)


def _frame_counter(index: int, size: tuple[int, int], fps: float) -> np.ndarray:
    """Grey level = frame index (0, 4, 8, ... mod 256): lets tests read which frame is shown."""
    w, h = size
    return np.full((h, w, 3), (index * 4) % 256, np.uint8)


Draw = Callable[[int, tuple[int, int], float], np.ndarray]
GENERATED: dict[str, tuple[Draw, tuple[int, int], float, float]] = {
    # name: (draw(frame index, size, fps) → H×W×3 RGB, size, fps, seconds)
    "tideline": (_tideline, (640, 360), 30.0, 12.0),
    "counter": (_frame_counter, (64, 36), 30.0, 2.0),
}


def encode_clip(path: Path, draw: Draw, size: tuple[int, int], *, fps: float, seconds: float,
                crf: int = 23) -> Path:
    """Write an H.264 MP4 of `draw`'s frames (PyAV's libx264), atomically; returns `path`."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.mp4")
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast", "g": str(round(fps))}
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(draw(index, size, fps), format="rgb24")
            frame.pts = index
            frame.time_base = 1 / rate
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    os.replace(tmp, path)
    return path


def generated_clip(name: str, media_dir: Path) -> Path:
    """The generated clip `name`, made under `media_dir` the first time it is asked for."""
    draw, size, fps, seconds = GENERATED[name]
    path = media_dir / f"{name}.mp4"
    if not path.is_file():
        log.info("video: generating %s (%dx%d, %.0f s) once, under %s", name, *size, seconds, media_dir)
        encode_clip(path, draw, size, fps=fps, seconds=seconds)
    return path


# --- decoding --------------------------------------------------------------------------------------------
class VideoClip:
    """A video file decoded frame by frame (PyAV); `frame_at(t)` gives the frame on screen at t seconds."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import av

        try:
            self._container = av.open(str(path))
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, IndexError, OSError) as exc:
            raise DeviceError(f"video {path.name}: cannot open ({exc})") from None
        self.path = path
        ctx = self._stream.codec_context
        ctx.thread_count = threads  # 1: decode in the render thread only (measured in bench/video_bench.py)
        self.size = (ctx.width, ctx.height)
        rate = self._stream.average_rate or self._stream.guessed_rate or Fraction(30)
        self.fps = float(rate)
        self._time_base = float(self._stream.time_base or Fraction(1, 1000))
        frames = self._stream.frames
        duration = (self._stream.duration or 0) * self._time_base
        if not duration and self._container.duration:
            duration = self._container.duration / 1_000_000
        self.duration_s = duration if duration > 0 else (frames / self.fps if frames else 0.0)
        self.frame_count = frames or max(1, round(self.duration_s * self.fps))
        self._frames: Any = None
        self._current: Any = None  # the last decoded frame
        self._current_index = -1
        self.decoded = 0  # frames decoded so far (tests and benches)

    def index_at(self, t_s: float, playback: str = "loop") -> int:
        """Which frame is on screen `t_s` seconds after the clip started."""
        index = max(0, math.floor(t_s * self.fps + 1e-6))
        if playback == "loop":
            return index % self.frame_count
        return min(index, self.frame_count - 1)

    def frame_at(self, t_s: float, playback: str = "loop") -> Any:
        """The av.VideoFrame for time `t_s` (decoding forward; seeking on a jump back or far ahead)."""
        want = self.index_at(t_s, playback)
        if want == self._current_index and self._current is not None:
            return self._current
        if self._current is None or want < self._current_index or want > self._current_index + 2 * self.fps:
            self._seek(want)
        while self._current_index < want:
            frame = self._next()
            if frame is None:  # the stream ended early (a short last GOP): keep the last frame
                self.frame_count = max(1, self._current_index + 1)
                break
            self._current = frame
            self._current_index = self._index_of(frame)
        return self._current

    def _index_of(self, frame: Any) -> int:
        if frame.pts is None:
            return self._current_index + 1
        return round(frame.pts * self._time_base * self.fps)

    def _seek(self, index: int) -> None:
        start = self._stream.start_time or 0
        target = start + int(index / self.fps / self._time_base)
        self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)
        self._current, self._current_index = None, -1
        frame = self._next()
        if frame is not None:
            self._current = frame
            self._current_index = self._index_of(frame) if index > 0 else 0

    def _next(self) -> Any:
        import av

        if self._frames is None:
            self._frames = self._container.decode(self._stream)
        try:
            frame = next(self._frames)
        except (StopIteration, av.EOFError):
            return None
        self.decoded += 1
        return frame

    def close(self) -> None:
        """Close the file."""
        self._container.close()


class CameraFeed:
    """The newest frame of a camera (OpenCV; any path OpenCV opens works too), read by its own thread."""

    def __init__(self, source: int | str) -> None:
        import cv2

        self._cap = cv2.VideoCapture(source)
        if not self._cap.isOpened():
            raise DeviceError(f"camera {source}: cannot open")
        self.frame: np.ndarray | None = None
        self.serial = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scene-camera", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ok, frame = self._cap.read()
            if not ok:
                log.warning("scene camera: no frame; the input keeps its last picture")
                return
            self.frame = frame
            self.serial += 1

    def close(self) -> None:
        """Stop reading and release the camera."""
        self._stop.set()
        self._thread.join(timeout=2.0)
        self._cap.release()


# --- upload ----------------------------------------------------------------------------------------------
def software_renderer(ctx: moderngl.Context) -> bool:
    """True on a CPU rasteriser (llvmpipe, softpipe, swrast), where every GL pass costs CPU time."""
    name = str(ctx.info.get("GL_RENDERER", "")).lower()
    return any(word in name for word in ("llvmpipe", "softpipe", "swrast"))


class VideoTexture:
    """Decoded frames as an RGBA texture (bottom row first, like every GL image the scenes sample).

    `gpu_convert`: upload Y, U, V planes and convert in a GL pass (default: unless the renderer is software).
    """

    def __init__(self, ctx: moderngl.Context, gpu_convert: bool | None = None) -> None:
        self.ctx = ctx
        self.gpu_convert = not software_renderer(ctx) if gpu_convert is None else gpu_convert
        self.texture: moderngl.Texture | None = None
        self._fbo: moderngl.Framebuffer | None = None
        self._planes: list[moderngl.Texture] = []
        self._program = ctx.program(vertex_shader=_PLANES_VS, fragment_shader=_PLANES_FS)
        self._vbo = ctx.buffer(_QUAD)
        self._vao = ctx.vertex_array(self._program, [(self._vbo, "2f", "p")])
        self.uploads = 0

    def _ensure(self, size: tuple[int, int], plane_sizes: list[tuple[int, int]]) -> None:
        if self.texture is not None and self.texture.size == size and \
                [p.size for p in self._planes] == plane_sizes:
            return
        self._free()
        self.texture = self.ctx.texture(size, 4)
        self.texture.repeat_x = self.texture.repeat_y = False
        self.texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self._fbo = self.ctx.framebuffer(color_attachments=[self.texture])
        for psize in plane_sizes:
            tex = self.ctx.texture(psize, 1)
            tex.repeat_x = tex.repeat_y = False
            tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self._planes.append(tex)

    def upload_frame(self, frame: Any) -> moderngl.Texture:
        """An av.VideoFrame (any format; yuv420p is uploaded without conversion) into `texture`."""
        if not self.gpu_convert:
            rgb = frame.to_ndarray(format="rgb24")  # libswscale
            return self._upload_rgb(rgb[::-1], 3)
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        w, h = frame.width, frame.height
        sizes = [(w, h), ((w + 1) // 2, (h + 1) // 2), ((w + 1) // 2, (h + 1) // 2)]
        self._ensure((w, h), sizes)
        for tex, plane, (pw, ph) in zip(self._planes, frame.planes, sizes, strict=True):
            stride = plane.line_size
            if stride == pw:
                tex.write(memoryview(plane))
            else:  # rows padded for alignment: hand GL the rows without their padding
                rows = np.frombuffer(memoryview(plane), np.uint8).reshape(-1, stride)[:ph, :pw]
                tex.write(np.ascontiguousarray(rows))
        assert self._fbo is not None and self.texture is not None
        self._fbo.use()
        self.ctx.viewport = (0, 0, w, h)
        for unit, (name, tex) in enumerate(zip(("y_plane", "u_plane", "v_plane"), self._planes, strict=True)):
            tex.use(location=unit)
            self._program[name].value = unit
        self._program["to_rgb"].value = BT709 if getattr(frame, "colorspace", 2) == 1 else BT601
        self._vao.render(moderngl.TRIANGLE_STRIP, vertices=4)
        self.uploads += 1
        return self.texture

    def upload_bgr(self, image: np.ndarray) -> moderngl.Texture:
        """A camera's BGR image (top row first) into `texture`."""
        import cv2

        return self._upload_rgb(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)[::-1], 3)  # GL: bottom row first

    def _upload_rgb(self, rows_bottom_first: np.ndarray, components: int) -> moderngl.Texture:
        h, w = rows_bottom_first.shape[:2]
        if self.texture is None or self.texture.size != (w, h) or self.texture.components != components \
                or self._planes:
            self._free()
            self.texture = self.ctx.texture((w, h), components, alignment=1)
            self.texture.repeat_x = self.texture.repeat_y = False
            self.texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self.texture.swizzle = "RGB1"
        self.texture.write(np.ascontiguousarray(rows_bottom_first))
        self.uploads += 1
        return self.texture

    def _free(self) -> None:
        for obj in (self._fbo, self.texture, *self._planes):
            if obj is not None:
                obj.release()
        self._fbo, self.texture, self._planes = None, None, []

    def release(self) -> None:
        """Free GL objects."""
        self._free()
        self._vao.release()
        self._vbo.release()
        self._program.release()


class VideoInput:
    """One scene's video-fed image input: the source named in the header, its texture, its playback."""

    def __init__(self, ctx: moderngl.Context, video: str, shader: Path, media_dir: Path,
                 playback: str = "loop") -> None:
        self.spec = video
        self.playback = playback
        self.clip: VideoClip | None = None
        self.camera: CameraFeed | None = None
        self._camera_serial = -1
        self._shown: Any = None
        if video == "camera" or video.startswith("camera:"):
            self.camera = CameraFeed(int(video.partition(":")[2] or 0))
        elif video.startswith("generated:"):
            self.clip = VideoClip(generated_clip(video.removeprefix("generated:"), media_dir))
        else:
            self.clip = VideoClip((shader.parent / video).resolve())
        self.out = VideoTexture(ctx)

    def texture_at(self, t_s: float) -> moderngl.Texture | None:
        """The input's picture `t_s` seconds into the scene (None until a first frame exists)."""
        if self.clip is not None:
            frame = self.clip.frame_at(t_s, self.playback)
            if frame is not None and frame is not self._shown:
                self._shown = frame
                self.out.upload_frame(frame)
        elif self.camera is not None and self.camera.frame is not None \
                and self.camera.serial != self._camera_serial:
            self._camera_serial = self.camera.serial
            self.out.upload_bgr(self.camera.frame)
        return self.out.texture

    def release(self) -> None:
        """Close the source and free the textures."""
        if self.clip is not None:
            self.clip.close()
        if self.camera is not None:
            self.camera.close()
        self.out.release()
