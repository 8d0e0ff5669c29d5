"""Each student's own exercise, drawn from the course seed and the student's id.

The exercise's seed is the first 63 bits of SHA-256 of ``chainrule-class``, the course seed and the
id: the same course seed and id give the same network on every machine and in every Python (never
``hash()``, which changes between runs), and two ids give unrelated networks.
"""

from __future__ import annotations

import hashlib

from ..derivation.exercises.exercise import Exercise, Shape, make_exercise
from ..errors import ConfigError
from .roster import Student

NETWORK_FILE = "network.json"  # each student's network file, in their folder


def student_seed(course_seed: int, student_id: str) -> int:
    """The exercise seed of ``student_id`` in the course ``course_seed``: SHA-256's first 63 bits.

    Parameters
    ----------
    course_seed : int
        The course's seed, a whole number of at least 0.
    student_id : str
        The student's id.

    Returns
    -------
    int
        A whole number in [0, 2**63).

    Examples
    --------
    >>> student_seed(2026, "s001") == student_seed(2026, "s001") != student_seed(2026, "s002")
    True
    """
    if isinstance(course_seed, bool) or not isinstance(course_seed, int) or course_seed < 0:
        raise ConfigError(f"the course seed must be a whole number of at least 0, not {course_seed!r}")
    digest = hashlib.sha256(f"chainrule-class\0{course_seed}\0{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def student_exercise(student: Student | str, course_seed: int, shape: Shape | None = None) -> Exercise:
    """The exercise of one student: their network, questions, blank sheet and answer key.

    Parameters
    ----------
    student : Student or str
        The student (or their id).
    course_seed : int
        The course's seed.
    shape : Shape, optional
        The teacher's choices (default: drawn as ``chainrule exercise`` draws).

    Returns
    -------
    Exercise
        Titled ``Exercise for ID``, its network file named ``network.json``.
    """
    sid = student.id if isinstance(student, Student) else student
    return make_exercise(
        student_seed(course_seed, sid), shape=shape, title=f"Exercise for {sid}", network_file=NETWORK_FILE
    )
