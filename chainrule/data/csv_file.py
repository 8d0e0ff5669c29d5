"""CSV files: a header row of column names, then one sample per row; numeric feature columns.

``read_csv(path, target="species")`` returns the features, the target column (numbers, or
strings for class labels) and the names.  A ragged row, an empty cell, NaN, a non-numeric
feature or an unknown target column raises :class:`DataError` naming the line and column.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from ..errors import DataError


def read_csv(path, target: str | None = None, require_target: bool = True, columns: list[str] | None = None):
    """(X, y, feature_names) — ``y`` is None when there is no target column (``require_target=False``).

    ``columns`` picks the feature columns by name (other columns are ignored), e.g. a model's inputs.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a text CSV file") from None
    except csv.Error as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from None
    if len(rows) < 2:
        raise DataError(f"{path}: a CSV file needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        raise DataError(f"{path}: the header names a column twice")
    width = len(header)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise DataError(f"{path}: line {line} has {len(row)} field(s), the header has {width} (ragged CSV)")
    t_col = None
    if target is not None:
        if target not in header:
            raise DataError(f"{path}: no column named {target!r} (columns: {', '.join(header)})")
        t_col = header.index(target)
    elif require_target:
        raise DataError(f"{path}: say which column is the target (--target COLUMN; columns: {', '.join(header)})")
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"{path}: no column named {missing[0]!r}, which the model reads (columns: {', '.join(header)})")
        features = [header.index(c) for c in columns]
    else:
        features = [i for i in range(width) if i != t_col]
    if not features:
        raise DataError(f"{path}: no feature columns besides the target")
    X = np.empty((len(rows) - 1, len(features)))
    for line, row in enumerate(rows[1:], start=2):
        for j, col in enumerate(features):
            X[line - 2, j] = _number(row[col], path, line, header[col])
    y = None
    if t_col is not None:
        cells = [row[t_col].strip() for row in rows[1:]]
        for line, cell in enumerate(cells, start=2):
            if cell == "" or cell.lower() == "nan":
                raise DataError(f"{path}: line {line}, column {header[t_col]!r}: missing target value")
        try:
            y = np.array([float(c) for c in cells])
            if not np.isfinite(y).all():
                raise DataError(f"{path}: column {header[t_col]!r} holds a value that is not finite")
        except ValueError:
            y = np.array(cells)  # class labels written as words
    return X, y, [header[i] for i in features]


def _number(cell: str, path, line: int, column: str) -> float:
    text = cell.strip()
    if text == "":
        raise DataError(f"{path}: line {line}, column {column!r} is empty (missing value)")
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{path}: line {line}, column {column!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DataError(f"{path}: line {line}, column {column!r}: {text!r} is not a finite number")
    return value
