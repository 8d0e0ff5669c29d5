"""An independent follow-through marker, for the tests: every quantity's local formula written out again
in plain Python (no chainrule), and a sheet marked line by line the way an examiner gives credit for
error carried forward.

``formulas(spec)`` gives, for a network file's contents, each named quantity's inputs and the function
of them that the derivation writes for it (net = Σ w · out + b, out = f(net), E_k, the chain rule's
products and sums, w+ = w − η · dE/dw, ...).  ``mark(lines, spec, exact)`` walks the sheet: a line right
against the exact value is ok; one wrong there is right *by follow-through* when it equals (by the same
rule) what its formula gives from the learner's earlier lines — each input the latest earlier line's
value where the sheet has one, else recomputed the same way, down to the givens — ok when every line
behind it is right, carried otherwise (from the wrong lines behind it); else wrong.
"""

from __future__ import annotations

import math
import re

from support.published import independent_verdict


def _neurons(sizes):
    L = len(sizes) - 1
    out = []
    for l in range(L):
        if l == L - 1:
            out.append([f"o{k + 1}" for k in range(sizes[-1])])
        elif L == 2:
            out.append([f"h{k + 1}" for k in range(sizes[l + 1])])
        else:
            out.append([f"h{l + 1}_{k + 1}" for k in range(sizes[l + 1])])
    return out


def _activation(name):
    """(f of the layer's nets → outs, f' of (net, out))."""
    if name == "softmax":

        def f(nets):
            top = max(nets)
            e = [math.exp(z - top) for z in nets]
            return [v / sum(e) for v in e]

        return f, lambda z, y: y * (1 - y)
    one = {
        "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z, y: y * (1 - y)),
        "tanh": (math.tanh, lambda z, y: 1 - y * y),
        "relu": (lambda z: max(z, 0.0), lambda z, y: 1.0 if z > 0 else 0.0),
        "identity": (lambda z: z, lambda z, y: 1.0),
    }[name]
    return (lambda nets: [one[0](z) for z in nets]), one[1]


def _loss(name, m):
    """(E_k of (t, y), dE/dy of (t, y))."""
    return {
        "half_sse": (lambda t, y: 0.5 * (t - y) ** 2, lambda t, y: y - t),
        "sse": (lambda t, y: (t - y) ** 2, lambda t, y: 2 * (y - t)),
        "mse": (lambda t, y: (t - y) ** 2 / m, lambda t, y: 2 * (y - t) / m),
        "half_mse": (lambda t, y: (t - y) ** 2 / (2 * m), lambda t, y: (y - t) / m),
        "binary_cross_entropy": (
            lambda t, y: -(t * math.log(y) + (1 - t) * math.log(1 - y)),
            lambda t, y: (y - t) / (y * (1 - y)),
        ),
        "cross_entropy": (lambda t, y: -t * math.log(y), lambda t, y: -t / y),
    }[name]


def formulas(spec: dict) -> tuple[dict[str, float], dict[str, tuple[tuple[str, ...], object]]]:
    """(the givens, name → (inputs, function)) for one step of the network ``spec`` (a full batch: each
    sample's quantities as NAME[k], the batch's E_total and gradients their sum or mean, its update)."""
    return _batch_formulas(spec) if "inputs" in spec else _one_sample_formulas(spec)


def _batch_formulas(spec: dict):
    n, mean = len(spec["inputs"]), spec.get("batch", "mean") == "mean"
    givens, f = {}, {}
    for k, (x, t) in enumerate(zip(spec["inputs"], spec["targets"]), start=1):
        g1, f1 = _one_sample_formulas({**spec, "input": x, "target": t})
        shared = {name for name in g1 if not name.startswith(("i", "target_"))}
        mine = {name: name if name in shared else f"{name}[{k}]" for name in [*g1, *f1]}
        givens.update((mine[name], value) for name, value in g1.items())
        for name, (ins, fn) in f1.items():
            if not name.endswith("+"):  # the update is the batch's
                f[mine[name]] = (tuple(mine.get(i, i) for i in ins), fn)
    total = (lambda *v: sum(v) / n) if mean else (lambda *v: sum(v))
    f["E_total"] = (tuple(f"E_total[{k}]" for k in range(1, n + 1)), total)
    for p in [name for name in givens if re.fullmatch(r"w\d+|b\d+|b_\w+", name) and f"dE_total/d{name}[1]" in f]:
        f[f"dE_total/d{p}"] = (tuple(f"dE_total/d{p}[{k}]" for k in range(1, n + 1)), total)
        f[f"{p}+"] = ((p, "eta", f"dE_total/d{p}"), lambda w, e, g: w - e * g)
    return givens, f


