"""Operator surfaces: the OSC control API and the web panel, both driving a `Controller`."""
