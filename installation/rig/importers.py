"""Fixture importers: QLC+ `.qxf` and Open Fixture Library `.json` definitions → our FixtureProfile.

Each channel becomes an attribute shows can name (dimmer, red, pan, pan.fine, color wheel slots, strobe
with its 'open' value) with a role for light (dimmer, emitter, shutter…) and its head, both taken from the
format's own semantics (QLC+ presets, groups, colours and heads; OFL capability types and ranges), never
from channel names; channels we cannot drive meaningfully (maintenance, lamp control) are held at 0.
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

from installation.rig.profile import (
    EMITTER_ATTRIBUTES,
    Channel,
    FixtureProfile,
    Mode,
    ProfileRejected,
    check_mode,
)

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
    role: str = ""  # see profile.ROLES
    closed: int | None = None  # shutter: the DMX value that closes it
    master: bool = False  # a master dimmer: the whole fixture's, whatever head lists it


_DIMMER_NAME = re.compile(r"^dimmer(_\d+)?$")


def _build_modes(
    defs: dict[str, _Def],
    modes: Iterable[tuple[str, list[str | None]]],
    source: str,
    notes: list[str],
    heads: dict[str, list[int]] | None = None,
) -> tuple[Mode, ...]:
    """Place imported channels into modes, naming attributes by role: a mode's one fixture-wide dimmer is
    `dimmer`; with none or several, they are `dimmer_1`, `dimmer_2`… and the rig adds a virtual `dimmer`."""
    out: list[Mode] = []
    for mode_name, names in modes:
        if not names:
            raise ProfileRejected(f"mode {mode_name!r} has no channels")
        if len(names) > 512:
            raise ProfileRejected(f"mode {mode_name!r} has {len(names)} channels, more than a universe")
        for name in names:
            if name is not None and name not in defs:
                raise ProfileRejected(
                    f"mode {mode_name!r} uses channel {name!r}, which the file does not define"
                )
        mode_heads = (heads or {}).get(mode_name) or [0] * len(names)
        used = [defs[n] if n is not None else None for n in names]
        where = [0 if d is None or d.master else h for d, h in zip(used, mode_heads, strict=True)]
        roles = [d.role if d is not None and d.attribute and not d.fine else "" for d in used]
        # a mode whose only light control is one intensity-group channel: that channel is its dimmer
        if "dimmer" not in roles and "emitter" not in roles and roles.count("intensity") == 1:
            roles = ["dimmer" if r == "intensity" else r for r in roles]
        fixture_dimmers = sum(1 for r, h in zip(roles, where, strict=True) if r == "dimmer" and h == 0)
        slots: list[Channel | None] = [None] * len(names)
        taken: set[tuple[str, bool]] = set()
        renamed: dict[tuple[str, int], str] = {}  # coarse attribute renamed in a head → its fine follows
        # the fixture's own channels take the plain names first, then heads 1..N get the numbered ones
        for i in sorted(range(len(names)), key=lambda i: (where[i] != 0, where[i], i)):
            name, d = names[i], used[i]
            if name is None or d is None:
                slots[i] = Channel(fixed=0, label="unused")
                continue
            if not d.attribute:
                slots[i] = Channel(fixed=0, label=d.label or name)
                continue
            role = d.role
            if d.fine and d.role == "intensity":
                role = ""
            elif not d.fine:
                role = roles[i]
            attr = "dimmer" if role == "dimmer" and not d.fine else d.attribute
            if d.fine:
                attr = renamed.get((attr, where[i]), renamed.get((attr, 0), attr))
            elif role != "dimmer" and _DIMMER_NAME.match(attr):
                attr = f"{attr}_channel"  # `dimmer` is the fixture's master, whatever the file calls this
            numbered = not d.fine and role == "dimmer" and where[i] == 0 and fixture_dimmers != 1
            new, n = (f"{attr}_1", 2) if numbered else (attr, 2)
            while (new, d.fine) in taken:  # a second head or a second function of the same kind: number it
                new = f"{attr}_{n}"
                n += 1
            if not d.fine and new != d.attribute:
                renamed[(d.attribute, where[i])] = new
            taken.add((new, d.fine))
            slots[i] = Channel(
                attribute=new,
                fine=d.fine,
                dmx_range=d.dmx_range,
                off=d.off,
                default=d.default,
                invert=d.invert,
                htp=role == "dimmer",
                wheel=tuple(d.wheel),
                label=d.label or name,
                role=role,
                head=where[i],
                closed=d.closed,
            )
        channels = [c for c in slots if c is not None]
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
    "IntensityLightness": ("dimmer", False, False),  # HSL/HSV fixtures: 0 is black, like a dimmer
    "IntensityValue": ("dimmer", False, False),
    "NoFunction": ("", False, False),
}
# QLC+ colour presets (IntensityRed, IntensityUVFine, …) and <Colour> names → attribute
_QXF_COLOURS = {
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
    "warmwhite": "warm_white",
    "coldwhite": "cold_white",
}
_EMITTERS = frozenset(EMITTER_ATTRIBUTES)
# capability text of an intensity-group or shutter channel that means no light / a light or an effect
_OFF_WORDS = re.compile(r"\b(off|closed?|black-?out|dark)\b", re.IGNORECASE)
_ON_WORDS = re.compile(
    r"\b(on|open|full|max(imum)?|strobe|flash|pulse|random|sound|music|auto|program|macro|reset)\b"
    r"|100\s*%?\s*(-+|to)\s*0\b",
    re.IGNORECASE,
)


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
    heads: dict[str, list[int]] = {}
    for m in root.findall("Mode"):
        names: list[str | None] = []
        numbered = sorted(m.findall("Channel"), key=lambda c: int(c.get("Number", "0")))
        for c in numbered:
            names.append((c.text or "").strip() or None)
        mode_name = m.get("Name") or f"{len(names)}ch"
        modes.append((mode_name, names))
        heads[mode_name] = _qxf_heads(m, len(names))
    if not modes:
        raise ProfileRejected("defines no <Mode>")
    return FixtureProfile(
        model, maker, kind, _build_modes(defs, modes, path.name, notes, heads), str(path), tuple(notes)
    )


def _dark_text(preset: str, text: str) -> bool:
    """A capability without a preset whose text says it is dark (never a lamp switched off: blackout must
    not strike a discharge lamp, which takes minutes to come back)."""
    return not preset and "lamp" not in text.lower() and bool(_OFF_WORDS.search(text))


def _qxf_heads(mode: ET.Element, footprint: int) -> list[int]:
    """Head number of each channel of a mode (1..N from its <Head> elements; 0 = the whole fixture).

    A mode with one head is a fixture with one head: its channels are the fixture's own."""
    where = [0] * footprint
    elements = mode.findall("Head")
    if len(elements) < 2:
        return where
    for h, head in enumerate(elements, start=1):
        for c in head.findall("Channel"):
            try:
                i = int((c.text or "").strip())
            except ValueError:
                continue
            if 0 <= i < footprint and where[i] == 0:
                where[i] = h
    return where


