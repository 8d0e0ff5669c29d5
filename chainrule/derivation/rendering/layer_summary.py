"""A large network's step, layer by layer: the same equations on vectors and matrices.

Printing a million scalars helps nobody; these lines show each layer's quantities as a vector
or matrix (first and last entries), with the equation they satisfy.  The arrays are the trace's
own (what the engine computed); only their written form is shortened.
"""

from __future__ import annotations

import numpy as np

from ..step.trace import Trace
from .equation_lines import Line
from .number_format import fmt

HEAD, TAIL = 3, 2  # entries shown at each end of a long vector


def _ends(n: int) -> tuple[list[int], bool]:
    if n <= HEAD + TAIL + 1:
        return list(range(n)), False
    return list(range(HEAD)) + list(range(n - TAIL, n)), True


def vector_text(v: np.ndarray) -> str:
    idx, cut = _ends(len(v))
    items = [fmt(float(v[i])) for i in idx]
    if cut:
        items.insert(HEAD, "...")
    return "[" + ", ".join(items) + "]"


def vector_latex(v: np.ndarray) -> str:
    idx, cut = _ends(len(v))
    items = [fmt(float(v[i])) for i in idx]
    if cut:
        items.insert(HEAD, r"\ldots")
    return r"\begin{bmatrix} " + " & ".join(items) + r" \end{bmatrix}"


def matrix_text(m: np.ndarray) -> str:
    """First two rows and the last, each with its first two entries and the last."""

    def ends(n):
        return (list(range(n)), False) if n <= 4 else ([0, 1, n - 1], True)

    rows, rcut = ends(m.shape[0])
    cols, ccut = ends(m.shape[1])
    out = []
    for r in rows:
        items = [fmt(float(m[r, c])) for c in cols]
        if ccut:
            items.insert(2, "...")
        out.append("[" + ", ".join(items) + "]")
    if rcut:
        out.insert(2, "...")
    return f"{m.shape[0]}x{m.shape[1]} [" + ", ".join(out) + "]"


def matrix_latex(m: np.ndarray) -> str:
    rows, rcut = _ends(m.shape[0])
    cols, ccut = _ends(m.shape[1])
    lines = []
    for r in rows:
        items = [fmt(float(m[r, c])) for c in cols]
        if ccut:
            items.insert(HEAD, r"\cdots")
        lines.append(" & ".join(items))
    if rcut:
        dots = [r"\vdots"] * len(cols)
        if ccut:
            dots.insert(HEAD, r"\ddots")
        lines.insert(HEAD, " & ".join(dots))
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"


def _group(names: list[str]) -> str:
    """``h`` for h1..hk, ``h2`` for h2_1..h2_k, ``o`` for the outputs, ``i`` for the inputs."""
    first = names[0]
    return first.rsplit("_", 1)[0] if "_" in first else first.rstrip("0123456789")


def _span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"


def summary_lines(tr: Trace) -> list[Line]:
    """The step layer by layer: the forward pass, the error, each layer's backward pass from the
    output layer down (its gradients and update), and the values after the update."""
    groups = [_group(n) for n in tr.notation.neurons]
    n_layers = len(tr.network.layers)
    lines = [line for l in range(n_layers) for line in _forward_lines(tr, l, groups)]
    lines += _error_lines(tr)
    for l in range(n_layers - 1, -1, -1):
        lines += _backward_lines(tr, l, groups)
    return lines + _after_lines(tr)


def _vector_line(section, name, lname, formula, lformula, v, note, layer) -> Line:
    """``name = formula = [v1, v2, ...]`` with its LaTeX, the vector shortened at its ends."""
    return Line(section, name, [name, formula, vector_text(v)], [lname, lformula, vector_latex(v)], note, layer)


def _matrix_line(section, name, lname, formula, lformula, m, note, layer) -> Line:
    """``name = formula = RxC [[...], ...]`` with its LaTeX, the matrix shortened at its ends."""
    return Line(section, name, [name, formula, matrix_text(m)], [lname, lformula, matrix_latex(m)], note, layer)


def _senders(l: int, groups: list[str]) -> tuple[str, str]:
    """What feeds layer l, as text and LaTeX: the inputs ``i`` or the layer below's ``out_h``."""
    if l == 0:
        return "i", r"\mathbf{i}"
    return f"out_{groups[l - 1]}", rf"\mathbf{{out}}_{{{groups[l - 1]}}}"


