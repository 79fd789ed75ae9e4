"""The rig adapter the runtime drives: parameters in; DMX, OSC, serial lines out; health and a room view."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from installation.adapters import Health, HealthState
from installation.rig.dmx import DmxEngine
from installation.rig.pixelmap import PixelMap
from installation.rig.profile import COLOR_ATTRIBUTES
from installation.rig.rigfile import ContinuousParam, DmxOutput, OscEndpoint, Rig, SerialDevice
from installation.rig.transports import (
    DmxTransport,
    OscSender,
    SerialLine,
    Transport,
    dmx_transport,
    osc_datagram,
)

log = logging.getLogger(__name__)

# what a named colour-wheel slot looks like on the panel
WHEEL_COLOURS: dict[str, tuple[float, float, float]] = {
    "white": (1.0, 1.0, 1.0),
    "open": (1.0, 1.0, 1.0),
    "red": (1.0, 0.0, 0.0),
    "orange": (1.0, 0.5, 0.0),
    "amber": (1.0, 0.75, 0.0),
    "yellow": (1.0, 1.0, 0.0),
    "lime": (0.6, 1.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "cyan": (0.0, 1.0, 1.0),
    "light-blue": (0.4, 0.7, 1.0),
    "blue": (0.0, 0.0, 1.0),
    "lavender": (0.7, 0.6, 1.0),
    "purple": (0.5, 0.0, 1.0),
    "uv": (0.35, 0.0, 1.0),
    "magenta": (1.0, 0.0, 1.0),
    "pink": (1.0, 0.4, 0.7),
    "warm": (1.0, 0.85, 0.6),
    "cto": (1.0, 0.8, 0.55),
    "ctb": (0.8, 0.9, 1.0),
}

TransportFactory = Callable[[DmxOutput | OscEndpoint | SerialDevice], Transport]


@dataclass(frozen=True, slots=True)
class FixtureState:
    """How a fixture looks right now, for the panel's room view: draw `rgb` × `intensity` at (x, y)."""

    name: str
    kind: str
    position: tuple[float, float] | None  # room plan 0..1, from the rig file
    rgb: tuple[float, float, float]  # 0..1 each
    intensity: float  # 0..1, grand master and blackout applied
    universe: int
    address: int


