"""The panel on a network address needs the token; nothing from a request reaches outside the show."""

from __future__ import annotations

import json
import socket
import stat

import pytest
from websockets.exceptions import InvalidStatus

from installation.control.fake import FakeController
from installation.control.web import COOKIE, WebPanel
from installation.errors import InstallationError


@pytest.fixture
def token_path(tmp_path):
    return tmp_path / "state" / "panel-token"


@pytest.fixture
def open_panel(fake, token_path, capsys):
    """The panel bound to 0.0.0.0: every interface, so it is treated as reachable from the network."""
    server = WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_open_panel(tmp_path_factory):
    """One network-bound panel for the many read-only refusal checks (starting one costs ~0.2 s)."""
    path = tmp_path_factory.mktemp("state") / "panel-token"
    server = WebPanel(FakeController(frames=False), host="0.0.0.0", port=0, token_path=path).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_panel():
    """One loopback panel for the many path and command checks."""
    server = WebPanel(FakeController(frames=False), port=0).start()
    yield server
    server.stop()


def test_token_is_made_with_0600_and_only_its_file_is_named(fake, token_path, capsys, caplog):
    """stdout and the log end up in the journal: they say where the token is, never the token."""
    first = WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path).start()
    first.stop()
    assert first.token and len(first.token) >= 16
    assert stat.S_IMODE(token_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_path.parent.stat().st_mode) == 0o700
    second = WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path).start()
    second.stop()
    assert second.token == first.token
    shown = capsys.readouterr()
    for text in (shown.out, shown.err, caplog.text):
        assert first.token not in text
    assert shown.out.count(str(token_path)) >= 2 and "0600" in shown.out and "?token=<token>" in shown.out


def test_a_token_file_others_can_read_is_refused_with_the_fix(fake, token_path):
    WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path)
    token_path.chmod(0o644)
    with pytest.raises(InstallationError, match="chmod 600"):
        WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path)


def test_loopback_panel_needs_no_token(fake, tmp_path):
    server = WebPanel(fake, port=0, token_path=tmp_path / "t")
    assert server.token is None and not (tmp_path / "t").exists()


@pytest.mark.parametrize("path", ["/", "/health", "/api/state", "/static/panel.js", "/api/camera.jpg",
                                  "/api/projection", "/?token=wrong", "/health?token="])
def test_network_panel_refuses_requests_without_the_token(shared_open_panel, get, path):
    status, _, body = get(shared_open_panel.port, path)
    assert status == 401
    assert b"token" in body and b"<html" not in body


def test_network_panel_refuses_websockets_without_the_token(open_panel, fake, ws):
    with pytest.raises(InvalidStatus) as err:
        ws(open_panel.port)
    assert err.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        ws(open_panel.port, additional_headers={"Cookie": f"{COOKIE}=not-the-token"})
    assert fake.calls == []


def test_the_token_in_the_address_becomes_a_cookie(open_panel, fake, get, ws, until):
    status, headers, _ = get(open_panel.port, f"/?token={open_panel.token}")
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={open_panel.token}")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    with_cookie = {"Cookie": f"{COOKIE}={open_panel.token}"}
    status, headers, body = get(open_panel.port, "/", with_cookie)
    assert status == 200 and b"<html" in body
    assert headers["referrer-policy"] == "no-referrer"
    with ws(open_panel.port, additional_headers=with_cookie) as conn:
        until(conn, lambda m: m["type"] == "hello")
        conn.send(json.dumps({"id": 1, "cmd": "go"}))
        result = until(conn, lambda m: m["type"] == "result")
    assert result["status"] == "ok"
    assert fake.calls[-1].method == "go" and fake.calls[-1].source.startswith("web:127.0.0.1:")


def test_monitoring_uses_a_bearer_token(open_panel, get):
    status, _, body = get(open_panel.port, "/health", {"Authorization": f"Bearer {open_panel.token}"})
    assert status == 503  # the fake's serial:fan is down
    assert json.loads(body)["status"] == "down"


