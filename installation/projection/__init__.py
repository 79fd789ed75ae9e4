"""Projection: ISF GLSL scenes rendered with moderngl to windows, headless frames and offline video."""
