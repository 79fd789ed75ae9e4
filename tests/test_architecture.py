"""The house reads as its architecture: each package sits in a layer and imports only from below.

Layers, bottom up (docs/architecture.md explains each):

    base        installation (version), errors, adapters, platform
    language    show                     what a show file says; knows nothing that runs it
    engine      engine                   pure show logic on an injected clock
    devices     rig audio projection presence control   real drivers and operator surfaces
    simulators  sim                      every device's stand-in (may drive the real device code)
    offline     offline testing          the show without the room: tests, renders, helpers
    runtime     runtime                  the running show: wiring, hours, reload, systemd, logs
    entry       cli bootstrap __main__

A module may import its own package and any package of a lower layer; packages of one layer do not
import each other except where EXCEPTIONS says why. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "installation"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("installation", "installation.errors", "installation.adapters", "installation.platform")),
    ("language", ("installation.show",)),
    ("engine", ("installation.engine",)),
    ("devices", ("installation.rig", "installation.audio", "installation.projection", "installation.presence",
                 "installation.control", "installation.fleet")),
    ("simulators", ("installation.sim",)),
    ("offline", ("installation.offline", "installation.testing")),
    ("runtime", ("installation.runtime",)),
    ("entry", ("installation.cli", "installation.bootstrap", "installation.__main__")),
]

# (importing module prefix, imported module prefix): why it is allowed
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("installation.show.loader", "installation.rig.rigfile"):
        "the loader's DefaultResolver asks the rig file what a show may name (lazily, behind Resolver)",
    ("installation.show.loader", "installation.projection.isf"):
        "the loader's DefaultResolver reads a scene's ISF inputs (lazily, behind Resolver)",
    ("installation.show.loader", "installation.audio.catalog"):
        "the loader's DefaultResolver reads the instruments' parameters (lazily, behind Resolver)",
    ("installation.show.schema", "installation.audio.catalog"):
        "the editor schema lists each instrument's keys",
    ("installation.rig", "installation.projection.warp"):
        "a rig file describes its projectors' outputs with the projection's warp geometry",
    ("installation.fleet", "installation.control.protocol"):
        "the MQTT fleet link is an operator surface: it drives the runtime through the Controller protocol",
    ("installation.projection", "installation.audio.spectrum"):
        "audio-reactive scenes read the soundscape's waveform and FFT block (audio's AudioBlock type)",
    ("installation.presence.cli", "installation.sim.audience"):
        "the presence tools render a synthetic audience (synthetic footage for calibration and tests)",
    ("installation.presence.evaluate", "installation.sim.audience"):
        "the presence evaluation scores the detector against a rendered audience's ground truth",
}
# in these layers the modules are one unit (not packages of their own)
UNITS = ("base", "entry")


def _package(module: str) -> str:
    for _, packages in LAYERS:
        for p in sorted(packages, key=len, reverse=True):
            if module == p or (p != "installation" and module.startswith(p + ".")):
                return p
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and docs/architecture.md)")


def _layer(module: str) -> int:
    package = _package(module)
    return next(i for i, (_, packages) in enumerate(LAYERS) if package in packages)


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("installation")]
        elif (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              and node.module.startswith("installation")):
            base = node.module
            # `from installation.runtime import statefile` names a module: count the module
            found += [(node.lineno, f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
                      for a in node.names]
    return sorted(set(found))


MODULES = _modules()


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _allowed(importer: str, imported: str) -> bool:
    if _package(importer) == _package(imported):
        return True
    if _layer(importer) == _layer(imported) and LAYERS[_layer(importer)][0] in UNITS:
        return True
    for (src, dst), _why in EXCEPTIONS.items():
        if _under(importer, src) and _under(imported, dst):
            return True
    return _layer(imported) < _layer(importer)


def test_every_module_imports_only_from_its_own_package_or_a_lower_layer() -> None:
    bad = []
    for module, path in sorted(MODULES.items()):
        for line, imported in _imports(path, module):
            if imported == "installation":  # the version
                continue
            if not _allowed(module, imported):
                bad.append(f"{path.relative_to(PKG.parent)}:{line}: {module} ({LAYERS[_layer(module)][0]}) "
                           f"imports {imported} ({LAYERS[_layer(imported)][0]})")
    assert not bad, "imports against the layers (docs/architecture.md):\n" + "\n".join(bad)


def test_nothing_sits_loose_at_the_top_of_the_package() -> None:
    loose = sorted(p.name for p in PKG.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "adapters.py", "bootstrap.py", "cli.py", "errors.py"]


def test_real_drivers_do_not_know_their_simulators() -> None:
    for module, path in MODULES.items():
        tools = ("installation.presence.cli", "installation.presence.evaluate")
        if _layer(module) <= _layer("installation.presence") and module not in tools:
            assert not any(i.startswith("installation.sim") for _, i in _imports(path, module)), module


def test_the_engine_calls_no_private_part_of_another_engine_module() -> None:
    """A sequencer or a tracker uses the engine's public methods, never its `_private` ones."""
    for path in (PKG / "engine").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            private = (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                       and not node.attr.startswith("__"))
            if private and isinstance(node.value, ast.Attribute) and node.value.attr in ("engine", "owner"):
                raise AssertionError(f"{path.name}:{node.lineno}: reaches into engine.{node.attr}")


def test_the_exceptions_are_still_needed() -> None:
    """An exception nobody uses any more is removed, so the list stays the truth."""
    used = set()
    for module, path in MODULES.items():
        for _, imported in _imports(path, module):
            for (src, dst) in EXCEPTIONS:
                if _under(module, src) and _under(imported, dst):
                    used.add((src, dst))
    assert set(EXCEPTIONS) == used, set(EXCEPTIONS) - used
