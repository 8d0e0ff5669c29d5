"""Seeded random generators: every random choice in the library goes through :func:`make_rng`."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError


def make_rng(seed=None, *salt: int) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a seed that is None, a Generator or a whole number ≥ 0.

    ``salt`` derives an independent stream from the same seed (``make_rng(7, 1)``).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ConfigError(f"seed must be a non-negative whole number, not {seed!r}")
    if seed is None or not salt:
        return np.random.default_rng(seed)
    return np.random.default_rng([int(seed), *salt])
