"""A located YAML tree: every map, list and scalar keeps its 1-based line and column.

Parsing is fast (libyaml's C composer through PyYAML when available) and never constructs objects:
only the node graph is built, and scalars are resolved here with the YAML 1.2 core schema (so `on`,
`yes` and `1:30` stay strings). When libyaml rejects a file, ruamel's round-trip parser (the one
`located.py` uses) either reports the syntax error with its position or composes the file itself.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import Any

from installation.errors import Problem, ShowError
from installation.show import located
from installation.show.units import abbreviate

MAX_DEPTH = 64  # show files nest a handful of levels; deeper is a mistake (or an attack)
MAX_NODES = (
    250_000  # aliases may expand a small file into a huge tree ("billion laughs"); a 1,000-cue show ≈ 10,000
)
MAX_INT_DIGITS = 300  # a float holds about 1.8e308; no value in a show comes near (a paste gone wrong)

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_STD = "tag:yaml.org,2002:"
_SPECIAL_START = frozenset("0123456789+-.~nNtTfF")
_COLLECTION_TAGS = frozenset({_STD + "map", _STD + "seq", "!"})
_SCALAR_TAGS = frozenset(
    _STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
) | {"!"}


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar under the YAML 1.2 core schema."""
    if text and text[0] not in _SPECIAL_START:  # most scalars are words: skip the patterns
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return _integer(text, 10)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _OCT.fullmatch(text):
        return _integer(text[2:], 8)
    if _HEX.fullmatch(text):
        return _integer(text[2:], 16)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


class HugeNumber(float):
    """An integer literal too long to be any value in a show: ±inf, and the parse reports it.

    Python refuses to convert one of more than 4,300 digits (ValueError), and one over about 1.8e308
    does not fit a float (OverflowError): neither is ever built. Being infinite, the value fails every
    range and finiteness check downstream; the loader reports no second problem at the same place.
    """

    digits: int

    def __new__(cls, negative: bool, digits: int) -> HugeNumber:
        self = super().__new__(cls, -math.inf if negative else math.inf)
        self.digits = digits
        return self


def _integer(digits: str, base: int) -> int | HugeNumber:
    """An integer literal in `base` (sign allowed); a HugeNumber past MAX_INT_DIGITS decimal digits."""
    body = digits.lstrip("+-").lstrip("0")
    decimal_digits = math.ceil(len(body) * math.log10(base))
    if decimal_digits > MAX_INT_DIGITS:
        return HugeNumber(digits.startswith("-"), decimal_digits)
    return int(digits, base)


class Y:
    """One located YAML value: `kind` is map, seq or scalar.

    map: `value` is a dict key → (key node, value node), in file order; seq: a list of nodes;
    scalar: a str, int, float, bool or None. `quoted` is True for quoted and block scalars.
    """

    __slots__ = ("col", "kind", "line", "quoted", "value")

    def __init__(self, kind: str, value: Any, line: int, col: int, quoted: bool = False) -> None:
        self.kind = kind
        self.value = value
        self.line = line
        self.col = col
        self.quoted = quoted

    def __repr__(self) -> str:
        return f"Y({self.kind}, {self.value!r}, {self.line}:{self.col})"

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    def get(self, key: str) -> Y | None:
        """The value node of a key of a map (None when absent or not a map)."""
        if self.kind != "map":
            return None
        entry = self.value.get(key)
        return entry[1] if entry is not None else None

    def key_node(self, key: str) -> Y | None:
        """The key node of a key of a map (None when absent)."""
        if self.kind != "map":
            return None
        entry = self.value.get(key)
        return entry[0] if entry is not None else None

    def entries(self) -> Iterator[tuple[Any, Y, Y]]:
        """(key, key node, value node) of a map, in file order."""
        for key, (kn, vn) in self.value.items():
            yield key, kn, vn

    def items(self) -> list[Y]:
        """The nodes of a list."""
        return list(self.value) if self.kind == "seq" else []

    def plain(self) -> Any:
        """Plain Python data (dicts, lists, scalars) without positions."""
        if self.kind == "map":
            return {k: vn.plain() for k, (_, vn) in self.value.items()}
        if self.kind == "seq":
            return [n.plain() for n in self.value]
        return self.value


