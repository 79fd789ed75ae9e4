"""Heads and pixels: each head addressable, placed along its bar, driven alone or all together."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from installation.cli import main
from installation.rig.describe import describe, suggest
from installation.rig.dmx import DmxEngine
from installation.rig.rigfile import Rig, load_rig

BAR = {
    "name": "Bar 4",
    "categories": ["Pixel Bar"],
    "matrix": {"pixelCount": [4, 1, 1]},
    "availableChannels": {
        "Dimmer": {"fineChannelAliases": ["Dimmer fine"], "capability": {"type": "Intensity"}},
    },
    "templateChannels": {
        "Red $pixelKey": {"capability": {"type": "ColorIntensity", "color": "Red"}},
        "Green $pixelKey": {"capability": {"type": "ColorIntensity", "color": "Green"}},
        "Blue $pixelKey": {"capability": {"type": "ColorIntensity", "color": "Blue"}},
    },
    "modes": [
        {
            "name": "14ch",
            "channels": [
                "Dimmer",
                "Dimmer fine",
                {
                    "insert": "matrixChannels",
                    "repeatFor": "eachPixelXYZ",
                    "channelOrder": "perPixel",
                    "templateChannels": ["Red $pixelKey", "Green $pixelKey", "Blue $pixelKey"],
                },
            ],
        }
    ],
}

RIG = """\
outputs: {node: {type: artnet, host: 127.0.0.1, universe: 1}}
fixtures:
  bar:
    {profile: fixtures/acme/bar.json, universe: 1, address: 1, position: [[0.1, 0.9], [0.5, 0.9]],
     map: [[0, 0.5], [1, 0.5]]}
  par1: {profile: generic-rgbw, mode: 6ch, universe: 1, address: 20, position: [0.7, 0.2]}
  spot1: {profile: moving-spot, mode: 14ch, universe: 1, address: 30}
  strip: {profile: rgb-pixel, universe: 1, address: 100, count: 3, position: [[0.1, 0.5], [0.3, 0.5]]}
groups:
  colour: [bar, par1]
