"""What the runtime tells the audio side, as messages: shared by AudioOutput and the render recorder."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from installation.audio.catalog import MASTER
from installation.audio.soundscape import SILENCE, Soundscape


class AudioControl(abc.ABC):
    """Turns runtime calls (parameter frames, act changes, panic) into child-protocol messages.

    Only changed `audio.*` values are sent; an act change re-sends the store's values for the new act's
    layers (the parameter store wins over the show's defaults) and lifts a panic mute.
    """

    def __init__(self, soundscapes: Mapping[str, Soundscape]) -> None:
        self.soundscapes = dict(soundscapes)
        self._act: str | None = None
        self._muted = False
        self._sent: dict[str, float] = {}  # every audio.* value as last sent

    @abc.abstractmethod
    def _post(self, message: tuple[Any, ...], now: float) -> None:
        """Deliver one message (see installation.audio.child for the protocol)."""

    def _tick(self, now: float) -> None:
        """Called on every runtime call, after the messages; AudioOutput supervises its child here."""
        del now

    def update(self, params: Mapping[str, float], now: float) -> None:
        """Send the changed `audio.*` values of this output frame."""
        changed = {
            k: float(v) for k, v in params.items() if k.startswith("audio.") and self._sent.get(k) != float(v)
        }
        self._sent.update(changed)
        if changed:
            self._post(("params", changed), now)
        self._tick(now)

    def change_soundscape(self, act: str, transition_s: float, now: float) -> None:
        """Crossfade to an act's soundscape (silence when the act has none); a new act lifts a panic mute."""
        self._act = act
        if self._muted:
            self._muted = False
            self._post(("mute", False, None), now)
        self._post(("soundscape", act, self.soundscapes.get(act, SILENCE), float(transition_s)), now)
        values = self._values_for(act)
        if values:
            self._post(("params", values), now)
        self._tick(now)

    def panic(self, now: float, fade_s: float | None = None) -> None:
        """Mute (over fade_s, default the config's mute fade); stays muted until unmute() or the next act."""
        self._muted = True
        self._post(("mute", True, fade_s), now)
        self._tick(now)

    def unmute(self, now: float, fade_s: float | None = None) -> None:
        """Lift a panic mute (or a blackout)."""
        self._muted = False
        self._post(("mute", False, fade_s), now)
        self._tick(now)

    def handle(self, command: object, now: float) -> bool:
        """Act on an engine Command that concerns audio; True when handled.

        SoundscapeChange → crossfade; Panic → mute over its fade_s; Blackout on → mute, off → unmute.
        """
        kind = type(command).__name__
        if kind == "SoundscapeChange":
            self.change_soundscape(command.act, float(command.transition_s), now)  # type: ignore[attr-defined]
        elif kind == "Panic":
            self.panic(now, float(getattr(command, "fade_s", 0.0)))
        elif kind == "Blackout":
            (self.panic if command.on else self.unmute)(now)  # type: ignore[attr-defined]
        else:
            return False
        return True

    def set_soundscapes(self, soundscapes: Mapping[str, Soundscape]) -> None:
        """Replace the show's soundscapes (after a show reload); takes effect at the next act change."""
        self.soundscapes = dict(soundscapes)

    def _values_for(self, act: str) -> dict[str, float]:
        layers = {layer.name for layer in self.soundscapes.get(act, SILENCE).layers} | {MASTER}
        return {k: v for k, v in self._sent.items() if k.split(".")[1] in layers}
