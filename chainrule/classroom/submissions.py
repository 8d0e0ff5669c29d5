"""Finding each student's sheet: in a folder named by student id, or in a ZIP as an LMS exports it.

A folder holds ``ID.txt`` (or ``ID`` with another ending) or a folder ``ID/`` with the sheet in it.
A ZIP may hold the same, or what an LMS's "download all submissions" writes:

* Moodle: ``Full Name_12345_assignsubmission_file_/answers.txt`` (one folder per submission, the
  default) or ``Full Name_12345_assignsubmission_file_answers.txt``; 12345 is Moodle's participant id;
* Canvas: ``lastfirst_12345_67890_answers.txt``, ``lastfirst_LATE_12345_67890_answers.txt``; 12345 is
  Canvas's user id, the name the student's sortable name in lower case without spaces or punctuation.

A file is matched to a student by that LMS id (the roster's ``lms_id`` column) where the roster gives
one, else by the name.  Nothing is extracted to disk: each entry is read in memory, within a limit.
A file that matches no student, one that is not a text sheet, a second different sheet for one
student and an empty one are each kept as a :class:`Submission` with its ``problem``; the others are
marked.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileFormatError
from .roster import Student

MAX_SHEET_BYTES = 1 << 20  # one sheet, as ``chainrule check`` reads it
MAX_ENTRIES = 100_000  # files in a folder or a ZIP
MAX_ZIP_BYTES = 256 << 20  # what a ZIP's sheets may hold together, uncompressed
SHEET_SUFFIXES = ("", ".txt", ".text")
_MOODLE = re.compile(r"(?P<name>[^/]+?)_(?P<lms>\d+)_assign(?:submission|feedback)_\w+?_(?P<rest>/?.*)", re.S)
_CANVAS = re.compile(r"(?P<name>[^/_]+)_(?:LATE_)?(?P<lms>\d+)_\d+_(?P<rest>.+)", re.S)
_SKIP = re.compile(r"(^|/)(__MACOSX|\.[^/]*)(/|$)")  # macOS's resource forks, hidden files


@dataclass
class Submission:
    """One file of the submissions.

    Attributes
    ----------
    source : str
        Its path in the folder or the ZIP.
    student : str or None
        The roster id it belongs to (None: no student matches).
    text : str or None
        The sheet's text (None where it cannot be read).
    problem : str or None
        Why it cannot be marked (None: it can).
    """

    source: str
    student: str | None
    text: str | None = None
    problem: str | None = None


def collect(path, students: list[Student]) -> list[Submission]:
    """Every submission in a folder or a ZIP file, matched to the roster.

    Parameters
    ----------
    path : str or os.PathLike
        A folder of sheets, or a ZIP file.
    students : list of Student
        The roster.

    Returns
    -------
    list of Submission
        One per file found (hidden files and macOS's ``__MACOSX`` left out), in name order.

    Raises
    ------
    FileFormatError
        No such folder or file, a file that is not a ZIP, or more than 100,000 files.
    """
    path = Path(path)
    match = _Matcher(students)
    if path.is_dir():
        entries = _folder_entries(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        entries = _zip_entries(path)
    elif path.exists():
        raise FileFormatError(f"{path}: neither a folder of sheets nor a ZIP file")
    else:
        raise FileFormatError(f"{path}: no such folder or file")
    return [_submission(name, read, match) for name, read in entries]


def _folder_entries(root: Path):
    """(relative path, a function reading its bytes) for each file under ``root``."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and not _SKIP.search(p.relative_to(root).as_posix()))
    if len(files) > MAX_ENTRIES:
        raise FileFormatError(f"{root}: more than {MAX_ENTRIES:,} files")
    return [(p.relative_to(root).as_posix(), lambda p=p: _read_file(p)) for p in files]


def _read_file(path: Path):
    """A sheet's bytes within the limit; a symbolic link is not followed (it could point anywhere)."""
    from ..io.bounded_read import read_bytes

    if path.is_symlink():
        return FileFormatError("a symbolic link, not followed")
    return read_bytes(path, MAX_SHEET_BYTES, "answer sheet")


def _zip_entries(path: Path):
    """(name, a function reading its bytes) for each file of the ZIP, read within the limit."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not _SKIP.search(i.filename)]
            if len(infos) > MAX_ENTRIES:
                raise FileFormatError(f"{path}: more than {MAX_ENTRIES:,} files")
            if sum(min(i.file_size, MAX_SHEET_BYTES + 1) for i in infos) > MAX_ZIP_BYTES:
                raise FileFormatError(f"{path}: its files hold more than {MAX_ZIP_BYTES:,} bytes uncompressed")
            data = {i.filename: _zip_read(zf, i) for i in sorted(infos, key=lambda i: i.filename)}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FileFormatError(f"{path}: cannot read the ZIP ({exc})") from None
    return [(name, lambda value=value: value) for name, value in data.items()]


def _zip_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """An entry's bytes, or the FileFormatError that says why it cannot be read (kept for its line)."""
    if info.file_size > MAX_SHEET_BYTES:
        return FileFormatError(f"{info.file_size:,} bytes is larger than the limit of {MAX_SHEET_BYTES:,} for a sheet")
    try:
        with zf.open(info) as f:
            data = f.read(MAX_SHEET_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
        return FileFormatError(f"cannot be read from the ZIP ({exc})")
    if len(data) > MAX_SHEET_BYTES:
        return FileFormatError(f"larger than the limit of {MAX_SHEET_BYTES:,} bytes for a sheet")
    return data


def _submission(name: str, read, match: _Matcher) -> Submission:
    """The file ``name`` matched to a student, with its text or the problem that stops its marking."""
    student, sheet_name = match(name)
    if student is None:
        return Submission(name, None, problem=f"{name}: no student of the roster matches this file's name")
    suffix = Path(sheet_name).suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        return Submission(
            name, student, problem=f"{name}: a {suffix} file, not an answer sheet (a .txt of 'name = value' lines)"
        )
    try:
        data = read()
    except FileFormatError as exc:
        return Submission(name, student, problem=f"{name}: {exc}")
    if isinstance(data, Exception):
        return Submission(name, student, problem=f"{name}: {data}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Submission(name, student, problem=f"{name}: not UTF-8 text (byte {exc.start}); not an answer sheet")
    return Submission(name, student, text)


class _Matcher:
    """A file's path → (the roster id it belongs to or None, the sheet's own file name)."""

    def __init__(self, students: list[Student]):
        self.ids = {s.id: s.id for s in students}
        self.folded = _unique({s.id.casefold(): s.id for s in students}, [s.id.casefold() for s in students])
        self.lms = _unique({s.lms_id: s.id for s in students if s.lms_id}, [s.lms_id for s in students if s.lms_id])
        names = [(_plain(s.name), s.id) for s in students if s.name]
        keys = [k for n, _ in names for k in _name_keys(n)]
        self.names = _unique({k: sid for n, sid in names for k in _name_keys(n)}, keys)

    def __call__(self, name: str) -> tuple[str | None, str]:
        first, _, rest = name.partition("/")
        for pattern in (_MOODLE, _CANVAS):
            m = pattern.fullmatch(name)
            if m and first not in self.ids:
                sheet = m.group("rest").lstrip("/") or name
                return self._by_lms(m.group("lms"), m.group("name")), sheet
        stem = first if rest else Path(first).stem if Path(first).suffix.lower() in SHEET_SUFFIXES else first
        sid = self.ids.get(stem) or self.folded.get(stem.casefold())
        if sid is None and not rest:
            sid = self.ids.get(Path(first).stem) or self.folded.get(Path(first).stem.casefold())
        return sid, (rest or first)

    def _by_lms(self, lms_id: str, name: str) -> str | None:
        if self.lms:
            return self.lms.get(lms_id)
        return self.names.get(_plain(name).replace(" ", "")) or self.names.get(_plain(name))


def _unique(table: dict, keys: list) -> dict:
    """``table`` without the keys that more than one student has (two students of one name match neither)."""
    seen, twice = set(), set()
    for k in keys:
        (twice if k in seen else seen).add(k)
    return {k: v for k, v in table.items() if k not in twice}


def _plain(name: str) -> str:
    """A name in lower case, accents and punctuation dropped, spaces collapsed (``Émile  O'Neil`` → ``emile oneil``)."""
    letters = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9 ]", "", letters.replace("-", " ")).split())


def _name_keys(plain: str) -> set[str]:
    """How an LMS writes the name: Moodle's ``first last``; Canvas's ``lastfirst`` (and ``firstlast``)."""
    words = plain.split()
    keys = {plain, "".join(words)}
    if len(words) > 1:
        keys |= {"".join(words[-1:] + words[:-1]), " ".join(words[-1:] + words[:-1])}
    return keys
