"""JSON Schema (draft 2020-12) of the show file for editors, made from the declaration in `syntax`.

Every key has its description and examples; every value type carries the one message an editor shows
(`errorMessage`) instead of "Incorrect type" or a raw pattern. The loader is the authority for what
depends on other files (rig, scenes, instruments, names); the schema gives completion and early squiggles.
"""

from __future__ import annotations

from typing import Any

from installation.show import syntax as sx
from installation.show.syntax import FREQUENCY_PATTERN, NAME_PATTERN, PERCENT_PATTERN  # noqa: F401

SCHEMA_ID = "https://installation.invalid/schema/show.json"


def _d(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, **schema}


def _duration(description: str) -> dict[str, Any]:
    return {"description": description, **sx.Duration().full_schema()}


def _level(description: str) -> dict[str, Any]:
    return {"description": description, **sx.Level().full_schema()}


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "type": "string", "minLength": 1, **extra}


def _enum(description: str, values: list[str]) -> dict[str, Any]:
    return {"description": description, **sx.Choice(tuple(values)).full_schema()}


def _layer_schema() -> dict[str, Any]:
    base: dict[str, Any] = {
        "description": "A soundscape layer: an instrument and its starting values (`audio.<layer>.<param>`).",
        "type": "object",
        "required": ["instrument"],
        "properties": {"instrument": _text("The instrument.")},
    }
    try:
        from installation.audio.catalog import INSTRUMENTS
    except ImportError:  # the schema still works, without per-instrument keys
        return base
    base["properties"]["instrument"]["enum"] = list(INSTRUMENTS)
    branches: list[dict[str, Any]] = []
    for name, spec in INSTRUMENTS.items():
        props: dict[str, Any] = {"instrument": {"const": name}}
        for key, p in spec.params.items():
            unit = f" {p.unit}" if p.unit else ""
            text = f"{key}: {p.minimum:g}..{p.maximum:g}{unit}, default {p.default:g}{unit}."
            if p.unit == "dB":
                props[key] = _level(text)
            elif p.unit == "s":
                props[key] = _duration(text)
            elif p.unit == "Hz":
                props[key] = _d(
                    {"anyOf": [{"type": "number"}, {"type": "string", "pattern": FREQUENCY_PATTERN}]},
                    text + ' e.g. "800 Hz", "2 kHz".',
                )
            elif p.unit == "":
                props[key] = _d(
                    {"anyOf": [{"type": "number"}, {"type": "string", "pattern": PERCENT_PATTERN}]}, text
                )
            else:
                props[key] = _d({"anyOf": [{"type": "number"}, {"type": "string"}]}, text)
        for key, opt in spec.options.items():
            doc = getattr(opt, "doc", "") or key
            if getattr(opt, "kind", "choice") == "file":
                props[key] = _text(
                    f"{doc}: one of {', '.join(opt.choices)}, or a sound file inside the project."
                )
            else:
                props[key] = _enum(f"{doc}.", list(opt.choices))
        branches.append(
            {
                "if": {"properties": {"instrument": {"const": name}}, "required": ["instrument"]},
                "then": {"description": spec.doc, "properties": props, "additionalProperties": False},
            }
        )
    base["allOf"] = branches
    return base


def _cue_schema() -> dict[str, Any]:
    branches = []
    for kind, sec in sx.CUE_KINDS.items():
        branch = sec.schema()
        if kind == "fade":  # `fade:` or `look:` (or both) make a fade cue
            branch["anyOf"] = [{"required": ["fade"]}, {"required": ["look"]}]
        branches.append(branch)
    return {
        "description": "A cue: exactly one action (" + ", ".join(sx.CUE_ACTIONS) + ").",
        "oneOf": branches,
    }


def show_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a show file."""
    top = sx.SHOW.schema()
    defs: dict[str, Any] = {name: sec.schema() for name, sec in sx.SECTIONS.items() if name != "show"}
    defs.update(
        cue=_cue_schema(),
        layer=_layer_schema(),
        polygon={"description": "A polygon.", **sx.POLYGON.full_schema()},
        param_value={"description": "A parameter value.", **sx.PARAM_VALUE.full_schema()},
        param_values={"description": "Parameter → value.", **sx.PARAM_VALUES.full_schema()},
        duration=_duration("A duration."),
        level=_level("A level."),
        time_of_day={"description": "A 24-hour time of day.", **sx.TimeOfDay().full_schema()},
        color={
            "description": "An RGB colour.",
            "type": "string",
            "pattern": sx.COLOR_PATTERN,
            "errorMessage": 'a colour "#rrggbb"',
        },
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "installation show file",
        **top,
        "$defs": defs,
    }
