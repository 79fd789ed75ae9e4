"""The running show and its supervision: engine loop, devices, hours, reload, systemd, logs."""

from installation.runtime.core import Runtime, RuntimeOptions, health_down

__all__ = ["Runtime", "RuntimeOptions", "health_down"]
