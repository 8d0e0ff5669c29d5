"""``chainrule check`` and ``explain`` on sheets and files a stranger writes: byte-order marks, CR/LF line
ends, empty files, very long or deeply nested lines, left sides with no finite value.  Each gives a verdict
or one clear line (exit 2) — never a traceback, never a wrong "ok"."""

import pytest

import chainrule
from chainrule.cli import main
from chainrule.derivation.checking.tolerance import DEFAULT, Written

RIGHT = "net_h1 = 0.3775\nout_h1 = 0.593269992\n"


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize(
    "raw",
    [b"\xef\xbb\xbf" + RIGHT.encode(), RIGHT.replace("\n", "\r\n").encode(), RIGHT.replace("\n", "\r").encode()],
    ids=["bom", "crlf", "cr"],
)
def test_bom_and_line_ends_are_read(tmp_path, capsys, raw):
    sheet = tmp_path / "answers.txt"
    sheet.write_bytes(raw)
    code, out, _ = _run(capsys, "check", str(sheet))
    assert code == 0 and "2 lines checked: 2 right" in out


@pytest.mark.parametrize(
    "raw",
    [b"", b"# only a comment\n\n   \n", b"net_h1 = 0.3775\n\xff\xfe = 0.1\n"],
    ids=["empty", "comments", "not-utf8"],
)
def test_an_empty_or_unreadable_sheet_is_one_line(tmp_path, capsys, raw):
    sheet = tmp_path / "answers.txt"
    sheet.write_bytes(raw)
    code, out, err = _run(capsys, "check", str(sheet))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "answers.txt" in err


@pytest.mark.parametrize(
    "left",
    ["(" * 5000 + "net_h1" + ")" * 5000, "+".join(["net_h1"] * 5000), "-" * 3000 + "net_h1", "w5" + "^w5" * 2000],
    ids=["nested", "long-sum", "signs", "powers"],
)
def test_a_huge_left_side_is_refused_not_recursed_into(capsys, tmp_path, left):
    sheet = tmp_path / "answers.txt"
    sheet.write_text(f"{left} = 0.3775\nnet_h1 = 0.3775\n", encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(sheet))
    assert code == 1 and "ERROR  line 1" in out and "ok     line 2" in out


@pytest.mark.parametrize("left", ["1/0", "w5/0", "2^1000000", "0*1e400", "e^1000", "1e400"])
def test_a_left_side_with_no_finite_value_is_never_ok(left):
    (v,) = chainrule.check(f"{left} = 1\n").verdicts
    assert not v.ok and v.kind == "unreadable" and "no finite value" in v.hint


def test_the_rule_never_accepts_a_number_for_inf_or_nan():
    for exact in (float("inf"), float("-inf"), float("nan")):
        assert DEFAULT.judge(Written.read("1"), exact) == "wrong"
        assert DEFAULT.judge(Written.read("1.0000"), exact) == "wrong"


@pytest.mark.parametrize(
    "line", ["w5^2 = 0.16", "out_h1^2 = 0.351969", "w5^2+w6^2 = 0.3625", "e^2 = 7.389", "E_total@1^2 = 0.0847"]
)
def test_a_power_of_a_known_name(line):
    (v,) = chainrule.check(line + "\n").verdicts
    assert v.ok, v


def test_very_long_lines_get_a_verdict(capsys, tmp_path):
    """A number of 20,000 digits and a name of 100,000 letters are each one unreadable line, said as such
    (the line budget: a left side of at most 1,000 characters, a number of at most 100)."""
    sheet = tmp_path / "answers.txt"
    sheet.write_text(
        "net_h1 = 0." + "3775" * 5000 + "\n" + "w" * 100_000 + " = 0.5\nnet_h1 = 0.3775\n", encoding="utf-8"
    )
    code, out, _ = _run(capsys, "check", str(sheet))
    assert code == 1 and "ERROR  line 1" in out and "ERROR  line 2" in out and "ok     line 3" in out
    assert "a number of more than 100 characters" in out and "too long to read (100,000 characters" in out
    assert max(map(len, out.splitlines())) < 200  # the names are shown cut short


def test_unicode_look_alike_names_are_unknown_not_guessed():
    r = chainrule.check("ñet_h1 = 0.3775\nоut_h1 = 0.593269992\n")  # n with a tilde, Cyrillic o
    assert [v.kind for v in r.verdicts] == ["unknown", "unknown"]
    assert "did you mean net_h1" in r.verdicts[0].hint


