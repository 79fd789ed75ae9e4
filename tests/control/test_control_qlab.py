"""QLab 5's OSC dictionary on the fake show: addresses, replies, /updates, permissions, TCP framing."""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from installation.control.framing import StreamDecoder, size_encode, slip_decode, slip_encode
from installation.control.osc_api import OscControlApi, cue_text, permission_text, read_passcodes
from installation.errors import InstallationError

WAIT_S = 3.0


def msg(address: str, *args: object) -> bytes:
    builder = OscMessageBuilder(address=address)
    for a in args:
        builder.add_arg(a)
    return builder.build().dgram


class Udp:
    """A QLab remote over UDP: sends from one port and reads replies and updates there."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(WAIT_S)

    def send(self, address: str, *args: object) -> None:
        self.sock.sendto(msg(address, *args), ("127.0.0.1", self.port))

    def read(self) -> OscMessage:
        return OscMessage(self.sock.recv(65535))

    def ask(self, address: str, *args: object) -> dict[str, Any]:
        """Send and return the reply's JSON (updates arriving first are skipped)."""
        self.send(address, *args)
        for _ in range(50):
            message = self.read()
            if message.address.startswith("/reply"):
                assert message.address == "/reply" + address
                body: dict[str, Any] = json.loads(message.params[0])
                return body
        raise AssertionError(f"no reply to {address}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def qlab(fake):
    with OscControlApi(fake, port=0) as server:
        client = Udp(server.port)
        yield server, client
        client.close()


# (address, arguments) -> (controller method, its arguments): the fake's attract act is
# dawn (number 1), glow (2), ping (2.5)
COMMANDS: list[tuple[str, tuple[Any, ...], str, tuple[Any, ...]]] = [
    ("/go", (), "go", ()),
    ("/go", ("2",), "go", ("2",)),
    ("/go", (2,), "go", ("2",)),
    ("/go", (2.5,), "go", ("2.5",)),
    ("/stop", (), "stop", ()),
    ("/hardStop", (), "stop", (0.0,)),
    ("/panic", (), "panic", ()),
    ("/panicInTime", (1.5,), "panic", (1.5,)),
    ("/pause", (), "pause", ()),
    ("/resume", (), "resume", ()),
    ("/reset", (), "reset_cue", ("all",)),
    ("/select/next", (), "select_cue", ("glow",)),
    ("/select/previous", (), "select_cue", ("dawn",)),
    ("/playhead/next", (), "select_cue", ("glow",)),
    ("/playhead/2.5", (), "select_cue", ("ping",)),
    ("/playhead/glow", (), "select_cue", ("glow",)),
    ("/select/2", (), "select_cue", ("glow",)),
    ("/cue/2/start", (), "start_cue", ("glow",)),
    ("/cue/glow/start", (), "start_cue", ("glow",)),
    ("/cue/2/stop", (), "stop_cue", ("glow",)),
    ("/cue/2/hardStop", (), "stop_cue", ("glow",)),
    ("/cue/2/load", (), "load_cue", ("glow", 0.0)),
    ("/cue/2/loadAt", (1.5,), "load_cue", ("glow", 1.5)),
    ("/cue/2/reset", (), "reset_cue", ("glow",)),
    ("/cue/2/armed", (0,), "arm_cue", ("glow", False)),
    ("/cue/playhead/start", (), "start_cue", ("dawn",)),
    ("/cue/selected/stop", (), "stop_cue", ("dawn",)),
    ("/workspace/any-id/cue/2.5/start", (), "start_cue", ("ping",)),
]


@pytest.mark.parametrize("case", COMMANDS, ids=[f"{c[0]} {c[1]}" for c in COMMANDS])
def test_qlab_addresses_call_the_controller_by_cue_number(qlab, fake, case):
    server, client = qlab
    address, args, method, expected = case
    body = client.ask(address, *args)
    assert body["status"] == "ok", body
    assert body["workspace_id"] == server.workspace_id and body["address"] == address
    call = fake.calls[-1]
    assert (call.method, call.args) == (method, expected)


def test_go_with_a_number_moves_the_playhead_there_and_goes(qlab, fake):
    _, client = qlab
    assert client.ask("/go", "2")["status"] == "ok"
    state = fake.state()
    assert [c["state"] for c in state["cues"]] == ["idle", "pre-wait", "idle"]  # glow started, dawn not
    assert state["selected"] == "ping"


def test_go_with_an_unknown_number_is_an_error_and_starts_nothing(qlab, fake):
    _, client = qlab
    body = client.ask("/go", "99")
    assert body["status"] == "error" and "no cue number 99" in body["message"]
    assert all(c["state"] == "idle" for c in fake.state()["cues"])


def test_pause_and_resume_a_cue_by_number(qlab, fake, clock):
    _, client = qlab
    client.ask("/cue/1/start")
    clock.advance(1.0)
    assert client.ask("/cue/1/pause")["status"] == "ok"
    assert client.ask("/cue/1/isPaused")["data"] is True
    clock.advance(10.0)  # paused: dawn's 4 s do not run out
    assert client.ask("/cue/1/resume")["status"] == "ok"
    assert client.ask("/cue/1/isRunning")["data"] is True
    assert client.ask("/cue/1/resume")["status"] == "error"  # not paused any more


@pytest.mark.parametrize(("address", "expected"), [
    ("/cue/2/number", "2"),
    ("/cue/glow/number", "2"),
    ("/cue/2/name", "glow"),
    ("/cue/2/preWait", 1.0),
    ("/cue/2/duration", 6.0),
    ("/cue/2/postWait", 2.0),
    ("/cue/2/armed", True),
    ("/cue/2/type", "Fade"),
    ("/cue/2.5/type", "Network"),
    ("/cue/1/continueMode", 2),
    ("/cue/playhead/name", "dawn"),
])
def test_cue_properties_read_as_qlab(qlab, address, expected):
    _, client = qlab
    body = client.ask(address)
    assert body["status"] == "ok" and body["data"] == expected


def test_cue_properties_other_than_armed_are_read_only(qlab, fake):
    _, client = qlab
    body = client.ask("/cue/2/preWait", 3.0)
    assert body["status"] == "error" and "show file" in body["message"]
    assert fake.calls == []


def test_cue_lists_give_every_act_with_ids_that_address_cues(qlab, fake):
    _, client = qlab
    lists = client.ask("/cueLists")["data"]
    assert [cl["name"] for cl in lists] == ["attract", "encounter"]
    assert [(c["number"], c["name"], c["type"]) for c in lists[0]["cues"]] == [
        ("1", "dawn", "Fade"), ("2", "glow", "Fade"), ("2.5", "ping", "Network")]
    glow_id = lists[0]["cues"][1]["uniqueID"]
    assert client.ask(f"/cue_id/{glow_id}/start")["status"] == "ok"
    assert fake.calls[-1].args == ("glow",)
    assert [c["uniqueID"] for c in client.ask("/runningCues")["data"]] == [glow_id]
    assert client.ask("/cue_id/not-an-id/start")["status"] == "error"
    assert "cues" not in client.ask("/cueLists/shallow")["data"][0]


def test_running_paused_and_selected_cues(qlab, fake, clock):
    _, client = qlab
    client.ask("/cue/1/start")
    client.ask("/cue/2/start")
    client.ask("/cue/2/pause")
    assert [c["name"] for c in client.ask("/runningCues")["data"]] == ["dawn"]
    assert [c["name"] for c in client.ask("/runningOrPausedCues")["data"]] == ["dawn", "glow"]
    assert [c["number"] for c in client.ask("/selectedCues")["data"]] == ["1"]


def test_workspaces_name_the_show_and_its_id(qlab, fake):
    server, client = qlab
    data = client.ask("/workspaces")["data"]
    assert data == [{"uniqueID": server.workspace_id, "displayName": "The Unenclosed", "hasPasscode": False,
                     "version": data[0]["version"], "port": server.port}]


def test_updates_push_cue_changes_and_the_playhead(qlab, fake):
    server, client = qlab
    assert client.ask("/updates", 1)["status"] == "ok"
    lists = client.ask("/cueLists")["data"]
    ids = {c["name"]: c["uniqueID"] for c in lists[0]["cues"]}
    client.send("/go")
    seen = []
    for _ in range(6):
        message = client.read()
        seen.append((message.address, tuple(message.params)))
        if "playbackPosition" in message.address:
            break
    ws = f"/update/workspace/{server.workspace_id}"
    assert ("/reply/go" in [a for a, _ in seen])
    assert (f"{ws}/cue_id/{ids['dawn']}", ()) in seen
    list_id = lists[0]["uniqueID"]
    assert seen[-1] == (f"{ws}/cueList/{list_id}/playbackPosition", (ids["glow"],))
    assert client.ask("/updates", 0)["status"] == "ok"
    client.ask("/go")
    client.sock.settimeout(0.3)  # bounded wait for an update that must not come
    with pytest.raises(TimeoutError):
        client.read()


def test_always_reply_off_answers_queries_and_errors_only(qlab, fake):
    _, client = qlab
    client.ask("/alwaysReply", 0)
    client.send("/go")
    client.send("/cue/nope/start")
    body = json.loads(client.read().params[0])
    assert body["address"] == "/cue/nope/start" and body["status"] == "error"
    assert client.ask("/cue/1/number")["data"] == "1"
    assert [c.method for c in fake.calls] == ["go", "start_cue"]


def test_udp_reply_port_sends_replies_and_updates_elsewhere(qlab, fake):
    _, client = qlab
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.1", 0))
    other.settimeout(WAIT_S)
    try:
        client.send("/udpReplyPort", other.getsockname()[1])
        assert OscMessage(other.recv(65535)).address == "/reply/udpReplyPort"
        client.send("/thump")
        assert OscMessage(other.recv(65535)).address == "/reply/thump"
    finally:
        other.close()


def connect(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    return conn


def read_frames(conn: socket.socket, decoder: StreamDecoder, n: int) -> list[OscMessage]:
    packets: list[bytes] = []
    while len(packets) < n:
        data = conn.recv(65536)
        assert data, "connection closed"
        packets += decoder.feed(data)
    return [OscMessage(p) for p in packets]


@pytest.mark.parametrize("framing", ["slip", "size"])
def test_tcp_clients_get_replies_in_their_own_framing(fake, framing):
    frame = slip_encode if framing == "slip" else size_encode
    with OscControlApi(fake, port=0) as server, connect(server.port) as conn:
        conn.sendall(frame(msg("/go", "2")) + frame(msg("/cue/2/number")))
        decoder = StreamDecoder(65536)
        replies = read_frames(conn, decoder, 2)
        assert decoder.framing == framing
        assert [m.address for m in replies] == ["/reply/go", "/reply/cue/2/number"]
        assert json.loads(replies[1].params[0])["data"] == "2"
    assert [(c.method, c.args) for c in fake.calls] == [("go", ("2",))]


def test_tcp_updates_arrive_over_the_connection(fake):
    with OscControlApi(fake, port=0) as server, connect(server.port) as conn:
        decoder = StreamDecoder(65536)
        conn.sendall(slip_encode(msg("/updates", 1)))
        read_frames(conn, decoder, 1)
        conn.sendall(slip_encode(msg("/cue/2/start")))
        addresses = [m.address for m in read_frames(conn, decoder, 2)]
        assert addresses[0] == "/reply/cue/2/start"
        assert addresses[1].startswith(f"/update/workspace/{server.workspace_id}/cue_id/")


def test_a_garbled_tcp_stream_is_dropped_and_the_api_carries_on(fake):
    with OscControlApi(fake, port=0) as server:
        with connect(server.port) as conn:
            conn.sendall(b"\xff\xff\xff\xff junk")  # a size prefix of 4 GB
            with contextlib.suppress(ConnectionResetError):
                assert conn.recv(100) == b""  # closed
        with connect(server.port) as conn:
            conn.sendall(slip_encode(msg("/thump")))
            assert read_frames(conn, StreamDecoder(65536), 1)[0].address == "/reply/thump"
        assert server.stats.malformed == 1


def test_slip_frames_match_rfc_1055_bytes():
    assert slip_encode(b"/a\xc0\xdb") == b"\xc0/a\xdb\xdc\xdb\xdd\xc0"
    assert slip_decode(b"/a\xdb\xdc\xdb\xdd") == b"/a\xc0\xdb"
    with pytest.raises(ValueError, match="ESC followed"):
        slip_decode(b"\xdb\x00")
    decoder = StreamDecoder(100)
    assert decoder.feed(b"\xc0/a\xdb") == []  # split mid-escape
    assert decoder.feed(b"\xdc\xc0\xc0/b\xc0") == [b"/a\xc0", b"/b"]
    assert size_encode(b"/go\x00") == b"\x00\x00\x00\x04/go\x00"


@pytest.mark.parametrize(("value", "text"),
                         [(3, "3"), (3.0, "3"), (1.5, "1.5"), (" 12 ", "12"), ("A4", "A4")])
def test_cue_numbers_from_osc_arguments(value, text):
    assert cue_text(value) == text


def test_passcodes_grant_view_edit_control_as_qlab_5(fake):
    with OscControlApi(fake, port=0, passcodes={"look": ["view"], "run": ["view", "control"]}) as server:
        client = Udp(server.port)
        try:
            assert client.ask("/workspaces")["data"][0]["hasPasscode"] is True  # open to all, as in QLab
            assert client.ask("/cueLists")["status"] == "denied"
            assert client.ask("/connect", "look")["data"] == "ok:view"
            assert client.ask("/cueLists")["status"] == "ok"
            assert client.ask("/go")["status"] == "denied"
            assert client.ask("/connect", "run")["data"] == "ok:view|control"
            assert client.ask("/go")["status"] == "ok"
            assert client.ask("/cue/2/armed", 0)["status"] == "denied"  # setting a property is edit
            wrong = client.ask("/connect", "guess")
            assert (wrong["status"], wrong["data"]) == ("ok", "badpass")  # as QLab 5 answers it
        finally:
            client.close()
    assert [c.method for c in fake.calls] == ["go"]


def test_open_permissions_let_anyone_view(fake):
    with OscControlApi(fake, port=0, passcode="4711", open_permissions=["view"]) as server:
        client = Udp(server.port)
        try:
            assert client.ask("/runningCues")["status"] == "ok"
            assert client.ask("/go")["status"] == "denied"
            assert client.ask("/connect", "4711")["data"] == "ok:view|edit|control"
        finally:
            client.close()


def test_passcode_file_lines_and_errors_never_show_the_passcode(tmp_path):
    path = tmp_path / "osc-passcodes"
    path.write_text("# booth\nS3cret-1\nlobby-2 view\nstage-3 view,control  # the SM's tablet\n")
    assert read_passcodes(path) == {"S3cret-1": frozenset({"view", "edit", "control"}),
                                    "lobby-2": frozenset({"view"}), "stage-3": frozenset({"view", "control"})}
    path.write_text("S3cret-1 view,admin\n")
    with pytest.raises(InstallationError) as err:
        read_passcodes(path)
    assert ":1:" in str(err.value) and "admin" in str(err.value) and "S3cret" not in str(err.value)
    assert permission_text(["control", "view"]) == "ok:view|control"


# QLab 5's addresses this show answers "ok" (docs/control.md): (address, arguments, what to send first).
# {glow} stands for glow's uniqueID; the fake's attract act is dawn (1), glow (2), ping (2.5).
QLAB_OK: list[tuple[str, tuple[Any, ...], list[tuple[str, tuple[Any, ...]]]]] = [
    ("/alwaysReply", (1,), []), ("/udpReplyPort", ("{me}",), []), ("/connect", ("",), []),
    ("/disconnect", (), []), ("/updates", (1,), []), ("/thump", (), []), ("/version", (), []),
    ("/workspaces", (), []), ("/go", (), []), ("/go", ("2",), []), ("/stop", (), []), ("/hardStop", (), []),
    ("/pause", (), []), ("/resume", (), []), ("/panic", (), []), ("/panicInTime", (2.0,), []),
    ("/reset", (), []), ("/select/2", (), []), ("/playhead/2", (), []), ("/select/next", (), []),
    ("/select/previous", (), []), ("/playhead/next", (), []), ("/playhead/previous", (), []),
    ("/select_id/{glow}", (), []), ("/playheadID/{glow}", (), []), ("/playheadId/{glow}", (), []),
    ("/playhead/nextSequence", (), []), ("/playhead/previousSequence", (), []), ("/currentCueListID", (), []),
    ("/cue_id/{list}/playheadID", (), []), ("/cue_id/{list}/playheadID", ("{glow}",), []),
    ("/cue_id/{list}/children", (), []), ("/cue/2/children", (), []),
    ("/cue/2/valuesForKeys", ('["number","name","isRunning"]',), []), ("/cueLists", (), []),
    ("/cueLists/shallow", (), []), ("/runningCues", (), []), ("/runningCues/shallow", (), []),
    ("/runningOrPausedCues", (), []), ("/runningOrPausedCues/shallow", (), []), ("/selectedCues", (), []),
    ("/selectedCues/shallow", (), []),
    ("/cue/2/start", (), []), ("/cue/2/stop", (), []), ("/cue/2/hardStop", (), []), ("/cue/2/panic", (), []),
    ("/cue/2/pause", (), [("/cue/2/start", ())]),
    ("/cue/2/resume", (), [("/cue/2/start", ()), ("/cue/2/pause", ())]),
    ("/cue/2/load", (), []), ("/cue/2/loadAt", (1.0,), []), ("/cue/2/reset", (), []),
    ("/cue/11/devamp", (), [("/act/encounter", ())]), ("/cue/2/go", (), []), ("/cue/2/select", (), []),
    ("/cue/2/playhead", (), []), ("/cue/2/armed", (), []), ("/cue/2/armed", (0,), []),
    *[(f"/cue/2/{prop}", (), []) for prop in (
        "number", "name", "displayName", "listName", "uniqueID", "type", "parent", "preWait", "duration",
        "currentDuration", "postWait", "continueMode", "isRunning", "isPaused", "isLoaded", "isBroken",
        "colorName", "flagged", "notes", "cueTargetNumber")],
    ("/cue/selected/start", (), []), ("/cue/playhead/start", (), []), ("/cue_id/{glow}/start", (), []),
    ("/workspace/{ws}/go", (), []),
]


def test_every_qlab_address_the_docs_call_ok_answers_ok(fake):
    with OscControlApi(fake, port=0) as server:
        client = Udp(server.port)
        try:
            lists = client.ask("/cueLists")["data"]
            glow, attract = lists[0]["cues"][1]["uniqueID"], lists[0]["uniqueID"]
            me = client.sock.getsockname()[1]
            for pattern, args, prep in QLAB_OK:
                client.ask("/reset")
                client.ask("/act/attract")
                for step, step_args in prep:
                    assert client.ask(step, *step_args)["status"] == "ok", step
                address = pattern.replace("{glow}", glow).replace("{ws}", server.workspace_id)
                address = address.replace("{list}", attract)
                given = {"{me}": me, "{glow}": glow}
                body = client.ask(address, *(given.get(a, a) if isinstance(a, str) else a for a in args))
                assert body["status"] == "ok", (address, body)
        finally:
            client.close()
    assert len(QLAB_OK) == 81  # docs/control.md: 81 address forms answer ok


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=7))
@settings(max_examples=300, deadline=None)
def test_a_tcp_stream_of_any_bytes_gives_packets_or_value_error_only(data, cut):
    decoder = StreamDecoder(64)
    with contextlib.suppress(ValueError):
        for at in range(0, len(data), cut):
            for packet in decoder.feed(data[at:at + cut]):
                assert 0 < len(packet) <= 128


