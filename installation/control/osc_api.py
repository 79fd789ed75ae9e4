"""QLab-style OSC control API: `/go`, `/cue/{name}/start`, `/act/{name}`, … with JSON replies.

Every message gets a reply `/reply{address}` carrying one string argument, JSON
`{"address", "status": "ok"|"error"|"denied", "message", "data"}`, sent to the sender's address (or
to the sender's host at `reply_port` when one is configured). A `/workspace/{id}` prefix is accepted
and ignored, so remotes written for QLab work. Addresses this API does not know are passed to
`Controller.command(address)`, which is how `on: osc /show/skip` triggers are fired.

Security: bound to 127.0.0.1 by default. A non-loopback bind needs an allow-list of client
addresses (others are dropped unanswered) and/or a passcode (`/connect {passcode}` opens a session
for the client's IP address, like QLab's workspace passcode; until then every message is answered
"denied"). Malformed packets are counted and logged (rate-limited), never fatal; what is logged of a
message is clipped, addresses over MAX_ADDRESS characters never reach the show, and a reply too large for
one datagram is replaced by an error reply. The counts are the API's `health()` detail (`/health`).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import logging
import math
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from installation import __version__
from installation.adapters import Health, HealthState
from installation.control.protocol import Controller, Result
from installation.errors import DeviceError, InstallationError

log = logging.getLogger(__name__)

DEFAULT_PORT = 53000  # QLab's port, so remotes find us where they expect
MAX_PACKET = 65535
MAX_REPLY = 65507  # the largest UDP payload over IPv4; a larger reply would be dropped by the kernel
MAX_ADDRESS = 256  # characters: longer addresses are answered with an error and never reach the show
LOG_ADDRESS = 80  # characters of an address (or arguments, message) that go into one log line
MAX_LOG_LINES = 200
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux value; Python does not export it
FAILED_CONNECTS_MAX = 5  # wrong passcodes from one address before it is locked out for a while
LOCKOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class OscRequest:
    """One handled message, as the optional observer sees it (for benches and diagnostics)."""

    address: str
    args: tuple[Any, ...]
    sender: tuple[str, int]
    rx_ns: int  # kernel receive time of the datagram (CLOCK_REALTIME ns)
    done_ns: int  # when the controller call returned and the reply was sent
    status: str


@dataclass
class OscApiStats:
    """Counters the API keeps (all since start)."""

    packets: int = 0
    messages: int = 0
    malformed: int = 0
    strangers: int = 0  # packets from addresses outside the allow-list: dropped unread, unanswered
    denied: int = 0
    errors: int = 0
    unknown: int = 0  # messages to an address neither this API nor the show knows
    replies: int = 0
    reply_failures: int = 0
    oversize: int = 0  # replies too large for one datagram, answered with an error instead


@dataclass
class _Client:
    session_until: float = 0.0  # monotonic time the passcode session expires
    failures: int = 0
    locked_until: float = 0.0


def is_loopback_host(host: str) -> bool:
    """True when `host` (an address or a name) only accepts connections from this machine."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def _clip(text: object, limit: int = LOG_ADDRESS) -> str:
    """`text` for a log line: at most `limit` characters, and says how long it really was."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


def _networks(allow: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    nets = []
    for entry in allow:
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise InstallationError(
                f"OSC API allow-list: '{entry}' is not an address or network (e.g. 192.168.1.20 or "
                f"192.168.1.0/24): {exc}"
            ) from None
    return tuple(nets)


BUNDLE_TAG = b"#bundle\x00"
MAX_BUNDLE_DEPTH = 8
MAX_ARRAY_DEPTH = 8
TYPE_TAGS = frozenset("ihfdsbrmtTFN[]")  # what python-osc decodes; it skips others with a warning


def _message(data: bytes) -> OscMessage:
    """One strictly checked message: 4-byte aligned, with a type tag string (OSC 1.0)."""
    if len(data) % 4:
        raise ValueError(f"length {len(data)} is not a multiple of 4")
    end = data.find(b"\x00")
    if end < 1:
        raise ValueError("address is not NUL-terminated")
    tags_at = (end + 4) & ~3
    if tags_at >= len(data) or data[tags_at:tags_at + 1] != b",":
        raise ValueError("no type tag string after the address")
    tags_end = data.find(b"\x00", tags_at)
    depth = 0
    for tag in data[tags_at + 1:tags_end if tags_end >= 0 else len(data)].decode("latin-1"):
        if tag not in TYPE_TAGS:  # OSC 1.0: discard a message with a type tag we do not know
            raise ValueError(f"unknown type tag {tag!r}")
        depth += {"[": 1, "]": -1}.get(tag, 0)
        if depth > MAX_ARRAY_DEPTH:
            raise ValueError("arrays nested too deeply")
    message = OscMessage(data)
    address = message.address
    if not address.startswith("/") or not address.isprintable():
        raise ValueError(f"bad OSC address {address[:60]!r}")
    return message


def _bundle(data: bytes, depth: int) -> Iterator[OscMessage]:
    if depth > MAX_BUNDLE_DEPTH:
        raise ValueError("bundles nested too deeply")
    if len(data) < 16 or len(data) % 4:
        raise ValueError("bundle too short or not 4-byte aligned")
    at = 16  # "#bundle\0" + 8-byte time tag (ignored: messages act at once)
    while at < len(data):
        if at + 4 > len(data):
            raise ValueError("truncated bundle element size")
        (size,) = struct.unpack(">i", data[at:at + 4])
        at += 4
        if size <= 0 or size % 4 or at + size > len(data):
            raise ValueError(f"bad bundle element size {size}")
        element = data[at:at + size]
        at += size
        if element.startswith(BUNDLE_TAG):
            yield from _bundle(element, depth + 1)
        else:
            yield _message(element)


def parse_packet(data: bytes) -> list[OscMessage]:
    """Decode one datagram into its messages (bundles flattened; time tags ignored: act at once).

    Raises ValueError for anything that is not well-formed OSC 1.0 (python-osc may raise several
    kinds of exceptions on hostile input; they are all turned into ValueError here).
    """
    try:
        if data.startswith(BUNDLE_TAG):
            return list(_bundle(data, 0))
        if data.startswith(b"/"):
            return [_message(data)]
    except ValueError:
        raise
    except Exception as exc:  # python-osc raises ParseError, IndexError, struct.error, UnicodeError …
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    raise ValueError("not an OSC message or bundle (must start with '/' or '#bundle')")


def build_reply(address: str, result: Result) -> bytes:
    """The reply datagram for a handled `address`: `/reply{address}` with one JSON string."""
    body = {"address": address, **result.to_json()}
    builder = OscMessageBuilder(address="/reply" + address)
    builder.add_arg(json.dumps(body, separators=(",", ":"), allow_nan=False, default=str))
    return builder.build().dgram


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{what} must be a number, not {value!r}") from None
    else:
        raise ValueError(f"{what} must be a number, not {type(value).__name__}")
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number")
    return number


@dataclass
class OscControlApi:
    """The UDP server; `start()` binds and runs it in its own thread, `close()` stops it."""

    controller: Controller
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    reply_port: int | None = None  # None: reply to the sender's own port
    allow: Iterable[str] = ()  # addresses/networks allowed in; empty = any (when bound to loopback)
    passcode: str | None = None
    session_s: float = 8 * 3600.0
    observer: Callable[[OscRequest], None] | None = None
    stats: OscApiStats = field(default_factory=OscApiStats)

    def __post_init__(self) -> None:
        self._allow = _networks(self.allow)
        self._clients: dict[str, _Client] = {}
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None  # wakes the thread on close()
        self._stopping = False
        self._logged_at: dict[str, float] = {}
        if not is_loopback_host(self.host) and not self._allow and not self.passcode:
            raise InstallationError(
                f"OSC API on {self.host}:{self.port} would accept commands from the network: give an "
                f"allow-list of remote addresses or a passcode (or bind to 127.0.0.1)"
            )
        if self.passcode is not None and not self.passcode.strip():
            raise InstallationError("OSC API passcode is empty: set a passcode or leave it out")

    # ---- lifecycle ----

    def start(self) -> OscControlApi:
        """Bind the UDP port and start serving; raises DeviceError (one line) when the port is taken."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise DeviceError(
                f"OSC API: cannot listen on udp {self.host}:{self.port} ({exc.strerror}); is another "
                f"controller or QLab running? choose another port"
            ) from None
        with contextlib.suppress(OSError):  # not Linux: fall back to the time we read the packet
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setblocking(False)
        self._sock = sock
        self._wake = socket.socketpair()
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name=f"osc-api:{self.port}", daemon=True)
        self._thread.start()
        log.info("OSC control API listening on udp %s:%d", self.host, self.port)
        return self

    def close(self) -> None:
        """Stop the thread and release the port; idempotent."""
        self._stopping = True
        if self._wake is not None:
            with contextlib.suppress(OSError):
                self._wake[1].send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            log.info("OSC control API on udp %s:%d closed", self.host, self.port)
        if self._wake is not None:
            for end in self._wake:
                end.close()
            self._wake = None

    def health(self, since: float = 0.0) -> Health:
        """The API's health item: where it listens and what it refused, counted since start."""
        if self._sock is None:
            return Health("osc-control", HealthState.OFF, "not listening", since)
        s = self.stats
        detail = (f"udp {self.host}:{self.port}; {s.messages} messages, {s.malformed} malformed packets, "
                  f"{s.unknown} unknown addresses, {s.strangers} from outside the allow-list, "
                  f"{s.denied} denied, {s.oversize} replies too large, {s.errors} errors")
        return Health("osc-control", HealthState.OK, detail, since)

    def __enter__(self) -> OscControlApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the loop ----

    def _serve(self) -> None:
        assert self._sock is not None and self._wake is not None
        sock = self._sock
        sel = selectors.DefaultSelector()
        sel.register(sock, selectors.EVENT_READ)
        sel.register(self._wake[0], selectors.EVENT_READ)
        try:
            while not self._stopping:
                for _key, _mask in sel.select():
                    pass
                while not self._stopping:
                    try:
                        data, anc, _flags, sender = sock.recvmsg(MAX_PACKET, 64)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError as exc:  # e.g. ICMP port unreachable from an earlier reply
                        log.debug("OSC API recv: %s", exc)
                        continue
                    rx_ns = _rx_time_ns(anc)
                    try:
                        self._packet(data, (sender[0], sender[1]), rx_ns)
                    except Exception:  # a bug in a handler must not stop the API
                        self.stats.errors += 1
                        log.exception("OSC API: error handling a packet from %s:%d", sender[0], sender[1])
        finally:
            sel.close()

    def _allowed(self, ip: str) -> bool:
        if not self._allow:
            return True
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in net for net in self._allow)

    def _packet(self, data: bytes, sender: tuple[str, int], rx_ns: int) -> None:
        self.stats.packets += 1
        if not self._allowed(sender[0]):  # no reply: strangers learn nothing and cannot bounce traffic
            self.stats.strangers += 1
            self._rate_limited("stranger", "OSC API: packet from %s:%d ignored: not in the allow-list "
                               "(%d so far)", sender[0], sender[1], self.stats.strangers)
            return
        try:
            messages = parse_packet(data)
        except ValueError as exc:
            self._malformed(sender, len(data), str(exc))
            return
        for message in messages:
            self.stats.messages += 1
            args = tuple(message.params)
            result = self._handle(message.address, args, sender)
            self._reply(message.address, result, sender)
            if self.observer is not None:
                self.observer(OscRequest(message.address, args, sender, rx_ns, time.time_ns(), result.status))

    def _malformed(self, sender: tuple[str, int], size: int, why: str) -> None:
        self.stats.malformed += 1
        self._rate_limited("malformed", "OSC API: malformed packet from %s:%d (%d bytes): %s; ignored, "
                           "%d so far", sender[0], sender[1], size, _clip(why), self.stats.malformed)

    def _rate_limited(self, kind: str, message: str, *args: Any) -> None:
        """Log one warning a second at most per kind, however hard the burst."""
        now = time.monotonic()
        if now - self._logged_at.get(kind, -math.inf) >= 1.0:
            log.warning(message, *args)
            self._logged_at[kind] = now

    def _reply(self, address: str, result: Result, sender: tuple[str, int]) -> None:
        if self._sock is None:
            return
        port = self.reply_port if self.reply_port is not None else sender[1]
        address = address[:MAX_ADDRESS]  # an over-long address was refused; its reply stays one datagram
        try:
            dgram = build_reply(address, result)
        except (ValueError, TypeError) as exc:  # data not JSON-able: a controller bug, still answer
            dgram = build_reply(address, Result.error(f"reply could not be encoded: {_clip(exc)}"))
        if len(dgram) > MAX_REPLY:  # the kernel would drop it silently: say so instead
            self.stats.oversize += 1
            self._rate_limited("oversize", "OSC API: reply to %s is %d bytes, over one datagram (%d); "
                               "sent an error instead (%d so far)", _clip(address), len(dgram), MAX_REPLY,
                               self.stats.oversize)
            dgram = build_reply(address, Result.error(
                f"reply too large ({len(dgram)} bytes; one UDP datagram carries at most {MAX_REPLY}): "
                f"ask for less, e.g. /log 20"))
        try:
            self._sock.sendto(dgram, (sender[0], port))
            self.stats.replies += 1
        except OSError as exc:
            self.stats.reply_failures += 1
            log.debug("OSC API: reply to %s:%d failed: %s", sender[0], port, exc)

    # ---- access control ----

    def _admitted(self, address: str, args: tuple[Any, ...], ip: str) -> Result | None:
        """None when the client may send `address`; otherwise the reply (denied / connect result)."""
        client = self._clients.setdefault(ip, _Client())
        now = time.monotonic()
        if address == "/connect":
            return self._connect(client, args, ip, now)
        if address == "/disconnect":
            client.session_until = 0.0
            return Result.success("disconnected")
        if self.passcode is None or client.session_until > now:
            return None
        return Result.denied("send /connect with the passcode first")

    def _connect(self, client: _Client, args: tuple[Any, ...], ip: str, now: float) -> Result:
        if self.passcode is None:
            return Result.success("connected (no passcode needed)")
        if client.locked_until > now:
            return Result.denied(f"too many wrong passcodes from {ip}; wait {LOCKOUT_S:g} s")
        given = str(args[0]) if args else ""
        if hmac.compare_digest(given.encode(), self.passcode.encode()):
            client.session_until = now + self.session_s
            client.failures = 0
            log.info("OSC API: %s connected with the passcode", ip)
            return Result.success("connected")
        client.failures += 1
        if client.failures >= FAILED_CONNECTS_MAX:
            client.locked_until = now + LOCKOUT_S
            client.failures = 0
        log.warning("OSC API: wrong passcode from %s", ip)
        return Result.denied("wrong passcode")

    # ---- dispatch ----

    def _handle(self, address: str, args: tuple[Any, ...], sender: tuple[str, int]) -> Result:
        source = f"osc:{sender[0]}:{sender[1]}"
        if len(address) > MAX_ADDRESS:  # no show has such an address: keep it out of the show and the log
            self.stats.unknown += 1
            self._rate_limited("long", "OSC API: %s from %s refused: longer than %d characters",
                               _clip(address), source, MAX_ADDRESS)
            return Result.error(f"address too long ({len(address)} characters; at most {MAX_ADDRESS})")
        path = address
        parts = path.split("/")
        if len(parts) >= 3 and parts[1] == "workspace":  # QLab: /workspace/{id}/go …
            path = "/" + "/".join(parts[3:])
        gate = self._admitted(path, args, sender[0])
        if gate is not None:
            if gate.status == "denied":
                self.stats.denied += 1
                log.warning("OSC API: %s from %s denied: %s", _clip(address), source, gate.message)
            return gate
        try:
            result = self._dispatch(path, args, source)
        except ValueError as exc:
            result = Result.error(f"{address}: {exc}")
        if result.status != "ok":
            log.info("OSC API: %s %s from %s → %s: %s", _clip(address), _clip(list(args)), source,
                     result.status, _clip(result.message, 2 * LOG_ADDRESS))
        return result

    def _dispatch(self, path: str, args: tuple[Any, ...], source: str) -> Result:
        c = self.controller
        parts = path.split("/")[1:]
        head = parts[0] if parts else ""
        simple: dict[str, Callable[..., Result]] = {
            "/go": c.go, "/stop": c.stop, "/panic": c.panic, "/pause": c.pause, "/resume": c.resume,
        }
        if path in simple:
            return simple[path](source=source)
        if path == "/thump":
            return Result.success("thump", "thump")
        if path == "/version":
            return Result.success("", {"name": "installation", "version": __version__})
        if path == "/state":
            return Result.success("", c.state())
        if path == "/health":
            return Result.success("", c.health())
        if path == "/log":
            n = int(_number(args[0], "line count")) if args else 20
            return Result.success("", c.log_tail(max(1, min(n, MAX_LOG_LINES))))
        if path in ("/act", "/acts"):
            state = c.state()
            return Result.success("", {"act": state.get("act"), "acts": state.get("acts", [])})
        if path == "/cues":
            return Result.success("", c.state().get("cues", []))
        if path in ("/selected", "/playhead"):
            state = c.state()
            return Result.success("", {"selected": state.get("selected"), "next": state.get("next")})
        if path == "/params":
            return Result.success("", sorted(c.param_names()))
        if path == "/replays":
            return Result.success("", c.replay_files())
        if path == "/presence":
            return Result.success("", c.presence_view())
        if head == "act" and len(parts) >= 2:
            return c.goto_act("/".join(parts[1:]), source=source)
        if head == "select" and len(parts) >= 2:
            return c.select_cue("/".join(parts[1:]), source=source)
        if head == "cue" and len(parts) >= 3:
            return self._cue(parts[-1], "/".join(parts[1:-1]), args, source)
        if head == "param" and len(parts) >= 2:
            return self._param(path[len("/param/"):], args, source)
        if head == "visitor" and len(parts) >= 2:
            return self._visitor(parts[1:], args, source)
        if head == "hours":
            return self._hours(parts[1:], args, source)
        if path == "/blackout":  # /blackout (on), /blackout 1|0|T|F
            on = True if not args else bool(_number(args[0], "blackout (1 on, 0 off)"))
            return c.light_blackout(on, source=source)
        if path in ("/grandMaster", "/grandmaster"):
            if len(args) != 1:
                return Result.error(f"{path} takes one number: the level 0..1")
            return c.grand_master(_number(args[0], "grand master level"), source=source)
        if path == "/replay":
            if not args:
                return c.replay("", 1.0, source=source)
            speed = _number(args[1], "replay speed") if len(args) > 1 else 1.0
            return c.replay(str(args[0]), speed, source=source)
        name = "/" + "/".join(parts[1:]) if head == "command" and len(parts) >= 2 else path
        result = c.command(name, source=source)
        if result.status == "error":  # no trigger listens: an unknown address
            self.stats.unknown += 1
        return result

    def _hours(self, parts: list[str], args: tuple[Any, ...], source: str) -> Result:
        """`/hours` (the view), `/hours/open HH:MM`, `/hours/close HH:MM`, `/hours/schedule`."""
        c = self.controller
        verb = parts[0] if parts else ""
        if not verb:
            return Result.success("", c.state().get("hours", {}))
        if verb == "schedule":
            return c.hours_schedule(source=source)
        if verb in ("open", "close"):
            if len(args) != 1 or not isinstance(args[0], str):
                return Result.error(f"/hours/{verb} takes one string: the time it lasts until, HH:MM")
            method = c.hours_open if verb == "open" else c.hours_close
            return method(args[0][:16], source=source)
        return Result.error(f"unknown /hours/{_clip(verb)}: use /hours, /hours/open, /hours/close, "
                            "/hours/schedule")

    def _cue(self, verb: str, name: str, args: tuple[Any, ...], source: str) -> Result:
        c = self.controller
        if name == "selected":  # QLab: /cue/selected/start
            selected = c.state().get("selected")
            if not selected:
                return Result.error("no cue is selected")
            name = selected
        if verb == "start":
            return c.start_cue(name, source=source)
        if verb == "stop":
            return c.stop_cue(name, source=source)
        if verb == "load":
            at_s = _number(args[0], "load time (s)") if args else 0.0
            return c.load_cue(name, at_s, source=source)
        if verb == "select":
            return c.select_cue(name, source=source)
        if verb == "state":
            for cue in c.state().get("cues", []):
                if cue.get("name") == name:
                    return Result.success("", cue)
            return Result.error(f"no cue '{name}' in the current act")
        return Result.error(f"unknown cue verb '{verb}' (start, stop, load, select, state)")

    def _param(self, path: str, args: tuple[Any, ...], source: str) -> Result:
        known = self.controller.param_names()
        if path not in known and "/" in path and path.replace("/", ".") in known:
            path = path.replace("/", ".")  # /param/light/wash/dimmer
        if path not in known:
            return Result.error(f"no parameter '{path[:80]}' in this show (send /params for the list)")
        if len(args) != 1:
            return Result.error(f"/param/{path} takes one value")
        value = args[0]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # else a named choice, e.g. light.spots.color blue
                value = _number(value, path)
        elif isinstance(value, bool):
            value = 1.0 if value else 0.0
        else:
            value = _number(value, path)
        return self.controller.set_param(path, value, source=source)

    def _visitor(self, parts: list[str], args: tuple[Any, ...], source: str) -> Result:
        c = self.controller
        if parts == ["add"]:
            if len(args) != 2:
                return Result.error("/visitor/add takes x y (0..1 each)")
            return c.visitor_add(_number(args[0], "x"), _number(args[1], "y"), source=source)
        if len(parts) == 2 and parts[1] == "move":
            if len(args) != 2:
                return Result.error("/visitor/{id}/move takes x y (0..1 each)")
            return c.visitor_move(parts[0], _number(args[0], "x"), _number(args[1], "y"), source=source)
        if len(parts) == 2 and parts[1] == "remove":
            return c.visitor_remove(parts[0], source=source)
        return Result.error(
            "visitor addresses: /visitor/add x y, /visitor/{id}/move x y, /visitor/{id}/remove"
        )


def _rx_time_ns(ancdata: list[tuple[int, int, bytes]]) -> int:
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
            seconds, nanos = struct.unpack("qq", payload[:16])
            return int(seconds) * 1_000_000_000 + int(nanos)
    return time.time_ns()
