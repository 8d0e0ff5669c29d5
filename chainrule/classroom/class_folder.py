"""A class's folder: one folder per student with their exercise, the teacher's index and ``class.json``.

``DIR/ID/`` holds the student's ``network.json``, ``questions.md``, ``answers.txt`` (the blank sheet)
and ``answer-key.md`` (keep it back when handing the folder out); ``DIR/index.csv`` says who got
which network; ``DIR/class.json`` keeps the course seed, the exercise options, the roster and each
student's questions, which ``chainrule grade`` reads.  Nothing is replaced without ``force``, and
every path is checked before the first file is written (each file itself atomically).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..derivation.exercises.exercise import Shape
from ..errors import ConfigError, FileFormatError
from .roster import Student, check_id
from .variants import NETWORK_FILE, student_exercise, student_seed

CLASS_FILE = "class.json"
INDEX_FILE = "index.csv"
FORMAT = "chainrule-class"
MAX_CLASS_BYTES = 64 << 20


@dataclass
class ClassInfo:
    """What ``class.json`` holds: the course seed, the exercise options and each student's questions.

    Attributes
    ----------
    folder : Path or None
        The class's folder (None: drawn again, :meth:`drawn`).
    course_seed : int
        The course's seed.
    shape : Shape
        The exercise options.
    students : list of Student
        The roster, in its order.
    asked : dict
        Student id → the quantities asked (the seed's names), in the sheet's order.
    written : dict
        Student id → {quantity: as the sheet writes it}.
    networks : dict
        Student id → the network file's contents, where known without the folder.
    """

    folder: Path
    course_seed: int
    shape: Shape
    students: list[Student]
    asked: dict
    written: dict
    networks: dict = field(default_factory=dict, repr=False)

    def network(self, student_id: str) -> dict:
        """The network file's contents a student was given (read from their folder, or as drawn)."""
        if student_id in self.networks:
            return self.networks[student_id]
        from ..io.bounded_read import loads_json, read_text

        path = self.folder / student_id / NETWORK_FILE
        return loads_json(read_text(path, MAX_CLASS_BYTES, "network file"))

    @classmethod
    def drawn(cls, course_seed: int, shape: Shape, students: list[Student]) -> ClassInfo:
        """The class drawn again from the course seed and the ids, with no folder (a notebook's marking)."""
        info = cls(None, course_seed, shape.checked(), list(students), {}, {})
        for s in students:
            ex = student_exercise(s, course_seed, info.shape)
            info.asked[s.id], info.written[s.id], info.networks[s.id] = ex.asked, ex.sheet_names, ex.spec
        return info


def write_class(students: list[Student], folder, course_seed: int = 0, shape: Shape | None = None, force: bool = False):
    """Write every student's exercise into ``folder``, with ``index.csv`` and ``class.json``.

    Parameters
    ----------
    students : list of Student
        The roster (:func:`~chainrule.classroom.roster.read_roster`).
    folder : str or os.PathLike
        The class's folder (created if missing).
    course_seed : int, default 0
        The course's seed: with a student's id it fixes their network.
    shape : Shape, optional
        The exercise options.
    force : bool, default False
        Replace files already there.

    Returns
    -------
    ClassInfo

    Raises
    ------
    ConfigError
        A file already there without ``force``, or a bad option.
    OutputError
        A path that cannot be written.
    """
    from ..io.atomic import check_output, check_output_folder, write_text

    folder, shape = Path(folder), (shape or Shape()).checked()
    check_output_folder(folder, "--out")
    exercises = [(s, student_exercise(s, course_seed, shape)) for s in students]
    files = {Path(CLASS_FILE): None, Path(INDEX_FILE): None}
    for student, ex in exercises:
        files.update({Path(student.id) / name: text for name, text in ex.files().items()})
    there = [str(p) for p in files if (folder / p).exists() or (folder / p).is_symlink()]
    if there and not force:
        raise ConfigError(
            f"{folder} already holds {there[0]}{' and others' if len(there) > 1 else ''}; not replacing without --force"
        )
    for student, _ in exercises:
        (folder / student.id).mkdir(parents=True, exist_ok=True)
    for path in files:
        check_output(folder / path)
    info = ClassInfo(folder, course_seed, shape, list(students), {}, {})
    for student, ex in exercises:
        for name, text in ex.files().items():
            write_text(folder / student.id / name, text)
        info.asked[student.id], info.written[student.id] = ex.asked, ex.sheet_names
    write_text(folder / INDEX_FILE, _index(exercises, course_seed))
    write_text(folder / CLASS_FILE, json.dumps(_class_json(info), indent=1) + "\n")
    return info


def _index(exercises, course_seed: int) -> str:
    """The teacher's index: who got which network."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "email", "seed", "layers", "activations", "loss", "learning_rate", "questions", "folder"])
    for s, ex in exercises:
        spec = ex.spec
        layers, acts = "-".join(map(str, spec["layers"])), ",".join(spec["activation"])
        seed = student_seed(course_seed, s.id)
        w.writerow(
            [s.id, s.name, s.email, seed, layers, acts, spec["loss"], spec["learning_rate"], len(ex.asked), s.id]
        )
    return out.getvalue()


def _class_json(info: ClassInfo) -> dict:
    return {
        "format": FORMAT,
        "version": 1,
        "course_seed": info.course_seed,
        "shape": info.shape.to_dict(),
        "students": [{**s.to_dict(), "asked": info.asked[s.id], "written": info.written[s.id]} for s in info.students],
    }


def read_class(folder) -> ClassInfo:
    """The class a folder holds: its ``class.json``.

    Parameters
    ----------
    folder : str or os.PathLike
        What :func:`write_class` wrote.

    Returns
    -------
    ClassInfo

    Raises
    ------
    FileFormatError
        No ``class.json``, or one that is not a chainrule class file.
    """
    from ..io.bounded_read import loads_json, read_text

    folder = Path(folder)
    path = folder / CLASS_FILE
    if not path.is_file():
        raise FileFormatError(
            f"{folder}: not a class folder (no {CLASS_FILE}; 'chainrule exercise --roster' writes one)"
        )
    data = loads_json(read_text(path, MAX_CLASS_BYTES, "class file"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileFormatError(f"{path}: not a chainrule class file")
    try:
        students = [
            Student(check_id(s["id"], str(path)), s.get("name", ""), s.get("email", ""), s.get("lms_id", ""))
            for s in data["students"]
        ]
        asked = {s["id"]: list(s["asked"]) for s in data["students"]}
        written = {s["id"]: dict(s["written"]) for s in data["students"]}
        shape = Shape.from_dict(data["shape"])
        return ClassInfo(folder, int(data["course_seed"]), shape, students, asked, written)
    except (KeyError, TypeError, ValueError) as exc:
        raise FileFormatError(f"{path}: a class file with a missing or malformed entry ({exc})") from None


def same_class(folder, students: list[Student], course_seed: int, shape: Shape) -> ClassInfo:
    """The class already in ``folder``, when it is the one ``write_class`` would write for these
    students, course seed and shape (so it can be exported again as it is); else one ConfigError line.

    Parameters
    ----------
    folder : str or os.PathLike
        A class folder (``class.json`` in it).
    students : list of Student
        The roster's students, in its order.
    course_seed : int
        The course's seed.
    shape : Shape
        The exercise's shape.

    Returns
    -------
    ClassInfo

    Raises
    ------
    ConfigError
        The folder holds another class: its seed, shape or roster differ.
    """
    info = read_class(folder)
    wanted = (course_seed, shape.checked(), [s.id for s in students])
    if (info.course_seed, info.shape, [s.id for s in info.students]) != wanted:
        raise ConfigError(f"{folder} holds another class (its seed, options or roster differ); --force replaces it")
    return info
