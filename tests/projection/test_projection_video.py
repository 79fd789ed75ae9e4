"""Video as a scene input: frames decoded in the projection process at the scene's time, looped or held,
resumed at the right frame after a restart; clips generated at first use, never stored in the repository."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from installation.errors import ShowError
from installation.projection.isf import load_scene_info
from installation.projection.video import GENERATED, VideoClip, encode_clip, generated_clip

CONFORMANCE = Path(__file__).resolve().parent / "isf"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A media folder with the counter clip (grey = 4 × frame index, 30 fps, 60 frames) made once."""
    folder = tmp_path_factory.mktemp("media")
    generated_clip("counter", folder)
    return folder


def grey(frame) -> float:  # type: ignore[no-untyped-def]
    return float(frame.to_ndarray(format="gray").mean())


def test_a_generated_clip_is_made_once_under_the_media_folder(media: Path) -> None:
    path = media / "counter.mp4"
    stamp = path.stat().st_mtime_ns
    assert generated_clip("counter", media) == path and path.stat().st_mtime_ns == stamp
    clip = VideoClip(path)
    assert (clip.size, clip.fps, clip.frame_count) == ((64, 36), 30.0, 60)
    clip.close()


@pytest.mark.parametrize(("t_s", "playback", "index"), [
    (0.0, "loop", 0), (0.51, "loop", 15), (2.51, "loop", 15), (0.51, "once", 15), (9.0, "once", 59),
])
def test_the_frame_shown_follows_the_scene_time(media: Path, t_s: float, playback: str, index: int) -> None:
    clip = VideoClip(media / "counter.mp4")
    assert clip.index_at(t_s, playback) == index
    assert grey(clip.frame_at(t_s, playback)) == pytest.approx(4 * index, abs=3)
    clip.close()


