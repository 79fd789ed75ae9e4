"""ISF v2 scene headers: the `/*{ JSON }*/` comment that declares a shader's inputs, passes and images."""

from __future__ import annotations

import ast
import difflib
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.engine.params import ParamSpec
from installation.errors import Problem, ShowError, display_path
from installation.projection.jsonpos import JArray, JObject, JsonSyntaxError, parse

log = logging.getLogger(__name__)

INPUT_TYPES = ("float", "long", "bool", "event", "color", "point2D", "image", "audio", "audioFFT")
AUDIO_TYPES = ("audio", "audioFFT")  # textures fed from the act's soundscape: one row per channel
REJECTED_TYPES = {
    "text": "text inputs are not supported; use a long input with LABELS",
    "cube": "cube-map inputs are not supported; use an image",
}
TRANSITION_INPUTS = ("startImage", "endImage", "progress")
COLOR_COMPONENTS = ("r", "g", "b", "a")
POINT_COMPONENTS = ("x", "y")

# Names the translator declares in every shader; an input may not reuse them.
AUTOMATIC_UNIFORMS = ("TIME", "TIMEDELTA", "RENDERSIZE", "FRAMEINDEX", "DATE", "PASSINDEX")
_KNOWN_TOP_KEYS = ("INPUTS", "PASSES", "IMPORTED", "DESCRIPTION", "CREDIT", "CATEGORIES", "ISFVSN", "VSN",
                   "PERSISTENT_BUFFERS", "LABEL")
_KNOWN_INPUT_KEYS = ("NAME", "TYPE", "DEFAULT", "MIN", "MAX", "IDENTITY", "LABEL", "LABELS", "VALUES",
                     "DESCRIPTION", "VIDEO", "PLAYBACK")
VIDEO_PLAYBACK = ("loop", "once")  # an image input's VIDEO: loop it, or play it once from the act's start
_KNOWN_PASS_KEYS = ("TARGET", "PERSISTENT", "FLOAT", "WIDTH", "HEIGHT", "DESCRIPTION")
_GLSL_RESERVED = frozenset(str.split("""
attribute const uniform varying layout centroid flat smooth noperspective break continue do for while
switch case default if else in out inout float int void bool true false invariant discard return mat2
mat3 mat4 mat2x2 mat2x3 mat2x4 mat3x2 mat3x3 mat3x4 mat4x2 mat4x3 mat4x4 vec2 vec3 vec4 ivec2 ivec3
ivec4 bvec2 bvec3 bvec4 uint uvec2 uvec3 uvec4 lowp mediump highp precision sampler1D sampler2D
sampler3D samplerCube struct common partition active asm class union enum typedef template this
packed goto inline noinline volatile public static extern external interface long short double half
fixed unsigned superp input output hvec2 hvec3 hvec4 dvec2 dvec3 dvec4 fvec2 fvec3 fvec4 sampler2DRect
filter image sizeof cast namespace using texture main
"""))
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SIZE_FUNCS: dict[str, Any] = {
    "floor": math.floor, "ceil": math.ceil, "round": round, "abs": abs, "min": min, "max": max,
    "pow": pow, "sqrt": math.sqrt, "clamp": lambda v, lo, hi: min(hi, max(lo, v)),
}


@dataclass(frozen=True, slots=True)
class SceneInput:
    """One ISF input; default/minimum/maximum are floats, or tuples for color and point2D."""

    name: str
    type: str
    default: Any = None
    minimum: Any = None
    maximum: Any = None
    label: str = ""
    labels: tuple[str, ...] = ()
    values: tuple[int, ...] = ()
    line: int = 1
    col: int = 1
    video: str = ""  # image inputs: a video file (relative to the .fs), "camera[:N]" or "generated:NAME"
    playback: str = "loop"  # "loop" or "once" (then the last frame stays)

    def param_names(self) -> tuple[str, ...]:
        """The engine parameters this input becomes (empty for images)."""
        if self.type == "color":
            return tuple(f"scene.{self.name}.{c}" for c in COLOR_COMPONENTS)
        if self.type == "point2D":
            return tuple(f"scene.{self.name}.{c}" for c in POINT_COMPONENTS)
        if self.type == "image" or self.type in AUDIO_TYPES:
            return ()
        return (f"scene.{self.name}",)


