"""The pyo instruments: each builds a stereo signal from a layer with its parameters on smoothed signals."""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from installation.audio.catalog import BUILTIN_SOUNDS, INSTRUMENTS, SCALES, db_to_amp, layer_options
from installation.audio.pyolib import pyo
from installation.audio.soundscape import Layer

log = logging.getLogger(__name__)

LN2_PER_CENT = math.log(2.0) / 1200.0
POLY = 4  # voices of the pulses/bells instruments (round robin)
NOMINAL_GAIN = 2.0  # instruments are built to about -12 dBFS RMS: a layer at 0 dB sits near -6 dBFS RMS


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What every instrument needs from the engine: sample rate, smoothing time and the seed."""

    sample_rate: float
    smoothing_s: float
    seed: int


def sound_path(name: str) -> Path:
    """The file a granular `file` option names: a built-in pyo sound or a path."""
    if name in BUILTIN_SOUNDS:
        return Path(pyo.SNDS_PATH) / BUILTIN_SOUNDS[name]
    return Path(name)


class Instrument:
    """Base: holds the layer's values, its pyo objects and a setter per parameter."""

    gain = 1.0  # normalises the instrument's own output to about -12 dBFS RMS

    def __init__(self, ctx: BuildContext, layer: Layer) -> None:
        self.ctx = ctx
        self.layer = layer
        self.spec = INSTRUMENTS[layer.instrument]
        self.options = layer_options(layer.instrument, layer.values)
        self.values: dict[str, float] = {
            key: float(layer.values.get(key, param.default)) for key, param in self.spec.params.items()
        }
        self.setters: dict[str, Callable[[float], None]] = {}
        self.keep: list[Any] = []  # references that keep pyo objects alive
        self.out: Any = None  # stereo PyoObject (2 streams), set by build()

    def smooth(self, key: str, transform: Callable[[float], float] = float) -> Any:
        """A SigTo following parameter `key` (after `transform`), ramped over the smoothing time."""
        start = transform(self.values[key])
        sig = pyo.SigTo(start, time=self.ctx.smoothing_s, init=start)

        earlier = self.setters.get(key)

        def setter(value: float) -> None:
            if earlier is not None:  # several signals may follow one parameter
                earlier(value)
            sig.value = transform(value)

        self.setters[key] = setter
        self.keep.append(sig)
        return sig

    def build(self) -> None:
        """Create the pyo objects and set `out` (2 streams)."""
        raise NotImplementedError

    def set(self, key: str, value: float) -> bool:
        """Set a parameter (clamped to its range); False when this instrument has no such parameter."""
        param = self.spec.params.get(key)
        setter = self.setters.get(key)
        if param is None or setter is None:
            return False
        value = param.clamp(float(value))
        self.values[key] = value
        setter(value)
        return True

    def stop(self) -> None:
        """Stop every object (the soundscape has faded out)."""
        for obj in [*self.keep, self.out]:
            for item in obj if isinstance(obj, list) else [obj]:
                if isinstance(item, pyo.PyoObject):
                    item.stop()


class Drone(Instrument):
    """Two super-saws (sines at brightness 0), detuned apart, through a Moog low-pass with a slow sweep."""

    gain = 1.15

    def build(self) -> None:
        root = self.smooth("root")
        cents = self.smooth("detune", lambda c: c * LN2_PER_CENT * 0.25)
        spread = self.smooth("detune", lambda c: min(1.0, c / 100.0))
        freqs = [root * (1.0 - cents), root * (1.0 + cents)]  # left and right drift apart
        saw = pyo.SuperSaw(freq=freqs, detune=spread, bal=0.75, mul=self.smooth("brightness"))
        sine = pyo.Sine(freq=freqs, mul=self.smooth("brightness", lambda b: 0.6 * (1.0 - b)))
        sweep = pyo.Sine(freq=self.smooth("rate"), mul=self.smooth("sweep", lambda s: 2.0 * s))
        cutoff = self.smooth("cutoff")
        nyquist = self.ctx.sample_rate * 0.45
        freq = pyo.Clip(cutoff * pyo.Pow(2.0, sweep), 20.0, nyquist)
        res = self.smooth("resonance", lambda r: 0.9 * r)
        self.out = pyo.MoogLP(saw + sine, freq=freq, res=res, mul=self.gain)
        self.keep += [freqs, saw, sine, sweep, freq]


