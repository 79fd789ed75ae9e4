"""A rig's simulators in their own process, at fixed paths, so they outlive (and see) a controller restart.

`python -m installation.sim.simulate hardware/gallery.yaml --dir /tmp/sims` starts one simulator per DMX
output, OSC endpoint and serial device (`installation.sim.rehearsal.SimulatedRig`) and writes
`/tmp/sims/sims.json` saying where each listens; `installation rehearse SHOW --sims /tmp/sims` aims the
show's rig at them instead of starting its own. A test can host the same simulators in its own process
with `start_simulators()` and read what they received while the controller is killed and restarted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from installation.errors import DeviceError, ShowError

log = logging.getLogger(__name__)

SIMS_FILE = "sims.json"


def load_rig_or_show(path: Path) -> Any:
    """The rig of a rig file or of a show file (a show names its rig with `rig:`)."""
    from installation.rig.rigfile import load_rig
    from installation.show.loader import load_show
    from installation.show.located import load_file

    data = load_file(path, str(path))
    if isinstance(data, Mapping) and "show" in data:
        show = load_show(path)
        if show.rig is None:
            raise DeviceError(f"{path}: the show names no rig (add `rig: hardware/NAME.yaml`)")
        return show.rig
    resolved = path.resolve()
    root = next((p for p in resolved.parents if (p / "cues").is_dir()), resolved.parent)
    return load_rig(resolved, root)


def targets_of(sims: Any) -> dict[str, dict[str, Any]]:
    """Where each simulator of a started `SimulatedRig` listens, as `Rig.with_targets` keyword arguments."""
    dmx: dict[str, Any] = {name: w.port for name, w in sims.widgets.items()}
    for name, node in sims.nodes.items():
        out = sims.original.outputs[name]
        dmx[name] = ["127.0.0.1", node.artnet_port if out.type == "artnet" else node.sacn_port]
    return {
        "dmx": dmx,
        "osc": {name: ["127.0.0.1", c.port] for name, c in sims.consoles.items()},
        "serial": {name: d.port for name, d in sims.devices.items()},
    }


def start_simulators(rig: Any, directory: Path) -> Any:
    """Start a `SimulatedRig` in `directory` (pty links live there) and write `directory/sims.json`."""
    from installation.sim.rehearsal import SimulatedRig

    directory.mkdir(parents=True, exist_ok=True)
    sims = SimulatedRig(rig, directory)
    sims.start()
    info = {"rig": rig.name, "pid": os.getpid(), **targets_of(sims)}
    tmp = directory / (SIMS_FILE + ".tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, directory / SIMS_FILE)
    return sims


def read_targets(directory: Path) -> dict[str, Any]:
    """The `sims.json` of a simulator folder; DeviceError in one line when it is missing or broken."""
    path = directory / SIMS_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeviceError(
            f"{path}: no simulators there; start them first with "
            f"`python -m installation.sim.simulate hardware/RIG.yaml --dir {directory}`"
        ) from None
    except (OSError, ValueError) as exc:
        raise DeviceError(f"{path}: cannot read it ({exc}); restart the simulators") from None
    if not isinstance(info, dict):
        raise DeviceError(f"{path}: not a simulator description; restart the simulators")
    return info


def aim_rig(rig: Any, directory: Path) -> Any:
    """The rig with every output pointed at the simulators described in `directory/sims.json`."""
    info = read_targets(directory)
    dmx = {k: v if isinstance(v, str) else (str(v[0]), int(v[1])) for k, v in info.get("dmx", {}).items()}
    osc = {k: (str(v[0]), int(v[1])) for k, v in info.get("osc", {}).items()}
    serial = {k: str(v) for k, v in info.get("serial", {}).items()}
    missing = ([n for n in rig.outputs if n not in dmx] + [n for n in rig.osc_endpoints if n not in osc]
               + [n for n in rig.serial_devices if n not in serial])
    if missing:
        raise DeviceError(
            f"{directory / SIMS_FILE}: the simulators were started for rig {info.get('rig')!r} and lack "
            f"{', '.join(missing)}; restart them with this show's rig"
        )
    return rig.with_targets(
        dmx={k: v for k, v in dmx.items() if k in rig.outputs},
        osc={k: v for k, v in osc.items() if k in rig.osc_endpoints},
        serial={k: v for k, v in serial.items() if k in rig.serial_devices},
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The `simulate` verb's arguments (shared by `python -m installation.sim.simulate` and the CLI)."""
    p.add_argument("rig", metavar="RIG", help="a rig file (hardware/NAME.yaml) or a show file")
    p.add_argument("--dir", required=True, help="folder for the device links and sims.json")
    p.add_argument("--status-every", type=float, default=0.0,
                   help="print what the simulators received every N seconds (0 = never)")


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run the simulators until SIGINT/SIGTERM."""
    rig = load_rig_or_show(Path(args.rig))
    sims = start_simulators(rig, Path(args.dir))
    done = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"simulators for rig {rig.name!r} running; aim a show at them with --sims {args.dir}", flush=True)
    try:
        every = args.status_every if args.status_every > 0 else None
        while not done.wait(every):
            counts = {f"dmx:{n}": len(s.records) for n, s in {**sims.widgets, **sims.nodes}.items()}
            counts.update({f"osc:{n}": len(s.records) for n, s in sims.consoles.items()})
            counts.update({f"serial:{n}": len(s.records) for n, s in sims.devices.items()})
            print("received: " + " ".join(f"{k}={v}" for k, v in counts.items()), flush=True)
    finally:
        sims.stop()
        (Path(args.dir) / SIMS_FILE).unlink(missing_ok=True)
    return 0


def add_parser(sub: Any) -> None:
    """Add `installation simulate RIG --dir DIR` to the CLI's subparsers."""
    p = sub.add_parser("simulate", help="run a rig's simulators on their own (for rehearse --sims)")
    add_arguments(p)
    p.set_defaults(func=cmd_simulate)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m installation.sim.simulate RIG --dir DIR`."""
    parser = argparse.ArgumentParser(prog="python -m installation.sim.simulate", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return cmd_simulate(args)
    except ShowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except DeviceError as exc:
        print(f"installation: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
