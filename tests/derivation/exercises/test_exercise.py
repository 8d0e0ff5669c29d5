"""``chainrule exercise``: the same seed gives the same exercise; its key passes its own check."""

import json
import re

import chainrule
from chainrule.cli import main
from chainrule.io.network_file import network_from_dict


def test_same_seed_same_exercise_different_seed_different():
    a, b, c = chainrule.exercise(3), chainrule.exercise(3), chainrule.exercise(4)
    assert a.files() == b.files()
    assert a.files()["exercise-3.json"] != c.files()["exercise-4.json"]


def test_exercises_are_small_with_few_decimals_and_readable():
    for seed in range(20):
        ex = chainrule.exercise(seed)
        spec = ex.spec
        assert 3 <= len(spec["layers"]) <= 4 and max(spec["layers"]) <= 3
        for matrix in spec["weights"]:
            for row in matrix:
                assert all(len(repr(w).split(".")[-1]) <= 2 for w in row)
        nf = network_from_dict(json.loads(ex.files()[f"exercise-{seed}.json"]))  # a valid network file
        # no ReLU sits on its kink, where its derivative is undefined
        for net in nf.network.forward(nf.inputs).nets:
            assert (abs(net) > 1e-3).all()


def test_the_answer_key_passes_check_and_a_slip_does_not(tmp_path):
    ex = chainrule.exercise(11)
    values = chainrule.explain(ex.spec).values
    filled = []
    for line in ex.sheet.splitlines():
        m = re.fullmatch(r"(\S+) = ", line)
        filled.append(f"{m.group(1)} = {values[m.group(1)]:.9f}" if m else line)
    result = chainrule.check("\n".join(filled), network=ex.spec)
    assert result.ok and len(result.verdicts) >= 15
    filled[3] = filled[3].split("=")[0] + "= 123.0"
    assert not chainrule.check("\n".join(filled), network=ex.spec).ok


def test_cli_writes_the_four_files(tmp_path, capsys):
    out = tmp_path / "ex"
    assert main(["exercise", "--seed", "2", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["answer-key.md", "answers.txt", "exercise-2.json", "questions.md"]
    questions = (out / "questions.md").read_text()
    assert questions.startswith("# Exercise 2") and "chainrule check answers.txt --network exercise-2.json" in questions
    assert (out / "answer-key.md").read_text().startswith("# Exercise 2: answer key")
    # the blank sheet is a valid sheet with nothing answered yet
    assert main(["check", str(out / "answers.txt"), "--network", str(out / "exercise-2.json")]) == 2
    assert "no 'name = value' lines" in capsys.readouterr().err
    assert main(["exercise", "--seed", "2", "--print", "network"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads((out / "exercise-2.json").read_text())
