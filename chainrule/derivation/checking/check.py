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

from ...core.network import Network
from ...errors import ChainruleError, FileFormatError
from ..notation.expressions import MAX_NAME_CHARS, Bin, Name, Neg, Num, evaluate, parse, write
from ..notation.expressions import names as names_in
from ..notation.names import AT, Notation, canonical_name
from ..notation.reader import Reader, detect, resolve
from ..step.after_updates import MAX_ITERATIONS, values_after
from .hints import Hinter
from .tolerance import DEFAULT, OK, TOO_FEW_DIGITS, WRONG, Rule, first_digits, negated, read_number


@dataclass
class AnswerLine:
    line: int  # 1-based line number in the sheet
    name: str  # as written
    canonical: str  # in DESIGN.md's notation
    text: str  # the number as written
    given: float | None  # None: the number cannot be used (``problem`` says why)
    problem: str | None = None


def parse_sheet(text: str) -> list[AnswerLine]:
    """The ``name = value`` lines of an answer sheet.  A line without ``=`` or without a name is a
    FileFormatError (the sheet is not a sheet); a number that cannot be used (not a number, too long,
    beyond float64) is kept with its ``problem``, and that line alone is judged unreadable."""
    answers = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise FileFormatError(f"line {number}: expected 'name = value', got {raw.strip()[:80]!r}")
        name, value = (part.strip() for part in line.rsplit("=", 1))
        if not name:
            raise FileFormatError(f"line {number}: no name before '='")
        if not value:  # not answered yet (an exercise's blank sheet)
            continue
        try:
            given, problem = read_number(value), None
        except ValueError as exc:
            given, problem = None, str(exc)
        answers.append(AnswerLine(number, name, _canonical(name), value, given, problem))
    return answers


def _canonical(name: str) -> str:
    """The seed's name for a written one, as far as it can be read without a network (a name too long
    to be one stays as written)."""
    return canonical_name(name) if len(name) <= MAX_NAME_CHARS else name


def iterations_asked(names: list[str]) -> set[int]:
    return {int(m.group(2)) for n in names if (m := AT.fullmatch(n))}


# ----------------------------------------------------------------------------- verdicts
UNKNOWN = "unknown"  # a name this network does not have
UNREADABLE = "unreadable"  # a line that cannot be read or has no value: its left side, or its number
ERROR = "error"  # a line the checker failed on (a fault of ours, never of the sheet: exit code 2)
KINDS = (OK, WRONG, TOO_FEW_DIGITS, UNKNOWN, UNREADABLE, ERROR)
_MARKS = {OK: "ok", WRONG: "WRONG", TOO_FEW_DIGITS: "DIGITS", UNKNOWN: "ERROR", UNREADABLE: "ERROR", ERROR: "ERROR"}


