"""Published worked examples (tests/support/published_examples/): their files, an independent PyTorch float64
oracle for every quantity they print, and the grading rule written out again, independently.

Each example is ``NAME.json`` (the source's address or citation, the notation it writes in, and the
network it works on, as a network file's contents) and ``NAME.txt`` (every number the source
prints, in its own names, one ``name = value`` per line).  A trailing ``# meaning`` on a line is
what that name means in the seed's names — written by hand while transcribing, so the test can
check that ``chainrule check`` reads the name the same way; ``# n/e`` marks a number whose name
says something no named quantity is (it must be refused as unknown, never judged).
"""

from __future__ import annotations

import json
import math
import pathlib
import re
from decimal import Decimal
from fractions import Fraction

import torch

DATA = pathlib.Path(__file__).resolve().parent / "published_examples"


def names() -> list[str]:
    return sorted(p.stem for p in DATA.glob("*.json"))


def load(name: str) -> tuple[dict, str]:
    return json.loads((DATA / f"{name}.json").read_text()), (DATA / f"{name}.txt").read_text()


def meanings(sheet: str) -> dict[int, str]:
    """Line number → the hand-written meaning after ``#`` (only lines with a value)."""
    out = {}
    for number, raw in enumerate(sheet.splitlines(), start=1):
        body, _, comment = raw.partition("#")
        if "=" in body and comment.strip():
            out[number] = comment.strip()
    return out


# ----------------------------------------------------------------------------- the rule, again
def independent_verdict(text: str, exact: float) -> str:
    """The marking rule written out again, in exact rational arithmetic (fractions, not decimal).

    With u = 10^(exponent of the last digit written) and n = |exact| / u: a value of at least two
    significant digits is right when |written/u − s·c| ≤ 1 for c one of n rounded half up, n rounded
    half to even, n truncated (s the sign of exact); from 16 digits on also within 1e-15 · |exact|.
    Fewer digits: right only when (up to float64 rounding) exact, else too few digits to judge."""
    d = Decimal(text.strip())
    written, x = Fraction(d), Fraction(exact)
    if written == x:
        return "ok"
    sign, digits, exponent = d.as_tuple()
    if len("".join(map(str, digits)).lstrip("0")) < 2:
        exact_up_to_float64 = abs(written - x) <= Fraction(1, 10**12) * max(1, abs(x))
        return "ok" if exact_up_to_float64 else "too_few_digits"
    if len("".join(map(str, digits)).lstrip("0")) >= 16 and abs(written - x) <= Fraction(1, 10**15) * abs(x):
        return "ok"
    u = Fraction(10) ** exponent
    n = abs(x) / u
    floor = n.numerator // n.denominator
    rest = n - floor
    half_up = floor + (1 if rest >= Fraction(1, 2) else 0)
    half_even = floor + (1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2) else 0)
    s = -1 if x < 0 else 1
    return "ok" if any(abs(written / u - s * c) <= 1 for c in (half_up, half_even, floor)) else "wrong"


# ----------------------------------------------------------------------------- the oracle
def _act(name, z):
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "identity": lambda v: v,
        "softmax": lambda v: torch.softmax(v, dim=0),
    }[name](z)


def _loss_terms(name, out, t):
    if name == "half_sse":
        return 0.5 * (t - out) ** 2
    if name == "sse":
        return (t - out) ** 2
    if name == "mse":
        return (t - out) ** 2 / out.numel()
    if name == "cross_entropy":
        return -t * torch.log(out)
    if name == "binary_cross_entropy":
        return -(t * torch.log(out) + (1 - t) * torch.log(1 - out))
    raise ValueError(name)


def oracle(spec: dict) -> dict[str, float]:
    """Every quantity of one step, by the seed's names, with PyTorch float64 autograd: one sample's, or a
    full batch's (``"batch": "sum"`` or ``"mean"``): each sample's quantities as NAME[k], the batch's
    E_total and gradients as their sum or mean, and the update."""
    return _batch_oracle(spec) if "inputs" in spec else _one_sample_oracle(spec)