class _Builder:
    """Turns composed yaml nodes (PyYAML's or ruamel's; they share a shape) into a Y tree."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.count = 0

    def problem(self, line: int, col: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.filename, line, col, message, hint))

    def build(self, node: Any, depth: int = 0) -> Y:
        self.count += 1
        mark = node.start_mark
        line, col = mark.line + 1, mark.column + 1
        if self.count > MAX_NODES:
            raise _TooBig(line, col)
        node_id = node.id
        raw_tag = node.tag
        tag = raw_tag if isinstance(raw_tag, str) else str(getattr(raw_tag, "value", None) or "")
        if node_id == "scalar":
            if tag and tag not in _SCALAR_TAGS:
                self.problem(
                    line, col, f"YAML tag {_short(tag)!r} is not allowed", "show files hold plain values only"
                )
                return Y("scalar", str(node.value), line, col, quoted=True)
            if not node.style:
                value = resolve_plain(node.value)
                if isinstance(value, HugeNumber):
                    self.problem(
                        line,
                        col,
                        f"the number {abbreviate(node.value)} ({value.digits:,} digits) is too large",
                        f"numbers in a show file have at most {MAX_INT_DIGITS} digits, e.g. 0.5, 3 or 1000",
                    )
                return Y("scalar", value, line, col)
            return Y("scalar", node.value, line, col, quoted=True)
        if depth >= MAX_DEPTH:
            raise _TooDeep(line, col)
        if tag and tag not in _COLLECTION_TAGS:
            self.problem(
                line, col, f"YAML tag {_short(tag)!r} is not allowed", "show files hold plain values only"
            )
        if node_id == "sequence":
            return Y("seq", [self.build(child, depth + 1) for child in node.value], line, col)
        return self._mapping(node, depth, line, col)

    def _mapping(self, node: Any, depth: int, line: int, col: int) -> Y:
        entries: dict[Any, tuple[Y, Y]] = {}
        merged: list[Y] = []
        for knode, vnode in node.value:
            kn = self.build(knode, depth + 1)
            vn = self.build(vnode, depth + 1)
            if kn.kind != "scalar":
                self.problem(kn.line, kn.col, "a key must be a single word, not a list or mapping")
                continue
            key = kn.value
            if key == "<<" and not kn.quoted:
                merged.extend(vn.items() if vn.is_seq else [vn])
                continue
            if isinstance(key, float) and math.isnan(key):
                key = "nan"
            if key in entries:
                first = entries[key][0]
                self.problem(
                    kn.line, kn.col, f"duplicate key {key!r}", f"first given at line {first.line}; keep one"
                )
                continue
            entries[key] = (kn, vn)
        for source in merged:
            if not source.is_map:
                self.problem(source.line, source.col, "'<<' merges a mapping (or a list of mappings)")
                continue
            for key, kn, vn in source.entries():
                entries.setdefault(key, (kn, vn))
        return Y("map", entries, line, col)


def _children(node: Any) -> list[Any]:
    if node.id == "sequence":
        return list(node.value)
    if node.id == "mapping":
        return [n for pair in node.value for n in pair]
    return []


def _refuse_bombs(root: Any) -> None:
    """Raise _TooBig before building when aliases expand the tree past MAX_NODES ("billion laughs").

    An alias is the same composed node as its anchor, so sizes memoised by node cost one pass over the
    text's own nodes: a bomb is refused at once instead of after building a quarter million values.
    The position is the anchor that expands too far (descending into children that alone are too big).
    """
    size: dict[int, int] = {}
    pending: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while pending:  # post-order without recursion: the composer allows deeper nesting than Python
        node, depth, done = pending.pop()
        if id(node) in size:
            continue
        children = _children(node) if depth < MAX_DEPTH else []  # deeper: _TooDeep from the builder
        if done or not children:
            total = 1 + sum(size.get(id(c), 1) for c in children)
            size[id(node)] = min(total, MAX_NODES + 1)
            continue
        pending.append((node, depth, True))
        pending.extend((c, depth + 1, False) for c in children if id(c) not in size)
    if size[id(root)] <= MAX_NODES:
        return
    node = root
    while True:
        big = [c for c in _children(node) if size.get(id(c), 1) > MAX_NODES]
        if not big:
            raise _TooBig(node.start_mark.line + 1, node.start_mark.column + 1)
        node = big[0]


class _TooDeep(Exception):
    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col


class _TooBig(_TooDeep):
    pass


@functools.cache
def _fast_loader() -> Any:
    """PyYAML's libyaml parser without implicit tag resolution (this module resolves scalars itself)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        raise ImportError("PyYAML without libyaml")
    tags = {
        yaml.ScalarNode: _STD + "str",
        yaml.SequenceNode: _STD + "seq",
        yaml.MappingNode: _STD + "map",
    }

    class _Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return tags[kind]

    return _Loader


