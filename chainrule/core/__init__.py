"""The engine: NumPy only.  Knows nothing of files, terminals, explaining or the web.

Extension points are registries (core/registry.py): ``ACTIVATIONS``, ``LOSSES`` and
``optimizers.OPTIMIZERS``; add to them with ``register_activation``, ``register_loss`` and
``optimizers.register``.
"""

from __future__ import annotations

import importlib

from .activations import ACTIVATIONS, Activation, get_activation
from .activations import register as register_activation
from .losses import LOSSES, Loss, get_loss
from .losses import register as register_loss

_NETWORK = ("Forward", "Gradients", "Layer", "Network")  # loaded on first use: the registries need no NumPy


def __getattr__(name: str):
    """``Network`` and its companions from core/network.py (which imports NumPy) on first use, and any
    submodule by its name."""
    if name in _NETWORK:
        return getattr(importlib.import_module(".network", __name__), name)
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "register_activation",
    "LOSSES",
    "Loss",
    "get_loss",
    "register_loss",
    "Forward",
    "Gradients",
    "Layer",
    "Network",
]