def _one_sample_oracle(spec: dict) -> dict[str, float]:
    sizes = spec["layers"]
    L = len(sizes) - 1
    acts = spec["activation"] if isinstance(spec["activation"], list) else [spec["activation"]] * L
    loss = spec.get("loss", "half_sse")
    eta = spec.get("learning_rate", 0.5)
    x = torch.tensor(spec["input"], dtype=torch.float64)
    t = torch.tensor(spec["target"], dtype=torch.float64)
    neurons = [
        [f"o{k + 1}" for k in range(sizes[-1])]
        if l == L - 1
        else [f"h{j + 1}" for j in range(sizes[l + 1])]
        if L == 2
        else [f"h{l + 1}_{j + 1}" for j in range(sizes[l + 1])]
        for l in range(L)
    ]
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in spec["weights"]]
    biases = spec.get("biases", [None] * L)
    train_b = spec.get("train_biases", True)
    train_b = train_b if isinstance(train_b, list) else [train_b] * L
    B, bnames = [], []
    for l, b in enumerate(biases):
        if b is None:
            B.append(None)
            bnames.append(None)
        elif isinstance(b, list):
            B.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
            bnames.append([f"b_{n}" for n in neurons[l]])
        else:
            B.append(torch.tensor([float(b)], dtype=torch.float64, requires_grad=True))
            bnames.append([f"b{l + 1}"])
    wnames, k = [], 1
    for l in range(L):
        rows = []
        for _ in range(sizes[l + 1]):
            rows.append([f"w{k + s}" for s in range(sizes[l])])
            k += sizes[l]
        wnames.append(rows)

    def forward(W, B):
        outs, nets = [x], []
        for l in range(L):
            z = W[l] @ outs[-1]
            if B[l] is not None:
                z = z + (B[l] if B[l].numel() == sizes[l + 1] else B[l].expand(sizes[l + 1]))
            z.retain_grad() if z.requires_grad else None
            nets.append(z)
            a = _act(acts[l], z)
            a.retain_grad() if a.requires_grad else None
            outs.append(a)
        return nets, outs

    v: dict[str, float] = {"eta": eta}
    for j, xi in enumerate(spec["input"]):
        v[f"i{j + 1}"] = float(xi)
    for j, tj in enumerate(spec["target"]):
        v[f"target_o{j + 1}"] = float(tj)
    nets, outs = forward(W, B)
    terms = _loss_terms(loss, outs[-1], t)
    E = terms.sum()
    E.backward()
    for l in range(L):
        for j, n in enumerate(neurons[l]):
            v[f"net_{n}"] = nets[l][j].item()
            v[f"out_{n}"] = outs[l + 1][j].item()
            v[f"delta_{n}"] = nets[l].grad[j].item()
            v[f"dE_total/dout_{n}"] = outs[l + 1].grad[j].item()
            if acts[l] != "softmax":
                v[f"dout_{n}/dnet_{n}"] = (
                    v[f"delta_{n}"] / v[f"dE_total/dout_{n}"] if v[f"dE_total/dout_{n}"] else math.nan
                )
            senders = [f"i{s + 1}" for s in range(sizes[0])] if l == 0 else [f"out_{m}" for m in neurons[l - 1]]
            for s, w in enumerate(wnames[l][j]):
                v[w] = W[l][j, s].item()
                v[f"dE_total/d{w}"] = W[l].grad[j, s].item()
                v[f"dnet_{n}/d{w}"] = v[senders[s]] if senders[s] in v else outs[l][s].item()
                v[f"{w}+"] = v[w] - eta * v[f"dE_total/d{w}"]
        if B[l] is not None:
            for j, b in enumerate(bnames[l]):
                v[b] = B[l][j].item()
                if train_b[l]:
                    v[f"dE_total/d{b}"] = B[l].grad[j].item()
                    v[f"{b}+"] = v[b] - eta * v[f"dE_total/d{b}"]
    for k, o in enumerate(neurons[-1]):
        v[f"E_{o}"] = terms[k].item()
    v["E_total"] = E.item()
    # after one update, with the same rule
    with torch.no_grad():
        W1 = [w - eta * w.grad for w in W]
        B1 = [None if b is None else (b - eta * b.grad if train_b[l] else b) for l, b in enumerate(B)]
        nets1, outs1 = forward(W1, B1)
        terms1 = _loss_terms(loss, outs1[-1], t)
    for l in range(L):
        for j, n in enumerate(neurons[l]):
            v[f"net_{n}@1"] = nets1[l][j].item()
            v[f"out_{n}@1"] = outs1[l + 1][j].item()
    for k, o in enumerate(neurons[-1]):
        v[f"E_{o}@1"] = terms1[k].item()
    v["E_total@1"] = terms1.sum().item()
    return v


def _batch_oracle(spec: dict) -> dict[str, float]:
    n, mean = len(spec["inputs"]), spec.get("batch", "mean") == "mean"
    per = [_one_sample_oracle({**spec, "input": x, "target": t}) for x, t in zip(spec["inputs"], spec["targets"])]
    shared = {name for name in per[0] if re.fullmatch(r"w\d+|b\d+|b_\w+|eta", name)}
    v = {name: per[0][name] for name in shared}
    for k, values in enumerate(per, start=1):
        v.update(
            (f"{name}[{k}]", value)
            for name, value in values.items()
            if name not in shared and "@" not in name and not name.endswith("+")
        )
    for name in ["E_total"] + [f"dE_total/d{p}" for p in shared if p != "eta" and f"dE_total/d{p}" in per[0]]:
        total = sum(values[name] for values in per)
        v[name] = total / n if mean else total
    for p in shared - {"eta"}:
        if f"dE_total/d{p}" in v:
            v[f"{p}+"] = v[p] - v["eta"] * v[f"dE_total/d{p}"]
    return v


