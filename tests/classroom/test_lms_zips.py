"""Submissions as Moodle's and Canvas's "download all submissions" ZIPs name them: matched to the roster
by the LMS's id (the roster's lms_id) or by the student's name, and marked as the same sheets in a
folder named by student id are."""

import csv
import json
import random
import zipfile

import pytest

from chainrule.cli import main

from support.class_simulator import KINDS, roster_csv, simulate

N = 8


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("lms")
    (root / "students.csv").write_text(roster_csv(N))
    (root / "no-lms.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in roster_csv(N).splitlines()) + "\n")
    assert main(["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "9"]) == 0
    rng, sheets = random.Random(5), {}
    students = list(csv.DictReader(open(root / "students.csv", newline="")))
    for k, s in enumerate(students):
        spec = json.loads((root / "class" / s["id"] / "network.json").read_text())
        blank = (root / "class" / s["id"] / "answers.txt").read_text()
        sheets[s["id"]] = simulate(s["id"], KINDS[k % len(KINDS)], spec, blank, rng).text
    folder = root / "folder"
    folder.mkdir()
    for sid, text in sheets.items():
        (folder / f"{sid}.txt").write_text(text)
    assert main(["grade", str(root / "class"), str(folder), "--out", str(root / "by-folder")]) == 0
    return root, students, sheets, _grades(root / "by-folder")


def _grades(out):
    with open(out / "gradebook.csv", newline="") as f:
        return {row["id"]: (row["status"], row["grade"]) for row in csv.DictReader(f)}


def _moodle(s, folders):
    prefix = f"{s['name']}_{s['lms_id']}_assignsubmission_file_"
    return prefix + ("/answers.txt" if folders else "answers.txt")


def _canvas(s, late):
    first, *rest = s["name"].split()
    sortable = "".join(c for c in rest[-1] + first + "".join(rest[:-1]) if c.isalnum()).lower()
    return f"{sortable}_{'LATE_' if late else ''}{s['lms_id']}_{700000 + int(s['lms_id'])}_answers.txt"


def _entry_name(layout, s, late):
    if layout == "moodle-folders":
        return _moodle(s, True)
    if layout == "moodle-flat":
        return _moodle(s, False)
    if layout == "canvas":
        return _canvas(s, late)
    return f"{s['id']}.txt" if layout == "plain-zip" else f"{s['id']}/answers.txt"


@pytest.mark.parametrize(
    "layout",
    ["moodle-folders", "moodle-flat", "canvas", "plain-zip", "plain-folders-zip"],
)
@pytest.mark.parametrize("roster_has_lms_ids", [True, False])
def test_an_lms_zip_is_marked_as_the_folder_is(course, tmp_path, layout, roster_has_lms_ids):
    root, students, sheets, expected = course
    if not roster_has_lms_ids:  # matched by name instead: the class folder's roster without lms_id
        info = json.loads((root / "class" / "class.json").read_text())
        for s in info["students"]:
            s["lms_id"] = ""
        cls = tmp_path / "class"
        cls.mkdir()
        (cls / "class.json").write_text(json.dumps(info))
        for s in students:
            (cls / s["id"]).mkdir()
            (cls / s["id"] / "network.json").write_bytes((root / "class" / s["id"] / "network.json").read_bytes())
    else:
        cls = root / "class"
    zpath = tmp_path / "submissions.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for k, s in enumerate(students):
            name = _entry_name(layout, s, late=k % 3 == 0)
            zf.writestr(name, sheets[s["id"]])
        zf.writestr("__MACOSX/._junk", b"\x00\x05\x16\x07")  # macOS's resource forks: left out
    assert main(["grade", str(cls), str(zpath), "--out", str(tmp_path / "out")]) == 0
    assert _grades(tmp_path / "out") == expected


def test_two_students_of_one_name_match_neither_by_name(course, tmp_path):
    root, students, sheets, _ = course
    info = json.loads((root / "class" / "class.json").read_text())
    for s in info["students"]:
        s["lms_id"] = ""
    info["students"][1]["name"] = info["students"][0]["name"]
    cls = tmp_path / "class"
    cls.mkdir()
    (cls / "class.json").write_text(json.dumps(info))
    for s in students:
        (cls / s["id"]).mkdir()
        (cls / s["id"] / "network.json").write_bytes((root / "class" / s["id"] / "network.json").read_bytes())
    with zipfile.ZipFile(tmp_path / "subs.zip", "w") as zf:
        zf.writestr(_moodle(students[0], True), sheets[students[0]["id"]])
        zf.writestr(_moodle(students[2], True), sheets[students[2]["id"]])
    assert main(["grade", str(cls), str(tmp_path / "subs.zip"), "--out", str(tmp_path / "out")]) == 0
    rows = _grades(tmp_path / "out")
    assert rows[students[0]["id"]][0] == "no submission" and rows[students[2]["id"]][0] == "marked"
    assert rows[_moodle(students[0], True)][0] == "unknown student"  # reported, not given to either


def test_a_zip_entry_past_the_limit_is_that_students_problem_only(course, tmp_path):
    root, students, sheets, expected = course
    with zipfile.ZipFile(tmp_path / "subs.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("s001.txt", "net_h1 = 0.1\n" * 200_000)  # 2.6 MB: past a sheet's 1 MiB
        zf.writestr("s002.txt", sheets["s002"])
    assert main(["grade", str(root / "class"), str(tmp_path / "subs.zip"), "--out", str(tmp_path / "out")]) == 0
    rows = _grades(tmp_path / "out")
    assert rows["s001"] == ("wrong format", "") and rows["s002"] == expected["s002"]
