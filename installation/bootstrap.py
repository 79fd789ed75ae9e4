"""Set-up on a fresh Debian/Ubuntu machine, then run the demo or the tests (standard library only).

    python3 -m installation.bootstrap demo   # rehearse the demo show with simulators
    python3 -m installation.bootstrap test   # lint, type-check and run every test

It installs the few Debian packages it needs when run as root (or with passwordless sudo) and prints
the exact apt-get line otherwise, creates `.venv/` in the project folder, installs the project into it,
and then runs the command. Run it again at any time: it only does what is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
DEMO_SHOW = "cues/unenclosed.yaml"
DEMO_AUDIENCE = "cues/audiences/unenclosed/walkthrough.yaml"

# What the demo needs: Mesa's EGL for headless rendering, JACK's dummy driver for real-time audio.
DEMO_PACKAGES = ["libegl1", "libgl1", "libegl-mesa0", "libgl1-mesa-dri", "libgbm1", "jackd2"]
# What the tests add: independent protocol peers and tools they compare against.
TEST_PACKAGES = [
    *DEMO_PACKAGES,
    "liblo-tools",  # oscsend / oscdump: an independent OSC implementation
    "ola",  # olad: an independent Art-Net / sACN receiver
    "qlcplus-data",  # 1,358 real fixture definitions for the importer test
    "chromium",  # the web panel's browser tests (driven by Playwright, never `playwright install`)
    "sox",
    "ffmpeg",
    "xvfb",
    "socat",
    "iproute2",
    "mosquitto",  # the fleet tests start their own MQTT broker
    "mosquitto-clients",  # mosquitto_pub: an independent MQTT client sends a command
]


# The tests that run the show in real time run again at instants when both bundled shows are closed,
# pinned through the project's own wall clock ($INSTALLATION_WALL_CLOCK), with the machine's local
# time at 03:00 ($TZ): a rehearsal, the panel and the exhibits must not care what day it is.
CLOSED_INSTANTS = [("a Monday night", "2026-12-07T22:05"), ("a closed date, 25 December", "2026-12-25T08:30")]
CLOSED_SUITES = ["tests/runtime", "tests/control", "tests/exhibits"]


def _tz_at(local_hour: int) -> str:
    """A POSIX TZ under which the machine's local time now is `local_hour` o'clock (e.g. LOC+19)."""
    offset = (local_hour - dt.datetime.now(dt.UTC).hour) % 24
    offset = offset - 24 if offset > 12 else offset
    return f"LOC{-offset:+d}"


def _node_packages() -> list[str]:
    """Node.js and npm for a second OSC implementation as a QLab remote (npm's node-osc, installed outside
    the repo) — from Debian only when the machine has none: Debian's npm conflicts with a Node.js that
    ships its own npm (NodeSource's), which many machines already have."""
    if shutil.which("node") and shutil.which("npm"):
        return []
    return ["nodejs", "npm"]


def _say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def _missing_packages(packages: list[str]) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return []
    missing = []
    for name in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in result.stdout:
            missing.append(name)
    return missing


def _sudo_works() -> bool:
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


def _apt_install(packages: list[str]) -> bool:
    """Install missing Debian packages; False (with the exact command printed) when we cannot."""
    missing = _missing_packages(packages)
    if not missing:
        return True
    line = "apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and _sudo_works():
        prefix = ["sudo", "-n"]
    else:
        _say("some Debian packages are missing; install them with:")
        print(f"    sudo apt-get update && sudo {line}", flush=True)
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _say(f"installing Debian packages: {' '.join(missing)}")
    subprocess.run([*prefix, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run([*prefix, *line.split(), "-q"], check=True, env=env)
    return True


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _ensure_venv(extras: str) -> Path:
    python = _venv_python()
    if not python.exists():
        try:
            import ensurepip  # noqa: F401  (Debian splits it into python3-venv)
        except ImportError:
            version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
            if not _apt_install([version]):
                sys.exit(2)
        _say(f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / f".installed-{extras or 'base'}"
    pyproject = ROOT / "pyproject.toml"
    if not stamp.exists() or stamp.stat().st_mtime < pyproject.stat().st_mtime:
        _say("installing Python packages into .venv (about a minute the first time)")
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        target = f".[{extras}]" if extras else "."
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", target], check=True, cwd=ROOT)
        stamp.touch()
    return python


def _run(cmd: list[str], env: dict[str, str] | None = None) -> int:
    _say("$ " + " ".join(cmd))
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def demo() -> int:
    """Rehearse the demo show: simulators for every device, the panel on http://127.0.0.1:8080."""
    _apt_install(DEMO_PACKAGES)
    python = _ensure_venv("")
    extra = sys.argv[2:]
    if "--audience" not in extra:  # a scripted visitor walks the show; drop more in the panel's room view
        extra = ["--audience", DEMO_AUDIENCE, *extra]
    _say("open the panel at http://127.0.0.1:8080 (Ctrl-C stops the show)")
    return _run([str(python), "-m", "installation", "rehearse", DEMO_SHOW, *extra])


def test() -> int:
    """Lint, type-check, check the bundled shows and run the whole test suite."""
    packages_ok = _apt_install(TEST_PACKAGES + _node_packages())
    python = _ensure_venv("dev")
    env = {**os.environ, "PYO_GUI_WX": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    if os.environ.get("CI") == "true":
        if not packages_ok:
            _say("CI needs the Debian packages above; refusing to skip the integration tests")
            return 1
        # in CI the integration peers are installed: a missing one is a failure, never a skip
        env["INSTALLATION_REQUIRE_INTEGRATION"] = "1"
    bin_dir = VENV / "bin"
    steps = [
        [str(bin_dir / "ruff"), "check", "installation", "tests", "bench"],
        [str(bin_dir / "mypy")],
        [str(python), "-m", "installation", "check", "cues/unenclosed.yaml", "cues/solas.yaml"],
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *sys.argv[2:]],
    ]
    runs = [("", step, env) for step in steps]
    if not sys.argv[2:]:  # the whole suite: then the real-time tests again on closed days, at 03:00
        tz = _tz_at(3)
        pytest = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *CLOSED_SUITES]
        for what, instant in CLOSED_INSTANTS:
            closed = {**env, "INSTALLATION_WALL_CLOCK": instant, "TZ": tz}
            runs.append((f"again at {what} ({instant}), time zone {tz}: local 03:00", pytest, closed))
    for label, step, step_env in runs:
        if label:
            _say(label)
        code = _run(step, step_env)
        if code == 5:
            _say("pytest collected no tests: that is a failure here")
            return 1
        if code != 0:
            return code
    _say("all green")
    return 0


def main() -> int:
    verbs = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in verbs:
        print(__doc__)
        return 2
    return verbs[sys.argv[1]]()


if __name__ == "__main__":
    sys.exit(main())