def _forward_lines(tr: Trace, l: int, groups: list[str]) -> list[Line]:
    """net_l = W_l · out_(l−1) + b_l and out_l = f(net_l)."""
    layer, names, fwd = tr.network.layers[l], tr.notation, tr.forward
    gname, act = groups[l], layer.activation
    p_text, p_latex = _senders(l, groups)
    bias = _bias_text(tr, l)
    formula = f"W{l + 1} · {p_text}" + (f" + {bias[0]}" if bias else "")
    lformula = rf"W_{{{l + 1}}} {p_latex}" + (f" + {bias[1]}" if bias else "")
    ws, span = names.weights[l], _span(names.neurons[l])
    note = (
        f"net inputs of {span}; W{l + 1} holds {ws[0][0]}..{ws[-1][-1]} "
        f"({layer.n_out} rows, one per receiving neuron, x {layer.n_in} columns)"
    )
    net_latex = rf"\mathbf{{net}}_{{{gname}}}"
    return [
        _vector_line("forward", f"net_{gname}", net_latex, formula, lformula, fwd.nets[l][0], note, l),
        _vector_line(
            "forward",
            f"out_{gname}",
            rf"\mathbf{{out}}_{{{gname}}}",
            f"{act.name}(net_{gname})",
            rf"\text{{{act.name}}}({net_latex})",
            fwd.outs[l + 1][0],
            f"outputs of {span}",
            l,
        ),
    ]


def _error_lines(tr: Trace) -> list[Line]:
    """E_total = Σ_k E_ok."""
    net = tr.network
    return [
        Line(
            "error",
            "E_total",
            ["E_total", f"sum of E_o1..E_o{net.n_outputs} ({net.loss_fn.name})", fmt(s.value)],
            ["E_{total}", r"\sum_k E_{o_k}", fmt(s.value)],
            "total error",
        )
        for s in tr.steps
        if s.name == "E_total"
    ]


def _backward_lines(tr: Trace, l: int, groups: list[str]) -> list[Line]:
    """Layer l's backward pass: dE_total/dout_l (the loss's gradient, or W_(l+1)ᵀ · delta_(l+1)),
    delta_l, then its gradients and update."""
    net, names, g = tr.network, tr.notation, tr.gradients
    last = len(net.layers) - 1
    section = "output" if l == last else "hidden"
    gname, lines = groups[l], []
    if l == last and not net._fused:
        lines.append(
            _vector_line(
                section,
                f"dE_total/dout_{gname}",
                _dE_dout_latex(gname),
                _loss_gradient(net.loss_fn.gradient_text, net.n_outputs, "target", "out_o"),
                _loss_gradient(net.loss_fn.gradient_latex, net.n_outputs, r"\mathbf{target}", r"\mathbf{out}_{o}"),
                g.dout[l][0],
                "how the total error changes with each output",
                l,
            )
        )
    elif l < last:
        above = groups[l + 1]
        lines.append(
            _vector_line(
                section,
                f"dE_total/dout_{gname}",
                _dE_dout_latex(gname),
                f"W{l + 2}ᵀ · delta_{above}",
                rf"W_{{{l + 2}}}^\top \delta_{{{above}}}",
                g.dout[l][0],
                f"how the total error changes with out_{_span(names.neurons[l])}",
                l,
            )
        )
    how, lhow = _delta_formula(tr, l, gname)
    note = f"node deltas of {_span(names.neurons[l])}"
    lines.append(_vector_line(section, f"delta_{gname}", rf"\delta_{{{gname}}}", how, lhow, g.delta[l][0], note, l))
    return lines + _gradient_and_update_lines(tr, l, groups, section)


def _delta_formula(tr: Trace, l: int, gname: str) -> tuple[str, str]:
    """delta_l as text and LaTeX: out − target (an output fused with its loss), through the softmax
    Jacobian, or dE_total/dout_l ⊙ f'(net_l)."""
    net, act = tr.network, tr.network.layers[l].activation
    last = len(net.layers) - 1
    if l == last and net._fused:
        return "out_o - target", r"\mathbf{out}_{o} - \mathbf{target}"
    if l == last and not act.elementwise:
        return (
            f"out_{gname} ⊙ (dE_total/dout_{gname} - (dE_total/dout_{gname} · out_{gname}))",
            rf"\mathbf{{out}}_{{{gname}}} \odot \left(g - g \cdot \mathbf{{out}}_{{{gname}}}\right)",
        )
    return f"dE_total/dout_{gname} ⊙ {act.name}'(net_{gname})", _chain_latex(gname, act.name)


