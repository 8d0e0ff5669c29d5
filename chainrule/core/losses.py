"""Loss functions: each keeps its formula, its gradient and its written forms side by side.

A loss is a sum of per-output terms E_oK for one sample (the seed: E_total = Σ ½(target − out)²).
For a batch of n samples the loss is the mean over samples, so every gradient carries a 1/n.

``terms(out, target)`` gives the E_oK array; ``gradient(out, target)`` gives dE/dout per sample.
Cross-entropy losses also know their fused form: after the matching output activation
(softmax for ``cross_entropy``, sigmoid for ``binary_cross_entropy``) dE/dnet = out − target, and
the loss is computed from the net inputs so that it stays finite when out rounds to 0 or 1.

Each class also carries its PyTorch form (:meth:`Loss.torch_terms`, read by ``interop/torch.py``)
and the metrics that suit it (``metrics``: accuracy for the classification losses, R² for the
others; the trainer reports them).  A new loss is one such class, registered with
:func:`register`; see ``core/registry.py``.
"""

from __future__ import annotations

from ..errors import ConfigError
from .deferred import np  # NumPy on first use: reading the written and scalar forms needs none
from .registry import Registry


class Loss:
    """One loss function; subclasses set the class attributes and define the methods."""

    name: str = ""
    aliases: tuple[str, ...] = ()  # other accepted spellings of the name
    fused_activation: str | None = None  # output activation whose dE/dnet is simply out − target
    text: str = ""  # E_oK = ...  with <t> target, <y> output, <m> number of outputs
    latex: str = ""
    gradient_text: str = ""  # dE_total/dout_oK = ...
    gradient_latex: str = ""
    # The same formulas for one float64 output, as Python source ({t} target, {y} out, {x} net,
    # {m} number of outputs), for the straight-line code of core/unrolled.py (any function of Python's
    # math module may be used); "" where there is none.
    scalar_term: str = ""  # E_oK = ...
    scalar_fused_term: str = ""  # E_oK from the net input, after the fused activation
    scalar_gradient: str = ""  # dE/dout_oK = ...
    # What the trainer reports beside the loss (names in training/metrics.py): a classification
    # loss is judged by accuracy, a regression loss by R².
    metrics: tuple[str, ...] = ("r2",)

    def torch_terms(self, torch, out, target):
        """The E_oK array written with ``torch`` operations on tensors (``interop/torch.py``)."""
        raise NotImplementedError

    def terms(self, out, target, net=None):
        raise NotImplementedError

    def gradient(self, out, target):
        raise NotImplementedError

    def value(self, out, target, net=None) -> float:
        """The batch loss: Σ over outputs, mean over samples."""
        return float(self.terms(out, target, net).sum() / out.shape[0])

    def __repr__(self) -> str:
        return self.name


LOSSES = Registry(
    "loss",
    Loss,
    required=("text", "latex", "gradient_text", "gradient_latex", "terms", "gradient", "torch_terms", "metrics"),
)


def register(cls: type[Loss], *, replace: bool = False) -> type[Loss]:
    """Add a :class:`Loss` subclass to ``LOSSES`` (a class decorator); see core/registry.py."""
    return LOSSES.register(cls, replace=replace)


@register
class HalfSSE(Loss):
    """The seed's total error: E_total = Σ ½(target − out)²; dE/dout = −(target − out)."""

    name = "half_sse"
    aliases = ("half_sum_of_squares",)
    text = "1/2 * (<t> - <y>)^2"
    latex = r"\frac{1}{2}(<t> - <y>)^2"
    gradient_text = "-(<t> - <y>)"
    gradient_latex = r"-(<t> - <y>)"
    scalar_term = "0.5 * ({t} - {y}) * ({t} - {y})"
    scalar_gradient = "{y} - {t}"

    def torch_terms(self, torch, out, target):
        return 0.5 * (target - out) ** 2

    def terms(self, out, target, net=None):
        diff = target - out
        return 0.5 * diff * diff

    def gradient(self, out, target):
        return out - target


