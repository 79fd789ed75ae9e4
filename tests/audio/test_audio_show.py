"""From a loaded show's soundscapes (show model) to the audio side's, and every act rendered."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from audio_helpers import CONFIG, SR, assert_clean, rms_db

from installation.audio.render import SoundscapeEvent, render_array
from installation.audio.soundscape import soundscapes_from_show
from installation.show import model as m

SHOW_FILES = sorted((Path(__file__).resolve().parents[2] / "cues").glob("*.yaml"))


def test_show_model_soundscapes_convert_with_project_paths_made_absolute(tmp_path):
    (tmp_path / "media").mkdir()
    layers = {
        "drone": m.Layer(name="drone", instrument="drone", values={"root": 55.0, "level": -20.0}),
        "wind": m.Layer(name="wind", instrument="noise", values={"level": -24.0}, options={"color": "wind"}),
        "voices": m.Layer(name="voices", instrument="granular", options={"file": "media/voices.wav"}),
        "glass": m.Layer(name="glass", instrument="granular", options={"file": "accord"}),
    }
    act = SimpleNamespace(soundscape=m.Soundscape(level_db=-18.0, layers=layers))
    show = SimpleNamespace(root=tmp_path, acts={"attract": act})
    sc = soundscapes_from_show(show)["attract"]
    assert sc.level_db == -18.0
    by_name = {layer.name: layer for layer in sc.layers}
    assert by_name["wind"].values == {"level": -24.0, "color": "wind"}
    assert by_name["voices"].values["file"] == str((tmp_path / "media" / "voices.wav").resolve())
    assert by_name["glass"].values["file"] == "accord"
    assert [layer.name for layer in sc.layers] == ["drone", "wind", "voices", "glass"]


@pytest.mark.parametrize("show_file", SHOW_FILES, ids=lambda p: p.stem)
def test_every_act_of_the_bundled_shows_renders_clean(show_file):
    from installation.show.loader import load_show

    show = load_show(show_file)
    for act, soundscape in soundscapes_from_show(show).items():
        if not soundscape.layers:
            continue
        out = render_array([SoundscapeEvent(0.0, act, soundscape, 0.5)], 2.5, config=CONFIG)[SR:]
        assert_clean(out)
        assert -50.0 < rms_db(out) < -18.0, f"{act}: {rms_db(out):.1f} dBFS (ambient gallery range)"
