"""chainrule: train feedforward neural networks by backpropagation and show every number.

``import chainrule`` is kept fast: the engine and its companions load on first use. The library
needs only NumPy; a few names need an extra (``to_torch`` and ``from_torch``: ``chainrule[torch]``;
``widget``: ``chainrule[widget]``; ``load_dataset("iris")`` and the other bundled sets:
``chainrule[sklearn]``) and say so, in one line, when it is missing. ``chainrule examples`` (the
command) copies the example files the documentation uses into a folder.

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
    "exercise_class": "chainrule.api",
    "grade": "chainrule.api",
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
        try:
            value = getattr(importlib.import_module(_LAZY[name]), name)
        except ChainruleError as missing:  # its extra is not installed: the name stays, and says so when called
            return _needs_extra(name, missing)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


def _needs_extra(name: str, missing: ChainruleError):
    """A stand-in for a public name whose module needs an extra that is not installed.

    ``dir``, ``help``, ``hasattr``, ``from chainrule import *`` and ``inspect.getmembers`` see it
    like any other name; calling it raises the import's own one-line error, which says what to
    install. It is not cached: each use tries the import again, so the real name appears once the
    extra is installed.
    """
    error, message = type(missing), str(missing)

    def unavailable(*args, **kwargs):
        raise error(message)

    unavailable.__name__ = unavailable.__qualname__ = name
    unavailable.__module__ = __name__
    unavailable.__doc__ = f"Not available in this installation: {message}."
    return unavailable


def __dir__():
    return sorted(__all__)
