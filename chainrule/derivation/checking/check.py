"""Checking a learner's numbers against the exact computation — and against their own earlier lines.

An answer sheet holds one ``name = value`` per line (``#`` starts a comment).  The left side is a
name in the seed's notation, in the third seed's, or in a book's (``--notation``, or detected: see
:mod:`profiles`), or an expression of such names (``eta*dE_total/dw5``, ``1 - out_o2``, ``Δw5``;
see :mod:`expressions`).  Each line gets one verdict (:mod:`tolerance` has the rule,
:mod:`follow_through` the learner's own values):

``ok``
    right: the exact value as written (rounded or truncated, one unit carried), or what the
    learner's own right earlier lines give;
``carried``
    wrong against the exact value but right from the learner's own earlier numbers, one of which is
    wrong (error carried forward): the line names the earlier lines it inherits from;
``wrong``
    neither;
``too_few_digits``
    written with fewer than two significant digits and not exact: too short to judge;
``unknown``
    a name this network does not have (or a value after N updates past the bounds);
``unreadable``
    a line whose left side or number cannot be read, or that has no value (``1/0``);
``error``
    a line the checker itself failed on (a fault of ours; the command exits with 2).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ...errors import ChainruleError, FileFormatError
from ..notation.expressions import MAX_NAME_CHARS, Bin, Name, Neg, Num, evaluate, parse, write
from ..notation.expressions import names as names_in
from ..notation.names import AT, canonical_name
from ..notation.reader import Reader, detect, resolve
from .follow_through import FollowThrough
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


# ----------------------------------------------------------------------------- verdicts
CARRIED = "carried"  # wrong against the exact value, right from the learner's own (wrong) earlier numbers
UNKNOWN = "unknown"  # a name this network does not have
UNREADABLE = "unreadable"  # a line that cannot be read or has no value: its left side, or its number
ERROR = "error"  # a line the checker failed on (a fault of ours, never of the sheet: exit code 2)
KINDS = (OK, CARRIED, WRONG, TOO_FEW_DIGITS, UNKNOWN, UNREADABLE, ERROR)
_MARKS = {OK: "ok", CARRIED: "CARRY", WRONG: "WRONG", TOO_FEW_DIGITS: "DIGITS"}  # the others: ERROR


@dataclass
class Verdict:
    """The verdict on one answer line.

    Attributes
    ----------
    line : int
        The line's number in the sheet (1-based).
    name, canonical : str
        The left side as written, and in the seed's names (an expression where one was written).
    given_text : str
        The number as written; ``given`` its value (None where it cannot be used).
    expected : float or None
        The exact value (None: the line has none — unknown, unreadable).
    ok : bool
        Whether the line is right (``kind == "ok"``).
    hint : str or None
        The likely mistake, why the line has no verdict, or the exact value's first digits.
    formula : str or None
        The exact value's formula with the numbers substituted (wrong lines).
    kind : str
        One of ``KINDS``: ``"ok"``, ``"carried"``, ``"wrong"``, ``"too_few_digits"``, ``"unknown"``,
        ``"unreadable"``, ``"error"``.
    follow_through : float or None
        The value the learner's own earlier lines give for this line (where it was needed: a line
        wrong against the exact value).
    carried_from : tuple of int
        For a carried line, the earlier lines it inherits from (the wrong ones behind its numbers).
    """

    line: int
    name: str
    canonical: str
    given_text: str
    given: float | None
    expected: float | None
    ok: bool
    hint: str | None = None
    formula: str | None = None
    kind: str = OK
    follow_through: float | None = None
    carried_from: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """The verdict as JSON-ready data (``chainrule check --json``'s ``"lines"``)."""
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
            "follow_through": self.follow_through,
            "carried_from": list(self.carried_from),
        }


@dataclass
class CheckResult:
    """What :func:`chainrule.check` returns: every line's verdict, in the sheet's order.

    Attributes
    ----------
    verdicts : list of Verdict
        One per ``name = value`` line (blank answers are skipped).
    source : str
        Where the sheet came from (a path, or ``"<sheet>"``).
    notation : str
        The notation the names were read in; ``notation_note`` says how it was chosen.
    rule : Rule
        The marking rule (:mod:`chainrule.derivation.checking.tolerance`).
    follow_through : bool
        Whether lines were also judged from the learner's own earlier lines (``carried``).

    Examples
    --------
    >>> import chainrule
    >>> r = chainrule.check("out_h1 = 0.5933\nout_h1 = 0.7\n")
    >>> [v.kind for v in r.verdicts], r.ok, r.count("wrong")
    (['ok', 'too_few_digits'], False, 0)
    """

    verdicts: list[Verdict]
    source: str = "<sheet>"
    notation: str = "seed"
    notation_note: str = ""
    rule: Rule = DEFAULT
    follow_through: bool = True

    @property
    def ok(self) -> bool:
        """Whether every line is right (the command's exit code 0)."""
        return all(v.ok for v in self.verdicts)

    @property
    def failed(self) -> bool:
        """Whether the checker itself failed on a line (a fault of ours: the command exits with 2)."""
        return any(v.kind == ERROR for v in self.verdicts)

    @property
    def wrong(self) -> list[Verdict]:
        """The lines not judged right: carried, wrong, too short to judge, unknown, unreadable."""
        return [v for v in self.verdicts if not v.ok]

    def count(self, kind: str) -> int:
        """How many lines got the verdict ``kind`` (one of ``KINDS``)."""
        return sum(v.kind == kind for v in self.verdicts)

    def to_dict(self) -> dict:
        """Everything as JSON-ready data (``chainrule check --json``): ``ok``, ``notation``, ``rule``,
        ``follow_through``, ``counts`` (one per verdict kind) and ``lines``."""
        return {
            "ok": self.ok,
            "notation": self.notation,
            "rule": self.rule.describe(),
            "follow_through": self.follow_through,
            "counts": {k: self.count(k) for k in KINDS},
            "lines": [v.to_dict() for v in self.verdicts],
        }

    def to_text(self) -> str:
        """The verdicts as ``chainrule check`` prints them, one line each (a wrong one with the exact
        value, its formula and the likely mistake), then :meth:`summary`."""
        out = []
        if self.notation != "seed":
            out += [f"Notation: {printable(self.notation)}{self.notation_note}.", ""]
        for v in self.verdicts:
            out += _text_lines(v)
        out += ["", self.summary()]
        return "\n".join(out) + "\n"

    def summary(self) -> str:
        """``"36 lines checked: 30 right, 2 carried, 2 wrong, 1 unknown, 1 unreadable"``: every kind that
        occurs ("right" and "wrong" always)."""
        n, right, wrong = len(self.verdicts), self.count(OK), self.count(WRONG)
        words = {
            CARRIED: "carried (right from an earlier wrong line)",
            TOO_FEW_DIGITS: "with too few digits to judge",
            UNKNOWN: "unknown",
            UNREADABLE: "unreadable",
            ERROR: "not checked (an error of the checker)",
        }
        extra = "".join(f", {self.count(k)} {w}" for k, w in words.items() if self.count(k))
        return f"{n} line{'s' if n != 1 else ''} checked: {right} right, {wrong} wrong{extra}" + (
            " - all right." if right == n else ""
        )

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return "```text\n" + self.to_text() + "```\n"


def _text_lines(v: Verdict) -> list[str]:
    """One verdict as text: its line, and for a wrong one the formula and the likely mistake."""
    from ..rendering.number_format import fmt

    head = f"{_MARKS.get(v.kind, 'ERROR'):<6} line {v.line}: {_shown(v.name)} = {_shown(v.given_text)}"
    if v.kind == OK:
        return [head]
    if v.kind == TOO_FEW_DIGITS:
        return [f"{head}: too few digits to judge; {v.hint}"]
    if v.kind == CARRIED:
        return [f"{head}: {v.hint}"]
    if v.kind != WRONG:
        return [f"{head}: {printable(v.hint or '')}"]
    out = [f"{head}: the exact value is {fmt(v.expected)}"]
    if v.formula:
        out.append(f"         {v.formula}")
    if v.carried_from and v.follow_through is not None:  # wrong even from the learner's own (wrong) numbers
        lines = f"line{'s' if len(v.carried_from) > 1 else ''} {', '.join(map(str, v.carried_from))}"
        out.append(f"         from your own numbers ({lines}) it is {fmt(v.follow_through)}")
    if v.hint:
        out.append(f"         likely: {v.hint}")
    return out


def _shown(text: str, limit: int = 80) -> str:
    """A name or number as the text shows it: printable, and cut short past ``limit`` characters."""
    return printable(text if len(text) <= limit else text[: limit - 20] + f"... ({len(text):,} characters)")


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (``\\x1b``, ``\\u202e``):
    a name on a sheet is shown, never obeyed (no retitled or cleared terminal)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


# ----------------------------------------------------------------------------- checking a sheet
def check_answers(
    answers: list[AnswerLine],
    trace,
    run,
    source: str = "<sheet>",
    rule: Rule = DEFAULT,
    notation: str | dict | None = None,
    follow_through: bool = True,
    sample: int | None = None,
) -> CheckResult:
    """A verdict for every answer, against one step of the engine (``trace``) and the values after N
    updates of ``run`` (:class:`~chainrule.derivation.step.after_updates.Run`) for ``NAME@N``.

    ``notation``: a profile name (:mod:`profiles`), a table of one's own, or None / ``"auto"`` to
    pick the one that reads the most names.  ``follow_through``: also judge each line by what the
    learner's own earlier lines give (``carried``).  ``sample``: for a full-batch step, the sample a
    name without ``[k]`` means (``out_o1`` is ``out_o1[2]`` with ``sample=2``)."""
    from ..step.after_updates import AfterValues

    reading = _Reading(answers, trace, notation, sample)
    after = AfterValues(run, _asked_after(reading.nodes.values()))
    marker = _Marker(trace, after, Hinter(trace, run, after, rule), FollowThrough(trace) if follow_through else None)
    verdicts = []
    for a in answers:
        node = reading.nodes.get(a.line)
        verdicts.append(_guarded(a, lambda a, node=node: marker.verdict(a, node, reading.notation)))
        marker.learn(a, node, verdicts[-1])
    return CheckResult(verdicts, source, reading.notation, reading.note, rule, follow_through)


def _asked_after(nodes) -> dict[int, set[str]]:
    """N → the names asked after N updates, from the lines read."""
    wanted: dict[int, set[str]] = {}
    for node in nodes:
        if node is not None and not isinstance(node, Exception):
            for name in names_in(node):
                m = AT.fullmatch(name)
                if m:
                    base = re.fullmatch(r"(.+?)\^\{?\d+\}?", m.group(1))  # out_h1@3^2: a power of out_h1@3
                    wanted.setdefault(int(m.group(2)), set()).add(base.group(1) if base else m.group(1))
    return wanted


class _Reading:
    """The sheet's left sides read: each line's expression tree in the seed's names (None: a name the
    notation cannot read; an exception: a line that cannot be read), and the notation used."""

    def __init__(self, answers: list[AnswerLine], trace, notation, sample: int | None):
        values = trace.values
        trees = {a.line: _parsed(a.name) for a in answers if a.problem is None}
        notation, self.note = _notation(answers, trace.notation, values, notation)
        reader = Reader(trace.notation, notation)
        self.notation = reader.profile_name
        self.nodes = {line: _renamed(_resolved(tree, reader), _alias, values) for line, tree in trees.items()}
        if sample is not None:
            self.nodes = {line: _renamed(node, _of_sample, values, sample) for line, node in self.nodes.items()}


def _renamed(node, rename, *args):
    """The expression with every name through ``rename(name, *args)`` (exceptions and None as they are)."""
    if isinstance(node, Name):
        return Name(rename(node.name, *args))
    if isinstance(node, Neg):
        return Neg(_renamed(node.arg, rename, *args))
    if isinstance(node, Bin):
        return Bin(node.op, _renamed(node.left, rename, *args), _renamed(node.right, rename, *args))
    return node


_OWN = re.compile(r"dE_(o\w+?)/d(out|net)_\1((?:\[\d+\])?(?:@\d+)?)")  # dE_o1/dout_o1, dE_o1/dnet_o1[2]@3


def _alias(name: str, values: dict) -> str:
    """One output's own error's derivatives under the names this step has: dE_oK/dout_oK is
    dE_total/dout_oK (E_total = Σ E_oK, and E_oK depends on out_oK alone); dE_oK/dnet_oK, where the step
    does not name it, is delta_oK (an elementwise output)."""
    m = _OWN.fullmatch(name)
    if not m or name in values or AT.sub(r"\1", name) in values:
        return name
    o, wrt, suffix = m.groups()
    return f"dE_total/dout_{o}{suffix}" if wrt == "out" else f"delta_{o}{suffix}"


def _of_sample(name: str, values: dict, k: int) -> str:
    """With a full batch's sample k chosen, a name without ``[k]`` that sample k has (``out_o1``) is read
    as sample k's (``out_o1[k]``); the batch's own names (``w5+``) stay."""
    m = AT.fullmatch(name)
    base, at = (m.group(1), f"@{m.group(2)}") if m else (name, "")
    return f"{base}[{k}]{at}" if "[" not in base and f"{base}[{k}]" in values else name


_CANNOT = (ArithmeticError, ValueError, RecursionError, ChainruleError)  # what a line can make go wrong
_CHECK = re.compile(r"(numgrad|relerr)\((.+),([^,()]+)\)")  # a gradient check of one parameter
MAX_CHECK_WORK = 20_000_000  # gradient checks × the step's named numbers: two forward passes each


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


def _notation(answers: list[AnswerLine], names, values: dict, notation) -> tuple[str | dict, str]:
    """The notation to read the names in, and how it was chosen: as asked, or the profile that reads
    the most names (``notation`` None or ``"auto"``)."""
    if notation not in (None, "auto"):
        return notation, " (as asked)"

    def known(n):  # a name after N updates is known when the name itself is
        m = AT.fullmatch(n)
        return (m.group(1) if m else n) in values

    readable = [a.name for a in answers if a.problem is None]
    notation, read = detect(readable, names, known)
    return notation, (f" (detected: it reads {read} of the {len(readable)} names)" if notation != "seed" else "")


