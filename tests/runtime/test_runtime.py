"""The runtime in rehearse mode, in-process: driven through the Controller, checked on the simulators."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from installation.runtime import Runtime
from installation.runtime.logfile import LogFiles
from tests.runtime.conftest import STRIP_UNIVERSE, WASH1_DIMMER, universe, wait_until


def _act(runtime: Runtime) -> str:
    return str(runtime.state().get("act"))


def test_go_changes_act_and_the_simulated_rig_receives_the_levels(
    project: Path, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project)
    # the idle act's first cue: wash at 40 % on the Enttec widget, the strip red at 20 % on Art-Net
    wait_until(lambda: universe(runtime, 1)[WASH1_DIMMER] == 102, "wash1 at 40 % on the Enttec simulator")
    wait_until(lambda: universe(runtime, STRIP_UNIVERSE)[0] == 51, "strip red at 20 % on the Art-Net node")
    assert runtime.go(source="test").ok
    wait_until(lambda: _act(runtime) == "streets", "act streets after GO")
    wait_until(lambda: universe(runtime, 1)[WASH1_DIMMER] == 153, "wash1 at 60 % after the act's first cue")
    assert runtime.state()["selected"] == "slow"


def test_health_reports_engine_liveness_and_the_show_over_http(
    project: Path, start_runtime: Callable[..., Runtime]
) -> None:
    runtime = start_runtime(project, panel=True)
    url = runtime.adapters.panel.url + "health"
    body = wait_until(lambda: _get_json(url), "/health answering")
    status, data = body
    assert status == 200
    by_name = {a["name"]: a for a in data["adapters"]}
    assert by_name["engine"]["state"] == "ok"
    assert "act attract" in by_name["engine"]["detail"]
    assert by_name["show"]["state"] == "ok"
    assert {"dmx:usb", "dmx:strip-node", "dmx:haze-node", "osc:media", "serial:fan"} <= set(by_name)

    # a hung engine loop: /health turns 503 with the engine down, and recovers when the loop does
    runtime.engine_stall_s = 0.3
    release = threading.Event()
    runtime.loop.call_soon_threadsafe(lambda: release.wait(30.0))
    try:
        stalled = wait_until(lambda: (r := _get_json(url)) and r[0] == 503 and r,
                             "/health to report the stalled engine loop")
        engine = {a["name"]: a for a in stalled[1]["adapters"]}["engine"]
        assert engine["state"] == "down" and "has not stepped" in engine["detail"]
    finally:
        release.set()
    wait_until(lambda: (r := _get_json(url)) and r[0] == 200, "/health back to 200 once the loop runs again")


def _get_json(url: str) -> tuple[int, dict[str, Any]] | None:
    try:
        with urllib.request.urlopen(url, timeout=5.0) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return None


def test_graceful_shutdown_journal_resumes_act_cue_and_levels(
    project: Path, tmp_path: Path, start_runtime: Callable[..., Runtime]
) -> None:
    first = start_runtime(project, state_dir=tmp_path / "state")
    first.go(source="test")
    wait_until(lambda: _act(first) == "streets", "act streets")
    wait_until(lambda: universe(first, 1)[WASH1_DIMMER] == 153, "the act's first cue done")
    assert first.go(source="test").data is True  # the slow strip fade (not debounced)
    wait_until(lambda: universe(first, STRIP_UNIVERSE)[0] >= 54, "the slow fade under way")
    first.shutdown()
    journal = (tmp_path / "state" / "show.journal.jsonl").read_text().splitlines()
    last = json.loads(journal[-1])
    assert last["act"] == "streets" and "slow" in [c["name"] for c in last["cues"]]

    second = start_runtime(project, state_dir=tmp_path / "state")
    assert _act(second) == "streets"
    slow = {c["name"]: c for c in second.state()["cues"]}["slow"]
    assert slow["state"] == "running"
    assert second.state()["selected"] == "ping"
    level = universe(second, STRIP_UNIVERSE)[0]
    wait_until(lambda: universe(second, STRIP_UNIVERSE)[0] >= level, "the fade carrying on")


def test_log_file_is_written_and_rotated(tmp_path: Path) -> None:
    files = LogFiles(tmp_path, "show", max_bytes=2000, backups=2)
    assert files.attach()
    logger = logging.getLogger("installation.test")
    try:
        for i in range(200):
            logger.info("line %d of a long day in the gallery", i)
        logger.error("a problem\nwith a second line")
    finally:
        files.detach()
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert logs == ["show.log", "show.log.1", "show.log.2"]
    text = (tmp_path / "logs" / "show.log").read_text()
    assert "ERROR installation.test: a problem ⏎ with a second line" in text
    assert all(p.stat().st_size <= 2200 for p in (tmp_path / "logs").iterdir())


def test_under_journald_stderr_lines_carry_the_syslog_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (tmp_path / "stderr").open("w+", encoding="utf-8") as stream:
        st = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")  # what systemd sets
        monkeypatch.setattr(sys, "stderr", stream)
        handler = logging.StreamHandler(sys.stderr)  # as logging.basicConfig makes it
        plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        handler.setFormatter(plain)
        logging.getLogger().addHandler(handler)
        files = LogFiles(tmp_path, "show")
        try:
            assert files.attach()
            logging.getLogger("installation.test").error("dmx:usb down")
            logging.getLogger("installation.test").info("act streets")
        finally:
            files.detach()
            logging.getLogger().removeHandler(handler)
        assert handler.formatter is plain
        stream.seek(0)
        lines = stream.read().splitlines()
    assert lines == ["<3>installation.test: dmx:usb down", "<6>installation.test: act streets"]
