"""`installation test`: run a show in virtual time under an audience script; timeline and `expect:` results.

The audience script's t = 0 is the engine's clock 0 and, for opening hours and `at:` triggers, a local
datetime (`start`, by default the first opening at or after Monday 1 June 2026 10:00). Presence is fed
every `tick_s` while anyone is in view; through quiet stretches the run jumps straight to the next thing
that can happen (a timer, a script event, a fade landing, an hours change, an `at:` time), so a
24-hour day runs in seconds. Cue times are exact either way: the engine schedules from scheduled times.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from installation.engine.clock import VirtualClock
from installation.engine.commands import Blackout, TimelineEvent
from installation.engine.opening import OpeningHours
from installation.engine.params import Fade
from installation.engine.schedule import first_opening, is_open, seconds_since_midnight, transitions
from installation.engine.show_engine import Engine, EngineError
from installation.offline.audience import AudienceScript, OperatorEvent
from installation.rig.dmx import DmxEngine
from installation.show.model import (
    ActAtExpect,
    AtCondition,
    CueStartExpect,
    DmxAtExpect,
    Expect,
    NeverReachesExpect,
    ParamAtExpect,
    ReachesExpect,
    Show,
)

DEFAULT_START = dt.datetime(2026, 6, 1, 10, 0)  # a Monday morning
_EPS = 1e-9


def format_time(t: float) -> str:
    """Script time to the millisecond: h:mm:ss.sss, or m:ss.sss under an hour."""
    sign = "-" if t < 0 else ""
    ms = round(abs(t) * 1000.0)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    if h:
        return f"{sign}{h}:{m:02d}:{s:02d}.{ms:03d}"
    return f"{sign}{m}:{s:02d}.{ms:03d}"


@dataclass(frozen=True, slots=True)
class ParamChange:
    """A parameter changing from t0 to t1: one fade, or other changes coalesced over consecutive steps."""

    t0: float
    t1: float
    name: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class ExpectResult:
    """One `expect:` entry checked against this run."""

    text: str
    passed: bool
    detail: str
    where: str = ""


@dataclass
class TestReport:
    """What `installation test` prints: act changes, cue starts/ends, parameter changes and expect results."""

    __test__ = False  # not a pytest class

    show: str
    audience: str
    duration_s: float
    start: dt.datetime
    timeline: list[TimelineEvent] = field(default_factory=list)
    params: list[ParamChange] = field(default_factory=list)
    expects: list[ExpectResult] = field(default_factory=list)
    steps: int = 0
    wall_s: float = 0.0

    @property
    def passed(self) -> bool:
        """Every expect held."""
        return all(e.passed for e in self.expects)

    @property
    def acts(self) -> list[tuple[float, str]]:
        """(t, act) for every act entered, in order."""
        return [(e.t, e.act) for e in self.timeline if e.kind == "act"]

    def acts_entered(self, act: str) -> list[float]:
        """The times `act` was entered."""
        return [t for t, name in self.acts if name == act]

    @property
    def refused(self) -> list[TimelineEvent]:
        """Operator actions the engine refused (a GO or a go-to-act while the show was closed)."""
        closed_go = ("go-ignored", "closed")
        return [e for e in self.timeline if e.kind == "refused" or (e.kind, e.detail) == closed_go]

    def act_at(self, t: float) -> str | None:
        """The current act at script time t."""
        current: str | None = None
        for at, name in self.acts:
            if at > t + _EPS:
                break
            current = name
        return current

    def format(self, *, params: bool = True, nested: bool = False) -> str:
        """The printable report; `nested` also lists the cues inside groups."""
        rows: list[tuple[float, int, str]] = []
        started: dict[str, float] = {}
        for i, e in enumerate(self.timeline):
            if not nested and e.detail.startswith("in "):
                continue
            if e.kind == "start":
                started[e.cue] = e.t
            if e.kind == "action" and started.get(e.cue) == e.t:
                continue  # no pre-wait: the start line says it
            what = {"act": f"ACT {e.act}", "trigger": "trigger"}.get(e.kind, e.kind)
            if e.kind in ("operator", "refused"):  # what the script's operator did, and what was refused
                text = f"{what:<10} {e.detail}"
            else:
                text = f"{what:<10} {e.cue}".rstrip()
                if e.detail:
                    text += f"  ({e.detail})"
            if e.kind not in ("act",):
                text = f"  {e.act:<12} " + text
            rows.append((e.t, i, text))
        if params:
            for j, p in enumerate(self.params):
                span = format_time(p.t0) if p.t1 <= p.t0 else f"{format_time(p.t0)}–{format_time(p.t1)}"
                rows.append(
                    (
                        p.t0,
                        len(self.timeline) + j,
                        f"  {'':<12} param      {p.name} {p.start:.3g} → {p.end:.3g}  [{span}]",
                    )
                )
        rows.sort(key=lambda r: (r[0], r[1]))
        lines = [
            f"show {self.show!r} under audience {self.audience!r}: {format_time(self.duration_s)} "
            f"of show time from {self.start:%a %Y-%m-%d %H:%M} in {self.wall_s:.2f} s ({self.steps} steps)"
        ]
        lines += [f"{format_time(t):>12}  {text}" for t, _, text in rows]
        refused = self.refused
        if refused:
            lines.append(f"operator: {len(refused)} action(s) refused, first at {format_time(refused[0].t)}")
        if self.expects:
            lines.append("expect:")
            for r in self.expects:
                mark = "ok  " if r.passed else "FAIL"
                where = f"{r.where}: " if r.where and not r.passed else ""
                lines.append(f"  {mark} {where}{r.text} — {r.detail}")
            failed = sum(1 for r in self.expects if not r.passed)
            lines.append(f"{len(self.expects) - failed} passed, {failed} failed")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


# ----------------------------------------------------------------------------------------- expects


@dataclass(frozen=True, slots=True)
class Sample:
    """The show at one script time a `param_at` or `dmx_at` asks about: parameters, act, DMX universes."""

    t: float
    act: str | None
    params: Mapping[str, float]
    dmx: Mapping[int, bytes] = field(default_factory=dict)  # universe → its 512 channels as sent


def _value_text(value: float, unit: str) -> str:
    return f"{value:.4g} {unit}" if unit else f"{value:.4g}"


def _dmx_where(e: DmxAtExpect) -> str:
    channel = f"{e.universe}/{e.channel}"
    return f"{e.fixture}.{e.attribute} ({channel})" if e.fixture else channel


def _expect_text(e: Expect) -> str:
    who = f"[{e.audience}] " if e.audience else ""
    if isinstance(e, ReachesExpect):
        by = f" by {format_time(e.by_s)}" if e.by_s is not None else ""
        return f"{who}reaches {e.act}{by}"
    if isinstance(e, NeverReachesExpect):
        return f"{who}never reaches {e.act}"
    if isinstance(e, ActAtExpect):
        return f"{who}act at {format_time(e.time_s)} is {e.act}"
    if isinstance(e, CueStartExpect):
        return f"{who}cue {e.cue} of {e.act} starts at {format_time(e.time_s)} ± {e.tolerance_s:g}s"
    if isinstance(e, ParamAtExpect):
        wanted: list[str] = []
        for name, v in e.values.items():
            unit = e.units.get(name, "")
            wanted.append(f"{name} is {_value_text(v, unit)} ± {_value_text(e.tolerances[name], unit)}")
        return f"{who}at {format_time(e.time_s)} " + ", ".join(wanted)
    return f"{who}at {format_time(e.time_s)} DMX {_dmx_where(e)} is {e.value} ± {e.tolerance}"


def _check_cue_start(e: CueStartExpect, report: TestReport) -> tuple[bool, str]:
    starts = [ev.t for ev in report.timeline if ev.kind == "start" and ev.act == e.act and ev.cue == e.cue]
    if not starts:
        if not report.acts_entered(e.act):
            return False, f"never started: act {e.act} was never entered"
        first = format_time(report.acts_entered(e.act)[0])
        return False, f"never started (act {e.act} was entered at {first})"
    best = min(starts, key=lambda t: abs(t - e.time_s))
    off = best - e.time_s
    where = f"started at {format_time(best)}"
    if len(starts) > 1:
        where = f"nearest of {len(starts)} starts at {format_time(best)}"
    if abs(off) <= e.tolerance_s + _EPS:
        return True, where
    late = "late" if off > 0 else "early"
    return False, f"{where}: {abs(off):.3f} s {late} (tolerance {e.tolerance_s:g} s)"


def _check_param(e: ParamAtExpect, sample: Sample) -> tuple[bool, str]:
    found: list[str] = []
    wrong: list[str] = []
    for name, want in e.values.items():
        unit = e.units.get(name, "")
        if name not in sample.params:
            wrong.append(f"{name} is not a parameter of act {sample.act} (the act then)")
            continue
        got = sample.params[name]
        text = f"was {_value_text(got, unit)}"
        if len(e.values) > 1:
            text = f"{name} {text}"
        if abs(got - want) <= e.tolerances[name] + _EPS:
            found.append(text)
        else:
            wrong.append(f"{text}, {_value_text(abs(got - want), unit)} off")
    if wrong:
        return False, "; ".join(wrong)
    return True, "; ".join(found)


def _check_dmx(e: DmxAtExpect, sample: Sample) -> tuple[bool, str]:
    frame = sample.dmx.get(e.universe)
    if frame is None:
        return False, f"universe {e.universe} was not rendered (the show has no rig)"
    got = frame[e.channel - 1]
    if abs(got - e.value) <= e.tolerance:
        return True, f"was {got}"
    return False, f"was {got}, {abs(got - e.value)} off"


def probe_times(expects: tuple[Expect, ...], audience: str) -> list[float]:
    """The script times at which the run must look at parameters and DMX for these expects."""
    return sorted(
        {
            e.time_s
            for e in expects
            if isinstance(e, ParamAtExpect | DmxAtExpect) and e.audience in (None, audience)
        }
    )


def check_expects(
    expects: tuple[Expect, ...], report: TestReport, samples: Mapping[float, Sample] | None = None
) -> list[ExpectResult]:
    """Check the expects that apply to this audience against a run's timeline and its samples."""
    out: list[ExpectResult] = []
    entered = report.acts
    for e in expects:
        if e.audience is not None and e.audience != report.audience:
            continue
        text = _expect_text(e)
        where = str(e.pos)
        if isinstance(e, ReachesExpect):
            times = [t for t, a in entered if a == e.act]
            if not times:
                out.append(ExpectResult(text, False, f"never entered {e.act}", where))
            elif e.by_s is not None and times[0] > e.by_s + _EPS:
                out.append(
                    ExpectResult(text, False, f"entered {e.act} only at {format_time(times[0])}", where)
                )
            else:
                out.append(ExpectResult(text, True, f"entered at {format_time(times[0])}", where))
        elif isinstance(e, NeverReachesExpect):
            times = [t for t, a in entered if a == e.act]
            if times:
                out.append(ExpectResult(text, False, f"entered {e.act} at {format_time(times[0])}", where))
            else:
                out.append(ExpectResult(text, True, "never entered", where))
        elif isinstance(e, ActAtExpect):
            actual = report.act_at(e.time_s)
            out.append(ExpectResult(text, actual == e.act, f"act then: {actual}", where))
        elif isinstance(e, CueStartExpect):
            out.append(ExpectResult(text, *_check_cue_start(e, report), where))
        else:
            sample = (samples or {}).get(e.time_s)
            if e.time_s > report.duration_s + _EPS:
                ok, detail = False, f"the script ends at {format_time(report.duration_s)}, before this time"
            elif sample is None:
                ok, detail = False, "not sampled in this run"
            elif isinstance(e, ParamAtExpect):
                ok, detail = _check_param(e, sample)
            else:
                ok, detail = _check_dmx(e, sample)
            out.append(ExpectResult(text, ok, detail, where))
    return out


