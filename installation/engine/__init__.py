"""The engine: pure, clock-driven show logic. No I/O, no threads, no wall clock."""
