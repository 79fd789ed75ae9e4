"""Example soundscapes covering every instrument, and signal measurements for the audio tests."""

from __future__ import annotations

import numpy as np

from installation.audio.config import EngineConfig
from installation.audio.soundscape import Layer, Soundscape

SR = 48000
CONFIG = EngineConfig(sample_rate=SR, seed=7)

# Two acts between them use every instrument (and the space) at gallery levels.
FOREST = Soundscape(
    (
        Layer("drone", "drone", {"root": 55.0, "cutoff": 700.0, "level": -14.0, "space": 0.3}),
        Layer("wind", "noise", {"color": "wind", "cutoff": 900.0, "rate": 0.4, "level": -16.0}),
        Layer("cloud", "granular", {"file": "transparent", "density": 30.0, "level": -14.0}),
        Layer("room", "space", {"size": 0.8, "level": -8.0}),
    ),
    level_db=-3.0,
)
HARBOUR = Soundscape(
    (
        Layer("surf", "noise", {"color": "surf", "rate": 0.5, "density": 0.7, "level": -12.0}),
        Layer("rain", "noise", {"color": "rain", "density": 0.6, "cutoff": 3000.0, "level": -20.0}),
        Layer(
            "bells",
            "bells",
            {"rate": 3.0, "hits": 3, "steps": 4, "scale": "major-pentatonic", "level": -14.0},
        ),
        Layer("pulses", "pulses", {"rate": 6.0, "hits": 5, "steps": 8, "root": 110.0, "level": -16.0}),
    ),
    level_db=-3.0,
)
ACTS = {"forest": FOREST, "harbour": HARBOUR}


def rms_db(x: np.ndarray) -> float:
    """RMS level in dBFS over all channels."""
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12))


def peak_db(x: np.ndarray) -> float:
    """Sample peak in dBFS."""
    return float(20 * np.log10(np.abs(x).max() + 1e-12))


def centroid_hz(x: np.ndarray, sr: int = SR) -> float:
    """Spectral centroid (magnitude-weighted) of the channel mix, Hann-windowed 4096-point frames averaged."""
    mono = x.mean(axis=1)
    n = 4096
    frames = [mono[i : i + n] * np.hanning(n) for i in range(0, len(mono) - n, n // 2)]
    magnitude = np.mean([np.abs(np.fft.rfft(f)) for f in frames], axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    return float((freqs * magnitude).sum() / magnitude.sum())


def max_step(x: np.ndarray) -> float:
    """The largest sample-to-sample jump on any channel (a click shows up here)."""
    return float(np.abs(np.diff(x, axis=0)).max())


def assert_clean(x: np.ndarray, ceiling_db: float = -1.0) -> None:
    """No NaN/inf, no subnormal numbers, not silent, never above the ceiling."""
    assert np.isfinite(x).all(), "NaN or inf in the output"
    tiny = np.finfo(np.float32).tiny
    assert not ((x != 0) & (np.abs(x) < tiny)).any(), "subnormal (denormal) samples"
    assert rms_db(x) > -60.0, "silent"
    assert np.abs(x).max() <= 10 ** (ceiling_db / 20) + 1e-7, f"peak {peak_db(x):.3f} dBFS over the ceiling"
