"""One training step, recorded: every intermediate number the engine computed, named and explained.

The trace never recomputes the network by a second route.  It runs the engine's own
``forward``, ``backward`` and ``apply_gradients`` and then *names* the array elements they
produced (net_h1 is ``fwd.nets[0][0, 0]``, delta_o1 is ``grads.delta[1][0, 0]``, ...).  The only
arithmetic done here is the splitting of the engine's matrix products into the seed's named terms
(dE_o1/dout_h1 = delta_o1 · w5), done on whole arrays.

Each :class:`Step` holds a name, its value, and its formula as templates in which ``<name>``
stands for another quantity; renderers substitute names or numbers.  It also holds the formula
as a computation (:mod:`formulas`): ``compute(*inputs)`` gives its value from the values of the
quantities named in ``inputs``.  :func:`evaluate` runs those computations in order, so a small
network's step can be traced on Python floats, without NumPy (:func:`trace_scalar`), and the same
formulas recompute any quantity from other numbers (a learner's: follow-through).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...errors import ConfigError
from ..notation.names import Notation
from . import formulas as f

if TYPE_CHECKING:
    import numpy as np

    from ...core.network import Forward, Gradients, Network

REF = re.compile(r"<([^<>]+)>")  # a quantity's name inside a step's formula template: <w5>

SECTIONS = {
    "forward": "The forward pass",
    "error": "The total error",
    "output": "The backward pass: output layer",
    "hidden": "The backward pass: hidden layers",
    "after": "After the update",
    "batch": "The batch: the samples' errors and gradients combined, and the update",  # trace_batch
}


NAN = float("nan")  # a value not known yet: a scalar trace computes it from the step's formula


@dataclass
class Step:
    name: str
    value: float
    section: str
    text: str  # formula in plain text, <name> for other quantities
    latex: str  # formula in LaTeX, <name> for other quantities
    note: str = ""  # a short description, e.g. "total net input of h1"
    layer: int | None = None  # index into network.layers, where the step belongs to one
    inputs: tuple[str, ...] = ()  # the quantities the value is computed from ...
    compute: Callable[..., float] | None = field(default=None, repr=False, compare=False)  # ... and how


@dataclass
class Trace:
    """The named record of one training step of ``network`` on one sample."""

    network: Network  # the network before the update (a PlainNetwork for a scalar trace)
    updated: Network | None  # the same network after the update (None: a scalar trace)
    learning_rate: float
    notation: Notation
    forward: Forward | None  # the engine's passes (None: a scalar trace, whose steps compute their values)
    gradients: Gradients | None
    after: Forward | None  # the forward pass of the updated network
    givens: dict[str, float] = field(default_factory=dict)  # inputs, targets, weights, biases, eta
    steps: list[Step] = field(default_factory=list)
    batch: str | None = None  # a full-batch step: "sum" or "mean" (trace_batch); None: one sample

    @property
    def values(self) -> dict[str, float]:
        """Every named number: the givens, then every step in order."""
        out = dict(self.givens)
        out.update((s.name, s.value) for s in self.steps)
        return out

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)


def _remark(text: str) -> tuple[str, str]:
    """A written form's trailing remark (``"<y> * (1 - <y>)  (diagonal of the Jacobian)"``) goes to the
    note, so that the numbers line does not repeat it."""
    formula, sep, remark = text.partition("  (")
    return (formula, f" ({remark}") if sep else (text, "")


def _fill(template: str, **names: str) -> str:
    for key, value in names.items():
        template = template.replace(f"<{key}>", f"<{value}>")
    return template


def trace_step(network: Network, x, target, learning_rate: float) -> Trace:
    """One step of the engine on one sample, every number named (``net_h1``, ``w5+``, ...) for `explain`.

    Parameters
    ----------
    network : Network
        The network; it is not changed (the update is applied to a copy).
    x, target : array_like
        One sample's inputs and target outputs.
    learning_rate : float
        η, a finite number above 0.

    Returns
    -------
    Trace
        ``values`` (name → number), ``steps`` (each name's formula, in order), ``updated``.

    Raises
    ------
    ConfigError, ShapeError
        More than one sample or a bad learning rate; a sample that does not fit the network.

    Examples
    --------
    >>> trace = chainrule.trace_step(chainrule.seed_network(), [0.05, 0.10], [0.01, 0.99], 0.5)
    >>> round(trace.values["dE_total/dw5"], 9), round(trace.values["E_total@1"], 9)
    (0.082167041, 0.291027774)
    """
    from ...core.constraints import CONSTRAINTS

    learning_rate = CONSTRAINTS["learning_rate"](learning_rate)
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    if len(xs) != 1:
        raise ConfigError("a step-by-step trace explains one sample at a time; give one input and one target")
    fwd = network.forward(xs)
    grads = network.backward(fwd, ts)
    updated = network.copy()
    updated.apply_gradients(grads, learning_rate)
    after = updated.forward(xs)

    tr = Trace(network, updated, float(learning_rate), Notation(network), fwd, grads, after)
    _givens(tr, xs[0].tolist(), ts[0].tolist(), [layer.weights.tolist() for layer in network.layers])
    _steps(tr)
    _after_steps(tr, ts)
    return tr


def trace_scalar(network, x: list[float], target: list[float], learning_rate: float) -> Trace:
    """The same step as :func:`trace_step`, every value computed from its step's formula on Python floats
    (:func:`evaluate`), without NumPy: for a small network whose activations and loss have scalar forms
    (a :class:`~chainrule.derivation.step.plain.PlainNetwork`).  ``learning_rate`` is already checked.
    The values equal the engine's to rounding (a sum may be formed in another order)."""
    tr = Trace(network, None, float(learning_rate), Notation(network), None, None, None)
    _givens(tr, [float(v) for v in x], [float(v) for v in target], [layer.weights for layer in network.layers])
    _steps(tr)
    values = evaluate(tr.steps, tr.givens)
    for step in tr.steps:
        step.value = values[step.name]
    updated = {name[:-1]: values[name] for name in values if name.endswith("+")}  # w5+ → w5
    after = evaluate([s for s in tr.steps if s.section in ("forward", "error")], {**tr.givens, **updated})
    _after_steps(tr, None, after)
    return tr


def numerical_gradient(tr: Trace, parameter: str, eps: float) -> float:
    """The finite-difference estimate of dE_total/d``parameter`` a gradient check compares the backward
    pass with: (E_total(p + ε) − E_total(p − ε)) / 2ε, E_total from the step's own formulas (the
    central difference; ``parameter`` a weight or bias name, ``eps`` > 0)."""
    cone = tr.__dict__.get("_total_error_cone")
    if cone is None:  # the steps E_total is computed from, in order
        by_name, needed, stack = {s.name: s for s in tr.steps}, set(), ["E_total"]
        while stack:
            name = stack.pop()
            if name in by_name and name not in needed:
                needed.add(name)
                stack.extend(by_name[name].inputs)
        cone = tr.__dict__["_total_error_cone"] = [s for s in tr.steps if s.name in needed]
    value = tr.givens[parameter]
    up = evaluate(cone, {**tr.givens, parameter: value + eps})["E_total"]
    down = evaluate(cone, {**tr.givens, parameter: value - eps})["E_total"]
    return (up - down) / (2 * eps)


def values_with(tr: Trace, network) -> dict[str, float]:
    """Every named value of ``tr``'s step (the updates and the forward and backward passes, not the values
    after the update) for ``network``, a network of the same shape with other parameters: ``tr``'s own
    formulas evaluated from ``network``'s weights and biases and ``tr``'s sample (a scalar trace)."""
    other = Trace(network, None, tr.learning_rate, tr.notation, None, None, None)
    x, t = [tr.givens[i] for i in tr.notation.inputs], [tr.givens[o] for o in tr.notation.targets]
    _givens(other, x, t, [layer.weights for layer in network.layers])
    return evaluate([s for s in tr.steps if s.section != "after"], other.givens)


def evaluate(steps: list[Step], givens: dict[str, float], rename=None) -> dict[str, float]:
    """Every step's value from its formula, starting from ``givens``: each step's ``compute`` applied to
    the values of its ``inputs``, each input computed first where it is a step not yet computed (a
    softmax output reads nets named after it), a step without ``compute`` keeping its value.
    ``rename(step, name)``, where given, says which value a step reads for an input (the hints'
    variants: the updated weight where the original belongs)."""
    by_name = {step.name: step for step in steps}
    values = dict(givens)

    def inputs(step: Step) -> list[str]:
        return list(step.inputs) if rename is None else [rename(step, name) for name in step.inputs]

    for first in steps:
        stack = [first]  # depth first, without recursion (a network may have a thousand layers)
        while stack:
            step = stack[-1]
            if step.name in values:
                stack.pop()
                continue
            names = inputs(step) if step.compute is not None else []
            missing = [by_name[name] for name in names if name not in values]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            values[step.name] = step.value if step.compute is None else step.compute(*[values[n] for n in names])
    return values


def _givens(tr: Trace, x: list[float], t: list[float], weights: list[list[list[float]]]) -> None:
    """The numbers a step starts from: inputs, weights (one row per receiving neuron), biases, targets, eta."""
    names, g = tr.notation, tr.givens
    g.update(zip(names.inputs, x))
    for l, layer in enumerate(tr.network.layers):
        for r, row in enumerate(names.weights[l]):
            g.update(zip(row, weights[l][r]))
        if names.biases[l] is not None:
            for j, b in enumerate(names.biases[l]):
                g[b] = float(layer.bias[0 if layer.bias_mode == "shared" else j])
    g.update(zip(names.targets, t))
    g["eta"] = float(tr.learning_rate)


def _steps(tr: Trace) -> None:
    """Every step of the forward pass, the error and the backward pass, with its update."""
    _forward_steps(tr)
    _error_steps(tr)
    _backward_steps(tr)


def _at(array, *index) -> float:
    """One number of the engine's arrays; NAN in a scalar trace (no arrays: the step computes it)."""
    return float(array[index]) if array is not None else NAN


def _rows(array) -> list | None:
    """The engine's array as Python lists (fast to index), None in a scalar trace."""
    return array.tolist() if array is not None else None


def _forward_steps(tr: Trace) -> None:
    """net_X = Σ w · out + b · 1 and out_X = f(net_X) for every neuron, layer by layer."""
    net, names = tr.network, tr.notation
    for l, layer in enumerate(net.layers):
        act = layer.activation
        nets = [f"net_{x}" for x in names.neurons[l]]
        for j, neuron in enumerate(names.neurons[l]):
            senders = names.sender_outputs(l)
            terms = [f"<{w}> * <{s}>" for w, s in zip(names.weights[l][j], senders)]
            lterms = [f"<{w}> \\cdot <{s}>" for w, s in zip(names.weights[l][j], senders)]
            inputs = [name for pair in zip(names.weights[l][j], senders) for name in pair]
            if names.biases[l] is not None:
                terms.append(f"<{names.biases[l][j]}> * 1")
                lterms.append(f"<{names.biases[l][j]}> \\cdot 1")
                inputs.append(names.biases[l][j])
            value = _at(tr.forward and tr.forward.nets[l], 0, j)
            note = f"total net input of {neuron}"
            tr.steps.append(
                Step(
                    nets[j],
                    value,
                    "forward",
                    " + ".join(terms),
                    " + ".join(lterms),
                    note,
                    l,
                    tuple(inputs),
                    f.weighted_sum,
                )
            )
            y, xname = f"out_{neuron}", nets[j]
            inputs, compute = (
                ((xname,), f.activation_out(act)) if act.elementwise else (tuple(nets), f.layer_out(act, j))
            )
            tr.steps.append(
                Step(
                    y,
                    _at(tr.forward and tr.forward.outs[l + 1], 0, j),
                    "forward",
                    _fill(act.text, x=xname, y=y),
                    _fill(act.latex, x=xname, y=y),
                    f"output of {neuron} ({act.name})",
                    l,
                    inputs,
                    compute,
                )
            )


def _error_steps(tr: Trace) -> None:
    """E_oK, each output's error term, and E_total = Σ E_oK."""
    net, names = tr.network, tr.notation
    loss, last = net.loss_fn, len(net.layers) - 1
    terms = None
    if tr.forward is not None:
        ts = net.as_targets([[tr.givens[t] for t in names.targets]], 1)
        terms = loss.terms(tr.forward.output, ts, tr.forward.nets[-1] if net._fused else None)[0]
    m, outputs = str(net.n_outputs), names.neurons[-1]
    per_output = f.loss_term(loss, net.n_outputs, net._fused)
    for k, o in enumerate(outputs):
        if per_output is not None:
            inputs, compute = (names.targets[k], f"out_{o}") + ((f"net_{o}",) if net._fused else ()), per_output
        else:  # the loss's NumPy formula reads the whole layer
            kinds = ("out", "net") if net._fused else ("out",)
            inputs = tuple(names.targets) + tuple(f"{kind}_{x}" for kind in kinds for x in outputs)
            compute = f.layer_loss_term(loss, k, net.n_outputs, net._fused)
        tr.steps.append(
            Step(
                f"E_{o}",
                _at(terms, k),
                "error",
                _fill(loss.text, t=names.targets[k], y=f"out_{o}").replace("<m>", m),
                _fill(loss.latex, t=names.targets[k], y=f"out_{o}").replace("<m>", m),
                f"error of {o} ({loss.name})",
                last,
                inputs,
                compute,
            )
        )
    e_names = [f"E_{o}" for o in names.neurons[-1]]
    text = " + ".join(f"<{e}>" for e in e_names)
    value = float(terms.sum()) if terms is not None else NAN
    tr.steps.append(Step("E_total", value, "error", text, text, "total error", None, tuple(e_names), f.total))


def _weight_gradient_steps(tr: Trace, l: int, section: str, outer: str) -> None:
    """dnet_X/dw = out_sender and dE_total/dw = outer · dout_X/dnet_X · dnet_X/dw for layer l."""
    names, dw = tr.notation, _rows(tr.gradients and tr.gradients.dW[l])  # lists: fast scalar access
    senders = names.sender_outputs(l)
    sender_out = _rows(tr.forward and tr.forward.outs[l][0])
    for j, neuron in enumerate(names.neurons[l]):
        for s, w in enumerate(names.weights[l][j]):
            value = sender_out[s] if sender_out else NAN
            note = f"how net_{neuron} changes with {w}"
            tr.steps.append(
                Step(
                    f"dnet_{neuron}/d{w}",
                    value,
                    section,
                    f"<{senders[s]}>",
                    f"<{senders[s]}>",
                    note,
                    l,
                    (senders[s],),
                    f.same,
                )
            )
            if outer is not None:
                text = f"<{outer.format(n=neuron)}> * <dout_{neuron}/dnet_{neuron}> * <dnet_{neuron}/d{w}>"
            else:
                text = f"<delta_{neuron}> * <dnet_{neuron}/d{w}>"
            note = f"gradient of the total error with respect to {w}"
            _chain_step(tr, f"dE_total/d{w}", dw[j][s] if dw else NAN, section, text, note, l, f.product)


def _bias_gradient_steps(tr: Trace, l: int, section: str) -> None:
    """dE_total/db = Σ delta over the neurons that share b, or one neuron's delta."""
    layer, names = tr.network.layers[l], tr.notation
    if not layer.train_bias:
        return
    db = tr.gradients and tr.gradients.db[l]
    if layer.bias_mode == "shared":
        deltas = " + ".join(f"<delta_{x}>" for x in names.neurons[l])
        note = f"gradient with respect to the shared bias {names.biases[l][0]}"
        _chain_step(tr, f"dE_total/d{names.biases[l][0]}", _at(db, 0), section, deltas, note, l, f.total)
    else:
        for j, x in enumerate(names.neurons[l]):
            note = f"gradient with respect to the bias of {x}"
            _chain_step(tr, f"dE_total/d{names.biases[l][j]}", _at(db, j), section, f"<delta_{x}>", note, l, f.same)


def _update_steps(tr: Trace, l: int, section: str, note: str = "after the update") -> None:
    """w+ = w − η · dE_total/dw for every weight of layer l, and b+ likewise for each trained bias."""
    layer, names = tr.network.layers[l], tr.notation
    new = tr.updated.layers[l] if tr.updated is not None else None
    new_weights = _rows(new and new.weights)
    parameters = [
        (w, new_weights[j][s] if new_weights else NAN)
        for j, row in enumerate(names.weights[l])
        for s, w in enumerate(row)
    ]
    if layer.train_bias:
        parameters += [(b, _at(new and new.bias, j)) for j, b in enumerate(dict.fromkeys(names.biases[l]))]
    for p, value in parameters:
        tr.steps.append(
            Step(
                f"{p}+",
                value,
                section,
                f"<{p}> - <eta> * <dE_total/d{p}>",
                f"<{p}> - <eta> \\cdot <dE_total/d{p}>",
                f"{p} {note}",
                l,
                (p, "eta", f"dE_total/d{p}"),
                f.descent,
            )
        )


def _chain_step(tr: Trace, name: str, value: float, section: str, text: str, note: str, layer: int, compute) -> None:
    """A step whose formula is a product or sum of quantities (``compute`` of the quantities its text
    names, in order): its LaTeX is its text with · for *."""
    inputs = tuple(REF.findall(text))
    tr.steps.append(Step(name, value, section, text, text.replace(" * ", " \\cdot "), note, layer, inputs, compute))


def _derivative_step(tr: Trace, l: int, j: int, section: str, deriv: np.ndarray | None) -> None:
    """dout_X/dnet_X, the activation's derivative for neuron j of layer l (``deriv`` holds the layer's)."""
    act, x = tr.network.layers[l].activation, tr.notation.neurons[l][j]
    y = f"out_{x}"
    formula, remark = _remark(act.derivative_text)
    tr.steps.append(
        Step(
            f"dout_{x}/dnet_{x}",
            _at(deriv, 0, j),
            section,
            _fill(formula, x=f"net_{x}", y=y),
            _fill(act.derivative_latex, x=f"net_{x}", y=y),
            f"how {y} changes with net_{x}" + remark,
            l,
            (f"net_{x}", y),
            f.activation_derivative(act),
        )
    )


def _backward_steps(tr: Trace) -> None:
    """The backward pass, from the output layer back to the first: the chain rule, step by step."""
    _output_layer_steps(tr)
    for l in range(len(tr.network.layers) - 2, -1, -1):
        _hidden_layer_steps(tr, l)


def _output_layer_steps(tr: Trace) -> None:
    """dE_total/dout_oK, dout_oK/dnet_oK and delta_oK for each output, then the output layer's
    gradients and updates."""
    net, names, grads = tr.network, tr.notation, tr.gradients
    last = len(net.layers) - 1
    act = net.layers[last].activation
    m = str(net.n_outputs)
    deriv = act.derivative(tr.forward.outs[-1], tr.forward.nets[-1]) if tr.forward is not None else None
    per_output = f.loss_gradient(net.loss_fn, net.n_outputs)
    every_output = tuple(names.targets) + tuple(f"out_{x}" for x in names.neurons[last])
    for k, o in enumerate(names.neurons[last]):
        y, t = f"out_{o}", names.targets[k]
        inputs, gradient = (
            ((t, y), per_output)
            if per_output
            else (every_output, f.layer_loss_gradient(net.loss_fn, k, len(every_output) // 2))
        )
        tr.steps.append(
            Step(
                f"dE_total/dout_{o}",
                _at(grads and grads.dout[last], 0, k),
                "output",
                _fill(net.loss_fn.gradient_text, t=t, y=y).replace("<m>", m),
                _fill(net.loss_fn.gradient_latex, t=t, y=y).replace("<m>", m),
                f"how the total error changes with {y}",
                last,
                inputs,
                gradient,
            )
        )
        _derivative_step(tr, last, k, "output", deriv)
        _output_delta(tr, k, _at(grads and grads.delta[last], 0, k))
    outer = "dE_total/dout_{n}" if not net._fused and act.elementwise else None
    _weight_gradient_steps(tr, last, "output", outer)
    _bias_gradient_steps(tr, last, "output")
    _update_steps(tr, last, "output")


def _output_delta(tr: Trace, k: int, value: float) -> None:
    """delta_oK: out − target where the activation is fused with its loss, through the Jacobian for
    softmax, else dE_total/dout_oK · dout_oK/dnet_oK."""
    net, names = tr.network, tr.notation
    last = len(net.layers) - 1
    act, o, t = net.layers[-1].activation, names.neurons[last][k], names.targets[k]
    y = f"out_{o}"
    if net._fused:
        note = f"node delta of {o} ({act.name} with {net.loss_fn.name}: out − target)"
        _chain_step(tr, f"delta_{o}", value, "output", f"<{y}> - <{t}>", note, last, f.difference)
    elif not act.elementwise:
        text = f"<{y}> * (<dE_total/dout_{o}> - sum_j dE_total/dout_oj * out_oj)"
        outputs = names.neurons[last]
        inputs = tuple(f"{kind}_{x}" for kind in ("out", "net") for x in outputs)
        inputs += tuple(f"dE_total/dout_{x}" for x in outputs)
        note = f"node delta of {o} through the softmax Jacobian"
        step = Step(f"delta_{o}", value, "output", text, text.replace(" * ", " \\cdot "), note, last)
        step.inputs, step.compute = inputs, f.through_jacobian(act, k, len(outputs))
        tr.steps.append(step)
    else:
        text = f"<dE_total/dout_{o}> * <dout_{o}/dnet_{o}>"
        _chain_step(tr, f"delta_{o}", value, "output", text, f"node delta of {o}: dE_total/dnet_{o}", last, f.product)


def _hidden_layer_steps(tr: Trace, l: int) -> None:
    """Hidden layer l: dE_total/dout_hJ (split into each output's dE_oK/dout_hJ where the seed names
    them), dout_hJ/dnet_hJ and delta_hJ for each neuron, then the layer's gradients and updates."""
    net, names, grads = tr.network, tr.notation, tr.gradients
    last = len(net.layers) - 1
    out_act = net.layers[last].activation
    # dE_oK/dout_hJ terms exist by name when each E_oK depends on net_oK alone (the seed's case)
    per_output_terms = l + 1 == last and out_act.elementwise
    d = None  # the name of delta_r in dE_r/dout_h = d_r · dnet_r/dout_h, where those terms are named
    if per_output_terms and net._fused:
        d = "delta_{r}"
    elif per_output_terms:  # the seed's name for delta_oK in this part, a step of its own
        d = "dE_{r}/dnet_{r}"
        for k, r in enumerate(names.neurons[last]):
            text = f"<dE_total/dout_{r}> * <dout_{r}/dnet_{r}>"
            note = f"how E_{r} changes with net_{r} (= delta_{r})"
            _chain_step(
                tr, f"dE_{r}/dnet_{r}", _at(grads and grads.delta[last], 0, k), "hidden", text, note, l, f.product
            )
    if l + 1 == last and not out_act.elementwise:
        _terms_through_the_jacobian(tr, l)
    terms, deriv = None, None
    if tr.forward is not None:
        terms = grads.delta[l + 1][0][:, None] * net.layers[l + 1].weights  # [receiver, sender] = delta · w
        deriv = net.layers[l].activation.derivative(tr.forward.outs[l + 1], tr.forward.nets[l])
    for j, h in enumerate(names.neurons[l]):
        _hidden_error_gradient(tr, l, j, d, terms[:, j] if terms is not None else None)
        _derivative_step(tr, l, j, "hidden", deriv)
        text = f"<dE_total/dout_{h}> * <dout_{h}/dnet_{h}>"
        _chain_step(
            tr, f"delta_{h}", _at(grads and grads.delta[l], 0, j), "hidden", text, f"node delta of {h}", l, f.product
        )
    _weight_gradient_steps(tr, l, "hidden", "dE_total/dout_{n}")
    _bias_gradient_steps(tr, l, "hidden")
    _update_steps(tr, l, "hidden")


def _hidden_error_gradient(tr: Trace, l: int, j: int, d: str | None, terms: np.ndarray | None) -> None:
    """dE_total/dout_h = Σ_r dE_r/dout_h with dE_r/dout_h = d_r · dnet_r/dout_h (dnet_r/dout_h = w),
    for neuron j of layer l; where ``d`` is None, the sum Σ_r delta_r · w without naming its terms.
    ``terms[r]`` is delta_r · w, the engine's product."""
    names, h = tr.notation, tr.notation.neurons[l][j]
    parts = []
    for k, r in enumerate(names.neurons[l + 1]):
        w = names.weights[l + 1][k][j]
        if d is None:
            parts.append(f"<delta_{r}> * <{w}>")
            continue
        _chain_step(
            tr, f"dnet_{r}/dout_{h}", tr.givens[w], "hidden", f"<{w}>", f"how net_{r} changes with out_{h}", l, f.same
        )
        text = f"<{d.format(r=r)}> * <dnet_{r}/dout_{h}>"
        value = _at(terms, k)
        _chain_step(tr, f"dE_{r}/dout_{h}", value, "hidden", text, f"how E_{r} changes with out_{h}", l, f.product)
        parts.append(f"<dE_{r}/dout_{h}>")
    value, note = _at(tr.gradients and tr.gradients.dout[l], 0, j), f"how the total error changes with out_{h}"
    _chain_step(tr, f"dE_total/dout_{h}", value, "hidden", " + ".join(parts), note, l, f.total if d else f.weighted_sum)


def _terms_through_the_jacobian(tr: Trace, l: int) -> None:
    """Each output's own error through a softmax layer: dE_oK/dnet_oR (the activation's own Jacobian
    product, applied to dE_oK/dout_oK alone — E_oK depends on out_oK only) and dE_oK/dout_hX, the
    engine's dE_total/dout_hX split by output."""
    net, names = tr.network, tr.notation
    last = len(net.layers) - 1
    act = net.layers[last].activation
    outputs = names.neurons[last]
    layer_values = tuple(f"{kind}_{x}" for kind in ("out", "net") for x in outputs)
    dnets = _own_errors_through_the_jacobian(tr) if tr.forward is not None else None
    for k, o in enumerate(outputs):
        for r, o2 in enumerate(outputs):
            text = f"<dE_total/dout_{o}> * <out_{o}> * ({int(r == k)} - <out_{o2}>)"
            note = f"how E_{o} changes with net_{o2} (through the {act.name} Jacobian)"
            step = Step(f"dE_{o}/dnet_{o2}", _at(dnets, k, r), "hidden", text, text.replace(" * ", " \\cdot "), note, l)
            step.inputs = layer_values + (f"dE_total/dout_{o}",)
            step.compute = f.own_error_through_jacobian(act, k, r, len(outputs))
            tr.steps.append(step)
        for j, h in enumerate(names.neurons[l]):
            terms = [f"<dE_{o}/dnet_{o2}> * <{names.weights[last][r][j]}>" for r, o2 in enumerate(outputs)]
            value = float(dnets[k] @ net.layers[last].weights[:, j]) if dnets is not None else NAN
            _chain_step(
                tr,
                f"dE_{o}/dout_{h}",
                value,
                "hidden",
                " + ".join(terms),
                f"how E_{o} changes with out_{h}",
                l,
                f.weighted_sum,
            )


def _own_errors_through_the_jacobian(tr: Trace):
    """Row K: dE_oK/dnet of the output layer, the activation's Jacobian product applied to dE_oK/dout_oK
    alone (the engine's arrays)."""
    import numpy as np

    net, names = tr.network, tr.notation
    act = net.layers[-1].activation
    out, z = tr.forward.outs[-1], tr.forward.nets[-1]
    t = np.array([[tr.givens[n] for n in names.targets]], dtype=out.dtype)
    g = net.loss_fn.gradient(out, t)
    rows = []
    for k in range(len(names.neurons[-1])):
        alone = np.zeros_like(g)
        alone[0, k] = g[0, k]
        rows.append(act.backward(out, z, alone)[0])
    return np.array(rows)


def _after_steps(tr: Trace, ts, after: dict | None = None) -> None:
    """Each output and E_total after the update: the engine's forward pass with the updated weights, or
    (a scalar trace) ``after``, the steps' formulas evaluated with them."""
    net, names = tr.updated, tr.notation
    e = NAN
    if tr.after is not None:
        fused_after = tr.after.nets[-1] if net._fused else None
        e = float(net.loss_fn.terms(tr.after.output, ts, fused_after).sum())
    for k, o in enumerate(names.neurons[-1]):
        tr.steps.append(
            Step(
                f"out_{o}@1",
                _at(tr.after and tr.after.output, 0, k) if after is None else after[f"out_{o}"],
                "after",
                "forward pass with the updated weights",
                "\\text{forward pass with the updated weights}",
                f"output of {o} after one update",
            )
        )
    tr.steps.append(
        Step(
            "E_total@1",
            e if after is None else after["E_total"],
            "after",
            "total error of the updated network",
            "\\text{total error of the updated network}",
            "total error after one update",
        )
    )


# ----------------------------------------------------------------------------- full-batch steps
def trace_batch(network: Network, x, target, learning_rate: float, combine: str = "mean") -> Trace:
    """One full-batch step on every sample: each sample's quantities named ``NAME[k]`` (its own trace),
    then the batch's E_total (the samples' E_total summed, or their mean), its gradients and the
    update, from the engine's pass over the whole batch (whose gradient is the mean; × n for a sum)."""
    if combine not in ("sum", "mean"):
        raise ConfigError(f'a batch combines its samples by "sum" or "mean", not {combine!r}')
    from ...core.constraints import CONSTRAINTS

    learning_rate = CONSTRAINTS["learning_rate"](learning_rate)
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    scale = float(len(xs)) if combine == "sum" else 1.0  # the engine's gradient is the mean: × n for a sum
    fwd = network.forward(xs)
    grads = network.backward(fwd, ts)  # the mean over the samples
    updated = network.copy()
    updated.apply_gradients(grads, learning_rate * scale)
    after = updated.forward(xs)
    tr = Trace(network, updated, float(learning_rate), Notation(network), fwd, grads, after)
    tr.batch = combine
    for k in range(len(xs)):
        _sample_steps(tr, trace_step(network, xs[k : k + 1], ts[k : k + 1], learning_rate), k + 1)
    _batch_error_and_gradient_steps(tr, ts, scale)
    for l in range(len(network.layers)):
        _update_steps(tr, l, "batch", "after the batch's update")
    _batch_after_steps(tr, ts, scale)
    return tr


def _sample_steps(tr: Trace, one: Trace, k: int) -> None:
    """Sample k's own trace, its quantities renamed ``NAME[k]`` (the weights, biases and eta stay
    shared); its update and its values after the update are the batch's, so left out."""
    per_sample = set(tr.notation.inputs) | set(tr.notation.targets)
    shared = set(one.givens) - per_sample
    rename = {name: f"{name}[{k}]" for name in [*one.givens, *(s.name for s in one.steps)] if name not in shared}

    def renamed(m):  # <name> → <name[k]>
        return f"<{rename.get(m.group(1), m.group(1))}>"

    for name, value in one.givens.items():
        tr.givens[rename.get(name, name)] = value
    for s in one.steps:
        if s.section == "after" or s.name.endswith("+"):
            continue  # the update is the batch's
        note = f"{s.note}, sample {k}" if s.note else f"sample {k}"
        text, latex = REF.sub(renamed, s.text), REF.sub(renamed, s.latex)
        inputs = tuple(rename.get(name, name) for name in s.inputs)
        tr.steps.append(Step(rename[s.name], s.value, s.section, text, latex, note, s.layer, inputs, s.compute))


def _combined(name: str, n: int, combine: str) -> tuple[str, str]:
    """NAME = NAME[1] + … + NAME[n] (a sum) or (NAME[1] + … + NAME[n]) / n (a mean), as text and LaTeX."""
    terms = " + ".join(f"<{name}[{k + 1}]>" for k in range(n))
    return (terms, terms) if combine == "sum" else (f"({terms}) / {n}", rf"\frac{{{terms}}}{{{n}}}")


def _combined_step(tr: Trace, name: str, value: float, note: str, layer: int | None) -> None:
    """The batch's NAME: the samples' NAME[k] summed, or their mean."""
    n = len(tr.forward.outs[0])
    text, latex = _combined(name, n, tr.batch)
    inputs = tuple(f"{name}[{k + 1}]" for k in range(n))
    compute = f.total if tr.batch == "sum" else f.mean(n)
    tr.steps.append(Step(name, value, "batch", text, latex, note, layer, inputs, compute))


def _batch_error_and_gradient_steps(tr: Trace, ts: np.ndarray, scale: float) -> None:
    """The batch's E_total and dE_total/dp for every weight and trained bias p: the samples' summed
    (``scale`` n) or their mean (``scale`` 1), from the engine's pass over the batch."""
    net, names, word, n = tr.network, tr.notation, tr.batch, len(ts)
    fused_net = tr.forward.nets[-1] if net._fused else None
    per_sample_e = net.loss_fn.terms(tr.forward.output, ts, fused_net).sum(axis=1)
    note = f"the batch's total error (the {word} over the samples)"
    _combined_step(tr, "E_total", float(per_sample_e.sum() / n * scale), note, None)
    note = f"the {word} of the samples' gradients"
    for l, layer in enumerate(net.layers):
        for j in range(layer.n_out):
            for s_, w in enumerate(names.weights[l][j]):
                _combined_step(tr, f"dE_total/d{w}", float(tr.gradients.dW[l][j, s_] * scale), note, l)
        if layer.train_bias:
            for j, b in enumerate(dict.fromkeys(names.biases[l])):
                _combined_step(tr, f"dE_total/d{b}", float(tr.gradients.db[l][j] * scale), note, l)


def _batch_after_steps(tr: Trace, ts: np.ndarray, scale: float) -> None:
    """Each sample's outputs after the batch's update, and the batch's E_total then."""
    net, after, n = tr.network, tr.after, len(ts)
    fused_after = after.nets[-1] if net._fused else None
    e_after = net.loss_fn.terms(after.output, ts, fused_after).sum(axis=1)
    for k in range(n):
        for q, o in enumerate(tr.notation.neurons[-1]):
            tr.steps.append(
                Step(
                    f"out_{o}[{k + 1}]@1",
                    float(after.output[k, q]),
                    "after",
                    "forward pass with the updated weights",
                    "\\text{forward pass with the updated weights}",
                    f"output of {o} on sample {k + 1} after the update",
                )
            )
    tr.steps.append(
        Step(
            "E_total@1",
            float(e_after.sum() / n * scale),
            "after",
            "total error of the updated network",
            "\\text{total error of the updated network}",
            f"the batch's total error after the update ({tr.batch})",
        )
    )
