"""How each named number of a training step is computed from other named numbers, one number at a time.

Every :class:`~chainrule.derivation.step.trace.Step` carries ``inputs`` (the names its value is
computed from) and ``compute`` (a function of their values, in that order).  The functions are the
engine's own formulas, taken apart into scalars:

* the chain rule's structure — net = Σ w · out + b, a product of factors, a sum of terms, the batch's
  mean, w+ = w − η · dE/dw, delta = out − target after a fused loss;
* an activation's and a loss's *scalar forms* (``Activation.scalar``, ``Loss.scalar_term``, …: the
  forms core/unrolled.py writes its straight-line trainer from), compiled once per form;
* where a registered class has no scalar form (softmax; an activation registered without one), its
  NumPy formula applied to the one row the number belongs to.

So one formula per quantity serves three uses: the values of a small network's step on Python floats
(no NumPy), the learner's follow-through values (each input taken from the learner's sheet where it
has one: :mod:`chainrule.derivation.checking.follow_through`), and the hints' variants of the step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable


# ----------------------------------------------------------------------------- the chain rule's structure
def weighted_sum(*terms: float) -> float:
    """net = w1 · out1 + w2 · out2 + … (+ b): ``terms`` are (w1, out1, w2, out2, …) and, when odd in number,
    the bias last."""
    pairs = len(terms) // 2
    out = sum(terms[2 * k] * terms[2 * k + 1] for k in range(pairs))
    return out + terms[-1] if len(terms) % 2 else out


def total(*terms: float) -> float:
    """A sum of terms (E_total = Σ E_oK; dE_total/dout_h = Σ_r dE_r/dout_h; a batch's Σ_k)."""
    return sum(terms)


def product(*factors: float) -> float:
    """A product of factors (the chain rule: dE/dw = dE/dout · dout/dnet · dnet/dw)."""
    return math.prod(factors)


def same(value: float) -> float:
    """A quantity equal to another (dnet_o1/dw5 = out_h1, dnet_o1/dout_h1 = w5, a per-neuron dE/db = delta)."""
    return value


def difference(a: float, b: float) -> float:
    """a − b (delta = out − target where the activation is fused with its loss)."""
    return a - b


def descent(parameter: float, eta: float, gradient: float) -> float:
    """The update: w+ = w − η · dE_total/dw."""
    return parameter - eta * gradient


@functools.lru_cache(maxsize=64)
def mean(n: int) -> Callable[..., float]:
    """(t1 + … + tn) / n: a batch's mean over its n samples."""

    def of(*terms: float) -> float:
        return sum(terms) / n

    return of


# ----------------------------------------------------------------------------- the registries' scalar forms
@functools.lru_cache(maxsize=256)
def scalar_form(source: str, arguments: str) -> Callable[..., float]:
    """``source`` (a registered scalar form with its placeholders filled by ``arguments``' names) as a
    function of those arguments, compiled once: ``scalar_form("1.0 / (1.0 + exp(-x))", "x")``."""
    from ...core.unrolled import SCALAR_NAMESPACE

    return eval(f"lambda {arguments}: {source}", dict(SCALAR_NAMESPACE))  # noqa: S307 (a registered form)


def activation_out(act) -> Callable[[float], float]:
    """out = f(net) for one neuron of an elementwise activation."""
    if act.scalar:
        return scalar_form(act.scalar.format(x="x"), "x")
    return lambda x: _one(act.forward(_row([x])))


def activation_derivative(act) -> Callable[[float, float], float]:
    """dout/dnet = f'(net), of (net, out)."""
    if act.scalar_derivative:
        return scalar_form(act.scalar_derivative.format(x="x", y="y"), "x, y")
    return lambda x, y: _one(act.derivative(_row([y]), _row([x])))


def layer_out(act, k: int) -> Callable[..., float]:
    """out_k = f(net)_k of an activation that reads its whole layer (softmax), of (net_1, …, net_m)."""
    return lambda *nets: float(act.forward(_row(nets))[0, k])


def loss_term(loss, m: int, fused: bool) -> Callable[..., float] | None:
    """E_oK, one output's error term from its scalar form: of (target, out), or of (target, out, net)
    after a fused activation; None where the loss has no such form (:func:`layer_loss_term`)."""
    form = loss.scalar_fused_term if fused else loss.scalar_term
    if not form:
        return None
    return scalar_form(form.format(t="t", y="y", x="x", m=m), "t, y, x" if fused else "t, y")


def layer_loss_term(loss, k: int, m: int, fused: bool) -> Callable[..., float]:
    """E_oK by the loss's NumPy formula, of the whole output layer: (t_1..t_m, out_1..out_m) and, after a
    fused activation, (net_1..net_m) — softmax's cross-entropy reads every net."""

    def of(*values: float) -> float:
        t, y, x = values[:m], values[m : 2 * m], values[2 * m :]
        return float(loss.terms(_row(y), _row(t), _row(x) if fused else None)[0, k])

    return of


def loss_gradient(loss, m: int) -> Callable[[float, float], float] | None:
    """dE_total/dout_oK from the loss's scalar form, of (target, out); None where there is none
    (:func:`layer_loss_gradient`)."""
    if not loss.scalar_gradient:
        return None
    return scalar_form(loss.scalar_gradient.format(t="t", y="y", m=m), "t, y")


def layer_loss_gradient(loss, k: int, m: int) -> Callable[..., float]:
    """dE_total/dout_oK by the loss's NumPy formula, of (t_1..t_m, out_1..out_m)."""
    return lambda *values: float(loss.gradient(_row(values[m:]), _row(values[:m]))[0, k])


def through_jacobian(act, k: int, m: int) -> Callable[..., float]:
    """delta_k = (J(out)ᵀ · dE/dout)_k for an activation that reads its whole layer (softmax), of
    (out_1..out_m, net_1..net_m, g_1..g_m) with g = dE_total/dout."""

    def of(*values: float) -> float:
        outs, nets, g = values[:m], values[m : 2 * m], values[2 * m :]
        return float(act.backward(_row(outs), _row(nets), _row(g))[0, k])

    return of


def own_error_through_jacobian(act, k: int, r: int, m: int) -> Callable[..., float]:
    """dE_oK/dnet_oR: output K's own error through the Jacobian (dE_total/dout with every entry but K's
    set to 0), element R; of (out_1..out_m, net_1..net_m, dE_total/dout_oK)."""

    def of(*values: float) -> float:
        outs, nets, g = values[:m], values[m : 2 * m], [0.0] * m
        g[k] = values[2 * m]
        return float(act.backward(_row(outs), _row(nets), _row(g))[0, r])

    return of


def _row(values):
    """One row of float64s (the NumPy formulas take a batch of rows)."""
    import numpy as np

    return np.array([list(values)], dtype=np.float64)


def _one(array) -> float:
    return float(array[0, 0])
