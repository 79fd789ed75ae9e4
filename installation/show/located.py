"""YAML parsing that keeps line and column of every key and value, and never executes anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from installation.errors import Problem, ShowError


def _yaml() -> YAML:
    # round-trip mode keeps positions and comments; it builds only plain data, never objects
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def load_text(text: str, filename: str) -> Any:
    """Parse YAML text; syntax errors become a ShowError with the file's line and column."""
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        what = (exc.problem or exc.context or "invalid YAML").strip()
        raise ShowError([Problem(filename, line, col, f"YAML syntax: {what}",
                                 "check indentation, colons and quotes")]) from None
    except Exception as exc:  # ruamel raises a few unmarked errors (e.g. duplicate keys, bad tags)
        raise ShowError([Problem(filename, 1, 1, f"YAML: {exc}".splitlines()[0])]) from None


def load_file(path: Path, display: str | None = None) -> Any:
    """Read and parse a YAML file; an unreadable file is a ShowError naming it."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ShowError([Problem(name, 1, 1, f"cannot read file: {exc.__class__.__name__}: {exc}")]) from None
    return load_text(text, name)


def key_pos(node: Any, key: Any) -> tuple[int, int]:
    """1-based (line, col) of a mapping key, or of a sequence item; (1, 1) when unknown."""
    try:
        if isinstance(node, CommentedMap):
            line, col = node.lc.key(key)
            return line + 1, col + 1
        if isinstance(node, CommentedSeq):
            line, col = node.lc.item(key)
            return line + 1, col + 1
    except (KeyError, IndexError, TypeError):
        pass
    return node_pos(node)


def value_pos(node: Any, key: Any) -> tuple[int, int]:
    """1-based (line, col) of a mapping value or sequence item; falls back to the key."""
    try:
        if isinstance(node, CommentedMap):
            line, col = node.lc.value(key)
            return line + 1, col + 1
        if isinstance(node, CommentedSeq):
            line, col = node.lc.item(key)
            return line + 1, col + 1
    except (KeyError, IndexError, TypeError):
        pass
    return key_pos(node, key)


def node_pos(node: Any) -> tuple[int, int]:
    """1-based (line, col) where a mapping or sequence starts."""
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        return lc.line + 1, lc.col + 1
    return 1, 1
