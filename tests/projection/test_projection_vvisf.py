"""VVISF conformance: audio inputs, header leniency, desktop GL 4 GLSL, cleared targets, .vs error paths.

Each test renders one of the project's own small ISF files (tests/projection/isf/) and compares the
picture with one computed here.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from installation.audio.spectrum import FFT_BINS, FFT_SIZE, WAVEFORM_SAMPLES, AudioBlock, analyse
from installation.errors import ShowError
from installation.projection.isf import load_scene_info
from installation.projection.scene import audio_rows

CONFORMANCE = Path(__file__).resolve().parent / "isf"


def band(img: np.ndarray, index: int, count: int) -> np.ndarray:
    w = img.shape[1]
    x0, x1 = int(w * index / count) + 1, int(w * (index + 1) / count) - 1
    return img[:, x0:x1, :3].reshape(-1, 3).mean(axis=0)


# ------------------------------------------------------------------------------------------- audio inputs
def tone_block(freq_bin: float = 40.0, amp: float = 0.8) -> AudioBlock:
    """Channel 0: a sine on an FFT bin's centre; channel 1: half as loud at twice the frequency."""
    t = np.arange(FFT_SIZE, dtype=np.float64)
    left = amp * np.sin(2 * np.pi * freq_bin * t / FFT_SIZE)
    right = amp / 2 * np.sin(2 * np.pi * 2 * freq_bin * t / FFT_SIZE)
    return analyse(np.stack([left, right], axis=1))


def test_a_full_scale_sine_reads_one_on_its_bin_and_silence_is_mid_grey() -> None:
    block = tone_block(40.0, 1.0)
    assert block.waveform.shape == (2, WAVEFORM_SAMPLES) and block.fft.shape == (2, FFT_BINS)
    assert block.fft[0, 40] == pytest.approx(1.0, abs=0.01)
    assert block.fft[1, 80] == pytest.approx(0.5, abs=0.01)
    assert block.fft[0, 10] < 0.01
    silence = audio_rows(AudioBlock.silence(), "audio", None)
    assert silence.shape == (2, WAVEFORM_SAMPLES) and np.all(silence == 0.5)


def test_audio_and_fft_inputs_are_textures_one_row_per_channel(make_renderer) -> None:
    r = make_renderer((256, 64))
    r.set_scene(CONFORMANCE / "audio.fs", 0.0)
    r.render(0.0)
    img = r.read_rgba_float()
    assert img[:32, :, :3] == pytest.approx(0.5, abs=0.01)  # silence: the waveform is mid grey
    assert img[32:, :, :2] == pytest.approx(0.0, abs=0.01)  # ... and the FFT empty

    block = tone_block()
    r.set_audio(block)
    r.render(1 / 60)
    img = r.read_rgba_float()
    x = (np.arange(256) + 0.5) / 256  # pixel centres, as the shader samples them
    wave = audio_rows(block, "audio", None)[0]
    expected_wave = np.interp(x * wave.size - 0.5, np.arange(wave.size), wave)
    assert img[10, :, 0] == pytest.approx(expected_wave, abs=0.02)
    fft = audio_rows(block, "audioFFT", 64)  # MAX 64: the loudest of each four of the 256 bins
    assert fft.shape == (2, 64)
    for ch in range(2):
        expected = np.interp(x * 64 - 0.5, np.arange(64), fft[ch])
        assert img[50, :, ch] == pytest.approx(expected, abs=0.02)
    assert img[50, 0, 2] == pytest.approx(64 / 256, abs=0.01)  # IMG_SIZE: MAX bins wide
    assert fft[0].argmax() == 10 and fft[1].argmax() == 20  # bin 40 → 10, bin 80 → 20


def test_audio_inputs_are_not_show_parameters() -> None:
    info = load_scene_info(CONFORMANCE / "audio.fs")
    assert info.parameters() == {}
    assert [(i.type, i.maximum) for i in info.inputs] == [("audio", None), ("audioFFT", 64.0)]


# ------------------------------------------------------------------------------------- header leniency
def test_defaults_follow_vvisf_and_each_leniency_is_a_warning(make_renderer, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="installation.projection.isf"):
        info = load_scene_info(CONFORMANCE / "vvisf_defaults.fs")
    assert info.description.startswith("Conformance: defaults as VVISF")  # the last DESCRIPTION wins
    messages = [f"{w.line}: {w.message}" for w in info.warnings]
    assert messages == [
        "4: key 'DESCRIPTION' is given twice; the last one counts (as in VVISF)",
        "10: key 'DEFAULT' is given twice; the last one counts (as in VVISF)",
        "8: input 'tooHigh': DEFAULT 3.0 is outside MIN..MAX (0.0..0.5); using 0.5 (as VVISF does)",
        "9: input 'tooLow': DEFAULT [0.0, 0.6] is outside MIN..MAX; using [0.2, 0.6]",
    ]
    assert sum("VVISF compatibility" in r.message for r in caplog.records) == 4
    r = make_renderer((100, 8))
    r.set_scene(CONFORMANCE / "vvisf_defaults.fs", 0.0)
    r.render(0.0)
    img = r.read_rgba_float()
    assert band(img, 0, 5) == pytest.approx([0.75] * 3, abs=0.01)  # no DEFAULT: middle of 2..4 = 3
    assert band(img, 1, 5) == pytest.approx([1.0] * 3, abs=0.01)  # bool without DEFAULT: true
    assert band(img, 2, 5) == pytest.approx([0.5] * 3, abs=0.01)  # 3.0 clamped to MAX 0.5
    assert band(img, 3, 5) == pytest.approx([0.2, 0.6, 0.0], abs=0.01)  # x clamped to MIN 0.2
    assert band(img, 4, 5) == pytest.approx([0.75] * 3, abs=0.01)  # the last DEFAULT


