"""Video input benchmark: a 1080p30 H.264 file decoded and uploaded as a scene input, beside ffmpeg.

Standalone:  python bench/video_bench.py [--seconds 10] [--cache DIR] [--backend egl]
The clip is made here with Debian's ffmpeg (testsrc2, libx264 CRF 20, 1 s GOP) in a cache folder outside
the repository (default ~/.cache/installation-bench); media are never committed. CPU is the process's
user + system time over the whole clip (every thread: the decoder, llvmpipe's for the GL pass), divided
by the frames: at 30 fps, a core's budget is 33.3 ms per frame. The peer is `ffmpeg -f null`, decoding
the same file (one thread, then its default threads), measured the same way on the child process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FPS = 30


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_clip(cache: Path, seconds: int) -> Path:
    path = cache / f"testsrc2_1080p30_{seconds}s.mp4"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=1920x1080:rate={FPS}", "-t", str(seconds), "-c:v", "libx264",
                    "-preset", "veryfast", "-crf", "20", "-g", str(FPS), "-pix_fmt", "yuv420p", str(tmp)],
                   check=True)
    tmp.replace(path)
    return path


def run_ours(path: Path, mode: str, backend: str) -> tuple[int, float, float]:
    """Frames, CPU seconds, wall seconds for one way of getting the clip's frames."""
    from installation.projection.renderer import create_headless_context
    from installation.projection.video import VideoClip, VideoTexture

    ctx = create_headless_context(backend) if mode != "decode" else None
    tex = VideoTexture(ctx, gpu_convert=mode == "gpu") if ctx is not None else None
    clip = VideoClip(path)
    cpu0, wall0 = cpu_self(), time.perf_counter()
    frames = 0
    for index in range(clip.frame_count):
        frame = clip.frame_at(index / clip.fps, "once")
        if tex is not None and ctx is not None:
            tex.upload_frame(frame)
            ctx.finish()  # the upload (and GL pass) done before the next frame, as a render loop has it
        frames += 1
    if ctx is not None:
        ctx.finish()
    cpu, wall = cpu_self() - cpu0, time.perf_counter() - wall0
    clip.close()
    if tex is not None and ctx is not None:
        tex.release()
        ctx.release()
    return frames, cpu, wall


def run_ffmpeg(path: Path, threads: int | None) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    cmd = ["ffmpeg", "-v", "error", "-nostdin"]
    if threads is not None:
        cmd += ["-threads", str(threads)]
    subprocess.run([*cmd, "-i", str(path), "-f", "null", "-"], check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "installation-bench")
    parser.add_argument("--backend", default="egl")
    args = parser.parse_args(argv)
    if shutil.which("ffmpeg") is None:
        print("needs ffmpeg (apt-get install ffmpeg)")
        return 2
    path = make_clip(args.cache, args.seconds)
    frames = args.seconds * FPS
    print(f"clip: {path.name} ({path.stat().st_size / 1e6:.1f} MB, {frames} frames 1920x1080 @ {FPS} fps), "
          f"{os.cpu_count()} cores, LP_NUM_THREADS={os.environ.get('LP_NUM_THREADS', 'default')}")
    rows: list[tuple[str, float, float]] = []
    peer_cpu, peer_wall = run_ffmpeg(path, 1)
    rows.append(("ffmpeg -threads 1 -f null (peer)", peer_cpu, peer_wall))
    cpu, wall = run_ffmpeg(path, None)
    rows.append(("ffmpeg -f null (default threads)", cpu, wall))
    for mode, name in (("decode", "ours: decode only (PyAV, 1 thread)"),
                       ("cpu", "ours: decode + swscale RGB + upload"),
                       ("gpu", "ours: decode + YUV planes + GL pass")):
        n, cpu, wall = run_ours(path, mode, args.backend)
        assert n == frames, (n, frames)
        rows.append((name, cpu, wall))
    print(f"| {'what':40s} | CPU ms/frame | % of one core at 30 fps | ratio to peer | wall ms/frame |")
    print(f"|{'-' * 42}|--------------|-------------------------|---------------|---------------|")
    for name, cpu, wall in rows:
        per = cpu / frames * 1000
        print(f"| {name:40s} | {per:12.2f} | {per / (1000 / FPS) * 100:22.1f} % | "
              f"{cpu / peer_cpu:13.2f} | {wall / frames * 1000:13.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
