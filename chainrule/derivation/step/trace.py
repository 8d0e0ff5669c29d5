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
    """Run one gradient-descent step of the engine on one sample and name everything it computed."""
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


def _update_steps(tr: Trace, l: int, section: str) -> None:
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
                    f"{w} after the update",
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
                    f"{b} after the update",
                    l,
                )
            )


def _backward_steps(tr: Trace) -> None:
    net, names, grads = tr.network, tr.notation, tr.gradients
    last = len(net.layers) - 1
    out_layer = net.layers[last]
    fused = net._fused
    # ---- output layer: dE_total/dout_oK, dout_oK/dnet_oK, delta_oK
    for k, o in enumerate(names.neurons[last]):
        y = f"out_{o}"
        tr.steps.append(
            Step(
                f"dE_total/dout_{o}",
                float(grads.dout[last][0, k]),
                "output",
                _fill(net.loss_fn.gradient_text, t=names.targets[k], y=y).replace("<m>", str(net.n_outputs)),
                _fill(net.loss_fn.gradient_latex, t=names.targets[k], y=y).replace("<m>", str(net.n_outputs)),
                f"how the total error changes with {y}",
                last,
            )
        )
        deriv = out_layer.activation.derivative(tr.forward.outs[-1], tr.forward.nets[-1])
        formula, remark = _remark(out_layer.activation.derivative_text)
        tr.steps.append(
            Step(
                f"dout_{o}/dnet_{o}",
                float(deriv[0, k]),
                "output",
                _fill(formula, x=f"net_{o}", y=y),
                _fill(out_layer.activation.derivative_latex, x=f"net_{o}", y=y),
                f"how {y} changes with net_{o}" + remark,
                last,
            )
        )
        if fused:
            text = f"<{y}> - <{names.targets[k]}>"
            note = f"node delta of {o} ({out_layer.activation.name} with {net.loss_fn.name}: out − target)"
        elif not out_layer.activation.elementwise:
            text = f"<{y}> * (<dE_total/dout_{o}> - sum_j dE_total/dout_oj * out_oj)"
            note = f"node delta of {o} through the softmax Jacobian"
        else:
            text = f"<dE_total/dout_{o}> * <dout_{o}/dnet_{o}>"
            note = f"node delta of {o}: dE_total/dnet_{o}"
        tr.steps.append(
            Step(
                f"delta_{o}",
                float(grads.delta[last][0, k]),
                "output",
                text,
                text.replace(" * ", " \\cdot "),
                note,
                last,
            )
        )
    _weight_gradient_steps(
        tr, last, "output", "dE_total/dout_{n}" if not fused and out_layer.activation.elementwise else None
    )
    _bias_gradient_steps(tr, last, "output")
    _update_steps(tr, last, "output")

    # ---- hidden layers, from the last back to the first
    for l in range(last - 1, -1, -1):
        layer, above = net.layers[l], net.layers[l + 1]
        receivers = names.neurons[l + 1]
        # dE_oK/dout_hJ terms exist by name when each E_oK depends on net_oK alone (the seed's case)
        per_output_terms = l + 1 == last and out_layer.activation.elementwise
        terms = grads.delta[l + 1][0][:, None] * above.weights  # [receiver, sender] = delta · w
        d = "delta_{r}"
        if per_output_terms and not fused:  # the seed's name for delta_oK in this part
            d = "dE_{r}/dnet_{r}"
            for k, r in enumerate(receivers):
                tr.steps.append(
                    Step(
                        f"dE_{r}/dnet_{r}",
                        float(grads.delta[last][0, k]),
                        "hidden",
                        f"<dE_total/dout_{r}> * <dout_{r}/dnet_{r}>",
                        f"<dE_total/dout_{r}> \\cdot <dout_{r}/dnet_{r}>",
                        f"how E_{r} changes with net_{r} (= delta_{r})",
                        l,
                    )
                )
        if l + 1 == last and not out_layer.activation.elementwise:
            _terms_through_the_jacobian(tr, l)
        for j, h in enumerate(names.neurons[l]):
            parts = []
            for k, r in enumerate(receivers):
                w = names.weights[l + 1][k][j]
                if per_output_terms:
                    tr.steps.append(
                        Step(
                            f"dnet_{r}/dout_{h}",
                            tr.givens[w],
                            "hidden",
                            f"<{w}>",
                            f"<{w}>",
                            f"how net_{r} changes with out_{h}",
                            l,
                        )
                    )
                    dr = d.format(r=r)
                    tr.steps.append(
                        Step(
                            f"dE_{r}/dout_{h}",
                            float(terms[k, j]),
                            "hidden",
                            f"<{dr}> * <dnet_{r}/dout_{h}>",
                            f"<{dr}> \\cdot <dnet_{r}/dout_{h}>",
                            f"how E_{r} changes with out_{h}",
                            l,
                        )
                    )
                    parts.append(f"<dE_{r}/dout_{h}>")
                else:
                    parts.append(f"<delta_{r}> * <{w}>")
            text = " + ".join(parts)
            tr.steps.append(
                Step(
                    f"dE_total/dout_{h}",
                    float(grads.dout[l][0, j]),
                    "hidden",
                    text,
                    text.replace(" * ", " \\cdot "),
                    f"how the total error changes with out_{h}",
                    l,
                )
            )
            deriv = layer.activation.derivative(tr.forward.outs[l + 1], tr.forward.nets[l])
            formula, remark = _remark(layer.activation.derivative_text)
            tr.steps.append(
                Step(
                    f"dout_{h}/dnet_{h}",
                    float(deriv[0, j]),
                    "hidden",
                    _fill(formula, x=f"net_{h}", y=f"out_{h}"),
                    _fill(layer.activation.derivative_latex, x=f"net_{h}", y=f"out_{h}"),
                    f"how out_{h} changes with net_{h}" + remark,
                    l,
                )
            )
            tr.steps.append(
                Step(
                    f"delta_{h}",
                    float(grads.delta[l][0, j]),
                    "hidden",
                    f"<dE_total/dout_{h}> * <dout_{h}/dnet_{h}>",
                    f"<dE_total/dout_{h}> \\cdot <dout_{h}/dnet_{h}>",
                    f"node delta of {h}",
                    l,
                )
            )
        _weight_gradient_steps(tr, l, "hidden", "dE_total/dout_{n}")
        _bias_gradient_steps(tr, l, "hidden")
        _update_steps(tr, l, "hidden")


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
SECTIONS["batch"] = "The batch: the samples' errors and gradients combined, and the update"


