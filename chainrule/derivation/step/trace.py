"""One training step, recorded: every intermediate number the engine computed, named and explained.

The trace never recomputes the network by a second route.  It runs the engine's own
``forward``, ``backward`` and ``apply_gradients`` and then *names* the array elements they
produced (net_h1 is ``fwd.nets[0][0, 0]``, delta_o1 is ``grads.delta[1][0, 0]``, ...).  The only
arithmetic done here is the splitting of the engine's matrix products into the seed's named terms
(dE_o1/dout_h1 = delta_o1 · w5), done on whole arrays.

Each :class:`Step` holds a name, its value, and its formula as templates in which ``<name>``
stands for another quantity; renderers substitute names or numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ...core.constraints import CONSTRAINTS
from ...core.network import Forward, Gradients, Network
from ...errors import ConfigError
from ..notation.names import Notation

REF = re.compile(r"<([^<>]+)>")  # a quantity's name inside a step's formula template: <w5>

SECTIONS = {
    "forward": "The forward pass",
    "error": "The total error",
    "output": "The backward pass: output layer",
    "hidden": "The backward pass: hidden layers",
    "after": "After the update",
    "batch": "The batch: the samples' errors and gradients combined, and the update",  # trace_batch
}


@dataclass
class Step:
    name: str
    value: float
    section: str
    text: str  # formula in plain text, <name> for other quantities
    latex: str  # formula in LaTeX, <name> for other quantities
    note: str = ""  # a short description, e.g. "total net input of h1"
    layer: int | None = None  # index into network.layers, where the step belongs to one


@dataclass
class Trace:
    """The named record of one training step of ``network`` on one sample."""

    network: Network  # the network before the update
    updated: Network  # the same network after the update
    learning_rate: float
    notation: Notation
    forward: Forward
    gradients: Gradients
    after: Forward  # the forward pass of the updated network
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

    names = Notation(network)
    tr = Trace(network, updated, float(learning_rate), names, fwd, grads, after)
    g = tr.givens
    for name, v in zip(names.inputs, xs[0]):
        g[name] = float(v)
    for l, layer in enumerate(network.layers):
        weights = layer.weights.tolist()
        for r, row in enumerate(names.weights[l]):
            g.update(zip(row, weights[r]))
        if names.biases[l] is not None:
            for j, b in enumerate(names.biases[l]):
                g[b] = float(layer.bias[0 if layer.bias_mode == "shared" else j])
    for name, v in zip(names.targets, ts[0]):
        g[name] = float(v)
    g["eta"] = float(learning_rate)

    _forward_steps(tr)
    _error_steps(tr, ts)
    _backward_steps(tr)
    _after_steps(tr, ts)
    return tr


def _forward_steps(tr: Trace) -> None:
    net, names = tr.network, tr.notation
    for l, layer in enumerate(net.layers):
        act = layer.activation
        for j, neuron in enumerate(names.neurons[l]):
            senders = names.sender_outputs(l)
            terms = [f"<{w}> * <{s}>" for w, s in zip(names.weights[l][j], senders)]
            lterms = [f"<{w}> \\cdot <{s}>" for w, s in zip(names.weights[l][j], senders)]
            if names.biases[l] is not None:
                terms.append(f"<{names.biases[l][j]}> * 1")
                lterms.append(f"<{names.biases[l][j]}> \\cdot 1")
            tr.steps.append(
                Step(
                    f"net_{neuron}",
                    float(tr.forward.nets[l][0, j]),
                    "forward",
                    " + ".join(terms),
                    " + ".join(lterms),
                    f"total net input of {neuron}",
                    l,
                )
            )
            y, xname = f"out_{neuron}", f"net_{neuron}"
            tr.steps.append(
                Step(
                    y,
                    float(tr.forward.outs[l + 1][0, j]),
                    "forward",
                    _fill(act.text, x=xname, y=y),
                    _fill(act.latex, x=xname, y=y),
                    f"output of {neuron} ({act.name})",
                    l,
                )
            )


def _error_steps(tr: Trace, ts: np.ndarray) -> None:
    net, names = tr.network, tr.notation
    loss, last = net.loss_fn, len(net.layers) - 1
    fused_net = tr.forward.nets[-1] if net._fused else None
    terms = loss.terms(tr.forward.output, ts, fused_net)[0]
    m = str(net.n_outputs)
    for k, o in enumerate(names.neurons[-1]):
        tr.steps.append(
            Step(
                f"E_{o}",
                float(terms[k]),
                "error",
                _fill(loss.text, t=names.targets[k], y=f"out_{o}").replace("<m>", m),
                _fill(loss.latex, t=names.targets[k], y=f"out_{o}").replace("<m>", m),
                f"error of {o} ({loss.name})",
                last,
            )
        )
    e_names = [f"<E_{o}>" for o in names.neurons[-1]]
    tr.steps.append(
        Step("E_total", float(terms.sum()), "error", " + ".join(e_names), " + ".join(e_names), "total error")
    )


def _weight_gradient_steps(tr: Trace, l: int, section: str, outer: str) -> None:
    """dnet_X/dw = out_sender and dE_total/dw = outer · dout_X/dnet_X · dnet_X/dw for layer l."""
    names, dw = tr.notation, tr.gradients.dW[l].tolist()  # lists: fast scalar access
    senders = names.sender_outputs(l)
    sender_out = tr.forward.outs[l][0].tolist()
    chain = outer is not None
    for j, neuron in enumerate(names.neurons[l]):
        for s, w in enumerate(names.weights[l][j]):
            tr.steps.append(
                Step(
                    f"dnet_{neuron}/d{w}",
                    sender_out[s],
                    section,
                    f"<{senders[s]}>",
                    f"<{senders[s]}>",
                    f"how net_{neuron} changes with {w}",
                    l,
                )
            )
            if chain:
                text = f"<{outer.format(n=neuron)}> * <dout_{neuron}/dnet_{neuron}> * <dnet_{neuron}/d{w}>"
                latex = text.replace(" * ", " \\cdot ")
            else:
                text = f"<delta_{neuron}> * <dnet_{neuron}/d{w}>"
                latex = text.replace(" * ", " \\cdot ")
            tr.steps.append(
                Step(
                    f"dE_total/d{w}",
                    dw[j][s],
                    section,
                    text,
                    latex,
                    f"gradient of the total error with respect to {w}",
                    l,
                )
            )


def _bias_gradient_steps(tr: Trace, l: int, section: str) -> None:
    layer, names = tr.network.layers[l], tr.notation
    if not layer.train_bias:
        return
    db = tr.gradients.db[l]
    if layer.bias_mode == "shared":
        deltas = " + ".join(f"<delta_{x}>" for x in names.neurons[l])
        tr.steps.append(
            Step(
                f"dE_total/d{names.biases[l][0]}",
                float(db[0]),
                section,
                deltas,
                deltas,
                f"gradient with respect to the shared bias {names.biases[l][0]}",
                l,
            )
        )
    else:
        for j, x in enumerate(names.neurons[l]):
            tr.steps.append(
                Step(
                    f"dE_total/d{names.biases[l][j]}",
                    float(db[j]),
                    section,
                    f"<delta_{x}>",
                    f"<delta_{x}>",
                    f"gradient with respect to the bias of {x}",
                    l,
                )
            )


def _update_steps(tr: Trace, l: int, section: str, note: str = "after the update") -> None:
    """w+ = w − η · dE_total/dw for every weight of layer l, and b+ likewise for each trained bias."""
    layer, names, new = tr.network.layers[l], tr.notation, tr.updated.layers[l]
    new_weights = new.weights.tolist()
    for j in range(layer.n_out):
        for s, w in enumerate(names.weights[l][j]):
            tr.steps.append(
                Step(
                    f"{w}+",
                    new_weights[j][s],
                    section,
                    f"<{w}> - <eta> * <dE_total/d{w}>",
                    f"<{w}> - <eta> \\cdot <dE_total/d{w}>",
                    f"{w} {note}",
                    l,
                )
            )
    if layer.train_bias:
        unique = dict.fromkeys(names.biases[l])
        for j, b in enumerate(unique):
            tr.steps.append(
                Step(
                    f"{b}+",
                    float(new.bias[j]),
                    section,
                    f"<{b}> - <eta> * <dE_total/d{b}>",
                    f"<{b}> - <eta> \\cdot <dE_total/d{b}>",
                    f"{b} {note}",
                    l,
                )
            )


def _chain_step(tr: Trace, name: str, value: float, section: str, text: str, note: str, layer: int) -> None:
    """A step whose formula is a product or sum of quantities: its LaTeX is its text with · for *."""
    tr.steps.append(Step(name, value, section, text, text.replace(" * ", " \\cdot "), note, layer))


def _derivative_step(tr: Trace, l: int, j: int, section: str, deriv: np.ndarray) -> None:
    """dout_X/dnet_X, the activation's derivative for neuron j of layer l (``deriv`` holds the layer's)."""
    act, x = tr.network.layers[l].activation, tr.notation.neurons[l][j]
    y = f"out_{x}"
    formula, remark = _remark(act.derivative_text)
    tr.steps.append(
        Step(
            f"dout_{x}/dnet_{x}",
            float(deriv[0, j]),
            section,
            _fill(formula, x=f"net_{x}", y=y),
            _fill(act.derivative_latex, x=f"net_{x}", y=y),
            f"how {y} changes with net_{x}" + remark,
            l,
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
    deriv = act.derivative(tr.forward.outs[-1], tr.forward.nets[-1])
    for k, o in enumerate(names.neurons[last]):
        y, t = f"out_{o}", names.targets[k]
        tr.steps.append(
            Step(
                f"dE_total/dout_{o}",
                float(grads.dout[last][0, k]),
                "output",
                _fill(net.loss_fn.gradient_text, t=t, y=y).replace("<m>", m),
                _fill(net.loss_fn.gradient_latex, t=t, y=y).replace("<m>", m),
                f"how the total error changes with {y}",
                last,
            )
        )
        _derivative_step(tr, last, k, "output", deriv)
        text, note = _output_delta(tr, o, t)
        _chain_step(tr, f"delta_{o}", float(grads.delta[last][0, k]), "output", text, note, last)
    outer = "dE_total/dout_{n}" if not net._fused and act.elementwise else None
    _weight_gradient_steps(tr, last, "output", outer)
    _bias_gradient_steps(tr, last, "output")
    _update_steps(tr, last, "output")


def _output_delta(tr: Trace, o: str, t: str) -> tuple[str, str]:
    """delta_oK's formula and note: out − target where the activation is fused with its loss, through
    the Jacobian for softmax, else dE_total/dout_oK · dout_oK/dnet_oK."""
    net = tr.network
    act, y = net.layers[-1].activation, f"out_{o}"
    if net._fused:
        return f"<{y}> - <{t}>", f"node delta of {o} ({act.name} with {net.loss_fn.name}: out − target)"
    if not act.elementwise:
        text = f"<{y}> * (<dE_total/dout_{o}> - sum_j dE_total/dout_oj * out_oj)"
        return text, f"node delta of {o} through the softmax Jacobian"
    return f"<dE_total/dout_{o}> * <dout_{o}/dnet_{o}>", f"node delta of {o}: dE_total/dnet_{o}"


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
            _chain_step(tr, f"dE_{r}/dnet_{r}", float(grads.delta[last][0, k]), "hidden", text, note, l)
    if l + 1 == last and not out_act.elementwise:
        _terms_through_the_jacobian(tr, l)
    terms = grads.delta[l + 1][0][:, None] * net.layers[l + 1].weights  # [receiver, sender] = delta · w
    deriv = net.layers[l].activation.derivative(tr.forward.outs[l + 1], tr.forward.nets[l])
    for j, h in enumerate(names.neurons[l]):
        _hidden_error_gradient(tr, l, j, d, terms[:, j])
        _derivative_step(tr, l, j, "hidden", deriv)
        text = f"<dE_total/dout_{h}> * <dout_{h}/dnet_{h}>"
        _chain_step(tr, f"delta_{h}", float(grads.delta[l][0, j]), "hidden", text, f"node delta of {h}", l)
    _weight_gradient_steps(tr, l, "hidden", "dE_total/dout_{n}")
    _bias_gradient_steps(tr, l, "hidden")
    _update_steps(tr, l, "hidden")


def _hidden_error_gradient(tr: Trace, l: int, j: int, d: str | None, terms: np.ndarray) -> None:
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
        _chain_step(tr, f"dnet_{r}/dout_{h}", tr.givens[w], "hidden", f"<{w}>", f"how net_{r} changes with out_{h}", l)
        text = f"<{d.format(r=r)}> * <dnet_{r}/dout_{h}>"
        _chain_step(tr, f"dE_{r}/dout_{h}", float(terms[k]), "hidden", text, f"how E_{r} changes with out_{h}", l)
        parts.append(f"<dE_{r}/dout_{h}>")
    value, note = float(tr.gradients.dout[l][0, j]), f"how the total error changes with out_{h}"
    _chain_step(tr, f"dE_total/dout_{h}", value, "hidden", " + ".join(parts), note, l)


def _terms_through_the_jacobian(tr: Trace, l: int) -> None:
    """Each output's own error through a softmax layer: dE_oK/dnet_oR (the activation's own Jacobian
    product, applied to dE_oK/dout_oK alone — E_oK depends on out_oK only) and dE_oK/dout_hX, the
    engine's dE_total/dout_hX split by output."""
    net, names = tr.network, tr.notation
    last = len(net.layers) - 1
    act, weights = net.layers[last].activation, net.layers[last].weights
    out, z = tr.forward.outs[-1], tr.forward.nets[-1]
    t = np.array([[tr.givens[n] for n in names.targets]], dtype=out.dtype)
    g = net.loss_fn.gradient(out, t)
    outputs = names.neurons[last]
    for k, o in enumerate(outputs):
        alone = np.zeros_like(g)
        alone[0, k] = g[0, k]
        dnet = act.backward(out, z, alone)[0]
        for r, o2 in enumerate(outputs):
            text = f"<dE_total/dout_{o}> * <out_{o}> * ({int(r == k)} - <out_{o2}>)"
            tr.steps.append(
                Step(
                    f"dE_{o}/dnet_{o2}",
                    float(dnet[r]),
                    "hidden",
                    text,
                    text.replace(" * ", " \\cdot "),
                    f"how E_{o} changes with net_{o2} (through the {act.name} Jacobian)",
                    l,
                )
            )
        for j, h in enumerate(names.neurons[l]):
            terms = [f"<dE_{o}/dnet_{o2}> * <{names.weights[last][r][j]}>" for r, o2 in enumerate(outputs)]
            text = " + ".join(terms)
            tr.steps.append(
                Step(
                    f"dE_{o}/dout_{h}",
                    float(dnet @ weights[:, j]),
                    "hidden",
                    text,
                    text.replace(" * ", " \\cdot "),
                    f"how E_{o} changes with out_{h}",
                    l,
                )
            )


