"""`installation service install SHOW`: the systemd unit that boots to the show."""

from __future__ import annotations

import configparser
import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installation.cli import main
from installation.runtime.service import plan_service, render_unit, unit_name
from tests.runtime.conftest import REPO, make_project


def _unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_dry_run_prints_a_notify_unit_with_restart_limits_watchdog_and_journal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    show = str(REPO / "cues" / "unenclosed.yaml")
    assert main(["service", "install", show, "--dry-run", "--user", "olad"]) == 0
    text = capsys.readouterr().out
    unit = _unit(text)
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["Restart"] == "on-failure" and int(service["RestartSec"]) > 0
    assert int(service["WatchdogSec"]) > 0
    assert service["StandardOutput"] == service["StandardError"] == "journal"
    assert service["User"] == "olad"
    assert service["WorkingDirectory"] == str(REPO)
    python = os.path.abspath(sys.executable)
    assert service["ExecStart"] == f"{python} -m installation run cues/unenclosed.yaml"
    assert int(unit["Unit"]["StartLimitIntervalSec"]) > 0 and int(unit["Unit"]["StartLimitBurst"]) > 0
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "The Unenclosed" in unit["Unit"]["Description"]


def test_install_writes_the_unit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    show = make_project(tmp_path / "my project", (REPO / "cues" / "solas.yaml").read_text(), "solas")
    units = str(tmp_path / "units")
    rc = main(["service", "install", str(show), "--unit-dir", units, "--user", getpass.getuser()])
    assert rc == 0
    path = tmp_path / "units" / "installation-solas.service"
    unit = _unit(path.read_text())
    # a project folder with a space: WorkingDirectory takes the rest of the line, ExecStart is quoted
    assert unit["Service"]["WorkingDirectory"] == str(tmp_path / "my project")
    assert unit["Service"]["ExecStart"].endswith("-m installation run cues/solas.yaml")
    out = capsys.readouterr().out
    assert "systemctl daemon-reload && systemctl enable --now installation-solas.service" in out


def test_unknown_user_and_broken_show_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = REPO / "cues" / "unenclosed.yaml"
    args = ["service", "install", str(show), "--unit-dir", str(tmp_path), "--user", "no-such-user-x"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "user 'no-such-user-x' does not exist" in err and "useradd" in err
    assert not list(tmp_path.iterdir())

    text = "show: Broken\nacts:\n  a:\n    cues:\n      - {name: x, wait: 5}\n"
    broken = make_project(tmp_path / "p", text)
    assert main(["service", "install", str(broken), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "cues/show.yaml:" in err and "fix the show before installing a service" in err


def test_unit_names_and_quoting() -> None:
    assert unit_name(Path("cues/My Show!.yaml")) == "installation-My-Show-.service"
    plan = plan_service(REPO / "cues" / "unenclosed.yaml", "olad")
    plan = type(plan)(**{**plan.__dict__, "python": "/opt/show venv/bin/python"})
    assert 'ExecStart="/opt/show venv/bin/python" -m installation run' in render_unit(plan)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    unit = tmp_path / "installation-unenclosed.service"
    unit.write_text(render_unit(plan_service(REPO / "cues" / "unenclosed.yaml", getpass.getuser())))
    command = ["systemd-analyze", "verify", str(unit)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "installation-unenclosed" not in result.stderr  # no warnings about our unit
