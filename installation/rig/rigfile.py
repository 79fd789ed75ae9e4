"""Rig files (`hardware/NAME.yaml`): outputs, patched fixtures, groups, OSC endpoints and serial devices."""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from installation.engine.params import ParamSpec
from installation.errors import Problem, ShowError, display_path
from installation.rig.profile import (
    COLOR_ATTRIBUTES,
    Channel,
    FixtureProfile,
    Mode,
    ProfileRejected,
    load_profile,
    needs_virtual_dimmer,
)
from installation.show.located import key_pos, load_file, node_pos, value_pos

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
HEX_COLOR_RE = re.compile(r"^#([0-9a-fA-F]{6})$")
OUTPUT_TYPES = ("enttec-usb-pro", "artnet", "sacn")
ARTNET_PORT = 6454
SACN_PORT = 5568
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class DmxOutput:
    """A DMX interface: an Enttec USB Pro on a serial port, or an Art-Net / sACN destination."""

    name: str
    type: str  # enttec-usb-pro | artnet | sacn
    universes: tuple[int, ...]  # rig universe numbers this output carries, in order
    port: str = ""  # serial device path (enttec-usb-pro)
    host: str = ""  # destination IP (artnet; sacn unicast) — "" = sACN multicast
    udp_port: int = 0  # destination UDP port (artnet 6454, sacn 5568)
    net_universe: int = 0  # network universe of the first rig universe (artnet port-address / sACN)
    priority: int = 100  # sACN priority 0..200
    rate_hz: float = 44.0

    def network_universe(self, universe: int) -> int:
        """The Art-Net port-address / sACN universe that carries a rig universe."""
        return self.net_universe + self.universes.index(universe)


@dataclass(frozen=True, slots=True)
class Fixture:
    """A fixture patched in the rig: profile mode at universe/address, placed in the room."""

    name: str
    profile: FixtureProfile
    mode: Mode
    universe: int
    address: int  # 1-based DMX start address
    position: tuple[float, float] | None = None  # room plan, 0..1 (x right, y down = nearer)
    limits: Mapping[str, tuple[float, float]] = field(default_factory=lambda: _EMPTY)  # attribute → lo, hi
    invert: tuple[str, ...] = ()  # attributes inverted for this hang (e.g. pan on an upside-down head)
    # where each head is (the fixture itself when it has none): on the room plan, and in the projection
    # scene for pixel mapping (0..1, x right, y down; `map:` in the rig file, else the room place)
    head_positions: tuple[tuple[float, float], ...] = ()
    scene_positions: tuple[tuple[float, float], ...] = ()

    def pixels(self) -> list[tuple[str, tuple[float, float] | None, tuple[float, float] | None]]:
        """(path prefix, room place, scene place) of each head, or of the fixture when it has no heads:
        `light.bar.3`, or `light.par1`."""
        heads = [f"light.{self.name}.{h.name}" for h in self.mode.heads] or [f"light.{self.name}"]
        room = self.head_positions or (None,) * len(heads)
        scene = self.scene_positions or room
        return [(n, r, m) for n, r, m in zip(heads, room, scene, strict=True)]

    def attributes(self) -> dict[str, Channel]:
        """Attribute → coarse channel; a colour fixture without a dimmer gets a virtual `dimmer`."""
        return mode_attributes(self.mode)

    @property
    def has_virtual_dimmer(self) -> bool:
        return has_virtual_dimmer(self.mode)


def has_virtual_dimmer(mode: Mode) -> bool:
    """A mode with light but no single dimmer channel (LED pixels, multi-head bars, two dimmers): the rig
    adds a virtual `dimmer` over the channels the grand master scales, so `dimmer` masters every fixture."""
    return needs_virtual_dimmer(mode)


def mode_attributes(mode: Mode) -> dict[str, Channel]:
    """A mode's attributes as shows see them: its channels' (`dimmer`, `3.red`), the virtual dimmer, and
    each attribute its heads share (`red`: every head's red at once)."""
    attrs = mode.attributes()
    if has_virtual_dimmer(mode):
        # a master over the fixture's light; latest-takes-precedence so a group fade can dim it
        attrs["dimmer"] = Channel(attribute="dimmer", default=1.0, htp=False, label="virtual")
    for attr, channel in head_group_attributes(mode).items():
        attrs.setdefault(attr, channel)
    return attrs


def head_group_attributes(mode: Mode) -> dict[str, Channel]:
    """Attributes that drive the same attribute of every head (`light.bar.red` → `1.red`, `2.red`, …): those
    the heads have and the fixture itself has not (a wheel only where every head's slots are the same)."""
    cached = _HEAD_GROUPS.get(id(mode))
    if cached is not None and cached[0] is mode:
        return cached[1]
    attrs = mode.attributes()
    out: dict[str, Channel] = {}
    for attr, keys in mode.head_groups().items():
        chans = [attrs[k] for k in keys]
        first = chans[0]
        if attr == "dimmer" and has_virtual_dimmer(mode):
            continue
        if any(bool(c.wheel) != bool(first.wheel) or c.wheel != first.wheel for c in chans):
            continue
        out[attr] = Channel(
            attribute=attr, default=first.default, htp=first.htp, wheel=first.wheel, label="every head"
        )
    _HEAD_GROUPS[id(mode)] = (mode, out)
    return out


_HEAD_GROUPS: dict[int, tuple[Mode, dict[str, Channel]]] = {}


def base_attribute(key: str) -> str:
    """`red` for `3.red` (a head's attribute) and for `red`."""
    return key.rpartition(".")[2]


@dataclass(frozen=True, slots=True)
class Group:
    """A named set of fixtures controlled together (`light.<group>.<attribute>`)."""

    name: str
    members: tuple[str, ...]  # fixture names, nested groups flattened


@dataclass(frozen=True, slots=True)
class ContinuousParam:
    """An OSC or serial value driven by a parameter: sent when it changes, scaled onto the wire."""

    name: str
    target: str  # OSC address template or serial command name
    minimum: float = 0.0
    maximum: float = 1.0
    default: float = 0.0
    out: tuple[float, float] | None = None  # wire range the param range maps onto
    integer: bool = False  # send as an integer
    unit: str = ""

    def wire_value(self, value: float) -> float | int:
        """The value as sent: clamped, scaled onto `out`, rounded when integer."""
        v = min(self.maximum, max(self.minimum, value))
        if self.out is not None and self.maximum != self.minimum:
            f = (v - self.minimum) / (self.maximum - self.minimum)
            v = self.out[0] + f * (self.out[1] - self.out[0])
        return round(v) if self.integer else float(v)


