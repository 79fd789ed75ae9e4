"""Transports: each wire (serial widget, Art-Net, sACN, OSC, serial line) sends from its own thread.

The engine side only copies data into a staging buffer and wakes the thread, so a dead device never blocks
it. Every transport reconnects by itself with exponential backoff and reports its health. Given a `locate`
callable (rehearsal against simulators that may restart elsewhere: it re-reads their sims.json), a
transport asks it twice a second where its receiver is now, and moves there.
"""

from __future__ import annotations

import abc
import collections
import contextlib
import errno
import logging
import math
import os
import re
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import serial
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from installation.adapters import Health, HealthState
from installation.rig.refresh import Wakeup
from installation.rig.rigfile import DmxOutput, OscEndpoint, SerialDevice
from installation.rig.wire import (
    GET_WIDGET_PARAMS,
    LABEL_GET_PARAMS,
    OP_POLL,
    OP_POLL_REPLY,
    OPTION_STREAM_TERMINATED,
    ArtDmxPacket,
    E131Packet,
    EnttecDmxPacket,
    EnttecParser,
    WidgetParams,
    artpoll,
    artpoll_reply,
    parse_artnet,
    sacn_multicast_group,
    stable_cid,
)

log = logging.getLogger(__name__)

Now = Callable[[], float]
UDP_SEGMENT: int = getattr(socket, "UDP_SEGMENT", 103 if sys.platform == "linux" else 0)  # linux/udp.h
_NO_GSO = frozenset({errno.EIO, errno.EINVAL, errno.ENOPROTOOPT, errno.EOPNOTSUPP, errno.EMSGSIZE})
_FAULTS: tuple[type[Exception], ...] = (OSError, serial.SerialException, ValueError)
# an empty OSC bundle: a valid packet that does nothing, sent to an idle endpoint so that a receiver
# that went away is seen (ICMP port unreachable) before the next cue needs it
OSC_HEARTBEAT = b"#bundle\x00" + bytes([0, 0, 0, 0, 0, 0, 0, 1])
Locate = Callable[[], Any]  # → the transport's target (DmxOutput, OscEndpoint, SerialDevice) as it is now


def _take_refusal(sock: socket.socket) -> bool:
    """Collect an ICMP port unreachable the kernel holds for a connected UDP socket (no datagram lost)."""
    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err and err != errno.ECONNREFUSED:
        raise OSError(err, os.strerror(err))
    return err == errno.ECONNREFUSED


def _silent(dest: tuple[str, int], age_s: float, why: str, hint: str) -> str:
    """The health detail of a receiver that stopped answering."""
    (host, port), age_s = dest, max(0.0, age_s)
    return f"no answer from {host}:{port} for {age_s:.1f} s ({why}): receiver restarted or moved? {hint}"


