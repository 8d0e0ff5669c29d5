"""The sklearn bench workload runs and compares like with like; no time is asserted."""

import subprocess
import sys

from support.tiers import need  # test tiers: skip with a reason when missing

need("sklearn", "the benchmark's peer")

from support.paths import ROOT


def test_sklearn_workload_fits_both_to_the_same_scores():
    code = (
        "import json; from bench import sklearn_workload as w; rows = []; "
        "print(json.dumps(w.run(1, rows, 1, sets=('iris', 'diabetes'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    import json

    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(result) == {"iris", "diabetes"}
    for name, r in result.items():
        assert r["ratio_ours_over_sklearn"] > 0 and r["median_s"]["ours"] > 0
        assert r["epochs"]["ours"] == r["epochs"]["sklearn"]  # same start, same order, same stopping rule
        assert abs(r["score_difference_points"]) < 1e-6, (name, r["test_score"])
    assert result["iris"]["metric"] == "accuracy" and result["diabetes"]["metric"] == "r2"
