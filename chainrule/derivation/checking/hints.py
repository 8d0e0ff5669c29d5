"""The likely mistake behind a wrong answer — every candidate computed with the engine.

Candidates, tried in this order:

* the decimal point moved (``408666186`` for 0.408666186);
* the sign flipped;
* a factor or term of the quantity's own formula left out (dE_total/dw5 without dout_o1/dnet_o1);
* the value of another quantity (a wrong neuron or weight, a swapped index: out_h2 for out_h1);
* backpropagating through the *updated* weights of the layer above (w5+ where w5 belongs) —
  the engine's backward pass run on a network whose upper layers already took their step;
* for ``NAME@N``: the value after N − 1 or N + 1 updates, or after N updates of a loop that
  updates the output layer first and backpropagates through its updated weights;
* named mistake models: the net input used where the output belongs, the activation's derivative
  applied twice (a sigmoid's after binary cross-entropy, whose delta is already out − target),
  a factor ½ or 2 too many or too few, log10 taken for ln;
* a value right to all but its last one or two digits: computed from rounded intermediates.

A candidate is offered only when the written value matches it within the precision written
(the same rule as the verdict), and an "other quantity" only when it was computed *before* this one
in the derivation (or is a given): the cause of a mistake comes earlier on the page.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np

from ..notation.names import AT
from ..rendering.equation_lines import step_line
from ..rendering.number_format import fmt
from ..step.after_updates import values_after
from ..step.trace import REF, Trace
from .tolerance import DEFAULT, Rule, Written, negated, significant_digits


class Hinter:
    def __init__(self, trace: Trace, x, target, after: dict | None = None, rule: Rule = DEFAULT):
        self.trace = trace
        self.rule = rule
        self._order = {s.name: k for k, s in enumerate(trace.steps)}
        self.values = trace.values
        self.x, self.target = x, target
        self._steps = {s.name: s for s in trace.steps}
        self._variant: dict | None = None
        self._loops: dict[int, dict] = {}
        self._after = after or {}  # NAME@N values, including N ± 1

    # ----------------------------------------------------------------------- the formula
    def formula(self, name: str) -> str | None:
        step = self._steps.get(name)
        if step is None or not REF.search(step.text):
            return None
        return step_line(step, self.values, self.trace.givens, latex=False).plain

    # ------------------------------------------------------------------------- the hint
    def _close(self, w: Written, value: float) -> bool:
        return self.rule.judge(w, value) == "ok"

    def _moved(self, w: Written, exact: float) -> str | None:
        for k in range(-12, 13):
            if k and self._close(w.scaled(k), exact):
                return _scaled_text(w, k)
        return None

    def generic(self, text: str, exact: float) -> str | None:
        """The hints that need no name: a moved decimal point, a flipped sign, rounded intermediates."""
        w = Written.read(text)
        moved = self._moved(w, exact)
        if moved is not None:
            return f"the decimal point is misplaced: {moved} is right" + (
                " (the leading '0.' is lost)" if moved and abs(w.value) >= 1 > abs(exact) else ""
            )
        if w.value != 0 and self._close(w.negated(), exact):
            return "the sign is wrong"
        return _rounded(text, exact) or _flipped_and_rounded(text, exact)

    def hint(self, name: str, text: str, exact: float) -> str | None:
        w = Written.read(text)
        moved = self._moved(w, exact)
        if moved is not None:
            return f"the decimal point is misplaced: {moved} is right" + (
                " (the leading '0.' is lost)" if abs(w.value) >= 1 > abs(exact) else ""
            )
        if w.value != 0 and self._close(w.negated(), exact):
            return "the sign is wrong"
        candidates = _Memo(self._candidates(name))  # computed as far as needed: the first that matches wins
        for value, why in candidates:
            if self._close(w, value):
                return why
        for value, why in candidates:  # a flipped sign on top of another mistake
            if w.value != 0 and self._close(w.negated(), value):
                return f"the sign is wrong, and {why}"
        for k in range(-12, 13):  # a moved decimal point on top of another mistake
            if k:
                moved_w = w.scaled(k)
                for value, why in candidates:
                    if value != 0 and self._close(moved_w, value):
                        return f"the decimal point is misplaced (read as {_scaled_text(w, k)}), and {why}"
        return _rounded(text, exact) or _flipped_and_rounded(text, exact)

    def _candidates(self, name: str):
        """(value, why) for each candidate mistake, in the order they are tried (a generator: the
        costly ones, such as a 10,000-update loop, run only when no earlier one matched)."""
        if self.trace.batch is not None:  # a full-batch step: the formula's parts and earlier quantities
            step = self._steps.get(name)
            yield from (self._missing_parts(step) if step is not None else [])
            yield from self._other_quantities(name)
            return
        m = AT.fullmatch(name)
        if m:
            base, n = m.group(1), int(m.group(2))
            near = [k for k in (n - 1, n + 1) if k >= 0]
            others = self._after
            if any(f"{base}@{k}" not in others for k in near):
                others = values_after(self.trace.network, self.x, self.target, self.trace.learning_rate, set(near))
            for k in near:
                if f"{base}@{k}" in others:
                    yield (
                        others[f"{base}@{k}"],
                        f"that is {base}@{k}: the iteration count is off by one ({k:,} updates, not {n:,})",
                    )
            if len(self.trace.network.layers) > 1:
                loop = self._updated_weights_loop(n)
                if name in loop:
                    yield (
                        loop[name],
                        "that is what a loop gives that updates the output weights first and then "
                        "backpropagates to the hidden layer through the updated weights (use the "
                        "original weights for every gradient of an iteration)",
                    )
            return
        step = self._steps.get(name)
        if step is not None:
            yield from self._missing_parts(step)
        if name.endswith("+") and f"dE_total/d{name[:-1]}" in self.values:  # w+ = w - eta * dE_total/dw
            w, grad, eta = self.values[name[:-1]], self.values[f"dE_total/d{name[:-1]}"], self.trace.learning_rate
            yield (w + eta * grad, f"eta * dE_total/d{name[:-1]} was added; gradient descent subtracts it")
            yield (w - grad, "the learning rate eta is missing")
        yield from self._mistake_models(name)
        yield from self._other_quantities(name)
        variant = self._through_updated()
        if name in variant and not _same(variant[name], self.values[name]):
            yield (
                variant[name],
                "that is what you get if you backpropagate through the updated weights of "
                "the layer above (w+ where the original w belongs)",
            )

    def _missing_parts(self, step) -> list[tuple[float, str]]:
        """Leave one factor out of a product, or one term out of a sum, of the step's formula."""
        text = step.text.strip()
        out = []
        for sep, word in ((" * ", "factor"), (" + ", "term")):
            parts = text.split(sep)
            if len(parts) < 2 or not all(REF.fullmatch(p.strip()) for p in parts):
                continue
            names = [p.strip()[1:-1] for p in parts]
            nums = [self.values[n] for n in names]
            for i, left_out in enumerate(names):
                rest = nums[:i] + nums[i + 1 :]
                value = float(np.prod(rest)) if sep == " * " else float(sum(rest))
                out.append((value, f"the {word} {left_out} = {fmt(nums[i])} is missing"))
        return out

    def _mistake_models(self, name: str) -> list[tuple[float, str]]:
        """Named mistakes, each computed from the engine's own numbers."""
        v, out = self.values, []
        exact = v.get(name)
        if exact is None:
            return out
        neuron = name.split("_", 1)[1] if name.startswith(("out_", "delta_")) else None
        if name.startswith("out_") and f"net_{neuron}" in v:
            out.append((v[f"net_{neuron}"], f"that is net_{neuron}: the net input was used where the output belongs"))
        if name.startswith("delta_") and f"dout_{neuron}/dnet_{neuron}" in v and self.trace.network._fused:
            out.append(
                (
                    exact * v[f"dout_{neuron}/dnet_{neuron}"],
                    f"the activation's derivative dout_{neuron}/dnet_{neuron} was applied twice (with this loss "
                    f"the delta is already out - target)",
                )
            )
        out.append((exact / 2, "a factor 1/2 too many (or the loss's 2 left out)"))
        out.append((exact * 2, "a factor 2 too many (the 1/2 of the loss left out, or an sse/half_sse mix-up)"))
        if name.startswith("E_") and self.trace.network.loss_fn.name in ("cross_entropy", "binary_cross_entropy"):
            out.append((exact / np.log(10), "log10 was taken where the natural log belongs"))
        return out

    def _other_quantities(self, name: str) -> list[tuple[float, str]]:
        """Quantities computed before this one (or given) with the value written: basic ones first."""
        kind = re.sub(r"\d+", "#", name)
        found: dict[float, list[str]] = {}
        here = self._order.get(name, len(self._order))
        for other, value in self.values.items():
            same_kind = re.sub(r"\d+", "#", other) == kind  # a swapped index: out_h2 for out_h1
            if not (same_kind or other in self.trace.givens or self._order.get(other, here) < here):
                continue  # computed later on the page: a coincidence, not a cause
            if other != name and not _same(value, self.values[name]):
                found.setdefault(value, []).append(other)
        out = []
        for value, others in found.items():
            others.sort(key=lambda o: ("/" in o, re.sub(r"\d+", "#", o) != kind))
            first = others[0]
            why = f"that is {first}" + (f" (also {', '.join(others[1:3])})" if len(others) > 1 else "")
            if first.endswith("+") and first[:-1] in self.trace.givens:
                original = first[:-1]
                why += f": the updated {original}, where the original {original} = "
                why += f"{fmt(self.values[original], True)} belongs"
            elif any(re.sub(r"\d+", "#", o) == kind for o in others) or re.sub(r"\d+", "#", first) == re.sub(
                r"\d+", "#", name.split("/")[-1]
            ):
                why += ": a wrong neuron, weight or index"
            out.append((value, why))
        return out

    def _through_updated(self) -> dict[str, float]:
        """The step's backward quantities had the hidden layers backpropagated through updated
        upper-layer weights: the engine's backward pass on the original forward pass, with the
        weights of the layers above already stepped."""
        if self._variant is None:
            tr = self.trace
            net = tr.network.copy()
            for l in range(1, len(net.layers)):
                net.layers[l].weights = tr.updated.layers[l].weights.copy(
                    order="K"
                )  # keeps the engine's column-major layout
            ts = net.as_targets(self.target, 1)
            grads = net.backward(tr.forward, ts)
            names, out = tr.notation, {}
            for l in range(len(net.layers) - 1):
                for j, h in enumerate(names.neurons[l]):
                    out[f"dE_total/dout_{h}"] = float(grads.dout[l][0, j])
                    out[f"delta_{h}"] = float(grads.delta[l][0, j])
                    for r, o in enumerate(names.neurons[l + 1]):
                        out[f"dE_{o}/dout_{h}"] = float(grads.delta[l + 1][0, r] * net.layers[l + 1].weights[r, j])
                    for s, w in enumerate(names.weights[l][j]):
                        out[f"dE_total/d{w}"] = float(grads.dW[l][j, s])
                        out[f"{w}+"] = float(tr.network.layers[l].weights[j, s] - tr.learning_rate * grads.dW[l][j, s])
            self._variant = out
        return self._variant

    def _updated_weights_loop(self, n: int) -> dict[str, float]:
        """N iterations of a loop that steps the layers from the output down, each one's gradient
        backpropagated through the already-stepped layers above.  Tiny networks run the engine's
        written-out code in that order (core/unrolled.py); others the engine's NumPy passes."""
        if n not in self._loops:
            from ...core import unrolled

            tr = self.trace
            net = tr.network.copy()
            xs = net.as_inputs(self.x)
            ts = net.as_targets(self.target, len(xs))
            lr = tr.learning_rate
            train = unrolled.compile_online(net, through_updated=True) if len(xs) == 1 else None
            if train is not None:
                _, params = train(unrolled.flat_parameters(net), xs[0].tolist(), ts[0].tolist(), lr, n)
                unrolled.set_flat_parameters(net, params)
            else:
                for _ in range(n):
                    fwd = net.forward(xs)
                    for l in range(len(net.layers) - 1, -1, -1):
                        g = net.backward(fwd, ts)
                        layer = net.layers[l]
                        layer.weights -= lr * g.dW[l]
                        if layer.train_bias:
                            layer.bias -= lr * g.db[l]
            fwd = net.forward(xs)
            out = {f"E_total@{n}": net.loss(xs, ts)}
            for k, o in enumerate(tr.notation.neurons[-1]):
                out[f"out_{o}@{n}"] = float(fwd.output[0, k])
                out[f"net_{o}@{n}"] = float(fwd.nets[-1][0, k])
            self._loops[n] = out
        return self._loops[n]


