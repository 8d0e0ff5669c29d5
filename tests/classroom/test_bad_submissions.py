"""Bad submissions: a file no student matches, one that is not a sheet, two different sheets for one
student, an empty sheet, a sheet written for another student's network, no sheet at all.  Each is one
clear line in the gradebook; nobody else's mark changes; no input is written over."""

import csv
import json
import os
import random
import zipfile

import pytest

from chainrule.cli import main

from support.class_simulator import roster_csv, simulate

N = 10


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    (root / "students.csv").write_text(roster_csv(N))
    assert main(["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "5"]) == 0
    rng, sheets = random.Random(3), {}
    for k in range(1, N + 1):
        sid = f"s{k:03d}"
        spec = json.loads((root / "class" / sid / "network.json").read_text())
        sheets[sid] = simulate(sid, "perfect", spec, (root / "class" / sid / "answers.txt").read_text(), rng).text
    return root, sheets


def _grade(root, subs, out, *extra):
    code = main(["grade", str(root / "class"), str(subs), "--out", str(out), *extra])
    with open(out / "gradebook.csv", newline="") as f:
        return code, {row["id"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    root, sheets = course
    subs = tmp_path_factory.mktemp("subs")
    for sid in ("s001", "s002", "s008"):
        (subs / f"{sid}.txt").write_text(sheets[sid])
    (subs / "s002").mkdir()
    (subs / "s002" / "notes.pdf").write_bytes(b"%PDF-1.4 not a sheet")  # beside s002's sheet: said, not marked
    (subs / "s003.pdf").write_bytes(b"%PDF-1.4 a sheet printed to PDF")  # wrong format
    (subs / "s004.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")  # not text
    (subs / "s005.txt").write_text(sheets["s005"])
    (subs / "s005").mkdir()
    (subs / "s005" / "answers.txt").write_text(sheets["s005"].replace("= ", "= 1", 1))  # a second, different sheet
    (subs / "s006.txt").write_text((root / "class" / "s006" / "answers.txt").read_text())  # handed in blank
    (subs / "s007.txt").write_text(sheets["s008"])  # s008's network's numbers
    (subs / "s009.txt").write_text("my answers:\nnet_h1 is 0.3\n")  # not 'name = value' lines
    (subs / "zz999.txt").write_text(sheets["s001"])  # nobody of that id
    code, rows = _grade(root, subs, subs.parent / "out-bad")
    good = subs.parent / "good"
    good.mkdir()
    for sid in ("s001", "s002", "s008"):
        (good / f"{sid}.txt").write_text(sheets[sid])
    _, alone = _grade(root, good, subs.parent / "out-good")
    return code, rows, alone, subs


@pytest.mark.parametrize(
    "sid, status, words",
    [
        ("s003", "wrong format", "a .pdf file, not an answer sheet"),
        ("s004", "wrong format", "not UTF-8 text"),
        ("s005", "duplicate", "2 different sheets"),
        ("s006", "empty", "no answers yet"),
        ("s007", "flagged", "fits s008's network"),
        ("s009", "wrong format", "expected 'name = value'"),
        ("s010", "no submission", "no sheet was handed in"),
        ("zz999.txt", "unknown student", "no student of the roster matches"),
    ],
)
def test_each_bad_submission_is_one_clear_line(graded, sid, status, words):
    code, rows, _, _ = graded
    assert code == 0
    row = rows[sid]
    assert row["status"] == status
    assert words in row["feedback"] and "\n" not in row["feedback"] and "Traceback" not in row["feedback"]
    assert (row["grade"] == "") == (status != "flagged")  # a flagged sheet is marked, against its owner's network


def test_nobody_elses_mark_is_lost_or_changed(graded):
    _, rows, alone, _ = graded
    assert "not a sheet, not marked: s002/notes.pdf" in rows["s002"]["feedback"]
    for sid in ("s001", "s002", "s008"):
        assert rows[sid]["status"] == "marked" and rows[sid]["grade"] == alone[sid]["grade"] == "100"
        assert [rows[sid][f"q{k}"] for k in range(1, 15)] == [alone[sid][f"q{k}"] for k in range(1, 15)]
    assert float(rows["s007"]["grade"]) < 20  # marked against s007's own network: hardly anything fits it


def test_identical_copies_of_one_sheet_are_marked_once(course, tmp_path):
    root, sheets = course
    (tmp_path / "s001.txt").write_text(sheets["s001"])
    (tmp_path / "s001").mkdir()
    (tmp_path / "s001" / "answers.txt").write_text(sheets["s001"])
    _, rows = _grade(root, tmp_path, tmp_path.parent / (tmp_path.name + "-out"))
    assert rows["s001"]["status"] == "marked" and rows["s001"]["grade"] == "100"


def test_no_input_is_written_over(course, tmp_path, capsys):
    root, sheets = course
    subs = tmp_path / "subs.zip"
    with zipfile.ZipFile(subs, "w") as zf:
        zf.writestr("s001.txt", sheets["s001"])
    before = subs.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    os.link(subs, out / "gradebook.csv")  # the gradebook's name is the ZIP itself
    assert main(["grade", str(root / "class"), str(subs), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "would destroy that input" in err
    assert subs.read_bytes() == before and not (out / "canvas.csv").exists()
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "s001.txt").write_text(sheets["s001"])
    assert main(["grade", str(root / "class"), str(folder), "--out", str(folder / "grades")]) == 2
    assert "inside the submissions" in capsys.readouterr().err and sorted(os.listdir(folder)) == ["s001.txt"]


@pytest.mark.parametrize(
    "roster, words",
    [
        ("name,email\nAda,a@x\n", "no id column"),
        ("id\ns1\ns1\n", "is already on line 2"),
        ("id\n../etc\n", "cannot name a file"),
        ("id\n", "no students"),
    ],
)
def test_a_bad_roster_is_one_line_and_writes_nothing(tmp_path, capsys, roster, words):
    (tmp_path / "r.csv").write_text(roster)
    assert main(["exercise", "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "class")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and not (tmp_path / "class").exists()


def test_a_class_folder_is_not_replaced_without_force(course, capsys):
    root, _ = course
    key = (root / "class" / "s001" / "answer-key.md").read_text()
    assert main(["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "6"]) == 2
    assert "not replacing without --force" in capsys.readouterr().err
    assert (root / "class" / "s001" / "answer-key.md").read_text() == key


@pytest.mark.parametrize("over", ["students.csv", "class/class.json", "class/index.csv"])
def test_a_quiz_is_never_written_over_the_roster_or_the_class(course, capsys, over):
    """--moodle students.csv replaced the roster with the quiz (exit 0) before this check."""
    root, _ = course
    before = (root / over).read_bytes()
    argv = ["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "5"]
    assert main([*argv, "--moodle", str(root / over)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--moodle" in err, err
    assert (root / over).read_bytes() == before


def test_not_a_class_folder_and_not_submissions_are_one_line(course, tmp_path, capsys):
    root, _ = course
    assert main(["grade", str(tmp_path), str(tmp_path)]) == 2
    assert "not a class folder" in capsys.readouterr().err
    (tmp_path / "subs.zip").write_bytes(b"PK\x03\x04 truncated")
    assert main(["grade", str(root / "class"), str(tmp_path / "subs.zip"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neither a folder of sheets nor a ZIP" in err


def test_a_symbolic_link_among_the_sheets_is_not_followed(course, tmp_path):
    root, sheets = course
    secret = tmp_path / "secret.txt"
    secret.write_text(sheets["s002"])
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "s002.txt").symlink_to(secret)
    (tmp_path / "subs" / "s001.txt").write_text(sheets["s001"])
    _, rows = _grade(root, tmp_path / "subs", tmp_path / "out")
    assert rows["s002"]["status"] == "wrong format" and "symbolic link" in rows["s002"]["feedback"]
    assert rows["s001"]["grade"] == "100"


def test_an_unmatched_entry_with_a_newline_or_a_formula_in_its_name_stays_one_harmless_cell(course, tmp_path):
    root, sheets = course
    with zipfile.ZipFile(tmp_path / "subs.zip", "w") as zf:
        zf.writestr("=HYPERLINK(1)\nrow.txt", sheets["s001"])
        zf.writestr("s001.txt", sheets["s001"])
    _, rows = _grade(root, tmp_path / "subs.zip", tmp_path / "out")
    (odd,) = [r for r in rows.values() if r["status"] == "unknown student"]
    assert odd["id"].startswith("'=") and "\n" not in odd["id"] + odd["feedback"] and "\\n" in odd["id"]
    assert rows["s001"]["grade"] == "100"


def test_a_network_file_missing_from_the_class_folder_costs_only_that_students_row(course, tmp_path):
    import shutil

    root, sheets = course
    shutil.copytree(root / "class", tmp_path / "class")
    (tmp_path / "class" / "s002" / "network.json").unlink()
    (tmp_path / "subs").mkdir()
    for sid in ("s001", "s002"):
        (tmp_path / "subs" / f"{sid}.txt").write_text(sheets[sid])
    assert main(["grade", str(tmp_path / "class"), str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 0
    with open(tmp_path / "out" / "gradebook.csv", newline="") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    assert rows["s002"]["status"] == "no network" and "network.json" in rows["s002"]["feedback"]
    assert rows["s001"]["grade"] == "100"