@dataclass
class Verdict:
    """The verdict on one answer line."""

    line: int
    name: str  # as written
    canonical: str  # in the seed's names (an expression where one was written)
    given_text: str
    given: float | None
    expected: float | None  # None: the name is unknown
    ok: bool
    hint: str | None = None  # the likely mistake, the names meant, or the exact value's first digits
    formula: str | None = None  # the exact value's formula with the numbers substituted
    kind: str = OK  # one of KINDS

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
    def failed(self) -> bool:
        """Whether the checker itself failed on a line (a fault of ours: the command exits with 2)."""
        return any(v.kind == ERROR for v in self.verdicts)

    @property
    def wrong(self) -> list[Verdict]:
        """The lines not judged right: wrong, unknown, unreadable, or too short to judge."""
        return [v for v in self.verdicts if not v.ok]

    def count(self, kind: str) -> int:
        return sum(v.kind == kind for v in self.verdicts)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "notation": self.notation,
            "rule": self.rule.describe(),
            "counts": {k: self.count(k) for k in KINDS},
            "lines": [v.to_dict() for v in self.verdicts],
        }

    def to_text(self) -> str:
        from ..rendering.number_format import fmt

        out = []
        if self.notation != "seed":
            out += [f"Notation: {printable(self.notation)}{self.notation_note}.", ""]
        for v in self.verdicts:
            out.append(f"{_MARKS[v.kind]:<6} line {v.line}: {_shown(v.name)} = {_shown(v.given_text)}")
            if v.kind == TOO_FEW_DIGITS:
                out[-1] += f": too few digits to judge; {v.hint}"
            elif v.kind == WRONG:
                out[-1] += f": the exact value is {fmt(v.expected)}"
                if v.formula:
                    out.append(f"         {v.formula}")
                if v.hint:
                    out.append(f"         likely: {v.hint}")
            elif v.kind != OK:
                out[-1] += f": {printable(v.hint or '')}"
        out += ["", self.summary()]
        return "\n".join(out) + "\n"

    def summary(self) -> str:
        """``"36 lines checked: 30 right, 4 wrong, 1 unknown, 1 unreadable"``: every kind that occurs."""
        n, right, wrong = len(self.verdicts), self.count(OK), self.count(WRONG)
        words = {TOO_FEW_DIGITS: "with too few digits to judge", UNKNOWN: "unknown", UNREADABLE: "unreadable"}
        words[ERROR] = "not checked (an error of the checker)"
        extra = "".join(f", {self.count(k)} {w}" for k, w in words.items() if self.count(k))
        return f"{n} line{'s' if n != 1 else ''} checked: {right} right, {wrong} wrong{extra}" + (
            " - all right." if right == n else ""
        )

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return "```text\n" + self.to_text() + "```\n"


def _shown(text: str, limit: int = 80) -> str:
    """A name or number as the text shows it: printable, and cut short past ``limit`` characters."""
    return printable(text if len(text) <= limit else text[: limit - 20] + f"... ({len(text):,} characters)")


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (``\\x1b``, ``\\u202e``):
    a name on a sheet is shown, never obeyed (no retitled or cleared terminal)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


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
    resolved = {line: _resolved(t, reader) for line, t in trees.items()}
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

    verdicts = [
        _guarded(a, lambda a: _verdict(a, resolved[a.line], notation, lookup, values, after, hinter)) for a in answers
    ]
    return CheckResult(verdicts, source, notation, note, rule)


_CANNOT = (ArithmeticError, ValueError, RecursionError, ChainruleError)  # what a line can make go wrong


def _guarded(a: AnswerLine, judge) -> Verdict:
    """``judge(a)``, or the verdict that says why the line has none: its number is not usable, or it
    cannot be evaluated (unreadable); a failure of the checker itself is an ERROR verdict, never a
    traceback that loses the other lines."""
    if a.problem is not None:
        return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, a.problem, kind=UNREADABLE)
    try:
        return judge(a)
    except _CANNOT as exc:
        why = f"cannot be evaluated ({type(exc).__name__}: {exc})"
        return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, why, kind=UNREADABLE)
    except MemoryError:
        raise
    except Exception as exc:  # a fault of the checker: say so, check the other lines, exit with 2
        why = f"the checker failed on this line ({type(exc).__name__}: {exc}); please report it"
        return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, why, kind=ERROR)


def _parsed(name: str):
    """The expression tree of an answer's left side, or the FileFormatError that says why it cannot be read."""
    try:
        return parse(name)
    except FileFormatError as exc:
        return exc


def _resolved(tree, reader: Reader):
    """The tree in the seed's names (None: a name the notation cannot read), or the exception that says
    why it cannot be read."""
    if isinstance(tree, Exception):
        return tree
    try:
        return resolve(tree, reader)
    except _CANNOT as exc:
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
        return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, str(node), kind=UNREADABLE)
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
        return Verdict(a.line, a.name, canonical, a.text, a.given, None, False, why, kind=UNREADABLE)
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
