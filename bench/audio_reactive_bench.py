"""Audio-reactive scenes: the added latency from sound to picture, through both child processes.

Standalone:  python bench/audio_reactive_bench.py [--seconds 10] [--scene shaders/solas/rally.fs]
A real-time JACK server (`jackd --no-realtime -d dummy -r 48000 -p 512`, Debian jackd2) runs the act's
soundscape in the audio process; every 1/60 s it sends the newest waveform + FFT block to the runtime,
which hands it to the projection process (60 fps, headless). Measured per block: the audio process's
monotonic time when it read the newest sample → the projection process's time when the frame showing the
block was rendered (both CLOCK_MONOTONIC). Printed beside the parts not in that span: the FFT window's
age (half of it), JACK's output latency and one display frame.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--scene", type=Path, default=REPO / "shaders" / "solas" / "rally.fs")
    parser.add_argument("--size", default="640x360")
    args = parser.parse_args(argv)

    from installation.audio.config import AudioConfig
    from installation.audio.jackserver import JackServer
    from installation.audio.output import AudioOutput
    from installation.audio.soundscape import Layer, Soundscape
    from installation.audio.spectrum import FFT_SIZE
    from installation.engine.clock import MonotonicClock
    from installation.projection.output import ProjectionOutput

    os.environ["JACK_NO_START_SERVER"] = "1"
    name = f"installation-bench-{os.getpid()}"
    jackd = JackServer(name)
    if not jackd.start():
        print("needs jackd (apt-get install jackd2)")
        return 2
    clock = MonotonicClock()
    act = {"rally": Soundscape((
        Layer("pulses", "pulses", {"rate": 4.0, "hits": 5, "steps": 8, "root": 110.0, "level": -10.0}),
        Layer("drone", "drone", {"root": 55.0, "cutoff": 700.0, "level": -14.0}),
    ), level_db=-3.0)}
    audio = AudioOutput(act, AudioConfig(backend="jack", jack_server=name), clock)
    w, h = (int(v) for v in args.size.split("x"))
    projection = ProjectionOutput(clock, size=(w, h), fps=60.0, root=REPO, reload_interval_s=0.0)
    audio.feed_spectrum(projection.update_audio)
    try:
        projection.open()
        projection.change_scene(args.scene)
        audio.open()
        audio.change_soundscape("rally", 0.0, clock.now())
        end = time.monotonic() + 3.0  # start-up: both processes up, the soundscape playing
        while time.monotonic() < end:
            audio.update({}, clock.now())
            projection.wait_until(lambda: False, 0.05)
        projection.reset_stats()
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            audio.update({}, clock.now())
            projection.wait_until(lambda: False, 0.05)
        stats = projection.stats()
    finally:
        audio.close()
        projection.close()
        jackd.stop()
    window_ms = FFT_SIZE / 2 / 48000 * 1000
    jack_ms = 2 * 512 / 48000 * 1000
    print(f"scene {args.scene.name} at {w}x{h}, 60 fps, {stats.frames} frames; render p50 "
          f"{stats.render_ms_p50:.1f} ms")
    print("| part | ms |")
    print("|---|---|")
    print(f"| newest sample read → frame rendered (measured, p50) | {stats.audio_ms_p50:.1f} |")
    print(f"| newest sample read → frame rendered (measured, p99) | {stats.audio_ms_p99:.1f} |")
    print(f"| FFT window: its centre is older than its newest sample by | {window_ms:.1f} |")
    print(f"| JACK output (2 periods of 512 at 48 kHz), sound card not counted | {jack_ms:.1f} |")
    print("| frame rendered → light on the wall (one display frame at 60 Hz, + projector) | ≥ 16.7 |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