def trace_batch(network: Network, x, target, learning_rate: float, combine: str = "mean") -> Trace:
    """One full-batch step on every sample: each sample's quantities named ``NAME[k]`` (its own trace),
    then the batch's E_total (the samples' E_total summed, or their mean), its gradients and the
    update, from the engine's pass over the whole batch (whose gradient is the mean; × n for a sum)."""
    if combine not in ("sum", "mean"):
        raise ConfigError(f'a batch combines its samples by "sum" or "mean", not {combine!r}')
    learning_rate = CONSTRAINTS["learning_rate"](learning_rate)
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    n = len(xs)
    scale = float(n) if combine == "sum" else 1.0
    fwd = network.forward(xs)
    grads = network.backward(fwd, ts)  # the mean over the samples
    updated = network.copy()
    updated.apply_gradients(grads, learning_rate * scale)
    after = updated.forward(xs)
    names = Notation(network)
    tr = Trace(network, updated, float(learning_rate), names, fwd, grads, after)
    tr.batch = combine
    shared = set()
    for k in range(n):
        one = trace_step(network, xs[k : k + 1], ts[k : k + 1], learning_rate)
        per_sample = set(names.inputs) | set(names.targets)
        shared = set(one.givens) - per_sample
        rename = {
            name: f"{name}[{k + 1}]" for name in [*one.givens, *(s.name for s in one.steps)] if name not in shared
        }

        def renamed(m, rename=rename):  # <name> → <name[k]>
            return f"<{rename.get(m.group(1), m.group(1))}>"

        for name, value in one.givens.items():
            tr.givens[rename.get(name, name)] = value
        for s in one.steps:
            if s.section == "after" or s.name.endswith("+"):
                continue  # the update is the batch's
            text = REF.sub(renamed, s.text)
            latex = REF.sub(renamed, s.latex)
            tr.steps.append(
                Step(
                    rename[s.name],
                    s.value,
                    s.section,
                    text,
                    latex,
                    f"{s.note}, sample {k + 1}" if s.note else f"sample {k + 1}",
                    s.layer,
                )
            )
    word = "sum" if combine == "sum" else "mean"

    def combined(name: str) -> tuple[str, str]:
        terms = " + ".join(f"<{name}[{k + 1}]>" for k in range(n))
        return (terms, terms) if combine == "sum" else (f"({terms}) / {n}", rf"\frac{{{terms}}}{{{n}}}")

    fused_net = fwd.nets[-1] if network._fused else None
    per_sample_e = network.loss_fn.terms(fwd.output, ts, fused_net).sum(axis=1)
    text, latex = combined("E_total")
    tr.steps.append(
        Step(
            "E_total",
            float(per_sample_e.sum() / n * scale),
            "batch",
            text,
            latex,
            f"the batch's total error (the {word} over the samples)",
        )
    )
    for l, layer in enumerate(network.layers):
        for j in range(layer.n_out):
            for s_, w in enumerate(names.weights[l][j]):
                text, latex = combined(f"dE_total/d{w}")
                tr.steps.append(
                    Step(
                        f"dE_total/d{w}",
                        float(grads.dW[l][j, s_] * scale),
                        "batch",
                        text,
                        latex,
                        f"the {word} of the samples' gradients",
                        l,
                    )
                )
        if layer.train_bias:
            for j, b in enumerate(dict.fromkeys(names.biases[l])):
                text, latex = combined(f"dE_total/d{b}")
                tr.steps.append(
                    Step(
                        f"dE_total/d{b}",
                        float(grads.db[l][j] * scale),
                        "batch",
                        text,
                        latex,
                        f"the {word} of the samples' gradients",
                        l,
                    )
                )
    for l, layer in enumerate(network.layers):
        new = updated.layers[l].weights.tolist()
        for j in range(layer.n_out):
            for s_, w in enumerate(names.weights[l][j]):
                tr.steps.append(
                    Step(
                        f"{w}+",
                        new[j][s_],
                        "batch",
                        f"<{w}> - <eta> * <dE_total/d{w}>",
                        f"<{w}> - <eta> \\cdot <dE_total/d{w}>",
                        f"{w} after the batch's update",
                        l,
                    )
                )
        if layer.train_bias:
            for j, b in enumerate(dict.fromkeys(names.biases[l])):
                tr.steps.append(
                    Step(
                        f"{b}+",
                        float(updated.layers[l].bias[j]),
                        "batch",
                        f"<{b}> - <eta> * <dE_total/d{b}>",
                        f"<{b}> - <eta> \\cdot <dE_total/d{b}>",
                        f"{b} after the batch's update",
                        l,
                    )
                )
    fused_after = after.nets[-1] if network._fused else None
    e_after = network.loss_fn.terms(after.output, ts, fused_after).sum(axis=1)
    for k in range(n):
        for q, o in enumerate(names.neurons[-1]):
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
            f"the batch's total error after the update ({word})",
        )
    )
    return tr
