"""Rig files: the gallery rig loads, parameters are named for shows, and every mistake names its place."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from installation.errors import ShowError
from installation.rig.rigfile import load_rig

REPO = Path(__file__).resolve().parents[2]
GALLERY = REPO / "hardware" / "gallery.yaml"

RGB_PROFILE = (
    "fixture: Test RGB\nkind: wash\nmodes:\n  3ch: [red, green, blue]\n  4ch: [dimmer, red, green, blue]\n"
)


def write_rig(tmp_path: Path, text: str, profiles: dict[str, str] | None = None) -> Path:
    hw = tmp_path / "hardware"
    (hw / "fixtures").mkdir(parents=True, exist_ok=True)
    for name, body in (profiles or {"rgb": RGB_PROFILE}).items():
        (hw / "fixtures" / f"{name}.yaml").write_text(body)
    path = hw / "rig.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problems(tmp_path: Path, text: str, profiles: dict[str, str] | None = None) -> list[str]:
    path = write_rig(tmp_path, text, profiles)
    with pytest.raises(ShowError) as info:
        load_rig(path, tmp_path)
    return [str(p) for p in info.value.problems]


def test_gallery_rig_loads_with_every_output_kind():
    rig = load_rig(GALLERY, REPO)
    assert {o.type for o in rig.outputs.values()} == {"enttec-usb-pro", "artnet", "sacn"}
    assert rig.universes == (1, 2, 3)
    assert rig.groups["wash"].members == ("wash1", "wash2", "wash3", "wash4")
    assert rig.groups["strip"].members == tuple(f"strip{i}" for i in range(1, 9))
    assert rig.fixtures["strip8"].address == 22
    assert rig.fixtures["strip1"].position == pytest.approx((0.1, 0.95))
    assert rig.fixtures["strip8"].position == pytest.approx((0.9, 0.95))


def test_gallery_parameters_cover_fixtures_groups_osc_and_serial():
    params = load_rig(GALLERY, REPO).parameters()
    for name in (
        "light.wash.dimmer",
        "light.wash1.white",
        "light.spots.pan",
        "light.spot2.tilt",
        "light.strip.red",
        "light.strip.dimmer",
        "light.haze.output",
        "light.all-colour.blue",
        "osc.media.brightness",
        "serial.fan.speed",
    ):
        assert name in params, name
    color = params["light.spots.color"]
    assert color.kind == "choice"
    assert dict(color.choices)["blue"] == 6.0
    assert params["light.spot1.pan"].default == 0.5
    assert "light.wash.pan" not in params
    assert (
        "light.all-colour.white" not in params
    )  # the strip has no white: groups share only common attributes


def test_color_expand_rgbw_takes_white_from_the_common_part():
    rig = load_rig(GALLERY, REPO)
    got = rig.color_expand("light.wash.color", "#ffcc99")
    assert got == pytest.approx(
        {"light.wash.red": 0.4, "light.wash.green": 0.2, "light.wash.blue": 0.0, "light.wash.white": 0.6}
    )
    assert rig.color_expand("light.strip3.color", "#ff8800") == pytest.approx(
        {"light.strip3.red": 1.0, "light.strip3.green": 0x88 / 255, "light.strip3.blue": 0.0}
    )


def test_color_expand_names_a_wheel_slot_and_rejects_hex_on_a_wheel():
    rig = load_rig(GALLERY, REPO)
    assert rig.color_expand("light.spots.color", "Blue") == {"light.spots.color": 6.0}
    with pytest.raises(ValueError, match="colour wheel: use one of white, red"):
        rig.color_expand("light.spots.color", "#0000ff")
    with pytest.raises(ValueError, match="no fixture or group 'nope'"):
        rig.color_expand("light.nope.color", "#0000ff")
    with pytest.raises(ValueError, match="#rrggbb"):
        rig.color_expand("light.wash.color", "orange-ish")


def test_osc_addresses_and_serial_commands_render():
    rig = load_rig(GALLERY, REPO)
    media = rig.osc_endpoints["media"]
    assert media.address("layer_opacity", {"layer": 2}) == "/layer/2/opacity"
    assert media.address("/anything/literal") == "/anything/literal"
    with pytest.raises(ValueError, match="needs layer"):
        media.address("layer_opacity")
    with pytest.raises(ValueError, match="no address 'fade'"):
        media.address("fade")
    fan = rig.serial_devices["fan"]
    assert fan.line("speed", [128]) == "SPEED 128"
    assert fan.line("stop") == "STOP"
    with pytest.raises(ValueError, match="takes 1 argument"):
        fan.line("speed", [])
    assert fan.params["speed"].wire_value(0.5) == 128
    assert fan.params["speed"].wire_value(7.0) == 255


def test_with_targets_points_outputs_at_simulators():
    rig = load_rig(GALLERY, REPO)
    sim = rig.with_targets(
        dmx={"usb": "/dev/pts/9", "strip-node": ("127.0.0.1", 16454)},
        osc={"media": ("127.0.0.1", 17000)},
        serial={"fan": "/dev/pts/10"},
    )
    assert sim.outputs["usb"].port == "/dev/pts/9"
    assert sim.outputs["strip-node"].udp_port == 16454
    assert sim.osc_endpoints["media"].port == 17000
    assert sim.serial_devices["fan"].port == "/dev/pts/10"
    assert rig.outputs["usb"].port.startswith("/dev/serial/by-id/")  # the original is untouched


def test_all_problems_are_reported_at_once_with_positions(tmp_path):
    got = problems(
        tmp_path,
        """\
        rig: Test
        outputs:
          usb: {type: enttec-usb-pro, port: /dev/ttyUSB0, universe: 1, speed: 9}
        fixtures:
          a: {profile: rgb, universe: 1, address: 1}
          b: {profile: rgb, universe: 1, address: 3, colour: red}
          c: {profile: rgb, universe: 7, address: 1}
          d: {profile: nope, universe: 1, address: 100}
        groups:
          g: [a, zz]
        lights: {}
        """,
    )
    assert got == sorted(got, key=lambda s: (s.split(":")[0], int(s.split(":")[1]), int(s.split(":")[2])))
    assert (
        "hardware/rig.yaml:3:64: unknown key 'speed' in output usb (valid: type, port, universe, rate)" in got
    )
    assert (
        "hardware/rig.yaml:6:43: fixture b: b (1.3-5) overlaps a (1.1-3) (give each fixture its own channels)"
    ) in got
    assert (
        "hardware/rig.yaml:6:46: unknown key 'colour' in fixture b (valid: profile, mode, universe, "
        "address, position, map, count, limits, invert)"
    ) in got
    assert (
        "hardware/rig.yaml:7:31: fixture c: universe 7 has no output (universes with an output: 1)"
    ) in got
    assert (
        "hardware/rig.yaml:8:16: fixture d: no fixture profile hardware/fixtures/nope.yaml (valid: rgb)"
    ) in got
    assert "hardware/rig.yaml:10:10: group g: no fixture or group 'zz' (valid: a, b, g)" in got
    assert (
        "hardware/rig.yaml:11:1: unknown key 'lights' in the rig "
        "(valid: rig, outputs, fixtures, groups, osc, serial, projection, projectors, fleet)"
    ) in got
    assert len(got) == 7


def test_rig_and_profiles_must_stay_inside_the_project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    outside = write_rig(tmp_path, "rig: X\n")
    with pytest.raises(ShowError, match="outside the project folder"):
        load_rig(outside, project)
    got = problems(
        tmp_path,
        """\
        outputs: {usb: {type: enttec-usb-pro, port: /dev/ttyUSB0, universe: 1}}
        fixtures:
          a: {profile: ../../../etc/thing.yaml, universe: 1, address: 1}
        """,
    )
    assert got == [
        "hardware/rig.yaml:3:16: fixture a: profile '../../../etc/thing.yaml' is outside the project "
        "folder (copy it into hardware/fixtures/)"
    ]


def test_bad_mode_limits_and_group_cycles_are_named(tmp_path):
    got = problems(
        tmp_path,
        """\
        outputs: {usb: {type: enttec-usb-pro, port: /dev/ttyUSB0, universe: 1}}
        fixtures:
          a: {profile: rgb, mode: 9ch, universe: 1, address: 1}
          b: {profile: rgb, universe: 1, address: 10, limits: {dimmer: "120%", pan: 0.5}}
          c: {profile: rgb, universe: 1, address: 511}
        groups:
          g1: [g2]
          g2: [g1]
        """,
    )
    assert "hardware/rig.yaml:3:27: fixture a: profile 'Test RGB' has no mode '9ch' (valid: 3ch, 4ch)" in got
    assert any("limits.dimmer: '120%' must be a fraction 0..1" in p for p in got)
    assert any("no continuous attribute 'pan' to limit" in p for p in got)
    assert any("c at 1.511 needs 3 channels and runs past channel 512" in p for p in got)
    assert any("groups contain each other (g1 → g2 → g1)" in p for p in got)


def test_profile_problems_are_reported_in_the_profile_file(tmp_path):
    bad = "fixture: Bad\nmodes:\n  2ch: [pan.fine, {attribute: color, wheel: {red: 300}}]\n"
    got = problems(
        tmp_path,
        """\
        outputs: {usb: {type: enttec-usb-pro, port: /dev/ttyUSB0, universe: 1}}
        fixtures:
          a: {profile: bad, universe: 1, address: 1}
        """,
        profiles={"bad": bad},
    )
    assert len(got) == 1
    assert got[0].startswith(
        "hardware/rig.yaml:3:16: fixture a: profile has problems: hardware/fixtures/bad.yaml:3:3:"
    )
    assert "wheel slot 'red' value 300 is outside 0..255" in got[0]
    assert "pan.fine has no coarse pan channel" in got[0]


def test_osc_and_serial_sections_are_checked(tmp_path):
    got = problems(
        tmp_path,
        """\
        osc:
          media: {host: 127.0.0.1, port: 99999, addresses: {a: "no-slash"},
                  params: {level: {address: "/x/{n}"}}}
        serial:
          fan: {port: /dev/ttyACM0, commands: {speed: "S {name}"}, reply: "(",
                params: {speed: {command: spin}}}
        """,
    )
    assert any("port 99999 must be a whole number 1..65535" in p for p in got)
    assert any("address a must be an OSC path starting with /" in p for p in got)
    assert any("a continuous param needs a complete address" in p for p in got)
    assert any("uses named placeholders" in p for p in got)
    assert any("is not a valid regular expression" in p for p in got)
    assert any("no command 'spin'" in p for p in got)


def test_yaml_syntax_error_has_a_position(tmp_path):
    got = problems(tmp_path, "outputs: {usb: [\n")
    assert len(got) == 1 and got[0].startswith("hardware/rig.yaml:2:1: YAML syntax")
