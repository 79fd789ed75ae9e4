"""Protocol codecs against the specs' byte layouts (literal packets), and against the sacn package."""

from __future__ import annotations

import numpy as np
import pytest
from sacn.messages.data_packet import DataPacket

from installation.rig.wire import (
    GET_WIDGET_PARAMS,
    OP_DMX,
    OP_POLL_REPLY,
    ArtDmxPacket,
    E131Packet,
    EnttecDmxPacket,
    EnttecParser,
    WidgetParams,
    artpoll,
    artpoll_reply,
    enttec_frame,
    parse_artnet,
    parse_e131,
    sacn_multicast_group,
)


def test_enttec_get_widget_parameters_request_is_label_3_with_zero_config_size():
    assert bytes([0x7E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xE7]) == GET_WIDGET_PARAMS


def test_enttec_label_6_carries_start_code_and_512_channels():
    pkt = EnttecDmxPacket()
    data = np.zeros(512, dtype=np.uint8)
    data[0], data[1], data[511] = 255, 128, 7
    pkt.set_data(data)
    assert len(pkt.buffer) == 518
    assert bytes(pkt.buffer[:7]) == bytes([0x7E, 0x06, 0x01, 0x02, 0x00, 0xFF, 0x80])  # len 513 LSB/MSB
    assert bytes(pkt.buffer[-2:]) == bytes([0x07, 0xE7])


def test_enttec_parser_resyncs_after_noise_and_splits_messages():
    parser = EnttecParser()
    reply = enttec_frame(3, bytes([44, 1, 9, 1, 40]))
    assert reply == bytes([0x7E, 0x03, 0x05, 0x00, 44, 1, 9, 1, 40, 0xE7])
    got = parser.feed(b"\x00\x13garbage" + reply[:4])
    assert got == []
    got = parser.feed(reply[4:] + enttec_frame(6, b"\x00\x01\x02"))
    assert got == [(3, bytes([44, 1, 9, 1, 40])), (6, b"\x00\x01\x02")]
    assert parser.skipped == 9
    params = WidgetParams.parse(got[0][1])
    assert params.firmware == (1, 44) and params.rate_hz == 40


def test_artdmx_header_sequence_and_port_address():
    pkt = ArtDmxPacket(port_address=0x0123)
    data = np.arange(512, dtype=np.uint16).astype(np.uint8)
    pkt.set_data(data)
    assert pkt.next_sequence() == 1
    expected_header = b"Art-Net\x00" + bytes([0x00, 0x50, 0x00, 0x0E, 0x01, 0x00, 0x23, 0x01, 0x02, 0x00])
    assert bytes(pkt.buffer[:18]) == expected_header
    assert bytes(pkt.buffer[18:22]) == bytes([0, 1, 2, 3]) and len(pkt.buffer) == 530
    for _ in range(254):
        pkt.next_sequence()
    assert pkt.sequence == 255
    assert pkt.next_sequence() == 1  # 0 would mean "sequencing disabled"; it wraps to 1
    msg = parse_artnet(bytes(pkt.buffer))
    assert (msg.opcode, msg.port_address, msg.sequence, msg.data[:3]) == (OP_DMX, 0x123, 1, bytes([0, 1, 2]))


def test_artpoll_and_reply():
    assert artpoll() == b"Art-Net\x00" + bytes([0x00, 0x20, 0x00, 0x0E, 0x02, 0x10])
    reply = artpoll_reply("127.0.0.1", "Node", "A long name", [0x12])
    assert len(reply) == 239
    assert reply[8:10] == bytes([0x00, 0x21]) and reply[10:16] == bytes([127, 0, 0, 1, 0x36, 0x19])
    msg = parse_artnet(reply)
    assert (msg.opcode, msg.short_name, msg.long_name, msg.ip) == (
        OP_POLL_REPLY,
        "Node",
        "A long name",
        "127.0.0.1",
    )
    with pytest.raises(ValueError, match="not an Art-Net packet"):
        parse_artnet(b"Art-Nyt\x00\x00\x50")


CID = bytes(range(16))


def test_e131_packet_layout_matches_the_standard():
    pkt = E131Packet(universe=3, cid=CID, source_name="installation", priority=150)
    data = np.zeros(512, dtype=np.uint8)
    data[0], data[511] = 10, 20
    pkt.set_data(data)
    pkt.next_sequence()
    b = bytes(pkt.buffer)
    assert len(b) == 638
    assert b[:16] == bytes([0x00, 0x10, 0x00, 0x00]) + b"ASC-E1.17\x00\x00\x00"
    assert b[16:22] == bytes([0x72, 0x6E, 0x00, 0x00, 0x00, 0x04])  # root flags+length 622, vector data
    assert b[22:38] == CID
    assert b[38:44] == bytes([0x72, 0x58, 0x00, 0x00, 0x00, 0x02])  # framing flags+length 600
    assert b[44:57] == b"installation\x00" and b[107] == 0
    assert b[108:115] == bytes([150, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03])  # prio, sync, seq 1, options, univ
    assert b[115:126] == bytes([0x72, 0x0B, 0x02, 0xA1, 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00])
    assert b[126] == 10 and b[637] == 20
    msg = parse_e131(b)
    assert (msg.universe, msg.priority, msg.sequence, msg.source_name) == (3, 150, 1, "installation")
    assert sacn_multicast_group(3) == "239.255.0.3" and sacn_multicast_group(0x1234) == "239.255.18.52"


def test_e131_packet_equals_the_sacn_packages_packet():
    ours = E131Packet(universe=7, cid=CID, source_name="gallery", priority=100)
    data = np.arange(512, dtype=np.uint16).astype(np.uint8)
    ours.set_data(data)
    ours.next_sequence()
    theirs = DataPacket(
        cid=tuple(CID),
        sourceName="gallery",
        universe=7,
        dmxData=tuple(int(v) for v in data),
        priority=100,
        sequence=1,
    )
    assert bytes(ours.buffer) == bytes(theirs.getBytes())
    decoded = DataPacket.make_data_packet(bytes(ours.buffer))
    assert decoded.universe == 7 and decoded.dmxData[:4] == (0, 1, 2, 3)


def test_e131_stream_terminated_option():
    pkt = E131Packet(universe=1, cid=CID, source_name="x")
    pkt.next_sequence(terminated=True)
    assert parse_e131(bytes(pkt.buffer)).options == 0x40
