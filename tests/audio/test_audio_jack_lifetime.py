"""The jackd a rehearsal starts lives exactly as long as the show: kill -9 takes it along, a restart never
adopts one an earlier show left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 15.0  # a loaded machine: the show imports pyo and boots its audio child

SHOW = """\
show: Jack Lifetime
idle:
  act: hum
acts:
  hum:
    soundscape:
      level: "-14 dB"
      layers:
        drone: {instrument: drone, root: "55 Hz", level: "-20 dB"}
"""


def wait_until(predicate: Callable[[], Any], what: str, timeout_s: float = DEADLINE_S) -> Any:
    """Poll real processes until predicate() is truthy; fail after the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.02)  # noqa: TID251 - polling real processes with a deadline


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def children(parent: int) -> dict[int, list[str]]:
    """The live child processes of `parent`, with their command lines."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == parent and alive(int(entry.name)):
                out[int(entry.name)] = cmdline(int(entry.name))
    return out


def jackd_of(parent: int) -> int | None:
    found = children(parent)  # the server, not the `jackd --version` probe before it
    return next((pid for pid, argv in found.items() if argv and Path(argv[0]).name == "jackd"
                 and "--version" not in argv), None)


def audio_child_of(parent: int) -> int | None:
    return next((pid for pid, argv in children(parent).items() if "installation.audio.child" in argv), None)


def server_of(pid: int) -> str:
    argv = cmdline(pid)
    assert "-n" in argv, f"jackd runs the default server, not one of its own: {argv}"
    return argv[argv.index("-n") + 1]


@pytest.fixture
def show(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start the rehearsing show (each start appends to tmp_path/show.log); all are ended at the end."""
    if shutil.which("jackd") is None:
        if os.environ.get("INSTALLATION_REQUIRE_INTEGRATION") == "1":
            pytest.fail("jackd is not installed (apt-get install jackd2), INSTALLATION_REQUIRE_INTEGRATION=1")
        pytest.skip("jackd is not installed (apt-get install jackd2)")
    show_path = tmp_path / "show.yaml"
    show_path.write_text(SHOW, encoding="utf-8")
    started: list[subprocess.Popen[bytes]] = []
    strays: list[int] = []

    def start() -> subprocess.Popen[bytes]:
        with (tmp_path / "show.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, str(REPO / "tests" / "audio" / "show_process.py"), str(show_path),
                 "--state-dir", str(tmp_path / "state")],
                stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO), "PYO_GUI_WX": "0"},
            )
        started.append(proc)
        return proc

    start.strays = strays  # type: ignore[attr-defined]
    yield start
    for proc in started:
        strays.extend(children(proc.pid))
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    for pid in strays:  # never leave a jackd behind: SIGTERM, so that it frees its JACK registry slot
        if alive(pid):
            os.kill(pid, signal.SIGTERM)
    for pid in strays:
        deadline = time.monotonic() + 5.0
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)  # noqa: TID251 - polling a real process with a deadline
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_jackd_and_the_audio_child_die_with_a_show_killed_by_sigkill(show, tmp_path):
    proc = show()
    jackd = wait_until(lambda: jackd_of(proc.pid), "the show's jackd")
    argv = cmdline(jackd)
    audio = wait_until(lambda: audio_child_of(proc.pid), "the show's audio child")
    show.strays.extend([jackd, audio])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    wait_until(lambda: not alive(jackd), "jackd to end with the killed show", timeout_s=5.0)
    wait_until(lambda: not alive(audio), "the audio child to end with the killed show", timeout_s=5.0)
    # it was ended cleanly, so it gave back its JACK server registry slot and removed its socket: eight
    # SIGKILLed servers of other names would leave no JACK server able to start on this machine
    name = argv[argv.index("-n") + 1] if "-n" in argv else "default"
    shm = Path("/dev/shm")
    wait_until(lambda: not list(shm.glob(f"jack_{name}_*")), "jackd's socket in /dev/shm removed", 5.0)


def test_a_restarted_show_ends_the_jackd_an_earlier_show_left_and_says_so(show, tmp_path):
    first = show()
    first_jackd = wait_until(lambda: jackd_of(first.pid), "the first show's jackd")
    name = server_of(first_jackd)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    wait_until(lambda: _stat(first_jackd) is None, "the first show's jackd to be gone and reaped")
    # a jackd of ours that escaped (an older version, or killed mid-start): orphaned to init
    out = subprocess.run(
        ["sh", "-c", f"jackd -n {name} --no-realtime -d dummy -r 48000 -p 512 >/dev/null 2>&1 & echo $!"],
        capture_output=True, text=True, check=True,
    )
    orphan = int(out.stdout.strip())
    show.strays.append(orphan)
    env = {**os.environ, "JACK_DEFAULT_SERVER": name, "JACK_NO_START_SERVER": "1"}
    ready = subprocess.run(
        ["jack_wait", "-w", "-t", "5"], env=env, capture_output=True, text=True, check=False, timeout=10
    )
    assert "server is available" in ready.stdout, ready.stdout + ready.stderr
    assert _stat(orphan) is not None and _stat(orphan)[1] != os.getpid()

    second = show()
    wait_until(lambda: not alive(orphan), "the restarted show to end the orphaned jackd")
    own = wait_until(lambda: jackd_of(second.pid), "the restarted show's own jackd")
    assert server_of(own) == name
    log = (tmp_path / "show.log").read_text(errors="replace")
    ended = [line for line in log.splitlines() if f"pid {orphan}" in line]
    assert len(ended) == 1 and "earlier show" in ended[0], ended
    second.send_signal(signal.SIGTERM)  # a clean stop closes jackd too
    assert second.wait(timeout=15) == 0
    wait_until(lambda: not alive(own), "jackd to end with the show's clean stop", timeout_s=5.0)
