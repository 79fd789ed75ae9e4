"""Building the presence adapter from the show's `presence:` settings (what the runtime calls).

`source: synthetic` is the rehearsal simulator (a drawn audience): real drivers do not know it, so the
caller that wants it (the runtime's wiring, the presence tools) passes a `synthetic` factory, e.g.
`installation.sim.audience.synthetic_camera`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import cv2

from installation.engine.presence import Person, Presence
from installation.errors import DeviceError
from installation.presence.adapter import Feed, FrameFeed, PresenceSource, ReplayFeed
from installation.presence.pipeline import PipelineConfig, PresencePipeline
from installation.presence.settings import PresenceSettings
from installation.presence.sources import CameraSource, FrameSource, StreamSource, VideoFileSource


class SyntheticFactory(Protocol):
    """Makes the frame source for `source: synthetic` (the simulator lives above the drivers)."""

    def __call__(
        self, settings: PresenceSettings, clock: object | None, *,
        audience: Callable[[float], list[Person]] | None, fps: float, seed: int,
    ) -> FrameSource: ...


def build_frame_source(
    settings: PresenceSettings,
    clock: object | None = None,
    *,
    audience: Callable[[float], list[Person]] | None = None,
    fps: float = 15.0,
    realtime: bool = True,
    seed: int = 0,
    synthetic: SyntheticFactory | None = None,
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
        if synthetic is None:
            raise DeviceError(
                "presence.source synthetic is the rehearsal's simulated audience; rehearse the show "
                "(installation rehearse), or set source: camera, file or url for a real one"
            )
        return synthetic(settings, clock, audience=audience, fps=fps, seed=seed)
    raise DeviceError(f"presence.source {settings.source!r} has no frames")


def build_feed(
    settings: PresenceSettings,
    clock: object | None = None,
    *,
    audience: Callable[[float], list[Person]] | None = None,
    config: PipelineConfig | None = None,
    background: Path | None = None,
    realtime: bool = True,
    synthetic: SyntheticFactory | None = None,
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
    source = build_frame_source(settings, clock, audience=audience, realtime=realtime, synthetic=synthetic)
    return FrameFeed(source, pipeline)


def build_presence_source(
    settings: PresenceSettings,
    clock: object | None = None,
    on_presence: Callable[[Presence], None] | None = None,
    *,
    audience: Callable[[float], list[Person]] | None = None,
    config: PipelineConfig | None = None,
    background: Path | None = None,
    synthetic: SyntheticFactory | None = None,
) -> PresenceSource:
    """The presence adapter for a show: call `.open()` to start its thread, `.drain()` each engine tick."""
    feed = build_feed(settings, clock, audience=audience, config=config, background=background,
                      synthetic=synthetic)
    return PresenceSource(feed, clock, on_presence, name="camera")
