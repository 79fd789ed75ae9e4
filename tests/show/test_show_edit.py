"""Changing one value in a show file keeps every comment and every other line as it was."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from show_project import GOOD_SHOW, make_project

from installation.errors import ShowError
from installation.show.edit import set_value, set_value_text
from installation.show.loader import load_show


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_zone_is_replaced_inline_and_nothing_else_moves() -> None:
    after = set_value_text(GOOD_SHOW, ["presence", "zones", "door"], [[0.0, 0.0], [0.3, 0.0], [0.3, 1.0]])
    assert changed_lines(GOOD_SHOW, after) == [
        "-    door: [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]",
        "+    door: [[0.0, 0.0], [0.3, 0.0], [0.3, 1.0]]",
    ]


def test_values_deep_in_lists_and_new_keys() -> None:
    after = set_value_text(GOOD_SHOW, ["acts", "attract", "cues", 0, "duration"], "7s")
    assert changed_lines(GOOD_SHOW, after) == ["-        duration: 5s", "+        duration: 7s"]
    after = set_value_text(GOOD_SHOW, ["acts", "streets", "transition"], "3s")
    assert changed_lines(GOOD_SHOW, after) == ["+    transition: 3s"]
    assert "# A test show" in after


def test_missing_list_items_and_bad_yaml_are_show_errors() -> None:
    with pytest.raises(ShowError, match=r"no acts\.attract\.cues\.99 to change"):
        set_value_text(GOOD_SHOW, ["acts", "attract", "cues", 99, "duration"], "7s")
    with pytest.raises(ShowError, match=r"^x\.yaml:2:1: YAML syntax"):
        set_value_text("a: [\n", ["a"], 1, "x.yaml")


def test_the_edited_file_still_loads(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    set_value(path, ["idle", "when_empty_for"], "2min")
    set_value(path, ["presence", "zones", "door"], [[0.0, 0.0], [0.3, 0.0], [0.3, 1.0]])
    show = load_show(path)
    assert show.when_empty_for_s == 120.0
    assert show.presence.zones["door"].polygon == ((0.0, 0.0), (0.3, 0.0), (0.3, 1.0))
    text = path.read_text()
    assert text.startswith("# A test show\n") and list(tmp_path.glob("cues/.*.tmp")) == []
