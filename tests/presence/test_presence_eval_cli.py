"""MOT ground truth, scoring, and the CLI verbs: presence synth/eval/record/replay, camera calibrate."""

from __future__ import annotations

import argparse
import json
import textwrap

import cv2
import pytest

from installation.presence.cli import add_parser, parse_duration, parse_polygon
from installation.presence.evaluate import GroundTruthError, Score, iou, load_mot, match_boxes


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="installation")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_load_mot_formats(tmp_path):
    mot16 = tmp_path / "gt16.txt"
    mot16.write_text(
        "1,1,10,20,30,60,1,1,1.0\n1,2,50,20,30,60,0,1,1.0\n1,3,90,20,30,60,1,4,1.0\n2,1,12,20,30,60,1,1,0.5\n"
    )
    gt = load_mot(mot16)
    assert [b.id for b in gt[1]] == [1]  # ignored (flag 0) and non-pedestrian (class 4) dropped
    assert gt[2][0].x == 12
    mot15 = tmp_path / "gt15.txt"
    mot15.write_text("1,1,10,20,30,60,1,-1,-1,-1\n1,2,50,20,30,60,1,-1,-1,-1\n")
    assert len(load_mot(mot15)[1]) == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("1,1,10,20,30,60\nframe,id\n")
    with pytest.raises(GroundTruthError, match=r"bad.txt:2: "):
        load_mot(bad)


def test_matching_and_scores():
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(1 / 3)
    truth = [(0, 0, 20, 40), (100, 0, 20, 40)]
    dets = [(102, 3, 20, 40), (300, 0, 20, 40)]
    assert match_boxes(dets, truth) == [(0, 1)]
    assert match_boxes(dets, truth, "iou", 0.5) == [(0, 1)]
    s = Score("x")
    s.add(2, [(7, dets[0]), (8, dets[1])], [(1, truth[0]), (2, truth[1])])
    s.add(1, [(9, (100, 0, 20, 40))], [(2, truth[1])])  # truth 2 now matched by another id
    assert (s.tp, s.fp, s.fn, s.id_switches) == (2, 1, 1, 1)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert s.count_mae == pytest.approx(0.0) and s.exact_fraction == 1.0


def test_parse_helpers():
    assert parse_duration("2min") == 120 and parse_duration("1:30") == 90 and parse_duration("250ms") == 0.25
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("10")
    assert parse_polygon("0,0 1,0 1,1") == ((0, 0), (1, 0), (1, 1))
    with pytest.raises(ValueError, match="x,y pairs"):
        parse_polygon("0,0 1,0")


def test_synth_then_eval_on_a_video_with_exact_ground_truth(tmp_path, capsys):
    video, gt, out = tmp_path / "a.avi", tmp_path / "gt.txt", tmp_path / "r.json"
    assert (
        run_cli(
            "presence",
            "synth",
            str(video),
            "--gt",
            str(gt),
            "--duration",
            "30s",
            "--fps",
            "10",
            "--seed",
            "4",
            "--max-people",
            "3",
            "--arrivals-per-min",
            "6",
            "--size",
            "320x240",
        )
        == 0
    )
    assert cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT) == 300
    lines = gt.read_text().splitlines()
    assert lines and lines[0].count(",") == 8
    assert (
        run_cli(
            "presence",
            "eval",
            str(video),
            "--ground-truth",
            str(gt),
            "--hog",
            "--max-frames",
            "100",
            "--json",
            str(out),
        )
        == 0
    )
    table = capsys.readouterr().out
    assert "pipeline" in table and "hog" in table and "precision" in table
    report = json.loads(out.read_text())
    results = {r["detector"]: r for r in report["results"]}
    assert results["pipeline"]["frames"] == 100  # every frame is scored
    assert report["startup_frames"] == 11  # the first second (10 fps) only learns the room: nobody seen
    ours = results["pipeline (after start-up)"]
    assert ours["frames"] == 100 - 11
    assert ours["precision"] >= 0.9 and ours["recall"] >= 0.85 and ours["count_mae"] <= 0.3


def test_eval_errors_are_one_line(tmp_path, capsys):
    assert run_cli("presence", "eval", str(tmp_path / "none.avi"), "--gt", str(tmp_path / "gt.txt")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path / 'none.avi'}: no such video file"]


SHOW = textwrap.dedent("""\
    show: Test
    rig: hardware/r.yaml
    presence:
      source: synthetic     # rehearsal
      zones:
        door: [[0.0, 0.3], [0.2, 0.3], [0.2, 1.0], [0.0, 1.0]]
    acts: {}
    """)


def test_camera_calibrate_draws_overlay_and_writes_zones(tmp_path, capsys):
    (tmp_path / "cues").mkdir()
    show = tmp_path / "cues" / "show.yaml"
    show.write_text(SHOW)
    overlay, bg = tmp_path / "cal.png", tmp_path / "bg.png"
    assert (
        run_cli(
            "camera",
            "calibrate",
            str(show),
            "--overlay",
            str(overlay),
            "--background",
            str(bg),
            "--zone",
            "screen=0.35,0.6 0.7,0.6 0.7,0.95 0.35,0.95",
            "--mask",
            "0,0 1,0 1,0.1 0,0.1",
            "--samples",
            "5",
            "--skip",
            "0",
            "--write",
        )
        == 0
    )
    assert cv2.imread(str(overlay)) is not None and cv2.imread(str(bg)) is not None
    text = show.read_text()
    assert "# rehearsal" in text
    assert "screen: [[0.35, 0.6], [0.7, 0.6], [0.7, 0.95], [0.35, 0.95]]" in text
    assert "mask: [[[0.0, 0.0], [1.0, 0.0], [1.0, 0.1], [0.0, 0.1]]]" in text
    assert "saved to" in capsys.readouterr().out


def test_camera_calibrate_with_a_bad_zone_is_one_line(tmp_path, capsys):
    (tmp_path / "cues").mkdir()
    show = tmp_path / "cues" / "show.yaml"
    show.write_text(SHOW)
    assert run_cli("camera", "calibrate", str(show), "--zone", "screen") == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_presence_record_and_replay_synthetic(tmp_path, capsys):
    (tmp_path / "cues").mkdir()
    show = tmp_path / "cues" / "show.yaml"
    show.write_text(SHOW)
    log = tmp_path / "day.jsonl"
    assert run_cli("presence", "record", str(show), "--out", str(log), "--duration", "1500ms") == 0
    snaps = log.read_text().splitlines()
    assert len(snaps) >= 5 and json.loads(snaps[0])["format"] == "installation-presence-log"
    capsys.readouterr()
    assert run_cli("presence", "replay", str(log)) == 0
    out = capsys.readouterr().out
    assert "unknown" in out  # warm-up
    assert f"snapshots in {log}" in out
