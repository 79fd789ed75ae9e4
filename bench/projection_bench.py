"""Projection benchmark: frame time of every bundled scene headless, and window-loop pacing under Xvfb.

Standalone:  python bench/projection_bench.py [--backend egl] [--sizes 640x360,1920x1080]
             [--seconds 1.5] [--window-seconds 5] [--no-window] [--device-index 0]
Prints one table per measurement. Works on Mesa llvmpipe (CPU) and on an NVIDIA GPU through EGL.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from installation.engine.presence import Person, Presence  # noqa: E402
from installation.projection.renderer import SceneRenderer, create_headless_context  # noqa: E402

PEOPLE = Presence(t=0.0, count=3, motion=0.2, people=(
    Person(1, 0.22, 0.75, 0.08, 0.3, vx=0.05),
    Person(2, 0.6, 0.45, 0.06, 0.2),
    Person(3, 0.8, 0.9, 0.1, 0.35),
))


def parse_size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def bench_scene(renderer: SceneRenderer, path: Path, seconds: float, max_frames: int,
                transition: Path | None = None) -> dict[str, float]:
    """Render frames of one scene (or a transition into it) and time them; GPU time by timer query."""
    ctx = renderer.ctx
    renderer.set_scene(path, 0.0)
    renderer.set_presence(PEOPLE)
    for k in range(3):  # warm-up: compile, allocate, fill persistent buffers
        renderer.render(k / 60)
    if transition is not None:
        renderer.set_scene(path, 3 / 60, transition_s=1e9, transition_shader=transition)
        renderer.transition.forced_progress = 0.5
    ctx.finish()
    query = ctx.query(time=True)
    walls: list[float] = []
    gpu_ns = 0
    start = time.perf_counter()
    frame = 3
    while len(walls) < max_frames and (time.perf_counter() - start < seconds or len(walls) < 3):
        t0 = time.perf_counter()
        with query:
            renderer.render(frame / 60)
        ctx.finish()
        walls.append(time.perf_counter() - t0)
        gpu_ns += query.elapsed
        frame += 1
    arr = np.array(walls) * 1000.0
    return {"frames": len(walls), "p50_ms": float(np.median(arr)), "p99_ms": float(np.percentile(arr, 99)),
            "gpu_ms": gpu_ns / len(walls) / 1e6}


def headless(args: argparse.Namespace) -> None:
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    scenes = sorted([*REPO.glob("shaders/unenclosed/*.fs"), *REPO.glob("shaders/solas/*.fs")])
    if args.only:
        scenes = [s for s in scenes if args.only in str(s)]
    ctx = create_headless_context(args.backend, args.device_index)
    print(f"# headless frame time ({args.backend or 'default'}): {ctx.info['GL_RENDERER']} · "
          f"{ctx.info['GL_VERSION']} · {os.cpu_count()} CPU cores")
    software = "llvmpipe" in ctx.info["GL_RENDERER"] or "softpipe" in ctx.info["GL_RENDERER"]
    print("# ms = median wall time of render + finish per frame (fps from it); p99 of the same; "
          "gpu = GL timer query (n/a on a software renderer); 3 visitors in view")
    header = f"{'scene':38s}" + "".join(
        f" | {f'{w}x{h} ms':>11s} {'fps':>6s} {'p99':>6s} {'gpu ms':>6s}" for w, h in sizes)
    print(header)
    print("-" * len(header))
    rows = [(scene, None) for scene in scenes]
    rows.append((REPO / "shaders/solas/rally.fs", REPO / "shaders/transitions/dissolve.fs"))
    renderers = {size: SceneRenderer(size, ctx=ctx, smoothing_s=0.0, fade_s=0.0) for size in sizes}
    for scene, transition in rows:
        name = f"{scene.parent.name}/{scene.stem}"
        if transition is not None:
            name = f"transition {transition.stem} → {scene.stem}"
        line = f"{name:38s}"
        for size in sizes:
            r = bench_scene(renderers[size], scene, args.seconds, args.frames, transition)
            gpu = "   n/a" if software else f"{r['gpu_ms']:6.2f}"
            line += f" | {r['p50_ms']:11.2f} {1000.0 / r['p50_ms']:6.1f} {r['p99_ms']:6.1f} {gpu}"
        print(line, flush=True)
    for r in renderers.values():
        r.release()
    ctx.release()


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("Xvfb")
    if exe is None:
        raise RuntimeError("Xvfb not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    cmd = [exe, "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"]
    proc = subprocess.Popen(cmd, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.terminate()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


class _Clock:
    def now(self) -> float:
        return time.monotonic()


def window(args: argparse.Namespace) -> None:
    from installation.projection.output import ProjectionOutput
    from installation.projection.warp import CornerPin, OutputConfig

    proc, display = start_xvfb()
    os.environ["DISPLAY"] = display
    size = parse_size(args.window_size)
    print(f"\n# window loop under Xvfb {display}: {size[0]}x{size[1]} window with a corner pin, "
          f"{args.fps:g} fps target, paced by the clock, {args.window_seconds:g} s per scene")
    header = f"{'scene':38s} | {'frames':>6s} {'fps':>6s} {'interval p50':>12s} {'p99':>7s} {'max':>7s} " \
             f"{'render p50':>10s} {'p99':>7s}"
    print(header)
    print("-" * len(header))
    done = threading.Event()  # never set: waits below are the measurement windows
    pin = CornerPin(((0.03, 0.0), (0.97, 0.04), (1.0, 1.0), (0.0, 0.96)))
    try:
        for scene in args.window_scenes.split(","):
            out = ProjectionOutput(_Clock(), size=size, fps=args.fps, pacing="clock", preview_interval_s=1.0,
                                   outputs=[OutputConfig(fullscreen=False, size=size, corners=pin)])
            out.open()
            out.change_scene(REPO / scene)
            done.wait(1.0)  # let the window open and the scene compile before measuring
            out.reset_stats()
            done.wait(args.window_seconds)
            stats = out.stats()
            health = out.health()
            out.close()
            if health.state.value not in ("ok", "degraded"):
                print(f"{scene:38s} | window unavailable: {health.detail}")
                continue
            name = Path(scene).parent.name + "/" + Path(scene).stem
            print(f"{name:38s} | {stats.frames:6d} {stats.fps:6.1f} {stats.interval_ms_p50:10.2f}ms "
                  f"{stats.interval_ms_p99:5.2f}ms {stats.interval_ms_max:5.2f}ms "
                  f"{stats.render_ms_p50:8.2f}ms {stats.render_ms_p99:5.2f}ms", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="egl", help="glcontext backend for headless (egl)")
    parser.add_argument("--device-index", type=int, default=0, help="EGL device (GPU) index")
    parser.add_argument("--sizes", default="640x360,1920x1080")
    parser.add_argument("--seconds", type=float, default=1.5, help="time budget per scene and size")
    parser.add_argument("--frames", type=int, default=300, help="at most this many frames per measurement")
    parser.add_argument("--only", default="", help="only scenes whose path contains this text")
    parser.add_argument("--no-window", action="store_true", help="skip the Xvfb window pacing run")
    parser.add_argument("--no-headless", action="store_true", help="skip the headless frame times")
    parser.add_argument("--window-size", default="640x360")
    parser.add_argument("--window-seconds", type=float, default=5.0)
    parser.add_argument("--window-scenes",
                        default="shaders/unenclosed/biodome_glow.fs,shaders/solas/rally.fs")
    parser.add_argument("--fps", type=float, default=30.0, help="window loop target frame rate")
    args = parser.parse_args()
    if not args.no_headless:
        headless(args)
    if not args.no_window:
        try:
            window(args)
        except RuntimeError as exc:
            print(f"\n# window pacing skipped: {exc}")


if __name__ == "__main__":
    main()
