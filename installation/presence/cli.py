"""Command-line verbs for presence: `presence record|replay|eval|synth` and `camera calibrate`.

The lead wires them in with `add_parser(subparsers)`; each handler takes the parsed args and returns an
exit code. Bad input prints one line naming the file or device and the fix (no traceback).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from installation.errors import InstallationError
from installation.presence.pipeline import PipelineConfig
from installation.presence.zones import Polygon, as_polygon

log = logging.getLogger(__name__)

_UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """`"30s"`, `"250ms"`, `"2min"`, `"1h"`, `"1:30"` → seconds; raises ValueError with the valid forms."""
    text = text.strip()
    m = re.fullmatch(r"(\d+):([0-5]\d)", text)
    if m:
        return int(m.group(1)) * 60.0 + int(m.group(2))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|min|h)", text)
    if not m:
        raise ValueError(f"{text!r} is not a duration (use e.g. 30s, 250ms, 2min, 1h or 1:30)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_polygon(text: str) -> Polygon:
    """`"0,0 0.25,0 0.25,1 0,1"` (x,y pairs in 0..1, spaces between points) → a polygon."""
    try:
        pts = [tuple(float(v) for v in p.split(",")) for p in text.replace(";", " ").split()]
        return as_polygon(pts)
    except ValueError as exc:
        raise ValueError(f"polygon {text!r}: {exc} (write x,y pairs in 0..1 separated by spaces)") from None


def _config(args: argparse.Namespace) -> PipelineConfig:
    kw: dict[str, Any] = {}
    if getattr(args, "person_height", None):
        far, near = (float(v) for v in args.person_height.split(","))
        kw["person_height"] = (far, near)
    if getattr(args, "subtractor", None):
        kw["subtractor"] = args.subtractor
    if getattr(args, "process_width", None):
        kw["process_width"] = args.process_width
    return PipelineConfig(**kw)


def _run(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (InstallationError, ValueError, OSError) as exc:
            print(
                f"error: {str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__}", file=sys.stderr
            )
            for line in str(exc).splitlines()[1:]:
                print(f"error: {line}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


# -- presence record ----------------------------------------------------------------------------


def cmd_presence_record(args: argparse.Namespace) -> int:
    """Record the show's presence source to a JSON-lines log (snapshots only; frames only with --frames)."""
    from installation.presence.adapter import FrameFeed, PresenceSource, now_function
    from installation.presence.build import build_feed
    from installation.presence.record import PresenceRecorder
    from installation.presence.settings import load_presence_settings

    settings = load_presence_settings(Path(args.show))
    if args.source:
        settings = _with_source(settings, args.source)
    duration_s = parse_duration(args.duration) if args.duration else None
    clock = now_function(None)  # one clock for the camera and the snapshots
    from installation.sim.audience import synthetic_camera

    feed = build_feed(
        settings, clock, config=_config(args), background=Path(args.background) if args.background else None,
        synthetic=synthetic_camera,
    )
    frames_dir = Path(args.frames) if args.frames else None
    if frames_dir is not None and isinstance(feed, FrameFeed):
        frames_dir.mkdir(parents=True, exist_ok=True)
        every_s = parse_duration(args.frame_every)
        last = [-1e9]

        def sink(frame: np.ndarray, t: float) -> None:
            if t - last[0] >= every_s:
                last[0] = t
                cv2.imwrite(str(frames_dir / f"frame-{t:012.3f}.jpg"), frame)

        feed.frame_sink = sink
    done = threading.Event()
    recorder = PresenceRecorder(
        Path(args.out),
        meta={
            "show": str(args.show),
            "source": settings.source,
            "zones": {k: list(map(list, v)) for k, v in settings.zones.items()},
        },
    )
    start: list[float] = []

    def consume(p: Any) -> None:
        recorder.write(p)
        if not start:
            start.append(p.t)
        if duration_s is not None and p.t - start[0] >= duration_s:
            done.set()

    src = PresenceSource(feed, clock, on_presence=consume)
    print(f"recording {settings.source} presence to {args.out} (Ctrl-C to stop)")
    src.open()
    try:
        while not done.wait(1.0):
            h = src.health()
            if args.verbose:
                latest = src.latest()
                print(f"{h.state.value:8} count={latest.count if latest else '-'} {h.detail}")
    except KeyboardInterrupt:
        pass
    finally:
        src.close()
        recorder.close()
    print(f"wrote {recorder.written} snapshots to {args.out}")
    return 0


