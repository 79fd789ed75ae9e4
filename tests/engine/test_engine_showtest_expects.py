"""Show tests that check cue start times, parameter values and the DMX the rig renders, each ± a tolerance:
table tests of what passes, what fails and the message a failure prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from installation.errors import ShowError
from installation.offline.audience import parse_audience
from installation.offline.showtest import TestReport, run_show_test
from installation.show.loader import load_show_text
from installation.show.model import Show

ROOT = Path(__file__).resolve().parents[2]

SHOW = """\
show: Expect test
rig: hardware/gallery.yaml
presence:
  source: synthetic
  zones:
    door: [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]
idle:
  act: attract
acts:
  attract:
    soundscape:
      level: "-18 dB"
      layers:
        wind: {instrument: noise, color: wind, level: "-24 dB"}
    cues:
      - name: up
        fade: {light.wash1.dimmer: "100%", light.spot1.tilt: 1}
        duration: 4s
        continue: auto-follow
      - name: hold
        wait: 6s
      - name: colour
        fade: {light.wash1.color: "#ff8000"}
    triggers:
      - when: zone door occupied for 2s
        go: next
  streets:
    cues:
      - name: dusk
        pre_wait: 1s
        fade: {audio.master.level: "-30 dB"}
        duration: 2s
"""

VISIT = """\
duration: 1min
events:
  - {at: 12s, operator: go}
  - {at: 20s, enter: [a], zone: door}
  - {at: 40s, operator: close, until: "23:00"}