class Transport(abc.ABC):
    """A wire with its own sender thread: connect, service work, reconnect with backoff, report health."""

    kind = "transport"

    def __init__(
        self,
        name: str,
        *,
        now: Now = time.monotonic,
        backoff_s: tuple[float, float] = (0.05, 0.5),
        keepalive_s: float = 1.0,
        locate: Locate | None = None,
    ) -> None:
        self.name = name
        self._locate = locate
        self._next_locate = -math.inf
        self._now = now  # the show's clock: health timestamps
        self._io_now: Now = time.monotonic  # real time: rates, keep-alives and reply deadlines on the wire
        self._backoff = backoff_s
        self.keepalive_s = keepalive_s
        self._wake = Wakeup()  # data to send, or stop
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._connected = False
        self._health = Health(f"{self.kind}:{name}", HealthState.DOWN, "not opened", now())
        self.reconnects = 0  # successful connections after the first

    # --------------------------------------------------------------- lifecycle (engine side)

    def start(self) -> None:
        """Start the sender thread; it connects in the background."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._wake = Wakeup()
        self._health = Health(self._health.name, HealthState.DEGRADED, "connecting", self._now())
        self._thread = threading.Thread(target=self._run, name=f"rig-{self.kind}-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and release the device; idempotent."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)
            if self._thread.is_alive():
                log.warning("%s: sender thread did not stop within 3 s", self._health.name)
            self._thread = None
        with self._lock:  # (an inline sender may be mid-frame)
            if self._connected:
                with contextlib.suppress(*_FAULTS):
                    self._farewell()
            self._close_device()
            self._connected = False
        self._set_health(HealthState.OFF, "closed")

    def health(self) -> Health:
        return self._health

    @property
    def connected(self) -> bool:
        return self._connected

    # --------------------------------------------------------------- the sender thread

    def _run(self) -> None:
        delay = self._backoff[0]
        first = True
        while not self._stopping.is_set():
            self._relocate()
            if not self._connected:
                try:
                    self._open_device()
                except _FAULTS as exc:
                    self._close_device()
                    self._set_health(HealthState.DOWN, f"{self._describe_fault(exc)}; retrying", str(exc))
                    self._stopping.wait(delay)
                    delay = min(delay * 2, self._backoff[1])
                    continue
                self._connected = True
                delay = self._backoff[0]
                if not first:
                    self.reconnects += 1
                first = False
                self._on_connected()
                self._set_health(*self._connected_health())
            self._wake.wait(self._idle_s())
            if self._stopping.is_set():
                break
            if not self._connected:  # an inline send failed meanwhile: reconnect first
                continue
            try:
                self._service()
            except _FAULTS as exc:
                self._fail(exc)

    LOCATE_EVERY_S = 0.5

    def _relocate(self) -> None:
        """(Sender thread) ask `locate` where the receiver is now; when it moved, reconnect there."""
        if self._locate is None:
            return
        now = self._io_now()
        if now < self._next_locate:
            return
        self._next_locate = now + self.LOCATE_EVERY_S
        try:
            target = self._locate()
        except Exception as exc:  # a simulator restarting (no sims.json for a moment): ask again later
            log.debug("%s: cannot locate the receiver now: %s", self._health.name, exc)
            return
        old, new = self._where(self._target()), self._where(target)
        if new == old or not self._compatible(target):
            return
        log.warning("%s: receiver moved from %s to %s; sending there now", self._health.name, old, new)
        with self._lock:
            self._retarget(target)
            if self._connected:
                self._close_device()
                self._connected = False

    def _target(self) -> Any:
        """What this transport sends to (its rig entry)."""
        raise NotImplementedError

    def _retarget(self, target: Any) -> None:
        """(Under the lock, before a reconnect) send to `target` from now on."""
        raise NotImplementedError

    def _where(self, target: Any) -> str:
        """Where a target is, for comparing and logging: `host:port` or a device path."""
        return str(getattr(target, "port", ""))

    def _compatible(self, target: Any) -> bool:
        """Whether `target` is the same receiver elsewhere (never a different kind or universes)."""
        return type(target) is type(self._target())

    def _fail(self, exc: BaseException) -> None:
        """A fault on the wire: close it; the thread reconnects with backoff."""
        self._close_device()
        self._connected = False
        self._set_health(HealthState.DOWN, f"{self._describe_fault(exc)}; reconnecting", str(exc))

    def _set_health(self, state: HealthState, detail: str, error: str = "") -> None:
        old = self._health
        if old.state != state or old.detail != detail:
            since = self._now() if old.state != state else old.since
            self._health = Health(old.name, state, detail, since, error or old.last_error)
            if old.state != state:
                level = logging.INFO if state in (HealthState.OK, HealthState.OFF) else logging.WARNING
                log.log(level, "%s %s: %s", old.name, state.value, detail)

    def _connected_health(self) -> tuple[HealthState, str]:
        return HealthState.OK, "connected"

    def _idle_s(self) -> float:
        return self.keepalive_s

    def _on_connected(self) -> None:  # noqa: B027 - an optional hook
        """Called in the thread right after a (re)connection."""

    def _farewell(self) -> None:  # noqa: B027 - an optional hook
        """Last words before closing (sACN stream-terminated)."""

    def _describe_fault(self, exc: BaseException) -> str:
        return f"{exc.__class__.__name__}: {exc}"

    @abc.abstractmethod
    def _open_device(self) -> None:
        """Open the port or socket; raise OSError/SerialException when it is not there."""

    @abc.abstractmethod
    def _close_device(self) -> None:
        """Release the port or socket; never raises."""

    @abc.abstractmethod
    def _service(self) -> None:
        """Send what is due; raise OSError/SerialException on a fault (the thread reconnects)."""


# ==================================================================== DMX


class FrameRate:
    """At most `rate_hz` frames a second on average; a frame may come up to one period early (GCRA).

    The generic cell rate algorithm (ITU-T I.371) keeps a theoretical arrival time instead of the time
    of the last frame. Checking each frame against the last one sent locks an output fed at its own rate
    onto whatever phase it started with: every frame then waits out the previous one's lateness, a whole
    period of added latency. Here a frame fed at the rate goes at once, and a faster feed is held to the
    rate (with bursts of at most two frames). The rate has 5 % of slack, so that a feed at exactly the
    rate (the refresh loop at the output's own rate) never waits for its timing jitter.
    """

    def __init__(self, rate_hz: float, tolerance_periods: float = 1.0, slack: float = 0.05) -> None:
        self.period_s = 1.0 / (rate_hz * (1.0 + slack))
        self._tolerance = tolerance_periods * self.period_s
        self._tat = -math.inf  # theoretical arrival time of the next frame

    def delay(self, now: float) -> float:
        """Seconds to wait before a frame may go at `now` (0: at once)."""
        return max(0.0, self._tat - self._tolerance - now)

    def sent(self, now: float) -> None:
        """A frame went out at `now`."""
        self._tat = max(now, self._tat) + self.period_s


class DmxTransport(Transport):
    """Sends a set of universes: every change (at most at `rate_hz`) and a keep-alive every second.

    All packets live in one (universes × packet size) array: a frame is one copy of the channels into the
    packets' data columns, then the writes of the due universes. A transport whose writes cannot block
    (`INLINE`: non-blocking UDP) sends a frame from the submitting thread itself, under its lock, and
    leaves its own thread the connecting, keep-alives and replies; that saves a thread wake-up a frame,
    which is most of what a frame costs on a quiet core. A serial widget's writes can block: it stages
    the frame and its thread sends it.
    """

    kind = "dmx"
    PACKET_SIZE = 512
    DATA_OFFSET = 0
    INLINE = False
    RATE_TOLERANCE_S = 0.0005  # a frame due this soon goes now

    def __init__(self, output: DmxOutput, *, now: Now = time.monotonic, **kw: Any) -> None:
        super().__init__(output.name, now=now, **kw)
        self.output = output
        n = len(output.universes)
        self._packets = np.zeros((n, self.PACKET_SIZE), dtype=np.uint8)
        for i in range(n):
            self._packets[i] = np.frombuffer(self._template(i), dtype=np.uint8)
        self._data = self._packets[:, self.DATA_OFFSET : self.DATA_OFFSET + 512]
        self._views = [memoryview(self._packets[i]) for i in range(n)]
        self._staged = np.zeros((n, 512), dtype=np.uint8)
        self._staged_dirty = np.ones(n, dtype=bool)
        self._due = np.zeros(n, dtype=bool)
        self._stale = np.zeros(n, dtype=bool)
        self._rate = FrameRate(output.rate_hz)
        self._last_sent = np.full(n, -1e9)
        self._oldest_sent = -1e9  # the least recent send of any universe: keep-alives fall due from it
        self.frames_sent = 0

    @abc.abstractmethod
    def _template(self, index: int) -> bytes:
        """The packet of a universe with all channels at 0."""

    def _target(self) -> DmxOutput:
        return self.output

    def _retarget(self, target: Any) -> None:
        self.output = target

    def _compatible(self, target: Any) -> bool:
        return (
            isinstance(target, DmxOutput)
            and target.type == self.output.type
            and target.universes == self.output.universes
            and target.net_universe == self.output.net_universe
        )

    def submit(self, rows: np.ndarray, dirty: np.ndarray) -> None:
        """Hand over this output's universes (n × 512) and which of them changed; never blocks for long."""
        with self._lock:
            np.copyto(self._data if self.INLINE else self._staged, rows)
            np.logical_or(self._staged_dirty, dirty, out=self._staged_dirty)
            if self.INLINE and self._connected:
                now = self._io_now()
                if self._rate.delay(now) <= self.RATE_TOLERANCE_S:
                    try:
                        self._send_frame(now)
                    except _FAULTS as exc:
                        self._fail(exc)
                    else:
                        return
        self._wake.set()

    def _on_connected(self) -> None:
        with self._lock:
            self._staged_dirty[:] = True  # send the current values at once, never stale ones
        self._wake.set()

    def _idle_s(self) -> float:
        return max(0.0, self.keepalive_s - (self._io_now() - self._oldest_sent))

    def _service(self) -> None:
        now = self._io_now()
        wait = self._rate.delay(now)
        if wait > self.RATE_TOLERANCE_S:  # the output's refresh rate caps how often a frame goes out
            self._stopping.wait(wait)
            now = self._io_now()
        if self.INLINE:  # the submitting thread sends too: one sender at a time, under the lock
            with self._lock:
                self._receive(now)
                self._send_frame(now)
            return
        self._receive(now)
        with self._lock:
            np.copyto(self._data, self._staged)
            np.copyto(self._due, self._staged_dirty)
            self._staged_dirty[:] = False
        self._send_due_frame(now)

    def _send_frame(self, now: float) -> None:
        """(Inline, under the lock) send what changed since the last frame, and the keep-alives due."""
        self._due, self._staged_dirty = self._staged_dirty, self._due
        self._staged_dirty.fill(False)
        self._send_due_frame(now)

    def _send_due_frame(self, now: float) -> None:
        if now - self._oldest_sent >= self.keepalive_s:  # some universe has been quiet for a second
            np.less_equal(self._last_sent, now - self.keepalive_s, out=self._stale)
            np.logical_or(self._due, self._stale, out=self._due)
        n_due = np.count_nonzero(self._due)
        if n_due:
            self._send_due(self._due, int(n_due))
            if n_due == len(self._due):
                self._last_sent.fill(now)
                self._oldest_sent = now
            else:
                np.copyto(self._last_sent, now, where=self._due)
                self._oldest_sent = float(self._last_sent.min())
            self._rate.sent(now)
            self.frames_sent += 1

    def _receive(self, now: float) -> None:
        """Read what the far end sent (widget replies, ArtPoll); default: nothing."""

    def _send_due(self, due: np.ndarray, n_due: int) -> None:
        """Put the packets of the `n_due` due universes on the wire; default: one write each."""
        for i in np.flatnonzero(due).tolist():
            self._send(i)

    @abc.abstractmethod
    def _send(self, index: int) -> None:
        """Put a universe's packet on the wire."""


class EnttecUsbPro(DmxTransport):
    """Enttec DMX USB Pro: label 3 at open to identify the widget, label 6 to output a universe."""

    IDENTIFY_TIMEOUT_S = 0.5
    PACKET_SIZE = EnttecDmxPacket.SIZE
    DATA_OFFSET = 5

    def __init__(self, output: DmxOutput, **kw: Any) -> None:
        super().__init__(output, **kw)
        self._serial: serial.Serial | None = None
        self._parser = EnttecParser()
        self.widget: WidgetParams | None = None

    def _template(self, index: int) -> bytes:
        return bytes(EnttecDmxPacket().buffer)

    def _open_device(self) -> None:
        port = serial.Serial(self.output.port, baudrate=57600, timeout=0, write_timeout=0.5)
        self._serial = port
        self._parser = EnttecParser()
        port.reset_input_buffer()
        port.write(GET_WIDGET_PARAMS)
        self.widget = None
        deadline = self._io_now() + self.IDENTIFY_TIMEOUT_S
        while self.widget is None and self._io_now() < deadline and not self._stopping.is_set():
            waiting = port.in_waiting
            if waiting:
                self._handle(port.read(waiting))
            else:
                self._stopping.wait(0.005)  # polling real I/O with a deadline

    def _connected_health(self) -> tuple[HealthState, str]:
        if self.widget is None:
            return (
                HealthState.DEGRADED,
                f"{self.output.port}: no answer to Get Widget Parameters (label 3); "
                "is this an Enttec DMX USB Pro? sending anyway",
            )
        fw = self.widget.firmware
        return HealthState.OK, f"Enttec DMX USB Pro firmware {fw[0]}.{fw[1]} on {self.output.port}"

    def _handle(self, data: bytes) -> None:
        for label, payload in self._parser.feed(data):
            if label == LABEL_GET_PARAMS:
                try:
                    self.widget = WidgetParams.parse(payload)
                except ValueError as exc:
                    log.warning("dmx:%s: bad widget parameters reply: %s", self.name, exc)

    def _close_device(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(*_FAULTS):
                self._serial.close()
            self._serial = None

    def _receive(self, now: float) -> None:
        assert self._serial is not None
        waiting = self._serial.in_waiting  # raises on an unplugged port
        if waiting:
            self._handle(self._serial.read(waiting))

    def _send(self, index: int) -> None:
        assert self._serial is not None
        self._serial.write(self._views[index])

    def _describe_fault(self, exc: BaseException) -> str:
        return f"{self.output.port}: {exc} (is the widget plugged in?)"


class _UdpDmx(DmxTransport):
    """Shared socket handling for Art-Net and sACN: a connected socket when there is one destination.

    With one destination, a frame leaves in one system call: the due packets, back to back in one buffer,
    go through `sendmsg` with UDP generic segmentation offload (Linux's `UDP_SEGMENT`), and the kernel cuts
    them into the same datagrams one `send` each would make. That is most of the cost of a large rig (64
    universes: 0.05 ms instead of 0.3 ms per frame here). Where the kernel or the interface cannot
    (no checksum offload: EIO; an old kernel: ENOPROTOOPT), the output says so once and sends one by one.
    """

    QUIET_S = 3.0  # this long without a refusal after one → answering again
    HINT = "is the node on and set to this port?"
    SEQUENCE_AT = 0
    INLINE = True
    FIRST_SEQUENCE = 0  # Art-Net: 1 (0 means "not sequenced")
    MAX_SEGMENTS = 64  # the kernel's UDP_MAX_SEGMENTS before Linux 6.9 raised it
    MAX_DATAGRAM = 65_507  # an IPv4 UDP payload: 64 KiB less the IP and UDP headers

    def __init__(self, output: DmxOutput, *, bind: tuple[str, int] = ("", 0), **kw: Any) -> None:
        super().__init__(output, **kw)
        self._bind = bind
        self._sock: socket.socket | None = None
        self._dest: tuple[str, int] = ("", 0)
        self._dests: list[tuple[str, int]] | None = None  # per-universe destinations (sACN multicast)
        n = len(output.universes)
        # the sequence numbers live in the packets; a table gives each one's successor
        self._seq_column = self._packets[:, self.SEQUENCE_AT]
        self._seq_column[:] = self.FIRST_SEQUENCE
        self._seq_next = np.zeros(n, dtype=np.uint8)
        self._successor = np.asarray([self._advance(i) for i in range(256)], dtype=np.uint8)
        self._gso: bool | None = None  # None: not tried on this socket yet
        self._poller = select.poll()
        self._chunk = max(1, min(self.MAX_SEGMENTS, self.MAX_DATAGRAM // self.PACKET_SIZE))
        self._segment = [(socket.SOL_UDP, UDP_SEGMENT, struct.pack("=H", self.PACKET_SIZE))]
        self._whole = memoryview(self._packets).cast("B")
        self._batch = np.zeros((self._chunk, self.PACKET_SIZE), dtype=np.uint8)
        self._batch_bytes = memoryview(self._batch).cast("B")
        self._refused_at = -1e9
        self._refused_since = -1e9  # the first refusal of the current outage
        self.dropped = 0
        self.refused = 0

    def _where(self, target: Any) -> str:
        return f"{target.host or 'multicast'}:{target.udp_port}"

    def _open_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(self._bind)
        self._sock = sock
        self._refused_at = self._refused_since = -1e9  # a new socket (maybe a new receiver): no outage yet
        self._gso = None
        self._poller = select.poll()
        self._poller.register(sock, select.POLLIN | select.POLLERR)
        return sock

    def _readable(self) -> bool:
        """Whether a datagram (or an ICMP error) waits: a poll, so the quiet case raises nothing."""
        return bool(self._poller.poll(0))

    def _close_device(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _advance(self, seq: int) -> int:
        """The sequence number after `seq`."""
        raise NotImplementedError

    def _send(self, index: int) -> None:
        sock = self._sock
        assert sock is not None
        self._seq_column[index] = self._successor[self._seq_column[index]]
        try:
            if self._dests is None:
                sock.send(self._views[index])
            else:
                sock.sendto(self._views[index], self._dests[index])
        except BlockingIOError:
            self.dropped += 1  # the kernel's send buffer is full: drop this frame, the next one follows
        except ConnectionRefusedError:  # ICMP port unreachable for an earlier packet: nobody listens there
            self._note_refused()

    def _note_refused(self) -> None:
        now = self._io_now()
        if now - self._refused_at >= self.QUIET_S:
            self._refused_since = now
        self.refused += 1
        self._refused_at = now

    def _silence(self, now: float) -> tuple[float, str] | None:
        """(since when, why) the receiver has not been answering; None while it is."""
        if now - self._refused_at < self.QUIET_S:
            return self._refused_since, "ICMP port unreachable: nothing listens there"
        return None

    def _send_due(self, due: np.ndarray, n_due: int) -> None:
        if self._dests is not None or self._gso is False or not UDP_SEGMENT:
            super()._send_due(due, n_due)
            return
        size = self.PACKET_SIZE
        if n_due == len(due):  # every universe: the packet array is the batch already
            np.take(self._successor, self._seq_column, out=self._seq_column, mode="clip")
            for start in range(0, n_due, self._chunk):
                stop = min(n_due, start + self._chunk)
                if not self._send_batch(self._whole[start * size : stop * size], stop - start):
                    self._send_rest(range(start, n_due))
                    return
            return
        np.take(self._successor, self._seq_column, out=self._seq_next, mode="clip")
        np.copyto(self._seq_column, self._seq_next, where=due)
        index = np.flatnonzero(due)  # (a small allocation only when part of the rig changed)
        for start in range(0, n_due, self._chunk):
            part = index[start : start + self._chunk]
            batch = self._batch[: len(part)]
            np.take(self._packets, part, axis=0, out=batch)
            if not self._send_batch(self._batch_bytes[: len(part) * size], len(part)):
                self._send_rest(index[start:].tolist())
                return

    def _send_batch(self, data: memoryview, count: int) -> bool:
        """One sendmsg of `count` packets; False when segmentation offload is not available here."""
        sock = self._sock
        assert sock is not None
        try:
            if count == 1:
                sock.send(data)
            else:
                sock.sendmsg([data], self._segment)
        except BlockingIOError:
            self.dropped += count
        except ConnectionRefusedError:
            self._note_refused()
        except OSError as exc:
            if exc.errno not in _NO_GSO or self._gso:
                raise
            self._gso = False
            log.info(
                "dmx:%s: UDP segmentation offload not available to %s:%d (%s); sending one packet per "
                "system call",
                self.name,
                *self._dest,
                exc.strerror or exc,
            )
            return False
        self._gso = True
        return True

    def _send_rest(self, indices: Sequence[int]) -> None:
        """After a refused batch: the same packets (sequence numbers already set), one by one."""
        sock = self._sock
        assert sock is not None
        for i in indices:
            try:
                sock.send(self._views[i])
            except BlockingIOError:
                self.dropped += 1
            except ConnectionRefusedError:
                self._note_refused()

    def _service(self) -> None:
        super()._service()
        if self._sock is not None and _take_refusal(self._sock):
            self._note_refused()
        now = self._io_now()
        silence = self._silence(now)
        if silence is None:
            self._set_health(*self._connected_health())
        else:
            since, why = silence
            self._set_health(HealthState.DEGRADED, _silent(self._dest, now - since, why, self.HINT))

    def _describe_fault(self, exc: BaseException) -> str:
        return f"{self.output.host or 'multicast'}:{self.output.udp_port}: {exc} (check the network and IP)"


class ArtNetSender(_UdpDmx):
    """Art-Net 4 controller: ArtDmx with sequence numbers, ArtPoll every 3 s, answers ArtPoll."""

    POLL_INTERVAL_S = 3.0
    POLL_ANSWER_S = 1.0  # a node that answered before and not within this long of a poll: not answering
    PACKET_SIZE = ArtDmxPacket.SIZE
    DATA_OFFSET = 18
    SEQUENCE_AT = 12
    FIRST_SEQUENCE = 0  # the first packet carries 1

    def __init__(self, output: DmxOutput, **kw: Any) -> None:
        super().__init__(output, **kw)
        self._last_poll = -1e9
        self._answered_at = -math.inf  # the last ArtPollReply from the destination
        self.nodes: dict[str, str] = {}  # IP → short name of nodes that answered ArtPoll

    def _template(self, index: int) -> bytes:
        return bytes(ArtDmxPacket(self.output.network_universe(self.output.universes[index])).buffer)

    def _advance(self, seq: int) -> int:
        return seq % 255 + 1  # 1..255, then 1 again; 0 would mean "not sequenced"

    def _open_device(self) -> None:
        sock = self._open_socket()
        if self.output.host.endswith(".255"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self._dest = (socket.gethostbyname(self.output.host), self.output.udp_port)
        sock.connect(self._dest)
        self._answered_at = -math.inf
        self._last_poll = -1e9  # poll the (maybe new) node at once

    def _silence(self, now: float) -> tuple[float, str] | None:
        refused = super()._silence(now)
        if refused is not None:
            return refused
        # a node that answered ArtPoll before and has not answered the latest one
        if self._last_poll > self._answered_at > -math.inf and now - self._last_poll > self.POLL_ANSWER_S:
            return self._answered_at, "no ArtPollReply"
        return None

    def _receive(self, now: float) -> None:
        sock = self._sock
        assert sock is not None
        if now - self._last_poll >= self.POLL_INTERVAL_S:
            self._last_poll = now
            try:
                sock.send(artpoll())
            except BlockingIOError:
                pass
            except ConnectionRefusedError:
                self._note_refused()
        for _ in range(16):
            if not self._readable():
                return
            try:
                data, peer = sock.recvfrom(1024)
            except BlockingIOError:
                return
            except ConnectionRefusedError:  # ICMP port unreachable for what we sent: nobody listens there
                self._note_refused()
                return
            try:
                msg = parse_artnet(data)
            except ValueError:
                continue
            if msg.opcode == OP_POLL_REPLY:
                if peer == self._dest:
                    self._answered_at = now
                if self.nodes.get(peer[0]) != msg.short_name:
                    log.info("dmx:%s: Art-Net node %s at %s", self.name, msg.short_name, peer[0])
                self.nodes[peer[0]] = msg.short_name
            elif msg.opcode == OP_POLL:
                local = sock.getsockname()[0]
                reply = artpoll_reply(
                    local if local != "0.0.0.0" else "127.0.0.1",
                    "installation",
                    f"installation rig output {self.name}",
                    [self.output.network_universe(u) for u in self.output.universes],
                )
                with contextlib.suppress(BlockingIOError, ConnectionRefusedError):
                    sock.send(reply)


class SacnSender(_UdpDmx):
    """E1.31 (sACN) source: unicast to a host or multicast per universe; stream-terminated at close.

    Our own E1.31 packets rather than the `sacn` package's sender: that sender always sends to port 5568
    (no simulator on a free port, no second receiver on one machine), converts every frame through Python
    tuples, and paces itself with time.sleep in its own thread. The packets are byte-identical to the
    package's (a test compares them).
    """

    PACKET_SIZE = E131Packet.SIZE
    DATA_OFFSET = 126
    SEQUENCE_AT = 111

    def __init__(
        self, output: DmxOutput, *, source_name: str = "installation", cid: bytes | None = None, **kw: Any
    ) -> None:
        self._cid = cid or stable_cid(source_name, output.name)
        self._source_name = source_name
        super().__init__(output, **kw)

    def _template(self, index: int) -> bytes:
        u = self.output.network_universe(self.output.universes[index])
        return bytes(E131Packet(u, self._cid, self._source_name, self.output.priority).buffer)

    def _advance(self, seq: int) -> int:
        return (seq + 1) & 0xFF

    def _open_device(self) -> None:
        sock = self._open_socket()
        if self.output.host:
            self._dest = (socket.gethostbyname(self.output.host), self.output.udp_port)
            self._dests = None
            sock.connect(self._dest)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
            self._dests = [
                (sacn_multicast_group(self.output.network_universe(u)), self.output.udp_port)
                for u in self.output.universes
            ]
            self._dest = self._dests[0]

    def _farewell(self) -> None:
        self._packets[:, 112] = OPTION_STREAM_TERMINATED  # E1.31 6.2.6: three packets with Stream_Terminated
        for _ in range(3):
            for i in range(len(self._views)):
                self._send(i)


def dmx_transport(output: DmxOutput, **kw: Any) -> DmxTransport:
    """The transport for an output type."""
    if output.type == "enttec-usb-pro":
        return EnttecUsbPro(output, **kw)
    if output.type == "artnet":
        return ArtNetSender(output, **kw)
    if output.type == "sacn":
        return SacnSender(output, **kw)
    raise ValueError(f"unknown output type {output.type!r}")


# ==================================================================== OSC


def osc_message(address: str, args: Sequence[Any] = ()) -> OscMessageBuilder:
    """A python-osc message with typed arguments: int → i, float → f, str → s, bool → T/F, None → N."""
    builder = OscMessageBuilder(address=address)
    for arg in args:
        if isinstance(arg, bool):
            builder.add_arg(arg, OscMessageBuilder.ARG_TYPE_TRUE if arg else OscMessageBuilder.ARG_TYPE_FALSE)
        elif isinstance(arg, int):
            builder.add_arg(
                arg,
                OscMessageBuilder.ARG_TYPE_INT
                if -(2**31) <= arg < 2**31
                else OscMessageBuilder.ARG_TYPE_INT64,
            )
        elif isinstance(arg, float):
            builder.add_arg(arg, OscMessageBuilder.ARG_TYPE_FLOAT)
        elif isinstance(arg, str):
            builder.add_arg(arg, OscMessageBuilder.ARG_TYPE_STRING)
        elif isinstance(arg, (bytes, bytearray)):
            builder.add_arg(bytes(arg), OscMessageBuilder.ARG_TYPE_BLOB)
        elif arg is None:
            builder.add_arg(None, OscMessageBuilder.ARG_TYPE_NIL)
        else:
            raise ValueError(f"OSC argument {arg!r} must be a number, text, true/false or null")
    return builder


def osc_datagram(messages: Sequence[tuple[str, Sequence[Any]]], bundle: bool) -> bytes:
    """One OSC packet: a single message, or a bundle (timetag immediately) of several."""
    if len(messages) == 1 and not bundle:
        address, args = messages[0]
        return osc_message(address, args).build().dgram
    b = OscBundleBuilder(IMMEDIATELY)
    for address, args in messages:
        b.add_content(osc_message(address, args).build())
    return b.build().dgram


class OscSender(Transport):
    """Sends OSC datagrams to one endpoint over a connected UDP socket (so 'nobody listening' is seen)."""

    kind = "osc"
    QUIET_S = 3.0  # this long without a refusal after one → healthy again
    HEARTBEAT_S = 1.0  # an idle endpoint gets an empty bundle this often: a vanished receiver is seen
    HINT = "is the media server running?"

    def __init__(self, endpoint: OscEndpoint, *, now: Now = time.monotonic, **kw: Any) -> None:
        super().__init__(endpoint.name, now=now, **kw)
        self.endpoint = endpoint
        self._queue: collections.deque[bytes] = collections.deque(maxlen=1024)
        self._sock: socket.socket | None = None
        self._refused_at = -1e9
        self._refused_since = -1e9
        self._last_send = -1e9
        self.sent = 0
        self.refused = 0

    def _target(self) -> OscEndpoint:
        return self.endpoint

    def _retarget(self, target: Any) -> None:
        self.endpoint = target

    def _where(self, target: Any) -> str:
        return f"{target.host}:{target.port}"

    def _note_refused(self) -> None:
        now = self._io_now()
        if now - self._refused_at >= self.QUIET_S:
            self._refused_since = now
        self.refused += 1
        self._refused_at = now

    def send(self, datagram: bytes) -> None:
        """Send at once on the non-blocking socket when nothing waits; else queue (oldest dropped when full).

        Sending from the caller's thread saves a thread hand-over (about 1 ms under load) on the path
        from GO to the first packet; the socket never blocks, and any fault falls back to the queue.
        """
        sock = self._sock
        if sock is not None and not self._queue:
            try:
                sock.send(datagram)
            except ConnectionRefusedError:
                self._note_refused()
            except OSError:
                pass
            else:
                self.sent += 1
                self._last_send = self._io_now()
                return
        self._queue.append(datagram)
        self._wake.set()

    def _open_device(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect((socket.gethostbyname(self.endpoint.host), self.endpoint.port))
        self._sock = sock
        self._refused_at = self._refused_since = -1e9  # a new socket (maybe a new receiver): no outage yet

    def _close_device(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _connected_health(self) -> tuple[HealthState, str]:
        return HealthState.OK, f"sending to {self.endpoint.host}:{self.endpoint.port}"

    def _idle_s(self) -> float:
        return 0.5

    def _service(self) -> None:
        assert self._sock is not None
        now = self._io_now()
        budget = 2 * len(self._queue) + 2  # a refusal reports an earlier datagram's ICMP: retry once each
        while self._queue and budget > 0:
            budget -= 1
            data = self._queue.popleft()
            try:
                self._sock.send(data)
                self.sent += 1
                self._last_send = now
            except ConnectionRefusedError:
                self._note_refused()
                self._queue.appendleft(data)
            except BlockingIOError:
                self._queue.appendleft(data)
                break
        if _take_refusal(self._sock):
            self._note_refused()
        if not self._queue and now - self._last_send >= self.HEARTBEAT_S:
            self._last_send = now
            try:
                self._sock.send(OSC_HEARTBEAT)
            except ConnectionRefusedError:
                self._note_refused()
            except BlockingIOError:
                pass
        if now - self._refused_at < self.QUIET_S:
            dest, age = (self.endpoint.host, self.endpoint.port), now - self._refused_since
            why = "ICMP port unreachable: nothing listens there"
            self._set_health(HealthState.DEGRADED, _silent(dest, age, why, self.HINT))
        else:
            self._set_health(*self._connected_health())


# ==================================================================== serial lines


class SerialLine(Transport):
    """A line-based serial device: writes command lines in order, checks answers against `reply`."""

    kind = "serial"
    REPLY_TIMEOUT_S = 0.5

    def __init__(self, device: SerialDevice, *, now: Now = time.monotonic, **kw: Any) -> None:
        super().__init__(device.name, now=now, **kw)
        self.device = device
        # (key, line) in order; a continuous param (key) keeps only its newest line, moved to the end
        self._queue: collections.deque[tuple[str | None, str]] = collections.deque(maxlen=256)
        self._serial: serial.Serial | None = None
        self._reply = re.compile(device.reply) if device.reply else None
        self._rx = bytearray()
        self.replies: list[str] = []
        self.bad_replies = 0

    def _target(self) -> SerialDevice:
        return self.device

    def _retarget(self, target: Any) -> None:
        self.device = target

    def send_line(self, line: str, key: str | None = None) -> None:
        """Queue a line; with a key (a continuous param) a newer line replaces one not yet sent."""
        with self._lock:
            if key is not None:
                for item in self._queue:
                    if item[0] == key:
                        self._queue.remove(item)
                        break
            self._queue.append((key, line))
        self._wake.set()

    def _open_device(self) -> None:
        self._serial = serial.Serial(
            self.device.port, baudrate=self.device.baud, timeout=0, write_timeout=0.5
        )
        self._rx.clear()

    def _close_device(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(*_FAULTS):
                self._serial.close()
            self._serial = None

    def _connected_health(self) -> tuple[HealthState, str]:
        return HealthState.OK, f"{self.device.port} at {self.device.baud} baud"

    def _idle_s(self) -> float:
        return 0.25

    def _service(self) -> None:
        assert self._serial is not None
        self._read_lines()  # also notices an unplugged port
        while True:
            with self._lock:
                if not self._queue:
                    return
                key, line = self._queue.popleft()
            try:
                self._serial.write((line + self.device.line_ending).encode("utf-8"))
            except _FAULTS:
                with self._lock:  # not delivered: it goes out first after the reconnect
                    self._queue.appendleft((key, line))
                raise
            if self._reply is not None:
                self._await_reply(line)

    def _read_lines(self) -> list[str]:
        assert self._serial is not None
        waiting = self._serial.in_waiting
        if waiting:
            self._rx += self._serial.read(waiting)
        lines = []
        while True:
            cut = min((i for i in (self._rx.find(b"\n"), self._rx.find(b"\r")) if i >= 0), default=-1)
            if cut < 0:
                break
            raw = bytes(self._rx[:cut])
            del self._rx[: cut + 1]
            if raw:
                lines.append(raw.decode("utf-8", "replace"))
        if len(self._rx) > 4096:  # a device streaming without line endings
            lines.append(bytes(self._rx[:80]).decode("utf-8", "replace"))
            self._rx.clear()
        self.replies.extend(lines)
        del self.replies[:-100]
        return lines

    def _await_reply(self, line: str) -> None:
        assert self._reply is not None
        deadline = self._io_now() + self.REPLY_TIMEOUT_S
        while not self._stopping.is_set():
            for answer in self._read_lines():
                if self._reply.search(answer):
                    self._set_health(*self._connected_health())
                    return
                self.bad_replies += 1
                self._set_health(
                    HealthState.DEGRADED,
                    f"{self.device.port}: answered {answer[:40]!r} to {line!r}, expected "
                    f"{self.device.reply!r}: check baud rate ({self.device.baud}) and firmware",
                )
                return
            if self._io_now() >= deadline:
                self._set_health(
                    HealthState.DEGRADED,
                    f"{self.device.port}: no answer to {line!r} within "
                    f"{self.REPLY_TIMEOUT_S:g} s: check the device's firmware and baud rate",
                )
                return
            self._stopping.wait(0.005)  # polling real I/O with a deadline

    def _describe_fault(self, exc: BaseException) -> str:
        return f"{self.device.port}: {exc} (is the device plugged in?)"
