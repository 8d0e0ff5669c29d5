"""Malformed files and arguments through the real command line, in subprocesses (issue 7): every
run ends with exit code 0 (or 1, a check that found wrong answers) or with exit code 2 and exactly
one line on stderr — never a traceback — and a failed run leaves no output file behind.

The 10,000-input runs call the readers in-process (tests/robustness/test_fuzz_*.py); this samples the same
mutations end to end.  ``FUZZ_CLI_N`` sets how many malformed files per command (default 6)."""

import json
import os
import random
import subprocess
import sys

import pytest

from support.fuzz_data import IRIS, SEED_FILE, SHEET
from support.fuzz_harness import mutate_bytes, mutate_text, mutate_tree

K = int(os.environ.get("FUZZ_CLI_N", "6"))


def chainrule(*args, cwd=None):
    env = dict(os.environ, PYTHONWARNINGS="ignore", COLUMNS="80")
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args], capture_output=True, cwd=cwd, env=env, timeout=120
    )


def assert_clean(result, allowed=(0, 2)):
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert result.returncode in allowed, (result.returncode, err)
    if result.returncode == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("chainrule"), err


def _malformed(original: str, rng, k: int) -> bytes:
    kind = k % 3
    if kind == 0:
        return mutate_text(original, rng).encode("utf-8", "surrogatepass")
    if kind == 1:
        return mutate_bytes(original.encode(), rng)
    return (
        json.dumps(mutate_tree(json.loads(original), rng)).encode()
        if original.lstrip().startswith("{")
        else mutate_text(original, rng).encode("utf-8", "surrogatepass")
    )


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    (folder / "iris.csv").write_text(IRIS)
    result = chainrule(
        "train",
        "--data",
        "iris.csv",
        "--target",
        "species",
        "--layers",
        "4,3,3",
        "--epochs",
        "2",
        "--test-size",
        "0",
        "--save",
        "m.json",
        "--quiet",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr.decode()
    return folder / "m.json"


def test_explain_and_check_with_malformed_files(tmp_path):
    rng = random.Random(31)
    for k in range(K):
        (tmp_path / "net.json").write_bytes(_malformed(json.dumps(SEED_FILE), rng, k))
        assert_clean(chainrule("explain", "net.json", cwd=tmp_path))
        (tmp_path / "sheet.txt").write_bytes(_malformed(SHEET, rng, k))
        assert_clean(chainrule("check", "sheet.txt", cwd=tmp_path), allowed=(0, 1, 2))


def test_train_with_malformed_csv_leaves_no_model_behind(tmp_path):
    rng = random.Random(32)
    for k in range(K):
        (tmp_path / "data.csv").write_bytes(_malformed(IRIS, rng, k))
        result = chainrule(
            "train",
            "--data",
            "data.csv",
            "--target",
            "species",
            "--layers",
            "4,3,3",
            "--epochs",
            "1",
            "--test-size",
            "0",
            "--save",
            "out.json",
            "--quiet",
            cwd=tmp_path,
        )
        assert_clean(result)
        if result.returncode != 0:
            assert not (tmp_path / "out.json").exists()
        (tmp_path / "out.json").unlink(missing_ok=True)
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no half-written file


def test_predict_and_evaluate_with_malformed_models(tmp_path, model_file):
    rng = random.Random(33)
    (tmp_path / "iris.csv").write_text(IRIS)
    original = model_file.read_text()
    for k in range(K):
        (tmp_path / "m.json").write_bytes(_malformed(original, rng, k))
        result = chainrule("predict", "--model", "m.json", "--data", "iris.csv", "--output", "pred.csv", cwd=tmp_path)
        assert_clean(result)
        if result.returncode != 0:
            assert not (tmp_path / "pred.csv").exists()
        (tmp_path / "pred.csv").unlink(missing_ok=True)
        assert_clean(
            chainrule("evaluate", "--model", "m.json", "--data", "iris.csv", "--target", "species", cwd=tmp_path)
        )


@pytest.mark.parametrize(
    "args",
    [
        ["example", "--iterations", "-1"],
        ["example", "--iterations", "1e999"],
        ["example", "--iterations", "\udcff"],
        ["train", "--data", "iris", "--layers", "4,0,3"],
        ["train", "--data", "iris", "--layers", "4,100000,100000,3"],
        ["train", "--data", "iris", "--layers", "4,3", "--learning-rate", "nan"],
        ["train", "--data", "iris", "--layers", "4,3", "--epochs", "-3"],
        ["train", "--data", "no/such/file.csv", "--layers", "4,3"],
        ["train", "--data", "iris", "--layers", "4,5,3", "--activation", "no_such"],
        ["explain", "/no/such/net.json"],
        ["explain", "/"],
        ["check", "/dev/null", "--network", "/no/such.json"],
        ["predict", "--model", "/etc/passwd", "--data", "iris"],
        ["nope"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(args):
    argv = [a.encode("utf-8", "surrogateescape") if isinstance(a, str) else a for a in args]  # \udcff -> byte 0xff
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"chainrule", *argv], capture_output=True, env=env, timeout=120
    )
    assert result.returncode == 2, (args, result.returncode, result.stderr)
    assert_clean(result)