class Noise(Instrument):
    """Filtered noise: wind (gusting band-pass), rain (a hiss and random drops), surf (swelling low-pass)."""

    def build(self) -> None:
        color = self.options["color"]
        getattr(self, f"_build_{color}")()

    def _q(self, r: float) -> float:
        return 0.7 + 12.0 * r

    def _build_wind(self) -> None:
        rate = self.smooth("rate")
        depth = self.smooth("density")
        gust = pyo.Randi(min=0.0, max=1.0, freq=[rate, rate * 1.13])
        cutoff = self.smooth("cutoff")
        centre = pyo.Clip(cutoff * (depth * (gust - 0.5) * 1.6 + 1.0), 40.0, self.ctx.sample_rate * 0.45)
        src = white()
        band = pyo.Reson(src, freq=centre, q=self.smooth("resonance", self._q))
        amp = depth * (gust * 1.6 - 0.8) + 1.0
        self.out = pyo.Mix(band * amp, voices=2, mul=2.7)
        self.keep += [gust, centre, src, band, amp]

    def _build_rain(self) -> None:
        density = self.smooth("density")
        cutoff = self.smooth("cutoff")
        q = self.smooth("resonance", self._q)
        swell = pyo.Randi(min=0.6, max=1.0, freq=self.smooth("rate"))
        hiss = pyo.ButBP(white(), freq=cutoff, q=q * 0.3 + 0.5, mul=(density * 1.25 + 0.4) * swell)
        # drops: a Poisson process, thresholding white noise (P(crossing) = drops per sample)
        sr = self.ctx.sample_rate
        threshold = self.smooth("density", lambda d: 1.0 - (4.0 + 150.0 * d) / sr)
        trig = pyo.Thresh(white(), threshold=threshold, dir=0)
        table = pyo.ExpTable([(0, 0.0), (64, 1.0), (8191, 0.0)], exp=6)
        env = pyo.TrigEnv(trig, table, dur=0.03)
        pitch = pyo.TrigRand(trig, min=0.5, max=2.0)
        drops = pyo.Reson(white(mul=env * 1.5), freq=pyo.Clip(cutoff * pitch * 1.5, 40.0, 16000.0), q=q * 2)
        self.out = pyo.Mix([hiss, drops], voices=2, mul=1.8)
        self.keep += [swell, hiss, trig, table, env, pitch, drops]

    def _build_surf(self) -> None:
        rate = self.smooth("rate")
        depth = self.smooth("density")
        wave = pyo.Sine(freq=[rate, rate * 0.93], phase=[0.0, 0.35], mul=0.5, add=0.5)
        wobble = pyo.Randi(min=0.7, max=1.0, freq=rate * 0.5)
        swell = wave * wave * wobble
        cutoff = self.smooth("cutoff")
        lp = pyo.ButLP(white(), freq=pyo.Clip(cutoff * (swell * 0.8 + 0.2), 30.0, 16000.0))
        res = pyo.Reson(lp, freq=cutoff, q=self.smooth("resonance", self._q), mul=self.smooth("resonance"))
        amp = depth * (swell - 0.3) + 0.3
        self.out = pyo.Mix((lp + res) * amp, voices=2, mul=5.5)
        self.keep += [wave, wobble, swell, lp, res, amp]


