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
        test = []
        labels = np.asarray(y).reshape(n, -1)[:, 0] if np.asarray(y).ndim > 1 else np.asarray(y)
        for c in np.unique(labels):
            members = rng.permutation(np.nonzero(labels == c)[0])
            test.extend(members[: int(round(len(members) * test_size))])
        test = np.sort(np.asarray(test, dtype=np.intp))
    else:
        test = np.sort(rng.permutation(n)[: int(round(n * test_size))])
    if len(test) == 0 or len(test) == n:
        raise ConfigError(f"a test size of {test_size} leaves no samples to train or to test on")
    train = np.setdiff1d(np.arange(n), test)
    return X[train], X[test], y[train], y[test]
