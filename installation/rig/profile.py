"""Fixture profiles: what each DMX channel of a fixture mode means, and our own YAML format for them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from installation.errors import Problem, ShowError
from installation.show.located import key_pos, load_file, node_pos, value_pos

ATTRIBUTE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Attributes that mix into a colour; an RGB hex colour expands onto them.
COLOR_ATTRIBUTES = ("red", "green", "blue", "white", "amber", "uv", "cyan", "magenta", "yellow", "lime")
# Attributes that are light output: dimmed by the grand master and blackout, merged highest-takes-precedence.
INTENSITY_ATTRIBUTES = ("dimmer",)
# Colour channels that emit light (CMY are filters: at 0 they let white through), and their roles' names.
EMITTER_ATTRIBUTES = (
    "red", "green", "blue", "white", "amber", "uv", "lime", "indigo", "warm_white", "cold_white",
)  # fmt: skip
# What a channel does for light; importers take it from the format's semantics, never from channel names.
#   dimmer    a master or head dimmer (scales the emitters of its head, or of the fixture when head is 0)
#   emitter   an additive colour channel (LEDs)
#   intensity a channel of the fixture's intensity group whose function is not a plain level (a dimmer
#             mode, a programme, a dimmer/strobe combination); its `off` value is dark or harmless
#   shutter   a shutter/strobe channel; `closed` is its DMX value that cuts the light
#   emission  haze or fog output
ROLES = ("dimmer", "emitter", "intensity", "shutter", "emission")
WHEEL_ATTRIBUTES = ("color", "gobo", "prism", "effect")
KINDS = ("dimmer", "wash", "spot", "moving-head", "strip", "pixel", "hazer", "fog", "fan", "effect", "other")


class ProfileRejected(ValueError):
    """A fixture definition that cannot become a profile; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Channel:
    """One DMX channel of a mode: the attribute it carries and how 0..1 maps onto DMX values."""

    attribute: str = ""  # "" for a channel held at a fixed value
    fine: bool = False  # the low byte of a 16-bit attribute
    dmx_range: tuple[int, int] = (0, 255)  # DMX values that 0..1 spans (coarse byte for 16-bit)
    off: int | None = None  # DMX value sent when the parameter is exactly 0 (e.g. strobe open)
    default: float = 0.0  # parameter default, 0..1 (or wheel slot index)
    invert: bool = False
    htp: bool = False  # merge highest-takes-precedence (intensity); otherwise latest-takes-precedence
    wheel: tuple[tuple[str, int], ...] = ()  # named slots → DMX value, for colour/gobo wheels
    fixed: int | None = None  # DMX value of a fixed channel
    label: str = ""
    role: str = ""  # what the channel does for light (ROLES), "" for none
    head: int = 0  # the head it belongs to in a multi-head mode (1..N), 0 = the whole fixture
    closed: int | None = None  # shutter: DMX value that closes it (blackout uses it where nothing else cuts)


@dataclass(frozen=True, slots=True)
class Head:
    """A head (a pixel, a cell, a beam) of a multi-head mode: its name in parameter paths and its place.

    `position` is where it sits on the fixture, 0..1 along its width (x) and height (y), from the format's
    pixel layout; `covers` lists the heads (1-based) a pixel-group head drives together with them."""

    name: str  # the path segment: light.<fixture>.<name>.<attribute>, e.g. "3" or "outer"
    label: str = ""  # the file's own name for it (an OFL pixel key, "Head 3")
    position: tuple[float, float] = (0.5, 0.5)
    covers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Mode:
    """A channel layout of a fixture (a DMX personality), with its heads when it has several."""

    name: str
    channels: tuple[Channel, ...]
    heads: tuple[Head, ...] = ()  # head n of a channel is heads[n - 1]
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.key(ch) for ch in self.channels))

    @property
    def footprint(self) -> int:
        return len(self.channels)

    def head_name(self, head: int) -> str:
        """The path segment of head `head` (1-based): its declared name, else its number."""
        return self.heads[head - 1].name if 0 < head <= len(self.heads) else str(head)

    def key(self, ch: Channel) -> str:
        """A channel's attribute as shows name it: `red` for the fixture's own, `3.red` for head 3's."""
        if ch.fixed is not None or not ch.attribute:
            return ""
        return f"{self.head_name(ch.head)}.{ch.attribute}" if ch.head else ch.attribute

    def attributes(self) -> dict[str, Channel]:
        """Attribute key (`dimmer`, `3.red`) → its coarse channel, in channel order."""
        out: dict[str, Channel] = {}
        for ch, key in zip(self.channels, self.keys, strict=True):
            if key and not ch.fine and key not in out:
                out[key] = ch
        return out

    def has_fine(self, attribute: str) -> bool:
        return any(ch.fine and key == attribute for ch, key in zip(self.channels, self.keys, strict=True))

    def head_groups(self) -> dict[str, list[str]]:
        """Attribute → the head keys that have it (`red` → [`1.red`, `2.red`, …]) where the fixture itself
        has none: `light.<fixture>.red` then drives every head's red together."""
        own = {k for k, ch in self.attributes().items() if not ch.head}
        out: dict[str, list[str]] = {}
        for key, ch in self.attributes().items():
            if ch.head and ch.attribute not in own:
                out.setdefault(ch.attribute, []).append(key)
        return out

    def light_plan(self) -> dict[str, str]:
        """How the grand master and blackout treat each attribute; see `light_plan`."""
        return light_plan(self)


