"""Thousands of mutated show files: each one loads or fails with `file:line:col: message` lines only.

The mutants (fixed seeds) are byte flips and inserted bytes, values of another type, huge numbers,
unicode, YAML alias bombs and hostile paths (`../`, absolute, and links in the project that lead out
of it). For every one: no exception but ShowError, no load over 5 s, and nothing outside the project
is opened or listed (an audit hook records every open while a mutant loads), nor named by a show that
loads.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from show_project import GOOD_SHOW, CachingResolver, make_project

from installation.errors import ShowError
from installation.show.loader import load_show_text

PROBLEM = re.compile(r"^.+:\d+:\d+: .+")
LINES = GOOD_SHOW.splitlines()
WORDS = sorted(set(re.findall(r"[A-Za-z_][\w.-]*", GOOD_SHOW)))
VALUES = [
    "0",
    "1",
    "-1",
    "1e400",
    ".nan",
    "-.inf",
    "3",
    "3s",
    "250ms",
    "-3s",
    "1:30",
    "99:99",
    "-12 dB",
    "40%",
    "400%",
    "800 Hz",
    '"18:30"',
    "#ff8800",
    "#zzz",
    "true",
    "no",
    "null",
    "~",
    "''",
    '""',
    "[]",
    "{}",
    "[1, 2]",
    "[[0, 0], [1, 0]]",
    "{a: 1}",
    "../../etc/passwd",
    "/etc/passwd",
    "shaders/",
    "hardware/rig.yaml",
    "shaders/dissolve.fs",
    "&x a",
    "*x",
    "*undefined",
    "!!python/object:os.system ls",
    "!!binary aGk=",
    "!foo x",
    "|\n  block",
    ">\n  folded",
    "'unclosed",
    "[unclosed",
    "{unclosed",
    "a: b: c",
    "- item",
    "\t",
    "\\x00",
    "é",
    "next",
    "idle",
    "all",
    "attract",
    "streets",
    "dawn",
    "pulses",
    "glow",
    "door",
    "zone door empty",
    "count >= 1 for 2s",
    "count >",
    ">= 1",
    "zone . >= 1 for",
    "room full",
    "osc",
    "osc /x",
    "go",
    "for 3s",
]

# a value of another type than the key expects
TYPE_SWAPS = ["[x, y]", "{k: v}", "42", "-0.5", "true", "null", '"text"', "[]", "{}", "[[[]]]", "{a: [1]}"]
HUGE = [
    "9" * 400,
    "9" * 5000,
    "-" + "9" * 5000,
    "0x" + "f" * 5000,
    "0o" + "7" * 2000,
    "1e999",
    "-1e999",
    "1" + "0" * 400 + ".5",
    "9" * 5000 + "s",
    f'"{"9" * 400}%"',
    f'"{"9" * 5000}:30"',
    f'"-{"9" * 400} dB"',
    f"[{'9' * 400}, 0.5]",
    f"[0, {'9' * 5000}]",
    "1:" + "9" * 5000,
    f'"{"9" * 5000}:00-18:00"',
]
UNICODE = [
    "é",
    "ß",
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "\u2028",  # line separator (a line break to YAML)
    "\x85",  # next line
    "\x7f",
    "\x9b",
    "🎭",
    "ｓｈｏｗ",
    "e\u0301",  # e + combining acute
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "𝔰𝔥𝔬𝔴",
    "\t",
    "\r",
]
# paths that lead out of the project ({outside}: the absolute folder beside it); the fixture makes the
# links and files so that a missing confinement would find something to read
HOSTILE = [
    "../outside/secret.fs",
    "../../outside/secret.fs",
    "{outside}/secret.fs",
    "{outside}/rig.yaml",
    "shaders/escape.fs",
    "hardware/escape.yaml",
    "linkdir/secret.fs",
    "linkdir/rig.yaml",
    "shaders/../../outside/secret.fs",
    "shaders/glow.fs/../../../outside/secret.fs",
    "shaders/imports_outside.fs",
    "shaders/imports_absolute.fs",
    "shaders/imports_via_link.fs",
    "/etc/passwd",
    "/dev/zero",
    "/proc/self/environ",
    "~/.ssh/id_rsa",
    "file:///etc/passwd",
    "\\\\server\\share\\x.fs",
    "C:\\Windows\\x.fs",
    "shaders/" + "a" * 300 + ".fs",
    "shaders/loop.fs",
    "shaders/",
    "shaders/nothing/../glow.fs",
]
PATH_LINES = [i for i, line in enumerate(LINES) if re.match(r"\s*(rig|scene|shader):", line)]


def bomb(width: int, depth: int) -> str:
    """A billion-laughs block of anchors and aliases: width**depth values from a few lines."""
    lines = [f"b0: &b0 [{', '.join(['lol'] * width)}]"]
    lines += [f"b{d}: &b{d} [{', '.join([f'*b{d - 1}'] * width)}]" for d in range(1, depth + 1)]
    return "\n".join(lines)


mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1), st.sampled_from(VALUES)),
    st.tuples(
        st.just("word"), st.integers(0, len(LINES) - 1), st.sampled_from(WORDS), st.sampled_from(WORDS)
    ),
    st.tuples(st.just("indent"), st.integers(0, len(LINES) - 1), st.integers(-4, 4)),
    st.tuples(st.just("text"), st.integers(0, len(LINES) - 1), st.text(max_size=12)),
    st.tuples(st.just("bytes"), st.integers(0, len(GOOD_SHOW)), st.binary(max_size=8)),
    st.tuples(st.just("nest"), st.integers(0, len(LINES) - 1), st.integers(1, 200), st.sampled_from("[{")),
    st.tuples(st.just("truncate"), st.integers(0, len(GOOD_SHOW))),
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1), st.sampled_from(TYPE_SWAPS)),
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1), st.sampled_from(HUGE)),
    st.tuples(
        st.just("unicode"), st.integers(0, len(LINES) - 1), st.integers(0, 80), st.sampled_from(UNICODE)
    ),
    st.tuples(st.just("path"), st.sampled_from(PATH_LINES), st.sampled_from(HOSTILE)),
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1), st.sampled_from(HOSTILE)),
    st.tuples(st.just("bomb"), st.integers(0, len(LINES) - 1), st.integers(2, 12), st.integers(1, 6)),
    st.tuples(st.just("flip"), st.integers(0, len(GOOD_SHOW)), st.integers(1, 255)),
)


def mutate(text: str, ops: list[tuple[object, ...]]) -> bytes:
    lines = text.splitlines()
    raw: bytes | None = None
    for op in ops:
        if not lines:
            lines = [""]
        kind = op[0]
        i = int(op[1]) % max(1, len(lines))  # type: ignore[call-overload]
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = int(op[2]) % len(lines)  # type: ignore[call-overload]
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "value":
            head, sep, _ = lines[i].partition(": ")
            lines[i] = f"{head}{sep or ': '}{op[2]}"
        elif kind == "word":
            lines[i] = lines[i].replace(str(op[2]), str(op[3]))
        elif kind == "indent":
            shift = int(op[2])  # type: ignore[call-overload]
            lines[i] = " " * shift + lines[i] if shift > 0 else lines[i][-shift:]
        elif kind == "text":
            cut = len(lines[i]) // 2
            lines[i] = lines[i][:cut] + str(op[2]) + lines[i][cut:]
        elif kind == "nest":
            closing = "]" if op[3] == "[" else "}"
            lines[i] = lines[i] + " " + str(op[3]) * int(op[2]) + closing * int(op[2])  # type: ignore[call-overload]
        elif kind == "truncate":
            lines = "\n".join(lines)[: int(op[1])].splitlines()  # type: ignore[call-overload]
        elif kind == "unicode":
            at = int(op[2]) % (len(lines[i]) + 1)  # type: ignore[call-overload]
            lines[i] = lines[i][:at] + str(op[3]) + lines[i][at:]
        elif kind == "path":
            head, _, _ = lines[i].partition(":")
            lines[i] = f"{head}: {op[2]}"
        elif kind == "bomb":
            block = bomb(int(op[2]), int(op[3]))  # type: ignore[call-overload]
            # the anchors at the top, and one value somewhere below made of the biggest
            head, sep, _ = lines[i].partition(": ")
            lines[i] = f"{head}{sep or ': '}*b{op[3]}"
            lines = [*block.splitlines(), *lines]
        elif kind in ("bytes", "flip"):
            joined = "\n".join(lines).encode("utf-8")
            at = int(op[1]) % (len(joined) + 1)  # type: ignore[call-overload]
            if kind == "bytes":
                raw = joined[:at] + bytes(op[2]) + joined[at:]  # type: ignore[arg-type]
            elif at < len(joined):
                raw = joined[:at] + bytes([joined[at] ^ int(op[2])]) + joined[at + 1 :]  # type: ignore[call-overload]
            else:
                raw = joined
            lines = raw.decode("utf-8", errors="replace").splitlines()
    out = ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")
    return raw if raw is not None and ops[-1][0] in ("bytes", "flip") else out


OUTSIDE_SHADER = """/*{"INPUTS": [{"NAME": "hue", "TYPE": "float", "DEFAULT": 0.3}]}*/
void main() { gl_FragColor = vec4(hue); }
"""


def _imports(path: str) -> str:
    header = f'/*{{"IMPORTED": {{"grain": {{"PATH": "{path}"}}}}}}*/'
    return header + "\nvoid main() { gl_FragColor = vec4(1.0); }\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test project, beside a folder `outside` holding a shader, a rig and an image worth stealing."""
    base = tmp_path_factory.mktemp("fuzz")
    root = make_project(base / "project").parent.parent
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.fs").write_text(OUTSIDE_SHADER, encoding="utf-8")
    shutil.copy(root / "hardware" / "rig.yaml", outside / "rig.yaml")
    shutil.copytree(root / "hardware" / "fixtures", outside / "fixtures")
    (outside / "x.png").write_bytes(b"P3 1 1 255 0 0 0\n")
    (root / "shaders" / "escape.fs").symlink_to(outside / "secret.fs")
    (root / "hardware" / "escape.yaml").symlink_to(outside / "rig.yaml")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "shaders" / "loop.fs").symlink_to(root / "shaders" / "loop.fs")
    (root / "shaders" / "imports_outside.fs").write_text(_imports("../../outside/x.png"), encoding="utf-8")
    (root / "shaders" / "imports_absolute.fs").write_text(_imports(str(outside / "x.png")), encoding="utf-8")
    (root / "shaders" / "imports_via_link.fs").write_text(_imports("../linkdir/x.png"), encoding="utf-8")
    return root


