"""Simulators: the far end of each wire (Enttec widget, Art-Net/sACN node, OSC console, serial device)."""
