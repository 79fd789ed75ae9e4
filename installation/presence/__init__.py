"""Audience presence from a camera: sources, detection, tracking, zones, recording and evaluation.

The runtime uses `build_presence_source(settings, clock, on_presence)` → a `PresenceSource` adapter
(`open()`, `drain()`, `latest()`, `notify_scene_change()`, `health()`, `close()`); see docs/presence.md.
"""

from installation.presence.adapter import Feed, FrameFeed, PresenceSource, ReplayFeed
from installation.presence.build import build_feed, build_frame_source, build_presence_source
from installation.presence.pipeline import PipelineConfig, PresencePipeline
from installation.presence.settings import PresenceSettings, load_presence_settings, parse_presence

__all__ = [
    "Feed",
    "FrameFeed",
    "PipelineConfig",
    "PresencePipeline",
    "PresenceSettings",
    "PresenceSource",
    "ReplayFeed",
    "build_feed",
    "build_frame_source",
    "build_presence_source",
    "load_presence_settings",
    "parse_presence",
]
