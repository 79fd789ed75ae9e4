"""Journal round trip: an engine rebuilt from its journal line carries on exactly like the original."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from installation.engine import journal
from installation.engine.clock import VirtualClock
from installation.engine.commands import OscSend
from installation.engine.show_engine import Engine
from installation.runtime.core import JOURNAL_MAX_BYTES, Runtime
from installation.show.model import (
    AfterCondition,
    ContinueMode,
    Curve,
    FadeCue,
    GroupCue,
    GroupMode,
    OscCue,
    Trigger,
    WaitCue,
    frozen_map,
)
from installation.testing import RecordingOutputs, TimelineRecorder, act, light_params, make_show
from tests.runtime.conftest import make_project, options

AC, AF = ContinueMode.AUTO_CONTINUE, ContinueMode.AUTO_FOLLOW
DIM, RED = "light.wash.dimmer", "light.wash.red"


def show_under_test():  # type: ignore[no-untyped-def]
    cues = [
        FadeCue(
            name="rise",
            pre_wait_s=1.0,
            duration_s=4.0,
            post_wait_s=2.0,
            continue_mode=AC,
            targets=frozen_map({DIM: 0.8}),
            curve=Curve.S_CURVE,
        ),
        GroupCue(
            name="pulses",
            mode=GroupMode.PLAYLIST,
            loop=True,
            continue_mode=AC,
            post_wait_s=9.0,
            children=(
                FadeCue(name="on", duration_s=1.5, targets=frozen_map({RED: 1.0})),
                FadeCue(name="off", duration_s=1.5, targets=frozen_map({RED: 0.0})),
                OscCue(name="tick", endpoint="media", address="/tick", args=(1,)),
            ),
        ),
        WaitCue(name="hold", duration_s=30.0),
        OscCue(name="bye", endpoint="media", address="/bye"),
    ]
    return make_show(
        [
            act("a", cues, triggers=[Trigger(condition=AfterCondition(after_s=40.0), target="b")]),
            act("b", [WaitCue(name="w", duration_s=5)]),
        ],
        params=light_params(DIM, RED),
    )


def run(engine: Engine, clock: VirtualClock, t_from: float, t_to: float, out: RecordingOutputs) -> None:
    k = 0
    while t_from + k * 0.25 <= t_to:
        clock.jump_to(t_from + k * 0.25)
        engine.tick()
        out.pump(engine)
        k += 1


@pytest.mark.parametrize("cut_s", [0.5, 2.5, 6.25, 9.0, 17.3, 39.9, 41.0])
def test_resumed_engine_continues_exactly_like_the_original(cut_s: float) -> None:
    show = show_under_test()
    clock_a = VirtualClock()
    original = Engine(show, clock_a)
    rec_a = TimelineRecorder()
    original.subscribe(rec_a)
    out_a = RecordingOutputs(clock_a)
    run(original, clock_a, 0.0, cut_s, out_a)
    clock_a.jump_to(cut_s)
    line = journal.encode(original.journal_state())
    assert "\n" not in line

    offset = 5000.0  # a new process: another clock origin
    clock_b = VirtualClock(start=offset + cut_s)
    resumed = Engine.resume(show, clock_b, journal.decode(line))
    rec_b = TimelineRecorder()
    resumed.subscribe(rec_b)
    out_b = RecordingOutputs(clock_b)
    resumed.tick()
    assert resumed.params.snapshot() == pytest.approx(original.params.snapshot())
    out_b.pump(resumed)
    out_b.commands.clear()  # scene/soundscape set-up on resume
    out_a.commands.clear()
    run(original, clock_a, cut_s + 0.25, 60.0, out_a)
    run(resumed, clock_b, offset + cut_s + 0.25, offset + 60.0, out_b)

    def after(rows: list[tuple[float, str, str]], shift: float) -> list[tuple[float, str, str]]:
        return [(round(t - shift, 6), k, c) for t, k, c in rows if t - shift > cut_s + 1e-6]

    kinds = ("start", "action", "end", "stop", "act", "trigger")
    assert after(rec_b.rows(kinds), offset) == after(rec_a.rows(kinds), 0.0)
    osc_a = [(round(t, 6), c.address) for t, c in out_a.commands if isinstance(c, OscSend)]
    osc_b = [(round(t - offset, 6), c.address) for t, c in out_b.commands if isinstance(c, OscSend)]
    assert osc_b == osc_a
    for name in (DIM, RED):
        va = [(round(t, 6), round(v, 9)) for t, v in out_a.values(name) if t > cut_s]
        vb = [(round(t - offset, 6), round(v, 9)) for t, v in out_b.values(name) if t - offset > cut_s + 1e-6]
        assert vb == va, name
    assert resumed.act == original.act


def test_journal_keeps_pause_playhead_and_open_state() -> None:
    show = show_under_test()
    clock = VirtualClock()
    engine = Engine(show, clock)
    engine.tick()
    clock.jump_to(3.0)
    engine.pause()
    state = journal.decode(journal.encode(engine.journal_state()))
    assert state["paused"] is True and state["act"] == "a" and state["time_in_act_s"] == 3.0
    resumed = Engine.resume(show, VirtualClock(100.0), state)
    assert resumed.state().paused is True
    assert resumed.state().playhead == engine.state().playhead
    assert resumed.params.value(DIM) == engine.params.value(DIM)


def test_last_state_skips_a_torn_line_and_other_shows() -> None:
    show = show_under_test()
    engine = Engine(show, VirtualClock())
    good = journal.encode(engine.journal_state())
    other = good.replace('"show":"test show"', '"show":"another"')
    lines = [good, other, good[: len(good) // 2]]
    assert journal.last_state(lines, show_name="test show") == journal.decode(good)
    assert journal.last_state(["", "not json"]) is None
    with pytest.raises(journal.JournalError):
        journal.decode('{"journal": 99}')


def test_resume_from_a_journal_naming_a_removed_act_starts_at_the_start_act() -> None:
    show = show_under_test()
    state = Engine(show, VirtualClock()).journal_state()
    state["act"] = "gone"
    resumed = Engine.resume(show, VirtualClock(), state)
    resumed.tick()
    assert resumed.act == "a"


# ------------------------------------------------------------------------------ a corrupt journal
def _entry(show_name: str = "test show") -> dict[str, Any]:
    """A journal entry mid-show: a cue running, a fade on, the looping group not yet started."""
    show = show_under_test()
    clock = VirtualClock()
    engine = Engine(show, clock)
    engine.tick()
    clock.jump_to(2.0)
    engine.tick()
    state = engine.journal_state()
    assert state["cues"] and state["fades"], state
    return state


def _with(state: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(state)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


_DELETE = object()

BAD_ENTRIES = [
    (("time_in_act_s",), "abc", "time_in_act_s"),
    (("time_in_act_s",), math.nan, "finite"),
    (("time_in_act_s",), math.inf, "finite"),
    (("time_in_act_s",), -5.0, "outside"),
    (("time_in_act_s",), 10**400, "too large"),
    (("time_in_act_s",), True, "number"),
    (("params",), [1, 2], "params"),
    (("params", DIM), "x", "params"),
    (("params", DIM), math.nan, "finite"),
    (("cues", 0, "elapsed_s"), _DELETE, "elapsed_s"),
    (("cues", 0, "elapsed_s"), 1e300, "outside"),
    (("cues", 0, "name"), 3, "text"),
    (("cues", 0), "rise", "object"),
    (("fades", 0, "target"), "x", "target"),
    (("fades", 0, "start_value"), -math.inf, "finite"),
    (("fades", 0, "curve"), "wobble", "curve"),
    (("fades", 0, "paused"), "yes", "paused"),
    (("act",), ["a"], "act"),
    (("open",), 1, "open"),
    (("finished",), {"rise": "maybe"}, "finished"),
    (("playhead",), 7, "playhead"),
    (("surprise",), 1, "unknown key"),
    (("show",), _DELETE, "show"),
]


@pytest.mark.parametrize(("path", "value", "named"), BAD_ENTRIES)
def test_an_entry_with_a_wrong_type_or_a_non_finite_number_is_not_an_entry(
    path: tuple[str | int, ...], value: Any, named: str
) -> None:
    state = _entry()
    line = journal.encode(state)
    bad = json.dumps(_with(state, path, value))  # NaN and Infinity as Python's json writes them
    with pytest.raises(journal.JournalError, match=re.escape(named)):
        journal.decode(bad)
    with pytest.raises(journal.JournalError):
        Engine.from_journal(show_under_test(), VirtualClock(), _with(state, path, value))
    # the newest entry is bad: the one before it is used
    assert journal.last_state([line, bad], show_name="test show") == state


@pytest.mark.parametrize(
    "line",
    [
        b'{"journal":1,"time_in_act_s":1e999}',
        b"\xff",
        b'{"journal":1,"show":"x","time_in_act_s":' + b"9" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        b'"just text"',
        b"",
    ],
)
def test_garbage_lines_are_skipped_not_raised(line: bytes) -> None:
    good = journal.encode(_entry()).encode()
    reading = journal.read([good, line])
    assert reading.state == json.loads(good)
    assert reading.line == 1
    assert reading.corrupt == bool(line)


class _FixedWall:
    def __call__(self) -> dt.datetime:
        return dt.datetime(2026, 6, 2, 12, 0)  # a Tuesday noon: the test show has no opening hours anyway


def _runtime(show: Path, state_dir: Path, clock: VirtualClock | None = None) -> Runtime:
    clock = clock or VirtualClock(0.0)
    return Runtime(show, options(state_dir, log_file=False), clock=clock, wall=_FixedWall())


@pytest.fixture(scope="module")
def journal_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The runtime test project and its journal: attract; GO to streets at 10 s; a 40 s fade from 12 s."""
    root = tmp_path_factory.mktemp("journal")
    show = make_project(root / "project")
    clock = VirtualClock(0.0)
    runtime = _runtime(show, root / "state", clock)
    for t in (0.0, 5.0, 10.0, 12.0, 20.0, 30.0):
        clock.jump_to(t)
        if t == 10.0:
            runtime.engine.go()
        if t == 12.0:
            runtime.engine.start_cue("slow")
        runtime.engine.tick()
        runtime._write_journal(t, force=True)
    data = runtime.journal_path.read_bytes()
    runtime.journal_path.unlink()
    assert data.count(b"\n") == 6
    return show, data


