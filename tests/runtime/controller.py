"""A controller process for the kill -9 test: `installation rehearse SHOW --sims DIR`, lean options.

Until the CLI has `--sims` (see the runtime report), this is the same as
`installation rehearse SHOW --sims DIR --audio off --projection off` with the camera off.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from installation.runtime import Runtime, RuntimeOptions


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("show")
    parser.add_argument("--sims", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--osc-port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = RuntimeOptions(
        mode="rehearse", audio="off", projection="off", presence="off", panel=False, osc=True,
        osc_port=args.osc_port, state_dir=Path(args.state_dir), sims=Path(args.sims), watch=False,
    )
    return Runtime(Path(args.show), options).run_forever()


if __name__ == "__main__":
    sys.exit(main())
