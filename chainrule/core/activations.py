"""Activation functions: each keeps its formula, its derivative and its written forms side by side.

``forward(net)`` gives out = f(net).  ``derivative(out, net)`` gives dout/dnet elementwise (for the
seed's logistic function written, as in the seed, as out·(1 − out)).  ``backward(out, net, g)``
turns dE/dout into dE/dnet; for elementwise functions that is g · f'(net), for softmax it is the
Jacobian-vector product.  Each takes an optional ``into=`` array to write its result into (the
training workspace's preallocated buffers); without it a new array is returned.

The written forms use ``<x>`` for the function's argument (the net input) and ``<y>`` for its value
(the output), so the explain renderers can put names or numbers in their place.

Each class also carries its PyTorch counterpart (:meth:`Activation.torch_module`, read by
``interop/torch.py``) and the initialiser ``init="auto"`` picks for its layers (``init``).  A new
activation is one such class, registered with :func:`register`; see ``core/registry.py``.
"""

from __future__ import annotations

from ..errors import ConfigError
from .deferred import np  # NumPy on first use: reading the written and scalar forms needs none
from .registry import Registry

# exp overflows float64 beyond ~709; clipping there changes no representable sigmoid value.
_EXP_LIMIT = 700.0


class Activation:
    """One activation function; subclasses set the class attributes and define the methods."""

    name: str = ""
    aliases: tuple[str, ...] = ()  # other accepted spellings of the name
    elementwise: bool = True
    text: str = ""  # out = ...
    latex: str = ""
    derivative_text: str = ""  # dout/dnet = ...
    derivative_latex: str = ""
    # The same formula for one float64 number, as Python source ({x} = net, {y} = out), for the
    # straight-line code that trains tiny networks (core/unrolled.py; any function of Python's math
    # module may be used); "" where there is none.
    scalar: str = ""  # out = ...
    scalar_derivative: str = ""  # dout/dnet = ...
    # The initialiser init="auto" picks for a layer of this activation (core/init.py): Glorot/Xavier
    # keeps sigmoid/tanh out of saturation, He/Kaiming suits the ReLU family.
    init: str = "xavier"

    def torch_module(self, nn):
        """The PyTorch module computing the same function (``nn`` is ``torch.nn``); ``None``: none needed."""
        raise NotImplementedError

    def reads_torch(self, nn, module) -> bool:
        """Whether the PyTorch ``module`` computes this activation (``from_torch`` asks each one)."""
        ours = self.torch_module(nn)
        return ours is not None and type(module) is type(ours) and module.extra_repr() == ours.extra_repr()

    def forward(self, net: np.ndarray, into: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, out: np.ndarray, net: np.ndarray, into: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def backward(
        self, out: np.ndarray, net: np.ndarray, grad_out: np.ndarray, into: np.ndarray | None = None
    ) -> np.ndarray:
        """dE/dnet = dE/dout · dout/dnet (chain rule, elementwise)."""
        d = self.derivative(out, net, into)
        d *= grad_out
        return d

    def __repr__(self) -> str:
        return self.name


ACTIVATIONS = Registry(
    "activation",
    Activation,
    required=("text", "latex", "derivative_text", "derivative_latex", "forward", "derivative", "torch_module"),
)


def register(cls: type[Activation], *, replace: bool = False) -> type[Activation]:
    """Add an :class:`Activation` subclass to ``ACTIVATIONS`` (a class decorator); see core/registry.py."""
    return ACTIVATIONS.register(cls, replace=replace)


def hidden_names(aliases: bool = False) -> list[str]:
    """The registered activations a hidden layer can use: the elementwise ones (not softmax).

    Read from ``ACTIVATIONS`` when called, so an activation registered at run time is among them.

    Parameters
    ----------
    aliases : bool
        Also list their other accepted spellings (``"logistic"`` for ``"sigmoid"``, ...).

    Returns
    -------
    list of str
        The names in the order they were registered, then (with ``aliases``) the aliases.
    """
    names = [name for name, cls in ACTIVATIONS.items() if cls.elementwise]
    others = [alias for alias, name in ACTIVATIONS.aliases.items() if name in names] if aliases else []
    return names + others


@register
class Sigmoid(Activation):
    """The seed's logistic function: out = 1 / (1 + e^(−net)), dout/dnet = out(1 − out)."""

    name = "sigmoid"
    aliases = ("logistic",)
    text = "1 / (1 + e^(-<x>))"
    latex = r"\frac{1}{1+e^{-<x>}}"
    derivative_text = "<y> * (1 - <y>)"
    derivative_latex = r"<y>(1 - <y>)"
    # NumPy's clip at −700 as a conditional (min/max calls would double the written-out update's time);
    # above +700 e^(−net) is too small to change 1.0, and NaN still goes through exp
    scalar = "(1.0 / (1.0 + exp(700.0)) if {x} < -700.0 else 1.0 / (1.0 + exp(-{x})))"
    scalar_derivative = "{y} * (1.0 - {y})"

    def torch_module(self, nn):
        return nn.Sigmoid()

    def forward(self, net, into=None):
        z = np.maximum(net, -_EXP_LIMIT, out=into)  # np.clip's bits, without its wrapper's microseconds
        np.minimum(z, _EXP_LIMIT, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)  # e^(−net)
        z += 1.0
        return np.reciprocal(z, out=z)

    def derivative(self, out, net, into=None):
        d = np.subtract(1.0, out, out=into)
        d *= out  # out (1 − out)
        return d


@register
class Tanh(Activation):
    name = "tanh"
    text = "tanh(<x>)"
    latex = r"\tanh(<x>)"
    derivative_text = "1 - <y>^2"
    derivative_latex = r"1 - <y>^2"
    scalar = "tanh({x})"
    scalar_derivative = "1.0 - {y} * {y}"

    def torch_module(self, nn):
        return nn.Tanh()

    def forward(self, net, into=None):
        return np.tanh(net, out=into)

    def derivative(self, out, net, into=None):
        d = np.multiply(out, out, out=into)
        return np.subtract(1.0, d, out=d if into is not None else None)  # 1 − out²


@register
class ReLU(Activation):
    name = "relu"
    text = "max(0, <x>)"
    latex = r"\max(0, <x>)"
    derivative_text = "1 if <x> > 0 else 0"
    derivative_latex = r"[<x> > 0]"
    scalar = "({x} if {x} > 0.0 else 0.0)"
    scalar_derivative = "(1.0 if {x} > 0.0 else 0.0)"
    init = "he"

    def torch_module(self, nn):
        return nn.ReLU()

    def forward(self, net, into=None):
        return np.maximum(net, 0.0, out=into)

    def derivative(self, out, net, into=None):
        if into is None:
            return (net > 0).astype(net.dtype)
        return np.greater(net, 0, out=into)  # [net > 0] as 1.0 / 0.0


@register
class LeakyReLU(Activation):
    name = "leaky_relu"
    aliases = ("leakyrelu",)
    slope = 0.01
    text = "<x> if <x> > 0 else 0.01 * <x>"
    latex = r"\max(0.01\,<x>, <x>)"
    derivative_text = "1 if <x> > 0 else 0.01"
    derivative_latex = r"1 \text{ if } <x> > 0 \text{ else } 0.01"
    scalar = "max({x}, 0.01 * {x})"
    scalar_derivative = "(1.0 if {x} > 0.0 else 0.01)"
    init = "he"

    def torch_module(self, nn):
        return nn.LeakyReLU(self.slope)

    def forward(self, net, into=None):
        y = np.multiply(net, self.slope, out=into)
        return np.maximum(net, y, out=y)  # max(net, 0.01 net) = net if net > 0 else 0.01 net

    def derivative(self, out, net, into=None):
        d = np.where(net > 0, 1.0, self.slope).astype(net.dtype)
        if into is None:
            return d
        np.copyto(into, d)
        return into


@register
class Identity(Activation):
    name = "identity"
    aliases = ("linear", "none")
    text = "<x>"
    latex = "<x>"
    derivative_text = "1"
    derivative_latex = "1"
    scalar = "{x}"
    scalar_derivative = "1.0"

    def torch_module(self, nn):
        return None  # nothing between the Linear layers

    def forward(self, net, into=None):
        if into is None:
            return net.copy()
        np.copyto(into, net)
        return into

    def derivative(self, out, net, into=None):
        if into is None:
            return np.ones_like(net)
        into.fill(1.0)
        return into

    def backward(self, out, net, grad_out, into=None):
        return grad_out


@register
class Softmax(Activation):
    """out_k = e^(net_k) / Σ_j e^(net_j); its Jacobian is diag(out) − out outᵀ."""

    name = "softmax"
    elementwise = False
    text = "e^(<x>) / sum_j e^(net_j)"
    latex = r"\frac{e^{<x>}}{\sum_j e^{net_j}}"
    derivative_text = "<y> * (1 - <y>)  (diagonal of the Jacobian)"
    derivative_latex = r"<y>(1 - <y>)"

    def torch_module(self, nn):
        return nn.Softmax(dim=-1)

    def reads_torch(self, nn, module) -> bool:
        return isinstance(module, nn.Softmax) and module.dim in (-1, 1)  # rows are samples: dim 1 is the last

    def forward(self, net, into=None):
        big = np.finfo(net.dtype).max
        y = np.clip(net, -big, big, out=into)  # an overflowed net (±inf) would make inf − inf = NaN below
        y -= y.max(axis=-1, keepdims=True)  # e^(net - max): no overflow
        np.exp(y, out=y)
        y /= y.sum(axis=-1, keepdims=True)
        return y

    def derivative(self, out, net, into=None):
        """The diagonal dout_k/dnet_k; the full Jacobian is used in :meth:`backward`."""
        d = np.subtract(1.0, out, out=into)
        d *= out
        return d

    def backward(self, out, net, grad_out, into=None):
        # dE/dnet_k = out_k (g_k − Σ_j g_j out_j)
        d = np.subtract(grad_out, (grad_out * out).sum(axis=-1, keepdims=True), out=into)
        d *= out
        return d


class Exp(Activation):
    """out = e^net (the Poisson regressor's output: a positive rate); dout/dnet = out.

    An output activation only, so it is not registered among the hidden-layer choices
    (stacked in hidden layers, e^(e^net) overflows); use it as ``Exp()``.
    """

    name = "exp"
    text = "e^(<x>)"
    latex = r"e^{<x>}"
    derivative_text = "<y>"
    derivative_latex = "<y>"
    scalar = "exp(min({x}, 700.0))"
    scalar_derivative = "{y}"

    def torch_module(self, nn):
        raise ConfigError(
            "PyTorch has no module for the exponential output (exp); apply torch.exp to the last Linear layer"
        )

    def forward(self, net, into=None):
        z = np.minimum(net, _EXP_LIMIT, out=into)  # e^700 is finite in float64
        return np.exp(z, out=z)

    def derivative(self, out, net, into=None):
        if into is None:
            return out.copy()
        np.copyto(into, out)
        return into


def get_activation(spec: str | Activation) -> Activation:
    """An activation from its name, with its formula, derivative and written forms side by side.

    Parameters
    ----------
    spec : str or Activation
        A registered name: ``"sigmoid"`` (also ``"logistic"``), ``"tanh"``, ``"relu"``,
        ``"leaky_relu"``, ``"identity"``, ``"softmax"`` (output layers only), or one added with
        ``chainrule.core.register_activation``; any case, ``-`` for ``_``. An `Activation` is
        returned as it is.

    Returns
    -------
    Activation
        Its ``forward(net)`` (the formula), ``derivative(out, net)``, and written forms ``text``
        and ``derivative_text`` (``<x>`` stands for net, ``<y>`` for out).

    Raises
    ------
    ConfigError
        An unknown name (the message lists the known ones) or something that is not a name.

    Examples
    --------
    >>> import chainrule
    >>> sigmoid = chainrule.get_activation("logistic")
    >>> sigmoid.name, sigmoid.text, sigmoid.derivative_text
    ('sigmoid', '1 / (1 + e^(-<x>))', '<y> * (1 - <y>)')
    >>> import numpy as np
    >>> sigmoid.forward(np.array([0.3775, 0.3925])).round(9).tolist()  # out_h1, out_h2 = f(net)
    [0.593269992, 0.596884378]
    """
    if isinstance(spec, Activation):
        return spec
    if not isinstance(spec, str):
        raise ConfigError(f"activation must be a name such as 'sigmoid', not {spec!r}")
    return ACTIVATIONS.lookup(spec)()
