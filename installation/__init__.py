"""installation: a show controller for immersive media installations."""

__version__ = "0.1.0"