def _start(show: Path, state_dir: Path, data: bytes) -> Runtime:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "show.journal.jsonl").write_bytes(data)
    runtime = _runtime(show, state_dir, VirtualClock(1000.0))
    runtime.engine.tick()  # the restore runs here
    return runtime


def test_a_stray_byte_at_the_end_resumes_from_the_last_good_entry_and_keeps_the_file_aside(
    journal_file: tuple[Path, bytes], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    show, data = journal_file
    corrupt = data + b"\xff\n"  # printf '\xff\n' >> state/show.journal.jsonl
    with caplog.at_level(logging.WARNING):
        runtime = _start(show, tmp_path / "state", corrupt)
    assert runtime.engine.act == "streets"
    assert runtime.engine.time_in_act() == pytest.approx(20.0)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "journal corrupt" in warnings[0] and "line 7" in warnings[0] and "not UTF-8" in warnings[0]
    assert "show.journal.jsonl.corrupt-1" in warnings[0] and "resuming from line 6" in warnings[0]
    assert (tmp_path / "state" / "show.journal.jsonl.corrupt-1").read_bytes() == corrupt
    # a fresh journal holds the entry resumed from: the next start resumes there without a warning
    fresh = (tmp_path / "state" / "show.journal.jsonl").read_bytes()
    assert fresh == data.splitlines(keepends=True)[-1]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = _start(show, tmp_path / "state", fresh)
    assert again.engine.act == "streets" and not caplog.records


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"time_in_act_s":20.0', b'"time_in_act_s":NaN'),  # resumed in the wrong act before
        (b'"time_in_act_s":20.0', b'"time_in_act_s":1e999'),
        (b'"time_in_act_s":20.0', b'"time_in_act_s":"abc"'),
        (b'"elapsed_s":18.0', b'"elapsed_s":"18"'),
        (b'"elapsed_s":18.0', b'"elapsed_s":-18'),
    ],
)
def test_a_bad_newest_entry_resumes_from_the_one_before(
    journal_file: tuple[Path, bytes], tmp_path: Path, old: bytes, new: bytes
) -> None:
    show, data = journal_file
    lines = data.splitlines(keepends=True)
    assert old in lines[-1], lines[-1]
    runtime = _start(show, tmp_path / "state", b"".join([*lines[:-1], lines[-1].replace(old, new)]))
    assert runtime.engine.act == "streets"
    assert runtime.engine.time_in_act() == pytest.approx(10.0)  # the entry written at 20 s
    assert (tmp_path / "state" / "show.journal.jsonl.corrupt-1").exists()


