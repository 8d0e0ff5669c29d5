"""A class list: a CSV file with an id column (name, email and an LMS's own id optional).

Each id names the student's folder, sheet and feedback file, so it is kept to letters, digits and
``. _ @ + -`` (at most 64 characters, not starting with a dot): a roster cannot write outside its
class folder.  Column names are matched without regard to case, spaces, hyphens or underscores.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..errors import FileFormatError

MAX_ROSTER_BYTES = 8 << 20  # 8 MiB: about 100,000 students
MAX_STUDENTS = 10_000
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_COLUMNS = {  # what a column may be called (lower case, without spaces and underscores) → the field
    "id": "id",
    "studentid": "id",
    "idnumber": "id",
    "sisuserid": "id",
    "name": "name",
    "fullname": "name",
    "student": "name",
    "email": "email",
    "emailaddress": "email",
    "lmsid": "lms_id",
    "moodleid": "lms_id",
    "canvasid": "lms_id",
    "participant": "lms_id",
}


@dataclass(frozen=True)
class Student:
    """One student of the roster.

    Attributes
    ----------
    id : str
        The student's id (their folder's and sheet's name).
    name, email : str
        As the roster gives them ("" where it does not).
    lms_id : str
        The LMS's own number for the student (Moodle's participant id, Canvas's user id), which its
        ZIP of submissions puts in every file name; "" where the roster does not give it.
    """

    id: str
    name: str = ""
    email: str = ""
    lms_id: str = ""

    def to_dict(self) -> dict:
        """The student as JSON-ready data."""
        return {"id": self.id, "name": self.name, "email": self.email, "lms_id": self.lms_id}


def read_roster(path) -> list[Student]:
    """The students of a roster CSV file, in its order.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV file (UTF-8, a byte-order mark allowed) whose header names an ``id`` column.

    Returns
    -------
    list of Student

    Raises
    ------
    FileFormatError
        No id column, an id that cannot name a file, an id given twice, no student, too many.
    """
    from ..io.bounded_read import read_text

    return parse_roster(read_text(path, MAX_ROSTER_BYTES, "roster"), str(path))


def check_id(sid, where: str) -> str:
    """``sid`` when it can name a student's folder (letters, digits and ``. _ @ + -``, at most 64).

    Parameters
    ----------
    sid : str
        The id.
    where : str
        Where it was read (the message's start).

    Returns
    -------
    str
        ``sid``.

    Raises
    ------
    FileFormatError
        An id that cannot name a file.
    """
    if not isinstance(sid, str) or not _ID.fullmatch(sid):
        raise FileFormatError(
            f"{where}: id {str(sid)[:80]!r} cannot name a file (letters, digits and . _ @ + -, "
            "at most 64, not starting with a dot)"
        )
    return sid


def parse_roster(text: str, source: str = "<roster>") -> list[Student]:
    """The students of a roster's text.

    Parameters
    ----------
    text : str
        CSV text whose first line names the columns.
    source : str
        Where it came from (the messages' start).

    Returns
    -------
    list of Student

    Raises
    ------
    FileFormatError
        As :func:`read_roster`.
    """
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(rows, None)
    fields = [_COLUMNS.get(re.sub(r"[\s_-]", "", h.lower())) for h in header or []]
    if "id" not in fields:
        raise FileFormatError(f"{source}: no id column (the first line names the columns: id, name, email)")
    students, seen = [], {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {f: (row[k].strip() if k < len(row) else "") for k, f in enumerate(fields) if f}
        sid = check_id(values["id"], f"{source} line {number}")
        if sid in seen:
            raise FileFormatError(f"{source} line {number}: id {sid!r} is already on line {seen[sid]}")
        seen[sid] = number
        students.append(Student(sid, values.get("name", ""), values.get("email", ""), values.get("lms_id", "")))
        if len(students) > MAX_STUDENTS:
            raise FileFormatError(f"{source}: more than {MAX_STUDENTS:,} students")
    if not students:
        raise FileFormatError(f"{source}: no students (a header line and no rows)")
    return students