def test_explain_writes_huge_numbers_with_an_exponent_and_a_saturated_sigmoid_as_1(capsys, tmp_path):
    net = tmp_path / "huge.json"
    net.write_text(
        '{"layers": [1, 1], "input": [1e308], "target": [-1e308], "learning_rate": 1e308, '
        '"weights": [[[0.5]]], "biases": [[0.0]]}',
        encoding="utf-8",
    )
    code, text, _ = _run(capsys, "explain", str(net))
    assert code == 0
    assert "learning rate eta = 1e+308." in text and "Inputs: i1 = 1e+308; targets: target_o1 = -1e+308." in text
    assert max(len(line) for line in text.splitlines()) < 200
    out_line = next(line for line in text.splitlines() if line.startswith("out_o1 = "))
    assert out_line.endswith("= 1") and "rounding" not in out_line  # sigmoid(5e307) is 1, not "0 up to rounding"


def test_a_sheet_on_standard_input(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf" + RIGHT.encode())))
    code, out, _ = _run(capsys, "check", "-")
    assert code == 0 and "2 lines checked: 2 right" in out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe")))
    code, out, err = _run(capsys, "check", "-")
    assert code == 2 and "standard input: not UTF-8" in err and out == ""


def test_a_blank_exercise_sheet_says_nothing_is_answered_yet(capsys, tmp_path):
    sheet = tmp_path / "answers.txt"
    sheet.write_text("# Exercise 0\nnet_h1 = \nout_h1 =\n", encoding="utf-8")
    code, _, err = _run(capsys, "check", str(sheet))
    assert code == 2 and "no answers yet: its 2 'name =' lines have nothing after the '='" in err


@pytest.mark.parametrize(
    "line",
    [
        "∂E_total/∂w_5 = 0.082167041",
        "w5⁺ = 0.35891648",
        "δ_o1 = 0.138498562",
        "δo1 = 0.138498562",
        "dEtotal/dw5 = 0.082167041",
        "η*∂E/∂w5 = 0.04108352",
        "w5(new) = 0.35891648",
        "w6 (updated) = 0.408666186",
        "w5 (new) - w5 = -0.04108352",
        "d E_total / d w5 = 0.082167041",
        "∂ out_o1 / ∂ net_o1 = 0.186815602",
    ],
)
def test_hand_written_spellings_of_the_seeds_names(line):
    (v,) = chainrule.check(line + "\n").verdicts
    assert v.ok, v


@pytest.mark.parametrize(
    "line", ["w5(new) = 0.3598", "w5(new) = 0.4", "d E_total / d w5 = 0.0832", "d E_total / d w5 = 0.08"]
)
def test_a_spelling_read_is_judged_like_the_name_itself(line):
    """A spelling changes only how a name is read: the value is judged as the seed's name's would be
    (0.3598 is wrong for w5+ = 0.358916480, 0.4 has too few digits, 0.0832 is wrong for 0.082167041)."""
    left, value = line.split(" = ")
    seed_name = "w5+" if "new" in left else "dE_total/dw5"
    (spelt,) = chainrule.check(line + "\n").verdicts
    (plain,) = chainrule.check(f"{seed_name} = {value}\n").verdicts
    assert not spelt.ok and spelt.to_dict()["verdict"] == plain.to_dict()["verdict"]


@pytest.mark.parametrize("line", ["out_o1(new) = 0.75", "d = 1", "w5 new = 0.35891648"])
def test_a_spelling_that_means_nothing_is_not_guessed(line):
    (v,) = chainrule.check(line + "\n").verdicts
    assert not v.ok


def test_w_5_is_the_seeds_w5_only_in_the_seeds_notation():
    (v,) = chainrule.check("w_5 = 0.4\n", notation="han-kamber").verdicts  # Han & Kamber's weights are w_ij
    assert v.kind == "unknown"


@pytest.mark.parametrize("name", ["a=b.txt", "eta=0.5", "out_o1 = 0.75136507"])
def test_a_sheets_file_name_with_an_equals_sign_is_still_a_path(capsys, tmp_path, name):
    """The command line's argument is always a path: a file named like a line of a sheet is read, not
    taken for the sheet's text (and a missing one is 'no such file', not a one-line sheet)."""
    (tmp_path / name).write_text("out_o1 = 0.75136507\n", encoding="utf-8")
    assert main(["check", str(tmp_path / name)]) == 0
    assert "1 right, 0 wrong" in capsys.readouterr().out
    code, out, err = _run(capsys, "check", str(tmp_path / ("missing " + name)))
    assert code == 2 and out == "" and "no such file" in err
