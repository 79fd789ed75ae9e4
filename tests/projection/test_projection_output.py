"""The in-process render loop (ThreadedProjection), projector windows under Xvfb, offline mp4 render."""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from installation.adapters import HealthState
from installation.engine.presence import Person, Presence

REPO = Path(__file__).resolve().parents[2]
SHADERS = REPO / "shaders"
CONFORMANCE = Path(__file__).resolve().parent / "isf"


class RealClock:
    """Monotonic seconds (what the runtime's MonotonicClock gives the adapter)."""

    def now(self) -> float:
        return time.monotonic()


@dataclass(frozen=True)
class SceneChange:
    """Shaped like the engine's SceneChange command."""

    act: str
    scene_path: str
    transition_s: float = 0.0
    transition_shader: str | None = None


class FrameCounter:
    """on_frame hook: lets a test wait for N frames without sleeping."""

    def __init__(self) -> None:
        self.frames = 0
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.last_pixel: list[int] | None = None

    def __call__(self, renderer) -> None:  # type: ignore[no-untyped-def]
        with self.cond:
            self.frames += 1
            self.last_pixel = renderer.read_rgb()[4, 4].tolist()
            self.cond.notify_all()

    def wait_for(self, n: int, timeout_s: float = 20.0) -> int:
        with self.cond:
            target = self.frames + n
            self.cond.wait_for(lambda: self.frames >= target, timeout=timeout_s)
            return self.frames


def test_headless_adapter_renders_in_its_own_thread(gl_context, tmp_path: Path) -> None:
    from installation.projection.output import ProjectionOutput

    counter = FrameCounter()
    out = ProjectionOutput(RealClock(), size=(64, 36), fps=120.0, root=REPO, on_frame=counter,
                           preview_interval_s=0.0, reload_interval_s=0.05, process=False)
    try:
        assert out.health().state == HealthState.OFF
        out.open()
        out.command(SceneChange("attract", str(CONFORMANCE / "solid.fs")))
        out.update({"scene.color.r": 0.0, "scene.color.g": 1.0, "scene.color.b": 0.0},
                   Presence(t=0.0, count=1, people=(Person(1, 0.5, 0.5),)), now=0.0)
        assert counter.wait_for(5) >= 5
        assert counter.last_pixel == [0, 255, 0]
        assert out.health().state == HealthState.OK
        assert (out.preview() or b"")[:3] == b"\xff\xd8\xff"
        stats = out.stats()
        assert stats.frames >= 4 and stats.render_ms_p99 > 0

        # a broken scene: health says where, the last good scene stays on screen
        broken = tmp_path / "broken.fs"
        broken.write_text('/*{}*/\nvoid main() {\n  gl_FragColor = nope;\n}\n', encoding="utf-8")
        out.change_scene(broken, transition_s=1.0)
        counter.wait_for(3)
        health = out.health()
        assert health.state == HealthState.DEGRADED
        assert "broken.fs:3:" in health.detail and "broken.fs:3:" in out.scene_error
        assert counter.last_pixel == [0, 255, 0]

        out.blackout(True, fade_s=0.0)
        counter.wait_for(2)
        assert counter.last_pixel == [0, 0, 0]
    finally:
        out.close()
    assert out.health().state == HealthState.OFF


def test_update_never_blocks_the_engine(gl_context) -> None:
    from installation.projection.output import ProjectionOutput

    out = ProjectionOutput(RealClock(), size=(32, 18), fps=30.0)
    out.open()
    try:
        params = {f"scene.p{i}": i / 100 for i in range(100)}
        start = time.perf_counter()
        for k in range(2000):
            out.update(params, None, now=k / 60)
        assert (time.perf_counter() - start) / 2000 < 0.0005
    finally:
        out.close()


