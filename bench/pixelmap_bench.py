"""Pixel-mapping benchmark: 10,200 LED pixels take a scene's colour at 44 Hz, ours vs a plain numpy sampling.

Run: `python bench/pixelmap_bench.py [--seconds 3]`. The rig is 60 Art-Net universes of 170 RGB pixels
(30,600 channels), mapped as 60 lines over a 1920×1080 scene. Each frame: sample the scene at every pixel's
place, write the colours into the DMX engine and render the universes (what the rig does at its refresh
rate; sending is measured by rig_bench.py). The peer samples the same places the straightforward way
(`image[ys, xs] / 255`, then a fancy-indexed assignment into the parameter vector) and renders the same.
CPU is the process's time over a window of frames paced at 44 Hz, as a share of one core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from installation.rig.dmx import DmxEngine
from installation.rig.pixelmap import PixelMap
from installation.rig.rigfile import Rig, load_rig

UNIVERSES = 60
PIXELS = 170
RATE_HZ = 44.0
SIZE = (1080, 1920)


def build_rig(folder: Path) -> Rig:
    hw = folder / "hardware"
    (hw / "fixtures").mkdir(parents=True)
    (hw / "fixtures" / "rgb.yaml").write_text(
        "fixture: RGB pixel\nkind: pixel\nmodes: {3ch: [red, green, blue]}\n"
    )
    lines = [
        "outputs:",
        f"  node: {{type: artnet, host: 127.0.0.1, universes: {list(range(1, UNIVERSES + 1))}}}",
    ]
    lines.append("fixtures:")
    for u in range(1, UNIVERSES + 1):
        y = (u - 0.5) / UNIVERSES
        lines.append(
            f"  u{u}px: {{profile: rgb, universe: {u}, address: 1, count: {PIXELS}, "
            f"map: [[0.01, {y:.4f}], [0.99, {y:.4f}]]}}"
        )
    (hw / "rig.yaml").write_text("\n".join(lines) + "\n")
    return load_rig(hw / "rig.yaml", folder)


class PlainSampling:
    """The peer: look up each pixel's place and assign through index arrays, every frame."""

    def __init__(self, rig: Rig, slot: dict[str, int]) -> None:
        xs, ys, dst = [], [], []
        for fx in rig.fixtures.values():
            for prefix, _room, scene in fx.pixels():
                assert scene is not None
                xs.append(scene[0])
                ys.append(scene[1])
                dst.append([slot[f"{prefix}.{c}"] for c in ("red", "green", "blue")])
        self.fx, self.fy = np.asarray(xs), np.asarray(ys)
        self.dst = np.asarray(dst)

    def apply(self, image: np.ndarray, vector: np.ndarray) -> None:
        h, w = image.shape[:2]
        x = np.minimum((self.fx * w).astype(int), w - 1)
        y = np.minimum((self.fy * h).astype(int), h - 1)
        vector[self.dst] = image[y, x, :3] / 255.0


def run(
    engine: DmxEngine, sampler: PixelMap | PlainSampling, images: list[np.ndarray], seconds: float
) -> dict:
    period = 1.0 / RATE_HZ
    frames = int(seconds * RATE_HZ)
    work = []
    c0, w0 = time.process_time(), time.monotonic()
    next_t = w0
    for i in range(frames):
        t0 = time.perf_counter()
        sampler.apply(images[i % len(images)], engine.vector)
        engine.render()
        work.append(time.perf_counter() - t0)
        next_t += period
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    c1, w1 = time.process_time(), time.monotonic()
    return {"cpu": (c1 - c0) / (w1 - w0), "ms": float(np.median(work)) * 1000, "fps": frames / (w1 - w0)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        rig = build_rig(Path(d))
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (*SIZE, 4), dtype=np.uint8) for _ in range(4)]
    results: dict[str, list[dict]] = {"ours": [], "peer": []}
    engines = {}
    for name in results:
        engine = DmxEngine(rig)
        sampler = (
            PixelMap(rig, list(rig.groups), engine.param_slot)
            if name == "ours"
            else PlainSampling(rig, dict(engine.param_slot))
        )
        engines[name] = (engine, sampler)
    ours_engine, ours_map = engines["ours"]
    assert isinstance(ours_map, PixelMap)
    peer_engine, peer = engines["peer"]
    ours_map.apply(images[0], ours_engine.vector)
    peer.apply(images[0], peer_engine.vector)
    assert np.allclose(ours_engine.vector, peer_engine.vector, atol=1e-6), "ours and the peer disagree"
    for _ in range(args.rounds):  # alternating rounds: a busy neighbour slows both alike
        for name, (engine, sampler) in engines.items():
            results[name].append(run(engine, sampler, images, args.seconds))
    med = {n: {k: float(np.median([r[k] for r in rs])) for k in rs[0]} for n, rs in results.items()}
    print(
        f"pixel mapping: {len(ours_map)} pixels ({3 * len(ours_map)} channels, {UNIVERSES} universes) "
        f"from a {SIZE[1]}x{SIZE[0]} RGBA scene at {RATE_HZ:.0f} Hz, median of {args.rounds} rounds"
    )
    header = f"{'':38} {'CPU (% of a core)':>18} {'frames/s':>9} {'ms/frame':>9}"
    print(header)
    print("-" * len(header))
    for name, label in (
        ("ours", "ours (PixelMap + DmxEngine.render)"),
        ("peer", "plain numpy sampling + render"),
    ):
        r = med[name]
        print(f"{label:38} {r['cpu'] * 100:17.2f}% {r['fps']:9.1f} {r['ms']:9.3f}")
    print(
        f"ratio peer/ours: CPU {med['peer']['cpu'] / med['ours']['cpu']:.1f}×, "
        f"time per frame {med['peer']['ms'] / med['ours']['ms']:.1f}×"
    )
    print(f"ours: {med['ours']['cpu'] * 100:.2f} % of one core (goal ≤ 10 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
