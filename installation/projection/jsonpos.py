"""A small JSON reader that remembers the line and column of every key and value (for ISF headers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class JsonSyntaxError(ValueError):
    """JSON that cannot be read; `line`/`col` are 1-based within the parsed text."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class JObject(dict[str, Any]):
    """A JSON object; `key_pos[k]` and `value_pos[k]` are 1-based (line, col) in the text."""

    pos: tuple[int, int]

    def __init__(self) -> None:
        super().__init__()
        self.key_pos: dict[str, tuple[int, int]] = {}
        self.value_pos: dict[str, tuple[int, int]] = {}
        self.pos = (1, 1)
        # keys given more than once: (key, position of the earlier one); the last value wins, as in
        # nlohmann::json, which VVISF (ISF's reference host) reads headers with
        self.duplicates: list[tuple[str, tuple[int, int]]] = []


class JArray(list[Any]):
    """A JSON array; `item_pos[i]` is the 1-based (line, col) of item i."""

    pos: tuple[int, int]

    def __init__(self) -> None:
        super().__init__()
        self.item_pos: list[tuple[int, int]] = []
        self.pos = (1, 1)


@dataclass
class _Reader:
    text: str
    i: int = 0

    def where(self, index: int | None = None) -> tuple[int, int]:
        index = self.i if index is None else index
        line = self.text.count("\n", 0, index) + 1
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return line, col

    def fail(self, message: str, index: int | None = None) -> JsonSyntaxError:
        line, col = self.where(index)
        return JsonSyntaxError(message, line, col)

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.i < n:
            c = text[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif text.startswith("//", self.i):  # tolerated: some public ISF headers carry comments
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
            else:
                return

    def value(self) -> Any:
        self.skip()
        if self.i >= len(self.text):
            raise self.fail("unexpected end of the JSON header")
        c = self.text[self.i]
        if c == "{":
            return self.obj()
        if c == "[":
            return self.arr()
        if c == '"':
            return self.string()
        if c in "-0123456789.":
            return self.number()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.i):
                self.i += len(word)
                return val
        raise self.fail(f"unexpected character {c!r}")

    def obj(self) -> JObject:
        out = JObject()
        out.pos = self.where()
        self.i += 1
        while True:
            self.skip()
            if self.i >= len(self.text):
                raise self.fail("unterminated object: missing '}'")
            if self.text[self.i] == "}":
                self.i += 1
                return out
            if self.text[self.i] != '"':
                raise self.fail("expected a quoted key or '}'")
            kpos = self.where()
            key = self.string()
            if key in out:
                out.duplicates.append((key, out.key_pos[key]))
            self.skip()
            if self.i >= len(self.text) or self.text[self.i] != ":":
                raise self.fail(f"expected ':' after key {key!r}")
            self.i += 1
            self.skip()
            vpos = self.where()
            out[key] = self.value()
            out.key_pos[key] = kpos
            out.value_pos[key] = vpos
            self.skip()
            if self.i < len(self.text) and self.text[self.i] == ",":
                self.i += 1  # a trailing comma before '}' is tolerated, as many ISF files have one
                continue
            if self.i < len(self.text) and self.text[self.i] == "}":
                continue
            raise self.fail("expected ',' or '}' after a value")

    def arr(self) -> JArray:
        out = JArray()
        out.pos = self.where()
        self.i += 1
        while True:
            self.skip()
            if self.i >= len(self.text):
                raise self.fail("unterminated array: missing ']'")
            if self.text[self.i] == "]":
                self.i += 1
                return out
            out.item_pos.append(self.where())
            out.append(self.value())
            self.skip()
            if self.i < len(self.text) and self.text[self.i] == ",":
                self.i += 1
                continue
            if self.i < len(self.text) and self.text[self.i] == "]":
                continue
            raise self.fail("expected ',' or ']' after an array item")

    def string(self) -> str:
        start = self.i
        self.i += 1
        parts: list[str] = []
        text = self.text
        escapes = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
        while True:
            if self.i >= len(text):
                raise self.fail("unterminated string", start)
            c = text[self.i]
            if c == '"':
                self.i += 1
                return "".join(parts)
            if c == "\n":
                raise self.fail("newline inside a string (close the quote)", start)
            if c == "\\":
                nxt = text[self.i + 1 : self.i + 2]
                if nxt == "u":
                    digits = text[self.i + 2 : self.i + 6]
                    try:
                        parts.append(chr(int(digits, 16)))
                    except ValueError:
                        raise self.fail("bad \\u escape") from None
                    self.i += 6
                    continue
                if nxt not in escapes:
                    raise self.fail(f"bad escape \\{nxt}")
                parts.append(escapes[nxt])
                self.i += 2
                continue
            parts.append(c)
            self.i += 1

    def number(self) -> float | int:
        start = self.i
        text = self.text
        while self.i < len(text) and text[self.i] in "+-0123456789.eE":
            self.i += 1
        raw = text[start : self.i]
        try:
            if any(ch in raw for ch in ".eE"):
                return float(raw)
            return int(raw)
        except ValueError:
            raise self.fail(f"bad number {raw!r}", start) from None


def parse(text: str) -> Any:
    """Parse JSON text (plus trailing commas and // comments) into JObject/JArray with positions."""
    reader = _Reader(text)
    value = reader.value()
    reader.skip()
    if reader.i != len(text):
        raise reader.fail("extra text after the JSON value")
    return value