def test_playing_forward_decodes_each_frame_once(media: Path) -> None:
    clip = VideoClip(media / "counter.mp4")
    for k in range(120):  # a 60 fps render loop over 2 s of a 30 fps clip
        frame = clip.frame_at(k / 60, "once")
        assert grey(frame) == pytest.approx(4 * (k // 2), abs=3)
    assert clip.decoded == 60
    clip.close()


def test_a_jump_back_or_far_ahead_seeks(media: Path) -> None:
    clip = VideoClip(media / "counter.mp4")
    assert grey(clip.frame_at(1.5)) == pytest.approx(180, abs=3)
    assert grey(clip.frame_at(0.2)) == pytest.approx(24, abs=3)
    assert grey(clip.frame_at(1.9)) == pytest.approx(228, abs=3)
    clip.close()


def test_a_scene_shows_its_video_input_and_resumes_where_it_was(make_renderer, media: Path) -> None:
    r = make_renderer((32, 18), media_dir=media)
    r.set_scene(CONFORMANCE / "video.fs", 0.0)
    r.render(0.0)
    assert r.read_rgba_float()[9, 16, 0] * 255 == pytest.approx(0, abs=3)
    r.render(0.51)
    assert r.read_rgba_float()[9, 16, 0] * 255 == pytest.approx(60, abs=3)
    r.render(5.0)  # once: the last frame stays
    assert r.read_rgba_float()[9, 16, 0] * 255 == pytest.approx(236, abs=3)
    # a restarted projection is told how long the scene has been on
    r.set_scene(CONFORMANCE / "video.fs", 100.0, elapsed_s=1.01)
    r.render(100.0)
    assert r.read_rgba_float()[9, 16, 0] * 255 == pytest.approx(120, abs=3)
    assert r.last_error == ""


def test_a_video_file_next_to_the_shader_is_decoded_right_way_up(make_renderer, tmp_path: Path) -> None:
    def halves(index: int, size: tuple[int, int], fps: float) -> np.ndarray:
        w, h = size
        img = np.zeros((h, w, 3), np.uint8)
        img[: h // 2] = (255, 0, 0)  # top red
        img[h // 2 :] = (0, 0, 255)  # bottom blue
        return img

    encode_clip(tmp_path / "clips" / "halves.mp4", halves, (64, 64), fps=10.0, seconds=1.0, crf=10)
    (tmp_path / "film.fs").write_text(
        '/*{"INPUTS": [{"NAME": "film", "TYPE": "image", "VIDEO": "clips/halves.mp4"}]}*/\n'
        "void main() { gl_FragColor = IMG_THIS_PIXEL(film); }\n")
    r = make_renderer((64, 64), root=tmp_path)
    r.set_scene(tmp_path / "film.fs", 0.0)
    r.render(0.0)
    img = r.read_rgb().astype(int)
    assert np.abs(img[10, 32] - [255, 0, 0]).max() <= 12
    assert np.abs(img[54, 32] - [0, 0, 255]).max() <= 12


@pytest.mark.parametrize(("video", "message"), [
    ("nope.mp4", "video file 'nope.mp4' not found"),
    ("../../etc/passwd", "outside the project folder"),
    ("generated:nope", "no generated clip 'nope'"),
])
def test_a_bad_video_source_is_a_header_problem(tmp_path: Path, video: str, message: str) -> None:
    header = f'/*{{"INPUTS": [{{"NAME": "v", "TYPE": "image", "VIDEO": "{video}"}}]}}*/\n'
    (tmp_path / "s.fs").write_text(header + "void main() { gl_FragColor = vec4(1.0); }\n")
    with pytest.raises(ShowError, match=message):
        load_scene_info(tmp_path / "s.fs", tmp_path)


def test_every_generated_clip_can_be_made(tmp_path: Path) -> None:
    for name, (_, size, fps, _seconds) in GENERATED.items():
        clip = VideoClip(generated_clip(name, tmp_path))
        assert clip.size == size and clip.fps == fps
        clip.close()


class SteppedClock:
    """The engine's clock as the adapter sees it: moved by the test."""

    def __init__(self) -> None:
        self.t = 100.0

    def now(self) -> float:
        return self.t


def test_a_restarted_render_process_resumes_the_video_at_the_right_frame(gl_context, media: Path) -> None:
    import cv2

    from installation.projection.output import ProjectionOutput

    clock = SteppedClock()
    out = ProjectionOutput(clock, size=(32, 18), fps=60.0, root=CONFORMANCE, media_dir=media,
                           preview_interval_s=0.02, reload_interval_s=0.0)

    def shown() -> float:
        jpeg = out.preview()
        if jpeg is None:
            return -1.0
        return float(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE).mean())

    try:
        out.open()
        out.change_scene(CONFORMANCE / "video.fs")
        assert out.wait_until(lambda: shown() >= 0, 20.0), out.health()
        clock.t += 1.0  # the scene has been on for one second of show time
        pid = out.child_pid
        assert pid is not None
        before = out.preview()
        os.kill(pid, signal.SIGKILL)
        started = time.monotonic()
        assert out.wait_until(lambda: out.restarts >= 1 and out.preview() is not before, 20.0)
        grey_level = shown()
        run_s = time.monotonic() - started  # the new process's own time adds to the second it was told
        assert 4 * 30 * 1.0 - 6 <= grey_level <= 4 * 30 * (1.0 + run_s) + 6, (grey_level, run_s)
    finally:
        out.close()


@pytest.mark.parametrize("gpu_convert", [True, False])
def test_both_upload_paths_give_the_same_picture(gl_context, tmp_path: Path, gpu_convert: bool) -> None:
    from installation.projection.video import VideoTexture

    def quadrants(index: int, size: tuple[int, int], fps: float) -> np.ndarray:
        w, h = size
        img = np.zeros((h, w, 3), np.uint8)
        img[: h // 2, : w // 2] = (255, 0, 0)
        img[: h // 2, w // 2 :] = (0, 255, 0)
        img[h // 2 :, : w // 2] = (0, 0, 255)
        img[h // 2 :, w // 2 :] = (255, 255, 255)
        return img

    clip = VideoClip(encode_clip(tmp_path / "q.mp4", quadrants, (1280, 720), fps=10.0, seconds=0.5, crf=10))
    tex = VideoTexture(gl_context, gpu_convert=gpu_convert)
    out = tex.upload_frame(clip.frame_at(0.0))
    rgb = np.frombuffer(out.read(), np.uint8).reshape(720, 1280, out.components)[::-1, :, :3].astype(int)
    for (y, x), want in {(100, 100): (255, 0, 0), (100, 1180): (0, 255, 0), (620, 100): (0, 0, 255),
                         (620, 1180): (255, 255, 255)}.items():
        assert np.abs(rgb[y, x] - want).max() <= 10, (y, x, rgb[y, x], gpu_convert)
    tex.release()
    clip.close()


def test_preloading_a_scene_makes_its_generated_clip_before_the_act(make_renderer, tmp_path: Path) -> None:
    r = make_renderer(media_dir=tmp_path / "media")
    assert r.preload([CONFORMANCE / "video.fs"]) == []
    assert (tmp_path / "media" / "counter.mp4").is_file()