@dataclass(frozen=True, slots=True)
class SizeExpr:
    """A pass WIDTH/HEIGHT: a number or an expression over $WIDTH, $HEIGHT and input names."""

    text: str
    tree: ast.Expression

    def evaluate(self, width: int, height: int, inputs: Mapping[str, float] | None = None) -> int:
        """Pixels for a render size and current input values; at least 1."""
        names = {"_v_WIDTH": float(width), "_v_HEIGHT": float(height)}
        for key, val in (inputs or {}).items():
            names["_v_" + key] = float(val)
        try:
            value = _eval_size(self.tree.body, names)
        except (ZeroDivisionError, ValueError, OverflowError, KeyError):
            value = 1.0
        if not math.isfinite(value):
            value = 1.0
        return max(1, min(16384, int(value)))


@dataclass(frozen=True, slots=True)
class ScenePass:
    """One render pass: an optional named target buffer, persistence, float storage and size."""

    index: int
    target: str | None = None
    persistent: bool = False
    float_storage: bool = False
    width: SizeExpr | None = None
    height: SizeExpr | None = None
    line: int = 1
    col: int = 1

    def size(self, width: int, height: int, inputs: Mapping[str, float] | None = None) -> tuple[int, int]:
        """This pass's buffer size for a render size (the render size unless WIDTH/HEIGHT say otherwise)."""
        w = self.width.evaluate(width, height, inputs) if self.width else width
        h = self.height.evaluate(width, height, inputs) if self.height else height
        return w, h


@dataclass(frozen=True, slots=True)
class ImportedImage:
    """An image file the shader samples by name (IMPORTED)."""

    name: str
    path: Path
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class SceneInfo:
    """Everything the show loader and the renderer need from an ISF file's header, with positions."""

    path: Path
    display: str  # the file name as errors show it
    inputs: tuple[SceneInput, ...]
    passes: tuple[ScenePass, ...]
    imported: tuple[ImportedImage, ...] = ()
    description: str = ""
    credit: str = ""
    categories: tuple[str, ...] = ()
    isf_version: str = "2.0"
    source: str = ""  # the whole file
    body: str = ""  # the GLSL after the header comment
    body_line: int = 1  # 1-based file line where `body` starts
    vertex_path: Path | None = None  # optional companion `.vs` (or `.vert`) file
    warnings: tuple[Problem, ...] = ()  # what VVISF accepts but the artist should fix (file:line:col)
    _by_name: Mapping[str, SceneInput] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_transition(self) -> bool:
        """True for an ISF transition: image inputs startImage and endImage and a float progress."""
        types = {i.name: i.type for i in self.inputs}
        return (types.get("startImage") == "image" and types.get("endImage") == "image"
                and types.get("progress") == "float")

    def input(self, name: str) -> SceneInput:
        """The input named `name` (KeyError when there is none)."""
        return self._by_name[name]

    def parameters(self) -> dict[str, ParamSpec]:
        """Engine parameters `scene.<input>` (color → .r/.g/.b/.a, point2D → .x/.y; none for images).

        A transition's startImage/endImage/progress are driven by the renderer and are not parameters.
        """
        out: dict[str, ParamSpec] = {}
        for inp in self.inputs:
            if self.is_transition and inp.name in TRANSITION_INPUTS:
                continue
            base = f"scene.{inp.name}"
            if inp.type == "float":
                out[base] = ParamSpec(base, inp.minimum, inp.maximum, inp.default, kind="float")
            elif inp.type == "long":
                choices = tuple(zip(inp.labels, (float(v) for v in inp.values), strict=True))
                out[base] = ParamSpec(base, float(min(inp.values)), float(max(inp.values)),
                                      float(inp.default), kind="long", choices=choices)
            elif inp.type in ("bool", "event"):
                # an event fires for one frame when its parameter rises through 0.5
                out[base] = ParamSpec(base, 0.0, 1.0, float(inp.default or 0.0), kind="bool")
            elif inp.type == "color":
                for comp, val in zip(COLOR_COMPONENTS, inp.default, strict=True):
                    out[f"{base}.{comp}"] = ParamSpec(f"{base}.{comp}", 0.0, 1.0, val, kind="color-component")
            elif inp.type == "point2D":
                for k, comp in enumerate(POINT_COMPONENTS):
                    out[f"{base}.{comp}"] = ParamSpec(f"{base}.{comp}", inp.minimum[k], inp.maximum[k],
                                                      inp.default[k], kind="float")
        return out

    def defaults(self) -> dict[str, float]:
        """Default value of every parameter (what the renderer uses until the store says otherwise)."""
        return {name: spec.default for name, spec in self.parameters().items()}

    def color_expand(self, param: str, value: str) -> dict[str, float]:
        """`scene.tint` + "#ff8800" or "#ff880080" → {scene.tint.r: 1.0, ...}; ValueError if not a colour."""
        name = param.removeprefix("scene.")
        inp = self._by_name.get(name)
        if inp is None or inp.type != "color":
            raise ValueError(f"{param} is not a color input of {self.display}")
        m = re.fullmatch(r"#?([0-9a-fA-F]{6})([0-9a-fA-F]{2})?", value.strip())
        if m is None:
            raise ValueError(f"{value!r} is not a colour: write \"#rrggbb\" or \"#rrggbbaa\"")
        hexes = m.group(1) + (m.group(2) or "ff")
        comps = [int(hexes[i : i + 2], 16) / 255.0 for i in range(0, 8, 2)]
        return {f"scene.{name}.{c}": v for c, v in zip(COLOR_COMPONENTS, comps, strict=True)}

    def watched_files(self) -> tuple[Path, ...]:
        """Files whose change should reload the scene (the shader, its .vs, imported images)."""
        files = [self.path, *(img.path for img in self.imported)]
        if self.vertex_path is not None:
            files.append(self.vertex_path)
        return tuple(files)


