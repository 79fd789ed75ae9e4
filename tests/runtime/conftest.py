"""Fixtures for runtime tests: a small project folder (copied rig and shaders), runtimes in rehearse mode."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from installation.audio.control import AudioControl
from installation.runtime import Runtime, RuntimeOptions

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 10.0  # bounded waits on real I/O (simulators, sockets, files): generous for a loaded machine

SHOW = """\
# A small show for runtime tests: an idle act and one act with a fast cue, a slow fade and an OSC cue.
show: Runtime Test
rig: hardware/gallery.yaml
presence:
  source: synthetic
  zones:
    screen: [[0.25, 0.72], [0.75, 0.72], [0.75, 1.0], [0.25, 1.0]]
idle:
  act: attract
acts:
  attract:
    scene: shaders/unenclosed/biodome_glow.fs
    soundscape:
      level: "-14 dB"
      layers:
        hum: {instrument: drone, root: "55 Hz", cutoff: "500 Hz", level: "-20 dB"}
    cues:
      - name: rest
        fade: {light.wash.dimmer: "40%", light.strip.dimmer: "20%", light.strip.color: "#ff0000"}
        duration: 0.2s
    triggers:
      - on: go
        go: streets
  streets:
    scene: shaders/unenclosed/bioluminescent_streets.fs
    cues:
      - name: warm
        fade: {light.wash.dimmer: "60%", light.wash.color: "#ff8000"}
        duration: 0.5s
      - name: slow
        fade: {light.strip.dimmer: "100%"}
        duration: 40s
      - name: ping
        osc: {endpoint: media, address: scene_start, args: ["streets", 1]}
    triggers:
      - on: go
        go: attract
"""

# gallery rig: wash1 on the Enttec universe 1 (RGBW 6ch at 1: dimmer, red, green, blue, white, strobe)
WASH1_DIMMER = 0  # index into universe 1
STRIP_UNIVERSE = 2  # rgb-pixel segments on Art-Net: 3 channels each, red first


class RecordingAudio(AudioControl):
    """The real audio control logic; the messages it would send to the audio child are kept."""

    def __init__(self, soundscapes: Any) -> None:
        super().__init__(soundscapes)
        self.messages: list[tuple[float, tuple[Any, ...]]] = []

    def _post(self, message: tuple[Any, ...], now: float) -> None:
        self.messages.append((now, message))

    def health(self) -> Any:
        from installation.adapters import Health, HealthState

        return Health("audio", HealthState.OK, "recording")

    def close(self) -> None:
        pass

    @property
    def muted(self) -> bool:
        mutes = [m for _, m in self.messages if m[0] == "mute"]
        return bool(mutes) and bool(mutes[-1][1])

    def master_db(self) -> float:
        levels = [m[1]["audio.master.level"] for _, m in self.messages
                  if m[0] == "params" and "audio.master.level" in m[1]]
        return float(levels[-1]) if levels else 0.0


def wait_until(predicate: Callable[[], Any], what: str, timeout_s: float = DEADLINE_S) -> Any:
    """Poll real I/O (a simulator, a socket, a file) until predicate() is truthy; fail after the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.02)  # noqa: TID251 - polling real I/O with a deadline, not waiting for behaviour


def make_project(root: Path, show_text: str = SHOW, name: str = "show") -> Path:
    """A project folder with cues/<name>.yaml, the gallery rig and the shaders; returns the show path."""
    (root / "cues").mkdir(parents=True, exist_ok=True)
    for folder in ("hardware", "shaders"):
        if not (root / folder).exists():
            shutil.copytree(REPO / folder, root / folder)
    path = root / "cues" / f"{name}.yaml"
    path.write_text(show_text, encoding="utf-8")
    return path


def options(state_dir: Path, **changes: Any) -> RuntimeOptions:
    """Rehearse with the rig simulated and nothing heavy: no audio, projection, camera, panel or watcher."""
    base: dict[str, Any] = {
        "mode": "rehearse", "audio": "off", "projection": "off", "presence": "off", "panel": False,
        "osc": False, "panel_port": 0, "osc_port": 0, "state_dir": state_dir, "watch": False, "notify": False,
    }
    base.update(changes)
    return RuntimeOptions(**base)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def start_runtime(tmp_path: Path) -> Iterator[Callable[..., Runtime]]:
    """Start Runtimes (shut down at the end of the test)."""
    started: list[Runtime] = []

    def start(show: Path, **changes: Any) -> Runtime:
        runtime = Runtime(show, options(changes.pop("state_dir", tmp_path / "state"), **changes))
        started.append(runtime)
        runtime.start()
        return runtime

    yield start
    for runtime in reversed(started):
        runtime.shutdown()


def universe(runtime: Runtime, number: int) -> bytes:
    """What the rig simulator received for a universe."""
    return bytes(runtime.adapters.sim_rig.received_universe(number))
