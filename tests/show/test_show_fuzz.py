"""Thousands of mutated show files: each one loads or fails with `file:line:col: message` lines only."""

from __future__ import annotations

import re
from pathlib import Path

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
        elif kind == "bytes":
            joined = "\n".join(lines).encode("utf-8")
            at = int(op[1]) % (len(joined) + 1)  # type: ignore[call-overload]
            raw = joined[:at] + bytes(op[2]) + joined[at:]  # type: ignore[arg-type]
            lines = raw.decode("utf-8", errors="replace").splitlines()
    out = ("\n".join(lines) + "\n").encode("utf-8")
    return raw if raw is not None and ops[-1][0] == "bytes" else out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("fuzz"))


RESOLVER = CachingResolver()
OUTCOMES = {"loaded": 0, "rejected": 0}


@settings(
    max_examples=2000,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_shows_load_or_fail_with_positions(project: Path, ops: list[tuple[object, ...]]) -> None:
    try:
        load_show_text(mutate(GOOD_SHOW, ops), project, resolver=RESOLVER)
    except ShowError as exc:
        assert exc.problems, "a ShowError carries at least one problem"
        for problem in exc.problems:
            assert PROBLEM.match(str(problem)), str(problem)
            assert "\n" not in str(problem), str(problem)
            assert problem.line >= 1 and problem.col >= 1
        OUTCOMES["rejected"] += 1
    else:
        OUTCOMES["loaded"] += 1


def test_fuzzing_exercised_both_outcomes() -> None:
    # runs after the fuzz test in file order: the mutations are neither all fatal nor all harmless
    if OUTCOMES["loaded"] + OUTCOMES["rejected"] == 0:
        pytest.skip("run together with the fuzz test")
    assert OUTCOMES["loaded"] > 50 and OUTCOMES["rejected"] > 500, OUTCOMES
