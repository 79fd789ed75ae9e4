"""Every show bundled in cues/ loads (the same check as `installation check`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from installation.show.loader import load_show

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted((REPO / "cues").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_show_loads(path: Path) -> None:
    show = load_show(path)
    assert show.root == REPO.resolve()
    assert len(show.acts) >= 2
