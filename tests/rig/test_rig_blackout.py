"""Blackout and grand master over every real fixture: each head of every mode goes dark.

The check reads each definition a second time, on its own, with the format's semantics (QLC+ channel
presets, `<Group>`/`<Colour>` and `<Head>`; OFL capability types and ranges), renders every mode with every
attribute at full, turns blackout on, and asks of every head: is a master or head dimmer at a value its
capabilities call off, or is every emitting colour channel off? It never looks at how the importer named
or classified a channel, so an importer that mistakes a channel's role shows up here as a leak.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from installation.rig.dmx import UNIVERSE_SIZE, DmxEngine
from installation.rig.importers import import_ofl, import_qxf
from installation.rig.profile import FixtureProfile, Mode, ProfileRejected
from installation.rig.rigfile import DmxOutput, Fixture, Rig

QLC = Path("/usr/share/qlcplus/fixtures")
OFL = Path(__file__).resolve().parents[3] / "shared" / "data" / "ofl" / "fixtures"

# colours that emit light (CMY are filters: at 0 they let white through, so they never count as dark)
_EMITTING = {"red", "green", "blue", "white", "amber", "uv", "lime", "indigo", "warmwhite", "coldwhite"}
_OFF_TEXT = re.compile(r"\b(off|closed?|black-?out|dark)\b", re.IGNORECASE)
_ON_TEXT = re.compile(
    r"\b(on|open|full|max(imum)?|strobe|flash|pulse|random|auto|program|sound|music|macro|reset)\b"
    r"|100\s*%?\s*(-+|to)\s*0\b",
    re.IGNORECASE,
)


@dataclass
class _Light:
    """What one channel of a mode does for light, read from the file: dimmer, emitter, or a last cut."""

    kind: str  # "master" | "dimmer" | "emitter" | "cut" | ""
    head: int = 0  # 0 = the whole fixture
    off: Callable[[int], bool] = field(default=lambda v: v == 0)  # is this DMX value dark?
    linear: bool = False  # a plain 0..255 level (a QLC+ preset channel): its output is value / 255


# ---------------------------------------------------------------------------- QLC+ semantics


def _caps_off(caps: list[tuple[int, int, str, str]], zero: bool) -> Callable[[int], bool]:
    """Dark DMX values of a channel from its capabilities: a range with a closing preset or described as
    closed/off/blackout; with `zero` (intensity channels) also 0 where nothing there says on or effect."""

    def off(v: int) -> bool:
        for lo, hi, preset, text in caps:
            if lo <= v <= hi:
                if preset == "ShutterClose":
                    return True
                if preset or "lamp" in text.lower():  # a lamp struck off is not a blackout
                    return False
                if _OFF_TEXT.search(text):
                    return True
                return zero and v == 0 and not _ON_TEXT.search(text)
        return zero and v == 0

    if zero and len(caps) <= 1 and not any(p for _, _, p, _ in caps):
        return lambda v: v == 0  # a plain level
    return off


def _qxf_modes(path: Path) -> dict[str, list[_Light]]:
    root = ET.parse(path).getroot()
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    lights: dict[str, _Light] = {}
    for ch in root.findall("Channel"):
        name = (ch.get("Name") or "").strip()
        preset = ch.get("Preset") or ""
        group_el = ch.find("Group")
        group = (group_el.text or "").strip() if group_el is not None else ""
        fine = group_el is not None and group_el.get("Byte", "0") == "1"
        colour = (ch.findtext("Colour") or "").strip().lower().replace(" ", "")
        caps = [
            (int(c.get("Min", "0")), int(c.get("Max", "0")), c.get("Preset") or "", (c.text or "").strip())
            for c in ch.findall("Capability")
        ]
        kind, off = "", _caps_off(caps, zero=group != "Shutter")
        if preset == "IntensityMasterDimmer":
            kind = "master"
        elif preset in ("IntensityDimmer", "IntensityValue", "IntensityLightness"):
            kind = "dimmer"
        elif preset.startswith("Intensity") and not preset.endswith("Fine"):
            kind = "emitter" if preset[len("Intensity") :].lower() in _EMITTING else ""
        elif not preset and group == "Intensity" and not fine:
            kind = "emitter" if colour in _EMITTING else ("" if colour and colour != "generic" else "cut")
        elif not preset and group == "Shutter" and not fine:
            kind = "cut"
        lights[name] = _Light(kind, off=off if kind == "cut" else (lambda v: v == 0), linear=bool(preset))
    modes: dict[str, list[_Light]] = {}
    for m in root.findall("Mode"):
        numbered = sorted(m.findall("Channel"), key=lambda c: int(c.get("Number", "0")))
        chans = [
            _Light(lights[n].kind, 0, lights[n].off, lights[n].linear)
            if (n := (c.text or "").strip()) in lights
            else _Light("")
            for c in numbered
        ]
        heads = m.findall("Head")
        if len(heads) > 1:
            for h, head in enumerate(heads, start=1):
                for c in head.findall("Channel"):
                    i = int((c.text or "-1").strip())
                    if 0 <= i < len(chans) and chans[i].kind != "master":
                        chans[i].head = h
        modes[m.get("Name") or f"{len(chans)}ch"] = chans
    return modes


# ---------------------------------------------------------------------------- OFL semantics


def _ofl_pct(value: object) -> float | None:
    if value in ("off", "dark"):
        return 0.0
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None


def _ofl_light(ch: dict[str, object]) -> _Light:
    raw = [ch["capability"]] if "capability" in ch else ch.get("capabilities", [])
    caps = [dict(c) for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []
    if "capability" in ch:
        caps = [dict(caps[0], dmxRange=[0, 255])]
    else:  # 16- and 24-bit ranges, read in the coarse byte
        aliases = ch.get("fineChannelAliases") or []
        res = {"8bit": 1, "16bit": 2, "24bit": 3}.get(str(ch.get("dmxValueResolution")), 1 + len(aliases))  # type: ignore[arg-type]
        for c in caps:
            c["dmxRange"] = [v >> (8 * (res - 1)) for v in c["dmxRange"]]
    types = {c.get("type") for c in caps}

    def off(v: int) -> bool:
        for c in caps:
            lo, hi = c["dmxRange"]
            if not lo <= v <= hi:
                continue
            t = c.get("type")
            if t == "ShutterStrobe":
                return c.get("shutterEffect") == "Closed"
            if t in ("Intensity", "ColorIntensity"):
                start = _ofl_pct(c.get("brightnessStart", "0%"))
                end = _ofl_pct(c.get("brightnessEnd", "100%"))
                if "brightness" in c:
                    start = end = _ofl_pct(c["brightness"])
                return (v == lo and start == 0.0) or (v == hi and end == 0.0) or (start == end == 0.0)
            return False
        return False

    if "Intensity" in types:
        return _Light("dimmer", off=off)
    if types == {"ColorIntensity"}:
        colour = str(caps[0].get("color", "")).lower().replace(" ", "")
        return _Light("emitter" if colour in _EMITTING else "", off=off)
    if any(c.get("type") == "ShutterStrobe" and c.get("shutterEffect") == "Closed" for c in caps):
        return _Light("cut", off=off)
    return _Light("")


def _ofl_pixels(matrix: dict[str, object]) -> tuple[list[str], dict[str, list[str]]]:
    """Pixel keys (in pixelKeys' order, or pixelCount's default keys) and pixel groups, read plainly."""
    keys: list[str] = []
    if "pixelKeys" in matrix:
        keys = [k for layer in matrix["pixelKeys"] for row in layer for k in row if k]  # type: ignore[attr-defined]
    else:
        nx, ny, nz = matrix["pixelCount"]  # type: ignore[misc]
        axes = sum(n > 1 for n in (nx, ny, nz))
        for z in range(1, nz + 1):
            for y in range(1, ny + 1):
                for x in range(1, nx + 1):
                    on = [v for v, n in ((x, nx), (y, ny), (z, nz)) if n > 1]
                    keys.append(str(on[0]) if axes == 1 else "(" + ", ".join(map(str, on)) + ")")
    groups = {str(g): [] for g in matrix.get("pixelGroups", {}) or {}}  # type: ignore[attr-defined]
    return keys, groups


def _ofl_modes(path: Path, profile: FixtureProfile) -> dict[str, list[_Light]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    while "redirectTo" in data:
        path = path.parent.parent / f"{data['redirectTo']}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
    channels = dict(data.get("availableChannels", {}))
    keys, groups = _ofl_pixels(data.get("matrix") or {}) if "matrix" in data else ([], {})
    for tkey, ch in (data.get("templateChannels") or {}).items():
        for pk in [*keys, *groups]:
            text = json.dumps(ch).replace("$pixelKey", pk)
            channels[tkey.replace("$pixelKey", pk)] = json.loads(text)
    lights = {k: _ofl_light(ch) for k, ch in channels.items()}
    for ch in channels.values():
        for alias in ch.get("fineChannelAliases", []) or []:
            lights[alias] = _Light("")
    modes: dict[str, list[_Light]] = {}
    for m in data["modes"]:
        name = str(m.get("shortName") or m.get("name"))
        if name in modes:
            continue  # the importer keeps the first of two modes with one name
        names: list[str | None] = []
        for c in m.get("channels", []):
            if not isinstance(c, dict):
                names.append(c)
                continue
            # every pixel of a template channel does the same for light: the order of eachPixelXYZ/ABC
            # does not change what blackout must leave dark (every OFL channel is read as the fixture's)
            rep = c["repeatFor"]
            pks = rep if isinstance(rep, list) else (list(groups) if rep == "eachPixelGroup" else keys)
            tcs = c["templateChannels"]
            if c.get("channelOrder") == "perChannel":
                names += [t.replace("$pixelKey", k) if t else None for t in tcs for k in pks]
            else:
                names += [t.replace("$pixelKey", k) if t else None for k in pks for t in tcs]
        modes[name] = [lights.get(c, _Light("")) if c else _Light("") for c in names]
    return modes


# ---------------------------------------------------------------------------- rendering and judging


def _library() -> Iterator[tuple[str, FixtureProfile, dict[str, list[_Light]]]]:
    for path in sorted(QLC.rglob("*.qxf")) if QLC.is_dir() else []:
        try:
            profile = import_qxf(path)
        except ProfileRejected:
            continue
        yield f"qlc+:{path.relative_to(QLC)}", profile, _qxf_modes(path)
    for path in sorted(OFL.glob("*/*.json")) if OFL.is_dir() else []:
        try:
            profile = import_ofl(path)
        except ProfileRejected:
            continue
        yield f"ofl:{path.relative_to(OFL)}", profile, _ofl_modes(path, profile)


def _rig(modes: list[tuple[str, Mode, FixtureProfile]]) -> Rig:
    fixtures: dict[str, Fixture] = {}
    universe, address = 1, 1
    for i, (_, mode, profile) in enumerate(modes):
        if address + mode.footprint - 1 > UNIVERSE_SIZE:
            universe, address = universe + 1, 1
        fixtures[f"f{i}"] = Fixture(f"f{i}", profile, mode, universe, address)
        address += mode.footprint
    out = DmxOutput("o", "artnet", tuple(range(1, universe + 1)), host="127.0.0.1", udp_port=6454)
    return Rig("library", "library", {"o": out}, fixtures, {}, {}, {})


def _dark_heads(lights: list[_Light], values: np.ndarray) -> tuple[int, int, int]:
    """(heads checked, heads lit, heads no DMX value can darken) of one mode's DMX values."""
    heads = sorted({c.head for c in lights if c.kind}) or [0]
    if len(heads) > 1 and 0 in heads:
        heads.remove(0)
    checked = lit = unknown = 0
    for h in heads:
        covering = [(c, int(v)) for c, v in zip(lights, values, strict=True) if c.head in (0, h)]
        masters = [(c, v) for c, v in covering if c.kind == "master" or (c.kind == "dimmer" and c.head == 0)]
        dimmers = [(c, v) for c, v in covering if c.kind == "dimmer" and c.head == h and h]
        emitters = [(c, v) for c, v in covering if c.kind == "emitter"]
        cuts = [(c, v) for c, v in covering if c.kind == "cut"]
        if not (masters or dimmers or emitters or cuts):
            continue  # no light of its own (pan/tilt heads, the fixture-wide channels of a bar)
        if not (masters or dimmers or emitters) and not any(c.off(v) for c, _ in cuts for v in range(256)):
            unknown += 1  # its only controls are a shutter or a programme that never closes: not ours to fix
            continue
        checked += 1
        dark = any(group and all(c.off(v) for c, v in group) for group in (masters, dimmers, emitters))
        if not (masters or dimmers or emitters):
            dark = any(c.off(v) for c, v in cuts)
        lit += not dark
    return checked, lit, unknown