def _compose_fast(text: str) -> Any:
    """libyaml's composer via PyYAML; raises ImportError without it and yaml.YAMLError on bad YAML."""
    loader = _fast_loader()(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose_ruamel(text: str, filename: str) -> Any:
    """ruamel's composer (used when PyYAML with libyaml is not installed)."""
    from ruamel.yaml import YAML

    try:
        return YAML(typ="rt").compose(text)
    except RecursionError:
        raise
    except Exception:
        located.load_text(text, filename)  # raises ShowError with the position of the syntax error
        raise


def _syntax_problem(exc: Exception, filename: str) -> Problem:
    """A YAML syntax error (PyYAML's or ruamel's, same shape) as a Problem, worded like located.py's."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    what = (getattr(exc, "problem", None) or getattr(exc, "context", None) or "invalid YAML").strip()
    return Problem(filename, line, col, f"YAML syntax: {what}", "check indentation, colons and quotes")


def parse_text(text: str, filename: str) -> tuple[Y | None, list[Problem]]:
    """Parse YAML text into a located tree (None for an empty document) and the problems found in it.

    Syntax errors (and files too deep or too big to read) raise ShowError; duplicate keys and tags
    are returned as problems with the rest of the tree, so the loader reports them with everything else.
    """
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ShowError(
            [Problem(filename, line, 1, "the file contains a NUL byte", "save it as plain UTF-8 text")]
        )
    try:
        try:
            node = _compose_fast(text)
        except ImportError:
            node = _compose_ruamel(text, filename)
        except RecursionError:
            raise
        except Exception as exc:  # libyaml's syntax error, with its mark
            raise ShowError([_syntax_problem(exc, filename)]) from None
    except RecursionError:
        raise ShowError(
            [Problem(filename, 1, 1, "the file is nested too deeply to read", f"at most {MAX_DEPTH} levels")]
        ) from None
    except ShowError:
        raise
    except Exception as exc:
        raise ShowError([Problem(filename, 1, 1, f"YAML: {exc}".splitlines()[0])]) from None
    if node is None:
        return None, []
    builder = _Builder(filename)
    try:
        _refuse_bombs(node)
        tree = builder.build(node)
    except _TooBig as exc:
        raise ShowError(
            [
                Problem(
                    filename,
                    exc.line,
                    exc.col,
                    "the file expands to too many values",
                    f"at most {MAX_NODES}; check anchors and aliases",
                )
            ]
        ) from None
    except _TooDeep as exc:
        raise ShowError(
            [Problem(filename, exc.line, exc.col, "nested too deeply", f"at most {MAX_DEPTH} levels")]
        ) from None
    return tree, builder.problems


def _short(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag

