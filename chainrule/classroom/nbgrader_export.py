"""A class's exercise as an nbgrader source assignment: one notebook for everyone, marked per student.

``DIR/source/ASSIGNMENT/ASSIGNMENT.ipynb``: the student writes their id, runs a cell that shows their
own network and blank sheet, pastes the sheet into ``SHEET`` and fills it in.  A locked cell marks it
with chainrule (:mod:`notebook_marking`: the student's exercise drawn again from the course seed and
their id, :func:`chainrule.check` with follow-through, the class's points scheme); one autograded test
cell per question then outputs that question's points, which nbgrader takes as partial credit.  Each
test cell is worth the most question k is worth to any student, so nbgrader's score for a sheet is
``chainrule grade``'s points for it.  The notebook is written as nbformat 4 JSON, without nbformat.
"""

from __future__ import annotations

import json
from pathlib import Path

from .class_folder import ClassInfo
from .grading import Points


def _cell(kind: str, source: str, k: int, grade_id: str | None = None, points: float | None = None, locked=True):
    cell = {"cell_type": kind, "id": f"cell-{k}", "metadata": {}, "source": source.strip("\n")}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    if grade_id is not None:
        meta = {
            "grade": points is not None,
            "grade_id": grade_id,
            "locked": locked,
            "schema_version": 3,
            "solution": False,
        }
        if points is not None:
            meta["points"] = points
        cell["metadata"]["nbgrader"] = meta
    return cell


def notebook(info: ClassInfo, points: Points | None = None, title: str = "Backpropagation by hand") -> dict:
    """The assignment's notebook for the class ``info``.

    Parameters
    ----------
    info : ClassInfo
        The class.
    points : Points, optional
        The points scheme (each test cell is worth the most its question is worth to any student).
    title : str
        The notebook's heading.

    Returns
    -------
    dict
        nbformat 4 JSON, with nbgrader's cell metadata.
    """
    points = points or Points()
    course = {"course_seed": info.course_seed, "shape": info.shape.to_dict(), "points": points.to_dict(),
              "students": [s.id for s in info.students]}  # fmt: skip
    n_q = max(len(a) for a in info.asked.values())
    worth = [max((points.worth_of(a[k]) for a in info.asked.values() if k < len(a)), default=0.0) for k in range(n_q)]
    notation = "" if info.shape.notation == "seed" else f" (in {info.shape.notation}'s notation)"
    intro = (
        f"# {title}\n\nEveryone has their own network. Write your id in `STUDENT_ID` and run the next cell: it shows "
        f"your network, what to compute and your blank sheet{notation}. Paste the sheet into `SHEET`, write each "
        f"value after its `=` to {info.shape.decimals} decimal places, and submit. Each question below is marked "
        "by chainrule, with credit for a mistake carried forward."
    )
    cells = [
        _cell("markdown", intro, 0, "intro"),
        _cell("code", f"COURSE = {course!r}", 1, "course"),
        _cell("code", 'STUDENT_ID = "your id"', 2),
        _cell(
            "code",
            "from chainrule.classroom.notebook_marking import show_exercise\n\nshow_exercise(COURSE, STUDENT_ID)",
            3,
            "show",
        ),  # noqa: E501
        _cell("code", 'SHEET = """\npaste your sheet here and fill it in\n"""', 4),
        _cell(
            "code",
            "from chainrule.classroom.notebook_marking import NotebookMarker\n\n"
            "MARKS = NotebookMarker(COURSE, STUDENT_ID, SHEET)\nprint(MARKS.feedback())",
            5,
            "marking",
        ),  # fmt: skip
    ]
    for k in range(1, n_q + 1):
        cells.append(_cell("code", f"MARKS.points({k})", 5 + k, f"q{k}", worth[k - 1]))
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {"cells": cells, "metadata": {"kernelspec": kernel, "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}  # fmt: skip


def export_nbgrader(info: ClassInfo, course_dir, assignment: str = "backprop", points: Points | None = None) -> Path:
    """Write ``course_dir/source/ASSIGNMENT/ASSIGNMENT.ipynb``; its path.

    Parameters
    ----------
    info : ClassInfo
        The class (:func:`~chainrule.classroom.class_folder.read_class`).
    course_dir : str or os.PathLike
        nbgrader's course directory (its ``CourseDirectory.root``).
    assignment : str, default "backprop"
        The assignment's name (letters, digits, ``_`` and ``-``).
    points : Points, optional
        The points scheme (default: ok 1, carried ½).

    Raises
    ------
    ConfigError
        An assignment name nbgrader cannot use.
    OutputError
        The notebook cannot be written.
    """
    import re

    from ..errors import ConfigError
    from ..io.atomic import check_output, write_text

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", assignment):
        raise ConfigError(f"an nbgrader assignment name is letters, digits, _ and -, not {assignment!r}")
    path = Path(course_dir) / "source" / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    check_output(path, "--nbgrader")
    write_text(path, json.dumps(notebook(info, points), indent=1) + "\n")
    return path
