"""A small but complete project folder (rig, fixture profile, shaders, show) for the show loader tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

PAR = """\
fixture: Test RGBW Par
manufacturer: Test
kind: wash
modes:
  6ch: [dimmer, red, green, blue, white, {attribute: strobe, range: [10, 255], off: 0}]
"""

SPOT = """\
fixture: Test Spot
manufacturer: Test
kind: moving-head
modes:
  4ch:
    - {attribute: pan, default: 0.5}
    - {attribute: tilt, default: 0.5}
    - attribute: color
      wheel: {white: 0, red: 14, blue: 84}
    - dimmer
"""

RIG = """\
# test rig
rig: Test
outputs:
  usb: {type: enttec-usb-pro, port: /dev/null, universe: 1}
fixtures:
  wash1: {profile: par, mode: 6ch, universe: 1, address: 1}
  wash2: {profile: par, mode: 6ch, universe: 1, address: 7}
  spot: {profile: spot, mode: 4ch, universe: 1, address: 20}
groups:
  wash: [wash1, wash2]
osc:
  media:
    host: 127.0.0.1
    port: 7000
    addresses: {scene_start: /scene/start, layer: "/layer/{layer}/opacity"}
    params:
      brightness: {address: /composition/master, range: [0, 1], default: 1}
serial:
  fan:
    port: /dev/null
    commands: {speed: "SPEED {0}", stop: "STOP"}
    params:
      speed: {command: speed, range: [0, 1], out: [0, 255], integer: true}
"""

GLOW = """/*{
  "DESCRIPTION": "test scene",
  "INPUTS": [
    {"NAME": "hue", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.3},
    {"NAME": "glow", "TYPE": "float", "MIN": 0.0, "MAX": 2.0, "DEFAULT": 0.5},
    {"NAME": "mode", "TYPE": "long", "VALUES": [0, 1], "LABELS": ["calm", "storm"], "DEFAULT": 0},
    {"NAME": "tint", "TYPE": "color", "DEFAULT": [1.0, 0.5, 0.0, 1.0]}
  ]
}*/
void main() { gl_FragColor = vec4(hue, glow, 0.0, 1.0); }
"""

DISSOLVE = """/*{
  "DESCRIPTION": "test transition",
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0}
  ]
}*/
void main() { gl_FragColor = mix(IMG_NORM_PIXEL(startImage, isf_FragNormCoord),
                                 IMG_NORM_PIXEL(endImage, isf_FragNormCoord), progress); }
"""

# A show touching every feature; tests mutate copies of it. Keep line numbers stable: tests name them.
GOOD_SHOW = """\
# A test show
show: Test Show
rig: hardware/rig.yaml
presence:
  source: synthetic
  fallback: idle
  mask: [[[0.0, 0.0], [1.0, 0.0], [1.0, 0.1]]]
  zones:
    door: [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]
    screen: [[0.3, 0.7], [0.7, 0.7], [0.7, 1.0], [0.3, 1.0]]
hours:
  mon: closed
  tue-fri: "10:00-18:00"
  sat-sun: ["11:00-13:00", "14:00-19:00"]
  closed_on: ["2026-12-25"]
idle:
  act: attract
  when_empty_for: 60s
start: attract
acts:
  attract:
    scene: shaders/glow.fs
    scene_inputs: {hue: 0.35, glow: "60%", tint: "#ff8800"}
    transition: {time: 4s, shader: shaders/dissolve.fs}
    soundscape:
      level: "-18 dB"
      layers:
        wind: {instrument: noise, color: wind, level: "-24 dB"}
        drone: {instrument: drone, root: "55 Hz", cutoff: "600 Hz", level: "-20 dB"}
    looks:
      glow: {light.wash.dimmer: "40%", light.wash.color: "#2aff9c"}
    mappings:
      - from: nearest
        to: scene.glow
        range: [0, 1]
        out: [0.2, 1.0]
        curve: linear
        smoothing: 2s
    cues:
      - name: dawn
        pre_wait: 0s
        look: glow
        fade: {light.wash1.dimmer: "60%", scene.glow: 0.8, audio.wind.level: "-12 dB"}
        duration: 5s
        curve: s-curve
        post_wait: 1:30
        continue: auto-follow
      - name: ping
        osc: {endpoint: media, address: /scene/start, args: [1, 0.5, "biodome"]}
      - name: fan
        serial: {device: fan, command: speed, args: [40]}
      - name: pulses
        group: playlist
        loop: true
        cues:
          - {name: p1, fade: {light.spot.color: blue, light.spot.dimmer: 1}, duration: 250ms}
          - {name: p2, wait: 2s}
      - name: stop pulses
        stop: pulses
        fade_out: 2s
      - name: go on
        goto: dawn
      - wait: 10s
      - act: next
    triggers:
      - when: count >= 1 for 2s
        go: streets
        hysteresis: 0.5
      - when: zone door empty for 30s
        go: idle
      - when: zone screen.count >= 3 for 5s
        go: next
      - after: 10min
        go: next
      - at: "17:55"
        go: idle
      - on: go
        go: next
      - on: osc /show/skip
        go: next
  streets:
    scene: shaders/glow.fs
    cues:
      - name: bright
        fade: {light.wash.dimmer: 1, serial.fan.speed: "50%", osc.media.brightness: 0.5}
        duration: 2min
    triggers:
      - when: room empty for 1min
        go: attract
expect:
  - audience: walkthrough
    reaches: streets
    by: 25min
  - audience: empty-day
    never_reaches: streets
  - act_at: {time: 3min, act: streets}
"""


def make_project(root: Path, show: str = GOOD_SHOW, name: str = "show.yaml") -> Path:
    """Write the test project under `root`; return the show file's path."""
    files: dict[str, str] = {
        "hardware/fixtures/par.yaml": PAR,
        "hardware/fixtures/spot.yaml": SPOT,
        "hardware/rig.yaml": RIG,
        "shaders/glow.fs": GLOW,
        "shaders/dissolve.fs": DISSOLVE,
        f"cues/{name}": show,
    }
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root / "cues" / name


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class CachingResolver:
    """The real resolver with rig and scene loads cached by path (for thousands of fuzzed loads)."""

    def __init__(self) -> None:
        from installation.show.loader import DefaultResolver

        self.real = DefaultResolver()
        self.cache: dict[tuple[str, Path], Any] = {}

    def _cached(self, kind: str, path: Path, fn: Any, *args: Any) -> Any:
        key = (kind, path)
        if key not in self.cache:
            try:
                self.cache[key] = ("ok", fn(*args))
            except Exception as exc:
                self.cache[key] = ("err", exc)
        status, value = self.cache[key]
        if status == "err":
            raise value
        return value

    def load_rig(self, path: Path, root: Path) -> Any:
        return self._cached("rig", path, self.real.load_rig, path, root)

    def load_scene_info(self, path: Path, root: Path) -> Any:
        return self._cached("scene", path, self.real.load_scene_info, path, root)

    def instruments(self) -> Any:
        return self.real.instruments()

    def check_layer(self, layer: str, instrument: str, values: Any) -> list[Any]:
        return self.real.check_layer(layer, instrument, values)

    def layer_parameters(self, layer: str, instrument: str, values: Any) -> Any:
        return self.real.layer_parameters(layer, instrument, values)

    def master_parameters(self) -> Any:
        return self.real.master_parameters()
