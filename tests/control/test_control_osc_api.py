"""The OSC control API, driven by liblo's oscsend (an independent OSC implementation)."""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from installation.adapters import HealthState
from installation.control.osc_api import MAX_ADDRESS, OscControlApi, parse_packet
from installation.control.protocol import MAX_VISITORS
from installation.errors import DeviceError, InstallationError


def msg(address: str, *args: object) -> bytes:
    builder = OscMessageBuilder(address=address)
    for a in args:
        builder.add_arg(a)
    return builder.build().dgram


# (address, oscsend types, values) -> (controller method, its arguments)
COMMANDS = [
    ("/go", "", (), "go", ()),
    ("/stop", "", (), "stop", ()),
    ("/panic", "", (), "panic", ()),
    ("/pause", "", (), "pause", ()),
    ("/resume", "", (), "resume", ()),
    ("/cue/glow/start", "", (), "start_cue", ("glow",)),
    ("/cue/glow/stop", "", (), "stop_cue", ("glow",)),
    ("/cue/glow/load", "f", (2.5,), "load_cue", ("glow", 2.5)),
    ("/cue/glow/load", "i", (3,), "load_cue", ("glow", 3.0)),
    ("/act/encounter", "", (), "goto_act", ("encounter",)),
    ("/select/ping", "", (), "select_cue", ("ping",)),
    ("/param/light.wash.dimmer", "f", (0.25,), "set_param", ("light.wash.dimmer", 0.25)),
    ("/param/light/wash/dimmer", "d", (0.5,), "set_param", ("light.wash.dimmer", 0.5)),
    ("/param/osc.console./fader/1", "f", (0.75,), "set_param", ("osc.console./fader/1", 0.75)),
    ("/param/audio.master.level", "s", ("-12",), "set_param", ("audio.master.level", -12.0)),
    ("/show/skip", "", (), "command", ("/show/skip",)),
    ("/command/show/skip", "", (), "command", ("/show/skip",)),
    ("/visitor/add", "ff", (0.5, 0.75), "visitor_add", (0.5, 0.75)),
    ("/replay", "si", ("recordings/school-group.jsonl", 30), "replay",
     ("recordings/school-group.jsonl", 30.0)),
    ("/workspace/ABC-123/go", "", (), "go", ()),
]


@pytest.mark.parametrize("case", COMMANDS, ids=[f"{c[0]} {c[1]}" for c in COMMANDS])
def test_each_address_calls_the_controller_with_the_sender_as_source(osc, case):
    address, types, values, method, args = case
    reply_address, body = osc.ask(address, types, *values)
    assert reply_address == "/reply" + address
    assert body["status"] == "ok", body
    assert body["address"] == address
    call = osc.fake.calls[-1]
    assert (call.method, call.args) == (method, args)
    assert call.source.startswith("osc:127.0.0.1:")
    assert osc.api.stats.malformed == 0


def test_visitor_move_and_remove_address_the_visitor_by_id(api, fake, reply_sock, oscsend, reply):
    oscsend(api.port, "/visitor/add", "ff", 0.1, 0.5)
    assert reply(reply_sock)[1]["data"] == {"id": "v1"}
    oscsend(api.port, "/visitor/v1/move", "ff", 0.5, 0.9)
    assert reply(reply_sock)[1]["status"] == "ok"
    assert fake.presence_view()["people"][0]["x"] == 0.5
    oscsend(api.port, "/visitor/v1/remove")
    assert reply(reply_sock)[1]["status"] == "ok"
    assert fake.presence_view()["count"] == 0


@pytest.mark.parametrize(("address", "check"), [
    ("/state", lambda d: d["act"] == "attract" and d["acts"] == ["attract", "encounter"]),
    ("/act", lambda d: d == {"act": "attract", "acts": ["attract", "encounter"]}),
    ("/cues", lambda d: [c["name"] for c in d] == ["dawn", "glow", "ping"]),
    ("/cue/glow/state", lambda d: d["name"] == "glow" and d["state"] == "idle" and d["duration_s"] == 6.0),
    ("/selected", lambda d: d == {"selected": "dawn", "next": "glow"}),
    ("/health", lambda d: {h["name"] for h in d} >= {"camera", "audio", "serial:fan"}),
    ("/log", lambda d: d[0]["source"] == "engine"),
    ("/params", lambda d: "light.wash.dimmer" in d),
    ("/replays", lambda d: "recordings/opening-night.jsonl" in d),
    ("/presence", lambda d: d["count"] == 0 and "door" in d["zones"]),
    ("/thump", lambda d: d == "thump"),
    ("/version", lambda d: d["name"] == "installation"),
])
def test_queries_reply_with_json_data(osc, address, check):
    reply_address, body = osc.ask(address)
    assert reply_address == "/reply" + address
    assert body["status"] == "ok"
    assert check(body["data"]), body["data"]
    assert osc.fake.calls == []  # queries change nothing


