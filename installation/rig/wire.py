"""Byte layouts of the DMX protocols: Enttec DMX USB Pro, Art-Net 4 (ArtDmx, ArtPoll, ArtPollReply), E1.31.

Pure codecs shared by the transports and the simulators. Packet classes keep one preallocated buffer
and only overwrite the data and sequence bytes per frame.
"""

from __future__ import annotations

import socket
import struct
import uuid
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------- Enttec DMX USB Pro (API 1.44)

ENTTEC_START = 0x7E
ENTTEC_END = 0xE7
LABEL_GET_PARAMS = 3  # Get Widget Parameters: request [config size LSB, MSB]; reply firmware, timings
LABEL_RECEIVED_DMX = 5
LABEL_SEND_DMX = 6  # Output Only Send DMX Packet: [start code, up to 512 channels]
LABEL_SERIAL = 10  # Get Widget Serial Number


def enttec_frame(label: int, payload: bytes = b"") -> bytes:
    """One widget message: 0x7E, label, length LSB/MSB, payload, 0xE7."""
    n = len(payload)
    if n > 600:
        raise ValueError(f"Enttec payload of {n} bytes is longer than 600")
    return bytes((ENTTEC_START, label, n & 0xFF, n >> 8)) + bytes(payload) + bytes((ENTTEC_END,))


GET_WIDGET_PARAMS = enttec_frame(LABEL_GET_PARAMS, b"\x00\x00")


@dataclass(frozen=True, slots=True)
class WidgetParams:
    """The widget's answer to Get Widget Parameters."""

    firmware: tuple[int, int]  # (major = MSB, minor = LSB)
    break_time_us: float  # units of 10.67 µs in the reply
    mab_time_us: float
    rate_hz: int  # 0 = as fast as possible

    @staticmethod
    def parse(payload: bytes) -> WidgetParams:
        if len(payload) < 5:
            raise ValueError(f"Get Widget Parameters reply has {len(payload)} bytes, expected at least 5")
        return WidgetParams((payload[1], payload[0]), payload[2] * 10.67, payload[3] * 10.67, payload[4])

    def encode(self) -> bytes:
        return bytes(
            (
                self.firmware[1],
                self.firmware[0],
                round(self.break_time_us / 10.67),
                round(self.mab_time_us / 10.67),
                self.rate_hz,
            )
        )


class EnttecParser:
    """Splits a byte stream into (label, payload) messages; skips noise between messages."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0  # bytes thrown away as noise

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buf += data
        out: list[tuple[int, bytes]] = []
        buf = self._buf
        while True:
            start = buf.find(ENTTEC_START)
            if start < 0:
                self.skipped += len(buf)
                buf.clear()
                break
            if start:
                self.skipped += start
                del buf[:start]
            if len(buf) < 4:
                break
            n = buf[2] | (buf[3] << 8)
            if n > 600:  # not a real header: drop the start byte and resync
                self.skipped += 1
                del buf[:1]
                continue
            if len(buf) < 5 + n:
                break
            if buf[4 + n] != ENTTEC_END:
                self.skipped += 1
                del buf[:1]
                continue
            out.append((buf[1], bytes(buf[4 : 4 + n])))
            del buf[: 5 + n]
        return out


class EnttecDmxPacket:
    """A label-6 packet for a full universe: 0x7E 0x06 0x01 0x02 0x00 + 512 channels + 0xE7 (518 bytes)."""

    SIZE = 518

    def __init__(self) -> None:
        self.buffer = bytearray(enttec_frame(LABEL_SEND_DMX, bytes(513)))
        self._data = np.frombuffer(self.buffer, dtype=np.uint8)[5:517]

    def set_data(self, channels: np.ndarray) -> None:
        self._data[:] = channels


# ---------------------------------------------------------------- Art-Net 4

ARTNET_ID = b"Art-Net\x00"
ARTNET_VERSION = 14
OP_POLL = 0x2000
OP_POLL_REPLY = 0x2100
OP_DMX = 0x5000


def split_port_address(port_address: int) -> tuple[int, int]:
    """15-bit Port-Address → (Net, SubUni) bytes as ArtDmx carries them."""
    if not 0 <= port_address <= 0x7FFF:
        raise ValueError(f"Art-Net port-address {port_address} is outside 0..32767")
    return port_address >> 8, port_address & 0xFF


class ArtDmxPacket:
    """An ArtDmx packet (530 bytes): header, sequence 1..255 (wraps, never 0), port-address, 512 channels."""

    SIZE = 530

    def __init__(self, port_address: int, physical: int = 0) -> None:
        net, sub_uni = split_port_address(port_address)
        self.buffer = bytearray(
            ARTNET_ID
            + struct.pack("<H", OP_DMX)
            + struct.pack(">H", ARTNET_VERSION)
            + bytes((0, physical, sub_uni, net))
            + struct.pack(">H", 512)
            + bytes(512)
        )
        self._data = np.frombuffer(self.buffer, dtype=np.uint8)[18:530]
        self.sequence = 0

    def set_data(self, channels: np.ndarray) -> None:
        self._data[:] = channels

    def next_sequence(self) -> int:
        self.sequence = self.sequence % 255 + 1
        self.buffer[12] = self.sequence
        return self.sequence


def artpoll(flags: int = 0x02, diag_priority: int = 0x10) -> bytes:
    """ArtPoll: flags bit 1 = send ArtPollReply whenever the node's state changes."""
    return (
        ARTNET_ID
        + struct.pack("<H", OP_POLL)
        + struct.pack(">H", ARTNET_VERSION)
        + bytes((flags, diag_priority))
    )


