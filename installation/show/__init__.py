"""The show model: the artist's language, parsed with positions and validated."""