@pytest.mark.parametrize("case", [
    ("/cue/nope/start", "", (), "no cue 'nope'"),
    ("/act/nowhere", "", (), "no act 'nowhere'"),
    ("/cue/glow/load", "s", ("soon",), "must be a number"),
    ("/cue/glow/explode", "", (), "unknown cue verb"),
    ("/param/light.wash.dimmer", "f", (4.0,), "0..1"),
    ("/visitor/add", "f", (0.5,), "takes x y"),
    ("/no/such/thing", "", (), "no trigger listens"),
])
def test_bad_requests_get_an_error_reply(osc, case):
    address, types, values, says = case
    _, body = osc.ask(address, types, *values)
    assert body["status"] == "error"
    assert says in body["message"]


def test_unknown_parameter_names_never_reach_the_controller(api, fake, reply_sock, oscsend, reply):
    oscsend(api.port, "/param/../../etc/passwd", "f", 1.0)
    _, body = reply(reply_sock)
    assert body["status"] == "error" and "no parameter" in body["message"]
    assert fake.calls_to("set_param") == []


def test_reply_goes_to_the_senders_port_without_a_reply_port(fake):
    with OscControlApi(fake, port=0) as server:
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.bind(("127.0.0.1", 0))
        client.settimeout(3.0)
        client.sendto(msg("/go"), ("127.0.0.1", server.port))
        data, _ = client.recvfrom(65535)
        client.close()
    assert data.startswith(b"/reply/go\x00")


def test_a_bundle_runs_every_message_in_it(api, fake, reply_sock, reply):
    bundle = OscBundleBuilder(IMMEDIATELY)
    bundle.add_content(OscMessageBuilder("/go").build())
    bundle.add_content(OscMessageBuilder("/select/ping").build())
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.sendto(bundle.build().dgram, ("127.0.0.1", api.port))
    sender.close()
    assert [reply(reply_sock)[0] for _ in range(2)] == ["/reply/go", "/reply/select/ping"]
    assert [c.method for c in fake.calls] == ["go", "select_cue"]


def test_passcode_gates_every_command_until_connect(fake, reply_sock, oscsend, reply):
    with OscControlApi(fake, port=0, reply_port=reply_sock.getsockname()[1], passcode="4711") as server:
        oscsend(server.port, "/go")
        assert reply(reply_sock)[1]["status"] == "denied"
        oscsend(server.port, "/state")
        assert reply(reply_sock)[1]["status"] == "denied"
        oscsend(server.port, "/connect", "s", "1234")
        assert reply(reply_sock)[1] == {"workspace_id": server.workspace_id, "address": "/connect",
                                        "status": "ok", "message": "wrong passcode", "data": "badpass"}
        assert fake.calls == []
        oscsend(server.port, "/connect", "s", "4711")
        assert reply(reply_sock)[1]["status"] == "ok"
        oscsend(server.port, "/go")
        assert reply(reply_sock)[1]["status"] == "ok"
        oscsend(server.port, "/disconnect")
        assert reply(reply_sock)[1]["status"] == "ok"
        oscsend(server.port, "/stop")
        assert reply(reply_sock)[1]["status"] == "denied"
        assert server.stats.denied == 4
    assert [c.method for c in fake.calls] == ["go"]


def test_repeated_wrong_passcodes_lock_the_client_out(fake, reply_sock, oscsend, reply):
    with OscControlApi(fake, port=0, reply_port=reply_sock.getsockname()[1], passcode="4711") as server:
        for _ in range(5):
            oscsend(server.port, "/connect", "s", "guess")
            reply(reply_sock)
        oscsend(server.port, "/connect", "s", "4711")  # right, but too late
        assert "too many wrong passcodes" in reply(reply_sock)[1]["message"]


def test_allow_list_ignores_other_addresses_without_a_word(fake, reply_sock, oscsend, reply):
    with OscControlApi(fake, port=0, reply_port=reply_sock.getsockname()[1], allow=["10.0.0.0/8"]) as server:
        oscsend(server.port, "/go")
        reply_sock.settimeout(0.3)  # bounded wait for a reply that must not come
        with pytest.raises(TimeoutError):
            reply(reply_sock)
        assert server.stats.strangers == 1
    assert fake.calls == []
    with OscControlApi(fake, port=0, reply_port=reply_sock.getsockname()[1], allow=["127.0.0.1"]) as server:
        reply_sock.settimeout(3.0)
        oscsend(server.port, "/go")
        assert reply(reply_sock)[1]["status"] == "ok"


