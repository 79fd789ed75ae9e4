"""The operator's web panel: a starlette app served by uvicorn in a thread, live over a websocket.

Pages and endpoints:
- `/` the panel (static files from `installation/control/static/`, no build step);
- `/ws` pushes the show state ~10 times a second and takes commands (`{"id", "cmd", "args"}`);
- `/health` adapter health as JSON for monitoring (HTTP 503 when an adapter is down);
- `/api/state` the controller's state; `/api/camera.jpg`, `/api/projection` preview images.

Security: bound to 127.0.0.1 by default. Every request's Host header, and every websocket's Origin,
must name this panel exactly (against DNS rebinding and other sites in the operator's browser):
localhost, 127.0.0.1, ::1, the bound address, and the names the operator allows (`--panel-allow-host`),
with the panel's port. On any other address every request also needs the token (generated at first run
with `secrets`, stored 0600, never printed or logged): as `?token=` on the first visit (then a cookie),
or `Authorization: Bearer`. Commands are validated (names, numbers, known parameters and recordings
only) and logged with their source `web:host:port`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import math
import os
import re
import secrets
import socket
import stat
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from installation.control.osc_api import is_loopback_host
from installation.control.protocol import SPEED_MAX, SPEED_MIN, Controller, Result
from installation.errors import DeviceError, InstallationError

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(html|js|css|svg|png|ico)$")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
}
COOKIE = "installation_panel"
PUSH_HZ = 10.0
MIN_PUSH_GAP_S = 0.03
HEALTH_EVERY_S = 0.5
LOG_BATCH = 100
MAX_MESSAGE = 4096  # bytes of one websocket command
NAME_MAX = 200
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")  # a DNS name as an operator writes it
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the first URL may carry ?token=
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self' ws: wss:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
}


def default_state_dir() -> Path:
    """Where the token (and other run state) lives: $INSTALLATION_STATE_DIR or the XDG state dir."""
    if os.environ.get("INSTALLATION_STATE_DIR"):
        return Path(os.environ["INSTALLATION_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "installation"


def load_or_create_token(path: Path) -> tuple[str, bool]:
    """The panel token from `path`, creating it (0600, via `secrets`) when absent; (token, created)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = secrets.token_urlsafe(24)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise InstallationError(f"{path}: cannot create the panel token file ({exc.strerror})") from None
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
        return token, True
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InstallationError(
            f"{path}: the panel token file is readable by others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 600 {path}` or delete it to make a new token"
        )
    token = path.read_text(encoding="utf-8").strip()
    if len(token) < 16:
        raise InstallationError(f"{path}: token file is empty or too short; delete it for a new one")
    return token, False