@register
class SSE(Loss):
    """The sum of squared errors, no ½: E_total = Σ (target − out)²; dE/dout = −2(target − out)."""

    name = "sse"
    text = "(<t> - <y>)^2"
    latex = r"(<t> - <y>)^2"
    gradient_text = "-2 * (<t> - <y>)"
    gradient_latex = r"-2(<t> - <y>)"
    scalar_term = "({t} - {y}) * ({t} - {y})"
    scalar_gradient = "2.0 * ({y} - {t})"

    def torch_terms(self, torch, out, target):
        return (target - out) ** 2

    def terms(self, out, target, net=None):
        diff = target - out
        return diff * diff

    def gradient(self, out, target):
        return (out - target) * 2.0


@register
class MSE(Loss):
    """Mean squared error over the outputs: E = (1/m) Σ (target − out)²."""

    name = "mse"
    aliases = ("mean_squared_error",)
    text = "(<t> - <y>)^2 / <m>"
    latex = r"\frac{1}{<m>}(<t> - <y>)^2"
    gradient_text = "-2 * (<t> - <y>) / <m>"
    gradient_latex = r"-\frac{2}{<m>}(<t> - <y>)"
    scalar_term = "({t} - {y}) * ({t} - {y}) / {m}"
    scalar_gradient = "({y} - {t}) * (2.0 / {m})"

    def torch_terms(self, torch, out, target):
        return (target - out) ** 2 / out.shape[-1]

    def terms(self, out, target, net=None):
        diff = target - out
        return diff * diff / out.shape[-1]

    def gradient(self, out, target):
        return (out - target) * (2.0 / out.shape[-1])


@register
class HalfMSE(Loss):
    """Half the mean squared error over the outputs: E = (1/(2m)) Σ (target − out)², scikit-learn's
    ``squared_error`` (its ½·mean over samples and outputs, with the engine's batch mean)."""

    name = "half_mse"
    aliases = ("squared_error",)
    text = "1/2 * (<t> - <y>)^2 / <m>"
    latex = r"\frac{1}{2<m>}(<t> - <y>)^2"
    gradient_text = "-(<t> - <y>) / <m>"
    gradient_latex = r"-\frac{1}{<m>}(<t> - <y>)"
    scalar_term = "0.5 * ({t} - {y}) * ({t} - {y}) / {m}"
    scalar_gradient = "({y} - {t}) / {m}"

    def torch_terms(self, torch, out, target):
        return 0.5 * (target - out) ** 2 / out.shape[-1]

    def terms(self, out, target, net=None):
        diff = target - out
        return 0.5 * diff * diff / out.shape[-1]

    def gradient(self, out, target):
        return (out - target) / out.shape[-1]


@register
class BinaryCrossEntropy(Loss):
    """E = −Σ [t log out + (1 − t) log(1 − out)]; after a sigmoid, dE/dnet = out − t."""

    name = "binary_cross_entropy"
    aliases = ("bce", "binary_crossentropy")
    metrics = ("accuracy",)
    fused_activation = "sigmoid"
    text = "-(<t> * log(<y>) + (1 - <t>) * log(1 - <y>))"
    latex = r"-\left(<t>\log <y> + (1 - <t>)\log(1 - <y>)\right)"
    gradient_text = "(<y> - <t>) / (<y> * (1 - <y>))"
    gradient_latex = r"\frac{<y> - <t>}{<y>(1 - <y>)}"
    scalar_term = "-({t} * log(max({y}, TINY)) + (1.0 - {t}) * log(max(1.0 - {y}, TINY)))"
    scalar_fused_term = "max({x}, 0.0) - {t} * {x} + log1p(exp(-abs({x})))"
    scalar_gradient = "({y} - {t}) / max({y} * (1.0 - {y}), EPS)"

    def torch_terms(self, torch, out, target):
        return -(target * torch.log(out) + (1 - target) * torch.log(1 - out))

    def terms(self, out, target, net=None):
        if net is not None:
            # log(1 + e^net) − t·net, written so that e^ never overflows
            return np.maximum(net, 0) - target * net + np.log1p(np.exp(-np.abs(net)))
        tiny = np.finfo(out.dtype).tiny
        return -(target * np.log(np.maximum(out, tiny)) + (1 - target) * np.log(np.maximum(1 - out, tiny)))

    def gradient(self, out, target):
        eps = np.finfo(out.dtype).eps
        return (out - target) / np.maximum(out * (1 - out), eps)


