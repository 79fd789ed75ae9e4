"""A soundscape as plain data: layers of instruments with values, the act level (pure, no pyo)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.audio.catalog import (
    BUILTIN_SOUNDS,
    INSTRUMENTS,
    LayerProblem,
    check_layer,
    check_soundscape,
    layer_parameters,
)
from installation.engine.params import ParamSpec


@dataclass(frozen=True, slots=True)
class Layer:
    """One instrument in a soundscape: its name (the `audio.<name>.*` prefix), instrument and values.

    `values` holds floats in each parameter's unit and strings for options; a granular `file` is a
    built-in sound name or an absolute path the show loader resolved inside the project folder.
    """

    name: str
    instrument: str
    values: Mapping[str, float | str] = field(default_factory=dict)

    def problems(self) -> list[LayerProblem]:
        """Everything wrong with this layer (empty when it can be built)."""
        found = check_layer(self.name, self.instrument, self.values)
        file = self.values.get("file")
        granular = self.instrument == "granular" and isinstance(file, str)
        if granular and file not in BUILTIN_SOUNDS and not Path(str(file)).is_file():
            found.append(LayerProblem("file", f"sound file {file} not found", "a .wav/.aif/.flac file"))
        return found


@dataclass(frozen=True, slots=True)
class Soundscape:
    """An act's soundscape: layers and the act level (`level:` in the show, dB)."""

    layers: tuple[Layer, ...] = ()
    level_db: float = 0.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Soundscape:
        """Build from the show's shape, units parsed: {level: dB, layers: {name: {instrument, ...}}}."""
        layers_data = data.get("layers") or {}
        if not isinstance(layers_data, Mapping):
            raise ValueError("soundscape layers must be a mapping of layer name to instrument and values")
        layers = []
        for name, spec in layers_data.items():
            if not isinstance(spec, Mapping) or "instrument" not in spec:
                raise ValueError(f"layer {name}: needs `instrument:` (one of {', '.join(INSTRUMENTS)})")
            values = {k: v for k, v in spec.items() if k != "instrument"}
            layers.append(Layer(str(name), str(spec["instrument"]), values))
        level = data.get("level", 0.0)
        if not isinstance(level, int | float) or isinstance(level, bool):
            raise ValueError("soundscape level must be a number in dB")
        return cls(tuple(layers), float(level))

    def problems(self) -> list[tuple[str | None, LayerProblem]]:
        """Every problem, each with its layer name (None: the soundscape as a whole)."""
        found: list[tuple[str | None, LayerProblem]] = []
        names: set[str] = set()
        for layer in self.layers:
            if layer.name in names:
                found.append((layer.name, LayerProblem(None, f"layer {layer.name} appears twice", "")))
            names.add(layer.name)
            found.extend((layer.name, p) for p in layer.problems())
        by_name = {layer.name: (layer.instrument, layer.values) for layer in self.layers}
        found.extend((None, p) for p in check_soundscape(by_name))
        return found

    def parameters(self) -> dict[str, ParamSpec]:
        """All `audio.<layer>.<param>` parameters of this soundscape with its values as defaults."""
        out: dict[str, ParamSpec] = {}
        for layer in self.layers:
            out.update(layer_parameters(layer.name, layer.instrument, layer.values))
        return out


SILENCE = Soundscape()


def soundscape_from_show(soundscape: Any, root: Path) -> Soundscape:
    """Convert a loaded show's soundscape (installation.show.model.Soundscape) for the audio side.

    Layer values and options merge into one mapping; a granular `file` written as a project path is made
    absolute against the project folder `root` (built-in sound names stay as they are).
    """
    layers = []
    for layer in soundscape.layers.values():
        values: dict[str, float | str] = dict(layer.values)
        for key, option in layer.options.items():
            spec = INSTRUMENTS[layer.instrument].options.get(key)
            is_path = spec is not None and spec.kind == "file" and option not in spec.choices
            values[key] = str((root / option).resolve()) if is_path else option
        layers.append(Layer(layer.name, layer.instrument, values))
    return Soundscape(tuple(layers), float(soundscape.level_db))


def soundscapes_from_show(show: Any) -> dict[str, Soundscape]:
    """Every act's soundscape of a loaded show (installation.show.model.Show), keyed by act name."""
    return {name: soundscape_from_show(act.soundscape, show.root) for name, act in show.acts.items()}