@dataclass
class _Library:
    modes: list[tuple[str, Mode, FixtureProfile]]
    lights: list[list[_Light]]
    engine: DmxEngine
    seconds: float

    def values(self, i: int) -> np.ndarray:
        fx = self.engine.rig.fixtures[f"f{i}"]
        row = self.engine.universe(fx.universe)
        return row[fx.address - 1 : fx.address - 1 + fx.mode.footprint].copy()


@pytest.fixture(scope="module")
def library() -> _Library:
    if not QLC.is_dir() and not OFL.is_dir():
        pytest.skip("neither Debian qlcplus-data (/usr/share/qlcplus/fixtures) nor ../shared/data/ofl here")
    start = time.monotonic()
    modes: list[tuple[str, Mode, FixtureProfile]] = []
    lights: list[list[_Light]] = []
    for where, profile, file_modes in _library():
        for mode in profile.modes:
            facts = file_modes.get(mode.name)
            if facts is None or len(facts) != mode.footprint:
                continue  # (a mode the importer renamed: none today, see the count below)
            modes.append((f"{where} [{mode.name}]", mode, profile))
            lights.append(facts)
    engine = DmxEngine(_rig(modes))
    return _Library(modes, lights, engine, time.monotonic() - start)


def _at_full(engine: DmxEngine) -> None:
    specs = engine.rig.parameters()
    engine.set_params({n: specs[n].maximum for n in engine.param_names})