RESOLVER = CachingResolver()
OUTCOMES: dict[str, Any] = {"loaded": 0, "rejected": 0, "slowest_s": 0.0, "mutants": set()}
MAX_LOAD_S = 5.0  # CPU seconds: a hang (a load takes about 3 ms, an alias bomb under the limit 0.3 s)



class _Touched:
    """Every file opened or folder listed while `paths` is a list (an audit hook stays for good: gated)."""

    paths: list[str] | None = None

    @classmethod
    def audit(cls, event: str, args: tuple[Any, ...]) -> None:
        if cls.paths is not None and event in ("open", "os.listdir", "os.scandir", "os.readlink"):
            target = args[0] if args else None
            if isinstance(target, str | bytes | os.PathLike):
                cls.paths.append(os.fsdecode(target))


sys.addaudithook(_Touched.audit)
_PROGRAM = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix, *sys.path} if p)


def _outside(path: str, root: Path) -> bool:
    """True for a path neither in the project nor the program's (an import's .py file or package folder)."""
    resolved = (Path(path) if os.path.isabs(path) else Path.cwd() / path).resolve()
    if resolved.is_relative_to(root):
        return False
    program = str(resolved).startswith(_PROGRAM)
    return not (program and (resolved.suffix in (".py", ".pyc", ".so") or resolved.is_dir()))


