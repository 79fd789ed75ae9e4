"""Offline renders: levels, ceiling, spectrum follows parameters, click-free crossfades, reproducibility."""

import dataclasses
import wave

import numpy as np
import pytest
from audio_helpers import (
    ACTS,
    CONFIG,
    FOREST,
    HARBOUR,
    SR,
    assert_clean,
    centroid_hz,
    max_step,
    peak_db,
    rms_db,
)

from installation.audio.render import (
    MuteEvent,
    ParamEvent,
    RenderRecorder,
    SoundscapeEvent,
    render_array,
    render_audio,
)
from installation.audio.soundscape import Layer, Soundscape
from installation.errors import InstallationError


def render_act(soundscape, seconds=3.0, events=(), config=CONFIG):
    return render_array([SoundscapeEvent(0.0, "act", soundscape, 0.5), *events], seconds, config=config)


@pytest.mark.parametrize("act", sorted(ACTS))
def test_each_example_act_sits_in_its_level_range_and_under_the_ceiling(act):
    out = render_act(ACTS[act])
    steady = out[SR:]
    assert_clean(steady)
    assert -36.0 <= rms_db(steady) <= -12.0, f"{act}: rms {rms_db(steady):.1f} dBFS"


INSTRUMENT_LAYERS = [
    Layer("x", "drone", {}),
    Layer("x", "noise", {"color": "wind", "rate": 1.0}),
    Layer("x", "noise", {"color": "rain"}),
    Layer("x", "noise", {"color": "surf", "rate": 1.0}),
    Layer("x", "granular", {"file": "accord"}),
    Layer("x", "pulses", {"rate": 8.0}),
    Layer("x", "bells", {"rate": 4.0}),
]


