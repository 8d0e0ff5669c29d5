"""``chainrule grade`` on a simulated class of 200 with planted mistakes (tests/support/class_simulator.py,
marked there independently of chainrule): every student gets exactly the planted marks, per question and
in total; nobody is flagged; the gradebook, Canvas's file and the feedback agree with them."""

import csv
import json
import random
import time

import pytest

from chainrule.cli import main

from support.class_simulator import KINDS, roster_csv, simulate

N_STUDENTS = 200


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    (root / "students.csv").write_text(roster_csv(N_STUDENTS))
    assert (
        main(["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "2026"]) == 0
    )
    rng, sims = random.Random(22), {}
    (root / "subs").mkdir()
    for k in range(1, N_STUDENTS + 1):
        sid = f"s{k:03d}"
        spec = json.loads((root / "class" / sid / "network.json").read_text())
        blank = (root / "class" / sid / "answers.txt").read_text()
        sims[sid] = simulate(sid, KINDS[k % len(KINDS)], spec, blank, rng)
        (root / "subs" / f"{sid}.txt").write_text(sims[sid].text)
    return root, sims


def _rows(path):
    with open(path, newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def test_the_plans_mistakes_are_where_they_were_planted(simulated):
    _, sims = simulated
    kinds = {s.kind for s in sims.values()}
    assert kinds == set(KINDS)
    for sim in sims.values():
        for name, verdict in sim.planted.items():  # by construction, and by the independent marker
            assert sim.verdicts[name] == verdict, (sim.student, name)
        if sim.kind == "perfect":
            assert set(sim.verdicts.values()) == {"ok"}, sim.student
        if sim.kind == "rounded":  # right from their own rounded lines; a tiny value to 5 decimals is too short
            assert set(sim.verdicts.values()) <= {"ok", "too_few_digits"}, sim.student
        if sim.kind in ("slip", "sign"):
            assert "wrong" in sim.verdicts.values(), sim.student
    swapped = [s for s in sims.values() if s.kind == "swap"]  # w6 and w7 swapped: wrong where they enter
    assert sum("wrong" in s.verdicts.values() for s in swapped) >= 0.8 * len(swapped)  # (unless a ReLU's 0 hides them)
    assert sum("carried" in s.verdicts.values() for s in sims.values()) >= 40  # slips carried forward


def test_every_student_gets_exactly_the_planted_marks(simulated, capsys):
    root, sims = simulated
    start = time.perf_counter()
    assert main(["grade", str(root / "class"), str(root / "subs"), "--out", str(root / "grades")]) == 0
    took = time.perf_counter() - start
    print(f"\nmarked {N_STUDENTS} sheets in {took:.2f} s")  # the notes give the time; never asserted
    rows = _rows(root / "grades" / "gradebook.csv")
    assert len(rows) == N_STUDENTS
    for sid, sim in sims.items():
        row = rows[sid]
        assert row["status"] == "marked", (sid, row["feedback"])
        expected = list(sim.points.values())
        got = [float(row[f"q{k}"]) for k in range(1, len(expected) + 1)]
        assert got == expected, (sid, sim.kind)
        assert float(row["points"]) == pytest.approx(sim.total)
        assert float(row["max_points"]) == len(expected)
        assert float(row["grade"]) == pytest.approx(100 * sim.total / len(expected), abs=0.005)
    canvas = list(csv.DictReader(open(root / "grades" / "canvas.csv", newline="")))
    assert [r["SIS User ID"] for r in canvas] == list(sims)
    assert all(r["Backpropagation"] == rows[r["SIS User ID"]]["grade"] for r in canvas)


def test_each_feedback_file_names_every_verdict_and_shows_each_mistakes_worked_line(simulated):
    root, sims = simulated
    if not (root / "grades").exists():
        assert main(["grade", str(root / "class"), str(root / "subs"), "--out", str(root / "grades")]) == 0
    for sid, sim in sims.items():
        text = (root / "grades" / "feedback" / f"{sid}.md").read_text()
        table = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
        assert [line.split(" | ")[2].split(" (line")[0].replace(" ", "_") for line in table] == list(
            sim.verdicts.values()
        )
        for name, verdict in sim.verdicts.items():
            if verdict == "wrong":  # the exact value's worked line: "name = formula = numbers = value"
                assert any(
                    line.strip().startswith(f"{name} = ") and line.count(" = ") >= 2 for line in text.splitlines()
                )


def test_the_teachers_points_scheme(simulated):
    root, sims = simulated
    argv = ["grade", str(root / "class"), str(root / "subs"), "--out", str(root / "scheme")]
    assert main([*argv, "--points", "ok=1,carried=0.25,too_few_digits=0.1", "--worth", "deltas=2,E_total=3"]) == 0
    rows = _rows(root / "scheme" / "gradebook.csv")
    share = {"ok": 1.0, "carried": 0.25, "too_few_digits": 0.1}
    for sid, sim in sims.items():
        worth = {n: 3.0 if n == "E_total" else 2.0 if n.startswith("delta_") else 1.0 for n in sim.verdicts}
        expected = [worth[n] * share.get(v, 0.0) for n, v in sim.verdicts.items()]
        assert [float(rows[sid][f"q{k}"]) for k in range(1, len(expected) + 1)] == pytest.approx(expected), sid
        assert float(rows[sid]["max_points"]) == pytest.approx(sum(worth.values()))
        deltas = sum(p for p, n in zip(expected, sim.verdicts) if n.startswith("delta_"))
        assert float(rows[sid]["deltas"]) == pytest.approx(deltas, abs=0.005)


@pytest.mark.parametrize(
    "option, words",
    [
        ("--points=ok=2", "the share for ok must be a number from 0 to 1"),
        ("--points=great=1", "no verdict 'great'"),
        ("--worth=deltas=-1", "the worth of deltas must be a number of at least 0"),
        ("--worth=deltas", "expected NAME=NUMBER"),
    ],
)
def test_a_bad_points_scheme_is_one_line(simulated, capsys, option, words):
    root, _ = simulated
    assert main(["grade", str(root / "class"), str(root / "subs"), "--out", str(root / "never"), option]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and not (root / "never").exists()