def template_fields(template: str) -> list[str]:
    """The `{…}` placeholders of an address/command template, in order."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


@dataclass(frozen=True, slots=True)
class OscEndpoint:
    """A remote OSC receiver (a media server, a console) with named address templates."""

    name: str
    host: str
    port: int
    addresses: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # name → "/layer/{layer}/opacity"
    params: Mapping[str, ContinuousParam] = field(default_factory=lambda: _EMPTY)
    bundle: bool = True  # params changed in one frame go out as one bundle

    def address(self, address: str, fields: Mapping[str, Any] | None = None) -> str:
        """A named address or a literal `/path`, placeholders filled; ValueError names what is wrong."""
        template = self.addresses.get(address, address)
        if not template.startswith("/"):
            valid = ", ".join(sorted(self.addresses)) or "none defined"
            raise ValueError(
                f"OSC endpoint {self.name!r} has no address {address!r} "
                f"(named addresses: {valid}; or write a literal /path)"
            )
        names = template_fields(template)
        if not names:
            return template
        missing = [n for n in names if n not in (fields or {})]
        if missing:
            raise ValueError(f"OSC address {template!r} needs {', '.join(missing)}")
        return template.format(**(fields or {}))


@dataclass(frozen=True, slots=True)
class SerialDevice:
    """A line-based serial device (an Arduino driving relays or a fan) with named commands."""

    name: str
    port: str
    baud: int = 115200
    line_ending: str = "\n"
    commands: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # name → "SPEED {0}"
    params: Mapping[str, ContinuousParam] = field(default_factory=lambda: _EMPTY)
    reply: str = ""  # regex a healthy answer line matches ("" = the device does not answer)

    def line(self, command: str, args: Sequence[Any] = ()) -> str:
        """The text line for a command (without line ending); ValueError names what is wrong."""
        if command not in self.commands:
            valid = ", ".join(sorted(self.commands)) or "none defined"
            raise ValueError(f"serial device {self.name!r} has no command {command!r} (valid: {valid})")
        template = self.commands[command]
        fields = template_fields(template)
        if not fields:
            return " ".join([template, *(_fmt(a) for a in args)])
        if len(args) != len(fields):
            raise ValueError(
                f"serial command {self.name}.{command} ({template!r}) takes {len(fields)} "
                f"argument(s), got {len(args)}"
            )
        try:
            return template.format(*[_fmt(a) for a in args])
        except (IndexError, KeyError) as exc:
            raise ValueError(f"serial command {template!r}: use positional {{0}}, {{1}}: {exc}") from None


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class Projection:
    """The projectors of the venue: render size and one output (monitor, corner pin) per projector."""

    size: tuple[int, int] = (1920, 1080)
    render_scale: float = 1.0  # scenes may render below the output size; the window scales up
    fps: float = 60.0
    outputs: tuple[Any, ...] = ()  # installation.projection.warp.OutputConfig, in file order


@dataclass(frozen=True, slots=True)
class PJLinkProjector:
    """A projector controlled over PJLink: on at opening, off at closing; lamp and errors in health.

    The password never sits in the rig file: `password_env` names a variable, `password_file` a file.
    """

    name: str
    host: str
    port: int = 4352
    password_env: str = ""
    password_file: Path | None = None  # resolved against the project folder
    input: str = ""  # PJLink input code to select after power-on, e.g. "31" (first digital input)
    poll_s: float = 30.0


@dataclass(frozen=True, slots=True)
class FleetSettings:
    """Where this show reports to the fleet: an MQTT broker, its user and a password file (never in clear)."""

    broker: str  # host:port
    user: str = ""
    password_file: Path | None = None
    show_id: str = ""  # "" = the show file's name


@dataclass(frozen=True, eq=False)
class Rig:
    """A venue's rig, loaded and checked; what the show loader and the rig outputs use."""

    name: str
    source: str
    outputs: Mapping[str, DmxOutput]
    fixtures: Mapping[str, Fixture]
    groups: Mapping[str, Group]
    osc_endpoints: Mapping[str, OscEndpoint]
    serial_devices: Mapping[str, SerialDevice]
    projection: Projection | None = None
    projectors: Mapping[str, PJLinkProjector] = field(default_factory=lambda: _EMPTY)
    fleet: FleetSettings | None = None

    @property
    def universes(self) -> tuple[int, ...]:
        """All rig universe numbers that have an output, sorted."""
        return tuple(sorted({u for o in self.outputs.values() for u in o.universes}))

    def members(self, name: str) -> tuple[Fixture, ...]:
        """The fixtures a fixture or group name stands for."""
        if name in self.fixtures:
            return (self.fixtures[name],)
        group = self.groups[name]
        return tuple(self.fixtures[m] for m in group.members)

    def target_attributes(self, name: str) -> dict[str, ParamSpec]:
        """Attribute → ParamSpec for a fixture or group (a group has the attributes all members share)."""
        members = self.members(name)
        common: dict[str, Channel] | None = None
        for fx in members:
            attrs = fx.attributes()
            if common is None:
                common = dict(attrs)
                continue
            for attr in list(common):
                other = attrs.get(attr)
                if other is None or bool(other.wheel) != bool(common[attr].wheel):
                    del common[attr]
                elif other.wheel:  # keep the wheel slots every member has, in the first member's order
                    names = {s for s, _ in other.wheel}
                    common[attr] = dataclasses.replace(
                        common[attr], wheel=tuple(s for s in common[attr].wheel if s[0] in names)
                    )
        out: dict[str, ParamSpec] = {}
        for attr, ch in (common or {}).items():
            full = f"light.{name}.{attr}"
            if ch.wheel:
                if not ch.wheel:
                    continue
                choices = tuple((slot, float(i)) for i, (slot, _) in enumerate(ch.wheel))
                default = min(ch.default, len(choices) - 1)
                out[attr] = ParamSpec(full, 0.0, float(len(choices) - 1), default, "", "choice", choices)
            else:
                kind = "color-component" if base_attribute(attr) in COLOR_ATTRIBUTES else "float"
                out[attr] = ParamSpec(full, 0.0, 1.0, ch.default, "", kind)
        return out

    def parameters(self) -> dict[str, ParamSpec]:
        """Every `light.*`, `osc.*` and `serial.*` parameter of the rig, groups included."""
        cached = self.__dict__.get("_parameters")
        if cached is None:
            cached = self._build_parameters()
            object.__setattr__(self, "_parameters", cached)  # the rig is immutable: compute once
        return dict(cached)

    def _build_parameters(self) -> dict[str, ParamSpec]:
        out: dict[str, ParamSpec] = {}
        for name in [*self.fixtures, *self.groups]:
            for spec in self.target_attributes(name).values():
                out[spec.name] = spec
        for ep in self.osc_endpoints.values():
            for p in ep.params.values():
                full = f"osc.{ep.name}.{p.name}"
                out[full] = ParamSpec(full, p.minimum, p.maximum, p.default, p.unit)
        for dev in self.serial_devices.values():
            for p in dev.params.values():
                full = f"serial.{dev.name}.{p.name}"
                out[full] = ParamSpec(full, p.minimum, p.maximum, p.default, p.unit)
        return out

    def color_expand(self, param: str, color: str) -> dict[str, float]:
        """`light.X.color` + "#rrggbb" (or a wheel slot name) → the params that make that colour.

        RGBW: white takes the common part of r, g, b; CMY: subtractive. ValueError explains a misfit.
        """
        parts = param.split(".")
        if len(parts) not in (3, 4) or parts[0] != "light" or parts[-1] != "color":
            raise ValueError(
                f"{param!r} is not a colour parameter (write light.<fixture-or-group>.color, "
                "or light.<fixture>.<head>.color)"
            )
        target = parts[1]
        if target not in self.fixtures and target not in self.groups:
            raise ValueError(
                f"no fixture or group {target!r} in rig {self.source}"
                f" (valid: {', '.join(sorted([*self.fixtures, *self.groups]))})"
            )
        attrs = self.target_attributes(target)
        if len(parts) == 4:  # one head of a fixture: its own attributes, named without the head
            head = parts[2]
            attrs = {a[len(head) + 1 :]: s for a, s in attrs.items() if a.startswith(f"{head}.")}
            if not attrs:
                heads = [h.name for h in self.fixtures[target].mode.heads] if target in self.fixtures else []
                raise ValueError(f"{target} has no head {head!r} (heads: {', '.join(heads) or 'none'})")
            target = f"{target}.{head}"
        wheel = attrs.get("color")
        match = HEX_COLOR_RE.match(color.strip()) if isinstance(color, str) else None
        if wheel is not None and wheel.kind == "choice":
            for slot, index in wheel.choices:
                if isinstance(color, str) and slot.lower() == color.strip().lower():
                    return {wheel.name: index}
            if match is None or not {"red", "green", "blue"} <= attrs.keys():
                raise ValueError(
                    f"{target} has a colour wheel: use one of " + ", ".join(s for s, _ in wheel.choices)
                )
        if match is None:
            raise ValueError(f'colour {color!r} must be written #rrggbb, e.g. "#ff8800"')
        h = match.group(1)
        r, g, b = (int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
        prefix = f"light.{target}."
        if {"red", "green", "blue"} <= attrs.keys():
            out = {}
            if "white" in attrs:
                w = min(r, g, b)
                r, g, b = r - w, g - w, b - w
                out[prefix + "white"] = round(w, 6)
            out.update(
                {prefix + "red": round(r, 6), prefix + "green": round(g, 6), prefix + "blue": round(b, 6)}
            )
            for extra in ("amber", "uv", "lime"):  # colours a hex value does not describe are turned off
                if extra in attrs:
                    out[prefix + extra] = 0.0
            return out
        if {"cyan", "magenta", "yellow"} <= attrs.keys():
            return {
                prefix + "cyan": round(1 - r, 6),
                prefix + "magenta": round(1 - g, 6),
                prefix + "yellow": round(1 - b, 6),
            }
        raise ValueError(f"{target} has no red/green/blue or cyan/magenta/yellow to mix {color}")

    def with_targets(
        self,
        *,
        dmx: Mapping[str, str | tuple[str, int]] | None = None,
        osc: Mapping[str, tuple[str, int]] | None = None,
        serial: Mapping[str, str] | None = None,
    ) -> Rig:
        """The same rig with outputs pointed elsewhere (simulators in rehearsal).

        dmx: output name → serial path (enttec-usb-pro) or (host, udp_port) (artnet/sacn);
        osc: endpoint → (host, port); serial: device → port path. Unknown names raise KeyError.
        """
        outputs = dict(self.outputs)
        for name, target in (dmx or {}).items():
            o = outputs[name]
            if o.type == "enttec-usb-pro":
                if not isinstance(target, str):
                    raise TypeError(f"output {name} is a serial widget: give a port path")
                outputs[name] = dataclasses.replace(o, port=target)
            else:
                if isinstance(target, str):
                    raise TypeError(f"output {name} is a network output: give (host, udp_port)")
                outputs[name] = dataclasses.replace(o, host=target[0], udp_port=int(target[1]))
        endpoints = dict(self.osc_endpoints)
        for name, (host, port) in (osc or {}).items():
            endpoints[name] = dataclasses.replace(endpoints[name], host=host, port=int(port))
        devices = dict(self.serial_devices)
        for name, port_path in (serial or {}).items():
            devices[name] = dataclasses.replace(devices[name], port=port_path)
        return dataclasses.replace(
            self,
            outputs=MappingProxyType(outputs),
            osc_endpoints=MappingProxyType(endpoints),
            serial_devices=MappingProxyType(devices),
        )


# ---------------------------------------------------------------- loading

_TOP_KEYS = ("rig", "outputs", "fixtures", "groups", "osc", "serial", "projection", "projectors", "fleet")
_PROJECTOR_KEYS = ("host", "port", "password_env", "password_file", "input", "poll")
_FLEET_KEYS = ("broker", "user", "password_file", "show_id")
_PROJECTION_KEYS = ("size", "render_scale", "fps", "outputs")
_OUTPUT_KEYS = {
    "enttec-usb-pro": ("type", "port", "universe", "rate"),
    "artnet": ("type", "host", "port", "universe", "universes", "net_universe", "rate"),
    "sacn": ("type", "host", "port", "universe", "universes", "net_universe", "priority", "rate"),
}
_FIXTURE_KEYS = ("profile", "mode", "universe", "address", "position", "map", "count", "limits", "invert")
_OSC_KEYS = ("host", "port", "addresses", "params", "bundle")
_SERIAL_KEYS = ("port", "baud", "line_ending", "commands", "params", "reply")
_PARAM_KEYS = ("address", "command", "range", "default", "out", "integer", "unit")
_LINE_ENDINGS = {"\n": "\n", "\r\n": "\r\n", "\r": "\r", "lf": "\n", "crlf": "\r\n", "cr": "\r"}


class _Checker:
    """Collects problems with positions while a rig file is read."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def at(self, node: Any, key: Any, message: str, hint: str = "", value: bool = True) -> None:
        if key is None:
            line, col = node_pos(node)
        else:
            line, col = (value_pos if value else key_pos)(node, key)
        self.problems.append(Problem(self.file, line, col, message, hint))

    def keys(self, node: CommentedMap, allowed: Sequence[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.at(
                    node, key, f"unknown key {key!r} in {what}", "valid: " + ", ".join(allowed), value=False
                )

    def mapping(self, parent: Any, key: Any, what: str, hint: str = "") -> CommentedMap | None:
        node = parent.get(key) if isinstance(parent, CommentedMap) else None
        if node is None:
            return None
        if not isinstance(node, CommentedMap):
            self.at(parent, key, f"{what} must be a mapping", hint)
            return None
        return node

    def entries(self, node: CommentedMap | None, kind: str, example: str
                ) -> Iterator[tuple[str, str, CommentedMap]]:
        """(name, "<kind> <name>", spec) for each well-named entry of a section whose spec is a mapping."""
        for key, spec in (node or {}).items():
            if not self.name(node, key, kind):
                continue
            what = f"{kind} {key}"
            if not isinstance(spec, CommentedMap):
                self.at(node, key, f"{what} must be a mapping", example)
                continue
            yield key, what, spec

    def name(self, node: Any, key: Any, kind: str) -> bool:
        if not isinstance(key, str) or not NAME_RE.match(key):
            self.at(
                node,
                key,
                f"{kind} name {key!r} must start with a letter and use letters, digits, _ or -",
                "e.g. wash1, media-server",
                value=False,
            )
            return False
        return True

    def integer(
        self, node: CommentedMap, key: str, lo: int, hi: int, what: str, *, default: int | None = None
    ) -> int | None:
        if key not in node:
            if default is None:
                self.at(node, None, f"{what}: `{key}:` is required", f"a whole number {lo}..{hi}")
            return default
        v = node[key]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            self.at(node, key, f"{what}: {key} {v!r} must be a whole number {lo}..{hi}")
            return None
        return v

    def text(self, node: CommentedMap, key: str, what: str, hint: str = "") -> str | None:
        v = node.get(key)
        if not isinstance(v, str) or not v.strip():
            if key in node:
                self.at(node, key, f"{what}: {key} must be text", hint)
            else:
                self.at(node, None, f"{what}: `{key}:` is required", hint)
            return None
        return v.strip()

    def fraction(self, node: Any, key: Any, what: str) -> float | None:
        v = node[key]
        f = parse_fraction(v)
        if f is None:
            self.at(node, key, f"{what}: {v!r} must be a fraction 0..1 or a percentage", 'e.g. 0.8 or "80%"')
        return f


def parse_fraction(value: Any) -> float | None:
    """0..1 from a bare number or "NN%"; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if 0.0 <= value <= 1.0 else None
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            f = float(value.strip()[:-1]) / 100.0
        except ValueError:
            return None
        return f if 0.0 <= f <= 1.0 else None
    return None


def load_rig(path: Path, root: Path) -> Rig:
    """Load and check a rig file; raises ShowError with every problem and its file:line:col."""
    display = display_path(path, root)
    if not _inside(path, root):
        raise ShowError(
            [
                Problem(
                    display,
                    1,
                    1,
                    "the rig file is outside the project folder",
                    f"put it under {root}/hardware/",
                )
            ]
        )
    data = load_file(path, display)
    chk = _Checker(display)
    if not isinstance(data, CommentedMap):
        raise ShowError(
            [
                Problem(
                    display,
                    1,
                    1,
                    "a rig file must be a mapping",
                    "start with `rig: NAME`, then outputs:, fixtures:",
                )
            ]
        )
    chk.keys(data, _TOP_KEYS, "the rig")
    name = data.get("rig", path.stem)
    if not isinstance(name, str):
        chk.at(data, "rig", "rig: must be the venue/rig name as text")
        name = path.stem

    outputs = _load_outputs(chk, data)
    fixtures, counted = _load_fixtures(chk, data, path.parent, root, outputs)
    groups = _load_groups(chk, data, fixtures, counted)
    osc = _load_osc(chk, data)
    serial = _load_serial(chk, data)
    projection = _load_projection(chk, data)
    projectors = _load_projectors(chk, data, root)
    fleet = _load_fleet(chk, data, root)
    if chk.problems:
        raise ShowError(chk.problems)
    return Rig(
        name=name,
        source=display,
        outputs=MappingProxyType(outputs),
        fixtures=MappingProxyType(fixtures),
        groups=MappingProxyType(groups),
        osc_endpoints=MappingProxyType(osc),
        serial_devices=MappingProxyType(serial),
        projection=projection,
        projectors=MappingProxyType(projectors),
        fleet=fleet,
    )


def _load_projection(chk: _Checker, data: CommentedMap) -> Projection | None:
    """`projection:` — size, render_scale, fps and outputs (each: monitor, fullscreen, corners, source)."""
    from installation.projection.warp import OutputConfig

    node = chk.mapping(data, "projection", "projection", "projection: {size: [1920, 1080], outputs: {...}}")
    if node is None:
        return None
    chk.keys(node, _PROJECTION_KEYS, "projection")
    size = (1920, 1080)
    raw = node.get("size")
    if raw is not None:
        if isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, int) and v > 0 for v in raw):
            size = (int(raw[0]), int(raw[1]))
        else:
            chk.at(node, "size", "projection size must be [width, height] in pixels", "e.g. [1920, 1080]")
    scale = node.get("render_scale", 1.0)
    if not isinstance(scale, int | float) or isinstance(scale, bool) or not 0.1 <= scale <= 1.0:
        chk.at(node, "render_scale", "render_scale must be a number from 0.1 to 1.0", "1.0 = full size")
        scale = 1.0
    fps = node.get("fps", 60)
    if not isinstance(fps, int | float) or isinstance(fps, bool) or not 1 <= fps <= 240:
        chk.at(node, "fps", "fps must be a number from 1 to 240", "the projectors' refresh rate, e.g. 60")
        fps = 60
    outputs: list[Any] = []
    outs = node.get("outputs")
    if outs is not None:
        if not isinstance(outs, CommentedMap):
            chk.at(node, "outputs", "projection outputs must be a mapping of name: {monitor, corners, ...}")
        else:
            for name, spec in outs.items():
                if not isinstance(spec, CommentedMap):
                    chk.at(
                        outs,
                        name,
                        f"projection output {name}: must be a mapping",
                        "e.g. {monitor: 0, fullscreen: true, corners: [[0,0],[1,0],[1,1],[0,1]]}",
                    )
                    continue
                try:
                    outputs.append(OutputConfig.parse(dict(spec), str(name)))
                except (ValueError, TypeError, KeyError) as exc:
                    chk.at(outs, name, f"projection output {name}: {exc}")
    return Projection((size[0], size[1]), float(scale), float(fps), tuple(outputs))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _load_outputs(chk: _Checker, data: CommentedMap) -> dict[str, DmxOutput]:
    node = chk.mapping(
        data, "outputs", "outputs", "map output names to {type: enttec-usb-pro|artnet|sacn, ...}"
    )
    outputs: dict[str, DmxOutput] = {}
    seen_universes: dict[int, str] = {}
    for oname, what, spec in chk.entries(node, "output", "e.g. {type: artnet, host: 10.0.0.5, universe: 2}"):
        otype = spec.get("type")
        if otype not in OUTPUT_TYPES:
            chk.at(
                spec,
                "type" if "type" in spec else None,
                f"{what}: type {otype!r} is not an output type",
                "valid: " + ", ".join(OUTPUT_TYPES),
            )
            continue
        chk.keys(spec, _OUTPUT_KEYS[otype], what)
        if "universe" in spec and "universes" in spec:
            chk.at(spec, "universes", f"{what}: give `universe:` or `universes:`, not both")
            continue
        universes: list[int] = []
        if "universes" in spec:
            seq = spec["universes"]
            if (
                not isinstance(seq, CommentedSeq)
                or not seq
                or not all(isinstance(u, int) and not isinstance(u, bool) and 1 <= u <= 63999 for u in seq)
            ):
                chk.at(spec, "universes", f"{what}: universes must be a list of numbers 1..63999")
                continue
            universes = list(seq)
        else:
            u = chk.integer(spec, "universe", 1, 63999, what)
            if u is None:
                continue
            universes = [u]
        key = "universes" if "universes" in spec else "universe"
        for u in universes:
            if u in seen_universes:
                chk.at(
                    spec,
                    key,
                    f"{what}: universe {u} is already sent by output {seen_universes[u]}",
                    "each universe has one output",
                )
            seen_universes[u] = oname
        rate = spec.get("rate", 44)
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 1 <= rate <= 44:
            chk.at(spec, "rate", f"{what}: rate {rate!r} must be 1..44 (refreshes per second)")
            rate = 44
        if otype == "enttec-usb-pro":
            if len(universes) != 1:
                chk.at(spec, key, f"{what}: an Enttec USB Pro sends one universe")
            port = chk.text(spec, "port", what, "e.g. port: /dev/serial/by-id/usb-ENTTEC_DMX_USB_PRO_...")
            outputs[oname] = DmxOutput(oname, otype, tuple(universes), port=port or "", rate_hz=float(rate))
            continue
        default_port = ARTNET_PORT if otype == "artnet" else SACN_PORT
        udp_port = chk.integer(spec, "port", 1, 65535, what, default=default_port) or default_port
        host = spec.get("host", "" if otype == "sacn" else None)
        if not isinstance(host, str) or (otype == "artnet" and not host):
            chk.at(
                spec,
                "host" if "host" in spec else None,
                f"{what}: `host:` must be the node's IP address",
                "e.g. host: 10.0.0.20 (Art-Net broadcast: 2.255.255.255)",
            )
            host = ""
        top = 32767 if otype == "artnet" else 63999
        first = 0 if otype == "artnet" else 1
        net = chk.integer(spec, "net_universe", first, top, what, default=universes[0])
        if net is not None and net + len(universes) - 1 > top:
            chk.at(spec, "net_universe", f"{what}: network universes run past {top}")
        priority = 100
        if otype == "sacn":
            priority = chk.integer(spec, "priority", 0, 200, what, default=100) or 0
        outputs[oname] = DmxOutput(
            oname,
            otype,
            tuple(universes),
            host=host,
            udp_port=udp_port,
            net_universe=net if net is not None else universes[0],
            priority=priority,
            rate_hz=float(rate),
        )
    return outputs


