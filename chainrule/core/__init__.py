"""The engine: NumPy only.  Knows nothing of files, terminals, explaining or the web.

Extension points are registries (core/registry.py): ``ACTIVATIONS``, ``LOSSES`` and
``optimizers.OPTIMIZERS``; add to them with ``register_activation``, ``register_loss`` and
``optimizers.register``.
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .activations import register as register_activation
from .losses import LOSSES, Loss, get_loss
from .losses import register as register_loss
from .network import Forward, Gradients, Layer, Network

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
