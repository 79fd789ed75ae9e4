"""Load a show file: parse with positions, validate everything, build the immutable model.

Every problem is collected (never only the first) and raised together as one ShowError whose lines read
`file:line:col: message (what would be valid)`. Nothing in a show file is executed and every path it
names must stay inside the project folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from installation.errors import Problem, ShowError, display_path
from installation.show import model as m
from installation.show import syntax as sx
from installation.show.params import PRESENCE_SOURCES, ZONE_ATTRIBUTES, ParamSpec
from installation.show.tree import HugeNumber, Y, parse_text
from installation.show.units import (
    DURATION_HINT,
    UnitError,
    abbreviate,
    is_color,
    is_number,
    parse_color,
    parse_duration,
    parse_fraction,
    parse_level_db,
    parse_param_value,
    parse_time_of_day,
)

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------ resolver


class Resolver(Protocol):
    """What the loader asks other parts of the program: rig, scene headers, the soundscape catalog."""

    def load_rig(self, path: Path, root: Path) -> Any:
        """A Rig (`.parameters()`, `.osc_endpoints`, `.serial_devices`, `.color_expand()`); ShowError."""

    def load_scene_info(self, path: Path, root: Path) -> Any:
        """A SceneInfo (`.parameters()`, `.is_transition`, `.color_expand()`); ShowError."""

    def instruments(self) -> Mapping[str, Any]:
        """Instrument name → spec with `.params` (short name → ParamSpec) and `.options` (→ OptionSpec)."""

    def check_layer(self, layer: str, instrument: str, values: Mapping[str, object]) -> list[Any]:
        """Problems of one layer given parsed values: items with `.key`, `.message`, `.hint`."""

    def layer_parameters(
        self, layer: str, instrument: str, values: Mapping[str, object]
    ) -> dict[str, ParamSpec]:
        """Parameters `audio.<layer>.<param>` of a valid layer."""

    def master_parameters(self) -> dict[str, ParamSpec]:
        """`audio.master.*` parameters."""


class DefaultResolver:
    """The real rig, projection and audio modules, imported when first needed."""

    def load_rig(self, path: Path, root: Path) -> Any:
        from installation.rig.rigfile import load_rig

        return load_rig(path, root)

    def load_scene_info(self, path: Path, root: Path) -> Any:
        from installation.projection.isf import load_scene_info

        return load_scene_info(path, root)

    def instruments(self) -> Mapping[str, Any]:
        from installation.audio.catalog import INSTRUMENTS

        return INSTRUMENTS

    def check_layer(self, layer: str, instrument: str, values: Mapping[str, object]) -> list[Any]:
        from installation.audio.catalog import check_layer

        return list(check_layer(layer, instrument, values))

    def layer_parameters(
        self, layer: str, instrument: str, values: Mapping[str, object]
    ) -> dict[str, ParamSpec]:
        from installation.audio.catalog import layer_parameters

        return layer_parameters(layer, instrument, values)

    def master_parameters(self) -> dict[str, ParamSpec]:
        from installation.audio.catalog import master_parameters

        return master_parameters()


# ----------------------------------------------------------------------------------------- constants

# every key set comes from the one declaration of the language (installation.show.syntax)
S = sx.SECTIONS
TOP_KEYS = sx.SHOW.names
PRESENCE_KEYS = S["presence"].names
IDLE_KEYS = S["idle"].names
ACT_KEYS = S["act"].names
TRANSITION_KEYS = S["transition"].names
SOUNDSCAPE_KEYS = S["soundscape"].names
MAPPING_KEYS = S["mapping"].names
TRIGGER_KEYS = S["trigger"].names
CONDITION_KEYS = S["trigger"].exactly_one
EXPECT_KEYS = S["expect"].names
ACT_AT_KEYS = S["act_at"].names
OPERATOR_KEYS = S["operator"].names
CUE_COMMON_KEYS = sx.CUE_COMMON_KEYS
CUE_KIND_KEYS: dict[str, tuple[str, ...]] = {
    kind: tuple(k for k in sec.names if k not in CUE_COMMON_KEYS) for kind, sec in sx.CUE_KINDS.items()
}
ACTION_KEYS = tuple(sx.CUE_ACTIONS)
ACTION_WORDS = ("fade", "look", *(k for k in sx.CUE_KINDS if k != "fade"))  # for hints, `look` by `fade`
ALL_CUE_KEYS = sx.ALL_CUE_KEYS
OSC_KEYS = S["osc"].names
SERIAL_KEYS = S["serial"].names
DAY_WORDS = ("daily", *m.WEEKDAYS)
HOURS_KEYS = (*DAY_WORDS, *S["hours"].names)
STOP_ALL = "all"
RESERVED_ACT_NAMES = (m.TARGET_NEXT,)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.'-]*$")
ZONE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RANGE_RE = re.compile(r"^\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*-\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*$")
_OPS_RE = re.compile(r"(>=|<=|==|!=|>|<)")
_FOR_RE = re.compile(r"^(?P<head>.*?)\s+for\s+(?P<hold>\S+(?:\s+\S+)?)\s*$")
PARAM_PREFIX_HINT = (
    "parameters are light.<fixture>.<attribute>, scene.<input>, audio.<layer>.<param>, "
    "audio.master.level, osc.<endpoint>.<name>, serial.<device>.<name>"
)
CONDITION_HINT = (
    "e.g. `count >= 1 for 2s`, `zone door empty for 30s`, `zone screen.count >= 3`, `room empty for 1min`"
)


def find_root(path: Path) -> Path:
    """The project folder of a show file: the nearest folder above it that contains `cues/`."""
    path = path.resolve()
    for parent in path.parents:
        cues = parent / "cues"
        if cues.is_dir() and path.is_relative_to(cues.resolve()):
            return parent
    return path.parent


def suggest(word: object, options: Iterable[str], what: str = "") -> str:
    """A hint: `did you mean 'x'?` for a close match, else the valid choices (shortened)."""
    opts = sorted({o for o in options if isinstance(o, str)})
    if isinstance(word, str):
        close = difflib.get_close_matches(word, opts, n=1, cutoff=0.6)
        if close:
            return f"did you mean {close[0]!r}?"
    if not opts:
        return f"no {what} defined" if what else ""
    shown = ", ".join(opts[:12]) + (", …" if len(opts) > 12 else "")
    return f"valid: {shown}"


def _fmt_num(x: float) -> str:
    return f"{x:g}"


# ------------------------------------------------------------------------------------------- loader


@dataclasses.dataclass
class _ActContext:
    """What is known while one act is read: its parameters and which ones could not be checked."""

    name: str
    params: dict[str, ParamSpec]
    unchecked: list[str]  # param prefixes whose source failed to load (not reported again)
    scene: Any = None
    looks: dict[str, m.Look] = dataclasses.field(default_factory=dict)
    cue_names: dict[str, Y] = dataclasses.field(default_factory=dict)
    cue_refs: list[tuple[str, str, Y]] = dataclasses.field(default_factory=list)  # (kind, target, node)
    cue_numbers: dict[str, Y] = dataclasses.field(default_factory=dict)
    groups: list[str] = dataclasses.field(default_factory=list)  # the groups the cue being read is in
    counter: int = 0


class _Loader:
    """One load of one show file: collects problems while building the model."""

    def __init__(self, path: Path, root: Path, resolver: Resolver) -> None:
        self.path = path
        self.root = root
        self.resolver = resolver
        self.file = display_path(path, root)
        self.problems: list[Problem] = []
        self.rig: Any = None
        self.rig_failed = False
        self.show_params: dict[str, ParamSpec] = {}
        self.zones: dict[str, m.Zone] = {}
        self.act_names: dict[str, Y] = {}
        self.scenes: dict[Path, Any] = {}  # shader path → SceneInfo or None when it failed
        self.instruments: Mapping[str, Any] | None = None
        self.act_refs: list[tuple[str, Y, str]] = []  # (act or target, node, what) checked at the end
        self.lines: list[str] = []  # the show file's lines, for values read as written (cue numbers)

    # ---------------------------------------------------------------- problems and positions

    def pos(self, y: Y, offset: int = 0) -> m.Pos:
        extra = (1 if y.quoted else 0) + offset if offset else 0
        return m.Pos(self.file, y.line, y.col + extra)

    def err(self, y: Y, message: str, hint: str = "", offset: int = 0) -> None:
        if isinstance(y.value, HugeNumber):
            return  # the parse reported this number already ("too large"); a second line adds nothing
        p = self.pos(y, offset)
        self.problems.append(Problem(p.file, p.line, p.col, message, hint))

    def keys(self, y: Y, allowed: Sequence[str], what: str) -> None:
        for key, kn, _ in y.entries():
            if key not in allowed:
                self.err(kn, f"unknown key {key!r} in {what}", suggest(key, allowed))

    def need_map(self, y: Y | None, what: str, hint: str = "") -> Y | None:
        if y is None:
            return None
        if y.is_map:
            return y
        if y.is_scalar and y.value is None:
            return None
        self.err(y, f"{what} must be a mapping (key: value lines)", hint)
        return None

    def need_seq(self, y: Y | None, what: str, hint: str = "") -> list[Y]:
        if y is None or (y.is_scalar and y.value is None):
            return []
        if y.is_seq:
            return y.items()
        self.err(y, f"{what} must be a list (lines starting with '- ')", hint)
        return []

    def need(self, parent: Y, section: str, key: str, what: str) -> Y | None:
        """A key the declaration of the language marks required; the hint is its declared example."""
        decl = sx.section(section).key(key)
        assert decl.required, f"{section}.{key} is not declared required"
        words = decl.type.message.replace("`", "")
        hint = f"e.g. {decl.example}" if decl.example else words
        if decl.example and words and "e.g." not in words:
            hint = f"{words}, {hint}"
        return self.required(parent, key, what, hint)

    def value(self, node: Y, section: str, key: str, what: str = "") -> Any:
        """A plain key read by its declared type (duration, true/false, a choice, text, a number)."""
        decl = sx.section(section).key(key)
        y = node.get(key)
        label = what or key
        t = decl.type
        if isinstance(t, sx.Duration):
            return self.duration(y, label)
        if isinstance(t, sx.Bool):
            return self.boolean(y, label)
        if isinstance(t, sx.Choice):
            return self.choice(y, t.values, label)
        if isinstance(t, sx.Number):
            lo = -math.inf if t.minimum is None else t.minimum
            hi = math.inf if t.maximum is None else t.maximum
            return self.number(y, label, lo, hi)
        if isinstance(t, sx.Text | sx.Name):
            return self.text(y, label)
        raise TypeError(f"{section}.{key}: {type(t).__name__} is read by the loader's own code")

    def required(self, parent: Y, key: str, what: str, hint: str = "") -> Y | None:
        node = parent.get(key)
        if node is None or (node.is_scalar and node.value is None):
            self.err(parent.key_node(key) or parent, f"{what} needs `{key}:`", hint)
            return None
        return node

    # ---------------------------------------------------------------- scalars

    def text(self, y: Y | None, what: str, hint: str = "") -> str | None:
        if y is None:
            return None
        v = y.value
        if y.is_scalar and is_number(v) and not y.quoted:
            return str(v)
        if not y.is_scalar or not isinstance(v, str) or not v.strip():
            self.err(y, f"{what} must be text", hint)
            return None
        return v.strip()

    def duration(self, y: Y | None, what: str) -> float | None:
        if y is None:
            return None
        try:
            return parse_duration(y.value if y.is_scalar else _Shape(y))
        except UnitError as exc:
            self.err(y, f"{what}: {exc.message}", exc.hint)
            return None

    def boolean(self, y: Y | None, what: str) -> bool | None:
        if y is None:
            return None
        if y.is_scalar and isinstance(y.value, bool):
            return y.value
        self.err(y, f"{what} must be true or false")
        return None

    def number(
        self, y: Y | None, what: str, lo: float = -math.inf, hi: float = math.inf, hint: str = ""
    ) -> float | None:
        if y is None:
            return None
        v = y.value
        if not y.is_scalar or not is_number(v) or not math.isfinite(float(v)):
            self.err(y, f"{what} must be a number", hint)
            return None
        x = float(v)
        if not lo <= x <= hi:
            self.err(y, f"{what} {_fmt_num(x)} is out of range", hint or f"{_fmt_num(lo)}..{_fmt_num(hi)}")
            return None
        return x

    def choice(self, y: Y | None, options: Sequence[str], what: str) -> str | None:
        if y is None:
            return None
        v = y.value
        if y.is_scalar and isinstance(v, str) and v.strip() in options:
            return v.strip()
        shown = repr(v) if y.is_scalar else "a " + ("list" if y.is_seq else "mapping")
        hint = suggest(v, options) if isinstance(v, str) else "one of " + ", ".join(options)
        if hint.startswith("valid: "):
            hint = "one of " + ", ".join(options)
        self.err(y, f"{what} {shown} is not valid", hint)
        return None

    def file_path(self, y: Y | None, what: str, hint_dir: str, suffixes: tuple[str, ...] = ()) -> Path | None:
        """A file inside the project folder (relative to it), existing, symlinks resolved."""
        raw = self.text(y, what, f"a path relative to the project folder, e.g. {hint_dir}")
        if raw is None or y is None:
            return None
        if "\x00" in raw or len(raw) > 1024:
            self.err(
                y, f"{what} is not a usable path", f"a path relative to the project folder, e.g. {hint_dir}"
            )
            return None
        p = Path(raw)
        full = p if p.is_absolute() else self.root / p
        try:
            resolved = full.resolve()
            if not resolved.is_relative_to(self.root):
                self.err(
                    y,
                    f"{what} {raw!r} is outside the project folder",
                    f"paths are relative to the project folder and stay inside it, e.g. {hint_dir}",
                )
                return None
            if not resolved.is_file():
                self.err(
                    y, f"{what} {raw!r} not found",
                    self.missing_file_hint(raw, resolved, suffixes, hint_dir, self.root)
                )
                return None
        except (OSError, RuntimeError, ValueError) as exc:
            self.err(
                y,
                f"{what} {raw!r} cannot be used: {exc.__class__.__name__}: {exc}".splitlines()[0],
                f"a path relative to the project folder, e.g. {hint_dir}",
            )
            return None
        if suffixes and resolved.suffix not in suffixes:
            self.err(y, f"{what} {raw!r} is not a {'/'.join(suffixes)} file", f"e.g. {hint_dir}")
            return None
        return resolved

    @staticmethod
    def missing_file_hint(raw: str, resolved: Path, suffixes: tuple[str, ...], hint_dir: str,
                          root: Path) -> str:
        parent = resolved.parent
        names: list[str] = []
        if parent.is_dir() and parent.is_relative_to(root):  # never list a folder outside the project
            names = [
                c.name for c in parent.iterdir() if c.is_file() and (not suffixes or c.suffix in suffixes)
            ]
        close = difflib.get_close_matches(resolved.name, names, n=1, cutoff=0.6)
        if close:
            return f"did you mean {(Path(raw).parent / close[0]).as_posix()!r}?"
        return f"paths are relative to the project folder, e.g. {hint_dir}"

    def act_ref(self, y: Y | None, what: str, targets: bool = False) -> str | None:
        """An act name (or next/idle when `targets`), checked once all acts are known."""
        name = self.text(y, what)
        if name is None or y is None:
            return None
        self.act_refs.append((name, y, "target" if targets else what))
        return name

    # ---------------------------------------------------------------- the show

    def load(self, data: str | bytes | None = None) -> m.Show | None:
        try:
            raw = self.path.read_bytes() if data is None else data
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except FileNotFoundError:
            raise ShowError(
                [
                    Problem(
                        self.file, 1, 1, "show file not found", "shows live in cues/, e.g. cues/my-show.yaml"
                    )
                ]
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            message = f"cannot read show file: {exc.__class__.__name__}: {exc}"
            raise ShowError([Problem(self.file, 1, 1, message, "save it as UTF-8 text")]) from None
        self.lines = text.splitlines()
        tree, problems = parse_text(text, self.file)
        self.problems.extend(problems)
        if tree is None:
            raise ShowError(
                [
                    *self.problems,
                    Problem(
                        self.file,
                        1,
                        1,
                        "the show file is empty",
                        "start with `show: <name>`, then rig:, idle:, acts:",
                    ),
                ]
            )
        if not tree.is_map:
            self.err(
                tree, "a show file must be a mapping", "start with `show: <name>`, then rig:, idle:, acts:"
            )
            raise ShowError(self.problems)
        return self.show(tree)

    def show(self, top: Y) -> m.Show | None:
        self.keys(top, TOP_KEYS, "the show")
        name = self.text(
            self.need(top, "show", "show", "the show"), "show"
        )
        rig_path = self.load_rig(top)
        self.show_params.update(self.safe_call(top, "audio catalog", self.resolver.master_parameters) or {})
        presence = self.presence(top.get("presence"))
        hours = self.hours(top.get("hours"))

        idle_act: str | None = None
        empty_s: float | None = None
        idle = self.need_map(
            self.need(top, "show", "idle", "the show"), "idle"
        )
        if idle is not None:
            self.keys(idle, IDLE_KEYS, "idle")
            idle_act = self.act_ref(self.need(idle, "idle", "act", "idle"), "idle act")
            empty_s = self.value(idle, "idle", "when_empty_for")
        start = self.act_ref(top.get("start"), "start act")
        operator = self.operator(top.get("operator"))

        acts_node = self.need_map(
            self.need(top, "show", "acts", "the show"), "acts"
        )
        acts: dict[str, m.Act] = {}
        if acts_node is not None:
            for key, kn, _ in acts_node.entries():
                self.act_names[str(key)] = kn
            for key, kn, vn in acts_node.entries():
                act = self.act(str(key), kn, vn)
                if act is not None:
                    acts[act.name] = act
        expects = self.expects(top.get("expect"), acts)
        self.check_act_refs(idle_act)

        if self.problems:
            raise ShowError(self.problems)
        assert name is not None and idle_act is not None  # no problems means they were read
        return m.Show(
            name=name,
            path=self.path,
            root=self.root,
            rig_path=rig_path,
            rig=self.rig,
            presence=presence,
            hours=hours,
            operator=operator,
            idle_act=idle_act,
            when_empty_for_s=empty_s,
            start_act=start or idle_act,
            acts=m.frozen_map(acts),
            expects=tuple(expects),
            params=m.frozen_map(self.show_params),
            pos=self.pos(top),
        )

    def safe_call(self, y: Y, what: str, fn: Any, *args: Any) -> Any:
        """Call another part of the program; its ShowError problems join ours, a crash becomes one."""
        try:
            return fn(*args)
        except ShowError as exc:
            self.problems.extend(exc.problems)
        except ImportError as exc:
            self.err(y, f"cannot check {what}: {exc}", "a part of installation is missing; reinstall it")
        except Exception as exc:  # another module's bug must not become an operator's traceback
            log.warning("checking %s failed", what, exc_info=True)
            self.err(y, f"cannot check {what}: {exc.__class__.__name__}: {exc}")
        return None

    def load_rig(self, top: Y) -> Path | None:
        node = top.get("rig")
        if node is None or (node.is_scalar and node.value is None):
            return None
        path = self.file_path(node, "rig file", "hardware/gallery.yaml", (".yaml", ".yml"))
        if path is None:
            self.rig_failed = True
            return None
        self.rig = self.safe_call(node, "the rig", self.resolver.load_rig, path, self.root)
        if self.rig is None:
            self.rig_failed = True
            return path
        params = self.safe_call(node, "the rig", self.rig.parameters)
        self.show_params.update(params or {})
        return path

    # ---------------------------------------------------------------- presence

    def polygon(self, y: Y, what: str) -> m.Polygon | None:
        hint = "a list of 3 or more [x, y] points, 0..1 (x right, y down)"
        pts = self.need_seq(y, what, hint)
        if not y.is_seq:
            return None
        ok = True
        out: list[m.Point] = []
        for p in pts:
            xy = p.items() if p.is_seq else []
            if len(xy) != 2 or not all(c.is_scalar and is_number(c.value) for c in xy):
                self.err(p, f"{what}: each point is [x, y]", hint)
                ok = False
                continue
            if any(isinstance(c.value, HugeNumber) for c in xy):
                ok = False  # reported by the parse as too large
                continue
            x, yv = float(xy[0].value), float(xy[1].value)
            if not (0.0 <= x <= 1.0 and 0.0 <= yv <= 1.0):
                self.err(
                    p,
                    f"{what}: point [{_fmt_num(x)}, {_fmt_num(yv)}] is outside the frame",
                    "coordinates are 0..1",
                )
                ok = False
                continue
            out.append((x, yv))
        if ok and len(out) < 3:
            self.err(y, f"{what} has {len(out)} point(s)", hint)
            return None
        return tuple(out) if ok else None

    def presence(self, y: Y | None) -> m.PresenceSettings:
        node = self.need_map(y, "presence", "e.g. presence: {source: synthetic, zones: {...}}")
        if node is None:
            return m.PresenceSettings()
        self.keys(node, PRESENCE_KEYS, "presence")
        source_word = self.choice(node.get("source"), [s.value for s in m.PresenceSource], "presence source")
        source = m.PresenceSource(source_word) if source_word else m.PresenceSource.SYNTHETIC
        if node.get("source") is None:
            self.err(
                node, "presence needs `source:`", "one of " + ", ".join(s.value for s in m.PresenceSource)
            )
        # every source's setting may stay in the file (switching source is one edit); each given one is
        # checked, and the active source's one is required
        camera: int | str | None = None
        cam = node.get("camera")
        if cam is not None:
            v = cam.value
            if cam.is_scalar and isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                camera = v
            elif cam.is_scalar and isinstance(v, str) and v.strip():
                camera = v.strip()
            else:
                self.err(cam, "camera must be an index (0, 1, …) or a device path like /dev/video0")
        elif source is m.PresenceSource.CAMERA:
            camera = 0
        file_node, replay_node, url_node = node.get("file"), node.get("replay"), node.get("url")
        if source is m.PresenceSource.FILE:
            file_node = self.required(node, "file", "presence (source: file)", "e.g. media/room.mp4")
        if source is m.PresenceSource.REPLAY:
            replay_node = self.required(
                node, "replay", "presence (source: replay)", "e.g. recordings/day.jsonl"
            )
        if source is m.PresenceSource.URL:
            url_node = self.required(node, "url", "presence (source: url)", "e.g. rtsp://camera.local/stream")
        file = self.file_path(file_node, "video file", "media/room.mp4") if file_node else None
        replay = self.file_path(replay_node, "replay file", "recordings/day.jsonl") if replay_node else None
        url = self.text(url_node, "url") if url_node else None
        if url is not None and url_node is not None and "://" not in url:
            self.err(url_node, f"url {url!r} has no scheme", "e.g. rtsp://camera.local/stream")
        fallback_word = self.choice(node.get("fallback"), [f.value for f in m.Fallback], "fallback")
        fallback = m.Fallback(fallback_word) if fallback_word else m.Fallback.KEEP
        mask: list[m.Polygon] = []
        for i, poly in enumerate(self.need_seq(node.get("mask"), "mask", "a list of polygons")):
            got = self.polygon(poly, f"mask polygon {i + 1}")
            if got is not None:
                mask.append(got)
        zones_node = self.need_map(node.get("zones"), "zones", "zone name: [[x, y], ...]")
        if zones_node is not None:
            for key, kn, vn in zones_node.entries():
                zname = str(key)
                if not ZONE_NAME_RE.match(zname):
                    self.err(
                        kn,
                        f"zone name {zname!r} is not usable",
                        "letters, digits, '_' or '-', starting with a letter (no dots or spaces)",
                    )
                    continue
                shape = self.polygon(vn, f"zone {zname}")
                self.zones[zname] = m.Zone(name=zname, polygon=shape or (), pos=self.pos(kn))
        return m.PresenceSettings(
            source=source,
            camera=camera,
            file=file,
            url=url,
            replay=replay,
            fallback=fallback,
            zones=m.frozen_map(self.zones),
            mask=tuple(mask),
            pos=self.pos(node),
        )

    # ---------------------------------------------------------------- hours

    def hours(self, y: Y | None) -> m.Hours | None:
        node = self.need_map(y, "hours", 'e.g. hours: {mon: closed, tue-sun: "10:00-18:00"}')
        if node is None:
            return None
        days: list[tuple[m.TimeRange, ...] | None] = [None] * 7
        closed: set[dt.date] = set()
        any_day = False
        for key, kn, vn in node.entries():
            if key == "closed_on":
                for d in self.need_seq(vn, "closed_on", 'a list of dates like "2026-12-25"'):
                    raw = d.value if d.is_scalar else None
                    try:
                        if not isinstance(raw, str) or not _DATE_RE.match(raw.strip()):
                            raise ValueError(raw)
                        closed.add(dt.date.fromisoformat(raw.strip()))
                    except ValueError:
                        self.err(
                            d, f"closed_on: {raw!r} is not a date", 'write "YYYY-MM-DD", e.g. "2026-12-25"'
                        )
                continue
            idx = self.day_key(key, kn)
            if idx is None:
                continue
            any_day = True
            ranges = self.day_ranges(vn, str(key))
            for i in idx:
                if days[i] is not None:
                    self.err(kn, f"{m.WEEKDAYS[i]} is given twice in hours", "each day once")
                elif ranges is not None:
                    days[i] = ranges
        all_day = (m.TimeRange(start_s=0.0, end_s=86400.0),)
        table = tuple((d if d is not None else ()) if any_day else all_day for d in days)
        return m.Hours(days=table, closed_on=frozenset(closed), pos=self.pos(node))

    def day_key(self, key: Any, kn: Y) -> list[int] | None:
        word = str(key).strip().lower()
        if word == "daily":
            return list(range(7))
        parts = [p.strip() for p in word.split("-")]
        if len(parts) in (1, 2) and all(p in m.WEEKDAYS for p in parts):
            a = m.WEEKDAYS.index(parts[0])
            b = m.WEEKDAYS.index(parts[-1])
            return [(a + i) % 7 for i in range((b - a) % 7 + 1)]
        self.err(
            kn,
            f"unknown key {key!r} in hours",
            suggest(word, HOURS_KEYS) + "; days are mon..sun, ranges like tue-fri, daily, closed_on",
        )
        return None

    def day_ranges(self, y: Y, day: str) -> tuple[m.TimeRange, ...] | None:
        hint = 'closed, open, "10:00-18:00" or a list of such ranges'
        items = y.items() if y.is_seq else [y]
        out: list[m.TimeRange] = []
        ok = True
        for it in items:
            v = it.value if it.is_scalar else None
            if isinstance(v, str) and v.strip().lower() == "closed" and not y.is_seq:
                return ()
            if isinstance(v, str) and v.strip().lower() == "open" and not y.is_seq:
                return (m.TimeRange(start_s=0.0, end_s=86400.0, pos=self.pos(it)),)
            rm = _RANGE_RE.match(v) if isinstance(v, str) else None
            if rm is None:
                self.err(
                    it,
                    f"hours for {day}: {v!r} is not a time range"
                    if it.is_scalar
                    else f"hours for {day} must be text",
                    hint,
                )
                ok = False
                continue
            try:
                a, b = parse_time_of_day(rm.group(1)), parse_time_of_day(rm.group(2))
            except UnitError as exc:
                self.err(it, f"hours for {day}: {exc.message}", exc.hint)
                ok = False
                continue
            if a == b:
                self.err(it, f"hours for {day}: {v!r} is an empty range", "start and end differ")
                ok = False
                continue
            out.append(m.TimeRange(start_s=a, end_s=b if b != 0 else 86400.0, pos=self.pos(it)))
        return tuple(out) if ok else None

    # ---------------------------------------------------------------- operator

    def operator(self, y: Y | None) -> m.OperatorSettings:
        node = self.need_map(y, "operator", f"e.g. {sx.SECTIONS['operator'].example}")
        if node is None:
            return m.OperatorSettings()
        self.keys(node, OPERATOR_KEYS, "operator")
        default = m.OperatorSettings()
        debounce = self.value(node, "operator", "go_debounce")
        stop_fade = self.value(node, "operator", "stop_fade")
        panic_fade = self.value(node, "operator", "panic_fade")
        return m.OperatorSettings(
            go_debounce_s=default.go_debounce_s if debounce is None else debounce,
            stop_fade_s=default.stop_fade_s if stop_fade is None else stop_fade,
            panic_fade_s=default.panic_fade_s if panic_fade is None else panic_fade,
            pos=self.pos(node),
        )

    # ---------------------------------------------------------------- acts

    def act(self, name: str, kn: Y, vn: Y) -> m.Act | None:
        if name in RESERVED_ACT_NAMES:
            self.err(kn, f"act name {name!r} is reserved", "`next` means the next act; choose another name")
        elif not NAME_RE.match(name):
            self.err(
                kn,
                f"act name {name!r} is not usable",
                "letters, digits, spaces, '_', '-', '.', starting with a letter or digit",
            )
        node = self.need_map(vn, f"act {name!r}", "scene:, soundscape:, cues:, triggers:")
        if node is None:
            if vn.is_scalar and vn.value is None:
                self.err(kn, f"act {name!r} is empty", "give it at least a scene or cues")
            return None
        self.keys(node, ACT_KEYS, f"act {name!r}")
        ctx = _ActContext(
            name=name,
            params=dict(self.show_params),
            unchecked=["light.", "osc.", "serial."] if self.rig_failed else [],
        )

        scene_path = None
        scene_node = node.get("scene")
        if scene_node is not None and not (scene_node.is_scalar and scene_node.value is None):
            scene_path = self.file_path(scene_node, "scene", "shaders/glow.fs", (".fs", ".frag", ".glsl"))
            if scene_path is None:
                ctx.unchecked.append("scene.")
            else:
                info = self.scene_info(scene_path, scene_node)
                if info is None:
                    ctx.unchecked.append("scene.")
                else:
                    if getattr(info, "is_transition", False):
                        self.err(
                            scene_node,
                            f"scene {scene_node.value!r} is a transition shader",
                            "use it as transition: {shader: ...}; a scene is an ordinary ISF shader",
                        )
                        ctx.unchecked.append("scene.")
                    ctx.scene = info
                    ctx.params.update(self.safe_call(scene_node, "the scene", info.parameters) or {})
        transition = self.transition(node.get("transition"))
        soundscape = self.soundscape(node.get("soundscape"), ctx)
        act_params = {k: v for k, v in ctx.params.items() if k not in self.show_params}

        scene_inputs: dict[str, float] = {}
        inputs_node = self.need_map(node.get("scene_inputs"), "scene_inputs", "input: value")
        if inputs_node is not None:
            if scene_node is None:
                self.err(inputs_node, "scene_inputs without a scene", "add `scene: shaders/NAME.fs`")
            else:
                for key, ikn, ivn in inputs_node.entries():
                    got = self.param_value(ctx, f"scene.{key}", ikn, ivn)
                    if got is not None:
                        scene_inputs.update(got)

        looks_node = self.need_map(node.get("looks"), "looks", "look name: {param: value, ...}")
        if looks_node is not None:
            for key, lkn, lvn in looks_node.entries():
                values = self.param_values(ctx, lvn, f"look {key!r}")
                ctx.looks[str(key)] = m.Look(name=str(key), values=m.frozen_map(values), pos=self.pos(lkn))

        mappings = [
            mp
            for mp in (self.mapping(ctx, it) for it in self.need_seq(node.get("mappings"), "mappings"))
            if mp is not None
        ]
        pixel_map = self.pixel_map(node.get("pixel_map"), scene_path is not None)
        cues = self.cue_list(ctx, node.get("cues"), "cues")
        on_enter = self.value(node, "act", "on_enter")
        self.check_cue_refs(ctx, cues)
        triggers = [
            t
            for t in (self.trigger(it) for it in self.need_seq(node.get("triggers"), "triggers"))
            if t is not None
        ]
        return m.Act(
            name=name,
            scene=scene_path,
            scene_inputs=m.frozen_map(scene_inputs),
            transition=transition,
            soundscape=soundscape,
            looks=m.frozen_map(ctx.looks),
            mappings=tuple(mappings),
            pixel_map=tuple(pixel_map),
            cues=tuple(cues),
            on_enter=m.OnEnter(on_enter) if on_enter else m.OnEnter.GO,
            triggers=tuple(triggers),
            params=m.frozen_map(act_params),
            pos=self.pos(kn),
        )

    def check_cue_refs(self, ctx: _ActContext, cues: list[m.Cue]) -> None:
        """Every cue a cue names exists in the act; a devamp names a looping playlist."""
        by_name = {c.name: c for c in m.Act(name=ctx.name, cues=tuple(cues)).all_cues()}
        for kind, target, tn in ctx.cue_refs:
            if target not in ctx.cue_names:
                options = [*ctx.cue_names, STOP_ALL] if kind in ("stop", "reset") else list(ctx.cue_names)
                self.err(
                    tn,
                    f"{kind} target {target!r} is not a cue of act {ctx.name!r}",
                    suggest(target, options, "cues"),
                )
                continue
            cue = by_name.get(target)
            if kind == "devamp" and cue is not None and not (
                isinstance(cue, m.GroupCue) and cue.mode is m.GroupMode.PLAYLIST and cue.loop
            ):
                self.err(
                    tn,
                    f"devamp target {target!r} is not a looping playlist",
                    "devamp ends a `group: playlist` with `loop: true` after its current pass",
                )

    def scene_info(self, path: Path, y: Y) -> Any:
        if path not in self.scenes:
            self.scenes[path] = self.safe_call(y, "the scene", self.resolver.load_scene_info, path, self.root)
        return self.scenes[path]

    def pixel_map(self, y: Y | None, has_scene: bool) -> list[str]:
        """`pixel_map:` fixtures and groups of the rig with red, green and blue, for an act with a scene."""
        items = self.need_seq(y, "pixel_map", "e.g. pixel_map: [strip]")
        if y is None or not items:
            return []
        if not has_scene:
            self.err(y, "pixel_map without a scene", "add `scene: shaders/NAME.fs`: the LEDs take its colour")
        if self.rig is None and not self.rig_failed:
            self.err(y, "pixel_map needs a rig", "add `rig: hardware/NAME.yaml` at the top of the show")
        if self.rig is None:
            return []
        out = []
        for it in items:
            name = it.value if it.is_scalar else None
            targets = [*self.rig.fixtures, *self.rig.groups]
            if not isinstance(name, str) or name not in targets:
                self.err(it, f"pixel_map: no fixture or group {name!r}", suggest(name, targets))
            elif not {"red", "green", "blue"} <= self.rig.target_attributes(name).keys():
                self.err(it, f"pixel_map: {name} has no red, green and blue to take a colour")
            else:
                out.append(name)
        return out

    def transition(self, y: Y | None) -> m.Transition:
        if y is not None and y.is_scalar and y.value is not None:  # `transition: 4s`
            return m.Transition(time_s=self.duration(y, "transition") or 0.0, pos=self.pos(y))
        node = self.need_map(
            y, "transition", "e.g. transition: {time: 4s, shader: shaders/transitions/dissolve.fs}"
        )
        if node is None:
            return m.Transition()
        self.keys(node, TRANSITION_KEYS, "transition")
        time_s = self.duration(node.get("time"), "transition time") or 0.0
        shader = None
        sn = node.get("shader")
        if sn is not None:
            shader = self.file_path(
                sn, "transition shader", "shaders/transitions/dissolve.fs", (".fs", ".frag", ".glsl")
            )
            if shader is not None:
                info = self.scene_info(shader, sn)
                if info is not None and not getattr(info, "is_transition", True):
                    self.err(
                        sn,
                        f"{sn.value!r} is not a transition shader",
                        "a transition has image inputs startImage and endImage and a float progress",
                    )
        return m.Transition(time_s=time_s, shader=shader, pos=self.pos(node))

    def soundscape(self, y: Y | None, ctx: _ActContext) -> m.Soundscape:
        node = self.need_map(y, "soundscape", 'e.g. soundscape: {level: "-18 dB", layers: {...}}')
        if node is None:
            return m.Soundscape()
        self.keys(node, SOUNDSCAPE_KEYS, "soundscape")
        level_db = 0.0
        ln = node.get("level")
        if ln is not None:
            spec = self.show_params.get("audio.master.level")
            try:
                level_db = (
                    parse_param_value(spec, ln.value if ln.is_scalar else _Shape(ln))
                    if spec
                    else parse_level_db(ln.value)
                )
            except UnitError as exc:
                self.err(ln, f"soundscape level: {exc.message}", exc.hint)
        layers: dict[str, m.Layer] = {}
        layers_node = self.need_map(node.get("layers"), "layers", "layer name: {instrument: drone, ...}")
        if layers_node is not None:
            if self.instruments is None:
                self.instruments = (
                    self.safe_call(layers_node, "the audio catalog", self.resolver.instruments) or {}
                )
            for key, kn, vn in layers_node.entries():
                layer = self.layer(str(key), kn, vn, ctx)
                if layer is not None:
                    layers[layer.name] = layer
        return m.Soundscape(level_db=level_db, layers=m.frozen_map(layers), pos=self.pos(node))

    def layer(self, name: str, kn: Y, vn: Y, ctx: _ActContext) -> m.Layer | None:
        prefix = f"audio.{name}."
        node = self.need_map(vn, f"layer {name!r}", 'e.g. {instrument: drone, level: "-20 dB"}')
        if node is None:
            ctx.unchecked.append(prefix)
            return None
        instruments = self.instruments or {}
        inst_name = self.text(
            self.required(node, "instrument", f"layer {name!r}", "one of " + ", ".join(instruments)),
            "instrument",
        )
        if inst_name is None:
            ctx.unchecked.append(prefix)
            return None
        spec = instruments.get(inst_name)
        if spec is None:
            self.err(
                node.get("instrument") or kn,
                f"unknown instrument {inst_name!r}",
                suggest(inst_name, instruments, "instruments"),
            )
            ctx.unchecked.append(prefix)
            return None
        before = len(self.problems)
        values: dict[str, float] = {}
        options: dict[str, str] = {}
        valid_keys = ("instrument", *spec.params, *spec.options)
        for key, k_node, v_node in node.entries():
            if key == "instrument":
                continue
            if key in spec.params:
                pspec = dataclasses.replace(spec.params[key], name=prefix + str(key))
                try:
                    values[str(key)] = parse_param_value(
                        pspec, v_node.value if v_node.is_scalar else _Shape(v_node)
                    )
                except UnitError as exc:
                    self.err(v_node, exc.message, exc.hint)
            elif key in spec.options:
                opt = spec.options[key]
                raw = v_node.value if v_node.is_scalar else None
                if not isinstance(raw, str) or not opt.accepts(raw):
                    hint = (
                        suggest(raw, opt.choices)
                        if isinstance(raw, str)
                        else "one of " + ", ".join(opt.choices)
                    )
                    if hint.startswith("valid: "):
                        hint = "one of " + ", ".join(opt.choices)
                    if getattr(opt, "kind", "choice") == "file":
                        hint += " (or a sound file inside the project folder)"
                    self.err(v_node, f"{inst_name} {key} {raw!r} is not allowed", hint)
                    continue
                is_file = getattr(opt, "kind", "choice") == "file" and raw not in opt.choices
                if is_file and self.file_path(v_node, f"{inst_name} {key}", "media/sounds/rain.wav") is None:
                    continue
                options[str(key)] = raw.strip()
            else:
                self.err(
                    k_node, f"unknown key {key!r} in layer {name!r} ({inst_name})", suggest(key, valid_keys)
                )
        if len(self.problems) == before:
            merged: dict[str, object] = {**values, **options}
            for lp in (
                self.safe_call(kn, "the layer", self.resolver.check_layer, name, inst_name, merged) or []
            ):
                at = node.key_node(lp.key) if lp.key else None
                self.err(at or kn, f"layer {name!r}: {lp.message}", lp.hint)
        if len(self.problems) == before:
            params = self.safe_call(
                kn, "the layer", self.resolver.layer_parameters, name, inst_name, {**values, **options}
            )
            ctx.params.update(params or {})
        else:
            ctx.unchecked.append(prefix)
        return m.Layer(
            name=name,
            instrument=inst_name,
            values=m.frozen_map(values),
            options=m.frozen_map(options),
            pos=self.pos(kn),
        )

    # ---------------------------------------------------------------- parameters

    def param_spec(self, ctx: _ActContext, param: str, kn: Y) -> ParamSpec | bool | None:
        """The spec of a parameter; None after reporting it unknown; False when it cannot be checked."""
        spec = ctx.params.get(param)
        if spec is not None:
            return spec
        if any(param.startswith(p) for p in ctx.unchecked):
            return False
        if param.startswith(("light.", "osc.", "serial.")) and self.rig is None and not self.rig_failed:
            self.err(
                kn,
                f"unknown parameter {param!r}: the show names no rig",
                "add `rig: hardware/NAME.yaml` at the top of the show",
            )
            return None
        if param.startswith("scene.") and ctx.scene is None:
            self.err(
                kn,
                f"unknown parameter {param!r}: act {ctx.name!r} has no scene",
                "add `scene: shaders/NAME.fs` to the act",
            )
            return None
        hint = self.param_hint(ctx, param)
        self.err(kn, f"unknown parameter {param!r} in act {ctx.name!r}", hint)
        return None

    def param_hint(self, ctx: _ActContext, param: str) -> str:
        """`did you mean` for a close name, else what the fixture/input/layer has, else the families."""
        head, _, _ = param.rpartition(".")
        siblings = sorted(k.rpartition(".")[2] for k in ctx.params if k.rpartition(".")[0] == head)
        close = difflib.get_close_matches(param, list(ctx.params), n=1, cutoff=0.8 if siblings else 0.6)
        if close:
            return f"did you mean {close[0]!r}?"
        if siblings:
            return f"{head} has: " + ", ".join(siblings)
        return PARAM_PREFIX_HINT

    def param_value(self, ctx: _ActContext, param: str, kn: Y, vn: Y) -> dict[str, float] | None:
        """One `param: value` entry as full-path floats (a colour expands to its components)."""
        if not isinstance(kn.value, str) or not kn.value.strip():
            self.err(kn, f"{kn.value!r} is not a parameter name", PARAM_PREFIX_HINT)
            return None
        raw = vn.value if vn.is_scalar else _Shape(vn)
        if is_color(raw) and (param not in ctx.params or param.endswith(".color")):
            return self.color_value(ctx, param, kn, vn, str(raw))
        spec = self.param_spec(ctx, param, kn)
        if spec is None or spec is False or spec is True:
            return None
        try:
            return {param: parse_param_value(spec, raw)}
        except UnitError as exc:
            self.err(vn, exc.message, exc.hint)
            return None

    def color_value(self, ctx: _ActContext, param: str, kn: Y, vn: Y, color: str) -> dict[str, float] | None:
        try:
            r, g, b = parse_color(color)
        except UnitError as exc:
            self.err(vn, exc.message, exc.hint)
            return None
        full_hex = "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))
        if any(param.startswith(p) for p in ctx.unchecked):
            return None
        expander: Any = None
        if param.startswith("light."):
            if self.rig is None:
                self.param_spec(ctx, param, kn)
                return None
            expander = self.rig
        elif param.startswith("scene.") and ctx.scene is not None:
            expander = ctx.scene
        if expander is not None:
            try:
                out = dict(expander.color_expand(param, full_hex))
            except (ValueError, KeyError) as exc:
                self.err(
                    kn,
                    f"{param} cannot take a colour: {exc}".rstrip(),
                    "a colour fits light.<fixture>.color "
                    "on RGB/RGBW/CMY fixtures and colour inputs of the scene",
                )
                return None
            unknown = [k for k in out if k not in ctx.params]
            if unknown:
                self.err(kn, f"{param} colour sets unknown parameter(s) {', '.join(unknown)}")
                return None
            return {k: float(v) for k, v in out.items()}
        comps = [f"{param}.{c}" for c in ("r", "g", "b")]
        if all(c in ctx.params for c in comps):
            return dict(zip(comps, (r, g, b), strict=True))
        spec = self.param_spec(ctx, param, kn)
        if isinstance(spec, ParamSpec):
            self.err(vn, f"{param} does not take a colour", "a number")
        return None

    def param_values(self, ctx: _ActContext, y: Y, what: str) -> dict[str, float]:
        node = self.need_map(y, what, 'param: value, e.g. {light.wash.dimmer: "60%"}')
        out: dict[str, float] = {}
        if node is None:
            return out
        for key, kn, vn in node.entries():
            got = self.param_value(ctx, str(key), kn, vn)
            if got is not None:
                out.update(got)
        return out

    # ---------------------------------------------------------------- mappings

    def presence_source(self, text: str, y: Y, offset: int = 0) -> str | None:
        """A presence source name or zone.<zone>.<attribute>; reports and returns None otherwise."""
        if text in PRESENCE_SOURCES:
            return text
        if text.startswith("zone.") or text.startswith("zone "):
            parts = text[5:].split(".")
            if len(parts) != 2:
                self.err(
                    y,
                    f"{text!r} is not a zone value",
                    "zone.<zone>.<attribute>, attributes: " + ", ".join(ZONE_ATTRIBUTES),
                    offset,
                )
                return None
            zone, attr = parts
            if zone not in self.zones:
                self.err(
                    y,
                    f"unknown zone {zone!r}",
                    suggest(zone, self.zones, "zones (add presence: zones:)"),
                    offset,
                )
                return None
            if attr not in ZONE_ATTRIBUTES:
                self.err(y, f"unknown zone attribute {attr!r}", suggest(attr, ZONE_ATTRIBUTES), offset)
                return None
            return f"zone.{zone}.{attr}"
        hint = suggest(text, PRESENCE_SOURCES)
        if hint.startswith("valid: "):
            hint = "valid: " + ", ".join(PRESENCE_SOURCES) + ", zone.<zone>.<attribute>"
        self.err(y, f"unknown presence value {text!r}", hint, offset)
        return None

    def pair(self, y: Y | None, what: str, parse: Any) -> tuple[float, float] | None:
        if y is None:
            return None
        items = y.items() if y.is_seq else []
        if len(items) != 2:
            self.err(y, f"{what} must be [low, high]")
            return None
        out: list[float] = []
        for it in items:
            try:
                out.append(parse(it.value if it.is_scalar else _Shape(it)))
            except UnitError as exc:
                self.err(it, f"{what}: {exc.message}", exc.hint)
        return (out[0], out[1]) if len(out) == 2 else None

    def mapping(self, ctx: _ActContext, y: Y) -> m.Mapping | None:
        node = self.need_map(y, "a mapping", "from: nearest, to: scene.glow, range: [0, 1], out: [0.2, 1]")
        if node is None:
            return None
        self.keys(node, MAPPING_KEYS, "mapping")
        src_node = self.need(node, "mapping", "from", "a mapping")
        to_node = self.need(node, "mapping", "to", "a mapping")
        source_text = self.text(src_node, "from")
        source = self.presence_source(source_text, src_node) if source_text and src_node else None
        param = self.text(to_node, "to")
        spec: ParamSpec | bool | None = None
        if param is not None and to_node is not None:
            spec = self.param_spec(ctx, param, to_node)

        def in_value(v: object) -> float:
            if isinstance(v, str) and source is not None and source.endswith(".dwell"):
                return parse_duration(v)
            if isinstance(v, str) and v.strip().endswith("%"):
                return parse_fraction(v)
            if is_number(v) and math.isfinite(float(v)):  # type: ignore[arg-type]
                return float(v)  # type: ignore[arg-type]
            raise UnitError(f"expected a number, got {v!r}", "e.g. [0, 1] or for zone dwell [0s, 30s]")

        in_range = self.pair(node.get("range"), "range", in_value)
        out_range: tuple[float, float] | None = None
        if isinstance(spec, ParamSpec):
            out_range = self.pair(node.get("out"), "out", lambda v: parse_param_value(spec, v))
            if node.get("out") is None:
                out_range = (spec.minimum, spec.maximum)
        if in_range is not None and in_range[0] == in_range[1]:
            self.err(node.get("range") or node, "range is empty", "low and high differ")
        curve_word = self.value(node, "mapping", "curve")
        smoothing = self.value(node, "mapping", "smoothing")
        if source is None or not isinstance(spec, ParamSpec) or param is None:
            return None
        return m.Mapping(
            source=source,
            param=param,
            in_range=in_range or (0.0, 1.0),
            out_range=out_range or (spec.minimum, spec.maximum),
            curve=m.Curve(curve_word) if curve_word else m.Curve.LINEAR,
            smoothing_s=smoothing or 0.0,
            pos=self.pos(node),
        )

    # ---------------------------------------------------------------- cues

    def cue_list(self, ctx: _ActContext, y: Y | None, what: str) -> list[m.Cue]:
        out: list[m.Cue] = []
        for it in self.need_seq(y, what, "a list of cues, each starting with '- name: ...'"):
            cue = self.cue(ctx, it)
            if cue is not None:
                out.append(cue)
        return out

    def cue(self, ctx: _ActContext, y: Y) -> m.Cue | None:
        ctx.counter += 1
        number = ctx.counter
        node = self.need_map(y, "a cue", "e.g. - {name: dawn, fade: {light.wash.dimmer: 60%}, duration: 5s}")
        if node is None:
            return None
        name_node = node.get("name")
        name = self.text(name_node, "cue name") if name_node is not None else f"#{number}"
        if name is not None and name_node is not None:
            if name == STOP_ALL:
                self.err(
                    name_node,
                    "cue name 'all' is reserved",
                    "`stop: all` stops every cue; choose another name",
                )
            elif name.startswith("#"):
                self.err(name_node, f"cue name {name!r} may not start with '#'", "'#' names unnamed cues")
            elif name in ctx.cue_names:
                first = ctx.cue_names[name]
                self.err(
                    name_node,
                    f"duplicate cue name {name!r} in act {ctx.name!r}",
                    f"first used at line {first.line}; names are unique within an act",
                )
            else:
                ctx.cue_names[name] = name_node
        elif name is not None:
            ctx.cue_names[name] = node
        label = f"cue {name!r}" if name else "cue"

        actions = [
            k for k, _, vn in node.entries() if k in ACTION_KEYS and not (vn.is_scalar and vn.value is None)
        ]
        kinds = list(dict.fromkeys("fade" if k == "look" else k for k in actions))
        if not kinds:
            self.err(node, f"{label} has no action", "add one of: " + ", ".join(ACTION_WORDS))
            self.keys(node, ALL_CUE_KEYS, label)
            return None
        if len(kinds) > 1:
            self.err(
                node.key_node(actions[1]) or node,
                f"{label} has more than one action: {', '.join(kinds)}",
                "one action per cue; put several in a group",
            )
            self.keys(node, ALL_CUE_KEYS, label)
            return None
        kind = kinds[0]
        allowed = (*CUE_COMMON_KEYS, *CUE_KIND_KEYS[kind])
        for key, kn, _ in node.entries():
            if key not in allowed:
                if key in ALL_CUE_KEYS:
                    self.err(
                        kn, f"`{key}:` does not apply to a {kind} cue", "valid here: " + ", ".join(allowed)
                    )
                else:
                    self.err(kn, f"unknown key {key!r} in {label}", suggest(key, allowed))
        armed = self.value(node, "cue", "armed")
        base: dict[str, Any] = {
            "name": name or f"#{number}",
            "number": self.cue_number(ctx, node.get("number")),
            "pre_wait_s": self.value(node, "cue", "pre_wait") or 0.0,
            "post_wait_s": self.value(node, "cue", "post_wait") or 0.0,
            "armed": armed is not False,
            "pos": self.pos(node),
        }
        cont = self.value(node, "cue", "continue")
        base["continue_mode"] = m.ContinueMode(cont) if cont else m.ContinueMode.NONE
        if kind in ("fade", "osc", "serial"):
            base["duration_s"] = self.value(node, f"cue.{kind}", "duration") or 0.0
        builder = getattr(self, f"cue_{kind}")
        cue: m.Cue | None = builder(ctx, node, base)
        return cue

    def cue_number(self, ctx: _ActContext, y: Y | None) -> str | None:
        """QLab's cue number, as written (`1.10` stays 1.10), unique within the act."""
        if y is None or (y.is_scalar and y.value is None):
            return None
        number = self.text(y, "cue number", "text or a number, e.g. 12 or 1.5")
        if number is None:
            return None
        if y.is_scalar and is_number(y.value) and not y.quoted and 0 < y.line <= len(self.lines):
            written = re.match(r"[^\s,\]}#]+", self.lines[y.line - 1][y.col - 1 :])
            if written:
                number = written.group(0)
        first = ctx.cue_numbers.get(number)
        if first is not None:
            self.err(
                y,
                f"duplicate cue number {number!r} in act {ctx.name!r}",
                f"first used at line {first.line}; numbers are unique within an act",
            )
            return None
        ctx.cue_numbers[number] = y
        return number

    def cue_fade(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        targets: dict[str, float] = {}
        look_name: str | None = None
        ln = node.get("look")
        if ln is not None:
            look_name = self.text(ln, "look")
            if look_name is not None:
                look = ctx.looks.get(look_name)
                if look is None:
                    self.err(
                        ln,
                        f"unknown look {look_name!r} in act {ctx.name!r}",
                        suggest(look_name, ctx.looks, "looks (add looks: to the act)"),
                    )
                else:
                    targets.update(look.values)
        fn = node.get("fade")
        if fn is not None:
            targets.update(self.param_values(ctx, fn, "fade"))
            if fn.is_map and not fn.value:
                self.err(fn, "fade has no targets", 'e.g. fade: {light.wash.dimmer: "60%"}')
        curve = self.choice(node.get("curve"), [c.value for c in m.Curve], "curve")
        return m.FadeCue(
            **base,
            targets=m.frozen_map(targets),
            curve=m.Curve(curve) if curve else m.Curve.LINEAR,
            look=look_name,
        )

    def args(self, y: Y | None, what: str) -> tuple[m.OscArg, ...]:
        out: list[m.OscArg] = []
        items = (
            self.need_seq(y, what, 'e.g. args: [1, 0.5, "text"]')
            if y is not None and not y.is_scalar
            else ([y] if y is not None and y.value is not None else [])
        )
        for it in items:
            v = it.value
            if not it.is_scalar or v is None or (isinstance(v, float) and not math.isfinite(v)):
                self.err(it, f"{what}: each argument is a number, text or true/false")
                continue
            if isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63:
                self.err(it, f"{what}: the whole number {v:.3g} is too large to send",
                         "OSC integers are 64-bit (±9.2e18); write a float such as 1e20 for more")
                continue
            out.append(v)
        return tuple(out)

    def cue_osc(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        on = self.need_map(node.get("osc"), "osc", "osc: {endpoint: media, address: /scene/start, args: [1]}")
        if on is None:
            return None
        self.keys(on, OSC_KEYS, "osc")
        endpoint = self.text(self.need(on, "osc", "endpoint", "osc"), "endpoint")
        address = self.text(
            self.need(on, "osc", "address", "osc"), "address"
        )
        args = self.args(on.get("args"), "osc args")
        fields: dict[str, m.OscArg] = {}
        fields_node = self.need_map(on.get("fields"), "osc fields", "placeholder: value, e.g. {layer: 2}")
        if fields_node is not None:
            for key, _, fv in fields_node.entries():
                if fv.is_scalar and fv.value is not None and not isinstance(fv.value, float | bool):
                    fields[str(key)] = fv.value
                else:
                    self.err(fv, f"osc field {key!r} must be a whole number or text")
        base["fields"] = m.frozen_map(fields)
        if endpoint is None or address is None:
            return None
        if self.rig_failed:
            return m.OscCue(**base, endpoint=endpoint, address=address, args=args)
        endpoints = getattr(self.rig, "osc_endpoints", {}) if self.rig is not None else {}
        ep = endpoints.get(endpoint)
        if ep is None:
            hint = (
                suggest(endpoint, endpoints, "OSC endpoints in the rig")
                if self.rig is not None
                else "the show names no rig: add `rig: hardware/NAME.yaml`"
            )
            self.err(on.get("endpoint") or on, f"unknown OSC endpoint {endpoint!r}", hint)
            return None
        named = getattr(ep, "addresses", {})
        if not address.startswith("/") and address not in named:
            self.err(
                on.get("address") or on,
                f"OSC endpoint {endpoint!r} has no address {address!r}",
                suggest(address, named, "named addresses") + "; or write a literal /path",
            )
            return None
        try:
            ep.address(address, fields)
        except ValueError as exc:
            self.err(on.get("address") or on, str(exc), "give the placeholders with fields: {name: value}")
            return None
        except Exception as exc:  # another module's bug must not become an operator's traceback
            self.err(on.get("address") or on, f"cannot check OSC address: {exc.__class__.__name__}: {exc}")
            return None
        return m.OscCue(**base, endpoint=endpoint, address=address, args=args)

    def cue_serial(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        sn = self.need_map(node.get("serial"), "serial", "serial: {device: fan, command: speed, args: [40]}")
        if sn is None:
            return None
        self.keys(sn, SERIAL_KEYS, "serial")
        device = self.text(self.need(sn, "serial", "device", "serial"), "device")
        command = self.text(
            self.need(sn, "serial", "command", "serial"), "command"
        )
        args = self.args(sn.get("args"), "serial args")
        if device is None or command is None:
            return None
        if self.rig_failed:
            return m.SerialCue(**base, device=device, command=command, args=args)
        devices = getattr(self.rig, "serial_devices", {}) if self.rig is not None else {}
        dev = devices.get(device)
        if dev is None:
            hint = (
                suggest(device, devices, "serial devices in the rig")
                if self.rig is not None
                else "the show names no rig: add `rig: hardware/NAME.yaml`"
            )
            self.err(sn.get("device") or sn, f"unknown serial device {device!r}", hint)
            return None
        commands = getattr(dev, "commands", {})
        if command not in commands:
            self.err(
                sn.get("command") or sn,
                f"serial device {device!r} has no command {command!r}",
                suggest(command, commands, "commands"),
            )
            return None
        try:
            dev.line(command, args)
        except ValueError as exc:
            self.err(sn.get("args") or sn.get("command") or sn, str(exc))
            return None
        except Exception as exc:  # another module's bug must not become an operator's traceback
            self.err(sn.get("command") or sn, f"cannot check serial command: {exc.__class__.__name__}: {exc}")
            return None
        return m.SerialCue(**base, device=device, command=command, args=args)

    def cue_group(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        mode = self.choice(node.get("group"), [g.value for g in m.GroupMode], "group mode")
        loop = self.boolean(node.get("loop"), "loop")
        if loop and mode == m.GroupMode.TIMELINE.value:
            self.err(node.get("loop") or node, "loop only applies to playlist groups", "group: playlist")
        children_node = self.need(node, "cue.group", "cues", f"group {base['name']!r}")
        ctx.groups.append(base["name"])
        try:
            children = self.cue_list(ctx, children_node, "group cues")
        finally:
            ctx.groups.pop()
        if children_node is not None and children_node.is_seq and not children_node.value:
            self.err(children_node, f"group {base['name']!r} has no cues")
        return m.GroupCue(
            **base,
            mode=m.GroupMode(mode) if mode else m.GroupMode.TIMELINE,
            loop=bool(loop),
            children=tuple(children),
        )

    def cue_stop(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        sn = node.get("stop")
        target = self.text(sn, "stop", "a cue name of this act, or all")
        fade_out = self.duration(node.get("fade_out"), "fade_out") or 0.0
        if target is None or sn is None:
            return None
        if target != STOP_ALL:
            ctx.cue_refs.append(("stop", target, sn))
        return m.StopCue(
            **{**base, "duration_s": fade_out},
            target=None if target == STOP_ALL else target,
            fade_out_s=fade_out,
        )

    def cue_goto(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        gn = node.get("goto")
        target = self.text(gn, "goto", "a cue name of this act")
        if target is None or gn is None:
            return None
        ctx.cue_refs.append(("goto", target, gn))
        return m.GotoCue(**base, target=target)

    def cue_wait(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        wait = self.duration(node.get("wait"), "wait")
        return m.WaitCue(**{**base, "duration_s": wait or 0.0})

    def cue_act(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target = self.act_ref(node.get("act"), "act", targets=True)
        if target is None:
            return None
        return m.ActCue(**base, target=target)

    def cue_target(
        self, ctx: _ActContext, node: Y, kind: str, all_too: bool = False
    ) -> tuple[str | None, bool]:
        """The cue a control cue acts on (checked once the act's cues are known); (None, True) = `all`."""
        tn = node.get(kind)
        hint = "a cue name of this act" + (", or all" if all_too else "")
        target = self.text(tn, kind, hint)
        if target is None or tn is None:
            return None, False
        if all_too and target == STOP_ALL:
            return None, True
        ctx.cue_refs.append((kind, target, tn))
        return target, True

    def cue_start(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, _ = self.cue_target(ctx, node, "start")
        return None if target is None else m.StartCue(**base, target=target)

    def cue_pause(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, _ = self.cue_target(ctx, node, "pause")
        return None if target is None else m.PauseCue(**base, target=target)

    def cue_load(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, _ = self.cue_target(ctx, node, "load")
        at_s = self.value(node, "cue.load", "at")
        if target is None:
            return None
        if target == base["name"] or target in ctx.groups:
            self.err(
                node.get("load") or node,
                f"cue {base['name']!r} cannot load {target!r}: it is that cue or a group it is in",
                "load a cue outside this group, or start the group again with a `start:` cue",
            )
            return None
        return m.LoadCue(**base, target=target, at_s=at_s or 0.0)

    def cue_reset(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, ok = self.cue_target(ctx, node, "reset", all_too=True)
        return m.ResetCue(**base, target=target) if ok else None

    def cue_devamp(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, _ = self.cue_target(ctx, node, "devamp")
        return None if target is None else m.DevampCue(**base, target=target)

    def cue_arm(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, _ = self.cue_target(ctx, node, "arm")
        return None if target is None else m.ArmCue(**base, target=target)

    def cue_disarm(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        target, _ = self.cue_target(ctx, node, "disarm")
        return None if target is None else m.DisarmCue(**base, target=target)

    def cue_memo(self, ctx: _ActContext, node: Y, base: dict[str, Any]) -> m.Cue | None:
        text = self.value(node, "cue.memo", "memo")
        return None if text is None else m.MemoCue(**base, text=text)

    # ---------------------------------------------------------------- triggers

    def trigger(self, y: Y) -> m.Trigger | None:
        node = self.need_map(y, "a trigger", "e.g. - {when: count >= 1 for 2s, go: next}")
        if node is None:
            return None
        self.keys(node, TRIGGER_KEYS, "trigger")
        present = [k for k in CONDITION_KEYS if node.get(k) is not None]
        target = self.act_ref(
            self.need(node, "trigger", "go", "a trigger"), "go", targets=True
        )
        hyst_node = node.get("hysteresis")
        hysteresis = self.number(hyst_node, "hysteresis", 0.0, hint="a margin ≥ 0 in the value's units")
        if hyst_node is not None and present != ["when"]:
            self.err(hyst_node, "hysteresis only applies to `when:` conditions")
        if not present:
            self.err(node, "a trigger needs a condition", "one of when:, after:, at:, on:")
            return None
        if len(present) > 1:
            self.err(
                node.key_node(present[1]) or node,
                f"a trigger has one condition, got {', '.join(present)}",
                "split it into two triggers",
            )
            return None
        key = present[0]
        cn = node.get(key)
        assert cn is not None  # present means the key has a value
        cond: m.Condition | None
        if key == "when":
            cond = self.condition(cn, hysteresis or 0.0)
        elif key == "after":
            after = self.duration(cn, "after")
            cond = None if after is None else m.AfterCondition(after_s=after, pos=self.pos(cn))
        elif key == "at":
            try:
                cond = m.AtCondition(
                    time_of_day_s=parse_time_of_day(cn.value if cn.is_scalar else _Shape(cn)),
                    pos=self.pos(cn),
                )
            except UnitError as exc:
                self.err(cn, f"at: {exc.message}", exc.hint)
                cond = None
        else:
            cond = self.command(cn)
        if cond is None or target is None:
            return None
        return m.Trigger(condition=cond, target=target, pos=self.pos(node))

    def command(self, y: Y) -> m.Condition | None:
        text = self.text(y, "on", "go, osc /address, web NAME or a command word")
        if text is None:
            return None
        words = text.split()
        if words == ["go"]:
            return m.GoCondition(pos=self.pos(y))
        if len(words) == 2 and words[0] in ("osc", "web"):
            if words[0] == "osc" and not words[1].startswith("/"):
                self.err(
                    y, f"OSC address {words[1]!r} must start with /", "e.g. on: osc /show/skip", offset=4
                )
                return None
            return m.CommandCondition(command=words[1], channel=words[0], pos=self.pos(y))
        if len(words) == 1:
            return m.CommandCondition(command=words[0], pos=self.pos(y))
        self.err(y, f"on: {text!r} is not an event", "go, osc /address, web NAME or a command word")
        return None

    def condition(self, y: Y, hysteresis: float) -> m.PresenceCondition | None:
        raw = y.value if y.is_scalar else None
        if not isinstance(raw, str) or not raw.strip():
            self.err(y, "when: must be a condition", CONDITION_HINT)
            return None
        text = raw
        lead = len(text) - len(text.lstrip())
        hold_s = 0.0
        head = text.strip()
        fm = _FOR_RE.match(head)
        if fm:
            head = fm.group("head")
            hold_txt = fm.group("hold")
            try:
                hold_s = parse_duration(hold_txt)
            except UnitError as exc:
                self.err(y, f"hold time: {exc.message}", exc.hint or DURATION_HINT, lead + fm.start("hold"))
                return None
        words = head.split()
        source: str | None
        op: str
        threshold: float
        if len(words) == 2 and words[0] == "room" and words[1] in ("empty", "occupied"):
            source, op, threshold = (
                "count",
                ("==" if words[1] == "empty" else ">="),
                (0.0 if words[1] == "empty" else 1.0),
            )
        elif len(words) == 3 and words[0] == "zone" and words[2] in ("empty", "occupied"):
            zone = words[1]
            if zone not in self.zones:
                self.err(
                    y,
                    f"unknown zone {zone!r}",
                    suggest(zone, self.zones, "zones (add presence: zones:)"),
                    lead + head.index(zone, 4),
                )
                return None
            source = f"zone.{zone}.count"
            op, threshold = ("==", 0.0) if words[2] == "empty" else (">=", 1.0)
        else:
            parts = _OPS_RE.split(head, maxsplit=1)
            if len(parts) != 3 or not parts[0].strip() or not parts[2].strip():
                self.err(y, f"cannot read condition {text.strip()!r}", CONDITION_HINT, lead)
                return None
            left, op, right = parts[0].strip(), parts[1], parts[2].strip()
            if left.startswith("zone ") and "." in left:
                left = "zone." + left[5:].strip()
            source = self.presence_source(left, y, lead)
            if source is None:
                return None
            try:
                threshold = parse_fraction(right) if right.endswith("%") else float(right)
                if not math.isfinite(threshold):
                    raise ValueError(right)
            except (ValueError, UnitError):
                col = lead + len(parts[0]) + len(op) + (len(parts[2]) - len(parts[2].lstrip()))
                hint = "compare with a number, e.g. count >= 2"
                self.err(y, f"{abbreviate(right)!r} is not a number", hint, col)
                return None
        return m.PresenceCondition(
            source=source,
            op=op,  # type: ignore[arg-type]
            threshold=threshold,
            hold_s=hold_s,
            hysteresis=hysteresis,
            text=text.strip(),
            pos=self.pos(y),
        )

    # ---------------------------------------------------------------- expect

    def expects(self, y: Y | None, acts: Mapping[str, m.Act]) -> list[m.Expect]:
        out: list[m.Expect] = []
        checks = S["expect"].exactly_one
        for it in self.need_seq(
            y, "expect", "a list, e.g. - {audience: walkthrough, reaches: finale, by: 25min}"
        ):
            node = self.need_map(it, "an expectation", "e.g. {audience: walkthrough, reaches: finale}")
            if node is None:
                continue
            self.keys(node, EXPECT_KEYS, "expect")
            audience = self.text(node.get("audience"), "audience", "an audience script name")
            kinds = [k for k in checks if node.get(k) is not None]
            if len(kinds) != 1:
                self.err(
                    node,
                    "an expectation needs exactly one of " + ", ".join(f"{k}:" for k in checks)
                    if not kinds
                    else f"an expectation has one check, got {', '.join(kinds)}",
                )
                continue
            kind = kinds[0]
            by_node = node.get("by")
            if by_node is not None and kind != "reaches":
                self.err(node.key_node("by") or by_node, "`by:` only applies to reaches:")
            got: m.Expect | None = None
            if kind == "reaches":
                act = self.act_ref(node.get("reaches"), "reaches")
                by = self.duration(by_node, "by")
                if act is not None:
                    got = m.ReachesExpect(audience=audience, act=act, by_s=by, pos=self.pos(node))
            elif kind == "never_reaches":
                act = self.act_ref(node.get("never_reaches"), "never_reaches")
                if act is not None:
                    got = m.NeverReachesExpect(audience=audience, act=act, pos=self.pos(node))
            elif kind == "act_at":
                an = self.need_map(node.get("act_at"), "act_at", "act_at: {time: 3min, act: streets}")
                if an is None:
                    continue
                self.keys(an, ACT_AT_KEYS, "act_at")
                t = self.value(an, "act_at", "time") if self.need(an, "act_at", "time", "act_at") else None
                act = self.act_ref(self.need(an, "act_at", "act", "act_at"), "act")
                if t is not None and act is not None:
                    got = m.ActAtExpect(audience=audience, time_s=t, act=act, pos=self.pos(node))
            else:
                sub = self.need_map(node.get(kind), kind, sx.section(kind).example)
                if sub is None:
                    continue
                self.keys(sub, S[kind].names, kind)
                if kind == "cue_start":
                    got = self.cue_start_expect(sub, audience, node, acts)
                elif kind == "param_at":
                    got = self.param_at_expect(sub, audience, node, acts)
                else:
                    got = self.dmx_at_expect(sub, audience, node)
            if got is not None:
                out.append(got)
        return out

    def expect_time(self, sub: Y, kind: str) -> float | None:
        return self.value(sub, kind, "time") if self.need(sub, kind, "time", kind) else None

    def cue_start_expect(
        self, sub: Y, audience: str | None, node: Y, acts: Mapping[str, m.Act]
    ) -> m.CueStartExpect | None:
        t = self.expect_time(sub, "cue_start")
        act = self.act_ref(self.need(sub, "cue_start", "act", "cue_start"), "act")
        cue_node = self.need(sub, "cue_start", "cue", "cue_start")
        cue = self.text(cue_node, "cue")
        tolerance = self.value(sub, "cue_start", "tolerance")
        if act is not None and cue is not None and cue_node is not None and act in acts:
            names = [c.name for c in acts[act].all_cues()]
            if cue not in names:
                self.err(cue_node, f"act {act!r} has no cue {cue!r}", suggest(cue, names, "cues"))
                return None
        if t is None or act is None or cue is None:
            return None
        tol = m.CUE_START_TOLERANCE_S if tolerance is None else tolerance
        return m.CueStartExpect(
            audience=audience, act=act, cue=cue, time_s=t, tolerance_s=tol, pos=self.pos(node)
        )

    def param_at_expect(
        self, sub: Y, audience: str | None, node: Y, acts: Mapping[str, m.Act]
    ) -> m.ParamAtExpect | None:
        t = self.expect_time(sub, "param_at")
        pn = self.need(sub, "param_at", "param", "param_at")
        vn = self.need(sub, "param_at", "value", "param_at")
        param = self.text(pn, "param", PARAM_PREFIX_HINT)
        if param is None or pn is None or vn is None:
            return None
        # any parameter of the show or of one of its acts: which act runs at that time is the test's job
        specs = dict(self.show_params)
        for a in acts.values():
            specs.update(a.params)
        ctx = _ActContext("the show", specs, [])
        raw = vn.value if vn.is_scalar else None
        if not (is_color(raw) and (param not in specs or param.endswith(".color"))) and param not in specs:
            close = difflib.get_close_matches(param, list(specs), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else PARAM_PREFIX_HINT
            self.err(pn, f"unknown parameter {param!r} (no act of the show has it)", hint)
            return None
        values = self.param_value(ctx, param, pn, vn)
        if values is None or t is None:
            return None
        tolerances: dict[str, float] = {}
        tn = sub.get("tolerance")
        for name in values:
            spec = specs[name]
            span = spec.maximum - spec.minimum
            exact = spec.kind in ("bool", "long", "choice") or bool(spec.choices) or not math.isfinite(span)
            tolerances[name] = 0.0 if exact else m.PARAM_TOLERANCE * span
        if tn is not None:
            spec = specs[next(iter(values))]
            span = spec.maximum - spec.minimum
            room = ParamSpec(spec.name, 0.0, span if math.isfinite(span) else math.inf, 0.0, spec.unit)
            try:
                tol = parse_param_value(room, tn.value if tn.is_scalar else _Shape(tn))
            except UnitError as exc:
                self.err(tn, f"tolerance: {exc.message}", exc.hint)
                return None
            tolerances = dict.fromkeys(values, tol)
        return m.ParamAtExpect(
            audience=audience,
            time_s=t,
            param=param,
            values=m.frozen_map(values),
            tolerances=m.frozen_map(tolerances),
            units=m.frozen_map({name: specs[name].unit for name in values}),
            pos=self.pos(node),
        )

    def whole(self, y: Y | None, what: str, lo: int, hi: int) -> int | None:
        x = self.number(y, what, lo, hi)
        if x is None or y is None:
            return None
        if x != int(x) or isinstance(y.value, bool):
            self.err(y, f"{what} must be a whole number", f"{lo}..{hi}")
            return None
        return int(x)

    def dmx_at_expect(self, sub: Y, audience: str | None, node: Y) -> m.DmxAtExpect | None:
        t = self.expect_time(sub, "dmx_at")
        value = self.whole(self.need(sub, "dmx_at", "value", "dmx_at"), "value", 0, 255)
        tn = sub.get("tolerance")
        tolerance = self.whole(tn, "tolerance", 0, 255) if tn is not None else m.DMX_TOLERANCE
        hint = (
            "universe: + channel:, or fixture: + attribute:, e.g. "
            "{time: 2min, fixture: wash, attribute: dimmer, value: 255}"
        )
        by_channel, by_fixture = sub.get("channel") is not None, sub.get("fixture") is not None
        if by_channel == by_fixture:
            self.err(sub, "dmx_at names a channel: universe + channel, or fixture + attribute", hint)
            return None
        for key, other in (("attribute", "fixture"), ("universe", "channel")):
            kn = sub.key_node(key)
            if kn is not None and (key == "attribute") == by_channel:
                self.err(kn, f"`{key}:` goes with `{other}:`", hint)
                return None
        rig = self.rig
        if rig is None:
            if not self.rig_failed:
                self.err(sub, "dmx_at needs the show's rig", "add `rig: hardware/NAME.yaml` at the top")
            return None
        fixture: str | None = None
        attribute: str | None = None
        if by_channel:
            un = self.required(sub, "universe", "dmx_at with `channel:`", "e.g. universe: 1")
            universe = self.whole(un, "universe", 1, 63999)
            channel = self.whole(sub.get("channel"), "channel", 1, 512)
            if universe is not None and un is not None and universe not in rig.universes:
                sent = ", ".join(str(u) for u in rig.universes) or "none"
                self.err(un, f"universe {universe} is not one the rig sends", f"the rig's universes: {sent}")
                return None
        else:
            fn = sub.get("fixture")
            fixture = self.text(fn, "fixture")
            an = self.required(sub, "attribute", "dmx_at with `fixture:`", "e.g. attribute: dimmer")
            attribute = self.text(an, "attribute")
            universe = channel = None
            if fixture is None or fn is None or attribute is None or an is None:
                return None
            fx = rig.fixtures.get(fixture)
            if fx is None:
                self.err(fn, f"unknown fixture {fixture!r}", suggest(fixture, rig.fixtures, "fixtures"))
                return None
            attrs = fx.attributes()
            ch = attrs.get(attribute)
            if ch is None:
                self.err(an, f"fixture {fixture!r} has no attribute {attribute!r}", suggest(attribute, attrs))
                return None
            index = next((i for i, c in enumerate(fx.mode.channels) if c is ch), None)
            if index is None:
                self.err(
                    an,
                    f"{fixture}'s {attribute} is virtual: it has no DMX channel of its own",
                    "check a channel it masters, e.g. attribute: red",
                )
                return None
            universe, channel = fx.universe, fx.address + index
        if t is None or value is None or tolerance is None or universe is None or channel is None:
            return None
        return m.DmxAtExpect(
            audience=audience,
            time_s=t,
            universe=universe,
            channel=channel,
            value=value,
            tolerance=tolerance,
            fixture=fixture,
            attribute=attribute,
            pos=self.pos(node),
        )

    # ---------------------------------------------------------------- references

    def check_act_refs(self, idle_act: str | None) -> None:
        names = self.act_names
        for name, y, what in self.act_refs:
            if name in names:
                continue
            if what == "target" and name in (m.TARGET_NEXT, m.TARGET_IDLE):
                continue
            valid = [n for n in names if n not in RESERVED_ACT_NAMES]
            valid += [m.TARGET_NEXT, m.TARGET_IDLE] if what == "target" else []
            self.err(y, f"unknown act {name!r}", suggest(name, valid, "acts"))
        idle_node = self.act_names.get(m.TARGET_IDLE)
        if idle_node is not None and idle_act is not None and idle_act != m.TARGET_IDLE:
            self.err(
                idle_node,
                "an act named 'idle' must be the idle act",
                "`go: idle` means the idle act; rename this act or make it `idle: {act: idle}`",
            )


class _Shape:
    """Stands for a list or mapping where a single value was expected (for unit error messages)."""

    def __init__(self, y: Y) -> None:
        self.kind = "a list" if y.is_seq else "a mapping"

    def __repr__(self) -> str:
        return self.kind


# ------------------------------------------------------------------------------------------- public


def load_show(path: Path, root: Path | None = None, resolver: Resolver | None = None) -> m.Show:
    """Load and validate a show file; raise ShowError listing every problem as `file:line:col: message`.

    `root` is the project folder (default: the folder containing `cues/`); every path the show names
    must stay inside it. `resolver` replaces the rig/scene/audio lookups (tests pass fakes).
    """
    return load_show_text(None, path, root, resolver)


def load_show_text(
    text: str | bytes | None, path: Path, root: Path | None = None, resolver: Resolver | None = None
) -> m.Show:
    """Like load_show, for show text not (yet) saved at `path` (e.g. an edit in the web panel).

    `path` names the file in messages and places the show in its project; `text` None reads it.
    """
    path = Path(path).absolute()
    root = (Path(root) if root is not None else find_root(path)).resolve()
    loader = _Loader(path, root, resolver or DefaultResolver())
    show = loader.load(text)
    assert show is not None  # load raises ShowError rather than return nothing
    return show
