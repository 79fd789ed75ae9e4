"""Every test runs at a pinned wall time, never at whatever hour the suite happens to run.

The default is Tuesday 2 June 2026 at 12:00 local time (both bundled shows are open then). CI runs the
runtime, control and exhibit tests again with $INSTALLATION_WALL_CLOCK set to closed instants (a Monday
night, a closed date) and $TZ moved so that the machine's local time is 03:00: the same tests must pass
then too. A test about the calendar itself injects its own wall clock.
"""

from __future__ import annotations

import os

from installation.platform.wallclock import ENV

PINNED = "2026-06-02T12:00"
os.environ.setdefault(ENV, PINNED)
