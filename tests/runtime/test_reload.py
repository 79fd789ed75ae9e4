"""Hot reload of the show file, the rig file and shaders while the show runs (watchfiles, real files)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from installation.audio.soundscape import soundscapes_from_show
from installation.runtime import Runtime
from tests.runtime.conftest import SHOW, STRIP_UNIVERSE, WASH1_DIMMER, RecordingAudio, universe, wait_until

GLOW_CUE = """\
      - name: glow
        fade: {light.wash.dimmer: "90%"}
        duration: 0.2s
"""


def _health(runtime: Runtime, name: str) -> dict[str, str]:
    return {h["name"]: h for h in runtime.health()}[name]  # type: ignore[return-value]


def _cue(runtime: Runtime, name: str) -> dict[str, object]:
    return {c["name"]: c for c in runtime.state()["cues"]}[name]  # type: ignore[return-value]


def _errors(runtime: Runtime) -> list[str]:
    return [line["message"] for line in runtime.log_tail(200) if line["level"] == "error"]


def test_a_good_edit_is_applied_without_stopping_the_show(
    project: Path, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project, watch=True)
    wait_until(runtime.watcher.ready.is_set, "the watcher")
    runtime.go(source="test")
    wait_until(lambda: universe(runtime, 1)[WASH1_DIMMER] == 153, "act streets, first cue done")
    assert runtime.go(source="test").data is True  # the slow strip fade
    level = wait_until(lambda: (v := universe(runtime, STRIP_UNIVERSE)[0]) >= 54 and v, "the fade under way")
    before = runtime.state()

    # the artist adds a cue to the running act and saves
    project.write_text(SHOW.replace("      - name: ping\n", GLOW_CUE + "      - name: ping\n"))
    wait_until(lambda: runtime.reloads == 1, "the new version applied")
    after = runtime.state()
    assert after["act"] == "streets" and before["act"] == "streets"
    assert _cue(runtime, "slow")["state"] == "running"  # the fade carries on, not restarted
    assert after["act_elapsed_s"] >= before["act_elapsed_s"]
    assert universe(runtime, STRIP_UNIVERSE)[0] >= level
    assert after["selected"] == "ping"  # the playhead stays on the cue it was on
    assert _health(runtime, "show")["state"] == "ok"
    assert any("reloaded show.yaml: act streets carries on" in m["message"] for m in runtime.log_tail(50))
    assert runtime.select_cue("glow", source="test").ok
    assert runtime.go(source="test").data is True
    wait_until(lambda: universe(runtime, 1)[WASH1_DIMMER] == 230, "the new cue on the simulator")


def test_a_broken_edit_changes_nothing_and_reports_file_line_col(
    project: Path, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project, watch=True)
    wait_until(runtime.watcher.ready.is_set, "the watcher")
    widget = runtime.adapters.sim_rig.widgets["usb"]
    wait_until(lambda: universe(runtime, 1)[WASH1_DIMMER] == 102, "the idle act's look on the simulator")
    engine = runtime.engine
    outputs = [universe(runtime, u) for u in (1, 2, 3)]
    console = runtime.adapters.sim_rig.consoles["media"]
    messages = len(console.records)

    broken = SHOW.replace("duration: 0.2s", "duration: 0.2")  # a duration needs a unit
    line = broken.splitlines().index("        duration: 0.2") + 1
    project.write_text(broken)
    wait_until(lambda: runtime.reload_problems, "the edit rejected")
    where = f"cues/show.yaml:{line}:19"
    assert str(runtime.reload_problems[0]).startswith(where), runtime.reload_problems
    assert any(m.startswith(f"reload rejected: {where}") for m in _errors(runtime))  # the panel's log
    show_health = _health(runtime, "show")
    assert show_health["state"] == "degraded" and where in show_health["detail"]
    assert runtime.engine is engine and runtime.reloads == 0

    frames = widget.frames
    wait_until(lambda: widget.frames >= frames + 3, "more frames from the running show")
    assert [universe(runtime, u) for u in (1, 2, 3)] == outputs
    assert len(console.records) == messages

    project.write_text(SHOW)  # fixed: the running version was right all along
    wait_until(lambda: not runtime.reload_problems, "the problem cleared")
    assert _health(runtime, "show")["state"] == "ok" and runtime.engine is engine


def test_a_rig_edit_re_patches_the_outputs_and_a_broken_one_is_rejected(
    project: Path, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project, watch=True)
    wait_until(runtime.watcher.ready.is_set, "the watcher")
    wait_until(lambda: universe(runtime, 1)[WASH1_DIMMER] == 102, "wash1 at address 1")
    sims = runtime.adapters.sim_rig
    rig_file = project.parents[1] / "hardware" / "gallery.yaml"
    text = rig_file.read_text()
    moved = text.replace("universe: 1, address: 1,", "universe: 1, address: 31,")
    assert moved != text

    rig_file.write_text(moved.replace("type: enttec-usb-pro", "type: enttec-usb-prox"))
    wait_until(lambda: runtime.reload_problems, "the broken rig rejected")
    assert str(runtime.reload_problems[0]).startswith("hardware/gallery.yaml:")
    assert universe(runtime, 1)[WASH1_DIMMER] == 102

    rig_file.write_text(moved)
    wait_until(lambda: runtime.reloads == 1, "the rig change applied")
    wait_until(lambda: universe(runtime, 1)[30] == 102 and universe(runtime, 1)[0] == 0,
               "wash1 re-patched to address 31 on the simulator")
    assert runtime.adapters.sim_rig is sims  # same outputs: the simulators were kept
    assert runtime.state()["act"] == "attract"


def test_a_changed_soundscape_reaches_the_audio_and_crossfades_the_current_act(
    project: Path, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project, watch=True)
    wait_until(runtime.watcher.ready.is_set, "the watcher")
    audio = RecordingAudio(soundscapes_from_show(runtime.show))
    runtime.adapters.audio = audio  # audio is off in these tests: record what the wiring tells it
    project.write_text(SHOW.replace('root: "55 Hz"', 'root: "65.4 Hz"'))
    wait_until(lambda: runtime.reloads == 1, "the new version applied")
    hum = audio.soundscapes["attract"].layers[0]
    assert hum.name == "hum" and hum.values["root"] == 65.4
    changes = [m for _, m in audio.messages if m[0] == "soundscape"]
    assert changes and changes[-1][1] == "attract" and changes[-1][3] == 2.0  # a 2 s crossfade
    assert runtime.state()["act"] == "attract"


@pytest.mark.parametrize("part", ["code", "header"])
def test_a_broken_shader_keeps_the_last_good_scene(
    project: Path, start_runtime: Callable[..., Runtime], part: str
) -> None:
    runtime = start_runtime(project, watch=True, projection="headless")
    wait_until(runtime.watcher.ready.is_set, "the watcher")
    projection = runtime.adapters.projection
    wait_until(lambda: projection.health().state.value == "ok" and projection.preview(), "frames rendered")
    shader = project.parents[1] / "shaders" / "unenclosed" / "biodome_glow.fs"
    good = shader.read_text()
    if part == "code":  # GLSL that does not compile: the projection keeps the old program
        shader.write_text(good.replace("void main", "void main() { undefined_call(); }\nvoid main_old", 1))
        wait_until(lambda: any("hot reload of biodome_glow.fs failed" in m for m in _errors(runtime)),
                   "the shader error in the log")
        assert "biodome_glow.fs:" in projection.health().last_error
        assert runtime.reloads == 0 and not runtime.reload_problems  # the show itself did not change
    else:  # a broken ISF header: the show reload rejects it with its position
        shader.write_text(good.replace("{", "{,", 1))
        wait_until(lambda: runtime.reload_problems, "the header rejected")
        assert str(runtime.reload_problems[0]).startswith("shaders/unenclosed/biodome_glow.fs:")
    preview = projection.preview()
    wait_until(lambda: projection.preview() is not preview, "frames still rendered (the last good scene)")
    assert projection.health().state.value in ("ok", "degraded")  # degraded: says which shader is broken
    shader.write_text(good)
    wait_until(lambda: not runtime.reload_problems and projection.health().state.value == "ok",
               "the fixed shader back")
