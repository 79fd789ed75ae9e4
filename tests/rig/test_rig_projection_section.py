"""The rig file's `projection:` section: projector outputs with their corner pins, checked at load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from installation.errors import ShowError
from installation.rig.rigfile import load_rig

ROOT = Path(__file__).resolve().parents[2]


def test_gallery_rig_names_its_projector_and_corner_pin() -> None:
    rig = load_rig(ROOT / "hardware" / "gallery.yaml", ROOT)
    assert rig.projection is not None
    assert rig.projection.size == (1920, 1080)
    (out,) = rig.projection.outputs
    assert out.name == "end-wall" and out.fullscreen
    assert out.corners.corners[1] == (0.98, 0.03)


def test_bad_projection_keys_are_reported_with_positions(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "hardware", tmp_path / "hardware")
    rig_file = tmp_path / "hardware" / "gallery.yaml"
    text = rig_file.read_text()
    text = text.replace("size: [1920, 1080]", "size: [1920]").replace("render_scale: 1.0", "render_scale: 3")
    text = text.replace("monitor: 0 ", "monitr: 0 ")
    rig_file.write_text(text)
    with pytest.raises(ShowError) as err:
        load_rig(rig_file, tmp_path)
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 3, messages
    assert any("projection size must be [width, height]" in m for m in messages)
    assert any("render_scale must be a number from 0.1 to 1.0" in m for m in messages)
    assert any("unknown output key 'monitr'" in m for m in messages)
    assert all(m.startswith("hardware/gallery.yaml:") for m in messages)


def test_a_rig_without_projection_has_none(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "hardware", tmp_path / "hardware")
    rig_file = tmp_path / "hardware" / "gallery.yaml"
    rig_file.write_text(rig_file.read_text().split("\nprojection:")[0] + "\n")
    assert load_rig(rig_file, tmp_path).projection is None
