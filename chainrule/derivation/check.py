"""Checking a learner's numbers against the exact computation.

An answer sheet holds one ``name = value`` per line (``#`` starts a comment).  Names may be in
DESIGN.md's notation or in the third seed's (see :func:`notation.canonical_name`).  A value is right
when |given − exact| ≤ max(one unit in the last decimal place written, 1e-8 · |exact|).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from ..core.network import Network
from ..errors import FileFormatError
from .after import MAX_ITERATIONS, values_after
from .hints import Hinter
from .notation import AT, canonical_name
from .tolerance import is_close



@dataclass
class AnswerLine:
    line: int  # 1-based line number in the sheet
    name: str  # as written
    canonical: str  # in DESIGN.md's notation
    text: str  # the number as written
    given: float


def parse_sheet(text: str) -> list[AnswerLine]:
    """The ``name = value`` lines of an answer sheet; a malformed line is a FileFormatError."""
    answers = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise FileFormatError(f"line {number}: expected 'name = value', got {raw.strip()!r}")
        name, value = (part.strip() for part in line.rsplit("=", 1))
        if not name:
            raise FileFormatError(f"line {number}: no name before '='")
        if not value:  # not answered yet (an exercise's blank sheet)
            continue
        try:
            given = float(Decimal(value))
        except (InvalidOperation, ValueError):
            raise FileFormatError(f"line {number}: {value!r} is not a number") from None
        if not np.isfinite(given):
            raise FileFormatError(f"line {number}: {value!r} is not a finite number")
        answers.append(AnswerLine(number, name, canonical_name(name), value, given))
    return answers


def iterations_asked(answers: list[AnswerLine]) -> set[int]:
    return {int(m.group(2)) for a in answers if (m := AT.fullmatch(a.canonical))}


# ----------------------------------------------------------------------------- verdicts
@dataclass
class Verdict:
    """The verdict on one answer line."""

    line: int
    name: str  # as written
    canonical: str
    given_text: str
    given: float
    expected: float | None  # None: the name is unknown
    ok: bool
    hint: str | None = None  # the likely mistake, or the names meant
    formula: str | None = None  # the exact value's formula with the numbers substituted

    def to_dict(self) -> dict:
        return {"line": self.line, "name": self.name, "canonical": self.canonical, "given": self.given,
                "given_text": self.given_text, "expected": self.expected, "ok": self.ok, "hint": self.hint,
                "formula": self.formula}


@dataclass
class CheckResult:
    """Every line's verdict; ``ok`` when all are right."""

    verdicts: list[Verdict]
    source: str = "<sheet>"

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    @property
    def wrong(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.ok]

    def to_dict(self) -> dict:
        return {"ok": self.ok, "lines": [v.to_dict() for v in self.verdicts]}

    def to_text(self) -> str:
        from .numbers import fmt

        out = []
        for v in self.verdicts:
            head = f"line {v.line}: {v.name} = {v.given_text}"
            if v.ok:
                out.append(f"ok     {head}")
                continue
            if v.expected is None:
                out.append(f"ERROR  {head}: {v.hint}")
                continue
            out.append(f"WRONG  {head}: the exact value is {fmt(v.expected)}")
            if v.formula:
                out.append(f"         {v.formula}")
            if v.hint:
                out.append(f"         likely: {v.hint}")
        n, bad = len(self.verdicts), len(self.wrong)
        out.append("")
        out.append(f"{n} line{'s' if n != 1 else ''} checked: {n - bad} right, {bad} wrong"
                   + ("" if bad else " - all right."))
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return "```text\n" + self.to_text() + "```\n"


def check_answers(answers: list[AnswerLine], network: Network, x, target, learning_rate: float,
                  source: str = "<sheet>") -> CheckResult:
    """A verdict for every answer, against one step (and N steps for ``NAME@N``) of the engine."""
    from .trace import trace_step

    trace = trace_step(network, x, target, learning_rate)
    values = trace.values
    asked = {n for n in iterations_asked(answers) if n <= MAX_ITERATIONS}
    near = {k for n in asked for k in (n - 1, n + 1) if k >= 0}  # for "off by one" hints, in the same run
    after = values_after(network, x, target, learning_rate, asked | near) if asked else {}
    hinter = Hinter(trace, x, target, after)
    verdicts = []
    for a in answers:
        name = a.canonical
        m = AT.fullmatch(name)
        exact = values.get(name) if not m else after.get(name) if int(m.group(2)) in asked else None
        if exact is None:
            why = (f"values after more than {MAX_ITERATIONS:,} updates are not computed"
                   if m and int(m.group(2)) > MAX_ITERATIONS else _unknown(name, values, after))
            verdicts.append(Verdict(a.line, a.name, name, a.text, a.given, None, False, why))
            continue
        ok = is_close(a.text, exact)
        verdict = Verdict(a.line, a.name, name, a.text, a.given, exact, ok)
        if not ok:
            verdict.formula = hinter.formula(name)
            verdict.hint = hinter.hint(name, a.text, exact)
        verdicts.append(verdict)
    return CheckResult(verdicts, source)


def _unknown(name: str, values: dict, after: dict) -> str:
    import difflib

    base = name.split("@", 1)[0]
    known = list(values) + sorted({k.split("@")[0] for k in after})
    close = difflib.get_close_matches(base, known, n=3, cutoff=0.6)
    text = f"unknown name {name!r}"
    if "@" in name:
        text += " (after N updates: net_X, out_X, E_total and the weights and biases are known)"
    return text + (f"; did you mean {', '.join(close)}?" if close else "")
