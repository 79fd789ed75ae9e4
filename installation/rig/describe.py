"""`installation rig describe RIG`: fixtures, modes, heads and every parameter path a show can use."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from installation.engine.params import ParamSpec
from installation.rig.rigfile import Fixture, Rig, head_group_attributes, mode_attributes


def describe(rig: Rig, names: Sequence[str] = ()) -> list[str]:
    """The rig as lines of text; `names` (fixtures, groups or parameter paths) narrows it down.

    Raises KeyError with a did-you-mean for a name the rig does not have."""
    params = rig.parameters()
    wanted_fixtures: list[str] = []
    wanted_paths: list[str] = []
    for name in names:
        if name in rig.fixtures or name in rig.groups:
            wanted_fixtures.append(name)
        elif name in params:
            wanted_paths.append(name)
        elif name.startswith("light.") and name.count(".") == 1 and name[6:] in [*rig.fixtures, *rig.groups]:
            wanted_fixtures.append(name[6:])
        else:
            raise KeyError(f"{name!r} is not in rig {rig.source}: {suggest(rig, name)}")
    if wanted_paths and not wanted_fixtures:
        return [_param_line(params[p], rig) for p in wanted_paths]
    everything = not names
    lines: list[str] = []
    if everything:
        lines.append(
            f"rig {rig.name} ({rig.source}): {len(rig.fixtures)} fixtures, {len(rig.groups)} groups, "
            f"universes {', '.join(map(str, rig.universes)) or 'none'}"
        )
    for fx in rig.fixtures.values():
        if everything or fx.name in wanted_fixtures:
            lines += _fixture_lines(fx, params, rig)
    for g in rig.groups.values():
        if everything or g.name in wanted_fixtures:
            lines.append(f"group {g.name}: {', '.join(g.members)}")
            for spec in rig.target_attributes(g.name).values():
                lines.append("  " + _param_line(spec, rig))
    if everything:
        for full, spec in params.items():
            if not full.startswith("light."):
                lines.append(_param_line(spec, rig))
    lines += [_param_line(params[p], rig) for p in wanted_paths]
    return lines


def _fixture_lines(fx: Fixture, params: dict[str, ParamSpec], rig: Rig) -> list[str]:
    mode = fx.mode
    end = fx.address + mode.footprint - 1
    heads = f", {len(mode.heads)} heads" if mode.heads else ""
    out = [
        f"fixture {fx.name}: {_maker_and_name(fx)} [{mode.name}] ({fx.profile.kind}), "
        f"universe {fx.universe} channels {fx.address}-{end}{heads}"
        + (f", at {_xy(fx.position)}" if fx.position is not None else "")
    ]
    if fx.profile.physical:
        out.append("  " + ", ".join(f"{k} {v}" for k, v in fx.profile.physical))
    for i, (prefix, room, scene) in enumerate(fx.pixels()):
        if not mode.heads:
            break
        head = mode.heads[i]
        label = f" ({head.label})" if head.label not in ("", head.name, f"head {head.name}") else ""
        covers = (
            f", drives heads {', '.join(mode.heads[c - 1].name for c in head.covers)}" if head.covers else ""
        )
        where = f" room {_xy(room)}" if room is not None else ""
        where += f" scene {_xy(scene)}" if scene is not None and scene != room else ""
        out.append(f"  head {prefix.rsplit('.', 1)[1]}{label}:{where or ' (no position)'}{covers}")
    attrs = mode_attributes(mode)
    shared = head_group_attributes(mode)
    channel_of = {}
    for pos, key in enumerate(mode.keys):
        if key:
            channel_of.setdefault((key, mode.channels[pos].fine), fx.address + pos)
    for attr, ch in attrs.items():
        spec = params[f"light.{fx.name}.{attr}"]
        if attr in shared and ch is shared[attr]:
            note = "every head"
        elif ch.label == "virtual":
            note = "virtual: masters the fixture's light"
        else:
            note = f"channel {channel_of[(attr, False)]}"
            if (attr, True) in channel_of:
                note += f" + fine {channel_of[(attr, True)]}"
            if ch.role:
                note += f", {ch.role}"
        out.append("  " + _param_line(spec, rig, note))
    return out


def _maker_and_name(fx: Fixture) -> str:
    maker, name = fx.profile.manufacturer, fx.profile.name
    return name if name.lower().startswith(maker.lower()) else f"{maker} {name}"


def _param_line(spec: ParamSpec, rig: Rig, note: str = "") -> str:
    if spec.kind == "choice":
        slots = [s for s, _ in spec.choices]
        default = slots[int(spec.default)] if slots else ""
        text = f"{spec.name}  one of {', '.join(slots)}  default {default}"
    else:
        unit = f" {spec.unit}" if spec.unit else ""
        text = f"{spec.name}  {spec.minimum:g}..{spec.maximum:g}{unit}  default {spec.default:g}"
    return text + (f"  ({note})" if note else "")


def _xy(p: Any) -> str:
    return f"({p[0]:.3g}, {p[1]:.3g})"


def suggest(rig: Rig, path: str) -> str:
    """A did-you-mean for an unknown `light.…` path that only offers the named fixture's own attributes
    (never another fixture's), else the fixtures and groups the rig has."""
    params = rig.parameters()
    parts = path.split(".")
    if len(parts) >= 2 and parts[0] == "light":
        target = parts[1]
        targets = [*rig.fixtures, *rig.groups]
        if target not in targets:
            close = difflib.get_close_matches(target, targets, n=1, cutoff=0.6)
            if close:
                return f"no fixture or group {target!r}; did you mean {close[0]!r}?"
            return "fixtures and groups: " + ", ".join(targets)
        own = sorted(p for p in params if p.startswith(f"light.{target}."))
        attrs = {p[len(f"light.{target}.") :] for p in own}
        if {"red", "green", "blue"} <= attrs or {"cyan", "magenta", "yellow"} <= attrs:
            own.append(f"light.{target}.color")  # takes a "#rrggbb" colour
        names = [p[len(f"light.{target}.") :] for p in own]
        close = difflib.get_close_matches(".".join(parts[2:]), names, n=1, cutoff=0.6)
        if close:
            return f"did you mean 'light.{target}.{close[0]}'?"
        names = sorted(names)
        shown = ", ".join(names[:24]) + (f", … ({len(names)} in all)" if len(names) > 24 else "")
        return f"{target} has: {shown}"
    close = difflib.get_close_matches(path, list(params), n=1, cutoff=0.75)
    return f"did you mean {close[0]!r}?" if close else "parameters start with light., osc. or serial."


def cmd_describe(args: argparse.Namespace) -> int:
    """Print a rig's fixtures, modes, heads and parameters."""
    from installation.rig.rigfile import load_rig

    path = Path(args.rig)
    root = Path(args.root) if args.root else _project_root(path)
    rig = load_rig(path, root)
    try:
        lines = describe(rig, args.names)
    except KeyError as exc:
        print(f"installation: {exc.args[0]}")
        return 1
    print("\n".join(lines))
    return 0


def _project_root(path: Path) -> Path:
    """The project folder of a rig file: the folder above `hardware/`, else the rig's own folder."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name == "hardware":
            return parent.parent
    return resolved.parent


def add_parser(sub: Any) -> None:
    """`installation rig describe RIG [NAME ...]`."""
    p = sub.add_parser("rig", help="look at a rig file: installation rig describe hardware/NAME.yaml")
    verbs = p.add_subparsers(dest="rig_verb", required=True)
    d = verbs.add_parser(
        "describe", help="fixtures, modes, heads and every parameter path with range and default"
    )
    d.add_argument("rig", metavar="RIG", help="the rig file, e.g. hardware/gallery.yaml")
    d.add_argument("names", nargs="*", metavar="NAME", help="only these fixtures, groups or parameter paths")
    d.add_argument("--root", default=None, help="the project folder (default: the folder above hardware/)")
    d.set_defaults(func=cmd_describe)