class RigOutput:
    """Drives a rig: `update()` at the refresh rate turns parameters into DMX frames, OSC and serial lines."""

    name = "rig"

    def __init__(
        self,
        rig: Rig,
        *,
        now: Callable[[], float] = time.monotonic,
        transport_factory: TransportFactory | None = None,
        source_name: str = "",
        locate: Callable[[], Rig] | None = None,
    ) -> None:
        """`locate`: the rig as it is aimed now (rehearsal: re-reads the simulators' sims.json); each
        transport asks it where its receiver went and follows a simulator restarted on another port."""
        self.rig = rig
        self._locate = locate
        self.engine = DmxEngine(rig)
        self._pixel_maps: dict[tuple[str, ...], PixelMap] = {}
        self._now = now
        self._factory = transport_factory
        self._source_name = source_name or f"installation {rig.name}"[:63]
        self._opened = False
        self.dmx: dict[str, DmxTransport] = {}
        self.osc: dict[str, OscSender] = {}
        self.serial: dict[str, SerialLine] = {}
        # rows of the engine's universe array that each output carries, with buffers to copy them into
        self._rows = {
            o.name: np.asarray([self.engine.universe_row[u] for u in o.universes], dtype=np.intp)
            for o in rig.outputs.values()
        }
        self._frame = {n: np.zeros((len(r), 512), dtype=np.uint8) for n, r in self._rows.items()}
        self._dirty = {n: np.zeros(len(r), dtype=bool) for n, r in self._rows.items()}
        # an output that carries a run of the engine's universes in order reads them in place
        self._span: dict[str, slice] = {}
        for n, r in self._rows.items():
            if len(r) and np.array_equal(r, np.arange(r[0], r[0] + len(r))):
                self._span[n] = slice(int(r[0]), int(r[0]) + len(r))
        self._continuous: list[tuple[str, str, ContinuousParam]] = []  # (param, endpoint/device, spec)
        for ep in rig.osc_endpoints.values():
            self._continuous += [(f"osc.{ep.name}.{p.name}", ep.name, p) for p in ep.params.values()]
        for dev in rig.serial_devices.values():
            self._continuous += [(f"serial.{dev.name}.{p.name}", dev.name, p) for p in dev.params.values()]
        self._last_sent: dict[str, float] = {}

    # ------------------------------------------------------------------ lifecycle

    def _make(self, target: DmxOutput | OscEndpoint | SerialDevice) -> Transport:
        if self._factory is not None:
            return self._factory(target)
        kw: dict[str, Any] = {"now": self._now, "locate": self._locator(target)}
        if isinstance(target, DmxOutput):
            if target.type == "sacn":
                kw["source_name"] = self._source_name
            return dmx_transport(target, **kw)
        if isinstance(target, OscEndpoint):
            return OscSender(target, **kw)
        return SerialLine(target, **kw)

    def _locator(self, target: DmxOutput | OscEndpoint | SerialDevice) -> Callable[[], Any] | None:
        """Where `target` is now, from `locate` (None without one)."""
        locate = self._locate
        if locate is None:
            return None
        name = target.name
        if isinstance(target, DmxOutput):
            return lambda: locate().outputs[name]
        if isinstance(target, OscEndpoint):
            return lambda: locate().osc_endpoints[name]
        return lambda: locate().serial_devices[name]

    def open(self) -> None:
        """Start every transport; missing devices are reported through health() and retried."""
        if self._opened:
            return
        for o in self.rig.outputs.values():
            t = self._make(o)
            assert isinstance(t, DmxTransport)
            self.dmx[o.name] = t
        for ep in self.rig.osc_endpoints.values():
            t = self._make(ep)
            assert isinstance(t, OscSender)
            self.osc[ep.name] = t
        for dev in self.rig.serial_devices.values():
            t = self._make(dev)
            assert isinstance(t, SerialLine)
            self.serial[dev.name] = t
        self._opened = True
        self._push_dmx()  # stage the current frame before any wire opens: no flash of zeros on restart
        for t in self._transports():
            t.start()
        log.info(
            "rig %s: opened %d DMX outputs, %d OSC endpoints, %d serial devices",
            self.rig.name,
            len(self.dmx),
            len(self.osc),
            len(self.serial),
        )

    def close(self) -> None:
        """Stop every transport; idempotent."""
        for t in self._transports():
            t.stop()
        self.dmx.clear()
        self.osc.clear()
        self.serial.clear()
        self._opened = False

    def _transports(self) -> list[Transport]:
        return [*self.dmx.values(), *self.osc.values(), *self.serial.values()]

    def health(self) -> list[Health]:
        """One Health per output, endpoint and device."""
        if not self._opened:
            t = self._now()
            names = (
                [f"dmx:{n}" for n in self.rig.outputs]
                + [f"osc:{n}" for n in self.rig.osc_endpoints]
                + [f"serial:{n}" for n in self.rig.serial_devices]
            )
            return [Health(n, HealthState.OFF, "not opened", t) for n in names]
        return [t.health() for t in self._transports()]

    # ------------------------------------------------------------------ per frame

    def update(self, params: Mapping[str, float], now: float, scene: np.ndarray | None = None,
               mapped: tuple[str, ...] = ()) -> None:
        """Render a frame from the parameter store's values and hand it to the transports (never blocks).

        With a `scene` image (rows top to bottom, RGB) the heads of the `mapped` fixtures and groups take
        its colour at their place (pixel mapping), over what the show's parameters say.
        """
        self.engine.set_params(params)
        if scene is not None and mapped:
            pixel_map = self.pixel_map(mapped)
            self.engine.render(after_merge=lambda merged: pixel_map.apply(scene, merged))
        else:
            self.engine.render()
        if self._opened:
            self._push_dmx()
        self._push_continuous(params)

    def pixel_map(self, targets: tuple[str, ...]) -> PixelMap:
        """The PixelMap of these fixtures and groups (worked out once per set of targets)."""
        found = self._pixel_maps.get(targets)
        if found is None:
            found = self._pixel_maps[targets] = PixelMap(self.rig, targets, self.engine.param_slot)
        return found

    def update_vector(self, values: np.ndarray, now: float) -> None:
        """Fast path for large rigs: light parameters as one array in `engine.param_names` order."""
        self.engine.set_vector(values)
        self.engine.render()
        if self._opened:
            self._push_dmx()

    def _push_dmx(self) -> None:
        for name, transport in self.dmx.items():
            span = self._span.get(name)
            if span is not None:
                transport.submit(self.engine.universes[span], self.engine.dirty[span])
                continue
            rows, frame, dirty = self._rows[name], self._frame[name], self._dirty[name]
            np.take(self.engine.universes, rows, axis=0, out=frame)
            np.take(self.engine.dirty, rows, out=dirty)
            transport.submit(frame, dirty)

    def _push_continuous(self, params: Mapping[str, float]) -> None:
        if not self._continuous:
            return
        osc_changes: dict[str, list[tuple[str, Sequence[Any]]]] = {}
        for full, target, spec in self._continuous:
            value = params.get(full)
            if value is None or self._last_sent.get(full) == value:
                continue
            if not self._opened:
                continue
            self._last_sent[full] = value
            wire = spec.wire_value(float(value))
            if full.startswith("osc."):
                osc_changes.setdefault(target, []).append((spec.target, [wire]))
            else:
                dev = self.rig.serial_devices[target]
                self.serial[target].send_line(dev.line(spec.target, [wire]), key=full)
        for target, messages in osc_changes.items():
            ep = self.rig.osc_endpoints[target]
            if ep.bundle:
                self.osc[target].send(osc_datagram(messages, bundle=len(messages) > 1))
            else:
                for m in messages:
                    self.osc[target].send(osc_datagram([m], bundle=False))

    # ------------------------------------------------------------------ discrete commands

    def send_osc(
        self, endpoint: str, address: str, args: Sequence[Any] = (), fields: Mapping[str, Any] | None = None
    ) -> bool:
        """Send one OSC message (a named address or a literal /path); False, logged, when it cannot."""
        sender = self.osc.get(endpoint)
        ep = self.rig.osc_endpoints.get(endpoint)
        if ep is None or sender is None:
            log.warning(
                "OSC send to unknown or closed endpoint %r dropped (endpoints: %s)",
                endpoint,
                ", ".join(self.rig.osc_endpoints) or "none",
            )
            return False
        try:
            sender.send(osc_datagram([(ep.address(address, fields), list(args))], bundle=False))
        except ValueError as exc:
            log.warning("OSC %s %s dropped: %s", endpoint, address, exc)
            return False
        return True

    def send_serial(self, device: str, command: str, args: Sequence[Any] = ()) -> bool:
        """Send one named command line to a serial device; False, logged, when it cannot."""
        line_out = self.serial.get(device)
        dev = self.rig.serial_devices.get(device)
        if dev is None or line_out is None:
            log.warning(
                "serial command to unknown or closed device %r dropped (devices: %s)",
                device,
                ", ".join(self.rig.serial_devices) or "none",
            )
            return False
        try:
            line_out.send_line(dev.line(command, args))
        except ValueError as exc:
            log.warning("serial %s %s dropped: %s", device, command, exc)
            return False
        return True

    def blackout(self, on: bool) -> None:
        """All light output (dimmers, and colours of fixtures without one) to zero, or back."""
        self.engine.blackout = on
        self.engine.render()
        if self._opened:
            self._push_dmx()
        log.info("rig %s: blackout %s", self.rig.name, "on" if on else "off")

    def grand_master(self, level: float) -> None:
        """Scale all light output by level (0..1)."""
        self.engine.grand_master = level
        self.engine.render()
        if self._opened:
            self._push_dmx()

    # ------------------------------------------------------------------ views

    def universe(self, number: int) -> bytes:
        """A copy of one universe's 512 channel values as they are sent."""
        return self.engine.universe(number).tobytes()

    def fixture_states(self) -> list[FixtureState]:
        """Every fixture's position, colour and intensity, for drawing the room."""
        e = self.engine
        out = []
        for fx in self.rig.fixtures.values():
            attrs = fx.attributes()

            heads = fx.mode.head_groups()

            def level(attr: str, fx_name: str = fx.name, heads: dict[str, list[str]] = heads) -> float:
                v = e.value(fx_name, attr)
                if v is None and attr in heads:  # a multi-head fixture: its brightest head
                    v = max((e.value(fx_name, k) or 0.0) for k in heads[attr])
                if v is None:
                    return 0.0
                lo, hi = self.rig.fixtures[fx_name].limits.get(attr, (0.0, 1.0))
                return min(hi, max(lo, v))

            rgb = (1.0, 1.0, 1.0)
            if any(a in attrs for a in COLOR_ATTRIBUTES):
                if {"cyan", "magenta", "yellow"} <= attrs.keys():
                    r, g, b = 1 - level("cyan"), 1 - level("magenta"), 1 - level("yellow")
                else:
                    w = level("white")
                    r = level("red") + w + level("amber") + 0.6 * level("lime") + 0.35 * level("uv")
                    g = level("green") + w + 0.75 * level("amber") + level("lime")
                    b = level("blue") + w + level("uv")
                rgb = (min(1.0, r), min(1.0, g), min(1.0, b))
            elif "color" in attrs and attrs["color"].wheel:
                slot = round(level("color"))
                wheel = attrs["color"].wheel
                name = wheel[min(max(slot, 0), len(wheel) - 1)][0].lower()
                rgb = WHEEL_COLOURS.get(name, (1.0, 1.0, 1.0))
            if "dimmer" in attrs:
                if fx.has_virtual_dimmer:
                    master = 0.0 if e.blackout else e.grand_master
                    intensity = min(1.0, max(0.0, level("dimmer"))) * master
                else:
                    intensity = e.output_level(fx.name, "dimmer") or 0.0
            elif "output" in attrs:
                intensity = level("output")
            else:
                intensity = 0.0
            out.append(
                FixtureState(fx.name, fx.profile.kind, fx.position, rgb, intensity, fx.universe, fx.address)
            )
        return out
