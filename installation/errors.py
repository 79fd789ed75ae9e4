"""One hierarchy of errors; every problem an artist or operator sees names its place and a fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file, at a 1-based line and column, with what would be valid."""

    file: str
    line: int
    col: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.file}:{self.line}:{self.col}: {self.message}{hint}"


class InstallationError(Exception):
    """Base of every error this program raises on purpose."""


class ShowError(InstallationError):
    """A show, rig, audience or shader file has problems; carries all of them at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(
            sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class DeviceError(InstallationError):
    """A device (serial port, socket, camera, sound card, GPU) failed; the message names it and a fix."""


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as an artist would write it: relative to the project folder when inside it."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