def _load_fixtures(
    chk: _Checker, data: CommentedMap, rig_dir: Path, root: Path, outputs: dict[str, DmxOutput]
) -> tuple[dict[str, Fixture], dict[str, tuple[str, ...]]]:
    """Fixtures by name, and the groups that `count:` patches make (strip → strip1..stripN)."""
    node = chk.mapping(data, "fixtures", "fixtures", "map fixture names to {profile, universe, address}")
    fixtures: dict[str, Fixture] = {}
    counted: dict[str, tuple[str, ...]] = {}
    profiles: dict[Path, FixtureProfile | str] = {}
    universes = {u for o in outputs.values() for u in o.universes}
    used: dict[int, list[tuple[int, int, str]]] = {}
    example = "e.g. {profile: generic-rgbw, universe: 1, address: 1}"
    for fname, what, spec in chk.entries(node, "fixture", example):
        chk.keys(spec, _FIXTURE_KEYS, what)
        profile = _resolve_profile(chk, spec, rig_dir, root, profiles, what=what)
        mode: Mode | None = None
        if profile is not None:
            mode_name = spec.get("mode")
            if mode_name is not None and not isinstance(mode_name, str):
                mode_name = str(mode_name)
            mode = profile.mode(mode_name)
            if mode is None:
                chk.at(
                    spec,
                    "mode",
                    f"{what}: profile {profile.name!r} has no mode {mode_name!r}",
                    "valid: " + ", ".join(m.name for m in profile.modes),
                )
        universe = chk.integer(spec, "universe", 1, 63999, what)
        if universe is not None and universe not in universes:
            chk.at(
                spec,
                "universe",
                f"{what}: universe {universe} has no output",
                "universes with an output: " + (", ".join(map(str, sorted(universes))) or "none"),
            )
            universe = None
        address = chk.integer(spec, "address", 1, 512, what)
        count = chk.integer(spec, "count", 1, 512, what, default=1) or 1
        positions = _positions(chk, spec, count, what)
        places = _places(chk, spec, "position", count, mode=mode, what=what, where="in the room plan")
        mapped = _places(chk, spec, "map", count, mode=mode, what=what, where="in the projection scene")
        limits = _limits(chk, spec, mode, what)
        invert: tuple[str, ...] = ()
        if "invert" in spec:
            inv = spec["invert"]
            if not isinstance(inv, CommentedSeq) or not all(isinstance(a, str) for a in inv):
                chk.at(spec, "invert", f"{what}: invert must be a list of attributes", "e.g. invert: [pan]")
            else:
                invert = tuple(inv)
                if mode is not None:
                    for a in invert:
                        if a not in mode_attributes(mode):
                            chk.at(
                                spec,
                                "invert",
                                f"{what}: no attribute {a!r} to invert",
                                "valid: " + ", ".join(mode_attributes(mode)),
                            )
        if mode is None or profile is None or universe is None or address is None:
            continue
        names = [fname] if count == 1 else [f"{fname}{i}" for i in range(1, count + 1)]
        for i, member in enumerate(names):
            start = address + i * mode.footprint
            end = start + mode.footprint - 1
            if end > 512:
                chk.at(
                    spec,
                    "address",
                    f"{what}: {member} at {universe}.{start} needs {mode.footprint} channels "
                    f"and runs past channel 512",
                    "patch it lower or on another universe",
                )
                break
            for lo, hi, other in used.get(universe, []):
                if start <= hi and lo <= end:
                    chk.at(
                        spec,
                        "address",
                        f"{what}: {member} ({universe}.{start}-{end}) overlaps {other} "
                        f"({universe}.{lo}-{hi})",
                        "give each fixture its own channels",
                    )
                    break
            used.setdefault(universe, []).append((start, end, member))
            if member in fixtures or (member != fname and member in node):
                chk.at(node, fname, f"{what}: fixture name {member!r} is used twice", value=False)
                continue
            fixtures[member] = Fixture(
                member, profile, mode, universe, start, positions[i], limits, invert, places[i], mapped[i]
            )
        if count > 1:
            counted[fname] = tuple(names)
    return fixtures, counted