@dataclass(frozen=True, slots=True)
class ArtNetMessage:
    """A decoded Art-Net packet: opcode and the fields this program uses."""

    opcode: int
    sequence: int = 0
    port_address: int = 0
    data: bytes = b""
    short_name: str = ""
    long_name: str = ""
    ip: str = ""


def parse_artnet(packet: bytes) -> ArtNetMessage:
    """Decode ArtDmx, ArtPoll and ArtPollReply; ValueError for anything that is not Art-Net."""
    if len(packet) < 10 or packet[:8] != ARTNET_ID:
        raise ValueError("not an Art-Net packet (no 'Art-Net\\0' header)")
    opcode = struct.unpack_from("<H", packet, 8)[0]
    if opcode == OP_DMX:
        if len(packet) < 18:
            raise ValueError("ArtDmx shorter than its header")
        length = struct.unpack_from(">H", packet, 16)[0]
        if length < 2 or length > 512 or length % 2 or len(packet) < 18 + length:
            raise ValueError(f"ArtDmx length {length} is invalid")
        return ArtNetMessage(
            opcode,
            sequence=packet[12],
            port_address=(packet[15] << 8) | packet[14],
            data=bytes(packet[18 : 18 + length]),
        )
    if opcode == OP_POLL_REPLY:
        if len(packet) < 108:
            raise ValueError("ArtPollReply too short")
        ip = socket.inet_ntoa(packet[10:14])
        short = packet[26:44].split(b"\x00", 1)[0].decode("ascii", "replace")
        long_ = packet[44:108].split(b"\x00", 1)[0].decode("ascii", "replace")
        return ArtNetMessage(opcode, short_name=short, long_name=long_, ip=ip)
    return ArtNetMessage(opcode)


def artpoll_reply(
    ip: str, short_name: str, long_name: str, port_addresses: list[int], output: bool = True
) -> bytes:
    """ArtPollReply (239 bytes) describing up to 4 ports of one Net/Sub-Net."""
    pkt = bytearray(239)
    pkt[0:8] = ARTNET_ID
    struct.pack_into("<H", pkt, 8, OP_POLL_REPLY)
    pkt[10:14] = socket.inet_aton(ip)
    struct.pack_into("<H", pkt, 14, 6454)
    struct.pack_into(">H", pkt, 16, 1)  # firmware version
    ports = port_addresses[:4]
    if ports:
        pkt[18] = (ports[0] >> 8) & 0x7F  # NetSwitch
        pkt[19] = (ports[0] >> 4) & 0x0F  # SubSwitch
    pkt[23] = 0xD0  # Status1: indicators normal, port-address programmed by front panel
    pkt[26 : 26 + 17] = short_name.encode("ascii", "replace")[:17].ljust(17, b"\x00")
    pkt[44 : 44 + 63] = long_name.encode("ascii", "replace")[:63].ljust(63, b"\x00")
    struct.pack_into(">H", pkt, 172, len(ports))
    for i, pa in enumerate(ports):
        pkt[174 + i] = 0x80 if output else 0x40  # port type: DMX512, output or input
        pkt[182 + i] = 0x80  # GoodOutput: data is being transmitted
        pkt[190 + i] = pa & 0x0F  # SwOut
    pkt[200] = 0x00  # StNode
    return bytes(pkt)


