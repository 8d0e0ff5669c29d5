"""backprop: train feedforward neural networks by backpropagation and show every number.

``import backprop`` is kept fast: the engine and its companions load on first use.

>>> import backprop
>>> net = backprop.seed_network()
>>> round(net.loss([0.05, 0.10], [0.01, 0.99]), 9)
0.298371109
"""

from __future__ import annotations

import importlib

from .errors import BackpropError, ConfigError, DataError, FileFormatError, NumericalError, ShapeError

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first access)
_LAZY = {
    "Network": "backprop.core.network",
    "get_activation": "backprop.core.activations",
    "get_loss": "backprop.core.losses",
    "seed_network": "backprop.seed",
    "trace_step": "backprop.explain.trace",
    "run_example": "backprop.example",
    "train_online": "backprop.training",
    "fit": "backprop.training.loop",
    "Trainer": "backprop.training.loop",
    "train": "backprop.training.model",
    "Model": "backprop.training.model",
    "save_model": "backprop.io.model",
    "load_model": "backprop.io.model",
    "load_dataset": "backprop.data.datasets",
    "to_torch": "backprop.interop.torch",
    "from_torch": "backprop.interop.torch",
    "explain": "backprop.explain",  # the package itself, callable: backprop.explain(network, format=...)
    "explain_network": "backprop.api",
    "Explanation": "backprop.explain.explanation",
    "check": "backprop.api",
    "exercise": "backprop.api",
    "read_network_file": "backprop.io.network_file",
}

__all__ = [
    "BackpropError", "ConfigError", "DataError", "FileFormatError", "NumericalError", "ShapeError",
    "__version__", *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'backprop' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
