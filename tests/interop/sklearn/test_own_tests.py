"""scikit-learn's own MLP test file, run against our estimators.

The file is read at run time from the installed scikit-learn (``sklearn/neural_network/tests/
test_mlp.py``; it is not copied into this repository), its one import line is swapped for ours,
and it runs with pytest in a subprocess in a temporary folder.  Every test in it must pass.

Four of its tests touch scikit-learn's private members.  They pass because our estimators keep
the same state under the same names with the same meaning — they are listed here so that a
change to those names is seen as what it is:

* ``test_fit`` assigns ``coefs_``/``intercepts_`` and private buffers by hand, then checks one
  ``partial_fit`` step against a worked example (we adopt the assigned arrays; the private
  buffers are not read);
* ``test_gradient`` calls ``_loss_grad_lbfgs(theta, X, Y, None, ...)`` — our L-BFGS objective;
* ``test_learning_rate_warmstart`` and ``test_adaptive_learning_rate`` read
  ``_optimizer.learning_rate`` — the engine's optimizer's current η;
* ``test_n_iter_no_change`` and ``test_n_iter_no_change_inf`` read ``_no_improvement_count`` —
  the stopping rule's counter.

``EXCEPTIONS`` (deselected by node id, with the reason) is empty: nothing is left out.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)

sklearn = need("sklearn", "sklearn own tests")

THEIR_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
OUR_IMPORT = "from chainrule.sklearn import MLPClassifier, MLPRegressor"
EXCEPTIONS: dict[str, str] = {}  # node id -> why it cannot pass; none at present
# scikit-learn's conftest provides this fixture (its default seed is 42); the copy runs outside it
CONFTEST = "import pytest\n\n\n@pytest.fixture\ndef global_random_seed():\n    return 42\n"


def test_scikit_learns_own_mlp_test_file_passes(tmp_path):
    source = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    text = source.read_text()
    assert text.count(THEIR_IMPORT) == 1, "scikit-learn's test file no longer imports the MLPs in one line"
    (tmp_path / "test_mlp.py").write_text(text.replace(THEIR_IMPORT, OUR_IMPORT))
    (tmp_path / "conftest.py").write_text(CONFTEST)
    n_tests = len(re.findall(r"^def test_", text, flags=re.M))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(tmp_path),
        "-o",
        "addopts=",
        "test_mlp.py",
        *[f"--deselect=test_mlp.py::{node}" for node in EXCEPTIONS],
    ]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert "failed" not in summary and "error" not in summary, summary
    assert passed >= n_tests, summary  # parametrised tests count once per case, so at least one per function
    print(f"scikit-learn's test_mlp.py with our estimators: {summary}")