def _count(lib: _Library, prefix: str) -> tuple[int, int, int, list[str]]:
    """(modes checked, modes leaking, modes with a head DMX cannot darken, the leaking modes)."""
    checked = leaking = uncuttable = 0
    examples: list[str] = []
    for i, (where, _, _) in enumerate(lib.modes):
        if not where.startswith(prefix):
            continue
        n, lit, never = _dark_heads(lib.lights[i], lib.values(i))
        checked += n > 0
        uncuttable += never > 0
        if lit:
            leaking += 1
            examples.append(where)
    return checked, leaking, uncuttable, examples


def test_blackout_leaves_every_head_of_every_real_fixture_dark(library, capsys, record_property):
    e = library.engine
    _at_full(e)
    e.blackout = True
    start = time.monotonic()
    e.render()
    report = []
    leaks: list[str] = []
    for prefix, label in (("qlc+:", "QLC+ (Debian qlcplus-data)"), ("ofl:", "Open Fixture Library a–l")):
        checked, leaking, uncuttable, examples = _count(library, prefix)
        record_property(f"{prefix[:-1]}_modes_checked", checked)
        record_property(f"{prefix[:-1]}_modes_leaking", leaking)
        report.append(
            f"{label}: {checked} modes checked, {leaking} leak light in blackout; {uncuttable} more have "
            "a head no DMX value darkens (a shutter that only opens and strobes)"
        )
        leaks += examples
    with capsys.disabled():
        print(
            f"\nblackout over {len(library.modes)} modes (built in {library.seconds:.1f} s, "
            f"rendered in {time.monotonic() - start:.2f} s)"
        )
        for line in report:
            print("  " + line)
        for where in leaks[:15]:
            print("  leaks: " + where)
    assert not leaks, f"{len(leaks)} modes leak light in blackout, e.g. {leaks[:5]}"