def after(spec: dict, iterations: int) -> dict[str, float]:
    """NAME@N: every quantity of the step that starts after N updates — online on the one sample, or N
    full-batch steps (the sum or the mean of the samples' losses) — trained with PyTorch float64."""
    samples = spec["inputs"] if "inputs" in spec else [spec["input"]]
    targets = spec["targets"] if "inputs" in spec else [spec["target"]]
    L, eta = len(spec["layers"]) - 1, spec.get("learning_rate", 0.5)
    acts = spec["activation"] if isinstance(spec["activation"], list) else [spec["activation"]] * L
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in spec["weights"]]
    train_b = spec.get("train_biases", True)
    train_b = train_b if isinstance(train_b, list) else [train_b] * L
    B = [
        None
        if b is None
        else torch.tensor(b if isinstance(b, list) else [float(b)], dtype=torch.float64, requires_grad=True)
        for b in spec.get("biases", [None] * L)
    ]
    X, T = torch.tensor(samples, dtype=torch.float64), torch.tensor(targets, dtype=torch.float64)
    for _ in range(iterations):
        out = X
        for l in range(L):
            z = out @ W[l].T + (0 if B[l] is None else B[l])
            out = torch.softmax(z, dim=1) if acts[l] == "softmax" else _act(acts[l], z)
        per_sample = _loss_terms(spec.get("loss", "half_sse"), out, T).sum(dim=1)
        E = per_sample.mean() if spec.get("batch", "mean") == "mean" or len(samples) == 1 else per_sample.sum()
        grads = torch.autograd.grad(E, [w for w in W] + [b for l, b in enumerate(B) if b is not None and train_b[l]])
        with torch.no_grad():
            for p, g in zip([w for w in W] + [b for l, b in enumerate(B) if b is not None and train_b[l]], grads):
                p -= eta * g
    trained = {**spec, "weights": [w.detach().tolist() for w in W]}
    if "biases" in spec:
        trained["biases"] = [
            None if b is None else (b.detach().tolist() if isinstance(spec["biases"][l], list) else b.item())
            for l, b in enumerate(B)
        ]
    return {f"{name}@{iterations}": value for name, value in oracle(trained).items()}


def gradient_check(spec: dict, kind: str, parameter: str, eps: float) -> float:
    """numgrad(p, ε) = (E_total(p + ε) − E_total(p − ε)) / 2ε, or relerr(p, ε) = |g − n| / (|g| + |n|), with the
    parameter found in the network file's weights (seed numbering) or biases."""

    def total(delta):
        changed = json.loads(json.dumps(spec))
        m = re.fullmatch(r"w(\d+)", parameter)
        if m:
            k = int(m.group(1)) - 1
            for matrix in changed["weights"]:
                size = len(matrix) * len(matrix[0])
                if k < size:
                    matrix[k // len(matrix[0])][k % len(matrix[0])] += delta
                    break
                k -= size
        else:
            raise NotImplementedError(parameter)
        return oracle(changed)["E_total"]

    n = (total(eps) - total(-eps)) / (2 * eps)
    if kind == "numgrad":
        return n
    g = oracle(spec)[f"dE_total/d{parameter}"]
    return abs(g - n) / (abs(g) + abs(n))


def evaluate(meaning: str, values: dict[str, float]) -> float:
    """A hand-written meaning (names, numbers, + - * / ^, parentheses, e) with the oracle's values —
    a tiny evaluator of its own (Python's ast, names looked up, nothing else allowed)."""
    import ast
    import re

    names_found = {}

    def sub(m):
        key = f"v{len(names_found)}"
        names_found[key] = m.group(0)
        return key

    expr = re.sub(
        r"(?<![\w.])(?:(?:numgrad|relerr)\([^()]*\)|d[A-Za-z]\w*/d\w+(?:\[\d+\])?\+?(?:@\d+)?"
        r"|[A-Za-z]\w*(?:\[\d+\])?\+?(?:@\d+)?)(?![\w(\[])",
        sub,
        meaning.replace("^", "**"),
    )
    tree = ast.parse(expr, mode="eval")
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.Pow,
        ast.USub,
        ast.UAdd,
    )
    assert all(isinstance(n, allowed) for n in ast.walk(tree)), meaning
    env = {k: (math.e if n == "e" else values[n]) for k, n in names_found.items()}

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant):
            return float(n.value)
        if isinstance(n, ast.Name):
            return env[n.id]
        if isinstance(n, ast.UnaryOp):
            return -ev(n.operand) if isinstance(n.op, ast.USub) else ev(n.operand)
        a, b = ev(n.left), ev(n.right)
        return {
            ast.Add: a + b,
            ast.Sub: a - b,
            ast.Mult: a * b,
            ast.Div: a / b if b else math.nan,
            ast.Pow: a**b if a > 0 or float(b).is_integer() else math.nan,
        }[type(n.op)]

    return ev(tree)