def _with_source(settings: Any, source: str) -> Any:
    """Override the show's source from the command line: `camera:1`, `file:PATH`, `url:URL`, `synthetic`."""
    import dataclasses

    kind, _, value = source.partition(":")
    if kind == "camera":
        return dataclasses.replace(
            settings, source="camera", camera=int(value) if value.isdigit() else value or 0
        )
    if kind == "file":
        return dataclasses.replace(settings, source="file", file=Path(value))
    if kind == "url":
        return dataclasses.replace(settings, source="url", url=value)
    if kind == "synthetic":
        return dataclasses.replace(settings, source="synthetic")
    if kind == "replay":
        return dataclasses.replace(settings, source="replay", replay=Path(value))
    raise ValueError(f"--source {source!r}: use camera:N, file:PATH, url:URL, replay:PATH or synthetic")


# -- presence replay ----------------------------------------------------------------------------


def cmd_presence_replay(args: argparse.Namespace) -> int:
    """Print a recorded presence log as it would reach the engine (as fast as possible, or --realtime)."""
    from installation.presence.record import read_log

    n = 0
    for p in read_log(Path(args.log)):
        n += 1
        if args.summary:
            continue
        zones = " ".join(f"{k}={z.count}/{z.dwell_s:.0f}s" for k, z in p.zones.items())
        print(
            f"t={p.t:10.2f} " + (f"count={p.count} motion={p.motion:.2f} {zones}" if p.known else "unknown")
        )
    print(f"{n} snapshots in {args.log}")
    return 0


# -- presence eval ------------------------------------------------------------------------------


