"""Pixel mapping end to end: the projection renders a scene in its own process, the rig's LED strip takes
the scene's colour at each segment's place, and the Art-Net simulator receives it on the wire."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.runtime.conftest import make_project, universe, wait_until

# left half orange, right half blue: the strip's segments 1-4 (x 0.05..0.5) and 5-8 (x 0.5..0.95) differ
HALVES = """/*{
  "DESCRIPTION": "two halves",
  "INPUTS": [{"NAME": "glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 1.0}]
}*/
void main() {
    vec2 uv = isf_FragNormCoord;
    gl_FragColor = uv.x < 0.5 ? vec4(1.0, 0.5, 0.0, 1.0) * glow : vec4(0.0, 0.0, 1.0, 1.0) * glow;
}
"""

SHOW = """\
show: Pixel Map
rig: hardware/gallery.yaml
idle: {act: mapped}
acts:
  mapped:
    scene: shaders/halves.fs
    pixel_map: [strip]
    cues:
      - {fade: {light.strip.dimmer: 1, light.strip.color: "#ffffff"}}
  plain:
    cues:
      - {fade: {light.strip.color: "#00ff00"}}
"""


def _egl_available() -> bool:
    try:
        import moderngl

        ctx = moderngl.create_standalone_context(backend="egl")
        ctx.release()
    except Exception:
        return False
    return True


def test_the_strip_takes_the_scene_colour_under_each_segment(tmp_path: Path, start_runtime: Any) -> None:
    if not _egl_available():
        pytest.skip("no EGL (apt-get install libegl1 libgl1-mesa-dri): the projection cannot render")
    show = make_project(tmp_path / "project", SHOW, "pixelmap")
    (tmp_path / "project" / "shaders" / "halves.fs").write_text(HALVES)
    runtime = start_runtime(show, projection="headless")

    def strip() -> list[tuple[int, int, int]]:
        data = universe(runtime, 2)
        return [tuple(data[i * 3 : i * 3 + 3]) for i in range(8)]  # type: ignore[misc]

    def mapped() -> bool:
        s = strip()
        left = all(abs(r - 255) <= 2 and abs(g - 128) <= 3 and b <= 2 for r, g, b in s[:4])
        right = all(r <= 2 and g <= 2 and abs(b - 255) <= 2 for r, g, b in s[4:])
        return left and right

    wait_until(mapped, f"the strip mapped from the scene (orange | blue), got {strip()}", timeout_s=30.0)
    # an act without pixel_map: the cue's colour, not the scene's
    assert runtime.goto_act("plain", source="test").ok
    wait_until(lambda: all(px == (0, 255, 0) for px in strip()), "the strip back to its cue's green")
