"""One training step and its record: the trace, and the values after N updates."""