"""


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    hw = tmp_path / "hardware"
    (hw / "fixtures" / "acme").mkdir(parents=True)
    (hw / "fixtures" / "acme" / "bar.json").write_text(json.dumps(BAR))
    repo = Path(__file__).resolve().parents[2] / "hardware" / "fixtures"
    for name in ("generic-rgbw", "moving-spot", "rgb-pixel"):
        (hw / "fixtures" / f"{name}.yaml").write_text((repo / f"{name}.yaml").read_text())
    (hw / "rig.yaml").write_text(RIG)
    return load_rig(hw / "rig.yaml", tmp_path)


def _dmx(e: DmxEngine, start: int, n: int) -> list[int]:
    return [int(v) for v in e.universe(1)[start - 1 : start - 1 + n]]


def test_each_head_is_a_parameter_and_the_bar_drives_them_all(rig):
    params = rig.parameters()
    assert {"light.bar.dimmer", "light.bar.red", "light.bar.3.red", "light.bar.4.blue"} <= params.keys()
    assert "light.bar.red_2" not in params
    assert params["light.bar.3.red"].kind == "color-component"
    e = DmxEngine(rig)
    e.set_params({"light.bar.dimmer": 1.0, "light.bar.red": 1.0})
    e.render()
    assert _dmx(e, 3, 12) == [255, 0, 0] * 4  # every head's red
    e.set_params({"light.bar.3.red": 0.5, "light.bar.3.blue": 1.0})  # then one head alone, latest wins
    e.render()
    assert _dmx(e, 3, 12) == [255, 0, 0, 255, 0, 0, 128, 0, 255, 255, 0, 0]
    e.set_params({"light.colour.red": 0.2})  # a rig group reaches every head's red too
    e.render()
    assert _dmx(e, 3, 12)[::3] == [51, 51, 51, 51]
    e.blackout = True
    e.render()
    assert _dmx(e, 1, 14) == [0] * 14


def test_heads_are_placed_along_the_bar_in_the_room_and_in_the_scene(rig):
    bar = rig.fixtures["bar"]
    assert [p for p, _, _ in bar.pixels()] == [f"light.bar.{i}" for i in (1, 2, 3, 4)]
    assert [r for _, r, _ in bar.pixels()] == [(0.15, 0.9), (0.25, 0.9), (0.35, 0.9), (0.45, 0.9)]
    assert [m for _, _, m in bar.pixels()] == [(0.125, 0.5), (0.375, 0.5), (0.625, 0.5), (0.875, 0.5)]
    assert bar.position == pytest.approx((0.3, 0.9))
    strip = [rig.fixtures[f"strip{i}"].pixels()[0] for i in (1, 2, 3)]
    assert [(p, r) for p, r, _ in strip] == [
        ("light.strip1", (0.1, 0.5)), ("light.strip2", (0.2, 0.5)), ("light.strip3", (0.3, 0.5)),
    ]  # fmt: skip


def test_a_head_takes_a_colour(rig):
    assert rig.color_expand("light.bar.2.color", "#ff8000") == {
        "light.bar.2.red": 1.0,
        "light.bar.2.green": round(128 / 255, 6),
        "light.bar.2.blue": 0.0,
    }
    with pytest.raises(ValueError, match=r"bar has no head '9' \(heads: 1, 2, 3, 4\)"):
        rig.color_expand("light.bar.9.color", "#ff8000")


def test_describe_lists_heads_and_every_path_with_range_and_default(rig):
    lines = describe(rig, ["bar"])
    assert (
        lines[0] == "fixture bar: acme Bar 4 [14ch] (strip), universe 1 channels 1-14, 4 heads, at (0.3, 0.9)"
    )
    assert "  head 3: room (0.35, 0.9) scene (0.625, 0.5)" in lines
    assert "  light.bar.dimmer  0..1  default 0  (channel 1 + fine 2, dimmer)" in lines
    assert "  light.bar.red  0..1  default 0  (every head)" in lines
    assert "  light.bar.3.red  0..1  default 0  (channel 9, emitter)" in lines
    everything = "\n".join(describe(rig))
    assert "light.spot1.color  one of white, red" in everything


def test_did_you_mean_only_offers_the_named_fixtures_own_attributes(rig):
    assert suggest(rig, "light.par1.colour") == "did you mean 'light.par1.color'?"
    assert suggest(rig, "light.spot1.colour") == "did you mean 'light.spot1.color'?"
    assert suggest(rig, "light.bar.5.red").startswith("did you mean 'light.bar.")
    assert suggest(rig, "light.par1.zoom").startswith("par1 has: blue, color, dimmer")
    assert suggest(rig, "light.par2.red") == "no fixture or group 'par2'; did you mean 'par1'?"
    with pytest.raises(KeyError, match=r"did you mean 'light\.par1\.color'"):
        describe(rig, ["light.par1.colour"])


def test_rig_describe_command(rig, tmp_path, capsys):
    assert main(["rig", "describe", str(tmp_path / "hardware" / "rig.yaml"), "light.bar.2.green"]) == 0
    assert capsys.readouterr().out == "light.bar.2.green  0..1  default 0\n"
    assert main(["rig", "describe", str(tmp_path / "hardware" / "rig.yaml"), "light.bar.2.gren"]) == 1
    assert "did you mean 'light.bar.2.green'?" in capsys.readouterr().out


def test_a_line_or_point_is_required_for_position_and_map(tmp_path):
    hw = tmp_path / "hardware"
    hw.mkdir()
    (hw / "rig.yaml").write_text(
        textwrap.dedent("""\
        outputs: {node: {type: artnet, host: 127.0.0.1, universe: 1}}
        fixtures:
          p: {profile: fixtures/x.yaml, universe: 1, address: 1, map: [1, 2, 3]}
        """)
    )
    (hw / "fixtures").mkdir()
    (hw / "fixtures" / "x.yaml").write_text("fixture: X\nmodes: {3ch: [red, green, blue]}\n")
    with pytest.raises(Exception, match=r"map must be \[x, y\] in the projection scene"):
        load_rig(hw / "rig.yaml", tmp_path)


def test_pixel_map_gives_each_head_the_scene_colour_at_its_place(rig):
    import numpy as np

    from installation.rig.pixelmap import PixelMap

    e = DmxEngine(rig)
    pm = PixelMap(rig, ["bar", "strip"], e.param_slot)
    assert pm.heads == [
        *(f"light.bar.{i}" for i in (1, 2, 3, 4)),
        "light.strip1",
        "light.strip2",
        "light.strip3",
    ]
    image = np.zeros((2, 8, 4), dtype=np.uint8)  # rows top to bottom
    image[1, :, :3] = [[10 * x, 10 * x + 1, 10 * x + 2] for x in range(8)]  # the row at y = 0.5
    e.set_params({"light.bar.dimmer": 1.0})
    pm.apply(image, e.vector)
    e.render()
    assert _dmx(e, 3, 12) == [10, 11, 12, 30, 31, 32, 50, 51, 52, 70, 71, 72]  # map: x = 1, 3, 5, 7 of 8
    assert _dmx(e, 100, 9) == [0, 1, 2, 10, 11, 12, 20, 21, 22]  # no map: its room position (x 0.1..0.3)
    e.blackout = True  # mapping writes parameters: blackout and the grand master still win
    pm.apply(image, e.vector)
    e.render()
    assert _dmx(e, 100, 9) == [0] * 9
