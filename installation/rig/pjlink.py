"""PJLink projectors (class 1 and 2, TCP 4352): power at opening and closing, input, lamp, errors in health.

The codec (greeting, authenticated command lines, replies, ERST and LAMP values) is pure and tested against
literal bytes; `PJLinkSession` is one TCP conversation; `Projector` is the adapter: the engine asks for a
power state or an input and returns at once, the projector's own thread makes it so, polls status, and
retries with backoff while the projector is unreachable, warming up or cooling down.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from installation.adapters import Adapter, Health, HealthState
from installation.errors import InstallationError

log = logging.getLogger(__name__)

PJLINK_PORT = 4352
MAX_LINE = 136  # the longest reply the spec allows, plus margin
ERRORS = {
    "ERR1": "undefined command",
    "ERR2": "parameter out of range",
    "ERR3": "unavailable now (warming up, cooling down or in standby)",
    "ERR4": "projector failure",
    "ERRA": "authentication failed (wrong PJLink password)",
}
POWER_STATES = {"0": "off", "1": "on", "2": "cooling down", "3": "warming up"}
ERST_PARTS = ("fan", "lamp", "temperature", "cover", "filter", "other")  # ERST digits in this order
ERST_LEVELS = {"0": 0, "1": 1, "2": 2}  # ok, warning, error
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
DOWN_AFTER_FAILURES = 2  # consecutive failed exchanges before health says DOWN (one is DEGRADED)


class PJLinkError(InstallationError):
    """A PJLink exchange that failed: no answer, an ERRn reply, or a refused password."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- codec


def auth_digest(random: str, password: str) -> str:
    """The 32 lowercase hex digits a controller sends before its first command: MD5(random + password)."""
    return hashlib.md5((random + password).encode("ascii"), usedforsecurity=False).hexdigest()


def parse_greeting(line: str) -> str | None:
    """The projector's first line: None for `PJLINK 0` (no password), the random for `PJLINK 1 <random>`."""
    text = line.rstrip("\r\n")
    if text == "PJLINK 0":
        return None
    if text.startswith("PJLINK 1 ") and len(text) == len("PJLINK 1 ") + 8:
        return text[len("PJLINK 1 "):]
    if text == "PJLINK ERRA":
        raise PJLinkError(ERRORS["ERRA"], "ERRA")
    raise PJLinkError(f"not a PJLink greeting: {text[:40]!r}")


def encode_command(cls: int, command: str, param: str, digest: str = "") -> bytes:
    """`%1POWR 1\\r`, prefixed by the password digest on the first command of a session."""
    if cls not in (1, 2) or len(command) != 4 or not command.isalnum() or not command.isupper():
        raise ValueError(f"bad PJLink command {cls}/{command!r}")
    if "\r" in param or len(param) > 128:
        raise ValueError(f"bad PJLink parameter {param!r}")
    return f"{digest}%{cls}{command} {param}\r".encode("ascii")


def parse_reply(line: str, cls: int, command: str) -> str:
    """The value of `%1POWR=OK` / `%1LAMP=1234 1`; raises PJLinkError with the code for ERRn and ERRA."""
    text = line.rstrip("\r\n")
    if text == "PJLINK ERRA":
        raise PJLinkError(ERRORS["ERRA"], "ERRA")
    head = f"%{cls}{command}="
    if not text.startswith(head):
        raise PJLinkError(f"unexpected reply to %{cls}{command}: {text[:40]!r}")
    value = text[len(head):]
    if value in ERRORS:
        raise PJLinkError(f"%{cls}{command}: {ERRORS[value]}", value)
    return value


def parse_errors(value: str) -> dict[str, int]:
    """ERST's six digits as {part: 0 ok | 1 warning | 2 error}."""
    if len(value) != len(ERST_PARTS) or any(c not in ERST_LEVELS for c in value):
        raise PJLinkError(f"bad ERST value {value!r}")
    return {part: ERST_LEVELS[c] for part, c in zip(ERST_PARTS, value, strict=True)}


def parse_lamps(value: str) -> tuple[tuple[int, bool], ...]:
    """LAMP's `hours on` pairs, one per lamp: ((1234, True), (80, False))."""
    words = value.split()
    if not words or len(words) % 2 or not all(w.isdigit() for w in words):
        raise PJLinkError(f"bad LAMP value {value!r}")
    return tuple((int(words[i]), words[i + 1] == "1") for i in range(0, len(words), 2))


# ---------------------------------------------------------------- one conversation