def _emitted(lights: list[_Light], values: np.ndarray) -> list[float | None]:
    """Each head's light output, 0..1, where the file makes it plain: linear dimmers times the brightest
    linear emitter (None for a head with two fixture-wide dimmers, a combination channel or no light)."""
    heads = sorted({c.head for c in lights if c.kind}) or [0]
    if len(heads) > 1 and 0 in heads:
        heads.remove(0)
    out: list[float | None] = []
    for h in heads:
        covering = [(c, int(v)) for c, v in zip(lights, values, strict=True) if c.head in (0, h)]
        dimmers = [(c, v) for c, v in covering if c.kind in ("master", "dimmer")]
        emitters = [v for c, v in covering if c.kind == "emitter"]
        fixture_wide = [c for c, _ in dimmers if c.kind == "master" or c.head == 0]
        plain = all(c.linear for c, _ in covering if c.kind in ("master", "dimmer", "emitter"))
        if not (dimmers or emitters) or len(fixture_wide) > 1 or not plain:
            out.append(None)
            continue
        level = float(np.prod([v / 255 for _, v in dimmers])) if dimmers else 1.0
        out.append(level * (max(emitters) / 255 if emitters else 1.0))
    return out


def test_grand_master_halves_the_light_of_every_head_at_50_and_darkens_it_at_0(library, capsys):
    e = library.engine
    _at_full(e)
    e.blackout = False
    e.grand_master = 1.0
    e.render()
    full = [_emitted(library.lights[i], library.values(i)) for i in range(len(library.modes))]
    e.grand_master = 0.5
    e.render()
    half = [_emitted(library.lights[i], library.values(i)) for i in range(len(library.modes))]
    heads = wrong = 0
    examples = []
    for i, (a, b) in enumerate(zip(full, half, strict=True)):
        for x, y in zip(a, b, strict=True):
            if x is None or y is None or x == 0:
                continue
            heads += 1
            if abs(y / x - 0.5) > 1 / 128:  # one step of an 8-bit channel near the middle
                wrong += 1
                examples.append(f"{library.modes[i][0]}: {x:.3f} → {y:.3f}")
    e.grand_master = 0.0
    e.render()
    lit = [
        w for i, (w, _, _) in enumerate(library.modes) if _dark_heads(library.lights[i], library.values(i))[1]
    ]
    e.grand_master = 1.0
    with capsys.disabled():
        print(
            f"\ngrand master: {heads} heads with plain dimmers/emitters, {wrong} not halved at 50 %, "
            f"{len(lit)} modes lit at 0"
        )
    assert heads > 1000
    assert not examples, examples[:5]
    assert not lit, lit[:5]


