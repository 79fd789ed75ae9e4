"""The panel on a network address needs the token; nothing from a request reaches outside the show."""

from __future__ import annotations

import json
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


def test_token_is_made_with_0600_and_shown_once(fake, token_path, capsys):
    first = WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path)
    shown = capsys.readouterr().out
    assert first.token and first.token in shown and "shown once" in shown
    assert stat.S_IMODE(token_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_path.parent.stat().st_mode) == 0o700
    second = WebPanel(fake, host="0.0.0.0", port=0, token_path=token_path)
    assert second.token == first.token
    assert first.token not in capsys.readouterr().out


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
