"""The light rig: rig files, fixture profiles, the DMX engine and the transports to the world."""
