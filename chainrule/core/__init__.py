"""The engine: NumPy only.  Knows nothing of files, terminals, explaining or the web."""

from .activations import ACTIVATIONS, Activation, get_activation
from .losses import LOSSES, Loss, get_loss
from .network import Forward, Gradients, Layer, Network

__all__ = [
    "ACTIVATIONS", "Activation", "get_activation", "LOSSES", "Loss", "get_loss",
    "Forward", "Gradients", "Layer", "Network",
]
