"""Pure pieces: GLSL translation and error mapping, corner-pin maths, output settings, presence smoothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from installation.engine.presence import Person, Presence, ZoneState
from installation.projection.glsl import PRELUDE_LINE, compile_problems, translate
from installation.projection.isf import load_scene_text
from installation.projection.presence_uniforms import PresenceSmoother
from installation.projection.warp import CornerPin, OutputConfig, apply, homography

SOURCE = """/*{
  "INPUTS": [{"NAME": "glow", "TYPE": "float"}, {"NAME": "pic", "TYPE": "image"}],
  "PASSES": [{"TARGET": "buf"}, {}]
}*/
#version 120
varying vec2 v;
void main() {
    gl_FragColor = texture2D(pic, v) * glow + IMG_THIS_PIXEL(buf);
}
"""


def info():  # type: ignore[no-untyped-def]
    return load_scene_text(SOURCE, Path("scene.fs"))


def test_translation_keeps_the_files_line_numbers_and_columns() -> None:
    frag = translate(info(), zones=("door", "the screen")).fragment
    lines = frag.splitlines()
    assert lines[0] == "#version 450 core"  # VVISF compiles for desktop GL 4
    body_at = lines.index("#line 4")
    # the header's last line is line 4 of the file; everything after keeps its number
    body = lines[body_at + 1 :]
    assert body[4] == "    isfFragColor = texture  (pic, v) * glow + IMG_THIS_PIXEL(buf);"
    assert len(body[4]) == len(SOURCE.splitlines()[7])
    assert body[1].startswith("//#version")
    assert body[2] == "in      vec2 v;"
    assert "#define ZONE_door 0" in frag and "#define ZONE_the_screen 1" in frag
    assert "uniform sampler2D buf;" in frag and "uniform vec2 _pic_imgSize;" in frag


def test_mesa_and_nvidia_compile_logs_map_to_the_file() -> None:
    mesa = "GLSL Compiler failed\n\nfragment_shader\n===============\n0:8(27): error: `v2' undeclared\n"
    nvidia = "fragment_shader\n0(8) : error C1008: undefined variable \"v2\"\n"
    prelude = f"fragment_shader\n0:{PRELUDE_LINE + 3}(1): error: redefinition\n"
    assert [str(p) for p in compile_problems(mesa, info())] == ["scene.fs:8:27: `v2' undeclared"]
    assert [str(p) for p in compile_problems(nvidia, info())] == ['scene.fs:8:1: undefined variable "v2"']
    assert "generated ISF prelude" in str(compile_problems(prelude, info())[0])
    odd = compile_problems("GLSL Linker failed\nsomething odd", info())
    assert str(odd[0]) == "scene.fs:1:1: something odd"


def test_homography_maps_the_four_corners() -> None:
    src = [(0, 0), (1, 0), (1, 1), (0, 1)]
    dst = [(0.1, 0.0), (0.9, 0.1), (1.0, 1.0), (0.0, 0.8)]
    h = homography(src, dst)
    for s, d in zip(src, dst, strict=True):
        assert apply(h, s) == pytest.approx(d)


def test_corner_pin_sends_window_corners_to_image_corners() -> None:
    pin = CornerPin.parse([[0.1, 0.05], [0.95, 0.0], [1.0, 1.0], [0.0, 0.9]])
    h = pin.window_to_image()
    # window top-left corner (0.1, 0.05 from the top) is image top-left (0, 1 in GL coordinates)
    assert apply(h, (0.1, 0.95)) == pytest.approx((0.0, 1.0))
    assert apply(h, (1.0, 0.0)) == pytest.approx((1.0, 0.0))
    assert CornerPin().is_identity
    assert np.allclose(CornerPin().window_to_image(), np.eye(3))


@pytest.mark.parametrize(("value", "message"), [
    ([[0, 0], [1, 0], [1, 1]], r"four \[x, y\] pairs"),
    ([[0, 0], [1, 0], [1, 1], [0, "a"]], "not two numbers"),
    ([[0, 0], [0, 0], [1, 1], [0, 1]], "degenerate"),
    ([[0, 0], [9, 0], [1, 1], [0, 1]], "far outside"),
])
def test_bad_corners_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CornerPin.parse(value)


def test_output_config_parses_and_rejects_unknown_keys() -> None:
    cfg = OutputConfig.parse({"monitor": 1, "corners": [[0, 0], [1, 0], [1, 1], [0, 1]],
                              "source": [0.5, 0.0, 1.0, 1.0], "fullscreen": False, "size": [800, 600]})
    assert cfg.monitor == 1 and cfg.size == (800, 600) and not cfg.fullscreen
    assert cfg.source_rect_gl() == (0.5, 0.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="unknown output key 'keystone'"):
        OutputConfig.parse({"keystone": 1})
    with pytest.raises(ValueError, match="source is"):
        OutputConfig.parse({"source": [0.5, 0, 0.2, 1]})


def test_presence_smoother_fades_people_in_and_out_and_glides() -> None:
    s = PresenceSmoother(zones=("door",), smoothing_s=0.1, fade_s=0.4)
    s.feed(Presence(t=0.0, count=1, people=(Person(7, 0.2, 0.5),), zones={"door": ZoneState(1, 4.0)}))
    u = s.uniforms(0.0)
    assert u.count == 1 and u.tracks[0, 3] == 0.0 and u.zones[0].tolist() == [1.0, 1.0, 4.0, 0.0]
    u = s.uniforms(0.2)
    assert u.tracks[0, 3] == pytest.approx(0.5)
    s.feed(Presence(t=0.2, count=1, people=(Person(7, 0.8, 0.5),)))
    u = s.uniforms(0.3)
    assert 0.2 < u.people[0, 0] < 0.8, "glides toward the new position"
    u = s.uniforms(2.0)
    assert u.people[0, 0] == pytest.approx(0.8, abs=0.01)
    s.feed(Presence(t=2.0))
    assert s.uniforms(2.2).tracks[0, 3] == pytest.approx(0.5)
    assert s.uniforms(2.6).count == 0, "gone once faded out"


def test_presence_keeps_the_nearest_eight() -> None:
    s = PresenceSmoother(smoothing_s=0.0, fade_s=0.0)
    people = tuple(Person(i, 0.1 * i, i / 10) for i in range(10))
    s.feed(Presence(t=0.0, count=10, people=people))
    u = s.uniforms(0.0)
    assert u.count == 8
    assert sorted(u.people[:, 1].tolist()) == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
