"""ISF's GLSL dialect → desktop GLSL (4.50 core where the driver has it), compiler messages mapped back.

VVISF, ISF's reference host, compiles for desktop GL 4 at `#version 400` or later, where GLSL converts an
int to a uint or a function's int result to float on its own; GLSL 3.30 refuses those. Words that became
keywords after 3.30 (`sample`, `patch`, `buffer`, ...) are renamed so scenes that use them as names still
compile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from installation.errors import Problem
from installation.projection.isf import AUDIO_TYPES, SceneInfo

PRESENCE_MAX_PEOPLE = 8
PRESENCE_MAX_ZONES = 8
PRELUDE_LINE = 1_000_001  # generated lines are numbered from here, far from any real file line

# Same-length replacements keep the compiler's columns pointing at the artist's text.
_FRAG_REPLACE = (
    (re.compile(r"\bgl_FragColor\b"), "isfFragColor"),
    (re.compile(r"\bgl_FragData\s*\[\s*0\s*\]"), "isfFragColor"),
    (re.compile(r"\btexture2DRectProj\b"), "textureProj      "),
    (re.compile(r"\btexture2DRect\b"), "texture      "),
    (re.compile(r"\btexture2DProj\b"), "textureProj  "),
    (re.compile(r"\btexture2DLod\b"), "textureLod  "),
    (re.compile(r"\btexture2D\b"), "texture  "),
    (re.compile(r"\btextureCube\b"), "texture    "),
    (re.compile(r"\bvarying\b"), "in     "),
    (re.compile(r"\bsampler2DRect\b"), "sampler2D    "),
)
_VERT_REPLACE = (
    (re.compile(r"\btexture2DRect\b"), "texture      "),
    (re.compile(r"\btexture2DLod\b"), "textureLod  "),
    (re.compile(r"\btexture2D\b"), "texture  "),
    (re.compile(r"\bvarying\b"), "out    "),
    (re.compile(r"\battribute\b"), "in       "),
    (re.compile(r"\bsampler2DRect\b"), "sampler2D    "),
)
GLSL_VERSION_MAX = 450  # the newest GLSL asked for; Mesa llvmpipe offers GL 4.5 core
GLSL_VERSION_MIN = 330
# identifiers of GLSL 3.30 that later versions reserve: renamed (same length) in the scene's text
_LATER_KEYWORDS = ("sample", "patch", "subroutine", "precise", "coherent", "restrict", "readonly",
                   "writeonly", "buffer", "shared", "resource", "atomic_uint")
_LATER_KEYWORD = re.compile(r"\b(" + "|".join(_LATER_KEYWORDS) + r")\b")
_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(version|extension)\b.*$", re.MULTILINE)
# Mesa: "0:12(5): error: msg"; NVIDIA: "0(12) : error C0000: msg"
_MESA = re.compile(r"^\s*(?:ERROR:\s*)?\d+:(\d+)\((\d+)\):\s*(error|warning)\s*:?\s*(.*)$")
_NVIDIA = re.compile(r"^\s*\d+\((\d+)\)\s*:\s*(error|warning)\s*(?:\w+)?\s*:\s*(.*)$")
_OTHER = re.compile(r"^\s*ERROR:\s*\d+:(\d+):\s*(.*)$")

_MACROS = """\
#define IMG_NORM_PIXEL(img, c) texture(img, c)
#define IMG_PIXEL(img, c) texture(img, (c) / vec2(textureSize(img, 0)))
#define IMG_THIS_PIXEL(img) texture(img, isf_FragNormCoord)
#define IMG_THIS_NORM_PIXEL(img) texture(img, isf_FragNormCoord)
#define IMG_SIZE(img) vec2(textureSize(img, 0))
#define IMG_NORM_PIXEL_2D(img, s, c) texture(img, c)
#define IMG_PIXEL_2D(img, s, c) texture(img, (c) / (s))
#define IMG_THIS_PIXEL_2D(img, s) texture(img, isf_FragNormCoord)
#define IMG_THIS_NORM_PIXEL_2D(img, s) texture(img, isf_FragNormCoord)
#define IMG_NORM_PIXEL_RECT(img, s, c) texture(img, c)
#define IMG_PIXEL_RECT(img, s, c) texture(img, (c) / (s))
#define IMG_THIS_PIXEL_RECT(img, s) texture(img, isf_FragNormCoord)
#define vv_FragNormCoord isf_FragNormCoord
#define vv_vertShaderInit isf_vertShaderInit
"""

_AUTOMATIC = """\
uniform int PASSINDEX;
uniform vec2 RENDERSIZE;
uniform float TIME;
uniform float TIMEDELTA;
uniform vec4 DATE;
uniform int FRAMEINDEX;
"""

_PRESENCE = f"""\
#define PRESENCE_MAX_PEOPLE {PRESENCE_MAX_PEOPLE}
#define PRESENCE_MAX_ZONES {PRESENCE_MAX_ZONES}
uniform int PRESENCE_COUNT;
uniform int PRESENCE_KNOWN;
uniform vec4 PRESENCE_PEOPLE[{PRESENCE_MAX_PEOPLE}];
uniform vec4 PRESENCE_TRACKS[{PRESENCE_MAX_PEOPLE}];
uniform float PRESENCE_MOTION;
uniform vec2 PRESENCE_CENTER;
uniform float PRESENCE_NEAREST;
uniform float PRESENCE_SPREAD;
uniform float PRESENCE_STILLNESS;
uniform vec4 PRESENCE_ZONES[{PRESENCE_MAX_ZONES}];
vec2 PRESENCE_POS(int i) {{ return vec2(PRESENCE_PEOPLE[i].x, 1.0 - PRESENCE_PEOPLE[i].y); }}
"""

_INPUT_DECL = {
    "float": "uniform float {n};",
    "long": "uniform int {n};",
    "bool": "uniform bool {n};",
    "event": "uniform bool {n};",
    "color": "uniform vec4 {n};",
    "point2D": "uniform vec2 {n};",
    "image": "uniform sampler2D {n};",
    "audio": "uniform sampler2D {n};",
    "audioFFT": "uniform sampler2D {n};",
}

_DEFAULT_VERTEX_MAIN = "void main() { isf_vertShaderInit(); }\n"


@dataclass(frozen=True, slots=True)
class Translated:
    """GLSL 3.30 core sources for one ISF scene."""

    vertex: str
    fragment: str
    samplers: tuple[str, ...]  # every sampler2D name: image and audio inputs, pass targets, imported images
    version: int = GLSL_VERSION_MAX


def glsl_version(gl_version_code: int) -> int:
    """The `#version` to compile at on a context of `gl_version_code` (e.g. 450 for GL 4.5)."""
    if gl_version_code >= 400:
        return min(GLSL_VERSION_MAX, gl_version_code)
    return GLSL_VERSION_MIN


def glsl_name(name: str, version: int = GLSL_VERSION_MAX) -> str:
    """The name a scene's identifier has in the compiled GLSL (renamed if it is a later keyword)."""
    if version >= 400 and name in _LATER_KEYWORDS:
        return name[:-1] + "_"
    return name


