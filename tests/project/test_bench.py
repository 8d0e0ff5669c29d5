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
    assert "mnist batch 128: time ours / PyTorch" in run.stdout and "not judged: a --quick run" in run.stdout
    assert 0 <= r["others_cpu_share"] and r["wall_s"] > 0


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
    and orders: run on a batch's workspace, it reproduces the engine's dE/dout and dE/dW exactly
    (as ``gradients`` makes them) and, given η, the weights ``descend`` leaves (the step added
    into W by the same GEMM)."""
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

    start = [layer.weights.copy(order="K") for layer in net.layers]
    net.descend(x, t, 0.01)
    stepped = [layer.weights.copy() for layer in net.layers]
    for layer, w in zip(net.layers, start):
        np.copyto(layer.weights, w)
    engine_products(net.layers, x, net._workspace, 0.01)  # the workspace holds descend's delta and outs
    for layer, w in zip(net.layers, stepped):
        np.testing.assert_array_equal(layer.weights, w)


def _result(share, quick=False, **mnist):
    """A bench result with one mnist batch size and one scikit-learn set, for the target report."""
    e = {
        "gemm_peak_fraction": {"ours": mnist.get("peak", 0.65), "gemms": 0.8},
        "ratio_ours_over": {"torch": mnist.get("torch", 0.7)},
        "memory_ratio": {"ours": 1.1},
    }
    return {
        "quick": quick,
        "others_cpu_share": share,
        "seed": {"ratio_ours_over": {"python-floats": 0.9}},
        "mnist": {"samples": 60_000, "batches": {"128": e}},
        "sklearn": {"digits": {"ratio_ours_over_sklearn": 0.5}},
    }


def test_every_target_is_printed_beside_its_figure_and_judged_only_on_a_quiet_run(capsys):
    from bench.__main__ import print_targets, target_lines

    record = {"seed": {"ratio_ours_over": {"python-floats": 1.06}}, "command": "python -m bench --save"}
    lines = {name: (now, before, target, met) for name, now, before, target, met in target_lines(_result(0.0), record)}
    assert lines["seed online updates, ours / python-floats"] == ("0.90x", "1.06x", "<= 0.8", False)
    assert lines["mnist batch 128: of GEMM peak"] == ("65.0%", "-", ">= 60%", True)
    assert lines["mnist batch 128: of the ceiling"][0] == "81.2%"
    assert lines["mnist batch 128: time ours / PyTorch"][2:] == ("<= 0.75", True)
    assert lines["mnist batch 128: peak memory ratio"][2:] == ("<= 1.15", True)
    assert lines["digits fit, ours / scikit-learn"][2:] == ("<= 0.6", True)

    print_targets(_result(0.02, torch=0.8), record)
    quiet = capsys.readouterr().out
    assert "not judged" not in quiet
    assert [line.split()[-1] for line in quiet.splitlines() if "PyTorch" in line or "python-floats" in line] == [
        "NO",
        "NO",
    ]
    print_targets(_result(0.4), record)
    loaded = capsys.readouterr().out
    assert "not judged: other processes used 40% of the CPU" in loaded
    assert " yes" not in loaded and " NO" not in loaded
    print_targets(_result(0.0, quick=True), record)
    assert "not judged: a --quick run" in capsys.readouterr().out


def test_the_share_of_the_cpu_others_used_is_the_machines_busy_time_less_ours(monkeypatch):
    from bench import machine

    monkeypatch.setattr(machine.os, "cpu_count", lambda: 2)
    assert machine.others_share((100.0, 10.0), (103.0, 12.0), 2.0) == 0.25  # 3 s busy, 2 s ours, 4 CPU-seconds
    assert machine.others_share((100.0, 10.0), (101.0, 11.0), 2.0) == 0.0
    busy, ours = machine.cpu_seconds()
    assert ours > 0 and (busy > 0 or busy != busy)  # NaN where /proc/stat is missing


def test_the_profile_sorts_each_function_into_its_category():
    from bench.profile import _category

    lib = "/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so"
    umath = "/site-packages/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so"
    assert _category(f"sgemm_kernel_SKYLAKEX ({lib})") == "matrix products (BLAS)"
    assert _category(f"blas_thread_server ({lib})") == "BLAS threads waiting"
    assert _category(f"FLOAT_maximum_X86_V4 ({umath})") == "elementwise loops (NumPy)"
    assert _category(f"ufunc_generic_fastcall ({umath})") == "interpreter and call overhead"
    assert _category("_PyEval_EvalFrameDefault (/lib/libpython3.11.so.1.0)") == "interpreter and call overhead"
    assert _category("__memmove_avx512_unaligned_erms (/lib/libc.so.6)") == "copies (gather, memmove)"
    assert _category("clear_page_erms ([kernel.kallsyms])") == "allocation (malloc, zeroing, page faults)"


def test_the_profile_worker_times_trainer_epochs():
    run = subprocess.run(
        [sys.executable, "-m", "bench.profile", "--worker", "64", "--samples", "512", "--epochs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    timing = json.loads(run.stdout.strip().splitlines()[-1])
    assert timing["cpu_s"] > 0 and timing["wall_s"] > 0