@pytest.mark.parametrize(("inp", "default", "warning"), [
    ('{"NAME": "a", "TYPE": "float", "MIN": 4}', 0.5, "MIN without MAX: the range is 0..1"),
    ('{"NAME": "a", "TYPE": "long", "VALUES": [0, 4], "DEFAULT": 3}', 4.0,
     "not one of VALUES [0, 4]; using 4"),
    ('{"NAME": "a", "TYPE": "float", "MIN": -1, "MAX": 1}', 0.0, ""),
    ('{"NAME": "a", "TYPE": "event"}', 0.0, ""),
])
def test_lenient_inputs(tmp_path: Path, inp: str, default: float, warning: str) -> None:
    path = tmp_path / "x.fs"
    path.write_text(f'/*{{"INPUTS": [{inp}]}}*/\nvoid main() {{ gl_FragColor = vec4(1.0); }}\n')
    info = load_scene_info(path)
    assert info.parameters()["scene.a"].default == default
    if warning:
        assert any(warning in w.message for w in info.warnings), info.warnings
    else:
        assert info.warnings == ()


# ---------------------------------------------------------------------------------- desktop GL 4 GLSL
def test_glsl_that_only_gl4_accepts_compiles_and_runs(make_renderer) -> None:
    r = make_renderer((8, 8))
    r.set_scene(CONFORMANCE / "glsl4.fs", 0.0)
    r.render(0.0)
    assert r.read_rgba_float()[4, 4, :3] == pytest.approx([0.75, 0.25, 1.0], abs=0.01)


def test_an_input_named_like_a_later_keyword_still_gets_its_value(make_renderer, tmp_path: Path) -> None:
    path = tmp_path / "k.fs"
    path.write_text('/*{"INPUTS": [{"NAME": "sample", "TYPE": "float", "DEFAULT": 0.25}]}*/\n'
                    "void main() { gl_FragColor = vec4(sample, 0.0, 0.0, 1.0); }\n")
    r = make_renderer((8, 8))
    r.set_scene(path, 0.0)
    r.set_params({"scene.sample": 0.5})
    r.render(0.0)
    assert r.read_rgba_float()[4, 4, 0] == pytest.approx(0.5, abs=0.01)


# -------------------------------------------------------------------------------------- cleared targets
def test_what_a_custom_vertex_shader_leaves_uncovered_is_cleared(make_renderer) -> None:
    r = make_renderer((64, 16))
    r.set_scene(CONFORMANCE / "solid.fs", 0.0)  # red everywhere first
    r.render(0.0)
    r.set_scene(CONFORMANCE / "half_cover.fs", 0.1)
    r.render(0.1)
    img = r.read_rgba_float()
    assert img[:, :30] == pytest.approx(np.broadcast_to([0.0, 0.0, 1.0, 1.0], (16, 30, 4)), abs=0.01)
    assert img[:, 34:] == pytest.approx(0.0, abs=0.01)  # transparent black, not the red scene


# ----------------------------------------------------------------------------------- .vs error messages
def test_an_error_in_a_vertex_shader_names_its_path(make_renderer, tmp_path: Path) -> None:
    room = tmp_path / "shaders" / "room"
    room.mkdir(parents=True)
    (room / "bent.fs").write_text('/*{"INPUTS": []}*/\nvoid main() { gl_FragColor = vec4(1.0); }\n')
    (room / "bent.vs").write_text("void main() {\n    isf_vertShaderInit();\n    gl_Position.x = nope;\n}\n")
    r = make_renderer(root=tmp_path)
    with pytest.raises(ShowError) as exc:
        r.set_scene(room / "bent.fs", 0.0)
    [problem] = exc.value.problems
    assert (problem.file, problem.line) == ("shaders/room/bent.vs", 3)
    assert "nope" in problem.message


def test_a_vert_file_is_found_as_the_vertex_shader(make_renderer, tmp_path: Path) -> None:
    (tmp_path / "v.fs").write_text((CONFORMANCE / "half_cover.fs").read_text())
    (tmp_path / "v.vert").write_text((CONFORMANCE / "half_cover.vs").read_text())
    r = make_renderer((64, 16))
    r.set_scene(tmp_path / "v.fs", 0.0)
    r.render(0.0)
    assert r.read_rgba_float()[8, 60, 3] == pytest.approx(0.0, abs=0.01)
