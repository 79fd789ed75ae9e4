"""The `installation` command: check, test, schema, rehearse, run, render and the device tools."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from installation.errors import InstallationError, ShowError
from installation.platform.wallclock import system_wall
from installation.runtime.logfile import WallFormatter

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def _fail(message: str) -> int:
    print(f"installation: {message}", file=sys.stderr)
    return 1


def _load(path: str) -> object:
    from installation.show.loader import load_show

    return load_show(Path(path))


def cmd_check(args: argparse.Namespace) -> int:
    """Validate show files; print every problem as file:line:col and exit 1 when there are any."""
    from installation.show.loader import load_show

    bad = 0
    for name in args.shows:
        try:
            show = load_show(Path(name))
        except ShowError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"{name}: {len(exc.problems)} problem(s)", file=sys.stderr)
            continue
        if not args.no_shaders:
            problems = _compile_shaders(show)
            if problems:
                bad += 1
                for problem in problems:
                    print(problem, file=sys.stderr)
                print(f"{name}: {len(problems)} shader problem(s)", file=sys.stderr)
                continue
        cues = sum(len(list(act.all_cues())) for act in show.acts.values())
        print(f"{name}: ok — {show.name!r}: {len(show.acts)} acts, {cues} cues")
    return 1 if bad else 0


def _compile_shaders(show: Any) -> list[Any]:
    """Compile every scene and transition shader of the show (GLSL errors at the .fs file's lines)."""
    from installation.errors import DeviceError
    from installation.projection.renderer import check_scenes

    paths: list[Path] = []
    for act in show.acts.values():
        for path in (act.scene, act.transition.shader):
            if path is not None and path not in paths:
                paths.append(path)
    try:
        return list(check_scenes(paths, zones=tuple(show.presence.zones), root=show.root))
    except DeviceError as exc:
        print(f"note: shaders not compiled ({exc}); pass --no-shaders to skip this step", file=sys.stderr)
        return []


def cmd_schema(args: argparse.Namespace) -> int:
    """Print (or write) the JSON Schema of show files for editors."""
    from installation.show.schema import show_schema

    if args.markdown:  # the key tables of a document, filled from the declaration of the language
        from installation.show.syntax import update_markdown

        doc = Path(args.markdown)
        try:
            before = doc.read_text(encoding="utf-8")
        except OSError as exc:
            return _fail(f"{doc}: cannot read it ({exc.strerror}); give the path of docs/show-file.md")
        after = update_markdown(before)
        if after != before:
            doc.write_text(after, encoding="utf-8")
        print(f"{doc}: key tables {'updated' if after != before else 'already current'}")
        return 0
    text = json.dumps(show_schema(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def audience_scripts(show_path: Path, given: Sequence[str] | None) -> list[Path]:
    """The scripts named on the command line, or every script in cues/audiences/<show stem>/."""
    if given:
        return [Path(g) for g in given]
    folder = show_path.parent / "audiences" / show_path.stem
    return sorted(folder.glob("*.yaml"))


def cmd_test(args: argparse.Namespace) -> int:
    """Run the show in virtual time under audience scripts; print the timeline; check `expect:`."""
    from installation.offline.audience import load_audience
    from installation.offline.showtest import run_show_test
    from installation.show.loader import load_show

    show_path = Path(args.show)
    show = load_show(show_path)
    scripts = audience_scripts(show_path, args.audience)
    if not scripts:
        return _fail(f"{show_path}: no audience scripts given and none in "
                     f"{show_path.parent / 'audiences' / show_path.stem}/ (write one, or pass --audience)")
    failed = 0
    for script_path in scripts:
        script = load_audience(script_path)
        report = run_show_test(show, script, tick_s=args.tick)
        if args.quiet:
            failed_here = sum(1 for e in report.expects if not e.passed)
            acts = " → ".join(name for _, name in report.acts)
            refused = f"; {len(report.refused)} operator action(s) refused" if report.refused else ""
            print(f"{script_path}: {'ok' if report.passed else 'FAIL'} — {len(report.expects)} expect(s), "
                  f"{failed_here} failed{refused}; acts: {acts}")
        else:
            print(report.format(params=args.params))
        failed += 0 if report.passed else 1
    if failed:
        print(f"{failed} of {len(scripts)} audience script(s) failed their expectations", file=sys.stderr)
        return 1
    return 0


def cmd_live(args: argparse.Namespace, mode: str) -> int:
    """Run the show in real time with the rig's devices (run) or their simulators (rehearse)."""
    from installation.runtime import Runtime, RuntimeOptions

    options = RuntimeOptions(
        mode=mode,
        panel_host=args.host,
        panel_port=args.port,
        panel_allow_hosts=tuple(args.panel_allow_host),
        osc_port=args.osc_port,
        osc_host=args.osc_host,
        osc_allow=tuple(args.osc_allow),
        osc_passcode_file=Path(args.osc_passcode_file) if args.osc_passcode_file else None,
        osc_open=tuple(p for p in args.osc_open.split(",") if p) if args.osc_open is not None else None,
        audio=args.audio,
        projection=args.projection,
        duration_s=args.duration,
        state_dir=Path(args.state_dir) if args.state_dir else None,
        audience=Path(args.audience) if getattr(args, "audience", None) else None,
        resume=not args.fresh,
        sims=Path(args.sims) if getattr(args, "sims", None) else None,
        hours=True if mode == "live" or getattr(args, "hours", False) else None,
        mqtt=args.mqtt,
        mqtt_user=args.mqtt_user,
        mqtt_password_file=Path(args.mqtt_password_file) if args.mqtt_password_file else None,
        mqtt_show_id=args.mqtt_show_id,
    )
    runtime = Runtime(Path(args.show), options)
    return runtime.run_forever()


def cmd_render_audio(args: argparse.Namespace) -> int:
    """Render a whole scripted evening's soundscapes to a WAV file."""
    from installation.offline.render import render_audio

    return render_audio(Path(args.show), Path(args.audience), Path(args.output), duration_s=args.duration)


def cmd_render(args: argparse.Namespace) -> int:
    """Render a whole scripted evening's projection (with its audio) to a video file."""
    from installation.offline.render import render_video

    return render_video(
        Path(args.show), Path(args.audience), Path(args.output),
        duration_s=args.duration, fps=args.fps, size=(args.width, args.height), audio=not args.no_audio,
    )


def cmd_devices(args: argparse.Namespace) -> int:
    """List serial ports, cameras and network interfaces a rig file can name."""
    from serial.tools import list_ports

    print("serial ports:")
    ports = list(list_ports.comports())
    for port in ports:
        print(f"  {port.device}  {port.description}  {port.hwid}")
    if not ports:
        print("  (none)")
    print("cameras:")
    cams = sorted(Path("/dev").glob("video*"))
    for cam in cams:
        print(f"  {cam}")
    if not cams:
        print("  (none)")
    by_id = Path("/dev/serial/by-id")
    if by_id.exists():
        print("stable serial names (use these in rig files):")
        for link in sorted(by_id.iterdir()):
            print(f"  {link}")
    return 0


def cmd_service(args: argparse.Namespace) -> int:
    """Write a systemd unit that boots to the show."""
    from installation.runtime.service import install_service

    return install_service(Path(args.show), user=args.user, unit_dir=Path(args.unit_dir),
                           dry_run=args.dry_run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="installation", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = sub.add_parser("check", help="validate show files (exit 1 with every problem)")
    p.add_argument("shows", nargs="+", metavar="SHOW")
    p.add_argument("--no-shaders", action="store_true", help="do not compile the GLSL of the scenes")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("schema", help="print the JSON Schema of show files")
    p.add_argument("-o", "--output")
    p.add_argument("--markdown", metavar="DOC", help="fill the key tables of DOC (docs/show-file.md) instead")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("test", help="run a show in virtual time under audience scripts and check expect:")
    p.add_argument("show", metavar="SHOW")
    p.add_argument("--audience", action="append", metavar="SCRIPT",
                   help="audience script (repeatable; default: every script in cues/audiences/<show>/)")
    p.add_argument("--tick", type=float, default=0.1, help="virtual presence sampling step in seconds")
    p.add_argument("-q", "--quiet", action="store_true", help="one line per script")
    p.add_argument("--params", action="store_true", help="print every parameter change too")
    p.set_defaults(func=cmd_test)

    for verb, mode, text in (("rehearse", "rehearse", "run with every device simulated"),
                             ("run", "live", "run live with the rig file's devices")):
        p = sub.add_parser(verb, help=text)
        p.add_argument("show", metavar="SHOW")
        p.add_argument("--host", default="127.0.0.1", help="web panel address (default loopback only)")
        p.add_argument("--port", type=int, default=8080, help="web panel port")
        p.add_argument("--osc-port", type=int, default=53000,
                       help="OSC control port, UDP and TCP (QLab's is 53000)")
        p.add_argument("--osc-host", default="127.0.0.1",
                       help="OSC control address (default loopback; another needs --osc-allow or a passcode)")
        p.add_argument("--osc-allow", action="append", default=[], metavar="CIDR",
                       help="a remote address or network OSC answers, e.g. 192.168.1.0/24 (repeatable)")
        p.add_argument("--osc-passcode-file", default=None, metavar="FILE",
                       help="QLab-style OSC passcodes, one a line: PASSCODE [view,edit,control]")
        p.add_argument("--osc-open", default=None, metavar="PERMS",
                       help="what OSC remotes may do without a passcode: '' (nothing), view, view,control, … "
                            "(default: everything without passcodes, nothing with them)")
        p.add_argument("--panel-allow-host", action="append", default=[], metavar="NAME",
                       help="another name or address the panel answers to, e.g. show-pc.local (repeatable)")
        p.add_argument("--audio", choices=("auto", "jack", "device", "off"), default="auto")
        p.add_argument("--projection", choices=("auto", "window", "headless", "off"), default="auto")
        p.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
        p.add_argument("--state-dir", default=None, help="journal, token and logs (default ./state)")
        p.add_argument("--fresh", action="store_true", help="ignore the journal: start from the top")
        p.add_argument("--mqtt", default="", metavar="HOST:PORT",
                       help="report to this fleet broker (default: the rig file's fleet: section)")
        p.add_argument("--mqtt-user", default="", metavar="USER")
        p.add_argument("--mqtt-password-file", default=None, metavar="FILE", help="the password, first line")
        p.add_argument("--mqtt-show-id", default="", metavar="ID",
                       help="the show's name on the broker (default: the show file's name)")
        if mode == "rehearse":
            p.add_argument("--audience", default=None, help="drive the synthetic camera with this script")
            p.add_argument("--sims", default=None, metavar="DIR",
                           help="aim the rig at simulators already running in DIR (installation simulate)")
            p.add_argument("--hours", action="store_true",
                           help="follow the show's opening hours as a live run does (default: ignore them)")
        p.set_defaults(func=lambda a, m=mode: cmd_live(a, m))

    p = sub.add_parser("render-audio", help="render a scripted evening's audio to WAV")
    p.add_argument("show", metavar="SHOW")
    p.add_argument("--audience", required=True, metavar="SCRIPT")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--duration", type=float, default=None, help="seconds (default: the script's duration)")
    p.set_defaults(func=cmd_render_audio)

    p = sub.add_parser("render", help="render a scripted evening's projection (and audio) to a video")
    p.add_argument("show", metavar="SHOW")
    p.add_argument("--audience", required=True, metavar="SCRIPT")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--duration", type=float, default=None)
    p.add_argument("--fps", type=float, default=15.0)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=360)
    p.add_argument("--no-audio", action="store_true")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("devices", help="list serial ports and cameras")
    p.set_defaults(func=cmd_devices)

    from installation.sim.simulate import add_parser as add_simulate

    add_simulate(sub)

    from installation.rig.describe import add_parser as add_rig

    add_rig(sub)

    from installation.fleet.view import add_parser as add_fleet

    add_fleet(sub)

    p = sub.add_parser("service", help="boot to show: systemd unit")
    service = p.add_subparsers(dest="service_verb", required=True)
    s = service.add_parser("install", help="write a systemd unit for SHOW")
    s.add_argument("show", metavar="SHOW")
    s.add_argument("--user", default=None, help="run as this user (default: the current one)")
    s.add_argument("--unit-dir", default="/etc/systemd/system")
    s.add_argument("--dry-run", action="store_true", help="print the unit instead of writing it")
    s.set_defaults(func=cmd_service)

    try:
        from installation.presence.cli import add_parser as add_presence
    except ImportError:  # presence adapter not installed in this build
        pass
    else:
        add_presence(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = logging.StreamHandler()
    try:  # stamped with the show's wall clock ($INSTALLATION_WALL_CLOCK when pinned)
        handler.setFormatter(WallFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", system_wall()))
    except InstallationError as exc:
        return _fail(str(exc))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=[handler])
    func: Handler = args.func
    try:
        return func(args)
    except ShowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except InstallationError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
