"""Marking a class: each student's sheet checked against their own network, and given points.

Every sheet is checked by :func:`chainrule.check` (follow-through included) against the network the
student was given; each asked quantity then gets the verdict of the student's last line for it
(``missing`` where there is none) and points by the scheme (:class:`Points`): a question is worth 1
point by default (or what the teacher sets for it or its group), times the verdict's share (default
ok 1, carried ½, every other verdict 0).

A sheet that matches another student's network far better than its owner's (the numbers right for
that network, line by line, by the marking rule) is flagged: it is marked against its owner's network
as every sheet is, and the gradebook says whose network it fits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..derivation.checking.tolerance import OK, Rule
from ..errors import ConfigError, FileFormatError
from .class_folder import ClassInfo
from .roster import Student
from .submissions import Submission

VERDICTS = ("ok", "carried", "wrong", "too_few_digits", "unknown", "unreadable", "error", "missing")
GROUPS = ("forward", "error", "deltas", "gradients", "updates", "after")
SHARE = {"ok": 1.0, "carried": 0.5}  # of a question's worth; every other verdict: 0
MARKED, FLAGGED = "marked", "flagged"  # statuses with a grade
NO_SUBMISSION, EMPTY, WRONG_FORMAT, DUPLICATE, UNKNOWN_STUDENT, NO_NETWORK = (
    "no submission", "empty", "wrong format", "duplicate", "unknown student", "no network",
)  # fmt: skip


def group_of(name: str) -> str:
    """The group of an asked quantity.

    Parameters
    ----------
    name : str
        A quantity in the seed's names.

    Returns
    -------
    str
        ``forward`` (net, out), ``error`` (E_...), ``deltas``, ``gradients`` (dE/d...), ``updates``
        (w5+, b_h1+) or ``after`` (NAME@N).

    Examples
    --------
    >>> [group_of(n) for n in ("out_h1", "E_total", "delta_o1", "dE_total/dw5", "w5+", "E_total@3")]
    ['forward', 'error', 'deltas', 'gradients', 'updates', 'after']
    """
    if "@" in name:
        return "after"
    if name.endswith("+"):
        return "updates"
    if name.startswith("d"):
        return "gradients" if not name.startswith("delta_") else "deltas"
    return "error" if name.startswith("E_") else "forward"


@dataclass(frozen=True)
class Points:
    """A points scheme: what each verdict earns of a question's worth, and what each question is worth.

    Attributes
    ----------
    share : dict
        Verdict → share of the question's worth, in [0, 1] (default ok 1, carried 0.5, others 0).
    worth : dict
        A quantity (the seed's name, ``w5+``) or a group (``deltas``) → the points it is worth
        (default 1; a quantity's own entry before its group's).

    Examples
    --------
    >>> p = Points.parse("ok=1,carried=0.25", "deltas=2,E_total=3")
    >>> p.points("delta_h1", "carried"), p.points("E_total", "ok"), p.points("net_h1", "wrong")
    (0.5, 3.0, 0.0)
    """

    share: dict = field(default_factory=lambda: dict(SHARE))
    worth: dict = field(default_factory=dict)

    def __post_init__(self):
        for verdict, value in self.share.items():
            if verdict not in VERDICTS:
                raise ConfigError(f"no verdict {verdict!r} to give points to; the verdicts are {', '.join(VERDICTS)}")
            if not (isinstance(value, (int, float)) and 0 <= value <= 1):
                raise ConfigError(f"the share for {verdict} must be a number from 0 to 1, not {value!r}")
        for name, value in self.worth.items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ConfigError(f"the worth of {name} must be a number of at least 0, not {value!r}")

    @classmethod
    def parse(cls, share: str | None = None, worth: str | None = None) -> Points:
        """A scheme from ``"ok=1,carried=0.5"`` (shares: the verdicts not named earn 0, unless the text is
        empty) and ``"deltas=2,w5+=3"`` (worths)."""
        shares = dict(SHARE) if not share else {"ok": 0.0} | _pairs(share, "--points")
        return cls(shares, _pairs(worth, "--worth") if worth else {})

    def worth_of(self, name: str) -> float:
        """The points question ``name`` is worth."""
        return float(self.worth.get(name, self.worth.get(group_of(name), 1.0)))

    def points(self, name: str, verdict: str) -> float:
        """The points a ``verdict`` on question ``name`` earns."""
        return self.worth_of(name) * float(self.share.get(verdict, 0.0))

    def to_dict(self) -> dict:
        """The scheme as JSON-ready data."""
        return {"share": dict(self.share), "worth": dict(self.worth)}


def _pairs(text: str, option: str) -> dict:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, eq, value = part.rpartition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"{option}: expected NAME=NUMBER, not {part!r}") from None
        if not eq or not key.strip():
            raise ConfigError(f"{option}: expected NAME=NUMBER, not {part!r}")
    return out


@dataclass
class QuestionMark:
    """One asked quantity's mark: ``name`` (the seed's), ``written`` (as the sheet writes it), the
    ``verdict``, the ``line`` it came from (None: missing), ``points`` and ``worth``."""

    name: str
    written: str
    verdict: str
    line: int | None
    points: float
    worth: float


@dataclass
class StudentMark:
    """A student's (or an unmatched file's) row of the gradebook.

    Attributes
    ----------
    id : str
        The student's id (for a file no student matches: its name).
    student : Student or None
        The roster's entry (None: a file no student matches).
    status : str
        ``marked``, ``flagged`` (marked; the sheet fits another student's network), ``no submission``,
        ``empty``, ``wrong format``, ``duplicate``, ``unknown student`` or ``no network``.
    note : str
        One line: what happened (the gradebook's feedback for a sheet not marked).
    questions : list of QuestionMark
        Per asked quantity (empty where the sheet is not marked).
    result : CheckResult or None
        The check's verdicts on every line.
    sources : list of str
        The files behind this row.
    """

    id: str
    student: Student | None
    status: str
    note: str = ""
    questions: list = field(default_factory=list)
    result: object = None
    sources: list = field(default_factory=list)

    @property
    def graded(self) -> bool:
        """Whether the row has a grade (its sheet was marked)."""
        return self.status in (MARKED, FLAGGED)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_points(self) -> float:
        return sum(q.worth for q in self.questions)

    @property
    def percent(self) -> float | None:
        """The grade in percent (None: not graded; 0 where nothing is worth a point)."""
        if not self.graded:
            return None
        return 100.0 * self.points / self.max_points if self.max_points else 0.0


def mark_class(info: ClassInfo, submissions: list[Submission], points: Points | None = None, rule: Rule | None = None):
    """Every student's row (roster order), then a row per file no student matches.

    Parameters
    ----------
    info : ClassInfo
        The class (:func:`~chainrule.classroom.class_folder.read_class`).
    submissions : list of Submission
        What :func:`~chainrule.classroom.submissions.collect` found.
    points : Points, optional
        The scheme (default: ok 1, carried ½, others 0; every question worth 1).
    rule : Rule, optional
        The marking rule (default: the digits written, see ``chainrule check``).

    Returns
    -------
    list of StudentMark
    """
    points, rule = points or Points(), rule or Rule()
    by_student: dict[str, list[Submission]] = {}
    for sub in submissions:
        if sub.student is not None:
            by_student.setdefault(sub.student, []).append(sub)
    rows = [_mark_student(info, s, by_student.get(s.id, []), points, rule) for s in info.students]
    _flag_other_networks(info, rows, rule)
    for sub in submissions:
        if sub.student is None:
            rows.append(StudentMark(sub.source, None, UNKNOWN_STUDENT, sub.problem or "", sources=[sub.source]))
    return rows


def _mark_student(info: ClassInfo, student: Student, subs: list[Submission], points: Points, rule: Rule) -> StudentMark:
    """One student's row: their one sheet marked, or why none is."""
    sheets = [s for s in subs if s.problem is None]
    distinct = list(dict.fromkeys(s.text for s in sheets))
    sources = [s.source for s in subs]
    if not subs:
        return StudentMark(student.id, student, NO_SUBMISSION, "no sheet was handed in")
    if len(distinct) > 1:
        files = ", ".join(s.source for s in sheets)
        note = f"{len(distinct)} different sheets ({files}); none marked: keep one"
        return StudentMark(student.id, student, DUPLICATE, note, sources=sources)
    if not sheets:
        return StudentMark(student.id, student, WRONG_FORMAT, subs[0].problem, sources=sources)
    row = mark_sheet(info, student, distinct[0], points, rule, sheets[0].source, sources)
    others = [s.source for s in subs if s.problem is not None]
    if others:  # a PDF beside the sheet: not marked, and said so
        row.note += f" (not a sheet, not marked: {', '.join(others)})"
    return row


def mark_sheet(info: ClassInfo, student: Student, text: str, points: Points, rule: Rule, source="<sheet>", sources=()):
    """One sheet marked against ``student``'s network: each asked quantity's verdict and points.

    Parameters
    ----------
    info : ClassInfo
        The class (its network for the student, the questions, the notation).
    student : Student
        Whose sheet it is.
    text : str
        The sheet's text.
    points : Points
        The scheme.
    rule : Rule
        The marking rule.
    source : str
        Where the sheet came from (for the note of a sheet that cannot be read).
    sources : sequence of str
        The files behind the row.

    Returns
    -------
    StudentMark
        ``marked``; ``empty`` or ``wrong format`` (the sheet), or ``no network`` (the student's network
        file is missing from the class folder), with the one line that says why.
    """
    try:
        network = info.network(student.id)
    except (FileFormatError, ConfigError, OSError) as exc:  # the teacher's folder, not the sheet
        why = f"the student's network cannot be read: {exc}"
        return StudentMark(student.id, student, NO_NETWORK, why, sources=list(sources))
    try:
        result = _check(info, network, text, rule)
    except FileFormatError as exc:
        why = str(exc).removeprefix("<sheet>: ")  # the sheet was given as its text
        kind = EMPTY if "no 'name = value' lines" in why else WRONG_FORMAT
        return StudentMark(student.id, student, kind, f"{source}: {why}", sources=list(sources))
    questions = _questions(info, student.id, result, points)
    right = sum(q.verdict == OK for q in questions)
    note = f"{right} of {len(questions)} right" + _counts(questions)
    return StudentMark(student.id, student, MARKED, note, questions, result, list(sources))


def _check(info: ClassInfo, network: dict, text: str, rule: Rule):
    """The check of one sheet against the student's own network (the class's notation)."""
    from ..api import check

    text = text if text.endswith("\n") else text + "\n"  # always the text, never read as a path
    return check(text, network, notation=info.shape.notation, digits=rule.digits, abs=rule.abs, rel=rule.rel)


def _questions(info: ClassInfo, student_id: str, result, points: Points) -> list[QuestionMark]:
    """Each asked quantity's verdict: the student's last line for it (its canonical name, or as written)."""
    asked, written = info.asked[student_id], info.written[student_id]
    by_written = {w: a for a, w in written.items()}
    last = {}
    for v in result.verdicts:
        name = v.canonical.replace("--", "")  # -Err_6 for delta_o1 is delta_o1
        name = name if name in written else by_written.get(v.name.strip(), name)
        if name in written:
            last[name] = v
    out = []
    for a in asked:
        v = last.get(a)
        verdict = "missing" if v is None else v.kind
        out.append(
            QuestionMark(
                a,
                written.get(a, a),
                verdict,
                None if v is None else v.line,
                points.points(a, verdict),
                points.worth_of(a),
            )
        )
    return out


def _counts(questions: list[QuestionMark]) -> str:
    """``; 2 carried, 1 wrong, 3 missing``: the verdicts other than ok, in VERDICTS' order."""
    counts = {k: sum(q.verdict == k for q in questions) for k in VERDICTS if k != OK}
    words = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n]
    return "; " + ", ".join(words) if words else ""


# ----------------------------------------------------------------------------- another student's network
def _flag_other_networks(info: ClassInfo, rows: list[StudentMark], rule: Rule) -> None:
    """Flag each marked sheet that fits another student's network far better than its own: right by the
    rule on at least 3 lines and on most of those answered, and more than twice as many as its own."""
    keys = None
    for row in rows:
        if row.status != MARKED:
            continue
        answered = [v for v in row.result.verdicts if v.given is not None and "@" not in v.canonical]
        own = sum(v.kind == OK for v in answered)
        if len(answered) < 3 or own * 2 >= len(answered):
            continue
        keys = keys if keys is not None else _keys(info)
        best, count = _best_fit(answered, keys, row.id, rule)
        if best is not None and count >= max(3, math.ceil(0.6 * len(answered))) and count > 2 * own:
            row.status = FLAGGED
            row.note = (
                f"the sheet fits {best}'s network ({count} of {len(answered)} lines right) far better than "
                f"{row.id}'s own ({own}): a sheet for another student's network? {row.note}"
            )


def _keys(info: ClassInfo) -> dict[str, dict[str, float]]:
    """Every student's exact values of the step (the seed's names), from the network they were given."""
    from ..derivation.step.trace import trace_step
    from ..io.network_file import network_from_dict

    keys = {}
    for s in info.students:
        try:
            nf = network_from_dict(info.network(s.id))
        except (FileFormatError, ConfigError, OSError):
            continue  # a folder the teacher removed: no key to compare with
        keys[s.id] = trace_step(nf.network, nf.inputs[0], nf.targets[0], nf.learning_rate).values
    return keys


def _best_fit(answered, keys: dict, own_id: str, rule: Rule) -> tuple[str | None, int]:
    """(the other student whose exact values the most answered lines match, how many)."""
    best, most = None, 0
    for sid, values in keys.items():
        if sid == own_id:
            continue
        n = 0
        for v in answered:
            exact = values.get(re.sub(r"^-+", "", v.canonical))
            exact = None if exact is None else (-exact if v.canonical.count("-", 0, 2) == 1 else exact)
            if exact is not None and _close(v.given, exact) and rule.verdict(v.given_text, exact) == OK:
                n += 1
        if n > most:
            best, most = sid, n
    return best, most


def _close(given: float, exact: float) -> bool:
    """A cheap first test before the rule's: within 1% (or 1e-6) of the exact value."""
    return abs(given - exact) <= max(0.01 * abs(exact), 1e-6)
