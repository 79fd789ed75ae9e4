"""The synthetic audience: seeded walkers with exact truth, people-like figures, any `t -> people` source."""

from __future__ import annotations

import cv2
import numpy as np
from presence_helpers import ZONES, StepClock

from installation.engine.presence import Person, Presence
from installation.presence.zones import point_in_polygon
from installation.sim.audience import (
    AudienceRenderer,
    GroundTruthZones,
    RandomAudience,
    SyntheticCamera,
    people_from_presence,
)


def test_random_audience_is_seeded_and_pure_in_time():
    a, b = RandomAudience(ZONES, seed=9), RandomAudience(ZONES, seed=9)
    assert a(37.3) == b(37.3)
    assert a(37.3) == a(37.3)  # a function of t only: frames can be rendered in any order
    assert RandomAudience(ZONES, seed=10)(37.3) != a(37.3) or not a(37.3)


def test_visitors_enter_wander_stop_in_zones_and_leave():
    a = RandomAudience(ZONES, seed=3, duration_s=600, arrivals_per_min=4, max_people=5)
    assert len(a.visitors) > 20
    stops_in_zone = 0
    for v in a.visitors:
        first, last = v.legs[0], v.legs[-1]
        assert first.x0 < 0 or first.x0 > 1  # enters from off-frame
        assert last.x1 < 0 or last.x1 > 1  # and leaves
        for leg in v.legs:
            if leg.x0 == leg.x1 and leg.y0 == leg.y1:  # standing
                assert leg.t1 - leg.t0 >= 4.0
                stops_in_zone += any(point_in_polygon(leg.x0, leg.y0, p) for p in ZONES.values())
    assert stops_in_zone > 20
    peak = max(len(a(t)) for t in np.arange(0, 600, 1.0))
    assert 3 <= peak <= 5


def test_truth_counts_only_feet_in_frame_and_reports_present_time():
    a = RandomAudience(ZONES, seed=1)
    v = a.visitors[0]
    t_in = v.in_view_s
    assert v.id not in {p.id for p in a(t_in - 0.05)}
    assert v.id in {p.id for p in a.in_room(t_in - 0.05)}  # drawn half-visible at the side
    p = next(p for p in a(t_in + 2.0) if p.id == v.id)
    assert abs(p.present_s - 2.0) < 1e-6


def test_standing_visitors_sway():
    a = RandomAudience(ZONES, seed=1)
    v = a.visitors[0]
    stand = next(leg for leg in v.legs if leg.x0 == leg.x1)
    xs = [v.at(t)[0] for t in np.linspace(stand.t0, stand.t1, 50, endpoint=False)]
    assert 0.002 < max(xs) - min(xs) < 0.02


def test_figures_are_people_like_with_exact_boxes():
    r = AudienceRenderer(seed=0, noise=0.0, drift=0.0)
    people = [Person(1, 0.3, 0.9), Person(2, 0.7, 0.5)]
    frame, boxes = r.render(0.0, people)
    assert frame.shape == (480, 640, 3)
    near, far = boxes[1], boxes[2]
    assert near[3] > far[3]  # perspective: nearer is taller
    assert 2.0 < near[3] / near[2] < 3.5  # standing people: taller than wide
    assert abs(near[0] + near[2] / 2 - 0.3 * 640) < 1 and abs(near[1] + near[3] - 0.9 * 480) < 1  # feet
    diff = cv2.absdiff(frame, r.background).max(axis=2) > 10
    x, y, w, h = (int(v) for v in near)
    inside = diff[y : y + h, x : x + w].mean()
    assert 0.3 < inside < 0.9  # a silhouette, not a filled box
    head = diff[y : y + int(0.15 * h), x : x + w]
    assert head[:, w // 2 - 2 : w // 2 + 3].any() and not head[:, :3].any()  # a head on top, narrower


def test_noise_and_slow_illumination_drift():
    r = AudienceRenderer(seed=0, noise=3.0, drift=0.1, drift_period_s=60.0)
    f0, _ = r.render(0.0, [])
    f1, _ = r.render(0.1, [])
    f15, _ = r.render(15.0, [])
    d = f1.astype(int) - f0.astype(int)
    assert 2.0 < d.std() < 6.0  # sensor noise
    assert f15.mean() > f0.mean() * 1.07  # a quarter period later the room is ~10 % brighter


def test_any_truth_function_drives_the_camera():
    clock = StepClock(5.0)

    def presence_at(t):  # e.g. the audience-script model's ground truth
        return Presence(t=t, count=1, people=(Person(7, 0.2 + 0.01 * t, 0.8),))

    cam = SyntheticCamera(people_from_presence(presence_at), fps=30, now=clock.now)
    cam.open()
    frame = cam.read()
    assert frame is not None and set(cam.last_boxes) == {7}
    assert abs(cam.last_boxes[7][0] + cam.last_boxes[7][2] / 2 - 0.25 * 640) < 1


def test_ground_truth_zone_dwell():
    gz = GroundTruthZones(ZONES)
    inside = [Person(1, 0.5, 0.8)]
    assert gz.update(0.0, [])["screen"].count == 0
    assert gz.update(1.0, inside)["screen"].dwell_s == 0.0
    assert gz.update(4.5, inside)["screen"].dwell_s == 3.5
    assert gz.update(5.0, [])["screen"].dwell_s == 0.0
