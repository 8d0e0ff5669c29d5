"""Each student's exercise: reproducible from (course seed, id) in any process (SHA-256, never
``hash()``), unrelated between ids, unchanged by the rest of the roster; a class in a book's notation
is marked in that notation."""

import json
import subprocess
import sys

from chainrule.classroom.roster import Student, parse_roster
from chainrule.classroom.variants import student_exercise, student_seed
from chainrule.cli import main

CODE = "from chainrule.classroom.variants import student_seed as s; print([s(2026, f'id{k}') for k in range(50)])"


def test_the_seed_is_the_same_in_every_process_whatever_pythons_hash_seed():
    runs = {
        tuple(
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", CODE], env={"PYTHONHASHSEED": h, "PATH": ""}, capture_output=True, text=True
                ).stdout
            )
        )
        for h in ("0", "1", "4242")
    }
    assert len(runs) == 1
    assert list(runs.pop()) == [student_seed(2026, f"id{k}") for k in range(50)]


def test_ids_and_courses_give_unrelated_networks():
    seeds = {student_seed(7, f"s{k:04d}") for k in range(2000)}
    assert len(seeds) == 2000 and all(0 <= s < 2**63 for s in seeds)
    assert student_seed(7, "s0001") != student_seed(8, "s0001")
    specs = [student_exercise(f"s{k}", 7).spec["weights"] for k in range(20)]
    assert len({json.dumps(w) for w in specs}) == 20


def test_a_students_folder_does_not_depend_on_the_rest_of_the_roster(tmp_path):
    (tmp_path / "a.csv").write_text("id\ns1\ns2\n")
    (tmp_path / "b.csv").write_text("id\ns0\ns2\ns3\n")
    assert main(["exercise", "--roster", str(tmp_path / "a.csv"), "--out", str(tmp_path / "a"), "--seed", "4"]) == 0
    assert main(["exercise", "--roster", str(tmp_path / "b.csv"), "--out", str(tmp_path / "b"), "--seed", "4"]) == 0
    for name in ("network.json", "questions.md", "answers.txt", "answer-key.md"):
        assert (tmp_path / "a" / "s2" / name).read_text() == (tmp_path / "b" / "s2" / name).read_text()
    index = (tmp_path / "a" / "index.csv").read_text().splitlines()
    assert index[0].startswith("id,name,email,seed,layers") and index[2].startswith(f"s2,,,{student_seed(4, 's2')},")


def test_a_class_taught_in_nielsens_notation_is_marked_in_it(tmp_path):
    import chainrule

    (tmp_path / "r.csv").write_text("id\nn1\nn2\n")
    argv = ["exercise", "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "class"), "--notation", "nielsen"]
    assert main([*argv, "--ask", "updates", "--updates", "3"]) == 0
    (tmp_path / "sheets").mkdir()
    for sid in ("n1", "n2"):
        spec = json.loads((tmp_path / "class" / sid / "network.json").read_text())
        key = chainrule.explain(spec).values
        lines = []
        for line in (tmp_path / "class" / sid / "answers.txt").read_text().splitlines():
            written = line.split(" = ")[0]
            if line.startswith("#"):
                continue
            value = chainrule.check(f"{written} = 0\n", spec, notation="nielsen").verdicts[0].expected
            lines.append(f"{written} = {value:.9f}")
            assert "^" in written or written.startswith(("C", "w(")) or "@" in written
        if sid == "n2":
            lines[0] = lines[0].split(" = ")[0] + " = 9.5"  # z^2_1 wrong (the lines after it are the exact values)
        (tmp_path / "sheets" / f"{sid}.txt").write_text("\n".join(lines) + "\n")
        assert key  # the engine's values exist for every name the sheet reads back to
    rows = chainrule.grade(tmp_path / "class", tmp_path / "sheets", out=False)
    assert rows[0].percent == 100
    verdicts = [q.verdict for q in rows[1].questions]
    assert verdicts == ["wrong"] + ["ok"] * (len(verdicts) - 1)
    assert rows[1].questions[0].written == "z^2_1" and "WRONG  line 1: z^2_1 = 9.5" in rows[1].result.to_text()


def test_a_roster_reads_its_columns_by_name():
    students = parse_roster("\ufeffStudent ID,Full Name,E-mail Address,LMS_ID\n s1 ,Ada L,a@x,11\n\n,,,\ns2,,,\n")
    assert students == [Student("s1", "Ada L", "a@x", "11"), Student("s2")]
    assert parse_roster("name,id,email\nAda,s9,a@x\n") == [Student("s9", "Ada", "a@x")]
