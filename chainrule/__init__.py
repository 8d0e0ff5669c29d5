"""chainrule: train feedforward neural networks by backpropagation and show every number.

``import chainrule`` is kept fast: the engine and its companions load on first use.

>>> import chainrule
>>> net = chainrule.seed_network()
>>> round(net.loss([0.05, 0.10], [0.01, 0.99]), 9)
0.298371109
"""

from __future__ import annotations

import importlib

from .errors import ChainruleError, ConfigError, DataError, FileFormatError, NumericalError, OutputError, ShapeError

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first access)
_LAZY = {
    "Network": "chainrule.core.network",
    "get_activation": "chainrule.core.activations",
    "get_loss": "chainrule.core.losses",
    "seed_network": "chainrule.seed",
    "trace_step": "chainrule.derivation.step.trace",
    "run_example": "chainrule.example",
    "train_online": "chainrule.training",
    "fit": "chainrule.training.loop",
    "Trainer": "chainrule.training.loop",
    "train": "chainrule.training.model",
    "Model": "chainrule.training.model",
    "Progress": "chainrule.training.progress",
    "TrainingRun": "chainrule.io.run",
    "save_model": "chainrule.io.model_file",
    "load_model": "chainrule.io.model_file",
    "load_dataset": "chainrule.data.datasets",
    "to_torch": "chainrule.interop.torch",
    "from_torch": "chainrule.interop.torch",
    "explain": "chainrule.api",
    "explain_network": "chainrule.api",
    "Explanation": "chainrule.derivation.rendering.explanation",
    "check": "chainrule.api",
    "exercise": "chainrule.api",
    "read_network_file": "chainrule.io.network_file",
    "widget": "chainrule.web.widget",
}

__all__ = [
    "ChainruleError",
    "ConfigError",
    "DataError",
    "FileFormatError",
    "NumericalError",
    "OutputError",
    "ShapeError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
