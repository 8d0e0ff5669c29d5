"""Fuzzing every reader that has landed (issue 7): ≥ 10,000 malformed inputs per reader, each of
which must give a valid result or the library's own error with a one-line message.

The harness is ``tests/support/fuzz_harness.py``; the number of inputs is ``FUZZ_N`` (10,000 by default,
``FUZZ_N=100000`` for a longer run — see the README's Reliability section)."""

import io
import os

import numpy as np

from chainrule.core import Network

from support.fuzz_data import SHEET  # shared with other test modules
from support.fuzz_harness import (
    WRONG_VALUES,
    fuzz,
    is_finite_number,
    mutate_tree,
    text_inputs,
)

N = int(os.environ.get("FUZZ_N", "10000"))


def test_answer_sheets(record_property):
    from chainrule.derivation.checking.check import parse_sheet

    def valid(text, answers):  # a number that cannot be used is kept as that line's problem (judged unreadable)
        usable = all(is_finite_number(a.given) or (a.given is None and a.problem) for a in answers)
        return None if usable else "a non-finite number was accepted"

    report = fuzz(parse_sheet, text_inputs([SHEET, SHEET.replace(" = ", "="), "w1 = 1\n"], N, seed=1), check=valid)
    record_property("fuzz", str(report).splitlines()[0])
    assert not report.failures, report
    assert report.tried == N and report.refused > N // 10  # most mutations must be caught, not all accepted


SPEC = {
    "sizes": [2, 2, 2],
    "activation": ["sigmoid", "sigmoid"],
    "loss": "half_sse",
    "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    "biases": [0.35, 0.6],
    "bias": "shared",
    "train_biases": False,
    "init": "xavier",
    "seed": 0,
    "dtype": "float64",
}
SPEC2 = {
    "sizes": [3, 4, 1],
    "activation": "relu",
    "loss": "mse",
    "bias": "per_neuron",
    "train_biases": [True, False],
    "init": "auto",
    "seed": 7,
    "dtype": "float32",
}


def test_network_construction_from_random_specs():
    import random

    rng = random.Random(2)

    def specs():
        for _ in range(N):
            spec = mutate_tree(rng.choice([SPEC, SPEC2]), rng)
            yield spec if isinstance(spec, dict) else {"sizes": spec}

    def build(spec):
        known = {k: v for k, v in spec.items() if k in SPEC}
        sizes = known.pop("sizes", [2, 1])
        return Network(sizes, **known)

    def valid(spec, net):
        problems = [p for p in net.parameters() if not np.all(np.isfinite(p))]
        return "non-finite parameters accepted" if problems else None

    report = fuzz(build, specs(), check=valid)
    assert not report.failures, report
    assert report.refused > N // 10


def _cli_runner(monkeypatch):
    """Run ``chainrule ARGS`` in-process: the exit code, after checking stderr is one line on failure."""
    import contextlib
    import functools

    from chainrule import cli

    monkeypatch.setattr(cli, "build_parser", functools.lru_cache(cli.build_parser))  # build it once
    codes = {}

    def run(argv):
        # a terminal's stderr writes undecodable arguments (\udcff) with backslashes; so does this one
        out, err = io.TextIOWrapper(io.BytesIO()), io.TextIOWrapper(io.BytesIO(), errors="backslashreplace")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
                code = exc.code
        err.seek(0)
        text = err.read()
        codes[code] = codes.get(code, 0) + 1
        if code == 0:
            return code
        if code != 2:
            raise AssertionError(f"exit code {code}: {text[:300]!r}")
        if len(text.strip().splitlines()) != 1 or "Traceback" in text:
            raise AssertionError(f"stderr is not one line: {text[:300]!r}")
        return code

    return run, codes


JUNK = [str(v) for v in WRONG_VALUES] + [
    "",
    " ",
    "-5",
    "0",
    "1.5",
    "1e3",
    "\u0663",
    "10" * 40,
    "--json",
    "-h",
    "\x00",
    "\udcff",
    "nan",
    "inf",
    "-inf",
    "1e-400",
    "2,3",
    "2,,3",
    "2, 3",
    "0x10",
    "--iterations",
]


def test_cli_arguments_in_process(monkeypatch):
    """``chainrule example`` with junk arguments: exit 0, or exit 2 with one line on stderr."""
    import random

    run, codes = _cli_runner(monkeypatch)
    rng = random.Random(3)
    flags = ["--iterations", "--json", "--nope", "-x", "--iterations=", "--", "example", "--version"]

    def argvs():
        for _ in range(N):
            argv = ["example"]
            for _ in range(rng.randint(1, 3)):
                argv += [rng.choice(flags), rng.choice(JUNK)]
            # a valid --iterations runs the example: keep those small
            yield [a if not (a.isdigit() and int(a) > 20) else "-" + a for a in argv]

    report = fuzz(run, argvs())
    assert not report.failures, report
    assert codes.get(2, 0) > N // 2, codes


