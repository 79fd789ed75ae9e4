"""Offline renders of a scripted evening: the engine runs in virtual time, audio and projection render it.

`installation render-audio SHOW --audience SCRIPT -o show.wav` and `installation render SHOW --audience
SCRIPT -o preview.mp4` both step the same engine the gallery runs, fed by the audience script's exact
presence, and hand its commands and parameters to the offline renderers at each step.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from installation.engine.clock import VirtualClock
from installation.engine.commands import Command
from installation.engine.presence import Presence
from installation.engine.schedule import first_opening, is_open, seconds_since_midnight
from installation.engine.show_engine import Engine
from installation.errors import InstallationError
from installation.offline.audience import AudienceScript, load_audience
from installation.show.loader import load_show
from installation.show.model import Show

log = logging.getLogger(__name__)

AUDIO_STEP_S = 0.02  # engine steps for audio: parameter changes land within 20 ms (then smoothed)


@dataclass
class Step:
    """The show at one virtual time: parameters, presence and the commands issued since the last step."""

    t: float
    params: dict[str, float]
    presence: Presence
    commands: list[Command]


class Evening:
    """A show under an audience script in virtual time, advanced step by step (no sleeping)."""

    def __init__(self, show: Show, script: AudienceScript, start: dt.datetime | None = None) -> None:
        script.check_zones(show.presence.zones)
        self.show = show
        self.script = script
        self.clock = VirtualClock(0.0)
        start_dt = start or first_opening(show.hours, dt.datetime(2026, 6, 2, 9, 0))
        tod0 = seconds_since_midnight(start_dt)
        self.engine = Engine(show, self.clock, time_of_day=lambda: (tod0 + self.clock.now()) % 86400.0,
                             is_open=is_open(show.hours, start_dt))

    def advance(self, t: float) -> Step:
        """Run the show to time t (seconds from the start of the script)."""
        if t > self.clock.now():
            self.clock.jump_to(t)
        presence = self.script.presence_at(t, self.show.presence.zones)
        self.engine.presence(presence)
        self.engine.tick()
        return Step(t, self.engine.params.snapshot(), presence, self.engine.drain_commands())


class Progress:
    """A one-line progress bar on stderr: `[#####.....] 48%  3:51 / 8:00 of show  12× real time`."""

    def __init__(self, label: str, total_s: float, stream: Any = sys.stderr) -> None:
        self.label = label
        self.total_s = total_s
        self.stream = stream
        self.started = time.perf_counter()
        self._last = -1

    def __call__(self, done_s: float, _total: float | None = None) -> None:
        percent = int(100 * done_s / self.total_s) if self.total_s > 0 else 100
        if percent == self._last:
            return
        self._last = percent
        wall = time.perf_counter() - self.started
        speed = f"  {done_s / wall:,.0f}× real time" if wall > 0.5 else ""
        bar = "#" * (percent // 5) + "." * (20 - percent // 5)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}%  {_clock(done_s)} / {_clock(self.total_s)}"
                          f"{speed}   ")
        if percent >= 100:
            self.stream.write("\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _duration(script: AudienceScript, duration_s: float | None) -> float:
    duration = duration_s if duration_s is not None else script.duration_s
    if not duration > 0:
        raise InstallationError("render duration must be more than 0 s (pass --duration or set the script's)")
    return duration


def audio_events(evening: Evening, duration_s: float, step_s: float = AUDIO_STEP_S) -> Iterator[Any]:
    """The render events of the evening, lazily and in time order, from the calls the runtime makes."""
    from installation.audio.render import RenderRecorder
    from installation.audio.soundscape import soundscapes_from_show

    recorder = RenderRecorder(soundscapes_from_show(evening.show))
    emitted = 0
    n = 0
    while True:
        t = min(n * step_s, duration_s)
        step = evening.advance(t)
        for cmd in step.commands:
            recorder.handle(cmd, t)
        recorder.update(step.params, t)
        while emitted < len(recorder.events):
            yield recorder.events[emitted]
            emitted += 1
        if emitted > 4096:  # keep memory flat over a whole day
            del recorder.events[:emitted]
            emitted = 0
        if t >= duration_s:
            return
        n += 1


def render_audio(show_path: Path, audience_path: Path, output: Path, *, duration_s: float | None = None,
                 progress: Callable[[float, float], None] | None = None) -> int:
    """Render the evening's soundscapes to a WAV file; prints its level. Exit code 0."""
    from installation.audio.render import render_audio as render_wav

    show = load_show(show_path)
    script = load_audience(audience_path)
    duration = _duration(script, duration_s)
    evening = Evening(show, script)
    result = render_wav(audio_events(evening, duration), duration, output,
                        progress=progress or Progress("audio", duration))
    print(f"{output}: {duration:.1f} s, peak {result.peak_db:.1f} dBFS, RMS {result.rms_db:.1f} dBFS, "
          f"{result.realtime_factor:.0f}× real time")
    return 0


def render_video(show_path: Path, audience_path: Path, output: Path, *, duration_s: float | None = None,
                 fps: float = 15.0, size: tuple[int, int] = (640, 360), audio: bool = True) -> int:
    """Render the evening's projection (with its soundscape muxed in) to a video file. Exit code 0."""
    from installation.projection.offline import FrameInput
    from installation.projection.offline import render_video as render_frames

    show = load_show(show_path)
    script = load_audience(audience_path)
    duration = _duration(script, duration_s)
    with tempfile.TemporaryDirectory(prefix="installation-render-") as tmp:
        wav: Path | None = None
        if audio:
            wav = Path(tmp) / "audio.wav"
            render_audio(show_path, audience_path, wav, duration_s=duration)
        evening = Evening(show, script)
        bar = Progress("video", duration)

        def advance(t: float) -> FrameInput:
            step = evening.advance(t)
            return FrameInput(step.params, step.presence, step.commands)

        result = render_frames(advance, output, duration_s=duration, fps=fps, size=size, audio_wav=wav,
                               progress=lambda done, _total: bar(done / fps),
                               zones=tuple(show.presence.zones), root=show.root)
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"{output}: {result.frames} frames, {result.duration_s:.1f} s at {fps:g} fps"
          f"{' with audio' if audio else ''}")
    return 0
