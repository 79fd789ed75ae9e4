"""Fixture importers: QLC+ `.qxf` and Open Fixture Library `.json` definitions → our FixtureProfile.

Each channel becomes an attribute shows can name (dimmer, red, pan, pan.fine, color wheel slots, strobe
with its 'open' value); channels we cannot drive meaningfully (maintenance, lamp control) are held at 0.
A definition that cannot become a usable profile raises ProfileRejected with one line saying why.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.rig.profile import Channel, FixtureProfile, Mode, ProfileRejected, check_mode

_COLOURS = {
    "red": "red",
    "green": "green",
    "blue": "blue",
    "white": "white",
    "amber": "amber",
    "uv": "uv",
    "cyan": "cyan",
    "magenta": "magenta",
    "yellow": "yellow",
    "lime": "lime",
    "indigo": "indigo",
    "warm white": "warm_white",
    "cold white": "cold_white",
    "warmwhite": "warm_white",
    "coldwhite": "cold_white",
}
_QXF_KINDS = {
    "color changer": "wash",
    "moving head": "moving-head",
    "dimmer": "dimmer",
    "scanner": "spot",
    "led bar (pixels)": "strip",
    "led bar (beams)": "strip",
    "smoke": "fog",
    "hazer": "hazer",
    "fan": "fan",
    "flower": "effect",
    "effect": "effect",
    "laser": "effect",
    "strobe": "effect",
    "other": "other",
}


def slug(text: str, fallback: str = "channel") -> str:
    """A name shows can write: lowercase letters, digits and _; starts with a letter."""
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not s:
        s = fallback
    if not s[0].isalpha():
        s = f"{fallback}_{s}"
    return s


def slot_name(text: str) -> str:
    """A wheel slot name as artists write it: 'Light Blue' → 'light-blue'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "slot"


@dataclass
class _Def:
    """An imported channel before it is placed into a mode."""

    attribute: str  # "" = fixed at 0
    fine: bool = False
    dmx_range: tuple[int, int] = (0, 255)
    off: int | None = None
    default: float = 0.0
    invert: bool = False
    wheel: list[tuple[str, int]] = field(default_factory=list)
    label: str = ""


def _build_modes(
    defs: dict[str, _Def], modes: Iterable[tuple[str, list[str | None]]], source: str, notes: list[str]
) -> tuple[Mode, ...]:
    out: list[Mode] = []
    for mode_name, names in modes:
        if not names:
            raise ProfileRejected(f"mode {mode_name!r} has no channels")
        if len(names) > 512:
            raise ProfileRejected(f"mode {mode_name!r} has {len(names)} channels, more than a universe")
        channels: list[Channel] = []
        taken: dict[tuple[str, bool], int] = {}
        renamed: dict[str, str] = {}  # coarse attribute renamed in this mode → its fine follows
        for name in names:
            if name is None:
                channels.append(Channel(fixed=0, label="unused"))
                continue
            d = defs.get(name)
            if d is None:
                raise ProfileRejected(
                    f"mode {mode_name!r} uses channel {name!r}, which the file does not define"
                )
            if not d.attribute:
                channels.append(Channel(fixed=0, label=d.label or name))
                continue
            attr = d.attribute
            if d.fine:
                attr = renamed.get(attr, attr)
            key = (attr, d.fine)
            if key in taken:  # a second head or a second function of the same kind: number it
                n = 2
                while (f"{attr}_{n}", d.fine) in taken:
                    n += 1
                new = f"{attr}_{n}"
                if not d.fine:
                    renamed[attr] = new
                attr = new
                key = (attr, d.fine)
            taken[key] = len(channels)
            channels.append(
                Channel(
                    attribute=attr,
                    fine=d.fine,
                    dmx_range=d.dmx_range,
                    off=d.off,
                    default=d.default,
                    invert=d.invert,
                    htp=attr == "dimmer",
                    wheel=tuple(d.wheel),
                    label=d.label or name,
                )
            )
        # a fine channel whose coarse channel is not in this mode cannot be driven: hold it at 0
        coarse = {c.attribute for c in channels if c.attribute and not c.fine}
        fixed = []
        for c in channels:
            if c.fine and c.attribute not in coarse:
                notes.append(f"mode {mode_name!r}: {c.label} has no coarse channel; held at 0")
                fixed.append(Channel(fixed=0, label=c.label))
            else:
                fixed.append(c)
        mode = Mode(str(mode_name), tuple(fixed))
        problems = check_mode(mode)
        if problems:
            raise ProfileRejected(problems[0])
        out.append(mode)
    if not out:
        raise ProfileRejected(f"{source} defines no modes")
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ProfileRejected(f"mode name {dupes[0]!r} is used twice")
    return tuple(out)