@pytest.mark.parametrize(
    "layer", INSTRUMENT_LAYERS, ids=lambda la: f"{la.instrument}-{la.values.get('color', '')}"
)
def test_every_instrument_at_minus_6_db_plays_near_minus_12_dbfs(layer):
    layer = dataclasses.replace(layer, values={**layer.values, "level": -6.0})
    out = render_act(Soundscape((layer,)), seconds=2.0)[SR // 2 :]
    assert_clean(out)
    assert -22.0 <= rms_db(out) <= -6.0, f"rms {rms_db(out):.1f} dBFS"


@pytest.mark.parametrize("ceiling_db", [-1.0, -6.0])
def test_the_ceiling_is_hard_even_when_driven_far_over(ceiling_db):
    hot = Soundscape(
        (
            Layer("d", "drone", {"level": 6.0, "brightness": 1.0}),
            Layer("w", "noise", {"level": 6.0, "color": "surf", "rate": 2.0}),
            Layer("b", "bells", {"level": 6.0, "rate": 8.0}),
        ),
        level_db=6.0,
    )
    config = dataclasses.replace(CONFIG, ceiling_db=ceiling_db)
    out = render_act(hot, seconds=2.0, config=config)
    assert_clean(out, ceiling_db=ceiling_db)
    assert peak_db(out) > ceiling_db - 1.0, "the limiter should be working here"


def test_a_brighter_drone_cutoff_moves_the_spectral_centroid_up():
    drone = Soundscape((Layer("drone", "drone", {"cutoff": 250.0, "sweep": 0.0, "level": -6.0}),))
    out = render_act(drone, 4.0, [ParamEvent(2.0, {"audio.drone.cutoff": 2500.0})])
    before, after = centroid_hz(out[SR // 2 : 2 * SR]), centroid_hz(out[2 * SR + SR // 4 :])
    assert after > 1.8 * before, (before, after)


def test_more_granular_brightness_and_density_move_the_spectrum_and_level_up():
    cloud = Soundscape((Layer("cloud", "granular", {"brightness": 0.1, "density": 5.0, "level": -6.0}),))
    out = render_act(
        cloud, 4.0, [ParamEvent(2.0, {"audio.cloud.brightness": 0.9, "audio.cloud.density": 80.0})]
    )
    before, after = out[SR // 2 : 2 * SR], out[2 * SR + SR // 4 :]
    assert centroid_hz(after) > 1.5 * centroid_hz(before)
    assert rms_db(after) > rms_db(before) + 3.0


def test_parameter_changes_are_smoothed_not_stepped():
    # a level jump of 40 dB lands as a ramp: no sample jump larger than the drone's own largest step
    drone = Soundscape((Layer("drone", "drone", {"level": -46.0, "brightness": 0.0, "cutoff": 400.0}),))
    out = render_act(drone, 2.0, [ParamEvent(1.0, {"audio.drone.level": -6.0})])
    loud = out[int(1.2 * SR) :]
    around = out[int(0.98 * SR) : int(1.1 * SR)]
    assert max_step(around) <= max_step(loud) * 1.05


def test_act_crossfade_is_equal_power_and_click_free():
    events = [
        SoundscapeEvent(0.0, "forest", FOREST, 0.5),
        SoundscapeEvent(2.0, "harbour", HARBOUR, 1.0),
    ]
    out = render_array(events, 4.0, config=CONFIG)
    assert_clean(out[SR // 2 :])
    # a sum of two signals under gains <= 1 can step at most as far as both steps together: more is a click
    bound = max_step(out[SR : 2 * SR]) + max_step(out[int(3.1 * SR) :])
    fade = out[int(1.95 * SR) : int(3.05 * SR)]
    assert max_step(fade) <= bound, (max_step(fade), bound)
    # equal power: the middle of the fade holds the level instead of dipping (a linear fade dips ~3 dB)
    window = SR // 10
    middle = rms_db(out[int(2.5 * SR) - window : int(2.5 * SR) + window])
    ends = (rms_db(out[int(1.8 * SR) : 2 * SR]) + rms_db(out[int(3.2 * SR) : int(3.4 * SR)])) / 2
    assert middle > ends - 3.0, (middle, ends)


def test_even_a_cut_between_acts_does_not_click():
    a = Soundscape((Layer("d", "drone", {"level": -6.0, "brightness": 0.0, "cutoff": 300.0}),))
    b = Soundscape((Layer("d", "drone", {"level": -6.0, "brightness": 0.0, "cutoff": 300.0, "root": 82.0}),))
    out = render_array(
        [SoundscapeEvent(0.0, "a", a, 0.0), SoundscapeEvent(1.0, "b", b, 0.0)], 2.0, config=CONFIG
    )
    bound = max_step(out[int(0.3 * SR) : int(0.95 * SR)]) + max_step(out[int(1.3 * SR) :])
    assert max_step(out[int(0.95 * SR) : int(1.3 * SR)]) <= bound
    # what a click would look like: the drone's own level jumping from 0 within one sample
    assert bound < 0.1 * np.abs(out[int(1.3 * SR) :]).max()


def test_renders_are_reproducible_with_a_seed():
    first = render_act(HARBOUR, 2.0)
    again = render_act(HARBOUR, 2.0)
    other = render_act(HARBOUR, 2.0, config=dataclasses.replace(CONFIG, seed=8))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_panic_mute_silences_within_the_fade_and_trim_lowers_the_master():
    out = render_act(FOREST, 3.0, [ParamEvent(1.0, {"audio.master.trim": -12.0}), MuteEvent(2.0, True)])
    drop = rms_db(out[int(0.6 * SR) : SR]) - rms_db(out[int(1.3 * SR) : int(1.9 * SR)])
    assert 9.0 < drop < 15.0
    assert rms_db(out[int(2.4 * SR) :]) < -100.0


def test_render_audio_writes_a_24_bit_wav_with_progress(tmp_path):
    seen = []
    path = tmp_path / "act.wav"
    result = render_audio(
        [SoundscapeEvent(0.0, "forest", FOREST, 0.5)],
        2.0,
        path,
        config=CONFIG,
        progress=lambda d, t: seen.append((d, t)),
    )
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 3, SR)
        assert wav.getnframes() == 2 * SR
        raw = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.uint8).reshape(-1, 3)
    ints = raw[:, 0].astype(np.int32) | (raw[:, 1].astype(np.int32) << 8) | (raw[:, 2].astype(np.int32) << 16)
    ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
    samples = ints / float((1 << 23) - 1)
    assert abs(rms_db(samples) - result.rms_db) < 0.1
    assert result.peak_db <= -1.0 + 1e-4
    assert seen[-1] == (2.0, 2.0)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_render_refuses_events_out_of_time_order():
    def events():
        yield SoundscapeEvent(1.0, "a", FOREST, 0.0)
        yield ParamEvent(0.5, {})

    with pytest.raises(InstallationError, match="out of order"):
        render_array(events(), 2.0, config=CONFIG)


def test_the_recorder_turns_runtime_calls_into_render_events_like_the_live_output():
    rec = RenderRecorder(ACTS)
    rec.update({"audio.master.level": -3.0, "audio.drone.cutoff": 500.0, "light.wash.dimmer": 1.0}, 0.0)
    rec.change_soundscape("forest", 2.0, 0.0)
    rec.update({"audio.master.level": -3.0, "audio.drone.cutoff": 900.0}, 1.0)
    rec.panic(5.0, fade_s=0.5)
    rec.change_soundscape("harbour", 4.0, 6.0)
    assert rec.events == [
        ParamEvent(0.0, {"audio.master.level": -3.0, "audio.drone.cutoff": 500.0}),
        SoundscapeEvent(0.0, "forest", FOREST, 2.0),
        ParamEvent(0.0, {"audio.master.level": -3.0, "audio.drone.cutoff": 500.0}),
        ParamEvent(1.0, {"audio.drone.cutoff": 900.0}),
        MuteEvent(5.0, True, 0.5),
        MuteEvent(6.0, False, None),
        SoundscapeEvent(6.0, "harbour", HARBOUR, 4.0),
        ParamEvent(6.0, {"audio.master.level": -3.0}),
    ]
    out = render_array(rec.events, 7.0, config=CONFIG)
    assert rms_db(out[int(5.55 * SR) : 6 * SR]) < -90.0  # muted after its 0.5 s fade
    assert rms_db(out[int(6.6 * SR) :]) > -45.0  # the next act plays again


def test_more_hits_in_the_euclidean_pattern_play_more_notes():
    pulses = Soundscape((Layer("p", "pulses", {"rate": 8.0, "hits": 1, "steps": 8, "level": -6.0}),))
    out = render_act(pulses, 4.0, [ParamEvent(2.0, {"audio.p.hits": 7.0})])
    assert rms_db(out[int(2.5 * SR) :]) > rms_db(out[SR // 2 : 2 * SR]) + 4.0
