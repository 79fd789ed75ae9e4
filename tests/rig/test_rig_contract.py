"""Each real transport talking to its simulator over a real pty or UDP socket; bytes checked literally."""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import numpy as np
import pytest
from rig_helpers import poll

from installation.adapters import HealthState
from installation.rig.output import RigOutput
from installation.rig.rigfile import DmxOutput, OscEndpoint, SerialDevice
from installation.rig.transports import ArtNetSender, EnttecUsbPro, OscSender, SacnSender, SerialLine
from installation.rig.wire import GET_WIDGET_PARAMS
from installation.sim.dmxnode import DmxNodeSim
from installation.sim.enttec import EnttecWidgetSim
from installation.sim.osc import OscConsoleSim
from installation.sim.rehearsal import SimulatedRig
from installation.sim.serialdev import SerialDeviceSim


@pytest.fixture
def widget(short_tmp: Path):
    sim = EnttecWidgetSim(short_tmp / "enttec")
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def node():
    sim = DmxNodeSim()
    sim.start()
    yield sim
    sim.stop()


def one_universe(**channels: int) -> np.ndarray:
    u = np.zeros((1, 512), dtype=np.uint8)
    for k, v in channels.items():
        u[0, int(k[1:]) - 1] = v
    return u


def test_enttec_identifies_the_widget_then_sends_label_6(widget):
    t = EnttecUsbPro(DmxOutput("usb", "enttec-usb-pro", (1,), port=widget.port))
    t.start()
    try:
        assert poll(lambda: t.health().state == HealthState.OK)
        assert t.health().detail.startswith("Enttec DMX USB Pro firmware 1.44 on ")
        t.submit(one_universe(c1=255, c2=128, c512=7), np.array([True]))
        assert widget.wait_for(lambda: widget.channels(1, 2) == [255, 128])
        expected = bytes([0x7E, 0x06, 0x01, 0x02, 0x00, 255, 128]) + bytes(509) + bytes([7, 0xE7])
        assert bytes(widget.received[:7]) == GET_WIDGET_PARAMS
        assert expected in bytes(widget.received)
        assert widget.of_kind("get-params")[0].detail == b"\x00\x00"
        assert widget.bad_packets == 0
    finally:
        t.stop()


def test_enttec_reports_a_device_that_does_not_answer_label_3(short_tmp):
    mute = EnttecWidgetSim(short_tmp / "mute", answers=False)
    mute.start()
    t = EnttecUsbPro(DmxOutput("usb", "enttec-usb-pro", (1,), port=mute.port))
    t.start()
    try:
        assert t.health().detail == "connecting"
        assert poll(lambda: "no answer to Get Widget Parameters (label 3)" in t.health().detail)
        assert t.health().state == HealthState.DEGRADED
        t.submit(one_universe(c3=9), np.array([True]))
        assert mute.wait_for(lambda: mute.channels(3, 1) == [9])  # it still sends
    finally:
        t.stop()
        mute.stop()


def test_enttec_missing_port_is_down_with_the_path_and_a_fix(short_tmp):
    t = EnttecUsbPro(DmxOutput("usb", "enttec-usb-pro", (1,), port=str(short_tmp / "nothing")))
    t.start()
    try:
        assert poll(lambda: t.health().state == HealthState.DOWN and "retrying" in t.health().detail)
        assert str(short_tmp / "nothing") in t.health().detail
        assert "is the widget plugged in?" in t.health().detail
    finally:
        t.stop()


def test_artnet_sends_artdmx_with_increasing_sequence_and_polls_the_node(node):
    out = DmxOutput("strip", "artnet", (2, 3), host="127.0.0.1", udp_port=node.artnet_port, net_universe=0x10)
    t = ArtNetSender(out)
    t.start()
    try:
        frames = np.zeros((2, 512), dtype=np.uint8)
        frames[0, 0], frames[1, 511] = 200, 99
        t.submit(frames, np.array([True, True]))
        assert node.wait_for(lambda: node.artnet(0x10)[0] == 200 and node.artnet(0x11)[511] == 99)
        frames[0, 0] = 201
        t.submit(frames, np.array([True, False]))
        assert node.wait_for(lambda: node.artnet(0x10)[0] == 201)
        dmx = [raw for kind, raw in node.raw if kind == "artnet" and raw[8:10] == b"\x00\x50"]
        first = next(raw for raw in dmx if raw[18] == 200)
        # ID, OpDmx (LE), version 14, sequence (any), physical 0, SubUni 0x10, Net 0, length 512 (BE)
        assert first[:12] == b"Art-Net\x00" + bytes([0x00, 0x50, 0x00, 0x0E])
        assert first[13:18] == bytes([0, 0x10, 0x00, 0x02, 0x00])
        assert len(first) == 530 and first[18] == 200
        seqs = [raw[12] for raw in dmx if raw[14] == 0x10]
        assert seqs[0] == 1 and all(b == a % 255 + 1 for a, b in itertools.pairwise(seqs))
        polls = [raw for kind, raw in node.raw if kind == "artnet" and raw[8:10] == b"\x00\x20"]
        assert polls and polls[0] == b"Art-Net\x00" + bytes([0x00, 0x20, 0x00, 0x0E, 0x02, 0x10])
        assert poll(lambda: t.nodes.get("127.0.0.1") == "SimNode")
    finally:
        t.stop()


