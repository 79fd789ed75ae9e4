"""The pyo audio graph: act soundscapes, equal-power crossfades, master gain, hard-ceiling limiter, meters."""

from __future__ import annotations

import ctypes
import logging
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from installation.audio.catalog import DEFAULT_SPACE, INSTRUMENTS, MASTER, db_to_amp
from installation.audio.config import EngineConfig
from installation.audio.instruments import BuildContext, LayerVoice
from installation.audio.pyolib import pyo
from installation.audio.soundscape import Soundscape
from installation.audio.spectrum import FFT_SIZE, AudioBlock, analyse
from installation.errors import DeviceError

log = logging.getLogger(__name__)

BACKENDS = ("manual", "jack", "device")  # what make_server boots
MIN_TRANSITION_S = 0.02  # even a cut is a short equal-power fade: no click
SILENT_DB = -120.0


def make_server(
    backend: str, config: EngineConfig, *, device: str = "", jack_name: str = "installation"
) -> Any:
    """Boot and start a pyo server for a backend; raises DeviceError (never segfaults for JACK/manual).

    The `device` backend uses PortAudio and must only be used where a sound card exists; it runs in the
    audio child process so a native crash there cannot take the show down.
    """
    if backend not in BACKENDS:
        raise DeviceError(f"audio backend {backend!r} is unknown (use one of {', '.join(BACKENDS)})")
    kwargs: dict[str, Any] = {"sr": config.sample_rate, "nchnls": config.channels, "duplex": 0}
    if backend == "manual":
        server = pyo.Server(buffersize=config.buffer_size, audio="manual", **kwargs)
    elif backend == "jack":
        os.environ.setdefault("JACK_NO_START_SERVER", "1")  # else pyo waits ~6 s trying to spawn jackd
        server = pyo.Server(buffersize=config.buffer_size, audio="jack", jackname=jack_name, **kwargs)
    else:
        names, indexes = pyo.pa_get_output_devices()
        matches = [i for n, i in zip(names, indexes, strict=False) if device.lower() in str(n).lower()]
        if not matches:
            raise DeviceError(
                f"sound device {device!r} not found (available: {', '.join(map(str, names)) or 'none'}); "
                "use backend jack or fix `device`"
            )
        server = pyo.Server(buffersize=config.buffer_size, audio="portaudio", **kwargs)
        server.setOutputDevice(matches[0])
    server.deactivateMidi()
    server.setVerbosity(1)  # errors only
    server.setGlobalSeed(config.seed)
    server.boot()
    if not server.getIsBooted():
        hint = "start it with `jackd --no-realtime -d dummy -r 48000 -p 512`" if backend == "jack" else ""
        raise DeviceError(f"audio server ({backend}) did not boot; {hint or 'check the sound device'}")
    server.start()
    return server


class SoundscapeVoice:
    """A built soundscape: its layers, its space (reverb) and its crossfade gain."""

    def __init__(self, ctx: BuildContext, act: str, soundscape: Soundscape, fade_in_s: float) -> None:
        self.act = act
        self.soundscape = soundscape
        self.errors: list[str] = []
        self.layers: dict[str, LayerVoice] = {}
        space_layer = next((layer for layer in soundscape.layers if layer.instrument == "space"), None)
        for layer in soundscape.layers:
            if layer.instrument == "space":
                continue
            try:
                self.layers[layer.name] = LayerVoice(ctx, layer)
            except Exception as exc:  # a bad sound file or a pyo refusal silences one layer, not the show
                log.error("audio layer %s (%s) not built: %s", layer.name, layer.instrument, exc)
                self.errors.append(f"layer {layer.name}: {exc}")
        self.space_name = space_layer.name if space_layer else ""
        self.space = dict(DEFAULT_SPACE)
        if space_layer:
            self.space.update({k: float(v) for k, v in space_layer.values.items() if k in self.space})
        t = ctx.smoothing_s
        self._size = pyo.SigTo(self.space["size"], time=t, init=self.space["size"])
        self._damp = pyo.SigTo(self.space["damp"], time=t, init=self.space["damp"])
        ret = db_to_amp(self.space["level"])
        self._return = pyo.SigTo(ret, time=t, init=ret)
        if self.layers:
            dry = pyo.Mix([lv.dry for lv in self.layers.values()], voices=2)
            sends = pyo.Mix([lv.send for lv in self.layers.values()], voices=2)
        else:
            dry = pyo.Sig([0.0, 0.0])
            sends = pyo.Sig([0.0, 0.0])
        self._verb = pyo.Freeverb(sends, size=self._size, damp=self._damp, bal=1.0, mul=self._return)
        fade_s = max(MIN_TRANSITION_S, fade_in_s)
        self.fade = pyo.SigTo(0.0, time=fade_s, init=0.0)
        self.fade.value = 1.0
        self._gain = pyo.Sin(
            self.fade * (math.pi / 2.0)
        )  # equal power: sin in, and sin of the falling ramp out
        self.out = pyo.Mix([dry, self._verb], voices=2, mul=self._gain)
        self._keep = [dry, sends]
        self.ends_at_s: float | None = None

    def fade_out(self, fade_s: float, now_s: float) -> None:
        """Start fading to silence; it may be collected once ends_at_s has passed."""
        fade_s = max(MIN_TRANSITION_S, fade_s)
        self.fade.time = fade_s
        self.fade.value = 0.0
        self.ends_at_s = now_s + fade_s

    def set(self, layer: str, key: str, value: float) -> bool:
        """Set one layer parameter; False when this soundscape has no such layer/parameter."""
        if layer == self.space_name and key in self.space:
            param = INSTRUMENTS["space"].params[key]
            value = param.clamp(float(value))
            self.space[key] = value
            if key == "level":
                self._return.value = db_to_amp(value)
            else:
                (self._size if key == "size" else self._damp).value = value
            return True
        voice = self.layers.get(layer)
        return voice is not None and voice.instrument.set(key, value)

    def stop(self) -> None:
        """Stop every object of this soundscape."""
        for voice in self.layers.values():
            voice.stop()
        for obj in (
            self._verb,
            self.out,
            self._gain,
            self.fade,
            self._size,
            self._damp,
            self._return,
            *self._keep,
        ):
            obj.stop()


