"""Seeded weight initialisers.  The same seed gives the same weights, bit for bit.

Every initialiser returns a weight matrix of shape (n_out, n_in): one row per receiving neuron,
one column per sending neuron (the seed's numbering w1, w2, ... runs along the rows).
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError


def uniform(rng: np.random.Generator, n_out: int, n_in: int) -> np.ndarray:
    """U[0, 1), as the seed author's script draws its weights (``random.random()``)."""
    return rng.random((n_out, n_in))


def xavier(rng: np.random.Generator, n_out: int, n_in: int) -> np.ndarray:
    """Glorot/Xavier uniform: U(−a, a) with a = √(6 / (n_in + n_out)); suits sigmoid and tanh."""
    a = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_out, n_in))


def he(rng: np.random.Generator, n_out: int, n_in: int) -> np.ndarray:
    """He/Kaiming normal: N(0, 2 / n_in); suits ReLU and leaky ReLU."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


INITIALISERS = {"uniform": uniform, "xavier": xavier, "glorot": xavier, "he": he, "kaiming": he}


def get_initialiser(name: str):
    """An initialiser by name; ``"auto"`` is resolved by the caller from the activation."""
    if not isinstance(name, str) or name.lower() not in INITIALISERS:
        raise ConfigError(f"unknown initialiser {name!r}; choose one of auto, {', '.join(INITIALISERS)}")
    return INITIALISERS[name.lower()]
