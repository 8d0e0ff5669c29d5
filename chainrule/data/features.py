"""Extra input features of 2-D points, as TensorFlow Playground offers them: besides the coordinates
X₁ and X₂, their squares, their product and a sine of each.

The 2-D datasets (:mod:`chainrule.data.toy2d`) have coordinates in about [-1, 1], so the sines are
taken of π·x (one period across the plane; TensorFlow Playground's plane spans [-6, 6], where its
sin X spans about two).  A network given features reads one input per chosen feature, in the order
of ``FEATURES``; everything else (training, the trace, the page) is unchanged.

    >>> import numpy as np
    >>> expand(np.array([[0.5, -1.0]]), ["x1", "x1^2", "x1*x2"]).tolist()
    [[0.5, 0.25, -0.5]]
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError

# name -> (how the page writes it, the feature of points x (n, 2))
FEATURES = {
    "x1": ("X₁", lambda x: x[:, 0]),
    "x2": ("X₂", lambda x: x[:, 1]),
    "x1^2": ("X₁²", lambda x: x[:, 0] ** 2),
    "x2^2": ("X₂²", lambda x: x[:, 1] ** 2),
    "x1*x2": ("X₁X₂", lambda x: x[:, 0] * x[:, 1]),
    "sin(x1)": ("sin πX₁", lambda x: np.sin(np.pi * x[:, 0])),
    "sin(x2)": ("sin πX₂", lambda x: np.sin(np.pi * x[:, 1])),
}
PLAIN = ["x1", "x2"]  # the coordinates alone: what a 2-D dataset's network reads by default


def check_features(names) -> list[str]:
    """``names`` in ``FEATURES``' order, each once; one ConfigError line for an unknown or empty list.

    Parameters
    ----------
    names : sequence of str
        Feature names, such as ``["x1", "x2", "x1^2"]``.

    Returns
    -------
    list of str
        The same names, in ``FEATURES``' order.

    Raises
    ------
    ConfigError
        For an unknown name, a repeated one, or none at all.
    """
    names = list(names)
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ConfigError(f"unknown input feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    if not names or len(set(names)) != len(names):
        raise ConfigError("choose each input feature at most once, and at least one")
    return [n for n in FEATURES if n in names]


def expand(points, names) -> np.ndarray:
    """The chosen features of 2-D ``points``: one column per feature, in ``FEATURES``' order.

    Parameters
    ----------
    points : array_like, shape (n, 2)
        The points' coordinates (X₁, X₂).
    names : sequence of str
        The features (see ``FEATURES``).

    Returns
    -------
    ndarray, shape (n, len(names))
        The network's inputs.
    """
    x = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return np.column_stack([FEATURES[name][1](x) for name in check_features(names)])


def labels(names) -> list[str]:
    """How the page writes each chosen feature (``X₁²``), in ``FEATURES``' order."""
    return [FEATURES[name][0] for name in check_features(names)]
