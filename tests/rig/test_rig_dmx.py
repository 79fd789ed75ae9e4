"""The DMX engine: parameters become channel values as a lighting technician expects."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from installation.rig.dmx import DmxEngine


def ch(engine: DmxEngine, universe: int, address: int, count: int = 1) -> list[int]:
    return [int(v) for v in engine.universe(universe)[address - 1 : address - 1 + count]]


def test_defaults_render_home_positions_and_open_shutters(gallery):
    e = DmxEngine(gallery)
    # spot1 at 101: pan, pan fine, tilt, tilt fine, speed (inverted), colour, gobo, strobe (off 255), dimmer
    assert ch(e, 1, 101, 10) == [128, 0, 128, 0, 255, 0, 0, 255, 0, 0]
    assert ch(e, 1, 1, 6) == [0] * 6


def test_group_and_fixture_dimmers_merge_highest_takes_precedence(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.wash.dimmer": 0.4, "light.wash2.dimmer": 0.8})
    e.render()
    assert ch(e, 1, 1) == [102] and ch(e, 1, 7) == [204]
    e.set_params({"light.wash.dimmer": 1.0})
    e.render()
    assert ch(e, 1, 7) == [255]


def test_colours_merge_latest_takes_precedence(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.wash.red": 1.0})
    e.render()
    e.set_params({"light.wash3.red": 0.2})
    e.render()
    assert ch(e, 1, 2) == [255] and ch(e, 1, 14) == [51]  # the fixture's own change is the latest
    e.set_params({"light.wash.red": 0.6})
    e.render()
    assert ch(e, 1, 14) == [153]  # now the group's change is the latest


def test_16_bit_pan_and_per_fixture_invert(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.spots.pan": 0.25})
    e.render()
    assert ch(e, 1, 101, 2) == [64, 0]  # 0.25 × 65535 = 16384
    assert ch(e, 1, 115, 2) == [191, 255]  # spot2 hangs the other way: 0.75 × 65535 = 49151
    e.set_params({"light.spot1.pan": 32769 / 65535})
    e.render()
    assert ch(e, 1, 101, 2) == [128, 1]


def test_limits_clamp_before_output(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.spots.tilt": 1.0, "light.haze.output": 1.0})
    e.render()
    assert ch(e, 1, 103, 2) == [0xD9, 0x99]  # tilt limited to 0.85: 0.85 × 65535 → 55705 = 0xd999
    assert ch(e, 3, 1) == [153]  # haze output limited to 60 %


def test_strobe_off_value_and_range(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.spot1.strobe": 1.0, "light.wash.strobe": 0.5})
    e.render()
    assert ch(e, 1, 108) == [131] and ch(e, 1, 115 + 7) == [255]  # spot2 stays open
    assert ch(e, 1, 6) == [132]  # 10 + 0.5 × 245 = 132.5 → 132 (round half to even)


def test_colour_wheel_by_slot_through_group_and_fixture(gallery):
    e = DmxEngine(gallery)
    blue = dict(gallery.parameters()["light.spots.color"].choices)["blue"]
    e.set_params({"light.spots.color": blue})
    e.render()
    assert ch(e, 1, 106) == [84] and ch(e, 1, 120) == [84]
    e.set_params({"light.spot2.color": 1.0})  # red
    e.render()
    assert ch(e, 1, 120) == [14] and ch(e, 1, 106) == [84]
    e.set_params({"light.spot2.color": 99.0})  # out of range → last slot, never garbage
    e.render()
    assert ch(e, 1, 120) == [112]


def test_grand_master_and_blackout_scale_light_output_only(gallery):
    e = DmxEngine(gallery)
    e.set_params(
        {
            "light.wash.dimmer": 1.0,
            "light.wash.red": 1.0,
            "light.strip.red": 1.0,
            "light.spots.pan": 0.25,
            "light.haze.output": 0.5,
        }
    )
    e.grand_master = 0.5
    e.render()
    assert ch(e, 1, 1, 2) == [128, 255]  # dimmer scaled; colour of a fixture with a dimmer untouched
    assert ch(e, 2, 1, 3) == [128, 0, 0]  # strip: no dimmer channel, its colours are scaled
    e.blackout = True
    e.render()
    assert ch(e, 1, 1) == [0] and ch(e, 2, 1) == [0]
    assert ch(e, 1, 101) == [64] and ch(e, 3, 1) == [0]  # positions untouched; blackout stops the hazer too
    e.blackout = False
    e.grand_master = 1.0
    e.render()
    assert ch(e, 1, 1) == [255]


def test_virtual_dimmer_of_an_rgb_strip_fades_by_group(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.strip.red": 1.0, "light.strip.dimmer": 0.2})
    e.render()
    assert ch(e, 2, 1) == [51] and ch(e, 2, 22) == [51]


def test_missing_params_keep_their_values_and_dirty_flags_follow_changes(gallery):
    e = DmxEngine(gallery)
    e.set_params({"light.wash.dimmer": 1.0, "audio.master.level": -12.0})
    dirty = e.render()
    assert list(dirty) == [True, False, False]
    e.set_params({"scene.hue": 0.3})
    dirty = e.render()
    assert ch(e, 1, 1) == [255] and list(dirty) == [False, False, False]


def test_a_frame_allocates_nothing_that_grows(gallery):
    e = DmxEngine(gallery)
    names = e.param_names
    values = np.linspace(0, 1, len(names))
    snapshot = dict(zip(names, values.tolist(), strict=True))
    for _ in range(3):
        e.set_params(snapshot)
        e.render()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for i in range(200):
            values[:] = (i % 10) / 10
            e.set_vector(values)
            e.render()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current - base < 2048
    assert peak - base < 16384  # small temporaries of numpy's scalar handling, never per-channel arrays


@pytest.mark.parametrize("level", [-1.0, 2.0])
def test_out_of_range_values_are_clamped(gallery, level):
    e = DmxEngine(gallery)
    e.set_params({"light.wash1.dimmer": level})
    e.render()
    assert ch(e, 1, 1) == [0 if level < 0 else 255]