"""

EMPTY = "duration: 1min\nevents: []\n"


def run(expect: str, script: str = VISIT, name: str = "visit") -> TestReport:
    show = load(expect)
    return run_show_test(show, parse_audience(script, f"{name}.yaml"))


def load(expect: str) -> Show:
    return load_show_text(SHOW + "expect:\n  - " + expect + "\n", ROOT / "cues" / "expect-test.yaml", ROOT)


CASES = [
    # cue starts: exact in virtual time; the tolerance (default 0.1 s) is for presence-driven times
    ("cue_start: {act: attract, cue: up, time: 0s}", True, "started at 0:00.000"),
    ("cue_start: {act: attract, cue: colour, time: 12s}", True, "started at 0:12.000"),
    ("cue_start: {act: streets, cue: dusk, time: 22.05s}", True, "started at 0:22.000"),
    (
        "cue_start: {act: streets, cue: dusk, time: 21s}",
        False,
        "started at 0:22.000: 1.000 s late (tolerance 0.1 s)",
    ),
    (
        "cue_start: {act: attract, cue: colour, time: 20s, tolerance: 5s}",
        False,
        "started at 0:12.000: 8.000 s early (tolerance 5 s)",
    ),
    # parameter values in their own units, after everything at that instant
    ("param_at: {time: 2s, param: light.wash1.dimmer, value: 50%}", True, "was 0.5"),
    ("param_at: {time: 2s, param: light.wash1.dimmer, value: 60%}", False, "was 0.5, 0.1 off"),
    ("param_at: {time: 2s, param: light.wash1.dimmer, value: 60%, tolerance: 15%}", True, "was 0.5"),
    ("param_at: {time: 30s, param: audio.master.level, value: -30 dB}", True, "was -30 dB"),
    (
        "param_at: {time: 30s, param: audio.master.level, value: -20 dB, tolerance: 0.5 dB}",
        False,
        "was -30 dB, 10 dB off",
    ),
    (
        'param_at: {time: 13s, param: light.wash1.color, value: "#ff8000"}',
        True,
        "light.wash1.white was 0; light.wash1.red was 1; light.wash1.green was 0.502; light.wash1.blue was 0",
    ),
    (
        "param_at: {time: 30s, param: audio.wind.level, value: -24 dB}",
        False,
        "audio.wind.level is not a parameter of act streets (the act then)",
    ),
    (
        "param_at: {time: 10min, param: light.wash1.dimmer, value: 1}",
        False,
        "the script ends at 1:00.000, before this time",
    ),
    # DMX as the rig renders it: the coarse channel of an attribute, limits, closed = dark
    ("dmx_at: {time: 2s, fixture: wash1, attribute: dimmer, value: 128}", True, "was 128"),
    ("dmx_at: {time: 5s, universe: 1, channel: 1, value: 255}", True, "was 255"),
    ("dmx_at: {time: 2s, universe: 1, channel: 1, value: 200}", False, "was 128, 72 off"),
    ("dmx_at: {time: 2s, universe: 1, channel: 1, value: 125, tolerance: 3}", True, "was 128"),
    ("dmx_at: {time: 5s, fixture: spot1, attribute: tilt, value: 217}", True, "was 217"),  # limit 85 %
    ("dmx_at: {time: 55s, fixture: wash1, attribute: dimmer, value: 0}", True, "was 0"),  # closed at 50 s
]


@pytest.mark.parametrize(("expect", "passed", "detail"), CASES, ids=[c[0] for c in CASES])
def test_each_expectation_passes_or_fails_with_what_it_found(expect: str, passed: bool, detail: str) -> None:
    report = run(expect)
    [result] = report.expects
    assert (result.passed, result.detail) == (passed, detail), report.format(params=False)
    assert report.passed is passed


def test_a_cue_of_an_act_never_entered_says_so() -> None:
    report = run("cue_start: {act: streets, cue: dusk, time: 22s}", EMPTY, "empty")
    [result] = report.expects
    assert (result.passed, result.detail) == (False, "never started: act streets was never entered")


def test_a_failure_prints_where_the_expectation_is_and_what_was_found() -> None:
    report = run("param_at: {time: 2s, param: light.wash1.dimmer, value: 60%}")
    text = report.format(params=False)
    assert (
        "  FAIL cues/expect-test.yaml:34:5: at 0:02.000 light.wash1.dimmer is 0.6 ± 0.01 — was 0.5, 0.1 off"
        in text
    )
    assert "0 passed, 1 failed" in text


def test_expectations_for_another_audience_are_not_sampled_or_checked() -> None:
    report = run("{audience: other, dmx_at: {time: 2s, universe: 1, channel: 1, value: 0}}")
    assert report.expects == []


LOAD_ERRORS = [
    (
        "cue_start: {act: attract, cue: colur, time: 1s}",
        ["cues/expect-test.yaml:34:36: act 'attract' has no cue 'colur' (did you mean 'colour'?)"],
    ),
    (
        "cue_start: {act: attrct, cue: up}",
        [
            "cues/expect-test.yaml:34:16: cue_start needs `time:` (e.g. time: 1:32)",
            "cues/expect-test.yaml:34:22: unknown act 'attrct' (did you mean 'attract'?)",
        ],
    ),
    (
        "param_at: {time: 1s, param: light.wash1.dimer, value: 1}",
        [
            "cues/expect-test.yaml:34:33: unknown parameter 'light.wash1.dimer' (no act of the show has it) "
            "(did you mean 'light.wash1.dimmer'?)"
        ],
    ),
    (
        "param_at: {time: 1s, param: audio.master.level, value: 1, tolerance: 3 Hz}",
        [
            "cues/expect-test.yaml:34:74: tolerance: audio.master.level: expected a level in dB, got '3 Hz' "
            "(0..96 dB)"
        ],
    ),
    (
        "dmx_at: {time: 1s, fixture: strip1, attribute: dimmer, value: 1}",
        [
            "cues/expect-test.yaml:34:52: strip1's dimmer is virtual: it has no DMX channel of its own "
            "(check a channel it masters, e.g. attribute: red)"
        ],
    ),
    (
        "dmx_at: {time: 1s, universe: 9, channel: 513, value: 256}",
        [
            "cues/expect-test.yaml:34:34: universe 9 is not one the rig sends (the rig's universes: 1, 2, 3)",
            "cues/expect-test.yaml:34:46: channel 513 is out of range (1..512)",
            "cues/expect-test.yaml:34:58: value 256 is out of range (0..255)",
        ],
    ),
    (
        "dmx_at: {time: 1s, universe: 1, fixture: wash1, attribute: dimmer, value: 1}",
        [
            "cues/expect-test.yaml:34:24: `universe:` goes with `channel:` (universe: + channel:, or "
            "fixture: + attribute:, e.g. {time: 2min, fixture: wash, attribute: dimmer, value: 255})"
        ],
    ),
    (
        "dmx_at: {time: 1s, value: 1}",
        [
            "cues/expect-test.yaml:34:13: dmx_at names a channel: universe + channel, or fixture + attribute "
            "(universe: + channel:, or fixture: + attribute:, e.g. {time: 2min, fixture: wash, attribute: "
            "dimmer, value: 255})"
        ],
    ),
    (
        "{dmx_at: {time: 1s, value: 1}, act_at: {time: 1s, act: attract}}",
        ["cues/expect-test.yaml:34:5: an expectation has one check, got act_at, dmx_at"],
    ),
]


@pytest.mark.parametrize(("expect", "messages"), LOAD_ERRORS, ids=[c[0] for c in LOAD_ERRORS])
def test_mistakes_in_the_new_expectations_are_reported_at_their_place(
    expect: str, messages: list[str]
) -> None:
    with pytest.raises(ShowError) as info:
        load(expect)
    assert sorted(str(p) for p in info.value.problems) == sorted(messages)
