"""The projection child process: runs the render loop (ThreadedProjection), obeys ProjectionOutput's messages.

Started as `python -m installation.projection.child FD` (a fresh interpreter: no GL/EGL state or threads
of the parent); FD is one end of a socketpair wrapped in a multiprocessing Connection. The child has its
own MonotonicClock. Protocol (pickled tuples; the parent never waits for a reply):

parent → child
    ("options", {ThreadedProjection keyword arguments}, log_level)     first message
    ("scene", SceneRequest)            change scene (paths already resolved)
    ("blackout", on: bool, fade_s: float)
    ("panic", fade_s: float)
    ("frame", {"scene.<input>": float, ...} changed values only, presence fields | None (None: unchanged))
    ("reset_stats", generation: int)
    ("audio", AudioBlock)              the soundscape's latest waveform and FFT (audio/audioFFT inputs)
    ("stop",)                          shut down cleanly and exit 0

child → parent
    ("ready", pid)
    ("health", state value, detail, last_error)       when it changes
    ("scene_error", text)                              when it changes
    ("preview", jpeg bytes)                            each new preview (the preview interval)
    ("sample", rgb bytes, width, height)               each new small frame, when pixel mapping asks
    ("stats", generation, FrameStats)                  every STATS_INTERVAL_S
    ("log", levelno, line)                             a log record, one report after it was written
    ("error", message)                                 fatal: the child exits with status 3 after it
"""

from __future__ import annotations

import logging
import os
import sys
from multiprocessing.connection import Connection
from typing import Any

from installation.platform.childproc import EXIT_ERROR, accept, send

log = logging.getLogger(__name__)

REPORT_INTERVAL_S = 0.02  # how often health, scene errors and previews are looked at
STATS_INTERVAL_S = 0.5


def main(argv: list[str] | None = None) -> None:
    """`python -m installation.projection.child FD`: FD is the inherited socket; first message: options."""
    conn, first = accept(argv, "projection-child", dict)
    logging.basicConfig(level=first[2], handlers=[_HELD],
                        format="projection-child %(levelname)s %(name)s: %(message)s")
    child_main(conn, first[1])


def child_main(conn: Connection, options: dict[str, Any]) -> None:
    """Render until told to stop or the parent is gone."""
    from installation.engine.clock import MonotonicClock
    from installation.projection.output import ThreadedProjection

    try:
        out = ThreadedProjection(MonotonicClock(), **options)
    except Exception as exc:  # bad options: one line to the parent, then exit
        send(conn, ("error", f"projection could not start: {exc}"))
        conn.close()
        sys.exit(EXIT_ERROR)
    out.open()
    send(conn, ("ready", os.getpid()))
    loop = _Loop(conn, out)
    try:
        loop.run()
    finally:
        out.close()
        for level, line in [*loop.held, *_HELD.take()]:  # the last words (parent still there on stop)
            send(conn, ("log", level, line))
        conn.close()


class _HeldLog(logging.Handler):
    """Log records for the parent, held for one report so the health they explain arrives before them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.levelno, self.format(record)))
        except Exception:  # a record that cannot be formatted: logging's own report
            self.handleError(record)

    def take(self) -> list[tuple[int, str]]:
        lines, self.lines = self.lines, []
        return lines


_HELD = _HeldLog()


class _Loop:
    """Hands messages to the render thread and reports what changed."""

    def __init__(self, conn: Connection, out: Any) -> None:
        self.conn = conn
        self.out = out
        self.running = True
        self.params: dict[str, float] = {}
        self.generation = 0
        self.health: tuple[str, str, str] | None = None
        self.scene_error = ""
        self.preview: bytes | None = None
        self.sample: Any = None
        self.held: list[tuple[int, str]] = []
        self.next_stats = out.clock.now() + STATS_INTERVAL_S

    def run(self) -> None:
        while self.running:
            try:
                ready = self.conn.poll(REPORT_INTERVAL_S)
                while ready and self.running:
                    self.handle(self.conn.recv())
                    ready = self.conn.poll(0)
            except (EOFError, OSError):
                log.info("projection child: parent gone, exiting")
                return
            if self.running and not self.report():
                return

    def handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        out = self.out
        now = out.clock.now()
        if kind == "frame":
            self.params.update(message[1])
            from installation.projection.output import presence_from_wire

            out.update(dict(self.params), presence_from_wire(message[2]), now)
        elif kind == "audio":
            out.update_audio(message[1])
        elif kind == "scene":
            out.command(message[1])  # a SceneRequest: applied as is by the render thread
        elif kind == "blackout":
            out.blackout(bool(message[1]), float(message[2]))
        elif kind == "panic":
            out.panic(float(message[1]))
        elif kind == "reset_stats":
            self.generation = int(message[1])
            out.reset_stats()
        elif kind == "stop":
            self.running = False
        else:
            log.warning("projection child ignored unknown message %r", kind)

    def report(self) -> bool:
        out = self.out
        health = out.health()
        key = (health.state.value, health.detail, health.last_error)
        messages: list[tuple[Any, ...]] = []
        if key != self.health:
            self.health = key
            messages.append(("health", *key))
        if out.scene_error != self.scene_error:
            self.scene_error = out.scene_error
            messages.append(("scene_error", self.scene_error))
        preview = out.preview()
        if preview is not None and preview is not self.preview:
            self.preview = preview
            messages.append(("preview", preview))
        sample = out.sample()
        if sample is not None and sample is not self.sample:  # pixel mapping: the newest small frame
            self.sample = sample
            messages.append(("sample", sample.tobytes(), sample.shape[1], sample.shape[0]))
        # a log line written while the render thread set the health goes out after that health
        messages.extend(("log", level, line) for level, line in self.held)
        self.held = _HELD.take()
        now = out.clock.now()
        if now >= self.next_stats:
            self.next_stats = now + STATS_INTERVAL_S
            messages.append(("stats", self.generation, out.stats()))
        return all(send(self.conn, m) for m in messages)


if __name__ == "__main__":
    main()
