"""Hot reload: watch the show file, its rig, fixture profiles and shaders; validate every change off the
engine loop, hand a valid show to the runtime (applied at a safe point), reject an invalid one with its
`file:line:col` problems in the log and the panel while the running version carries on.

Shader code itself is reloaded by the projection adapter (a shader that fails to compile keeps the last
good scene on screen); a shader change reaches this module too, because a scene's ISF header declares
the act's `scene.*` parameters.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from installation.errors import Problem, ShowError
from installation.show.model import Show

log = logging.getLogger(__name__)

WATCH_SUFFIXES = frozenset({".yaml", ".yml", ".fs", ".frag", ".glsl", ".vs", ".vert"})
DEBOUNCE_MS = 300  # an editor's save (write, rename, chmod) arrives as one change


def same_rig(a: Any, b: Any, ignore: tuple[str, ...] = ()) -> bool:
    """Two loaded rigs describe the same devices, fixtures and patch (a Rig compares by identity)."""
    if a is None or b is None:
        return a is b
    if not dataclasses.is_dataclass(a) or type(a) is not type(b):
        return bool(a == b)
    names = [f.name for f in dataclasses.fields(a) if f.name not in ignore]
    return all(getattr(a, name) == getattr(b, name) for name in names)


def same_show(a: Show, b: Show) -> bool:
    """Nothing a running show uses differs (positions of comments and blank lines included)."""
    for f in dataclasses.fields(a):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if f.name == "rig":
            if not same_rig(left, right):
                return False
        elif left != right:
            return False
    return True


def show_dependencies(show: Show) -> set[Path]:
    """The folders whose files can change what the show means: cues, the rig's folder, the scenes'."""
    folders = {show.path.parent}
    if show.rig_path is not None:
        folders.add(show.rig_path.parent)
    for act in show.acts.values():
        for path in (act.scene, act.transition.shader):
            if path is not None:
                folders.add(Path(path).parent)
    # a folder inside another is covered by the recursive watch of the outer one
    return {f for f in folders if not any(o != f and f.is_relative_to(o) for o in folders)}


def problems_of(exc: BaseException, show_path: Path) -> list[Problem]:
    """The problems a failed load reports (a ShowError's list, or one line for anything else)."""
    if isinstance(exc, ShowError):
        return list(exc.problems)
    message = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
    return [Problem(str(show_path), 1, 1, message, "save the file again once it is complete")]


class ShowWatcher:
    """A thread that watches a show's files and calls `on_valid(show)` or `on_problems(problems)`.

    `on_problems([])` after a good (or unchanged) load clears a previous rejection.

    `current()` returns the show now running (to skip reloads that change nothing and to know which
    folders to watch); `ignore` lists folders whose changes never matter (the state folder).
    """

    def __init__(
        self,
        show_path: Path,
        current: Callable[[], Show],
        on_valid: Callable[[Show], None],
        on_problems: Callable[[list[Problem]], None],
        *,
        ignore: Iterable[Path] = (),
        debounce_ms: int = DEBOUNCE_MS,
        loader: Callable[[Path], Show] | None = None,
    ) -> None:
        self.show_path = show_path
        self.current = current
        self.on_valid = on_valid
        self.on_problems = on_problems
        self.ignore = tuple(p.resolve() for p in ignore)
        self.debounce_ms = debounce_ms
        self._loader = loader
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._folders: set[Path] = set()
        self._last_problems: list[str] = []
        self.checks = 0  # changes looked at (for tests and the bench)
        self.ready = threading.Event()  # set once the first watch is in place

    def start(self) -> None:
        """Start watching in a daemon thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="installation-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=6.0)
            self._thread = None

    # ------------------------------------------------------------------------------------ the thread
    def _wanted(self, _change: Any, path: str) -> bool:
        p = Path(path)
        if p.suffix.lower() not in WATCH_SUFFIXES:
            return False
        return not any(p.is_relative_to(i) for i in self.ignore)

    def _run(self) -> None:
        import watchfiles

        while not self._stop.is_set():
            self._folders = {f for f in show_dependencies(self.current()) if f.is_dir()}
            if not self._folders:
                log.warning("hot reload: none of the show's folders exist; not watching")
                self.ready.set()
                return
            try:
                watcher = watchfiles.watch(
                    *sorted(self._folders), watch_filter=self._wanted, debounce=self.debounce_ms, step=50,
                    stop_event=self._stop, rust_timeout=250, yield_on_timeout=True, raise_interrupt=False,
                )
                for changes in watcher:
                    self.ready.set()
                    if self._stop.is_set():
                        return
                    if not changes:
                        continue
                    self.check(sorted({Path(p) for _, p in changes}))
                    if {f for f in show_dependencies(self.current()) if f.is_dir()} != self._folders:
                        break  # the show now uses other folders: watch those
            except Exception as exc:  # the watcher must never take the show down
                log.error("hot reload: watching %s failed (%s); retrying", self.show_path.parent, exc)
                self._stop.wait(2.0)

    def check(self, changed: list[Path]) -> Show | None:
        """Load the show after a change; report the outcome. Returns the new show when it is to be applied."""
        self.checks += 1
        names = ", ".join(_short(p) for p in changed[:4]) + (" …" if len(changed) > 4 else "")
        try:
            show = self._load(self.show_path)
        except Exception as exc:  # any failure to load is a rejected edit, never a crash
            problems = problems_of(exc, self.show_path)
            lines = [str(p) for p in problems]
            if lines != self._last_problems:  # the same broken file saved twice is reported once
                self._last_problems = lines
                for line in lines:
                    log.error("reload rejected: %s", line)
                log.error("reload of %s rejected after a change to %s: %d problem(s); the running version "
                          "carries on", _short(self.show_path), names, len(problems))
            self.on_problems(problems)
            return None
        self._last_problems = []
        if same_show(show, self.current()):
            log.info("reload: %s changed, the show is the same", names)
            self.on_problems([])  # a fixed file clears the panel's problem
            return None
        log.info("reload: %s changed; the new version is valid and will be applied", names)
        self.on_problems([])
        self.on_valid(show)
        return show

    def _load(self, path: Path) -> Show:
        if self._loader is not None:
            return self._loader(path)
        from installation.show.loader import load_show

        return load_show(path)


def _short(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
