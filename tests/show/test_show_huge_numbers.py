"""Numbers too large for anything: one `file:line:col` problem with a hint, in the loader and the CLI.

A 5,000-digit integer makes Python's int() raise ValueError (its string-conversion limit) and one of
400 digits does not fit a float (OverflowError): neither may become a traceback in check, rehearse or run.
"""

# ruff: noqa: E501  (one case a line)

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from show_project import GOOD_SHOW, make_project

from installation.cli import main
from installation.engine.params import ParamSpec
from installation.errors import ShowError
from installation.show import units
from installation.show.loader import load_show
from installation.show.tree import MAX_INT_DIGITS, parse_text

NINES = "9" * 400
HUGE = "9" * 5000
PROBLEM = re.compile(r"^cues/show\.yaml:(\d+):(\d+): (.+) \((.+)\)$")


class Case(NamedTuple):
    what: str
    old: str  # text of the good show to replace
    new: str
    line: int  # where the one problem is
    col: int
    says: str  # part of its message


CASES = [
    Case("a fade value of 400 nines", "scene.glow: 0.8", f"scene.glow: {NINES}", 43, 55, "(400 digits) is too large"),
    Case("a 5,000-digit hysteresis", "hysteresis: 0.5", f"hysteresis: {HUGE}", 68, 21, "(5,000 digits) is too large"),
    Case("a 5,000-digit show name", "show: Test Show", f"show: {HUGE}", 2, 7, "(5,000 digits) is too large"),
    Case("a 5,000-digit duration", "duration: 5s", f"duration: {HUGE}", 44, 19, "(5,000 digits) is too large"),
    Case("a 5,000-digit hex number", "hysteresis: 0.5", "hysteresis: 0x" + "f" * 5000, 68, 21, "is too large"),
    Case("a zone point", "[0.25, 0.0], [0.25, 1.0]", f"[0.25, 0.0], [{NINES}, 1.0]", 9, 38, "(400 digits)"),
    Case("a mask point", "[1.0, 0.1]]]", f"[1.0, {HUGE}]]]", 7, 41, "(5,000 digits)"),
    Case("a mapping range", "range: [0, 1]", f"range: [0, {NINES}]", 35, 20, "(400 digits)"),
    Case("a mapping out", "out: [0.2, 1.0]", f"out: [0.2, {NINES}]", 36, 20, "(400 digits)"),
    Case("an OSC argument", "args: [1, 0.5", f"args: [{NINES}, 0.5", 49, 62, "(400 digits)"),
    Case("an OSC integer over 64 bits", "args: [1, 0.5", f"args: [{2**70}, 0.5", 49, 62, "too large to send"),
    Case("a scene input", "hue: 0.35", f"hue: {NINES}", 23, 25, "(400 digits)"),
    Case("an expectation time", "by: 25min", f"by: {HUGE}", 93, 9, "(5,000 digits)"),
    Case("a post-wait of 5,000-digit minutes", "post_wait: 1:30", f"post_wait: {HUGE}:30", 46, 20, "must be a finite number"),
    Case("a post-wait of 400-digit hours", "post_wait: 1:30", f"post_wait: {NINES}:30:00", 46, 20, "must be a finite number"),
    Case("a time of day", 'at: "17:55"', f'at: "{HUGE}:55"', 75, 13, "is past midnight"),
    Case("a condition threshold", "count >= 1 for 2s", f"count >= {HUGE} for 2s", 66, 24, "is not a number"),
    Case("a condition hold", "count >= 1 for 2s", f"count >= 1 for {HUGE}s", 66, 30, "must be a finite number"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("huge")).parent.parent


def _write(project: Path, old: str, new: str) -> Path:
    assert GOOD_SHOW.count(old) == 1, old
    path = project / "cues" / "show.yaml"
    path.write_text(GOOD_SHOW.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_a_huge_number_is_one_problem_at_its_place(project: Path, case: Case) -> None:
    with pytest.raises(ShowError) as exc:
        load_show(_write(project, case.old, case.new))
    assert [(p.line, p.col) for p in exc.value.problems] == [(case.line, case.col)], exc.value
    text = str(exc.value.problems[0])
    assert case.says in text and PROBLEM.match(text), text
    assert len(text) < 300, text  # the number is abbreviated, not printed whole


@pytest.mark.parametrize("verb", ["check", "rehearse", "run"])
@pytest.mark.parametrize("case", CASES[:8], ids=[c.what for c in CASES[:8]])
def test_check_rehearse_and_run_print_the_problem_and_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str], verb: str, case: Case
) -> None:
    path = _write(project, case.old, case.new)
    args = [verb, str(path)] + (["--no-shaders"] if verb == "check" else ["--state-dir", str(project / "st")])
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    where = f"cues/show.yaml:{case.line}:{case.col}: "
    assert any(ln.startswith(where) and case.says in ln for ln in err.splitlines()), err


def test_the_parse_reports_integers_past_the_digit_limit_whatever_the_base() -> None:
    for text in ("1" + "0" * MAX_INT_DIGITS, "-" + "9" * 4301, "0x" + "f" * 300, "0o" + "7" * 400):
        tree, problems = parse_text(f"a: {text}\n", "x.yaml")
        assert tree is not None and [p.col for p in problems] == [4], text
        assert math.isinf(tree.value["a"][1].value)
    tree, problems = parse_text(f"a: {'9' * MAX_INT_DIGITS}\n", "x.yaml")
    assert problems == [] and tree is not None and tree.value["a"][1].value == int("9" * MAX_INT_DIGITS)


UNIT_CASES = [
    (units.parse_level_db, 10**400),
    (units.parse_fraction, -(10**400)),
    (units.parse_frequency, 10**400),
    (lambda v: units.parse_param_value(ParamSpec("scene.glow", 0.5, 0.0, 2.0), v), 10**400),
    (lambda v: units.parse_param_value(ParamSpec("audio.x.level", 0.0, -90.0, 6.0, "dB"), v), 10**400),
    (lambda v: units.parse_param_value(ParamSpec("t", 1.0, 0.0, 10.0, "s"), v), 10**5000),
    (units.parse_duration, 10**5000),
    (units.parse_duration, HUGE + ":30"),
    (units.parse_duration, NINES + ":30:00"),
    (units.parse_time_of_day, HUGE + ":30"),
    (units.parse_time_of_day, 10**5000),
]


@pytest.mark.parametrize(("parse", "value"), UNIT_CASES, ids=[f"unit case {i}" for i in range(len(UNIT_CASES))])
def test_units_refuse_huge_numbers_with_a_unit_error(parse: object, value: object) -> None:
    with pytest.raises(units.UnitError) as exc:
        parse(value)  # type: ignore[operator]
    assert len(exc.value.message) < 200 and exc.value.hint
