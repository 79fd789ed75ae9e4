"""Still visitors stay counted; a moved chair, a left ghost or a changed projection do not stay people."""

from __future__ import annotations

import cv2
import numpy as np

from installation.engine.presence import Person
from installation.presence.pipeline import PresencePipeline
from installation.sim.audience import AudienceRenderer

FPS = 2.0  # the slow learning rate is per second, so a low frame rate tests the same ten minutes


def run(people, duration_s, *, renderer, pipeline, change=None, start_s=0.0, fps=FPS):
    counts = []
    for i in range(round(duration_s * fps)):
        t = start_s + i / fps
        if change is not None:
            change(t, renderer)
        frame, _ = renderer.render(t, people(t))
        counts.append((t, pipeline.process(frame, t).count))
    return counts


def test_a_visitor_standing_perfectly_still_for_ten_minutes_stays_counted():
    renderer = AudienceRenderer(seed=4, drift=0.0)
    pipeline = PresencePipeline()
    pipeline.seed_background(renderer.background)

    def people(t):  # walks in, then stands without the slightest sway for ten minutes
        x = 0.1 + 0.4 * min(t / 4.0, 1.0)
        return [Person(1, x, 0.8)]

    counts = run(people, 4.0, renderer=renderer, pipeline=pipeline, fps=15.0)
    counts += run(people, 600.0, renderer=renderer, pipeline=pipeline, start_s=4.0)
    standing = [n for t, n in counts if t >= 5.0]
    assert len(standing) >= 1190
    assert all(n == 1 for n in standing), f"lost at t={next(t for t, n in counts if t >= 5 and n != 1)}"


def test_a_moved_chair_is_not_a_person_for_more_than_a_few_seconds():
    renderer = AudienceRenderer(seed=4, drift=0.0)
    pipeline = PresencePipeline()
    pipeline.seed_background(renderer.background)
    original = renderer.background.copy()

    def chair(t, r):  # at t = 10 s a low dark chair appears in the middle of the floor
        if t >= 10.0:
            np.copyto(r.background, original)
            cv2.rectangle(r.background, (300, 330), (350, 380), (50, 45, 40), -1)

    counts = run(lambda t: [], 40.0, renderer=renderer, pipeline=pipeline, change=chair, fps=15.0)
    late = [n for t, n in counts if t >= 15.0]
    assert all(n == 0 for n in late)


def test_a_changed_projection_is_not_people_for_more_than_a_few_seconds():
    renderer = AudienceRenderer(seed=4, drift=0.0)
    pipeline = PresencePipeline()
    pipeline.seed_background(renderer.background)
    original = renderer.background.copy()

    def projection(t, r):  # the screen on the back wall shows another picture from t = 10 s
        if t >= 10.0:
            np.copyto(r.background, original)
            w, h = r.width, r.height
            cv2.rectangle(
                r.background, (int(0.35 * w), int(0.03 * h)), (int(0.65 * w), int(0.2 * h)), (90, 60, 40), -1
            )
            cv2.circle(r.background, (int(0.5 * w), int(0.11 * h)), int(0.05 * h), (200, 200, 250), -1)

    counts = run(lambda t: [], 40.0, renderer=renderer, pipeline=pipeline, change=projection, fps=15.0)
    late = [n for t, n in counts if t >= 15.0]
    assert all(n == 0 for n in late)


def test_a_ghost_left_by_someone_present_at_start_up_fades_within_seconds():
    renderer = AudienceRenderer(seed=4, drift=0.0)
    pipeline = PresencePipeline()  # no calibrated background: learns the room with a visitor in it

    def people(t):  # stands at the screen while the camera starts, walks off at 3 s
        x = 0.5 - 0.5 * min(max(t - 3.0, 0.0) / 3.0, 1.0)
        return [Person(1, x, 0.8)] if x > 0.05 else []

    counts = run(people, 30.0, renderer=renderer, pipeline=pipeline, fps=15.0)
    assert all(n == 0 for t, n in counts if t >= 12.0)