def _finite(data: Any) -> Any:
    """JSON-safe copy: non-finite floats become None (-inf dB meters read as silence on the panel)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {str(k): _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def _dumps(data: Any) -> str:
    return json.dumps(_finite(data), separators=(",", ":"), default=str, allow_nan=False)


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


# ---- command validation (everything from a browser is untrusted) ----


class BadCommand(ValueError):
    """A websocket command that is malformed; the message goes back to the panel."""


def _text(args: dict[str, Any], key: str, max_len: int = NAME_MAX, allow_empty: bool = False) -> str:
    value = args.get(key)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise BadCommand(f"'{key}' must be a non-empty string")
    if len(value) > max_len or not value.isprintable():
        raise BadCommand(f"'{key}' is too long or has control characters")
    return value


def _num(args: dict[str, Any], key: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadCommand(f"'{key}' must be a number")
    if not lo <= value <= hi:
        raise BadCommand(f"'{key}' must be {lo:g}..{hi:g}")
    return float(value)


def run_command(controller: Controller, cmd: str, args: dict[str, Any], source: str) -> Result:
    """Validate one panel command and call the controller; never raises for bad input."""
    c = controller
    try:
        if cmd in ("go", "stop", "panic", "pause", "resume"):
            return getattr(c, cmd)(source=source)  # type: ignore[no-any-return]
        if cmd in ("goto_act", "start_cue", "stop_cue", "select_cue", "command"):
            return getattr(c, cmd)(_text(args, "name"), source=source)  # type: ignore[no-any-return]
        if cmd == "load_cue":
            return c.load_cue(_text(args, "name"), _num(args, "at_s", 0.0), source=source)
        if cmd == "set_param":
            path = _text(args, "path")
            if path not in c.param_names():  # only names the show defines ever reach the controller
                return Result.error(f"no parameter '{path[:80]}' in this show")
            value = args.get("value")
            value = _text(args, "value", 64) if isinstance(value, str) else _num(args, "value")
            return c.set_param(path, value, source=source)
        if cmd in ("hours_open", "hours_close"):
            return getattr(c, cmd)(_text(args, "until", 16), source=source)  # type: ignore[no-any-return]
        if cmd == "blackout":
            on = args.get("on")
            if not isinstance(on, bool):
                raise BadCommand("'on' must be true or false")
            return c.light_blackout(on, source=source)
        if cmd == "grand_master":
            return c.grand_master(_num(args, "level", 0.0, 1.0), source=source)
        if cmd == "hours_schedule":
            return c.hours_schedule(source=source)
        if cmd == "visitor_add":
            return c.visitor_add(_num(args, "x", 0.0, 1.0), _num(args, "y", 0.0, 1.0), source=source)
        if cmd == "visitor_move":
            return c.visitor_move(_text(args, "id", 40), _num(args, "x", 0.0, 1.0), _num(args, "y", 0.0, 1.0),
                                  source=source)
        if cmd == "visitor_remove":
            return c.visitor_remove(_text(args, "id", 40), source=source)
        if cmd == "replay":
            path = _text(args, "path", 300, allow_empty=True)
            if path and path not in c.replay_files():  # never a path the browser made up
                return Result.error(f"no recording '{path[:80]}' in this show")
            speed = _num(args, "speed", SPEED_MIN, SPEED_MAX) if path else 1.0
            return c.replay(path, speed, source=source)
    except BadCommand as exc:
        return Result.error(f"{cmd}: {exc}")
    return Result.error(f"unknown command '{cmd[:40]}'")


# ---- the guard: token, Host and Origin checks for every request ----


def _host_name(name: str) -> str:
    """The form names are compared in: lower case, no brackets, IP addresses in their short form."""
    name = name.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        return name


def _split_host(value: str) -> tuple[str, int] | None:
    """(name, port) of a Host header ("name:port", "[::1]:port"; no port: 80); None when malformed."""
    value = value.strip()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else ""
    elif value.count(":") > 1:  # an IPv6 address without brackets is not a Host
        return None
    else:
        name, _, port_text = value.partition(":")
    if not name or (port_text and not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5)):
        return None
    port = int(port_text) if port_text else 80
    return (_host_name(name), port) if 0 < port < 65536 else None


def allowed_host_names(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Names the panel answers to: loopback, the bound address, and the operator's `extra` names.

    A wildcard bind (0.0.0.0, ::) also answers to any IP address (checked per request): a browser
    sends an address as Host only when it connected to that address, so rebinding needs a name.
    """
    names = {_host_name(n) for n in LOOPBACK_NAMES}
    if bind:
        names.add(_host_name(bind))
    for entry in extra:
        name = _host_name(entry)
        if not (_is_address(name) or HOST_NAME.match(name)):
            raise InstallationError(
                f"panel allowed host '{entry[:80]}' is not a host name or address (e.g. show-pc.local or "
                f"192.168.1.20; no scheme, port or path)"
            )
        names.add(name)
    return frozenset(names)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_wildcard(bind: str) -> bool:
    if not bind:
        return True
    try:
        return ipaddress.ip_address(bind.strip("[]")).is_unspecified
    except ValueError:
        return False