# ---------------------------------------------------------------- E1.31 (sACN)

ACN_ID = b"ASC-E1.17\x00\x00\x00"
E131_SIZE = 638
VECTOR_ROOT_E131_DATA = 0x00000004
VECTOR_E131_DATA_PACKET = 0x00000002
VECTOR_DMP_SET_PROPERTY = 0x02
OPTION_STREAM_TERMINATED = 0x40


def sacn_multicast_group(universe: int) -> str:
    """239.255.<hi>.<lo> for a universe."""
    return f"239.255.{universe >> 8}.{universe & 0xFF}"


def stable_cid(*names: str) -> bytes:
    """A component id that stays the same across restarts for the same rig and output."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "installation:" + "/".join(names)).bytes


class E131Packet:
    """An E1.31 data packet for a full universe (638 bytes); only sequence, options and data change."""

    SIZE = E131_SIZE

    def __init__(self, universe: int, cid: bytes, source_name: str, priority: int = 100) -> None:
        if not 1 <= universe <= 63999:
            raise ValueError(f"sACN universe {universe} is outside 1..63999")
        if len(cid) != 16:
            raise ValueError("CID must be 16 bytes")
        if not 0 <= priority <= 200:
            raise ValueError(f"sACN priority {priority} is outside 0..200")
        name = source_name.encode("utf-8")[:63].ljust(64, b"\x00")
        pkt = bytearray()
        pkt += struct.pack(">HH", 0x0010, 0x0000) + ACN_ID
        pkt += struct.pack(">HI", 0x7000 | (E131_SIZE - 16), VECTOR_ROOT_E131_DATA) + cid
        pkt += struct.pack(">HI", 0x7000 | (E131_SIZE - 38), VECTOR_E131_DATA_PACKET) + name
        pkt += struct.pack(">BHBBH", priority, 0, 0, 0, universe)
        pkt += struct.pack(">HBBHHH", 0x7000 | (E131_SIZE - 115), VECTOR_DMP_SET_PROPERTY, 0xA1, 0, 1, 513)
        pkt += bytes(513)
        assert len(pkt) == E131_SIZE
        self.buffer = pkt
        self._data = np.frombuffer(self.buffer, dtype=np.uint8)[126:638]
        self.sequence = 0

    def set_data(self, channels: np.ndarray) -> None:
        self._data[:] = channels

    def next_sequence(self, terminated: bool = False) -> int:
        self.sequence = (self.sequence + 1) & 0xFF
        self.buffer[111] = self.sequence
        self.buffer[112] = OPTION_STREAM_TERMINATED if terminated else 0
        return self.sequence


@dataclass(frozen=True, slots=True)
class E131Message:
    """A decoded E1.31 data packet."""

    universe: int
    priority: int
    sequence: int
    options: int
    source_name: str
    cid: bytes
    start_code: int
    data: bytes


def parse_e131(packet: bytes) -> E131Message:
    """Decode an E1.31 data packet; ValueError names the first thing that is wrong."""
    if len(packet) < 126:
        raise ValueError(f"E1.31 packet of {len(packet)} bytes is shorter than its headers")
    if packet[4:16] != ACN_ID:
        raise ValueError("not an ACN packet (bad packet identifier)")
    if struct.unpack_from(">I", packet, 18)[0] != VECTOR_ROOT_E131_DATA:
        raise ValueError("root vector is not E1.31 data")
    if struct.unpack_from(">I", packet, 40)[0] != VECTOR_E131_DATA_PACKET:
        raise ValueError("framing vector is not a data packet")
    if packet[117] != VECTOR_DMP_SET_PROPERTY or packet[118] != 0xA1:
        raise ValueError("DMP layer is not set-property / 0xa1")
    count = struct.unpack_from(">H", packet, 123)[0]
    if count < 1 or count > 513 or len(packet) < 125 + count:
        raise ValueError(f"property count {count} does not fit the packet")
    return E131Message(
        universe=struct.unpack_from(">H", packet, 113)[0],
        priority=packet[108],
        sequence=packet[111],
        options=packet[112],
        source_name=packet[44:108].split(b"\x00", 1)[0].decode("utf-8", "replace"),
        cid=bytes(packet[22:38]),
        start_code=packet[125],
        data=bytes(packet[126 : 125 + count]),
    )