# --- parsing -----------------------------------------------------------------------------------------------

class _Collector:
    def __init__(self, display: str, origin: tuple[int, int]) -> None:
        self.display = display
        self.origin = origin  # file (line, col) of the JSON text's first character
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def at(self, pos: tuple[int, int]) -> tuple[int, int]:
        line, col = pos
        oline, ocol = self.origin
        return (oline, ocol + col - 1) if line == 1 else (oline + line - 1, col)

    def add(self, pos: tuple[int, int], message: str, hint: str = "") -> None:
        line, col = self.at(pos)
        self.problems.append(Problem(self.display, line, col, message, hint))

    def warn(self, pos: tuple[int, int], message: str, hint: str = "") -> None:
        """Something VVISF accepts (so the scene runs as it does there) but that is probably a slip."""
        line, col = self.at(pos)
        self.warnings.append(Problem(self.display, line, col, message, hint))


def _split_header(text: str) -> tuple[int, int, int] | None:
    """(start, end) of the JSON inside the leading `/* ... */`, and the index where the body starts."""
    stripped = len(text) - len(text.lstrip())
    if not text.startswith("/*", stripped):
        return None
    end = text.find("*/", stripped + 2)
    if end < 0:
        return None
    return stripped + 2, end, end + 2


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _suggest(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else ""


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _num_list(v: Any, n: int) -> tuple[float, ...] | None:
    if isinstance(v, list) and len(v) == n and all(_is_num(x) for x in v):
        return tuple(float(x) for x in v)
    return None


def _check_unknown_keys(node: JObject, known: tuple[str, ...], what: str, c: _Collector) -> None:
    # ISF lets vendors add keys, so unknown keys are accepted; a near-miss of a known key is a typo.
    for key in node:
        if key in known:
            continue
        hint = _suggest(key, known)
        if hint:
            c.add(node.key_pos[key], f"unknown key {key!r} in {what}", hint)
        else:
            log.debug("%s: ignoring vendor key %r in %s", c.display, key, what)


def _parse_input(node: Any, pos: tuple[int, int], c: _Collector) -> SceneInput | None:
    if not isinstance(node, JObject):
        c.add(pos, "each INPUTS entry must be an object", 'like {"NAME": "glow", "TYPE": "float"}')
        return None
    _check_unknown_keys(node, _KNOWN_INPUT_KEYS, "an input", c)
    name = node.get("NAME")
    typ = node.get("TYPE")
    ok = True
    if not isinstance(name, str) or not _IDENT.match(name):
        c.add(node.value_pos.get("NAME", node.pos), f"input NAME {name!r} is not a GLSL identifier",
              "letters, digits and _ , not starting with a digit")
        ok = False
    elif (name in _GLSL_RESERVED or name.startswith("gl_") or "__" in name or name in AUTOMATIC_UNIFORMS
          or name.startswith(("PRESENCE_", "isf_", "ZONE_"))):
        c.add(node.value_pos["NAME"], f"input NAME {name!r} is reserved",
              "choose another name (not a GLSL keyword, an ISF automatic uniform, PRESENCE_*, isf_*, gl_*)")
        ok = False
    if not isinstance(typ, str):
        c.add(node.value_pos.get("TYPE", node.pos), "input needs a TYPE", "one of " + ", ".join(INPUT_TYPES))
        return None
    if typ in REJECTED_TYPES:
        c.add(node.value_pos["TYPE"], f"input type {typ!r} is not supported", REJECTED_TYPES[typ])
        return None
    if typ not in INPUT_TYPES:
        hint = _suggest(typ, INPUT_TYPES) or "one of " + ", ".join(INPUT_TYPES)
        c.add(node.value_pos["TYPE"], f"unknown input TYPE {typ!r}", hint)
        return None
    if not ok:
        return None
    line, col = c.at(node.pos)
    label = node.get("LABEL", "")
    label = label if isinstance(label, str) else ""
    vpos = node.value_pos

    def bad(key: str, message: str, hint: str = "") -> None:
        c.add(vpos.get(key, node.pos), f"input {name!r}: {message}", hint)

    def warn(key: str, message: str, hint: str = "") -> None:
        c.warn(vpos.get(key, node.pos), f"input {name!r}: {message}", hint)

    if typ == "float":
        lo, hi, dflt = node.get("MIN"), node.get("MAX"), node.get("DEFAULT")
        for key, val in (("MIN", lo), ("MAX", hi), ("DEFAULT", dflt)):
            if val is not None and not _is_num(val):
                bad(key, f"{key} must be a number, not {val!r}")
                return None
        if (lo is None) != (hi is None):  # VVISF drops a lone MIN or MAX and uses 0..1
            given = "MIN" if hi is None else "MAX"
            warn(given, f"{given} without {'MAX' if hi is None else 'MIN'}: the range is 0..1 (as in VVISF)",
                 "give both MIN and MAX")
            lo = hi = None
        lo, hi = (0.0, 1.0) if lo is None else (lo, hi)
        if lo > hi:
            bad("MIN", f"MIN {lo} is above MAX {hi}")
            return None
        if dflt is None:  # VVISF: the middle of the range
            dflt = lo + (hi - lo) / 2.0
        if not lo <= dflt <= hi:
            clamped = min(max(dflt, lo), hi)
            warn("DEFAULT",
                 f"DEFAULT {dflt} is outside MIN..MAX ({lo}..{hi}); using {clamped} (as VVISF does)")
            dflt = clamped
        return SceneInput(name, typ, float(dflt), float(lo), float(hi), label, line=line, col=col)
    if typ == "long":
        values, labels = node.get("VALUES"), node.get("LABELS")
        if values is None:
            lo, hi = node.get("MIN", 0), node.get("MAX")
            if not (_is_num(lo) and _is_num(hi)) or hi < lo or hi - lo > 1000:
                bad("VALUES", "a long input needs VALUES (a list of integers) or integer MIN and MAX",
                    '"VALUES": [0, 1, 2], "LABELS": ["calm", "busy", "storm"]')
                return None
            values = list(range(int(lo), int(hi) + 1))
        if not isinstance(values, list) or not values or not all(_is_num(v) for v in values):
            bad("VALUES", "VALUES must be a non-empty list of numbers")
            return None
        ivals = tuple(int(v) for v in values)
        if labels is None:
            labels = [str(v) for v in ivals]
        if (not isinstance(labels, list) or len(labels) != len(ivals)
                or not all(isinstance(s, str) for s in labels)):
            bad("LABELS", f"LABELS must be a list of {len(ivals)} strings, one per value")
            return None
        dflt = node.get("DEFAULT", ivals[0])
        if not _is_num(dflt):
            bad("DEFAULT", f"DEFAULT {dflt!r} is not a number")
            return None
        if int(dflt) not in ivals:
            nearest = min(ivals, key=lambda v: (abs(v - dflt), v))
            warn("DEFAULT", f"DEFAULT {dflt!r} is not one of VALUES {list(ivals)}; using {nearest}")
            dflt = nearest
        return SceneInput(name, typ, float(int(dflt)), float(min(ivals)), float(max(ivals)), label,
                          tuple(labels), ivals, line, col)
    if typ in ("bool", "event"):
        dflt = node.get("DEFAULT", typ == "bool")  # VVISF: a bool without DEFAULT is true
        if not isinstance(dflt, bool) and not _is_num(dflt):
            bad("DEFAULT", "DEFAULT must be true or false")
            return None
        return SceneInput(name, typ, 1.0 if dflt else 0.0, 0.0, 1.0, label, line=line, col=col)
    if typ == "color":
        raw = node.get("DEFAULT", [0.0, 0.0, 0.0, 1.0])
        rgb = _num_list(raw, 3)
        dflt4 = _num_list(raw, 4) or ((*rgb, 1.0) if rgb else None)
        if not dflt4:
            bad("DEFAULT", "a color DEFAULT is a list of 4 numbers 0..1 (r, g, b, a)", "[1.0, 0.5, 0.0, 1.0]")
            return None
        if not all(0.0 <= v <= 1.0 for v in dflt4):
            dflt4 = tuple(min(max(v, 0.0), 1.0) for v in dflt4)
            warn("DEFAULT", f"color DEFAULT is outside 0..1; using {list(dflt4)}")
        return SceneInput(name, typ, tuple(dflt4), (0.0,) * 4, (1.0,) * 4, label, line=line, col=col)
    if typ == "point2D":
        lo2 = node.get("MIN", [0.0, 0.0])
        hi2 = node.get("MAX", [1.0, 1.0])
        d2 = node.get("DEFAULT", [0.5, 0.5])
        parsed = []
        for key, val in (("MIN", lo2), ("MAX", hi2), ("DEFAULT", d2)):
            pair = _num_list(val, 2)
            if pair is None:
                bad(key, f"a point2D {key} is a list of two numbers", "[0.5, 0.5]")
                return None
            parsed.append(pair)
        lo_p, hi_p, d_p = parsed
        if "MIN" not in node and "MAX" not in node and any(v > 1.0 or v < 0.0 for v in d_p):
            # a pixel-coordinate default without a range: give the artist a range that contains it
            hi_p = (max(1.0, d_p[0] * 2), max(1.0, d_p[1] * 2))
        if any(lo_p[k] > hi_p[k] for k in range(2)):
            bad("MIN", f"MIN {list(lo_p)} is above MAX {list(hi_p)}")
            return None
        if not all(lo_p[k] <= d_p[k] <= hi_p[k] for k in range(2)):
            clamped = tuple(min(max(d_p[k], lo_p[k]), hi_p[k]) for k in range(2))
            warn("DEFAULT", f"DEFAULT {list(d_p)} is outside MIN..MAX; using {list(clamped)}")
            d_p = clamped
        return SceneInput(name, typ, d_p, lo_p, hi_p, label, line=line, col=col)
    if typ in AUDIO_TYPES:
        # MAX: how many samples (audio) or frequency bins (audioFFT) the shader wants; else what the host has
        size = node.get("MAX")
        if size is not None and (not _is_num(size) or size < 1):
            unit = "samples" if typ == "audio" else "bins"
            bad("MAX", f"MAX of an {typ} input is a number of {unit} (>= 1)")
            return None
        return SceneInput(name, typ, None, None, None if size is None else float(int(size)), label,
                          line=line, col=col)
    video, playback = node.get("VIDEO", ""), node.get("PLAYBACK", "loop")
    if not isinstance(video, str):
        bad("VIDEO", "VIDEO is a video file (relative to the .fs), \"camera\" or \"generated:NAME\"",
            '"VIDEO": "clips/tide.mp4"')
        return None
    if playback not in VIDEO_PLAYBACK:
        bad("PLAYBACK", f"PLAYBACK {playback!r} is not one of {', '.join(VIDEO_PLAYBACK)}",
            "loop: the clip repeats; once: it plays from the act's start and holds its last frame")
        return None
    return SceneInput(name, typ, None, None, None, label, line=line, col=col,  # image
                      video=video, playback=playback)


def _eval_size(node: ast.AST, names: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and _is_num(node.value):
        return float(node.value)
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _eval_size(node.operand, names)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval_size(node.left, names), _eval_size(node.right, names)
        ops = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}
        for typ, val in ops.items():
            if isinstance(node.op, typ):
                return val
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.Mod):
            return a % b
        if isinstance(node.op, ast.Pow):
            return float(a**b)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return float(_SIZE_FUNCS[node.func.id](*(_eval_size(a, names) for a in node.args)))
    raise ValueError("unsupported expression")


