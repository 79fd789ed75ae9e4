"""What the program needs from the operating system: child processes and the wall clock."""
