"""The show loader: a good show becomes the expected model; each mistake is one exact `file:line:col` line."""

# ruff: noqa: E501  (the expected messages are quoted whole, as an artist reads them)

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest
from show_project import GOOD_SHOW, make_project

from installation.engine.params import ParamSpec
from installation.errors import ShowError
from installation.show import model as m
from installation.show import tree
from installation.show.loader import find_root, load_show


def load(tmp_path: Path, text: str = GOOD_SHOW) -> m.Show:
    return load_show(make_project(tmp_path, text))


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ShowError) as exc:
        load(tmp_path, text)
    return [str(p) for p in exc.value.problems]


def edit(old: str, new: str) -> str:
    assert GOOD_SHOW.count(old) >= 1, old
    return GOOD_SHOW.replace(old, new, 1)


# ------------------------------------------------------------------------------------- the good show


def test_good_show_loads_into_the_model(tmp_path: Path) -> None:
    show = load(tmp_path)
    root = tmp_path.resolve()
    assert show.name == "Test Show"
    assert show.root == root
    assert show.path == root / "cues" / "show.yaml"
    assert show.rig_path == root / "hardware" / "rig.yaml"
    assert show.rig is not None and "light.wash.dimmer" in show.params
    assert show.params["audio.master.level"].unit == "dB"
    assert show.idle_act == "attract" and show.start_act == "attract"
    assert show.when_empty_for_s == 60.0
    assert show.act_names == ("attract", "streets")
    assert show.next_act("streets") == "attract"
    assert show.pos == m.Pos("cues/show.yaml", 2, 1)

    pres = show.presence
    assert pres.source is m.PresenceSource.SYNTHETIC and pres.fallback is m.Fallback.IDLE
    assert pres.mask == (((0.0, 0.0), (1.0, 0.0), (1.0, 0.1)),)
    assert list(pres.zones) == ["door", "screen"]
    assert pres.zones["door"].polygon == ((0.0, 0.0), (0.25, 0.0), (0.25, 1.0), (0.0, 1.0))
    assert pres.zones["door"].pos == m.Pos("cues/show.yaml", 9, 5)

    hours = show.hours
    assert hours is not None
    assert hours.days[0] == ()
    assert [(r.start_s, r.end_s) for r in hours.days[1]] == [(36000.0, 64800.0)]
    assert [(r.start_s, r.end_s) for r in hours.days[6]] == [(39600.0, 46800.0), (50400.0, 68400.0)]

    act = show.act("attract")
    assert act.scene == root / "shaders" / "glow.fs"
    assert dict(act.scene_inputs) == pytest.approx(
        {
            "scene.hue": 0.35,
            "scene.glow": 0.6,
            "scene.tint.r": 1.0,
            "scene.tint.g": 0x88 / 255,
            "scene.tint.b": 0.0,
            "scene.tint.a": 1.0,
        }
    )
    assert act.transition == m.Transition(
        time_s=4.0, shader=root / "shaders" / "dissolve.fs", pos=m.Pos("cues/show.yaml", 24, 17)
    )
    assert act.soundscape.level_db == -18.0
    wind = act.soundscape.layers["wind"]
    assert (wind.instrument, dict(wind.values), dict(wind.options)) == (
        "noise",
        {"level": -24.0},
        {"color": "wind"},
    )
    drone = act.soundscape.layers["drone"]
    assert dict(drone.values) == {"root": 55.0, "cutoff": 600.0, "level": -20.0}
    assert act.params["audio.drone.cutoff"].default == 600.0
    assert "scene.glow" in act.params and "light.wash.dimmer" not in act.params
    assert dict(act.looks["glow"].values) == pytest.approx(
        {
            "light.wash.dimmer": 0.4,
            "light.wash.red": 0.0,
            "light.wash.green": 0.835294,
            "light.wash.blue": 0.447059,
            "light.wash.white": 0.164706,
        },
        abs=1e-6,
    )
    assert act.mappings == (
        m.Mapping(
            source="nearest",
            param="scene.glow",
            in_range=(0.0, 1.0),
            out_range=(0.2, 1.0),
            curve=m.Curve.LINEAR,
            smoothing_s=2.0,
            pos=m.Pos("cues/show.yaml", 33, 9),
        ),
    )

    names = [c.name for c in act.all_cues()]
    assert names == ["dawn", "ping", "fan", "pulses", "p1", "p2", "stop pulses", "go on", "#9", "#10"]
    dawn = act.cue("dawn")
    assert isinstance(dawn, m.FadeCue)
    assert (dawn.pre_wait_s, dawn.duration_s, dawn.post_wait_s) == (0.0, 5.0, 90.0)
    assert dawn.continue_mode is m.ContinueMode.AUTO_FOLLOW and dawn.curve is m.Curve.S_CURVE
    assert dawn.look == "glow"
    assert dawn.targets["light.wash1.dimmer"] == pytest.approx(0.6)
    assert dawn.targets["light.wash.dimmer"] == pytest.approx(0.4)  # from the look
    assert dawn.targets["audio.wind.level"] == -12.0
    assert dawn.pos == m.Pos("cues/show.yaml", 40, 9)
    assert act.cue("ping") == m.OscCue(
        name="ping",
        endpoint="media",
        address="/scene/start",
        args=(1, 0.5, "biodome"),
        pos=m.Pos("cues/show.yaml", 48, 9),
    )
    assert act.cue("fan") == m.SerialCue(
        name="fan", device="fan", command="speed", args=(40,), pos=m.Pos("cues/show.yaml", 50, 9)
    )
    pulses = act.cue("pulses")
    assert isinstance(pulses, m.GroupCue)
    assert (pulses.mode, pulses.loop, [c.name for c in pulses.children]) == (
        m.GroupMode.PLAYLIST,
        True,
        ["p1", "p2"],
    )
    p1 = act.cue("p1")
    assert isinstance(p1, m.FadeCue) and dict(p1.targets) == {
        "light.spot.color": 2.0,
        "light.spot.dimmer": 1.0,
    }
    assert p1.duration_s == 0.25
    stop = act.cue("stop pulses")
    assert isinstance(stop, m.StopCue) and (stop.target, stop.fade_out_s, stop.duration_s) == (
        "pulses",
        2.0,
        2.0,
    )
    goto = act.cue("go on")
    assert isinstance(goto, m.GotoCue) and goto.target == "dawn"
    assert act.cue("#9") == m.WaitCue(name="#9", duration_s=10.0, pos=m.Pos("cues/show.yaml", 63, 9))
    assert act.cue("#10") == m.ActCue(name="#10", target="next", pos=m.Pos("cues/show.yaml", 64, 9))

    conds = [t.condition for t in act.triggers]
    assert conds[0] == m.PresenceCondition(
        source="count",
        op=">=",
        threshold=1.0,
        hold_s=2.0,
        hysteresis=0.5,
        text="count >= 1 for 2s",
        pos=m.Pos("cues/show.yaml", 66, 15),
    )
    assert isinstance(conds[1], m.PresenceCondition)
    assert (conds[1].source, conds[1].op, conds[1].threshold, conds[1].hold_s) == (
        "zone.door.count",
        "==",
        0,
        30,
    )
    assert isinstance(conds[2], m.PresenceCondition)
    assert (conds[2].source, conds[2].op, conds[2].threshold, conds[2].hold_s) == (
        "zone.screen.count",
        ">=",
        3,
        5,
    )
    assert conds[3] == m.AfterCondition(after_s=600.0, pos=m.Pos("cues/show.yaml", 73, 16))
    assert conds[4] == m.AtCondition(time_of_day_s=17 * 3600 + 55 * 60, pos=m.Pos("cues/show.yaml", 75, 13))
    assert conds[5] == m.GoCondition(pos=m.Pos("cues/show.yaml", 77, 13))
    assert conds[6] == m.CommandCondition(
        command="/show/skip", channel="osc", pos=m.Pos("cues/show.yaml", 79, 13)
    )
    assert [t.target for t in act.triggers] == ["streets", "idle", "next", "next", "idle", "next", "next"]

    bright = show.act("streets").cue("bright")
    assert isinstance(bright, m.FadeCue)
    assert dict(bright.targets) == {
        "light.wash.dimmer": 1.0,
        "serial.fan.speed": 0.5,
        "osc.media.brightness": 0.5,
    }
    room = show.act("streets").triggers[0].condition
    assert isinstance(room, m.PresenceCondition) and (room.source, room.op, room.threshold, room.hold_s) == (
        "count",
        "==",
        0.0,
        60.0,
    )

    assert show.expects == (
        m.ReachesExpect(
            audience="walkthrough", act="streets", by_s=1500.0, pos=m.Pos("cues/show.yaml", 91, 5)
        ),
        m.NeverReachesExpect(audience="empty-day", act="streets", pos=m.Pos("cues/show.yaml", 94, 5)),
        m.ActAtExpect(audience=None, time_s=180.0, act="streets", pos=m.Pos("cues/show.yaml", 96, 5)),
    )


