"""The longer reliability run (issue 7): the same suites as CI with many more inputs.

    python scripts/fuzz_long.py            # 100,000 inputs per reader, 10,000 per API endpoint,
                                           # 5,000 hypothesis examples per property
    python scripts/fuzz_long.py --scale 2  # 20,000 per reader, 2,000 per endpoint

It only sets the sizes (FUZZ_N, FUZZ_API_N, FUZZ_CLI_N, HYPOTHESIS_PROFILE) and runs pytest on
tests/robustness/ (the fuzz and fault suites), tests/core/test_math_properties.py,
tests/core/test_bad_input.py and tests/training/test_kill_resume.py.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="multiple of the CI sizes (default 10)")
    args, extra = parser.parse_known_args(argv)  # the rest goes to pytest (e.g. -k csv -x)
    k = max(1, args.scale)
    env = dict(
        os.environ, FUZZ_N=str(10_000 * k), FUZZ_API_N=str(1_000 * k), FUZZ_CLI_N=str(3 * k), HYPOTHESIS_PROFILE="long"
    )
    tests = sorted(
        str(p.relative_to(ROOT))
        for pattern in ("test_fuzz*.py", "test_property*.py", "test_reliability*.py", "test_kill*.py")
        for p in (ROOT / "tests").glob(pattern)
    )
    print(
        f"FUZZ_N={env['FUZZ_N']} FUZZ_API_N={env['FUZZ_API_N']} HYPOTHESIS_PROFILE=long: {' '.join(tests)}", flush=True
    )
    return subprocess.call([sys.executable, "-m", "pytest", "-q", *tests, *extra], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
