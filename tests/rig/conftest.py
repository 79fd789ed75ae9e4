"""Shared fixtures for the rig tests: the gallery rig and short temporary folders for pty links."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from installation.rig.rigfile import Rig, load_rig

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def gallery() -> Rig:
    return load_rig(REPO / "hardware" / "gallery.yaml", REPO)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short temporary folder for pty links (pytest's tmp_path can be long)."""
    with tempfile.TemporaryDirectory(prefix="rig-") as d:
        yield Path(d)
