"""CSV files: a header row of column names, then one sample per row; numeric feature columns.

``read_csv(path, target="species")`` returns the features, the target column (numbers, or
strings for class labels) and the names.  A ragged row, an empty cell, NaN, a non-numeric
feature or an unknown target column raises :class:`DataError` naming the line and column.
"""

from __future__ import annotations

import csv
import math
from array import array
from pathlib import Path

import numpy as np

from ..errors import DataError

MAX_CSV_BYTES = 256 << 20  # 256 MiB: MNIST's 60,000 training images as CSV take about 110 MB


def read_csv(path, target: str | None = None, require_target: bool = True, columns: list[str] | None = None):
    """(X, y, feature_names) — ``y`` is None when there is no target column (``require_target=False``).

    ``columns`` picks the feature columns by name (other columns are ignored), e.g. a model's inputs.
    The file is read row by row into flat arrays, at most ``MAX_CSV_BYTES`` of it.
    """
    from ..io.bounded_read import open_text

    path = Path(path)
    with open_text(path, MAX_CSV_BYTES, "CSV file", DataError) as f:
        try:
            rows = (row for row in csv.reader(f) if row and any(cell.strip() for cell in row))
            header = next(rows, None)
            if header is None:
                raise DataError(f"{path}: a CSV file needs a header row and at least one data row")
            header = [h.strip() for h in header]
            features, t_col = _columns(path, header, target, require_target, columns)
            values, target = array("d"), _Target(path, header[t_col] if t_col is not None else "")
            width = len(header)
            line = 1
            for line, row in enumerate(rows, start=2):
                if len(row) != width:
                    raise DataError(f"{path}: line {line} has {len(row)} field(s), the header has {width} (ragged CSV)")
                values.extend(_number(row[col], path, line, header[col]) for col in features)
                if t_col is not None:
                    cell = row[t_col].strip()
                    if cell == "" or cell.lower() == "nan":
                        raise DataError(f"{path}: line {line}, column {header[t_col]!r}: missing target value")
                    target.add(cell, line)
        except UnicodeDecodeError:
            raise DataError(f"{path}: not a text CSV file") from None
        except csv.Error as exc:
            raise DataError(f"{path}: not a readable CSV file ({exc})") from None
    if line < 2:
        raise DataError(f"{path}: a CSV file needs a header row and at least one data row")
    X = np.frombuffer(values, dtype=np.float64).reshape(-1, len(features))  # no copy: the array owns the memory
    y = target.result() if t_col is not None else None
    return X, y, [header[i] for i in features]


def _columns(path, header, target, require_target, columns):
    if len(set(header)) != len(header):
        raise DataError(f"{path}: the header names a column twice")
    t_col = None
    if target is not None:
        if target not in header:
            raise DataError(f"{path}: no column named {target!r} (columns: {_names(header)})")
        t_col = header.index(target)
    elif require_target:
        raise DataError(f"{path}: say which column is the target (--target COLUMN; columns: {_names(header)})")
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(
                f"{path}: no column named {missing[0]!r}, which the model reads (columns: {_names(header)})"
            )
        features = [header.index(c) for c in columns]
    else:
        features = [i for i in range(len(header)) if i != t_col]
    if not features:
        raise DataError(f"{path}: no feature columns besides the target")
    return features, t_col


def _names(header) -> str:
    """The column names for a one-line message (a name holding a line break is quoted)."""
    return ", ".join(repr(h) if h != " ".join(h.split()) or not h else h for h in header)


class _Target:
    """The target column, read cell by cell: numbers into a flat float array while every cell is
    one (8 bytes a row); at the first word, class labels (one string object per distinct label)."""

    def __init__(self, path, column: str):
        self.path, self.column = path, column
        self.numbers, self.labels, self.seen = array("d"), None, {}

    def add(self, cell: str, line: int) -> None:
        if self.labels is None:
            try:
                value = float(cell)
            except ValueError:  # words: class labels from here on (the numbers so far become text)
                self.labels = [self._label(_text(v)) for v in self.numbers]
                self.numbers = None
            else:
                if not math.isfinite(value):
                    raise DataError(
                        f"{self.path}: line {line}, column {self.column!r} holds {cell!r}, which is not a "
                        "finite number (an infinite target is neither a value nor a class)"
                    )
                self.numbers.append(value)
                return
        self.labels.append(self._label(cell))

    def _label(self, text: str) -> str:
        return self.seen.setdefault(text, text)

    def result(self) -> np.ndarray:
        if self.labels is not None:
            return np.array(self.labels)
        return np.frombuffer(self.numbers, dtype=np.float64)


def _text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


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