def test_a_network_bind_needs_an_allow_list_or_a_passcode(fake):
    with pytest.raises(InstallationError, match=r"allow-list .* or a passcode"):
        OscControlApi(fake, host="0.0.0.0", port=0)
    with pytest.raises(InstallationError, match="not an address or network"):
        OscControlApi(fake, host="0.0.0.0", port=0, allow=["my laptop"])
    OscControlApi(fake, host="0.0.0.0", port=0, passcode="4711").start().close()


def test_a_network_bind_with_a_passcode_denies_loopback_clients_too(fake, reply_sock, oscsend, reply):
    with OscControlApi(fake, host="0.0.0.0", port=0, reply_port=reply_sock.getsockname()[1],
                       passcode="4711") as server:
        oscsend(server.port, "/panic")
        assert reply(reply_sock)[1]["status"] == "denied"
    assert fake.calls == []


def test_port_in_use_is_one_line_naming_the_port(fake):
    with OscControlApi(fake, port=0) as first, pytest.raises(DeviceError) as err:
        OscControlApi(fake, port=first.port).start()
    assert f"udp 127.0.0.1:{first.port}" in str(err.value) and "\n" not in str(err.value)


def _malformed_packets() -> list[bytes]:
    rng = random.Random(7)
    valid = msg("/go")
    packets = [
        b"", b"\x00", b"go", b"/go", b"/go\x00", b"/go\x00\x00\x00\x00", b"/go\x00,\x00\x00",  # no type tags
        b"/go\x00,i\x00\x00",  # int announced, none given
        msg("/cue/x/load")[:-1] + b"\x00\x00\x00\x00\x00",  # not 4-byte aligned
        b"/go\x00,b\x00\x00\x7f\xff\xff\xff",  # blob claims 2 GB
        b"/go\x00,Q\x00\x00",  # unknown type tag
        b"/\xff\xfe\x00,\x00\x00\x00",  # not UTF-8
        b"/g\x01\x00,\x00\x00\x00",  # control character in the address
        b"go\x00\x00,\x00\x00\x00",  # no leading slash
        b"#bundle\x00",  # no time tag
        b"#bundle\x00" + bytes(8) + struct.pack(">i", 400) + valid,  # element longer than the packet
        b"#bundle\x00" + bytes(8) + struct.pack(">i", -4) + valid,
        b"#bundle\x00" + bytes(8) + struct.pack(">i", 4) + b"\xff\xff\xff\xff",
        b"#bundle\x00" + bytes(8) + struct.pack(">i", len(valid) - 1) + valid[:-1],
    ]
    nested = valid
    for _ in range(12):  # bundles nested too deep (each with the GO inside)
        nested = b"#bundle\x00" + bytes(8) + struct.pack(">i", len(nested)) + nested
    packets.append(nested)
    for _ in range(180):  # random garbage and corrupted GOs
        if rng.random() < 0.5:
            packets.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))))
        else:
            corrupt = bytearray(valid + b",i\x00\x00")
            corrupt[rng.randrange(4, len(corrupt))] = rng.randrange(256)
            packets.append(bytes(corrupt[: rng.randrange(5, len(corrupt))]))
    return packets


def test_a_burst_of_malformed_packets_changes_nothing(api, fake, reply_sock, oscsend, reply):
    packets = [p for p in _malformed_packets() if _is_malformed(p)]
    before = fake.state()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for packet in packets:
        sender.sendto(packet, ("127.0.0.1", api.port))
    sender.close()
    oscsend(api.port, "/thump")  # still alive, and every packet before it was handled
    assert reply(reply_sock) == ("/reply/thump", {"workspace_id": api.workspace_id, "address": "/thump",
                                                  "status": "ok", "message": "thump", "data": "thump"})
    assert api.stats.malformed == len(packets) >= 150
    assert api.stats.errors == 0
    assert fake.calls == []
    after = fake.state()
    assert {k: v for k, v in after.items() if k != "t"} == {k: v for k, v in before.items() if k != "t"}


def _is_malformed(packet: bytes) -> bool:
    try:
        parse_packet(packet)
    except ValueError:
        return True
    return False


def test_malformed_packets_are_logged_at_most_once_a_second(api, reply_sock, oscsend, reply, caplog):
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(50):
        sender.sendto(b"\x00garbage", ("127.0.0.1", api.port))
    sender.close()
    oscsend(api.port, "/thump")
    reply(reply_sock)
    lines = [r for r in caplog.records if "malformed packet" in r.getMessage()]
    assert len(lines) == 1 and "127.0.0.1" in lines[0].getMessage()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_parsing_any_bytes_raises_only_value_error(data):
    with contextlib.suppress(ValueError):
        parse_packet(data)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40), st.integers(0, 255))