# --- windows under Xvfb -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    exe = shutil.which("Xvfb")
    if exe is None:
        if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
            pytest.fail("Xvfb is not installed (apt-get install xvfb)")
        pytest.skip("Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    cmd = [exe, "-displayfd", str(write_fd), "-screen", "0", "1280x720x24", "-nolisten", "tcp"]
    proc = subprocess.Popen(cmd, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # Xvfb writes its display number once it is ready
        if not number:
            pytest.skip("Xvfb did not start")
        old = os.environ.get("DISPLAY")
        os.environ["DISPLAY"] = f":{number}"
        yield f":{number}"
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.integration
def test_window_shows_the_image_through_the_corner_pin(xvfb_display: str, gl_context) -> None:
    from installation.projection.warp import CornerPin, OutputConfig
    from installation.projection.window import ProjectorWindow, monitors

    assert monitors()[0][2] == (1280, 720)
    # the image is pinned into the right half of the window
    pin = CornerPin(((0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)))
    win = ProjectorWindow(OutputConfig(fullscreen=False, size=(200, 100), corners=pin), vsync=False)
    ctx = win.open()
    try:
        white = ctx.texture((4, 4), 4, np.full((4, 4, 4), 255, np.uint8).tobytes())
        win.attach(white)
        win.draw()
        pixels = np.frombuffer(ctx.screen.read(components=3), np.uint8).reshape(100, 200, 3)
        assert pixels[50, 40].tolist() == [0, 0, 0]
        assert pixels[50, 160].tolist() == [255, 255, 255]
        win.present()
    finally:
        win.close()


@pytest.mark.integration
def test_fullscreen_monitor_that_does_not_exist_is_named(xvfb_display: str) -> None:
    from installation.errors import DeviceError
    from installation.projection.warp import OutputConfig
    from installation.projection.window import ProjectorWindow

    with pytest.raises(DeviceError, match="monitor 3 not found; connected: 0"):
        ProjectorWindow(OutputConfig(monitor=3)).open()


@pytest.mark.integration
def test_window_adapter_paced_by_the_clock(xvfb_display: str, gl_context) -> None:
    from installation.projection.output import ProjectionOutput
    from installation.projection.warp import OutputConfig

    counter = FrameCounter()
    out = ProjectionOutput(RealClock(), size=(160, 90), fps=30.0, pacing="clock", on_frame=counter,
                           outputs=[OutputConfig(fullscreen=False, size=(160, 90))], process=False)
    out.open()
    try:
        out.change_scene(SHADERS / "unenclosed" / "biodome_glow.fs")
        counter.wait_for(12)
        assert out.health().state == HealthState.OK, out.health()
        stats = out.stats()
        assert 20.0 < stats.interval_ms_p50 < 60.0, stats
    finally:
        out.close()


# --- offline render -------------------------------------------------------------------------------------

def write_wav(path: Path, seconds: float, rate: int = 22050) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        samples = (int(8000 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(int(seconds * rate)))
        w.writeframes(b"".join(struct.pack("<h", s) for s in samples))


def test_offline_render_writes_an_mp4_with_audio(gl_context, tmp_path: Path) -> None:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("ffmpeg is not installed")
    from installation.projection.offline import FrameInput, render_video

    wav = tmp_path / "evening.wav"
    write_wav(wav, 1.5)
    seen: list[tuple[int, int]] = []

    def advance(t: float) -> FrameInput:
        commands = []
        if t == 0.0:
            commands.append(SceneChange("attract", "shaders/unenclosed/biodome_glow.fs"))
        if abs(t - 0.5) < 1e-9:
            commands.append(SceneChange("streets", "shaders/unenclosed/bioluminescent_streets.fs", 0.5,
                                        "shaders/transitions/dissolve.fs"))
            commands.append(SceneChange("oops", "shaders/missing.fs"))
        people = (Person(1, t / 1.5, 0.7),)
        return FrameInput({"scene.glow": 0.8}, Presence(t=t, count=1, people=people), commands)

    result = render_video(advance, tmp_path / "preview.mp4", duration_s=1.5, fps=10, size=(160, 90),
                          audio_wav=wav, progress=lambda done, total: seen.append((done, total)), root=REPO)
    assert result.frames == 15 and seen[-1] == (15, 15) and len(seen) == 15
    assert len(result.problems) == 1 and "missing.fs" in result.problems[0]
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
                            str(tmp_path / "preview.mp4")], capture_output=True, text=True, check=True)
    info = json.loads(probe.stdout)
    kinds = {s["codec_type"]: s for s in info["streams"]}
    assert kinds["video"]["codec_name"] == "h264" and kinds["video"]["width"] == 160
    assert kinds["audio"]["codec_name"] == "aac"
    assert float(info["format"]["duration"]) == pytest.approx(1.5, abs=0.15)


def test_offline_render_without_ffmpeg_is_one_line(gl_context, tmp_path: Path, monkeypatch) -> None:
    from installation.errors import DeviceError
    from installation.projection import offline

    monkeypatch.setattr(offline.shutil, "which", lambda name: None)
    with pytest.raises(DeviceError, match="ffmpeg not found: install it"):
        offline.render_video(lambda t: offline.FrameInput({}), tmp_path / "x.mp4", duration_s=1.0)


@pytest.mark.integration
def test_window_without_vsync_falls_back_to_clock_pacing(xvfb_display: str, gl_context) -> None:
    from installation.projection.output import ProjectionOutput
    from installation.projection.warp import OutputConfig

    counter = FrameCounter()
    out = ProjectionOutput(RealClock(), size=(64, 36), fps=60.0, pacing="vsync", on_frame=counter,
                           outputs=[OutputConfig(fullscreen=False, size=(64, 36))], process=False)
    out.open()
    try:
        out.change_scene(CONFORMANCE / "solid.fs")
        counter.wait_for(90)
        assert out.pacing == "clock", "Xvfb's swap does not wait: the loop must not spin"
    finally:
        out.close()