def test_loopback_panel_refuses_foreign_host_names(panel, get):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not drive the panel."""
    status, _, _ = get(panel.port, "/api/state", host="evil.example")
    assert status == 403
    assert get(panel.port, "/api/state", host="localhost")[0] == 200


def test_loopback_panel_refuses_websockets_from_other_sites(panel, fake, ws, until):
    with pytest.raises(InvalidStatus):
        ws(panel.port, origin="http://evil.example")
    with ws(panel.port, origin=f"http://127.0.0.1:{panel.port}") as conn:
        assert until(conn, lambda m: m["type"] == "hello")["type"] == "hello"


@pytest.mark.parametrize("path", [
    "/static/../web.py", "/static/..%2fweb.py", "/static/%2e%2e%2fweb.py", "/static/%2e%2e/osc_api.py",
    "/static/..%5cweb.py", "/static/panel.js%00.html", "/static/.%2e/.%2e/errors.py", "/../../etc/passwd",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/..", "/static/.htaccess", "/static/PANEL.JS",
    "/static/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/panel.js/../../web.py",
])
def test_static_files_cannot_reach_outside_the_static_folder(shared_panel, get, path):
    status, _, body = get(shared_panel.port, path)
    assert status in (400, 404), (status, body[:80])
    assert b"import " not in body and b"root:" not in body


def test_static_files_are_served(panel, get):
    files = [("panel.js", "text/javascript"), ("panel.css", "text/css"), ("favicon.svg", "image/svg")]
    for name, kind in files:
        status, headers, body = get(panel.port, f"/static/{name}")
        assert status == 200 and headers["content-type"].startswith(kind) and body


@pytest.mark.parametrize(("command", "says"), [
    ({"cmd": "set_param", "args": {"path": "light.wash.dimmer/../../x", "value": 1}}, "no parameter"),
    ({"cmd": "set_param", "args": {"path": "__class__", "value": 1}}, "no parameter"),
    ({"cmd": "set_param", "args": {"path": "light.wash.dimmer", "value": "NaN"}}, "0..1"),
    ({"cmd": "set_param", "args": {"path": "light.wash.dimmer", "value": [1]}}, "must be a number"),
    ({"cmd": "replay", "args": {"path": "../../etc/passwd", "speed": 2}}, "no recording"),
    ({"cmd": "replay", "args": {"path": "/etc/passwd", "speed": 2}}, "no recording"),
    ({"cmd": "replay", "args": {"path": "recordings/opening-night.jsonl", "speed": 600}}, "1..60"),
    ({"cmd": "visitor_add", "args": {"x": 5, "y": 0.5}}, "0..1"),
    ({"cmd": "visitor_add", "args": {"x": "0.5", "y": 0.5}}, "must be a number"),
    ({"cmd": "goto_act", "args": {"name": "x" * 500}}, "too long"),
    ({"cmd": "goto_act", "args": {"name": "a\nb"}}, "control characters"),
    ({"cmd": "__init__"}, "unknown command"),
    ({"cmd": "state"}, "unknown command"),
    ({"cmd": "go", "args": [1]}, "must be an object"),
])
def test_panel_commands_are_validated_before_the_controller_sees_them(shared_panel, ws, until, command, says):
    fake = shared_panel.controller
    with ws(shared_panel.port) as conn:
        conn.send(json.dumps({"id": 7, **command}))
        result = until(conn, lambda m: m["type"] == "result")
    assert result["status"] == "error" and result["id"] == 7
    assert says in result["message"]
    assert [c.method for c in fake.calls if c.method in ("replay", "visitor_add", "goto_act")] == []
    assert all(c.args[:1] == ("light.wash.dimmer",) for c in fake.calls_to("set_param"))


def test_garbage_on_the_websocket_is_answered_not_fatal(panel, fake, ws, until):
    with ws(panel.port) as conn:
        for junk in ["not json", "[1, 2]", json.dumps({"cmd": 5}), "{" * 5000]:
            conn.send(junk)
            assert until(conn, lambda m: m["type"] == "result")["status"] == "error"
        conn.send(json.dumps({"id": 1, "cmd": "go"}))
        assert until(conn, lambda m: m["type"] == "result")["status"] == "ok"
    assert [c.method for c in fake.calls] == ["go"]


# ---- Host and Origin: an exact allow-list (DNS rebinding, other sites in the operator's browser) ----


def ws_as(port: int, host: str, origin: str | None = None, **kwargs):
    """A websocket to the panel on 127.0.0.1 whose Host header is `host` (as a rebound page's would be)."""
    from websockets.sync.client import connect

    sock = socket.create_connection(("127.0.0.1", port), timeout=3.0)
    return connect(f"ws://{host}/ws", sock=sock, origin=origin, open_timeout=3.0, close_timeout=1, **kwargs)


REBOUND_HOSTS = ["127.attacker.example", "127.0.0.1.attacker.example", "localhost.attacker.example",
                 "127.1", "127.0.0.2", "evil.example", "", "[::1", "localhost:80:80", "127.0.0.1:+1",
                 "[::1]x"]


@pytest.mark.parametrize("path", ["/api/state", "/api/camera.jpg", "/", "/health"])
@pytest.mark.parametrize("name", REBOUND_HOSTS)
def test_loopback_panel_answers_only_to_its_exact_names(shared_panel, name, path):
    """DNS rebinding: a page whose name resolves to 127.0.0.1 must neither drive nor watch the room."""
    host = f"{name}:{shared_panel.port}" if name and ":" not in name else name
    assert raw_get(shared_panel.port, path, host) in (400, 403), host


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LocalHost", "[::1]"])
def test_loopback_panel_answers_to_localhost_127_0_0_1_and_ipv6_loopback(shared_panel, get, name):
    assert get(shared_panel.port, "/api/state", host=name)[0] == 200  # `get` adds the port


def test_loopback_panel_refuses_its_names_with_another_port(shared_panel):
    other = shared_panel.port + 1 if shared_panel.port < 65535 else 1
    assert raw_get(shared_panel.port, "/api/state", f"127.0.0.1:{other}") == 403
    assert raw_get(shared_panel.port, "/api/state", "localhost") == 403  # no port: 80
    assert raw_get(shared_panel.port, "/api/state", f"localhost:{shared_panel.port}") == 200


def raw_get(port: int, path: str, host: str) -> int:
    """The status of a GET whose Host header is exactly `host`."""
    with socket.create_connection(("127.0.0.1", port), timeout=3.0) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split()[1])


