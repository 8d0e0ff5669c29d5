"""Activation functions: each keeps its formula, its derivative and its written forms side by side.

``forward(net)`` gives out = f(net).  ``derivative(out, net)`` gives dout/dnet elementwise (for the
seed's logistic function written, as in the seed, as out·(1 − out)).  ``backward(out, net, g)``
turns dE/dout into dE/dnet; for elementwise functions that is g · f'(net), for softmax it is the
Jacobian-vector product.

The written forms use ``<x>`` for the function's argument (the net input) and ``<y>`` for its value
(the output), so the explain renderers can put names or numbers in their place.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError

# exp overflows float64 beyond ~709; clipping there changes no representable sigmoid value.
_EXP_LIMIT = 700.0


class Activation:
    name: str = ""
    elementwise: bool = True
    text: str = ""  # out = ...
    latex: str = ""
    derivative_text: str = ""  # dout/dnet = ...
    derivative_latex: str = ""

    def forward(self, net: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, out: np.ndarray, net: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, out: np.ndarray, net: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        """dE/dnet = dE/dout · dout/dnet (chain rule, elementwise)."""
        return grad_out * self.derivative(out, net)

    def __repr__(self) -> str:
        return self.name


class Sigmoid(Activation):
    """The seed's logistic function: out = 1 / (1 + e^(−net)), dout/dnet = out(1 − out)."""

    name = "sigmoid"
    text = "1 / (1 + e^(-<x>))"
    latex = r"\frac{1}{1+e^{-<x>}}"
    derivative_text = "<y> * (1 - <y>)"
    derivative_latex = r"<y>(1 - <y>)"

    def forward(self, net):
        z = np.clip(net, -_EXP_LIMIT, _EXP_LIMIT)
        out = np.exp(-z)
        out += 1.0
        return np.reciprocal(out, out=out)

    def derivative(self, out, net):
        return out * (1.0 - out)


class Tanh(Activation):
    name = "tanh"
    text = "tanh(<x>)"
    latex = r"\tanh(<x>)"
    derivative_text = "1 - <y>^2"
    derivative_latex = r"1 - <y>^2"

    def forward(self, net):
        return np.tanh(net)

    def derivative(self, out, net):
        return 1.0 - out * out


class ReLU(Activation):
    name = "relu"
    text = "max(0, <x>)"
    latex = r"\max(0, <x>)"
    derivative_text = "1 if <x> > 0 else 0"
    derivative_latex = r"[<x> > 0]"

    def forward(self, net):
        return np.maximum(net, 0.0)

    def derivative(self, out, net):
        return (net > 0).astype(net.dtype)

    def backward(self, out, net, grad_out):
        return np.where(net > 0, grad_out, 0.0).astype(grad_out.dtype, copy=False)


class LeakyReLU(Activation):
    name = "leaky_relu"
    slope = 0.01
    text = "<x> if <x> > 0 else 0.01 * <x>"
    latex = r"\max(0.01\,<x>, <x>)"
    derivative_text = "1 if <x> > 0 else 0.01"
    derivative_latex = r"1 \text{ if } <x> > 0 \text{ else } 0.01"

    def forward(self, net):
        return np.where(net > 0, net, self.slope * net)

    def derivative(self, out, net):
        return np.where(net > 0, 1.0, self.slope).astype(net.dtype)


class Identity(Activation):
    name = "identity"
    text = "<x>"
    latex = "<x>"
    derivative_text = "1"
    derivative_latex = "1"

    def forward(self, net):
        return net.copy()

    def derivative(self, out, net):
        return np.ones_like(net)

    def backward(self, out, net, grad_out):
        return grad_out


class Softmax(Activation):
    """out_k = e^(net_k) / Σ_j e^(net_j); its Jacobian is diag(out) − out outᵀ."""

    name = "softmax"
    elementwise = False
    text = "e^(<x>) / sum_j e^(net_j)"
    latex = r"\frac{e^{<x>}}{\sum_j e^{net_j}}"
    derivative_text = "<y> * (1 - <y>)  (diagonal of the Jacobian)"
    derivative_latex = r"<y>(1 - <y>)"

    def forward(self, net):
        net = np.clip(net, -1e300, 1e300)  # an overflowed net (±inf) would make inf − inf = NaN below
        shifted = net - net.max(axis=-1, keepdims=True)  # e^(net - max): no overflow
        out = np.exp(shifted)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    def derivative(self, out, net):
        """The diagonal dout_k/dnet_k; the full Jacobian is used in :meth:`backward`."""
        return out * (1.0 - out)

    def backward(self, out, net, grad_out):
        # dE/dnet_k = out_k (g_k − Σ_j g_j out_j)
        return out * (grad_out - (grad_out * out).sum(axis=-1, keepdims=True))


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax)
}
_ALIASES = {"logistic": "sigmoid", "linear": "identity", "none": "identity", "leakyrelu": "leaky_relu"}


def get_activation(spec: str | Activation) -> Activation:
    """An activation from its name (``"sigmoid"``, ``"tanh"``, ``"relu"``, ...) or itself."""
    if isinstance(spec, Activation):
        return spec
    if not isinstance(spec, str):
        raise ConfigError(f"activation must be a name such as 'sigmoid', not {spec!r}")
    key = spec.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ACTIVATIONS:
        raise ConfigError(f"unknown activation {spec!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[key]()