def isf_name(glsl: str) -> str:
    """The scene's own name for a compiled uniform (glsl_name undone)."""
    for word in _LATER_KEYWORDS:
        if glsl == word[:-1] + "_":
            return word
    return glsl


def _zone_macros(zones: Sequence[str]) -> str:
    lines = []
    for index, zone in enumerate(zones[:PRESENCE_MAX_ZONES]):
        ident = re.sub(r"[^A-Za-z0-9_]", "_", zone)
        lines.append(f"#define ZONE_{ident} {index}")
    return "\n".join(lines) + ("\n" if lines else "")


def _declarations(info: SceneInfo, version: int) -> tuple[str, tuple[str, ...]]:
    lines = []
    samplers: list[str] = []
    for inp in info.inputs:
        lines.append(_INPUT_DECL[inp.type].format(n=glsl_name(inp.name, version)))
        if inp.type == "image" or inp.type in AUDIO_TYPES:
            samplers.append(inp.name)
    for p in info.passes:
        if p.target and p.target not in samplers:
            samplers.append(p.target)
            lines.append(f"uniform sampler2D {glsl_name(p.target, version)};")
    for img in info.imported:
        samplers.append(img.name)
        lines.append(f"uniform sampler2D {glsl_name(img.name, version)};")
    for name in samplers:  # ISF's per-image size uniforms, which some public shaders read directly
        lines.append(f"uniform vec2 _{name}_imgSize;")
        lines.append(f"uniform vec4 _{name}_imgRect;")
        lines.append(f"uniform bool _{name}_flip;")
    return "\n".join(lines) + "\n", tuple(samplers)


