"""The code is ruff-clean, lint and format (the rules are in pyproject.toml's [tool.ruff])."""

import subprocess
import sys

from support.paths import ROOT
from support.tiers import need

need("ruff", "the linter and formatter the project is kept clean with")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing_to_lint():
    done = _ruff("check", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_would_reformat_nothing():
    done = _ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lint_test_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx=1\n")
    lint = _ruff("check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad))
    fmt = _ruff("format", "--check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad))
    assert lint.returncode == 1 and "F401" in lint.stdout
    assert fmt.returncode == 1
