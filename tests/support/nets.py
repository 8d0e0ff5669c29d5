"""Random networks for the property tests: a hypothesis strategy drawing an architecture, its
activations, loss and bias mode, and a NumPy seed from which weights, biases and samples are made."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from chainrule.core import Network

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
LOSSES = ["half_sse", "mse", "binary_cross_entropy", "cross_entropy"]
BIASES = ["shared", "per_neuron", "none"]
# the output activation each loss is meant for (squared errors take any, softmax included)
OUTPUT = {
    "half_sse": HIDDEN + ["softmax"],
    "mse": HIDDEN + ["softmax"],
    "binary_cross_entropy": ["sigmoid"],
    "cross_entropy": ["softmax"],
}


@dataclass
class Case:
    sizes: list
    activations: list
    loss: str
    bias: str
    weights: list
    biases: list | None
    x: np.ndarray
    t: np.ndarray

    def network(self, train_biases=True) -> Network:
        return Network(
            self.sizes,
            self.activations,
            self.loss,
            weights=[w.copy() for w in self.weights],
            biases=None if self.biases is None else [b.copy() for b in self.biases],
            bias=self.bias,
            train_biases=train_biases,
        )

    def __repr__(self) -> str:
        return (
            f"Case(sizes={self.sizes}, activations={self.activations}, loss={self.loss!r}, "
            f"bias={self.bias!r}, n={len(self.x)})"
        )


def targets(rng, loss: str, n: int, m: int) -> np.ndarray:
    if loss == "cross_entropy":  # one-hot rows, or soft labels that sum to one
        return np.eye(m)[rng.integers(0, m, n)] if rng.random() < 0.5 else rng.dirichlet(np.ones(m), n)
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, m)).astype(float) if rng.random() < 0.5 else rng.random((n, m))
    return rng.normal(size=(n, m))


@st.composite
def cases(draw, max_layers: int = 5, max_width: int = 5, max_samples: int = 4) -> Case:
    depth = draw(st.integers(2, max_layers))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=depth, max_size=depth))
    loss = draw(st.sampled_from(LOSSES))
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 2, max_size=depth - 2))
    activations = hidden + [draw(st.sampled_from(OUTPUT[loss]))]
    bias = draw(st.sampled_from(BIASES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.5, 1.0, 2.0]))
    weights = [rng.normal(0, scale / np.sqrt(a), size=(b, a)) for a, b in zip(sizes, sizes[1:])]
    # random, non-zero biases: a ReLU whose net inputs are all zero would sit exactly on its kink
    biases = None if bias == "none" else [rng.normal(size=1 if bias == "shared" else m) for m in sizes[1:]]
    n = draw(st.integers(1, max_samples))
    x = rng.normal(size=(n, sizes[0]))
    return Case(sizes, activations, loss, bias, weights, biases, x, targets(rng, loss, n, sizes[-1]))


def min_distance_to_kink(net: Network, x) -> float:
    """The smallest |net| over the ReLU-like neurons: how far the case is from a kink (inf if none)."""
    fwd = net.forward(x)
    kinked = [abs(z).min() for layer, z in zip(net.layers, fwd.nets) if layer.activation.name in ("relu", "leaky_relu")]
    return float(min(kinked)) if kinked else float("inf")
