"""The DMX engine: parameter values → numpy universes (HTP/LTP merge, limits, 16-bit, grand master, blackout).

Everything per frame runs on preallocated numpy buffers: a frame allocates nothing that grows with the rig.
Merging is driven by change: a frame in which no parameter changed costs two vector compares.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from installation.rig.profile import Channel
from installation.rig.rigfile import Fixture, Rig, base_attribute, head_group_attributes

log = logging.getLogger(__name__)

UNIVERSE_SIZE = 512
# Light parameters are held in single precision: 24 bits of mantissa against the 16 bits of a fine channel,
# and half the memory a frame walks through (what a frame costs on a large rig is mostly memory traffic).
PARAM_DTYPE = np.float32


@dataclass(frozen=True, slots=True)
class _Logical:
    """One attribute of one fixture: where its value comes from and where it goes."""

    fixture: Fixture
    attribute: str
    channel: Channel
    sources: tuple[int, ...]  # param slots: the fixture's own first, then its groups
    htp: bool
    choice: bool
    virtual: bool

    @property
    def order(self) -> int:
        """Storage order: HTP outputs, LTP outputs, wheels, virtual dimmers (each block contiguous)."""
        if self.virtual:
            return 3
        if self.choice:
            return 2
        return 0 if self.htp else 1


class DmxEngine:
    """Renders universes from light parameters; `universes[i]` holds the channels of `universe_numbers[i]`."""

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.universe_numbers: tuple[int, ...] = rig.universes
        self.universe_row: dict[int, int] = {u: i for i, u in enumerate(self.universe_numbers)}
        n_univ = max(1, len(self.universe_numbers))
        self.universes = np.zeros((n_univ, UNIVERSE_SIZE), dtype=np.uint8)
        self._flat = self.universes.reshape(-1)
        self._previous = np.zeros_like(self.universes)
        # universes compared eight channels at a time to find the ones that changed
        self._words = self.universes.view(np.uint64)
        self._previous_words = self._previous.view(np.uint64)
        self._neq = np.zeros(self._words.shape, dtype=bool)
        self.dirty = np.ones(n_univ, dtype=bool)  # universes that changed in the last render
        self._grand_master = 1.0
        self._blackout = False
        self._overridden = False  # the last frame had values overwritten after the merge
        self._x_saved: np.ndarray | None = None  # ... and what they were before
        self._master_changed = True

        specs = {k: v for k, v in rig.parameters().items() if k.startswith("light.")}
        # fixture params first, group params after: a group change is one check of a contiguous slice
        # (a fixture's attribute over all its heads, `light.bar.red`, merges like a group)
        shared = {
            f"light.{fx.name}.{a}" for fx in rig.fixtures.values() for a in head_group_attributes(fx.mode)
        }
        fixture_params = [k for k in specs if k.split(".")[1] in rig.fixtures and k not in shared]
        group_params = [k for k in specs if k.split(".")[1] not in rig.fixtures or k in shared]
        self.param_names: tuple[str, ...] = (*fixture_params, *group_params)
        self.param_slot: dict[str, int] = {n: i for i, n in enumerate(self.param_names)}
        # and the fixture params in the order the merge stores them (HTP, LTP, wheels, virtual dimmers), so
        # each attribute's own value is a slice of the parameter vector, read without an index array
        own = [self.param_names[lg.sources[0]] for lg in self._logicals(rig)]
        placed = set(own)
        rest = [k for k in fixture_params if k not in placed]
        self.param_names = (*own, *rest, *group_params)
        self.param_slot = {n: i for i, n in enumerate(self.param_names)}
        self._groups = slice(len(fixture_params), len(self.param_names))
        n_params = len(self.param_names)
        self._pad = n_params  # a slot that never changes and is 0: pads merge columns
        self._values = np.zeros(n_params + 1, dtype=PARAM_DTYPE)
        for name, spec in specs.items():
            self._values[self.param_slot[name]] = spec.default
        self._seen = self._values.copy()
        self._vector = self._values[:n_params]
        self._changed = np.zeros(n_params + 1, dtype=bool)
        self._getter: Callable[[Mapping[str, float]], tuple[float, ...]] | None = (
            operator.itemgetter(*self.param_names) if n_params > 1 else None
        )
        self._build(rig)
        self._render(full=True)

    # ------------------------------------------------------------------ building the maps

    def _logicals(self, rig: Rig) -> list[_Logical]:
        group_attrs = {g: rig.target_attributes(g) for g in rig.groups}
        groups_of: dict[str, list[str]] = {}
        for g, group in rig.groups.items():
            for m in group.members:
                groups_of.setdefault(m, []).append(g)
        out: list[_Logical] = []
        for fx in rig.fixtures.values():
            virtual = fx.has_virtual_dimmer
            shared = head_group_attributes(fx.mode)  # `light.bar.red`: a source of every head's red
            for attr, ch in fx.attributes().items():
                if attr in shared and ch is shared[attr]:
                    continue  # no channel of its own
                sources = [self.param_slot[f"light.{fx.name}.{attr}"]]
                base = base_attribute(attr)
                by_heads = ch.head > 0 and base in shared
                if by_heads:
                    sources.append(self.param_slot[f"light.{fx.name}.{base}"])
                for g in groups_of.get(fx.name, []):
                    if attr in group_attrs[g]:
                        sources.append(self.param_slot[f"light.{g}.{attr}"])
                    if by_heads and base in group_attrs[g]:
                        sources.append(self.param_slot[f"light.{g}.{base}"])
                is_virtual = virtual and attr == "dimmer"
                out.append(
                    _Logical(
                        fx, attr, ch, tuple(sources), ch.htp and not ch.wheel, bool(ch.wheel), is_virtual
                    )
                )
        out.sort(key=lambda lg: lg.order)  # stable: fixtures keep their order inside each block
        return out

    def _build(self, rig: Rig) -> None:
        logicals = self._logicals(rig)
        self._logical = logicals
        self.logical_index: dict[tuple[str, str], int] = {
            (lg.fixture.name, lg.attribute): i for i, lg in enumerate(logicals)
        }
        n_log = len(logicals)
        n_htp = sum(1 for lg in logicals if lg.order == 0)
        n_out = sum(1 for lg in logicals if lg.order <= 1)  # continuous channels that reach DMX
        n_choice = sum(1 for lg in logicals if lg.order == 2)
        no_dimmer = n_log  # marks "no virtual dimmer" while the multiplier table is built
        ip = np.intp

        # merge columns: column 0 is each logical's own fixture param, columns 1.. its groups (pad = none)
        k = max((len(lg.sources) for lg in logicals), default=1)
        # With no group over any attribute, the merged values are the fixture params themselves (the
        # parameter vector is in merge order): a view, and no merge work per frame.
        self._merged = k == 1
        self._x = self._values[:n_log] if self._merged else np.zeros(n_log, dtype=PARAM_DTYPE)
        self._x_htp = self._x[:n_htp]
        self._x_ltp = self._x[n_htp:n_log]
        self._x_out = self._x[:n_out]

        def columns(block: list[_Logical]) -> list[np.ndarray]:
            cols = np.full((k, len(block)), self._pad, dtype=ip)
            for i, lg in enumerate(block):
                cols[: len(lg.sources), i] = lg.sources
            return [np.ascontiguousarray(c) for c in cols]

        self._htp_cols = columns(logicals[:n_htp])
        self._ltp_cols = columns(logicals[n_htp:])
        # the own column is the identity (see __init__): a slice, no gather
        self._htp_own = self._values[:n_htp]
        self._ltp_own = self._values[n_htp:n_log]
        self._ltp_own_changed = self._changed[n_htp:n_log]
        assert np.array_equal(self._htp_cols[0], np.arange(n_htp)), "fixture params out of merge order"
        assert np.array_equal(self._ltp_cols[0], np.arange(n_htp, n_log)), "fixture params out of merge order"
        self._htp_tmp = np.zeros(n_htp, dtype=PARAM_DTYPE)
        n_ltp = n_log - n_htp
        self._ltp_tmp = np.zeros(n_ltp, dtype=PARAM_DTYPE)
        self._ltp_mask = np.zeros(n_ltp, dtype=bool)
        self._ltp_col = np.zeros(n_ltp, dtype=ip)  # which column last won (wheels translate per source)
        if not self._merged:  # (merged values are the parameters themselves)
            self._x_htp[:] = 0.0
            for col in self._htp_cols:
                np.take(self._values, col, out=self._htp_tmp, mode="clip")
                np.maximum(self._x_htp, self._htp_tmp, out=self._x_htp)
            np.take(self._values, self._ltp_cols[0], out=self._x_ltp, mode="clip")

        # continuous channels, in logical order 0..n_out
        lo_lim, hi_lim, base, span, mult, gm_mask, coarse, fine = ([] for _ in range(8))
        off_sel, off_val, inv_sel, close_pos, close_val = [], [], [], [], []
        plans = {name: fx.mode.light_plan() for name, fx in rig.fixtures.items()}
        self._plans = plans
        gate = -1  # marks "blackout (and a grand master at 0) sends it to its off value, nothing else"
        for i, lg in enumerate(logicals[:n_out]):
            fx, ch = lg.fixture, lg.channel
            addr = self.universe_row[fx.universe] * UNIVERSE_SIZE + fx.address - 1
            positions = [p for p, key in enumerate(fx.mode.keys) if key == lg.attribute]
            coarse.append(addr + next(p for p in positions if not fx.mode.channels[p].fine))
            fine.append(next((addr + p for p in positions if fx.mode.channels[p].fine), -1))
            lo, hi = fx.limits.get(lg.attribute) or fx.limits.get(base_attribute(lg.attribute), (0.0, 1.0))
            lo_lim.append(lo)
            hi_lim.append(hi)
            base.append(ch.dmx_range[0])
            span.append(ch.dmx_range[1] - ch.dmx_range[0])
            # blackout and the grand master stop light and emissions (hazer/fog output), not positions: the
            # grand master scales each light path once (its master), blackout also cuts everything else
            tag = plans[fx.name].get(lg.attribute, "")
            virtual_master = tag == "master" and fx.has_virtual_dimmer and ch.role != "emission"
            mult.append(self.logical_index[(fx.name, "dimmer")] if virtual_master else no_dimmer)
            gm_mask.append(1.0 if tag == "master" else (gate if tag == "cut" else 0.0))
            if ch.off is not None:
                off_sel.append(i)
                off_val.append(ch.off)
            if ch.invert != (lg.attribute in fx.invert or base_attribute(lg.attribute) in fx.invert):
                inv_sel.append(i)
        self._lim_lo = np.asarray(lo_lim, dtype=PARAM_DTYPE)
        self._lim_hi = np.asarray(hi_lim, dtype=PARAM_DTYPE)
        self._no_limits = bool(np.all(self._lim_lo == 0.0) and np.all(self._lim_hi == 1.0))
        self._base = np.asarray(base, dtype=PARAM_DTYPE)
        self._span = np.asarray(span, dtype=PARAM_DTYPE)
        self._full_range = bool(np.all(self._base == 0) and np.all(self._span == 255))
        # Each channel's multiplier in one gather from a short table: its fixture's virtual dimmer (clipped)
        # × the master level, or the master level, or 1; times 255 when every channel spans 0..255, so that
        # masters, virtual dimmers and the scale to DMX units are one pass over the channels, not three.
        n_virt = n_log - n_out - n_choice
        self._virtual = self._x[n_out + n_choice : n_log]
        self._ms = np.zeros(n_virt + 3, dtype=np.float32)
        self._ms_virtual = self._ms[:n_virt]
        self._ms_master, self._ms_unity, self._ms_gate = n_virt, n_virt + 1, n_virt + 2
        first_virtual = n_out + n_choice
        self._mult = np.asarray(
            [
                m - first_virtual
                if m != no_dimmer
                else (self._ms_gate if g == gate else (self._ms_master if g else self._ms_unity))
                for m, g in zip(mult, gm_mask, strict=True)
            ],
            dtype=ip,
        )
        self._scale = 255.0 if self._full_range else 1.0  # DMX units per 1.0 once multiplied
        # the pixel-mapping layout (every channel in runs of r sharing one virtual dimmer, run after run
        # in the table's order) multiplies by broadcasting the table, with no per-channel index array
        runs = len(self._mult) // n_virt if n_virt and len(self._mult) % n_virt == 0 else 0
        pattern = np.repeat(np.arange(n_virt, dtype=ip), runs)
        self._by_runs = bool(runs) and np.array_equal(self._mult, pattern)
        self._coarse = np.asarray(coarse, dtype=ip)
        fine_arr = np.asarray(fine, dtype=ip)
        self._f_sel = np.nonzero(fine_arr >= 0)[0].astype(ip)
        self._f_fine = fine_arr[self._f_sel]
        self._f_coarse = self._coarse[self._f_sel]
        self._off_sel = np.asarray(off_sel, dtype=ip)
        self._off_val = np.asarray(off_val, dtype=np.uint8)
        self._inv_sel = np.asarray(inv_sel, dtype=ip)
        self._y = np.zeros(n_out, dtype=np.float32)
        self._coarse_view, self._y_rows = self._regular_view(self._coarse)
        self._y_by_dimmer = self._y.reshape(n_virt, -1) if self._by_runs else self._y
        self._ms_column = self._ms_virtual[:, None]
        self._m = np.zeros(n_out, dtype=np.float32)
        self._y8 = np.zeros(n_out, dtype=np.uint8)
        n_off, n_inv, n_fine = len(off_sel), len(inv_sel), len(self._f_sel)
        self._off_y = np.zeros(n_off, dtype=np.float32)
        self._off_zero = np.zeros(n_off, dtype=bool)
        self._off_8 = np.zeros(n_off, dtype=np.uint8)
        self._inv_y = np.zeros(n_inv, dtype=np.float32)
        self._f_y = np.zeros(n_fine, dtype=np.float32)
        self._f_16 = np.zeros(n_fine, dtype=np.uint16)
        self._f_hi = np.zeros(n_fine, dtype=np.uint16)
        self._f_c8 = np.zeros(n_fine, dtype=np.uint8)
        self._f_f8 = np.zeros(n_fine, dtype=np.uint8)
        self._f_off = np.zeros(n_fine, dtype=bool)
        self._f_offval = np.zeros(n_fine, dtype=np.uint8)
        off_pos = {int(s): j for j, s in enumerate(off_sel)}
        self._f_offsel = np.asarray([off_pos.get(int(s), -1) for s in self._f_sel], dtype=ip)
        self._f_has_off = self._f_offsel >= 0
        for j, s in enumerate(self._f_offsel):
            if s >= 0:
                self._f_offval[j] = off_val[s]

        # wheel channels: each merge source has its own slot list (a group keeps the slots all members share),
        # so the column that won picks the lookup table that turns a slot index into this fixture's DMX value
        group_attrs = {g: self.rig.target_attributes(g) for g in self.rig.groups}
        c_rows: list[int] = []
        c_dmx: list[int] = []
        seg_off: list[list[int]] = []
        seg_max: list[list[int]] = []
        lut: list[int] = []
        for i, lg in enumerate(logicals[n_out : n_out + n_choice]):
            fx, ch = lg.fixture, lg.channel
            addr = self.universe_row[fx.universe] * UNIVERSE_SIZE + fx.address - 1
            pos = next(
                p
                for p, key in enumerate(fx.mode.keys)
                if key == lg.attribute and not fx.mode.channels[p].fine
            )
            own = dict(ch.wheel)
            offs: list[int] = []
            maxs: list[int] = []
            for column in range(k):
                if column < len(lg.sources):
                    _, target, source_attr = self.param_names[lg.sources[column]].split(".", 2)
                    slots = (
                        [s for s, _ in ch.wheel]
                        if target == fx.name
                        else [s for s, _ in group_attrs[target][source_attr].choices]
                    )
                else:
                    slots = [ch.wheel[0][0]]
                offs.append(len(lut))
                maxs.append(len(slots) - 1)
                lut.extend(own[s] for s in slots)
            c_rows.append(n_out - n_htp + i)  # position inside the LTP block
            c_dmx.append(addr + pos)
            seg_off.append(offs)
            seg_max.append(maxs)
        nc = len(c_rows)
        self._c_rows = np.asarray(c_rows, dtype=ip)
        self._c_dmx = np.asarray(c_dmx, dtype=ip)
        self._c_seg_off = np.asarray(seg_off, dtype=ip).reshape(-1)
        self._c_seg_max = np.asarray(seg_max, dtype=PARAM_DTYPE).reshape(-1)
        self._c_base = np.arange(nc, dtype=ip) * k
        self._c_lut = np.asarray(lut or [0], dtype=np.uint8)
        self._c_val = np.zeros(nc, dtype=PARAM_DTYPE)
        self._c_win = np.zeros(nc, dtype=ip)
        self._c_max = np.zeros(nc, dtype=PARAM_DTYPE)
        self._c_idx = np.zeros(nc, dtype=ip)
        self._c_out = np.zeros(nc, dtype=np.uint8)

        for fx in rig.fixtures.values():  # fixed channels are written once
            addr = self.universe_row[fx.universe] * UNIVERSE_SIZE + fx.address - 1
            for pos, ch in enumerate(fx.mode.channels):
                if ch.fixed is not None:
                    self._flat[addr + pos] = ch.fixed
                elif (
                    not ch.fine and ch.closed is not None and plans[fx.name].get(fx.mode.keys[pos]) == "close"
                ):
                    close_pos.append(addr + pos)
                    close_val.append(ch.closed)
        self._close_pos = np.asarray(close_pos, dtype=ip)  # shutters (or wheels) blackout closes
        self._close_val = np.asarray(close_val, dtype=np.uint8)

    def _regular_view(self, positions: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """When channels land in equal runs at a constant stride (the same fixtures filling universe after
        universe, as pixel mapping does), a 2-D view of the universes they land in, and the channel vector
        shaped to match; so a frame writes them with no index array."""
        n = len(positions)
        starts = np.flatnonzero(np.diff(positions, prepend=-2) != 1) if n else np.zeros(0, dtype=np.intp)
        if n == 0 or n % len(starts):
            return None, self._y
        run = n // len(starts)
        heads = positions[starts]
        stride = int(heads[1] - heads[0]) if len(heads) > 1 else UNIVERSE_SIZE
        if stride < run or not np.array_equal(starts, np.arange(0, n, run)):
            return None, self._y
        if not np.array_equal(heads, heads[0] + stride * np.arange(len(heads))):
            return None, self._y
        flat = self._flat[int(heads[0]) :]
        view = np.lib.stride_tricks.as_strided(
            flat, shape=(len(heads), run), strides=(stride * flat.strides[0], flat.strides[0]), writeable=True
        )
        return view, self._y.reshape(len(heads), run)

    # ------------------------------------------------------------------ inputs

    def set_params(self, params: Mapping[str, float]) -> None:
        """Take light parameters from a store snapshot, or only changed ones: missing names keep values."""
        values = self._values
        if self._getter is not None and len(params) >= len(self.param_names):
            try:
                values[: len(self.param_names)] = self._getter(params)
                return
            except (KeyError, TypeError, ValueError):
                pass  # a partial or odd snapshot: take what is there, one by one
        slot = self.param_slot
        for name, value in params.items():
            i = slot.get(name)
            if i is not None:
                try:
                    values[i] = value
                except (TypeError, ValueError):
                    log.warning("ignoring non-numeric value %r for %s", value, name)

    @property
    def vector(self) -> np.ndarray:
        """The live parameter vector, in `param_names` order: a fade engine may write into it in place."""
        return self._vector

    def set_vector(self, values: np.ndarray) -> None:
        """Fast path: all light parameters at once, in `param_names` order (`vector` itself: no copy)."""
        if values is not self._vector:
            self._vector[:] = values

    @property
    def grand_master(self) -> float:
        return self._grand_master

    @grand_master.setter
    def grand_master(self, level: float) -> None:
        self._grand_master = min(1.0, max(0.0, float(level)))
        self._apply_master()

    @property
    def blackout(self) -> bool:
        return self._blackout

    @blackout.setter
    def blackout(self, on: bool) -> None:
        self._blackout = bool(on)
        self._apply_master()

    def _apply_master(self) -> None:
        self._master_changed = True

    # ------------------------------------------------------------------ the frame

    def render(self, after_merge: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
        """Compute every universe from the current parameters; returns the per-universe `dirty` flags.

        `after_merge(values)` may overwrite fixtures' merged values (in `param_names` order for fixture
        attributes) after fixtures and groups are merged: pixel mapping wins over the show's looks.
        """
        return self._render(full=False, after_merge=after_merge)

    def _render(self, full: bool, after_merge: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
        v = self._values
        np.not_equal(v, self._seen, out=self._changed)
        if self._overridden:  # the merged values as they were before the last frame's override
            if not self._merged:
                np.copyto(self._x, self._x_saved)
            full, self._overridden = True, False
        if after_merge is not None:
            full = True  # the override changes every frame
        if not (full or self._master_changed or np.count_nonzero(self._changed)):
            self.dirty[:] = False
            return self.dirty
        self._master_changed = False
        np.copyto(self._seen, v)
        groups_changed = full or (not self._merged and bool(np.count_nonzero(self._changed[self._groups])))

        if len(self._x_htp) and not self._merged:  # highest takes precedence: max of fixture and groups
            np.copyto(self._x_htp, self._htp_own)
            for col in self._htp_cols[1:]:
                np.take(v, col, out=self._htp_tmp, mode="clip")
                np.maximum(self._x_htp, self._htp_tmp, out=self._x_htp)
        if len(self._x_ltp) and not self._merged:  # latest takes precedence: a changed source overwrites
            for c in range(len(self._ltp_cols) - 1, 0, -1):  # groups first: the fixture's own wins ties
                if not groups_changed:
                    break
                col = self._ltp_cols[c]
                np.take(self._changed, col, out=self._ltp_mask, mode="clip")
                np.take(v, col, out=self._ltp_tmp, mode="clip")
                np.copyto(self._x_ltp, self._ltp_tmp, where=self._ltp_mask)
                if len(self._c_rows):
                    np.copyto(self._ltp_col, c, where=self._ltp_mask)
            np.copyto(self._x_ltp, self._ltp_own, where=self._ltp_own_changed)
            if len(self._c_rows):
                np.copyto(self._ltp_col, 0, where=self._ltp_own_changed)

        if after_merge is not None:
            if self._x_saved is None or self._x_saved.shape != self._x.shape:
                self._x_saved = np.empty_like(self._x)
            np.copyto(self._x_saved, self._x)
            after_merge(self._x)
            self._overridden = True
        y = self._y
        if len(y):
            if self._no_limits:
                np.clip(self._x_out, 0.0, 1.0, out=y)
            else:
                np.clip(self._x_out, self._lim_lo, self._lim_hi, out=y)
            scale = self._scale
            level = (0.0 if self._blackout else self._grand_master) * scale
            ms = self._ms
            np.clip(self._virtual, 0.0, 1.0, out=self._ms_virtual)
            np.multiply(self._ms_virtual, level, out=self._ms_virtual)
            ms[self._ms_master] = level
            ms[self._ms_unity] = scale
            ms[self._ms_gate] = scale if level else 0.0
            if self._by_runs:
                np.multiply(self._y_by_dimmer, self._ms_column, out=self._y_by_dimmer)
            else:
                np.take(ms, self._mult, out=self._m, mode="clip")
                np.multiply(y, self._m, out=y)
            if len(self._off_sel):
                np.take(y, self._off_sel, out=self._off_y, mode="clip")
                np.equal(self._off_y, 0.0, out=self._off_zero)
            if len(self._inv_sel):
                np.take(y, self._inv_sel, out=self._inv_y, mode="clip")
                np.subtract(scale, self._inv_y, out=self._inv_y)
                y[self._inv_sel] = self._inv_y
            if not self._full_range:
                np.multiply(y, self._span, out=y)
                np.add(y, self._base, out=y)  # now in 8-bit DMX units, fractional
            if len(self._f_sel):
                np.take(y, self._f_sel, out=self._f_y, mode="clip")
            if self._coarse_view is not None and not len(self._off_sel):  # straight into the universes
                np.rint(self._y_rows, out=self._coarse_view, casting="unsafe")
            else:
                np.rint(y, out=self._y8, casting="unsafe")
                if len(self._off_sel):
                    np.take(self._y8, self._off_sel, out=self._off_8, mode="clip")
                    np.copyto(self._off_8, self._off_val, where=self._off_zero)
                    self._y8[self._off_sel] = self._off_8
                self._flat[self._coarse] = self._y8
            if len(self._f_sel):
                f = self._f_y
                np.multiply(f, 257.0, out=f)
                np.rint(f, out=f)
                np.copyto(self._f_16, f, casting="unsafe")
                np.right_shift(self._f_16, 8, out=self._f_hi)
                np.copyto(self._f_c8, self._f_hi, casting="unsafe")
                np.bitwise_and(self._f_16, 255, out=self._f_hi)
                np.copyto(self._f_f8, self._f_hi, casting="unsafe")
                if len(self._off_sel):
                    np.take(self._off_zero, self._f_offsel, out=self._f_off, mode="clip")
                    np.logical_and(self._f_off, self._f_has_off, out=self._f_off)
                    np.copyto(self._f_c8, self._f_offval, where=self._f_off)
                    np.copyto(self._f_f8, 0, where=self._f_off)
                self._flat[self._f_coarse] = self._f_c8
                self._flat[self._f_fine] = self._f_f8
        if len(self._c_rows):
            np.take(self._x_ltp, self._c_rows, out=self._c_val, mode="clip")
            np.take(self._ltp_col, self._c_rows, out=self._c_win, mode="clip")
            np.add(self._c_win, self._c_base, out=self._c_win)
            np.take(self._c_seg_max, self._c_win, out=self._c_max, mode="clip")
            np.rint(self._c_val, out=self._c_val)
            np.clip(self._c_val, 0.0, self._c_max, out=self._c_val)
            np.copyto(self._c_idx, self._c_val, casting="unsafe")
            np.take(self._c_seg_off, self._c_win, out=self._c_win, mode="clip")
            np.add(self._c_idx, self._c_win, out=self._c_idx)
            np.take(self._c_lut, self._c_idx, out=self._c_out, mode="clip")
            self._flat[self._c_dmx] = self._c_out
        if len(self._close_pos) and (self._blackout or not self._grand_master):
            self._flat[self._close_pos] = self._close_val  # dark: shutters that are a head's only cut close

        np.not_equal(self._words, self._previous_words, out=self._neq)
        np.logical_or.reduce(self._neq, axis=1, out=self.dirty)
        np.copyto(self._previous, self.universes)
        return self.dirty

    # ------------------------------------------------------------------ views

    def value(self, fixture: str, attribute: str) -> float | None:
        """The merged value (0..1, or a wheel slot index) of an attribute, before limits and masters."""
        i = self.logical_index.get((fixture, attribute))
        return None if i is None else float(self._x[i])

    def output_level(self, fixture: str, attribute: str) -> float | None:
        """An attribute as it leaves: limits, virtual dimmer and grand master applied, 0..1."""
        i = self.logical_index.get((fixture, attribute))
        if i is None:
            return None
        fx = self.rig.fixtures[fixture]
        lo, hi = fx.limits.get(attribute) or fx.limits.get(base_attribute(attribute), (0.0, 1.0))
        val = min(hi, max(lo, float(self._x[i])))
        master = 0.0 if self._blackout else self._grand_master
        tag = self._plans[fixture].get(attribute, "")
        if tag == "master" and fx.has_virtual_dimmer and fx.mode.attributes()[attribute].role != "emission":
            val *= min(1.0, max(0.0, float(self._x[self.logical_index[(fixture, "dimmer")]]))) * master
        elif tag == "master" or (tag == "cut" and not master):
            val *= master
        return val

    def universe(self, number: int) -> np.ndarray:
        """One universe's 512 channels (a view: copy it to keep it)."""
        row: np.ndarray = self.universes[self.universe_row[number]]
        return row
