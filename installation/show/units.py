"""Values with units as artists write them: "3s", "-12 dB", "40%", "800 Hz", "18:30", "#2aff9c"."""

from __future__ import annotations

import math
import re

from installation.show.params import ParamSpec


class UnitError(ValueError):
    """A value that does not parse; `hint` says what would be valid."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_WITH_UNIT = re.compile(rf"^\s*({_NUM})\s*([A-Za-z%°/]*)\s*$")
_CLOCK = re.compile(r"^\s*(\d+):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?\s*$")
_MMSS = re.compile(r"^\s*(\d+):([0-5]\d(?:\.\d+)?)\s*$")
_HMMSS = re.compile(r"^\s*(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")

DURATION_UNITS: dict[str, float] = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
FREQUENCY_UNITS: dict[str, float] = {"hz": 1.0, "khz": 1000.0}
DURATION_HINT = 'write a unit, e.g. "3s", "250ms", "2min", "1h" or "1:30"'
LEVEL_HINT = 'e.g. "-12 dB"'
FRACTION_HINT = 'a number 0..1 or a percentage like "40%"'
FREQUENCY_HINT = 'e.g. "800 Hz" or "2 kHz"'
TIME_OF_DAY_HINT = 'a 24-hour time like "18:30"'
COLOR_HINT = 'a colour like "#ff8800"'


def is_number(value: object) -> bool:
    """A YAML int or float (booleans are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(x: float, what: str, hint: str) -> float:
    if not math.isfinite(x):
        raise UnitError(f"{what} must be a finite number", hint)
    return x


def _number(value: int | float, what: str, hint: str) -> float:
    """A YAML number as a finite float; an integer too large for a float is a UnitError, not a crash."""
    try:
        x = float(value)
    except OverflowError:
        raise UnitError(f"{what} is too large ({_number_text(value)})", hint) from None
    return _finite(x, what, hint)


def _number_text(value: int | float) -> str:
    """A number as text; a whole number longer than 24 digits by its length (Python refuses str() past
    4,300 digits, and nobody reads 400 nines)."""
    if isinstance(value, int) and abs(value).bit_length() > 79:  # 2**79 ≈ 6e23: 24 digits
        return f"a {int(abs(value).bit_length() * math.log10(2)) + 1:,}-digit number"
    return f"{value}"


def abbreviate(text: str, keep: int = 10) -> str:
    """Long text as its first and last `keep` characters (a 5,000-digit paste in a message)."""
    return text if len(text) <= 2 * keep + 4 else f"{text[:keep]}…{text[-keep:]}"


def _describe(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return _number_text(value)  # type: ignore[arg-type]
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def parse_duration(value: object) -> float:
    """Seconds from "3s", "250ms", "2min", "1h", "1:30" (m:ss) or "1:02:03" (h:mm:ss); never negative."""
    if is_number(value):
        shown = _number_text(value)  # type: ignore[arg-type]
        raise UnitError(f"{shown} has no unit", f'{DURATION_HINT}; for {shown} seconds write "{shown}s"')
    if not isinstance(value, str):
        raise UnitError(f"expected a duration, got {_describe(value)}", DURATION_HINT)
    # float(), not int(): a 5,000-digit hour count is infinite, not a ValueError from int()
    m = _HMMSS.match(value)
    if m:
        seconds = float(m.group(1)) * 3600 + float(m.group(2)) * 60 + float(m.group(3))
        return _finite(seconds, "a duration", DURATION_HINT)
    m = _MMSS.match(value)
    if m:
        return _finite(float(m.group(1)) * 60 + float(m.group(2)), "a duration", DURATION_HINT)
    m = _WITH_UNIT.match(value)
    if not m:
        raise UnitError(f"{value!r} is not a duration", DURATION_HINT)
    number, unit = float(m.group(1)), m.group(2).lower()
    if not unit:
        raise UnitError(f"{value!r} has no unit", DURATION_HINT)
    if unit not in DURATION_UNITS:
        raise UnitError(f"unknown duration unit {m.group(2)!r} in {value!r}", "units: ms, s, min, h")
    seconds = _finite(number * DURATION_UNITS[unit], "a duration", DURATION_HINT)
    if seconds < 0:
        raise UnitError(f"{value!r} is negative", "durations are 0 or more")
    return seconds


def parse_level_db(value: object) -> float:
    """Decibels from "-12 dB" (or a bare number, already in dB); "-inf dB" is silence (-inf)."""
    if is_number(value):
        return _number(value, "a level", LEVEL_HINT)  # type: ignore[arg-type]
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-\s*inf\s*(dB)?", text, flags=re.IGNORECASE):
            return -math.inf
        m = _WITH_UNIT.match(text)
        if m and m.group(2).lower() in ("db", ""):
            return _finite(float(m.group(1)), "a level", LEVEL_HINT)
    raise UnitError(f"expected a level in dB, got {_describe(value)}", LEVEL_HINT)


def parse_fraction(value: object) -> float:
    """A 0..1 number from "40%" or a bare number (range is checked by the caller)."""
    if is_number(value):
        return _number(value, "a fraction", FRACTION_HINT)  # type: ignore[arg-type]
    if isinstance(value, str):
        m = _WITH_UNIT.match(value)
        if m and m.group(2) == "%":
            return _finite(float(m.group(1)) / 100.0, "a fraction", FRACTION_HINT)
        if m and m.group(2) == "":
            return _finite(float(m.group(1)), "a fraction", FRACTION_HINT)
    raise UnitError(f"expected a fraction, got {_describe(value)}", FRACTION_HINT)


def parse_frequency(value: object) -> float:
    """Hertz from "800 Hz", "2 kHz" (or a bare number, already in Hz)."""
    if is_number(value):
        return _number(value, "a frequency", FREQUENCY_HINT)  # type: ignore[arg-type]
    if isinstance(value, str):
        m = _WITH_UNIT.match(value)
        if m and (m.group(2).lower() in FREQUENCY_UNITS or m.group(2) == ""):
            factor = FREQUENCY_UNITS.get(m.group(2).lower(), 1.0)
            return _finite(float(m.group(1)) * factor, "a frequency", FREQUENCY_HINT)
    raise UnitError(f"expected a frequency, got {_describe(value)}", FREQUENCY_HINT)


def parse_time_of_day(value: object) -> float:
    """Seconds since midnight from "18:30" or "18:30:15"; "24:00" is allowed (end of day)."""
    if isinstance(value, str):
        m = _CLOCK.match(value)
        if m:
            hours, minutes = float(m.group(1)), float(m.group(2))  # float(): any number of digits
            seconds = float(m.group(3) or 0.0)
            t = hours * 3600 + minutes * 60 + seconds
            if hours < 24 or t == 24 * 3600:
                return float(t)
            raise UnitError(f"time of day {abbreviate(value)!r} is past midnight", "00:00 .. 24:00")
    hint = TIME_OF_DAY_HINT
    if is_number(value):
        hint += ", in quotes"
    raise UnitError(f"expected a time of day, got {_describe(value)}", hint)


def parse_color(value: object) -> tuple[float, float, float]:
    """Red, green, blue 0..1 from "#rrggbb" or "#rgb"."""
    if isinstance(value, str):
        m = _COLOR.match(value.strip())
        if m:
            digits = m.group(1)
            if len(digits) == 3:
                digits = "".join(c * 2 for c in digits)
            r, g, b = (int(digits[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
            return r, g, b
    raise UnitError(f"expected a colour, got {_describe(value)}", COLOR_HINT)


def is_color(value: object) -> bool:
    """True for a "#rrggbb"/"#rgb" string."""
    return isinstance(value, str) and _COLOR.match(value.strip()) is not None


def _range_hint(spec: ParamSpec) -> str:
    unit = f" {spec.unit}" if spec.unit else ""
    lo, hi = spec.minimum, spec.maximum
    if spec.unit == "" and spec.kind != "long" and (lo, hi) == (0.0, 1.0):
        return 'a number 0..1 or a percentage like "40%"'
    if spec.unit == "s":
        return f"{lo:g}s..{hi:g}s"
    return f"{lo:g}..{hi:g}{unit}"


def range_hint(spec: ParamSpec) -> str:
    """What values a parameter accepts, as an artist would read it."""
    hint = _range_hint(spec)
    if spec.choices:
        hint = "one of " + ", ".join(n for n, _ in spec.choices) + " or " + hint
    return hint


def parse_param_value(spec: ParamSpec, value: object) -> float:
    """A value for a parameter, in its unit: dB, Hz, s, choice names, "40%" for 0..1 params, bare numbers.

    Checks the range; "-inf dB" is clamped to the parameter's minimum (silence).
    """
    unit = spec.unit
    if isinstance(value, str) and spec.choices:
        for choice, number in spec.choices:
            if choice == value.strip():
                return float(number)
    if isinstance(value, bool):
        if spec.kind == "bool":
            return 1.0 if value else 0.0
        raise UnitError(f"{spec.name} needs a number, got {_describe(value)}", range_hint(spec))
    try:
        if unit == "dB":
            x = parse_level_db(value)
            if x == -math.inf:
                return spec.minimum
        elif unit == "Hz":
            x = parse_frequency(value)
        elif unit == "s":
            x = parse_duration(value)
        elif is_number(value):
            x = _number(value, spec.name, range_hint(spec))  # type: ignore[arg-type]
        elif isinstance(value, str):
            m = _WITH_UNIT.match(value)
            if m is None:
                raise UnitError(f"{value!r} is not a value for {spec.name}", range_hint(spec))
            suffix = m.group(2)
            if suffix == "%" and unit == "":
                x = float(m.group(1)) / 100.0
            elif suffix in ("", unit) or (unit == "deg" and suffix == "°"):
                x = float(m.group(1))
            else:
                raise UnitError(f"unit {suffix!r} does not fit {spec.name}", range_hint(spec))
            x = _finite(x, spec.name, range_hint(spec))
        else:
            raise UnitError(f"{spec.name} needs a number, got {_describe(value)}", range_hint(spec))
    except UnitError as exc:
        message = exc.message if spec.name in exc.message else f"{spec.name}: {exc.message}"
        hint = range_hint(spec)
        if unit == "s" and is_number(value):
            hint = f'write "{_number_text(value)}s"; {hint}'  # type: ignore[arg-type]
        raise UnitError(message, hint) from None
    if not spec.minimum <= x <= spec.maximum:
        raise UnitError(f"{spec.name} {_show(value)} is out of range", range_hint(spec))
    if spec.kind == "long" and x != round(x):
        raise UnitError(f"{spec.name} must be a whole number", range_hint(spec))
    return x


def _show(value: object) -> str:
    return value if isinstance(value, str) else _describe(value)
