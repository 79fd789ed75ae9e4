"""Units as artists write them: every accepted spelling and the message for each mistake."""

from __future__ import annotations

import math

import pytest

from installation.engine.params import ParamSpec
from installation.show.units import (
    UnitError,
    parse_color,
    parse_duration,
    parse_fraction,
    parse_frequency,
    parse_level_db,
    parse_param_value,
    parse_time_of_day,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3s", 3.0),
        ("250ms", 0.25),
        ("2min", 120.0),
        ("1h", 3600.0),
        ("1:30", 90.0),
        ("0:05", 5.0),
        ("1:02:03", 3723.0),
        ("1.5 s", 1.5),
        ("0s", 0.0),
        (" 10 sec ", 10.0),
        ("2 minutes", 120.0),
        ("1:30.5", 90.5),
    ],
)
def test_durations_parse_to_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        (
            5,
            "5 has no unit",
            'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"; for 5 seconds write "5s"',
        ),
        (
            0.5,
            "0.5 has no unit",
            'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"; for 0.5 seconds write "0.5s"',
        ),
        ("5", "'5' has no unit", 'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"'),
        ("5 parsecs", "unknown duration unit 'parsecs' in '5 parsecs'", "units: ms, s, min, h"),
        ("-3s", "'-3s' is negative", "durations are 0 or more"),
        ("1:75", "'1:75' is not a duration", 'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"'),
        (True, "expected a duration, got true", 'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"'),
        (
            None,
            "expected a duration, got nothing",
            'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"',
        ),
        (
            "1e999s",
            "a duration must be a finite number",
            'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"',
        ),
    ],
)
def test_bad_durations_name_the_fix(value: object, message: str, hint: str) -> None:
    with pytest.raises(UnitError) as exc:
        parse_duration(value)
    assert (exc.value.message, exc.value.hint) == (message, hint)


def test_levels_fractions_frequencies_times_colours() -> None:
    assert parse_level_db("-12 dB") == -12.0
    assert parse_level_db("-12dB") == -12.0
    assert parse_level_db(-6) == -6.0
    assert parse_level_db("-inf dB") == -math.inf
    assert parse_fraction("40%") == pytest.approx(0.4)
    assert parse_fraction(0.25) == 0.25
    assert parse_frequency("800 Hz") == 800.0
    assert parse_frequency("2 kHz") == 2000.0
    assert parse_frequency("2kHz") == 2000.0
    assert parse_time_of_day("18:30") == 18 * 3600 + 30 * 60
    assert parse_time_of_day("24:00") == 86400.0
    assert parse_time_of_day("07:05:30") == 7 * 3600 + 5 * 60 + 30
    assert parse_color("#ff8000") == pytest.approx((1.0, 128 / 255, 0.0))
    assert parse_color("#f80") == pytest.approx((1.0, 136 / 255, 0.0))


@pytest.mark.parametrize(
    ("fn", "value", "message"),
    [
        (parse_level_db, "-12 dBs", "expected a level in dB, got '-12 dBs'"),
        (parse_fraction, "40 percent", "expected a fraction, got '40 percent'"),
        (parse_frequency, "800 Hertz", "expected a frequency, got '800 Hertz'"),
        (parse_time_of_day, "25:00", "time of day '25:00' is past midnight"),
        (parse_time_of_day, 1830, "expected a time of day, got 1830"),
        (parse_color, "#ff80", "expected a colour, got '#ff80'"),
        (parse_color, "orange", "expected a colour, got 'orange'"),
    ],
)
def test_bad_values_are_unit_errors(fn: object, value: object, message: str) -> None:
    with pytest.raises(UnitError) as exc:
        fn(value)  # type: ignore[operator]
    assert exc.value.message == message


DIMMER = ParamSpec("light.wash.dimmer")
LEVEL = ParamSpec("audio.wind.level", -90.0, 6.0, -24.0, "dB")
CUTOFF = ParamSpec("audio.drone.cutoff", 40.0, 12000.0, 800.0, "Hz")
DECAY = ParamSpec("audio.bells.decay", 0.02, 6.0, 2.5, "s")
WHEEL = ParamSpec(
    "light.spot.color", 0.0, 2.0, 0.0, "", "choice", (("white", 0.0), ("red", 1.0), ("blue", 2.0))
)
HITS = ParamSpec("audio.bells.hits", 1, 32, 3, kind="long")
INVERT = ParamSpec("scene.invert", kind="bool")


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (DIMMER, "40%", 0.4),
        (DIMMER, 1, 1.0),
        (DIMMER, 0.25, 0.25),
        (LEVEL, "-12 dB", -12.0),
        (LEVEL, -3, -3.0),
        (LEVEL, "-inf dB", -90.0),
        (CUTOFF, "2 kHz", 2000.0),
        (CUTOFF, 600, 600.0),
        (DECAY, "250ms", 0.25),
        (WHEEL, "blue", 2.0),
        (WHEEL, 1, 1.0),
        (HITS, 5, 5.0),
        (INVERT, True, 1.0),
    ],
)
def test_param_values_in_the_params_unit(spec: ParamSpec, value: object, expected: float) -> None:
    assert parse_param_value(spec, value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("spec", "value", "message", "hint"),
    [
        (
            DIMMER,
            "140%",
            "light.wash.dimmer 140% is out of range",
            'a number 0..1 or a percentage like "40%"',
        ),
        (DIMMER, 2, "light.wash.dimmer 2 is out of range", 'a number 0..1 or a percentage like "40%"'),
        (
            DIMMER,
            "-12 dB",
            "unit 'dB' does not fit light.wash.dimmer",
            'a number 0..1 or a percentage like "40%"',
        ),
        (
            DIMMER,
            True,
            "light.wash.dimmer needs a number, got true",
            'a number 0..1 or a percentage like "40%"',
        ),
        (LEVEL, "+12 dB", "audio.wind.level +12 dB is out of range", "-90..6 dB"),
        (LEVEL, "40%", "audio.wind.level: expected a level in dB, got '40%'", "-90..6 dB"),
        (DECAY, 2, "audio.bells.decay: 2 has no unit", 'write "2s"; 0.02s..6s'),
        (WHEEL, "green", "'green' is not a value for light.spot.color", "one of white, red, blue or 0..2"),
        (HITS, 2.5, "audio.bells.hits must be a whole number", "1..32"),
    ],
)
def test_bad_param_values_say_what_fits(spec: ParamSpec, value: object, message: str, hint: str) -> None:
    with pytest.raises(UnitError) as exc:
        parse_param_value(spec, value)
    assert (exc.value.message, exc.value.hint) == (message, hint)
