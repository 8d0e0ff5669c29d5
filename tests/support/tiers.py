"""Test tiers (see docs/testing.md).

With only NumPy, pytest and hypothesis installed, a test that needs an optional package skips with
the reason; under ``CI=true`` nothing skips for a missing package or browser — the import fails
instead, so CI can never pass without the tests of the test extra.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil

import pytest

CI = os.environ.get("CI", "").strip().lower() == "true"
INSTALL = "pip install -e '.[test]'"


def need(module: str, why: str):
    """Import ``module``, or skip the calling test module (or test) saying ``why`` it is needed."""
    if CI:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"needs {module} ({why}; {INSTALL})")


def chromium() -> str:
    """The path of Debian's chromium, or a skip (a failure under CI=true) that says how to get it."""
    path = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        message = "the browser tests need Debian's chromium (apt-get install chromium; or CHAINRULE_CHROMIUM=PATH)"
        if CI:
            pytest.fail(f"{message}: CI=true, so they may not be skipped")
        pytest.skip(message)
    return path


def requires(module: str, why: str):
    """A mark for one test: skip it when ``module`` is missing (never under CI=true)."""
    missing = importlib.util.find_spec(module) is None
    return pytest.mark.skipif(missing and not CI, reason=f"needs {module} ({why}; {INSTALL})")
