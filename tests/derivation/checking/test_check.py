"""``chainrule check``: verdicts, hints computed with the engine, exit codes, JSON."""

import json
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule.cli import main

from support.seed_misprints import MISPRINTS


@pytest.mark.parametrize("sheet", ["seed1", "seed2", "seed3"])
def test_check_lists_exactly_the_published_misprints(sheet, root, capsys):
    code = main(["check", str(root / "chainrule" / "examples" / f"{sheet}.txt"), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    wrong = {line["canonical"] for line in doc["lines"] if not line["ok"]}
    assert wrong == set(MISPRINTS[sheet])
    assert all(line["expected"] is not None for line in doc["lines"])  # every name is known


def _hints(root, sheet):
    result = chainrule.check(root / "chainrule" / "examples" / f"{sheet}.txt")
    return {v.canonical: v.hint or "" for v in result.wrong}


def test_hints_for_the_published_misprints(root):
    h1, h2, h3 = _hints(root, "seed1"), _hints(root, "seed2"), _hints(root, "seed3")
    assert "E_total@9999" in h1["E_total@10000"] and "off by one" in h1["E_total@10000"]
    for hints in (h1, h2):
        assert "through the updated weights" in hints["out_o1@10000"]
        assert "through the updated weights" in hints["out_o2@10000"]
    assert "through the updated weights" in h2["E_total@10000"]  # seed 2's 0.000035085
    assert "through the updated weights" in h1["E_total@1"]  # 0.291027924 is that loop's first step too
    assert h3["dnet_o1/dw5"].startswith("that is out_h2")
    assert "decimal point" in h3["w6+"] and "leading '0.'" in h3["w6+"]
    assert "decimal point" in h3["out_o1@10000"] and "through the updated weights" in h3["out_o1@10000"]


def test_a_wrong_line_shows_the_exact_value_and_its_formula(root, capsys):
    assert main(["check", str(root / "chainrule" / "examples" / "seed3.txt")]) == 1
    out = capsys.readouterr().out
    assert "WRONG  line 29: dE_total/dH1_final = 0.0364908241736793: the exact value is 0.036350306" in out
    assert "dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1 = 0.055399425 + -0.019049118 = 0.036350306" in out
    assert "36 lines checked: 29 right, 7 wrong" in out


def _verdict(text):
    (v,) = chainrule.check(text).verdicts
    return v


def test_typical_mistakes_are_named():
    v = _verdict("dE_total/dw5 = 0.138498562")  # dout_o1/dnet_o1 left in, dnet_o1/dw5 = out_h1 left out
    assert not v.ok and "dnet_o1/dw5" in v.hint and "missing" in v.hint
    v = _verdict("dE_total/dw5 = 0.439830")  # 0.741365070 * 0.593269992: the sigmoid's derivative forgotten
    assert "dout_o1/dnet_o1" in v.hint and "missing" in v.hint
    v = _verdict("dE_total/dout_o1 = -0.74136507")
    assert v.hint == "the sign is wrong"
    v = _verdict("dE_o1/dout_h1 = 0.049709")  # delta_o1 * w5+ (0.138498562 * 0.35891648)
    assert "updated weights" in v.hint
    v = _verdict("out_h1 = 0.596884378")
    assert v.hint.startswith("that is out_h2") and "wrong neuron" in v.hint
    v = _verdict("w5+ = 0.441083520")  # 0.4 + 0.5 * 0.082167041
    assert "subtracts" in v.hint
    v = _verdict("w5+ = 0.317832959")  # 0.4 - 0.082167041
    assert "learning rate" in v.hint
    v = _verdict("w5+ = 0.35891648")
    assert v.ok and v.hint is None


def test_tolerance_is_the_last_digit_written():
    assert _verdict("out_h1 = 0.5933").ok  # the exact 0.593269992 rounded to four places
    assert not _verdict("out_h1 = 0.593270100").ok  # nine places written: 0.593269992 ± 1e-9 at most
    assert _verdict("out_h1 = 0.59327000").ok  # eight places: rounded 0.59326999, one unit carried
    assert _verdict("out_h1 = 0.593269992").ok


def test_unknown_name_is_an_error_of_that_line_with_suggestions():
    result = chainrule.check(
        "net_h1 = 0.3775\nnet_h3 = 0.1\nout_o1@10 = 0.5\ndE_total/dw99@3 = 1\nout_o1@99999999999 = 0.01\n"
    )
    ok, unknown, wrong, unknown_at, too_far = result.verdicts
    assert too_far.expected is None and "not computed" in too_far.hint
    assert ok.ok and not wrong.ok and wrong.expected is not None
    assert unknown.expected is None and "did you mean" in unknown.hint and "net_h1" in unknown.hint
    assert unknown_at.expected is None and "after N updates" in unknown_at.hint


def test_exit_codes(tmp_path):
    right, wrong, bad = tmp_path / "right.txt", tmp_path / "wrong.txt", tmp_path / "bad.txt"
    right.write_text("# all right\nH1 = 0.3775\ny1_final = 0.75136507\nError_w5 = 0.082167041\n\nw5_new = 0.35891648\n")
    wrong.write_text("net_h1 = 0.3775\nout_o1 = 0.70\n")
    bad.write_text("net_h1 is 0.3775\n")

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "chainrule", "check", *map(str, a)], capture_output=True, text=True
        )

    assert run(right).returncode == 0
    assert run(wrong).returncode == 1
    proc = run(bad)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "line 1" in proc.stderr
    assert run(tmp_path / "missing.txt").returncode == 2


