"""ProjectionOutput renders in a child process: previews, scene changes, shader errors, restarts, no waits."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from installation.adapters import HealthState
from installation.engine.presence import Person, Presence

REPO = Path(__file__).resolve().parents[2]
SHADERS = REPO / "shaders"
CONFORMANCE = Path(__file__).resolve().parent / "isf"
DEADLINE_S = 20.0  # real I/O with a child process that starts an interpreter and a GL context
GREEN = {"scene.color.r": 0.0, "scene.color.g": 1.0, "scene.color.b": 0.0}


class RealClock:
    """Monotonic seconds (what the runtime's MonotonicClock gives the adapter)."""

    def now(self) -> float:
        return time.monotonic()


def colour(jpeg: bytes | None) -> tuple[int, int, int]:
    """The mean RGB of a preview JPEG."""
    import cv2

    assert jpeg is not None and jpeg[:3] == b"\xff\xd8\xff"
    bgr = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    b, g, r = (round(float(v)) for v in bgr.reshape(-1, 3).mean(axis=0))
    return r, g, b


def near(rgb: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True))


def shows(out, target: tuple[int, int, int]) -> bool:  # type: ignore[no-untyped-def]
    jpeg = out.preview()
    return jpeg is not None and near(colour(jpeg), target)


@pytest.fixture
def projection(gl_context) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from installation.projection.output import ProjectionOutput

    out = ProjectionOutput(RealClock(), size=(64, 36), fps=60.0, root=REPO, preview_interval_s=0.05,
                           reload_interval_s=0.1)
    try:
        yield out
    finally:
        out.close()
    assert out.health().state == HealthState.OFF and out.child_pid is None


