"""JSON Schema (draft 2020-12) of the show file, for editors: every key described, units as patterns.

The loader is the authority (it also checks references, ranges that depend on the rig and the scene,
and files); the schema gives an editor completion, descriptions and early red squiggles.
"""

from __future__ import annotations

from typing import Any

from installation.engine.presence import PRESENCE_SOURCES, ZONE_ATTRIBUTES
from installation.show import model as m

SCHEMA_ID = "https://installation.invalid/schema/show.json"

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
DURATION_PATTERN = (
    r"^\s*(?:(?:\d+(?:\.\d*)?|\.\d+)\s*(?:ms|s|sec|secs|second|seconds|min|mins|minute|minutes|h|hr|hour|hours)"
    r"|\d+:[0-5]\d(?:\.\d+)?|\d+:[0-5]\d:[0-5]\d(?:\.\d+)?)\s*$"
)
LEVEL_PATTERN = rf"^\s*(?:{_NUM}\s*(?:dB)?|-\s*inf\s*(?:dB)?)\s*$"
PERCENT_PATTERN = rf"^\s*{_NUM}\s*%\s*$"
FREQUENCY_PATTERN = rf"^\s*{_NUM}\s*(?:[Hh]z|[Kk][Hh]z)?\s*$"
TIME_OF_DAY_PATTERN = r"^\s*\d{1,2}:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?\s*$"
COLOR_PATTERN = r"^\s*#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\s*$"
PARAM_PATTERN = r"^(?:light|scene|audio|osc|serial)\.[^.\s]+(?:\.[^\s]+)?$"
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
HOURS_RANGE_PATTERN = r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*-\s*\d{1,2}:\d{2}(?::\d{2})?\s*$"
DAY_KEY_PATTERN = r"^(?:daily|(?:mon|tue|wed|thu|fri|sat|sun)(?:\s*-\s*(?:mon|tue|wed|thu|fri|sat|sun))?)$"
_OP = r"(?:>=|<=|==|!=|>|<)"
_SOURCE = (
    r"(?:"
    + "|".join(PRESENCE_SOURCES)
    + r"|zone[ .][A-Za-z][A-Za-z0-9_-]*\.(?:"
    + "|".join(ZONE_ATTRIBUTES)
    + r"))"
)
_HOLD = r"(?:\s+for\s+\S+(?:\s+\S+)?)?"
CONDITION_PATTERN = (
    rf"^\s*(?:{_SOURCE}\s*{_OP}\s*{_NUM}%?|room\s+(?:empty|occupied)"
    rf"|zone\s+[A-Za-z][A-Za-z0-9_-]*\s+(?:empty|occupied)){_HOLD}\s*$"
)


def _d(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, **schema}


def _duration(description: str) -> dict[str, Any]:
    return {
        "description": description + ' Always with a unit: "3s", "250ms", "2min", "1h" or "1:30" (m:ss).',
        "type": "string",
        "pattern": DURATION_PATTERN,
        "examples": ["3s", "250ms", "2min", "1:30"],
    }


def _level(description: str) -> dict[str, Any]:
    return {
        "description": description + ' In dB, e.g. "-12 dB" ("-inf dB" is silence).',
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": LEVEL_PATTERN}],
        "examples": ["-12 dB"],
    }


def _fraction(description: str) -> dict[str, Any]:
    return {
        "description": description + ' 0..1, or a percentage like "40%".',
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": PERCENT_PATTERN},
        ],
    }


def _obj(description: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": description,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def _enum(description: str, values: list[str]) -> dict[str, Any]:
    return {"description": description, "type": "string", "enum": values}


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "type": "string", "minLength": 1, **extra}


def _path(description: str, example: str) -> dict[str, Any]:
    return _text(
        description + " A path relative to the project folder; it must stay inside it.", examples=[example]
    )


PARAM_VALUE: dict[str, Any] = {
    "description": (
        'A value in the parameter\'s unit: 0..1 or "40%" for light and most scene inputs, '
        '"-12 dB" for levels, "800 Hz" for frequencies, a colour "#rrggbb" for light.<fixture>.color '
        "or colour inputs, or a named "
        "value (a colour-wheel slot, a scene input label)."
    ),
    "anyOf": [{"type": "number"}, {"type": "boolean"}, {"type": "string", "minLength": 1}],
}