def _after_steps(tr: Trace, ts: np.ndarray) -> None:
    net, names = tr.updated, tr.notation
    for k, o in enumerate(names.neurons[-1]):
        tr.steps.append(
            Step(
                f"out_{o}@1",
                float(tr.after.output[0, k]),
                "after",
                "forward pass with the updated weights",
                "\\text{forward pass with the updated weights}",
                f"output of {o} after one update",
            )
        )
    fused_net = tr.after.nets[-1] if net._fused else None
    e = float(net.loss_fn.terms(tr.after.output, ts, fused_net).sum())
    tr.steps.append(
        Step(
            "E_total@1",
            e,
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
        tr.steps.append(
            Step(rename[s.name], s.value, s.section, REF.sub(renamed, s.text), REF.sub(renamed, s.latex), note, s.layer)
        )


def _combined(name: str, n: int, combine: str) -> tuple[str, str]:
    """NAME = NAME[1] + … + NAME[n] (a sum) or (NAME[1] + … + NAME[n]) / n (a mean), as text and LaTeX."""
    terms = " + ".join(f"<{name}[{k + 1}]>" for k in range(n))
    return (terms, terms) if combine == "sum" else (f"({terms}) / {n}", rf"\frac{{{terms}}}{{{n}}}")


def _batch_error_and_gradient_steps(tr: Trace, ts: np.ndarray, scale: float) -> None:
    """The batch's E_total and dE_total/dp for every weight and trained bias p: the samples' summed
    (``scale`` n) or their mean (``scale`` 1), from the engine's pass over the batch."""
    net, names, word, n = tr.network, tr.notation, tr.batch, len(ts)
    fused_net = tr.forward.nets[-1] if net._fused else None
    per_sample_e = net.loss_fn.terms(tr.forward.output, ts, fused_net).sum(axis=1)
    text, latex = _combined("E_total", n, word)
    note = f"the batch's total error (the {word} over the samples)"
    tr.steps.append(Step("E_total", float(per_sample_e.sum() / n * scale), "batch", text, latex, note))
    note = f"the {word} of the samples' gradients"
    for l, layer in enumerate(net.layers):
        for j in range(layer.n_out):
            for s_, w in enumerate(names.weights[l][j]):
                text, latex = _combined(f"dE_total/d{w}", n, word)
                value = float(tr.gradients.dW[l][j, s_] * scale)
                tr.steps.append(Step(f"dE_total/d{w}", value, "batch", text, latex, note, l))
        if layer.train_bias:
            for j, b in enumerate(dict.fromkeys(names.biases[l])):
                text, latex = _combined(f"dE_total/d{b}", n, word)
                value = float(tr.gradients.db[l][j] * scale)
                tr.steps.append(Step(f"dE_total/d{b}", value, "batch", text, latex, note, l))


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
