"""What an exported nbgrader notebook's cells call: the student's exercise shown, their sheet marked.

The notebook carries the course (seed, options, ids, points scheme), not the networks: each
student's exercise is drawn again from the course seed and their id, as ``chainrule exercise
--roster`` drew it, and the sheet is marked by :func:`~chainrule.classroom.grading.mark_sheet`, as
``chainrule grade`` marks it (:func:`chainrule.check`, follow-through included).  Under nbgrader's
``autograde`` the student is the one nbgrader graded (the folder ``autograded/ID/``), whatever
``STUDENT_ID`` the notebook says.  Nothing here raises: a sheet that cannot be marked scores 0, and
each test cell prints why.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ..derivation.checking.tolerance import Rule
from ..derivation.exercises.exercise import Shape
from ..errors import ChainruleError
from .class_folder import ClassInfo
from .grading import Points, StudentMark, mark_sheet
from .roster import Student


def _who(course: dict, student_id) -> str:
    """The student: nbgrader's (the autograded folder's) when it grades, else the notebook's STUDENT_ID."""
    here = Path.cwd()
    if here.parent.parent.name == "autograded" and here.parent.name in course["students"]:
        return here.parent.name
    return str(student_id).strip()


def _drawn(course: dict, sid: str) -> ClassInfo:
    return ClassInfo.drawn(int(course["course_seed"]), Shape.from_dict(course["shape"]), [Student(sid)])


def show_exercise(course: dict, student_id) -> None:
    """Print the student's questions (their network's numbers) and their blank sheet.

    Parameters
    ----------
    course : dict
        The notebook's ``COURSE``.
    student_id : str
        The student's id.
    """
    sid = _who(course, student_id)
    if sid not in course["students"]:
        print(f"{sid!r} is not on the class list: write your id in STUDENT_ID and run the cell again")
        return
    from .variants import student_exercise

    ex = student_exercise(sid, int(course["course_seed"]), Shape.from_dict(course["shape"]))
    print(ex.questions)
    print("Your sheet (copy it into SHEET below and fill it in):\n")
    print(ex.sheet)


class NotebookMarker:
    """A student's sheet marked once; :meth:`points` gives question k's points (nbgrader's partial credit).

    Parameters
    ----------
    course : dict
        The notebook's ``COURSE``: ``course_seed``, ``shape``, ``students`` (ids), ``points``.
    student_id : str
        The notebook's ``STUDENT_ID`` (nbgrader's own student when it autogrades).
    sheet : str
        The notebook's ``SHEET``: ``name = value`` lines.
    """

    def __init__(self, course: dict, student_id, sheet):
        self.row: StudentMark | None = None
        sid = _who(course, student_id)
        if sid not in course["students"]:
            self.problem = f"{sid!r} is not on the class list"
            return
        try:
            with warnings.catch_warnings():  # a warning on stderr would cost the cell its points
                warnings.simplefilter("ignore")
                info = _drawn(course, sid)
                points = Points(**course.get("points", {}))
                self.row = mark_sheet(info, Student(sid), str(sheet), points, Rule(), "SHEET")
            self.problem = None if self.row.graded else self.row.note
        except (ChainruleError, ValueError, TypeError) as exc:
            self.problem = f"the sheet could not be marked ({exc})"

    def points(self, k: int) -> float:
        """Question k's points (1-based; 0 where the student has no question k or the sheet is not
        marked), after printing its verdict."""
        if self.row is None or not self.row.graded:
            print(f"question {k}: 0 points: {self.problem}")
            return 0.0
        if k > len(self.row.questions):
            print(f"question {k}: your exercise has {len(self.row.questions)} questions")
            return 0.0
        q = self.row.questions[k - 1]
        print(f"question {k}: {q.written}: {q.verdict.replace('_', ' ')}: {q.points:g} of {q.worth:g} points")
        return q.points

    def feedback(self) -> str:
        """The check's verdicts on every line of the sheet (its text), or why there are none."""
        return self.row.result.to_text() if self.row is not None and self.row.graded else str(self.problem)
