"""The show file's `presence:` section as typed settings, with every problem named by file:line:col."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from installation.errors import Problem, ShowError
from installation.presence.zones import Polygon, as_polygon
from installation.show.located import key_pos, load_file, value_pos

SOURCES = ("camera", "file", "url", "synthetic", "replay")
FALLBACKS = ("keep", "idle")
KEYS = ("source", "camera", "file", "url", "replay", "fallback", "mask", "zones")


@dataclass(frozen=True, slots=True)
class PresenceSettings:
    """Where presence comes from and what it means: source, zones and masked-off regions."""

    source: str = "synthetic"
    camera: int | str = 0  # index or device path
    file: Path | None = None  # resolved against the project folder
    url: str | None = None
    replay: Path | None = None
    fallback: str = "keep"
    mask: tuple[Polygon, ...] = ()
    zones: Mapping[str, Polygon] = field(default_factory=dict)


def parse_presence(node: Any, filename: str, root: Path) -> PresenceSettings:
    """Validate a `presence:` mapping from the show YAML; raises ShowError with all problems at once."""
    problems: list[Problem] = []

    def bad(key: Any, message: str, hint: str = "", at_value: bool = True) -> None:
        line, col = value_pos(node, key) if at_value else key_pos(node, key)
        problems.append(Problem(filename, line, col, message, hint))

    if node is None:
        return PresenceSettings()
    if not isinstance(node, Mapping):
        raise ShowError(
            [
                Problem(
                    filename,
                    1,
                    1,
                    "presence: must be a mapping",
                    "e.g. presence: {source: camera, camera: 0}",
                )
            ]
        )
    for key in node:
        if key not in KEYS:
            bad(key, f"presence: unknown key {key!r}", "valid keys: " + ", ".join(KEYS), at_value=False)

    source = str(node.get("source", "synthetic"))
    if source not in SOURCES:
        bad("source", f"presence.source: unknown source {source!r}", "one of " + " | ".join(SOURCES))

    camera: int | str = 0
    if "camera" in node:
        raw = node["camera"]
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            bad(
                "camera", "presence.camera: expected a camera index or a device path", "e.g. 0 or /dev/video0"
            )
        else:
            camera = raw
            if isinstance(raw, int) and raw < 0:
                bad("camera", "presence.camera: camera index must be 0 or more", "e.g. 0")

    def path_of(key: str) -> Path | None:
        if key not in node:
            return None
        raw = node[key]
        if not isinstance(raw, str) or not raw:
            bad(key, f"presence.{key}: expected a path inside the project folder", "e.g. media/room.mp4")
            return None
        path = (root / raw).resolve()
        try:
            path.relative_to(root.resolve())
        except ValueError:
            bad(
                key, f"presence.{key}: {raw!r} is outside the project folder", "keep media inside the project"
            )
            return None
        if not path.exists():
            bad(
                key,
                f"presence.{key}: file {raw!r} does not exist",
                "check the path (relative to the project)",
            )
        return path

    file = path_of("file")
    replay = path_of("replay")
    url = node.get("url")
    if url is not None and not isinstance(url, str):
        bad("url", "presence.url: expected a stream URL", "e.g. rtsp://10.0.0.5/stream1")
        url = None
    needed = {"file": file, "url": url, "replay": replay}
    if source in needed and needed[source] is None and source not in node:
        line, col = key_pos(node, "source")
        problems.append(
            Problem(
                filename,
                line,
                col,
                f"presence: source {source} needs a `{source}:` key",
                f"add {source}: ...",
            )
        )

    fallback = str(node.get("fallback", "keep"))
    if fallback not in FALLBACKS:
        bad("fallback", f"presence.fallback: unknown fallback {fallback!r}", "one of keep | idle")

    mask: list[Polygon] = []
    raw_mask = node.get("mask", [])
    if not isinstance(raw_mask, list):
        bad(
            "mask",
            "presence.mask: expected a list of polygons",
            "e.g. [[[0, 0], [1, 0], [1, 0.2], [0, 0.2]]]",
        )
    else:
        for i, poly in enumerate(raw_mask):
            try:
                mask.append(as_polygon(poly))
            except (ValueError, TypeError) as exc:
                line, col = value_pos(raw_mask, i)
                problems.append(
                    Problem(
                        filename,
                        line,
                        col,
                        f"presence.mask[{i}]: {exc}",
                        "a polygon is a list of [x, y] points in 0..1",
                    )
                )

    zones: dict[str, Polygon] = {}
    raw_zones = node.get("zones", {})
    if not isinstance(raw_zones, Mapping):
        bad(
            "zones",
            "presence.zones: expected a mapping of zone name to polygon",
            "e.g. door: [[0, 0], [0.25, 0], [0.25, 1], [0, 1]]",
        )
    else:
        for name, poly in raw_zones.items():
            try:
                zones[str(name)] = as_polygon(poly)
            except (ValueError, TypeError) as exc:
                line, col = value_pos(raw_zones, name)
                problems.append(
                    Problem(
                        filename,
                        line,
                        col,
                        f"presence.zones.{name}: {exc}",
                        "a polygon is a list of [x, y] points in 0..1",
                    )
                )
    if problems:
        raise ShowError(problems)
    return PresenceSettings(
        source=source,
        camera=camera,
        file=file,
        url=url,
        replay=replay,
        fallback=fallback,
        mask=tuple(mask),
        zones=zones,
    )


def load_presence_settings(show_path: Path, root: Path | None = None) -> PresenceSettings:
    """Read only the `presence:` section of a show file (for the camera/presence CLI verbs)."""
    root = (
        root
        if root is not None
        else show_path.parent.parent
        if show_path.parent.name == "cues"
        else show_path.parent
    )
    data = load_file(show_path)
    if not isinstance(data, Mapping):
        raise ShowError(
            [Problem(str(show_path), 1, 1, "a show file must be a mapping", "see docs/presence.md")]
        )
    return parse_presence(data.get("presence"), str(show_path), root)
