"""Training on data larger than memory: ``partial_fit`` over the row blocks of Dask arrays.

``fit_blocks(estimator, X, y)`` computes one block of rows at a time (only that block is in
memory), hands it to ``estimator.partial_fit`` and moves on, for ``epochs`` passes in block
order — the same updates as calling ``partial_fit`` on the same blocks held in memory.  Any
estimator with ``partial_fit`` works (ours, scikit-learn's).  Dask is an optional extra
(``pip install 'chainrule[dask]'``); hyper-parameter searches need no code of ours — see
docs/scaling-out.md for joblib's Dask backend.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, DataError


def fit_blocks(estimator, X, y, *, epochs: int = 1, classes=None, sample_weight=None):
    """``partial_fit`` on each row block of ``X`` / ``y`` (Dask arrays with the same row chunks), in order."""
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ConfigError(f"epochs must be a whole number of at least 1, not {epochs!r}")
    if not hasattr(estimator, "partial_fit"):
        raise ConfigError(f"{type(estimator).__name__} has no partial_fit (use solver='sgd' or 'adam')")
    rows = _row_chunks(X)
    if _row_chunks(y) != rows or (sample_weight is not None and _row_chunks(sample_weight) != rows):
        raise DataError(f"X, y (and sample weights) must be cut into the same row blocks; X has {rows}")
    extra = {} if classes is None else {"classes": classes}
    for _ in range(int(epochs)):
        for i in range(len(rows)):
            xb = np.asarray(X.blocks[i].compute() if X.ndim == 1 else X.blocks[i, 0].compute())
            yb = np.asarray(y.blocks[i].compute() if y.ndim == 1 else y.blocks[i, 0].compute())
            wb = None if sample_weight is None else np.asarray(sample_weight.blocks[i].compute())
            estimator.partial_fit(xb, yb, **({} if wb is None else {"sample_weight": wb}), **extra)
    return estimator


def _row_chunks(a) -> tuple[int, ...]:
    chunks = getattr(a, "chunks", None)
    if chunks is None:
        raise DataError(f"expected a Dask array, got {type(a).__name__}")
    if a.ndim == 2 and len(chunks[1]) != 1:
        raise DataError("each row block must hold all the columns (rechunk with {1: -1})")
    return tuple(chunks[0])
