"""The engine's network seen with scikit-learn's names and layout.

scikit-learn keeps ``coefs_[i]`` as an (n_in, n_out) matrix and ``intercepts_[i]`` as a vector;
the engine keeps each layer's weights and bias.  ``coef_views`` / ``intercept_views`` return
views of the engine's own arrays in scikit-learn's layout (no copy), so what training changes
shows in ``coefs_`` and what a user writes into ``coefs_`` is what the network computes with.

Initialisation is scikit-learn's (Glorot and Bengio, 2010): weights and biases uniform in
±√(f / (fan_in + fan_out)) with f = 2 for logistic (sigmoid) hidden units and 6 otherwise, drawn layer by
layer (weights, then biases) from the estimator's ``RandomState`` — so a seed gives the same
starting network as scikit-learn's MLP.
"""

from __future__ import annotations

import numpy as np

from ...core.activations import ACTIVATIONS, Exp
from ...core.losses import Poisson
from ...core.network import Network

# each output activation with the loss whose gradient at the net input is out − target
OUTPUT_LOSS = {"softmax": "cross_entropy", "logistic": "binary_cross_entropy", "identity": "half_sse", "exp": Poisson()}


def glorot_uniform(rng: np.random.RandomState, fan_in: int, fan_out: int, activation: str, dtype):
    """(coef (fan_in, fan_out), intercept (fan_out,)) ~ U(±√(f / (fan_in + fan_out)))."""
    bound = np.sqrt((2.0 if ACTIVATIONS.canonical(activation) == "sigmoid" else 6.0) / (fan_in + fan_out))
    coef = rng.uniform(-bound, bound, (fan_in, fan_out))
    intercept = rng.uniform(-bound, bound, fan_out)
    return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)


def build_network(coefs, intercepts, hidden: list[str], out_activation: str, dtype) -> Network:
    """An engine network holding copies of ``coefs`` (scikit-learn layout) and ``intercepts``."""
    sizes = [np.shape(coefs[0])[0]] + [np.shape(c)[1] for c in coefs]
    # any spelling the registry resolves ("logistic" is sigmoid); exp is an output activation only, not registered
    activations = [*hidden, Exp() if out_activation == "exp" else out_activation]
    return Network(
        sizes,
        activations,
        OUTPUT_LOSS[out_activation],
        weights=[np.asarray(c, dtype=np.float64).T for c in coefs],
        biases=[np.asarray(b, dtype=np.float64).reshape(-1) for b in intercepts],
        bias="per_neuron",
        train_biases=True,
        dtype=np.dtype(dtype).name,
    )


def coef_view(layer) -> np.ndarray:
    """The layer's weights as an (n_in, n_out) view (the engine stores one row per receiving neuron)."""
    return layer.weights.T


def coef_views(network: Network) -> list[np.ndarray]:
    return [coef_view(layer) for layer in network.layers]


def intercept_views(network: Network) -> list[np.ndarray]:
    return [layer.bias for layer in network.layers]


def is_view(array, layer) -> bool:
    return isinstance(array, np.ndarray) and (array is layer.bias or array.base is layer.weights)


class Packing:
    """All weights then all biases in one flat vector, in scikit-learn's order (for L-BFGS)."""

    def __init__(self, network: Network):
        self.coefs = coef_views(network)
        self.intercepts = intercept_views(network)
        self.arrays = self.coefs + self.intercepts
        self.slices, start = [], 0
        for a in self.arrays:
            self.slices.append(slice(start, start + a.size))
            start += a.size
        self.size = start

    def pack(self, arrays=None, into=None) -> np.ndarray:
        out = np.empty(self.size) if into is None else into
        for a, s in zip(self.arrays if arrays is None else arrays, self.slices):
            out[s] = a.ravel()
        return out

    def unpack(self, theta) -> None:
        """Write ``theta`` into the network's own arrays."""
        for a, s in zip(self.arrays, self.slices):
            a[...] = theta[s].reshape(a.shape)
