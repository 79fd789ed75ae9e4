"""The DMX frame path of a large rig: rate limiter, one-syscall UDP frames, inline sends and their faults."""

from __future__ import annotations

import errno
import logging
import select
import socket

import numpy as np
import pytest
from rig_helpers import poll

from installation.adapters import HealthState
from installation.rig.rigfile import DmxOutput
from installation.rig.transports import ArtNetSender, FrameRate, SacnSender

# ---------------------------------------------------------------------------- the rate limiter (pure)


def test_a_feed_at_the_rate_never_waits_whatever_its_phase():
    period = 1 / 44
    rate = FrameRate(44.0)
    rate.sent(0.0)  # the connection's first frame, a hair before the refresh loop's first tick
    jitter = np.random.default_rng(3).uniform(-0.0004, 0.0004, 2000)
    waits = []
    for k in range(2000):
        now = 0.001 + k * period + jitter[k]
        waits.append(rate.delay(now))
        rate.sent(now)
    assert max(waits) == 0.0  # no frame ever held back: no added latency


def test_a_faster_feed_is_held_to_the_rate():
    rate = FrameRate(30.0)
    sent, now = 0, 0.0
    while now < 10.0:  # offered at 100 Hz for ten seconds
        if rate.delay(now) == 0.0:
            rate.sent(now)
            sent += 1
        now += 0.01
    assert 300 <= sent <= 30 * 10 * 1.05 + 2  # the rate, plus its 5 % slack and a burst of two


def test_a_late_frame_does_not_earn_a_burst_later():
    rate = FrameRate(10.0)
    rate.sent(0.0)
    rate.sent(5.0)  # five quiet seconds
    assert rate.delay(5.01) == 0.0  # one early frame is allowed ...
    rate.sent(5.01)
    assert rate.delay(5.02) > 0.0  # ... not a catch-up burst of fifty


# ---------------------------------------------------------------------------- UDP frames on real sockets


@pytest.fixture
def receiver():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()


def drain(sock: socket.socket) -> list[bytes]:
    out = []
    while True:
        try:
            out.append(sock.recv(2048, socket.MSG_DONTWAIT))
        except BlockingIOError:
            return out


def frames(n: int, value: int) -> np.ndarray:
    rows = np.zeros((n, 512), dtype=np.uint8)
    rows[:, 0] = value
    rows[:, 511] = np.arange(n, dtype=np.uint8)
    return rows


def started(sender):
    sender.start()
    assert poll(lambda: sender.connected)
    return sender


@pytest.mark.parametrize("universes", [3, 64, 100])  # 100: more than one batch of 64 segments
def test_a_frame_of_many_universes_leaves_as_separate_datagrams_with_their_sequence(receiver, universes):
    out = DmxOutput(
        "wall", "artnet", tuple(range(universes)), host="127.0.0.1", udp_port=receiver.getsockname()[1]
    )
    t = started(ArtNetSender(out))
    try:
        drain(receiver)
        t.submit(frames(universes, 10), np.ones(universes, dtype=bool))
        t.submit(frames(universes, 11), np.ones(universes, dtype=bool))
        assert poll(lambda: t.frames_sent >= 3)  # the connection's frame, then the two
        got = [p for p in drain(receiver) if p[8:10] == b"\x00\x50"]
        assert all(len(p) == 530 for p in got)  # one ArtDmx per datagram, never a run of them
        by_universe: dict[int, list[bytes]] = {}
        for p in got:
            by_universe.setdefault(p[14] | (p[15] << 8), []).append(p)
        assert sorted(by_universe) == list(range(universes))
        for u, packets in by_universe.items():
            last = packets[-2:]
            assert [p[18] for p in last] == [10, 11] and all(p[18 + 511] == u % 256 for p in last)
            assert last[1][12] == last[0][12] % 255 + 1  # consecutive sequence numbers
        assert t._gso is True
    finally:
        t.stop()


def test_only_the_universes_that_changed_are_sent(receiver):
    out = DmxOutput(
        "wall", "sacn", (1, 2, 3, 4), host="127.0.0.1", udp_port=receiver.getsockname()[1], net_universe=1
    )
    t = started(SacnSender(out))
    try:
        t.submit(frames(4, 1), np.ones(4, dtype=bool))
        assert poll(lambda: t.frames_sent >= 2)
        drain(receiver)
        rows = frames(4, 1)
        rows[2, 5] = 99
        t.submit(rows, np.array([False, False, True, False]))
        got: list[bytes] = []
        assert poll(lambda: bool(got.extend(drain(receiver)) or got))
        assert [(p[113] << 8 | p[114], p[126 + 5]) for p in got] == [(3, 99)]
    finally:
        t.stop()


class _NoOffloadSocket(socket.socket):
    """A socket on an interface without checksum offload: the kernel refuses UDP_SEGMENT with EIO."""

    def sendmsg(self, *args, **kwargs):  # type: ignore[override]
        raise OSError(errno.EIO, "Input/output error")


def test_without_segmentation_offload_the_output_sends_one_by_one(receiver, monkeypatch, caplog):
    out = DmxOutput("wall", "artnet", tuple(range(8)), host="127.0.0.1", udp_port=receiver.getsockname()[1])
    t = ArtNetSender(out)

    def open_socket() -> socket.socket:
        sock = _NoOffloadSocket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        t._sock = sock
        t._gso = None
        t._poller.register(sock, select.POLLIN)
        return sock

    monkeypatch.setattr(t, "_open_socket", open_socket)
    caplog.set_level(logging.INFO, logger="installation.rig.transports")
    started(t)
    received: list[bytes] = []
    try:
        t.submit(frames(8, 42), np.ones(8, dtype=bool))
        assert poll(lambda: len({p[14] for p in drain_keep(receiver, received) if p[18] == 42}) == 8)
        assert t._gso is False and t.health().state == HealthState.OK
        assert "segmentation offload not available" in caplog.text
    finally:
        t.stop()


def drain_keep(sock: socket.socket, into: list[bytes]) -> list[bytes]:
    into.extend(p for p in drain(sock) if p[8:10] == b"\x00\x50")
    return into


class _UnreachableOnce(socket.socket):
    failures = 1

    def sendmsg(self, *args, **kwargs):  # type: ignore[override]
        if _UnreachableOnce.failures:
            _UnreachableOnce.failures -= 1
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        return super().sendmsg(*args, **kwargs)


def test_a_fault_in_an_inline_send_never_reaches_the_caller_and_the_output_reconnects(receiver, monkeypatch):
    out = DmxOutput("wall", "artnet", (0, 1), host="127.0.0.1", udp_port=receiver.getsockname()[1])
    t = ArtNetSender(out)
    original = t._open_socket

    def open_socket() -> socket.socket:
        sock = original()
        wrapped = _UnreachableOnce(socket.AF_INET, socket.SOCK_DGRAM, fileno=sock.detach())
        t._sock = wrapped
        t._poller = select.poll()
        t._poller.register(wrapped, select.POLLIN)
        return wrapped

    monkeypatch.setattr(t, "_open_socket", open_socket)
    _UnreachableOnce.failures = 0
    started(t)
    try:
        assert poll(lambda: t.frames_sent >= 1)
        _UnreachableOnce.failures = 1
        t.submit(frames(2, 7), np.ones(2, dtype=bool))  # raises inside: must not raise here
        assert poll(lambda: t.reconnects >= 1 and t.connected)
        assert "Network is unreachable" in t.health().last_error
        received: list[bytes] = []
        assert poll(lambda: any(p[18] == 7 for p in drain_keep(receiver, received)))  # resent after reconnect
    finally:
        t.stop()