def _strip_directives(body: str) -> str:
    # #version / #extension must not appear after our prelude; keep the line so numbering holds
    return _DIRECTIVE.sub(lambda m: "//" + m.group(0), body)


def _rename_keywords(body: str, version: int) -> str:
    if version < 400:
        return body
    return _LATER_KEYWORD.sub(lambda m: glsl_name(m.group(1), version), body)


def _fragment_body(body: str, version: int) -> str:
    body = _rename_keywords(_strip_directives(body), version)
    for pattern, repl in _FRAG_REPLACE:
        body = pattern.sub(repl, body)
    return body


def _vertex_body(body: str, version: int) -> str:
    body = _rename_keywords(_strip_directives(body), version)
    for pattern, repl in _VERT_REPLACE:
        body = pattern.sub(repl, body)
    return body


def translate(info: SceneInfo, zones: Sequence[str] = (), vertex_body: str | None = None,
              version: int = GLSL_VERSION_MAX) -> Translated:
    """Both stages in desktop GLSL `version` (core); the body keeps the `.fs` file's line numbers."""
    decls, samplers = _declarations(info, version)
    common = _AUTOMATIC + _PRESENCE + _zone_macros(zones) + decls + _MACROS
    frag = (
        f"#version {version} core\n"
        f"#line {PRELUDE_LINE}\n"
        + common
        + "in vec2 isf_FragNormCoord;\n"
        + "out vec4 isfFragColor;\n"
        + f"#line {info.body_line}\n"
        + _fragment_body(info.body, version)
    )
    vbody = _vertex_body(vertex_body, version) if vertex_body is not None else _DEFAULT_VERTEX_MAIN
    vert = (
        f"#version {version} core\n"
        f"#line {PRELUDE_LINE}\n"
        + common
        + "in vec2 isf_position;\n"
        + "out vec2 isf_FragNormCoord;\n"
        + "void isf_vertShaderInit() {\n"
        + "  gl_Position = vec4(isf_position, 0.0, 1.0);\n"
        + "  isf_FragNormCoord = isf_position * 0.5 + 0.5;\n"
        + "}\n"
        + "#line 1\n"
        + vbody
    )
    return Translated(vertex=vert, fragment=frag, samplers=samplers, version=version)


def vertex_display(info: SceneInfo) -> str:
    """How errors name the scene's vertex shader: the `.fs` file's shown path with the `.vs` file's name."""
    if info.vertex_path is None:
        return info.display
    return str(PurePosixPath(info.display).with_name(info.vertex_path.name))


def compile_problems(message: str, info: SceneInfo) -> list[Problem]:
    """Turn a driver's compile/link log into problems at the `.fs` (or `.vs`) file's own lines."""
    problems: list[Problem] = []
    stage = "fragment"
    vs_name = vertex_display(info)
    for raw in message.splitlines():
        low = raw.strip().lower()
        if low.startswith("vertex_shader") or low.startswith("vertex shader"):
            stage = "vertex"
            continue
        if low.startswith("fragment_shader") or low.startswith("fragment shader"):
            stage = "fragment"
            continue
        line = col = 0
        kind = "error"
        text = ""
        if m := _MESA.match(raw):
            line, col, kind, text = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        elif m := _NVIDIA.match(raw):
            line, kind, text = int(m.group(1)), m.group(2), m.group(3)
        elif m := _OTHER.match(raw):
            line, text = int(m.group(1)), m.group(2)
        else:
            continue
        if kind != "error":
            continue
        file = info.display if stage == "fragment" else vs_name
        if line >= PRELUDE_LINE - 1:
            problems.append(Problem(file, 1, 1, f"{text.strip()} (in the generated ISF prelude)",
                                    "an input, pass or image name may clash with a GLSL name"))
        else:
            problems.append(Problem(file, max(1, line), max(1, col), text.strip()))
    if not problems:
        first = next((ln.strip() for ln in message.splitlines() if ln.strip() and "failed" not in ln.lower()
                      and not set(ln.strip()) <= {"="}), message.strip() or "shader did not compile")
        problems.append(Problem(info.display, 1, 1, first))
    return problems
