"""Sessions for the 2-D toy datasets: each dataset's preset network, the network file made for a
dataset, and the held-out split (TensorFlow Playground's datasets and settings).
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
        The dataset, its size, noise and seed, and optionally the network and trainer's options.

    Returns
    -------
    tuple
        (the new session's id, the session).
    """
    from ..data import toy2d

    preset = dict(PRESETS.get(request.name, {}))
    hidden = request.hidden if request.hidden is not None else preset.pop("hidden", [4, 4])
    activation = request.activation or preset.pop("activation", "tanh")
    learning_rate = request.learning_rate or preset.pop("learning_rate", 0.1)
    spec = dataset_spec(request.name, request.n, request.noise, request.seed, hidden, activation, learning_rate)
    kind = toy2d.kind(request.name)
    spec, test = split_points(spec, request.test_fraction, request.seed, stratify=kind == "classification")
    info = {
        "name": request.name,
        "n": request.n,
        "noise": request.noise,
        "seed": request.seed,
        "test_fraction": request.test_fraction,
        "kind": kind,
    }
    sid, session = store.create(spec, info, test)
    trainer = {"batch_size": request.batch_size or preset.get("batch_size", 1), "l1": request.l1, "l2": request.l2}
    session.model.options.update(trainer)
    return sid, session


def dataset_spec(
    name: str, n: int, noise: float, data_seed: int, hidden: list[int], activation: str, learning_rate: float
) -> dict:
    """A network file for a 2-D toy dataset: 2 inputs, the hidden layers, one output — a sigmoid
    with binary cross-entropy for the classification sets, identity with ½·squared error for regression."""
    from ..data.toy2d import kind, make_toy2d

    x, y = make_toy2d(name, n, noise, data_seed)
    sizes = [2, *hidden, 1]
    check_page_size(sizes)
    regression = kind(name) == "regression"
    return {
        "layers": sizes,
        "activation": [activation] * len(hidden) + ["identity" if regression else "sigmoid"],
        "loss": "half_sse" if regression else "binary_cross_entropy",
        "learning_rate": learning_rate,
        "seed": data_seed,
        "inputs": x.round(4).tolist(),
        "targets": y.round(4).tolist() if regression else y.tolist(),
        "title": f"{name} ({n} points)",
    }


def split_points(spec: dict, test_fraction: float, seed: int, stratify: bool) -> tuple[dict, tuple | None]:
    """``spec`` trained on the training part, and the held-out (inputs, targets) — the data
    package's seeded split; ``(spec, None)`` without a test fraction."""
    if not test_fraction:
        return spec, None
    from ..data.split import train_test_split

    x, y = np.asarray(spec["inputs"], float), np.asarray(spec["targets"], float)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction, seed, stratify=stratify)
    return dict(spec, inputs=x_train.tolist(), targets=y_train.tolist()), (x_test, y_test)