class _Memo:
    """An iterator's items, produced once and kept, so that it can be gone through again."""

    def __init__(self, items):
        self._items, self._kept = iter(items), []

    def __iter__(self):
        yield from self._kept
        for item in self._items:
            self._kept.append(item)
            yield item


def _scaled_text(w: Written, k: int) -> str:
    return w.scaled(k).text


def _flipped_and_rounded(text: str, exact: float) -> str | None:
    """The sign flipped on a value that is also short of its last digits."""
    rounded = _rounded(negated(text), exact)
    return f"the sign is wrong, and the value is {rounded}" if rounded and float(Decimal(text)) != 0 else None


def _rounded(text: str, exact: float) -> str | None:
    """Right to three or more significant digits, but not to all of those written."""
    given, written = float(Decimal(text)), significant_digits(text)
    if exact == 0 or written < 3:
        return None
    agree, top = 0, math.floor(math.log10(abs(exact)))  # the exact value's leading digit is 10^top
    for d in range(1, 17):
        if abs(given - exact) <= 0.5 * 10.0 ** (top - d + 1) * (1 + 1e-9):
            agree = d
    if agree >= max(2, written - 2):
        return (
            f"right to {agree} significant digits but written with {significant_digits(text)}: "
            f"computed from rounded intermediates?"
        )
    return None


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))