def _gradient_and_update_lines(tr: Trace, l: int, groups: list[str], section: str) -> list[Line]:
    """dE_total/dW_l = delta_l · out_(l−1)ᵀ, W_l+ = W_l − η dE_total/dW_l, and b_l+ likewise."""
    layer, gname, ws = tr.network.layers[l], groups[l], tr.notation.weights[l]
    p_text, p_latex = _senders(l, groups)
    dW_latex = rf"\frac{{\partial E_{{total}}}}{{\partial W_{{{l + 1}}}}}"
    lines = [
        _matrix_line(
            section,
            f"dE_total/dW{l + 1}",
            dW_latex,
            f"delta_{gname} · {p_text}ᵀ",
            rf"\delta_{{{gname}}} {p_latex}^\top",
            tr.gradients.dW[l],
            f"gradients of {ws[0][0]}..{ws[-1][-1]}; entry (r, s) = delta of receiver r · output of sender s",
            l,
        ),
        _matrix_line(
            section,
            f"W{l + 1}+",
            rf"W_{{{l + 1}}}^{{+}}",
            f"W{l + 1} - eta * dE_total/dW{l + 1}",
            rf"W_{{{l + 1}}} - \eta {dW_latex}",
            tr.updated.layers[l].weights,
            f"{ws[0][0]}+..{ws[-1][-1]}+",
            l,
        ),
    ]
    if layer.train_bias:
        b = "b" + str(l + 1) if layer.bias_mode == "shared" else f"b_{gname}"
        lines.append(
            _vector_line(
                section,
                f"{b}+",
                f"{b}^{{+}}",
                f"{b} - eta * dE_total/d{b}",
                rf"{b} - \eta \frac{{\partial E_{{total}}}}{{\partial {b}}}",
                np.atleast_1d(tr.updated.layers[l].bias),
                f"bias{'es' if layer.bias_mode != 'shared' else ''} of layer {l + 1} after the update",
                l,
            )
        )
    return lines


def _after_lines(tr: Trace) -> list[Line]:
    """The outputs and E_total after one update."""
    e1 = tr.step("E_total@1").value
    return [
        _vector_line(
            "after",
            "out_o@1",
            r"\mathbf{out}_{o}^{(1)}",
            "forward pass with the updated weights",
            r"\text{forward pass with the updated weights}",
            tr.after.output[0],
            "outputs after one update",
            None,
        ),
        Line(
            "after",
            "E_total@1",
            ["E_total@1", fmt(e1)],
            ["E_{total}^{(1)}", fmt(e1)],
            "total error after one update",
            None,
            True,
        ),
    ]


def _bias_text(tr: Trace, l: int):
    layer = tr.network.layers[l]
    if layer.bias_mode == "none":
        return None
    if layer.bias_mode == "shared":
        return f"b{l + 1}", f"b_{{{l + 1}}}"
    g = _group(tr.notation.neurons[l])
    return f"b_{g}", rf"\mathbf{{b}}_{{{g}}}"


def _loss_gradient(template: str, m: int, target: str, out: str) -> str:
    """The loss's dE/dout written for the whole output vector (``-(target - out_o)``)."""
    return template.replace("<t>", target).replace("<y>", out).replace("<m>", str(m))


def _dE_dout_latex(gname: str) -> str:
    """∂E_total/∂out_l in LaTeX, for the layer named ``gname``."""
    return rf"\frac{{\partial E_{{total}}}}{{\partial \mathbf{{out}}_{{{gname}}}}}"


def _chain_latex(gname: str, activation: str) -> str:
    """∂E_total/∂out_l ⊙ f'(net_l) in LaTeX, for the layer named ``gname``."""
    return rf"{_dE_dout_latex(gname)} \odot \text{{{activation}}}'(\mathbf{{net}}_{{{gname}}})"
