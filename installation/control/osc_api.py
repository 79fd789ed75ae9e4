"""QLab 5-compatible OSC control API over UDP and TCP: `/go {number}`, `/cue/{number}/start`, `/updates`, ….

Every message gets a reply `/reply{address}` carrying one string argument, JSON
`{"workspace_id", "address", "status": "ok"|"error"|"denied", "data", "message"}` (QLab's shape plus a
one-line `message` for the operator), sent to the sender's address: UDP to its port (or the port it
named with `/udpReplyPort`, or the configured `reply_port`), TCP back over its connection (SLIP framed
as QLab 5, or OSC 1.0's size prefix when the client speaks that). `/alwaysReply 0` leaves out the
replies to successful commands, as QLab does by default. A `/workspace/{id}` prefix is accepted, so
remotes written for QLab work; `/updates 1` subscribes to `/update/workspace/{id}/cue_id/{id}` and
playhead changes. Addresses this API does not know are passed to `Controller.command(address)`, which is
how `on: osc /show/skip` triggers are fired. docs/control.md maps every QLab 5 address.

Security: bound to 127.0.0.1 by default. A non-loopback bind needs an allow-list of client
addresses (others are dropped unanswered) and/or passcodes. As in QLab 5 each passcode grants view,
edit and/or control; `/connect {passcode}` opens a session for a UDP client's IP address or a TCP
connection; without one a client has the permissions given to everyone (all when no passcode is set,
none otherwise) and anything else is answered "denied". Malformed packets are counted and logged
(rate-limited), never fatal; what is logged of a message is clipped, addresses over MAX_ADDRESS
characters never reach the show, and a reply too large for one datagram is replaced by an error reply.
The counts are the API's `health()` detail (`/health`).
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
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from installation import __version__
from installation.adapters import Health, HealthState
from installation.control.framing import StreamDecoder, encode
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
PERMISSIONS = ("view", "edit", "control")  # QLab 5's, in the order its /connect reply lists them
_NAMESPACE = uuid.UUID("6f1c3a52-8a0e-4c8e-9d5e-2b7f0c4e9a11")  # for workspace, cue list and cue ids


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
    """One remote: a UDP client's IP address or one TCP connection."""

    ip: str
    session_until: float = 0.0  # monotonic time the passcode session expires
    granted: frozenset[str] = frozenset()  # what its passcode gives
    failures: int = 0
    locked_until: float = 0.0
    always_reply: bool = True
    udp_reply_port: int | None = None
    last_port: int = 0  # the UDP port it last sent from
    updates: bool = False
    conn: _Conn | None = None


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


def build_reply(address: str, result: Result, workspace_id: str | None = None) -> bytes:
    """The reply packet for a handled `address`: `/reply{address}` with one JSON string (QLab's shape)."""
    body = {"workspace_id": workspace_id, "address": address, **result.to_json()}
    if workspace_id is None:
        del body["workspace_id"]
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
class _Conn:
    """One TCP client: its socket, the decoder that finds its framing, what waits to be sent to it."""

    sock: socket.socket
    ip: str
    port: int
    decoder: StreamDecoder
    out: bytearray = field(default_factory=bytearray)  # never blocks the API: a slow reader queues here

    @property
    def key(self) -> str:
        return f"tcp:{self.ip}:{self.port}"


@dataclass
class _Snapshot:
    """What `/updates` subscribers are told about when it changes."""

    act: str
    playhead: str | None  # cue id
    cues: dict[str, tuple[Any, ...]]  # cue id -> (state, paused, loaded, armed, number, name)


def cue_text(value: Any) -> str:
    """A cue number or name from an OSC argument: 3 and 3.0 -> "3", 1.5 -> "1.5", strings stripped."""
    if isinstance(value, bool):
        raise ValueError(f"a cue number must be a number or a string, not {value}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a cue number must be finite")
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, str):
        return value.strip()[:MAX_ADDRESS]
    raise ValueError(f"a cue number must be a number or a string, not {type(value).__name__}")


def _flag(args: tuple[Any, ...], what: str) -> bool:
    """QLab's 1|0 argument (also T/F, "1"/"0"); no argument means 1."""
    if not args:
        return True
    value = args[0]
    if isinstance(value, bool):
        return value
    return bool(_number(value, f"{what} (1 or 0)"))


def _qlab_type(kind: str) -> str:
    return QLAB_TYPES.get(kind, kind.capitalize())


# our cue kinds as QLab 5's cue types
QLAB_TYPES = {"fade": "Fade", "osc": "Network", "serial": "Script", "group": "Group", "wait": "Wait",
              "stop": "Stop", "start": "Start", "pause": "Pause", "load": "Load", "reset": "Reset",
              "devamp": "Devamp", "arm": "Arm", "disarm": "Disarm", "memo": "Memo", "goto": "Goto"}
CUE_GETTERS = frozenset({"number", "name", "displayName", "listName", "uniqueID", "type", "preWait",
                         "duration", "postWait", "currentDuration", "armed", "isRunning", "isPaused",
                         "isLoaded", "isBroken", "colorName", "flagged", "notes", "continueMode", "state",
                         "parent", "cueTargetNumber", "children", "playheadID", "playheadId",
                         "valuesForKeys"})
