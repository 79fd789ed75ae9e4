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
    Head,
    Mode,
    ProfileRejected,
    check_mode,
    numbered_heads,
)

# colour names (OFL colours; QLC+ presets IntensityRed, IntensityUVFine, … and <Colour>) → attribute
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
    coarse: str = ""  # a fine channel: the key of its coarse channel, where the file says (OFL aliases)
    fixed: int = 0  # a channel without attribute: the DMX value it is held at


_DIMMER_NAME = re.compile(r"^dimmer(_\d+)?$")


@dataclass
class _ModeSpec:
    """A mode as the file lays it out: channel names (None = unused), each channel's head, the heads."""

    name: str
    names: list[str | None]
    where: list[int] = field(default_factory=list)  # head of each channel, 0 = the whole fixture
    heads: tuple[Head, ...] = ()


def _build_modes(
    defs: dict[str, _Def], specs: Iterable[_ModeSpec], source: str, notes: list[str]
) -> tuple[Mode, ...]:
    """Place imported channels into modes, naming attributes by role and head: a mode's one fixture-wide
    dimmer is `dimmer`; with none or several, they are `dimmer_1`, `dimmer_2`… and the rig adds a virtual
    `dimmer`. A head's channels keep plain names under the head (`3.red`); a fine channel takes the name and
    head of the coarse channel it belongs to (the file's alias, else the nearest one of its kind)."""
    out: list[Mode] = []
    seen: set[str] = set()
    for spec in specs:
        mode_name, names = spec.name, spec.names
        if not names:
            raise ProfileRejected(f"mode {mode_name!r} has no channels")
        if len(names) > 512:
            raise ProfileRejected(f"mode {mode_name!r} has {len(names)} channels, more than a universe")
        for name in names:
            if name is not None and name not in defs:
                raise ProfileRejected(
                    f"mode {mode_name!r} uses channel {name!r}, which the file does not define"
                )
        if mode_name in seen:
            notes.append(f"mode name {mode_name!r} is used twice: the first is kept")
            continue
        seen.add(mode_name)
        mode_heads = spec.where or [0] * len(names)
        used = [defs[n] if n is not None else None for n in names]
        where = [0 if d is None or d.master else h for d, h in zip(used, mode_heads, strict=True)]
        roles = [d.role if d is not None and d.attribute and not d.fine else "" for d in used]
        # a mode whose only light control is one intensity-group channel: that channel is its dimmer
        if "dimmer" not in roles and "emitter" not in roles and roles.count("intensity") == 1:
            roles = ["dimmer" if r == "intensity" else r for r in roles]
        fixture_dimmers = sum(1 for r, h in zip(roles, where, strict=True) if r == "dimmer" and h == 0)
        slots: list[Channel | None] = [None] * len(names)
        taken: set[tuple[int, str]] = set()
        # the fixture's own channels take the plain names first, then heads 1..N theirs (each head its own)
        coarse_first = sorted(range(len(names)), key=lambda i: (where[i] != 0, where[i], i))
        for i in coarse_first:
            name, d = names[i], used[i]
            if name is None or d is None:
                slots[i] = Channel(fixed=0, label="unused")
                continue
            if not d.attribute:
                slots[i] = Channel(fixed=d.fixed, label=d.label or name)
                continue
            if d.fine:
                continue
            role = roles[i]
            attr = "dimmer" if role == "dimmer" else d.attribute
            if role != "dimmer" and _DIMMER_NAME.match(attr):
                attr = f"{attr}_channel"  # `dimmer` is the fixture's master, whatever the file calls this
            numbered = role == "dimmer" and where[i] == 0 and fixture_dimmers != 1
            new, n = (f"{attr}_1", 2) if numbered else (attr, 2)
            while (where[i], new) in taken:  # a second function of the same kind in one head: number it
                new = f"{attr}_{n}"
                n += 1
            taken.add((where[i], new))
            slots[i] = Channel(
                attribute=new,
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
        paired: set[int] = set()
        for i, (name, d) in enumerate(zip(names, used, strict=True)):
            if name is None or d is None or not d.fine or not d.attribute:
                continue
            j = _coarse_of(
                i,
                d,
                names=names,
                used=used,
                where=where,
                slots=slots,
                paired=paired,
                target=defs.get(d.coarse),
            )
            coarse = slots[j] if j is not None else None
            if coarse is None or j is None:
                notes.append(f"mode {mode_name!r}: {d.label or name} has no coarse channel; held at 0")
                slots[i] = Channel(fixed=0, label=d.label or name)
                continue
            paired.add(j)
            slots[i] = Channel(
                attribute=coarse.attribute,
                fine=True,
                dmx_range=coarse.dmx_range,
                default=coarse.default,
                invert=coarse.invert,
                htp=coarse.htp,
                label=d.label or name,
                role="" if coarse.role == "intensity" else coarse.role,
                head=coarse.head,
            )
        channels = tuple(c if c is not None else Channel(fixed=0) for c in slots)
        top = max((c.head for c in channels), default=0)
        heads = spec.heads if len(spec.heads) >= top else numbered_heads(top)
        mode = Mode(str(mode_name), channels, heads if top else ())
        problems = check_mode(mode)
        if problems:
            raise ProfileRejected(problems[0])
        out.append(mode)
    if not out:
        raise ProfileRejected(f"{source} defines no modes")
    return tuple(out)


def _coarse_of(
    i: int,
    d: _Def,
    *,
    names: list[str | None],
    used: list[_Def | None],
    where: list[int],
    slots: list[Channel | None],
    paired: set[int],
    target: _Def | None = None,
) -> int | None:
    """The coarse channel a fine channel belongs to: the one the file names (an OFL alias), else the nearest
    unpaired channel of the same kind in the same head (before it, else after it); None when there is none."""

    def free(j: int) -> bool:
        c = slots[j]
        return j not in paired and c is not None and c.fixed is None and not c.fine

    if d.coarse:  # the channel it is the alias of, under its own key or a switching alias of it
        found = [j for j, n in enumerate(names) if (n == d.coarse or used[j] is target) and free(j)]
    else:
        found = [
            j
            for j, u in enumerate(used)
            if u is not None and not u.fine and u.attribute == d.attribute and u.role == d.role and free(j)
        ]
        same = [j for j in found if where[j] == where[i]]
        found = same or (found if where[i] == 0 else [])
    before = [j for j in found if j < i]
    if before:
        return before[-1]
    return found[0] if found else None


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
    layout = _qxf_layout(root.find("Physical"))
    specs = []
    for m in root.findall("Mode"):
        names: list[str | None] = []
        numbered = sorted(m.findall("Channel"), key=lambda c: int(c.get("Number", "0")))
        for c in numbered:
            names.append((c.text or "").strip() or None)
        mode_name = m.get("Name") or f"{len(names)}ch"
        where = _qxf_heads(m, len(names))
        count = max(where, default=0)
        grid = _qxf_layout(m.find("Physical")) or layout
        specs.append(_ModeSpec(mode_name, names, where, _grid_heads(count, grid)))
    if not specs:
        raise ProfileRejected("defines no <Mode>")
    return FixtureProfile(
        model,
        maker,
        kind,
        _build_modes(defs, specs, path.name, notes),
        str(path),
        tuple(notes),
        _qxf_physical(root.find("Physical")),
    )


def _qxf_layout(physical: ET.Element | None) -> tuple[int, int] | None:
    """Columns and rows of a QLC+ head layout (<Layout Width= Height=>), None when the file has none."""
    el = physical.find("Layout") if physical is not None else None
    if el is None:
        return None
    try:
        w, h = int(el.get("Width", "0")), int(el.get("Height", "0"))
    except ValueError:
        return None
    return (w, h) if w > 0 and h > 0 else None


def _grid_heads(count: int, grid: tuple[int, int] | None) -> tuple[Head, ...]:
    """Heads 1..count placed over a grid of columns × rows (row by row), else side by side."""
    if not count:
        return ()
    if grid is None or grid[0] * grid[1] != count or grid[1] == 1:
        return numbered_heads(count)
    cols, rows = grid
    return tuple(
        Head(str(i + 1), f"head {i + 1}", ((i % cols + 0.5) / cols, (i // cols + 0.5) / rows))
        for i in range(count)
    )


def _qxf_physical(el: ET.Element | None) -> tuple[tuple[str, str], ...]:
    """What a QLC+ <Physical> says about the fixture's body, as (what, value with unit) pairs."""
    if el is None:
        return ()
    out: list[tuple[str, str]] = []

    def num(tag: str, attr: str) -> str:
        sub = el.find(tag)
        v = (sub.get(attr) or "").strip() if sub is not None else ""
        try:
            return "" if not v or float(v) <= 0 else v
        except ValueError:
            return ""

    dims = [num("Dimensions", a) for a in ("Width", "Height", "Depth")]
    if all(dims):
        out.append(("dimensions", " × ".join(dims) + " mm"))
    for label, tag, attr, unit in (
        ("weight", "Dimensions", "Weight", "kg"),
        ("power", "Technical", "PowerConsumption", "W"),
        ("lumens", "Bulb", "Lumens", "lm"),
        ("colour temperature", "Bulb", "ColourTemperature", "K"),
        ("pan range", "Focus", "PanMax", "°"),
        ("tilt range", "Focus", "TiltMax", "°"),
    ):
        v = num(tag, attr)
        if v:
            out.append((label, f"{v} {unit}"))
    lo, hi = num("Lens", "DegreesMin"), num("Lens", "DegreesMax")
    if hi:
        out.append(("beam", f"{lo or hi}..{hi}°" if lo != hi else f"{hi}°"))
    bulb = el.find("Bulb")
    if bulb is not None and (bulb.get("Type") or "").strip():
        out.append(("source", (bulb.get("Type") or "").strip()))
    grid = _qxf_layout(el)
    if grid is not None and grid != (1, 1):
        out.append(("layout", f"{grid[0]} × {grid[1]} heads"))
    return tuple(out)


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
        if m and m.group(1).lower() in _COLOURS:
            attr = _COLOURS[m.group(1).lower()]
            return _Def(attr, bool(m.group(2)), label=name, role="emitter" if attr in _EMITTERS else "")
        if preset in ("ShutterStrobeSlowFast", "ShutterStrobeFastSlow"):
            return _Def("strobe", invert=preset.endswith("FastSlow"), label=name)
        if preset.endswith("Fine"):
            return _Def("", label=name)  # fine bytes of wheels and effects: held at 0
        return _Def(slug(name), label=name)

    if group in ("Maintenance", "Nothing"):
        return _Def("", label=name)
    if group == "Intensity":
        if colour in _COLOURS:
            attr = _COLOURS[colour]
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


_RESOLUTIONS = {"8bit": 1, "16bit": 2, "24bit": 3}
_MAX_REDIRECTS = 4


def import_ofl(path: Path, manufacturer: str | None = None) -> FixtureProfile:
    """Import an Open Fixture Library fixture (the JSON in its repository's fixtures/<maker>/ folder).

    Redirects are followed inside the same fixtures folder; matrix fixtures become modes with one head per
    pixel (or pixel group) they drive, placed by the pixel's X/Y position."""
    data, path = _ofl_read(path)
    channels_in = data.get("availableChannels") or {}
    templates = data.get("templateChannels") or {}
    if (
        not isinstance(channels_in, dict)
        or not isinstance(templates, dict)
        or not isinstance(data.get("modes"), list)
    ):
        raise ProfileRejected("not an Open Fixture Library fixture (no availableChannels/modes)")
    if not channels_in and not templates:
        raise ProfileRejected("not an Open Fixture Library fixture (no availableChannels/modes)")
    name = str(data.get("name") or path.stem)
    maker = manufacturer or _ofl_maker(path) or str(data.get("manufacturerKey") or "Unknown")
    kind = next((_OFL_KINDS[c] for c in data.get("categories", []) if c in _OFL_KINDS), "other")
    wheels = data.get("wheels", {}) or {}
    notes: list[str] = []
    matrix = _OflMatrix(data.get("matrix") or {}) if templates or data.get("matrix") else None
    # every channel the modes may name: available channels, then template channels once per pixel and group
    raw: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}  # channel key → the pixel or pixel group it belongs to
    for key, ch in channels_in.items():
        if not isinstance(ch, dict):
            raise ProfileRejected(f"channel {key!r} is not an object")
        raw[key] = ch
    if templates:
        assert matrix is not None
        for tkey, ch in templates.items():
            if not isinstance(ch, dict):
                raise ProfileRejected(f"template channel {tkey!r} is not an object")
            for pk in [*matrix.keys, *matrix.groups]:
                key = tkey.replace("$pixelKey", pk)
                raw[key] = _replace_pixel_key(ch, pk)
                owner[key] = pk
    defs: dict[str, _Def] = {}
    switched: dict[str, str] = {}  # switching alias → the channel it stands for at the default value
    for key, ch in raw.items():
        d = _ofl_channel(key, ch, wheels, notes)
        defs[key] = d
        aliases = [a for a in ch.get("fineChannelAliases", []) or [] if isinstance(a, str)]
        for n, alias in enumerate(aliases, start=1):
            if owner.get(key):
                owner[alias] = owner[key]
            if n == 1 and d.attribute and not d.wheel:
                defs[alias] = _Def(d.attribute, True, label=alias, role=d.role, coarse=key)
            else:  # the lowest byte of a 24-bit channel, or the fine byte of a wheel: held at 0
                defs[alias] = _Def("", label=alias)
        switched.update(_ofl_switches(key, ch))
    for alias, target in switched.items():
        if target not in defs:
            raise ProfileRejected(f"switching channel {alias!r} switches to {target!r}, which is not defined")
        defs[alias] = defs[target]
        if target in owner:
            owner[alias] = owner[target]
    if switched:
        notes.append(
            "switching channels take their meaning at the default value of the channel that switches them: "
            + ", ".join(f"{a} = {t}" for a, t in switched.items())
        )
    specs = []
    for m in data["modes"]:
        if not isinstance(m, dict):
            raise ProfileRejected("a mode is not an object")
        mode_name = str(m.get("shortName") or m.get("name") or f"{len(m.get('channels', []))}ch")
        names = _ofl_mode_channels(m, matrix)
        specs.append(_ofl_mode_heads(mode_name, names, owner, matrix))
    return FixtureProfile(
        name,
        maker,
        kind,
        _build_modes(defs, specs, path.name, notes),
        str(path),
        tuple(notes),
        _ofl_physical(data.get("physical") or {}),
    )


def _ofl_read(path: Path) -> tuple[dict[str, Any], Path]:
    """The fixture's JSON, following `redirectTo` in the same fixtures folder (a renamed or rebranded one)."""
    trail: list[str] = []
    while True:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileRejected(f"cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise ProfileRejected(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, dict):
            raise ProfileRejected("not an Open Fixture Library fixture (no availableChannels/modes)")
        target = data.get("redirectTo")
        if not isinstance(target, str):
            return data, path
        trail.append(target)
        if len(trail) > _MAX_REDIRECTS or not re.fullmatch(r"[a-z0-9\-]+/[a-z0-9\-]+", target):
            raise ProfileRejected(f"redirects {' → '.join(trail)}: not a fixture it can follow")
        nxt = path.parent.parent / f"{target}.json"
        if not nxt.is_file():
            reason = data.get("reason", "renamed")
            raise ProfileRejected(f"redirects to {target!r} ({reason}), which is not in {path.parent.parent}")
        path = nxt


def _ofl_maker(path: Path) -> str:
    """The manufacturer's name from the fixtures folder's manufacturers.json, else its folder's key."""
    index = path.parent.parent / "manufacturers.json"
    try:
        makers = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.parent.name
    entry = makers.get(path.parent.name) if isinstance(makers, dict) else None
    return str(entry.get("name")) if isinstance(entry, dict) and entry.get("name") else path.parent.name


def _replace_pixel_key(value: Any, pixel_key: str) -> Any:
    """A template channel with `$pixelKey` replaced everywhere (aliases and switched channels too)."""
    if isinstance(value, str):
        return value.replace("$pixelKey", pixel_key)
    if isinstance(value, list):
        return [_replace_pixel_key(v, pixel_key) for v in value]
    if isinstance(value, dict):
        return {_replace_pixel_key(k, pixel_key): _replace_pixel_key(v, pixel_key) for k, v in value.items()}
    return value


def _ofl_switches(key: str, ch: dict[str, Any]) -> dict[str, str]:
    """Switching aliases of a channel → the channel each stands for at the channel's default value."""
    caps = [c for c in ch.get("capabilities", []) or [] if isinstance(c, dict) and "switchChannels" in c]
    if not caps:
        return {}
    res = _ofl_resolution(ch)
    default = ch.get("defaultValue", 0)
    if isinstance(default, str) and default.endswith("%"):
        try:
            value = round(float(default[:-1]) / 100 * (256**res - 1))
        except ValueError:
            value = 0
    else:
        value = int(default) if isinstance(default, (int, float)) else 0
    at = next((c for c in caps if c["dmxRange"][0] <= value <= c["dmxRange"][1]), caps[0])
    out = {str(a): str(t) for a, t in at["switchChannels"].items()}
    for c in caps:  # aliases the default capability does not name: the first target they have
        for a, t in c["switchChannels"].items():
            out.setdefault(str(a), str(t))
    return out


def _ofl_resolution(ch: dict[str, Any]) -> int:
    """Bytes of a channel's DMX values: its dmxValueResolution, else one more than its fine aliases."""
    declared = ch.get("dmxValueResolution")
    if declared in _RESOLUTIONS:
        return _RESOLUTIONS[declared]
    return 1 + len(ch.get("fineChannelAliases", []) or [])


def _natural(key: str) -> list[tuple[int, Any]]:
    """Sort key for pixel keys as OFL orders them: 1 < 2 < 10 < alice < bob."""
    return [(0, int(t)) if t.isdigit() else (1, t.lower()) for t in re.findall(r"\d+|\D+", key)]


class _OflMatrix:
    """An OFL matrix: pixel keys with their X/Y/Z positions (1-based) and pixel groups resolved to keys."""

    def __init__(self, data: dict[str, Any]) -> None:
        structure: list[Any]
        if isinstance(data.get("pixelKeys"), list):
            structure = data["pixelKeys"]
        else:
            count = data.get("pixelCount")
            if not (isinstance(count, list) and len(count) == 3 and all(isinstance(n, int) for n in count)):
                raise ProfileRejected("a matrix fixture needs matrix.pixelCount or matrix.pixelKeys")
            nx, ny, nz = count
            axes = [n > 1 for n in count]

            def default_key(x: int, y: int, z: int) -> str:
                on = [v for v, a in zip((x, y, z), axes, strict=True) if a]
                if len(on) == 1:
                    return str(on[0])
                if not on:
                    return "1"
                return "(" + ", ".join(map(str, on)) + ")"

            structure = [
                [[default_key(x, y, z) for x in range(1, nx + 1)] for y in range(1, ny + 1)]
                for z in range(1, nz + 1)
            ]
        self.position: dict[str, tuple[int, int, int]] = {}
        for z, layer in enumerate(structure, start=1):
            for y, row in enumerate(layer or [], start=1):
                for x, key in enumerate(row or [], start=1):
                    if isinstance(key, str):
                        self.position[key] = (x, y, z)
        if not self.position:
            raise ProfileRejected("the matrix has no pixels")
        self.size = tuple(max(p[a] for p in self.position.values()) for a in range(3))
        self.keys = sorted(self.position, key=_natural)  # eachPixelABC
        # heads are numbered X first, then Y, then Z (along a bar, row by row over a panel)
        self.numbered = self.by_order("XYZ")
        self.groups: dict[str, list[str]] = {}
        for gkey, spec in (data.get("pixelGroups") or {}).items():
            self.groups[str(gkey)] = self._group(spec)

    def head_names(self) -> dict[str, str]:
        """Pixel key → its head's name in parameter paths: the key itself where every key is a number or
        a word (`4`, `top`), else its number counted X first, then Y, then Z (`(2, 3)` → `8`)."""
        keys = list(self.position)
        if all(k.isdigit() for k in keys):
            return {k: str(int(k)) for k in keys}
        words = {k: re.sub(r"[^a-z0-9]+", "_", k.lower()).strip("_") for k in keys}
        if all(w[:1].isalpha() for w in words.values()) and len(set(words.values())) == len(keys):
            return words
        return {k: str(i) for i, k in enumerate(self.numbered, start=1)}

    def by_order(self, axes: str) -> list[str]:
        """Pixel keys for `eachPixel<axes>`: the first axis changes fastest."""
        idx = ["XYZ".index(a) for a in axes]
        return sorted(self.position, key=lambda k: tuple(self.position[k][i] for i in reversed(idx)))

    def _group(self, spec: Any) -> list[str]:
        if spec == "all":
            return list(self.keys)
        if isinstance(spec, list):
            return [str(k) for k in spec if str(k) in self.position]
        if not isinstance(spec, dict):
            raise ProfileRejected(f"pixel group {spec!r} is neither a list, 'all' nor constraints")
        out = []
        for key in self.keys:
            pos = self.position[key]
            ok = all(_constraint(pos[a], c) for a, axis in enumerate("xyz") for c in spec.get(axis, []) or [])
            ok = ok and all(re.search(rx, key) for rx in spec.get("name", []) or [])
            if ok:
                out.append(key)
        return out

    def repeat(self, repeat_for: Any) -> list[str]:
        """The pixel (or pixel group) keys a matrix insert block repeats for, in order."""
        if isinstance(repeat_for, list):
            return [str(k) for k in repeat_for]
        if repeat_for == "eachPixelABC":
            return list(self.keys)
        if repeat_for == "eachPixelGroup":
            return list(self.groups)
        if isinstance(repeat_for, str) and re.fullmatch(r"eachPixel[XYZ]{3}", repeat_for):
            return self.by_order(repeat_for[-3:])
        raise ProfileRejected(f"matrix channels repeat for {repeat_for!r}, which OFL does not define")

    def place(self, key: str) -> tuple[float, float]:
        """A pixel's (or a group's centre) place on the fixture, 0..1 across its width and height."""
        keys = self.groups.get(key, [key]) if key not in self.position else [key]
        pts = [self.position[k] for k in keys if k in self.position] or [(1, 1, 1)]
        x = sum((p[0] - 0.5) / self.size[0] for p in pts) / len(pts)
        y = sum((p[1] - 0.5) / self.size[1] for p in pts) / len(pts)
        return (round(x, 6), round(y, 6))


def _constraint(value: int, rule: str) -> bool:
    """One OFL pixel-number constraint: =N, >=N, <=N, Nn, Nn+M, even, odd."""
    rule = str(rule)
    if rule == "even":
        return value % 2 == 0
    if rule == "odd":
        return value % 2 == 1
    m = re.fullmatch(r"(=|>=|<=)(\d+)", rule)
    if m:
        n = int(m.group(2))
        return {"=": value == n, ">=": value >= n, "<=": value <= n}[m.group(1)]
    m = re.fullmatch(r"(\d+)n(?:\+(\d+))?", rule)
    if m:
        n, rem = int(m.group(1)), int(m.group(2) or 0)
        return value % n == rem % n
    raise ProfileRejected(f"pixel group constraint {rule!r} is not one OFL defines")


def _ofl_mode_channels(mode: dict[str, Any], matrix: _OflMatrix | None) -> list[str | None]:
    """A mode's channel keys, matrix insert blocks expanded (per pixel or per channel)."""
    names: list[str | None] = []
    for c in mode.get("channels", []):
        if c is None or isinstance(c, str):
            names.append(c)
            continue
        if not isinstance(c, dict) or c.get("insert") != "matrixChannels" or matrix is None:
            raise ProfileRejected(f"mode {mode.get('name')!r} has a channel entry OFL does not define: {c!r}")
        keys = matrix.repeat(c.get("repeatFor"))
        tcs = c.get("templateChannels") or []
        if c.get("channelOrder") == "perChannel":
            names += [t.replace("$pixelKey", k) if t else None for t in tcs for k in keys]
        else:
            names += [t.replace("$pixelKey", k) if t else None for k in keys for t in tcs]
    return names


def _ofl_mode_heads(
    mode_name: str, names: list[str | None], owner: dict[str, str], matrix: _OflMatrix | None
) -> _ModeSpec:
    """Heads of an OFL mode: one per pixel it drives (numbered X, then Y, then Z over the whole fixture) and
    one per pixel group (named after it); a group of every pixel is the fixture itself."""
    if matrix is None:
        return _ModeSpec(mode_name, names)
    used = list(dict.fromkeys(owner[n] for n in names if n is not None and n in owner))
    every = set(matrix.position)
    whole = {g for g in used if g in matrix.groups and set(matrix.groups[g]) >= every}
    pixels = [k for k in matrix.numbered if k in used and k not in matrix.groups]
    groups = [g for g in used if g in matrix.groups and g not in whole and g not in matrix.position]
    number = matrix.head_names()
    index: dict[str, int] = {}
    heads: list[Head] = []
    for k in pixels:
        index[k] = len(heads) + 1
        heads.append(Head(number[k], k, matrix.place(k)))
    taken = {h.name for h in heads}
    for g in groups:
        label = slug(g, "group")
        new, n = label, 2
        while new in taken:
            new = f"{label}_{n}"
            n += 1
        taken.add(new)
        index[g] = len(heads) + 1
        covers = tuple(index[k] for k in matrix.groups[g] if k in index)
        heads.append(Head(new, g, matrix.place(g), covers))
    where = [index.get(owner.get(n or "", ""), 0) for n in names]
    return _ModeSpec(mode_name, names, where, tuple(heads))


def _ofl_physical(physical: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What an OFL `physical` says about the fixture's body, as (what, value with unit) pairs."""
    out: list[tuple[str, str]] = []
    dims = physical.get("dimensions")
    if isinstance(dims, list) and len(dims) == 3:
        out.append(("dimensions", " × ".join(f"{v:g}" for v in dims) + " mm"))
    for label, key, unit in (("weight", "weight", "kg"), ("power", "power", "W")):
        if isinstance(physical.get(key), (int, float)):
            out.append((label, f"{physical[key]:g} {unit}"))
    bulb = physical.get("bulb") or {}
    if isinstance(bulb, dict):
        if bulb.get("type"):
            out.append(("source", str(bulb["type"])))
        if isinstance(bulb.get("lumens"), (int, float)):
            out.append(("lumens", f"{bulb['lumens']:g} lm"))
        if isinstance(bulb.get("colorTemperature"), (int, float)):
            out.append(("colour temperature", f"{bulb['colorTemperature']:g} K"))
    lens = physical.get("lens") or {}
    deg = lens.get("degreesMinMax") if isinstance(lens, dict) else None
    if isinstance(deg, list) and len(deg) == 2:
        out.append(("beam", f"{deg[0]:g}..{deg[1]:g}°" if deg[0] != deg[1] else f"{deg[0]:g}°"))
    if physical.get("DMXconnector"):
        out.append(("DMX connector", str(physical["DMXconnector"])))
    pixels = physical.get("matrixPixels") or {}
    if isinstance(pixels, dict) and isinstance(pixels.get("spacing"), list) and any(pixels["spacing"]):
        out.append(("pixel spacing", " × ".join(f"{v:g}" for v in pixels["spacing"]) + " mm"))
    return tuple(out)


def _ofl_caps(ch: dict[str, Any]) -> list[dict[str, Any]]:
    """A channel's capabilities with DMX ranges in its coarse byte (16- and 24-bit ranges scaled down)."""
    if "capability" in ch and isinstance(ch["capability"], dict):
        return [dict(ch["capability"], dmxRange=[0, 255])]
    shift = 8 * (_ofl_resolution(ch) - 1)
    out = []
    for c in ch.get("capabilities", []) or []:
        if not isinstance(c, dict):
            continue
        rng = c.get("dmxRange")
        if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int) for v in rng)):
            raise ProfileRejected(f"a capability has no DMX range: {c!r}"[:120])
        out.append(dict(c, dmxRange=[min(255, rng[0] >> shift), min(255, rng[1] >> shift)]))
    return out


def _ofl_default(ch: dict[str, Any]) -> float:
    v = ch.get("defaultValue", 0)
    if isinstance(v, str) and v.endswith("%"):
        try:
            return min(1.0, max(0.0, float(v[:-1]) / 100))
        except ValueError:
            return 0.0
    if isinstance(v, (int, float)):
        return min(1.0, max(0.0, v / (256 ** _ofl_resolution(ch) - 1)))
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