class AudioEngine:
    """Soundscapes mixed with equal-power crossfades into the master chain: gain, limiter, hard clip, out."""

    def __init__(self, server: Any, config: EngineConfig) -> None:
        self.server = server
        self.config = config
        self.ctx = BuildContext(float(server.getSamplingRate()), config.smoothing_s, config.seed)
        self.ceiling = db_to_amp(config.ceiling_db)
        self.current: SoundscapeVoice | None = None
        self._fading: list[SoundscapeVoice] = []
        self._keys = 0
        self._voice_keys: dict[int, int] = {}
        self.level_db = 0.0
        self.trim_db = 0.0
        self._crossfade_until_s = 0.0
        self.muted = False
        self.errors: list[str] = []
        t = config.smoothing_s
        self._mixer = pyo.Mixer(outs=1, chnls=2, time=0.005)
        self._master = pyo.SigTo(1.0, time=t, init=1.0)
        self._mute = pyo.SigTo(1.0, time=config.mute_fade_s, init=1.0)
        self._pre = self._mixer * (self._master * self._mute)  # outs=1, chnls=2: the mixer is 2 streams
        # lookahead compressor keeps the clip below from working; the clip makes the ceiling truly hard
        self._limiter = pyo.Compress(
            self._pre,
            thresh=config.ceiling_db - 2.0,
            ratio=50.0,
            risetime=0.0005,
            falltime=0.25,
            lookahead=5.0,
            knee=0.2,
        )
        self.output = pyo.Clip(self._limiter, min=-self.ceiling, max=self.ceiling)
        self.output.out()
        self._peak = [0.0] * config.channels
        self._sumsq = [0.0] * config.channels
        self._blocks = 0
        # what scenes hear (ISF audio inputs): the output written round and round into a short table
        self._tap_table = pyo.NewTable(length=2 * FFT_SIZE / self.ctx.sample_rate, chnls=config.channels)
        self._tap = pyo.TableFill(self.output, self._tap_table)
        self._peak_meter = pyo.PeakAmp(self.output, function=self._on_peak)
        self._rms_meter = pyo.RMS(self.output, function=self._on_rms)

    # -- time and meters -------------------------------------------------------------------------
    def time_s(self) -> float:
        """Audio time since the server started."""
        return float(self.server.getCurrentTimeInSamples()) / self.ctx.sample_rate

    def _on_peak(self, *values: float) -> None:
        for i, v in enumerate(values[: len(self._peak)]):
            self._peak[i] = max(self._peak[i], float(v))

    def _on_rms(self, *values: float) -> None:
        for i, v in enumerate(values[: len(self._sumsq)]):
            self._sumsq[i] += float(v) * float(v)
        self._blocks += 1

    def spectrum(self, captured_s: float = 0.0) -> AudioBlock:
        """The newest output samples as a waveform and FFT block for the projection's audio inputs."""
        pos = self._tap.getCurrentPos()
        pos = int(pos[0] if isinstance(pos, list) else pos)
        chans = [np.roll(np.asarray(self._tap_table.getBuffer(c)), -pos) for c in range(self.config.channels)]
        return analyse(np.stack(chans, axis=1), captured_s)

    def take_meters(self) -> dict[str, list[float]]:
        """Peak and RMS per channel (dBFS) since the last call; resets the window."""
        n = max(self._blocks, 1)
        peak = [_to_db(p) for p in self._peak]
        rms = [_to_db(math.sqrt(s / n)) for s in self._sumsq]
        self._peak = [0.0] * len(self._peak)
        self._sumsq = [0.0] * len(self._sumsq)
        self._blocks = 0
        return {"peak_db": peak, "rms_db": rms}

    # -- control -------------------------------------------------------------------------------
    def set_soundscape(self, act: str, soundscape: Soundscape, transition_s: float) -> None:
        """Crossfade (equal power, over transition_s) from the current soundscape to this one."""
        now = self.time_s()
        if self.current is not None:
            self.current.fade_out(transition_s, now)
            self._fading.append(self.current)
        voice = SoundscapeVoice(self.ctx, act, soundscape, transition_s)
        self.errors = list(voice.errors)
        self._keys += 1
        self._voice_keys[id(voice)] = self._keys
        self._mixer.addInput(self._keys, voice.out)
        self._mixer.setAmp(self._keys, 0, 1.0)
        self.current = voice
        self._crossfade_until_s = now + max(MIN_TRANSITION_S, transition_s)
        self._set_level(soundscape.level_db, ramp_s=max(MIN_TRANSITION_S, transition_s))
        log.info("audio soundscape %s (%d layers, %.1f s crossfade)", act, len(voice.layers), transition_s)

    def set_params(self, values: Mapping[str, float]) -> None:
        """Apply `audio.<layer>.<param>` values (and audio.master.level / audio.master.trim)."""
        for name, value in values.items():
            parts = name.split(".")
            if len(parts) != 3 or parts[0] != "audio":
                continue
            _, layer, key = parts
            if not math.isfinite(value):
                continue
            if layer == MASTER:
                if key == "level":  # during a crossfade the act level glides with it
                    self._set_level(
                        value, max(self.config.smoothing_s, self._crossfade_until_s - self.time_s())
                    )
                elif key == "trim":
                    self.trim_db = min(0.0, value)
                    self._apply_master(self.config.smoothing_s)
            elif self.current is not None:
                self.current.set(layer, key, value)

    def _set_level(self, level_db: float, ramp_s: float) -> None:
        self.level_db = level_db
        self._apply_master(ramp_s)

    def _apply_master(self, ramp_s: float) -> None:
        self._master.time = ramp_s
        self._master.value = db_to_amp(self.level_db) * db_to_amp(self.trim_db)

    def set_muted(self, muted: bool, fade_s: float | None = None) -> None:
        """Panic mute or unmute, fading over fade_s (default the config's mute_fade_s; never a click)."""
        self.muted = muted
        self._mute.time = max(MIN_TRANSITION_S, self.config.mute_fade_s if fade_s is None else fade_s)
        self._mute.value = 0.0 if muted else 1.0
        log.info("audio %s", "muted" if muted else "unmuted")

    def collect(self) -> None:
        """Stop and drop soundscapes whose fade-out has finished."""
        now = self.time_s()
        done = [v for v in self._fading if v.ends_at_s is not None and now >= v.ends_at_s + 0.05]
        for voice in done:
            self._mixer.delInput(self._voice_keys.pop(id(voice)))
            voice.stop()
            self._fading.remove(voice)

    def state(self) -> dict[str, Any]:
        """What the panel and the parent process need: act, time, level, mute, live soundscapes."""
        return {
            "act": self.current.act if self.current else None,
            "time_s": self.time_s(),
            "level_db": self.level_db,
            "trim_db": self.trim_db,
            "muted": self.muted,
            "soundscapes": len(self._fading) + (1 if self.current else 0),
            "errors": list(self.errors),
        }


def _to_db(amp: float) -> float:
    return 20.0 * math.log10(amp) if amp > 1e-6 else SILENT_DB


class OutputTap:
    """Reads the manual server's interleaved output buffer after each process() (renders and tests)."""

    def __init__(self, server: Any, config: EngineConfig) -> None:
        addr = server.getOutputAddr()
        address = int(addr, 16) if isinstance(addr, str) else int(addr)
        n = config.buffer_size * config.channels
        self._array = np.ctypeslib.as_array((ctypes.c_float * n).from_address(address))
        self.channels = config.channels
        self.server = server

    def process(self) -> np.ndarray:
        """Compute one block; returns a (frames, channels) copy."""
        self.server.process()
        return self._array.reshape(-1, self.channels).copy()