def _resolve_profile(
    chk: _Checker,
    spec: CommentedMap,
    rig_dir: Path,
    root: Path,
    cache: dict[Path, FixtureProfile | str],
    *,
    what: str,
) -> FixtureProfile | None:
    ref = spec.get("profile")
    if not isinstance(ref, str) or not ref.strip():
        chk.at(
            spec,
            "profile" if "profile" in spec else None,
            f"{what}: `profile:` is required",
            "a file in hardware/fixtures/ (e.g. generic-rgbw) or a path to .yaml/.json/.qxf",
        )
        return None
    ref = ref.strip()
    candidate = Path(ref)
    if candidate.suffix.lower() in (".yaml", ".yml", ".json", ".qxf"):
        path = (rig_dir / candidate) if not candidate.is_absolute() else candidate
    else:
        path = rig_dir / "fixtures" / f"{ref}.yaml"
    if not _inside(path, root):
        chk.at(
            spec,
            "profile",
            f"{what}: profile {ref!r} is outside the project folder",
            "copy it into hardware/fixtures/",
        )
        return None
    if not path.is_file():
        folder = rig_dir / "fixtures"
        known = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        chk.at(
            spec,
            "profile",
            f"{what}: no fixture profile {display_path(path, root)}",
            "valid: " + (", ".join(known) if known else "add one to hardware/fixtures/"),
        )
        return None
    key = path.resolve()
    if key not in cache:
        cache[key] = _load_any_profile(path, display_path(path, root))
    got = cache[key]
    if isinstance(got, str):
        chk.at(spec, "profile", f"{what}: {got}")
        return None
    return got