class _Guard:
    """ASGI middleware: refuses requests without the token (non-loopback) or from foreign origins."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: frozenset[str], any_address: bool = False,
                 port: int | None = None) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts
        self.any_address = any_address  # a wildcard bind: any IP address as Host (names still listed)
        self.port = port  # None until the server has bound its port (a bare app: any port)

    def _token_ok(self, scope: Scope) -> tuple[bool, bool]:
        """(authorised, came from the query string)."""
        if self.token is None:
            return True, False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        offered: list[tuple[str, bool]] = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append((auth[7:].strip(), False))
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                offered.append((value, False))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        offered += [(v, True) for v in query.get("token", [])]
        for value, from_query in offered:
            if hmac.compare_digest(value.encode(), self.token.encode()):
                return True, from_query
        return False, False

    @staticmethod
    def _header(scope: Scope, name: bytes) -> str:
        for key, value in scope.get("headers", []):
            if key.lower() == name:
                return str(value.decode("latin-1"))
        return ""

    def _name_ok(self, name: str, port: int) -> bool:
        if self.port is not None and port != self.port:
            return False
        return name in self.hosts or (self.any_address and _is_address(name))

    def _host_ok(self, host: str) -> bool:
        """The Host header names this panel exactly: an allowed name or address, and its port."""
        parsed = _split_host(host)
        return parsed is not None and self._name_ok(*parsed)

    def _origin_ok(self, origin: str) -> bool:
        """A websocket's Origin is absent (not a browser) or exactly http://<allowed host>:<port>."""
        if not origin:
            return True
        try:
            parts = urlsplit(origin)
            port = parts.port or 80
        except ValueError:
            return False
        if parts.scheme != "http" or parts.hostname is None or parts.path or parts.query or parts.username:
            return False
        return self._name_ok(_host_name(parts.hostname), port)

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("?", 0)
        where = f"{client[0]}:{client[1]}"
        host = self._header(scope, b"host")
        problem = ""
        if not self._host_ok(host):
            problem = (f"Host '{host[:60]}' is not this panel's address (allow another name with "
                       f"--panel-allow-host NAME)")
        elif scope["type"] == "websocket":
            origin = self._header(scope, b"origin")
            if not self._origin_ok(origin):
                problem = f"websocket from another site ({origin[:60]})"
        authorised, from_query = self._token_ok(scope)
        if not problem and not authorised:
            problem = "missing or wrong token"
        if problem:
            path = str(scope.get("path", ""))[:80]
            log.warning("web panel: refused %s %s from %s: %s", scope["type"], path, where, problem)
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            text = ("Refused: " + problem + ". Open the panel as http://<address>:<port>/?token=<token> "
                    "(the token is in the panel-token file named when the show started), or send "
                    "'Authorization: Bearer <token>'.\n")
            refusal = PlainTextResponse(text, status_code=401 if "token" in problem else 403,
                                        headers=SECURITY_HEADERS)
            await refusal(scope, receive, send)
            return
        if from_query and scope["type"] == "http" and scope.get("path") == "/" and self.token is not None:
            # first visit with ?token=: keep it in a cookie and drop it from the address bar
            response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/",
                                max_age=30 * 24 * 3600)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# ---- the app ----