CUE_ACTIONS = frozenset({"start", "stop", "hardStop", "pause", "resume", "load", "loadAt", "reset",
                         "devamp", "select", "playhead", "go", "panic"})
CONTINUE_MODES = {"none": 0, "auto-continue": 1, "auto-follow": 2}
VIEW_ADDRESSES = frozenset({"/state", "/health", "/log", "/act", "/acts", "/cues", "/selected", "/playhead",
                            "/params", "/replays", "/presence", "/cueLists", "/cueLists/shallow",
                            "/runningCues", "/runningOrPausedCues", "/selectedCues", "/updates", "/hours",
                            "/runningCues/shallow", "/runningOrPausedCues/shallow", "/selectedCues/shallow",
                            "/currentCueListID"})
OPEN_ADDRESSES = frozenset({"/connect", "/disconnect", "/thump", "/version", "/workspaces", "/alwaysReply",
                            "/udpReplyPort"})
PLAYHEAD_BY_ID = frozenset({"select_id", "playheadID", "playheadId", "playhead_id", "playbackPositionId"})
UPDATE_POLL_S = 0.1  # while someone listens to /updates: also look for changes no command announced
MAX_TCP_CLIENTS = 64
MAX_TCP_QUEUE = 8 * 1024 * 1024  # bytes queued for a client that does not read: then it is dropped
MAX_TCP_REPLY = 4 * 1024 * 1024  # a stream carries more than one datagram (QLab: use TCP for big replies)


def read_passcodes(path: str | Path) -> dict[str, frozenset[str]]:
    """Passcodes from a file: one a line, `PASSCODE [view,edit,control]` (default all three), # comments.

    Raises InstallationError naming the file and line (never the passcode) when a line is wrong.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InstallationError(f"{path}: cannot read the OSC passcode file ({exc.strerror})") from None
    out: dict[str, frozenset[str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2:
            raise InstallationError(f"{path}:{n}: write `PASSCODE view,edit,control` (the passcode has no "
                                    f"spaces; permissions are optional)")
        perms = frozenset(p for p in (words[1].split(",") if len(words) == 2 else PERMISSIONS) if p)
        unknown = perms - set(PERMISSIONS)
        if unknown or not perms:
            raise InstallationError(f"{path}:{n}: permissions are view, edit, control (comma-separated), "
                                    f"not {', '.join(sorted(unknown)) or 'nothing'}")
        out[words[0]] = perms
    if not out:
        raise InstallationError(f"{path}: no passcode in the OSC passcode file")
    return out


def permission_text(perms: Iterable[str]) -> str:
    """QLab 5's `/connect` reply data: "ok:view|edit|control" (those granted, in that order)."""
    granted = set(perms)
    return "ok:" + "|".join(p for p in PERMISSIONS if p in granted)


