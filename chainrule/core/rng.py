"""Seeded random generators: every random choice in the library goes through :func:`make_rng`."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError


def make_rng(seed=None, *salt: int) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a seed that is None, a Generator, a whole number ≥ 0 or
    a list of them (entropy for NumPy's SeedSequence).

    ``salt`` derives an independent stream from the same seed (``make_rng(7, 1)``).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    parts = list(seed) if isinstance(seed, (list, tuple)) and seed else [seed]
    if seed is not None and not all(_whole(p) for p in parts):
        raise ConfigError(f"seed must be a non-negative whole number, not {seed!r}")
    if seed is None:
        return np.random.default_rng()
    entropy = [int(p) for p in parts] + list(salt)
    return np.random.default_rng(entropy[0] if len(entropy) == 1 else entropy)


def _whole(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= 0
