"""Fixtures for projection tests: a headless EGL renderer, skipped cleanly where no EGL exists."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHADERS = REPO / "shaders"
CONFORMANCE = Path(__file__).resolve().parent / "isf"


def _egl_or_skip():  # type: ignore[no-untyped-def]
    from installation.errors import DeviceError
    from installation.projection.renderer import create_headless_context

    try:
        return create_headless_context("egl")
    except DeviceError as exc:
        if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
            raise
        pytest.skip(f"no EGL here: {exc}")


@pytest.fixture(scope="session")
def gl_context():  # type: ignore[no-untyped-def]
    ctx = _egl_or_skip()
    yield ctx
    ctx.release()


@pytest.fixture
def make_renderer(gl_context):  # type: ignore[no-untyped-def]
    """Build SceneRenderers sharing one EGL context; raw presence (no smoothing) for exact tests."""
    from installation.projection.renderer import SceneRenderer

    made: list[SceneRenderer] = []

    def make(size: tuple[int, int] = (64, 36), **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("smoothing_s", 0.0)
        kw.setdefault("fade_s", 0.0)
        r = SceneRenderer(size, ctx=gl_context, **kw)
        made.append(r)
        return r

    yield make
    for r in made:
        r.release()


@pytest.fixture
def renderer(make_renderer) -> Iterator[object]:  # type: ignore[no-untyped-def]
    yield make_renderer()