# ------------------------------------------------------------------------------------------ the run


class _ParamRecorder:
    """Parameter changes as spans: every fade whole, from its start to where it landed or was cut off;
    other changes (snaps, mappings, operator sets) coalesced over consecutive steps."""

    def __init__(self, engine: Engine) -> None:
        self.store = engine.params
        self.version = 0
        self.values: dict[str, float] = {}
        self.fades: dict[str, tuple[Fade, float, float]] = {}  # name → (fade, t0, value at t0)
        self.open: dict[str, list[float]] = {}  # other changes: name → [t0, t1, start, end]
        self.last_step: dict[str, int] = {}
        self.step = 0
        self.out: list[ParamChange] = []

    def baseline(self, t: float) -> None:
        """Take the values at the start as they are (they are the act's initial values, not changes)."""
        self.values = self.store.snapshot()
        self.version = self.store.version
        for f in self.store.fades():
            self.fades[f.name] = (f, f.start_t, f.start_value)

    def record(self, t: float) -> None:
        store = self.store
        changed = store.changed_since(self.version) if store.version != self.version else {}
        self.version = store.version
        self.step += 1
        running = {f.name: f for f in store.fades()}
        faded: set[str] = set()
        for name, (fade, t0, v0) in list(self.fades.items()):
            now_fade = running.get(name)
            if now_fade is fade:
                faded.add(name)
                continue
            del self.fades[name]
            faded.add(name)
            if now_fade is not None and now_fade.start_t < fade.end_t:  # cut off by the next fade
                t1, v1 = max(t0, now_fade.start_t), now_fade.start_value
            elif now_fade is None and t < fade.end_t - _EPS:  # stopped (a stop, an act change, panic)
                t1 = t
                v1 = store.value(name) if name in store else fade.value_at(t)
            else:  # landed
                t1, v1 = fade.end_t, fade.target
            self._add(t0, t1, name, v0, v1)
        for name, f in running.items():
            if name not in self.fades:
                self.fades[name] = (f, f.start_t, f.start_value)
                faded.add(name)
        for name, value in changed.items():
            if name not in faded:
                seg = self.open.get(name)
                if seg is not None and self.last_step.get(name) == self.step - 1:
                    seg[1], seg[3] = t, value
                else:
                    if seg is not None:
                        self._close(name)
                    self.open[name] = [t, t, self.values.get(name, value), value]
                self.last_step[name] = self.step
            self.values[name] = value
        for name in [n for n in self.open if self.last_step.get(n, 0) < self.step]:
            self._close(name)

    def _add(self, t0: float, t1: float, name: str, start: float, end: float) -> None:
        if start != end:
            self.out.append(ParamChange(t0, t1, name, start, end))

    def _close(self, name: str) -> None:
        t0, t1, start, end = self.open.pop(name)
        self._add(t0, t1, name, start, end)

    def finish(self, t: float) -> list[ParamChange]:
        for name, (fade, t0, v0) in list(self.fades.items()):  # still running when the script ends
            self._add(t0, t, name, v0, self.store.value_at(name, t) if name in self.store else fade.target)
        self.fades.clear()
        for name in list(self.open):
            self._close(name)
        self.out.sort(key=lambda p: (p.t0, p.name))
        return self.out


