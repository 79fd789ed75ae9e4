"""Time load+validate of a generated 1,000-cue show against the YAML parse alone (goal: ≤ 0.3 s).

Run: /work/venv/bin/python bench/show_bench.py [--cues 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_S = 0.3

PAR = """fixture: Bench Par
manufacturer: Bench
kind: wash
modes:
  6ch: [dimmer, red, green, blue, white, strobe]
"""
RIG = """rig: Bench
outputs:
  usb: {type: enttec-usb-pro, port: /dev/null, universe: 1}
fixtures:
  wash1: {profile: par, mode: 6ch, universe: 1, address: 1}
  wash2: {profile: par, mode: 6ch, universe: 1, address: 7}
groups:
  wash: [wash1, wash2]
osc:
  media: {host: 127.0.0.1, port: 7000, addresses: {scene_start: /scene/start}}
"""
SHADER = """/*{"INPUTS": [{"NAME": "glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5}]}*/
void main() { gl_FragColor = vec4(glow); }
"""


def show_text(cues: int, acts: int = 5) -> str:
    """A show with `cues` cues spread over `acts` acts, every cue type, comments included."""
    lines = [
        "# generated benchmark show",
        "show: Bench",
        "rig: hardware/rig.yaml",
        "presence:",
        "  source: synthetic",
        "  zones:",
        "    door: [[0, 0], [0.25, 0], [0.25, 1], [0, 1]]",
        "idle: {act: act0, when_empty_for: 60s}",
        "acts:",
    ]
    per_act = cues // acts
    for a in range(acts):
        lines += [
            f"  act{a}:",
            "    scene: shaders/glow.fs",
            "    scene_inputs: {glow: 40%}",
            "    transition: {time: 4s}",
            "    soundscape:",
            '      level: "-18 dB"',
            "      layers:",
            '        wind: {instrument: noise, color: wind, level: "-24 dB"}',
            "    looks:",
            '      warm: {light.wash.dimmer: "40%", light.wash.color: "#ff8800"}',
            "    mappings:",
            "      - {from: nearest, to: scene.glow, range: [0, 1], out: [0.2, 1.0], smoothing: 2s}",
            "    cues:",
        ]
        n = per_act + (cues % acts if a == acts - 1 else 0)
        i = 0
        while i < n:
            kind = i % 5
            if kind == 3 and i + 3 > n:
                kind = 4
            name = f"a{a}c{i}"
            if kind == 0:
                lines += [
                    f"      - name: {name}   # a fade",
                    '        fade: {light.wash1.dimmer: "60%", scene.glow: 0.8, audio.wind.level: "-12 dB"}',
                    "        duration: 5s",
                    "        curve: s-curve",
                    "        continue: auto-follow",
                ]
            elif kind == 1:
                lines += [
                    f"      - name: {name}",
                    "        look: warm",
                    "        duration: 2s",
                    "        post_wait: 1:30",
                    "        continue: auto-continue",
                ]
            elif kind == 2:
                lines += [
                    f"      - name: {name}",
                    "        osc: {endpoint: media, address: scene_start, args: [1, 0.5, text]}",
                ]
            elif kind == 3:
                lines += [
                    f"      - name: {name}",
                    "        group: playlist",
                    "        loop: true",
                    "        cues:",
                    f"          - {{name: {name}x, wait: 2s}}",
                    f"          - {{name: {name}y, fade: {{light.wash.red: 1}}, duration: 250ms}}",
                ]
                i += 2  # the two children count as cues
            else:
                lines += [f"      - name: {name}", f"        goto: a{a}c0"]
            i += 1
        lines += [
            "    triggers:",
            "      - {when: count >= 1 for 2s, go: next, hysteresis: 0.5}",
            "      - {when: zone door empty for 30s, go: idle}",
            "      - {after: 10min, go: next}",
            '      - {at: "17:55", go: idle}',
            "      - {on: go, go: next}",
        ]
    return "\n".join(lines) + "\n"


def make_project(root: Path, cues: int) -> Path:
    files = {
        "hardware/fixtures/par.yaml": PAR,
        "hardware/rig.yaml": RIG,
        "shaders/glow.fs": SHADER,
        "cues/bench.yaml": show_text(cues),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root / "cues" / "bench.yaml"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (CPU time is steadier on a shared machine)."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cues", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from ruamel.yaml import YAML

    from installation.show.loader import load_show
    from installation.show.tree import parse_text

    with tempfile.TemporaryDirectory() as tmp:
        path = make_project(Path(tmp), args.cues)
        text = path.read_text(encoding="utf-8")
        show = load_show(path)  # warm up imports and check it loads
        total = sum(1 for act in show.acts.values() for _ in act.all_cues())
        rows: list[tuple[str, float, float]] = []
        rows.append(
            (
                "installation load_show (parse + validate + model)",
                *timed(lambda: load_show(path), args.repeat),
            )
        )
        rows.append(
            (
                "  of which: located parse (libyaml compose + tree)",
                *timed(lambda: parse_text(text, "bench.yaml"), args.repeat),
            )
        )
        rows.append(
            (
                "ruamel.yaml round-trip load (parse only)",
                *timed(lambda: YAML(typ="rt").load(text), args.repeat),
            )
        )
        try:
            import yaml

            rows.append(
                (
                    "PyYAML CSafeLoader safe_load (parse only)",
                    *timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader), args.repeat),
                )
            )
        except ImportError:
            pass
    ours = rows[0][1]
    print(f"show: {total} cues in {len(show.acts)} acts, {text.count(chr(10))} lines, {len(text)} bytes")
    print(f"{'what':54} {'wall s':>9} {'cpu s':>9} {'vs ours':>8}")
    for what, wall, cpu in rows:
        print(f"{what:54} {wall:9.4f} {cpu:9.4f} {wall / ours:7.2f}x")
    verdict = "PASS" if ours <= GOAL_S else "FAIL"
    print(f"goal: load+validate ≤ {GOAL_S} s → {verdict} ({ours:.3f} s wall, median of {args.repeat})")
    return 0 if ours <= GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
