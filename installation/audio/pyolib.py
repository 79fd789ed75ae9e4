"""The one place pyo is imported: without its wx GUI, and never with the PortAudio server by default."""

from __future__ import annotations

import os

os.environ.setdefault("PYO_GUI_WX", "0")

import pyo  # the variable above must be set before this import

__all__ = ["pyo"]
