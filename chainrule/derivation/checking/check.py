"""Checking a learner's numbers against the exact computation.

An answer sheet holds one ``name = value`` per line (``#`` starts a comment).  The left side is a
name in the seed's notation, in the third seed's, or in a book's (``--notation``, or detected: see
:mod:`profiles`), or an expression of such names (``eta*dE_total/dw5``, ``1 - out_o2``, ``Δw5``;
see :mod:`expressions`).  Each line gets one of four verdicts (:mod:`tolerance` has the rule):
``ok``, ``wrong``, ``too_few_digits`` (written too short to judge, and not exact) or ``unknown``
(a name this network does not have).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from ...core.network import Network
from ...errors import FileFormatError
from ..notation.expressions import Bin, Name, Neg, Num, evaluate, parse, write
from ..notation.expressions import names as names_in
from ..notation.names import AT, Notation, canonical_name
from ..notation.reader import Reader, detect, resolve
from ..step.after_updates import MAX_ITERATIONS, values_after
from .hints import Hinter
from .tolerance import DEFAULT, OK, TOO_FEW_DIGITS, WRONG, Rule, first_digits, negated


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


def iterations_asked(names: list[str]) -> set[int]:
    return {int(m.group(2)) for n in names if (m := AT.fullmatch(n))}


# ----------------------------------------------------------------------------- verdicts
UNKNOWN = "unknown"


@dataclass
class Verdict:
    """The verdict on one answer line."""

    line: int
    name: str  # as written
    canonical: str  # in the seed's names (an expression where one was written)
    given_text: str
    given: float
    expected: float | None  # None: the name is unknown
    ok: bool
    hint: str | None = None  # the likely mistake, the names meant, or the exact value's first digits
    formula: str | None = None  # the exact value's formula with the numbers substituted
    kind: str = OK  # ok, wrong, too_few_digits or unknown

    def to_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "canonical": self.canonical,
            "given": self.given,
            "given_text": self.given_text,
            "expected": self.expected,
            "ok": self.ok,
            "verdict": self.kind,
            "hint": self.hint,
            "formula": self.formula,
        }


@dataclass
class CheckResult:
    """Every line's verdict; ``ok`` when all are right."""

    verdicts: list[Verdict]
    source: str = "<sheet>"
    notation: str = "seed"
    notation_note: str = ""  # how the notation was chosen
    rule: Rule = DEFAULT

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    @property
    def wrong(self) -> list[Verdict]:
        """The lines not judged right: wrong, unknown, or too short to judge."""
        return [v for v in self.verdicts if not v.ok]

    def count(self, kind: str) -> int:
        return sum(v.kind == kind for v in self.verdicts)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "notation": self.notation,
            "rule": self.rule.describe(),
            "counts": {k: self.count(k) for k in (OK, WRONG, TOO_FEW_DIGITS, UNKNOWN)},
            "lines": [v.to_dict() for v in self.verdicts],
        }

    def to_text(self) -> str:
        from ..rendering.number_format import fmt

        out = []
        if self.notation != "seed":
            out += [f"Notation: {self.notation}{self.notation_note}.", ""]
        for v in self.verdicts:
            head = f"line {v.line}: {v.name} = {v.given_text}"
            if v.kind == OK:
                out.append(f"ok     {head}")
            elif v.kind == UNKNOWN:
                out.append(f"ERROR  {head}: {v.hint}")
            elif v.kind == TOO_FEW_DIGITS:
                out.append(f"DIGITS {head}: too few digits to judge; {v.hint}")
            else:
                out.append(f"WRONG  {head}: the exact value is {fmt(v.expected)}")
                if v.formula:
                    out.append(f"         {v.formula}")
                if v.hint:
                    out.append(f"         likely: {v.hint}")
        n = len(self.verdicts)
        right, short = self.count(OK), self.count(TOO_FEW_DIGITS)
        bad = n - right - short
        out.append("")
        out.append(
            f"{n} line{'s' if n != 1 else ''} checked: {right} right, {bad} wrong"
            + (f", {short} with too few digits to judge" if short else "")
            + ("" if bad or short else " - all right.")
        )
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return "```text\n" + self.to_text() + "```\n"


def check_answers(
    answers: list[AnswerLine],
    network: Network,
    x,
    target,
    learning_rate: float,
    source: str = "<sheet>",
    rule: Rule = DEFAULT,
    notation: str | dict | None = None,
    trace=None,
) -> CheckResult:
    """A verdict for every answer, against one step (and N steps for ``NAME@N``) of the engine.

    ``notation``: a profile name (:mod:`profiles`), or None / ``"auto"`` to pick the one that
    reads the most names."""
    from ..step.trace import trace_step

    trace = trace if trace is not None else trace_step(network, x, target, learning_rate)
    values = trace.values
    names = Notation(network)
    trees = {a.line: _parsed(a.name) for a in answers}
    notation, note = _notation(answers, names, values, notation)
    reader = Reader(names, notation)
    notation = reader.profile_name
    resolved = {line: (resolve(t, reader) if not isinstance(t, Exception) else t) for line, t in trees.items()}
    all_names = [
        n for node in resolved.values() if node is not None and not isinstance(node, Exception) for n in names_in(node)
    ]
    asked = {n for n in iterations_asked(all_names) if n <= MAX_ITERATIONS} if trace.batch is None else set()
    near = {k for n in asked for k in (n - 1, n + 1) if k >= 0}  # for "off by one" hints, in the same run
    after = values_after(network, x, target, learning_rate, asked | near) if asked else {}
    hinter = Hinter(trace, x, target, after, rule)

    def lookup(name):  # a name's exact value; None where this step has none
        m = AT.fullmatch(name)
        if not m or trace.batch is not None:  # a batch's values after its update are in the trace
            return values.get(name)
        return after.get(name) if int(m.group(2)) in asked else None

    verdicts = [_verdict(a, resolved[a.line], notation, lookup, values, after, hinter) for a in answers]
    return CheckResult(verdicts, source, notation, note, rule)


