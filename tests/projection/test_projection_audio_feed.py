"""Audio-reactive scenes: the act's soundscape (the audio process) feeds waveform and FFT blocks to the
projection process, whose audio/audioFFT inputs show them; the sound → picture latency is measured."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from installation.audio.config import AudioConfig
from installation.audio.output import AudioOutput
from installation.audio.soundscape import Layer, Soundscape
from installation.audio.spectrum import FFT_BINS, WAVEFORM_SAMPLES
from installation.engine.clock import VirtualClock

CONFORMANCE = Path(__file__).resolve().parent / "isf"
DRONE = {"hum": Soundscape((Layer("drone", "drone", {"root": 220.0, "cutoff": 2000.0, "level": -6.0}),),
                           level_db=0.0)}
DEADLINE_S = 20.0  # real child processes


def run(out: AudioOutput, clock: VirtualClock, until, deadline_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        clock.advance(0.05)
        out.update({}, clock.now())
        out.wait_report(out.report_count, timeout_s=0.2 if out.child_pid else 0.0)
        if until():
            return
    raise AssertionError(f"timed out: {out.health()}")


def test_the_audio_process_hands_out_waveform_and_fft_blocks_of_the_soundscape() -> None:
    clock = VirtualClock(100.0)
    out = AudioOutput(DRONE, AudioConfig(backend="manual"), clock)
    blocks: list = []  # type: ignore[type-arg]
    out.feed_spectrum(blocks.append)
    try:
        out.open()
        out.change_soundscape("hum", 0.0, clock.now())
        run(out, clock, lambda: len(blocks) > 10 and float(blocks[-1].fft.max()) > 0.05)
    finally:
        out.close()
    block = blocks[-1]
    assert block.waveform.shape == (2, WAVEFORM_SAMPLES) and block.fft.shape == (2, FFT_BINS)
    assert float(np.abs(block.waveform).max()) > 0.05
    hz = block.fft[0].argmax() * 48000 / 1024  # the drone's energy sits low, near its root and harmonics
    assert hz < 2000.0, hz
    assert block.captured_s > 0


def test_an_audio_reactive_scene_follows_the_soundscape_through_both_processes(gl_context) -> None:
    from installation.projection.output import ProjectionOutput

    clock = VirtualClock(100.0)
    audio = AudioOutput(DRONE, AudioConfig(backend="manual"), clock)
    projection = ProjectionOutput(clock, size=(64, 32), fps=60.0, root=CONFORMANCE, preview_interval_s=0.02,
                                  reload_interval_s=0.0)
    audio.feed_spectrum(projection.update_audio)

    def fft_red() -> float:  # the bottom half of audio.fs draws channel 0's FFT in red
        jpeg = projection.preview()
        if jpeg is None:
            return 0.0
        img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        return float(img[img.shape[0] // 2 + 2 :, :, 2].max())

    try:
        projection.open()
        projection.change_scene(CONFORMANCE / "audio.fs")
        assert projection.wait_until(lambda: projection.preview() is not None, DEADLINE_S)
        assert fft_red() < 20  # silence before the soundscape starts
        audio.open()
        audio.change_soundscape("hum", 0.0, clock.now())
        run(audio, clock, lambda: fft_red() > 40)
        projection.reset_stats()
        run(audio, clock, lambda: projection.stats().audio_ms_p50 > 0)
        assert projection.stats().audio_ms_p50 < 1000.0  # measured, and not stale
    finally:
        audio.close()
        projection.close()
