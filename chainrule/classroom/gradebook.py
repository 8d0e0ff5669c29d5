"""The grades written out: a gradebook CSV, a CSV for Canvas's import, and one feedback file per student.

``gradebook.csv`` has one row per student (and one per file no student matches): ``id``, ``name``,
``email``, ``status``, ``grade`` (percent), ``points``, ``max_points``, ``feedback`` (one line), the
points per group of questions, and per question ``q1``, ``q2``, ... (each student's questions in
their sheet's order; the feedback file names them).  Moodle's grade import maps ``id`` to the users'
ID number (or ``email`` to their email address), ``grade`` to the assignment and ``feedback`` to its
feedback, and ignores the other columns.  ``canvas.csv`` holds what Canvas's gradebook import reads:
``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section`` and the assignment's column.
``feedback/ID.md`` holds a student's verdicts, hints and the worked line of every mistake.

Every file is written atomically (``io/atomic.py``), and none over an input.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import ConfigError
from .grading import GROUPS, StudentMark, group_of

GRADEBOOK_FILE, CANVAS_FILE, FEEDBACK_FOLDER = "gradebook.csv", "canvas.csv", "feedback"


def _number(value: float | None) -> str:
    """A grade or points as the CSV writes them: at most 2 decimals, no trailing zeros; blank for None."""
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def gradebook_csv(rows: list[StudentMark]) -> str:
    """The gradebook as CSV text (the columns: see the module).

    Parameters
    ----------
    rows : list of StudentMark
        The marked class.

    Returns
    -------
    str
    """
    n_q = max((len(r.questions) for r in rows), default=0)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "email", "status", "grade", "points", "max_points", "feedback", *GROUPS,
                *(f"q{k}" for k in range(1, n_q + 1))])  # fmt: skip
    for r in rows:
        s = r.student
        groups = {g: None for g in GROUPS}
        for q in r.questions:
            groups[group_of(q.name)] = (groups[group_of(q.name)] or 0.0) + q.points
        graded = r.graded
        w.writerow([
            _safe(r.id), _safe(s.name) if s else "", _safe(s.email) if s else "", r.status, _number(r.percent),
            _number(r.points if graded else None), _number(r.max_points if graded else None), _safe(r.note),
            *(_number(groups[g] if graded else None) for g in GROUPS),
            *(_number(q.points) for q in r.questions), *([""] * (n_q - len(r.questions))),
        ])  # fmt: skip
    return out.getvalue()


def canvas_csv(rows: list[StudentMark], assignment: str) -> str:
    """Canvas's gradebook import: the students with a grade, the assignment's column in percent.

    Parameters
    ----------
    rows : list of StudentMark
        The marked class.
    assignment : str
        The assignment's column.

    Returns
    -------
    str
        CSV text: ``Student``, ``ID`` (the roster's ``lms_id``), ``SIS User ID`` (the id), ``SIS Login
        ID`` (the email), ``Section`` and the assignment.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    for r in rows:
        if r.student is not None and r.graded:
            w.writerow([_safe(r.student.name), r.student.lms_id, r.id, r.student.email, "", _number(r.percent)])
    return out.getvalue()


def _safe(text: str) -> str:
    """A cell on one line that a spreadsheet will not run: control characters (a ZIP entry's newline)
    escaped, and one that starts with = + - @ given a leading apostrophe."""
    from ..derivation.checking.check import printable

    text = printable(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def feedback_markdown(row: StudentMark) -> str:
    """A student's feedback file.

    Parameters
    ----------
    row : StudentMark
        The student's row.

    Returns
    -------
    str
        Markdown: the grade, each question's verdict and points, and the check's lines (each mistake
        with the exact value, its worked line and the likely cause); for a sheet not marked, why.
    """
    s = row.student
    who = f"{row.id} ({s.name})" if s is not None and s.name else row.id
    out = [f"# Feedback for {who}", ""]
    if not row.graded:
        return "\n".join(out + [f"Not marked ({row.status}): {row.note}", ""])
    out += [f"Grade: {_number(row.percent)}% ({_number(row.points)} of {_number(row.max_points)} points).", ""]
    if row.status != "marked":
        out += [f"Note: {row.note}", ""]
    out += ["| # | quantity | verdict | points |", "|---|---|---|---|"]
    for k, q in enumerate(row.questions, start=1):
        where = f" (line {q.line})" if q.line else ""
        verdict = q.verdict.replace("_", " ") + where
        out.append(f"| {k} | `{q.written}` | {verdict} | {_number(q.points)} of {_number(q.worth)} |")
    out += ["", "## Your sheet, line by line", "", "```text", row.result.to_text().rstrip("\n"), "```", ""]
    return "\n".join(out)


def grades_folder(class_folder, submissions, out):
    """Where the grades go: ``out``, or ``CLASS_FOLDER/grades`` when None, or False (nothing written);
    never a folder inside the submissions (one ConfigError line), which the next run would read as a sheet."""
    out = Path(class_folder) / "grades" if out is None else out
    if out is not False and Path(submissions).is_dir():
        if Path(out).resolve().is_relative_to(Path(submissions).resolve()):
            raise ConfigError(f"--out {out} lies inside the submissions {submissions}; give a folder outside it")
    return out if out is False else Path(out)


def write_grades(rows: list[StudentMark], out, assignment: str = "Backpropagation", inputs: dict | None = None) -> Path:
    """Write ``gradebook.csv``, ``canvas.csv`` and ``feedback/ID.md`` into ``out``; the folder.

    Parameters
    ----------
    rows : list of StudentMark
        What :func:`~chainrule.classroom.grading.mark_class` gives.
    out : str or os.PathLike
        The folder to write into (created if missing).
    assignment : str, default "Backpropagation"
        The assignment's column in ``canvas.csv``.
    inputs : dict, optional
        The files the marking read (label → path): none of them is written over.

    Raises
    ------
    ConfigError
        An output that is one of the inputs.
    OutputError
        A path that cannot be written.
    """
    from ..io.atomic import check_output_folder, check_outputs, write_text

    out = Path(out)
    check_output_folder(out, "--out")
    files = {out / GRADEBOOK_FILE: gradebook_csv(rows), out / CANVAS_FILE: canvas_csv(rows, assignment)}
    for r in rows:
        if r.student is not None:
            files[out / FEEDBACK_FOLDER / f"{r.id}.md"] = feedback_markdown(r)
    (out / FEEDBACK_FOLDER).mkdir(parents=True, exist_ok=True)
    check_outputs({str(p): p for p in files}, inputs)
    for path, text in files.items():
        write_text(path, text)
    return out