def test_train_arguments_in_process(monkeypatch, tmp_path):
    """``chainrule train`` on the 4-sample XOR set with junk hyper-parameters: exit 0, or 2 with one line."""
    import random

    monkeypatch.chdir(tmp_path)
    run, codes = _cli_runner(monkeypatch)
    rng = random.Random(4)
    options = {
        "--layers": ["2,3,2", "2,2", "2,0,2", "2,-1,2", "2,100000,100000,2", "3,2", "2,a,2", "2", ""],
        "--activation": ["relu", "tanh", "nope", ""],
        "--loss": ["mse", "cross_entropy", "hinge", ""],
        "--learning-rate": ["0.1", "1e8", "-1", "0", "1e-400"],
        "--epochs": ["1", "2", "0", "-1", "1e9"],
        "--batch-size": ["1", "2", "0", "-4", "100"],
        "--optimizer": ["sgd", "adam", "rmsprop"],
        "--momentum": ["0.9", "1.5", "-1"],
        "--dropout": ["0", "0.5", "1", "-0.1", "2"],
        "--l2": ["0", "0.1", "-1"],
        "--test-size": ["0", "0.5", "1", "2", "-0.5"],
        "--seed": ["1", "-1", "x"],
        "--init": ["he", "nope"],
        "--bias": ["shared", "none", "other"],
        "--dtype": ["float32", "float16"],
        "--schedule": ["constant", "step", "nope"],
        "--early-stopping": ["1", "0", "-2"],
        "--validation-split": ["0.2", "1", "-1"],
        "--checkpoint": ["", "ck"],
        "--save": ["m.json", "m.txt", ""],
    }

    def argvs():
        for _ in range(N // 5):
            argv = ["train", "--data", "xor", "--quiet"]
            for flag in rng.sample(sorted(options), rng.randint(1, 6)):
                argv += [flag, rng.choice(options[flag] + JUNK[:8] if rng.random() < 0.2 else options[flag])]
            if "--layers" not in argv:
                argv += ["--layers", "2,3,2"]
            if "--epochs" not in argv or rng.random() < 0.5:
                argv += ["--epochs", "1"]  # the last --epochs wins: keep runs short
            yield argv

    report = fuzz(run, argvs())
    assert not report.failures, report
    assert codes.get(0, 0) > 0 and codes.get(2, 0) > N // 50, codes


def _verdict(result):
    if isinstance(result, str):
        raise AssertionError(result)
    return result


def test_explain_options_and_check_files_in_process(monkeypatch, tmp_path):
    """``chainrule explain`` with junk options and ``chainrule check`` with damaged answer sheets
    (bytes, so undecodable ones too): exit 0/1, or 2 with one line on stderr."""
    import random

    from support.fuzz_harness import mutate_bytes

    monkeypatch.chdir(tmp_path)
    run, codes = _cli_runner(monkeypatch)
    rng = random.Random(5)
    options = {
        "--format": ["text", "json", "latex", "html", "markdown", "pdf"],
        "--only": ["w5", "h1,o1", "nope", ""],
        "--neuron": ["h1", "o2", "x9", ""],
        "--sample": ["0", "1", "-1", "99"],
        "--output": ["out.txt", ""],
    }
    sheet = SHEET.encode()

    def argvs():  # each run renders a whole explanation or checks a whole sheet: 200 of them
        for k in range(N // 50):
            if k % 2:
                (tmp_path / "sheet.txt").write_bytes(mutate_bytes(sheet, rng))
                yield ["check", "sheet.txt"]
            else:
                argv = ["explain"]
                for flag in rng.sample(sorted(options), rng.randint(1, 3)):
                    argv += [flag, rng.choice(options[flag] + JUNK[:6] if rng.random() < 0.2 else options[flag])]
                yield argv

    def run_allowing_wrong_answers(argv):
        try:
            return run(argv)
        except AssertionError as exc:
            if str(exc).startswith("exit code 1") and argv[0] == "check":
                return 1  # the sheet was read and some answers are wrong
            raise

    report = fuzz(run_allowing_wrong_answers, argvs())
    assert not report.failures, report
    assert codes.get(2, 0) > N // 500, codes