class PJLinkSession:
    """One TCP conversation with a projector: greeting, password digest with the first command, replies."""

    def __init__(self, host: str, port: int, password: str | None, timeout_s: float = 3.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self._buf = b""
        try:
            random = parse_greeting(self._line())
        except Exception:
            self.close()
            raise
        if random is not None and password is None:
            self.close()
            raise PJLinkError("the projector asks for a PJLink password and none is configured", "ERRA")
        self._digest = auth_digest(random, password or "") if random is not None else ""

    def _line(self) -> str:
        while b"\r" not in self._buf:
            try:
                chunk = self.sock.recv(256)
            except TimeoutError:
                raise PJLinkError("no answer from the projector (timeout)") from None
            if not chunk:
                raise PJLinkError("the projector closed the connection")
            self._buf += chunk
            if len(self._buf) > MAX_LINE and b"\r" not in self._buf:
                raise PJLinkError("reply too long: not a PJLink projector")
        line, _, self._buf = self._buf.partition(b"\r")
        return line.decode("ascii", errors="replace")

    def ask(self, cls: int, command: str, param: str = "?") -> str:
        """Send one command and return the reply's value (raises PJLinkError for ERRn/ERRA)."""
        digest, self._digest = self._digest, ""  # the digest goes with the first command only
        self.sock.sendall(encode_command(cls, command, param, digest))
        return parse_reply(self._line(), cls, command)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


# ---------------------------------------------------------------- the adapter


@dataclass(frozen=True, slots=True)
class ProjectorStatus:
    """What the projector last said about itself."""

    power: str = "unknown"  # off | on | cooling down | warming up | unknown
    input: str = ""
    lamps: tuple[tuple[int, bool], ...] = ()
    errors: dict[str, int] = field(default_factory=dict)
    pjlink_class: int = 0
    name: str = ""


Now = Callable[[], float]


class Projector(Adapter):
    """A PJLink projector: `power(on)` and `select_input(code)` return at once; its thread does the rest."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int = PJLINK_PORT,
        *,
        password: str | None = None,
        input_code: str = "",
        poll_s: float = 30.0,
        timeout_s: float = 3.0,
        now: Now = time.monotonic,
        backoff_s: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        self.name = f"projector:{name}"
        self.projector = name
        self.host, self.port = host, port
        self._password = password  # never logged, never in health
        self.input_code = input_code
        self.poll_s = poll_s
        self.timeout_s = timeout_s
        self._now = now
        self._backoff = backoff_s
        self._want_power: bool | None = None
        self._want_input = input_code or None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = ProjectorStatus()
        self.failures = 0
        self.last_error = ""
        self._health = Health(self.name, HealthState.DEGRADED, "not contacted yet", now())
        self.exchanges = 0  # completed conversations (tests wait on it)
        self._exchanged = threading.Condition()

    # -- public, from the engine loop: validate, record the wish, wake the thread
    def power(self, on: bool) -> None:
        """Ask for the projector on (opening) or off (closing); retried until it is so."""
        with self._lock:
            if self._want_power is not on:
                log.info("%s: power %s requested", self.name, "on" if on else "off")
            self._want_power = bool(on)
        self._wake.set()

    def select_input(self, code: str) -> None:
        """Ask for an input: class 1 `11`..`59` (type digit 1-5, number 1-9); class 2 also `1A`..`6Z`."""
        if len(code) != 2 or code[0] not in "123456" or not (code[1].isdigit() or code[1].isupper()):
            raise ValueError(f"{self.name}: input {code!r} is not a PJLink input (e.g. 31 = first digital)")
        with self._lock:
            self._want_input = code
        self._wake.set()

    def open(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"pjlink-{self.projector}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 2.0)
            self._thread = None

    def health(self) -> Health:
        return self._health

    def wait_exchanges(self, count: int, timeout_s: float) -> bool:
        """Block until `count` conversations have completed (for tests and the bench), with a deadline."""
        with self._exchanged:
            return self._exchanged.wait_for(lambda: self.exchanges >= count, timeout_s)

    # -- the projector's thread
    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                settled = self._exchange()
            except (OSError, PJLinkError) as exc:
                self._failed(exc)
                delay = self._backoff[min(self.failures - 1, len(self._backoff) - 1)]
            else:
                self.failures = 0
                # a wish not met yet (warming up, cooling down): ask again soon, else poll at leisure
                delay = self.poll_s if settled else self._backoff[0]
            with self._exchanged:
                self.exchanges += 1
                self._exchanged.notify_all()
            self._wake.wait(delay)
            self._wake.clear()

    def _exchange(self) -> bool:
        """One conversation: power and input as wished, then status; True when nothing is left to do."""
        session = PJLinkSession(self.host, self.port, self._password, self.timeout_s)
        try:
            status = self.status
            cls = status.pjlink_class
            name = status.name
            if cls == 0:
                cls = 2 if session.ask(1, "CLSS") == "2" else 1
                try:
                    name = session.ask(1, "NAME")
                except PJLinkError:
                    name = ""
            power = POWER_STATES.get(session.ask(1, "POWR"), "unknown")
            with self._lock:
                want, want_input = self._want_power, self._want_input
            settled = True
            if want is not None and power != ("on" if want else "off"):
                settled = False
                if power in ("on", "off"):  # mid warm-up or cool-down the projector refuses (ERR3): wait
                    session.ask(1, "POWR", "1" if want else "0")
                    log.info("%s: power %s sent", self.name, "on" if want else "off")
                power = POWER_STATES.get(session.ask(1, "POWR"), "unknown")
                settled = power == ("on" if want else "off")
            current_input = status.input
            if power == "on":
                current_input = session.ask(cls, "INPT")
                if want_input and current_input != want_input:
                    session.ask(cls, "INPT", want_input)
                    current_input = session.ask(cls, "INPT")
                    settled = settled and current_input == want_input
            errors = parse_errors(session.ask(1, "ERST"))
            try:
                lamps = parse_lamps(session.ask(1, "LAMP"))
            except PJLinkError as exc:  # ERR1: no lamp (laser, LED)
                if exc.code != "ERR1":
                    raise
                lamps = ()
        finally:
            session.close()
        self.status = ProjectorStatus(power, current_input, lamps, errors, cls, name)
        self._set_health(self._healthy_view())
        return settled

    def _healthy_view(self) -> tuple[HealthState, str, str]:
        st = self.status
        parts = [st.power]
        if st.input:
            parts.append(f"input {st.input}")
        if st.lamps:
            parts.append("lamp " + ", ".join(f"{h} h" for h, _ in st.lamps))
        parts.append(f"class {st.pjlink_class}")
        bad = {p: lvl for p, lvl in st.errors.items() if lvl}
        if any(lvl == 2 for lvl in bad.values()):
            what = ", ".join(f"{p} error" if lvl == 2 else f"{p} warning" for p, lvl in bad.items())
            return HealthState.DOWN, f"{what} — check the projector; " + "; ".join(parts), what
        if bad:
            what = ", ".join(f"{p} warning" for p in bad)
            return HealthState.DEGRADED, f"{what}; " + "; ".join(parts), what
        with self._lock:
            want = self._want_power
        if want is not None and st.power != ("on" if want else "off"):
            return HealthState.DEGRADED, f"turning {'on' if want else 'off'}: " + "; ".join(parts), ""
        return HealthState.OK, "; ".join(parts), ""

    def _failed(self, exc: BaseException) -> None:
        self.failures += 1
        message = str(exc) or exc.__class__.__name__
        if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
            message = f"cannot reach {self.host}:{self.port} ({exc.strerror or exc})"
        code = getattr(exc, "code", "")
        if self.failures == 1 or message != self.last_error:
            log.warning("%s: %s (retrying with backoff)", self.name, message)
        self.last_error = message
        if code == "ERRA":
            state, fix = HealthState.DOWN, "set the projector's PJLink password in the password file"
        elif self.failures >= DOWN_AFTER_FAILURES:
            state, fix = HealthState.DOWN, "check the projector's power, network cable and PJLink setting"
        else:
            state, fix = HealthState.DEGRADED, "retrying"
        self._set_health((state, f"{message} — {fix}", message))

    def _set_health(self, view: tuple[HealthState, str, str]) -> None:
        state, detail, error = view
        old = self._health
        since = old.since if old.state == state else self._now()
        self._health = Health(self.name, state, detail, since, error or old.last_error)


def read_password(env: str, file: Path | None) -> str | None:
    """A projector's password from an environment variable or a file (first line); None when neither is set.

    Raises InstallationError when the variable is unset or the file cannot be read (never shows the value).
    """
    import os

    if env:
        value = os.environ.get(env)
        if value is None:
            raise InstallationError(f"${env} is not set (it holds the PJLink password)")
        return value
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").splitlines()[0] if file.stat().st_size else ""
        except OSError as exc:
            raise InstallationError(f"cannot read the PJLink password file {file}: {exc.strerror}") from None
    return None