def test_tcp_connections_from_outside_the_allow_list_are_closed_unanswered(fake):
    with OscControlApi(fake, port=0, allow=["10.0.0.0/8"]) as server, connect(server.port) as conn:
        with contextlib.suppress(ConnectionResetError):  # closed at once: our bytes may meet a reset
            conn.sendall(slip_encode(msg("/go")))
            assert conn.recv(100) == b""
        assert server.stats.strangers == 1
    assert fake.calls == []


def test_updates_follow_changes_no_command_announced(qlab, fake, clock):
    server, client = qlab
    client.ask("/updates", 1)
    glow = client.ask("/cue/2/uniqueID")["data"]
    client.ask("/go")  # dawn: 4 s, then auto-follow into glow
    clock.advance(5.0)  # no command: the API notices within its poll
    for _ in range(20):
        message = client.read()
        if message.address == f"/update/workspace/{server.workspace_id}/cue_id/{glow}":
            break
    else:
        raise AssertionError("no update for glow after dawn's auto-follow")


def test_cue_list_playhead_children_and_values_as_qlab_5_remotes_ask(qlab, fake):
    _, client = qlab
    lists = client.ask("/cueLists")["data"]
    attract, ids = lists[0]["uniqueID"], [c["uniqueID"] for c in lists[0]["cues"]]
    assert client.ask("/currentCueListID")["data"] == attract
    assert client.ask(f"/cue_id/{attract}/playheadID")["data"] == ids[0]
    assert client.ask(f"/cue_id/{attract}/playheadID", ids[2])["status"] == "ok"
    assert fake.state()["selected"] == "ping"
    assert [c["name"] for c in client.ask(f"/cue_id/{attract}/children")["data"]] == ["dawn", "glow", "ping"]
    values = client.ask("/cue/2/valuesForKeys", '["number","name","preWait","isRunning"]')["data"]
    assert values == {"number": "2", "name": "glow", "preWait": 1.0, "isRunning": False}
    client.ask("/go", "2.5")
    assert client.ask(f"/cue_id/{attract}/playheadID")["data"] == "none"  # the end of the list


def test_sequences_are_a_cue_and_those_it_continues_into(qlab, fake):
    _, client = qlab  # dawn auto-follows into glow: sequences [dawn, glow] and [ping]
    client.ask("/playhead/nextSequence")
    assert fake.state()["selected"] == "ping"
    client.ask("/playhead/previousSequence")
    assert fake.state()["selected"] == "dawn"


def test_a_tcp_client_that_does_not_read_never_holds_up_the_others(fake):
    n = 4000  # replies of about 1.5 kB each: more than the kernel's socket buffers hold
    with OscControlApi(fake, port=0) as server, connect(server.port) as slow:
        slow.sendall(b"".join(slip_encode(msg("/cueLists")) for _ in range(n)))
        client = Udp(server.port)
        try:
            for _ in range(3):  # answered while the slow client's replies wait in the API's queue
                assert client.ask("/thump")["data"] == "thump"
            assert client.ask("/go")["status"] == "ok"
        finally:
            client.close()
        decoder = StreamDecoder(65536)
        got = 0
        while got < n:  # and the slow client still gets every reply, in order, once it reads
            got += len([m for m in read_frames(slow, decoder, 1) if m.address == "/reply/cueLists"])
        assert server.stats.errors == 0
