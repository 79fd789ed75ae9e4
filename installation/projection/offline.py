"""Offline preview: a scripted evening's projection frames through ffmpeg into an mp4 (audio optional)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.engine.presence import Presence
from installation.errors import DeviceError, ShowError
from installation.projection.output import apply_command
from installation.projection.renderer import SceneRenderer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FrameInput:
    """What the show looks like at one frame time: store snapshot, presence, commands issued since."""

    params: Mapping[str, float]
    presence: Presence | None = None
    commands: Sequence[Any] = ()  # engine Commands: SceneChange (scene_path, transition_s, ...), Blackout


@dataclass
class RenderResult:
    """What an offline render produced."""

    output: Path
    frames: int
    duration_s: float
    problems: list[str] = field(default_factory=list)  # scene changes that failed (the last scene stayed)


def _ffmpeg_command(output: Path, size: tuple[int, int], fps: float, audio_wav: Path | None,
                    crf: int) -> list[str]:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise DeviceError("ffmpeg not found: install it (apt-get install ffmpeg) to render a preview video")
    cmd = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{size[0]}x{size[1]}", "-r", f"{fps:g}", "-i", "-"]
    if audio_wav is not None:
        cmd += ["-i", str(audio_wav)]
    cmd += ["-map", "0:v", "-vf", "vflip", "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf),
            "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    if audio_wav is not None:
        cmd += ["-map", "1:a", "-c:a", "aac", "-b:a", "192k", "-shortest"]
    cmd.append(str(output))
    return cmd


def render_video(
    advance: Callable[[float], FrameInput],
    output: Path,
    *,
    duration_s: float,
    fps: float = 30.0,
    size: tuple[int, int] = (1280, 720),
    audio_wav: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    zones: Sequence[str] = (),
    root: Path | None = None,
    backend: str | None = "egl",
    crf: int = 23,
) -> RenderResult:
    """Render `duration_s` of projection to `output` (mp4, H.264), calling `advance(t)` for each frame.

    `advance(t)` runs the show to time t (seconds from the start, t = frame / fps) and returns the
    parameter snapshot, presence and the commands issued since the previous call. `progress(done, total)`
    is called after every frame. Scene paths in commands are relative to `root` (the project folder).
    """
    if audio_wav is not None and not audio_wav.is_file():
        raise DeviceError(f"{audio_wav}: audio file not found (render the soundscape first)")
    total = max(1, round(duration_s * fps))
    output.parent.mkdir(parents=True, exist_ok=True)
    cmd = _ffmpeg_command(output, size, fps, audio_wav, crf)
    renderer = SceneRenderer(size, backend=backend, zones=zones, root=root, smoothing_s=0.12, fade_s=0.4)
    problems: list[str] = []
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    frames = 0
    try:
        for index in range(total):
            t = index / fps
            frame = advance(t)
            for command in frame.commands:
                try:
                    apply_command(renderer, command, t, root)
                except ShowError as exc:
                    problems.append(str(exc))
            renderer.set_params(frame.params)
            renderer.set_presence(frame.presence)
            renderer.render(t, (2026.0, 1.0, 1.0, 18 * 3600.0 + t))
            try:
                proc.stdin.write(renderer.output_fbo.read(components=3, alignment=1))
            except BrokenPipeError:
                break
            frames += 1
            if progress is not None:
                progress(frames, total)
    finally:
        renderer.release()
        with contextlib.suppress(BrokenPipeError):  # ffmpeg already exited: its status says why
            proc.stdin.close()
        err = ""
        if proc.stderr is not None:
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
        code = proc.wait()
    if code != 0:
        first = err.strip().splitlines()[-1] if err.strip() else f"exit status {code}"
        raise DeviceError(f"ffmpeg failed writing {output}: {first}")
    log.info("rendered %d frames (%.1fs) to %s", frames, frames / fps, output)
    return RenderResult(output, frames, frames / fps, problems)