def _one_sample_formulas(spec: dict):
    sizes = spec["layers"]
    L, neurons = len(sizes) - 1, _neurons(sizes)
    acts = spec["activation"] if isinstance(spec["activation"], list) else [spec["activation"]] * L
    loss = spec.get("loss", "half_sse")
    eta = spec.get("learning_rate", 0.5)
    train = spec.get("train_biases", True)
    train = train if isinstance(train, list) else [train] * L
    g = {"eta": eta}
    g.update({f"i{j + 1}": float(v) for j, v in enumerate(spec["input"])})
    g.update({f"target_o{j + 1}": float(v) for j, v in enumerate(spec["target"])})
    weights, k = [], 1
    for l in range(L):
        rows = []
        for row in spec["weights"][l]:
            rows.append([f"w{k + s}" for s in range(len(row))])
            g.update({f"w{k + s}": float(v) for s, v in enumerate(row)})
            k += len(row)
        weights.append(rows)
    biases = []
    for l, b in enumerate(spec.get("biases", [None] * L)):
        if b is None:
            biases.append(None)
        elif isinstance(b, list):
            biases.append([f"b_{n}" for n in neurons[l]])
            g.update({f"b_{n}": float(v) for n, v in zip(neurons[l], b)})
        else:
            biases.append([f"b{l + 1}"] * sizes[l + 1])
            g[f"b{l + 1}"] = float(b)
    f = {}
    _forward(f, sizes, neurons, acts, weights, biases)
    _errors(f, neurons, acts, loss)
    _backward(f, sizes, neurons, acts, loss, weights, biases, train)
    return g, f


