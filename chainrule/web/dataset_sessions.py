"""Sessions for the 2-D toy datasets: each dataset's preset network, the network file made for a
dataset, its held-out split and its input features (TensorFlow Playground's datasets and settings).
"""

from __future__ import annotations

import numpy as np

from .page_limits import check_page_size

# each dataset's network and settings when the page asks for the dataset alone (TensorFlow
# Playground's spirals setting: 8-8 tanh, mini-batches of 10; online updates at 0.1 stall near 0.65)
PRESETS = {
    "xor": {"hidden": [4, 4]},
    "circles": {"hidden": [4, 4]},
    "gaussians": {"hidden": [2]},
    "spirals": {"hidden": [8, 8], "learning_rate": 0.1, "batch_size": 10},
    "plane": {"hidden": [2], "learning_rate": 0.03},
    "bumps": {"hidden": [8], "learning_rate": 0.03, "batch_size": 10},
}


def create_dataset_session(store, request):
    """A new session in ``store`` for a dataset request; what it leaves out comes from the preset.

    Parameters
    ----------
    store : SessionStore
        Where the session is kept.
    request : DatasetRequest
        The dataset, its size, noise, seed and features, and optionally the network and trainer's options.

    Returns
    -------
    tuple
        (the new session's id, the session).
    """
    from ..data import toy2d
    from ..data.features import PLAIN, check_features

    preset = dict(PRESETS.get(request.name, {}))
    hidden = request.hidden if request.hidden is not None else preset.pop("hidden", [4, 4])
    activation = request.activation or preset.pop("activation", "tanh")
    learning_rate = request.learning_rate or preset.pop("learning_rate", 0.1)
    features = check_features(request.features or PLAIN)
    kind = toy2d.kind(request.name)
    x, y = toy2d.make_toy2d(request.name, request.n, request.noise, request.seed)
    x, y = x.round(4), (y.round(4) if kind == "regression" else y)  # the points as a network file writes them
    (x_train, y_train), held_out = split_points(x, y, request.test_fraction, request.seed, kind == "classification")
    spec = dataset_spec(request.name, x_train, y_train, hidden, activation, learning_rate, features, request.seed)
    if request.loss is not None:
        spec["loss"] = request.loss
    info = {
        "name": request.name,
        "n": request.n,
        "noise": request.noise,
        "seed": request.seed,
        "test_fraction": request.test_fraction,
        "kind": kind,
        "features": features,
    }
    test = None if held_out is None else (_expand(held_out[0], features), held_out[1])
    plane = {"train": x_train, "test": None if held_out is None else held_out[0]}
    sid, session = store.create(spec, info, test, plane)
    trainer = {"batch_size": request.batch_size or preset.get("batch_size", 1), "l1": request.l1, "l2": request.l2}
    session.model.options.update(trainer)
    return sid, session


def dataset_spec(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    hidden: list[int],
    activation: str,
    learning_rate: float,
    features: list[str],
    weight_seed: int,
) -> dict:
    """A network file for a 2-D toy dataset's points ``x`` and targets ``y``: one input per feature,
    the hidden layers, one output — a sigmoid with binary cross-entropy for the classification sets,
    identity with ½·squared error for regression; weights drawn with ``weight_seed``."""
    from ..data.toy2d import kind

    sizes = [len(features), *hidden, 1]
    check_page_size(sizes)
    regression = kind(name) == "regression"
    return {
        "layers": sizes,
        "activation": [activation] * len(hidden) + ["identity" if regression else "sigmoid"],
        "loss": "half_sse" if regression else "binary_cross_entropy",
        "learning_rate": learning_rate,
        "seed": weight_seed,
        "inputs": _expand(x, features).round(4).tolist(),
        "targets": y.tolist(),
        "title": f"{name} ({len(x)} points)",
    }


def _expand(x: np.ndarray, features: list[str]) -> np.ndarray:
    from ..data.features import expand

    return expand(x, features)


def split_points(x, y, test_fraction: float, seed: int, stratify: bool) -> tuple[tuple, tuple | None]:
    """(training points, targets) and the held-out (points, targets) — the data package's seeded
    split; ``((x, y), None)`` without a test fraction."""
    if not test_fraction:
        return (x, y), None
    from ..data.split import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction, seed, stratify=stratify)
    return (x_train, y_train), (x_test, y_test)
