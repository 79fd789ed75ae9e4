"""The JACK server a rehearsal starts: jackd with the dummy driver, living exactly as long as the show.

The server has a name of its own per state folder (`jackd -n installation-…`), so a rehearsal never
plays through somebody else's JACK server by accident. The kernel ends it when the show dies, even by
kill -9 (`PR_SET_PDEATHSIG`); one left by an earlier show anyway (an older version, a kill during the
start) is ended at start-up with one log line, never silently adopted.

jackd is always ended with SIGTERM first: a SIGKILLed jackd keeps its slot in JACK's shared-memory
server registry (8 slots for the whole machine) until a server of the same name starts again, and
after eight of those no JACK server of any name starts any more ("Too many servers already active").
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

from installation.platform.childproc import die_with_parent

log = logging.getLogger(__name__)

JACK_ARGS = ("--no-realtime", "-d", "dummy", "-r", "48000", "-p", "512")
STOP_TIMEOUT_S = 3.0


def server_name(state_dir: Path) -> str:
    """The JACK server name of the show whose journal lives in `state_dir`."""
    digest = hashlib.sha1(str(state_dir.resolve()).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"installation-{digest}"


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) from /proc; None when the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _running(pid: int) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")[:-1]


def _named(argv: list[str]) -> str:
    """The server name a jackd command line asks for ("default" without -n/--name)."""
    for i, arg in enumerate(argv):
        if arg in ("-n", "--name") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--name="):
            return arg.split("=", 1)[1]
        if arg.startswith("-n") and len(arg) > 2:
            return arg[2:]
    return "default"


def servers_named(name: str) -> list[int]:
    """Running jackd processes (of any parent) serving JACK server `name` (Linux /proc; [] elsewhere)."""
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        argv = _cmdline(pid)
        if argv and Path(argv[0]).name == "jackd" and _named(argv) == name and _running(pid):
            found.append(pid)
    return found


def _end(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> bool:
    """SIGTERM, then SIGKILL after `timeout_s`, to a process that is not our child; True once it is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        gone = threading.Event()
        for _ in range(int(timeout_s / 0.02)):
            if not _running(pid):
                return True
            gone.wait(0.02)  # polling another process's exit with a deadline (no waitpid: not our child)
    return not _running(pid)


class JackServer:
    """`jackd -n NAME --no-realtime -d dummy …` for a rehearsal: start() once, stop() at close."""

    def __init__(self, name: str, *, args: tuple[str, ...] = JACK_ARGS) -> None:
        self.name = name
        self.args = args
        self._process: subprocess.Popen[bytes] | None = None
        self._keeper: threading.Thread | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> bool:
        """End an earlier show's jackd of this name, then start ours; False when jackd is not installed."""
        jackd = shutil.which("jackd")
        if jackd is None:
            return False
        probe = subprocess.run([jackd, "--version"], capture_output=True, check=False)
        if probe.returncode not in (0, 1):
            return False
        for pid in servers_named(self.name):
            stat = _proc_stat(pid)
            parent = stat[1] if stat else 0
            if parent > 1 and _running(parent) and any("installation" in a for a in _cmdline(parent)):
                log.error(
                    "audio: jackd pid %d (server %s) belongs to another running show (pid %d) with this "
                    "state folder; not adopting it: rehearsing silently", pid, self.name, parent,
                )
                return False
            if _end(pid):
                log.warning(
                    "audio: ended jackd pid %d (server %s, parent pid %d) left running by an earlier show; "
                    "starting a fresh one", pid, self.name, parent,
                )
            else:
                log.error(
                    "audio: jackd pid %d (server %s) left by an earlier show could not be ended; not "
                    "adopting it: rehearsing silently (kill it, then restart the show)", pid, self.name,
                )
                return False
        # the kernel's parent-death signal follows the thread that forks: a keeper thread that waits on
        # jackd for its whole life forks it, so jackd never outlives the show but survives the caller
        started = threading.Event()
        errors: list[OSError] = []
        self._stopping = False
        self._keeper = threading.Thread(
            target=self._keep, args=([jackd, "-n", self.name, *self.args], started, errors),
            name="jackd-keeper", daemon=True,
        )
        self._keeper.start()
        started.wait()
        if errors:
            log.error("audio: could not start jackd: %s", errors[0])
            return False
        log.info(
            "started jackd (pid %s, server %s) with the dummy driver for rehearsal audio; it ends with "
            "the show", self.pid, self.name,
        )
        return True

    def _keep(self, argv: list[str], started: threading.Event, errors: list[OSError]) -> None:
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C goes to the show, which stops jackd
                # SIGTERM, not SIGKILL: jackd then frees its registry slot (see the module docstring)
                preexec_fn=die_with_parent(signal.SIGTERM),  # noqa: PLW1509 - prctl only, no locks
            )
        except OSError as exc:
            errors.append(exc)
            started.set()
            return
        self._process = process
        started.set()
        code = process.wait()
        if not self._stopping:
            log.warning("audio: jackd (pid %d, server %s) exited with status %d", process.pid, self.name,
                        code)

    def stop(self) -> None:
        """Stop jackd (SIGTERM, SIGKILL after 3 s); idempotent."""
        self._stopping = True
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)
        if self._keeper is not None:
            self._keeper.join(timeout=STOP_TIMEOUT_S)
            self._keeper = None