def test_osc_template_fields(tmp_path: Path) -> None:
    show = load(
        tmp_path,
        edit(
            'address: /scene/start, args: [1, 0.5, "biodome"]',
            "address: layer, fields: {layer: 2}, args: [0.5]",
        ),
    )
    ping = show.act("attract").cue("ping")
    assert isinstance(ping, m.OscCue)
    assert (ping.address, dict(ping.fields), ping.args) == ("layer", {"layer": 2}, (0.5,))
    assert show.rig.osc_endpoints["media"].address(ping.address, ping.fields) == "/layer/2/opacity"


def test_minimal_show_needs_only_a_title_an_idle_act_and_acts(tmp_path: Path) -> None:
    show = load(tmp_path, "show: Tiny\nidle: {act: only}\nacts:\n  only:\n    cues:\n      - wait: 1s\n")
    assert show.rig is None and show.rig_path is None and show.hours is None
    assert show.presence == m.PresenceSettings(pos=show.presence.pos)
    assert show.act("only").cues == (m.WaitCue(name="#1", duration_s=1.0, pos=m.Pos("cues/show.yaml", 6, 9)),)
    assert show.start_act == "only" and show.when_empty_for_s is None


VOCABULARY_SHOW = """\
show: Vocabulary
operator: {go_debounce: 0.5s, panic_fade: 2s, stop_fade: 1s}
idle: {act: only}
acts:
  only:
    on_enter: wait
    cues:
      - {name: dawn, number: 1.10, wait: 20s}
      - {name: loop, number: "2", group: playlist, loop: true, cues: [{name: beat, wait: 1s}]}
      - {start: dawn, number: 3}
      - {pause: dawn}
      - {load: dawn, at: 12s}
      - {reset: all, continue: auto-continue}
      - {reset: loop}
      - {devamp: loop, continue: auto-follow}
      - {arm: beat, armed: false}
      - {disarm: beat}
      - {memo: the doors open here, post_wait: 2s}
"""


