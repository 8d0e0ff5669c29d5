"""Two-dimensional toy datasets, TensorFlow-Playground style: XOR, circles, spirals, Gaussian clusters
(classification), and a plane and two bumps (regression).

Every generator takes ``n`` (points), ``noise`` (0 to 1) and ``seed`` and returns ``(x, y)``: ``x``
of shape (n, 2) with coordinates in about [-1, 1], ``y`` of shape (n, 1): labels 0 or 1 for the
classification sets (the classes alternate so both are equally represented), a number in about
[-1, 1] for the regression sets (``KINDS`` says which).  The same seed gives the same points, bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..core.constraints import check
from ..core.rng import make_rng
from ..errors import ConfigError

MAX_POINTS = 10_000


def _start(n: int, noise: float, seed: int | None):
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 2 <= n <= MAX_POINTS:
        raise ConfigError(f"the number of points must be a whole number from 2 to {MAX_POINTS}, not {n!r}")
    check({"noise": noise})  # noise in [0, 1] (core/constraints.py)
    rng = make_rng(seed)
    labels = np.arange(n) % 2  # 0, 1, 0, 1, ...
    return rng, labels


def _result(x: np.ndarray, labels: np.ndarray):
    return np.clip(x, -1.0, 1.0), labels.reshape(-1, 1).astype(np.float64)


def xor(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Points in the four quadrants; label 1 where the signs of x1 and x2 differ."""
    rng, _ = _start(n, noise, seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    x += np.sign(x) * 0.05  # keep points off the axes, where the label flips
    labels = (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(int)
    x += rng.normal(0, noise * 0.3, size=x.shape)
    return _result(x, labels)


def circles(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """An inner disc (label 1) inside a ring (label 0)."""
    rng, labels = _start(n, noise, seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(labels == 1, rng.uniform(0, 0.4, n), rng.uniform(0.6, 0.95, n))
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    x += rng.normal(0, noise * 0.3, size=x.shape)
    return _result(x, labels)


def spirals(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Two interleaved spirals, one per label."""
    rng, labels = _start(n, noise, seed)
    t = rng.uniform(0, 1, n)
    angle = 1.75 * 2 * np.pi * t + np.pi * labels
    radius = 0.9 * t
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    x += rng.normal(0, noise * 0.3, size=x.shape)
    return _result(x, labels)


def gaussians(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Two Gaussian clusters, around (-0.5, -0.5) (label 0) and (0.5, 0.5) (label 1)."""
    rng, labels = _start(n, noise, seed)
    centres = np.where(labels[:, None] == 1, 0.5, -0.5)
    x = centres + rng.normal(0, 0.15 + noise, size=(n, 2))
    return _result(x, labels)


def plane(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Regression: y = (x1 + x2) / 2 over the square, plus noise on y."""
    rng, _ = _start(n, noise, seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    y = (x[:, 0] + x[:, 1]) / 2 + rng.normal(0, noise * 0.3, n)
    return x, np.clip(y, -1.0, 1.0).reshape(-1, 1)


def bumps(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Regression: a bump up at (-0.4, 0.4) and a bump down at (0.4, -0.4), y = e^(-|x-a|²/0.18) − e^(-|x-b|²/0.18)."""
    rng, _ = _start(n, noise, seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    up = np.exp(-((x - [-0.4, 0.4]) ** 2).sum(axis=1) / 0.18)
    down = np.exp(-((x - [0.4, -0.4]) ** 2).sum(axis=1) / 0.18)
    y = up - down + rng.normal(0, noise * 0.3, n)
    return x, np.clip(y, -1.0, 1.0).reshape(-1, 1)


DATASETS = {"xor": xor, "circles": circles, "spirals": spirals, "gaussians": gaussians, "plane": plane, "bumps": bumps}
KINDS = {"plane": "regression", "bumps": "regression"}  # the others: classification (labels 0 and 1)


def kind(name: str) -> str:
    return KINDS.get(name, "classification")


def make_toy2d(name: str, n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """``(x, y)`` of the dataset called ``name`` (xor, circles, spirals, gaussians, plane, bumps)."""
    if name not in DATASETS:
        raise ConfigError(f"unknown 2-D dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name](n, noise, seed)
