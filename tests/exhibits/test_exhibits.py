"""The two bundled exhibits: every act complete and felt by visitors; every audience script passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from installation.cli import audience_scripts
from installation.offline.audience import load_audience
from installation.offline.showtest import run_show_test
from installation.show.loader import load_show
from installation.show.model import PresenceCondition, Show

REPO = Path(__file__).resolve().parents[2]
SHOWS = ("unenclosed", "solas")
SCRIPTS = ("empty-day", "slow-visitor", "school-group", "leaves-mid-act")  # the issue's four, at least

# what a visitor does, and the presence sources that let the room feel it
APPROACH = {"nearest", "y", "zone.screen.count", "zone.screen.occupied", "zone.screen.dwell"}
GATHER = {"count", "spread"}
STAND_STILL = {"stillness", "motion"}


def _show(name: str) -> Show:
    return load_show(REPO / "cues" / f"{name}.yaml")


def _cases() -> list[tuple[str, str]]:
    return [(show, p.stem) for show in SHOWS for p in audience_scripts(REPO / "cues" / f"{show}.yaml", None)]


@pytest.mark.parametrize(("show_name", "script"), _cases())
def test_the_show_passes_its_expectations_under_the_audience_script(show_name: str, script: str) -> None:
    show = _show(show_name)
    report = run_show_test(show, load_audience(REPO / "cues" / "audiences" / show_name / f"{script}.yaml"))
    failed = [f"{e.text}: {e.detail}" for e in report.expects if not e.passed]
    assert not failed, failed
    acts = {name for _, name in report.acts}
    if script == "empty-day":
        assert acts == {show.idle_act}  # nobody came: the attract loop all day
    else:
        assert len(acts) >= 2 and report.acts[-1][1] == show.idle_act  # visited, left, back to idle


@pytest.mark.parametrize("show_name", SHOWS)
def test_every_script_the_issue_asks_for_exists_and_has_expectations(show_name: str) -> None:
    show = _show(show_name)
    stems = {p.stem for p in audience_scripts(REPO / "cues" / f"{show_name}.yaml", None)}
    assert set(SCRIPTS) <= stems
    for script in SCRIPTS:
        assert any(e.audience in (script, None) for e in show.expects), f"no expect: for {script}"


@pytest.mark.parametrize("show_name", SHOWS)
def test_every_act_has_scene_soundscape_looks_cues_and_presence_mappings(show_name: str) -> None:
    show = _show(show_name)
    assert len(show.acts) == 6 and show.idle_act in show.acts  # an attract act and the story's five beats
    felt: set[str] = set()
    for act in show.acts.values():
        assert act.scene is not None and act.scene.is_file(), act.name
        assert act.soundscape is not None and act.soundscape.layers, act.name
        assert act.looks and act.cues and act.mappings, act.name
        sources = {m.source for m in act.mappings}
        assert sources & (APPROACH | GATHER | STAND_STILL), f"{act.name}: no mapping a visitor can feel"
        felt |= sources
        for trig in act.triggers:
            if isinstance(trig.condition, PresenceCondition):
                felt.add(trig.condition.source)
    # across the show: approaching the screen, gathering and standing still all change something
    assert felt & APPROACH and felt & GATHER and felt & STAND_STILL
    # and leaving: an empty room returns the show to its attract loop
    assert show.when_empty_for_s is not None


def test_the_rig_is_a_plausible_gallery() -> None:
    rig = _show("unenclosed").rig
    assert {"enttec-usb-pro", "artnet", "sacn"} <= {o.type for o in rig.outputs.values()}
    attrs = [set(f.attributes()) for f in rig.fixtures.values()]
    assert sum({"red", "green", "blue", "white"} <= a for a in attrs) >= 4  # RGBW washes
    assert sum({"pan", "tilt"} <= a for a in attrs) >= 2  # moving heads
    assert sum("output" in a for a in attrs) >= 1  # a hazer
    assert rig.osc_endpoints and rig.serial_devices  # a media server, the fan's Arduino
