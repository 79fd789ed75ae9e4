"""The instruments an artist can put in a soundscape layer, their parameters and options (pure, no pyo)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from installation.engine.params import ParamSpec

LEVEL_FLOOR_DB = -90.0  # at or below this a level is silence
LEVEL_MAX_DB = 6.0
MASTER = "master"  # reserved layer name: audio.master.level, audio.master.trim
LAYER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

# pyo ships these sound files (pyo.SNDS_PATH); a granular layer may name them instead of a project file.
BUILTIN_SOUNDS: dict[str, str] = {"transparent": "transparent.aif", "accord": "accord.aif"}

# Semitone steps of the scales the pulses/bells random walk moves on.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "major-pentatonic": (0, 2, 4, 7, 9),
    "minor-pentatonic": (0, 3, 5, 7, 10),
    "whole-tone": (0, 2, 4, 6, 8, 10),
    "hirajoshi": (0, 2, 3, 7, 8),
    "chromatic": tuple(range(12)),
}

NOISE_COLORS = ("wind", "rain", "surf")


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """A non-numeric layer setting chosen when the soundscape is built (not a live parameter)."""

    name: str
    default: str
    choices: tuple[str, ...]  # allowed words; for kind "file" the built-in sound names
    kind: str = "choice"  # choice | file (a built-in sound name or a path inside the project folder)
    doc: str = ""

    def accepts(self, value: str) -> bool:
        """True when value is allowed (a file option accepts any non-empty path; the loader checks it)."""
        if self.kind == "file":
            return bool(value.strip())
        return value in self.choices


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """One instrument: what it sounds like, its live parameters (short names) and build-time options."""

    name: str
    doc: str
    params: dict[str, ParamSpec] = field(default_factory=dict)  # keyed "level", "cutoff", ...
    options: dict[str, OptionSpec] = field(default_factory=dict)  # keyed "color", "file", "scale"

    def keys(self) -> tuple[str, ...]:
        """Every key a layer of this instrument may set (besides `instrument`)."""
        return (*self.params, *self.options)


@dataclass(frozen=True, slots=True)
class LayerProblem:
    """One thing wrong with a layer; `key` is the offending key (None: the layer itself)."""

    key: str | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.message}{hint}"


def _p(name: str, lo: float, hi: float, default: float, unit: str = "", *, kind: str = "float") -> ParamSpec:
    return ParamSpec(name=name, minimum=lo, maximum=hi, default=default, unit=unit, kind=kind)


def _level(default_db: float) -> ParamSpec:
    return _p("level", LEVEL_FLOOR_DB, LEVEL_MAX_DB, default_db, "dB")


def _common(level_db: float) -> dict[str, ParamSpec]:
    return {
        "level": _level(level_db),
        "pan": _p("pan", 0.0, 1.0, 0.5),  # 0 left, 0.5 centre, 1 right
        "space": _p("space", 0.0, 1.0, 0.25),  # send to the soundscape's reverb
    }


def _rhythm(
    *, rate: float, hits: int, steps: int, root: float, decay: float, bright: float
) -> dict[str, ParamSpec]:
    return {
        "rate": _p("rate", 0.25, 16.0, rate, "Hz"),  # rhythm steps per second
        "hits": _p("hits", 1, 32, hits, kind="long"),  # Euclidean onsets ...
        "steps": _p("steps", 1, 32, steps, kind="long"),  # ... spread over this many steps
        "root": _p("root", 30.0, 2000.0, root, "Hz"),  # lowest note of the scale walk
        "decay": _p("decay", 0.02, 6.0, decay, "s"),
        "brightness": _p("brightness", 0.0, 1.0, bright),  # FM index: 0 pure, 1 metallic
        "walk": _p("walk", 0.0, 1.0, 0.3),  # random-walk step size on the scale (0: one note)
    }


_SCALE_OPTION = OptionSpec("scale", "minor-pentatonic", tuple(SCALES), doc="scale of the random walk")

INSTRUMENTS: dict[str, InstrumentSpec] = {
    "drone": InstrumentSpec(
        "drone",
        "detuned saw/sine oscillators through a resonant low-pass with a slow sweep",
        {
            **_common(-20.0),
            "root": _p("root", 20.0, 2000.0, 55.0, "Hz"),
            "detune": _p("detune", 0.0, 100.0, 12.0, "cents"),
            "cutoff": _p("cutoff", 40.0, 12000.0, 800.0, "Hz"),
            "resonance": _p("resonance", 0.0, 1.0, 0.2),
            "sweep": _p("sweep", 0.0, 1.0, 0.3),  # depth of the slow filter sweep (1 = ±2 octaves)
            "rate": _p("rate", 0.005, 2.0, 0.05, "Hz"),  # sweep rate
            "brightness": _p("brightness", 0.0, 1.0, 0.5),  # 0 sines, 1 saws
        },
    ),
    "noise": InstrumentSpec(
        "noise",
        "filtered noise textures: wind gusts, rain drops, surf waves",
        {
            **_common(-24.0),
            "cutoff": _p("cutoff", 80.0, 16000.0, 1200.0, "Hz"),
            "resonance": _p("resonance", 0.0, 1.0, 0.3),
            "rate": _p("rate", 0.01, 4.0, 0.12, "Hz"),  # gusts / waves per second
            "density": _p("density", 0.0, 1.0, 0.5),  # gust depth, drops per second, wave height
        },
        {"color": OptionSpec("color", "wind", NOISE_COLORS, doc="which texture")},
    ),
    "granular": InstrumentSpec(
        "granular",
        "a cloud of grains read from a sound file",
        {
            **_common(-18.0),
            "density": _p("density", 1.0, 200.0, 20.0, "grains/s"),
            "grain": _p("grain", 0.01, 1.0, 0.15, "s"),  # grain duration
            "pitch": _p("pitch", -24.0, 24.0, 0.0, "st"),  # transposition in semitones
            "position": _p("position", 0.0, 1.0, 0.5),  # where in the file grains are read
            "spread": _p("spread", 0.0, 1.0, 0.2),  # random jitter of the read position
            "brightness": _p("brightness", 0.0, 1.0, 0.7),  # low-pass on the cloud
        },
        {
            "file": OptionSpec(
                "file",
                "transparent",
                tuple(BUILTIN_SOUNDS),
                kind="file",
                doc="a built-in sound name or a sound file inside the project folder",
            )
        },
    ),
    "pulses": InstrumentSpec(
        "pulses",
        "short plucked notes on a Euclidean rhythm, pitches on a random walk over a scale",
        {**_common(-18.0), **_rhythm(rate=4.0, hits=5, steps=8, root=220.0, decay=0.25, bright=0.3)},
        {"scale": _SCALE_OPTION},
    ),
    "bells": InstrumentSpec(
        "bells",
        "inharmonic FM bells on a Euclidean rhythm, pitches on a random walk over a scale",
        {**_common(-20.0), **_rhythm(rate=1.5, hits=3, steps=8, root=440.0, decay=2.5, bright=0.6)},
        {"scale": OptionSpec("scale", "major-pentatonic", tuple(SCALES), doc="scale of the random walk")},
    ),
    "space": InstrumentSpec(
        "space",
        "the soundscape's reverb every layer sends to (`space` on each layer); at most one per soundscape",
        {
            "level": _level(-6.0),  # reverb return level
            "size": _p("size", 0.0, 1.0, 0.7),
            "damp": _p("damp", 0.0, 1.0, 0.5),  # high-frequency damping
        },
    ),
}

# Used when a soundscape has no `space` layer.
DEFAULT_SPACE: dict[str, float] = {k: p.default for k, p in INSTRUMENTS["space"].params.items()}

MASTER_PARAMS: dict[str, ParamSpec] = {
    # the act level (soundscape `level:`); fades and cues may move it
    "level": _p("audio.master.level", LEVEL_FLOOR_DB, LEVEL_MAX_DB, 0.0, "dB"),
    # the day/night schedule trim the runtime sets (0 dB by day, e.g. -12 dB at night)
    "trim": _p("audio.master.trim", LEVEL_FLOOR_DB, 0.0, 0.0, "dB"),
}


def master_parameters() -> dict[str, ParamSpec]:
    """The soundscape-independent parameters: audio.master.level and audio.master.trim."""
    return {p.name: p for p in MASTER_PARAMS.values()}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_layer(layer_name: str, instrument: str, values: Mapping[str, object]) -> list[LayerProblem]:
    """Every problem with one layer: its name, instrument, unknown keys, types, ranges (empty when fine).

    Values are floats in the parameter's unit (the show loader parses "-12 dB", "800 Hz", "40%")
    and strings for options.
    """
    problems: list[LayerProblem] = []
    if not LAYER_NAME.match(layer_name) or layer_name == MASTER:
        problems.append(
            LayerProblem(
                None,
                f"layer name {layer_name!r} is not usable",
                "letters, digits, '_' or '-', starting with a letter; 'master' is reserved",
            )
        )
    spec = INSTRUMENTS.get(instrument)
    if spec is None:
        problems.append(
            LayerProblem(
                "instrument", f"unknown instrument {instrument!r}", "one of " + ", ".join(INSTRUMENTS)
            )
        )
        return problems
    for key, value in values.items():
        if key == "instrument":
            continue
        if key in spec.params:
            param = spec.params[key]
            if not _is_number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
                problems.append(LayerProblem(key, f"{instrument} {key} must be a number", _range_hint(param)))
                continue
            number = float(value)  # type: ignore[arg-type]
            if not param.minimum <= number <= param.maximum:
                problems.append(
                    LayerProblem(key, f"{instrument} {key} {number:g} is out of range", _range_hint(param))
                )
            elif param.kind == "long" and number != round(number):
                problems.append(
                    LayerProblem(key, f"{instrument} {key} must be a whole number", _range_hint(param))
                )
        elif key in spec.options:
            option = spec.options[key]
            if not isinstance(value, str) or not option.accepts(value):
                hint = "one of " + ", ".join(option.choices)
                if option.kind == "file":
                    hint += ", or a sound file inside the project folder"
                problems.append(LayerProblem(key, f"{instrument} {key} {value!r} is not allowed", hint))
        else:
            problems.append(
                LayerProblem(
                    key,
                    f"unknown key {key!r} for instrument {instrument}",
                    "valid: " + ", ".join(spec.keys()),
                )
            )
    hits, steps = values.get("hits"), values.get("steps")
    if "hits" in spec.params and _is_number(hits) and _is_number(steps) and float(hits) > float(steps):  # type: ignore[arg-type]
        problems.append(LayerProblem("hits", f"hits {hits} is more than steps {steps}", "hits <= steps"))
    return problems


def _range_hint(param: ParamSpec) -> str:
    unit = f" {param.unit}" if param.unit else ""
    return f"{param.minimum:g}..{param.maximum:g}{unit}, default {param.default:g}{unit}"


def check_soundscape(layers: Mapping[str, tuple[str, Mapping[str, object]]]) -> list[LayerProblem]:
    """Problems spanning layers (each layer name → (instrument, values)): at most one `space` layer."""
    spaces = [name for name, (instrument, _) in layers.items() if instrument == "space"]
    if len(spaces) > 1:
        return [
            LayerProblem(
                None, f"more than one space layer: {', '.join(spaces)}", "keep one reverb per soundscape"
            )
        ]
    return []


def layer_parameters(layer_name: str, instrument: str, values: Mapping[str, object]) -> dict[str, ParamSpec]:
    """The engine parameters of one layer, keyed `audio.<layer>.<param>`, defaults from the layer's values.

    Raises ValueError naming the first problem when the layer is invalid (call check_layer for all).
    """
    problems = check_layer(layer_name, instrument, values)
    if problems:
        raise ValueError(f"layer {layer_name}: {problems[0]}")
    spec = INSTRUMENTS[instrument]
    out: dict[str, ParamSpec] = {}
    for key, param in spec.params.items():
        value = values.get(key)
        default = float(value) if _is_number(value) else param.default  # type: ignore[arg-type]
        name = f"audio.{layer_name}.{key}"
        out[name] = ParamSpec(
            name=name,
            minimum=param.minimum,
            maximum=param.maximum,
            default=default,
            unit=param.unit,
            kind=param.kind,
            choices=param.choices,
        )
    return out


def layer_options(instrument: str, values: Mapping[str, object]) -> dict[str, str]:
    """The options of one layer with defaults filled in."""
    spec = INSTRUMENTS[instrument]
    return {k: str(values.get(k, o.default)) for k, o in spec.options.items()}


def db_to_amp(level_db: float) -> float:
    """Linear amplitude of a level in dB; at or below the floor (−90 dB) it is exactly 0."""
    if level_db <= LEVEL_FLOOR_DB:
        return 0.0
    return float(10.0 ** (level_db / 20.0))
