"""Answer-sheet lines written to break ``chainrule check``: each is one verdict (or one clear line), within
its budget, through a file, ``check -`` and ``chainrule.check()`` alike — never a hang, never a traceback,
never a terminal escape sequence passed through."""

import io
import json
import subprocess
import sys

import pytest

import chainrule
from chainrule.cli import main

HANG = "dx" + "^11" * 26 + " = 1"  # the derivative pattern once split these digits 2^26 ways


def _cli(args, stdin=None, timeout=60):
    """``chainrule ARGS`` in a fresh process; a run past ``timeout`` seconds is a hang (the fixed checker
    answers in well under a second: the bound is there so that a regression fails instead of hanging)."""
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], input=stdin, capture_output=True, text=True, timeout=timeout
    )


def test_a_line_that_once_hung_check_is_read_at_once_everywhere(tmp_path):
    sheet = tmp_path / "s.txt"
    sheet.write_text(HANG + "\nnet_h1 = 0.3775\n", encoding="utf-8")
    for proc in (_cli(["check", str(sheet)]), _cli(["check", "-"], stdin=sheet.read_text())):
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert "ERROR  line 1" in proc.stdout and "ok     line 2" in proc.stdout
    (v, right) = chainrule.check(HANG + "\nnet_h1 = 0.3775\n").verdicts
    assert v.kind == "unknown" and right.ok


def test_the_tokenizer_reads_each_name_one_way():
    from chainrule.derivation.notation.expressions import tokens

    assert tokens("dx^11^11 + w^2_11") == [("name", "dx^11^11"), ("op", "+"), ("name", "w^2_11")]
    assert tokens("dE_total / d w5") == [("name", "dE_total/dw5")]
    with pytest.raises(chainrule.FileFormatError, match="more than 100 characters"):
        tokens("dx" + "^11" * 60)
    with pytest.raises(chainrule.FileFormatError, match="more than 200 names"):
        tokens("+".join(["w1"] * 300))


@pytest.mark.parametrize(
    "line,kind,says",
    [
        ("0^-1 = 1", "unreadable", "no finite value"),  # was ZeroDivisionError
        ("w1 = 1e-9999999", "unreadable", "beyond the range of float64"),  # was decimal.InvalidOperation
        ("Δ" * 1200 + "w1 = 1", "unreadable", "too long to read"),  # was RecursionError
        ("Δ" * 40 + "w1 = 1", "unknown", "no name"),  # nested Δ: nothing, without recursion
        ("w" + "1" * 5000 + "+ = 1", "unreadable", "too long to read"),  # was ValueError (a 5,000-digit int)
        ("w" + "1" * 90 + "+ = 1", "unknown", "unknown name"),
        ("out_o1@" + "9" * 40 + " = 1", "unknown", "unknown name"),
        ("w5 = " + "1" * 200, "unreadable", "more than 100 characters"),
    ],
    ids=["zero-power", "tiny-number", "delta-1200", "delta-40", "digits-5000", "digits-90", "at-40", "long-number"],
)
def test_one_hostile_line_is_one_verdict_not_a_traceback(capsys, tmp_path, line, kind, says):
    sheet = tmp_path / "s.txt"
    sheet.write_text(line + "\nnet_h1 = 0.3775\n", encoding="utf-8")
    code = main(["check", str(sheet), "--json"])
    out, err = capsys.readouterr()
    first, second = json.loads(out)["lines"]
    assert code == 1 and err == ""
    assert first["verdict"] == kind and says in first["hint"], first["hint"]
    assert second["verdict"] == "ok"
    (v, _) = chainrule.check(line + "\nnet_h1 = 0.3775\n").verdicts
    assert v.kind == kind


def test_terminal_escape_sequences_in_names_are_shown_not_obeyed(capsys, tmp_path, monkeypatch):
    title, clear, bidi = "\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\u202e"
    text = f"out_h1{title} = 0.5\nw5{clear} = 0.4\n{bidi}net_h1 = 0.3775\nnet_h1 = 0.3775\n"
    sheet = tmp_path / "s.txt"
    sheet.write_text(text, encoding="utf-8")
    assert main(["check", str(sheet)]) == 1
    out = capsys.readouterr().out
    assert not any(ch in out for ch in "\x1b\x07\u202e")
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["check", "-"]) == 1
    assert "\x1b" not in capsys.readouterr().out
    assert main(["check", str(sheet), "--json"]) == 1
    assert "\x1b" not in capsys.readouterr().out  # JSON writes it as \u001b


def test_a_fault_of_the_checker_is_an_error_verdict_and_exit_code_2(capsys, tmp_path, monkeypatch):
    """A line the checker itself fails on is said as such (exit code 2: a fault of ours), and the other
    lines are still checked."""
    from chainrule.derivation.checking import check as checking

    real = checking._Marker.verdict

    def broken(self, a, *args):
        if a.line == 1:
            raise TypeError("a bug")
        return real(self, a, *args)

    monkeypatch.setattr(checking._Marker, "verdict", broken)
    sheet = tmp_path / "s.txt"
    sheet.write_text("net_h1 = 0.3775\nnet_h1 = 0.3775\n", encoding="utf-8")
    assert main(["check", str(sheet)]) == 2
    out = capsys.readouterr().out
    assert "ERROR  line 1" in out and "please report it" in out and "ok     line 2" in out
    assert "1 not checked (an error of the checker)" in out
