"""A bounded fuzz of the operator surfaces against a real rehearsal, and the limits it relies on.

5,000 OSC packets (random bytes and mutated valid messages and bundles) on a real UDP socket and 600
websocket messages (mutated commands, binary frames, deep JSON) to the real panel of `installation
rehearse`, from fixed seeds. Required: every packet handled before the next (a sentinel from a second
socket is answered within 5 s), every well-formed message answered exactly once, every websocket
message answered within 5 s, no traceback in the log or the log file, and both surfaces still answer.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import BuildError, OscMessageBuilder

from installation.control.osc_api import OscControlApi, parse_packet
from installation.control.protocol import MAX_VISITORS
from installation.runtime import Runtime, RuntimeOptions
from tests.control.conftest import http, ws_connect, ws_until

ROOT = Path(__file__).resolve().parents[2]
UNENCLOSED = ROOT / "cues" / "unenclosed.yaml"
ANSWER_S = 5.0  # a request not answered within this is a hang
OSC_PACKETS = 5000
WS_MESSAGES = 600
ALLOWED_NAME = "show-pc.local"


class Collector(logging.Handler):
    """Every record from every logger while the fuzz runs (the panel's uvicorn included)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:200]}" for r in self.records
                if r.exc_info or "Traceback" in r.getMessage()]


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, Collector]]:
    """`installation rehearse` of The Unenclosed: panel and OSC API on free loopback ports, no camera."""
    collector = Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    level = root.level
    root.setLevel(logging.DEBUG)
    options = RuntimeOptions(
        mode="rehearse", panel_port=0, osc_port=0, audio="off", projection="off", presence="off",
        state_dir=tmp_path_factory.mktemp("state"), resume=False, watch=False, notify=False, log_file=True,
        panel_allow_hosts=(ALLOWED_NAME,),
    )
    runtime = Runtime(UNENCLOSED, options)
    runtime.start()
    try:
        yield runtime, collector
    finally:
        runtime.shutdown()
        root.removeHandler(collector)
        root.setLevel(level)


def osc_api(runtime: Runtime) -> OscControlApi:
    api = runtime.adapters.osc_api
    assert isinstance(api, OscControlApi) and api.port
    return api


def panel_port(runtime: Runtime) -> int:
    return int(runtime.adapters.panel.port)


# ---- OSC: valid messages from the API's own vocabulary, then mutated ----


def _random_arg(rng: random.Random) -> Any:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice([0, 1, -1, 2**31 - 1, -(2**31), 2**40, -(2**63)])
    if kind == 1:
        return rng.choice([0.0, 0.5, 1.0, -0.0, 1e308, -1e308, float("nan"), float("inf"),
                           rng.uniform(-2, 2)])
    if kind == 2:
        return rng.choice(["", "x", "0.5", "nan", "1e999", "../../etc/passwd", "/etc/passwd", "ü☃\u202e",
                           "recordings/opening-night.jsonl", "a" * rng.randrange(1, 3000)])
    if kind == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
    if kind == 4:
        return rng.choice([True, False, None])
    if kind == 5:
        return [_random_arg(rng) for _ in range(rng.randrange(0, 3))]
    return rng.uniform(0.0, 1.0)


def _message(rng: random.Random, addresses: list[str]) -> bytes:
    address = rng.choice(addresses)
    args = [_random_arg(rng) for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))]
    while True:
        builder = OscMessageBuilder(address=address)
        for arg in args:
            builder.add_arg(arg)
        try:
            return bytes(builder.build().dgram)
        except (OverflowError, BuildError):  # 1e308 as a 32-bit float, an empty blob: leave args out
            args.pop()


def _bundle(elements: list[bytes], rng: random.Random) -> bytes:
    out = b"#bundle\x00" + struct.pack(">Q", rng.choice([1, 0, 2**64 - 1]))
    for element in elements:
        out += struct.pack(">i", len(element)) + element
    return out


def _mutate(packet: bytes, rng: random.Random) -> bytes:
    data = bytearray(packet)
    for _ in range(rng.randrange(1, 4)):
        how = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if how == 0 and data:  # flip a byte
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif how == 1:  # truncate
            del data[at:]
        elif how == 2:  # insert junk
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        elif how == 3 and len(data) >= 8:  # a size or an int that lies
            spot = rng.randrange(0, len(data) - 3) & ~3
            data[spot:spot + 4] = struct.pack(">i", rng.choice([-1, 0, 3, 2**31 - 1, len(data), 400]))
        elif how == 4:  # a type tag that does not belong
            comma = data.find(b",")
            if comma >= 0 and comma + 1 < len(data):
                data[comma + 1] = ord(rng.choice("ifdsbhtTFNIcrm[]Q\x00x"))
        else:  # duplicate a stretch
            data[at:at] = data[rng.randrange(len(data) + 1):][:16]
    return bytes(data)


