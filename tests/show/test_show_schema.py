"""The JSON Schema for editors: valid 2020-12, accepts the bundled shows, rejects what the loader rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from show_project import GOOD_SHOW

from installation.show.schema import show_schema
from installation.show.tree import parse_text

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted(p for p in (REPO / "cues").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = show_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def data_of(text: str) -> Any:
    tree, problems = parse_text(text, "x.yaml")
    assert tree is not None and not problems
    return tree.plain()


def errors(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    return [e.message for e in validator.iter_errors(data_of(text))]


def test_the_test_show_validates(validator: jsonschema.Draft202012Validator) -> None:
    assert errors(validator, GOOD_SHOW) == []


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_shows_validate(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    assert errors(validator, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("show: Test Show", "show: Test Show\nshos: typo"),  # unknown top-level key
        ("  streets:\n    scene", "  streets:\n    scen"),  # unknown act key
        ("        duration: 5s", "        duration: 5"),  # bare number duration
        ("        curve: s-curve", "        curve: scurve"),  # not in the enum
        ("        continue: auto-follow", "        continue: auto"),
        ("      - wait: 10s", "      - {wait: 10s, goto: dawn}"),  # two actions
        ("      - wait: 10s", "      - {wait: 10s, colour: red}"),  # unknown cue key
        ("      - when: count >= 1 for 2s", "      - when: lots of people"),  # unreadable condition
        ("      - after: 10min", '      - after: 10min\n        at: "10:00"'),  # two conditions
        ('  tue-fri: "10:00-18:00"', '  tues-fri: "10:00-18:00"'),  # unknown day
        ("{instrument: noise, color: wind,", "{instrument: noise, color: wnd,"),  # option not in the enum
        ("{instrument: noise, color: wind,", "{instrument: noise, colour: wind,"),  # unknown layer key
        ("  source: synthetic", "  source: webcam"),
        ("  - audience: empty-day\n    never_reaches: streets", "  - audience: empty-day"),  # no check
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    validator: jsonschema.Draft202012Validator, old: str, new: str
) -> None:
    assert old in GOOD_SHOW
    assert errors(validator, GOOD_SHOW.replace(old, new, 1)) != []


def test_every_property_has_a_description() -> None:
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "description" not in sub and "const" not in sub:
                    missing.append(f"{where}.{key}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(show_schema(), "$")
    assert missing == []


def _editor_messages(validator: jsonschema.Draft202012Validator, text: str) -> dict[str, str]:
    """What an editor (yaml-language-server, VS Code) shows at each path: the schema's errorMessage."""
    out: dict[str, str] = {}

    def walk(err: Any) -> None:
        message = err.schema.get("errorMessage") if isinstance(err.schema, dict) else None
        if message:
            out.setdefault("/".join(str(p) for p in err.absolute_path), message)
        for sub in err.context or ():
            walk(sub)

    for err in validator.iter_errors(data_of(text)):
        walk(err)
    return out


@pytest.mark.parametrize(("snippet", "path", "words"), [
    ("idle: {act: a, when_empty_for: 5}", "idle/when_empty_for", "needs a unit"),
    ("idle: {act: a, when_empty_for: 2m}", "idle/when_empty_for", "needs a unit"),
    ("idle: {act: a}\npresence: {source: webcam}", "presence/source", "one of camera, file"),
    ("idle: {act: a}\nacts: {a: {triggers: [{at: '7pm', go: a}]}}", "acts/a/triggers/0/at", "time of day"),
])
def test_the_editor_and_check_say_the_same_thing(validator: jsonschema.Draft202012Validator, tmp_path: Path,
                                                 snippet: str, path: str, words: str) -> None:
    """Both messages come from the one declaration: the editor's errorMessage and `check`'s hint agree."""
    from installation.errors import ShowError
    from installation.show.loader import load_show_text

    text = "show: T\n" + snippet + ("" if "acts:" in snippet else "\nacts: {a: {cues: [{wait: 1s}]}}") + "\n"
    editor = _editor_messages(validator, text)
    assert path in editor and words in editor[path], editor
    with pytest.raises(ShowError) as caught:
        load_show_text(text, tmp_path / "cues" / "t.yaml", tmp_path)
    shown = [str(p) for p in caught.value.problems]
    key = path.rsplit("/", 1)[-1]
    assert any(key in line for line in shown), shown
    if "unit" in words:  # never "Incorrect type. Expected string" beside "has no unit"
        assert all("unit" in line for line in shown if key in line), shown
    assert "[" not in editor[path] and "^" not in editor[path]  # never a raw pattern