def test_parsing_a_corrupted_message_raises_only_value_error(at, byte):
    good = bytearray(msg("/cue/dawn/load", 1.5, "x"))
    good[at % len(good)] = byte
    with contextlib.suppress(ValueError):
        parse_packet(bytes(good))


# ---- hostile sizes: the log, the reply and the show stay bounded ----


def test_a_huge_unknown_address_is_answered_and_logged_once_clipped(api, fake, reply_sock, reply, caplog):
    """One 60 KB address used to write ~240 KB of log (the address three times and more)."""
    address = "/" + "x" * 60_000
    caplog.set_level(logging.DEBUG)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.sendto(msg(address), ("127.0.0.1", api.port))
    sender.close()
    reply_address, body = reply(reply_sock)
    assert body["status"] == "error" and "address too long" in body["message"]
    assert reply_address == "/reply" + address[:MAX_ADDRESS]
    assert fake.calls == []  # the show never sees it
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert len(logged) < 1000 and logged.count("x" * 40) == 1 and "x" * 100 not in logged
    assert api.stats.unknown == 1 and api.stats.oversize == 0


def test_unknown_addresses_are_logged_clipped(api, fake, reply_sock, reply, caplog):
    address = "/" + "y" * (MAX_ADDRESS - 1)
    caplog.set_level(logging.INFO)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.sendto(msg(address, "z" * 30_000), ("127.0.0.1", api.port))
    sender.close()
    assert reply(reply_sock)[1]["status"] == "error"
    assert fake.calls_to("command")[0].args == (address,)  # a long (not too long) trigger name is passed on
    mine = "\n".join(r.getMessage() for r in caplog.records if r.name == "installation.control.osc_api")
    assert 0 < len(mine) < 600
    assert api.stats.unknown == 1


def test_a_reply_too_large_for_one_datagram_becomes_an_error_reply(api, fake, reply_sock, oscsend, reply):
    fake.set_health("projector", "ok", detail="d" * 70_000)
    oscsend(api.port, "/health")
    reply_address, body = reply(reply_sock)
    assert reply_address == "/reply/health"
    assert body["status"] == "error" and "reply too large" in body["message"]
    assert api.stats.oversize == 1
    oscsend(api.port, "/thump")  # and the API goes on
    assert reply(reply_sock)[1]["data"] == "thump"


def test_health_counts_malformed_unknown_and_oversize(api, fake, reply_sock, oscsend, reply):
    assert api.health().state is HealthState.OK
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for packet in (b"\x00garbage", b"/go\x00,Q\x00\x00", msg("/no/such/thing"), msg("/" + "q" * 2000)):
        sender.sendto(packet, ("127.0.0.1", api.port))
    sender.close()
    reply(reply_sock)
    reply(reply_sock)
    fake.set_health("projector", "ok", detail="d" * 70_000)
    oscsend(api.port, "/health")
    reply(reply_sock)
    detail = api.health().detail
    assert f"udp 127.0.0.1:{api.port}" in detail
    assert "2 malformed packets" in detail and "2 unknown addresses" in detail
    assert "1 replies too large" in detail and "0 errors" in detail
    api.close()
    assert api.health().state is HealthState.OFF


def test_simulated_visitors_are_capped(api, fake, reply_sock, reply):
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(MAX_VISITORS):
        sender.sendto(msg("/visitor/add", 0.5, i / MAX_VISITORS), ("127.0.0.1", api.port))
        assert reply(reply_sock)[1]["status"] == "ok"
    sender.sendto(msg("/visitor/add", 0.5, 0.5), ("127.0.0.1", api.port))
    sender.close()
    body = reply(reply_sock)[1]
    assert body["status"] == "error" and f"already {MAX_VISITORS} simulated visitors" in body["message"]
    assert fake.presence_view()["count"] == MAX_VISITORS


def _with_tags(address: bytes, tags: bytes) -> bytes:
    def pad(b: bytes) -> bytes:
        b += b"\x00"
        return b + b"\x00" * (-len(b) % 4)
    return pad(address) + pad(b"," + tags)


@pytest.mark.parametrize("packet", [
    _with_tags(b"/go", b"Q"), _with_tags(b"/go", b"iQ") + b"\x00\x00\x00\x01",
    _with_tags(b"/go", b"[" * 30 + b"]" * 30), _with_tags(b"/replay", b"[" * 20_000 + b"]" * 20_000),
])
def test_unknown_type_tags_and_deep_arrays_are_malformed_not_run(osc, caplog, packet):
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.sendto(packet, ("127.0.0.1", osc.api.port))
    sender.close()
    assert osc.ask("/thump")[0] == "/reply/thump"  # the only reply: the packet was dropped as malformed
    assert osc.fake.calls == []
    assert (osc.api.stats.malformed, osc.api.stats.errors) == (1, 0)
    assert not [r for r in caplog.records if r.exc_info or r.name == "root"]
