"""The pipeline on synthetic audiences with exact ground truth: counts, ids, zones, dwell, hysteresis."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from presence_helpers import ZONES, crowd, walker

from installation.presence.evaluate import evaluate_synthetic
from installation.presence.pipeline import PipelineConfig, PresencePipeline
from installation.presence.smoothing import SteadyCount
from installation.sim.audience import AudienceRenderer, GroundTruthZones, RandomAudience

FPS = 15.0


def run_scripted(truth, drawn, duration_s, *, renderer=None, pipeline=None, hook=None, light=None):
    """Feed rendered frames synchronously; returns per-frame (t, truth people, snapshot, raw count).

    `light(t)` may return a per-pixel gain image: the room (people included) lit differently.
    """
    renderer = renderer or AudienceRenderer(seed=1)
    pipeline = pipeline or PresencePipeline(ZONES)
    out = []
    for i in range(int(duration_s * FPS)):
        t = i / FPS
        if hook is not None:
            hook(t, pipeline, renderer)
        frame, _ = renderer.render(t, drawn(t))
        gain = light(t) if light is not None else None
        if gain is not None:
            frame = np.clip(frame * gain, 0, 255).astype(np.uint8)
        snap = pipeline.process(frame, t)
        out.append((t, truth(t), snap, pipeline.raw_count))
    return out


# Stated tolerances for a moderate gallery audience (up to 4 visitors, ~4 arrivals/min, 640×480 at
# 15 fps, figures 16..34 % of the frame height, overlapping when they gather). Seeds 2 and 6 are typical;
# seed 3 is one of the crowded ones (visitors standing one behind another, where one camera cannot see
# everyone). The table over seeds 1..8 is in docs/presence.md.
TOLERANCES = {  # seed: (count MAE, exact fraction, precision/recall, zone agreement)
    2: (0.15, 0.90, 0.93, 0.94),
    6: (0.15, 0.90, 0.93, 0.94),
    3: (0.45, 0.60, 0.85, 0.92),
}


@pytest.mark.parametrize("seed", sorted(TOLERANCES))
def test_random_audience_counts_ids_zones_and_dwell_within_tolerance(seed):
    mae, exact, pr, zone = TOLERANCES[seed]
    audience = RandomAudience(ZONES, seed=seed, arrivals_per_min=4, max_people=4, duration_s=200)
    run = evaluate_synthetic(
        audience,
        AudienceRenderer(seed=seed),
        PresencePipeline(ZONES),
        duration_s=90,
        fps=FPS,
        drawn=audience.in_room,
    )
    s = run.score
    people = len({v.id for v in audience.visitors if v.enter_s < 90})
    assert run.unknown_frames <= FPS * 1.1  # one second of warm-up
    assert s.count_mae <= mae
    assert s.exact_fraction >= exact
    assert abs(s.count_bias) <= mae
    assert s.precision >= pr and s.recall >= pr
    assert s.id_switches <= 2.5 * people  # MOT definition (flips between neighbours count too)
    assert run.zones.occupancy_agreement >= zone
    assert run.zones.dwell_error_s(50) <= 0.5


def test_lone_visitor_stops_in_zone_with_one_id_and_exact_dwell():
    # enters from the left, walks to the screen, stands 20 s, leaves to the right
    truth, drawn = crowd(
        walker(1, [(1.0, -0.05, 0.8), (6.0, 0.5, 0.8), (26.0, 0.5, 0.8), (32.0, 1.05, 0.75)])
    )
    frames = run_scripted(truth, drawn, 34.0)
    ids = {p.id for _, _, snap, _ in frames for p in snap.people}
    assert len(ids) == 1
    gt = GroundTruthZones(ZONES)
    worst_dwell = 0.0
    for t, people, snap, _ in frames:
        true_zone = gt.update(t, people)["screen"]
        if 8.0 <= t <= 25.0:  # standing in the zone
            assert snap.count == 1
            assert snap.zones["screen"].count == 1
            worst_dwell = max(worst_dwell, abs(snap.zones["screen"].dwell_s - true_zone.dwell_s))
        if t >= 33.5:
            assert snap.count == 0
    assert worst_dwell <= 0.5
    # enters the zone around t = 5.1 s (x crosses 0.35): no built-in hold, occupancy within two frames
    first = next(t for t, _, snap, _ in frames if snap.known and snap.zones["screen"].count)
    truth_first = next(t for t, people, _, _ in frames if any(0.35 <= p.x <= 0.7 for p in people))
    assert 0.0 <= first - truth_first <= 2 / FPS + 1e-9


def test_people_crossing_keep_their_ids_and_the_count_stays_two():
    # they enter from opposite sides after the warm-up, pass each other mid-frame, and walk on
    a = walker(1, [(1.5, -0.05, 0.7), (13.5, 1.05, 0.72)])
    b = walker(2, [(1.5, 1.05, 0.76), (13.5, -0.05, 0.74)])
    truth, drawn = crowd(a, b)
    frames = run_scripted(truth, drawn, 13.0)
    before = next(snap for t, _, snap, _ in frames if t >= 4.0)
    after = next(snap for t, _, snap, _ in frames if t >= 11.0)
    assert len(before.people) == 2 and len(after.people) == 2
    left_then = min(before.people, key=lambda p: p.x).id
    right_now = max(after.people, key=lambda p: p.x).id
    assert left_then == right_now  # the one who started left ends right
    counts = [snap.count for t, _, snap, _ in frames if 3.5 <= t <= 11.0]
    assert counts.count(2) / len(counts) >= 0.95


def test_short_occlusion_behind_a_pillar_keeps_the_id():
    renderer = AudienceRenderer(seed=3, occluders=[(0.46, 0.0, 0.54, 1.0)])
    truth, drawn = crowd(walker(1, [(1.5, -0.05, 0.8), (11.5, 1.05, 0.8)]))
    frames = run_scripted(truth, drawn, 11.0, renderer=renderer)
    ids = {p.id for t, _, snap, _ in frames for p in snap.people}
    assert ids == {1}
    hidden = [snap for t, people, snap, _ in frames if people and abs(people[0].x - 0.5) < 0.01]
    assert hidden and all(snap.count == 1 for snap in hidden)  # behind the pillar: still counted
    counts = [snap.count for t, _, snap, _ in frames if 3.0 <= t <= 10.5]
    assert min(counts) == 1


def test_hysteresis_when_asked_for_holds_the_count_while_a_person_flickers_at_the_door():
    # off by default (the show's own `for 2s` is the hold); a noisy camera may ask for it.
    # a visitor lingers half outside the left edge: seen one frame, gone the next (randomly)
    rng = np.random.default_rng(5)
    visible = rng.uniform(size=int(30 * FPS)) < 0.5
    stay = walker(1, [(0.0, 0.5, 0.8), (40.0, 0.5, 0.8)])
    door = walker(2, [(0.0, 0.02, 0.7), (40.0, 0.02, 0.7)])

    def drawn(t):
        people = [stay(t)]
        if visible[min(round(t * FPS), len(visible) - 1)] and t >= 5.0:
            people.append(door(t))
        return people

    steady = PresencePipeline(ZONES, config=PipelineConfig(count_tau_s=0.3, count_margin=0.25))
    frames = run_scripted(lambda t: [stay(t)], drawn, 30.0, pipeline=steady)
    raw = [r for t, _, _, r in frames if t >= 5.0]
    out = [snap.count for t, _, snap, _ in frames if t >= 5.0]
    raw_changes = sum(1 for a, b in itertools.pairwise(raw) if a != b)
    out_changes = sum(1 for a, b in itertools.pairwise(out) if a != b)
    assert raw_changes >= 50  # the detector really flickers
    assert out_changes <= 1  # the count does not


def test_steady_count_follows_real_changes_and_ignores_flicker():
    sc = SteadyCount(tau_s=0.3, margin=0.25)
    t = 0.0
    for _ in range(30):  # 1 s of flicker between 0 and 1 at 30 fps
        t += 1 / 30
        sc.update(1 if int(t * 30) % 2 else 0, t)
        assert sc.value == 0
    for _ in range(15):  # a real arrival is followed within half a second
        t += 1 / 30
        sc.update(1, t)
    assert sc.value == 1
    for _ in range(30):
        t += 1 / 30
        sc.update(1 if int(t * 30) % 2 else 0, t)
        assert sc.value == 1


def test_relearn_after_scene_change_keeps_standing_people_and_adds_no_ghosts():
    renderer = AudienceRenderer(seed=4, drift=0.0)
    # two visitors walk in after the warm-up and stand still through the change of light
    truth, drawn = crowd(
        walker(1, [(1.5, -0.05, 0.8), (5.0, 0.3, 0.8), (40.0, 0.3, 0.8)]),
        walker(2, [(1.5, 1.05, 0.7), (5.0, 0.75, 0.7), (40.0, 0.75, 0.7)]),
    )
    wash = np.full((renderer.height, renderer.width, 1), 1.35, np.float32)
    wash[:, : renderer.width // 2] = 1.08  # the next act: brighter, with a stronger wash on the right

    def hook(t, pipeline, r):
        if abs(t - 10.0) < 1e-6:
            pipeline.notify_scene_change()  # what the engine does on an act change

    frames = run_scripted(
        truth, drawn, 16.0, renderer=renderer, hook=hook, light=lambda t: wash if t >= 10.0 else None
    )
    counts = [snap.count for t, _, snap, _ in frames if t >= 4.0]
    assert set(counts) == {2}


def test_unnotified_light_jump_triggers_relearn_instead_of_phantom_crowd():
    renderer = AudienceRenderer(seed=4, drift=0.0)
    truth, drawn = crowd(walker(1, [(1.5, -0.05, 0.8), (5.0, 0.5, 0.8), (40.0, 0.5, 0.8)]))
    frames = run_scripted(truth, drawn, 14.0, renderer=renderer, light=lambda t: 0.55 if t >= 8.0 else None)
    assert max(snap.count for t, _, snap, _ in frames if t >= 3.0) == 1


def test_masked_region_is_ignored():
    renderer = AudienceRenderer(seed=2, drift=0.0)
    mask = [((0.3, 0.0), (0.7, 0.0), (0.7, 0.25), (0.3, 0.25))]  # the projection screen flickers
    rng = np.random.default_rng(0)
    h, w = renderer.height, renderer.width
    screen = (slice(int(0.03 * h), int(0.2 * h)), slice(int(0.35 * w), int(0.65 * w)))
    base = renderer.background.copy()

    def hook(t, pipeline, r):
        r.background[:] = base
        r.background[screen] = rng.integers(0, 255)

    frames = run_scripted(
        lambda t: [], lambda t: [], 6.0, renderer=renderer, pipeline=PresencePipeline(ZONES, mask), hook=hook
    )
    assert all(snap.count == 0 for _, _, snap, _ in frames)
    unmasked = run_scripted(
        lambda t: [], lambda t: [], 6.0, renderer=renderer, pipeline=PresencePipeline(ZONES), hook=hook
    )
    assert max(snap.count for _, _, snap, _ in unmasked) >= 1  # without the mask it is "someone"


def test_warm_up_is_unknown_then_known_and_motion_is_measured():
    truth, drawn = crowd(walker(1, [(0.0, -0.05, 0.8), (6.0, 1.05, 0.8)]))
    frames = run_scripted(truth, drawn, 6.0)
    assert not frames[0][2].known
    assert all(snap.known for t, _, snap, _ in frames if t >= 1.1)
    walking = [snap.motion for t, _, snap, _ in frames if 2.0 <= t <= 4.0]
    assert min(walking) > 0.002 and max(walking) < 0.2


def test_config_is_checked():
    with pytest.raises(ValueError, match="subtractor"):
        PresencePipeline(config=PipelineConfig(subtractor="median"))


def test_knn_subtractor_also_counts():
    truth, drawn = crowd(walker(1, [(1.5, -0.05, 0.8), (10.0, 0.7, 0.8)]))
    frames = run_scripted(
        truth, drawn, 10.0, pipeline=PresencePipeline(ZONES, config=PipelineConfig(subtractor="knn"))
    )
    counts = [snap.count for t, _, snap, _ in frames if t >= 2.5]
    assert counts.count(1) / len(counts) >= 0.95


AUDIENCE_SCRIPT = """\
duration: 3min
seed: 7
events:
  - at: 0:05
    enter: [a, b, c]
    zone: door
  - at: 0:15
    move: [a, b]
    to: screen
    over: 5s
  - at: 0:40
    move: [c]
    to: [0.8, 0.6]
  - at: 1:10
    leave: [a]
  - at: 1:20
    enter: [d]
    zone: screen
  - at: 2:00
    leave: all
"""


def test_audience_script_ground_truth_drives_the_camera_and_is_recovered():
    audience = pytest.importorskip("installation.offline.audience")
    script = audience.parse_audience(AUDIENCE_SCRIPT, "walk.yaml")
    run = evaluate_synthetic(
        lambda t: list(script.people_at(t, ZONES)),
        AudienceRenderer(seed=1),
        PresencePipeline(ZONES),
        150,
        fps=FPS,
    )
    s = run.score
    assert s.count_mae <= 0.1 and s.exact_fraction >= 0.95
    assert s.precision >= 0.95 and s.recall >= 0.95
    assert s.id_switches <= 6
    assert run.zones.occupancy_agreement >= 0.97
    assert run.zones.dwell_error_s(50) <= 1.0
