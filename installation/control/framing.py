"""OSC over a byte stream: SLIP (RFC 1055, double END, OSC 1.1 and QLab 5) or OSC 1.0's size prefix.

Pure codec functions (tested against literal bytes) and `StreamDecoder`, which finds out which framing
a TCP client speaks from its first byte (SLIP starts with END, 0xC0; a size prefix of a packet under
16 MiB starts with 0x00) and answers in the same framing, as liblo does.
"""

from __future__ import annotations

import struct
from typing import Literal

END = 0xC0
ESC = 0xDB
ESC_END = 0xDC
ESC_ESC = 0xDD

Framing = Literal["slip", "size"]


def slip_encode(packet: bytes) -> bytes:
    """One packet as a double-END SLIP frame."""
    body = packet.replace(bytes([ESC]), bytes([ESC, ESC_ESC])).replace(bytes([END]), bytes([ESC, ESC_END]))
    return bytes([END]) + body + bytes([END])


def slip_decode(frame: bytes) -> bytes:
    """The packet inside one SLIP frame (without its END bytes); ValueError on a bad escape."""
    out = bytearray()
    escaped = False
    for byte in frame:
        if escaped:
            if byte == ESC_END:
                out.append(END)
            elif byte == ESC_ESC:
                out.append(ESC)
            else:
                raise ValueError(f"SLIP: ESC followed by 0x{byte:02x}")
            escaped = False
        elif byte == ESC:
            escaped = True
        else:
            out.append(byte)
    if escaped:
        raise ValueError("SLIP: frame ends in ESC")
    return bytes(out)


def size_encode(packet: bytes) -> bytes:
    """One packet with OSC 1.0's 4-byte big-endian size before it."""
    return struct.pack(">I", len(packet)) + packet


def encode(packet: bytes, framing: Framing) -> bytes:
    return slip_encode(packet) if framing == "slip" else size_encode(packet)


class StreamDecoder:
    """Bytes in, whole packets out; raises ValueError when the stream cannot be OSC (then drop it)."""

    def __init__(self, max_packet: int) -> None:
        self.max_packet = max_packet
        self.framing: Framing | None = None
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the packets now complete, in order."""
        self._buf += data
        if self.framing is None and self._buf:
            self.framing = "slip" if self._buf[0] == END else "size"
        return self._slip() if self.framing == "slip" else self._sized()

    def _slip(self) -> list[bytes]:
        packets = []
        while True:
            at = self._buf.find(END)
            if at < 0:
                break
            frame = bytes(self._buf[:at])
            del self._buf[:at + 1]
            if frame:  # empty between two ENDs: the double-END framing's start marker
                packets.append(slip_decode(frame))
        if len(self._buf) > 2 * self.max_packet:
            raise ValueError(f"SLIP: no END in {len(self._buf)} bytes")
        return packets

    def _sized(self) -> list[bytes]:
        packets = []
        while len(self._buf) >= 4:
            (size,) = struct.unpack(">I", self._buf[:4])
            if size == 0 or size > self.max_packet:
                raise ValueError(f"packet size {size} (at most {self.max_packet})")
            if len(self._buf) < 4 + size:
                break
            packets.append(bytes(self._buf[4:4 + size]))
            del self._buf[:4 + size]
        return packets