def osc_packets(addresses: list[str], n: int, seed: int = 13) -> Iterator[bytes]:
    """`n` packets: 1 in 5 valid, the rest mutated valid ones, bundles, junk and hostile sizes."""
    rng = random.Random(seed)
    for i in range(n):
        roll = rng.random()
        if roll < 0.2:
            yield _message(rng, addresses)
        elif roll < 0.7:
            yield _mutate(_message(rng, addresses), rng)
        elif roll < 0.85:
            elements = [_message(rng, addresses) for _ in range(rng.randrange(1, 4))]
            bundle = _bundle(elements, rng)
            for _ in range(rng.randrange(0, 3)):  # nested (sometimes too deep)
                bundle = _bundle([bundle], rng)
            yield bundle if rng.random() < 0.5 else _mutate(bundle, rng)
        elif roll < 0.95:
            yield bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        elif i % 7 == 0:  # a few huge ones: long addresses, deep arrays, big blobs
            yield rng.choice([
                bytes(OscMessageBuilder("/" + "x" * rng.randrange(300, 60_000)).build().dgram),
                _with_tags(b"/go", b"[" * 5000 + b"]" * 5000),
                bytes(OscMessageBuilder("/show/skip").build().dgram)[:-4] + b",b\x00\x00"
                + struct.pack(">i", 40_000) + bytes(40_000),
            ])
        else:
            yield b"/" + bytes(rng.randrange(32, 127) for _ in range(rng.randrange(1, 50)))


def _with_tags(address: bytes, tags: bytes) -> bytes:
    def pad(b: bytes) -> bytes:
        b += b"\x00"
        return b + b"\x00" * (-len(b) % 4)
    return pad(address) + pad(b"," + tags)


def _expected_replies(packet: bytes) -> int:
    try:
        return len(parse_packet(packet))
    except ValueError:
        return 0


def test_osc_fuzz_every_packet_is_handled_and_nothing_breaks(show: tuple[Runtime, Collector]) -> None:
    runtime, collector = show
    api = osc_api(runtime)
    acts = list(runtime.state().get("acts") or [])
    params = sorted(runtime.param_names())
    addresses = [
        "/go", "/stop", "/panic", "/pause", "/resume", "/thump", "/version", "/state", "/health", "/log",
        "/act", "/cues", "/selected", "/params", "/replays", "/presence", "/replay", "/connect",
        "/disconnect", "/visitor/add", "/visitor/v1/move", "/visitor/v2/remove", "/show/skip", "/no/such",
        "/command/show/skip", "/workspace/W1/go", "/cue/selected/start", "/cue/x/load", "/select/x",
        *(f"/act/{a}" for a in acts), *(f"/param/{p}" for p in params[:8]),
    ]
    fuzz = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sentinel = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    thump = bytes(OscMessageBuilder("/thump").build().dgram)
    target = ("127.0.0.1", api.port)
    sent = answered = 0
    try:
        fuzz.bind(("127.0.0.1", 0))
        sentinel.settimeout(ANSWER_S)
        for packet in osc_packets(addresses, OSC_PACKETS):
            fuzz.sendto(packet, target)
            sent += 1
            sentinel.sendto(thump, target)  # handled after the packet: its answer means the packet is done
            assert sentinel.recv(65535).startswith(b"/reply/thump\x00"), f"packet {sent}"
            fuzz.setblocking(False)
            replies = []
            while True:
                try:
                    replies.append(fuzz.recv(65535))
                except BlockingIOError:
                    break
            fuzz.setblocking(True)
            assert len(replies) == _expected_replies(packet), (sent, packet[:80])
            for data in replies:  # every reply is one well-formed message with a JSON body
                body = json.loads(OscMessage(data).params[0])
                assert body["status"] in ("ok", "error", "denied")
            answered += len(replies)
    finally:
        fuzz.close()
        sentinel.close()
    assert sent == OSC_PACKETS
    assert api.stats.malformed > OSC_PACKETS // 3 and answered > OSC_PACKETS // 5
    assert api.stats.errors == 0
    assert collector.tracebacks() == []


# ---- websocket: commands, broken commands and things that are not commands ----

COMMANDS = ["go", "stop", "panic", "pause", "resume", "goto_act", "start_cue", "stop_cue", "select_cue",
            "command", "load_cue", "set_param", "visitor_add", "visitor_move", "visitor_remove", "replay",
            "__init__", "state", "", "GO"]
KEYS = ["name", "at_s", "path", "value", "x", "y", "id", "speed", "", "__class__"]


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice([0, 1, -1, 0.5, 1e308, -0.0, 10**30])
    if kind == 1:
        return rng.choice(["", "x", "attract", "light.wash.dimmer", "../x", "a\nb", "\u202e", "v1", "x" * 300,
                           "recordings/opening-night.jsonl"])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.uniform(-1.5, 1.5)
    if kind == 4:
        return rng.random()
    if kind == 5:
        return [_json_value(rng, depth + 1) for _ in range(rng.randrange(0, 3))]
    return {rng.choice(KEYS): _json_value(rng, depth + 1) for _ in range(rng.randrange(0, 3))}