class PanelApp:
    """The starlette application around one controller (usable with a test client, no server)."""

    def __init__(self, controller: Controller, token: str | None = None,
                 hosts: frozenset[str] | None = None, any_address: bool = False) -> None:
        self.controller = controller
        self.static = self._load_static()
        self._wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._wakers_lock = threading.Lock()
        self._sockets: set[tuple[asyncio.AbstractEventLoop, WebSocket]] = set()  # open panels (lock held)
        self._unsubscribe: Callable[[], None] | None = None
        routes = [
            Route("/", self.index),
            Route("/static/{name}", self.static_file),
            Route("/health", self.health),
            Route("/api/state", self.api_state),
            Route("/api/camera.jpg", self.camera),
            Route("/api/projection", self.projection),
            WebSocketRoute("/ws", self.websocket),
        ]
        self.starlette = Starlette(routes=routes)
        self.asgi = _Guard(self.starlette, token, allowed_host_names("") if hosts is None else hosts,
                           any_address)

    @staticmethod
    def _load_static() -> dict[str, tuple[bytes, str]]:
        files = {}
        for path in sorted(STATIC_DIR.iterdir()):
            if path.is_file() and STATIC_NAME.match(path.name):
                files[path.name] = (path.read_bytes(), CONTENT_TYPES[path.suffix[1:]])
        return files

    def subscribe(self) -> None:
        """Listen to the controller's pushes (wakes the websockets early); polling continues anyway."""
        try:
            self._unsubscribe = self.controller.subscribe(self._poke)
        except Exception as exc:  # a controller without pushes still works: the panel polls
            log.warning("web panel: controller.subscribe failed (%s); polling only", exc)

    def unsubscribe(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def close_all(self, timeout_s: float = 1.0) -> None:
        """Close every open panel connection (going away, 1001) from another thread, waiting briefly: the
        server then stops gracefully instead of cancelling connections and leaving their sockets open."""
        with self._wakers_lock:
            sockets = list(self._sockets)
        pending = []
        for loop, ws in sockets:
            with contextlib.suppress(RuntimeError):  # loop already closed
                pending.append(asyncio.run_coroutine_threadsafe(self._close(ws), loop))
        for future in pending:
            with contextlib.suppress(Exception):
                future.result(timeout=timeout_s)

    @staticmethod
    async def _close(ws: WebSocket) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await ws.close(code=1001)

    def _poke(self, _kind: str) -> None:
        with self._wakers_lock:
            wakers = list(self._wakers)
        for loop, event in wakers:
            with contextlib.suppress(RuntimeError):  # loop closed while shutting down
                loop.call_soon_threadsafe(event.set)

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        await self.asgi(scope, receive, send)

    # ---- http ----

    async def index(self, request: Request) -> Response:
        body, ctype = self.static["index.html"]
        return Response(body, media_type=ctype, headers=SECURITY_HEADERS)

    async def static_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if not STATIC_NAME.match(name) or name not in self.static:
            return PlainTextResponse("not found\n", status_code=404, headers=SECURITY_HEADERS)
        body, ctype = self.static[name]
        return Response(body, media_type=ctype, headers=SECURITY_HEADERS)

    async def health(self, request: Request) -> Response:
        adapters = await run_in_threadpool(self.controller.health)
        states = {a.get("state") for a in adapters}
        status = "down" if "down" in states else "degraded" if "degraded" in states else "ok"
        return JSONResponse(_finite({"status": status, "adapters": adapters}),
                            status_code=503 if status == "down" else 200, headers=SECURITY_HEADERS)

    async def api_state(self, request: Request) -> Response:
        state = await run_in_threadpool(self.controller.state)
        return JSONResponse(_finite(state), headers=SECURITY_HEADERS)

    async def _image(self, getter: Callable[[], bytes | None]) -> Response:
        data = await run_in_threadpool(getter)
        if not data:
            return Response(status_code=204, headers=SECURITY_HEADERS)
        return Response(data, media_type=_image_type(data), headers=SECURITY_HEADERS)

    async def camera(self, request: Request) -> Response:
        return await self._image(self.controller.camera_frame)

    async def projection(self, request: Request) -> Response:
        return await self._image(self.controller.projection_frame)

    # ---- websocket ----

    def _query(self, name: str, getter: Callable[[], Any], broken: set[str]) -> Any:
        try:
            value = getter()
        except Exception as exc:  # a query that fails shows "not available", never kills the panel
            if name not in broken:
                log.warning("web panel: controller.%s failed: %s", name, exc)
                broken.add(name)
            return None
        broken.discard(name)
        return value

    def _snapshot(self, last_seq: int, with_health: bool, broken: set[str]) -> tuple[dict[str, Any], int]:
        c = self.controller
        msg: dict[str, Any] = {
            "type": "state",
            "state": self._query("state", c.state, broken),
            "presence": self._query("presence_view", c.presence_view, broken),
            "rig": self._query("rig_view", c.rig_view, broken),
            "audio": self._query("audio_levels", c.audio_levels, broken),
        }
        if with_health:
            msg["health"] = self._query("health", c.health, broken)
        lines = self._query("log_tail", lambda: c.log_tail(LOG_BATCH), broken) or []
        fresh = [line for line in lines if line.get("seq", 0) > last_seq]
        if fresh:
            msg["log"] = fresh
            last_seq = max(line.get("seq", 0) for line in fresh)
        return msg, last_seq

    async def websocket(self, ws: WebSocket) -> None:
        client = ws.client
        source = f"web:{client.host}:{client.port}" if client else "web:?"
        await ws.accept()
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        waker = (loop, wake)
        with self._wakers_lock:
            self._wakers.add(waker)
            self._sockets.add((loop, ws))
        log.info("web panel: %s connected", source)
        try:
            broken: set[str] = set()
            params = await run_in_threadpool(
                self._query, "param_names", lambda: sorted(self.controller.param_names()), broken)
            replays = await run_in_threadpool(
                self._query, "replay_files", self.controller.replay_files, broken)
            hello = {
                "type": "hello", "source": source, "params": params or [], "replays": replays or [],
                "speed": [SPEED_MIN, SPEED_MAX], "push_hz": PUSH_HZ,
            }
            await ws.send_text(_dumps(hello))
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._push, ws, wake)
                await self._receive(ws, source, wake)
                tasks.cancel_scope.cancel()
        except (WebSocketDisconnect, anyio.ClosedResourceError, OSError, RuntimeError):
            pass  # the browser went away (or the server is stopping)
        finally:
            with self._wakers_lock:
                self._wakers.discard(waker)
                self._sockets.discard((loop, ws))
            log.info("web panel: %s disconnected", source)

    async def _push(self, ws: WebSocket, wake: asyncio.Event) -> None:
        """Send a snapshot every 1/PUSH_HZ s, sooner when poked, never more often than MIN_PUSH_GAP_S."""
        last_seq = 0
        last_health = -math.inf
        broken: set[str] = set()
        period_s = 1.0 / PUSH_HZ
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                wake.clear()  # a poke from now on means the snapshot below may be stale
                now = time.monotonic()
                with_health = now - last_health >= HEALTH_EVERY_S
                if with_health:
                    last_health = now
                msg, last_seq = await run_in_threadpool(self._snapshot, last_seq, with_health, broken)
                await ws.send_text(_dumps(msg))
                sent = time.monotonic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=period_s)
                gap_s = MIN_PUSH_GAP_S - (time.monotonic() - sent)
                if gap_s > 0:  # a controller that pokes on every tick must not make us spin
                    await asyncio.sleep(gap_s)

    async def _receive(self, ws: WebSocket, source: str, wake: asyncio.Event) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):  # browser gone / stopping
            await self._commands(ws, source, wake)

    async def _commands(self, ws: WebSocket, source: str, wake: asyncio.Event) -> None:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
            text = message.get("text")
            reply: dict[str, Any] = {"type": "result", "id": None}
            cmd = "?"
            try:
                if not isinstance(text, str):
                    raise BadCommand("binary frames are not commands; send JSON text")
                if len(text) > MAX_MESSAGE:
                    raise BadCommand("message too long")
                msg = json.loads(text)
                if not isinstance(msg, dict) or not isinstance(msg.get("cmd"), str):
                    raise BadCommand('expected {"id": n, "cmd": "...", "args": {...}}')
                reply["id"] = msg.get("id") if isinstance(msg.get("id"), int | str) else None
                args = msg.get("args") or {}
                if not isinstance(args, dict):
                    raise BadCommand("'args' must be an object")
                cmd = msg["cmd"]
            except (BadCommand, ValueError) as exc:  # JSONDecodeError is a ValueError
                result = Result.error(f"bad command: {str(exc)[:200]}")
            except RecursionError:
                result = Result.error("bad command: JSON nested too deeply")
            else:
                try:
                    result = await run_in_threadpool(run_command, self.controller, cmd, args, source)
                except Exception as exc:  # a controller bug answers this command; the panel stays connected
                    log.exception("web panel: %s from %s failed", cmd[:40], source)
                    result = Result.error(f"{cmd[:40]} failed: {type(exc).__name__}")
            level = logging.INFO if result.ok else logging.WARNING
            log.log(level, "web panel: %s from %s → %s%s", cmd[:40], source, result.status,
                    f": {result.message}" if result.message and not result.ok else "")
            reply.update({"cmd": cmd[:40], **result.to_json()})
            await ws.send_text(_dumps(reply))
            wake.set()  # push the new state now, not at the next tick


