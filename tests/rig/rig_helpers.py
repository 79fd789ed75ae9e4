"""Helpers for the rig tests: the integration-tool gate and bounded polling of real I/O."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable

import pytest


def require_tool(*names: str) -> None:
    """Skip when a tool of an integration test is missing; in CI (INSTALLATION_REQUIRE_INTEGRATION=1) fail."""
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (Debian: liblo-tools for oscsend/oscdump, ola for olad)"
    if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"integration tool missing with INSTALLATION_REQUIRE_INTEGRATION=1: {reason}")
    pytest.skip(reason)


def integration_unavailable(reason: str) -> None:
    """An integration peer cannot run here (e.g. no privileges for a netns): skip, or fail in CI."""
    if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"integration peer unavailable with INSTALLATION_REQUIRE_INTEGRATION=1: {reason}")
    pytest.skip(reason)


def poll(predicate: Callable[[], bool], timeout_s: float = 2.0, step_s: float = 0.005) -> bool:
    """Poll real I/O state until predicate() holds or the deadline passes (bounded, short steps)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step_s)  # noqa: TID251 - a bounded wait on real I/O, not on behaviour