# ---------------------------------------------------------------------------- one fixture at a time

_BAR = """<?xml version="1.0" encoding="UTF-8"?>
<FixtureDefinition xmlns="http://www.qlcplus.org/FixtureDefinition">
 <Manufacturer>Test</Manufacturer><Model>Bar</Model><Type>LED Bar (Pixels)</Type>
 <Channel Name="Programme"><Group Byte="0">Intensity</Group>
  <Capability Min="0" Max="31">Dimmer</Capability><Capability Min="32" Max="255">Auto programs</Capability>
 </Channel>
 <Channel Name="Master" Preset="IntensityMasterDimmer"/>
 <Channel Name="Dimmer (RGB)" Preset="IntensityDimmer"/>
 <Channel Name="Dimmer (W)" Preset="IntensityDimmer"/>
 <Channel Name="R1" Preset="IntensityRed"/><Channel Name="G1" Preset="IntensityGreen"/>
 <Channel Name="R2" Preset="IntensityRed"/><Channel Name="G2" Preset="IntensityGreen"/>
 <Channel Name="UV" Preset="IntensityUV"/>
 <Channel Name="Warm"><Group Byte="0">Intensity</Group><Colour>Warm White</Colour></Channel>
 <Channel Name="Strobe"><Group Byte="0">Intensity</Group>
  <Capability Min="0" Max="5">Off</Capability><Capability Min="6" Max="127">Dimmer 0-100%</Capability>
  <Capability Min="128" Max="255">Strobe slow to fast</Capability>
 </Channel>
 <Mode Name="pixels">
  <Channel Number="0">R1</Channel><Channel Number="1">G1</Channel>
  <Channel Number="2">R2</Channel><Channel Number="3">G2</Channel>
  <Head><Channel>0</Channel><Channel>1</Channel></Head><Head><Channel>2</Channel><Channel>3</Channel></Head>
 </Mode>
 <Mode Name="two dimmers">
  <Channel Number="0">Dimmer (RGB)</Channel><Channel Number="1">Dimmer (W)</Channel>
  <Channel Number="2">R1</Channel><Channel Number="3">Warm</Channel><Channel Number="4">UV</Channel>
 </Mode>
 <Mode Name="programme first">
  <Channel Number="0">Programme</Channel><Channel Number="1">Master</Channel>
  <Channel Number="2">R1</Channel><Channel Number="3">G1</Channel>
 </Mode>
 <Mode Name="combo"><Channel Number="0">Strobe</Channel></Mode>
</FixtureDefinition>
"""


def _one(profile: FixtureProfile, mode: str) -> DmxEngine:
    m = profile.mode(mode)
    assert m is not None
    return DmxEngine(_rig([("one", m, profile)]))


def _dmx(e: DmxEngine) -> list[int]:
    fx = e.rig.fixtures["f0"]
    return [int(v) for v in e.universe(1)[: fx.mode.footprint]]


@pytest.fixture
def bar(tmp_path: Path) -> FixtureProfile:
    path = tmp_path / "bar.qxf"
    path.write_text(_BAR)
    return import_qxf(path)


def test_every_head_of_a_pixel_bar_goes_dark_and_its_dimmer_masters_them_all(bar):
    mode = bar.mode("pixels")
    assert [(key, c.role, c.head) for key, c in zip(mode.keys, mode.channels, strict=True)] == [
        ("1.red", "emitter", 1), ("1.green", "emitter", 1),
        ("2.red", "emitter", 2), ("2.green", "emitter", 2),
    ]  # fmt: skip
    e = _one(bar, "pixels")
    _at_full(e)
    e.render()
    assert _dmx(e) == [255, 255, 255, 255]
    e.set_params({"light.f0.dimmer": 0.5})  # the virtual dimmer covers head 2 as well
    e.render()
    assert _dmx(e) == [128, 128, 128, 128]
    e.blackout = True
    e.render()
    assert _dmx(e) == [0, 0, 0, 0]


