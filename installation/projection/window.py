"""Projector windows (glfw): fullscreen on a chosen monitor, showing the image through a corner pin."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

import moderngl
import numpy as np

from installation.errors import DeviceError
from installation.projection.scene import QUAD
from installation.projection.warp import WARP_FS, WARP_VS, OutputConfig

log = logging.getLogger(__name__)

_glfw_ready = False


def _glfw():  # type: ignore[no-untyped-def]
    global _glfw_ready  # noqa: PLW0603 - glfw itself is process-global
    import glfw

    if not _glfw_ready:
        glfw.ERROR_REPORTING = "raise"  # the default turns GLFW errors into Python warnings
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            raise DeviceError("no display for the projector window: DISPLAY is not set (start X, or run "
                              "headless with projection output 'headless')")
        try:
            ok = glfw.init()
        except glfw.GLFWError as exc:
            raise DeviceError(f"glfw could not start: {exc}") from None
        if not ok:
            raise DeviceError("glfw could not start: is the X display reachable?")
        _glfw_ready = True
    return glfw


class _EglLoader:
    """Loads GL functions for the EGL context glfw made current (moderngl's `context=` hook)."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("EGL") or "libEGL.so.1"
        self._egl = ctypes.CDLL(name)
        self._egl.eglGetProcAddress.restype = ctypes.c_void_p
        self._egl.eglGetProcAddress.argtypes = [ctypes.c_char_p]
        gl = ctypes.util.find_library("OpenGL") or ctypes.util.find_library("GL")
        self._gl = ctypes.CDLL(gl) if gl else None

    def load_opengl_function(self, name: str) -> int:
        ptr = self._egl.eglGetProcAddress(name.encode())
        if not ptr and self._gl is not None:
            ptr = ctypes.cast(getattr(self._gl, name, None) or 0, ctypes.c_void_p).value
        return int(ptr or 0)

    def release(self) -> None:
        """glfw owns the context; nothing to free here."""


def monitors() -> list[tuple[int, str, tuple[int, int], int]]:
    """Connected monitors: (index, name, (width, height), refresh Hz)."""
    glfw = _glfw()
    out = []
    for i, mon in enumerate(glfw.get_monitors()):
        mode = glfw.get_video_mode(mon)
        name = glfw.get_monitor_name(mon)
        name = name.decode() if isinstance(name, bytes) else str(name)
        out.append((i, name, (mode.size.width, mode.size.height), mode.refresh_rate))
    return out


class ProjectorWindow:
    """One output window. The first window's context is the one the renderer draws with."""

    def __init__(self, config: OutputConfig, *, vsync: bool = True,
                 share: ProjectorWindow | None = None, context_api: str = "egl") -> None:
        if context_api not in ("egl", "native"):
            raise ValueError("context_api is egl or native")
        self.context_api = context_api
        self.config = config
        self.vsync = vsync
        self.share = share
        self.window = None
        self.ctx: moderngl.Context | None = None
        self._src: moderngl.Texture | None = None

    def open(self) -> moderngl.Context:
        """Create the window and its GL context; DeviceError naming the monitor on failure."""
        glfw = _glfw()
        cfg = self.config
        mons = glfw.get_monitors()
        monitor = None
        if cfg.fullscreen:
            found = monitors()
            if isinstance(cfg.monitor, int):
                if not 0 <= cfg.monitor < len(mons):
                    raise DeviceError(f"output {cfg.name}: monitor {cfg.monitor} not found; connected: "
                                      + ", ".join(f"{i} {n!r} {w}x{h}" for i, n, (w, h), _ in found))
                monitor = mons[cfg.monitor]
            else:
                names = [n for _, n, _, _ in found]
                if cfg.monitor not in names:
                    raise DeviceError(f"output {cfg.name}: monitor {cfg.monitor!r} not found; connected: "
                                      + ", ".join(repr(n) for n in names))
                monitor = mons[names.index(cfg.monitor)]
        glfw.default_window_hints()
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        glfw.window_hint(glfw.AUTO_ICONIFY, False)
        if self.context_api == "egl":
            # EGL windows live happily beside headless EGL contexts; GLX after EGL fails on Mesa
            glfw.window_hint(glfw.CONTEXT_CREATION_API, glfw.EGL_CONTEXT_API)
        try:
            if monitor is not None:
                mode = glfw.get_video_mode(monitor)
                glfw.window_hint(glfw.REFRESH_RATE, mode.refresh_rate)
                width, height = mode.size.width, mode.size.height
            else:
                glfw.window_hint(glfw.DECORATED, False)
                width, height = cfg.size
            share = self.share.window if self.share is not None else None
            self.window = glfw.create_window(width, height, f"installation · {cfg.name}", monitor, share)
        except glfw.GLFWError as exc:
            raise DeviceError(f"output {cfg.name}: cannot open a window: {exc}") from None
        if not self.window:
            raise DeviceError(f"output {cfg.name}: cannot open a window "
                              "(no OpenGL 3.3 core on this display?)")
        if monitor is None:
            glfw.set_window_pos(self.window, *cfg.position)
        glfw.make_context_current(self.window)
        glfw.swap_interval(1 if self.vsync else 0)
        glfw.set_input_mode(self.window, glfw.CURSOR, glfw.CURSOR_HIDDEN)
        if self.context_api == "egl":
            self.ctx = moderngl.create_context(require=330, context=_EglLoader())
        else:
            self.ctx = moderngl.create_context(require=330)
        self._prog = self.ctx.program(vertex_shader=WARP_VS, fragment_shader=WARP_FS)
        self._vbo = self.ctx.buffer(QUAD)
        self._vao = self.ctx.vertex_array(self._prog, [(self._vbo, "2f", "p")])
        self.set_corners(cfg)
        log.info("output %s: window %dx%d%s", cfg.name, width, height, " fullscreen" if monitor else "")
        return self.ctx

    def set_corners(self, config: OutputConfig) -> None:
        """Apply a new corner pin / source region (live keystone adjustment)."""
        self.config = config
        h = config.corners.window_to_image().astype(np.float32)
        self._prog["warp"].write(np.ascontiguousarray(h.T).tobytes())  # GLSL matrices are column-major
        self._prog["rect"].value = config.source_rect_gl()

    def attach(self, texture: moderngl.Texture) -> None:
        """Show this texture (made in the first window's context, shared between windows)."""
        assert self.ctx is not None
        if self.share is None:
            self._src = texture
        else:
            self._src = self.ctx.external_texture(texture.glo, texture.size, 4, 0, "f1")
        self._src.filter = (moderngl.LINEAR, moderngl.LINEAR)

    def present(self) -> None:
        """Draw the attached texture warped into the window and swap (blocks on vsync when enabled)."""
        self.draw()
        _glfw().swap_buffers(self.window)

    def draw(self) -> None:
        """Draw the warped image into the window's back buffer (without swapping)."""
        glfw = _glfw()
        assert self.ctx is not None and self._src is not None
        glfw.make_context_current(self.window)
        width, height = glfw.get_framebuffer_size(self.window)
        self.ctx.screen.use()
        self.ctx.viewport = (0, 0, width, height)
        self._src.use(location=0)
        self._prog["src"].value = 0
        self._vao.render(moderngl.TRIANGLE_STRIP, vertices=4)

    def make_current(self) -> None:
        """Make this window's GL context current on the calling thread."""
        _glfw().make_context_current(self.window)

    def should_close(self) -> bool:
        return bool(self.window is not None and _glfw().window_should_close(self.window))

    def close(self) -> None:
        """Destroy the window; idempotent."""
        if self.window is None:
            return
        glfw = _glfw()
        glfw.make_context_current(self.window)
        for obj in (self._vao, self._vbo, self._prog):
            obj.release()
        glfw.destroy_window(self.window)
        self.window = None
        self.ctx = None


def poll_events() -> None:
    """Let the window system deliver events (call once per frame from the render thread)."""
    _glfw().poll_events()
