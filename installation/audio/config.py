"""Audio settings as plain data (pure, no pyo): the graph's and the output adapter's."""

from __future__ import annotations

from dataclasses import dataclass, field

BACKENDS = ("manual", "jack", "device", "none")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Settings of the audio graph; the same for renders, tests and live play."""

    sample_rate: int = 48000
    buffer_size: int = 256  # manual (renders, tests); JACK uses the server's period
    channels: int = 2
    ceiling_db: float = -1.0  # hard output ceiling, dBFS
    seed: int = 1
    smoothing_s: float = 0.05  # every parameter ramps this long to a new value (no zipper noise)
    mute_fade_s: float = 0.25  # panic mute fade


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """How the runtime plays audio: backend, device, graph settings, supervision of the child process.

    backend: `jack` (a running jackd; rehearsal uses `jackd --no-realtime -d dummy`), `device` (a sound
    card by name through PortAudio; only where one exists), `manual` (the child computes audio only up to
    the time the runtime's clock gives in update(); tests), `none` (silent, health OFF).
    """

    backend: str = "jack"
    device: str = ""  # part of a PortAudio output device name (backend device)
    jack_name: str = "installation"  # JACK client name
    jack_server: str = ""  # JACK server name (jackd -n NAME); empty = default server
    engine: EngineConfig = field(default_factory=EngineConfig)
    meter_interval_s: float = 0.1  # how often the child reports levels (live backends)
    restart_min_s: float = 0.5  # first restart delay after the child dies; doubles each time ...
    restart_max_s: float = 30.0  # ... up to this
    stable_after_s: float = 30.0  # a child that ran this long resets the delay
    max_step_s: float = 5.0  # manual backend: most audio computed for one clock advance
    nice: int = 0  # scheduling priority of the audio process (negative = more CPU share; needs root)
    # SCHED_FIFO priority for the audio process's control thread (0 = normal). With a real-time jackd
    # (-R -P 70) give it one below JACK's clients (e.g. 60): pyo's audio callback needs the Python GIL,
    # and a control thread preempted while holding it would make the callback miss its deadline.
    rt_priority: int = 0


@dataclass(frozen=True, slots=True)
class ChildOptions:
    """What AudioOutput sends a new audio child process first."""

    config: AudioConfig
    log_level: int = 20  # logging.INFO
