"""The panel's server side: JSON endpoints, the websocket's pushes and commands, restarts."""

from __future__ import annotations

import json

import pytest

from installation.control.fake import FakeController
from installation.control.web import WebPanel
from installation.errors import DeviceError


def test_api_state_and_health_are_json(panel, fake, get):
    status, headers, body = get(panel.port, "/api/state")
    assert status == 200 and headers["content-type"] == "application/json"
    state = json.loads(body)
    assert state["act"] == "attract" and [c["name"] for c in state["cues"]] == ["dawn", "glow", "ping"]
    status, _, body = get(panel.port, "/health")
    health = json.loads(body)
    assert status == 503 and health["status"] == "down"
    assert {a["name"]: a["state"] for a in health["adapters"]}["serial:fan"] == "down"
    fake.set_health("serial:fan", "ok", "connected")
    status, _, body = get(panel.port, "/health")
    assert status == 200 and json.loads(body)["status"] == "degraded"  # osc:media still degraded


def test_preview_images_or_no_content(clock, get):
    with WebPanel(FakeController(now=clock, frames=True), port=0) as server:
        status, headers, body = get(server.port, "/api/camera.jpg")
        assert status == 200 and headers["content-type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
        status, headers, body = get(server.port, "/api/projection")
        assert status == 200 and headers["content-type"] == "image/png" and body[:4] == b"\x89PNG"
    with WebPanel(FakeController(now=clock, frames=False), port=0) as server:
        assert get(server.port, "/api/camera.jpg")[0] == 204
        assert get(server.port, "/api/projection")[0] == 204


def test_websocket_says_hello_then_pushes_state_presence_rig_audio_health_and_log(panel, ws, until):
    with ws(panel.port) as conn:
        hello = until(conn, lambda m: m["type"] == "hello")
        assert "light.wash.dimmer" in hello["params"] and hello["speed"] == [1.0, 60.0]
        assert hello["replays"] == ["recordings/opening-night.jsonl", "recordings/school-group.jsonl"]
        first = until(conn, lambda m: m["type"] == "state")
        assert first["state"]["act"] == "attract"
        assert "door" in first["presence"]["zones"]
        assert len(first["rig"]["fixtures"]) == 7
        assert [c["name"] for c in first["audio"]["channels"]] == ["L", "R"]
        assert {h["name"] for h in first["health"]} >= {"camera", "dmx:artnet-1"}
        assert first["log"][0]["message"].startswith("show 'The Unenclosed' loaded")
        second = until(conn, lambda m: m["type"] == "state")
        assert "log" not in second  # only new lines are sent


def test_a_command_is_answered_and_the_new_state_pushed_at_once(panel, fake, ws, until):
    with ws(panel.port) as conn:
        until(conn, lambda m: m["type"] == "state")
        conn.send(json.dumps({"id": 41, "cmd": "go"}))
        result = until(conn, lambda m: m["type"] == "result")
        assert result == {"type": "result", "id": 41, "cmd": "go", "status": "ok", "message": "started dawn",
                          "data": {"cue": "dawn"}}
        # a snapshot taken just before the GO may still be on its way; the next one shows it
        pushed = until(conn, lambda m: m["type"] == "state" and m["state"]["cues"][0]["state"] == "running",
                       limit=3)
        assert pushed["state"]["selected"] == "glow"
    assert fake.calls[-1].source.startswith("web:127.0.0.1:")


@pytest.mark.parametrize("case", [
    ({"cmd": "stop"}, "stop", ()),
    ({"cmd": "panic"}, "panic", ()),
    ({"cmd": "pause"}, "pause", ()),
    ({"cmd": "resume"}, "resume", ()),
    ({"cmd": "goto_act", "args": {"name": "encounter"}}, "goto_act", ("encounter",)),
    ({"cmd": "start_cue", "args": {"name": "glow"}}, "start_cue", ("glow",)),
    ({"cmd": "stop_cue", "args": {"name": "glow"}}, "stop_cue", ("glow",)),
    ({"cmd": "select_cue", "args": {"name": "ping"}}, "select_cue", ("ping",)),
    ({"cmd": "load_cue", "args": {"name": "glow", "at_s": 2.5}}, "load_cue", ("glow", 2.5)),
    ({"cmd": "set_param", "args": {"path": "scene.hue", "value": 0.3}}, "set_param", ("scene.hue", 0.3)),
    ({"cmd": "command", "args": {"name": "/show/skip"}}, "command", ("/show/skip",)),
    ({"cmd": "visitor_add", "args": {"x": 0.2, "y": 0.4}}, "visitor_add", (0.2, 0.4)),
    ({"cmd": "replay", "args": {"path": "recordings/school-group.jsonl", "speed": 60}}, "replay",
     ("recordings/school-group.jsonl", 60.0)),
    ({"cmd": "replay", "args": {"path": ""}}, "replay", ("", 1.0)),
])
def test_every_panel_command_reaches_the_controller(panel, fake, ws, until, case):
    command, method, args = case
    with ws(panel.port) as conn:
        conn.send(json.dumps({"id": 1, **command}))
        assert until(conn, lambda m: m["type"] == "result")["status"] == "ok"
    assert (fake.calls[-1].method, fake.calls[-1].args) == (method, args)


class BrokenRig(FakeController):
    def rig_view(self):
        raise RuntimeError("rig simulator crashed")


def test_a_failing_query_shows_as_missing_not_a_dead_panel(clock, ws, until, caplog):
    with WebPanel(BrokenRig(now=clock, frames=False), port=0) as server, ws(server.port) as conn:
        first = until(conn, lambda m: m["type"] == "state")
        second = until(conn, lambda m: m["type"] == "state")
    assert first["rig"] is None and second["state"]["act"] == "attract"
    assert len([r for r in caplog.records if "rig simulator crashed" in r.getMessage()]) == 1


def test_port_in_use_is_one_line_and_stop_frees_the_port_for_a_restart(fake, get):
    first = WebPanel(fake, port=0).start()
    port = first.port
    with pytest.raises(DeviceError) as err:
        WebPanel(fake, port=port).start()
    assert f"127.0.0.1:{port}" in str(err.value) and "\n" not in str(err.value)
    first.stop()
    first.stop()  # idempotent
    again = WebPanel(fake, port=port).start()
    try:
        assert get(port, "/api/state")[0] == 200
    finally:
        again.stop()


def test_stopping_the_panel_closes_open_panels_as_going_away(fake, ws, until):
    """A browser left open when the show stops gets a clean close (1001), not a cancelled connection whose
    socket is left for the garbage collector."""
    from websockets.exceptions import ConnectionClosed

    from installation.control.web import WebPanel

    panel = WebPanel(fake, port=0).start()
    with ws(panel.port) as conn:
        until(conn, lambda m: m.get("type") == "hello")
        panel.stop()
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                conn.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
