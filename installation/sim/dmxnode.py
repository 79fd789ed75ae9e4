"""An Art-Net / sACN node on UDP loopback: keeps every universe it receives and answers ArtPoll."""

from __future__ import annotations

import collections
import select
import socket
import time
from typing import Any

import numpy as np

from installation.rig.wire import (
    OP_DMX,
    OP_POLL,
    artpoll_reply,
    parse_artnet,
    parse_e131,
)
from installation.sim.base import Now, Simulator


class DmxNodeSim(Simulator):
    """Listens for ArtDmx and E1.31 on two UDP ports (0 = pick free ones) and keeps the received universes."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        artnet_port: int = 0,
        sacn_port: int = 0,
        now: Now = time.monotonic,
        short_name: str = "SimNode",
    ) -> None:
        super().__init__(f"dmxnode:{host}", now=now)
        self.host = host
        self.short_name = short_name
        self._artnet = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._artnet.bind((host, artnet_port))
        self._sacn = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sacn.bind((host, sacn_port))
        self.artnet_port = self._artnet.getsockname()[1]
        self.sacn_port = self._sacn.getsockname()[1]
        self.artnet_universes: dict[int, np.ndarray] = {}  # port-address → channels
        self.sacn_universes: dict[int, np.ndarray] = {}
        self.sacn_sources: dict[int, tuple[str, int]] = {}  # universe → (source name, priority)
        self.terminated: set[int] = set()
        self.polls = 0
        self.bad_packets = 0
        self.raw: collections.deque[tuple[str, bytes]] = collections.deque(
            maxlen=4096
        )  # ("artnet"|"sacn", bytes)

    def start(self) -> None:
        self._start_thread(self._loop)

    def stop(self) -> None:
        self._stop_thread()
        self._artnet.close()
        self._sacn.close()

    def _loop(self) -> None:
        socks = [self._artnet, self._sacn]
        while not self._stopping.is_set():
            readable, _, _ = select.select(socks, [], [], 0.05)
            for sock in readable:
                try:
                    data, peer = sock.recvfrom(2048)
                except OSError:
                    continue
                if sock is self._artnet:
                    self.raw.append(("artnet", data))
                    self._on_artnet(data, peer)
                else:
                    self.raw.append(("sacn", data))
                    self._on_sacn(data)

    def _on_artnet(self, data: bytes, peer: tuple[str, int]) -> None:
        try:
            msg = parse_artnet(data)
        except ValueError as exc:
            self.bad_packets += 1
            self.record("bad-packet", str(exc))
            return
        if msg.opcode == OP_DMX:
            u = self.artnet_universes.setdefault(msg.port_address, np.zeros(512, dtype=np.uint8))
            u[: len(msg.data)] = np.frombuffer(msg.data, dtype=np.uint8)
            self.record("artdmx", (msg.port_address, msg.sequence, msg.data))
        elif msg.opcode == OP_POLL:
            self.polls += 1
            self.record("artpoll", peer)
            reply = artpoll_reply(
                self.host,
                self.short_name,
                f"{self.short_name} (simulated Art-Net node)",
                sorted(self.artnet_universes) or [0],
            )
            self._artnet.sendto(reply, peer)
        else:
            self.record("artnet-op", msg.opcode)

    def _on_sacn(self, data: bytes) -> None:
        try:
            msg = parse_e131(data)
        except ValueError as exc:
            self.bad_packets += 1
            self.record("bad-packet", str(exc))
            return
        if msg.options & 0x40:
            self.terminated.add(msg.universe)
            self.record("sacn-terminated", msg.universe)
            return
        if msg.start_code != 0:
            self.record("sacn-startcode", msg.start_code)
            return
        u = self.sacn_universes.setdefault(msg.universe, np.zeros(512, dtype=np.uint8))
        u[: len(msg.data)] = np.frombuffer(msg.data, dtype=np.uint8)
        self.sacn_sources[msg.universe] = (msg.source_name, msg.priority)
        self.record("sacn", (msg.universe, msg.sequence, msg.data))

    def artnet(self, port_address: int) -> bytes:
        """Current channels of an Art-Net port-address (zeros if none arrived)."""
        u = self.artnet_universes.get(port_address)
        return bytes(512) if u is None else u.tobytes()

    def sacn(self, universe: int) -> bytes:
        u = self.sacn_universes.get(universe)
        return bytes(512) if u is None else u.tobytes()

    def state(self) -> dict[str, Any]:
        return {
            **super().state(),
            "artnet_port": self.artnet_port,
            "sacn_port": self.sacn_port,
            "artnet": {k: v.tobytes() for k, v in self.artnet_universes.items()},
            "sacn": {k: v.tobytes() for k, v in self.sacn_universes.items()},
        }
