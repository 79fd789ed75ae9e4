"""`python -m installation` is the `installation` command."""

from installation.cli import main

raise SystemExit(main())
