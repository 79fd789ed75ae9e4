"""An OSC console / media server listening on UDP: records every message, bundles unpacked."""

from __future__ import annotations

import select
import socket
import time
from typing import Any

from pythonosc.osc_packet import OscPacket, ParseError

from installation.sim.base import Now, Simulator

KEEP_MAX = 20_000  # newest raw items kept for inspection
EMPTY_BUNDLE_SIZE = 16  # "#bundle\0" and a timetag, no elements: a sender's heartbeat

class OscConsoleSim(Simulator):
    """Receives OSC on 127.0.0.1:port (0 = a free port); `values` holds the last arguments per address."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, now: Now = time.monotonic) -> None:
        super().__init__(f"osc:{host}", now=now)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        self.host = host
        self.port = self._sock.getsockname()[1]
        self.values: dict[str, tuple[Any, ...]] = {}
        self.datagrams: list[bytes] = []
        self.bundles = 0
        self.heartbeats = 0
        self.bad_packets = 0

    def start(self) -> None:
        self._start_thread(self._loop)

    def stop(self) -> None:
        self._stop_thread()
        self._sock.close()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            readable, _, _ = select.select([self._sock], [], [], 0.05)
            if not readable:
                continue
            try:
                data = self._sock.recv(65536)
            except OSError:
                continue
            if len(data) == EMPTY_BUNDLE_SIZE and data.startswith(b"#bundle\x00"):
                with self._cond:  # carries nothing: kept out of the records, datagrams and bundles
                    self.heartbeats += 1
                    self._cond.notify_all()
                continue
            self.datagrams.append(data)
            if len(self.datagrams) > KEEP_MAX:  # a months-long rehearsal must not grow forever
                del self.datagrams[: KEEP_MAX // 2]
            try:
                packet = OscPacket(data)
            except ParseError as exc:
                self.bad_packets += 1
                self.record("bad-packet", str(exc))
                continue
            in_bundle = data.startswith(b"#bundle")
            self.bundles += in_bundle
            for timed in packet.messages:
                msg = timed.message
                self.values[msg.address] = tuple(msg.params)
                self.record("osc", (msg.address, tuple(msg.params), in_bundle))

    def messages(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(r.detail[0], r.detail[1]) for r in self.of_kind("osc")]

    def state(self) -> dict[str, Any]:
        return {**super().state(), "port": self.port, "values": dict(self.values)}
