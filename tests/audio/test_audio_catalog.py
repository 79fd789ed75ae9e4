"""The instrument catalog the show loader validates layers against."""

import sys

import pytest

from installation.audio import catalog
from installation.audio.catalog import INSTRUMENTS, check_layer, check_soundscape, layer_parameters


def test_catalog_has_every_instrument_kind():
    assert set(INSTRUMENTS) == {"drone", "noise", "granular", "pulses", "bells", "space"}


@pytest.mark.parametrize("name", sorted(INSTRUMENTS))
def test_every_instrument_has_a_level_in_db_and_sane_defaults(name):
    spec = INSTRUMENTS[name]
    level = spec.params["level"]
    assert (level.minimum, level.maximum, level.unit) == (-90.0, 6.0, "dB")
    for key, param in spec.params.items():
        assert param.name == key
        assert param.minimum <= param.default <= param.maximum
    for option in spec.options.values():
        assert option.accepts(option.default)


def test_layer_parameters_are_keyed_by_layer_with_the_layer_values_as_defaults():
    params = layer_parameters("drone", "drone", {"root": 55.0, "cutoff": 600.0, "level": -20.0})
    assert params["audio.drone.cutoff"].default == 600.0
    assert params["audio.drone.cutoff"].unit == "Hz"
    assert params["audio.drone.level"].default == -20.0
    assert params["audio.drone.detune"].default == INSTRUMENTS["drone"].params["detune"].default
    assert all(name.startswith("audio.drone.") for name in params)


def test_options_are_not_parameters():
    params = layer_parameters("wind", "noise", {"color": "rain", "level": -24.0})
    assert "audio.wind.color" not in params
    assert "audio.wind.cutoff" in params


def test_check_layer_reports_every_problem_with_its_key_and_a_hint():
    problems = check_layer("wind", "noise", {"color": "hail", "level": -120.0, "gain": 1.0, "rate": "fast"})
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {"color", "level", "gain", "rate"}
    assert "wind, rain, surf" in by_key["color"].hint
    assert "-90..6 dB" in by_key["level"].hint
    assert "cutoff" in by_key["gain"].hint
    assert "number" in by_key["rate"].message


def test_check_layer_unknown_instrument_and_bad_names():
    assert check_layer("x", "theremin", {})[0].key == "instrument"
    assert check_layer("master", "drone", {})[0].key is None
    assert check_layer("a.b", "drone", {})[0].key is None


def test_check_layer_rhythm_needs_whole_numbers_and_hits_within_steps():
    assert check_layer("p", "pulses", {"hits": 2.5})[0].key == "hits"
    assert check_layer("p", "pulses", {"hits": 9, "steps": 8})[0].key == "hits"
    assert check_layer("p", "pulses", {"hits": 3, "steps": 8, "scale": "dorian"}) == []
    assert check_layer("p", "pulses", {"scale": "bluesy"})[0].key == "scale"
    assert check_layer("p", "pulses", {"level": True})[0].key == "level"


def test_granular_file_accepts_builtin_names_and_project_paths():
    assert check_layer("g", "granular", {"file": "accord"}) == []
    assert check_layer("g", "granular", {"file": "media/rain.wav"}) == []
    assert check_layer("g", "granular", {"file": " "})[0].key == "file"


def test_layer_parameters_refuses_an_invalid_layer():
    with pytest.raises(ValueError, match="out of range"):
        layer_parameters("d", "drone", {"cutoff": 1.0})


def test_one_space_layer_per_soundscape():
    assert check_soundscape({"room": ("space", {}), "drone": ("drone", {})}) == []
    assert check_soundscape({"a": ("space", {}), "b": ("space", {})})[0].key is None


def test_master_parameters_and_db_conversion():
    master = catalog.master_parameters()
    assert set(master) == {"audio.master.level", "audio.master.trim"}
    assert catalog.db_to_amp(-90.0) == 0.0
    assert catalog.db_to_amp(0.0) == 1.0
    assert catalog.db_to_amp(-6.0) == pytest.approx(0.501, abs=1e-3)


def test_catalog_does_not_import_pyo():
    assert "pyo" not in sys.modules or "installation.audio.engine" in sys.modules
