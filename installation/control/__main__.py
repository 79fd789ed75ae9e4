"""`python -m installation.control`: the panel and OSC API against the simulated show (a demo, a test bed)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from installation.control.fake import FakeController
from installation.control.osc_api import DEFAULT_PORT, OscControlApi
from installation.control.web import WebPanel
from installation.errors import InstallationError


def main(argv: list[str] | None = None) -> int:
    """Serve the fake show until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m installation.control", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="panel address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="panel port (default 8080)")
    parser.add_argument("--panel-allow-host", action="append", default=[], metavar="NAME",
                        help="another name or address the panel answers to (repeatable)")
    parser.add_argument("--osc-port", type=int, default=DEFAULT_PORT, help="OSC API port (default 53000)")
    parser.add_argument("--mode", choices=("live", "rehearse"), default="rehearse")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    controller = FakeController(mode=args.mode)
    try:
        api = OscControlApi(controller, port=args.osc_port).start()
        panel = WebPanel(controller, host=args.host, port=args.port,
                         allow_hosts=args.panel_allow_host).start()
    except InstallationError as exc:
        print(f"error: {exc}")
        return 2
    print(f"panel: {panel.url}   OSC: udp 127.0.0.1:{api.port}   (Ctrl-C to stop)", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    panel.stop()
    api.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
