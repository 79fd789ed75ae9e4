"""A rig's far end: a simulator per DMX output, OSC endpoint and serial device, and the rig aimed there."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from installation.rig.rigfile import Rig
from installation.sim.base import Now, Simulator
from installation.sim.dmxnode import DmxNodeSim
from installation.sim.enttec import EnttecWidgetSim
from installation.sim.osc import OscConsoleSim
from installation.sim.serialdev import SerialDeviceSim

log = logging.getLogger(__name__)


class SimulatedRig:
    """Starts simulators for a rig; `rig` is the same rig with every output pointed at them.

    Use: `sims = SimulatedRig(rig); output = RigOutput(sims.start()); ...; sims.stop()`.
    """

    def __init__(self, rig: Rig, workdir: Path | None = None, *, now: Now = time.monotonic) -> None:
        self.original = rig
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="installation-sim-")
            workdir = Path(self._tmp.name)
        self.workdir = workdir
        self._now = now
        self.widgets: dict[str, EnttecWidgetSim] = {}
        self.nodes: dict[str, DmxNodeSim] = {}
        self.consoles: dict[str, OscConsoleSim] = {}
        self.devices: dict[str, SerialDeviceSim] = {}
        self.rig = rig

    def start(self) -> Rig:
        """Start every simulator; returns the rig aimed at them."""
        dmx: dict[str, str | tuple[str, int]] = {}
        for out in self.original.outputs.values():
            if out.type == "enttec-usb-pro":
                widget = EnttecWidgetSim(self.workdir / f"enttec-{out.name}", now=self._now)
                widget.start()
                self.widgets[out.name] = widget
                dmx[out.name] = widget.port
            else:
                node = DmxNodeSim(now=self._now, short_name=f"sim-{out.name}"[:17])
                node.start()
                self.nodes[out.name] = node
                dmx[out.name] = ("127.0.0.1", node.artnet_port if out.type == "artnet" else node.sacn_port)
        osc: dict[str, tuple[str, int]] = {}
        for ep in self.original.osc_endpoints.values():
            console = OscConsoleSim(now=self._now)
            console.start()
            self.consoles[ep.name] = console
            osc[ep.name] = ("127.0.0.1", console.port)
        serial: dict[str, str] = {}
        for dev in self.original.serial_devices.values():
            sim = SerialDeviceSim(
                self.workdir / f"serial-{dev.name}", now=self._now, line_ending=dev.line_ending
            )
            sim.start()
            self.devices[dev.name] = sim
            serial[dev.name] = sim.port
        self.rig = self.original.with_targets(dmx=dmx, osc=osc, serial=serial)
        log.info("rig %s: simulators started in %s", self.original.name, self.workdir)
        return self.rig

    def simulators(self) -> list[Simulator]:
        return [*self.widgets.values(), *self.nodes.values(), *self.consoles.values(), *self.devices.values()]

    def stop(self) -> None:
        for sim in self.simulators():
            sim.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def received_universe(self, number: int) -> bytes:
        """The channels of a rig universe as the far end received them."""
        for name, out in self.original.outputs.items():
            if number in out.universes:
                if name in self.widgets:
                    return self.widgets[name].universe.tobytes()
                node = self.nodes[name]
                net = out.network_universe(number)
                return node.artnet(net) if out.type == "artnet" else node.sacn(net)
        raise KeyError(f"universe {number} has no output in rig {self.original.name}")

    def state(self) -> dict[str, Any]:
        """Every simulator's state, keyed by output/endpoint/device name, for the rehearsal view."""
        return {
            "dmx": {n: s.state() for n, s in {**self.widgets, **self.nodes}.items()},
            "osc": {n: s.state() for n, s in self.consoles.items()},
            "serial": {n: s.state() for n, s in self.devices.items()},
        }
