"""Zones, masks and the show's `presence:` section: geometry, validation with positions, building sources."""

from __future__ import annotations

import textwrap

import pytest
from presence_helpers import StepClock

from installation.errors import DeviceError, ShowError
from installation.presence.adapter import FrameFeed, ReplayFeed
from installation.presence.build import build_feed, build_presence_source
from installation.presence.settings import PresenceSettings, load_presence_settings, parse_presence
from installation.presence.sources import CameraSource, StreamSource, VideoFileSource
from installation.presence.zones import Zone, as_polygon, keep_mask, point_in_polygon, rasterise
from installation.show.located import load_text
from installation.sim.audience import SyntheticCamera, synthetic_camera

SHOW = textwrap.dedent("""\
    # The Unenclosed
    show: The Unenclosed
    rig: hardware/gallery.yaml            # inside the project folder
    presence:
      source: synthetic                   # camera | file | url | synthetic | replay
      camera: 0
      fallback: keep
      mask: [[[0.0, 0.0], [1.0, 0.0], [1.0, 0.15], [0.0, 0.15]]]   # polygons to ignore
      zones:                              # polygons in normalised coordinates
        door:   [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]
        screen: [[0.3, 0.7], [0.7, 0.7], [0.7, 1.0], [0.3, 1.0]]
    acts: {}
    """)


def test_point_in_polygon_and_zone():
    square = as_polygon([[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]])
    assert point_in_polygon(0.4, 0.4, square)
    assert not point_in_polygon(0.7, 0.4, square)
    tri = Zone("t", as_polygon([[0, 0], [1, 0], [0, 1]]))
    assert tri.contains(0.2, 0.2) and not tri.contains(0.8, 0.8)


def test_rasterised_mask_and_keep_mask():
    poly = as_polygon([[0, 0], [0.5, 0], [0.5, 1], [0, 1]])
    img = rasterise([poly], 100, 50)
    assert img.shape == (50, 100) and img[25, 10] == 255 and img[25, 90] == 0
    keep = keep_mask([poly], 100, 50)
    assert keep[25, 10] == 0 and keep[25, 90] == 255


@pytest.mark.parametrize(
    "points, message",
    [
        ([[0, 0], [1, 0]], "at least 3 points"),
        ([[0, 0], [1, 0], [1, 2]], "outside the frame"),
        ([[0, 0], [1, 0], [1]], "a point is [x, y]"),
    ],
)
def test_bad_polygons_say_why(points, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        as_polygon(points)


def test_presence_section_parses(tmp_path):
    data = load_text(SHOW, "cues/show.yaml")
    s = parse_presence(data["presence"], "cues/show.yaml", tmp_path)
    assert s.source == "synthetic" and s.fallback == "keep" and s.camera == 0
    assert list(s.zones) == ["door", "screen"]
    assert s.zones["screen"][0] == (0.3, 0.7)
    assert len(s.mask) == 1


def test_all_presence_problems_are_reported_with_positions(tmp_path):
    text = textwrap.dedent("""\
        presence:
          source: webcam
          fallback: panic
          colour: red
          zones:
            door: [[0, 0], [0.25, 0]]
            far: [[0, 0], [2, 0], [0, 1]]
        """)
    with pytest.raises(ShowError) as info:
        parse_presence(load_text(text, "cues/x.yaml")["presence"], "cues/x.yaml", tmp_path)
    lines = str(info.value).splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("cues/x.yaml:2:11: presence.source: unknown source 'webcam'")
    assert "camera | file | url | synthetic | replay" in lines[0]
    assert lines[1].startswith("cues/x.yaml:3:13: presence.fallback")
    assert lines[2].startswith("cues/x.yaml:4:3: presence: unknown key 'colour'")
    assert lines[3].startswith("cues/x.yaml:6:11: presence.zones.door: a polygon needs at least 3 points")
    assert lines[4].startswith("cues/x.yaml:7:10: presence.zones.far: point [2.0, 0.0] is outside the frame")


def test_file_source_must_exist_inside_the_project(tmp_path):
    text = "presence:\n  source: file\n  file: ../outside.mp4\n"
    with pytest.raises(ShowError, match="outside the project folder"):
        parse_presence(load_text(text, "s.yaml")["presence"], "s.yaml", tmp_path)
    text = "presence:\n  source: file\n  file: media/room.mp4\n"
    with pytest.raises(ShowError, match=r"s.yaml:3:9: presence.file: file 'media/room.mp4' does not exist"):
        parse_presence(load_text(text, "s.yaml")["presence"], "s.yaml", tmp_path)


def test_load_settings_from_a_show_in_cues(tmp_path):
    (tmp_path / "cues").mkdir()
    show = tmp_path / "cues" / "show.yaml"
    show.write_text(SHOW)
    s = load_presence_settings(show)
    assert "door" in s.zones


def test_sources_are_built_from_settings(tmp_path):
    clock = StepClock()
    feed = build_feed(PresenceSettings(source="synthetic", zones={"a": ((0, 0), (1, 0), (1, 1))}), clock,
                      synthetic=synthetic_camera)
    assert isinstance(feed, FrameFeed) and isinstance(feed.source, SyntheticCamera)
    assert [z.name for z in feed.pipeline.zones] == ["a"]
    assert isinstance(
        build_feed(PresenceSettings(source="camera", camera="/dev/video3")).source, CameraSource
    )
    assert isinstance(build_feed(PresenceSettings(source="url", url="rtsp://x/y")).source, StreamSource)
    assert isinstance(
        build_feed(PresenceSettings(source="file", file=tmp_path / "a.mp4")).source, VideoFileSource
    )
    assert isinstance(build_feed(PresenceSettings(source="replay", replay=tmp_path / "d.jsonl")), ReplayFeed)
    src = build_presence_source(PresenceSettings(source="synthetic"), clock, synthetic=synthetic_camera)
    assert src.name == "camera"
    with pytest.raises(DeviceError, match="synthetic is the rehearsal's simulated audience"):
        build_feed(PresenceSettings(source="synthetic"), clock)  # a real driver never builds a simulator


def test_missing_camera_is_a_device_error_naming_it_and_a_fix():
    src = build_presence_source(PresenceSettings(source="camera", camera="/dev/video-nope"), StepClock())
    src.step()
    h = src.health()
    assert h.state.value == "down"
    assert "camera /dev/video-nope: cannot open" in h.detail and "presence.camera" in h.detail


def test_synthetic_source_from_settings_runs_on_the_engine_clock():
    clock_mod = pytest.importorskip("installation.engine.clock")
    clock = clock_mod.VirtualClock(250_000.0)  # production clocks carry a large offset
    src = build_presence_source(
        PresenceSettings(source="synthetic", zones={"a": ((0, 0.3), (1, 0.3), (1, 1))}), clock,
        synthetic=synthetic_camera,
    )
    counts = []
    for _ in range(15 * 90):
        src.step()
        clock.advance(1 / 15)
        counts.append(src.latest().count)
    assert src.health().state.value == "ok"
    assert max(counts) >= 1  # seeded walkers arrive within the first minute and a half