def test_a_journal_with_no_good_entry_starts_fresh_and_a_second_corrupt_file_gets_the_next_number(
    journal_file: tuple[Path, bytes], tmp_path: Path
) -> None:
    show, _ = journal_file
    state = tmp_path / "state"
    for n in (1, 2):
        runtime = _start(show, state, b"\x00\xff garbage\n{\"journal\": 1}\n")
        assert runtime.engine.act == "attract" and runtime.engine.time_in_act() == 0.0
        assert (state / f"show.journal.jsonl.corrupt-{n}").exists()
        assert not (state / "show.journal.jsonl").exists()


def test_rotation_fsyncs_the_new_file_before_the_rename_and_the_folder_after(
    journal_file: tuple[Path, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show, data = journal_file
    runtime = _start(show, tmp_path / "state", data * (JOURNAL_MAX_BYTES // len(data) + 1))
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    runtime._write_journal(1000.0, force=True)
    assert calls == ["fsync file", "replace", "fsync folder"]
    assert runtime.journal_path.read_text().count("\n") == 1


# ------------------------------------------------------------------------------ property: start-up survives
SWAPS: list[Any] = ["abc", "", [1, 2], {}, {"a": 1}, None, True, False, 0, -1, 0.5, 1e4, 4e8, 1e300,
                    10**400, math.nan, math.inf, -math.inf, "gone", "streets"]


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def corrupted(draw: st.DrawFn, data: bytes) -> bytes:
    """The journal after 1-3 faults: truncation, garbage bytes, a value of another type, NaN/Infinity."""
    lines = data.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        fault = draw(st.sampled_from(["truncate", "garbage", "swap", "swap", "delete", "flip"]))
        blob = b"".join(lines)
        if fault == "truncate":
            blob = blob[: draw(st.integers(0, len(blob)))]
        elif fault == "garbage":
            at = draw(st.integers(0, len(blob)))
            blob = blob[:at] + draw(st.binary(min_size=1, max_size=12)) + blob[at:]
        elif fault == "flip":
            at = draw(st.integers(0, max(0, len(blob) - 1)))
            blob = blob[:at] + bytes([draw(st.integers(0, 255))]) + blob[at + 1 :] if blob else blob
        else:
            if not lines:
                continue
            i = draw(st.integers(0, len(lines) - 1))
            try:
                entry = json.loads(lines[i])
            except ValueError:
                continue
            paths = _paths(entry)
            if not paths:
                continue
            path = draw(st.sampled_from(paths))
            entry = _with(entry, path, _DELETE if fault == "delete" else draw(st.sampled_from(SWAPS)))
            lines[i] = json.dumps(entry).encode() + b"\n"  # Python writes NaN, Infinity, -Infinity
            continue
        lines = blob.splitlines(keepends=True)
    return b"".join(lines)


@settings(max_examples=100, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_start_up_always_succeeds_whatever_the_journal_holds(
    journal_file: tuple[Path, bytes], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    show, good = journal_file
    bad = data.draw(corrupted(good))
    state_dir = tmp_path_factory.mktemp("state")
    runtime = _start(show, state_dir, bad)  # construction and the restore: never raises
    assert runtime.engine.act in runtime.show.acts
    runtime.clock.jump_to(1001.0)  # type: ignore[attr-defined]
    runtime.engine.tick()
    journal.validate(runtime.engine.journal_state())
    aside = sorted(p.name for p in state_dir.iterdir() if ".corrupt-" in p.name)
    assert aside == (["show.journal.jsonl.corrupt-1"] if journal.read(bad.splitlines()).corrupt else [])


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(data=st.data())
def test_every_entry_the_reader_accepts_restores(data: st.DataObject) -> None:
    good = journal.encode(_entry()).encode() + b"\n"
    bad = data.draw(corrupted(good + good))
    state = journal.read(bad.splitlines()).state
    if state is None:
        return
    engine = Engine.from_journal(show_under_test(), VirtualClock(500.0), state)
    engine.tick()
    assert engine.act in ("a", "b")
    engine.clock.jump_to(560.0)  # type: ignore[attr-defined]
    engine.tick()


SAME_TYPE: dict[type, list[Any]] = {
    str: ["gone", "", "a", "b", "rise", "pulses", "on", "hold", DIM, "linear", "exponential", "done"],
    float: [0.0, -1.0, 0.5, 2.0, 1e4, -1e4],  # bounded: replaying a looping cue costs its elapsed time
    int: [0, 1, -1, 7],
    bool: [True, False],
}


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(cut=st.sampled_from([0.5, 2.5, 9.0, 17.3, 41.0]), data=st.data())
def test_an_entry_of_the_right_shape_with_odd_names_and_values_restores(
    cut: float, data: st.DataObject
) -> None:
    show = show_under_test()
    clock = VirtualClock()
    engine = Engine(show, clock)
    run(engine, clock, 0.0, cut, RecordingOutputs(clock))
    state = engine.journal_state()
    for _ in range(data.draw(st.integers(1, 5))):
        path = data.draw(st.sampled_from(_paths(state)))
        old: Any = state
        for key in path:
            old = old[key]
        if type(old) in SAME_TYPE and path != ("journal",):
            state = _with(state, path, data.draw(st.sampled_from(SAME_TYPE[type(old)])))
    try:
        state = journal.validate(state)
    except journal.JournalError:
        return  # e.g. a curve or a finished status that is not one: the reader skips such an entry
    resumed = Engine.from_journal(show, VirtualClock(500.0), state)
    resumed.tick()
    assert resumed.act in ("a", "b")
    resumed.clock.jump_to(600.0)  # type: ignore[attr-defined]
    resumed.tick()
    journal.validate(resumed.journal_state())