def test_cue_vocabulary_loads_into_the_model(tmp_path: Path) -> None:
    show = load(tmp_path, VOCABULARY_SHOW)
    assert show.operator == m.OperatorSettings(
        go_debounce_s=0.5, panic_fade_s=2.0, stop_fade_s=1.0, pos=m.Pos("cues/show.yaml", 2, 11)
    )
    act = show.act("only")
    assert act.on_enter is m.OnEnter.WAIT
    at = [c.pos for c in act.cues]
    assert [(c.name, c.number) for c in act.cues[:3]] == [("dawn", "1.10"), ("loop", "2"), ("#4", "3")]
    assert act.cue_by_number("1.10").name == "dawn" and act.cue("beat").number is None
    assert list(act.cues[2:]) == [
        m.StartCue(name="#4", number="3", target="dawn", pos=at[2]),
        m.PauseCue(name="#5", target="dawn", pos=at[3]),
        m.LoadCue(name="#6", target="dawn", at_s=12.0, pos=at[4]),
        m.ResetCue(name="#7", target=None, continue_mode=m.ContinueMode.AUTO_CONTINUE, pos=at[5]),
        m.ResetCue(name="#8", target="loop", pos=at[6]),
        m.DevampCue(name="#9", target="loop", continue_mode=m.ContinueMode.AUTO_FOLLOW, pos=at[7]),
        m.ArmCue(name="#10", target="beat", armed=False, pos=at[8]),
        m.DisarmCue(name="#11", target="beat", pos=at[9]),
        m.MemoCue(name="#12", text="the doors open here", post_wait_s=2.0, pos=at[10]),
    ]
    assert [c.kind for c in act.cues] == [
        "wait", "group", "start", "pause", "load", "reset", "reset", "devamp", "arm", "disarm", "memo"
    ]
    defaults = load(tmp_path, "show: T\nidle: {act: a}\nacts:\n  a:\n    cues: [{wait: 1s}]\n")
    assert defaults.operator == m.OperatorSettings() and defaults.act("a").on_enter is m.OnEnter.GO
    assert defaults.act("a").cues[0].armed and defaults.act("a").cues[0].number is None


