"""Seeded train/test splits (stratified by class for classification)."""

from __future__ import annotations

import numpy as np

from ..core.constraints import check
from ..core.rng import make_rng
from ..errors import ConfigError


def train_test_split(X, y, test_size: float = 0.25, seed: int | None = 0, stratify: bool = True):
    """(X_train, X_test, y_train, y_test); each class keeps its share in both parts when stratified."""
    test_size = check({"test_size": test_size})["test_size"]  # [0, 1) (core/constraints.py); 0 is refused below
    n = len(X)
    rng = make_rng(seed)
    if stratify:
        labels = np.asarray(y).reshape(n, -1)[:, 0] if np.asarray(y).ndim > 1 else np.asarray(y)
        test = _stratified(labels, test_size, rng)
    else:
        test = np.sort(rng.permutation(n)[: int(round(n * test_size))])
    if len(test) == 0 or len(test) == n:
        k = len(np.unique(labels)) if stratify else 0
        if 2 * k > n:  # most classes have one sample: nothing to hold out of each
            raise ConfigError(
                f"the target has {k:,} distinct labels among {n:,} samples, so a split by class has almost no "
                "class to hold a sample out of; is it a value to predict (task regression) or an id column?"
            )
        raise ConfigError(f"a test size of {test_size} leaves no samples to train or to test on")
    train = np.setdiff1d(np.arange(n), test)
    return X[train], X[test], y[train], y[test]


def _stratified(labels: np.ndarray, test_size: float, rng) -> np.ndarray:
    """The held-out rows: of each class (in sorted order), its rows in a seeded random order, the
    first round(share · count) of them.  Rows are grouped by one stable sort of the class codes, so
    100,000 classes cost one sort, not 100,000 passes over the labels."""
    _, codes = np.unique(labels, return_inverse=True)
    order = np.argsort(codes.reshape(-1), kind="stable")  # each class's rows, in increasing order
    bounds = np.flatnonzero(np.diff(codes.reshape(-1)[order])) + 1
    test = []
    for members in np.split(order, bounds):
        members = rng.permutation(members)
        test.extend(members[: int(round(len(members) * test_size))])
    return np.sort(np.asarray(test, dtype=np.intp))
