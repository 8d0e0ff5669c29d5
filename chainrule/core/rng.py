"""Seeded random generators: every random choice in the library goes through :func:`make_rng`."""

from __future__ import annotations

import numpy as np

from .constraints import check


def make_rng(seed=None, *salt: int) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for a seed that is None, a Generator, a whole number ≥ 0 or
    a list of them (entropy for NumPy's SeedSequence); any other seed is a ConfigError.

    ``salt`` derives an independent stream from the same seed (``make_rng(7, 1)``).
    """
    seed = check({"seed": seed})["seed"]
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    entropy = [int(p) for p in (seed if isinstance(seed, (list, tuple)) else [seed])] + list(salt)
    return np.random.default_rng(entropy[0] if len(entropy) == 1 else entropy)
