"""Generative audio: pyo soundscapes per act, run in a child process, rendered offline or played live."""
