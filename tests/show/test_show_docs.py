"""docs/show-file.md stays true: its snippets are YAML and its complete example loads against the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from installation.show.loader import load_show_text
from installation.show.tree import parse_text

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "show-file.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_every_yaml_snippet_parses(block: str) -> None:
    tree, problems = parse_text(block, "doc.yaml")
    assert tree is not None and problems == []


def test_the_complete_example_loads_against_the_repos_rig_and_shaders() -> None:
    example = DOC.read_text(encoding="utf-8").split("## A complete example", 1)[1]
    text = re.findall(r"```yaml\n(.*?)```", example, flags=re.DOTALL)[0]
    show = load_show_text(text, REPO / "cues" / "doc-example.yaml", REPO)
    assert show.act_names == ("attract", "visit")


def test_the_key_tables_are_made_from_the_one_declaration_of_the_language() -> None:
    from installation.show.syntax import sections, update_markdown

    text = DOC.read_text(encoding="utf-8")
    assert update_markdown(text) == text, (
        "docs/show-file.md drifted from installation/show/syntax.py: run "
        "`installation schema --markdown docs/show-file.md`"
    )
    documented = re.findall(r"<!-- keys: ([\w.]+) -->", text)
    assert sorted(documented) == sorted({s.name for s in sections()} | {"cue"})