def test_a_rebound_websocket_cannot_run_panic(panel, fake):
    name = f"127.attacker.example:{panel.port}"
    with pytest.raises(InvalidStatus) as err:
        ws_as(panel.port, name, origin=f"http://{name}")
    assert err.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        ws_as(panel.port, name)  # no Origin: still the wrong Host
    assert fake.calls == []


@pytest.mark.parametrize("origin", [
    "http://127.attacker.example:{port}", "http://evil.example", "http://127.0.0.1:{other}", "https://127.0.0.1:{port}",
    "null", "http://127.0.0.1:{port}/page", "http://user@127.0.0.1:{port}", "file://", "http://localhost",
])
def test_websockets_from_other_origins_are_refused(shared_panel, origin):
    port = shared_panel.port
    with pytest.raises(InvalidStatus) as err:
        ws_as(port, f"127.0.0.1:{port}", origin=origin.format(port=port, other=port + 1))
    assert err.value.response.status_code == 403


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:{port}"])
def test_websockets_from_the_panels_own_names_are_accepted(shared_panel, until, origin):
    port = shared_panel.port
    with ws_as(port, f"127.0.0.1:{port}", origin=origin.format(port=port)) as conn:
        assert until(conn, lambda m: m["type"] == "hello")["type"] == "hello"


def test_names_the_operator_allows_reach_the_panel(fake, get, until):
    with WebPanel(fake, port=0, allow_hosts=["Show-PC.local", "10.0.0.5"]) as server:
        port = server.port
        assert get(port, "/api/state", host="show-pc.local")[0] == 200
        assert get(port, "/api/state", host="10.0.0.5")[0] == 200
        assert get(port, "/api/state", host="show-pc.local.attacker.example")[0] == 403
        with ws_as(port, f"show-pc.local:{port}", origin=f"http://show-pc.local:{port}") as conn:
            conn.send(json.dumps({"id": 1, "cmd": "go"}))
            assert until(conn, lambda m: m["type"] == "result")["status"] == "ok"
    assert [c.method for c in fake.calls] == ["go"]


