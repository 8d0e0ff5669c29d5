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

from ..notation.names import AT
from ..rendering.equation_lines import step_line
from ..rendering.number_format import fmt
from ..step.after_updates import MAX_TRAINING, AfterValues, Run, refusal, values_after
from ..step.trace import REF, Trace, evaluate
from .tolerance import DEFAULT, Rule, Written, negated, significant_digits

MAX_STEPS_ROUNDED = 5_000  # the rounded-input hints recompute a step's cone many times: small steps only
MAX_NAMES_SCANNED = 20_000  # a larger step's wrong value is compared with its own kind's values only
MAX_OTHER_NEURONS = 64  # "another neuron's value after N updates" is looked for among at most this many


class Hinter:
    """The likely mistake behind a wrong value (see the module), for one step of one run."""

    def __init__(self, trace: Trace, run: Run, after: AfterValues | None = None, rule: Rule = DEFAULT):
        self.trace, self.run, self.rule = trace, run, rule
        self._order = {s.name: k for k, s in enumerate(trace.steps)}
        self.values = trace.values
        self._steps = {s.name: s for s in trace.steps}
        self._variant: dict | None = None
        self._loops: dict[int, dict] = {}
        self._neighbours: dict[int, dict] = {}  # N -> the other neurons' values after N updates
        self._spent = 0  # updates × parameters × samples the hints' trainings have cost
        self._kinds: dict[str, list[str]] | None = None  # kind (digits as #) -> the step's names of it
        self._after = after

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
        """The number with its decimal point moved k places (|k| ≤ 12) where that is right; never for an
        exact 0 (1 is not 0.000000000001 misplaced)."""
        if exact == 0:
            return None
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
        m = AT.fullmatch(name)
        if m:
            yield from self._after_candidates(m.group(1), int(m.group(2)))
            return
        step = self._steps.get(name)
        if self.trace.batch is not None:  # a full-batch step: the formula's parts and earlier quantities
            yield from (self._missing_parts(step) if step is not None else [])
            yield from self._other_quantities(name)
            return
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
        yield from self._rounded_inputs(name) if step is not None else ()

    def _after_candidates(self, base: str, n: int):
        """For NAME@N: the value after N ± 1 updates, and after N updates of a loop that updates the
        output layer first and backpropagates through its updated weights (one sample)."""
        for k in (n - 1, n + 1):
            value = self._after.get(base, k) if self._after is not None else None
            if value is not None:
                yield value, f"that is {base}@{k}: the iteration count is off by one ({k:,} updates, not {n:,})"
        yield from self._other_neurons_after(base, n)
        if (
            self.trace.batch is None
            and len(self.trace.network.layers) > 1
            and (n in self._loops or self._affordable(n))
        ):
            if n not in self._loops:  # every name the sheet asks after n updates, in one run of the loop
                names = (self._after.wanted.get(n, set()) if self._after is not None else set()) | {base}
                self._loops[n] = values_after(self.run, {n: names}, through_updated=True)
            if f"{base}@{n}" in self._loops[n]:
                yield (
                    self._loops[n][f"{base}@{n}"],
                    "that is what a loop gives that updates the output weights first and then "
                    "backpropagates to the hidden layer through the updated weights (use the "
                    "original weights for every gradient of an iteration)",
                )

    def _of_kind(self, name: str) -> list[str]:
        """The step's names of ``name``'s kind: the same with other numbers (out_h2 for out_h1), from an
        index built once (a wrong line must not cost a pass over a large network's names)."""
        if self._kinds is None:
            self._kinds = {}
            for other in self.values:
                self._kinds.setdefault(_kind(other), []).append(other)
        return self._kinds.get(_kind(name), [])

    def _affordable(self, n: int) -> bool:
        """Whether one more training of n updates fits the hints' budget (all their trainings together:
        ``MAX_TRAINING`` updates × parameters × samples, about a second), and counts it if so."""
        cost = n * self.run.n_parameters * self.run.n_samples
        if refusal(self.run, n, 1, False) is not None or self._spent + cost > MAX_TRAINING:
            return False
        self._spent += cost
        return True

    def _other_neurons_after(self, base: str, n: int):
        """For NAME@N: the same quantity of another neuron, weight or sample after N updates (out_o2@1
        written for out_o1@1)."""
        others = set(self._of_kind(base)) - {base}
        if not 0 < len(others) <= MAX_OTHER_NEURONS:
            return
        if n not in self._neighbours:
            if not self._affordable(n):
                return
            asked = self._after.wanted.get(n, set()) if self._after is not None else set()
            self._neighbours[n] = values_after(self.run, {n: others | asked})
        for other in sorted(others):
            value = self._neighbours[n].get(f"{other}@{n}")
            if value is not None:
                yield value, f"that is {other}@{n}: a wrong neuron, weight or index"

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
                value = math.prod(rest) if sep == " * " else float(sum(rest))
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
        out += self._output_delta_models(name)
        out.append((exact / 2, "a factor 1/2 too many (or the loss's 2 left out)"))
        out.append((exact * 2, "a factor 2 too many (the 1/2 of the loss left out, or an sse/half_sse mix-up)"))
        if name.startswith("E_") and self.trace.network.loss_fn.name in ("cross_entropy", "binary_cross_entropy"):
            out.append((exact / math.log(10), "log10 was taken where the natural log belongs"))
        return out

    def _output_delta_models(self, name: str) -> list[tuple[float, str]]:
        """delta_oK written as after a fused loss (out − target) or as for an identity output with the net
        input (net − target: Ng's dZ = A − Y with Z for A) where the output activation and loss are not fused."""
        net, v = self.trace.network, self.values
        o = name[len("delta_") :]
        if not name.startswith("delta_o") or net._fused or f"target_{o}" not in v or f"out_{o}" not in v:
            return []
        act, loss, t = net.layers[-1].activation.name, net.loss_fn.name, v[f"target_{o}"]
        proper = f"with a {act} output and {loss} the delta is dE_total/dout_{o} * dout_{o}/dnet_{o}"
        return [
            (
                v[f"out_{o}"] - t,
                f"that is out_{o} - target_{o}, the delta after a fused loss (sigmoid with "
                f"cross-entropy, softmax with cross-entropy): {proper}",
            ),
            (
                v[f"net_{o}"] - t,
                f"that is net_{o} - target_{o}, the delta of an identity output (dZ = Z - Y) "
                f"with the net input: {proper}",
            ),
        ]

    def _other_quantities(self, name: str) -> list[tuple[float, str]]:
        """Quantities computed before this one (or given) with the value written: basic ones first."""
        kind = _kind(name)
        found: dict[float, list[str]] = {}
        here = self._order.get(name, len(self._order))
        same = set(self._of_kind(name))  # a swapped index: out_h2 for out_h1
        candidates = self.values if len(self.values) <= MAX_NAMES_SCANNED else {o: self.values[o] for o in same}
        for other, value in candidates.items():
            if not (other in same or other in self.trace.givens or self._order.get(other, here) < here):
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
        swapped = [any(re.sub(r"\d+", "#", o) == kind for o in others) for others in found.values()]
        return [c for c, first in sorted(zip(out, swapped), key=lambda pair: not pair[1])]  # a swapped index first

    def _through_updated(self) -> dict[str, float]:
        """The step with the hidden layers backpropagated through the *updated* weights of the layers
        above: the step's own formulas, each backward quantity reading w+ where it reads a weight of a
        layer above its own."""
        if self._variant is None:
            where = self.trace.notation.weight_location

            def updated_above(step, name):
                at = where(name) if step.layer is not None and name.startswith("w") else None
                return f"{name}+" if at is not None and at[0] > step.layer and f"{name}+" in self.values else name

            self._variant = evaluate(self.trace.steps, self.trace.givens, rename=updated_above)
        return self._variant

    def _rounded_inputs(self, name: str):
        """The quantity recomputed by the step's formulas from one earlier quantity rounded to 2 to 6
        significant digits (delta_o1 from out_o1 = 0.9997, where 1 − out_o1 keeps one digit of four)."""
        if len(self.trace.steps) > MAX_STEPS_ROUNDED:
            return
        from ..notation.expressions import Name
        from .follow_through import FollowThrough

        again = FollowThrough(self.trace)
        for digits in range(6, 1, -1):  # the most digits first: a learner rounds to 4 before 2
            for q in self._ancestors(name):
                exact = self.values[q]
                rounded = float(f"{exact:.{digits}g}")
                if rounded == exact or rounded == float(f"{exact:.{digits - 1}g}"):
                    continue  # not rounded, or rounded to fewer digits (tried next)
                found = again.what_if({q: rounded}, Name(name))
                if found is None:
                    continue
                why = f"computed from {q} rounded to {fmt(rounded, True)} ({digits} significant digits)"
                if abs(1 - rounded) < 0.01 and any(
                    f"1 - <{q}>" in self._steps[a].text for a in self._ancestors(name) + [name]
                ):
                    why += f": 1 - {q} = {fmt(1 - rounded, True)} keeps only {_digits_left(rounded, digits)} of them"
                yield found, why + f"; keep more digits of {q}"

    def _ancestors(self, name: str, depth: int = 4, most: int = 12) -> list[str]:
        """The computed quantities ``name`` is computed from, nearest first (givens left out)."""
        out, frontier = [], [name]
        for _ in range(depth):
            frontier = [i for n in frontier for i in self._steps[n].inputs if i in self._steps and i not in out]
            out += list(dict.fromkeys(frontier))
        return out[:most]


class _Memo:
    """An iterator's items, produced once and kept, so that it can be gone through again."""

    def __init__(self, items):
        self._items, self._kept = iter(items), []

    def __iter__(self):
        yield from self._kept
        for item in self._items:
            self._kept.append(item)
            yield item


def _kind(name: str) -> str:
    """A name with its numbers as # (out_h# for out_h1): names of one kind differ by an index."""
    return _DIGITS.sub("#", name)


_DIGITS = re.compile(r"\d+")


def _digits_left(rounded: float, digits: int) -> str:
    """How many significant digits 1 − ``rounded`` keeps of the ``digits`` written (0.9997: one)."""
    lost = -math.floor(math.log10(abs(1 - rounded))) if rounded != 1 else digits
    left = max(0, digits - lost + 1)
    return f"{left} significant digit" + ("s" if left != 1 else "")


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
