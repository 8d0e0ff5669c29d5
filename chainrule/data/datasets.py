"""Datasets by name: the seed's, XOR, the ones scikit-learn ships, CSV and IDX files on disk.

Nothing is downloaded: scikit-learn's iris, digits, wine and breast cancer sets are files inside
the scikit-learn package (an optional extra).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError

SKLEARN_SETS = {
    "iris": "load_iris",
    "digits": "load_digits",
    "wine": "load_wine",
    "breast_cancer": "load_breast_cancer",
}
BUILTIN = ("xor", "seed", *SKLEARN_SETS)


@dataclass
class Dataset:
    name: str
    X: np.ndarray
    y: np.ndarray | None  # class labels (classification) or values (regression)
    task: str  # "classification" or "regression"
    feature_names: list[str] | None = None
    target_name: str | None = None

    def __len__(self) -> int:
        return len(self.X)


def xor() -> Dataset:
    """The seed script's second example: [[0,0]→0, [0,1]→1, [1,0]→1, [1,1]→0]."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return Dataset("xor", X, np.array([0, 1, 1, 0]), "classification", ["x1", "x2"], "xor")


def seed_sample() -> Dataset:
    """The seed's single sample: (0.05, 0.10) → (0.01, 0.99)."""
    from .. import seed

    return Dataset("seed", np.array([seed.INPUT]), np.array([seed.TARGET]), "regression", ["i1", "i2"], None)


def sklearn_dataset(name: str) -> Dataset:
    if importlib.util.find_spec("sklearn") is None:
        raise ConfigError(
            f"the {name} dataset comes with scikit-learn, which is not installed (pip install 'chainrule[sklearn]')"
        )
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, SKLEARN_SETS[name])()
    names = [str(n) for n in bunch.feature_names] if hasattr(bunch, "feature_names") else None
    return Dataset(
        name, np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target), "classification", names, "target"
    )


def load_dataset(name: str, target: str | None = None, labels=None, task: str = "auto") -> Dataset:
    """A data set by name, a CSV file or MNIST-format IDX files.

    Parameters
    ----------
    name : str or os.PathLike
        A built-in data set (xor, seed, iris, digits, wine, breast_cancer, circles, spirals,
        gaussians, plane, bumps; iris, digits, wine and breast_cancer are scikit-learn's bundled
        copies: ``pip install "chainrule[sklearn]"``), a CSV file with a header, or an IDX images
        file (plain or gzip).
    target : str, optional
        For a CSV file: the column to predict.
    labels : str or os.PathLike, optional
        For IDX images: the IDX labels file.
    task : {"auto", "classification", "regression"}, default "auto"
        For a CSV file; auto: words or a few whole numbers are classes.

    Returns
    -------
    Dataset
        ``X`` (one row per sample), ``y``, ``task``, ``name``, ``feature_names``, ``target_name``.

    Raises
    ------
    DataError, ConfigError
        No such data set or file, or one that cannot be used (the line says where); a scikit-learn
        data set without scikit-learn.

    Examples
    --------
    >>> import chainrule
    >>> chainrule.load_dataset("iris").X.shape, chainrule.load_dataset("xor").y.tolist()
    ((150, 4), [0, 1, 1, 0])
    """
    key = str(name).strip().lower().replace("-", "_")
    if key == "xor":
        return xor()
    if key == "seed":
        return seed_sample()
    if key in SKLEARN_SETS:
        return sklearn_dataset(key)
    toy = _toy2d(key)
    if toy is not None:
        return toy
    path = Path(name)
    if not path.exists():
        raise DataError(
            f"no dataset or file named {name!r} (built in: {', '.join(builtin_names())}; or a .csv / IDX file)"
        )
    if labels is not None or ".idx" in path.name or "ubyte" in path.name:
        from .idx import load_idx

        if labels is None:
            raise DataError(f"{path}: IDX images need their labels file (--labels FILE)")
        X, y = load_idx(path, labels)
        return Dataset(path.name, X, y, "classification", None, "label")
    from .csv_file import read_csv

    X, y, names = read_csv(path, target)
    return Dataset(path.name, X, y, guess_task(y) if task == "auto" else task, names, target)


def builtin_names() -> list[str]:
    """Every data set name `load_dataset` knows, the 2-D toy sets included."""
    from . import toy2d

    return [*BUILTIN, *(k for k in getattr(toy2d, "DATASETS", {}) if k not in BUILTIN)]


def guess_task(y) -> str:
    """Classification for words or for a few (≤ 20) whole numbers; regression otherwise."""
    y = np.asarray(y)
    if y.dtype.kind in "UO":
        return "classification"
    return "classification" if np.all(y == np.round(y)) and len(np.unique(y)) <= 20 else "regression"


def _toy2d(key: str):
    """The 2-D toy sets of ``chainrule.data.toy2d`` (circles, spirals, gaussians: classes 0 and 1;
    plane, bumps: values; its xor is not the seed's), or None for another name."""
    from . import toy2d

    if key not in toy2d.DATASETS:
        return None
    X, y = toy2d.DATASETS[key]()
    task = toy2d.kind(key)
    y = np.asarray(y).reshape(-1)
    if task == "classification":
        y = y.astype(np.int64)  # labels 0/1
    target = "class" if task == "classification" else "value"
    return Dataset(key, np.asarray(X, dtype=np.float64), y, task, ["x1", "x2"], target)