def _parsed(name: str):
    """The expression tree of an answer's left side, or the FileFormatError that says why it cannot be read."""
    try:
        return parse(name)
    except FileFormatError as exc:
        return exc


def _notation(answers: list[AnswerLine], names: Notation, values: dict, notation) -> tuple[str | dict, str]:
    """The notation to read the names in, and how it was chosen: as asked, or the profile that reads
    the most names (``notation`` None or ``"auto"``)."""
    if notation not in (None, "auto"):
        return notation, " (as asked)"

    def known(n):  # a name after N updates is known when the name itself is
        m = AT.fullmatch(n)
        return (m.group(1) if m else n) in values

    notation, read = detect([a.name for a in answers], names, known)
    return notation, (f" (detected: it reads {read} of the {len(answers)} names)" if notation != "seed" else "")


def _verdict(a: AnswerLine, node, notation: str, lookup, values: dict, after: dict, hinter: Hinter) -> Verdict:
    """One line's verdict: unknown where its left side cannot be read, names what this network does
    not have or has no finite value; otherwise judged by the rule against the exact value."""
    if isinstance(node, Exception):
        return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, str(node), kind=UNKNOWN)
    if node is None:
        why = f"the {notation} notation has no name {a.name!r}"
        return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, why, kind=UNKNOWN)
    node = _powers(node, lookup)
    canonical = write(node)
    missing = [n for n in names_in(node) if lookup(n) is None]
    if missing:
        n = missing[0]
        m = AT.fullmatch(n)
        why = (
            f"values after more than {MAX_ITERATIONS:,} updates are not computed"
            if m and int(m.group(2)) > MAX_ITERATIONS
            else _unknown(n, values, after)
        )
        return Verdict(a.line, a.name, canonical, a.text, a.given, None, False, why, kind=UNKNOWN)
    exact = evaluate(node, lookup)
    if not math.isfinite(exact):  # 1/0, 2^10000, 1e400 on the left: nothing to compare with
        why = f"{a.name!r} has no finite value (a division by zero or an overflow)"
        return Verdict(a.line, a.name, canonical, a.text, a.given, None, False, why, kind=UNKNOWN)
    return _judged(a, node, canonical, exact, hinter)


def _judged(a: AnswerLine, node, canonical: str, exact: float, hinter: Hinter) -> Verdict:
    """The rule's verdict on a line with an exact value: ok, wrong (with the formula and the likely
    mistake) or too few digits (with the exact value's first digits)."""
    kind = hinter.rule.verdict(a.text, exact)
    verdict = Verdict(a.line, a.name, canonical, a.text, a.given, exact, kind == OK, kind=kind)
    if kind == TOO_FEW_DIGITS:
        verdict.hint = f"the exact value begins {first_digits(exact)}"
    elif kind == WRONG:
        if isinstance(node, Name):
            verdict.formula = hinter.formula(node.name)
            verdict.hint = hinter.hint(node.name, a.text, exact)
        elif isinstance(node, Neg) and isinstance(node.arg, Name):  # a name meaning −quantity (Err_j)
            verdict.hint = hinter.hint(node.arg.name, negated(a.text), -exact)
        else:
            verdict.hint = hinter.generic(a.text, exact)
    return verdict


def _powers(node, lookup):
    """``out_h1^2`` and ``e^1000`` as powers where no book's layer superscript made them a name
    (the tokenizer reads ``w^2_11`` as Nielsen's weight): a name unknown as such whose base is known."""
    if isinstance(node, Name) and lookup(node.name) is None:
        m = re.fullmatch(r"(.+?)\^\{?(\d+)\}?", node.name)
        if m and (m.group(1) == "e" or lookup(m.group(1)) is not None):
            return Bin("^", Name(m.group(1)), Num(float(m.group(2))))
    if isinstance(node, Neg):
        return Neg(_powers(node.arg, lookup))
    if isinstance(node, Bin):
        return Bin(node.op, _powers(node.left, lookup), _powers(node.right, lookup))
    return node


def _unknown(name: str, values: dict, after: dict) -> str:
    import difflib

    base = name.split("@", 1)[0]
    known = list(values) + sorted({k.split("@")[0] for k in after})
    close = difflib.get_close_matches(base, known, n=3, cutoff=0.6)
    text = f"unknown name {name!r}"
    if "@" in name:
        text += " (after N updates: net_X, out_X, E_total and the weights and biases are known)"
    return text + (f"; did you mean {', '.join(close)}?" if close else "")