def test_sacn_sends_e131_keeps_alive_and_terminates_the_stream(node):
    out = DmxOutput(
        "haze", "sacn", (3,), host="127.0.0.1", udp_port=node.sacn_port, net_universe=3, priority=120
    )
    # a frozen show clock (tests, `installation test`) only stamps health: the wire keeps real time
    t = SacnSender(out, source_name="gallery", cid=bytes(range(16)), keepalive_s=0.1, now=lambda: 100.0)
    t.start()
    try:
        t.submit(one_universe(c1=77), np.array([True]))
        assert node.wait_for(lambda: node.sacn(3)[0] == 77)
        raw = next(r for k, r in node.raw if k == "sacn" and r[126] == 77)
        assert raw[:16] == bytes([0x00, 0x10, 0x00, 0x00]) + b"ASC-E1.17\x00\x00\x00"
        assert raw[22:38] == bytes(range(16))
        assert raw[44:52] == b"gallery\x00" and raw[108] == 120
        assert struct.unpack(">H", raw[113:115])[0] == 3 and raw[126] == 77
        sent = len(node.of_kind("sacn"))
        # nothing changes, yet the source keeps sending so receivers do not time out
        assert node.wait_for(lambda: len(node.of_kind("sacn")) >= sent + 3, timeout_s=2.0)
        seqs = [r.detail[1] for r in node.of_kind("sacn")]
        assert seqs == list(range(1, len(seqs) + 1))
        assert node.sacn_sources[3] == ("gallery", 120)
        assert t.health().since == 100.0
    finally:
        t.stop()
    assert node.wait_for(lambda: 3 in node.terminated)
    assert SacnSender(out).keepalive_s == 1.0


def test_osc_messages_and_bundles_have_typed_arguments():
    console = OscConsoleSim()
    console.start()
    t = OscSender(OscEndpoint("media", "127.0.0.1", console.port))
    t.start()
    try:
        from installation.rig.transports import osc_datagram

        t.send(osc_datagram([("/scene/start", [1, 0.5, "biodome", True, None])], bundle=False))
        assert console.wait_for(lambda: "/scene/start" in console.values)
        assert console.datagrams[0] == (
            b"/scene/start\x00\x00\x00\x00,ifsTN\x00\x00"
            + struct.pack(">i", 1)
            + struct.pack(">f", 0.5)
            + b"biodome\x00"
        )
        assert console.values["/scene/start"] == (1, 0.5, "biodome", True, None)
        t.send(osc_datagram([("/a", [0.25]), ("/b", [2])], bundle=True))
        assert console.wait_for(lambda: "/b" in console.values)
        bundle = console.datagrams[1]
        assert bundle[:16] == b"#bundle\x00" + bytes([0, 0, 0, 0, 0, 0, 0, 1])  # timetag: immediately
        assert bundle[16:20] == struct.pack(">i", 12) and bundle[
            20:32
        ] == b"/a\x00\x00,f\x00\x00" + struct.pack(">f", 0.25)
        assert console.bundles == 1 and console.values["/a"] == (0.25,)
        assert t.health().state == HealthState.OK
    finally:
        t.stop()
        console.stop()


def test_serial_line_device_gets_lines_and_ok_answers(short_tmp):
    sim = SerialDeviceSim(short_tmp / "fan")
    sim.start()
    dev = SerialDevice("fan", sim.port, commands={"speed": "SPEED {0}"}, reply="^OK")
    t = SerialLine(dev)
    t.start()
    try:
        assert poll(lambda: t.connected)
        t.send_line("SPEED 40")
        t.send_line("SPEED 41", key="serial.fan.speed")
        assert sim.wait_for(lambda: sim.lines == ["SPEED 40", "SPEED 41"])
        assert sim.commands["SPEED"] == ["41"]
        assert poll(lambda: t.replies == ["OK", "OK"])
        assert t.health().state == HealthState.OK and t.bad_replies == 0
    finally:
        t.stop()
        sim.stop()


def test_rig_output_drives_every_simulator_of_the_gallery(gallery):
    sims = SimulatedRig(gallery)
    out = RigOutput(sims.start())
    out.open()
    try:
        assert poll(lambda: all(h.state == HealthState.OK for h in out.health()), timeout_s=3.0)
        out.update(
            {
                "light.wash.dimmer": 0.5,
                "light.wash.color": 0.0,
                "light.strip.blue": 1.0,
                "light.haze.output": 0.5,
                "osc.media.brightness": 0.8,
                "osc.media.speed": 0.1,
                "serial.fan.speed": 1.0,
            },
            0.0,
        )
        out.send_osc("media", "clip", [1], {"layer": 2, "clip": 5})
        out.send_serial("fan", "stop")
        assert poll(lambda: sims.received_universe(1)[0] == 128)
        assert poll(lambda: sims.received_universe(2)[2] == 255 and sims.received_universe(3)[0] == 128)
        assert sims.received_universe(1) == out.universe(1)
        console = sims.consoles["media"]
        assert console.wait_for(lambda: "/layer/2/clip/5/connect" in console.values)
        assert console.values["/composition/master"] == pytest.approx((0.8,))
        assert console.bundles == 1  # the two params that changed in one frame went out as one bundle
        fan = sims.devices["fan"]
        assert fan.wait_for(lambda: fan.lines == ["SPEED 255", "STOP"])
        out.update({"osc.media.brightness": 0.8}, 0.1)  # unchanged: not sent again
        assert out.send_osc("media", "nope", []) is False
        assert out.send_serial("fan", "speed", []) is False
        states = {s.name: s for s in out.fixture_states()}
        assert states["strip4"].rgb == (0.0, 0.0, 1.0) and states["strip4"].intensity == 1.0
        assert states["wash1"].intensity == pytest.approx(0.5) and states["wash1"].position == (0.15, 0.2)
        assert states["spot1"].rgb == (1.0, 1.0, 1.0)
        assert set(sims.state()) == {"dmx", "osc", "serial"}
    finally:
        out.close()
        sims.stop()
    assert all(h.state == HealthState.OFF for h in out.health())