class _Marker:
    """Judges one line at a time, in the sheet's order, and learns each line's value for the lines after
    it (follow-through)."""

    def __init__(self, trace, after, hinter: Hinter, follow: FollowThrough | None):
        self.trace, self.values, self.after, self.hinter, self.follow = trace, trace.values, after, hinter, follow
        self.rule = hinter.rule
        self._checks: dict[tuple[str, float], float] = {}  # (parameter, ε) -> the numerical gradient

    def lookup(self, name: str) -> float | None:
        """A name's exact value; None where this step has none (or NAME@N is not computed)."""
        m = AT.fullmatch(name)
        if m is not None:
            return self.after.get(m.group(1), int(m.group(2)))
        m = _CHECK.fullmatch(name)
        return self.values.get(name) if m is None else self._gradient_check(m.group(1), m.group(2), float(m.group(3)))

    def _gradient_check(self, kind: str, parameter: str, eps: float) -> float | None:
        """``numgrad(p,ε)``, the central difference of E_total, or ``relerr(p,ε)`` = |g − n| / (|g| + |n|)
        between it and the backward pass's g = dE_total/dp; None past the work bound or for ε ≤ 0."""
        from ..step.trace import numerical_gradient

        key = (parameter, eps)
        if key not in self._checks:
            if not eps > 0 or parameter not in self.values or len(self._checks) * len(self.values) > MAX_CHECK_WORK:
                return None
            self._checks[key] = numerical_gradient(self.trace, parameter, eps)
        n = self._checks[key]
        if kind == "numgrad":
            return n
        g = self.values[f"dE_total/d{parameter}"] if f"dE_total/d{parameter}" in self.values else None
        return None if g is None else (abs(g - n) / (abs(g) + abs(n)) if g or n else 0.0)

    def verdict(self, a: AnswerLine, node, notation: str) -> Verdict:
        """Unknown where the left side names what this network does not have, unreadable where it
        cannot be read or has no finite value; otherwise judged by the rule."""
        if isinstance(node, Exception):
            return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, str(node), kind=UNREADABLE)
        if node is None:
            why = f"the {notation} notation has no name {a.name!r}"
            return Verdict(a.line, a.name, a.name, a.text, a.given, None, False, why, kind=UNKNOWN)
        node = _powers(node, self.lookup)
        canonical = write(node)
        missing = [n for n in names_in(node) if self.lookup(n) is None]
        if missing:
            return Verdict(
                a.line, a.name, canonical, a.text, a.given, None, False, self._unknown(missing[0]), kind=UNKNOWN
            )
        exact = evaluate(node, self.lookup)
        if not math.isfinite(exact):  # 1/0, 2^10000, 1e400 on the left: nothing to compare with
            why = f"{a.name!r} has no finite value (a division by zero or an overflow)"
            return Verdict(a.line, a.name, canonical, a.text, a.given, None, False, why, kind=UNREADABLE)
        return self.judged(a, node, canonical, exact)

    def judged(self, a: AnswerLine, node, canonical: str, exact: float) -> Verdict:
        """The rule's verdict against the exact value; a line wrong there is judged again against what the
        learner's own earlier lines give (ok or carried), and otherwise gets the formula and the likely
        mistake."""
        kind = self.rule.verdict(a.text, exact)
        verdict = Verdict(a.line, a.name, canonical, a.text, a.given, exact, kind == OK, kind=kind)
        if kind == TOO_FEW_DIGITS:
            verdict.hint = f"the exact value begins {first_digits(exact)}"
        elif kind == WRONG and not self._from_own_lines(a, node, verdict):
            if isinstance(node, Name) and (node.name in self.values or AT.fullmatch(node.name)):
                verdict.formula = self.hinter.formula(node.name)
                verdict.hint = self.hinter.hint(node.name, a.text, exact)
            elif isinstance(node, Neg) and isinstance(node.arg, Name) and node.arg.name in self.values:  # Err_j
                verdict.hint = self.hinter.hint(node.arg.name, negated(a.text), -exact)
            else:
                verdict.hint = self.hinter.generic(a.text, exact)
        return verdict

    def _from_own_lines(self, a: AnswerLine, node, verdict: Verdict) -> bool:
        """Whether the line is right by what the learner's earlier lines give (the verdict becomes ok, or
        carried from the earlier lines not right behind it); the follow-through value is kept either way."""
        found = self.follow.value(node) if self.follow is not None else None
        if found is None or not math.isfinite(found[0]):
            return False
        value, sources = found
        verdict.follow_through, verdict.carried_from = value, tuple(sorted(sources))
        if self.rule.verdict(a.text, value) != OK:
            return False
        lines = ", ".join(map(str, verdict.carried_from))
        if sources:
            verdict.kind = CARRIED
            verdict.hint = (
                f"right from your own numbers, carried from line{'s' if len(sources) > 1 else ''} {lines} "
                f"(the exact value is {_fmt(verdict.expected)})"
            )
        else:
            verdict.kind, verdict.ok = OK, True
            verdict.hint = "right from your own earlier (rounded) numbers"
        return True

    def learn(self, a: AnswerLine, node, verdict: Verdict) -> None:
        """The line's value, for the lines after it: a name (or minus one, Han & Kamber's Err_j) with a
        value, and the lines not right behind it."""
        if self.follow is None or a.given is None or verdict.kind not in (OK, CARRIED, WRONG, TOO_FEW_DIGITS):
            return
        sign = 1.0
        if isinstance(node, Neg):
            node, sign = node.arg, -1.0
        if not isinstance(node, Name) or AT.fullmatch(node.name):
            return
        if verdict.kind == OK:
            sources = frozenset()
        elif verdict.kind == CARRIED:
            sources = frozenset(verdict.carried_from)
        else:
            sources = frozenset({a.line})
        self.follow.learn(node.name, sign * a.given, sources)

    def _unknown(self, name: str) -> str:
        """Why ``name`` has no value: a bound on NAME@N, or no such name (with the names it resembles)."""
        import difflib

        m = AT.fullmatch(name)
        if m and int(m.group(2)) in self.after.refused and m.group(1) in self.values:
            return self.after.refused[int(m.group(2))]
        base = m.group(1) if m else name
        close = difflib.get_close_matches(base, list(self.values), n=3, cutoff=0.6)
        text = f"unknown name {name!r}"
        if m:
            text += " (after N updates, every name of the step is known: NAME@N is NAME in the step after N updates)"
        return text + (f"; did you mean {', '.join(close)}?" if close else "")


def _fmt(value: float) -> str:
    from ..rendering.number_format import fmt

    return fmt(value)


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
