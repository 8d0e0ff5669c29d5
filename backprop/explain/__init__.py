"""Explaining: the named record of one step (trace), its names (notation) and its renderings."""