@dataclass
class OscControlApi:
    """The UDP and TCP server; `start()` binds and runs it in its own thread, `close()` stops it."""

    controller: Controller
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    reply_port: int | None = None  # None: reply to the sender's own port (until it sends /udpReplyPort)
    allow: Iterable[str] = ()  # addresses/networks allowed in; empty = any (when bound to loopback)
    passcode: str | None = None  # one passcode with every permission (view, edit, control)
    passcodes: Mapping[str, Iterable[str]] = field(default_factory=dict)  # passcode -> permissions
    open_permissions: Iterable[str] | None = None  # without a passcode; None: all, or none once any is set
    tcp: bool = True
    session_s: float = 8 * 3600.0
    observer: Callable[[OscRequest], None] | None = None
    stats: OscApiStats = field(default_factory=OscApiStats)

    def __post_init__(self) -> None:
        self._allow = _networks(self.allow)
        self._clients: dict[str, _Client] = {}
        self._locks: dict[str, _Client] = {}  # failed passcodes, per IP address whatever the transport
        self._sock: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._conns: dict[socket.socket, _Conn] = {}
        self._sel: selectors.BaseSelector | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None  # wakes the thread (close, changes)
        self._stopping = False
        self._dirty = False
        self._snapshot: _Snapshot | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._logged_at: dict[str, float] = {}
        self._workspace_id = ""
        if self.passcode is not None and not self.passcode.strip():
            raise InstallationError("OSC API passcode is empty: set a passcode or leave it out")
        codes = {code: frozenset(perms) for code, perms in self.passcodes.items()}
        if self.passcode is not None:
            codes[self.passcode] = frozenset(PERMISSIONS)
        for code, perms in codes.items():
            if not code.strip() or not perms or not perms <= set(PERMISSIONS):
                raise InstallationError("OSC API passcodes: each needs a non-empty passcode and permissions "
                                        "among view, edit, control")
        self._codes = codes
        if self.open_permissions is None:
            self._open = frozenset() if codes else frozenset(PERMISSIONS)
        else:
            self._open = frozenset(self.open_permissions)
            if not self._open <= set(PERMISSIONS):
                raise InstallationError("OSC API permissions without a passcode: view, edit, control")
        if not is_loopback_host(self.host) and not self._allow and not codes:
            raise InstallationError(
                f"OSC API on {self.host}:{self.port} would accept commands from the network: give an "
                f"allow-list of remote addresses or a passcode (or bind to 127.0.0.1)"
            )

    # ---- lifecycle ----

    def start(self) -> OscControlApi:
        """Bind the UDP (and TCP) port and start serving; DeviceError (one line) when a port is taken."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        for attempt in range(5):  # port 0: the TCP port of the same number may be taken; try another
            sock = socket.socket(family, socket.SOCK_DGRAM)
            try:
                sock.bind((self.host, self.port))
            except OSError as exc:
                sock.close()
                raise DeviceError(
                    f"OSC API: cannot listen on udp {self.host}:{self.port} ({exc.strerror}); is another "
                    f"controller or QLab running? choose another port"
                ) from None
            port = sock.getsockname()[1]
            if not self.tcp:
                break
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind((self.host, port))
                listener.listen(16)
            except OSError as exc:
                listener.close()
                sock.close()
                if self.port == 0 and attempt < 4:
                    continue
                raise DeviceError(
                    f"OSC API: cannot listen on tcp {self.host}:{port} ({exc.strerror}); is another "
                    f"controller or QLab running? choose another port"
                ) from None
            listener.setblocking(False)
            self._listener = listener
            break
        with contextlib.suppress(OSError):  # not Linux: fall back to the time we read the packet
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setblocking(False)
        self._sock = sock
        self._wake = socket.socketpair()
        self._wake[1].setblocking(False)
        self.port = port
        self._workspace_id = workspace_id(str(self.controller.state().get("show", "")))
        self._unsubscribe = self.controller.subscribe(self._on_change)
        self._thread = threading.Thread(target=self._serve, name=f"osc-api:{self.port}", daemon=True)
        self._thread.start()
        log.info("OSC control API listening on udp%s %s:%d", "+tcp" if self.tcp else "", self.host, self.port)
        return self

    def close(self) -> None:
        """Tell /updates listeners, stop the thread and release the ports; idempotent."""
        self._stopping = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._wake is not None:
            with contextlib.suppress(OSError):
                self._wake[1].send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        for conn in list(self._conns.values()):
            self._drop(conn)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            log.info("OSC control API on %s:%d closed", self.host, self.port)
        if self._wake is not None:
            for end in self._wake:
                end.close()
            self._wake = None

    @property
    def workspace_id(self) -> str:
        return self._workspace_id

    def health(self, since: float = 0.0) -> Health:
        """The API's health item: where it listens and what it refused, counted since start."""
        if self._sock is None:
            return Health("osc-control", HealthState.OFF, "not listening", since)
        s = self.stats
        tcp = " and tcp" if self._listener else ""
        detail = (f"udp {self.host}:{self.port}{tcp}; {s.messages} messages, "
                  f"{s.malformed} malformed packets, "
                  f"{s.unknown} unknown addresses, {s.strangers} from outside the allow-list, "
                  f"{s.denied} denied, {s.oversize} replies too large, {s.errors} errors")
        return Health("osc-control", HealthState.OK, detail, since)

    def __enter__(self) -> OscControlApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the loop ----

    def _on_change(self, kind: str) -> None:
        """The controller says something changed (any thread, must not block): wake the loop."""
        if kind != "state" or self._dirty:
            return
        self._dirty = True
        if self._wake is not None:
            with contextlib.suppress(OSError):  # a full wake pipe already wakes the loop
                self._wake[1].send(b"u")

    def _serve(self) -> None:
        assert self._sock is not None and self._wake is not None
        sel = self._sel = selectors.DefaultSelector()
        sel.register(self._sock, selectors.EVENT_READ, "udp")
        sel.register(self._wake[0], selectors.EVENT_READ, "wake")
        if self._listener is not None:
            sel.register(self._listener, selectors.EVENT_READ, "accept")
        try:
            while not self._stopping:
                listening = any(c.updates for c in self._clients.values())
                events = sel.select(UPDATE_POLL_S if listening else None)
                for key, mask in events:
                    if self._stopping:
                        break
                    if isinstance(key.data, _Conn):
                        if mask & selectors.EVENT_WRITE:
                            self._flush(key.data)
                        if mask & selectors.EVENT_READ and key.data.sock in self._conns:
                            self._read_tcp(key.data)
                    elif key.data == "udp":
                        self._read_udp()
                    elif key.data == "wake":
                        with contextlib.suppress(OSError):
                            self._wake[0].recv(4096)
                    elif key.data == "accept":
                        self._accept(sel)
                if listening or self._dirty:  # also changes no command announced (auto-follow, triggers)
                    self._updates_now()
            self._push_disconnect()
        finally:
            self._sel = None
            sel.close()

    def _read_udp(self) -> None:
        assert self._sock is not None
        while not self._stopping:
            try:
                data, anc, _flags, sender = self._sock.recvmsg(MAX_PACKET, 64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. ICMP port unreachable from an earlier reply
                log.debug("OSC API recv: %s", exc)
                continue
            self._guarded(data, (sender[0], sender[1]), _rx_time_ns(anc), None)

    def _guarded(self, data: bytes, sender: tuple[str, int], rx_ns: int, conn: _Conn | None) -> None:
        try:
            self._packet(data, sender, rx_ns, conn)
        except Exception:  # a bug in a handler must not stop the API
            self.stats.errors += 1
            log.exception("OSC API: error handling a packet from %s:%d", sender[0], sender[1])
        if self._dirty:  # what this packet changed goes out right after its reply, before the next packet
            self._updates_now()

    def _updates_now(self) -> None:
        self._dirty = False
        try:
            self._push_updates()
        except Exception:
            self.stats.errors += 1
            log.exception("OSC API: error sending /updates")

    def _accept(self, sel: selectors.BaseSelector) -> None:
        assert self._listener is not None
        try:
            sock, peer = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            log.debug("OSC API accept: %s", exc)
            return
        if not self._allowed(peer[0]):
            self.stats.strangers += 1
            self._rate_limited("stranger", "OSC API: tcp connection from %s:%d closed: not in the allow-list "
                               "(%d so far)", peer[0], peer[1], self.stats.strangers)
            sock.close()
            return
        if len(self._conns) >= MAX_TCP_CLIENTS:
            self._rate_limited("tcp-full", "OSC API: tcp connection from %s:%d closed: already %d clients",
                               peer[0], peer[1], MAX_TCP_CLIENTS)
            sock.close()
            return
        sock.setblocking(False)
        conn = _Conn(sock, peer[0], peer[1], StreamDecoder(MAX_PACKET))
        self._conns[sock] = conn
        sel.register(sock, selectors.EVENT_READ, conn)
        log.info("OSC API: tcp client %s:%d connected", peer[0], peer[1])

    def _read_tcp(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        try:
            packets = conn.decoder.feed(data)
        except ValueError as exc:
            self._malformed((conn.ip, conn.port), len(data), f"tcp stream: {exc}; connection closed")
            self._drop(conn)
            return
        for packet in packets:
            self._guarded(packet, (conn.ip, conn.port), time.time_ns(), conn)
            if conn.sock not in self._conns:
                return

    def _drop(self, conn: _Conn) -> None:
        if self._sel is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._sel.unregister(conn.sock)
        self._conns.pop(conn.sock, None)
        self._clients.pop(conn.key, None)
        with contextlib.suppress(OSError):
            conn.sock.close()

    def _allowed(self, ip: str) -> bool:
        if not self._allow:
            return True
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in net for net in self._allow)

    def _client(self, sender: tuple[str, int], conn: _Conn | None) -> _Client:
        key = conn.key if conn is not None else f"udp:{sender[0]}"
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = _Client(sender[0], conn=conn)
        if conn is None:
            client.last_port = sender[1]
        return client

    def _packet(self, data: bytes, sender: tuple[str, int], rx_ns: int, conn: _Conn | None = None) -> None:
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
        client = self._client(sender, conn)
        for message in messages:
            self.stats.messages += 1
            args = tuple(message.params)
            result, kind = self._handle(message.address, args, sender, client)
            if client.always_reply or not result.ok or kind != "control":
                self._reply(message.address, result, client)
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

    def _reply(self, address: str, result: Result, client: _Client) -> None:
        address = address[:MAX_ADDRESS]  # an over-long address was refused; its reply stays one datagram
        limit = MAX_TCP_REPLY if client.conn is not None else MAX_REPLY
        try:
            dgram = build_reply(address, result, self._workspace_id)
        except (ValueError, TypeError) as exc:  # data not JSON-able: a controller bug, still answer
            dgram = build_reply(address, Result.error(f"reply could not be encoded: {_clip(exc)}"),
                                self._workspace_id)
        if len(dgram) > limit:  # the kernel would drop it silently: say so instead
            self.stats.oversize += 1
            self._rate_limited("oversize", "OSC API: reply to %s is %d bytes, over one datagram (%d); "
                               "sent an error instead (%d so far)", _clip(address), len(dgram), limit,
                               self.stats.oversize)
            dgram = build_reply(address, Result.error(
                f"reply too large ({len(dgram)} bytes; one UDP datagram carries at most {MAX_REPLY}): "
                f"ask for less, e.g. /log 20, or use TCP"), self._workspace_id)
        if self._send(client, dgram):
            self.stats.replies += 1
        else:
            self.stats.reply_failures += 1

    def _send(self, client: _Client, packet: bytes) -> bool:
        """One packet to a client: over its TCP connection, else UDP to its reply port."""
        conn = client.conn
        if conn is not None:
            if conn.sock not in self._conns:
                return False
            conn.out += encode(packet, conn.decoder.framing or "slip")
            if len(conn.out) > MAX_TCP_QUEUE:
                log.warning("OSC API: tcp client %s:%d dropped: it read nothing of %d bytes of replies",
                            conn.ip, conn.port, len(conn.out))
                self._drop(conn)
                return False
            return self._flush(conn)
        if self._sock is None:
            return False
        port = client.udp_reply_port or self.reply_port or client.last_port
        try:
            self._sock.sendto(packet, (client.ip, port))
            return True
        except OSError as exc:
            log.debug("OSC API: send to %s:%d failed: %s", client.ip, port, exc)
            return False

    def _flush(self, conn: _Conn) -> bool:
        """Send what the socket takes now; the rest waits for it to be writable (never blocks)."""
        try:
            sent = conn.sock.send(conn.out) if conn.out else 0
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            log.info("OSC API: tcp client %s:%d dropped: %s", conn.ip, conn.port, exc)
            self._drop(conn)
            return False
        del conn.out[:sent]
        if self._sel is not None and conn.sock in self._conns:
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.out else 0)
            with contextlib.suppress(KeyError, ValueError):
                if self._sel.get_key(conn.sock).events != events:
                    self._sel.modify(conn.sock, events, conn)
        return True

    # ---- /updates ----

    def _take_snapshot(self) -> _Snapshot:
        state = self.controller.state()
        act = str(state.get("act") or "")
        cues = {self._cue_id(act, c["name"]): (c.get("state"), c.get("paused"), c.get("loaded"),
                                               c.get("armed"), c.get("number"), c["name"])
                for c in state.get("cues", [])}
        selected = state.get("selected")
        return _Snapshot(act, self._cue_id(act, selected) if selected else None, cues)

    def _push_updates(self) -> None:
        listeners = [c for c in self._clients.values() if c.updates]
        if not listeners:
            self._snapshot = None
            return
        new = self._take_snapshot()
        old, self._snapshot = self._snapshot, new
        if old is None or old == new:
            return
        ws = f"/update/workspace/{self._workspace_id}"
        messages: list[tuple[str, tuple[str, ...]]] = []
        if new.act != old.act:
            messages.append((ws, ()))
        messages += [(f"{ws}/cue_id/{cid}", ()) for cid, view in new.cues.items()
                     if old.cues.get(cid) != view]
        if new.playhead != old.playhead or new.act != old.act:
            position = f"{ws}/cueList/{self._list_id(new.act)}/playbackPosition"
            messages.append((position, (new.playhead or "",)))
        for address, args in messages:
            packet = _osc(address, *args)
            for client in listeners:
                self._send(client, packet)

    def _push_disconnect(self) -> None:
        packet = _osc(f"/update/workspace/{self._workspace_id}/disconnect")
        for client in [c for c in self._clients.values() if c.updates]:
            self._send(client, packet)

    # ---- access control ----

    def _permissions(self, client: _Client, now: float) -> frozenset[str]:
        if client.session_until > now:
            return client.granted | self._open
        return self._open

    def _connect(self, client: _Client, args: tuple[Any, ...], now: float) -> Result:
        lock = self._locks.setdefault(client.ip, _Client(client.ip))
        if not self._codes:
            return Result.success("connected (no passcode needed)", permission_text(self._open))
        if lock.locked_until > now:
            return Result("denied", f"too many wrong passcodes from {client.ip}; wait {LOCKOUT_S:g} s",
                          "badpass")
        given = str(args[0]) if args else ""
        for code, perms in self._codes.items():
            if hmac.compare_digest(given.encode(), code.encode()):
                client.session_until = now + self.session_s
                client.granted = perms
                lock.failures = 0
                log.info("OSC API: %s connected with a passcode (%s)", client.ip, permission_text(perms)[3:])
                return Result.success("connected", permission_text(perms | self._open))
        lock.failures += 1
        if lock.failures >= FAILED_CONNECTS_MAX:
            lock.locked_until = now + LOCKOUT_S
            lock.failures = 0
        log.warning("OSC API: wrong passcode from %s", client.ip)
        self.stats.denied += 1
        return Result.success("wrong passcode", "badpass")  # QLab 5: status ok, data "badpass"

    @staticmethod
    def _kind(path: str, args: tuple[Any, ...]) -> str:
        """What permission a message needs: "open" (none), "view", "edit" or "control" (QLab 5's)."""
        if path in OPEN_ADDRESSES:
            return "open"
        if path in VIEW_ADDRESSES or path.startswith(("/cueLists/", "/log")):
            return "view"
        parts = path.split("/")
        if parts[1:2] in (["cue"], ["cue_id"]) and len(parts) >= 4 and parts[-1] in CUE_GETTERS:
            if parts[-1] in ("playheadID", "playheadId") and args:
                return "control"  # moving a cue list's playhead
            return "edit" if args and parts[-1] != "valuesForKeys" else "view"
        return "control"

    # ---- dispatch ----

    def _handle(self, address: str, args: tuple[Any, ...], sender: tuple[str, int], client: _Client
                ) -> tuple[Result, str]:
        source = f"osc:{sender[0]}:{sender[1]}"
        if len(address) > MAX_ADDRESS:  # no show has such an address: keep it out of the show and the log
            self.stats.unknown += 1
            self._rate_limited("long", "OSC API: %s from %s refused: longer than %d characters",
                               _clip(address), source, MAX_ADDRESS)
            too_long = f"address too long ({len(address)} characters; at most {MAX_ADDRESS})"
            return Result.error(too_long), "open"
        path = address
        parts = path.split("/")
        if len(parts) >= 3 and parts[1] == "workspace":  # QLab: /workspace/{id}/go …
            path = "/" + "/".join(parts[3:])
        kind = self._kind(path, args)
        now = time.monotonic()
        if path == "/connect":
            result = self._connect(client, args, now)
        elif path == "/disconnect":
            client.session_until = 0.0
            client.granted = frozenset()
            client.updates = False
            result = Result.success("disconnected")
        elif kind != "open" and kind not in self._permissions(client, now):
            needs = "send /connect with the passcode first" if client.session_until <= now else \
                f"this passcode does not give {kind} permission"
            result = Result.denied(needs)
        else:
            try:
                result = self._dispatch(path, args, source, client)
            except ValueError as exc:
                result = Result.error(f"{address}: {exc}")
        if result.status == "denied":
            self.stats.denied += 1
            log.warning("OSC API: %s from %s denied: %s", _clip(address), source, result.message)
        elif result.status != "ok":
            log.info("OSC API: %s %s from %s → %s: %s", _clip(address), _clip(list(args)), source,
                     result.status, _clip(result.message, 2 * LOG_ADDRESS))
        return result, kind

    # ---- QLab's identifiers ----

    def _cue_id(self, act: str, name: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self._workspace_id}/{act}/{name}"))

    def _list_id(self, act: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self._workspace_id}/{act}"))

    def _cue_json(self, act: str, cue: Mapping[str, Any]) -> dict[str, Any]:
        """A cue as QLab 5 describes one in /cueLists, /runningCues, /selectedCues."""
        name = str(cue.get("name", ""))
        return {"uniqueID": self._cue_id(act, name), "number": cue.get("number") or "", "name": name,
                "listName": name, "type": _qlab_type(str(cue.get("kind", ""))), "colorName": "none",
                "flagged": False, "armed": bool(cue.get("armed", True))}

    def _nested(self, act: str, cues: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Flat cues with depths -> QLab's tree (a group's children in its "cues")."""
        top: list[dict[str, Any]] = []
        stack: list[tuple[int, list[dict[str, Any]]]] = [(-1, top)]
        for cue in cues:
            depth = int(cue.get("depth", 0))
            while len(stack) > 1 and stack[-1][0] >= depth:
                stack.pop()
            item = self._cue_json(act, cue)
            if cue.get("kind") == "group":
                item["cues"] = []
            stack[-1][1].append(item)
            if "cues" in item:
                stack.append((depth, item["cues"]))
        return top

    def _find_cue(self, ident: str, state: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """A cue of the current act by QLab number, then by name."""
        cues = state.get("cues", [])
        for cue in cues:
            if cue.get("number") is not None and cue.get("number") == ident:
                return cast(Mapping[str, Any], cue)
        for cue in cues:
            if cue.get("name") == ident:
                return cast(Mapping[str, Any], cue)
        return None

    def _cue_name(self, ident: str, state: Mapping[str, Any]) -> str | Result:
        """The cue name an identifier (number, name, `selected`, `playhead`) stands for, or an error."""
        if ident in ("selected", "playhead"):
            selected = state.get("selected")
            return selected if selected else Result.error("no cue is at the playhead (end of the cue list)")
        cue = self._find_cue(ident, state)
        return str(cue["name"]) if cue is not None else ident  # unknown: the controller says what exists

    def _name_of_id(self, cue_id: str, state: Mapping[str, Any]) -> str | Result:
        act = str(state.get("act") or "")
        for cue in state.get("cues", []):
            if self._cue_id(act, cue["name"]) == cue_id:
                return str(cue["name"])
        return Result.error(f"no cue with id {_clip(cue_id, 40)} in act {act!r} (ids come from /cueLists)")

    def _move_playhead(self, where: str, source: str) -> Result:
        c = self.controller
        state = c.state()
        if where in ("next", "previous", "nextSequence", "previousSequence"):
            top = [cue for cue in state.get("cues", []) if cue.get("depth", 0) == 0]
            if not top:
                return Result.error("the current act has no cues")
            names = [cue["name"] for cue in top]
            selected = state.get("selected")
            i = names.index(selected) if selected in names else len(names)
            j = min(i + 1, len(names) - 1) if where.startswith("next") else max(i - 1, 0)
            if where.endswith("Sequence"):  # a sequence: a cue and those it auto-continues/follows into
                def starts(k: int) -> bool:
                    return k == 0 or top[k - 1].get("continue_mode", "none") == "none"
                if where == "nextSequence":
                    j = min(i + 1, len(names) - 1)
                    while j < len(names) - 1 and not starts(j):
                        j += 1
                else:
                    j = max(i - 1, 0)
                    while j > 0 and not starts(j):
                        j -= 1
            return c.select_cue(names[j], source=source)
        name = self._cue_name(where, state)
        return name if isinstance(name, Result) else c.select_cue(name, source=source)

    def _dispatch(self, path: str, args: tuple[Any, ...], source: str, client: _Client) -> Result:
        c = self.controller
        parts = path.split("/")[1:]
        head = parts[0] if parts else ""
        if path == "/go":
            if not args:
                return c.go(source=source)
            return self._go(cue_text(args[0]), source)
        simple: dict[str, Callable[..., Result]] = {
            "/stop": c.stop, "/panic": c.panic, "/pause": c.pause, "/resume": c.resume,
        }
        if path in simple:
            return simple[path](source=source)
        if path == "/hardStop":
            return c.stop(source=source, fade_s=0.0)
        if path == "/panicInTime":
            if len(args) != 1:
                return Result.error("/panicInTime takes one number: the fade in seconds")
            return c.panic(source=source, fade_s=_number(args[0], "panic fade (s)"))
        if path == "/reset":
            return c.reset_cue("all", source=source)
        if path == "/thump":
            return Result.success("thump", "thump")
        if path == "/version":
            return Result.success("", {"name": "installation", "version": __version__})
        if path == "/updates":
            client.updates = _flag(args, "/updates")
            if client.updates and self._snapshot is None:
                self._snapshot = self._take_snapshot()
            return Result.success("updates " + ("on" if client.updates else "off"))
        if path == "/alwaysReply":
            client.always_reply = _flag(args, "/alwaysReply")
            return Result.success("always reply " + ("on" if client.always_reply else "off"))
        if path == "/udpReplyPort":
            if client.conn is not None:
                return Result.error("replies to a TCP client go back over its connection")
            port = int(_number(args[0], "UDP reply port")) if len(args) == 1 else -1
            if not 1 <= port <= 65535:
                return Result.error("/udpReplyPort takes one port number, 1..65535")
            client.udp_reply_port = port
            return Result.success(f"replies to udp {client.ip}:{port}")
        if path == "/workspaces":
            state = c.state()
            return Result.success("", [{"uniqueID": self._workspace_id, "displayName": state.get("show", ""),
                                        "hasPasscode": bool(self._codes), "version": __version__,
                                        "port": self.port}])
        if path in ("/cueLists", "/cueLists/shallow"):
            return Result.success("", self._cue_lists(shallow=path.endswith("shallow")))
        if path.split("/")[1] in ("runningCues", "runningOrPausedCues", "selectedCues"):
            return Result.success("", self._cue_query(parts[0]))
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
        if head in ("select", "playhead", "playbackPosition") and len(parts) >= 2:
            return self._move_playhead("/".join(parts[1:]), source)
        if path == "/currentCueListID":
            return Result.success("", self._list_id(str(c.state().get("act") or "")))
        if head in PLAYHEAD_BY_ID and len(parts) == 2:
            name = self._name_of_id(parts[1], c.state())
            return name if isinstance(name, Result) else c.select_cue(name, source=source)
        if head == "cue" and len(parts) >= 3:
            ident = "/".join(parts[1:-1])
            name = self._cue_name(ident, c.state())
            return name if isinstance(name, Result) else self._cue(parts[-1], name, args, source)
        if head == "cue_id" and len(parts) == 3:
            state = c.state()
            if parts[1] in {self._list_id(act) for act in state.get("acts", [])}:
                return self._cue_list(parts[1], parts[2], args, source)
            name = self._name_of_id(parts[1], state)
            return name if isinstance(name, Result) else self._cue(parts[-1], name, args, source)
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

    def _go(self, ident: str, source: str) -> Result:
        """QLab's `/go {number}`: the playhead to that cue, then GO (a cue without a number: by name)."""
        c = self.controller
        state = c.state()
        cue = self._find_cue(ident, state)
        if cue is not None and cue.get("number") != ident and cue.get("depth", 0) == 0:
            selected = c.select_cue(str(cue["name"]), source=source)
            return selected if not selected.ok else c.go(source=source)
        return c.go(source=source, number=ident)

    def _cue_lists(self, shallow: bool) -> list[dict[str, Any]]:
        out = []
        for cue_list in self.controller.cue_lists():
            act = cue_list["act"]
            item: dict[str, Any] = {"uniqueID": self._list_id(act), "number": "", "name": act,
                                    "listName": act, "type": "Cue List", "colorName": "none",
                                    "flagged": False, "armed": True}
            if not shallow:
                item["cues"] = self._nested(act, cast(list[Mapping[str, Any]], cue_list["cues"]))
            out.append(item)
        return out

    def _cue_query(self, which: str) -> list[dict[str, Any]]:
        state = self.controller.state()
        act = str(state.get("act") or "")
        cues = state.get("cues", [])
        if which == "selectedCues":
            chosen = [c for c in cues if c.get("name") == state.get("selected")]
        else:
            active = ("pre-wait", "running", "post-wait")
            paused_too = which == "runningOrPausedCues"
            chosen = [c for c in cues if c.get("state") in active and (paused_too or not c.get("paused"))]
        return [self._cue_json(act, cast(Mapping[str, Any], c)) for c in chosen]

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
        if verb in CUE_GETTERS:
            return self._cue_property(verb, name, args, source)
        if verb == "start":
            return c.start_cue(name, source=source)
        if verb in ("stop", "hardStop", "panic"):
            return c.stop_cue(name, source=source)
        if verb == "pause":
            return c.pause_cue(name, source=source)
        if verb == "resume":
            return c.resume_cue(name, source=source)
        if verb in ("load", "loadAt"):
            if verb == "loadAt" and not args:
                return Result.error("/loadAt takes the time to load to, in seconds")
            at_s = _number(args[0], "load time (s)") if args else 0.0
            return c.load_cue(name, at_s, source=source)
        if verb == "reset":
            return c.reset_cue(name, source=source)
        if verb == "devamp":
            return c.devamp_cue(name, source=source)
        if verb in ("select", "playhead"):
            return c.select_cue(name, source=source)
        if verb == "go":
            selected = c.select_cue(name, source=source)
            return selected if not selected.ok else c.go(source=source)
        return Result.error(f"unknown cue verb '{_clip(verb, 40)}' (start, stop, hardStop, pause, resume, "
                            f"load, loadAt, reset, devamp, select, go, or a property: number, name, …)")

    def _cue_list(self, list_id: str, verb: str, args: tuple[Any, ...], source: str) -> Result:
        """`/cue_id/{cue list id}/…`: an act as QLab's cue list (its playhead, children, name)."""
        state = self.controller.state()
        act = next(a for a in state.get("acts", []) if self._list_id(a) == list_id)
        current = act == state.get("act")
        if verb in ("playheadID", "playheadId"):
            if args:
                name = self._name_of_id(str(args[0]), state) if current else Result.error(
                    f"act {act!r} is not running: /act/{act} first")
                return name if isinstance(name, Result) else self.controller.select_cue(name, source=source)
            selected = state.get("selected") if current else None
            return Result.success("", self._cue_id(act, selected) if selected else "none")
        if verb == "children":
            lists = [cl for cl in self.controller.cue_lists() if cl["act"] == act]
            cues = cast(list[Mapping[str, Any]], lists[0]["cues"] if lists else [])
            return Result.success("", self._nested(act, cues))
        if verb in ("start", "go") and not current:
            return self.controller.goto_act(act, source=source)
        value = {"uniqueID": list_id, "name": act, "displayName": act, "listName": act, "number": "",
                 "type": "Cue List", "armed": True, "isRunning": current}.get(verb)
        if value is None:
            return Result.error(f"cue list {act!r}: {_clip(verb, 40)} is not provided (playheadID, children, "
                                f"name, uniqueID, type; start goes to the act)")
        return Result.success("", value)

    def _cue_property(self, prop: str, name: str, args: tuple[Any, ...], source: str) -> Result:
        """QLab's cue property getters; `armed` can be set; every other setter is refused (show file)."""
        state = self.controller.state()
        cue = next((c for c in state.get("cues", []) if c.get("name") == name), None)
        if cue is None:
            names = ", ".join(f"{c.get('number') or '-'} {c.get('name')}" for c in state.get("cues", []))
            return Result.error(f"no cue '{_clip(name, 60)}' in the current act (cues: {_clip(names, 200)})")
        if prop == "valuesForKeys":
            return self._values_for_keys(name, args, source)
        if prop == "children":
            return Result.success("", self._children(str(state.get("act") or ""), name, state))
        if prop in ("playheadID", "playheadId"):
            return Result.error(f"{name!r} is a cue, not a cue list: ask /cue_id/{{cue list id}}/playheadID")
        if args:
            if prop == "armed":
                return self.controller.arm_cue(name, _flag(args, "armed"), source=source)
            return Result.error(f"{prop} is read-only here: cues are written in the show file (edit it; the "
                                f"show reloads)")
        act = str(state.get("act") or "")
        running = cue.get("state") in ("pre-wait", "running", "post-wait")
        value: Any = {
            "number": cue.get("number") or "", "name": name, "displayName": name, "listName": name,
            "uniqueID": self._cue_id(act, name), "type": _qlab_type(str(cue.get("kind", ""))),
            "preWait": cue.get("pre_wait_s", 0.0), "duration": cue.get("duration_s", 0.0),
            "currentDuration": cue.get("duration_s", 0.0), "postWait": cue.get("post_wait_s", 0.0),
            "armed": bool(cue.get("armed", True)), "isRunning": running and not cue.get("paused"),
            "isPaused": bool(cue.get("paused")), "isLoaded": bool(cue.get("loaded")), "isBroken": False,
            "colorName": "none", "flagged": False, "notes": "",
            "continueMode": CONTINUE_MODES.get(str(cue.get("continue_mode", "none")), 0),
            "parent": self._list_id(act), "cueTargetNumber": "",
        }.get(prop)
        if prop == "state":
            value = dict(cue)
        return Result.success("", value)

    def _values_for_keys(self, name: str, args: tuple[Any, ...], source: str) -> Result:
        """QLab's `valuesForKeys ["number","name",…]`: several properties in one reply."""
        try:
            keys = json.loads(str(args[0])) if args else None
        except json.JSONDecodeError:
            keys = None
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            return Result.error('valuesForKeys takes a JSON list of property names, e.g. ["number","name"]')
        values: dict[str, Any] = {}
        for key in keys[:64]:
            if key in CUE_GETTERS - {"valuesForKeys", "playheadID", "playheadId"}:
                values[key] = self._cue_property(key, name, (), source).data
        return Result.success("", values)

    def _children(self, act: str, name: str, state: Mapping[str, Any]) -> list[dict[str, Any]]:
        """A group's children as QLab nests them (empty for other cues)."""
        cues = list(state.get("cues", []))
        at = next((i for i, c in enumerate(cues) if c.get("name") == name), None)
        if at is None:
            return []
        depth = int(cues[at].get("depth", 0))
        inside = []
        for cue in cues[at + 1:]:
            if int(cue.get("depth", 0)) <= depth:
                break
            inside.append({**cue, "depth": int(cue.get("depth", 0)) - depth - 1})
        return self._nested(act, inside)

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


def workspace_id(show: str) -> str:
    """The show's QLab workspace id: a UUID derived from its title (stable across restarts)."""
    return str(uuid.uuid5(_NAMESPACE, f"workspace/{show}"))


def _osc(address: str, *args: str) -> bytes:
    builder = OscMessageBuilder(address=address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


def _rx_time_ns(ancdata: list[tuple[int, int, bytes]]) -> int:
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
            seconds, nanos = struct.unpack("qq", payload[:16])
            return int(seconds) * 1_000_000_000 + int(nanos)
    return time.time_ns()
