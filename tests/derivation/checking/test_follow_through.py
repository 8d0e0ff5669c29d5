"""Follow-through: sheets written by a simulated learner (tests/support/learner.py: the seed's step worked on
paper in plain Python, each line from the lines written before it, rounded) get ok, carried and wrong
exactly where an examiner puts them — the learner's own bookkeeping says which slips each line was
computed from:

* a line right as written is ok;
* a slip (or a misread given) is wrong;
* a line computed correctly from the learner's numbers is ok when no slip is behind it (rounded
  intermediates) and carried from the slips behind it otherwise.
"""

import pytest

import chainrule

from support.learner import GIVEN, inputs_of, work
from support.published import independent_verdict

EXACT = {**GIVEN, **{name: float(text) for name, text, _ in work(None)}}


def _expected(sheet, slipped: set[str]) -> list[tuple[str, tuple[int, ...]]]:
    """An examiner's verdicts for the sheet (line numbers from 1): a line right as written is ok; a slip is
    wrong; any other line was computed correctly from the learner's numbers, so it is carried from the
    lines not right behind it (through the lines the learner did not write), or ok when there are none."""
    inputs, behind = inputs_of(), {}

    def lines_behind(name: str) -> frozenset:
        if name in behind:  # written: right (nothing behind it), or the line itself, or what it carries
            return behind[name]
        return frozenset().union(*(lines_behind(i) for i in inputs.get(name, ())))

    out = []
    for line, (name, text, used) in enumerate(sheet, start=1):
        if independent_verdict(text, EXACT[name]) == "ok":
            out.append(("ok", ()))
            behind[name] = frozenset()
        elif name in slipped:
            out.append(("wrong", ()))
            behind[name] = frozenset({line})
        else:
            lines = frozenset().union(*(lines_behind(i) for i in used))
            out.append(("carried", tuple(sorted(lines))) if lines else ("ok", ()))
            behind[name] = lines
    return out


def _marked(sheet, **options):
    result = chainrule.check("\n".join(f"{name} = {text}" for name, text, _ in sheet) + "\n", **options)
    assert [v.canonical for v in result.verdicts] == [name for name, _, _ in sheet]
    return result, [(v.kind, v.carried_from if v.kind == "carried" else ()) for v in result.verdicts]


@pytest.mark.parametrize("digits", [3, 4, 6, 9])
def test_a_learner_who_rounds_every_line_is_right_everywhere(digits):
    sheet = work(digits)
    result, marks = _marked(sheet)
    assert marks == _expected(sheet, set()) == [("ok", ())] * len(sheet)
    if digits == 3:  # against the exact values alone, rounding carried through some lines misses
        strict = chainrule.check("\n".join(f"{n} = {t}" for n, t, _ in sheet) + "\n", follow_through=False)
        assert strict.count("wrong") > 0
        assert all(
            v.hint == "right from your own earlier (rounded) numbers" for v in result.verdicts if v.follow_through
        )


SLIPS = {
    "an early slip": {"out_h1": lambda v: v + 0.05},
    "digits swapped": {"net_o2": lambda v: float(str(v).replace("22", "32", 1)) if "22" in str(v) else v * 1.3},
    "a sign": {"dE_total/dout_o1": lambda v: -v},
    "a slip and a later arithmetic error": {"out_h1": lambda v: v * 1.1, "dE_total/dw5": lambda v: v * 1.5},
    "two slips behind one line": {"out_h1": lambda v: v + 0.05, "out_h2": lambda v: v - 0.04},
}


@pytest.mark.parametrize("digits", [4, 6])
@pytest.mark.parametrize("case", list(SLIPS))
def test_slips_are_wrong_and_what_follows_from_them_is_carried(case, digits):
    sheet = work(digits, SLIPS[case])
    result, marks = _marked(sheet)
    expected = _expected(sheet, set(SLIPS[case]))
    assert marks == expected
    kinds = [k for k, _ in marks]
    assert kinds.count("wrong") == len(SLIPS[case]) and kinds.count("carried") >= 3
    assert not result.ok and result.count("carried") == kinds.count("carried")
    text = result.to_text()
    for v in result.verdicts:
        if v.kind == "carried":
            assert f"CARRY  line {v.line}: " in text and "carried from line" in text
    strict = chainrule.check("\n".join(f"{n} = {t}" for n, t, _ in sheet) + "\n", follow_through=False)
    assert strict.count("carried") == 0 and strict.count("wrong") >= kinds.count("wrong") + kinds.count("carried")


def test_a_misread_given_carries_into_every_line_it_feeds():
    sheet = work(6, copies={"w6": 0.54})
    result, marks = _marked(sheet)
    assert marks == _expected(sheet, {"w6"})
    assert marks[0] == ("wrong", ())
    carried = {v.canonical for v in result.verdicts if v.kind == "carried"}
    assert {"net_o1", "out_o1", "E_o1", "E_total", "w6+"} <= carried and "net_o2" not in carried


def test_a_learner_who_writes_only_some_lines_is_followed_through_the_rest():
    """Lines not written (kept at full precision by the learner) are recomputed from the sheet's values."""
    skip = {"net_h1", "net_h2", "dout_o1/dnet_o1", "dnet_o1/dw5", "dE_o1/dnet_o1", "dE_o1/dout_h1", "dE_o2/dout_h1"}
    sheet = work(4, {"out_h1": lambda v: v + 0.05}, skip=skip)
    _, marks = _marked(sheet)
    assert marks == _expected(sheet, {"out_h1"})
    assert ("carried", (1,)) in marks  # out_h1 is the sheet's first line


def test_json_names_the_lines_a_carried_line_inherits_from(tmp_path, capsys):
    import json

    from chainrule.cli import main

    sheet = work(4, {"out_h1": lambda v: v + 0.05})
    path = tmp_path / "s.txt"
    path.write_text("\n".join(f"{n} = {t}" for n, t, _ in sheet) + "\n")
    assert main(["check", str(path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    line = next(x for x in doc["lines"] if x["canonical"] == "out_o1")
    assert line["verdict"] == "carried" and line["carried_from"] == [2]  # out_h1 is line 2 (after net_h1)
    assert doc["counts"]["carried"] > 0 and doc["follow_through"] is True
    assert main(["check", str(path), "--json", "--no-follow-through"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["carried"] == 0 and doc["follow_through"] is False