def light_plan(mode: Mode) -> dict[str, str]:
    """Attribute → "master", "cut", "close" or "" (absent): what the grand master and blackout do to it.

    Every light path passes exactly one "master" channel, so the grand master scales it once: the
    fixture-wide dimmers when there are any, else each head's dimmers, the emitters of heads without
    one (and of the fixture), and the intensity channels of heads (or a mode) with neither. Blackout and
    a grand master at 0 also send every other dimmer and emitter ("cut") to its off value, and close the
    shutters ("close") of a head that has no other way to go dark. Intensity channels that are not
    masters (dimmer modes, programmes, lamp control) are left alone. Haze and fog output are masters.
    """
    keyed = [(c, k) for c, k in zip(mode.channels, mode.keys, strict=True) if k and not c.fine]
    coarse = [c for c, _ in keyed]
    key = {id(c): k for c, k in keyed}
    masters: list[Channel]
    dimmers = [c for c in coarse if c.role == "dimmer"]
    emitters = [c for c in coarse if c.role == "emitter"]
    fixture_wide = [c for c in dimmers if c.head == 0]
    if fixture_wide:
        masters = fixture_wide
    else:
        dimmed = {c.head for c in dimmers}
        for h in list(dimmed):  # a pixel group's dimmer dims the pixels it covers
            if 0 < h <= len(mode.heads):
                dimmed |= set(mode.heads[h - 1].covers)
        masters = dimmers + [c for c in emitters if c.head == 0 or c.head not in dimmed]
    lit = {c.head for c in coarse if c.role in ("dimmer", "emitter")}
    if not fixture_wide:  # a head lit only through intensity channels (a derby's strobe dimmer): those
        masters += [c for c in coarse if c.role == "intensity" and (not lit or c.head not in lit | {0})]
    plan = {key[id(c)]: "master" for c in masters}
    for c in coarse:
        if c.role == "emission":
            plan[key[id(c)]] = "master"
        elif c.role in ("dimmer", "emitter") and key[id(c)] not in plan:
            plan[key[id(c)]] = "cut"
    lit |= {c.head for c in masters}
    for c in coarse:  # a shutter closes where it is its head's only cut
        alone = not lit if c.head == 0 else 0 not in lit and c.head not in lit
        if c.role == "shutter" and c.closed is not None and alone:
            plan[key[id(c)]] = "close"
    return plan


def needs_virtual_dimmer(mode: Mode) -> bool:
    """A mode whose light has no single `dimmer` channel: the rig adds a virtual dimmer over its masters."""
    attrs = mode.attributes()
    if "dimmer" in attrs:
        return False
    return any(attrs[a].role != "emission" for a, tag in light_plan(mode).items() if tag == "master")


@dataclass(frozen=True, slots=True)
class FixtureProfile:
    """A fixture type: maker, name, kind and its modes."""

    name: str
    manufacturer: str
    kind: str
    modes: tuple[Mode, ...]
    source: str = ""  # file it came from, for messages
    notes: tuple[str, ...] = field(default=())  # what an importer skipped or simplified
    physical: tuple[tuple[str, str], ...] = ()  # what the file says about the body: ("weight", "4.2 kg"), …

    def mode(self, name: str | None) -> Mode | None:
        """The named mode, or the only/first mode when name is None."""
        if name is None:
            return self.modes[0] if self.modes else None
        for m in self.modes:
            if m.name == name:
                return m
        return None


