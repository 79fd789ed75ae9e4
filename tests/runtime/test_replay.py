"""Replaying a recorded day in rehearsal: the panel's replay swaps the camera for the log, 1×–60×."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from installation.engine.presence import Person, Presence, ZoneState
from installation.presence.record import PresenceRecorder
from installation.runtime import Runtime
from tests.runtime.conftest import SHOW, make_project, wait_until

# the test show, with a presence trigger out of the idle act
REPLAY_SHOW = SHOW.replace(
    """    triggers:
      - on: go
        go: streets""",
    """    triggers:
      - when: count >= 1 for 2s
        go: streets""",
)


def _record(path: Path) -> None:
    """A recorded morning: 10 s of an empty room, then a visitor at the screen for 10 minutes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with PresenceRecorder(path, min_interval_s=0.5) as rec:
        for i in range(1221):
            t = i * 0.5
            if t < 10.0:
                rec.write(Presence(t=t))
            else:
                person = Person(id=1, x=0.5, y=0.85, w=0.05, h=0.16, present_s=t - 10.0)
                rec.write(Presence(t=t, count=1, people=(person,),
                                   zones={"screen": ZoneState(1, t - 10.0)}))


def test_a_recorded_day_replayed_at_60x_moves_the_show_like_the_room_did(
    tmp_path: Path, start_runtime: Callable[..., Runtime]
) -> None:
    show = make_project(tmp_path / "project", REPLAY_SHOW)
    _record(tmp_path / "project" / "recordings" / "morning.jsonl")
    runtime = start_runtime(show)
    assert runtime.replay_files() == ["recordings/morning.jsonl"]
    assert runtime.state()["act"] == "attract"

    assert not runtime.replay("../../etc/passwd", 60.0, source="test").ok  # only listed recordings
    assert not runtime.replay("recordings/morning.jsonl", 120.0, source="test").ok  # 1×–60×
    result = runtime.replay("recordings/morning.jsonl", 60.0, source="test")
    assert result.ok, result.message
    view = runtime.presence_view()
    assert view["source"] == "replay" and view["replay"]["file"] == "recordings/morning.jsonl"

    # the room's 10 minutes pass in 10 s at 60×; the show's own hold (`for 2s`) stays in real time:
    # a fast replay compresses what the room did, not the show's clock
    wait_until(lambda: runtime.state()["act"] == "streets", "act streets from the replayed visitor")
    wait_until(lambda: runtime.presence_view()["count"] == 1, "the replayed visitor in the room view")

    assert runtime.replay("", 1.0, source="test").ok
    assert runtime.presence_view()["replay"] is None
    assert not runtime.replay("", 1.0, source="test").ok  # nothing left to stop