def test_two_dimmers_and_emitters_under_other_names_are_all_mastered(bar):
    mode = bar.mode("two dimmers")
    assert [(c.attribute, c.role) for c in mode.channels] == [
        ("dimmer_1", "dimmer"), ("dimmer_2", "dimmer"), ("red", "emitter"), ("warm_white", "emitter"),
        ("uv", "emitter"),
    ]  # fmt: skip
    e = _one(bar, "two dimmers")
    _at_full(e)
    e.grand_master = 0.5
    e.render()
    assert _dmx(e) == [128, 128, 255, 255, 255]  # each light path halved once: at its dimmer
    e.grand_master = 0.0
    e.render()
    assert _dmx(e) == [0, 0, 0, 0, 0]
    e.grand_master = 1.0
    e.set_params({"light.f0.dimmer": 0.0})  # panic fades `dimmer`: it masters both real dimmers
    e.render()
    assert _dmx(e)[:2] == [0, 0]


def test_a_programme_channel_is_never_the_dimmer(bar):
    mode = bar.mode("programme first")
    assert [(c.attribute, c.role) for c in mode.channels] == [
        ("programme", "intensity"), ("dimmer", "dimmer"), ("red", "emitter"), ("green", "emitter"),
    ]  # fmt: skip
    e = _one(bar, "programme first")
    _at_full(e)
    e.set_params({"light.f0.programme": 0.0})
    e.grand_master = 0.5
    e.render()
    assert _dmx(e) == [0, 128, 255, 255]  # the programme channel is left alone
    e.blackout = True
    e.render()
    assert _dmx(e) == [0, 0, 0, 0]


def test_a_dimmer_strobe_combination_is_a_dimmer_over_its_steady_range(bar):
    (ch,) = bar.mode("combo").channels
    assert (ch.attribute, ch.role, ch.dmx_range, ch.off) == ("dimmer", "dimmer", (6, 127), 0)
    e = _one(bar, "combo")
    _at_full(e)
    e.render()
    assert _dmx(e) == [127]  # full is the top of the dimmer range, never the strobe
    e.blackout = True
    e.render()
    assert _dmx(e) == [0]  # off: "Off", not the bottom of the dimmer range


def test_ofl_dimmer_strobe_and_a_shutter_that_is_the_only_cut(tmp_path):
    data = {
        "name": "Combo",
        "availableChannels": {
            "Dimmer/Strobe": {
                "capabilities": [
                    {"dmxRange": [0, 9], "type": "ShutterStrobe", "shutterEffect": "Closed"},
                    {
                        "dmxRange": [10, 199],
                        "type": "Intensity",
                        "brightnessStart": "1%",
                        "brightnessEnd": "100%",
                    },
                    {"dmxRange": [200, 255], "type": "ShutterStrobe", "shutterEffect": "Strobe"},
                ]
            },
            "Shutter": {
                "capabilities": [
                    {"dmxRange": [0, 31], "type": "ShutterStrobe", "shutterEffect": "Open"},
                    {"dmxRange": [32, 63], "type": "ShutterStrobe", "shutterEffect": "Closed"},
                    {"dmxRange": [64, 255], "type": "ShutterStrobe", "shutterEffect": "Strobe"},
                ]
            },
            "Pan": {"capability": {"type": "Pan", "angleStart": "0deg", "angleEnd": "540deg"}},
        },
        "modes": [
            {"name": "dim", "channels": ["Dimmer/Strobe"]},
            {"name": "shutter", "channels": ["Pan", "Shutter"]},
        ],
    }
    path = tmp_path / "acme" / "combo.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data))
    profile = import_ofl(path)
    (ch,) = profile.mode("dim").channels
    assert (ch.attribute, ch.role, ch.dmx_range, ch.off) == ("dimmer", "dimmer", (10, 199), 0)
    e = _one(profile, "shutter")
    _at_full(e)
    e.set_params({"light.f0.strobe": 0.0})
    e.render()
    assert _dmx(e) == [255, 0]  # open
    e.blackout = True
    e.render()
    assert _dmx(e) == [255, 32]  # blackout closes the shutter; pan stays
    e.blackout = False
    e.render()
    assert _dmx(e) == [255, 0]