def test_root_is_the_folder_that_contains_cues(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    nested = tmp_path / "cues" / "more" / "x.yaml"
    nested.parent.mkdir()
    nested.write_text("x: 1\n")
    assert find_root(path) == tmp_path.resolve()
    assert find_root(nested) == tmp_path.resolve()
    assert find_root(tmp_path / "elsewhere.yaml") == tmp_path.resolve()


# ------------------------------------------------------------------------------------- every mistake

NO_RIG = "the show names no rig (add `rig: hardware/NAME.yaml` at the top of the show)"

ERRORS: list[tuple[str, str, str, list[str]]] = [
    (
        "missing shader",
        "scene: shaders/glow.fs\n    scene_inputs",
        "scene: shaders/glw.fs\n    scene_inputs",
        ["cues/show.yaml:22:12: scene 'shaders/glw.fs' not found (did you mean 'shaders/glow.fs'?)"],
    ),
    (
        "bare number duration",
        "        duration: 5s",
        "        duration: 5",
        [
            'cues/show.yaml:44:19: duration: 5 has no unit (write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"; '
            'for 5 seconds write "5s")'
        ],
    ),
    (
        "unknown act key",
        "  streets:\n    scene",
        "  streets:\n    scen",
        ["cues/show.yaml:82:5: unknown key 'scen' in act 'streets' (did you mean 'scene'?)"],
    ),
    (
        "unknown act target",
        "        go: streets",
        "        go: stretes",
        ["cues/show.yaml:67:13: unknown act 'stretes' (did you mean 'streets'?)"],
    ),
    (
        "goto unknown cue",
        "        goto: dawn",
        "        goto: dwan",
        ["cues/show.yaml:62:15: goto target 'dwan' is not a cue of act 'attract' (did you mean 'dawn'?)"],
    ),
    (
        "stop unknown cue",
        "        stop: pulses",
        "        stop: pulse",
        ["cues/show.yaml:59:15: stop target 'pulse' is not a cue of act 'attract' (did you mean 'pulses'?)"],
    ),
    (
        "unknown fixture",
        "light.wash1.dimmer",
        "light.wsh1.dimmer",
        [
            "cues/show.yaml:43:16: unknown parameter 'light.wsh1.dimmer' in act 'attract' "
            "(did you mean 'light.wash1.dimmer'?)"
        ],
    ),
    (
        "unknown attribute",
        "light.wash1.dimmer",
        "light.wash1.zoom",
        [
            "cues/show.yaml:43:16: unknown parameter 'light.wash1.zoom' in act 'attract' "
            "(light.wash1 has: blue, dimmer, green, red, strobe, white)"
        ],
    ),
    (
        "unknown fixture family",
        "light.wash1.dimmer",
        "lights.wash1.dimmer",
        [
            "cues/show.yaml:43:16: unknown parameter 'lights.wash1.dimmer' in act 'attract' "
            "(did you mean 'light.wash1.dimmer'?)"
        ],
    ),
    (
        "unknown parameter family",
        "light.wash1.dimmer",
        "dmx.1",
        [
            "cues/show.yaml:43:16: unknown parameter 'dmx.1' in act 'attract' "
            "(parameters are light.<fixture>.<attribute>, scene.<input>, audio.<layer>.<param>, audio.master.level, "
            "osc.<endpoint>.<name>, serial.<device>.<name>)"
        ],
    ),
    (
        "rig path escapes",
        "rig: hardware/rig.yaml",
        "rig: ../rig.yaml",
        [
            "cues/show.yaml:3:6: rig file '../rig.yaml' is outside the project folder (paths are relative to the "
            "project folder and stay inside it, e.g. hardware/gallery.yaml)"
        ],
    ),
    (
        "absolute path outside",
        "rig: hardware/rig.yaml",
        "rig: /etc/passwd",
        [
            "cues/show.yaml:3:6: rig file '/etc/passwd' is outside the project folder (paths are relative to the "
            "project folder and stay inside it, e.g. hardware/gallery.yaml)"
        ],
    ),
    (
        "shader escapes",
        "    scene: shaders/glow.fs\n    scene_inputs",
        "    scene: shaders/../../glow.fs\n    scene_inputs",
        [
            "cues/show.yaml:22:12: scene 'shaders/../../glow.fs' is outside the project folder (paths are relative to "
            "the project folder and stay inside it, e.g. shaders/glow.fs)"
        ],
    ),
    (
        "unknown presence value",
        "      - when: count >= 1 for 2s",
        "      - when: cont >= 1 for 2s",
        ["cues/show.yaml:66:15: unknown presence value 'cont' (did you mean 'count'?)"],
    ),
    (
        "unknown zone",
        "      - when: zone door empty for 30s",
        "      - when: zone dor empty for 30s",
        ["cues/show.yaml:69:20: unknown zone 'dor' (did you mean 'door'?)"],
    ),
    (
        "hold without unit",
        "      - when: zone door empty for 30s",
        '      - when: "zone door empty for 30"',
        [
            'cues/show.yaml:69:36: hold time: \'30\' has no unit (write a unit, e.g. "3s", "250ms", "2min", "1h" '
            'or "1:30")'
        ],
    ),
    (
        "threshold not a number",
        "      - when: count >= 1 for 2s",
        "      - when: count >= x for 2s",
        ["cues/show.yaml:66:24: 'x' is not a number (compare with a number, e.g. count >= 2)"],
    ),
    (
        "unreadable condition",
        "      - when: count >= 1 for 2s",
        "      - when: lots of people",
        [
            "cues/show.yaml:66:15: cannot read condition 'lots of people' (e.g. `count >= 1 for 2s`, "
            "`zone door empty for 30s`, `zone screen.count >= 3`, `room empty for 1min`)"
        ],
    ),
    (
        "time of day as number",
        '      - at: "17:55"',
        "      - at: 1755",
        [
            'cues/show.yaml:75:13: at: expected a time of day, got 1755 (a 24-hour time like "18:30", in quotes)'
        ],
    ),
    (
        "hours past midnight",
        '  tue-fri: "10:00-18:00"',
        '  tue-fri: "10:00-25:00"',
        ["cues/show.yaml:13:12: hours for tue-fri: time of day '25:00' is past midnight (00:00 .. 24:00)"],
    ),
    (
        "unknown day",
        '  tue-fri: "10:00-18:00"',
        '  tues-fri: "10:00-18:00"',
        [
            "cues/show.yaml:13:3: unknown key 'tues-fri' in hours (valid: closed_on, daily, fri, mon, sat, sun, thu, "
            "tue, wed; days are mon..sun, ranges like tue-fri, daily, closed_on)"
        ],
    ),
    (
        "day twice",
        "  mon: closed",
        "  mon: closed\n  Mon: open",
        ["cues/show.yaml:13:3: mon is given twice in hours (each day once)"],
    ),
    (
        "unknown instrument",
        "{instrument: noise,",
        "{instrument: nose,",
        ["cues/show.yaml:28:28: unknown instrument 'nose' (did you mean 'noise'?)"],
    ),
    (
        "layer option and key",
        "color: wind, level",
        "color: wnd, cutof: 3, level",
        [
            "cues/show.yaml:28:42: noise color 'wnd' is not allowed (did you mean 'wind'?)",
            "cues/show.yaml:28:47: unknown key 'cutof' in layer 'wind' (noise) (did you mean 'cutoff'?)",
        ],
    ),
    (
        "level out of range",
        'level: "-24 dB"',
        'level: "-124 dB"',
        ["cues/show.yaml:28:55: audio.wind.level -124 dB is out of range (-90..6 dB)"],
    ),
    (
        "unknown osc endpoint",
        "osc: {endpoint: media,",
        "osc: {endpoint: medai,",
        ["cues/show.yaml:49:25: unknown OSC endpoint 'medai' (did you mean 'media'?)"],
    ),
    (
        "unknown osc address",
        "address: /scene/start,",
        "address: scene_strt,",
        [
            "cues/show.yaml:49:41: OSC endpoint 'media' has no address 'scene_strt' (did you mean 'scene_start'?; "
            "or write a literal /path)"
        ],
    ),
    (
        "osc template needs fields",
        'address: /scene/start, args: [1, 0.5, "biodome"]',
        "address: layer, args: [1]",
        [
            "cues/show.yaml:49:41: OSC address '/layer/{layer}/opacity' needs layer (give the placeholders with fields: {name: value})"
        ],
    ),
    (
        "osc field not a word",
        "address: /scene/start,",
        "address: /x, fields: {a: 1.5},",
        ["cues/show.yaml:49:57: osc field 'a' must be a whole number or text"],
    ),
    (
        "serial argument count",
        "command: speed, args: [40]",
        "command: speed, args: [40, 2]",
        ["cues/show.yaml:51:53: serial command fan.speed ('SPEED {0}') takes 1 argument(s), got 2"],
    ),
    (
        "unknown serial command",
        "command: speed",
        "command: sped",
        ["cues/show.yaml:51:40: serial device 'fan' has no command 'sped' (did you mean 'speed'?)"],
    ),
    (
        "colour on a colour wheel",
        'light.wash.color: "#2aff9c"',
        'light.spot.color: "#2aff9c"',
        [
            "cues/show.yaml:31:40: light.spot.color cannot take a colour: spot has a colour wheel: use one of white, "
            "red, blue (a colour fits light.<fixture>.color on RGB/RGBW/CMY fixtures and colour inputs of the scene)"
        ],
    ),
    (
        "percent out of range",
        'glow: {light.wash.dimmer: "40%"',
        'glow: {light.wash.dimmer: "140%"',
        [
            'cues/show.yaml:31:33: light.wash.dimmer 140% is out of range (a number 0..1 or a percentage like "40%")'
        ],
    ),
    (
        "unknown scene input",
        "scene_inputs: {hue: 0.35",
        "scene_inputs: {hu: 0.35",
        ["cues/show.yaml:23:20: unknown parameter 'scene.hu' in act 'attract' (did you mean 'scene.hue'?)"],
    ),
    (
        "scene input out of range",
        'glow: "60%", tint',
        "glow: 3, tint",
        ["cues/show.yaml:23:37: scene.glow 3 is out of range (0..2)"],
    ),
    (
        "wrong scene label",
        "scene.glow: 0.8,",
        "scene.mode: stormy,",
        ["cues/show.yaml:43:55: 'stormy' is not a value for scene.mode (one of calm, storm or 0..1)"],
    ),
    (
        "idle needs unit",
        "  when_empty_for: 60s",
        "  when_empty_for: 60",
        [
            'cues/show.yaml:18:19: when_empty_for: 60 has no unit (write a unit, e.g. "3s", "250ms", "2min", "1h" or '
            '"1:30"; for 60 seconds write "60s")'
        ],
    ),
    (
        "unknown idle act",
        "  act: attract\n  when_empty",
        "  act: atract\n  when_empty",
        ["cues/show.yaml:17:8: unknown act 'atract' (did you mean 'attract'?)"],
    ),
    (
        "unknown start act",
        "start: attract",
        "start: streetz",
        ["cues/show.yaml:19:8: unknown act 'streetz' (did you mean 'streets'?)"],
    ),
    (
        "mapping to unknown param",
        "        to: scene.glow",
        "        to: scene.glw",
        ["cues/show.yaml:34:13: unknown parameter 'scene.glw' in act 'attract' (did you mean 'scene.glow'?)"],
    ),
    (
        "mapping from zone attribute",
        "      - from: nearest",
        "      - from: zone.door.dwel",
        ["cues/show.yaml:33:15: unknown zone attribute 'dwel' (did you mean 'dwell'?)"],
    ),
    (
        "mapping out of range",
        "        out: [0.2, 1.0]",
        "        out: [0.2, 5]",
        ["cues/show.yaml:36:20: out: scene.glow 5 is out of range (0..2)"],
    ),
    (
        "duplicate key",
        "show: Test Show",
        "show: Test Show\nshow: again",
        ["cues/show.yaml:3:1: duplicate key 'show' (first given at line 2; keep one)"],
    ),
    (
        "key not for this cue",
        "        fade_out: 2s",
        "        fade_out: 2s\n        duration: 3s",
        [
            "cues/show.yaml:61:9: `duration:` does not apply to a stop cue (valid here: name, number, pre_wait, "
            "post_wait, continue, armed, stop, fade_out)"
        ],
    ),
    (
        "bad m:ss",
        "        post_wait: 1:30",
        "        post_wait: 1:3",
        [
            'cues/show.yaml:46:20: post_wait: \'1:3\' is not a duration (write a unit, e.g. "3s", "250ms", "2min", '
            '"1h" or "1:30")'
        ],
    ),
    (
        "unknown curve",
        "        curve: s-curve",
        "        curve: scurve",
        ["cues/show.yaml:45:16: curve 'scurve' is not valid (did you mean 's-curve'?)"],
    ),
    (
        "unknown expect act",
        "act_at: {time: 3min, act: streets}",
        "act_at: {time: 3min, act: street}",
        ["cues/show.yaml:96:31: unknown act 'street' (did you mean 'streets'?)"],
    ),
    (
        "expect a cue the act lacks",
        "  - act_at: {time: 3min, act: streets}\n",
        "  - act_at: {time: 3min, act: streets}\n  - cue_start: {act: attract, cue: dwan, time: 1:30}\n",
        ["cues/show.yaml:97:36: act 'attract' has no cue 'dwan' (did you mean 'dawn'?)"],
    ),
    (
        "expect an unknown parameter",
        "  - act_at: {time: 3min, act: streets}\n",
        "  - act_at: {time: 3min, act: streets}\n  - param_at: {time: 2min, param: light.wash1.dimer, value: 1}\n",
        [
            "cues/show.yaml:97:35: unknown parameter 'light.wash1.dimer' (no act of the show has it) (did you mean 'light.wash1.dimmer'?)"
        ],
    ),
    (
        "expect a value in the wrong unit",
        "  - act_at: {time: 3min, act: streets}\n",
        "  - act_at: {time: 3min, act: streets}\n  - param_at: {time: 2min, param: audio.master.level, value: 50%}\n",
        ["cues/show.yaml:97:62: audio.master.level: expected a level in dB, got '50%' (-90..6 dB)"],
    ),
    (
        "expect DMX of an unknown fixture",
        "  - act_at: {time: 3min, act: streets}\n",
        "  - act_at: {time: 3min, act: streets}\n  - dmx_at: {time: 2min, fixture: wsh1, attribute: red, value: 255}\n",
        ["cues/show.yaml:97:35: unknown fixture 'wsh1' (did you mean 'wash1'?)"],
    ),
    (
        "expect without a check",
        "  - act_at: {time: 3min, act: streets}\n",
        "  - act_at: {time: 3min, act: streets}\n  - {audience: walkthrough}\n",
        [
            "cues/show.yaml:97:5: an expectation needs exactly one of reaches:, never_reaches:, act_at:, cue_start:, param_at:, dmx_at:"
        ],
    ),
    (
        "loop not a bool",
        "        loop: true",
        "        loop: yes",
        ["cues/show.yaml:54:15: loop must be true or false"],
    ),
    (
        "loop on a timeline",
        "        group: playlist",
        "        group: timeline",
        ["cues/show.yaml:54:15: loop only applies to playlist groups (group: playlist)"],
    ),
    (
        "two actions",
        "      - wait: 10s",
        "      - {wait: 10s, goto: dawn}",
        [
            "cues/show.yaml:63:21: cue '#9' has more than one action: wait, goto (one action per cue; put several "
            "in a group)"
        ],
    ),
    (
        "no action",
        "      - wait: 10s",
        "      - name: nothing",
        [
            "cues/show.yaml:63:9: cue 'nothing' has no action (add one of: fade, look, osc, serial, group, stop, goto, "
            "wait, act, start, pause, load, reset, devamp, arm, disarm, memo)"
        ],
    ),
    (
        "start unknown cue",
        "      - wait: 10s",
        "      - start: dwan",
        ["cues/show.yaml:63:16: start target 'dwan' is not a cue of act 'attract' (did you mean 'dawn'?)"],
    ),
    (
        "reset unknown cue",
        "      - act: next",
        "      - reset: al",
        ["cues/show.yaml:64:16: reset target 'al' is not a cue of act 'attract' (did you mean 'all'?)"],
    ),
    (
        "devamp not a loop",
        "      - wait: 10s",
        "      - devamp: dawn",
        [
            "cues/show.yaml:63:17: devamp target 'dawn' is not a looping playlist (devamp ends a `group: playlist` "
            "with `loop: true` after its current pass)"
        ],
    ),
    (
        "load time without unit",
        "      - wait: 10s",
        "      - {load: dawn, at: 12}",
        [
            'cues/show.yaml:63:26: at: 12 has no unit (write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"; '
            'for 12 seconds write "12s")'
        ],
    ),
    (
        "load its own group",
        "          - {name: p2, wait: 2s}",
        "          - {name: p2, load: pulses}",
        [
            "cues/show.yaml:57:30: cue 'p2' cannot load 'pulses': it is that cue or a group it is in (load a cue "
            "outside this group, or start the group again with a `start:` cue)"
        ],
    ),
    (
        "armed not a bool",
        "      - wait: 10s",
        "      - {wait: 10s, armed: no}",
        ["cues/show.yaml:63:28: armed must be true or false"],
    ),
    (
        "memo not text",
        "      - wait: 10s",
        "      - memo: [a, b]",
        ["cues/show.yaml:63:15: memo must be text"],
    ),
    (
        "duplicate cue number",
        "      - name: ping\n        osc: {endpoint: media, address: /scene/start, args: [1, 0.5, \"biodome\"]}\n"
        "      - name: fan\n",
        "      - name: ping\n        number: 1\n"
        "        osc: {endpoint: media, address: /scene/start, args: [1, 0.5, \"biodome\"]}\n"
        "      - name: fan\n        number: 1\n",
        [
            "cues/show.yaml:52:17: duplicate cue number '1' in act 'attract' (first used at line 49; numbers are "
            "unique within an act)"
        ],
    ),
    (
        "cue number not text",
        "      - wait: 10s",
        "      - {wait: 10s, number: [1]}",
        ["cues/show.yaml:63:29: cue number must be text (text or a number, e.g. 12 or 1.5)"],
    ),
    (
        "on_enter unknown",
        "    scene: shaders/glow.fs\n    cues:",
        "    scene: shaders/glow.fs\n    on_enter: later\n    cues:",
        ["cues/show.yaml:83:15: on_enter 'later' is not valid (one of go, wait)"],
    ),
    (
        "operator duration without unit",
        "start: attract",
        "start: attract\noperator: {go_debounce: 0.3, panic_fade: 2s, stop_fade: 1s}",
        [
            'cues/show.yaml:20:25: go_debounce: 0.3 has no unit (write a unit, e.g. "3s", "250ms", "2min", "1h" or '
            '"1:30"; for 0.3 seconds write "0.3s")'
        ],
    ),
    (
        "operator unknown key",
        "start: attract",
        "start: attract\noperator: {go_debonce: 1s}",
        ["cues/show.yaml:20:12: unknown key 'go_debonce' in operator (did you mean 'go_debounce'?)"],
    ),
    (
        "duplicate cue name",
        "      - name: fan\n",
        "      - name: ping\n",
        [
            "cues/show.yaml:50:15: duplicate cue name 'ping' in act 'attract' (first used at line 48; names are unique "
            "within an act)"
        ],
    ),
    (
        "unknown look",
        "        look: glow",
        "        look: glo",
        ["cues/show.yaml:42:15: unknown look 'glo' in act 'attract' (did you mean 'glow'?)"],
    ),
    (
        "two conditions",
        "      - after: 10min",
        "      - after: 10min\n        on: go",
        ["cues/show.yaml:74:9: a trigger has one condition, got after, on (split it into two triggers)"],
    ),
    (
        "hysteresis on a timer",
        "      - after: 10min",
        "      - after: 10min\n        hysteresis: 1",
        ["cues/show.yaml:74:21: hysteresis only applies to `when:` conditions"],
    ),
    (
        "osc command without slash",
        "      - on: osc /show/skip",
        "      - on: osc show/skip",
        ["cues/show.yaml:79:17: OSC address 'show/skip' must start with / (e.g. on: osc /show/skip)"],
    ),
    (
        "trigger without go",
        "      - on: go\n        go: next",
        "      - on: go",
        ["cues/show.yaml:77:9: a trigger needs `go:` (an act name, next (the next act in the file) or idle, e.g. go: next)"],
    ),
    (
        "zone outside the frame",
        "[0.25, 1.0], [0.0, 1.0]]",
        "[0.25, 1.5], [0.0, 1.0]]",
        ["cues/show.yaml:9:37: zone door: point [0.25, 1.5] is outside the frame (coordinates are 0..1)"],
    ),
    (
        "source setting missing",
        "  source: synthetic",
        "  source: url",
        ["cues/show.yaml:5:3: presence (source: url) needs `url:` (e.g. rtsp://camera.local/stream)"],
    ),
    (
        "url without scheme",
        "  source: synthetic",
        "  source: synthetic\n  url: camera.local",
        ["cues/show.yaml:6:8: url 'camera.local' has no scheme (e.g. rtsp://camera.local/stream)"],
    ),
    (
        "video file missing",
        "  source: synthetic",
        "  source: file\n  file: media/room.mp4",
        [
            "cues/show.yaml:6:9: video file 'media/room.mp4' not found (paths are relative to the project folder, "
            "e.g. media/room.mp4)"
        ],
    ),
    (
        "yaml tag",
        "show: Test Show",
        "show: !!python/object:os.system Test",
        [
            "cues/show.yaml:2:7: YAML tag '!!python/object:os.system' is not allowed (show files hold plain values "
            "only)"
        ],
    ),
    (
        "act named next",
        "  streets:\n",
        "  next:\n",
        [
            "cues/show.yaml:67:13: unknown act 'streets' (valid: attract, idle, next)",
            "cues/show.yaml:81:3: act name 'next' is reserved (`next` means the next act; choose another name)",
            "cues/show.yaml:92:14: unknown act 'streets' (valid: attract)",
            "cues/show.yaml:95:20: unknown act 'streets' (valid: attract)",
            "cues/show.yaml:96:31: unknown act 'streets' (valid: attract)",
        ],
    ),
    (
        "no rig for light",
        "rig: hardware/rig.yaml\n",
        "",
        [
            f"cues/show.yaml:30:14: unknown parameter 'light.wash.dimmer': {NO_RIG}",
            f"cues/show.yaml:30:40: unknown parameter 'light.wash.color': {NO_RIG}",
            f"cues/show.yaml:42:16: unknown parameter 'light.wash1.dimmer': {NO_RIG}",
            "cues/show.yaml:48:25: unknown OSC endpoint 'media' (the show names no rig: add `rig: hardware/NAME.yaml`)",
            "cues/show.yaml:50:26: unknown serial device 'fan' (the show names no rig: add `rig: hardware/NAME.yaml`)",
            f"cues/show.yaml:55:31: unknown parameter 'light.spot.color': {NO_RIG}",
            f"cues/show.yaml:55:55: unknown parameter 'light.spot.dimmer': {NO_RIG}",
            f"cues/show.yaml:84:16: unknown parameter 'light.wash.dimmer': {NO_RIG}",
            f"cues/show.yaml:84:38: unknown parameter 'serial.fan.speed': {NO_RIG}",
            f"cues/show.yaml:84:63: unknown parameter 'osc.media.brightness': {NO_RIG}",
        ],
    ),
    (
        "scene is a transition",
        '    scene: shaders/glow.fs\n    scene_inputs: {hue: 0.35, glow: "60%", tint: "#ff8800"}',
        "    scene: shaders/dissolve.fs",
        [
            "cues/show.yaml:22:12: scene 'shaders/dissolve.fs' is a transition shader (use it as transition: {shader: "
            "...}; a scene is an ordinary ISF shader)"
        ],
    ),
    (
        "transition is a scene",
        "shader: shaders/dissolve.fs}",
        "shader: shaders/glow.fs}",
        [
            "cues/show.yaml:24:36: 'shaders/glow.fs' is not a transition shader (a transition has image inputs "
            "startImage and endImage and a float progress)"
        ],
    ),
    (
        "syntax error",
        "show: Test Show",
        "show: Test: Show",
        [
            "cues/show.yaml:2:11: YAML syntax: mapping values are not allowed in this context (check indentation, "
            "colons and quotes)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [row[1:] for row in ERRORS], ids=[row[0] for row in ERRORS]
)
def test_each_mistake_is_reported_at_its_place(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    assert problems(tmp_path, edit(old, new)) == sorted(expected)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = GOOD_SHOW
    for old, new, _ in [
        row[1:]
        for row in ERRORS
        if row[0]
        in (
            "unknown act target",
            "goto unknown cue",
            "unknown fixture",
            "unknown curve",
            "unknown zone",
            "unknown instrument",
            "unknown day",
            "idle needs unit",
            "unknown expect act",
        )
    ]:
        text = text.replace(old, new, 1)
    found = problems(tmp_path, text)
    assert len(found) == 9
    assert [p.split(":")[1] for p in found] == ["13", "18", "28", "43", "45", "62", "67", "69", "96"]


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == [
        "cues/show.yaml:1:1: the show file is empty (start with `show: <name>`, then rig:, idle:, acts:)"
    ]
    assert problems(tmp_path, "- a\n- b\n") == [
        "cues/show.yaml:1:1: a show file must be a mapping (start with `show: <name>`, then rig:, idle:, acts:)"
    ]
    assert problems(tmp_path, "show: x\n") == [
        "cues/show.yaml:1:1: the show needs `acts:` (e.g. acts: {attract: {...}, ...})",
        "cues/show.yaml:1:1: the show needs `idle:` (e.g. idle: {act: attract, when_empty_for: 60s})",
    ]
    assert problems(tmp_path, "show: x\nidle: {act: a}\nacts: {a: }\n") == [
        "cues/show.yaml:3:8: act 'a' is empty (give it at least a scene or cues)"
    ]


def test_binary_garbage_is_one_clear_problem(tmp_path: Path) -> None:
    path = make_project(tmp_path)
    path.write_bytes(b"show: x\n\xff\xfe\x00garbage")
    with pytest.raises(ShowError) as exc:
        load_show(path)
    assert str(exc.value).startswith("cues/show.yaml:1:1: cannot read show file: UnicodeDecodeError")
    path.write_bytes(b"show: x\nidle: \x00\n")
    with pytest.raises(ShowError) as exc:
        load_show(path)
    assert str(exc.value) == "cues/show.yaml:2:1: the file contains a NUL byte (save it as plain UTF-8 text)"


def test_alias_bombs_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
    )
    found = problems(tmp_path, bomb)
    assert len(found) == 1 and "the file expands to too many values" in found[0]
    found = problems(tmp_path, "show: " + "[" * 100 + "]" * 100 + "\n")
    assert found == ["cues/show.yaml:1:70: nested too deeply (at most 64 levels)"]


def test_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.fs").write_text("/*{}*/ void main() {}")
    project = tmp_path / "project"
    path = make_project(project)
    os.symlink(outside / "evil.fs", project / "shaders" / "link.fs")
    text = GOOD_SHOW.replace(
        "    scene: shaders/glow.fs\n    scene_inputs", "    scene: shaders/link.fs\n    scene_inputs"
    )
    path.write_text(text)
    with pytest.raises(ShowError) as exc:
        load_show(path)
    assert [str(p) for p in exc.value.problems] == [
        "cues/show.yaml:22:12: scene 'shaders/link.fs' is outside the project folder (paths are relative to the "
        "project folder and stay inside it, e.g. shaders/glow.fs)"
    ]


def test_problems_in_referenced_files_are_reported_with_the_shows(tmp_path: Path) -> None:
    path = make_project(tmp_path, GOOD_SHOW.replace("        go: streets", "        go: stretes"))
    (tmp_path / "hardware" / "rig.yaml").write_text(
        (tmp_path / "hardware" / "rig.yaml").read_text().replace("address: 7}", "address: 7, colour: red}")
    )
    with pytest.raises(ShowError) as exc:
        load_show(path)
    files = [p.file for p in exc.value.problems]
    assert "hardware/rig.yaml" in files and "cues/show.yaml" in files
    # while the rig is broken, light/osc/serial references are not reported again (no cascade)
    assert [str(p) for p in exc.value.problems if p.file == "cues/show.yaml"] == [
        "cues/show.yaml:67:13: unknown act 'stretes' (did you mean 'streets'?)"
    ]


# ------------------------------------------------------------------------------------- injected resolver


class FakeRig:
    osc_endpoints: ClassVar[dict[str, Any]] = {}
    serial_devices: ClassVar[dict[str, Any]] = {}

    def parameters(self) -> dict[str, ParamSpec]:
        return {"light.lamp.dimmer": ParamSpec("light.lamp.dimmer")}

    def color_expand(self, param: str, color: str) -> dict[str, float]:
        raise ValueError("lamp has no colour")


class FakeResolver:
    """A resolver with a one-lamp rig, a one-input scene and one instrument, recording its calls."""

    def __init__(self, rig_error: Exception | None = None) -> None:
        self.calls: list[str] = []
        self.rig_error = rig_error

    def load_rig(self, path: Path, root: Path) -> Any:
        self.calls.append(f"rig {path.name}")
        if self.rig_error:
            raise self.rig_error
        return FakeRig()

    def load_scene_info(self, path: Path, root: Path) -> Any:
        self.calls.append(f"scene {path.name}")

        class Info:
            is_transition = False

            def parameters(self) -> dict[str, ParamSpec]:
                return {"scene.x": ParamSpec("scene.x")}

        return Info()

    def instruments(self) -> dict[str, Any]:
        class Spec:
            params: ClassVar[dict[str, ParamSpec]] = {"level": ParamSpec("level", -90, 0, -20, "dB")}
            options: ClassVar[dict[str, Any]] = {}

        return {"hum": Spec()}

    def check_layer(self, layer: str, instrument: str, values: Any) -> list[Any]:
        return []

    def layer_parameters(self, layer: str, instrument: str, values: Any) -> dict[str, ParamSpec]:
        return {f"audio.{layer}.level": ParamSpec(f"audio.{layer}.level", -90, 0, -20, "dB")}

    def master_parameters(self) -> dict[str, ParamSpec]:
        return {"audio.master.level": ParamSpec("audio.master.level", -90, 6, 0, "dB")}


FAKE_SHOW = """\
show: Fake
rig: hardware/rig.yaml
idle: {act: a}
acts:
  a:
    scene: shaders/glow.fs
    soundscape: {layers: {h: {instrument: hum, level: "-6 dB"}}}
    cues:
      - fade: {light.lamp.dimmer: 50%, scene.x: 1, audio.h.level: "-3 dB", audio.master.level: "-1 dB"}
        duration: 1s
"""


def test_a_resolver_can_be_injected(tmp_path: Path) -> None:
    resolver = FakeResolver()
    show = load_show(make_project(tmp_path, FAKE_SHOW), resolver=resolver)
    assert resolver.calls == ["rig rig.yaml", "scene glow.fs"]
    cue = show.act("a").cues[0]
    assert isinstance(cue, m.FadeCue)
    assert dict(cue.targets) == {
        "light.lamp.dimmer": 0.5,
        "scene.x": 1.0,
        "audio.h.level": -3.0,
        "audio.master.level": -1.0,
    }


def test_a_crash_in_another_module_becomes_a_problem_not_a_traceback(tmp_path: Path) -> None:
    resolver = FakeResolver(rig_error=RuntimeError("boom"))
    with pytest.raises(ShowError) as exc:
        load_show(make_project(tmp_path, FAKE_SHOW), resolver=resolver)
    assert [str(p) for p in exc.value.problems] == [
        "cues/show.yaml:2:6: cannot check the rig: RuntimeError: boom"
    ]


# ------------------------------------------------------------------------------------- without libyaml


def test_without_libyaml_ruamel_gives_the_same_show_and_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = load(tmp_path)
    fast_errors = problems(tmp_path, edit("        go: streets", "        go: stretes"))

    def no_libyaml() -> Any:
        raise ImportError("PyYAML without libyaml")

    monkeypatch.setattr(tree, "_fast_loader", no_libyaml)
    slow = load(tmp_path)
    assert dataclasses.replace(slow, rig=None) == dataclasses.replace(
        fast, rig=None
    )  # Rig compares by identity
    assert problems(tmp_path, edit("        go: streets", "        go: stretes")) == fast_errors
    assert problems(tmp_path, edit("show: Test Show", "show: Test: Show")) == [
        "cues/show.yaml:2:11: YAML syntax: mapping values are not allowed here (check indentation, colons and quotes)"
    ]