def check_mode(mode: Mode) -> list[str]:
    """Structural problems of a mode (duplicate attributes, fine without coarse, bad values)."""
    problems: list[str] = []
    coarse: set[str] = set()
    fine: set[str] = set()
    for i, ch in enumerate(mode.channels, start=1):
        where = f"mode {mode.name!r} channel {i}"
        if ch.fixed is not None:
            if not 0 <= ch.fixed <= 255:
                problems.append(f"{where}: fixed value {ch.fixed} is outside 0..255")
            continue
        if not ATTRIBUTE_RE.match(ch.attribute):
            problems.append(f"{where}: attribute {ch.attribute!r} must be lowercase letters, digits, _")
            continue
        target = fine if ch.fine else coarse
        key = mode.key(ch)
        if key in target:
            problems.append(f"{where}: attribute {key!r} appears twice")
        target.add(key)
        lo, hi = ch.dmx_range
        if not (0 <= lo <= 255 and 0 <= hi <= 255):
            problems.append(f"{where}: range {lo}..{hi} is outside 0..255")
        if ch.off is not None and not 0 <= ch.off <= 255:
            problems.append(f"{where}: off value {ch.off} is outside 0..255")
        if ch.wheel and ch.fine:
            problems.append(f"{where}: a wheel cannot have a fine channel")
        if ch.role and ch.role not in ROLES:
            problems.append(f"{where}: role {ch.role!r} is not one of {', '.join(ROLES)}")
        if ch.head < 0:
            problems.append(f"{where}: head {ch.head} must be 0 (the whole fixture) or a head number")
        if ch.closed is not None and not 0 <= ch.closed <= 255:
            problems.append(f"{where}: closed value {ch.closed} is outside 0..255")
        for slot, dmx in ch.wheel:
            if not 0 <= dmx <= 255:
                problems.append(f"{where}: wheel slot {slot!r} value {dmx} is outside 0..255")
    for attr in sorted(fine - coarse):
        problems.append(f"mode {mode.name!r}: {attr}.fine has no coarse {attr} channel")
    return problems


# ---------------------------------------------------------------- our YAML format

_PROFILE_KEYS = {"fixture", "manufacturer", "kind", "modes"}
_CHANNEL_KEYS = {
    "attribute", "fine", "range", "off", "default", "invert", "htp", "wheel", "fixed", "label",
    "role", "head", "closed",
}  # fmt: skip


def load_profile(path: Path, display: str) -> FixtureProfile:
    """Load one of our fixture profile YAML files; raises ShowError listing every problem."""
    data = load_file(path, display)
    problems: list[Problem] = []

    def add(node: Any, key: Any, message: str, hint: str = "", value: bool = False) -> None:
        line, col = (value_pos if value else key_pos)(node, key) if key is not None else node_pos(node)
        problems.append(Problem(display, line, col, message, hint))

    if not isinstance(data, CommentedMap):
        raise ShowError(
            [
                Problem(
                    display,
                    1,
                    1,
                    "a fixture profile must be a mapping",
                    "start with `fixture: NAME` and `modes:`",
                )
            ]
        )
    for key in data:
        if key not in _PROFILE_KEYS:
            add(data, key, f"unknown key {key!r}", "valid: " + ", ".join(sorted(_PROFILE_KEYS)))
    name = data.get("fixture")
    if not isinstance(name, str) or not name.strip():
        add(
            data,
            "fixture" if "fixture" in data else None,
            "`fixture:` (the fixture's name) is required",
            "e.g. fixture: Generic RGBW Wash",
            value=True,
        )
        name = path.stem
    manufacturer = data.get("manufacturer", "Generic")
    if not isinstance(manufacturer, str):
        add(data, "manufacturer", "manufacturer must be text", value=True)
        manufacturer = "Generic"
    kind = data.get("kind", "other")
    if kind not in KINDS:
        add(data, "kind", f"unknown kind {kind!r}", "valid: " + ", ".join(KINDS), value=True)
        kind = "other"
    modes_node = data.get("modes")
    modes: list[Mode] = []
    if not isinstance(modes_node, CommentedMap) or not modes_node:
        add(
            data,
            "modes" if "modes" in data else None,
            "`modes:` must map mode names to channel lists",
            "e.g. modes: {4ch: [red, green, blue, white]}",
            value=True,
        )
    else:
        for mode_name, chans in modes_node.items():
            if not isinstance(chans, CommentedSeq) or not chans:
                add(
                    modes_node,
                    mode_name,
                    f"mode {mode_name!r} must be a list of channels",
                    "e.g. [dimmer, red, green, blue]",
                    value=True,
                )
                continue
            channels: list[Channel] = []
            for i, item in enumerate(chans):
                ch = _parse_channel(item, lambda msg, hint="", i=i, chans=chans: add(chans, i, msg, hint))
                if ch is not None:
                    channels.append(ch)
            count = max((c.head for c in channels), default=0)
            mode = Mode(str(mode_name), tuple(channels), numbered_heads(count))
            if len(channels) == len(chans):
                for msg in check_mode(mode):
                    add(modes_node, mode_name, msg)
            modes.append(mode)
    if problems:
        raise ShowError(problems)
    return FixtureProfile(
        name=str(name), manufacturer=str(manufacturer), kind=str(kind), modes=tuple(modes), source=display
    )