def test_json_lines_in_order(capsys):
    sheet = "net_h1 = 0.3775  # given\n\nout_h1 = 0.50\nwhat = 1\n"
    import os
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(sheet)
    try:
        assert main(["check", f.name, "--json"]) == 1
    finally:
        os.unlink(f.name)
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert [(l["line"], l["name"], l["ok"]) for l in lines] == [
        (1, "net_h1", True),
        (3, "out_h1", False),
        (4, "what", False),
    ]
    assert set(lines[1]) >= {"line", "name", "given", "expected", "ok", "hint"}
    assert lines[1]["given"] == 0.5 and lines[1]["expected"] == pytest.approx(0.593269992, abs=1e-9)


def test_check_against_a_network_file(tmp_path):
    net = tmp_path / "net.json"
    net.write_text(
        json.dumps(
            {
                "layers": [2, 1],
                "activation": "identity",
                "weights": [[[1.0, 2.0]]],
                "biases": [0.5],
                "input": [1, 1],
                "target": [0],
                "learning_rate": 0.1,
            }
        )
    )
    result = chainrule.check("out_o1 = 3.5\nE_total = 6.125\ndE_total/dw1 = 3.5\nw1+ = 0.65\n", network=net)
    assert result.ok, result.to_text()


def test_check_and_example_report_the_same_trained_values_bit_for_bit():
    """The values after N updates check uses (the seed's network trained on Python floats, or with NumPy)
    are chainrule example's, bit for bit."""
    from chainrule import seed
    from chainrule.derivation.step.after_updates import Run, values_after
    from chainrule.derivation.step.plain import PlainNetwork
    from chainrule.example import run_example

    ex = run_example(10_000).values
    wanted = {1: {"E_total"}, 9_999: {"E_total"}, 10_000: {"E_total", "out_o1", "out_o2"}}
    for network in (seed.seed_network(), PlainNetwork.from_spec(seed.SPEC)):
        v = values_after(Run(network, seed.INPUT, seed.TARGET, seed.LEARNING_RATE), wanted)
        for name in ("E_total@1", "E_total@10000", "out_o1@10000", "out_o2@10000"):
            assert v[name] == ex[name], (network, name)
        assert v["E_total@9999"] > v["E_total@10000"]


def test_every_loss_name_means_one_formula():
    """sse = Σ(t − out)² (no ½), half_sse = Σ½(t − out)², mse = the mean over outputs: one output of 0.3
    against a target of 1 gives 0.49, 0.245 and 0.49 / 2 for two outputs."""
    out, t = np.array([[0.3, 0.8]]), np.array([[1.0, 1.0]])
    sq = (t - out) ** 2
    assert chainrule.get_loss("sse").value(out, t) == pytest.approx(sq.sum(), abs=1e-15)
    assert chainrule.get_loss("half_sse").value(out, t) == pytest.approx(sq.sum() / 2, abs=1e-15)
    assert chainrule.get_loss("mse").value(out, t) == pytest.approx(sq.mean(), abs=1e-15)
    assert chainrule.get_loss("sse").name == "sse"
