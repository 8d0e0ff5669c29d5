"""The benchmark runs end to end (quick mode) and writes every ratio; no time is asserted."""

import json
import os
import subprocess
import sys

import pytest

from support.tiers import need  # test tiers: skip with a reason when missing

need("torch", "the benchmark's peers")
need("sklearn", "the benchmark's peers")

from support.paths import ROOT


def test_bench_quick_writes_every_ratio(tmp_path):
    out = tmp_path / "bench.json"
    cmd = [
        sys.executable,
        "-m",
        "bench",
        "--quick",
        "--only",
        "seed,mnist,explain",
        "--batches",
        "128",
        "--json",
        str(out),
    ]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "ours/peer" in run.stdout and "GEMM peak" in run.stdout
    r = json.loads(out.read_text())
    assert r["machine"]["cores"] >= 1 and r["machine"]["blas"]
    assert set(r["seed"]["ratio_ours_over"]) == {
        "ours-numpy-path",
        "python-floats",
        "numpy-loop",
        "torch-eager",
        "seed-script",
    }
    assert all(v > 0 for v in r["seed"]["ratio_ours_over"].values())
    b = r["mnist"]["batches"]["128"]
    assert set(b["ratio_ours_over"]) == {"ours-engine", "torch", "sklearn"}
    assert all(0 < f for f in b["gemm_peak_fraction"].values())
    assert all(m > 0 for m in b["peak_rss_mb"].values())
    assert r["explain"]["json"]["median_s"] > 0 and r["explain"]["markdown"]["median_s"] > 0
    assert "seed online updates, ours / python-floats" in run.stdout and "mnist batch 128: of GEMM peak" in run.stdout


def test_bench_writes_results_only_when_asked(tmp_path):
    """Issue 10: a plain run must not overwrite the tracked bench/results.json."""
    record = ROOT / "bench" / "results.json"
    before = record.read_bytes() if record.exists() else None
    cmd = [sys.executable, "-m", "bench", "--quick", "--only", "seed", "--repeats", "1"]
    run = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "written to" not in run.stdout
    assert (record.read_bytes() if record.exists() else None) == before
    assert list(tmp_path.iterdir()) == []


def test_the_python_float_peer_computes_the_engines_numbers():
    """The same-run reference for the online updates trains the seed network to the engine's loss."""
    from bench import seed_workload

    assert seed_workload.python_floats(10_000) == pytest.approx(seed_workload.ours(10_000), rel=1e-12, abs=0)


def test_flops_per_sample_counts_the_issues_formula():
    from bench.__main__ import flops_per_sample

    w = 784 * 256 + 256 * 128 + 128 * 10
    assert flops_per_sample([784, 256, 128, 10]) == 2 * w + 2 * w + 2 * (w - 784 * 256)


def test_the_seed_script_structure_reproduces_the_seed_numbers():
    from bench.seed_script import seed_script_network

    net = seed_script_network()
    x, t = [0.05, 0.10], [0.01, 0.99]
    assert round(net.calculate_total_error([[x, t]]), 9) == 0.298371109
    for _ in range(10_000):
        net.train(x, t)
    assert round(net.calculate_total_error([[x, t]]), 10) == 0.0000351019


def test_the_gemm_ceiling_forms_the_engines_own_products():
    """bench's ceiling (the GEMMs alone) multiplies the engine's arrays in the engine's layouts
    and orders: run on a batch's workspace, it reproduces the engine's dE/dout and dE/dW exactly."""
    import numpy as np

    from bench.mnist_worker import _network, engine_products

    rng = np.random.default_rng(3)
    net = _network()
    x = rng.random((37, 784), dtype=np.float32)
    t = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 37)]
    _, grads = net.gradients(x, t)
    dW = [g.copy() for g in grads.dW]
    dout = [d.copy() for d in grads.dout[:-1]]
    ws = net._workspace
    for a in ws.dW + ws.dout[:-1]:
        a.fill(np.nan)
    engine_products(net.layers, x, ws)
    for before, after in zip(dW + dout, ws.dW + ws.dout[:-1]):
        np.testing.assert_array_equal(after, before)
    assert [a.flags.f_contiguous for a in ws.dW] == [w.flags.f_contiguous for w in net.parameters()[::2]]
