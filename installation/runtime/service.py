"""Boot to show: a systemd unit that runs `installation run SHOW`, restarts it and watches it."""

from __future__ import annotations

import getpass
import os
import pwd
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from installation.errors import ShowError

RESTART_SEC = 3  # pause before a restart (a crash loop must not hammer the devices)
START_LIMIT_INTERVAL_SEC = 300  # at most START_LIMIT_BURST starts in this window, then systemd gives up
START_LIMIT_BURST = 10
WATCHDOG_SEC = 15  # the engine loop pings every ~WATCHDOG_SEC/3; a hung loop is killed and restarted
TIMEOUT_START_SEC = 90  # READY=1 comes once the adapters are open
TIMEOUT_STOP_SEC = 30  # the show fades out and closes its devices on SIGTERM
SUPPLEMENTARY_GROUPS = ("dialout", "audio", "video")  # serial/DMX widgets, sound card, camera

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class ServicePlan:
    """Everything the unit names: where it runs, as whom, with which python, for which show."""

    name: str  # installation-<stem>.service
    show_title: str
    show_rel: str  # the show file relative to the project folder
    project: Path
    python: str
    user: str
    groups: tuple[str, ...]


def unit_name(show_path: Path) -> str:
    """`installation-<show stem>.service`, with characters systemd dislikes replaced."""
    return f"installation-{_UNSAFE.sub('-', show_path.stem)}.service"


def _quote(arg: str) -> str:
    """An ExecStart argument (systemd's quoting: double quotes, backslash escapes)."""
    if arg and not re.search(r"[\s\"'\\$%;]", arg):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$").replace("%", "%%")
    return f'"{escaped}"'


def render_unit(plan: ServicePlan) -> str:
    """The unit file's text."""
    exec_start = " ".join(_quote(a) for a in (plan.python, "-m", "installation", "run", plan.show_rel))
    groups = f"SupplementaryGroups={' '.join(plan.groups)}\n" if plan.groups else ""
    project = str(plan.project).replace("%", "%%")
    return f"""\
# {plan.name}: boot to show — {plan.show_title} ({plan.show_rel})
# Written by `installation service install`. Apply with:
#   systemctl daemon-reload && systemctl enable --now {plan.name}
# Logs: journalctl -u {plan.name} -f    (also {plan.project}/state/logs/)
[Unit]
Description=installation show: {plan.show_title}
Documentation=file://{project}/docs/operator-guide.md
Wants=network-online.target
After=network-online.target sound.target
StartLimitIntervalSec={START_LIMIT_INTERVAL_SEC}
StartLimitBurst={START_LIMIT_BURST}

[Service]
Type=notify
NotifyAccess=main
User={plan.user}
{groups}WorkingDirectory={project}
Environment=PYTHONUNBUFFERED=1 PYO_GUI_WX=0 JACK_NO_START_SERVER=1
# a projector window needs the display of the logged-in session, e.g.:
#Environment=DISPLAY=:0 XAUTHORITY=/home/{plan.user}/.Xauthority
ExecStart={exec_start}
Restart=on-failure
RestartSec={RESTART_SEC}
WatchdogSec={WATCHDOG_SEC}
TimeoutStartSec={TIMEOUT_START_SEC}
TimeoutStopSec={TIMEOUT_STOP_SEC}
KillMode=mixed
StandardOutput=journal
StandardError=journal
SyslogIdentifier={plan.name.removesuffix(".service")}
Nice=-5

[Install]
WantedBy=multi-user.target
"""


def plan_service(show_path: Path, user: str | None = None) -> ServicePlan:
    """Load the show (a unit for a broken show would only crash-loop) and decide the unit's contents."""
    from installation.show.loader import load_show

    show = load_show(show_path)
    try:
        show_rel = show.path.relative_to(show.root).as_posix()
    except ValueError:
        show_rel = str(show.path)
    user = user or getpass.getuser()
    groups: tuple[str, ...] = ()
    try:
        import grp

        known = {g.gr_name for g in grp.getgrall()}
        groups = tuple(g for g in SUPPLEMENTARY_GROUPS if g in known)
    except ImportError:  # not on Linux
        pass
    return ServicePlan(
        name=unit_name(show.path),
        show_title=show.name,
        show_rel=show_rel,
        project=show.root,
        python=os.path.abspath(sys.executable),  # the venv's python (not resolved: that would leave the venv)
        user=user,
        groups=groups,
    )


def install_service(show_path: Path, *, user: str | None = None, unit_dir: Path = Path("/etc/systemd/system"),
                    dry_run: bool = False) -> int:
    """Write (or with dry_run print) the systemd unit for a show; 0 on success, 1 with a one-line reason."""
    try:
        plan = plan_service(show_path, user)
    except ShowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"installation: {show_path}: fix the show before installing a service for it", file=sys.stderr)
        return 1
    text = render_unit(plan)
    try:
        pwd.getpwnam(plan.user)
        user_ok = True
    except KeyError:
        user_ok = False
    if dry_run:
        sys.stdout.write(text)
        if not user_ok:
            print(f"installation: note: user {plan.user!r} does not exist yet (create it with "
                  f"`useradd --system --create-home --groups {','.join(SUPPLEMENTARY_GROUPS)} {plan.user}`)",
                  file=sys.stderr)
        return 0
    if not user_ok:
        print(f"installation: user {plan.user!r} does not exist; create it with `useradd --system "
              f"--create-home --groups {','.join(SUPPLEMENTARY_GROUPS)} {plan.user}` or pass --user",
              file=sys.stderr)
        return 1
    if plan.user == "root":
        print("installation: note: the show will run as root; a dedicated user (--user) is safer",
              file=sys.stderr)
    target = unit_dir / plan.name
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        print(f"installation: cannot write {target} ({exc.strerror or exc}); run it with sudo, or pass "
              f"--unit-dir ~/.config/systemd/user for a user service", file=sys.stderr)
        return 1
    state = plan.project / "state"
    print(f"wrote {target}")
    print(f"next: systemctl daemon-reload && systemctl enable --now {plan.name}")
    owner = state.stat().st_uid if state.exists() else None
    if owner != pwd.getpwnam(plan.user).pw_uid:
        print(f"note: {plan.user} must own {state} (journal and logs): "
              f"mkdir -p {state} && chown -R {plan.user} {state}")
    return 0
