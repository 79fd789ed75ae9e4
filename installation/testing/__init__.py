"""Public test helpers: the virtual clock, show builders, and fakes that record every call with its time."""

from installation.engine.clock import VirtualClock
from installation.testing.engine import (
    RecordingOutputs,
    TimelineRecorder,
    act,
    light_params,
    make_show,
    step_until,
)

__all__ = [
    "RecordingOutputs",
    "TimelineRecorder",
    "VirtualClock",
    "act",
    "light_params",
    "make_show",
    "step_until",
]
