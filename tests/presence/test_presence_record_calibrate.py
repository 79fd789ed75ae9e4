"""Recording and reading presence logs; calibration: background, overlay, saving zones/mask to the show."""

from __future__ import annotations

import json
import textwrap

import cv2
import numpy as np
import pytest
from presence_helpers import ZONES, StepClock

from installation.engine.presence import Person, Presence, ZoneState
from installation.errors import ShowError
from installation.presence.calibrate import (
    draw_overlay,
    grab_background,
    save_calibration,
    save_png,
    suggest_mask,
)
from installation.presence.record import (
    PresenceLogError,
    PresenceRecorder,
    read_log,
    snapshot_from_json,
    snapshot_to_json,
)
from installation.presence.settings import load_presence_settings
from installation.sim.audience import AudienceRenderer, RandomAudience, SyntheticCamera


def test_snapshot_json_round_trip():
    p = Presence(
        t=12.5,
        count=2,
        people=(Person(3, 0.25, 0.75, 0.1, 0.3, 0.05, -0.01, 4.5),),
        zones={"door": ZoneState(1, 2.25)},
        motion=0.125,
    )
    q = snapshot_from_json(json.loads(json.dumps(snapshot_to_json(p))))
    assert q == Presence(t=12.5, count=2, people=p.people, zones=q.zones, motion=0.125)
    assert dict(q.zones) == {"door": ZoneState(1, 2.25)}
    assert snapshot_from_json(snapshot_to_json(Presence.unknown(3.0))) == Presence.unknown(3.0)


def test_recorder_thins_snapshots_but_keeps_every_change(tmp_path):
    path = tmp_path / "log.jsonl"
    with PresenceRecorder(path, min_interval_s=0.5, meta={"show": "x"}) as rec:
        for i in range(100):  # 10 s at 10 Hz; the count changes at 3.05 s, the camera drops at 7.0 s
            t = i / 10
            p = Presence.unknown(t) if 70 <= i < 75 else Presence(t=t, count=1 if i >= 31 else 0)
            rec.write(p)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "installation-presence-log" and header["show"] == "x"
    assert "jpg" not in path.read_text()  # snapshots only, never frames
    snaps = list(read_log(path))
    ts = [round(p.t, 1) for p in snaps]
    assert 3.1 in ts and 7.0 in ts and 7.5 in ts  # changes written at once
    assert len(snaps) < 30  # thinned from 100


def test_bad_log_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"t": 1, "count": 0}\n{"oops": true}\n')
    with pytest.raises(PresenceLogError, match=r"bad.jsonl:2: not a presence snapshot"):
        list(read_log(path))


def test_background_grab_removes_passers_by():
    clock = StepClock()
    audience = RandomAudience(ZONES, seed=2, arrivals_per_min=20, max_people=3, stop_s=(0.5, 1.0))
    renderer = AudienceRenderer(seed=2, noise=0.0, drift=0.0)
    cam = SyntheticCamera(audience.in_room, renderer, fps=15, now=clock.now)
    cam.open()

    class Ticking:
        period_s = cam.period_s

        def describe(self):
            return cam.describe()

        def read(self):
            clock.advance(0.5)
            return cam.read()

    bg = grab_background(Ticking(), samples=25, skip=1)
    diff = cv2.absdiff(bg, renderer.background)
    assert np.mean(diff) < 2.0 and np.percentile(diff, 99) < 40


def test_overlay_draws_zones_mask_and_people(tmp_path):
    frame = np.full((240, 320, 3), 120, np.uint8)
    snap = Presence(t=0, count=1, people=(Person(1, 0.5, 0.8, 0.1, 0.3),))
    img = draw_overlay(frame, ZONES, [((0.0, 0.0), (1.0, 0.0), (1.0, 0.1), (0.0, 0.1))], snap)
    assert img.shape == frame.shape
    assert img[20, 150].mean() < 100  # the mask is darkened
    assert not np.array_equal(img[200, 10], frame[200, 10])  # the door zone is tinted
    out = tmp_path / "overlay.png"
    save_png(out, img)
    assert cv2.imread(str(out)).shape == frame.shape


