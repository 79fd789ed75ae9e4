"""Rig output benchmark: fades on 64 Art-Net universes at 44 Hz, ours vs pyartnet, plus refresh jitter.

Run: `python bench/rig_bench.py [--seconds 5] [--rounds 3]`. A separate sink process receives every packet
on loopback (so its work is not counted), counts frames per universe and measures the on-the-wire refresh
period. Ours and pyartnet run in alternating rounds (a busy neighbour on a shared machine then slows both
alike) and the medians are compared. CPU is the process's user + system time over the window: the kernel's
work of sending (on loopback, also of delivering) the packets counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from installation.rig.output import RigOutput
from installation.rig.refresh import RefreshLoop
from installation.rig.rigfile import load_rig

UNIVERSES = 64
PIXELS = 170  # RGB pixels per universe: 510 channels
RATE_HZ = 44.0
FADE_S = 2.0

SINK = textwrap.dedent("""
    import json, socket, sys, time, select
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1], flush=True)
    counts = {}
    times = []
    recording = False
    while True:
        r, _, _ = select.select([s, sys.stdin], [], [], 0.5)
        if sys.stdin in r:
            cmd = sys.stdin.readline().strip()
            if cmd == "start":
                counts, times, recording = {}, [], True
            elif cmd == "stop":
                print(json.dumps({"counts": counts, "times": times}), flush=True)
                counts, times, recording = {}, [], False
            elif cmd in ("quit", ""):
                break
        if s in r:
            while True:
                try:
                    data = s.recv(2048, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                if not recording or data[8:10] != b"\\x00\\x50":
                    continue
                u = data[14] | (data[15] << 8)
                counts[u] = counts.get(u, 0) + 1
                if u == 0:
                    times.append(time.monotonic())
""")


class Sink:
    """The receiving end, in its own process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SINK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def _cmd(self, cmd: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def start(self) -> None:
        self._cmd("start")

    def stop(self) -> dict:
        self._cmd("stop")
        assert self.proc.stdout is not None
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self._cmd("quit")
        self.proc.wait(timeout=5)


def wire_stats(result: dict, seconds: float) -> tuple[float, float, float]:
    """(frames per second per universe, p99 |period − 1/44 s| in ms, universes seen)."""
    counts = result["counts"]
    fps = float(np.mean(list(counts.values()))) / seconds if counts else 0.0
    t = np.asarray(result["times"])
    jitter = float(np.percentile(np.abs(np.diff(t) - 1 / RATE_HZ), 99)) * 1e3 if len(t) > 2 else float("nan")
    return fps, jitter, float(len(counts))


def make_rig(folder: Path, sink_port: int):
    hw = folder / "hardware"
    (hw / "fixtures").mkdir(parents=True)
    (hw / "fixtures" / "rgb-pixel.yaml").write_text(
        "fixture: RGB Pixel\nkind: pixel\nmodes:\n  3ch: [red, green, blue]\n"
    )
    lines = [
        "rig: Bench",
        "outputs:",
        "  node:",
        "    type: artnet",
        "    host: 127.0.0.1",
        f"    port: {sink_port}",
        f"    universes: [{', '.join(str(u) for u in range(1, UNIVERSES + 1))}]",
        "    net_universe: 0",
        "fixtures:",
    ]
    lines += [
        f"  u{u}px: {{profile: rgb-pixel, universe: {u}, address: 1, count: {PIXELS}}}"
        for u in range(1, UNIVERSES + 1)
    ]
    (hw / "rig.yaml").write_text("\n".join(lines) + "\n")
    return load_rig(hw / "rig.yaml", folder)


def cpu_window(seconds: float) -> tuple[float, float]:
    return time.process_time(), time.monotonic()


def run_ours(sink: Sink, seconds: float, warmup_s: float) -> dict:
    with tempfile.TemporaryDirectory() as d:
        t = time.monotonic()
        rig = make_rig(Path(d), sink.port)
        out = RigOutput(rig)
        load_s = time.monotonic() - t
    names = out.engine.param_names
    values = out.engine.vector  # the fades write into the engine's parameter vector in place
    # every pixel's red, green and blue (its virtual dimmer stays at full): where they sit in the vector
    slots = np.asarray(
        [out.engine.param_slot[f"light.{fx}.{c}"] for fx in rig.fixtures for c in ("red", "green", "blue")]
    )
    lo, hi = int(slots.min()), int(slots.max()) + 1
    assert hi - lo == len(slots), "the colours are one block of the vector"
    colours = values[lo:hi]
    rng = np.random.default_rng(1)
    low = rng.uniform(0.0, 0.5, colours.shape).astype(colours.dtype)
    high = rng.uniform(0.5, 1.0, colours.shape).astype(colours.dtype)
    starts, deltas = (low, high), (high - low, low - high)  # fade up to `high`, then back down to `low`
    t0 = time.monotonic()

    def tick(now: float) -> None:  # linear fades of every channel between two random looks, FADE_S each
        n, p = divmod((now - t0) / FADE_S, 1.0)
        np.multiply(deltas[int(n) % 2], p, out=colours)
        np.add(colours, starts[int(n) % 2], out=colours)
        out.update_vector(values, now)

    out.open()
    loop = RefreshLoop(tick, RATE_HZ)
    loop.start()
    time.sleep(warmup_s)
    sink.start()
    c0, w0 = time.process_time(), time.monotonic()
    time.sleep(seconds)
    c1, w1 = time.process_time(), time.monotonic()
    wire = sink.stop()
    loop.stop()
    out.close()
    fps, wire_jitter_ms, seen = wire_stats(wire, w1 - w0)

    # the Mapping path the runtime uses: one frame from a full store snapshot (light params of this rig)
    snapshot = dict(zip(names, values.tolist(), strict=True))
    frames = 50
    s = time.perf_counter()
    for i in range(frames):
        snapshot[names[i]] = 0.5
        out.update(snapshot, 0.0)
    mapping_frame_ms = (time.perf_counter() - s) / frames * 1e3
    return {
        "cpu": (c1 - c0) / (w1 - w0),
        "fps": fps,
        "wire_jitter_ms": wire_jitter_ms,
        "universes": seen,
        "loop_jitter_ms": loop.jitter_s(99) * 1e3,
        "overruns": loop.overruns,
        "params": len(names),
        "fixtures": len(rig.fixtures),
        "load_s": load_s,
        "mapping_frame_ms": mapping_frame_ms,
        "channels": UNIVERSES * PIXELS * 3,
    }


async def _pyartnet(sink: Sink, seconds: float, warmup_s: float, per_fixture: bool) -> dict:
    from pyartnet import ArtNetNode

    node = ArtNetNode.create("127.0.0.1", sink.port, max_fps=int(RATE_HZ), refresh_every=1.0)
    async with node:
        return await _pyartnet_run(node, sink, seconds, warmup_s, per_fixture)


async def _pyartnet_run(node, sink: Sink, seconds: float, warmup_s: float, per_fixture: bool) -> dict:
    channels = []
    for u in range(UNIVERSES):
        universe = node.add_universe(u)
        if per_fixture:
            channels += [universe.add_channel(start=1 + 3 * p, width=3) for p in range(PIXELS)]
        else:
            channels.append(universe.add_channel(start=1, width=3 * PIXELS))
    rng = np.random.default_rng(1)
    up = True

    async def fades() -> None:
        nonlocal up
        while True:
            for ch in channels:
                target = rng.integers(128, 256, ch._width) if up else rng.integers(0, 128, ch._width)
                ch.set_fade([int(v) for v in target], int(FADE_S * 1000))
            up = not up
            await asyncio.sleep(FADE_S)

    task = asyncio.create_task(fades())
    await asyncio.sleep(warmup_s)
    sink.start()
    c0, w0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    c1, w1 = time.process_time(), time.monotonic()
    wire = sink.stop()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    fps, wire_jitter_ms, seen = wire_stats(wire, w1 - w0)
    return {
        "cpu": (c1 - c0) / (w1 - w0),
        "fps": fps,
        "wire_jitter_ms": wire_jitter_ms,
        "universes": seen,
        "objects": len(channels),
    }


def run_pyartnet(sink: Sink, seconds: float, warmup_s: float, per_fixture: bool) -> dict:
    return asyncio.run(_pyartnet(sink, seconds, warmup_s, per_fixture))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement window per run (s)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up before measuring (s)")
    parser.add_argument("--skip-per-fixture", action="store_true", help="skip pyartnet with 10,880 channels")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternate ours and pyartnet this many times; report medians"
    )
    args = parser.parse_args()

    sink = Sink()
    runs: dict[str, list[dict]] = {"ours": [], "peer": [], "peer_fx": []}
    try:
        for _ in range(max(1, args.rounds)):  # alternating, so a noisy neighbour hits both sides alike
            runs["ours"].append(run_ours(sink, args.seconds, args.warmup))
            runs["peer"].append(run_pyartnet(sink, args.seconds, args.warmup, per_fixture=False))
        if not args.skip_per_fixture:
            runs["peer_fx"].append(run_pyartnet(sink, args.seconds, args.warmup, per_fixture=True))
    finally:
        sink.close()

    def median_run(rs: list[dict]) -> dict:
        return sorted(rs, key=lambda r: r["cpu"])[len(rs) // 2]

    ours, peer = median_run(runs["ours"]), median_run(runs["peer"])
    peer_fx = runs["peer_fx"][0] if runs["peer_fx"] else None
    round_ratios = [p["cpu"] / o["cpu"] for o, p in zip(runs["ours"], runs["peer"], strict=True)]

    cores = os.cpu_count()
    print(
        f"\nRig bench: fades on {UNIVERSES} Art-Net universes × {PIXELS * 3} channels "
        f"({ours['channels']:,} channels) at {RATE_HZ:g} Hz, {args.seconds:g} s windows, "
        f"median of {len(runs['ours'])} alternating rounds, "
        f"{cores} cores, Python {sys.version.split()[0]}"
    )
    print(
        f"  our rig: {ours['fixtures']:,} RGB pixel fixtures, {ours['params']:,} light parameters, "
        f"rig load + engine build {ours['load_s']:.2f} s\n"
    )
    header = (
        f"{'implementation':44} {'CPU % of one core':>18} {'frames/s/univ':>14} {'CPU ms/frame':>13} "
        f"{'wire p99 jitter':>16}"
    )
    print(header)
    print("-" * len(header))
    rows = [
        ("ours (numpy engine, Art-Net in one sendmsg)", ours),
        ("pyartnet 2.0, one 510-ch channel per universe", peer),
    ]
    if peer_fx is not None:
        rows.append((f"pyartnet 2.0, one channel per pixel ({peer_fx['objects']:,})", peer_fx))
    for label, r in rows:
        ms = r["cpu"] * 1e3 / r["fps"] if r["fps"] else float("nan")
        cpu, fps, jit = r["cpu"] * 100, r["fps"], r["wire_jitter_ms"]
        print(f"{label:44} {cpu:17.2f}% {fps:14.1f} {ms:13.2f} {jit:13.2f} ms")
    print()
    ratio = peer["cpu"] / ours["cpu"] if ours["cpu"] > 0 else float("inf")
    print(
        f"CPU ratio pyartnet/ours (510-ch channels): {ratio:.1f}×   (goal ≥ 20×; rounds: "
        + ", ".join(f"{r:.1f}×" for r in round_ratios)
        + "; ours "
        + ", ".join(f"{o['cpu'] * 100:.2f}" for o in runs["ours"])
        + " %)"
    )
    if peer_fx is not None:
        print(f"CPU ratio pyartnet/ours (per pixel):      {peer_fx['cpu'] / ours['cpu']:.1f}×")

    def per_frame(r: dict) -> float:
        return float(r["cpu"] / r["fps"]) if r["fps"] else float("nan")

    print(
        f"CPU per delivered frame, pyartnet/ours: {per_frame(peer) / per_frame(ours):.1f}× (510-ch channels)"
        + (f", {per_frame(peer_fx) / per_frame(ours):.1f}× (per pixel)" if peer_fx is not None else "")
        + "  (pyartnet cannot hold 44 frames/s here)"
    )
    print(f"ours: {ours['cpu'] * 100:.2f} % of one core (goal ≤ 5 %)")
    print(
        f"refresh loop period jitter p99: {ours['loop_jitter_ms']:.2f} ms "
        f"(nominal period {1e3 / RATE_HZ:.2f} ms, {ours['overruns']} overruns); on the wire: "
        f"{ours['wire_jitter_ms']:.2f} ms"
    )
    print(
        f"runtime path update(Mapping of {ours['params']:,} params): {ours['mapping_frame_ms']:.2f} ms/frame "
        f"= {ours['mapping_frame_ms'] * RATE_HZ / 10:.1f} % of one core at {RATE_HZ:g} Hz"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