def cmd_presence_eval(args: argparse.Namespace) -> int:
    """Score the pipeline (and optionally HOG) on a video against MOT Challenge ground truth."""
    from installation.presence.evaluate import evaluate_video, format_table, load_mot
    from installation.presence.pipeline import PresencePipeline

    video = Path(args.video)
    if not video.is_file():
        raise InstallationError(f"{video}: no such video file")
    truth = load_mot(Path(args.ground_truth), classes=[int(c) for c in args.classes.split(",") if c])
    cv2.setNumThreads(args.threads)
    mask = [parse_polygon(m) for m in args.mask or ()]
    config = _config(args)
    hog = None
    if args.hog:
        from installation.presence.hog import HogPeopleDetector

        hog = HogPeopleDetector(upscale=args.hog_upscale)
    from installation.presence.evaluate import Score

    known = Score("pipeline (after start-up)")
    ours, peer, skipped = evaluate_video(
        video,
        truth,
        lambda: PresencePipeline((), mask, config),
        hog=hog,
        method=args.match,
        threshold=args.threshold,
        seed_frames=args.seed_background,
        max_frames=args.max_frames,
        after_startup=known,
    )
    scores = (ours, known if skipped else None, peer)
    rows = [dict(detector=s.name, **s.summary()) for s in scores if s is not None]
    cols = [
        "detector",
        "frames",
        "count_mae",
        "count_bias",
        "count_exact",
        "precision",
        "recall",
        "id_switches",
        "mota",
    ]
    print(format_table(rows, cols))
    if skipped:
        print(
            f"(every frame scored; the first {skipped} frames the pipeline was still learning the room and "
            "reported nobody: scored as 0 people in the first row, left out of the second)"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "video": str(video),
                    "ground_truth": str(args.ground_truth),
                    "match": args.match,
                    "startup_frames": skipped,
                    "results": rows,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


# -- presence synth -----------------------------------------------------------------------------


def cmd_presence_synth(args: argparse.Namespace) -> int:
    """Render a synthetic audience to a video with its exact MOT ground truth (for `presence eval`)."""
    from installation.sim.audience import AudienceRenderer, RandomAudience, render_video

    zones = {}
    if args.show:
        from installation.presence.settings import load_presence_settings

        zones = dict(load_presence_settings(Path(args.show)).zones)
    duration_s = parse_duration(args.duration)
    audience = RandomAudience(
        zones,
        seed=args.seed,
        duration_s=duration_s + 60,
        max_people=args.max_people,
        arrivals_per_min=args.arrivals_per_min,
    )
    w, h = (int(v) for v in args.size.lower().split("x"))
    n = render_video(
        Path(args.out),
        Path(args.ground_truth),
        audience,
        duration_s,
        fps=args.fps,
        renderer=AudienceRenderer(w, h, seed=args.seed),
        drawn=audience.in_room,
    )
    print(f"wrote {n} frames to {args.out} and ground truth to {args.ground_truth}")
    return 0


# -- camera calibrate ---------------------------------------------------------------------------


def cmd_camera_calibrate(args: argparse.Namespace) -> int:
    """Grab a background from the show's camera, draw mask + zones over it, optionally save them."""
    from installation.presence.build import build_frame_source
    from installation.presence.calibrate import draw_overlay, grab_background, save_calibration, save_png
    from installation.presence.settings import load_presence_settings

    show = Path(args.show)
    settings = load_presence_settings(show)
    if args.source:
        settings = _with_source(settings, args.source)
    if settings.source == "replay":
        raise InstallationError(
            f"{show}: presence.source is replay, which has no picture to calibrate "
            "(use --source camera:0 or file:PATH)"
        )
    zones = dict(settings.zones)
    for spec in args.zone or ():
        name, _, poly = spec.partition("=")
        if not name or not poly:
            raise ValueError(f'--zone {spec!r}: write NAME="x,y x,y x,y ..."')
        zones[name.strip()] = parse_polygon(poly)
    mask = [parse_polygon(m) for m in args.mask] if args.mask is not None else list(settings.mask)

    from installation.sim.audience import synthetic_camera

    source = build_frame_source(settings, realtime=False, synthetic=synthetic_camera)
    source.open()
    try:
        background = grab_background(source, samples=args.samples, skip=args.skip)
    finally:
        source.close()
    if args.background:
        save_png(Path(args.background), background)
        print(f"background: {args.background}")
    save_png(Path(args.overlay), draw_overlay(background, zones, mask))
    print(f"overlay: {args.overlay}")
    print("zones:")
    for name, poly in zones.items():
        print(f"  {name}: {[list(p) for p in poly]}")
    print(f"mask: {[[list(p) for p in poly] for poly in mask]}")
    if args.write:
        save_calibration(show, zones if args.zone else None, mask if args.mask is not None else None)
        print(f"saved to {show}")
    return 0


# -- wiring -------------------------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    """Register `presence` and `camera` on the main CLI's subparsers (handler in `args.func`)."""
    pres = subparsers.add_parser("presence", help="audience presence: record, replay, evaluate")
    psub = pres.add_subparsers(dest="presence_command", required=True)

    def tuning(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--person-height",
            metavar="FAR,NEAR",
            help="person height as a fraction of the frame with feet at the top, bottom (0.15,0.35)",
        )
        p.add_argument("--subtractor", choices=["mog2", "knn"], help="background subtractor (mog2)")
        p.add_argument("--process-width", type=int, help="processing width in pixels (320)")

    rec = psub.add_parser("record", help="record presence snapshots (not video) to a JSON-lines log")
    rec.add_argument("show", help="show file (cues/NAME.yaml): its presence: section picks the camera")
    rec.add_argument("--out", "-o", required=True, help="log file to append to, e.g. recordings/day.jsonl")
    rec.add_argument("--duration", help="stop after this long (e.g. 8h); default: until Ctrl-C")
    rec.add_argument("--source", help="override the show's source: camera:N, file:PATH, url:URL, synthetic")
    rec.add_argument("--background", help="empty-room PNG from `camera calibrate --background`")
    rec.add_argument(
        "--frames", metavar="DIR", help="ALSO keep camera frames as JPEG here (privacy: ask first)"
    )
    rec.add_argument("--frame-every", default="10s", help="with --frames: one frame per this long (10s)")
    rec.add_argument("--verbose", "-v", action="store_true", help="print health and count every second")
    tuning(rec)
    rec.set_defaults(func=_run(cmd_presence_record))

    rep = psub.add_parser("replay", help="print a recorded presence log")
    rep.add_argument("log", help="a log written by `presence record`")
    rep.add_argument("--summary", action="store_true", help="only count the snapshots")
    rep.set_defaults(func=_run(cmd_presence_replay))

    ev = psub.add_parser("eval", help="score detection against MOT Challenge ground truth")
    ev.add_argument("video", help="video file")
    ev.add_argument(
        "--ground-truth", "--gt", required=True, help="MOT file: frame,id,left,top,width,height,..."
    )
    ev.add_argument(
        "--match",
        choices=["distance", "iou"],
        default="distance",
        help="match by box-centre distance (≤ 0.5 × truth height) or IoU (≥ 0.3)",
    )
    ev.add_argument("--threshold", type=float, help="matching threshold (distance: × height; iou: overlap)")
    ev.add_argument("--classes", default="1", help="MOT16/17 classes to keep (1 = pedestrian)")
    ev.add_argument("--hog", action="store_true", help="also score OpenCV's HOG people detector")
    ev.add_argument(
        "--hog-upscale", type=float, default=1.0, help="enlarge frames for HOG (finds small people)"
    )
    ev.add_argument(
        "--seed-background",
        type=int,
        default=0,
        metavar="N",
        help="first learn the background from the median of N frames spread over the video (a clip where "
        "nobody stands still for long); default 0: learn live (start-up frames are scored as nobody seen)",
    )
    ev.add_argument("--mask", action="append", metavar="POLYGON", help='region to ignore: "x,y x,y x,y ..."')
    ev.add_argument("--max-frames", type=int, help="stop after this many frames")
    ev.add_argument("--threads", type=int, default=1, help="OpenCV threads (1 = one core, as measured)")
    ev.add_argument("--json", help="also write the results as JSON here")
    tuning(ev)
    ev.set_defaults(func=_run(cmd_presence_eval))

    sy = psub.add_parser("synth", help="render a synthetic audience video with exact MOT ground truth")
    sy.add_argument("out", help="video file to write (.avi)")
    sy.add_argument("--ground-truth", "--gt", required=True, help="MOT ground-truth file to write")
    sy.add_argument("--duration", default="60s", help="length (60s)")
    sy.add_argument("--fps", type=float, default=15.0)
    sy.add_argument("--size", default="640x480")
    sy.add_argument("--seed", type=int, default=1)
    sy.add_argument("--max-people", type=int, default=4)
    sy.add_argument("--arrivals-per-min", type=float, default=4.0)
    sy.add_argument("--show", help="use this show's zones for where visitors stop")
    sy.set_defaults(func=_run(cmd_presence_synth))

    cam = subparsers.add_parser("camera", help="camera set-up")
    csub = cam.add_subparsers(dest="camera_command", required=True)
    cal = csub.add_parser("calibrate", help="grab a background, draw mask and zones over it, save them")
    cal.add_argument("show", help="show file (cues/NAME.yaml)")
    cal.add_argument(
        "--overlay", default="calibration.png", help="PNG with mask and zones drawn (calibration.png)"
    )
    cal.add_argument("--background", help="also save the empty-room background PNG here")
    cal.add_argument(
        "--zone",
        action="append",
        metavar="NAME=POLYGON",
        help='set a zone: door="0,0.3 0.2,0.3 0.2,1 0,1" (repeatable)',
    )
    cal.add_argument(
        "--mask",
        action="append",
        metavar="POLYGON",
        help="a region to ignore (repeatable; replaces the show's mask)",
    )
    cal.add_argument("--write", action="store_true", help="save --zone/--mask into the show file")
    cal.add_argument("--source", help="override the show's source: camera:N, file:PATH, url:URL, synthetic")
    cal.add_argument("--samples", type=int, default=25, help="frames in the median background (25)")
    cal.add_argument("--skip", type=int, default=3, help="frames skipped between samples (3)")
    cal.set_defaults(func=_run(cmd_camera_calibrate))


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry until the main CLI wires the verbs: python -m installation.presence.cli ..."""
    parser = argparse.ArgumentParser(prog="installation")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
