"""Building the presence adapter from the show's `presence:` settings (what the runtime calls)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2

from installation.engine.presence import Person, Presence
from installation.errors import DeviceError
from installation.presence.adapter import Feed, FrameFeed, PresenceSource, ReplayFeed, now_function
from installation.presence.pipeline import PipelineConfig, PresencePipeline
from installation.presence.settings import PresenceSettings
from installation.presence.sources import CameraSource, FrameSource, StreamSource, VideoFileSource


def build_frame_source(
    settings: PresenceSettings,
    clock: object | None = None,
    *,
    audience: Callable[[float], list[Person]] | None = None,
    fps: float = 15.0,
    realtime: bool = True,
    seed: int = 0,
) -> FrameSource:
    """The frame source the settings name (not for `replay`, which has no frames)."""
    if settings.source == "camera":
        return CameraSource(settings.camera)
    if settings.source == "file":
        if settings.file is None:
            raise DeviceError("presence.file is not set (source: file needs file: media/room.mp4)")
        return VideoFileSource(settings.file, loop=True, realtime=realtime)
    if settings.source == "url":
        if not settings.url:
            raise DeviceError("presence.url is not set (source: url needs url: rtsp://...)")
        return StreamSource(settings.url)
    if settings.source == "synthetic":
        from installation.sim.audience import RandomAudience, SyntheticCamera

        now = now_function(clock)
        if audience is None:  # seeded walkers, an hour long and repeating, timed from now
            audience = RandomAudience(settings.zones, seed=seed, duration_s=3600.0).looped(now())
        return SyntheticCamera(audience, fps=fps, now=now)
    raise DeviceError(f"presence.source {settings.source!r} has no frames")


def build_feed(
    settings: PresenceSettings,
    clock: object | None = None,
    *,
    audience: Callable[[float], list[Person]] | None = None,
    config: PipelineConfig | None = None,
    background: Path | None = None,
    realtime: bool = True,
) -> Feed:
    """A FrameFeed (pipeline over the named source) or a ReplayFeed for `source: replay`."""
    if settings.source == "replay":
        if settings.replay is None:
            raise DeviceError(
                "presence.replay is not set (source: replay needs replay: recordings/day.jsonl)"
            )
        return ReplayFeed(settings.replay)
    pipeline = PresencePipeline(settings.zones, settings.mask, config)
    if background is not None:
        image = cv2.imread(str(background))
        if image is None:
            raise DeviceError(
                f"{background}: cannot read the background image (grab one with "
                "`installation camera calibrate SHOW --background FILE.png`)"
            )
        pipeline.seed_background(image)
    source = build_frame_source(settings, clock, audience=audience, realtime=realtime)
    return FrameFeed(source, pipeline)


def build_presence_source(
    settings: PresenceSettings,
    clock: object | None = None,
    on_presence: Callable[[Presence], None] | None = None,
    *,
    audience: Callable[[float], list[Person]] | None = None,
    config: PipelineConfig | None = None,
    background: Path | None = None,
) -> PresenceSource:
    """The presence adapter for a show: call `.open()` to start its thread, `.drain()` each engine tick."""
    feed = build_feed(settings, clock, audience=audience, config=config, background=background)
    return PresenceSource(feed, clock, on_presence, name="camera")
