"""The seed example: the 2-2-2 logistic network of the "step by step backpropagation example".

w1..w8 = 0.15 .. 0.55, shared frozen biases b1 = 0.35 (hidden) and b2 = 0.60 (output),
one sample (0.05, 0.10) -> (0.01, 0.99), learning rate η = 0.5, 10,000 iterations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a Network is made: the seed's numbers alone need no NumPy
    from .core.network import Network

WEIGHTS = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]
BIASES = [0.35, 0.60]
INPUT = [0.05, 0.10]
TARGET = [0.01, 0.99]
LEARNING_RATE = 0.5
ITERATIONS = 10_000

SPEC = {
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": LEARNING_RATE,
    "weights": WEIGHTS,
    "biases": BIASES,
    "train_biases": False,
    "input": INPUT,
    "target": TARGET,
}


def seed_network(dtype: str = "float64") -> Network:
    """A fresh copy of the seed's network, before any update."""
    from .core.network import Network

    return Network(
        [2, 2, 2],
        "sigmoid",
        "half_sse",
        weights=WEIGHTS,
        biases=BIASES,
        bias="shared",
        train_biases=False,
        dtype=dtype,
    )
