"""A saved model's data: the features it predicts for, the labelled samples it is scored on (the
held-out part of the split it was trained with, found again), and its predictions as CSV.

``chainrule predict`` and ``chainrule evaluate`` are these functions and a print; a CSV file's
columns are matched to the model's inputs by name, so their order, and extra columns such as the
target, do not matter.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..data.csv_file import MAX_CSV_BYTES, read_csv
from ..data.datasets import load_dataset
from ..errors import DataError
from ..training.model import Model
from .bounded_read import open_text
from .run import held_out_split


def features(model: Model, data: str, labels=None):
    """The inputs ``model`` predicts for: a CSV file's columns by the model's feature names (a target
    column the model knows is read too, and not required), else a data set by name.

    Parameters
    ----------
    model : Model
        The model (its ``feature_names`` and ``target_name`` pick the CSV columns).
    data : str
        A CSV file, or a data set's name or IDX images file (see `chainrule.load_dataset`).
    labels : str, optional
        The IDX labels file that goes with IDX images.

    Returns
    -------
    X : numpy.ndarray
        One row of features per sample.
    """
    if _is_csv(data):
        target = model.target_name if model.target_name in _header(data) else None
        X, _, _ = read_csv(data, target=target, require_target=False, columns=model.feature_names)
        return X
    return load_dataset(data, labels=labels).X


def labelled(model: Model, data: str, target=None, labels=None, *, held_out: bool = True, option_names=None):
    """Samples with their true labels or values to score ``model`` on.

    On the data the model was trained on (``model.info["data"]`` names them), only the part its
    run held out (the same seeded split), unless ``held_out=False``.

    Parameters
    ----------
    model : Model
        The model.
    data : str
        A CSV file, or a data set's name or IDX images file.
    target : str, optional
        The CSV column of the true values (default: the model's ``target_name``).
    labels : str, optional
        The IDX labels file that goes with IDX images.
    held_out : bool, default True
        On the data it was trained on, keep only the held-out part.
    option_names : dict, optional
        How the error message spells the target option (``{"target": "--target"}``).

    Returns
    -------
    X, y : numpy.ndarray
        The samples and their true values.
    split : bool
        Whether they are the held-out part of a split (``model.info`` says which).
    """
    if _is_csv(data):
        column = target or model.target_name
        if not column:
            name = (option_names or {}).get("target", "target")
            raise DataError(f"say which CSV column holds the true values ({name} COLUMN)")
        X, y, _ = read_csv(data, target=column, columns=model.feature_names)
    else:
        dataset = load_dataset(data, target=target, labels=labels)
        X, y = dataset.X, dataset.y
    info = model.info
    if not (held_out and info.get("data") == data and info.get("test_size")):
        return X, y, False
    _, X, _, y = held_out_split(X, y, info["test_size"], info.get("split_seed", 0), model.task)
    return X, y, True


def predictions_csv(model: Model, X, proba: bool = False) -> str:
    """``model``'s predictions for ``X`` as CSV text: a header, then one row per sample.

    Classes: the predicted label, and with ``proba`` the output of every class (``p_LABEL``);
    values: one column (the target's name) or one per output (``o1, o2, ...``). A cell a
    spreadsheet would read as a formula gets a leading apostrophe.
    """
    pred = model.predict(X)
    if model.task == "classification":
        header = ["prediction"]
        rows = [[str(_plain(p))] for p in pred]
        if proba:
            header += [f"p_{_plain(c)}" for c in model.classes]
            rows = [r + [f"{v:.6g}" for v in pv] for r, pv in zip(rows, model.predict_proba(X))]
    else:
        pred = np.asarray(pred).reshape(len(X), -1)
        header = (
            [model.target_name or "prediction"] if pred.shape[1] == 1 else [f"o{k + 1}" for k in range(pred.shape[1])]
        )
        rows = [[f"{v:.10g}" for v in r] for r in pred]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")  # quotes labels holding commas, quotes or newlines
    writer.writerow([_cell(h) for h in header])
    writer.writerows([_cell(c) for c in r] for r in rows)
    return buf.getvalue()


def _is_csv(data: str) -> bool:
    return Path(data).suffix.lower() == ".csv" and Path(data).exists()


def _header(path: str) -> list[str]:
    """A CSV file's column names ([] when unreadable: ``read_csv`` then says what is wrong)."""
    try:
        with open_text(path, MAX_CSV_BYTES, "CSV file", DataError) as f:
            return [h.strip() for h in next(csv.reader(f), [])]
    except (UnicodeDecodeError, csv.Error):
        return []


def _plain(value):
    """A NumPy scalar as the Python value it holds (a label prints as 3 or 'setosa', not np.int64(3))."""
    return value.item() if hasattr(value, "item") else value


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text: '=1+2', '@SUM(...)' and the like get a leading apostrophe
    (OWASP's advice against CSV injection); numbers such as -0.5 are left alone."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text
