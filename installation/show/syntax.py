"""The show language, declared once: every section, every key, its value type, what it means.

Three things are made from this declaration and nothing else:
- the loader's structural checks (unknown keys with did-you-mean, required keys, one action per cue,
  the value type of each plain key) in `installation.show.loader`;
- the JSON Schema an editor uses (`installation schema`): descriptions, examples, enums, and for each
  value type a message the editor shows instead of a raw pattern (`errorMessage`, which
  yaml-language-server and VS Code's JSON service show in place of "Incorrect type" or a regex);
- the key reference in docs/show-file.md (`installation schema --markdown`; a test fails on drift).

What depends on other files (the rig's fixtures, a scene's inputs, the instruments' parameters, act and
cue names) is checked by the loader's code, which reads the model from this declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from installation.show import model as m
from installation.show.params import PRESENCE_SOURCES, ZONE_ATTRIBUTES
from installation.show.units import DURATION_HINT

# --------------------------------------------------------------------------------------------- types

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
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
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

DURATION_MESSAGE = f"a duration needs a unit: {DURATION_HINT}"


class Type:
    """A value type: its JSON Schema, its words in the docs, the one message an editor shows."""

    words = "value"
    message = ""

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def full_schema(self) -> dict[str, Any]:
        out = self.schema()
        if self.message:
            out["errorMessage"] = self.message
        return out


@dataclass(frozen=True)
class Text(Type):
    example: str = ""
    pattern: str = ""
    what: str = "text"

    @property
    def words(self) -> str:  # type: ignore[override]
        return self.what + (f", e.g. `{self.example}`" if self.example else "")

    @property
    def message(self) -> str:  # type: ignore[override]
        return f"{self.what}" + (f", e.g. {self.example}" if self.example else "")

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.pattern:
            out["pattern"] = self.pattern
        if self.example:
            out["examples"] = [self.example]
        return out


@dataclass(frozen=True)
class Name(Type):
    """A name (cue, act): text or a number (a cue called 1 is the name "1")."""

    what: str = "a name"

    @property
    def words(self) -> str:  # type: ignore[override]
        return self.what

    @property
    def message(self) -> str:  # type: ignore[override]
        return self.what

    def schema(self) -> dict[str, Any]:
        return {"type": ["string", "number"]}


@dataclass(frozen=True)
class FilePath(Type):
    example: str = ""

    @property
    def words(self) -> str:  # type: ignore[override]
        return f"a path inside the project, e.g. `{self.example}`"

    @property
    def message(self) -> str:  # type: ignore[override]
        return f"a path relative to the project folder (it must stay inside it), e.g. {self.example}"

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "examples": [self.example]}


class Duration(Type):
    words = "a duration with its unit: `3s`, `250ms`, `2min`, `1:30`"
    message = DURATION_MESSAGE

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": DURATION_PATTERN, "examples": ["3s", "250ms", "2min", "1:30"]}


class Level(Type):
    words = 'a level in dB, e.g. `"-12 dB"`'
    message = 'a level in dB, e.g. "-12 dB" ("-inf dB" is silence)'

    def schema(self) -> dict[str, Any]:
        return {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": LEVEL_PATTERN}],
            "examples": ["-12 dB"],
        }


class TimeOfDay(Type):
    words = 'a time of day, 24 h, e.g. `"17:55"`'
    message = 'a time of day, 24 h, e.g. "17:55"'

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": TIME_OF_DAY_PATTERN, "examples": ["17:55"]}


class Condition(Type):
    words = "a presence condition, e.g. `count >= 1 for 2s`, `zone door empty for 30s`"
    message = (
        "a presence condition: <value> <op> <number> [for <duration>], e.g. count >= 1 for 2s; "
        "or zone door empty for 30s, room occupied for 2s"
    )

    def schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": CONDITION_PATTERN,
            "examples": ["count >= 1 for 2s", "zone door empty for 30s", "zone screen.count >= 3 for 5s"],
        }


@dataclass(frozen=True)
class Bool(Type):
    words = "`true` or `false`"
    message = "true or false"

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Number(Type):
    minimum: float | None = None
    maximum: float | None = None

    @property
    def words(self) -> str:  # type: ignore[override]
        if self.minimum is not None and self.maximum is not None:
            return f"a number {self.minimum:g}..{self.maximum:g}"
        return "a number" + (f" ≥ {self.minimum:g}" if self.minimum is not None else "")

    @property
    def message(self) -> str:  # type: ignore[override]
        return self.words

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class Choice(Type):
    values: tuple[str, ...] = ()

    @property
    def words(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(f"`{v}`" for v in self.values)

    @property
    def message(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.values)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True)
class Ref(Type):
    """A value described by another section (`$defs/<name>`)."""

    target: str = ""

    @property
    def words(self) -> str:  # type: ignore[override]
        return f"[{self.target.replace('_', ' ')}](#{ANCHORS.get(self.target, self.target)})"

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.target}"}

    def full_schema(self) -> dict[str, Any]:
        return self.schema()


@dataclass(frozen=True)
class ListOf(Type):
    item: Type = field(default_factory=Type)
    min_items: int = 0
    text: str = ""

    @property
    def words(self) -> str:  # type: ignore[override]
        return self.text or f"a list of {self.item.words}"

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.full_schema()}
        if self.min_items:
            out["minItems"] = self.min_items
        return out

    def full_schema(self) -> dict[str, Any]:
        return self.schema()


@dataclass(frozen=True)
class MapOf(Type):
    value: Type = field(default_factory=Type)
    key_words: str = "name"
    key_pattern: str = ""
    min_items: int = 0

    @property
    def words(self) -> str:  # type: ignore[override]
        return f"{self.key_words} → {self.value.words}"

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.full_schema()}
        if self.key_pattern:
            out["propertyNames"] = {"pattern": self.key_pattern}
        if self.min_items:
            out["minProperties"] = self.min_items
        return out

    def full_schema(self) -> dict[str, Any]:
        return self.schema()


@dataclass(frozen=True)
class AnyOf(Type):
    options: tuple[Type, ...] = ()
    text: str = ""

    @property
    def words(self) -> str:  # type: ignore[override]
        return self.text or " or ".join(o.words for o in self.options)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [o.full_schema() for o in self.options]}

    def full_schema(self) -> dict[str, Any]:
        return self.schema()


@dataclass(frozen=True)
class Raw(Type):
    """A value whose schema is written out (shapes the other types do not cover)."""

    body: tuple[tuple[str, Any], ...] = ()
    text: str = "value"
    note: str = ""

    @property
    def words(self) -> str:  # type: ignore[override]
        return self.text

    @property
    def message(self) -> str:  # type: ignore[override]
        return self.note

    def schema(self) -> dict[str, Any]:
        return dict(self.body)


# --------------------------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Key:
    """One key of a section."""

    name: str
    type: Type
    doc: str
    required: bool = False
    example: str = ""  # a YAML fragment shown in the loader's hint when the key is missing


@dataclass(frozen=True)
class Section:
    """A mapping in the show file: its keys, which are required, and exclusive groups."""

    name: str
    doc: str
    keys: tuple[Key, ...]
    exactly_one: tuple[str, ...] = ()  # exactly one of these keys (a cue's action, a trigger's condition)
    example: str = ""  # a YAML fragment for hints
    pattern_keys: tuple[tuple[str, Type, str], ...] = ()  # (key regex, type, doc): hours' days

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if k.required)

    def key(self, name: str) -> Key:
        for k in self.keys:
            if k.name == name:
                return k
        raise KeyError(name)

    def schema(self) -> dict[str, Any]:
        props = {k.name: {"description": k.doc, **k.type.full_schema()} for k in self.keys}
        out: dict[str, Any] = {
            "description": self.doc,
            "type": "object",
            "properties": props,
            "additionalProperties": False,
        }
        if self.required_names:
            out["required"] = list(self.required_names)
        if self.exactly_one:
            out["oneOf"] = [{"required": [k]} for k in self.exactly_one]
        if self.pattern_keys:
            out["patternProperties"] = {
                p: {"description": d, **t.full_schema()} for p, t, d in self.pattern_keys
            }
        return out


PARAM_VALUE = Raw(
    (("anyOf", [{"type": "number"}, {"type": "boolean"}, {"type": "string", "minLength": 1}]),),
    text='a value in the parameter\'s unit: `0.4` or `"40%"`, `"-12 dB"`, `"800 Hz"`, `"#ff8000"`, '
    "a named value",
    note='a value in the parameter\'s unit: 0..1 or "40%", "-12 dB", "800 Hz", a colour "#rrggbb", '
    "or a named value",
)
PARAM_VALUES = Raw(
    (
        ("type", "object"),
        ("propertyNames", {"pattern": PARAM_PATTERN}),
        ("additionalProperties", {"$ref": "#/$defs/param_value"}),
    ),
    text="parameter → value, e.g. `light.wash.dimmer: 60%`",
    note="parameter: value lines; parameters are full paths: light.wash.dimmer, scene.glow, "
    "audio.master.level",
)
POLYGON = Raw(
    (
        ("type", "array"),
        ("minItems", 3),
        (
            "items",
            {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": {"type": "number", "minimum": 0, "maximum": 1},
            },
        ),
    ),
    text="a polygon: 3 or more `[x, y]` points, 0..1 (x right, y down = nearer)",
    note="a polygon: 3 or more [x, y] points, each 0..1",
)
OSC_ARGS = Raw(
    (("type", "array"), ("items", {"type": ["number", "string", "boolean"]})),
    text="a list of numbers, text, `true`/`false`",
    note="a list of arguments: numbers, text, true/false",
)
CUE_NAME = Name("a cue name")
ACT_TARGET = Text(what="an act name, `next` (the next act in the file) or `idle`")
PRESENCE_VALUE = Text(
    example="zone.door.count",
    what="a presence value: "
    + ", ".join(PRESENCE_SOURCES)
    + ", or zone.<zone>.<"
    + "|".join(ZONE_ATTRIBUTES)
    + ">",
)

_CUE_COMMON = (
    Key(
        "name",
        CUE_NAME,
        "Unique within the act, group children included (used by `goto:`/`stop:` and the operator); "
        "unnamed cues are `#1`, `#2`, … "
        "counting every cue of the act in order. `all` is reserved.",
    ),
    Key(
        "number",
        Name("a cue number, e.g. `12` or `1.5`"),
        "QLab's cue number: text, unique within the act, separate from the name (OSC `/go <number>`, "
        "`/cue/<number>/start`). Written as it reads: `1.10` stays `1.10`.",
    ),
    Key("pre_wait", Duration(), "Wait before the action starts."),
    Key(
        "post_wait",
        Duration(),
        "Counted from the start of the action; with `continue: auto-continue` the next "
        "cue starts when it ends.",
    ),
    Key(
        "continue",
        Choice(tuple(c.value for c in m.ContinueMode)),
        "What happens next: `none` (wait for GO), `auto-continue` (next cue after the post-wait), "
        "`auto-follow` (next cue when this cue's action ends).",
    ),
    Key(
        "armed",
        Bool(),
        "`false`: GO, continues and start cues skip this cue until an `arm:` cue arms it (default "
        "`true`).",
    ),
)
_CURVE = Choice(tuple(c.value for c in m.Curve))
_ACTION_DURATION = Key("duration", Duration(), "How long the action takes (a fade's time). Default `0s`.")

# every cue kind: (action key, section); `look` is a second action key of the fade cue
CUE_KINDS: dict[str, Section] = {
    "fade": Section(
        "cue.fade",
        "Fade parameters to targets over `duration` (`0s` = snap). `look:` and `fade:` may be "
        "combined (fade values win).",
        (
            *_CUE_COMMON,
            Key("fade", PARAM_VALUES, "Targets: parameter → value."),
            Key("look", Text(what="a look of this act"), "A look of this act to fade to."),
            _ACTION_DURATION,
            Key(
                "curve",
                _CURVE,
                "Fade shape: `linear`, `s-curve` (ease in and out), `exponential` (for audio levels), `log`.",
            ),
        ),
        example="- {name: dawn, fade: {light.wash.dimmer: 60%}, duration: 5s}",
    ),
    "osc": Section(
        "cue.osc",
        "Send one OSC message to an endpoint of the rig.",
        (*_CUE_COMMON, Key("osc", Ref("osc"), "The message.", required=True), _ACTION_DURATION),
        example="- {osc: {endpoint: media, address: /scene/start, args: [1]}}",
    ),
    "serial": Section(
        "cue.serial",
        "Send one named command to a serial device of the rig.",
        (*_CUE_COMMON, Key("serial", Ref("serial"), "The command.", required=True), _ACTION_DURATION),
        example="- {serial: {device: fan, command: speed, args: [40]}}",
    ),
    "group": Section(
        "cue.group",
        "A group of cues: `timeline` (children start together, placed by their pre-waits) or "
        "`playlist` (one after another).",
        (
            *_CUE_COMMON,
            Key(
                "group",
                Choice(tuple(g.value for g in m.GroupMode)),
                "`timeline` or `playlist`.",
                required=True,
            ),
            Key("loop", Bool(), "Playlists only: start again after the last cue."),
            Key("cues", ListOf(Ref("cue"), min_items=1), "The group's cues.", required=True),
        ),
        example="- {group: playlist, loop: true, cues: [...]}",
    ),
    "stop": Section(
        "cue.stop",
        "Stop a running cue of this act (or `all`), with an optional fade-out.",
        (
            *_CUE_COMMON,
            Key("stop", Name("a cue name or all"), "The cue to stop, or `all`.", required=True),
            Key("fade_out", Duration(), "Fade-out before the hard stop."),
        ),
        example="- {stop: all, fade_out: 3s}",
    ),
    "goto": Section(
        "cue.goto",
        "Select a cue of this act as the next one to GO.",
        (*_CUE_COMMON, Key("goto", CUE_NAME, "The cue name.", required=True)),
        example="- {goto: dawn}",
    ),
    "wait": Section(
        "cue.wait",
        "A cue that only takes time.",
        (*_CUE_COMMON, Key("wait", Duration(), "How long.", required=True)),
        example="- {wait: 10s}",
    ),
    "act": Section(
        "cue.act",
        "Go to another act.",
        (
            *_CUE_COMMON,
            Key(
                "act", ACT_TARGET, "An act name, `next` (the next act in the file) or `idle`.", required=True
            ),
        ),
        example="- {act: next}",
    ),
    "start": Section(
        "cue.start",
        "Start another cue of this act; the playhead does not move.",
        (
            *_CUE_COMMON,
            Key(
                "start",
                CUE_NAME,
                "The cue to start: a paused one resumes, a loaded one goes on from its load time; one "
                "already running or disarmed is left alone.",
                required=True,
            ),
        ),
        example="- {start: thunder}",
    ),
    "pause": Section(
        "cue.pause",
        "Pause a running cue of this act.",
        (
            *_CUE_COMMON,
            Key(
                "pause",
                CUE_NAME,
                "The cue to pause: its waits and fades hold until a `start:` cue, the operator's start or "
                "resume, or a GO on it.",
                required=True,
            ),
        ),
        example="- {pause: drones hover}",
    ),
    "load": Section(
        "cue.load",
        "Load a cue of this act to a time, paused, ready to be started.",
        (
            *_CUE_COMMON,
            Key("load", CUE_NAME, "The cue to load.", required=True),
            Key("at", Duration(), "The time into the cue to load it to (default `0s`)."),
        ),
        example="- {load: dawn, at: 12s}",
    ),
    "reset": Section(
        "cue.reset",
        "Put a cue of this act (or `all`) back to its initial state.",
        (
            *_CUE_COMMON,
            Key(
                "reset",
                Name("a cue name or all"),
                "The cue to reset: stopped at once, armed as written, no longer loaded; `all`: every cue, "
                "and the playhead back to the first cue.",
                required=True,
            ),
        ),
        example="- {reset: all}",
    ),
    "devamp": Section(
        "cue.devamp",
        "Let a looping playlist finish its current pass, then end; continue after it.",
        (
            *_CUE_COMMON,
            Key(
                "devamp",
                Name("a looping playlist of this act"),
                "The looping playlist: it ends after its current pass. The devamp cue's action lasts "
                "until then, so with `continue: auto-follow` the cue after the devamp cue starts as the "
                "loop ends.",
                required=True,
            ),
        ),
        example="- {devamp: drones hover}",
    ),
    "arm": Section(
        "cue.arm",
        "Arm a cue of this act.",
        (*_CUE_COMMON, Key("arm", CUE_NAME, "The cue to arm.", required=True)),
        example="- {arm: storm}",
    ),
    "disarm": Section(
        "cue.disarm",
        "Disarm a cue of this act: GO, continues and start cues skip it.",
        (*_CUE_COMMON, Key("disarm", CUE_NAME, "The cue to disarm.", required=True)),
        example="- {disarm: storm}",
    ),
    "memo": Section(
        "cue.memo",
        "A note in the cue list; it does nothing.",
        (*_CUE_COMMON, Key("memo", Text(what="a note"), "The note.", required=True)),
        example="- {memo: the doors open here}",
    ),
}
# the keys that make a cue one kind or another (`look` makes a fade cue)
CUE_ACTIONS: dict[str, str] = {kind: kind for kind in CUE_KINDS} | {"look": "fade"}
CUE_COMMON_KEYS = tuple(k.name for k in _CUE_COMMON)
CUE_COMMON = Section("cue", "Keys every cue may have.", _CUE_COMMON)
ALL_CUE_KEYS = tuple(dict.fromkeys(k.name for s in CUE_KINDS.values() for k in s.keys))

_DAY_VALUE = Raw(
    (
        (
            "anyOf",
            [
                {"type": "string", "enum": ["closed", "open"]},
                {"type": "string", "pattern": HOURS_RANGE_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": HOURS_RANGE_PATTERN}},
            ],
        ),
    ),
    text='`closed`, `open` (all day), a range `"10:00-18:00"`, or a list of ranges',
    note='closed, open (all day), a range "10:00-18:00", or a list of ranges',
)


def _whole(lo: int, hi: int, words: str) -> Raw:
    """A whole number lo..hi (universe, channel and DMX values of `dmx_at`)."""
    return Raw((("type", "integer"), ("minimum", lo), ("maximum", hi)), text=words, note=words)


SECTIONS: dict[str, Section] = {
    "show": Section(
        "show",
        "A show for `installation`: rig, presence, hours, idle act, acts and expectations.",
        (
            Key(
                "show",
                Text(what="the show's title", example="The Unenclosed"),
                "The show's title.",
                required=True,
                example="show: The Unenclosed",
            ),
            Key(
                "rig",
                FilePath("hardware/gallery.yaml"),
                "The rig file (fixtures, DMX outputs, OSC endpoints, serial devices). Without a rig the show "
                "cannot use `light.*`, `osc.*`, `serial.*` or OSC/serial cues.",
            ),
            Key("presence", Ref("presence"), "Where presence comes from, zones, masks."),
            Key("hours", Ref("hours"), "Opening hours; absent = always open."),
            Key(
                "idle",
                Ref("idle"),
                "The idle (attract) act and when the show returns to it.",
                required=True,
                example="idle: {act: attract, when_empty_for: 60s}",
            ),
            Key("start", ACT_TARGET, "The act the show starts in (default: the idle act)."),
            Key(
                "operator",
                Ref("operator"),
                "How the operator's GO, STOP and PANIC behave: GO debounce, stop and panic fades.",
            ),
            Key(
                "acts",
                MapOf(Ref("act"), "act name", min_items=1),
                "The acts, in order (`go: next` follows this order; after the last act comes the first).",
                required=True,
                example="acts: {attract: {...}, ...}",
            ),
            Key("expect", ListOf(Ref("expect")), "Assertions `installation test` checks."),
        ),
        example="show: <title>, then rig:, idle:, acts:",
    ),
    "presence": Section(
        "presence",
        "Where presence comes from, what to do when it fails, zones and masked regions.",
        (
            Key(
                "source",
                Choice(tuple(s.value for s in m.PresenceSource)),
                "`camera`, `file`, `url`, `synthetic` (a scripted audience, for rehearsal and "
                "`installation test`) or `replay`.",
                required=True,
            ),
            Key(
                "camera",
                Raw(
                    (("anyOf", [{"type": "integer", "minimum": 0}, {"type": "string"}]),),
                    text="a camera index (`0`) or a device path (`/dev/video0`)",
                    note="a camera index (0, 1, …) or a device path like /dev/video0",
                ),
                "The camera (source: camera).",
            ),
            Key(
                "file",
                FilePath("media/room.mp4"),
                "A video file; required for `source: file`, and must exist.",
            ),
            Key(
                "url",
                Text(what="a stream URL", example="rtsp://camera.local/stream"),
                "A stream URL with a scheme (`rtsp://…`, `http://…`); required for `source: url`.",
            ),
            Key(
                "replay",
                FilePath("recordings/day.jsonl"),
                "A recorded presence log; required for `source: replay`, and must exist.",
            ),
            Key(
                "fallback",
                Choice(tuple(f.value for f in m.Fallback)),
                "While the camera is down: `keep` (stay in the act, the default) or `idle` (go to the "
                "idle act).",
            ),
            Key("mask", ListOf(Ref("polygon")), "Polygons of the frame to ignore."),
            Key(
                "zones",
                MapOf(Ref("polygon"), "zone name", NAME_PATTERN),
                "Named zones used by conditions (`zone door empty`) and mappings (`zone.door.count`). Names: "
                "letters, digits, `_`, `-`, starting with a letter (no dots or spaces).",
            ),
        ),
        example="presence: {source: synthetic, zones: {...}}",
    ),
    "hours": Section(
        "hours",
        "Opening hours; absent = always open. When any day is given, days not given are closed.",
        (
            Key(
                "closed_on",
                ListOf(Text(what="a date", pattern=DATE_PATTERN), text='a list of dates `"2026-12-25"`'),
                'Dates the installation is closed, `"YYYY-MM-DD"`.',
            ),
        ),
        pattern_keys=(
            (
                DAY_KEY_PATTERN,
                _DAY_VALUE,
                "`mon` … `sun`, a range of days `tue-fri` (wraps around the week) or `daily`",
            ),
        ),
        example='hours: {mon: closed, tue-sun: "10:00-18:00"}',
    ),
    "idle": Section(
        "idle",
        "The idle (attract) act and when the show returns to it.",
        (
            Key("act", Text(what="an act name"), "The idle act.", required=True, example="act: attract"),
            Key(
                "when_empty_for", Duration(), "The room empty (count == 0) this long → back to the idle act."
            ),
        ),
        example="idle: {act: attract, when_empty_for: 60s}",
    ),
    "operator": Section(
        "operator",
        "How the operator's buttons behave in this show.",
        (
            Key(
                "go_debounce",
                Duration(),
                "A second GO within this time of the last one is ignored (a double press). Default `0.3s`.",
            ),
            Key(
                "stop_fade",
                Duration(),
                "STOP: what the running cues changed returns to where it was before them over this time. "
                "Default `0s` (at once).",
            ),
            Key(
                "panic_fade",
                Duration(),
                "PANIC: light and sound fade out over this time (a second PANIC within it: at once). "
                "Default `1s`.",
            ),
        ),
        example="operator: {go_debounce: 0.3s, stop_fade: 1s, panic_fade: 2s}",
    ),
    "act": Section(
        "act",
        "An act: a projection scene, a soundscape, looks, mappings, a cue list and its ways out.",
        (
            Key(
                "scene",
                FilePath("shaders/biodome_glow.fs"),
                "An ISF fragment shader (`.fs`) in the project. Optional (no projection). A transition "
                "shader cannot be a scene.",
            ),
            Key(
                "scene_inputs",
                MapOf(Ref("param_value"), "input"),
                "Starting values of the shader's inputs (the shader's defaults otherwise). A `color` input "
                'takes `"#rrggbb"`; a `long` input one of its labels or a number. Needs `scene:`.',
            ),
            Key(
                "transition",
                AnyOf((Duration(), Ref("transition")), "a duration, or [transition](#transition)"),
                "How the act is entered: `transition: 4s` or `{time: 4s, shader: …}`. Default `0s` (a "
                "cut). The shader must be an ISF transition (image inputs `startImage`, `endImage`, a float "
                "`progress`).",
            ),
            Key("soundscape", Ref("soundscape"), "The act's soundscape."),
            Key(
                "looks",
                MapOf(Ref("param_values"), "look name"),
                "Named parameter states (usually light) that fade cues use with `look:`.",
            ),
            Key(
                "mappings",
                ListOf(Ref("mapping")),
                "Continuous presence → parameter mappings, while the act runs.",
            ),
            Key(
                "pixel_map",
                ListOf(Text(what="a fixture or group of the rig", example="strip")),
                "LED fixtures that take the act's scene colour while it runs: each head the colour at its "
                "place in the scene (the rig's `map:`, else its room `position:`), at the DMX rate, with or "
                "without a projector. Each needs red, green and blue.",
            ),
            Key("cues", ListOf(Ref("cue")), "The act's cue list, GO by GO."),
            Key(
                "on_enter",
                Choice(tuple(o.value for o in m.OnEnter)),
                "Entering the act: `go` GOes its first cue (the default: an unattended gallery has no "
                "operator); `wait` leaves the playhead on the first cue until an operator GO.",
            ),
            Key("triggers", ListOf(Ref("trigger")), "Ways out of this act."),
        ),
        example="scene:, soundscape:, cues:, triggers:",
    ),
    "transition": Section(
        "transition",
        "Crossfade time and shader.",
        (
            Key("time", Duration(), "Crossfade time for scene and soundscape."),
            Key("shader", FilePath("shaders/transitions/dissolve.fs"), "An ISF transition shader."),
        ),
        example="transition: {time: 4s, shader: shaders/transitions/dissolve.fs}",
    ),
    "soundscape": Section(
        "soundscape",
        "The act's soundscape.",
        (
            Key("level", Level(), "The act's master level (`audio.master.level`)."),
            Key(
                "layers",
                MapOf(Ref("layer"), "layer name", NAME_PATTERN),
                "Layer name → instrument and values; parameters become `audio.<layer>.<param>`.",
            ),
        ),
        example='soundscape: {level: "-18 dB", layers: {...}}',
    ),
    "mapping": Section(
        "mapping",
        "A continuous mapping: presence value → parameter.",
        (
            Key(
                "from",
                PRESENCE_VALUE,
                "A presence value.",
                required=True,
                example="from: nearest  (or zone.door.count)",
            ),
            Key(
                "to",
                Text(what="a parameter path", example="scene.glow", pattern=PARAM_PATTERN),
                "A parameter.",
                required=True,
                example="to: scene.glow",
            ),
            Key(
                "range",
                Raw(
                    (
                        ("type", "array"),
                        ("minItems", 2),
                        ("maxItems", 2),
                        ("items", {"type": ["number", "string"]}),
                    ),
                    text="`[low, high]`",
                    note="[low, high], e.g. [0, 1] or [0s, 30s] for dwell",
                ),
                "Input range (default `[0, 1]`).",
            ),
            Key(
                "out",
                Raw(
                    (
                        ("type", "array"),
                        ("minItems", 2),
                        ("maxItems", 2),
                        ("items", {"$ref": "#/$defs/param_value"}),
                    ),
                    text="`[low, high]` in the parameter's unit",
                    note="[low, high] in the parameter's unit",
                ),
                "Output range (default: the parameter's full range).",
            ),
            Key("curve", _CURVE, "Mapping shape."),
            Key("smoothing", Duration(), "One-pole smoothing time constant."),
        ),
        example="from: nearest, to: scene.glow, range: [0, 1], out: [0.2, 1]",
    ),
    "osc": Section(
        "osc",
        "An OSC message.",
        (
            Key(
                "endpoint",
                Text(what="an OSC endpoint of the rig"),
                "An OSC endpoint of the rig (rig file, `osc:`).",
                required=True,
            ),
            Key(
                "address",
                Text(what="an OSC address or a named address", example="/scene/start"),
                "A literal `/path` or a named address of the endpoint.",
                required=True,
            ),
            Key("args", OSC_ARGS, "Arguments."),
            Key(
                "fields",
                Raw(
                    (("type", "object"), ("additionalProperties", {"type": ["integer", "string"]})),
                    text="placeholder → value",
                    note="values for the {placeholders} of a named address",
                ),
                "Values for the `{placeholders}` of a named address, e.g. `{layer: 2}`.",
            ),
        ),
        example="osc: {endpoint: media, address: /scene/start, args: [1]}",
    ),
    "serial": Section(
        "serial",
        "A serial command.",
        (
            Key(
                "device",
                Text(what="a serial device of the rig"),
                "A serial device of the rig (rig file, `serial:`).",
                required=True,
            ),
            Key(
                "command",
                Text(what="a named command of the device"),
                "A named command of the device.",
                required=True,
            ),
            Key("args", OSC_ARGS, "Arguments."),
        ),
        example="serial: {device: fan, command: speed, args: [40]}",
    ),
    "trigger": Section(
        "trigger",
        "A way out of the act: when the condition fires, go to an act. The first trigger that fires wins.",
        (
            Key("when", Condition(), "A presence condition."),
            Key("after", Duration(), "Time spent in the act."),
            Key("at", TimeOfDay(), "A time of day (local)."),
            Key(
                "on",
                Text(
                    what="an event: go, osc /address, web NAME or a command word",
                    pattern=r"^\s*(?:go|(?:osc\s+/\S*)|(?:web\s+\S+)|[^\s]+)\s*$",
                ),
                "An event: `go` (operator GO when the cue list is finished), `osc /address`, `web NAME`, "
                "or a command word.",
            ),
            Key(
                "go",
                ACT_TARGET,
                "Where to go: an act name, `next` or `idle`.",
                required=True,
                example="go: next",
            ),
            Key(
                "hysteresis",
                Number(minimum=0),
                "For `when:` conditions: once true, the value must pass the "
                "threshold by this much the other way before the condition breaks.",
            ),
        ),
        exactly_one=("when", "after", "at", "on"),
        example="- {when: count >= 1 for 2s, go: next}",
    ),
    "expect": Section(
        "expect",
        "An expectation `installation test` checks under an audience script.",
        (
            Key(
                "audience",
                Text(what="an audience script's name"),
                "Audience script stem (`cues/audiences/<show>/<name>.yaml`); omitted = every script.",
            ),
            Key("reaches", Text(what="an act name"), "The show enters this act."),
            Key("by", Duration(), "… no later than this script time (`reaches:` only)."),
            Key("never_reaches", Text(what="an act name"), "The show never enters this act."),
            Key("act_at", Ref("act_at"), "At this script time the current act is this one."),
            Key("cue_start", Ref("cue_start"), "A cue of an act starts at this script time (± a tolerance)."),
            Key(
                "param_at",
                Ref("param_at"),
                "At this script time a parameter has this value (± a tolerance).",
            ),
            Key(
                "dmx_at",
                Ref("dmx_at"),
                "At this script time a DMX channel, as the rig renders it, has this value (± a tolerance).",
            ),
        ),
        exactly_one=("reaches", "never_reaches", "act_at", "cue_start", "param_at", "dmx_at"),
        example="- {reaches: broadcast, by: 3min}",
    ),
    "act_at": Section(
        "act_at",
        "The act at a script time.",
        (
            Key("time", Duration(), "Script time.", required=True),
            Key("act", Text(what="an act name"), "The act.", required=True),
        ),
        example="act_at: {time: 2min, act: streets}",
    ),
    "cue_start": Section(
        "cue_start",
        "A cue starts (is GO'd: its pre-wait begins) at a script time. A cue that starts several times "
        "passes when any start is within the tolerance.",
        (
            Key("act", Text(what="an act name"), "The act.", required=True, example="act: streets"),
            Key(
                "cue",
                CUE_NAME,
                "A cue of the act, group children included (`#3` for an unnamed cue).",
                required=True,
                example="cue: dawn",
            ),
            Key("time", Duration(), "Script time.", required=True, example="time: 1:32"),
            Key(
                "tolerance",
                Duration(),
                f"How far the start may be off; default `{m.CUE_START_TOLERANCE_S:g}s` (one presence tick).",
            ),
        ),
        example="cue_start: {act: streets, cue: dawn, time: 1:32}",
    ),
    "param_at": Section(
        "param_at",
        "A parameter's value at a script time (after everything that happens at that instant).",
        (
            Key("time", Duration(), "Script time.", required=True, example="time: 2min"),
            Key(
                "param",
                Text(what="a parameter path", example="light.wash.dimmer", pattern=PARAM_PATTERN),
                "A parameter of the show or of any act (`light.*`, `scene.*`, `audio.*`, `osc.*`, "
                "`serial.*`); a colour parameter takes a colour value.",
                required=True,
                example="param: light.wash.dimmer",
            ),
            Key(
                "value",
                Ref("param_value"),
                "The value, in the parameter's unit.",
                required=True,
                example='value: "60%"',
            ),
            Key(
                "tolerance",
                Ref("param_value"),
                f"How far off the value may be, in the parameter's unit (`\"2%\"`, `\"0.5 dB\"`); default "
                f"{m.PARAM_TOLERANCE:.0%} of the parameter's range, exact for named values.",
            ),
        ),
        example='param_at: {time: 2min, param: light.wash.dimmer, value: "60%"}',
    ),
    "dmx_at": Section(
        "dmx_at",
        "A DMX channel at a script time, as the rig renders it (limits, inversion, blackout while "
        "closed): `universe` + `channel`, or a fixture's `attribute` (its coarse channel).",
        (
            Key("time", Duration(), "Script time.", required=True, example="time: 2min"),
            Key(
                "universe",
                _whole(1, 63999, "a universe number of the rig"),
                "A universe of the rig (with `channel`).",
            ),
            Key("channel", _whole(1, 512, "a DMX channel 1..512"), "The channel, 1..512."),
            Key("fixture", Text(what="a fixture of the rig"), "A fixture of the rig (with `attribute`)."),
            Key(
                "attribute",
                Text(what="an attribute of the fixture", example="dimmer"),
                "An attribute of the fixture: `dimmer`, `red`, `pan`, … (not a virtual dimmer).",
            ),
            Key(
                "value",
                _whole(0, 255, "a DMX value 0..255"),
                "The DMX value, 0..255.",
                required=True,
                example="value: 153",
            ),
            Key(
                "tolerance",
                _whole(0, 255, "DMX steps, 0..255"),
                f"How many steps off the value may be; default {m.DMX_TOLERANCE}.",
            ),
        ),
        exactly_one=("channel", "fixture"),
        example="dmx_at: {time: 2min, universe: 1, channel: 12, value: 153}",
    ),
}

SHOW = SECTIONS["show"]

# where the docs describe a section (docs/show-file.md anchors)
ANCHORS = {
    "act": "acts",
    "cue": "cues",
    "trigger": "triggers",
    "mapping": "mappings",
    "layer": "soundscape",
    "polygon": "presence",
    "param_value": "parameters",
    "param_values": "parameters",
    "transition": "acts",
    "osc": "osc--send-a-message",
    "serial": "serial--send-a-command-line",
    "act_at": "expect",
    "idle": "idle-and-start",
    "operator": "operator",
}


def sections() -> Iterator[Section]:
    """Every section: the top level and its parts, then each cue kind."""
    yield from SECTIONS.values()
    yield from CUE_KINDS.values()


def section(name: str) -> Section:
    """A section by name (`act`, `trigger`, `cue.fade`, …)."""
    if name in SECTIONS:
        return SECTIONS[name]
    if name == "cue":
        return CUE_COMMON
    kind = name.removeprefix("cue.")
    if kind in CUE_KINDS:
        return CUE_KINDS[kind]
    raise KeyError(name)


# --------------------------------------------------------------------------------------------- docs
_MARK = re.compile(r"<!-- keys: (?P<name>[\w.]+) -->\n.*?<!-- /keys -->", re.DOTALL)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def key_table(sec: Section) -> str:
    """The Markdown table of one section's keys."""
    rows = ["| key | required | value | meaning |", "|---|---|---|---|"]
    skip = CUE_COMMON_KEYS if sec.name.startswith("cue.") else ()  # the common keys have their own table
    for k in sec.keys:
        if k.name in skip:
            continue
        req = (
            "yes"
            if k.required
            else (
                "one of " + ", ".join(f"`{x}`" for x in sec.exactly_one)
                if k.name in sec.exactly_one
                else "no"
            )
        )
        rows.append(f"| `{k.name}` | {req} | {_cell(k.type.words)} | {_cell(k.doc)} |")
    for _pattern, t, doc in sec.pattern_keys:
        rows.append(f"| {_cell(doc)} | no | {_cell(t.words)} | |")
    return "\n".join(rows)


def update_markdown(text: str) -> str:
    """Fill every `<!-- keys: SECTION -->…<!-- /keys -->` block of a document with that section's table."""

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        return f"<!-- keys: {name} -->\n{key_table(section(name))}\n<!-- /keys -->"

    return _MARK.sub(fill, text)