def _paths_in(value: Any, seen: set[int] | None = None) -> list[Path]:
    """Every Path in a show model (dataclasses, tuples, mappings), the show's own path and root aside."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, Path):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [p for f in dataclasses.fields(value) for p in _paths_in(getattr(value, f.name), seen)]
    if isinstance(value, Mapping):
        return [p for v in value.values() for p in _paths_in(v, seen)]
    if isinstance(value, tuple | list):
        return [p for v in value for p in _paths_in(v, seen)]
    return []


@settings(
    max_examples=3000,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_shows_load_or_fail_with_positions(project: Path, ops: list[tuple[object, ...]]) -> None:
    outside = str(project.parent / "outside")
    ops = [tuple(str(x).replace("{outside}", outside) if isinstance(x, str) else x for x in op) for op in ops]
    text = mutate(GOOD_SHOW, ops)
    OUTCOMES["mutants"].add(text)
    touched: list[str] = []
    start = time.process_time()  # this process's CPU time: other test suites on the machine do not count
    _Touched.paths = touched
    try:
        show = load_show_text(text, project / "cues" / "show.yaml", resolver=RESOLVER)
    except ShowError as exc:
        show = None
        assert exc.problems, "a ShowError carries at least one problem"
        for problem in exc.problems:
            assert PROBLEM.match(str(problem)), str(problem)
            assert "\n" not in str(problem), str(problem)
            assert problem.line >= 1 and problem.col >= 1
        OUTCOMES["rejected"] += 1
    finally:
        _Touched.paths = None
    took = time.process_time() - start
    OUTCOMES["slowest_s"] = max(OUTCOMES["slowest_s"], took)
    assert took < MAX_LOAD_S, f"a mutant took {took:.1f} s to load"
    assert not [p for p in touched if _outside(p, project)], touched
    if show is not None:
        OUTCOMES["loaded"] += 1
        named = [p for p in _paths_in(show) if p not in (show.path, show.root)]
        assert all(p.resolve().is_relative_to(project) for p in named), named
    for (kind, _), (status, info) in RESOLVER.cache.items():  # the scenes read so far, and their images
        if kind == "scene" and status == "ok":
            assert all(img.path.is_relative_to(project) for img in info.imported), info.imported


def test_fuzzing_exercised_both_outcomes() -> None:
    # runs after the fuzz test in file order: the mutations are neither all fatal nor all harmless
    if OUTCOMES["loaded"] + OUTCOMES["rejected"] == 0:
        pytest.skip("run together with the fuzz test")
    assert OUTCOMES["loaded"] > 50 and OUTCOMES["rejected"] > 500, OUTCOMES
    assert len(OUTCOMES["mutants"]) >= 2000, len(OUTCOMES["mutants"])
    print(  # shown with -s: the numbers the issue asks for
        f"{len(OUTCOMES['mutants'])} distinct mutants: {OUTCOMES['loaded']} loaded, "
        f"{OUTCOMES['rejected']} rejected; slowest load {OUTCOMES['slowest_s'] * 1000:.0f} ms"
    )


def test_a_path_naming_the_project_folder_lists_nothing_outside_it(project: Path) -> None:
    text = GOOD_SHOW.replace("rig: hardware/rig.yaml", "rig: .")
    touched: list[str] = []
    _Touched.paths = touched
    try:
        with pytest.raises(ShowError, match="not found"):
            load_show_text(text, project / "cues" / "show.yaml")
    finally:
        _Touched.paths = None
    assert not [p for p in touched if _outside(p, project)], touched


def test_an_alias_bomb_is_refused_before_its_values_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from installation.show import tree

    built: list[object] = []
    real_build = tree._Builder.build

    def counting_build(self: Any, node: Any, depth: int = 0) -> Any:
        built.append(node)
        return real_build(self, node, depth)

    monkeypatch.setattr(tree._Builder, "build", counting_build)
    with pytest.raises(ShowError) as exc:
        tree.parse_text(bomb(100, 30) + "\nshow: *b30\n", "cues/show.yaml")
    assert built == []  # not a quarter million values built first (0.3 s), none at all
    [problem] = exc.value.problems
    assert (problem.line, problem.col) == (3, 5)  # b2, the first anchor past the limit (100**3 values)
    assert "expands to too many values" in problem.message