class WebPanel:
    """The panel's server: `start()` serves in a thread, `stop()` shuts it down (restartable)."""

    def __init__(self, controller: Controller, host: str = "127.0.0.1", port: int = 8080,
                 token_path: Path | None = None, state_dir: Path | None = None, *,
                 allow_hosts: Iterable[str] = ()) -> None:
        self.controller = controller
        self.host = host
        self.port = port
        self.loopback = is_loopback_host(host)
        self.token: str | None = None
        self.token_path: Path | None = None
        self.token_created = False
        if not self.loopback:
            self.token_path = token_path or (state_dir or default_state_dir()) / "panel-token"
            self.token, self.token_created = load_or_create_token(self.token_path)
        self.hosts = allowed_host_names(host, allow_hosts)
        self.app = PanelApp(controller, self.token, self.hosts, any_address=_is_wildcard(host))
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def start(self) -> WebPanel:
        """Bind the port (DeviceError in one line when taken) and serve in a background thread."""
        if self._thread is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
            sock.listen(64)
        except OSError as exc:
            sock.close()
            raise DeviceError(
                f"web panel: cannot listen on {self.host}:{self.port} ({exc.strerror}); is another panel "
                f"running? choose another port"
            ) from None
        self.port = sock.getsockname()[1]
        self.app.asgi.port = self.port
        if self.token_path is not None:  # where the token is, never the token: stdout ends up in the journal
            made = "made a new token" if self.token_created else "token"
            print(f"web panel on port {self.port} needs its token: {made} in {self.token_path} (mode 0600). "
                  f"Read it as this user (cat {self.token_path}) and open "
                  f"http://<this machine>:{self.port}/?token=<token>", flush=True)
        config = uvicorn.Config(
            self.app, log_config=None, log_level="warning", access_log=False, lifespan="off",
            ws="websockets-sansio", http="h11", loop="asyncio", timeout_graceful_shutdown=1,
            ws_max_size=MAX_MESSAGE * 4,
        )
        server = uvicorn.Server(config)
        self._server = server
        self.app.subscribe()
        # the socket already listens, so clients queue until uvicorn accepts: no need to wait here
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                        name=f"web-panel:{self.port}", daemon=True)
        self._thread.start()
        log.info("web panel on %s (%s)", self.url, "loopback only" if self.loopback else "token required")
        return self

    def stop(self) -> None:
        """Close every connection and release the port; idempotent."""
        if self._server is None or self._thread is None:
            return
        self.app.close_all()
        self._server.should_exit = True
        self._thread.join(timeout=5.0)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout=5.0)
        self.app.unsubscribe()
        self._server = None
        self._thread = None
        log.info("web panel on %s stopped", self.url)

    def __enter__(self) -> WebPanel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