def _level_range(caps: list[tuple[int, int, str, str]]) -> tuple[tuple[int, int], int | None]:
    """(DMX range of the steady level, DMX value that is dark, or None) of an intensity-group channel.

    QLC+ gives such channels no preset, only capability ranges and their text: the level is the widest
    range that is neither dark nor an effect, the dark value the first range described as off/closed
    (else 0, unless 0 itself is described as on or an effect)."""
    dark = next((lo for lo, _, k, t in caps if k == "ShutterClose" or _dark_text(k, t)), None)
    if len(caps) <= 1:
        return (0, 255), 0
    levels = [
        (hi - lo, lo, hi)
        for lo, hi, k, t in caps
        if not k and not _dark_text(k, t) and not _ON_WORDS.search(t) and "lamp" not in t.lower() and hi > lo
    ]
    rng = (0, 255)
    if levels:
        _, lo, hi = max(levels)
        rng = (lo, hi)
    else:  # no level at all, only states: 0..1 goes from dark to the first open/full state
        full = next((lo for lo, _, k, t in caps if _ON_WORDS.search(t) and "lamp" not in t.lower()), None)
        if full is not None and dark is not None and full > dark:
            rng = (dark, full)
    if dark is None:
        at_zero = next(((k, t) for lo, hi, k, t in caps if lo <= 0 <= hi), ("", ""))
        if not (at_zero[0] or _ON_WORDS.search(at_zero[1]) or "lamp" in at_zero[1].lower()):
            dark = 0
    return rng, dark