SHOW = textwrap.dedent("""\
    # The Unenclosed — an immersive media experience
    show: The Unenclosed
    rig: hardware/gallery.yaml            # inside the project folder
    presence:
      source: camera                      # the ceiling camera
      camera: 0
      zones:                              # polygons in normalised coordinates
        door:   [[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]   # by the entrance
        screen: [[0.3, 0.7], [0.7, 0.7], [0.7, 1.0], [0.3, 1.0]]
    idle:
      act: attract                        # the attract loop
    acts:
      attract:
        cues:
          - name: dawn                    # first light
            duration: 5s
    """)


def test_save_calibration_keeps_comments_order_and_everything_else(tmp_path):
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    save_calibration(
        show,
        zones={
            "screen": ((0.3, 0.6), (0.7, 0.6), (0.7, 1.0), (0.3, 1.0)),
            "bench": ((0.8, 0.5), (1.0, 0.5), (1.0, 0.8)),
        },
        mask=[((0.0, 0.0), (1.0, 0.0), (1.0, 0.12), (0.0, 0.12))],
    )
    text = show.read_text()
    before, after = SHOW.splitlines(), text.splitlines()
    changed = [line for line in after if line not in before]
    # only the zone lines and the new mask line differ (ruamel re-spaces `door:   [` to `door: [`)
    assert all(any(k in c for k in ("door", "screen", "bench", "mask")) for c in changed), changed
    assert [
        line for line in before if line not in after and "door" not in line and "screen" not in line
    ] == []
    for keep in (
        "# The Unenclosed — an immersive media experience",
        "# the ceiling camera",
        "# by the entrance",
        "# first light",
        "# the attract loop",
        "- name: dawn",
    ):
        assert keep in text
    door = next(line for line in after if "door:" in line)
    assert "[[0.0, 0.0], [0.25, 0.0], [0.25, 1.0], [0.0, 1.0]]" in door and door.endswith("# by the entrance")
    assert "screen: [[0.3, 0.6], [0.7, 0.6], [0.7, 1.0], [0.3, 1.0]]" in text
    s = load_presence_settings(show, tmp_path)
    assert list(s.zones) == ["door", "screen", "bench"]
    assert s.mask == (((0.0, 0.0), (1.0, 0.0), (1.0, 0.12), (0.0, 0.12)),)


def test_save_calibration_adds_a_presence_section_after_rig(tmp_path):
    show = tmp_path / "show.yaml"
    show.write_text("show: x\nrig: hardware/r.yaml  # the rig\nacts: {}\n")
    save_calibration(show, zones={"door": ((0, 0), (0.2, 0), (0.2, 1))})
    lines = show.read_text().splitlines()
    assert lines[1] == "rig: hardware/r.yaml  # the rig"
    assert lines[2] == "presence:"
    assert lines[-1] == "acts: {}"


def test_save_calibration_on_a_broken_show_names_the_line(tmp_path):
    show = tmp_path / "show.yaml"
    show.write_text("show: x\npresence: [\n")
    with pytest.raises(ShowError, match=r"show\.yaml:"):
        save_calibration(show, zones={})


def test_suggest_mask_finds_a_flickering_screen():
    frac = np.zeros((240, 320), np.float32)
    frac[10:60, 100:220] = 0.8  # a projection that keeps changing
    frac[200, 10] = 1.0  # a single noisy pixel is not a region
    polys = suggest_mask(frac)
    assert len(polys) == 1
    xs = [p[0] for p in polys[0]]
    ys = [p[1] for p in polys[0]]
    assert min(xs) == pytest.approx(100 / 320, abs=0.02) and max(xs) == pytest.approx(219 / 320, abs=0.02)
    assert min(ys) == pytest.approx(10 / 240, abs=0.02) and max(ys) == pytest.approx(59 / 240, abs=0.02)