def numbered_heads(count: int) -> tuple[Head, ...]:
    """Heads 1..count side by side along the fixture (an LED bar's cells)."""
    return tuple(Head(str(i), f"head {i}", ((i - 0.5) / count, 0.5)) for i in range(1, count + 1))


def _parse_channel(item: Any, add: Callable[..., None]) -> Channel | None:
    if isinstance(item, str):
        attr, _, suffix = item.partition(".")
        if suffix not in ("", "fine"):
            add(f"channel {item!r}: only `.fine` may follow an attribute", "e.g. pan.fine")
            return None
        return _default_channel(attr, fine=suffix == "fine")
    if isinstance(item, int) and not isinstance(item, bool):
        return Channel(fixed=item)
    if not isinstance(item, CommentedMap):
        add("a channel is an attribute name or a mapping", "e.g. dimmer, pan.fine, {attribute: strobe, ...}")
        return None
    unknown = [k for k in item if k not in _CHANNEL_KEYS]
    if unknown:
        add(f"unknown channel key {unknown[0]!r}", "valid: " + ", ".join(sorted(_CHANNEL_KEYS)))
        return None
    if "fixed" in item:
        fixed = item["fixed"]
        if not isinstance(fixed, int) or isinstance(fixed, bool):
            add("fixed must be a DMX value 0..255")
            return None
        return Channel(fixed=fixed, label=str(item.get("label", "")))
    attr = item.get("attribute")
    if not isinstance(attr, str):
        add("channel mapping needs `attribute:` (or `fixed:`)", "e.g. {attribute: strobe, range: [10, 255]}")
        return None
    base = _default_channel(attr, fine=bool(item.get("fine", False)))
    try:
        rng = item.get("range", list(base.dmx_range))
        lo, hi = (int(rng[0]), int(rng[1]))
        if len(rng) != 2:
            raise ValueError
    except (TypeError, ValueError, IndexError):
        add("range must be [low, high] DMX values", "e.g. range: [10, 255]")
        return None
    off = item.get("off")
    if off is not None and (not isinstance(off, int) or isinstance(off, bool)):
        add("off must be a DMX value 0..255")
        return None
    wheel: list[tuple[str, int]] = []
    wheel_node = item.get("wheel")
    if wheel_node is not None:
        if not isinstance(wheel_node, CommentedMap) or not wheel_node:
            add("wheel must map slot names to DMX values", "e.g. wheel: {white: 0, red: 16}")
            return None
        for slot, dmx in wheel_node.items():
            if not isinstance(dmx, int) or isinstance(dmx, bool):
                add(f"wheel slot {slot!r} needs a DMX value 0..255")
                return None
            wheel.append((str(slot), dmx))
    default = item.get("default", base.default)
    if isinstance(default, str) and wheel:
        names = [s for s, _ in wheel]
        if default not in names:
            add(f"default {default!r} is not a wheel slot", "valid: " + ", ".join(names))
            return None
        default = float(names.index(default))
    if not isinstance(default, (int, float)) or isinstance(default, bool):
        add("default must be a number 0..1 (or a wheel slot name)")
        return None
    role = item.get("role", base.role)
    if role not in ("", *ROLES):
        add(f"role {role!r} is unknown", "valid: " + ", ".join(ROLES))
        return None
    head, closed = item.get("head", 0), item.get("closed")
    if not isinstance(head, int) or isinstance(head, bool) or head < 0:
        add("head must be a head number (1, 2, …) or 0 for the whole fixture")
        return None
    if closed is not None and (not isinstance(closed, int) or isinstance(closed, bool)):
        add("closed must be a DMX value 0..255")
        return None
    return Channel(
        attribute=attr,
        fine=base.fine,
        dmx_range=(lo, hi),
        off=off,
        default=float(default),
        invert=bool(item.get("invert", False)),
        htp=bool(item.get("htp", base.htp or role == "dimmer")),
        wheel=tuple(wheel),
        label=str(item.get("label", "")),
        role=str(role),
        head=head,
        closed=closed,
    )


def default_role(attr: str) -> str:
    """The role an attribute of our own profile format has unless the channel says `role:`."""
    if attr in INTENSITY_ATTRIBUTES:
        return "dimmer"
    if attr in EMITTER_ATTRIBUTES:
        return "emitter"
    return "emission" if attr == "output" else ""


def _default_channel(attr: str, fine: bool = False) -> Channel:
    default = 0.5 if attr in ("pan", "tilt") else 0.0
    return Channel(
        attribute=attr, fine=fine, default=default, htp=attr in INTENSITY_ATTRIBUTES, role=default_role(attr)
    )
