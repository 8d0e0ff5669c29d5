"""The Moodle XML quiz, parsed with defusedxml: a category per student, one numerical question per asked
quantity in their sheet's order; every answer is the engine's value, and the tolerance accepts, among
answers written to the decimals asked, exactly those the marking rule accepts."""

import json
from decimal import Decimal

import pytest

import chainrule
from chainrule.cli import main
from chainrule.derivation.checking.tolerance import Rule

from support.class_simulator import blank_names, roster_csv
from support.published import after, independent_verdict, oracle
from support.tiers import need

ET = need("defusedxml.ElementTree", "the Moodle quiz is parsed with a well-kept XML library")


@pytest.fixture(
    scope="module",
    params=[
        ("default", []),
        (
            "4 decimals, N updates, Nielsen's names",
            ["--decimals", "4", "--ask", "updates", "--updates", "3", "--notation", "nielsen"],
        ),
    ],
    ids=lambda p: p[0],
)
def quiz(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("moodle")
    (root / "students.csv").write_text(roster_csv(12))
    argv = ["exercise", "--roster", str(root / "students.csv"), "--out", str(root / "class"), "--seed", "31"]
    assert main([*argv, *request.param[1], "--moodle", str(root / "quiz.xml")]) == 0
    return root, ET.parse(root / "quiz.xml").getroot()


def _questions(root_el):
    """student id → [(name, answer, tolerance, grade)] in the file's order, by category."""
    out, current = {}, None
    for q in root_el.findall("question"):
        if q.get("type") == "category":
            current = q.find("category/text").text.rsplit("/", 1)[1]
            out[current] = []
            continue
        assert q.get("type") == "numerical"
        answer = q.find("answer")
        assert answer.get("fraction") == "100"
        name = q.find("name/text").text.split(": ", 1)[1]
        out[current].append((name, Decimal(answer.find("text").text), Decimal(answer.find("tolerance").text)))
    return out


def _moodle_accepts(written: Decimal, answer: Decimal, tolerance: Decimal) -> bool:
    """Moodle's nominal tolerance: |response − answer| ≤ tolerance (plus its 1e-14 for float rounding)."""
    return abs(written - answer) <= tolerance + Decimal("1e-14")


def test_a_category_per_student_and_a_question_per_line_of_their_sheet(quiz):
    root, xml = quiz
    questions = _questions(xml)
    assert list(questions) == [f"s{k:03d}" for k in range(1, 13)]
    for sid, qs in questions.items():
        assert [q[0] for q in qs] == blank_names((root / "class" / sid / "answers.txt").read_text())


def test_every_answer_is_the_engines_value_and_its_tolerance_is_the_marking_rules(quiz):
    root, xml = quiz
    info = json.loads((root / "class" / "class.json").read_text())
    decimals = info["shape"]["decimals"]
    u = Decimal(1).scaleb(-decimals)
    checked = 0
    for student in info["students"]:
        sid = student["id"]
        spec = json.loads((root / "class" / sid / "network.json").read_text())
        engine = chainrule.explain(spec).values
        torch_values = oracle(spec)
        for n in {int(a.rsplit("@", 1)[1]) for a in student["asked"] if "@" in a}:
            torch_values.update(after(spec, n))
        for name, (written, answer, tolerance) in zip(
            student["asked"], [(q[0], q[1], q[2]) for q in _questions(xml)[sid]]
        ):
            assert written == student["written"][name]
            exact = (
                engine[name]
                if name in engine
                else chainrule.check(f"{written} = 0\n", spec, notation=info["shape"]["notation"]).verdicts[0].expected
            )
            assert exact == pytest.approx(torch_values[name], rel=1e-9, abs=1e-12)
            assert abs(answer - Decimal(exact)) <= tolerance  # the exact value is among those accepted
            for j in range(-4, 6):
                w = Decimal(exact).quantize(u) + j * u
                text = f"{w:.{decimals}f}"
                if len(text.replace("-", "").replace(".", "").lstrip("0")) < 2:
                    continue  # the rule: too few digits to judge; Moodle has no such verdict
                ok = Rule().verdict(text, exact) == "ok"
                assert ok == (independent_verdict(text, exact) == "ok")
                assert _moodle_accepts(w, answer, tolerance) == ok, (sid, name, text, exact)
                checked += 1
    assert checked > 1000
