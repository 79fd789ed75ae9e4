"""Bundled scenes render, answer their inputs and the people in front of them; transitions; broken shaders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from installation.engine.presence import Person, Presence
from installation.errors import ShowError
from installation.projection.isf import load_scene_info
from installation.projection.scene import ShaderCompileError

REPO = Path(__file__).resolve().parents[2]
SHADERS = REPO / "shaders"
CONFORMANCE = Path(__file__).resolve().parent / "isf"
SCENES = sorted([*SHADERS.glob("unenclosed/*.fs"), *SHADERS.glob("solas/*.fs")])
TRANSITIONS = sorted(SHADERS.glob("transitions/*.fs"))
SIZE = (160, 90)


def scene_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def render(make_renderer, path: Path, params: dict[str, float] | None = None, *,
           presence: Presence | None = None, frames: int = 3, t_end: float = 4.0) -> np.ndarray:
    """The last of `frames` frames ending at `t_end` seconds, as H×W×3 floats 0..1."""
    r = make_renderer(SIZE)
    r.set_scene(path, 0.0)
    r.set_params(params or {})
    r.set_presence(presence)
    for k in range(frames):
        r.render(t_end - (frames - 1 - k) / 30)
    return r.read_rgba_float()[:, :, :3]


def luminance(img: np.ndarray) -> np.ndarray:
    return img @ np.array([0.2126, 0.7152, 0.0722])


def visitor(x: float, y: float = 0.7) -> Presence:
    return Presence(t=0.0, count=1, people=(Person(1, x, y, 0.08, 0.3, vx=0.05),), motion=0.2)


def test_there_are_six_scenes_per_show_and_transitions() -> None:
    assert len(list(SHADERS.glob("unenclosed/*.fs"))) == 6
    assert len(list(SHADERS.glob("solas/*.fs"))) == 6
    assert len(TRANSITIONS) >= 4
    for path in TRANSITIONS:
        assert load_scene_info(path).is_transition, path.name


@pytest.mark.parametrize("path", SCENES, ids=scene_id)
def test_bundled_scene_renders_a_real_picture(make_renderer, path: Path) -> None:
    info = load_scene_info(path)
    assert info.parameters(), "every scene offers inputs the show can map"
    assert not info.is_transition
    img = render(make_renderer, path, presence=visitor(0.3))
    lum = luminance(img)
    assert np.isfinite(img).all()
    assert 0.02 < lum.mean() < 0.85, f"mean luminance {lum.mean():.3f}"
    assert lum.std() > 0.02, "not a flat field"
    assert len(np.unique((img * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 200, "has detail"


def mean_lum(img: np.ndarray) -> float:
    return float(luminance(img).mean())


def green_fraction(img: np.ndarray) -> float:
    return float((img[:, :, 1] > img[:, :, 0]).mean())


def colourfulness(img: np.ndarray) -> float:
    return float((img.max(axis=2) - img.min(axis=2)).mean())


def grain(img: np.ndarray) -> float:
    lum = luminance(img)
    return float(np.abs(np.diff(lum, axis=1)).mean())


def bottom_warmth(img: np.ndarray) -> float:
    bottom = img[int(img.shape[0] * 0.6):]
    return float((bottom[:, :, 0] - bottom[:, :, 2]).mean())


def centre_lum(img: np.ndarray) -> float:
    h, w = img.shape[:2]
    return float(luminance(img[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3]).mean())


Metric = Callable[[np.ndarray], float]
# (scene, input, low value, high value, measure, what the artist should see)
INPUT_EFFECTS: list[tuple[str, str, float, float, Metric, str]] = [
    ("unenclosed/biodome_glow", "glow", 0.0, 1.0, mean_lum, "the dome glows brighter"),
    ("unenclosed/bioluminescent_streets", "glow", 0.1, 1.0, mean_lum, "the streets glow brighter"),
    ("unenclosed/drone_broadcast", "interference", 0.0, 1.0, grain, "more static on the feeds"),
    ("unenclosed/confrontation", "divide", 0.2, 0.8, green_fraction, "the biodome side grows"),
    ("unenclosed/manifesto", "dawn", 0.0, 1.0, bottom_warmth, "the horizon warms as dawn rises"),
    ("unenclosed/council", "converge", 0.0, 1.0, centre_lum, "the circles gather light at the centre"),
    ("solas/attract", "glow", 0.0, 1.0, mean_lum, "the threads glow brighter"),
    ("solas/ecosystem_mosaic", "saturation", 0.0, 1.0, colourfulness, "the ecosystems regain their colour"),
    ("solas/rally", "crowd", 0.0, 1.0, mean_lum, "a denser crowd of lights"),
    ("solas/feedback_storm", "feedback", 0.5, 0.99, mean_lum, "longer, brighter trails in the loop"),
    ("solas/shared_stories", "glow", 0.0, 1.0, mean_lum, "the hubs and filaments brighten"),
    ("solas/eco_symbiotic_collective", "bloom", 0.0, 1.0, mean_lum, "the mandala blooms larger"),
]


def test_every_scene_has_an_input_effect_test() -> None:
    assert sorted(e[0] for e in INPUT_EFFECTS) == sorted(scene_id(p) for p in SCENES)


@pytest.mark.parametrize(("scene", "name", "low", "high", "metric", "intent"), INPUT_EFFECTS,
                         ids=[f"{e[0]}:{e[1]}" for e in INPUT_EFFECTS])
def test_changing_an_input_changes_the_picture_as_intended(  # noqa: PLR0917 - one row of the table
        make_renderer, scene: str, name: str, low: float, high: float, metric: Metric, intent: str) -> None:
    path = SHADERS / f"{scene}.fs"
    assert f"scene.{name}" in load_scene_info(path).parameters()
    frames = 30 if "storm" in scene else 2
    a = metric(render(make_renderer, path, {f"scene.{name}": low}, frames=frames))
    b = metric(render(make_renderer, path, {f"scene.{name}": high}, frames=frames))
    assert b > a * 1.05 + 0.002, f"{intent}: {a:.4f} → {b:.4f}"


@pytest.mark.parametrize("path", SCENES, ids=scene_id)
def test_presence_moves_the_image_toward_the_visitor(make_renderer, path: Path) -> None:
    frames = 20 if "storm" in path.name else 2
    empty = render(make_renderer, path, presence=Presence(t=0.0), frames=frames)
    centroids = []
    for x in (0.15, 0.85):
        img = render(make_renderer, path, presence=visitor(x), frames=frames)
        diff = np.abs(img - empty).sum(axis=2)
        assert diff.mean() > 0.003, f"a visitor at x={x} changes the picture"
        cols = diff.sum(axis=0)
        centroids.append(float((cols * np.arange(len(cols))).sum() / cols.sum() / len(cols)))
    assert centroids[0] < 0.5 < centroids[1], f"change follows the visitor: {centroids}"


def test_crossfade_at_progress_0_half_1_is_start_mix_end(make_renderer) -> None:
    r = make_renderer()
    solid = CONFORMANCE / "solid.fs"
    r.set_scene(solid, 0.0)
    r.set_params({"scene.color.r": 1.0, "scene.color.g": 0.0, "scene.color.b": 0.0})
    r.render(0.0)
    r.set_scene(solid, 1.0, transition_s=2.0)
    r.transition.dst.values.update({"scene.color.r": 0.0, "scene.color.b": 1.0})
    expected = {1.0: [1.0, 0.0, 0.0], 2.0: [0.5, 0.0, 0.5], 3.0: [0.0, 0.0, 1.0]}
    for now, rgb in expected.items():
        r.render(now)
        assert r.read_rgba_float()[18, 32, :3] == pytest.approx(rgb, abs=0.01), now
    assert r.transition is None, "a finished transition leaves only the new scene"


@pytest.mark.parametrize("shader", [*TRANSITIONS, CONFORMANCE / "transition_wipe.fs"], ids=lambda p: p.stem)
def test_transition_shader_at_0_and_1_shows_start_and_end(make_renderer, shader: Path) -> None:
    r = make_renderer()
    solid = CONFORMANCE / "solid.fs"
    r.set_scene(solid, 0.0)
    r.render(0.0)
    r.set_scene(solid, 0.0, transition_s=1.0, transition_shader=shader)
    r.transition.dst.values.update({"scene.color.r": 0.0, "scene.color.b": 1.0})
    for progress, rgb in ((0.0, [1.0, 0.0, 0.0]), (1.0, [0.0, 0.0, 1.0])):
        r.transition.forced_progress = progress
        r.render(0.5)
        img = r.read_rgba_float()[:, :, :3]
        assert np.abs(img - np.array(rgb)).max() < 0.02, (shader.name, progress)
    r.transition.forced_progress = 0.5
    r.render(0.5)
    img = r.read_rgba_float()[:, :, :3]
    both = (img[:, :, 0] > 0.5).mean(), (img[:, :, 2] > 0.5).mean()
    if shader.stem == "crossfade":
        assert img[18, 32] == pytest.approx([0.5, 0.0, 0.5], abs=0.01)
    else:
        assert both[0] > 0.05 and both[1] > 0.05, f"{shader.name} at 0.5 shows both scenes: {both}"


def test_wipe_transition_at_half_is_half_and_half(make_renderer) -> None:
    r = make_renderer((100, 10))
    solid = CONFORMANCE / "solid.fs"
    r.set_scene(solid, 0.0)
    r.set_scene(solid, 0.0, transition_s=1.0, transition_shader=CONFORMANCE / "transition_wipe.fs")
    r.transition.dst.values.update({"scene.color.r": 0.0, "scene.color.b": 1.0})
    r.transition.forced_progress = 0.5
    r.render(0.0)
    img = r.read_rgb()
    assert img[5, 10].tolist() == [0, 0, 255] and img[5, 90].tolist() == [255, 0, 0]


def broken_source(tmp_path: Path) -> Path:
    path = tmp_path / "broken.fs"
    path.write_text('/*{\n  "INPUTS": []\n}*/\n\nvoid main() {\n    vec2 uv = isf_FragNormCoord;\n'
                    "    gl_FragColor = vec4(uv, undefined_thing, 1.0);\n}\n", encoding="utf-8")
    return path


def test_broken_shader_reports_its_own_line_and_the_previous_scene_stays(make_renderer, tmp_path) -> None:
    r = make_renderer()
    r.set_scene(CONFORMANCE / "solid.fs", 0.0)
    r.render(0.0)
    before = r.read_rgb().copy()
    with pytest.raises(ShaderCompileError) as exc:
        r.set_scene(broken_source(tmp_path), 1.0, transition_s=2.0)
    message = str(exc.value)
    assert "broken.fs:7:" in message and "undefined_thing" in message, message
    assert r.last_error == message
    r.render(1.5)
    assert r.scene.info.path.name == "solid.fs"
    assert (r.read_rgb() == before).all()


def test_hot_reload_of_a_broken_edit_keeps_the_last_good_scene(make_renderer, tmp_path: Path) -> None:
    r = make_renderer()
    path = tmp_path / "live.fs"
    good = '/*{"INPUTS": []}*/\nvoid main() { gl_FragColor = vec4(0.0, 1.0, 0.0, 1.0); }\n'
    path.write_text(good, encoding="utf-8")
    r.set_scene(path, 0.0)
    r.render(0.0)
    assert r.check_reload() == []
    bad = '/*{"INPUTS": []}*/\nvoid main() {\n  gl_FragColor = vec4(oops);\n}\n'
    path.write_text(bad, encoding="utf-8")
    import os
    os.utime(path, ns=(1, 10**18))  # a distinct mtime even on coarse filesystems
    messages = r.check_reload()
    assert len(messages) == 1 and "live.fs:3:" in messages[0], messages
    assert r.check_reload() == [], "reported once per edit"
    r.render(0.1)
    assert r.read_rgb()[5, 5].tolist() == [0, 255, 0]
    path.write_text(good.replace("vec4(0.0, 1.0, 0.0", "vec4(0.0, 0.0, 1.0"), encoding="utf-8")
    os.utime(path, ns=(1, 2 * 10**18))
    assert r.check_reload() == []
    r.render(0.2)
    assert r.read_rgb()[5, 5].tolist() == [0, 0, 255]
    assert r.last_error == ""


def test_header_error_in_a_scene_change_is_a_show_error(make_renderer, tmp_path: Path) -> None:
    r = make_renderer()
    path = tmp_path / "bad_header.fs"
    path.write_text('/*{"INPUTS": [{"NAME": "x", "TYPE": "text"}]}*/\nvoid main(){}\n', encoding="utf-8")
    with pytest.raises(ShowError, match=r"bad_header\.fs:1:"):
        r.set_scene(path, 0.0)
    assert r.scene is None


def test_not_a_transition_shader_is_refused(make_renderer) -> None:
    r = make_renderer()
    r.set_scene(CONFORMANCE / "solid.fs", 0.0)
    with pytest.raises(ShowError, match="not a transition shader"):
        r.set_scene(CONFORMANCE / "solid.fs", 0.0, 1.0, CONFORMANCE / "solid.fs")
    assert r.transition is None


def test_blackout_fades_the_output(make_renderer) -> None:
    r = make_renderer()
    r.set_scene(CONFORMANCE / "solid.fs", 0.0)
    r.render(0.0)
    r.blackout(True, fade_s=1.0)
    r.render(0.5)
    assert r.read_rgba_float()[5, 5, 0] == pytest.approx(0.5, abs=0.02)
    r.render(1.5)
    assert r.read_rgb().max() == 0
    r.blackout(False)
    r.render(2.0)
    assert r.read_rgb()[5, 5].tolist() == [255, 0, 0]


def test_preview_frames_are_small_jpeg_and_png(make_renderer) -> None:
    r = make_renderer((640, 360))
    r.set_scene(SHADERS / "unenclosed" / "biodome_glow.fs", 0.0)
    r.render(1.0)
    jpeg = r.preview((320, 180))
    png = r.preview((320, 180), fmt="png")
    assert jpeg[:3] == b"\xff\xd8\xff" and len(jpeg) < 60_000
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    import cv2
    assert cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).shape == (180, 320, 3)


def test_check_scenes_compiles_everything_and_names_broken_ones(gl_context, tmp_path: Path) -> None:
    from installation.projection.renderer import check_scenes

    assert check_scenes([*SCENES, *TRANSITIONS]) == []
    problems = check_scenes([SCENES[0], broken_source(tmp_path)])
    assert {(Path(p.file).name, p.line) for p in problems} == {("broken.fs", 7)}


def test_an_act_without_a_scene_fades_to_black_and_panic_lifts_on_the_next_scene(make_renderer) -> None:
    r = make_renderer()
    solid = CONFORMANCE / "solid.fs"
    r.set_scene(solid, 0.0)
    r.render(0.0)
    r.set_scene(None, 1.0, transition_s=2.0)
    r.render(2.0)
    assert r.read_rgba_float()[5, 5, 0] == pytest.approx(0.5, abs=0.02)
    r.render(3.5)
    assert r.read_rgb().max() == 0 and r.source is None
    r.set_scene(solid, 4.0)
    r.render(4.0)
    assert r.read_rgb()[5, 5].tolist() == [255, 0, 0]
    r.panic(fade_s=0.0)
    r.render(4.1)
    assert r.read_rgb().max() == 0
    r.set_scene(solid, 5.0, transition_s=1.0)  # GO again: the picture comes back
    r.render(6.5)
    assert r.read_rgb()[5, 5].tolist() == [255, 0, 0]


def test_transitions_started_during_a_transition_release_everything(make_renderer) -> None:
    r = make_renderer()
    path = SHADERS / "solas" / "feedback_storm.fs"  # has buffers to leak
    r.set_scene(path, 0.0)
    for k, now in enumerate((0.5, 1.0, 1.5)):
        r.set_scene(path, now, transition_s=2.0, transition_shader=TRANSITIONS[k % len(TRANSITIONS)])
        r.render(now + 0.1)
    assert len(r.source.scenes()) == 7  # 4 scenes + 3 transition shaders still on screen
    r.render(10.0)
    assert r.transition is None and len(r.source.scenes()) == 1
