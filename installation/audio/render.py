"""Offline render of timed soundscape changes and parameter values to a WAV file (or an array for tests)."""

from __future__ import annotations

import logging
import math
import time
import wave
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from installation.audio.config import EngineConfig
from installation.audio.control import AudioControl
from installation.audio.soundscape import Soundscape
from installation.errors import InstallationError

if TYPE_CHECKING:
    from installation.audio.engine import AudioEngine

log = logging.getLogger(__name__)

Progress = Callable[[float, float], None]  # (rendered_s, total_s)


@dataclass(frozen=True, slots=True)
class SoundscapeEvent:
    """At time_s, crossfade to an act's soundscape over transition_s (an engine SoundscapeChange)."""

    time_s: float
    act: str
    soundscape: Soundscape
    transition_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ParamEvent:
    """At time_s, these `audio.*` parameters take these values (in their units: dB, Hz, ...)."""

    time_s: float
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MuteEvent:
    """At time_s, panic-mute (True) or unmute (False) over fade_s (None: the config's mute fade)."""

    time_s: float
    muted: bool = True
    fade_s: float | None = None


RenderEvent = SoundscapeEvent | ParamEvent | MuteEvent


class RenderRecorder(AudioControl):
    """Records render events from the very calls the runtime makes on AudioOutput (in virtual time).

    The render-audio command runs the engine with this as its audio output, then renders `events`.
    """

    def __init__(self, soundscapes: Mapping[str, Soundscape]) -> None:
        super().__init__(soundscapes)
        self.events: list[RenderEvent] = []

    def _post(self, message: tuple[Any, ...], now: float) -> None:
        kind = message[0]
        if kind == "params":
            self.events.append(ParamEvent(now, dict(message[1])))
        elif kind == "soundscape":
            _, act, soundscape, transition_s = message
            self.events.append(SoundscapeEvent(now, act, soundscape, transition_s))
        elif kind == "mute":
            self.events.append(MuteEvent(now, bool(message[1]), message[2]))


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What a render produced: file, length, levels (dBFS) and how fast it ran."""

    path: Path | None
    duration_s: float
    peak_db: float
    rms_db: float
    wall_s: float

    @property
    def realtime_factor(self) -> float:
        """Seconds of audio rendered per second of wall time."""
        return self.duration_s / self.wall_s if self.wall_s > 0 else math.inf


def _blocks(
    events: Iterable[RenderEvent], duration_s: float, config: EngineConfig, progress: Progress | None
) -> Iterator[np.ndarray]:
    """Run a manual pyo server block by block, applying each event at the block where its time falls."""
    from installation.audio.engine import AudioEngine, OutputTap, make_server

    server = make_server("manual", config)
    try:
        engine = AudioEngine(server, config)
        tap = OutputTap(server, config)
        block_s = config.buffer_size / config.sample_rate
        total_blocks = math.ceil(duration_s / block_s)
        pending = iter(sorted(events, key=lambda e: e.time_s)) if isinstance(events, list) else iter(events)
        upcoming = next(pending, None)
        last_time = -math.inf
        report_every = max(1, round(1.0 / block_s))
        for index in range(total_blocks):
            now = index * block_s
            while upcoming is not None and upcoming.time_s <= now + block_s / 2:
                if upcoming.time_s < last_time:
                    raise InstallationError(f"render events out of order at {upcoming.time_s:.3f} s")
                last_time = upcoming.time_s
                _apply(engine, upcoming)
                upcoming = next(pending, None)
            if index % report_every == 0:
                engine.collect()
                if progress is not None:
                    progress(now, duration_s)
            yield tap.process()
        if progress is not None:
            progress(duration_s, duration_s)
    finally:
        server.stop()
        server.shutdown()


def _apply(engine: AudioEngine, event: RenderEvent) -> None:
    if isinstance(event, SoundscapeEvent):
        engine.set_soundscape(event.act, event.soundscape, event.transition_s)
    elif isinstance(event, ParamEvent):
        engine.set_params(event.values)
    else:
        engine.set_muted(event.muted, event.fade_s)


def render_array(
    events: Iterable[RenderEvent],
    duration_s: float,
    *,
    config: EngineConfig | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Render to a float32 array of shape (frames, channels) — for tests and analysis (keep it short)."""
    cfg = config or EngineConfig()
    out = np.concatenate(list(_blocks(events, duration_s, cfg, progress)))
    return out[: round(duration_s * cfg.sample_rate)]


def render_audio(
    events: Iterable[RenderEvent],
    duration_s: float,
    path: Path,
    *,
    config: EngineConfig | None = None,
    progress: Progress | None = None,
    bits: int = 24,
) -> RenderResult:
    """Render a timed sequence of events to a WAV file (16 or 24 bit), streaming: any length fits in memory.

    `events` may be a lazy iterable in time order (a list is sorted). `config` is an EngineConfig (sample
    rate, seed, ceiling). `progress(rendered_s, total_s)` is called about once per rendered second.
    """
    cfg = config or EngineConfig()
    if bits not in (16, 24):
        raise InstallationError(f"WAV bits must be 16 or 24, not {bits}")
    if duration_s <= 0:
        raise InstallationError("render duration must be more than 0 s")
    frames_left = round(duration_s * cfg.sample_rate)
    peak = 0.0
    sumsq = 0.0
    count = 0
    scale = float(2 ** (bits - 1) - 1)
    started = time.perf_counter()
    try:
        with wave.open(str(path), "wb") as writer:
            writer.setnchannels(cfg.channels)
            writer.setsampwidth(bits // 8)
            writer.setframerate(cfg.sample_rate)
            for computed in _blocks(events, duration_s, cfg, progress):
                block = computed[:frames_left]
                frames_left -= len(block)
                peak = max(peak, float(np.abs(block).max(initial=0.0)))
                sumsq += float(np.square(block, dtype=np.float64).sum())
                count += block.size
                ints = np.round(np.clip(block, -1.0, 1.0) * scale).astype("<i4")
                if bits == 16:
                    data = ints.astype("<i2").tobytes()
                else:
                    data = ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
                writer.writeframes(data)
    except OSError as exc:
        raise InstallationError(f"{path}: cannot write the WAV file ({exc.strerror})") from exc
    wall = time.perf_counter() - started
    rms = math.sqrt(sumsq / count) if count else 0.0
    result = RenderResult(path, duration_s, _db(peak), _db(rms), wall)
    log.info(
        "rendered %s: %.1f s, peak %.1f dBFS, rms %.1f dBFS, %.0fx real time",
        path,
        duration_s,
        result.peak_db,
        result.rms_db,
        result.realtime_factor,
    )
    return result


def _db(amp: float) -> float:
    return 20.0 * math.log10(amp) if amp > 1e-9 else -180.0