def _forward(f, sizes, neurons, acts, weights, biases):
    for l, layer in enumerate(neurons):
        senders = [f"i{s + 1}" for s in range(sizes[0])] if l == 0 else [f"out_{n}" for n in neurons[l - 1]]
        fn, _ = _activation(acts[l])
        for j, n in enumerate(layer):
            ins = [x for pair in zip(weights[l][j], senders) for x in pair]
            has_b = biases[l] is not None
            ins += [biases[l][j]] if has_b else []

            def net(*v, has_b=has_b):
                total = sum(v[2 * i] * v[2 * i + 1] for i in range(len(v) // 2))
                return total + v[-1] if has_b else total

            f[f"net_{n}"] = (tuple(ins), net)
            if acts[l] == "softmax":
                f[f"out_{n}"] = (tuple(f"net_{x}" for x in layer), lambda *z, j=j, fn=fn: fn(list(z))[j])
            else:
                f[f"out_{n}"] = ((f"net_{n}",), lambda z, fn=fn: fn([z])[0])


def _errors(f, neurons, acts, loss):
    outs = neurons[-1]
    term, _ = _loss(loss, len(outs))
    fused = (loss, acts[-1]) in (("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax"))
    for k, o in enumerate(outs):
        if fused and acts[-1] == "softmax":  # −t_k · log softmax(net)_k, from the nets
            ins = tuple(f"target_{x}" for x in outs) + tuple(f"net_{x}" for x in outs)

            def e(*v, k=k):
                m = len(v) // 2
                t, z = v[:m], v[m:]
                top = max(z)
                return -t[k] * (z[k] - top - math.log(sum(math.exp(x - top) for x in z)))

            f[f"E_{o}"] = (ins, e)
        elif fused:  # binary cross-entropy from the net: max(z, 0) − t·z + log(1 + e^−|z|)
            f[f"E_{o}"] = (
                (f"target_{o}", f"net_{o}"),
                lambda t, z: max(z, 0) - t * z + math.log1p(math.exp(-abs(z))),
            )
        else:
            f[f"E_{o}"] = ((f"target_{o}", f"out_{o}"), term)
    f["E_total"] = (tuple(f"E_{o}" for o in outs), lambda *e: sum(e))


def _backward(f, sizes, neurons, acts, loss, weights, biases, train):
    L, outs = len(neurons), neurons[-1]
    _, grad = _loss(loss, len(outs))
    fused = (loss, acts[-1]) in (("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax"))
    prod = lambda *v: math.prod(v)  # noqa: E731
    _, d_out = _activation(acts[-1])
    for k, o in enumerate(outs):
        f[f"dE_total/dout_{o}"] = ((f"target_{o}", f"out_{o}"), grad)
        f[f"dout_{o}/dnet_{o}"] = ((f"net_{o}", f"out_{o}"), d_out)
        if fused:
            f[f"delta_{o}"] = ((f"out_{o}", f"target_{o}"), lambda y, t: y - t)
        elif acts[-1] == "softmax":
            ins = tuple(f"out_{x}" for x in outs) + tuple(f"dE_total/dout_{x}" for x in outs)
            f[f"delta_{o}"] = (ins, lambda *v, k=k: _softmax_delta(v, k))
        else:
            f[f"delta_{o}"] = ((f"dE_total/dout_{o}", f"dout_{o}/dnet_{o}"), prod)
    outer = "dE_total/dout_{n}" if not fused and acts[-1] != "softmax" else None
    _gradients(f, sizes, neurons, L - 1, weights, biases, train, outer)
    for l in range(L - 2, -1, -1):
        _hidden(f, neurons, acts, weights, l, fused)
        _gradients(f, sizes, neurons, l, weights, biases, train, "dE_total/dout_{n}")


def _softmax_delta(v, k):
    """delta_k = y_k (g_k − Σ_j g_j y_j) of (y_1..y_m, g_1..g_m): softmax's Jacobian applied to dE/dout."""
    m = len(v) // 2
    return v[k] * (v[m + k] - sum(v[m + j] * v[j] for j in range(m)))


def _hidden(f, neurons, acts, weights, l, fused):
    L, above, prod = len(neurons), neurons[l + 1], lambda *v: math.prod(v)  # noqa: E731
    _, d_act = _activation(acts[l])
    named = l + 1 == L - 1 and acts[-1] != "softmax"
    if named and not fused:
        for r in above:
            f[f"dE_{r}/dnet_{r}"] = ((f"dE_total/dout_{r}", f"dout_{r}/dnet_{r}"), prod)
    if l + 1 == L - 1 and acts[-1] == "softmax":
        for k, o in enumerate(above):
            for r, o2 in enumerate(above):
                f[f"dE_{o}/dnet_{o2}"] = (
                    (f"dE_total/dout_{o}", f"out_{o}", f"out_{o2}"),
                    lambda g, y, y2, same=(r == k): g * y * ((1 if same else 0) - y2),
                )
            for j, h in enumerate(neurons[l]):
                ins = [x for r, o2 in enumerate(above) for x in (f"dE_{o}/dnet_{o2}", weights[L - 1][r][j])]
                f[f"dE_{o}/dout_{h}"] = (
                    tuple(ins),
                    lambda *v: sum(v[2 * i] * v[2 * i + 1] for i in range(len(v) // 2)),
                )
    for j, h in enumerate(neurons[l]):
        if named:
            for r, o in enumerate(above):
                w = weights[l + 1][r][j]
                f[f"dnet_{o}/dout_{h}"] = ((w,), lambda v: v)
                d = f"delta_{o}" if fused else f"dE_{o}/dnet_{o}"
                f[f"dE_{o}/dout_{h}"] = ((d, f"dnet_{o}/dout_{h}"), prod)
            f[f"dE_total/dout_{h}"] = (tuple(f"dE_{o}/dout_{h}" for o in above), lambda *v: sum(v))
        else:
            ins = [x for r, o in enumerate(above) for x in (f"delta_{o}", weights[l + 1][r][j])]
            f[f"dE_total/dout_{h}"] = (tuple(ins), lambda *v: sum(v[2 * i] * v[2 * i + 1] for i in range(len(v) // 2)))
        f[f"dout_{h}/dnet_{h}"] = ((f"net_{h}", f"out_{h}"), d_act)
        f[f"delta_{h}"] = ((f"dE_total/dout_{h}", f"dout_{h}/dnet_{h}"), prod)


def _gradients(f, sizes, neurons, l, weights, biases, train, outer):
    senders = [f"i{s + 1}" for s in range(sizes[0])] if l == 0 else [f"out_{n}" for n in neurons[l - 1]]
    prod = lambda *v: math.prod(v)  # noqa: E731
    step = lambda w, eta, g: w - eta * g  # noqa: E731
    for j, n in enumerate(neurons[l]):
        for s, w in enumerate(weights[l][j]):
            f[f"dnet_{n}/d{w}"] = ((senders[s],), lambda v: v)
            ins = (outer.format(n=n), f"dout_{n}/dnet_{n}") if outer else (f"delta_{n}",)
            f[f"dE_total/d{w}"] = (ins + (f"dnet_{n}/d{w}",), prod)
            f[f"{w}+"] = ((w, "eta", f"dE_total/d{w}"), step)
    if biases[l] is not None and train[l]:
        for b in dict.fromkeys(biases[l]):
            deltas = [f"delta_{n}" for n, name in zip(neurons[l], biases[l]) if name == b]
            f[f"dE_total/d{b}"] = (tuple(deltas), lambda *v: sum(v))
            f[f"{b}+"] = ((b, "eta", f"dE_total/d{b}"), step)


# ----------------------------------------------------------------------------- marking a sheet
def mark(lines, spec: dict, exact: dict[str, float], evaluate) -> dict[int, tuple[str, tuple[int, ...]]]:
    """line → (verdict, the lines it inherits from) for ``lines`` = [(line, meaning, text)] in the sheet's
    order; ``meaning`` an expression of the seed's names (``"n/e"``: no such quantity), ``evaluate(meaning,
    values)`` its value from a dict of values (tests/support/published.py's)."""
    givens, f = formulas(spec)
    sheet: dict[str, tuple[float, frozenset]] = {}
    out = {}
    for line, meaning, text in lines:
        if meaning == "n/e":
            out[line] = ("unknown", ())
            continue
        kind = independent_verdict(text, evaluate(meaning, exact))
        sources: frozenset = frozenset()
        if kind == "wrong":
            mine = {}
            try:
                value = evaluate(meaning, _Values(mine, sheet, givens, f))
            except _NoFormula:  # after N updates, a gradient check: nothing to follow through
                value = math.nan
            sources = frozenset().union(*mine.values()) if mine else frozenset()
            if math.isfinite(value) and independent_verdict(text, value) == "ok":
                kind = "carried" if sources else "ok"
        out[line] = (kind, tuple(sorted(sources)) if kind == "carried" else ())
        name, sign = (meaning[1:], -1.0) if meaning.startswith("-") else (meaning, 1.0)
        if name in givens or name in f:
            behind = {"ok": frozenset(), "carried": sources}.get(kind, frozenset({line}))
            sheet[name] = (sign * float(text), behind)
    return out


class _Values(dict):
    """A name's value from the learner's sheet, else recomputed from its formula (each input the same
    way), else given; the sheet's lines used are collected in ``used`` (name → lines not right)."""

    def __init__(self, used, sheet, givens, f):
        super().__init__()
        self.used, self.sheet, self.givens, self.f = used, sheet, givens, f

    def __missing__(self, name):
        if name in self.sheet:
            value, behind = self.sheet[name]
            self.used[name] = behind
            return value
        if name in self.f:
            ins, fn = self.f[name]
            try:
                value = fn(*[self[i] for i in ins])
            except (ArithmeticError, ValueError):
                value = math.nan
            self[name] = value
            return value
        if name in self.givens:
            return self.givens[name]
        raise _NoFormula(name)


class _NoFormula(LookupError):
    """A name with no formula and no given value (NAME@N, numgrad(...)): no follow-through value."""