def _check_size_tree(node: ast.AST, allowed: set[str]) -> str:
    """'' when the expression only uses numbers, + - * / % **, known functions and allowed names."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            continue
        if isinstance(sub, ast.Constant) and _is_num(sub.value):
            continue
        if isinstance(sub, ast.BinOp | ast.UnaryOp):
            continue
        if isinstance(sub, ast.Call):
            if not isinstance(sub.func, ast.Name) or sub.func.id not in _SIZE_FUNCS or sub.keywords:
                return "only these functions may be called: " + ", ".join(_SIZE_FUNCS)
            continue
        if isinstance(sub, ast.Name):
            if sub.id in _SIZE_FUNCS:
                continue
            if sub.id not in allowed:
                return f"unknown variable ${sub.id.removeprefix('_v_')}"
            continue
        return "not an arithmetic expression"
    return ""


def _parse_size(value: Any, key: str, node: JObject, inputs: dict[str, SceneInput], c: _Collector,
                ) -> SizeExpr | None:
    pos = node.value_pos[key]
    text = str(value) if _is_num(value) else value
    if not isinstance(text, str) or not text.strip():
        c.add(pos, f"pass {key} must be a number or an expression string", '"$WIDTH/2.0"')
        return None
    py = re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", r"_v_\1", text)
    try:
        tree = ast.parse(py.strip(), mode="eval")
    except SyntaxError:
        c.add(pos, f"pass {key} {text!r} is not an expression", 'like "$WIDTH/2.0" or "floor($HEIGHT*0.25)"')
        return None
    allowed = {"_v_WIDTH", "_v_HEIGHT"} | {"_v_" + n for n, i in inputs.items()
                                           if i.type in ("float", "long", "bool", "event")}
    why = _check_size_tree(tree, allowed)
    if why:
        c.add(pos, f"pass {key} {text!r}: {why}", "use $WIDTH, $HEIGHT, numeric inputs and numbers")
        return None
    return SizeExpr(text, tree)


def _parse_passes(header: JObject, inputs: dict[str, SceneInput], c: _Collector) -> list[ScenePass]:
    raw = header.get("PASSES")
    legacy = header.get("PERSISTENT_BUFFERS")  # ISF v1: names (list) or {name: {WIDTH, HEIGHT}}
    legacy_names: set[str] = set()
    if isinstance(legacy, list):
        legacy_names = {n for n in legacy if isinstance(n, str)}
    elif isinstance(legacy, dict):
        legacy_names = set(legacy)
    if raw is None:
        return [ScenePass(0)]
    if not isinstance(raw, JArray) or not raw:
        c.add(header.value_pos["PASSES"], "PASSES must be a non-empty list of pass objects",
              '[{"TARGET": "buf"}, {}]')
        return [ScenePass(0)]
    passes: list[ScenePass] = []
    targets: set[str] = set()
    for index, (node, pos) in enumerate(zip(raw, raw.item_pos, strict=True)):
        if not isinstance(node, JObject):
            c.add(pos, "each PASSES entry must be an object", '{"TARGET": "buf", "PERSISTENT": true}')
            continue
        _check_unknown_keys(node, _KNOWN_PASS_KEYS, "a pass", c)
        target = node.get("TARGET")
        if target is not None:
            if not isinstance(target, str) or not _IDENT.match(target) or target in _GLSL_RESERVED:
                c.add(node.value_pos["TARGET"], f"pass TARGET {target!r} is not a usable GLSL name")
                target = None
            elif target in inputs:
                c.add(node.value_pos["TARGET"], f"pass TARGET {target!r} has the name of an input",
                      "rename one of them")
                target = None
            elif target in targets:
                c.add(node.value_pos["TARGET"], f"pass TARGET {target!r} is written by an earlier pass too",
                      "each pass writes its own target")
                target = None
            else:
                targets.add(target)
        flags = {}
        for key in ("PERSISTENT", "FLOAT"):
            val = node.get(key, False)
            if not isinstance(val, bool) and val not in (0, 1):
                c.add(node.value_pos[key], f"pass {key} must be true or false")
                val = False
            flags[key] = bool(val)
        sizes = {}
        for key in ("WIDTH", "HEIGHT"):
            sizes[key] = _parse_size(node[key], key, node, inputs, c) if key in node else None
        line, col = c.at(node.pos)
        passes.append(ScenePass(index, target, flags["PERSISTENT"] or (target in legacy_names),
                                flags["FLOAT"], sizes["WIDTH"], sizes["HEIGHT"], line, col))
    return passes or [ScenePass(0)]


def _parse_imported(header: JObject, path: Path, root: Path, taken: set[str], c: _Collector,
                    ) -> list[ImportedImage]:
    raw = header.get("IMPORTED")
    if raw is None:
        return []
    entries: list[tuple[str, Any, tuple[int, int]]] = []
    if isinstance(raw, JObject):  # ISF v2: {"name": {"PATH": "file.png"}}
        entries = [(k, v, raw.key_pos[k]) for k, v in raw.items()]
    elif isinstance(raw, JArray):  # ISF v1: [{"NAME": "name", "PATH": "file.png"}]
        for item, pos in zip(raw, raw.item_pos, strict=True):
            name = item.get("NAME") if isinstance(item, JObject) else None
            entries.append((name, item, pos))
    else:
        c.add(header.value_pos["IMPORTED"], "IMPORTED must be an object of name → {\"PATH\": file}",
              '"IMPORTED": {"grain": {"PATH": "grain.png"}}')
        return []
    out = []
    for name, item, pos in entries:
        if not isinstance(name, str) or not _IDENT.match(name) or name in _GLSL_RESERVED:
            c.add(pos, f"imported image name {name!r} is not a usable GLSL name")
            continue
        if name in taken:
            c.add(pos, f"imported image {name!r} has the name of an input or pass target", "rename one")
            continue
        file = item.get("PATH") if isinstance(item, JObject) else None
        if not isinstance(file, str) or not file:
            c.add(pos, f"imported image {name!r} needs a PATH", '{"PATH": "grain.png"}')
            continue
        ipos = item.value_pos.get("PATH", pos) if isinstance(item, JObject) else pos
        shown = file if len(file) <= 80 else file[:40] + "…" + file[-20:]
        try:  # like every path in a show: resolved (symlinks too), then inside the project folder
            img_path = (path.parent / file).resolve()
            inside = img_path.is_relative_to(root)
            found = inside and img_path.is_file()
        except (OSError, RuntimeError, ValueError) as exc:  # a NUL byte, a symlink loop, a name too long
            c.add(ipos, f"imported image {name!r}: {shown!r} cannot be used ({exc.__class__.__name__})",
                  "the PATH is relative to the .fs file, e.g. \"grain.png\"")
            continue
        if not inside:
            c.add(ipos, f"imported image {name!r}: {shown!r} is outside the project folder",
                  "the PATH is relative to the .fs file and stays inside the project, e.g. \"grain.png\"")
            continue
        if not found:
            c.add(ipos, f"imported image {name!r}: file {shown!r} not found next to the shader",
                  "the PATH is relative to the .fs file")
            continue
        line, col = c.at(ipos)
        taken.add(name)
        out.append(ImportedImage(name, img_path, line, col))
    return out


def load_scene_text(text: str, path: Path, display: str | None = None, root: Path | None = None,
                    ) -> SceneInfo:
    """Parse the ISF header of shader source `text` (as if read from `path`); ShowError on problems.

    Imported images must stay inside `root`, the project folder (without one: the shader's folder).
    """
    shown = display or path.name
    confine = (root if root is not None else path.parent).resolve()
    split = _split_header(text)
    if split is None:
        raise ShowError([Problem(shown, 1, 1, "no ISF header: the file must start with a /*{ ... }*/ comment",
                                 'begin with /*{ "ISFVSN": "2", "INPUTS": [] }*/')])
    start, end, body_start = split
    origin = _line_col(text, start)
    c = _Collector(shown, origin)
    try:
        header = parse(text[start:end])
    except JsonSyntaxError as exc:
        line, col = c.at((exc.line, exc.col))
        raise ShowError([Problem(shown, line, col, f"ISF header JSON: {exc.message}",
                                 "the header is JSON: quote keys, separate items with commas")]) from None
    if not isinstance(header, JObject):
        raise ShowError([Problem(shown, *origin, "the ISF header must be a JSON object { ... }")])
    _warn_duplicates(header, c)
    _check_unknown_keys(header, _KNOWN_TOP_KEYS, "the header", c)
    inputs: dict[str, SceneInput] = {}
    raw_inputs = header.get("INPUTS", JArray())
    if not isinstance(raw_inputs, JArray):
        c.add(header.value_pos.get("INPUTS", header.pos), "INPUTS must be a list of input objects")
        raw_inputs = JArray()
    for node, pos in zip(raw_inputs, raw_inputs.item_pos, strict=True):
        inp = _parse_input(node, pos, c)
        if inp is None:
            continue
        if inp.name in inputs:
            c.add(pos, f"input {inp.name!r} is declared twice")
            continue
        inputs[inp.name] = inp
    passes = _parse_passes(header, inputs, c)
    taken = set(inputs) | {p.target for p in passes if p.target}
    imported = _parse_imported(header, path, confine, taken, c)
    # a transition that declares only part of the trio is almost certainly a mistake
    trio = [n for n in TRANSITION_INPUTS if n in inputs]
    if trio and len(trio) < len(TRANSITION_INPUTS) and {"startImage", "endImage"} & set(trio):
        missing = [n for n in TRANSITION_INPUTS if n not in inputs]
        c.add(header.pos, "a transition needs inputs startImage and endImage (image) and progress (float)",
              "missing: " + ", ".join(missing))
    for inp in inputs.values():
        if inp.name in TRANSITION_INPUTS and {"startImage", "endImage"} <= set(inputs):
            want = "float" if inp.name == "progress" else "image"
            if inp.type != want:
                c.problems.append(Problem(shown, inp.line, inp.col,
                                          f"transition input {inp.name!r} must be {want}"))
    vs = vertex_shader_path(path)
    try:
        vs_outside = vs.is_file() and not vs.resolve().is_relative_to(confine)
    except (OSError, RuntimeError, ValueError):
        vs_outside = True
    if vs_outside:
        c.problems.append(Problem(shown, 1, 1, f"vertex shader {vs.name!r} leads outside the project folder",
                                  "keep the .vs file itself (not a link to elsewhere) next to the .fs file"))
    for inp in inputs.values():
        if inp.video:
            why = video_problem(inp.video, path, confine)
            if why:
                c.problems.append(Problem(shown, inp.line, inp.col, f"input {inp.name!r}: {why}",
                                          'VIDEO is a file relative to the .fs (inside the project), '
                                          '"camera" or "generated:NAME"'))
    if c.problems:
        raise ShowError(c.problems)
    for w in c.warnings:
        log.warning("%s (VVISF compatibility)", w)
    cats = header.get("CATEGORIES", [])
    version = header.get("ISFVSN", "2")
    body_line = _line_col(text, body_start)[0]
    return SceneInfo(
        path=path, display=shown, inputs=tuple(inputs.values()), passes=tuple(passes),
        imported=tuple(imported),
        description=str(header.get("DESCRIPTION", "")), credit=str(header.get("CREDIT", "")),
        categories=tuple(str(x) for x in cats) if isinstance(cats, list) else (),
        isf_version=str(version), source=text, body=text[body_start:], body_line=body_line,
        vertex_path=vs if vs.is_file() else None, warnings=tuple(c.warnings), _by_name=dict(inputs),
    )


def hears_audio(path: Path, root: Path | None = None) -> bool:
    """True when the scene at `path` (relative paths: to `root`) has an audio or audioFFT input."""
    full = path if path.is_absolute() or root is None else root / path
    try:
        info = load_scene_info(full, root)
    except ShowError:
        return False
    return any(i.type in AUDIO_TYPES for i in info.inputs)


def vertex_shader_path(path: Path) -> Path:
    """The companion vertex shader of `path`: `name.vs`, else `name.vert` (VVISF looks for both)."""
    vs = path.with_suffix(".vs")
    vert = path.with_suffix(".vert")
    return vert if not vs.is_file() and vert.is_file() else vs


def _warn_duplicates(node: Any, c: _Collector) -> None:
    if isinstance(node, JObject):
        for key, first in node.duplicates:
            line, _ = c.at(first)
            c.warn(node.key_pos[key], f"key {key!r} is given twice; the last one counts (as in VVISF)",
                   f"first given at line {line}; keep one")
        for value in node.values():
            _warn_duplicates(value, c)
    elif isinstance(node, JArray):
        for value in node:
            _warn_duplicates(value, c)


def video_problem(video: str, shader: Path, root: Path) -> str:
    """'' when an image input's VIDEO names a usable source, else why not."""
    if video == "camera" or re.fullmatch(r"camera:\d{1,2}", video):
        return ""
    if video.startswith("generated:"):
        from installation.projection.video import GENERATED

        name = video.removeprefix("generated:")
        return "" if name in GENERATED else f"no generated clip {name!r} (there are: {', '.join(GENERATED)})"
    shown = video if len(video) <= 80 else video[:40] + "…" + video[-20:]
    try:
        file = (shader.parent / video).resolve()
        if not file.is_relative_to(root):
            return f"video {shown!r} is outside the project folder"
        if not file.is_file():
            return f"video file {shown!r} not found (the path is relative to the .fs file)"
    except (OSError, RuntimeError, ValueError) as exc:
        return f"video {shown!r} cannot be used ({exc.__class__.__name__})"
    return ""


def load_scene_info(path: Path, root: Path | None = None) -> SceneInfo:
    """Read an ISF `.fs` file's header; ShowError naming `file.fs:line:col` for every problem."""
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ShowError([Problem(shown, 1, 1, "shader file not found", "scenes live in shaders/, e.g. "
                                 "shaders/unenclosed/biodome_glow.fs")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ShowError([Problem(shown, 1, 1,
                                 f"cannot read shader: {exc.__class__.__name__}: {exc}")]) from None
    return load_scene_text(text, path, shown, root)