def ws_messages(n: int, seed: int = 17) -> Iterator[str | bytes]:
    rng = random.Random(seed)
    for i in range(n):
        args = {rng.choice(KEYS): _json_value(rng) for _ in range(rng.randrange(0, 4))}
        command: dict[str, Any] = {"id": i, "cmd": rng.choice(COMMANDS), "args": args}
        if rng.random() < 0.2:
            command["id"] = _json_value(rng)
        if rng.random() < 0.1:
            command["args"] = _json_value(rng)
        text = json.dumps(command)
        roll = rng.random()
        if roll < 0.4:
            yield text
        elif roll < 0.7:  # mutate the text
            chars = list(text)
            for _ in range(rng.randrange(1, 4)):
                at = rng.randrange(len(chars) + 1)
                if rng.random() < 0.5 and chars:
                    del chars[min(at, len(chars) - 1)]
                else:
                    chars.insert(at, rng.choice('{}[]",:\\0123456789.eE-+ntfu\u00e9\u2603 '))
            yield "".join(chars)
        elif roll < 0.8:
            yield bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
        elif roll < 0.9:
            depth = rng.randrange(100, 2100)
            opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
            yield opener * depth + "1" + closer * depth  # up to ~12 KB: some are also too long
        else:
            yield rng.choice(["", "null", "[]", "{}", '"\\ud800"', "NaN", "1" * 4000, "x" * 5000,
                              '{"cmd": "go", "args": {}, "id": ' + "9" * 3000 + "}"])


def test_websocket_fuzz_every_message_is_answered_and_nothing_breaks(show: tuple[Runtime, Collector]) -> None:
    runtime, collector = show
    port = panel_port(runtime)
    answered = 0
    with ws_connect(port) as conn:
        assert ws_until(conn, lambda m: m["type"] == "hello")["type"] == "hello"
        for message in ws_messages(WS_MESSAGES):
            conn.send(message)
            result = ws_until(conn, lambda m: m["type"] == "result", limit=1000)  # each recv within 5 s
            assert result["status"] in ("ok", "error", "denied")
            answered += 1
    assert answered == WS_MESSAGES
    assert collector.tracebacks() == []


# ---- afterwards: both surfaces answer, health counts what was refused, nothing was logged broken ----


def test_after_the_fuzz_the_show_still_answers_and_health_counts_the_refusals(
        show: tuple[Runtime, Collector]) -> None:
    runtime, collector = show
    api = osc_api(runtime)
    status, _, body = http(panel_port(runtime), "/health")
    assert status in (200, 503)
    items = {item["name"]: item for item in json.loads(body)["adapters"]}
    detail = items["osc-control"]["detail"]
    assert items["osc-control"]["state"] == "ok"
    assert f"{api.stats.malformed} malformed packets" in detail
    assert f"{api.stats.unknown} unknown addresses" in detail
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(ANSWER_S)
        client.sendto(bytes(OscMessageBuilder("/version").build().dgram), ("127.0.0.1", api.port))
        assert json.loads(OscMessage(client.recv(65535)).params[0])["status"] == "ok"
    with ws_connect(panel_port(runtime)) as conn:
        conn.send(json.dumps({"id": 1, "cmd": "resume"}))
        assert ws_until(conn, lambda m: m["type"] == "result")["id"] == 1
    assert collector.tracebacks() == []
    log_files = list(runtime.state_dir.glob("logs/*.log*"))
    assert log_files
    for path in log_files:
        assert "Traceback" not in path.read_text(encoding="utf-8", errors="replace")


def test_a_rehearsal_holds_at_most_max_visitors(show: tuple[Runtime, Collector]) -> None:
    runtime, _ = show
    while len(runtime.visitors()) < MAX_VISITORS:
        assert runtime.visitor_add(0.5, 0.5, source="test").ok
    refused = runtime.visitor_add(0.5, 0.5, source="test")
    assert refused.status == "error" and f"already {MAX_VISITORS} simulated visitors" in refused.message
    assert len(runtime.visitors()) == MAX_VISITORS


def test_the_panel_answers_to_the_names_the_operator_allows(show: tuple[Runtime, Collector]) -> None:
    runtime, _ = show
    port = panel_port(runtime)
    assert http(port, "/api/state", host=ALLOWED_NAME)[0] == 200
    assert http(port, "/api/state", host="127.attacker.example")[0] == 403


def test_panel_allow_host_on_the_command_line_reaches_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    import installation.runtime
    from installation.cli import build_parser

    seen: list[RuntimeOptions] = []

    class Recorder:
        def __init__(self, _show: Path, options: RuntimeOptions) -> None:
            seen.append(options)

        def run_forever(self) -> int:
            return 0

    monkeypatch.setattr(installation.runtime, "Runtime", Recorder)
    args = build_parser().parse_args(["rehearse", str(UNENCLOSED), "--panel-allow-host", "show-pc.local",
                                      "--panel-allow-host", "10.0.0.5"])
    assert args.func(args) == 0
    assert seen[0].panel_allow_hosts == ("show-pc.local", "10.0.0.5")