def _load_any_profile(path: Path, display: str) -> FixtureProfile | str:
    """A profile from our YAML, Open Fixture Library JSON or QLC+ .qxf; a one-line reason on failure."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            from installation.rig.importers import import_ofl

            return import_ofl(path)
        if suffix == ".qxf":
            from installation.rig.importers import import_qxf

            return import_qxf(path)
        return load_profile(path, display)
    except ShowError as exc:
        return "profile has problems: " + "; ".join(str(p) for p in exc.problems)
    except ProfileRejected as exc:
        return f"cannot import {display}: {exc}"


def _places(
    chk: _Checker, spec: CommentedMap, key: str, count: int, *, mode: Mode | None, what: str, where: str
) -> list[tuple[tuple[float, float], ...]]:
    """Each patched fixture's head places from `position:` or `map:` (0..1, x right, y down).

    A point puts every head there. A line `[[x0, y0], [x1, y1]]` runs from the first fixture's centre to the
    last one's (a single fixture: from one end to the other), its heads spread along their part of it; a
    matrix's rows and columns fill the rectangle the line spans."""
    if key not in spec or mode is None:
        return [()] * count
    node = spec[key]

    def point(p: Any) -> tuple[float, float] | None:
        if (
            isinstance(p, CommentedSeq)
            and len(p) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
        ):
            return float(p[0]), float(p[1])
        return None

    uvs = [h.position for h in mode.heads] or [(0.5, 0.5)]
    single = point(node)
    if single is not None:
        return [tuple(single for _ in uvs)] * count
    ends = [point(p) for p in node] if isinstance(node, CommentedSeq) and len(node) == 2 else [None]
    a, b = (ends[0], ends[1]) if len(ends) == 2 else (None, None)
    if a is None or b is None:
        chk.at(
            spec,
            key,
            f"{what}: {key} must be [x, y] {where} (0..1)",
            "or [[x0, y0], [x1, y1]]: a line (a bar, a count of fixtures) or a rectangle (a matrix)",
        )
        return [()] * count
    flat = len({round(v, 6) for _, v in uvs}) == 1  # heads in one row: along the line
    out = []
    for i in range(count):
        heads = []
        for u, v in uvs:
            t = (i + u - 0.5) / (count - 1) if count > 1 else u
            s = t if flat else (i + v - 0.5) / (count - 1) if count > 1 else v
            heads.append((round(a[0] + (b[0] - a[0]) * t, 6), round(a[1] + (b[1] - a[1]) * s, 6)))
        out.append(tuple(heads))
    return out


