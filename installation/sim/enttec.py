"""An Enttec DMX USB Pro widget on a pseudo-terminal: parses every packet, keeps the universe, answers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from installation.rig.wire import (
    LABEL_GET_PARAMS,
    LABEL_SEND_DMX,
    LABEL_SERIAL,
    EnttecParser,
    WidgetParams,
    enttec_frame,
)
from installation.sim.base import Now, PtyDeviceSim


class EnttecWidgetSim(PtyDeviceSim):
    """The widget end of the USB cable: records every DMX frame with its time, answers labels 3 and 10."""

    def __init__(
        self,
        link: Path,
        *,
        now: Now = time.monotonic,
        firmware: tuple[int, int] = (1, 44),
        serial_number: int = 0x12345678,
        answers: bool = True,
    ) -> None:
        super().__init__(f"enttec:{link.name}", link, now=now)
        self.params = WidgetParams(firmware, 96.0, 10.67, 40)
        self.serial_number = serial_number
        self.answers = answers  # False: a device that never replies (a different FTDI gadget)
        self.universe = np.zeros(512, dtype=np.uint8)
        self.frames = 0
        self.bad_packets = 0
        self._parser = EnttecParser()
        self.received = bytearray()  # every byte from the driver, for byte-exact tests (last 1 MB)

    def _on_bytes(self, data: bytes) -> None:
        self.received += data
        if len(self.received) > 1 << 20:
            del self.received[: len(self.received) - (1 << 20)]
        for label, payload in self._parser.feed(data):
            if label == LABEL_SEND_DMX:
                if not payload or payload[0] != 0:
                    self.bad_packets += 1
                    self.record("bad-packet", (label, bytes(payload[:8])))
                    continue
                channels = payload[1:513]
                self.universe[: len(channels)] = np.frombuffer(channels, dtype=np.uint8)
                self.frames += 1
                self.record("dmx", bytes(channels))
            elif label == LABEL_GET_PARAMS:
                self.record("get-params", bytes(payload))
                if self.answers:
                    self.write(enttec_frame(LABEL_GET_PARAMS, self.params.encode()))
            elif label == LABEL_SERIAL:
                self.record("get-serial")
                if self.answers:
                    self.write(enttec_frame(LABEL_SERIAL, self.serial_number.to_bytes(4, "little")))
            else:
                self.record("label", label)
        if self._parser.skipped:
            self.record("noise", self._parser.skipped)
            self._parser.skipped = 0

    def channels(self, start: int, count: int) -> list[int]:
        """Current values of channels start..start+count-1 (1-based)."""
        return [int(v) for v in self.universe[start - 1 : start - 1 + count]]

    def state(self) -> dict[str, Any]:
        return {**super().state(), "frames": self.frames, "universe": self.universe.tobytes()}