class _Hours:
    """Open or closed as a live run decides it: the opening hours and the operator's open/close now."""

    def __init__(self, show: Show, start: dt.datetime, duration_s: float) -> None:
        self.start = start
        self.opening = OpeningHours(lambda: show.hours, lambda: start, honour=True)
        end = start + dt.timedelta(seconds=duration_s)
        self.changes = [(when - start).total_seconds() for when, _ in transitions(show.hours, start, end)]
        self.i = 0
        self.until_t: float | None = None  # when the operator's override ends

    def when(self, t: float) -> dt.datetime:
        return self.start + dt.timedelta(seconds=t)

    def open_at(self, t: float) -> bool:
        return self.opening.open_at(self.when(t))

    def next_change(self, t: float) -> float:
        """The next time after t the schedule changes or an override ends."""
        while self.i < len(self.changes) and self.changes[self.i] <= t + _EPS:
            self.i += 1
        nxt = self.changes[self.i] if self.i < len(self.changes) else math.inf
        if self.until_t is not None and self.until_t > t + _EPS:
            nxt = min(nxt, self.until_t)
        return nxt

    def due(self, t1: float) -> bool:
        """True when the schedule changed or an override ended by t1 (after `next_change()` of the step)."""
        changed = self.i < len(self.changes) and self.changes[self.i] <= t1 + _EPS
        if self.until_t is not None and self.until_t <= t1 + _EPS:
            self.opening.expire(self.when(self.until_t))
            self.until_t = None
            changed = True
        return changed

    def override(self, open_: bool, until: str, t: float) -> None:
        o = self.opening.set_override(open_, until, self.when(t), "audience script")
        self.until_t = (o.until - self.start).total_seconds()

    def follow_schedule(self) -> None:
        self.opening.clear()
        self.until_t = None


