"""A class's exercise as a Moodle XML quiz: one numerical question per asked quantity and student.

Each student's questions sit in their own category (``$course$/top/QUIZ/ID``), and each question
carries the student's network, so it reads on its own.  The answer is the exact value; Moodle's
tolerance is what the marking rule implies for an answer given to the decimals asked (``d``, a unit
u = 10^-d): the rule accepts the exact value rounded (half up or half to even) or truncated to d
decimals, give or take one unit, so the answers it accepts with d decimals are the grid points from
the lowest of those values − u to the highest + u, and the question's answer is that interval's
middle with half its width as tolerance (Moodle's "nominal" tolerance).  Moodle marks each number
alone: it knows neither follow-through (``chainrule grade`` does) nor "too few digits to judge".
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

from .class_folder import ClassInfo
from .grading import Points


def accepted_interval(exact: float, decimals: int) -> tuple[Decimal, Decimal]:
    """Moodle's answer and tolerance for ``exact`` asked to ``decimals`` decimals.

    Parameters
    ----------
    exact : float
        The exact value.
    decimals : int
        The decimals asked for (u = 10^-decimals).

    Returns
    -------
    tuple of Decimal
        (answer, tolerance): the middle and half the width of the interval from the lowest of the
        exact value rounded half up, half to even or truncated, less u, to the highest, plus u.

    Examples
    --------
    >>> accepted_interval(0.593269992, 4)
    (Decimal('0.59325'), Decimal('0.00015'))
    """
    x, u = Decimal(exact), Decimal(1).scaleb(-decimals)
    cands = [x.quantize(u, rounding=r) for r in (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN)]
    low, high = min(cands) - u, max(cands) + u
    return (low + high) / 2, (high - low) / 2


def _sub(parent, tag: str, text: str | None = None, **attrs):
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        ET.SubElement(el, "text").text = text
    return el


def _network_html(questions_md: str) -> str:
    """The student's questions (Markdown) as preformatted HTML, up to "## Compute"."""
    return "<pre>" + html.escape(questions_md.split("## Compute")[0].strip()) + "</pre>"


def _question(quiz, sid: str, k: int, written: str, exact: float, decimals: int, worth: float, network: str):
    answer, tolerance = accepted_interval(exact, decimals)
    q = ET.SubElement(quiz, "question", {"type": "numerical"})
    _sub(q, "name", f"{sid} q{k}: {written}")
    text = f"<p>Compute <code>{html.escape(written)}</code> to {decimals} decimal places.</p>{network}"
    _sub(q, "questiontext", text, format="html")
    _sub(q, "generalfeedback", f"<p>The exact value is {exact!r}.</p>", format="html")
    ET.SubElement(q, "defaultgrade").text = f"{worth:g}"
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = f"{sid}-q{k}"
    a = _sub(q, "answer", f"{answer:f}", fraction="100", format="moodle_auto_format")
    ET.SubElement(a, "tolerance").text = f"{tolerance:f}"
    _sub(a, "feedback", "Right.", format="html")
    for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0"), ("showunits", "3"), ("unitsleft", "0")):
        ET.SubElement(q, tag).text = value


def quiz_xml(info: ClassInfo, quiz: str = "Backpropagation", points: Points | None = None) -> str:
    """The Moodle XML quiz of a class.

    Parameters
    ----------
    info : ClassInfo
        The class.
    quiz : str
        The top category's name.
    points : Points, optional
        The points scheme (a question's default grade is what its quantity is worth).

    Returns
    -------
    str
        The XML: a category per student, a numerical question per asked quantity.
    """
    from .variants import student_exercise

    points = points or Points()
    root = ET.Element("quiz")
    for s in info.students:
        ex = student_exercise(s, info.course_seed, info.shape)
        category = ET.SubElement(root, "question", {"type": "category"})
        _sub(category, "category", f"$course$/top/{quiz}/{s.id}")
        _sub(category, "info", f"The exercise of {s.id}", format="html")
        network = _network_html(ex.questions)
        for k, name in enumerate(ex.asked, start=1):
            worth = points.worth_of(name)
            _question(root, s.id, k, ex.written(name), exact_value(ex, name), info.shape.decimals, worth, network)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def exact_value(ex, name: str) -> float:
    """The exact value of an asked quantity.

    Parameters
    ----------
    ex : Exercise
        The student's exercise.
    name : str
        An asked quantity (the seed's name).

    Returns
    -------
    float
        The step's value, or after N updates the engine's ``NAME@N``.
    """
    if name in ex.values:
        return ex.values[name]
    from ..api import check

    verdict = check(f"{name} = 0\n", ex.spec).verdicts[0]  # the engine's value after N updates
    return verdict.expected


def write_quiz(info: ClassInfo, path, quiz: str = "Backpropagation", points: Points | None = None) -> Path:
    """Write the Moodle XML quiz to ``path``, atomically.

    Parameters
    ----------
    info : ClassInfo
        The class.
    path : str or os.PathLike
        The XML file.
    quiz : str
        The top category's name.
    points : Points, optional
        The points scheme.

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        A path that cannot be written.
    """
    from ..io.atomic import write_text

    write_text(path, quiz_xml(info, quiz, points))
    return Path(path)
