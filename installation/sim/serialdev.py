"""A line-based serial device (an Arduino driving a fan) on a pseudo-terminal: answers each line."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from installation.sim.base import Now, PtyDeviceSim


def ok_responder(line: str) -> str | None:
    """The usual firmware: OK for every command line."""
    return "OK"


def garbage_responder(line: str) -> str | None:
    """A device at the wrong baud rate: noise instead of answers."""
    return "\x7f\x1b#~\x00"


KEEP_MAX = 20_000  # newest raw items kept for inspection

class SerialDeviceSim(PtyDeviceSim):
    """Receives command lines, keeps the last arguments of each command word, answers via `responder`."""

    def __init__(
        self,
        link: Path,
        *,
        now: Now = time.monotonic,
        responder: Callable[[str], str | None] | None = ok_responder,
        line_ending: str = "\n",
    ) -> None:
        super().__init__(f"serial:{link.name}", link, now=now)
        self.responder = responder
        self.line_ending = line_ending
        self.lines: list[str] = []
        self.commands: dict[str, list[str]] = {}  # "SPEED" → ["128"]
        self._rx = bytearray()

    def _on_bytes(self, data: bytes) -> None:
        self._rx += data
        while True:
            cut = min((i for i in (self._rx.find(b"\n"), self._rx.find(b"\r")) if i >= 0), default=-1)
            if cut < 0:
                return
            raw = bytes(self._rx[:cut])
            del self._rx[: cut + 1]
            if not raw:
                continue
            line = raw.decode("utf-8", "replace")
            self.lines.append(line)
            if len(self.lines) > KEEP_MAX:  # a months-long rehearsal must not grow forever
                del self.lines[: KEEP_MAX // 2]
            word, *args = line.split()
            self.commands[word] = args
            self.record("line", line)
            if self.responder is not None:
                answer = self.responder(line)
                if answer is not None:
                    self.write((answer + self.line_ending).encode("utf-8", "replace"))
                    self.record("reply", answer)

    def state(self) -> dict[str, Any]:
        return {
            **super().state(),
            "commands": dict(self.commands),
            "last": self.lines[-1] if self.lines else "",
        }