def _operate(
    engine: Engine, hours: _Hours, e: OperatorEvent, t: float, timeline: list[TimelineEvent]
) -> None:
    """Do what the operator does at t; a refusal (the show is closed) goes on the timeline."""
    timeline.append(TimelineEvent(t, "operator", engine.act or "", detail=e.text))
    try:
        if e.action == "go":
            engine.go()
        elif e.action == "stop":
            engine.stop()
        elif e.action == "panic":
            engine.panic()
        elif e.action == "pause":
            engine.pause()
        elif e.action == "resume":
            engine.resume_playback()
        elif e.action == "goto":
            engine.goto_act(e.act or "")
        elif e.action in ("open", "close"):
            hours.override(e.action == "open", e.until or "", t)
            engine.set_open(hours.open_at(t))
        elif e.action == "schedule":
            hours.follow_schedule()
            engine.set_open(hours.open_at(t))
        else:  # the parser admits only OPERATOR_ACTIONS
            raise EngineError(f"no operator action {e.action!r}")
    except EngineError as exc:
        timeline.append(TimelineEvent(t, "refused", engine.act or "", detail=f"{e.text}: {exc}"))


def run_show_test(
    show: Show,
    script: AudienceScript,
    *,
    tick_s: float = 0.1,
    start: dt.datetime | None = None,
    params: bool = True,
    engine_options: Mapping[str, Any] | None = None,
) -> TestReport:
    """Run `show` in virtual time under `script` and check the show's expects; fast and deterministic.

    The script's operator events happen after the presence of their instant. Raises ShowError when the
    script names zones or acts the show does not have.
    """
    if not tick_s > 0:
        raise ValueError("tick_s must be > 0")
    wall0 = time.perf_counter()
    zones = show.presence.zones
    script.check_show(zones, show.act_names)
    start_dt = start if start is not None else first_opening(show.hours, DEFAULT_START)
    tod0 = seconds_since_midnight(start_dt)
    clock = VirtualClock(0.0)

    def time_of_day() -> float:
        return (tod0 + clock.now()) % 86400.0

    engine = Engine(
        show,
        clock,
        time_of_day=time_of_day,
        is_open=is_open(show.hours, start_dt),
        **dict(engine_options or {}),
    )
    timeline: list[TimelineEvent] = []
    engine.subscribe(timeline.append)
    recorder = _ParamRecorder(engine)
    duration = script.duration_s
    hours = _Hours(show, start_dt, duration)
    operator = script.operator
    change_times = script.change_times(zones)
    busy = script.busy_intervals(zones)
    busy_starts = [a for a, _ in busy]

    def in_view(t0: float, t1: float) -> bool:
        i = bisect.bisect_right(busy_starts, t1) - 1
        return i >= 0 and busy[i][1] > t0

    at_times = {
        name: [trig.condition.time_of_day_s for trig in a.triggers if isinstance(trig.condition, AtCondition)]
        for name, a in show.acts.items()
    }

    def next_at_time(t: float) -> float:
        times = at_times.get(engine.act or "")
        if not times:
            return math.inf
        tod = (tod0 + t) % 86400.0
        best = math.inf
        for at in times:
            delta = (at - tod) % 86400.0
            best = min(best, t + (delta if delta > _EPS else 86400.0))
        return best

    steps = 0
    t = 0.0
    op_i = 0
    probes = probe_times(show.expects, script.name)
    probe_i = 0
    samples: dict[float, Sample] = {}
    wants_dmx = any(isinstance(e, DmxAtExpect) and e.audience in (None, script.name) for e in show.expects)
    dmx = DmxEngine(show.rig) if wants_dmx and show.rig is not None else None
    blackout = False

    def operate_until(t: float) -> None:
        nonlocal op_i
        while op_i < len(operator) and operator[op_i].at_s <= t + _EPS:
            _operate(engine, hours, operator[op_i], t, timeline)
            op_i += 1

    def sample_until(t: float) -> None:
        """Look at the show for the expects that ask about this time (the commands say if it is dark)."""
        nonlocal probe_i, blackout
        for command in engine.drain_commands():
            if isinstance(command, Blackout):
                blackout = command.on
        while probe_i < len(probes) and probes[probe_i] <= t + _EPS:
            values = engine.params.snapshot()
            frames: dict[int, bytes] = {}
            if dmx is not None:  # the rig's own rendering: limits, inversion, virtual dimmers, blackout
                dmx.set_params(values)
                dmx.blackout = blackout
                dmx.render()
                frames = {u: bytes(dmx.universe(u)) for u in dmx.universe_numbers}
            samples[probes[probe_i]] = Sample(probes[probe_i], engine.act, values, frames)
            probe_i += 1

    engine.presence(script.presence_at(0.0, zones))
    operate_until(0.0)
    sample_until(0.0)
    if params:
        recorder.baseline(0.0)
    change_i = 0
    while t < duration:
        k = math.floor(t / tick_s + _EPS)
        grid_next = (k + 1) * tick_s
        t_exact = min(duration, next_at_time(t), hours.next_change(t))
        while change_i < len(change_times) and change_times[change_i] <= t + _EPS:
            change_i += 1
        if change_i < len(change_times):
            t_exact = min(t_exact, change_times[change_i])
        if op_i < len(operator):
            t_exact = min(t_exact, operator[op_i].at_s)
        if probe_i < len(probes):
            t_exact = min(t_exact, probes[probe_i])
        deadline = engine.next_deadline()  # a step there too: what a timer changes is stamped exactly
        if deadline is not None and deadline > t + _EPS:
            t_exact = min(t_exact, deadline)
        if engine.params.settling() or (engine.is_open and in_view(t, min(grid_next, t_exact))):
            t_next = min(grid_next, t_exact)  # presence moves or a mapping glides: sample every tick
        else:
            candidates = [t_exact]
            fade_end = engine.params.next_fade_end()
            if fade_end is not None and fade_end > t + _EPS:
                candidates.append(fade_end)
            t_next = min(candidates)
        clock.jump_to(t_next)
        if hours.due(t_next):
            engine.set_open(hours.open_at(t_next))
        engine.presence(script.presence_at(t_next, zones))  # advances the engine to t_next first
        operate_until(t_next)
        sample_until(t_next)
        if params:
            recorder.record(t_next)
        t = t_next
        steps += 1
    report = TestReport(
        show=show.name,
        audience=script.name,
        duration_s=duration,
        start=start_dt,
        timeline=timeline,
        params=recorder.finish(duration) if params else [],
        steps=steps,
    )
    report.expects = check_expects(show.expects, report, samples)
    report.wall_s = time.perf_counter() - wall0
    return report
