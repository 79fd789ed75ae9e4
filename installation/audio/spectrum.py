"""What a scene hears: the soundscape's latest samples as a waveform and an FFT block (ISF audio inputs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WAVEFORM_SAMPLES = 512  # samples per channel handed to the projection each frame
FFT_SIZE = 1024  # samples analysed per channel (a Hann window); FFT_SIZE // 4 bins are kept
FFT_BINS = FFT_SIZE // 4  # 0 .. sample_rate / 4 (12 kHz at 48 kHz): where a soundscape's energy is


@dataclass(frozen=True)
class AudioBlock:
    """One frame's sound: waveform (channels × samples, -1..1) and FFT magnitudes (channels × bins, 0..1).

    `captured_s` is the audio process's monotonic time when the newest sample was taken (latency measure).
    """

    waveform: np.ndarray
    fft: np.ndarray
    captured_s: float = 0.0

    @classmethod
    def silence(cls, channels: int = 2, samples: int = WAVEFORM_SAMPLES, bins: int = FFT_BINS) -> AudioBlock:
        """What audio inputs show before the soundscape sends anything."""
        return cls(np.zeros((channels, samples), np.float32), np.zeros((channels, bins), np.float32))


_WINDOW = np.hanning(FFT_SIZE).astype(np.float32)
_WINDOW_GAIN = float(_WINDOW.sum()) / 2.0  # a full-scale sine on a bin's centre → magnitude 1.0


def analyse(samples: np.ndarray, captured_s: float = 0.0) -> AudioBlock:
    """The newest samples (frames × channels, at least FFT_SIZE frames) as an AudioBlock.

    The waveform is the newest WAVEFORM_SAMPLES; the FFT is the Hann-windowed magnitude of the newest
    FFT_SIZE, bin 0 (DC) first, scaled so a full-scale sine reads 1.0 and clipped to 0..1.
    """
    frames = np.asarray(samples, dtype=np.float32)
    if frames.ndim == 1:
        frames = frames[:, None]
    if frames.shape[0] < FFT_SIZE:
        frames = np.concatenate([np.zeros((FFT_SIZE - frames.shape[0], frames.shape[1]), np.float32), frames])
    chans = frames[-FFT_SIZE:].T  # channels × FFT_SIZE
    wave = np.ascontiguousarray(chans[:, -WAVEFORM_SAMPLES:])
    spectrum = np.abs(np.fft.rfft(chans * _WINDOW, axis=1))[:, :FFT_BINS] / _WINDOW_GAIN
    return AudioBlock(wave, np.clip(spectrum, 0.0, 1.0).astype(np.float32), captured_s)
