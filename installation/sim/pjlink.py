"""A PJLink projector on a real TCP socket: class 1 or 2, with or without the password, errors on demand."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import select
import socket
import threading
import time
from typing import Any

from installation.sim.base import Now, Simulator

CLASS1_INPUTS = ("11", "12", "31", "32", "51")
CLASS2_INPUTS = (*CLASS1_INPUTS, "3A", "61")
CLASS1_COMMANDS = frozenset({"POWR", "INPT", "AVMT", "ERST", "LAMP", "INST", "NAME", "INF1", "INF2", "INFO",
                             "CLSS"})
CLASS2_COMMANDS = frozenset({"POWR", "INPT", "AVMT", "ERST", "LAMP", "INST", "NAME", "INF1", "INF2", "INFO",
                             "CLSS", "SNUM", "SVER", "INNM", "IRES", "RRES", "FILT", "RLMP", "RFIL", "FREZ"})


class PJLinkProjectorSim(Simulator):
    """Answers PJLink like a projector; records `connect`, `auth-failed` and `command` (cls, cmd, param).

    Power changes pass through warming up / cooling down for `transition_polls` POWR queries (0: at once),
    during which POWR and INPT commands answer ERR3, as real projectors do.
    """

    def __init__(
        self,
        *,
        password: str | None = None,
        pjlink_class: int = 1,
        name: str = "sim-projector",
        lamp_hours: int = 1200,
        transition_polls: int = 0,
        now: Now = time.monotonic,
    ) -> None:
        super().__init__(f"pjlink-{name}", now=now)
        self.password = password
        self.pjlink_class = pjlink_class
        self.projector_name = name
        self.lamp_hours = lamp_hours
        self.transition_polls = transition_polls
        self.power = "0"
        self.input = "31"
        self.errors = "000000"
        self.fail: dict[str, str] = {}  # command → ERRn answered to every use of it (tests inject faults)
        self._target = "0"
        self._polls_left = 0
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.port = 0

    # -- what tests change
    def set_errors(self, *, fan: int = 0, lamp: int = 0, temperature: int = 0, cover: int = 0,
                   filter_: int = 0, other: int = 0) -> None:
        """ERST digits from now on (0 ok, 1 warning, 2 error)."""
        with self._lock:
            self.errors = "".join(str(v) for v in (fan, lamp, temperature, cover, filter_, other))

    def finish_transition(self) -> None:
        """End a warm-up or cool-down now: the next POWR query finds the projector on (or off)."""
        with self._lock:
            self._polls_left = 0

    @property
    def powered(self) -> bool:
        return self.power == "1"

    def commands(self, command: str | None = None) -> list[tuple[int, str, str]]:
        return [r.detail for r in self.of_kind("command") if command is None or r.detail[1] == command]

    # -- lifecycle
    def start(self, port: int = 0) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(8)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._start_thread(self._accept_loop)

    def stop(self) -> None:
        self._stop_thread()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            readable, _, _ = select.select([self._sock], [], [], 0.05)
            if not readable:
                continue
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True, name=f"{self.name}-conn").start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        self.record("connect")
        random = secrets.token_hex(4) if self.password is not None else None
        with conn:
            try:
                conn.sendall(b"PJLINK 0\r" if random is None else f"PJLINK 1 {random}\r".encode())
                authed = random is None
                buf = b""
                while not self._stopping.is_set():
                    while b"\r" not in buf:
                        chunk = conn.recv(256)
                        if not chunk:
                            return
                        buf += chunk
                    raw, _, buf = buf.partition(b"\r")
                    line = raw.decode("ascii", errors="replace")
                    if not authed:
                        digest = hashlib.md5(f"{random}{self.password}".encode(),
                                             usedforsecurity=False).hexdigest()
                        if line[:32] != digest:
                            self.record("auth-failed")
                            conn.sendall(b"PJLINK ERRA\r")
                            return
                        line = line[32:]
                        authed = True
                    conn.sendall(self._answer(line).encode("ascii") + b"\r")
            except OSError:
                return

    def _answer(self, line: str) -> str:
        if len(line) < 7 or line[0] != "%" or line[1] not in "12" or line[6] not in " ":
            return "%1ERR=ERR1"  # not a command at all
        cls, command, param = int(line[1]), line[2:6], line[7:]
        self.record("command", (cls, command, param))
        known = CLASS2_COMMANDS if self.pjlink_class == 2 else CLASS1_COMMANDS
        head = f"%{cls}{command}="
        if cls > self.pjlink_class or command not in known or (cls == 1 and command not in CLASS1_COMMANDS):
            return head + "ERR1"
        with self._lock:
            if command in self.fail:
                return head + self.fail[command]
            return head + self._do(cls, command, param)

    def _do(self, cls: int, command: str, param: str) -> str:
        query = param == "?"
        if command == "POWR":
            if query:
                if self.power in "23":
                    self._polls_left -= 1
                    if self._polls_left < 0:
                        self.power = self._target
                return self.power
            if param not in ("0", "1"):
                return "ERR2"
            if self.power in "23":
                return "ERR3"
            if param != self.power:
                self._target = param
                if self.transition_polls:
                    self.power, self._polls_left = ("3" if param == "1" else "2"), self.transition_polls
                else:
                    self.power = param
                self.record("power", param == "1")
            return "OK"
        if command == "INPT":
            if self.power != "1":
                return "ERR3"
            if query:
                return self.input
            inputs = CLASS2_INPUTS if cls == 2 else CLASS1_INPUTS
            if param not in inputs:
                return "ERR2"
            self.input = param
            self.record("input", param)
            return "OK"
        answers: dict[str, str] = {
            "ERST": self.errors,
            "LAMP": f"{self.lamp_hours} {1 if self.power == '1' else 0}",
            "CLSS": str(self.pjlink_class),
            "NAME": self.projector_name,
            "INF1": "Sim",
            "INF2": "PJLink Simulator",
            "INFO": "installation test double",
            "INST": " ".join(CLASS2_INPUTS if cls == 2 else CLASS1_INPUTS),
            "AVMT": "30",
            "SNUM": "SIM0001",
            "SVER": "1.0",
            "FILT": "250",
        }
        if not query and command in answers:
            return "ERR2"
        return answers.get(command, "ERR1")

    def state(self) -> dict[str, Any]:
        return {**super().state(), "port": self.port, "power": self.power, "input": self.input,
                "errors": self.errors, "lamp_hours": self.lamp_hours, "class": self.pjlink_class}
