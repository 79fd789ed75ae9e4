"""The audio child process: owns the pyo server and graph, obeys messages from AudioOutput, reports levels.

Started as `python -m installation.audio.child FD` (not multiprocessing spawn: no re-import of the
parent's __main__); FD is one end of a socketpair wrapped in a multiprocessing Connection.
Protocol (pickled tuples; the parent never waits for a reply):

parent → child
    ("options", ChildOptions)        first message: backend, device, graph settings
    ("soundscape", act: str, soundscape: Soundscape, transition_s: float)
    ("params", {"audio.<layer>.<param>": float, ...})      only changed values
    ("mute", muted: bool, fade_s: float | None)   panic / blackout / unmute; None: the config's fade
    ("clock", now_s: float)          manual backend: compute audio up to this runtime time
    ("spectrum", on: bool)           send ("spectrum", AudioBlock) for the projection's audio inputs
    ("stop",)                        shut down cleanly and exit 0

child → parent
    ("ready", {"pid", "backend", "sample_rate", "buffer_size"})
    ("status", {"act", "time_s", "level_db", "trim_db", "muted", "soundscapes", "errors",
                "peak_db": [per channel], "rms_db": [per channel]})
    ("spectrum", AudioBlock)         the newest waveform and FFT, SPECTRUM_INTERVAL_S apart (while asked)
    ("error", message)               fatal: the child exits with status 3 after sending it
"""

from __future__ import annotations

import logging
import math
import os
import sys
from multiprocessing.connection import Connection
from typing import Any

from installation.audio.config import AudioConfig, ChildOptions
from installation.platform.childproc import EXIT_ERROR, accept, send

log = logging.getLogger(__name__)

SPECTRUM_INTERVAL_S = 1 / 60  # how often scenes with audio inputs get a new block (live backends)


def main(argv: list[str] | None = None) -> None:
    """`python -m installation.audio.child FD`: FD is the inherited socket; the first message the options."""
    conn, first = accept(argv, "audio-child", ChildOptions)
    child_main(conn, first[1])


def child_main(conn: Connection, options: ChildOptions) -> None:
    """Run the audio engine until told to stop or the parent is gone."""
    logging.basicConfig(
        level=options.log_level, stream=sys.stderr, format="audio-child %(levelname)s %(name)s: %(message)s"
    )
    config = options.config
    # pyo's audio callback runs holding the GIL: make this (message) thread hand it over within 1 ms
    sys.setswitchinterval(0.001)
    if config.jack_server:
        os.environ["JACK_DEFAULT_SERVER"] = config.jack_server
    os.environ.setdefault("JACK_NO_START_SERVER", "1")
    _set_priority(config)
    try:
        from installation.audio.engine import AudioEngine, make_server

        server = make_server(config.backend, config.engine, device=config.device, jack_name=config.jack_name)
        engine = AudioEngine(server, config.engine)
    except Exception as exc:  # report any failure to boot as one line, then exit
        send(conn, ("error", f"audio engine could not start: {exc}"))
        conn.close()
        sys.exit(EXIT_ERROR)
    send(
        conn,
        (
            "ready",
            {
                "pid": os.getpid(),
                "backend": config.backend,
                "sample_rate": config.engine.sample_rate,
                "buffer_size": int(server.getBufferSize()),
            },
        ),
    )
    loop = (
        _ManualLoop(conn, server, engine, config)
        if config.backend == "manual"
        else _LiveLoop(conn, engine, config)
    )
    try:
        loop.run()
    finally:
        server.stop()
        server.shutdown()
        conn.close()


def _set_priority(config: AudioConfig) -> None:
    try:
        if config.nice:
            os.setpriority(os.PRIO_PROCESS, 0, config.nice)
        if config.rt_priority:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(config.rt_priority))
    except (OSError, AttributeError) as exc:  # not root, or not Linux: play at normal priority
        log.warning("audio process priority not raised (%s)", getattr(exc, "strerror", exc))


class _Loop:
    def __init__(self, conn: Connection, engine: Any, config: AudioConfig) -> None:
        self.conn = conn
        self.engine = engine
        self.config = config
        self.running = True
        self.spectrum = False  # the projection wants waveform and FFT blocks

    def send_spectrum(self) -> None:
        from time import monotonic  # the capture moment, for the sound → picture latency only

        if not send(self.conn, ("spectrum", self.engine.spectrum(monotonic()))):
            self.running = False

    def handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "soundscape":
            _, act, soundscape, transition_s = message
            self.engine.set_soundscape(act, soundscape, float(transition_s))
        elif kind == "params":
            self.engine.set_params(message[1])
        elif kind == "mute":
            self.engine.set_muted(bool(message[1]), message[2] if len(message) > 2 else None)
        elif kind == "spectrum":
            self.spectrum = bool(message[1])
        elif kind == "stop":
            self.running = False
        elif kind != "clock":
            log.warning("audio child ignored unknown message %r", kind)

    def receive(self, timeout_s: float | None) -> tuple[Any, ...] | None:
        """The next message, None on timeout; stops the loop when the parent is gone."""
        try:
            if not self.conn.poll(timeout_s):
                return None
            message = self.conn.recv()
        except (EOFError, OSError):
            log.info("audio child: parent gone, exiting")
            self.running = False
            return None
        return message  # type: ignore[no-any-return]

    def report(self) -> None:
        self.engine.collect()
        state = self.engine.state()
        state.update(self.engine.take_meters())
        if not send(self.conn, ("status", state)):
            self.running = False


class _LiveLoop(_Loop):
    """JACK / device: the server runs on its own clock; handle messages, report levels periodically."""

    def run(self) -> None:
        interval = self.config.meter_interval_s
        next_report = next_spectrum = self.engine.time_s() + interval
        while self.running:
            wait_s = min(interval / 2, max(0.0, next_spectrum - self.engine.time_s())) if self.spectrum \
                else interval / 2
            message = self.receive(wait_s)
            if message is not None:
                self.handle(message)
            now_s = self.engine.time_s()
            if self.spectrum and now_s >= next_spectrum:
                self.send_spectrum()
                next_spectrum = max(next_spectrum + SPECTRUM_INTERVAL_S, now_s)
            if now_s >= next_report:
                self.report()
                next_report = self.engine.time_s() + interval


class _ManualLoop(_Loop):
    """Manual: audio time follows the runtime clock sent in ("clock", now) messages."""

    def __init__(self, conn: Connection, server: Any, engine: Any, config: AudioConfig) -> None:
        super().__init__(conn, engine, config)
        self.server = server
        self.block_s = config.engine.buffer_size / config.engine.sample_rate
        self.origin_s: float | None = None  # runtime time at audio time 0
        self.blocks = 0

    def run(self) -> None:
        while self.running:
            message = self.receive(None)
            if message is None:
                continue
            if message[0] == "clock":
                self.advance(float(message[1]))
            else:
                self.handle(message)

    def advance(self, now_s: float) -> None:
        if self.origin_s is None:
            self.origin_s = now_s
        target_s = now_s - self.origin_s
        behind_s = target_s - self.blocks * self.block_s
        if behind_s > self.config.max_step_s:  # a jump in virtual time: compute the last part only
            self.origin_s += behind_s - self.config.max_step_s
            target_s = now_s - self.origin_s
        todo = math.floor(target_s / self.block_s) - self.blocks
        for _ in range(max(0, todo)):
            self.server.process()
            self.blocks += 1
        if todo > 0:
            if self.spectrum:
                self.send_spectrum()
            self.report()


if __name__ == "__main__":
    main()
