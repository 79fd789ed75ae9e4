"""The show without the room: show tests in virtual time, scripted audiences, rendered evenings."""