@pytest.mark.parametrize("entry", ["http://show-pc.local", "show-pc.local:8080", "show pc", "", "a/b", "*"])
def test_an_allowed_host_that_is_not_a_name_is_refused_with_an_example(fake, entry):
    with pytest.raises(InstallationError, match="not a host name or address"):
        WebPanel(fake, port=0, allow_hosts=[entry])


def test_network_panel_checks_the_host_too(shared_open_panel, get):
    """The token is not enough: a rebound name never gets the cookie, but a Bearer script might."""
    bearer = {"Authorization": f"Bearer {shared_open_panel.token}"}
    assert get(shared_open_panel.port, "/api/state", bearer, host="evil.example")[0] == 403
    assert get(shared_open_panel.port, "/api/state", bearer, host="127.attacker.example")[0] == 403
    # bound to every interface: any of this machine's addresses, as a browser types it
    assert get(shared_open_panel.port, "/api/state", bearer, host="192.168.1.20")[0] == 200
    assert get(shared_open_panel.port, "/api/state", bearer, host="[fe80::1]")[0] == 200


# (bound address, allowed names, Host header) -> answered; the panel's port is 8080
HOSTS_ON_A_NETWORK_BIND = [
    ("192.168.1.20", (), "192.168.1.20:8080", True),
    ("192.168.1.20", (), "192.168.1.21:8080", False),
    ("192.168.1.20", (), "192.168.1.20:8081", False),
    ("192.168.1.20", (), "show-pc.local:8080", False),
    ("192.168.1.20", ("show-pc.local",), "show-pc.local:8080", True),
    ("192.168.1.20", ("show-pc.local",), "SHOW-PC.LOCAL:8080", True),
    ("192.168.1.20", ("show-pc.local",), "show-pc.local.evil.example:8080", False),
    ("192.168.1.20", (), "127.0.0.1:8080", True),
    ("192.168.1.20", (), "127.attacker.example:8080", False),
    ("fd00::20", (), "[fd00::20]:8080", True),
    ("fd00::20", (), "[fd00:0::20]:8080", True),
    ("fd00::20", (), "[fd00::21]:8080", False),
    ("0.0.0.0", (), "10.1.2.3:8080", True),
    ("0.0.0.0", (), "show-pc:8080", False),
    ("0.0.0.0", ("show-pc",), "show-pc:8080", True),
]


@pytest.mark.parametrize("case", HOSTS_ON_A_NETWORK_BIND, ids=lambda c: f"{c[0]} {c[2]}")
def test_network_bind_answers_to_its_address_and_the_allowed_names(fake, tmp_path, case):
    bind, names, host, answered = case
    panel = WebPanel(fake, host=bind, port=8080, token_path=tmp_path / "token", allow_hosts=names)
    panel.app.asgi.port = 8080  # as start() sets it, without binding an address this machine lacks
    assert panel.app.asgi._host_ok(host) is answered


# ---- what arrives on the websocket: answered, never fatal ----


@pytest.mark.parametrize("junk", [
    b"\x00\x01binary", b"", json.dumps({"id": 1, "cmd": "go"}).encode(),  # a binary frame, whatever it holds
    "[" * 2000 + "]" * 2000, '{"cmd": "go", "args": ' + "[" * 2000 + "]" * 2000 + "}",
    '{"id": 3, "cmd": "go", "args": {"a": ' + '{"a": ' * 1000 + "1" + "}" * 1001 + "}",
    "1" * 4000, '"\\ud800"', '{"id": 1e999, "cmd": "go", "args": {}, "x": NaN}x',
])
def test_binary_frames_and_deep_json_are_answered_and_the_panel_stays(panel, fake, ws, until, junk):
    with ws(panel.port) as conn:
        conn.send(junk)
        assert until(conn, lambda m: m["type"] == "result")["status"] == "error"
        conn.send(json.dumps({"id": 2, "cmd": "go"}))
        result = until(conn, lambda m: m["type"] == "result")
    assert (result["id"], result["status"]) == (2, "ok")
    assert [c.method for c in fake.calls] == ["go"]