def _qxf_channel(ch: ET.Element, name: str, notes: list[str]) -> _Def:
    """One QLC+ channel: its role from the Preset attribute, or from <Group>, <Colour> and capabilities."""
    preset = ch.get("Preset") or ""
    group_el = ch.find("Group")
    group = (group_el.text or "").strip() if group_el is not None else ""
    byte = int(group_el.get("Byte", "0")) if group_el is not None else 0
    colour = (ch.findtext("Colour") or "").strip().lower().replace(" ", "")
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
                attr,
                fine,
                invert=invert,
                default=0.5 if attr in ("pan", "tilt") else 0.0,
                label=name,
                role="dimmer" if attr == "dimmer" else "",
                master=preset.startswith("IntensityMasterDimmer"),
            )
        m = re.fullmatch(r"Intensity([A-Za-z]+?)(Fine)?", preset)
        if m and m.group(1).lower() in _QXF_COLOURS:
            attr = _QXF_COLOURS[m.group(1).lower()]
            return _Def(attr, bool(m.group(2)), label=name, role="emitter" if attr in _EMITTERS else "")
        if preset in ("ShutterStrobeSlowFast", "ShutterStrobeFastSlow"):
            return _Def("strobe", invert=preset.endswith("FastSlow"), label=name)
        if preset.endswith("Fine"):
            return _Def("", label=name)  # fine bytes of wheels and effects: held at 0
        return _Def(slug(name), label=name)

    if group in ("Maintenance", "Nothing"):
        return _Def("", label=name)
    if group == "Intensity":
        if colour in _QXF_COLOURS:
            attr = _QXF_COLOURS[colour]
            return _Def(attr, byte == 1, label=name, role="emitter" if attr in _EMITTERS else "")
        # an intensity-group channel QLC+ says nothing more about: a dimmer, a dimmer/strobe combination,
        # a dimmer mode or a programme. Blackout sends it to its dark value; it is the fixture's dimmer
        # only where nothing else in the mode controls light.
        rng, dark = _level_range(caps)
        if dark is None and rng == (0, 255) and len(caps) > 1:
            return _Def(slug(name), byte == 1, label=name)  # only states, none of them dark: not a level
        off = dark if dark is not None and not rng[0] <= dark <= rng[1] else None
        return _Def(slug(name), byte == 1, dmx_range=rng, off=off, label=name, role="intensity")
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
        closed = next((lo for lo, _, k, t in caps if k == "ShutterClose" or _dark_text(k, t)), None)
        return _Def(
            "strobe", dmx_range=rng, off=off, invert=invert, label=name, role="shutter", closed=closed
        )
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
            return _Def("output", byte == 1, label=name, role="emission")
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


def _ofl_percent(value: Any, fallback: float) -> float:
    """An OFL brightness ("0%", "off", "dark", "bright") as a percentage."""
    if value in ("off", "dark"):
        return 0.0
    if value == "bright":
        return 100.0
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return fallback
    return fallback


def _ofl_level(caps: list[dict[str, Any]], kind: str) -> tuple[tuple[int, int], int | None, bool]:
    """(DMX range, dark DMX value outside it or None, inverted) of the widest `kind` capability: a dimmer's
    steady range inside a dimmer/strobe channel, dark at parameter 0 (a closed shutter where the range
    itself never reaches 0 %)."""
    levels = [c for c in caps if c.get("type") == kind]
    widest = max(levels, key=lambda c: int(c["dmxRange"][1]) - int(c["dmxRange"][0]))
    lo, hi = int(widest["dmxRange"][0]), int(widest["dmxRange"][1])
    start = _ofl_percent(widest.get("brightnessStart", widest.get("brightness", "0%")), 0.0)
    end = _ofl_percent(widest.get("brightnessEnd", widest.get("brightness", "100%")), 100.0)
    invert = start > end
    if min(start, end) == 0.0:
        return (lo, hi), None, invert
    dark = next(
        (
            int(c["dmxRange"][0])
            for c in caps
            if c.get("shutterEffect") == "Closed"
            or (
                c.get("type") in ("Intensity", "ColorIntensity")
                and _ofl_percent(c.get("brightness", c.get("brightnessStart")), -1.0) == 0.0
            )
        ),
        None,
    )
    return (lo, hi), dark, invert


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
    if "Intensity" in types:  # a dimmer, or a dimmer/strobe combination: its steady range is the dimmer
        rng, off, invert = _ofl_level(caps, "Intensity")
        return _Def(
            "dimmer", dmx_range=rng, off=off, invert=invert, default=default, label=key, role="dimmer"
        )
    if "ColorIntensity" in types:
        tint = next(c for c in caps if c.get("type") == "ColorIntensity")
        colour = str(tint.get("color", "")).lower()
        if colour not in _COLOURS:
            raise ProfileRejected(f"channel {key!r}: unknown color intensity {tint.get('color')!r}")
        attr = _COLOURS[colour]
        rng, off, invert = _ofl_level(caps, "ColorIntensity")
        return _Def(
            attr,
            dmx_range=rng,
            off=off,
            invert=invert,
            default=default,
            label=key,
            role="emitter" if attr in _EMITTERS else "",
        )
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
        # a wheel with a closed position (a blackout slot) is the shutter of a fixture without one
        closed = next((int(c["dmxRange"][0]) for c in caps if c.get("shutterEffect") == "Closed"), None)
        role = "shutter" if closed is not None else ""
        if len(slots) < 2:
            notes.append(f"channel {key!r}: fewer than two named slots; imported as a plain channel")
            return _Def(attr, label=key, role=role, closed=closed)
        return _Def(attr, wheel=slots, label=key, role=role, closed=closed)
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
        closed = next((int(c["dmxRange"][0]) for c in caps if c.get("shutterEffect") == "Closed"), None)
        return _Def("strobe", dmx_range=rng, off=off, invert=invert, label=key, role="shutter", closed=closed)
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
            return _Def(attr, default=default, label=key, role="emission" if attr == "output" else "")
    if "fine" in lower:
        return _Def("", label=key)
    return _Def(slug(key), default=default, label=key)
