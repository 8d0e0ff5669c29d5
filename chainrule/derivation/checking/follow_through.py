"""Follow-through: a line's value recomputed from the learner's own earlier lines.

An examiner gives credit for *error carried forward*: a learner who got ``out_h1`` wrong and computed
everything after it correctly from that wrong value has one mistake, not forty.  So besides the exact
value, each line gets the value its own quantity has when it is computed from the sheet — by the
same formula the trace records for it (:mod:`chainrule.derivation.step.formulas`), each of its inputs
taken from the sheet where an earlier line gives it, else recomputed the same way from the sheet's
values, down to the givens.

With it comes where the value came from: the lines used that were not right (wrong, too short to
judge, or carried themselves — for these, the lines *they* inherit from).  A line right by its
follow-through value is ``ok`` when every line it used is right (it was computed from the learner's
own rounded numbers), and ``carried`` from those lines otherwise.

Only the lines wrong against the exact value need it, and each recomputation is bounded
(``MAX_WORK`` formula evaluations per sheet): past that, lines are judged against the exact value
alone.
"""

from __future__ import annotations

from ..notation.expressions import Bin, Name, Neg, Num

MAX_WORK = 2_000_000  # formula evaluations per sheet (a 250,000-parameter step is about a million)


class FollowThrough:
    """The learner's values so far and what the trace's formulas make of them."""

    def __init__(self, trace):
        self.steps = {s.name: s for s in trace.steps if s.compute is not None}
        self.exact = trace.values
        self.sheet: dict[str, float] = {}  # name -> the learner's value (the latest earlier line)
        self.sources: dict[str, frozenset[int]] = {}  # name -> the not-right lines behind that value
        self.work = 0
        self._memo: dict[str, tuple[float, frozenset[int]]] = {}
        self._dependents: dict[str, list[str]] | None = None

    def learn(self, name: str, value: float, sources: frozenset[int]) -> None:
        """An earlier line gives ``name`` = ``value``; ``sources``: the lines not right behind it (the line
        itself when it is wrong or too short, what it inherits from when carried, none when right)."""
        if name not in self.exact:
            return  # not a quantity of this step (a value after N updates)
        self.sheet[name], self.sources[name] = value, sources
        self._forget(name)

    def what_if(self, values: dict[str, float], node) -> float | None:
        """The value of ``node`` were these quantities ``values`` (the hints: a quantity rounded); the
        learner's values stay as they were."""
        kept = {name: (self.sheet[name], self.sources[name]) for name in values if name in self.sheet}
        for name, value in values.items():
            self.learn(name, value, frozenset())
        found = self.value(node)
        for name in values:
            del self.sheet[name], self.sources[name]
            self._forget(name)
            if name in kept:
                self.learn(name, *kept[name])
        return None if found is None else found[0]

    def value(self, node) -> tuple[float, frozenset[int]] | None:
        """An expression's value from the learner's numbers and the lines not right behind it; None when
        a name has no value here (after N updates) or the budget is spent."""
        if isinstance(node, Num):
            return node.value, frozenset()
        if isinstance(node, Name):
            return self._name(node.name)
        if isinstance(node, Neg):
            inner = self.value(node.arg)
            return None if inner is None else (-inner[0], inner[1])
        a, b = self.value(node.left), self.value(node.right)
        if a is None or b is None:
            return None
        value = _apply(node, a[0], b[0])
        return (value, a[1] | b[1]) if value is not None else None

    # ----------------------------------------------------------------------- one name
    def _name(self, name: str) -> tuple[float, frozenset[int]] | None:
        if name == "e":
            import math

            return math.e, frozenset()
        if name in self.sheet:
            return self.sheet[name], self.sources[name]
        if name not in self.steps:
            return (self.exact[name], frozenset()) if name in self.exact else None
        stack = [name]  # depth first without recursion: a deep network's chain is long
        while stack:
            top = stack[-1]
            if self._known(top):
                stack.pop()
                continue
            step = self.steps[top]
            missing = [i for i in step.inputs if not self._known(i)]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            self.work += 1
            if self.work > MAX_WORK:
                return None
            inputs = [self._known(i) for i in step.inputs]
            try:
                value = step.compute(*[v for v, _ in inputs])
            except (ArithmeticError, ValueError):  # a learner's number outside a formula's domain
                value = float("nan")
            self._memo[top] = value, frozenset().union(*(s for _, s in inputs))
        return self._memo[name]

    def _known(self, name: str) -> tuple[float, frozenset[int]] | None:
        """The value of ``name`` if it needs no computing now: the sheet's, a given, or already computed."""
        if name in self.sheet:
            return self.sheet[name], self.sources[name]
        if name in self._memo:
            return self._memo[name]
        if name not in self.steps:
            return self.exact[name], frozenset()
        return None

    def _forget(self, name: str) -> None:
        """Drop every computed value that was computed from ``name`` (the sheet now gives it)."""
        if not self._memo:
            return
        if self._dependents is None:
            self._dependents = {}
            for step in self.steps.values():
                for i in step.inputs:
                    self._dependents.setdefault(i, []).append(step.name)
        stack = [name]
        while stack:
            for d in self._dependents.get(stack.pop(), ()):
                if self._memo.pop(d, None) is not None:
                    stack.append(d)


def _apply(node: Bin, a: float, b: float) -> float | None:
    """One operation of a left side's expression (as :func:`chainrule.derivation.notation.expressions.evaluate`)."""
    from ..notation.expressions import evaluate

    try:
        return evaluate(Bin(node.op, Num(a), Num(b)), lambda name: None)
    except (ArithmeticError, ValueError):
        return None
