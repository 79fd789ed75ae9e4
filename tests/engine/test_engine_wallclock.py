"""The wall clock: the machine's zone with its DST rules, or a start pinned by $INSTALLATION_WALL_CLOCK."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from installation.errors import InstallationError
from installation.platform.wallclock import ENV, local_zone, offset_of, offset_wall, system_wall

REPO = Path(__file__).resolve().parents[2]


def test_a_pinned_start_is_local_in_the_machines_zone_and_runs_on() -> None:
    wall = system_wall({ENV: "2026-12-07T22:05", "TZ": "Europe/London"})
    first, second = wall(), wall()
    assert (first.year, first.month, first.day, first.hour, first.minute) == (2026, 12, 7, 22, 5)
    assert first.tzinfo == ZoneInfo("Europe/London") and first.weekday() == 0
    assert dt.timedelta(0) <= second - first < dt.timedelta(seconds=5)


def test_a_pinned_start_with_an_offset_is_that_instant_shown_in_local_time() -> None:
    wall = system_wall({ENV: "2026-07-01T12:00+00:00", "TZ": "Europe/Berlin"})
    now = wall()
    assert (now.hour, now.utcoffset()) == (14, dt.timedelta(hours=2))  # CEST


def test_a_posix_tz_rule_gives_its_fixed_offset() -> None:
    zone = local_zone({"TZ": "LOC+19"})  # what CI uses to put local time at 03:00
    assert zone.utcoffset(dt.datetime(2026, 1, 1)) is not None


def test_a_bad_pinned_value_is_one_clear_line() -> None:
    with pytest.raises(InstallationError, match=r"\$INSTALLATION_WALL_CLOCK='monday' is not a date and time"):
        system_wall({ENV: "monday"})


def test_a_child_process_copy_reads_the_same_time() -> None:
    wall = system_wall({ENV: "2030-01-01T00:00", "TZ": "UTC"})
    child = offset_wall(offset_of(wall), ZoneInfo("UTC"))
    assert abs((child() - wall()).total_seconds()) < 1.0


def test_check_names_the_variable_and_the_fix_without_a_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", ENV: "next tuesday", "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-m", "installation", "rehearse", str(REPO / "cues" / "unenclosed.yaml"),
         "--duration", "0", "--state-dir", str(tmp_path), "--audio", "off", "--projection", "off"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "INSTALLATION_WALL_CLOCK='next tuesday' is not a date and time; write it as" in out.stderr