def _positions(chk: _Checker, spec: CommentedMap, count: int, what: str) -> list[tuple[float, float] | None]:
    if "position" not in spec:
        return [None] * count
    pos = spec["position"]

    def point(p: Any) -> tuple[float, float] | None:
        if (
            isinstance(p, CommentedSeq)
            and len(p) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
        ):
            return float(p[0]), float(p[1])
        return None

    single = point(pos)
    if single is not None:
        return [single] * count
    if isinstance(pos, CommentedSeq) and len(pos) == 2:
        a, b = point(pos[0]), point(pos[1])
        if a is not None and b is not None and count == 1:
            return [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)]  # a bar or a matrix: its centre
        if a is not None and b is not None:
            return [
                (a[0] + (b[0] - a[0]) * i / (count - 1), a[1] + (b[1] - a[1]) * i / (count - 1))
                for i in range(count)
            ]
        return [None] * count  # reported by _places
    chk.at(
        spec,
        "position",
        f"{what}: position must be [x, y] in the room plan (0..1)",
        "with count: also [[x0, y0], [x1, y1]] to spread them along a line",
    )
    return [None] * count


def _limits(
    chk: _Checker, spec: CommentedMap, mode: Mode | None, what: str
) -> Mapping[str, tuple[float, float]]:
    node = chk.mapping(spec, "limits", f"{what}: limits", 'e.g. limits: {dimmer: "80%", tilt: [0.2, 0.8]}')
    if node is None:
        return _EMPTY
    out: dict[str, tuple[float, float]] = {}
    attrs = mode_attributes(mode) if mode is not None else None
    for attr, value in node.items():
        if attrs is not None and (attr not in attrs or attrs[attr].wheel):
            chk.at(
                node,
                attr,
                f"{what}: no continuous attribute {attr!r} to limit",
                "valid: " + ", ".join(a for a, c in attrs.items() if not c.wheel),
                value=False,
            )
            continue
        if isinstance(value, CommentedSeq) and len(value) == 2:
            lo, hi = parse_fraction(value[0]), parse_fraction(value[1])
            if lo is None or hi is None or lo > hi:
                chk.at(node, attr, f"{what}: limits.{attr} must be [low, high] fractions, low <= high")
                continue
            out[str(attr)] = (lo, hi)
        else:
            hi = chk.fraction(node, attr, f"{what}: limits.{attr}")
            if hi is not None:
                out[str(attr)] = (0.0, hi)
    return MappingProxyType(out)


