"""The nbgrader export, run by real nbgrader: ``generate_assignment``, then ``autograde`` on simulated
submissions (the class simulator's sheets pasted into the released notebook); nbgrader's scores, per
question and in total, equal ``chainrule grade``'s for the same sheets.  Eight students by default,
all 200 of the simulated class in the slow test."""

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule.cli import main

from support.class_simulator import KINDS, roster_csv, simulate
from support.tiers import need

need("nbgrader", "the nbgrader export's tests run real nbgrader")


def _nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _course(root: Path, n: int) -> tuple[Path, dict]:
    """A class of n, its nbgrader course with the assignment generated, and the simulated sheets."""
    (root / "students.csv").write_text(roster_csv(n))
    course = root / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'backprop'\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n"
        "c.ExecutePreprocessor.timeout = 300\n"
    )
    argv = ["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "2026"]
    assert main([*argv, "--nbgrader", str(course)]) == 0
    _nbgrader(course, "generate_assignment", "backprop", "--force")
    rng, sims = random.Random(7), {}
    for k in range(1, n + 1):
        sid = f"s{k:03d}"
        spec = json.loads((root / "class" / sid / "network.json").read_text())
        sims[sid] = simulate(sid, KINDS[k % len(KINDS)], spec, (root / "class" / sid / "answers.txt").read_text(), rng)
    return course, sims


def _submit(course: Path, sid: str, sheet: str, student_id: str) -> None:
    book = json.loads((course / "release" / "backprop" / "backprop.ipynb").read_text())
    for cell in book["cells"]:
        source = "".join(cell["source"])
        if source.startswith("STUDENT_ID ="):
            cell["source"] = f"STUDENT_ID = {student_id!r}"
        elif source.startswith("SHEET ="):
            cell["source"] = f'SHEET = """\n{sheet}"""'
    folder = course / "submitted" / sid / "backprop"
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_text(json.dumps(book))


def _agree(root: Path, course: Path, sims: dict) -> None:
    from nbgrader.api import Gradebook

    subs = root / "subs"
    subs.mkdir()
    for k, (sid, sim) in enumerate(sims.items()):
        (subs / f"{sid}.txt").write_text(sim.text)
        _submit(course, sid, sim.text, sid if k % 4 else "your id")  # nbgrader knows who it grades
    _nbgrader(course, "autograde", "backprop", "--create")
    assert main(["grade", str(root / "class"), str(subs), "--out", str(root / "grades")]) == 0
    with open(root / "grades" / "gradebook.csv", newline="") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sid, sim in sims.items():
            grades = {g.name: g.score for g in gb.find_submission_notebook("backprop", "backprop", sid).grades}
            mine = [float(rows[sid][f"q{k}"]) for k in range(1, len(sim.verdicts) + 1)]
            assert [grades[f"q{k}"] for k in range(1, len(mine) + 1)] == mine == list(sim.points.values()), sid
            assert all(grades[f"q{k}"] == 0 for k in range(len(mine) + 1, len(grades) + 1))  # no such question
            assert gb.find_submission("backprop", sid).score == pytest.approx(float(rows[sid]["points"]))


def test_nbgrader_autograde_agrees_with_chainrule_grade(tmp_path):
    course, sims = _course(tmp_path, len(KINDS))
    _agree(tmp_path, course, sims)


def test_the_released_notebook_hides_nothing_a_student_needs_and_locks_the_marking(tmp_path):
    course, _ = _course(tmp_path, 3)
    book = json.loads((course / "release" / "backprop" / "backprop.ipynb").read_text())
    tests = [c for c in book["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert tests and all(c["metadata"]["nbgrader"]["locked"] for c in tests)
    marking = next(c for c in book["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "marking")
    assert "NotebookMarker" in "".join(marking["source"]) and marking["metadata"]["nbgrader"]["locked"]


@pytest.mark.slow
def test_nbgrader_autograde_agrees_on_the_whole_simulated_class_of_200(tmp_path):
    course, sims = _course(tmp_path, 200)
    _agree(tmp_path, course, sims)