def _shutter(caps: list[tuple[int, int, str, str]]) -> tuple[tuple[int, int], int | None, bool]:
    """(strobe DMX range, 'open' DMX value, inverted) from (min, max, preset/type, text) capabilities."""
    open_value: int | None = None
    strobe: tuple[int, int] | None = None
    invert = False
    for lo, hi, kind, text in caps:
        k, t = kind.lower(), text.lower()
        if open_value is None and (
            "shutteropen" in k
            or k == "open"
            or t in ("open", "shutter open", "on")
            or "led on" in t
            or t.startswith("open")
        ):
            open_value = lo
        if strobe is None and ("strobe" in k or "strobe" in t) and "random" not in k + t and "close" not in k:
            strobe = (lo, hi)
            invert = "fasttoslow" in k or "fastslow" in k or "fast-slow" in t or "fast to slow" in t
    if strobe is None:
        return (0, 255), None, False
    if strobe[0] == strobe[1]:
        return (strobe[0], strobe[1]), open_value, False
    return strobe, open_value, invert


def _wheel_slots(caps: list[tuple[int, int, str, str]], prefix: str) -> list[tuple[str, int]]:
    slots: list[tuple[str, int]] = []
    seen: set[str] = set()
    for lo, _hi, _kind, text in caps:
        name = slot_name(text) if text.strip() else f"{prefix}-{len(slots) + 1}"
        if name in seen:
            continue
        seen.add(name)
        slots.append((name, lo))
    return slots


# ==================================================================== QLC+ .qxf


