"""Change one value in a show (or any YAML) file and keep everything else: comments, order, quoting.

Used by camera calibration (zones, mask) and the web panel. The file is re-parsed with ruamel's
round-trip loader, the value is replaced, and the file is written atomically (temp file + rename).
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from installation.errors import Problem, ShowError
from installation.show import located

log = logging.getLogger(__name__)

Key = str | int


def _guess_indent(text: str) -> tuple[int, int]:
    """(mapping indent, dash offset) as the file writes them: `key:` then a deeper `key:` or `- `."""
    mapping: int | None = None
    offset: int | None = None
    prev_indent, prev_opens = 0, False
    for raw in text.splitlines():
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(stripped)
        if prev_opens and indent > prev_indent:
            step = indent - prev_indent
            if stripped.startswith("- "):
                offset = step if offset is None else min(offset, step)
            else:
                mapping = step if mapping is None else min(mapping, step)
        prev_indent, prev_opens = indent, stripped.rstrip().endswith(":") and not stripped.startswith("- ")
    return mapping or 2, offset if offset is not None else 0


def _yaml(text: str) -> tuple[YAML, Any]:
    mapping, offset = _guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml, yaml.load(text)


def _flow(value: Any) -> Any:
    """Plain data as ruamel nodes; lists of scalars (points, polygons, args) are written inline."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _flow(v)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_flow(v) for v in value)
        if all(not isinstance(v, dict) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def set_value_text(text: str, keys: Sequence[Key], value: Any, filename: str = "<text>") -> str:
    """The YAML text with the value at `keys` (e.g. ["presence", "zones", "door"]) replaced or added.

    Missing mappings on the way are created; a missing list index is an error. Comments are kept.
    """
    if not keys:
        raise ValueError("keys must name at least one key")
    located.load_text(text, filename)  # syntax errors as ShowError with their position
    yaml, data = _yaml(text)
    if data is None:
        data = CommentedMap()
    node = data
    path: list[str] = []
    for key in keys[:-1]:
        path.append(str(key))
        if isinstance(node, CommentedMap):
            if key not in node or node[key] is None:
                node[key] = CommentedMap()
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
        else:
            raise ShowError(
                [
                    Problem(
                        filename,
                        1,
                        1,
                        f"no {'.'.join(path)} to change",
                        "the path names a key or list item that does not exist",
                    )
                ]
            )
    last = keys[-1]
    in_seq = isinstance(node, CommentedSeq) and isinstance(last, int) and -len(node) <= last < len(node)
    if isinstance(node, CommentedMap) or in_seq:
        node[last] = _flow(value)
    else:
        where = ".".join(str(k) for k in keys)
        raise ShowError(
            [
                Problem(
                    filename,
                    1,
                    1,
                    f"no {where} to change",
                    "the path names a key or list item that does not exist",
                )
            ]
        )
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def set_value(path: Path, keys: Sequence[Key], value: Any, display: str | None = None) -> None:
    """Change one value in a YAML file in place (atomically), keeping comments and formatting."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ShowError([Problem(name, 1, 1, f"cannot read file: {exc.__class__.__name__}: {exc}")]) from None
    new = set_value_text(text, keys, value, name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("edited %s: %s", name, ".".join(str(k) for k in keys))