def test_the_facade_renders_through_a_child_process(projection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = projection
    assert out.health().state == HealthState.OFF
    out.open()
    out.change_scene(CONFORMANCE / "solid.fs")
    out.update(GREEN, Presence(t=0.0, count=1, people=(Person(1, 0.5, 0.5),)), now=0.0)
    assert out.wait_until(lambda: shows(out, (0, 255, 0)), DEADLINE_S), out.health()
    assert out.child_pid not in (None, os.getpid())
    assert out.wait_until(lambda: out.health().state == HealthState.OK, DEADLINE_S), out.health()
    assert out.wait_until(lambda: out.stats().frames >= 4, DEADLINE_S)
    assert out.stats().render_ms_p99 > 0

    # only what changed is sent: a changed value still arrives
    out.update({**GREEN, "scene.color.r": 1.0}, None, now=0.1)
    assert out.wait_until(lambda: shows(out, (255, 255, 0)), DEADLINE_S), colour(out.preview())

    # a scene change applies
    blue = tmp_path / "blue.fs"
    blue.write_text("/*{}*/\nvoid main() {\n  gl_FragColor = vec4(0.0, 0.0, 1.0, 1.0);\n}\n",
                    encoding="utf-8")
    out.change_scene(blue)
    assert out.wait_until(lambda: shows(out, (0, 0, 255)), DEADLINE_S), colour(out.preview())

    # a broken shader: the error names file and line, the previous scene stays on screen
    broken = tmp_path / "broken.fs"
    broken.write_text("/*{}*/\nvoid main() {\n  gl_FragColor = nope;\n}\n", encoding="utf-8")
    out.change_scene(broken, transition_s=1.0)
    assert out.wait_until(lambda: "broken.fs:3:" in out.scene_error, DEADLINE_S), out.scene_error
    assert out.wait_until(lambda: out.health().state == HealthState.DEGRADED, DEADLINE_S)
    assert "broken.fs:3:" in out.health().detail
    before = out.preview()
    assert out.wait_until(lambda: out.preview() is not before, DEADLINE_S)
    assert shows(out, (0, 0, 255))

    out.reset_stats()
    assert out.stats().frames == 0
    out.blackout(True, fade_s=0.0)
    assert out.wait_until(lambda: shows(out, (0, 0, 0)), DEADLINE_S), colour(out.preview())


def test_a_killed_child_is_restarted_and_shows_the_scene_again(projection) -> None:  # type: ignore[no-untyped-def]
    out = projection
    out.open()
    out.change_scene(CONFORMANCE / "solid.fs")
    out.update(GREEN, None, now=0.0)
    assert out.wait_until(lambda: shows(out, (0, 255, 0)) and out.health().state == HealthState.OK,
                          DEADLINE_S), out.health()
    pid = out.child_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert out.wait_until(lambda: out.health().state == HealthState.DOWN, DEADLINE_S)
    assert "SIGKILL" in out.health().last_error
    # restarted with backoff; the scene and its values come back without the engine sending them again
    stale = out.preview()
    assert out.wait_until(lambda: out.child_pid not in (None, pid) and out.preview() is not stale
                          and out.health().state == HealthState.OK, DEADLINE_S), out.health()
    assert shows(out, (0, 255, 0)) and out.restarts == 1


def test_calls_return_at_once_while_the_child_renders(gl_context) -> None:  # type: ignore[no-untyped-def]
    from installation.projection.output import ProjectionOutput

    # a heavy scene at rehearsal size: in-process, its frames hold the interpreter lock for tens of ms
    out = ProjectionOutput(RealClock(), size=(640, 360), fps=60.0, root=REPO, preview_interval_s=0.05)
    out.open()
    try:
        out.change_scene(SHADERS / "unenclosed" / "biodome_glow.fs")
        assert out.wait_until(lambda: out.stats().frames >= 5, DEADLINE_S), out.health()
        params = {f"scene.p{i}": 0.0 for i in range(200)}
        people = (Person(1, 0.5, 0.5),)
        update_s: list[float] = []
        scene_s: list[float] = []
        for k in range(300):
            params["scene.glow"] = k / 300
            t0 = time.perf_counter()
            out.update(dict(params), Presence(t=k / 60, count=1, people=people), now=k / 60)
            update_s.append(time.perf_counter() - t0)
            if k % 15 == 0:
                t0 = time.perf_counter()
                out.change_scene(SHADERS / "unenclosed" / "biodome_glow.fs", 0.5)
                scene_s.append(time.perf_counter() - t0)
            before = out.stats().frames
            out.wait_until(lambda b=before: out.stats().frames != b, 0.004)  # interleave with frames
        assert max(update_s) < 0.005, f"update() took {max(update_s) * 1e3:.1f} ms"
        assert max(scene_s) < 0.005, f"change_scene() took {max(scene_s) * 1e3:.1f} ms"
        assert out.health().state == HealthState.OK, out.health()
    finally:
        out.close()


def test_on_frame_needs_the_in_process_render_loop() -> None:
    from installation.projection.output import ProjectionOutput, ThreadedProjection

    with pytest.raises(ValueError, match="process=False"):
        ProjectionOutput(RealClock(), on_frame=lambda renderer: None)
    local = ProjectionOutput(RealClock(), on_frame=lambda renderer: None, process=False)
    assert isinstance(local, ThreadedProjection)
    with pytest.raises(ValueError, match="pacing"):
        ProjectionOutput(RealClock(), pacing="sometimes")


def test_a_thread_of_this_process_wakes_on_time_while_the_child_renders(gl_context) -> None:  # type: ignore[no-untyped-def]
    import threading

    from installation.projection.output import ProjectionOutput

    # in-process (process=False) this scene's frames made such a thread wake up to ~80 ms late
    out = ProjectionOutput(RealClock(), size=(640, 360), fps=60.0, root=REPO, preview_interval_s=0.05)
    out.open()
    try:
        out.change_scene(SHADERS / "unenclosed" / "biodome_glow.fs")
        assert out.wait_until(lambda: out.stats().frames >= 5, DEADLINE_S), out.health()
        never = threading.Event()
        late_s = []
        for _ in range(200):  # the engine loop's way of waiting for its next deadline
            t0 = time.perf_counter()
            never.wait(0.005)
            late_s.append(time.perf_counter() - t0 - 0.005)
        assert max(late_s) < 0.030, f"woke {max(late_s) * 1e3:.1f} ms late"
    finally:
        out.close()
