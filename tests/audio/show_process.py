"""A rehearsing show with audio for the jackd lifetime tests: `installation rehearse SHOW` made lean.

Audio is `auto` (the rehearsal starts its own jackd); projection, camera, panel and OSC API are off.
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
    parser.add_argument("--state-dir", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = RuntimeOptions(
        mode="rehearse", audio="auto", projection="off", presence="off", panel=False, osc=False,
        state_dir=Path(args.state_dir), watch=False, notify=False,
    )
    return Runtime(Path(args.show), options).run_forever()


if __name__ == "__main__":
    sys.exit(main())