def _strip_ns(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


_QXF_PRESETS: dict[str, tuple[str, bool, bool]] = {  # preset → (attribute, fine, invert)
    "IntensityMasterDimmer": ("dimmer", False, False),
    "IntensityMasterDimmerFine": ("dimmer", True, False),
    "IntensityDimmer": ("dimmer", False, False),
    "IntensityDimmerFine": ("dimmer", True, False),
    "PositionPan": ("pan", False, False),
    "PositionPanFine": ("pan", True, False),
    "PositionTilt": ("tilt", False, False),
    "PositionTiltFine": ("tilt", True, False),
    "PositionXAxis": ("x", False, False),
    "PositionYAxis": ("y", False, False),
    "SpeedPanSlowFast": ("speed", False, False),
    "SpeedPanFastSlow": ("speed", False, True),
    "SpeedTiltSlowFast": ("speed", False, False),
    "SpeedTiltFastSlow": ("speed", False, True),
    "SpeedPanTiltSlowFast": ("speed", False, False),
    "SpeedPanTiltFastSlow": ("speed", False, True),
    "BeamZoomSmallBig": ("zoom", False, False),
    "BeamZoomBigSmall": ("zoom", False, True),
    "BeamZoomFine": ("zoom", True, False),
    "BeamFocusNearFar": ("focus", False, False),
    "BeamFocusFarNear": ("focus", False, True),
    "BeamFocusFine": ("focus", True, False),
    "IntensityHue": ("hue", False, False),
    "IntensitySaturation": ("saturation", False, False),
    "IntensityLightness": ("lightness", False, False),
    "IntensityValue": ("value", False, False),
    "NoFunction": ("", False, False),
}


def import_qxf(path: Path) -> FixtureProfile:
    """Import a QLC+ fixture definition; ProfileRejected says why when it cannot be used."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ProfileRejected(f"not valid XML: {exc}") from None
    except OSError as exc:
        raise ProfileRejected(f"cannot read: {exc}") from None
    _strip_ns(root)
    if root.tag != "FixtureDefinition":
        raise ProfileRejected(f"root element is <{root.tag}>, not <FixtureDefinition>")
    maker = (root.findtext("Manufacturer") or "").strip() or "Unknown"
    model = (root.findtext("Model") or "").strip()
    if not model:
        raise ProfileRejected("no <Model> name")
    kind = _QXF_KINDS.get((root.findtext("Type") or "").strip().lower(), "other")
    notes: list[str] = []
    defs: dict[str, _Def] = {}
    for ch in root.findall("Channel"):
        name = (ch.get("Name") or "").strip()  # QLC+ files sometimes carry trailing spaces
        if not name:
            raise ProfileRejected("a <Channel> has no Name")
        defs[name] = _qxf_channel(ch, name, notes)
    modes = []
    for m in root.findall("Mode"):
        names: list[str | None] = []
        numbered = sorted(m.findall("Channel"), key=lambda c: int(c.get("Number", "0")))
        for c in numbered:
            names.append((c.text or "").strip() or None)
        modes.append((m.get("Name") or f"{len(names)}ch", names))
    if not modes:
        raise ProfileRejected("defines no <Mode>")
    return FixtureProfile(
        model, maker, kind, _build_modes(defs, modes, path.name, notes), str(path), tuple(notes)
    )


def _qxf_channel(ch: ET.Element, name: str, notes: list[str]) -> _Def:
    preset = ch.get("Preset") or ""
    group_el = ch.find("Group")
    group = (group_el.text or "").strip() if group_el is not None else ""
    byte = int(group_el.get("Byte", "0")) if group_el is not None else 0
    colour = (ch.findtext("Colour") or "").strip().lower()
    caps = []
    for cap in ch.findall("Capability"):
        try:
            lo, hi = int(cap.get("Min", "0")), int(cap.get("Max", "0"))
        except ValueError:
            continue
        caps.append((lo, hi, cap.get("Preset") or "", (cap.text or "").strip()))
    lower = name.lower()

    if preset:
        if preset in _QXF_PRESETS:
            attr, fine, invert = _QXF_PRESETS[preset]
            return _Def(
                attr, fine, invert=invert, default=0.5 if attr in ("pan", "tilt") else 0.0, label=name
            )
        m = re.fullmatch(r"Intensity([A-Z][a-z]+)(Fine)?", preset)
        if m and m.group(1).lower() in _COLOURS:
            return _Def(_COLOURS[m.group(1).lower()], bool(m.group(2)), label=name)
        if preset in ("ShutterStrobeSlowFast", "ShutterStrobeFastSlow"):
            return _Def("strobe", invert=preset.endswith("FastSlow"), label=name)
        if preset.endswith("Fine"):
            return _Def("", label=name)  # fine bytes of wheels and effects: held at 0
        return _Def(slug(name), label=name)

    if group in ("Maintenance", "Nothing"):
        return _Def("", label=name)
    if group == "Intensity":
        attr = _COLOURS.get(colour, "") if colour and colour != "generic" else ""
        if not attr:
            attr = next((v for k, v in _COLOURS.items() if re.search(rf"\b{k}\b", lower)), "dimmer")
        return _Def(attr, byte == 1, label=name)
    if group in ("Pan", "Tilt"):
        return _Def(group.lower(), byte == 1, default=0.5, label=name)
    if group in ("Colour", "Gobo"):
        if byte == 1:
            return _Def("", label=name)
        attr = "color" if group == "Colour" else "gobo"
        slots = _wheel_slots(caps, attr)
        if len(slots) >= 2:
            return _Def(attr, wheel=slots, label=name)
        return _Def(attr, label=name)
    if group == "Shutter":
        if byte == 1:
            return _Def("", label=name)
        rng, off, invert = _shutter(caps)
        return _Def("strobe", dmx_range=rng, off=off, invert=invert, label=name)
    if group == "Speed":
        return _Def(
            "speed",
            byte == 1,
            invert="fast" in lower and lower.index("fast") < lower.find("slow"),
            label=name,
        )
    if group == "Beam":
        for word in ("zoom", "focus", "iris", "frost"):
            if word in lower:
                return _Def(word, byte == 1, label=name)
        return _Def(slug(name), byte == 1, label=name)
    if group == "Prism":
        return _Def("prism", byte == 1, label=name)
    if group == "Effect":
        if any(w in lower for w in ("haze", "fog", "smoke", "output")):
            return _Def("output", byte == 1, label=name)
        return _Def(slug(name), byte == 1, label=name)
    if caps and any("strobe" in (k + t).lower() for _, _, k, t in caps):
        rng, off, invert = _shutter(caps)
        return _Def("strobe", dmx_range=rng, off=off, invert=invert, label=name)
    notes.append(f"channel {name!r} has no group or preset; named {slug(name)!r}")
    return _Def(slug(name), label=name)


# ==================================================================== Open Fixture Library .json

_OFL_KINDS = {
    "Color Changer": "wash",
    "Moving Head": "moving-head",
    "Dimmer": "dimmer",
    "Scanner": "spot",
    "Pixel Bar": "strip",
    "Matrix": "strip",
    "Smoke": "fog",
    "Hazer": "hazer",
    "Fan": "fan",
    "Effect": "effect",
    "Strobe": "effect",
    "Laser": "effect",
    "Flower": "effect",
    "Barrel Scanner": "spot",
    "Blinder": "wash",
}


def import_ofl(path: Path, manufacturer: str | None = None) -> FixtureProfile:
    """Import an Open Fixture Library fixture (the JSON in its repository's fixtures/<maker>/ folder)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileRejected(f"cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProfileRejected(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict) or "availableChannels" not in data or "modes" not in data:
        raise ProfileRejected("not an Open Fixture Library fixture (no availableChannels/modes)")
    if "templateChannels" in data:
        raise ProfileRejected(
            "pixel-matrix fixtures (templateChannels) are not supported: "
            "patch an RGB pixel profile with count: instead"
        )
    name = str(data.get("name") or path.stem)
    maker = manufacturer or str(data.get("manufacturerKey") or path.parent.name or "Unknown")
    kind = next((_OFL_KINDS[c] for c in data.get("categories", []) if c in _OFL_KINDS), "other")
    wheels = data.get("wheels", {}) or {}
    notes: list[str] = []
    defs: dict[str, _Def] = {}
    for key, ch in data["availableChannels"].items():
        if not isinstance(ch, dict):
            raise ProfileRejected(f"channel {key!r} is not an object")
        d = _ofl_channel(key, ch, wheels, notes)
        defs[key] = d
        for alias in ch.get("fineChannelAliases", []) or []:
            defs[alias] = (
                _Def(d.attribute, True, label=alias) if d.attribute and not d.wheel else _Def("", label=alias)
            )
    modes = []
    for m in data["modes"]:
        names: list[str | None] = []
        for c in m.get("channels", []):
            if c is None or isinstance(c, str):
                names.append(c)
            else:
                raise ProfileRejected(
                    f"mode {m.get('name')!r} inserts matrix channels, which are not supported"
                )
        modes.append((str(m.get("shortName") or m.get("name") or f"{len(names)}ch"), names))
    return FixtureProfile(
        name, maker, kind, _build_modes(defs, modes, path.name, notes), str(path), tuple(notes)
    )


def _ofl_caps(ch: dict[str, Any]) -> list[dict[str, Any]]:
    if "capability" in ch:
        return [dict(ch["capability"], dmxRange=[0, 255])]
    return [c for c in ch.get("capabilities", []) if isinstance(c, dict)]


def _ofl_default(ch: dict[str, Any]) -> float:
    v = ch.get("defaultValue", 0)
    if isinstance(v, str) and v.endswith("%"):
        try:
            return min(1.0, max(0.0, float(v[:-1]) / 100))
        except ValueError:
            return 0.0
    if isinstance(v, (int, float)):
        return min(1.0, max(0.0, v / 255))
    return 0.0


def _ofl_channel(key: str, ch: dict[str, Any], wheels: dict[str, Any], notes: list[str]) -> _Def:
    caps = _ofl_caps(ch)
    if not caps:
        raise ProfileRejected(f"channel {key!r} has no capabilities")
    types = {c.get("type") for c in caps}
    first = caps[0]
    lower = key.lower()
    default = _ofl_default(ch)
    if types <= {"Maintenance", "NoFunction"}:
        return _Def("", label=key)
    if "Intensity" in types and len(types) == 1:
        return _Def("dimmer", default=default, label=key)
    if "ColorIntensity" in types:
        colour = str(first.get("color", "")).lower()
        if colour not in _COLOURS:
            raise ProfileRejected(f"channel {key!r}: unknown color intensity {first.get('color')!r}")
        return _Def(_COLOURS[colour], default=default, label=key)
    if types & {"Pan", "Tilt"}:
        attr = "pan" if "Pan" in types else "tilt"
        return _Def(attr, default=default, label=key)
    if "PanTiltSpeed" in types:
        start = str(first.get("speedStart", first.get("durationStart", ""))).lower()
        return _Def(
            "speed", invert=start in ("fast", "0s") or start.startswith("fast"), default=default, label=key
        )
    if "WheelSlot" in types:
        wheel_name = str(next((c.get("wheel") for c in caps if c.get("wheel")), key))
        slots_def = (wheels.get(wheel_name) or {}).get("slots", [])
        slots: list[tuple[str, int]] = []
        seen: set[str] = set()
        for c in caps:
            if c.get("type") != "WheelSlot":
                continue
            number = c.get("slotNumber")
            if not isinstance(number, int) or not 1 <= number <= len(slots_def):
                continue  # split colours (slot 1.5) and unknown slots are skipped
            slot = slots_def[number - 1]
            label = slot.get("name") or slot.get("type", "slot")
            if slot.get("type") == "Gobo" and not slot.get("name"):
                label = f"gobo {number}"
            sname = slot_name(str(label))
            if sname not in seen:
                seen.add(sname)
                slots.append((sname, int(c["dmxRange"][0])))
        attr = (
            "color"
            if "color" in wheel_name.lower()
            else ("gobo" if "gobo" in wheel_name.lower() else slug(wheel_name))
        )
        if len(slots) < 2:
            notes.append(f"channel {key!r}: fewer than two named slots; imported as a plain channel")
            return _Def(attr, label=key)
        return _Def(attr, wheel=slots, label=key)
    if "ColorPreset" in types:
        slots = [
            (slot_name(str(c.get("comment") or c.get("colors", [f"preset {i}"])[0])), int(c["dmxRange"][0]))
            for i, c in enumerate(caps)
            if c.get("type") == "ColorPreset"
        ]
        uniq = list(dict(reversed(slots)).items())[::-1] if slots else []
        return _Def("color", wheel=uniq, label=key) if len(uniq) >= 2 else _Def("color", label=key)
    if "ShutterStrobe" in types or "StrobeSpeed" in types:
        rows = [
            (
                int(c["dmxRange"][0]),
                int(c["dmxRange"][1]),
                str(c.get("type")) + str(c.get("shutterEffect", "")),
                str(c.get("shutterEffect", ""))
                + " "
                + str(c.get("speedStart", ""))
                + "-"
                + str(c.get("speedEnd", "")),
            )
            for c in caps
        ]
        rows = [(lo, hi, k.replace("ShutterStrobeOpen", "open"), t) for lo, hi, k, t in rows]
        rng, off, invert = _shutter(rows)
        return _Def("strobe", dmx_range=rng, off=off, invert=invert, label=key)
    for t, attr in (
        ("Zoom", "zoom"),
        ("Focus", "focus"),
        ("Iris", "iris"),
        ("Frost", "frost"),
        ("Prism", "prism"),
        ("FogOutput", "output"),
        ("Fog", "output"),
        ("ColorTemperature", "cto"),
        ("BeamAngle", "zoom"),
        ("Speed", "speed"),
        ("EffectSpeed", "effect_speed"),
    ):
        if t in types:
            return _Def(attr, default=default, label=key)
    if "fine" in lower:
        return _Def("", label=key)
    return _Def(slug(key), default=default, label=key)
