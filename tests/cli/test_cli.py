"""The `installation` command as an artist and an operator use it: exit codes and what it prints."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from installation.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHOWS = [ROOT / "cues" / "unenclosed.yaml", ROOT / "cues" / "solas.yaml"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the bundled project (cues, shaders, hardware) that a test may break."""
    for folder in ("cues", "shaders", "hardware"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_check_accepts_both_bundled_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *map(str, SHOWS)]) == 0
    out = capsys.readouterr().out
    assert "The Unenclosed" in out and "Ecological Empathy" in out


def test_check_reports_every_problem_with_file_line_col(project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    show = project / "cues" / "unenclosed.yaml"
    text = show.read_text()
    text = text.replace("go: broadcast\n", "go: brodcast\n", 1)
    text = text.replace('duration: 8s\n        curve: s-curve', 'duration: 8\n        curve: s-curve', 1)
    show.write_text(text)
    assert main(["check", str(show)]) == 1
    err = capsys.readouterr().err.splitlines()
    problems = [line for line in err if line.startswith("cues/unenclosed.yaml:")]  # project-relative
    assert any("brodcast" in p and "did you mean 'broadcast'" in p for p in problems), err
    assert any("no unit" in p for p in problems), err
    assert len(problems) == 2
    for p in problems:
        _file, line, col, _ = p.split(":", 3)
        assert int(line) > 0 and int(col) > 0


def test_schema_is_json_with_the_show_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"show", "acts", "presence", "rig"} <= set(schema["properties"])


def test_test_verb_passes_both_shows_under_their_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    for show in SHOWS:
        assert main(["test", str(show), "-q"]) == 0
    out = capsys.readouterr().out
    scripts = sorted((ROOT / "cues" / "audiences").glob("*/*.yaml"))
    assert len(scripts) >= 8
    assert out.count(": ok —") == len(scripts)


def test_test_verb_fails_when_an_expectation_fails(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    show = project / "cues" / "unenclosed.yaml"
    show.write_text(show.read_text().replace("never_reaches: streets", "reaches: streets"))
    script = project / "cues" / "audiences" / "unenclosed" / "empty-day.yaml"
    assert main(["test", str(show), "--audience", str(script)]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_render_audio_writes_a_wav_at_listening_level(tmp_path: Path) -> None:
    out = tmp_path / "evening.wav"
    script = ROOT / "cues" / "audiences" / "unenclosed" / "walkthrough.yaml"
    assert main(["render-audio", str(SHOWS[0]), "--audience", str(script), "-o", str(out),
                 "--duration", "40"]) == 0
    with wave.open(str(out)) as w:
        assert w.getnchannels() == 2
        frames = w.readframes(w.getnframes())
        width = w.getsampwidth()
    raw = np.frombuffer(frames, dtype=np.uint8).reshape(-1, width)
    ints = (raw[:, 2].astype(np.int32) << 24 | raw[:, 1].astype(np.int32) << 16
            | raw[:, 0].astype(np.int32) << 8) >> 8
    samples = ints / float(2 ** 23)
    peak_db = 20 * np.log10(np.abs(samples).max())
    rms_db = 20 * np.log10(np.sqrt(np.mean(samples ** 2)))
    assert peak_db <= -1.0  # the limiter's ceiling
    assert -50.0 < rms_db < -12.0, rms_db  # audible, not loud


def test_check_compiles_the_scenes_and_reports_glsl_errors_at_the_fs_line(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("moderngl")
    shader = project / "shaders" / "unenclosed" / "bioluminescent_streets.fs"
    lines = shader.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if "vec3 col = vec3(0.0);" in line)
    lines[index] = lines[index].replace("vec3(0.0);", "vec3(0.0) + undefined_thing;")
    shader.write_text("\n".join(lines) + "\n")
    code = main(["check", str(project / "cues" / "unenclosed.yaml")])
    err = capsys.readouterr().err
    if "shaders not compiled" in err:
        pytest.skip("no OpenGL here: " + err.splitlines()[0])
    assert code == 1
    assert f"shaders/unenclosed/bioluminescent_streets.fs:{index + 1}:" in err
    assert "undefined_thing" in err
