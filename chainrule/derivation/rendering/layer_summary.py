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
    net, names, fwd, g = tr.network, tr.notation, tr.forward, tr.gradients
    lines: list[Line] = []
    last = len(net.layers) - 1

    def vec(section, name, lname, formula, lformula, v, note, layer):
        lines.append(
            Line(section, name, [name, formula, vector_text(v)], [lname, lformula, vector_latex(v)], note, layer)
        )

    def mat(section, name, lname, formula, lformula, m, note, layer):
        lines.append(
            Line(section, name, [name, formula, matrix_text(m)], [lname, lformula, matrix_latex(m)], note, layer)
        )

    groups = [_group(n) for n in names.neurons]
    prev_group = ["i"] + groups[:-1]
    for l, layer in enumerate(net.layers):
        gname, pname, act = groups[l], prev_group[l], layer.activation
        p_text = "i" if l == 0 else f"out_{pname}"
        p_latex = r"\mathbf{i}" if l == 0 else rf"\mathbf{{out}}_{{{pname}}}"
        bias = _bias_text(tr, l)
        formula = f"W{l + 1} · {p_text}" + (f" + {bias[0]}" if bias else "")
        lformula = rf"W_{{{l + 1}}} {p_latex}" + (f" + {bias[1]}" if bias else "")
        ws = names.weights[l]
        vec(
            "forward",
            f"net_{gname}",
            rf"\mathbf{{net}}_{{{gname}}}",
            formula,
            lformula,
            fwd.nets[l][0],
            f"net inputs of {_span(names.neurons[l])}; W{l + 1} holds {ws[0][0]}..{ws[-1][-1]} "
            f"({layer.n_out} rows, one per receiving neuron, x {layer.n_in} columns)",
            l,
        )
        vec(
            "forward",
            f"out_{gname}",
            rf"\mathbf{{out}}_{{{gname}}}",
            f"{act.name}(net_{gname})",
            rf"\text{{{act.name}}}(\mathbf{{net}}_{{{gname}}})",
            fwd.outs[l + 1][0],
            f"outputs of {_span(names.neurons[l])}",
            l,
        )

    for s in tr.steps:
        if s.name == "E_total":
            lines.append(
                Line(
                    "error",
                    "E_total",
                    ["E_total", f"sum of E_o1..E_o{net.n_outputs} ({net.loss_fn.name})", fmt(s.value)],
                    ["E_{total}", r"\sum_k E_{o_k}", fmt(s.value)],
                    "total error",
                )
            )

    for l in range(last, -1, -1):
        section = "output" if l == last else "hidden"
        gname, pname = groups[l], prev_group[l]
        layer = net.layers[l]
        if l == last and not net._fused:
            vec(
                section,
                f"dE_total/dout_{gname}",
                rf"\frac{{\partial E_{{total}}}}{{\partial \mathbf{{out}}_{{{gname}}}}}",
                _loss_gradient(net.loss_fn.gradient_text, net.n_outputs, "target", "out_o"),
                _loss_gradient(net.loss_fn.gradient_latex, net.n_outputs, r"\mathbf{target}", r"\mathbf{out}_{o}"),
                g.dout[l][0],
                "how the total error changes with each output",
                l,
            )
        if l == last:
            how = "out_o - target" if net._fused else f"dE_total/dout_{gname} ⊙ {layer.activation.name}'(net_{gname})"
            lhow = r"\mathbf{out}_{o} - \mathbf{target}" if net._fused else _chain_latex(gname, layer.activation.name)
            if not net._fused and not layer.activation.elementwise:
                how = f"out_{gname} ⊙ (dE_total/dout_{gname} - (dE_total/dout_{gname} · out_{gname}))"
                lhow = rf"\mathbf{{out}}_{{{gname}}} \odot \left(g - g \cdot \mathbf{{out}}_{{{gname}}}\right)"
        else:
            above = groups[l + 1]
            vec(
                section,
                f"dE_total/dout_{gname}",
                rf"\frac{{\partial E_{{total}}}}{{\partial \mathbf{{out}}_{{{gname}}}}}",
                f"W{l + 2}ᵀ · delta_{above}",
                rf"W_{{{l + 2}}}^\top \delta_{{{above}}}",
                g.dout[l][0],
                f"how the total error changes with out_{_span(names.neurons[l])}",
                l,
            )
            how = f"dE_total/dout_{gname} ⊙ {layer.activation.name}'(net_{gname})"
            lhow = _chain_latex(gname, layer.activation.name)
        vec(
            section,
            f"delta_{gname}",
            rf"\delta_{{{gname}}}",
            how,
            lhow,
            g.delta[l][0],
            f"node deltas of {_span(names.neurons[l])}",
            l,
        )
        p_text = "i" if l == 0 else f"out_{pname}"
        p_latex = r"\mathbf{i}" if l == 0 else rf"\mathbf{{out}}_{{{pname}}}"
        ws = names.weights[l]
        mat(
            section,
            f"dE_total/dW{l + 1}",
            rf"\frac{{\partial E_{{total}}}}{{\partial W_{{{l + 1}}}}}",
            f"delta_{gname} · {p_text}ᵀ",
            rf"\delta_{{{gname}}} {p_latex}^\top",
            g.dW[l],
            f"gradients of {ws[0][0]}..{ws[-1][-1]}; entry (r, s) = delta of receiver r · output of sender s",
            l,
        )
        mat(
            section,
            f"W{l + 1}+",
            rf"W_{{{l + 1}}}^{{+}}",
            f"W{l + 1} - eta * dE_total/dW{l + 1}",
            rf"W_{{{l + 1}}} - \eta \frac{{\partial E_{{total}}}}{{\partial W_{{{l + 1}}}}}",
            tr.updated.layers[l].weights,
            f"{ws[0][0]}+..{ws[-1][-1]}+",
            l,
        )
        if layer.train_bias:
            b = "b" + str(l + 1) if layer.bias_mode == "shared" else f"b_{gname}"
            vec(
                section,
                f"{b}+",
                f"{b}^{{+}}",
                f"{b} - eta * dE_total/d{b}",
                rf"{b} - \eta \frac{{\partial E_{{total}}}}{{\partial {b}}}",
                np.atleast_1d(tr.updated.layers[l].bias),
                f"bias{'es' if layer.bias_mode != 'shared' else ''} of layer {l + 1} after the update",
                l,
            )

    out_after = tr.after.output[0]
    vec(
        "after",
        "out_o@1",
        r"\mathbf{out}_{o}^{(1)}",
        "forward pass with the updated weights",
        r"\text{forward pass with the updated weights}",
        out_after,
        "outputs after one update",
        None,
    )
    e1 = tr.step("E_total@1").value
    lines.append(
        Line(
            "after",
            "E_total@1",
            ["E_total@1", fmt(e1)],
            ["E_{total}^{(1)}", fmt(e1)],
            "total error after one update",
            None,
            True,
        )
    )
    return lines


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


def _chain_latex(gname: str, activation: str) -> str:
    """∂E_total/∂out_l ⊙ f'(net_l) in LaTeX, for the layer named ``gname``."""
    dE_dout = rf"\frac{{\partial E_{{total}}}}{{\partial \mathbf{{out}}_{{{gname}}}}}"
    return rf"{dE_dout} \odot \text{{{activation}}}'(\mathbf{{net}}_{{{gname}}})"