PARAM_VALUES: dict[str, Any] = {
    "description": "Parameter → value; parameters are full paths: light.wash.dimmer, scene.glow, …",
    "type": "object",
    "propertyNames": {"pattern": PARAM_PATTERN},
    "additionalProperties": {"$ref": "#/$defs/param_value"},
}

POLYGON: dict[str, Any] = {
    "description": "A polygon: 3 or more [x, y] points, 0..1 (x right, y down = nearer)",
    "type": "array",
    "minItems": 3,
    "items": {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "items": {"type": "number", "minimum": 0, "maximum": 1},
    },
}


def _cue_schemas() -> dict[str, Any]:
    common: dict[str, Any] = {
        "name": _d(
            {"type": ["string", "number"]},
            "Cue name, unique within the act (group children included). Unnamed cues are called #1, #2, … "
            "counting every cue of the act in order. `all` is reserved.",
        ),
        "pre_wait": _duration("Wait before the action starts."),
        "post_wait": _duration(
            "Counted from the start of the action; with continue: auto-continue the next cue starts "
            "when it ends."
        ),
        "continue": _enum(
            "What happens next: none (wait for GO), auto-continue (next cue after the post-wait), "
            "auto-follow (next cue when this cue's action ends).",
            [c.value for c in m.ContinueMode],
        ),
    }
    curve = _enum(
        "Fade shape: linear, s-curve (ease in and out), exponential (for audio levels), log.",
        [c.value for c in m.Curve],
    )
    duration = _duration("How long the action takes (a fade's time). Default 0s.")

    def cue(description: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return _obj(description, {**common, **props}, required)

    fade = cue(
        "Fade parameters to targets over `duration` (0s = snap). `look:` and `fade:` may be combined "
        "(fade values win).",
        {
            "fade": _d({"$ref": "#/$defs/param_values"}, "Targets: parameter → value."),
            "look": _text("A look of this act to fade to."),
            "duration": duration,
            "curve": curve,
        },
        [],
    )
    fade["anyOf"] = [{"required": ["fade"]}, {"required": ["look"]}]
    args = _d(
        {"type": "array", "items": {"type": ["number", "string", "boolean"]}},
        "Arguments: numbers, text, true/false.",
    )
    return {
        "fade": fade,
        "osc": cue(
            "Send one OSC message to an endpoint of the rig.",
            {
                "osc": _obj(
                    "The message.",
                    {
                        "endpoint": _text("An OSC endpoint of the rig (rig file, osc:)."),
                        "address": _text("A literal /path or a named address of the endpoint."),
                        "args": args,
                        "fields": _d(
                            {"type": "object", "additionalProperties": {"type": ["integer", "string"]}},
                            "Values for the {placeholders} of a named address, e.g. {layer: 2}.",
                        ),
                    },
                    ["endpoint", "address"],
                ),
                "duration": duration,
            },
            ["osc"],
        ),
        "serial": cue(
            "Send one named command to a serial device of the rig.",
            {
                "serial": _obj(
                    "The command.",
                    {
                        "device": _text("A serial device of the rig (rig file, serial:)."),
                        "command": _text("A named command of the device."),
                        "args": args,
                    },
                    ["device", "command"],
                ),
                "duration": duration,
            },
            ["serial"],
        ),
        "group": cue(
            "A group of cues: timeline (children start together, placed by their pre-waits) or playlist "
            "(one after another).",
            {
                "group": _enum("timeline or playlist.", [g.value for g in m.GroupMode]),
                "loop": _d({"type": "boolean"}, "Playlists only: start again after the last cue."),
                "cues": _d(
                    {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/cue"}}, "The group's cues."
                ),
            },
            ["group", "cues"],
        ),
        "stop": cue(
            "Stop a running cue of this act (or `all`), with an optional fade-out.",
            {
                "stop": _d({"type": ["string", "number"]}, "The cue to stop, or all."),
                "fade_out": _duration("Fade-out before the hard stop."),
            },
            ["stop"],
        ),
        "goto": cue(
            "Select a cue of this act as the next one to GO.",
            {"goto": _d({"type": ["string", "number"]}, "The cue name.")},
            ["goto"],
        ),
        "wait": cue("A cue that only takes time.", {"wait": _duration("How long.")}, ["wait"]),
        "act": cue(
            "Go to another act.",
            {"act": _text("An act name, next (the next act in the file) or idle.")},
            ["act"],
        ),
    }


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


def _trigger_schema() -> dict[str, Any]:
    out = _obj(
        "A way out of the act: when the condition fires, go to an act. The first trigger that fires wins.",
        {
            "when": {
                "description": (
                    "A presence condition: `<value> <op> <number> [for <duration>]`, "
                    "op one of >= > <= < == !=, value one of "
                    + ", ".join(PRESENCE_SOURCES)
                    + " or zone.<zone>.<count|occupied|dwell>; sugar: `zone door empty for 30s`, "
                    "`room occupied for 2s`."
                ),
                "type": "string",
                "pattern": CONDITION_PATTERN,
                "examples": ["count >= 1 for 2s", "zone door empty for 30s", "zone screen.count >= 3 for 5s"],
            },
            "after": _duration("Time spent in the act."),
            "at": _text('Time of day (24 h, local), e.g. "17:55".', pattern=TIME_OF_DAY_PATTERN),
            "on": _text(
                "An event: go (operator GO when the cue list is finished), osc /address, web NAME, "
                "or a command word.",
                pattern=r"^\s*(?:go|(?:osc\s+/\S*)|(?:web\s+\S+)|[^\s]+)\s*$",
            ),
            "go": _text("Where to go: an act name, next (the next act in the file) or idle."),
            "hysteresis": _d(
                {"type": "number", "minimum": 0},
                "For when: conditions: once true, the value must pass the threshold by this much "
                "the other way before the condition breaks.",
            ),
        },
        ["go"],
    )
    out["oneOf"] = [{"required": [k]} for k in ("when", "after", "at", "on")]
    return out


def show_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a show file."""
    cues = _cue_schemas()
    act = _obj(
        "An act: a projection scene, a soundscape, looks, mappings, a cue list and its ways out (triggers).",
        {
            "scene": _path("The act's ISF fragment shader.", "shaders/biodome_glow.fs"),
            "scene_inputs": _d(
                {"type": "object", "additionalProperties": {"$ref": "#/$defs/param_value"}},
                "Starting values of the shader's inputs (scene.<input>); ISF defaults otherwise.",
            ),
            "transition": {
                "description": "How the act is entered: crossfade time and optional transition shader.",
                "anyOf": [
                    _duration("Crossfade time."),
                    _obj(
                        "Crossfade time and shader.",
                        {
                            "time": _duration("Crossfade time for scene and soundscape."),
                            "shader": _path("An ISF transition shader.", "shaders/transitions/dissolve.fs"),
                        },
                    ),
                ],
            },
            "soundscape": _obj(
                "The act's soundscape.",
                {
                    "level": _level("The act's master level (audio.master.level)."),
                    "layers": _d(
                        {
                            "type": "object",
                            "propertyNames": {"pattern": NAME_PATTERN},
                            "additionalProperties": {"$ref": "#/$defs/layer"},
                        },
                        "Layer name → instrument and values; parameters become audio.<layer>.<param>.",
                    ),
                },
            ),
            "looks": _d(
                {"type": "object", "additionalProperties": {"$ref": "#/$defs/param_values"}},
                "Named parameter states (usually light) that fade cues can use with `look:`.",
            ),
            "mappings": _d(
                {
                    "type": "array",
                    "items": _obj(
                        "A continuous mapping: presence value → parameter.",
                        {
                            "from": _text(
                                "A presence value: "
                                + ", ".join(PRESENCE_SOURCES)
                                + ", or zone.<zone>.<attribute> ("
                                + ", ".join(ZONE_ATTRIBUTES)
                                + ")."
                            ),
                            "to": _text("A parameter path.", pattern=PARAM_PATTERN),
                            "range": _d(
                                {
                                    "type": "array",
                                    "minItems": 2,
                                    "maxItems": 2,
                                    "items": {"type": ["number", "string"]},
                                },
                                "Input range [low, high] (default [0, 1]).",
                            ),
                            "out": _d(
                                {
                                    "type": "array",
                                    "minItems": 2,
                                    "maxItems": 2,
                                    "items": {"$ref": "#/$defs/param_value"},
                                },
                                "Output range in the parameter's units (default: its full range).",
                            ),
                            "curve": _enum("Mapping shape.", [c.value for c in m.Curve]),
                            "smoothing": _duration("One-pole smoothing time constant."),
                        },
                        ["from", "to"],
                    ),
                },
                "Continuous presence → parameter mappings, active while the act runs.",
            ),
            "cues": _d({"type": "array", "items": {"$ref": "#/$defs/cue"}}, "The act's cue list, GO by GO."),
            "triggers": _d({"type": "array", "items": {"$ref": "#/$defs/trigger"}}, "Ways out of this act."),
        },
    )
    expect = _obj(
        "An expectation `installation test` checks under an audience script.",
        {
            "audience": _text(
                "Audience script stem (cues/audiences/<show>/<name>.yaml); omitted = every script."
            ),
            "reaches": _text("The show enters this act."),
            "by": _duration("…no later than this script time (reaches: only)."),
            "never_reaches": _text("The show never enters this act."),
            "act_at": _obj(
                "At this script time the current act is this one.",
                {"time": _duration("Script time."), "act": _text("The act.")},
                ["time", "act"],
            ),
        },
    )
    expect["oneOf"] = [{"required": [k]} for k in ("reaches", "never_reaches", "act_at")]
    day_value = {
        "description": 'closed, open (all day), a range "10:00-18:00", or a list of ranges.',
        "anyOf": [
            {"type": "string", "enum": ["closed", "open"]},
            {"type": "string", "pattern": HOURS_RANGE_PATTERN},
            {"type": "array", "items": {"type": "string", "pattern": HOURS_RANGE_PATTERN}},
        ],
    }
    hours = {
        "description": (
            "Opening hours; absent = always open. Days mon..sun, ranges like tue-fri, or daily. "
            "When any day is given, days not given are closed."
        ),
        "type": "object",
        "properties": {
            "closed_on": _d(
                {"type": "array", "items": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}},
                'Dates the installation is closed, "YYYY-MM-DD".',
            )
        },
        "patternProperties": {DAY_KEY_PATTERN: day_value},
        "additionalProperties": False,
    }
    presence = _obj(
        "Where presence comes from, what to do when it fails, zones and masked regions.",
        {
            "source": _enum(
                "camera, file, url, synthetic (scripted audience) or replay.",
                [s.value for s in m.PresenceSource],
            ),
            "camera": _d(
                {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]},
                "Camera index or device path like /dev/video0 (source: camera).",
            ),
            "file": _path("A video file (source: file).", "media/room.mp4"),
            "url": _text("A stream URL (source: url).", examples=["rtsp://camera.local/stream"]),
            "replay": _path("A recorded presence file (source: replay).", "recordings/day.jsonl"),
            "fallback": _enum(
                "While the camera is down: keep (stay in the act) or idle (go to the idle act).",
                [f.value for f in m.Fallback],
            ),
            "mask": _d(
                {"type": "array", "items": {"$ref": "#/$defs/polygon"}}, "Polygons of the frame to ignore."
            ),
            "zones": _d(
                {
                    "type": "object",
                    "propertyNames": {"pattern": NAME_PATTERN},
                    "additionalProperties": {"$ref": "#/$defs/polygon"},
                },
                "Named zones (polygons) used by conditions (zone door empty) and mappings (zone.door.count).",
            ),
        },
        ["source"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "installation show file",
        "description": "A show for `installation`: rig, presence, hours, idle act, acts and expectations.",
        "type": "object",
        "required": ["show", "idle", "acts"],
        "additionalProperties": False,
        "properties": {
            "show": _text("The show's title."),
            "rig": _path(
                "The rig file (fixtures, DMX outputs, OSC endpoints, serial devices).",
                "hardware/gallery.yaml",
            ),
            "presence": presence,
            "hours": hours,
            "idle": _obj(
                "The idle (attract) act and when the show returns to it.",
                {
                    "act": _text("The idle act."),
                    "when_empty_for": _duration("Room empty (count == 0) this long → back to the idle act."),
                },
                ["act"],
            ),
            "start": _text("The act the show starts in (default: the idle act)."),
            "acts": _d(
                {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/act"}},
                "The acts, in order (`next` follows this order).",
            ),
            "expect": _d({"type": "array", "items": expect}, "Assertions `installation test` checks."),
        },
        "$defs": {
            "act": act,
            "cue": {"description": "A cue: exactly one action.", "oneOf": list(cues.values())},
            "trigger": _trigger_schema(),
            "layer": _layer_schema(),
            "polygon": POLYGON,
            "param_value": PARAM_VALUE,
            "param_values": PARAM_VALUES,
            "duration": _duration("A duration."),
            "level": _level("A level."),
            "fraction": _fraction("A fraction."),
            "time_of_day": _text("A 24-hour time of day.", pattern=TIME_OF_DAY_PATTERN),
            "color": _text("An RGB colour.", pattern=COLOR_PATTERN),
        },
    }
