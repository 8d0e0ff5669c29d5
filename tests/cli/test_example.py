"""``chainrule example`` as a user runs it."""

import json
import subprocess
import sys

import pytest

from chainrule.cli import main


def test_example_prints_the_worked_example_in_order(capsys):
    assert main(["example"]) == 0
    out = capsys.readouterr().out
    expected_in_order = [
        "net_h1 = w1 * i1 + w2 * i2 + b1 * 1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1 = 0.3775",
        "out_h1 = 1 / (1 + e^(-net_h1)) = 1 / (1 + e^(-0.3775)) = 0.593269992",
        "out_o1 = 1 / (1 + e^(-net_o1)) = 1 / (1 + e^(-1.105905967)) = 0.751365070",
        "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109",
        "dE_total/dw5 = dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = "
        "0.741365070 * 0.186815602 * 0.593269992 = 0.082167041",
        "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.358916480",
        "dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1 = 0.055399425 + -0.019049118 = 0.036350306",
        "w1+ = w1 - eta * dE_total/dw1 = 0.15 - 0.5 * 0.000438568 = 0.149780716",
        "E_total@1 = 0.291027774",
        "E_total@10000 = 0.0000351019",
        "out_o1@10000 = 0.015913620",
        "out_o2@10000 = 0.984064274",
    ]
    pos = 0
    for line in expected_in_order:
        found = out.find(line, pos)
        assert found >= 0, line
        pos = found


def test_example_json_holds_every_quantity(capsys):
    assert main(["example", "--json", "--iterations", "100"]) == 0
    doc = json.loads(capsys.readouterr().out)
    v = doc["values"]
    required = [
        "net_h1",
        "out_o2",
        "E_total",
        "dE_total/dout_o1",
        "dout_o1/dnet_o1",
        "dnet_o1/dw5",
        "delta_o1",
        "dE_o1/dout_h1",
        "dE_total/dout_h1",
        "dout_h1/dnet_h1",
        "E_total@1",
        "E_total@100",
        "out_o1@100",
        "out_o2@100",
    ]
    required += [f"dE_total/dw{k}" for k in range(1, 9)] + [f"w{k}+" for k in range(1, 9)]
    for name in required:
        assert isinstance(v[name], float), name
    assert v["w5+"] == pytest.approx(0.35891648, abs=1e-8)
    assert doc["iterations"] == 100


@pytest.mark.parametrize(
    "argv",
    [
        ["example", "--iterations", "0"],
        ["example", "--iterations", "ten"],
        ["example", "--iterations", "100000000"],  # issue 25: kept 10^8 losses (+6 MB/s) on the old code
        ["example", "--iterations", "1" * 5000],
        ["example", "--bogus"],
        ["no-such-command"],
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(argv):
    proc = subprocess.run([sys.executable, "-m", "chainrule", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("chainrule")


def test_console_script_runs_as_a_process():
    proc = subprocess.run(
        [sys.executable, "-m", "chainrule", "example", "--iterations", "3"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert "E_total@3 = " in proc.stdout


def test_import_is_lazy():
    code = "import sys, chainrule; print('numpy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "False"


def test_a_reader_that_goes_away_is_not_an_error():
    """`chainrule example | head`: the closed pipe ends the command quietly (no "error: Broken pipe")."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from chainrule.cli import entry_point; entry_point()", "example"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # before the child has written anything: its first write meets a closed pipe
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert err == ""
