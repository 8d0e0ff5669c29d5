import os
import pathlib

import pytest
from hypothesis import HealthCheck, settings

from support.paths import ROOT

# Hypothesis profiles (issue 7): "ci" is bounded and the default; "long" is for a documented
# longer run: HYPOTHESIS_PROFILE=long python -m pytest tests/core/test_math_properties.py
# tests/core/test_bad_input.py tests/robustness/
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def root() -> pathlib.Path:
    return ROOT


# Markers (registered in pyproject.toml; docs/testing.md): whole modules, by file name. Select with -m,
# e.g. python -m pytest -m "not slow and not browser and not fuzz".
MODULE_MARKERS = {
    "fuzz": (
        "test_fuzz_cli",
        "test_fuzz_data",
        "test_fuzz_files",
        "test_fuzz_readers",
        "test_fuzz_harness",
        "test_server_api_fuzz",
    ),
    "browser": ("test_browser",),
    "subprocess": (
        "test_example",
        "test_fuzz_cli",
        "test_kill_resume",
        "test_load",
        "test_bench",
        "test_browser",
        "test_security",
    ),
    "slow": (
        "test_fuzz_cli",
        "test_fuzz_data",
        "test_fuzz_files",
        "test_fuzz_readers",
        "test_kill_resume",
        "test_load",
        "test_math_properties",
        "test_estimators",
        "test_browser",
        "test_bench",
        "test_numerical_faults",
        "test_security",
    ),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.path.stem
        for marker, modules in MODULE_MARKERS.items():
            if module in modules:
                item.add_marker(marker)