class Granular(Instrument):
    """A cloud of Hann-windowed grains from a sound file, position jittered, low-passed by brightness."""

    gain = 1.2

    def build(self) -> None:
        path = sound_path(self.options["file"])
        file_sr = float(pyo.sndinfo(str(path))[2])
        table = pyo.SndTable(str(path), chnl=0)
        size = float(table.getSize() if not isinstance(table.getSize(), list) else table.getSize()[0])
        rate_fix = file_sr / self.ctx.sample_rate
        env = pyo.HannTable()
        dens = self.smooth("density")
        pitch = self.smooth("pitch", lambda st: rate_fix * 2.0 ** (st / 12.0))
        grain = self.smooth("grain")
        centre = self.smooth("position", lambda p: p * size)
        spread = self.smooth("spread", lambda s: s * size * 0.5)
        jitter = white(mul=[spread, spread])  # two streams: a grain cloud per channel
        pos = pyo.Clip(centre + jitter, 0.0, max(size - 1.0, 0.0))
        cloud = pyo.Granule(table, env, dens=dens * 0.5, pitch=pitch, pos=pos, dur=grain)
        bright = self.smooth(
            "brightness", lambda b: min(250.0 * 2.0 ** (b * 6.3), self.ctx.sample_rate * 0.45)
        )
        self.out = pyo.ButLP(cloud, freq=bright, mul=self.gain)
        self.keep += [table, env, jitter, pos, cloud]


def white(channels: int = 2, mul: Any = 1.0) -> Any:
    """White noise from pyo's linear congruential generator (40x cheaper than the default rand())."""
    noise = pyo.Noise(mul=mul if isinstance(mul, pyo.PyoObject | list) or channels == 1 else [mul] * channels)
    noise.setType(1)
    return noise


@functools.cache
def _envelope_points(attack: float = 0.012, size: int = 8192) -> tuple[float, ...]:
    """A percussive envelope: raised-cosine attack, exponential decay reaching exactly 0 (computed once)."""
    points = []
    for i in range(size):
        x = i / (size - 1)
        if x < attack:
            points.append(0.5 - 0.5 * math.cos(math.pi * x / attack))
        else:
            y = (x - attack) / (1.0 - attack)
            points.append(math.exp(-6.9 * y) * (1.0 - y) ** 0.5)
    return tuple(points)


def _envelope_table() -> Any:
    points = _envelope_points()
    return pyo.DataTable(size=len(points), init=list(points))


