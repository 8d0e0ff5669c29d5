"""Preprocessing kept with a model: standardisation and class labels <-> one-hot rows.

Both are fitted on the training data only and then applied unchanged to validation, test and
new data.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError


class Standardizer:
    """z = (x − mean) / std, column by column (a constant column keeps std 1)."""

    def __init__(self, mean=None, std=None):
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.std = None if std is None else np.asarray(std, dtype=np.float64)

    def fit(self, X) -> Standardizer:
        X = np.asarray(X, dtype=np.float64)
        # mean and std of X / s, times s, with s = max |x| of the column: the sum of squares of
        # values near 1e154 or beyond would overflow, and a saved std of inf could never load
        scale = np.abs(X).max(axis=0) if len(X) else np.ones(X.shape[1:])
        scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
        Xs = X / scale
        self.mean = Xs.mean(axis=0) * scale
        std = Xs.std(axis=0) * scale
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X, dtype=np.float64) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.mean.shape[0]:
            raise DataError(
                f"data has {X.shape[-1] if X.ndim else 0} feature column(s), the model expects {self.mean.shape[0]}"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            Z = (X - self.mean) / self.std
        if not np.isfinite(Z).all() and np.isfinite(X).all():
            raise DataError(
                "feature values too far apart to standardise (x - mean overflows); "
                "rescale the data, or train with --no-standardize"
            )
        return Z.astype(dtype, copy=False)

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}


class LabelEncoder:
    """Class labels -> indices 0..k−1 -> one-hot rows (t_k = 1 for the sample's class)."""

    def __init__(self, classes=None):
        self.classes = None if classes is None else np.asarray(classes)

    def fit(self, y) -> LabelEncoder:
        y = np.asarray(y).reshape(-1)
        self.classes = np.unique(y)
        if len(self.classes) < 2:
            raise DataError(f"classification needs at least two classes, the targets hold {len(self.classes)}")
        return self

    def indices(self, y) -> np.ndarray:
        y = np.asarray(y).reshape(-1)
        idx = np.searchsorted(self.classes, y)
        idx = np.clip(idx, 0, len(self.classes) - 1)
        unseen = self.classes[idx] != y
        if np.any(unseen):
            bad = y[np.argmax(unseen)]
            raise DataError(
                f"class label {_show(bad)} was not seen when the model was trained "
                f"(known: {', '.join(_show(c) for c in self.classes[:10])}{', ...' if len(self.classes) > 10 else ''})"
            )
        return idx

    def one_hot(self, y, dtype=np.float64, binary_single_column: bool = False) -> np.ndarray:
        idx = self.indices(y)
        if binary_single_column:  # two classes, one sigmoid output: t = 1 for the second class
            return idx.astype(dtype).reshape(-1, 1)
        out = np.zeros((len(idx), len(self.classes)), dtype=dtype)
        out[np.arange(len(idx)), idx] = 1.0
        return out

    def decode(self, index) -> np.ndarray:
        return self.classes[np.asarray(index)]


def _show(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value.item() if hasattr(value, "item") else value)