@register
class CrossEntropy(Loss):
    """Categorical cross-entropy E = −Σ t log out; after a softmax, dE/dnet = out − t."""

    name = "cross_entropy"
    aliases = ("ce", "categorical_cross_entropy", "categorical_crossentropy", "softmax_cross_entropy")
    metrics = ("accuracy",)
    fused_activation = "softmax"
    text = "-<t> * log(<y>)"
    latex = r"-<t>\log <y>"
    gradient_text = "-<t> / <y>"
    gradient_latex = r"-\frac{<t>}{<y>}"
    scalar_term = "-{t} * log(max({y}, TINY))"
    scalar_gradient = "-{t} / max({y}, TINY)"

    def torch_terms(self, torch, out, target):
        return -target * torch.log(out)

    def terms(self, out, target, net=None):
        if net is not None:  # log softmax from the net inputs: finite even where out rounds to 0
            shifted = net - net.max(axis=-1, keepdims=True)
            log_out = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        else:
            log_out = np.log(np.maximum(out, np.finfo(out.dtype).tiny))
        return -target * log_out

    def gradient(self, out, target):
        return -target / np.maximum(out, np.finfo(out.dtype).tiny)


class Poisson(Loss):
    """Half Poisson deviance E = t log(t / out) − t + out (rate out > 0); after e^net, dE/dnet = out − t.

    It belongs with the ``Exp`` output activation only, so like it it is not registered; use it
    as ``Poisson()`` (scikit-learn's ``MLPRegressor(loss="poisson")`` does).
    """

    name = "poisson"
    fused_activation = "exp"
    text = "<t> * log(<t> / <y>) - <t> + <y>"
    latex = r"<t>\log\frac{<t>}{<y>} - <t> + <y>"
    gradient_text = "1 - <t> / <y>"
    gradient_latex = r"1 - \frac{<t>}{<y>}"
    scalar_term = "({t} * log({t}) if {t} > 0.0 else 0.0) - {t} * log(max({y}, TINY)) - {t} + {y}"
    scalar_fused_term = "({t} * log({t}) if {t} > 0.0 else 0.0) - {t} * {x} - {t} + {y}"
    scalar_gradient = "1.0 - {t} / max({y}, TINY)"

    def torch_terms(self, torch, out, target):
        return torch.xlogy(target, target) - target * torch.log(out) - target + out

    def terms(self, out, target, net=None):
        t_log_t = target * np.log(np.where(target > 0, target, 1.0))  # t log t, 0 at t = 0
        log_out = net if net is not None else np.log(np.maximum(out, np.finfo(out.dtype).tiny))
        return t_log_t - target * log_out - target + out

    def gradient(self, out, target):
        return 1.0 - target / np.maximum(out, np.finfo(out.dtype).tiny)


def get_loss(spec: str | Loss) -> Loss:
    """A loss from its name, with its per-output terms, gradient and written form side by side.

    Parameters
    ----------
    spec : str or Loss
        A registered name: ``"half_sse"`` (the seed's Σ ½(t − out)²), ``"sse"``, ``"mse"``,
        ``"half_mse"`` (scikit-learn's ``"squared_error"``), ``"binary_cross_entropy"``,
        ``"cross_entropy"``, or one added with ``chainrule.core.register_loss``; any case, ``-``
        for ``_``. A `Loss` is returned as it is.

    Returns
    -------
    Loss
        Its ``terms(out, target)`` (E_ok), ``gradient`` (dE/dout), ``value`` (the mean over
        samples of Σ_k E_ok), written form ``text`` and the ``metrics`` that suit it.

    Raises
    ------
    ConfigError
        An unknown name (the message lists the known ones) or something that is not a name.

    Examples
    --------
    >>> import chainrule
    >>> loss = chainrule.get_loss("half_sse")
    >>> loss.text
    '1/2 * (<t> - <y>)^2'
    >>> import numpy as np
    >>> out = chainrule.seed_network().predict([0.05, 0.10])  # out_o1, out_o2
    >>> loss.terms(out, np.array([[0.01, 0.99]])).round(9).tolist()  # E_o1, E_o2
    [[0.274811083, 0.023560026]]
    """
    if isinstance(spec, Loss):
        return spec
    if not isinstance(spec, str):
        raise ConfigError(f"loss must be a name such as 'half_sse', not {spec!r}")
    return LOSSES.lookup(spec)()