class Rhythm(Instrument):
    """FM notes on a Euclidean rhythm; pitches random-walk over a scale; voices round robin."""

    ratio = 2.0
    index_max = 3.0
    gain = 0.55

    def build(self) -> None:
        self._notes = self._scale_notes()
        self._degree = len(self._notes) // 3
        step_s = self.smooth("rate", lambda r: 1.0 / r)
        self.beat = pyo.Euclide(
            time=step_s, taps=int(self.values["steps"]), onsets=int(self.values["hits"]), poly=1
        )
        # whole numbers, applied at once (a rhythm has no in-between); never more hits than steps
        self.setters["hits"] = self._set_pattern
        self.setters["steps"] = self._set_pattern
        self.choice = pyo.TrigChoice(self.beat, choice=self._neighbours())
        self.step_fn = pyo.TrigFunc(self.beat, self._walk)
        counter = pyo.Counter(self.beat, min=0, max=POLY)
        self._decay = pyo.SigTo(self._effective_decay(), time=self.ctx.smoothing_s)
        self.setters["decay"] = lambda _v: setattr(self._decay, "value", self._effective_decay())
        rate_setter = self.setters["rate"]

        def set_rate(value: float) -> None:
            rate_setter(value)
            self._decay.value = self._effective_decay()

        self.setters["rate"] = set_rate
        self.setters["root"] = lambda _v: self._retune()
        self.setters["walk"] = lambda _v: self.choice.setChoice(self._neighbours())
        index = self.smooth("brightness", lambda b: 0.2 + b * self.index_max)
        table = _envelope_table()
        voices = []
        for k in range(POLY):
            trig = pyo.Select(counter, value=k)
            freq = pyo.SampHold(self.choice, counter, value=k)
            env = pyo.TrigEnv(trig, table, dur=self._decay)
            voices.append(pyo.FM(carrier=freq, ratio=self.ratio, index=index * env, mul=env))
            self.keep += [trig, freq, env]
        self.out = pyo.Mix(voices, voices=2, mul=self.gain)
        self.keep += [self._decay, counter, table, voices, self.choice, self.step_fn]
        self.beat.play()

    def _set_pattern(self, _value: float) -> None:
        steps = max(1, round(self.values["steps"]))
        self.beat.setTaps(steps)
        self.beat.setOnsets(min(max(1, round(self.values["hits"])), steps))

    def _effective_decay(self) -> float:
        # a voice comes round again after POLY steps at the earliest: ring no longer, so no retrigger click
        return min(self.values["decay"], 0.95 * POLY / self.values["rate"])

    def _scale_notes(self) -> list[float]:
        steps = SCALES[self.options["scale"]]
        root = self.values["root"]
        notes = [root * 2.0 ** ((12 * octave + s) / 12.0) for octave in range(2) for s in steps]
        return [*notes, root * 4.0]

    def _radius(self) -> int:
        return round(self.values["walk"] * 4.0)

    def _neighbours(self) -> list[float]:
        lo = max(0, self._degree - self._radius())
        hi = min(len(self._notes) - 1, self._degree + self._radius())
        return self._notes[lo : hi + 1]

    def _walk(self) -> None:
        # TrigChoice has just picked this onset's note among the neighbours: move the walk there.
        current = float(self.choice.get())
        self._degree = min(range(len(self._notes)), key=lambda i: abs(self._notes[i] - current))
        self.choice.setChoice(self._neighbours())

    def _retune(self) -> None:
        self._notes = self._scale_notes()
        self._degree = min(self._degree, len(self._notes) - 1)
        self.choice.setChoice(self._neighbours())


class Pulses(Rhythm):
    """Soft plucked FM notes."""

    ratio = 2.0
    index_max = 3.0
    gain = 0.95


class Bells(Rhythm):
    """Inharmonic FM bells."""

    ratio = 1.4
    index_max = 7.0
    gain = 0.8


BUILDERS: dict[str, type[Instrument]] = {
    "drone": Drone,
    "noise": Noise,
    "granular": Granular,
    "pulses": Pulses,
    "bells": Bells,
}


def balance_gains(level_db: float, pan: float) -> tuple[float, float]:
    """Left/right gains for a stereo layer: unity at centre, equal-power towards a side."""
    amp = db_to_amp(level_db) * NOMINAL_GAIN
    left = min(1.0, math.sqrt(2.0) * math.cos(pan * math.pi / 2.0))
    right = min(1.0, math.sqrt(2.0) * math.sin(pan * math.pi / 2.0))
    return amp * left, amp * right


class LayerVoice:
    """A built layer: the instrument, its level/pan gains and its send to the space."""

    def __init__(self, ctx: BuildContext, layer: Layer) -> None:
        self.instrument = BUILDERS[layer.instrument](ctx, layer)
        self.instrument.build()
        inst = self.instrument
        if len(inst.out) != 2:
            raise RuntimeError(f"{layer.instrument} built {len(inst.out)} channels instead of 2")
        gains = list(balance_gains(inst.values["level"], inst.values["pan"]))
        self.gains = pyo.SigTo(gains, time=ctx.smoothing_s, init=gains)  # one stream per channel
        inst.setters["level"] = inst.setters["pan"] = self._set_balance
        self.dry = inst.out * self.gains
        self.send = self.dry * inst.smooth("space")

    def _set_balance(self, _value: float) -> None:
        self.gains.value = list(balance_gains(self.instrument.values["level"], self.instrument.values["pan"]))

    def stop(self) -> None:
        """Stop the layer's objects."""
        self.instrument.stop()
        for obj in (self.gains, self.dry, self.send):
            obj.stop()