def _load_groups(
    chk: _Checker, data: CommentedMap, fixtures: dict[str, Fixture], counted: dict[str, tuple[str, ...]]
) -> dict[str, Group]:
    raw: dict[str, tuple[list[str], Any]] = {name: (list(members), None) for name, members in counted.items()}
    node = chk.mapping(
        data, "groups", "groups", "map group names to lists of fixtures, e.g. wash: [wash1, wash2]"
    )
    for gname, members in (node or {}).items():
        if not chk.name(node, gname, "group"):
            continue
        if gname in fixtures or gname in raw:
            chk.at(node, gname, f"group {gname!r} has the name of a fixture or another group", value=False)
            continue
        if (
            not isinstance(members, CommentedSeq)
            or not members
            or not all(isinstance(m, str) for m in members)
        ):
            chk.at(
                node, gname, f"group {gname}: must be a list of fixture or group names", "e.g. [wash1, wash2]"
            )
            continue
        raw[gname] = (list(members), node)
    valid = sorted([*fixtures, *raw])
    groups: dict[str, Group] = {}

    def flatten(name: str, trail: tuple[str, ...]) -> list[str] | None:
        members, gnode = raw[name]
        out: list[str] = []
        for i, m in enumerate(members):
            if m in fixtures:
                out.append(m)
            elif m in raw:
                if m in trail:
                    chk.at(
                        gnode, name, f"group {name}: groups contain each other ({' → '.join([*trail, m])})"
                    )
                    return None
                sub = flatten(m, (*trail, m))
                if sub is None:
                    return None
                out.extend(sub)
            else:
                where = gnode[name] if gnode is not None else None
                if where is not None:
                    chk.at(where, i, f"group {name}: no fixture or group {m!r}", "valid: " + ", ".join(valid))
                return None
        return list(dict.fromkeys(out))

    for gname in raw:
        members = flatten(gname, (gname,))
        if members is not None:
            groups[gname] = Group(gname, tuple(members))
    return groups


def _load_params(
    chk: _Checker, node: CommentedMap, what: str, target_key: str, targets: Mapping[str, str]
) -> dict[str, ContinuousParam]:
    params_node = chk.mapping(
        node, "params", f"{what}: params", f"map names to {{{target_key}: ..., range: [0, 1]}}"
    )
    out: dict[str, ContinuousParam] = {}
    for pname, spec in (params_node or {}).items():
        if not chk.name(params_node, pname, "parameter"):
            continue
        pwhat = f"{what} param {pname}"
        if not isinstance(spec, CommentedMap):
            chk.at(
                params_node, pname, f"{pwhat} must be a mapping", f"e.g. {{{target_key}: ..., range: [0, 1]}}"
            )
            continue
        chk.keys(spec, ("address" if target_key == "address" else "command", *_PARAM_KEYS[2:]), pwhat)
        target = chk.text(spec, target_key, pwhat)
        if target is None:
            continue
        if target_key == "address":
            template = targets.get(target, target)
            if not template.startswith("/"):
                chk.at(
                    spec,
                    target_key,
                    f"{pwhat}: address {target!r} is neither a /path nor a named address",
                    "valid names: " + (", ".join(targets) or "none"),
                )
                continue
            if template_fields(template):
                chk.at(
                    spec,
                    target_key,
                    f"{pwhat}: a continuous param needs a complete address, not {template!r}",
                )
                continue
        elif target not in targets:
            chk.at(
                spec,
                target_key,
                f"{pwhat}: no command {target!r}",
                "valid: " + (", ".join(targets) or "none"),
            )
            continue
        lo, hi = 0.0, 1.0
        if "range" in spec:
            r = spec["range"]
            if (
                not isinstance(r, CommentedSeq)
                or len(r) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)
                or r[0] >= r[1]
            ):
                chk.at(spec, "range", f"{pwhat}: range must be [low, high] numbers, low < high")
                continue
            lo, hi = float(r[0]), float(r[1])
        out_range = None
        if "out" in spec:
            r = spec["out"]
            if (
                not isinstance(r, CommentedSeq)
                or len(r) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)
            ):
                chk.at(spec, "out", f"{pwhat}: out must be [low, high] wire values", "e.g. out: [0, 255]")
                continue
            out_range = (float(r[0]), float(r[1]))
        default = spec.get("default", lo)
        if not isinstance(default, (int, float)) or isinstance(default, bool) or not lo <= default <= hi:
            chk.at(spec, "default", f"{pwhat}: default must be a number in {lo:g}..{hi:g}")
            continue
        unit = spec.get("unit", "")
        integer = spec.get("integer", False)
        if not isinstance(integer, bool):
            chk.at(spec, "integer", f"{pwhat}: integer must be true or false")
            continue
        target_value = target if target_key == "command" else targets.get(target, target)
        out[pname] = ContinuousParam(
            pname, target_value, lo, hi, float(default), out_range, integer, str(unit)
        )
    return out


def _load_osc(chk: _Checker, data: CommentedMap) -> dict[str, OscEndpoint]:
    node = chk.mapping(data, "osc", "osc", "map endpoint names to {host, port, addresses}")
    out: dict[str, OscEndpoint] = {}
    for ename, what, spec in chk.entries(node, "OSC endpoint", "e.g. {host: 10.0.0.7, port: 9000}"):
        chk.keys(spec, _OSC_KEYS, what)
        host = chk.text(spec, "host", what, "the receiver's IP address, e.g. 127.0.0.1")
        port = chk.integer(spec, "port", 1, 65535, what)
        addresses: dict[str, str] = {}
        anode = chk.mapping(spec, "addresses", f"{what}: addresses", "map names to /paths")
        for aname, template in (anode or {}).items():
            if not chk.name(anode, aname, "address"):
                continue
            if not isinstance(template, str) or not template.startswith("/") or " " in template:
                chk.at(
                    anode,
                    aname,
                    f"{what}: address {aname} must be an OSC path starting with /",
                    "e.g. /layer/{layer}/opacity",
                )
                continue
            try:
                template_fields(template)
            except ValueError as exc:
                chk.at(anode, aname, f"{what}: address {template!r}: {exc}", "placeholders look like {layer}")
                continue
            addresses[aname] = template
        params = _load_params(chk, spec, what, "address", addresses)
        bundle = spec.get("bundle", True)
        if not isinstance(bundle, bool):
            chk.at(spec, "bundle", f"{what}: bundle must be true or false")
            bundle = True
        if host is not None and port is not None:
            out[ename] = OscEndpoint(
                ename, host, port, MappingProxyType(addresses), MappingProxyType(params), bundle
            )
    return out


