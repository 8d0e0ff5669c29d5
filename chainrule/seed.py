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
    """A fresh copy of the worked example's network, before any update.

    Two inputs, two hidden and two output neurons, all sigmoid; weights w1..w8 = 0.15, 0.20, 0.25,
    0.30 (hidden layer) and 0.40, 0.45, 0.50, 0.55 (output layer); one bias per layer shared by
    its neurons, b1 = 0.35 and b2 = 0.60, never trained; the loss Σ ½(target − out)². Its sample
    is (0.05, 0.10) → (0.01, 0.99) and its learning rate 0.5 (``chainrule.seed.INPUT``,
    ``TARGET``, ``LEARNING_RATE``).

    Parameters
    ----------
    dtype : {"float64", "float32"}, default "float64"
        The precision: float64 gives the published digits exactly.

    Returns
    -------
    Network
        A new network each call, so training one leaves the next untouched.

    Raises
    ------
    ConfigError
        A dtype other than float64 or float32.

    Examples
    --------
    >>> import chainrule
    >>> net = chainrule.seed_network()
    >>> net.layers[0].weights.tolist()  # w1, w2; w3, w4
    [[0.15, 0.2], [0.25, 0.3]]
    >>> round(net.loss([0.05, 0.10], [0.01, 0.99]), 9)  # E_total
    0.298371109
    """
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
