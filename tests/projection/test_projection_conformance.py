"""ISF v2 conformance: every input type, multipass, persistent buffers, imported images, legacy dialect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from installation.engine.presence import Person, Presence, ZoneState

CONFORMANCE = Path(__file__).resolve().parent / "isf"


def band(img: np.ndarray, index: int, count: int) -> np.ndarray:
    """Mean colour of vertical band `index` of `count` (0..1)."""
    w = img.shape[1]
    x0, x1 = int(w * index / count) + 1, int(w * (index + 1) / count) - 1
    return img[:, x0:x1, :3].reshape(-1, 3).mean(axis=0)


def test_every_conformance_shader_renders(make_renderer) -> None:
    r = make_renderer()
    for path in sorted(CONFORMANCE.glob("*.fs")):
        r.set_scene(path, 0.0)
        r.render(0.0)
        r.render(1 / 60)
        assert r.read_rgb().shape == (36, 64, 3), path.name


def test_every_input_type_reaches_the_shader(make_renderer, gl_context) -> None:
    r = make_renderer((128, 16))
    r.set_scene(CONFORMANCE / "inputs_all.fs", 0.0)
    r.render(0.0)
    img = r.read_rgba_float()
    assert band(img, 0, 8) == pytest.approx([0.5] * 3, abs=0.01)  # level 1.0 of 0..2
    assert band(img, 1, 8) == pytest.approx([0.5] * 3, abs=0.01)  # mode 1
    assert band(img, 2, 8) == pytest.approx([0.0] * 3, abs=0.01)  # flag false
    assert band(img, 4, 8) == pytest.approx([0.0, 0.5, 1.0], abs=0.01)  # tint default
    assert band(img, 5, 8) == pytest.approx([0.25, 0.75, 0.0], abs=0.01)  # spot default
    assert band(img, 7, 8) == pytest.approx([1 / 1024, 1 / 1024, 0.0], abs=0.01)  # unset image is 1×1 black

    pixels = np.full((4, 4, 4), 200, np.uint8)
    image = gl_context.texture((4, 4), 4, pixels.tobytes())
    r.scene.set_image("inputImage", image)
    r.set_params({"scene.level": 2.0, "scene.mode": 2.0, "scene.flag": 1.0, "scene.flash": 1.0,
                  "scene.tint.r": 1.0, "scene.tint.g": 0.0, "scene.tint.b": 0.0,
                  "scene.spot.x": 0.5, "scene.spot.y": 0.0})
    r.render(0.1)
    img = r.read_rgba_float()
    assert band(img, 0, 8) == pytest.approx([1.0] * 3, abs=0.01)
    assert band(img, 1, 8) == pytest.approx([1.0] * 3, abs=0.01)
    assert band(img, 2, 8) == pytest.approx([1.0] * 3, abs=0.01)
    assert band(img, 3, 8) == pytest.approx([1.0] * 3, abs=0.01)  # event fires on the rising edge
    assert band(img, 4, 8) == pytest.approx([1.0, 0.0, 0.0], abs=0.01)
    assert band(img, 5, 8) == pytest.approx([0.5, 0.0, 0.0], abs=0.01)
    assert band(img, 6, 8) == pytest.approx([200 / 255] * 3, abs=0.01)
    r.render(0.2)
    assert band(r.read_rgba_float(), 3, 8) == pytest.approx([0.0] * 3, abs=0.01)  # ...for one frame only
    image.release()


def test_sized_pass_has_its_own_rendersize_and_is_read_by_the_final_pass(make_renderer) -> None:
    r = make_renderer((256, 128))
    r.set_scene(CONFORMANCE / "multipass.fs", 0.0)
    r.render(0.0)
    rgb = r.read_rgba_float()[64, 128, :3]
    assert rgb == pytest.approx([64 / 256, 32 / 256, 64 / 256], abs=0.01)
    r.set_params({"scene.divisor": 2.0})  # the size expression follows the input
    r.render(0.1)
    assert r.read_rgba_float()[64, 128, :3] == pytest.approx([128 / 256, 64 / 256, 128 / 256], abs=0.01)


def test_persistent_float_buffer_accumulates_across_frames(make_renderer) -> None:
    r = make_renderer()
    r.set_scene(CONFORMANCE / "persistent.fs", 0.0)
    for frame in range(33):
        r.render(frame / 60)
    assert r.read_rgba_float()[10, 10, 0] == pytest.approx(32 / 64, abs=0.01)


def test_imported_image_is_sampled_right_way_up(make_renderer) -> None:
    r = make_renderer((64, 64))
    r.set_scene(CONFORMANCE / "imported.fs", 0.0)
    r.render(0.0)
    img = r.read_rgb()
    assert img[4, 4].tolist() == [255, 0, 0]  # top-left red
    assert img[4, 60].tolist() == [0, 255, 0]  # top-right green
    assert img[60, 4].tolist() == [0, 0, 255]  # bottom-left blue
    assert img[60, 60].tolist() == [255, 255, 255]


def test_automatic_uniforms(make_renderer) -> None:
    r = make_renderer((500, 8))
    r.set_scene(CONFORMANCE / "automatic.fs", 10.0)
    for k in range(5):
        r.render(10.0 + k * 0.25, date=(2026.0, 6.0, 1.0, 0.0))
    img = r.read_rgba_float()
    assert band(img, 0, 5)[0] == pytest.approx(0.1, abs=0.01)  # TIME 1.0 s since the scene started
    assert band(img, 1, 5)[0] == pytest.approx(0.25, abs=0.01)  # TIMEDELTA
    assert band(img, 2, 5)[0] == pytest.approx(0.5, abs=0.01)  # RENDERSIZE.x 500
    assert band(img, 3, 5)[0] == pytest.approx(0.4, abs=0.01)  # FRAMEINDEX 4
    assert band(img, 4, 5)[0] == pytest.approx(0.5, abs=0.01)  # DATE month 6


def test_legacy_v1_dialect_compiles_and_runs(make_renderer) -> None:
    r = make_renderer((64, 64))
    r.set_scene(CONFORMANCE / "legacy_v1.fs", 0.0)
    r.set_params({"scene.amount": 1.0})
    r.render(0.0)
    assert r.read_rgb()[4, 4].tolist() == [255, 0, 0]


def test_custom_vertex_shader_passes_a_varying(make_renderer) -> None:
    r = make_renderer((16, 64))
    r.set_scene(CONFORMANCE / "custom_vertex.fs", 0.0)
    r.set_params({"scene.shift": 1.0})
    r.render(0.0)
    img = r.read_rgba_float()
    assert img[2, 8, 0] > 0.9 and img[61, 8, 0] < 0.1  # ramp follows y (top row first)
    assert img[30, 8, 1] == pytest.approx(1.0, abs=0.01)


def test_filter_reads_pixels_by_pixel_coordinates(make_renderer, gl_context) -> None:
    r = make_renderer((8, 8))
    r.set_scene(CONFORMANCE / "filter.fs", 0.0)
    tex = gl_context.texture((8, 8), 4, np.full((8, 8, 4), 55, np.uint8).tobytes())
    r.scene.set_image("inputImage", tex)
    r.render(0.0)
    assert r.read_rgb()[4, 4].tolist() == [200, 200, 200]
    tex.release()


def test_presence_conformance_draws_visitors_and_zones(make_renderer) -> None:
    r = make_renderer((100, 100), zones=("door",))
    r.set_scene(CONFORMANCE / "presence.fs", 0.0)
    r.set_presence(Presence(t=0.0, count=1, people=(Person(1, 0.2, 0.8),),
                            zones={"door": ZoneState(1, 3.0)}))
    r.render(0.0)
    img = r.read_rgba_float()
    assert img[80, 20, 0] > 0.9  # y 0.8 (near the screen) draws low in the image
    assert img[20, 80, 0] < 0.1 and img[20, 80, 2] == pytest.approx(0.5, abs=0.01)