def _load_serial(chk: _Checker, data: CommentedMap) -> dict[str, SerialDevice]:
    node = chk.mapping(data, "serial", "serial", "map device names to {port, baud, commands}")
    out: dict[str, SerialDevice] = {}
    for dname, what, spec in chk.entries(node, "serial device", "e.g. {port: /dev/ttyACM0, baud: 115200}"):
        chk.keys(spec, _SERIAL_KEYS, what)
        port = chk.text(spec, "port", what, "e.g. port: /dev/serial/by-id/usb-Arduino_...")
        baud = chk.integer(spec, "baud", 300, 4_000_000, what, default=115200)
        ending = spec.get("line_ending", "\n")
        if ending not in _LINE_ENDINGS:
            chk.at(spec, "line_ending", f"{what}: line_ending {ending!r} is not known", "valid: lf, crlf, cr")
            ending = "\n"
        commands: dict[str, str] = {}
        cnode = chk.mapping(
            spec, "commands", f"{what}: commands", 'map names to text lines, e.g. speed: "S{0}"'
        )
        for cname, template in (cnode or {}).items():
            if not chk.name(cnode, cname, "command"):
                continue
            if not isinstance(template, str) or not template or "\n" in template or "\r" in template:
                chk.at(cnode, cname, f"{what}: command {cname} must be one line of text", 'e.g. "SPEED {0}"')
                continue
            try:
                fields = template_fields(template)
            except ValueError as exc:
                chk.at(cnode, cname, f"{what}: command {template!r}: {exc}")
                continue
            if any(not f.isdigit() for f in fields):
                chk.at(
                    cnode,
                    cname,
                    f"{what}: command {template!r} uses named placeholders",
                    "use positional {0}, {1}",
                )
                continue
            commands[cname] = template
        params = _load_params(chk, spec, what, "command", {c: c for c in commands})
        reply = spec.get("reply", "")
        if not isinstance(reply, str):
            chk.at(spec, "reply", f"{what}: reply must be a regular expression as text", 'e.g. "^OK"')
            reply = ""
        else:
            try:
                re.compile(reply)
            except re.error as exc:
                chk.at(spec, "reply", f"{what}: reply {reply!r} is not a valid regular expression: {exc}")
                reply = ""
        if port is not None and baud is not None:
            out[dname] = SerialDevice(
                dname,
                port,
                baud,
                _LINE_ENDINGS[ending],
                MappingProxyType(commands),
                MappingProxyType(params),
                reply,
            )
    return out


def _secret_file(chk: _Checker, spec: CommentedMap, what: str, root: Path) -> Path | None:
    raw = spec.get("password_file")
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        chk.at(spec, "password_file", f"{what}: password_file must be a path", "e.g. secrets/projector.txt")
        return None
    return (root / raw.strip()).resolve()


def _load_projectors(chk: _Checker, data: CommentedMap, root: Path) -> dict[str, PJLinkProjector]:
    """`projectors:` — PJLink projectors by name: host, port, password_env | password_file, input, poll."""
    node = chk.mapping(data, "projectors", "projectors", "map names to {host, port, password_file, input}")
    out: dict[str, PJLinkProjector] = {}
    for pname, what, spec in chk.entries(node, "projector", "e.g. {host: 10.0.0.21, input: 31}"):
        chk.keys(spec, _PROJECTOR_KEYS, what)
        host = chk.text(spec, "host", what, "the projector's IP address, e.g. 10.0.0.21")
        port = chk.integer(spec, "port", 1, 65535, what, default=4352)
        env = spec.get("password_env", "")
        if not isinstance(env, str) or (env and not re.match(r"^[A-Z_][A-Z0-9_]*$", env)):
            chk.at(spec, "password_env", f"{what}: password_env must name an environment variable",
                   "e.g. PJLINK_PASSWORD")
            env = ""
        secret = _secret_file(chk, spec, what, root)
        if env and secret is not None:
            chk.at(spec, "password_file", f"{what}: give password_env or password_file, not both")
        code = spec.get("input", "")
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or (code and not re.match(r"^[1-6][1-9A-Z]$", code)):
            chk.at(spec, "input", f"{what}: input {code!r} is not a PJLink input",
                   "two characters: type 1-6 (1 RGB, 2 video, 3 digital, 4 storage, 5 network), then 1-9 "
                   "(class 2 also A-Z); e.g. 31")
            code = ""
        poll = spec.get("poll", "30s")
        poll_s = _seconds(poll)
        if poll_s is None or not 1.0 <= poll_s <= 3600.0:
            chk.at(spec, "poll", f"{what}: poll {poll!r} must be a time from 1s to 3600s", 'e.g. "30s"')
            poll_s = 30.0
        if host is not None and port is not None:
            out[pname] = PJLinkProjector(pname, host, port, env, secret, code, poll_s)
    return out


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip().endswith("s"):
        try:
            return float(value.strip()[:-1])
        except ValueError:
            return None
    return None


def _load_fleet(chk: _Checker, data: CommentedMap, root: Path) -> FleetSettings | None:
    """`fleet:` — the MQTT broker this show reports to: broker host:port, user, password_file, show_id."""
    node = chk.mapping(data, "fleet", "fleet", "fleet: {broker: 10.0.0.2:1883, user: NAME, password_file: F}")
    if node is None:
        return None
    chk.keys(node, _FLEET_KEYS, "fleet")
    broker = chk.text(node, "broker", "fleet", "host:port of the MQTT broker, e.g. 10.0.0.2:1883")
    if broker is not None:
        host, _, port = broker.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            chk.at(node, "broker", f"fleet: broker {broker!r} must be host:port", "e.g. 10.0.0.2:1883")
            broker = None
    user = node.get("user", "")
    if not isinstance(user, str):
        chk.at(node, "user", "fleet: user must be text")
        user = ""
    show_id = node.get("show_id", "")
    if not isinstance(show_id, str) or (show_id and not NAME_RE.match(show_id)):
        chk.at(node, "show_id", "fleet: show_id must be a name (letters, digits, _ or -)", "e.g. unenclosed")
        show_id = ""
    secret = _secret_file(chk, node, "fleet", root)
    if broker is None:
        return None
    return FleetSettings(broker, user, secret, show_id)
