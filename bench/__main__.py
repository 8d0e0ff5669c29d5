"""``python -m bench [--quick] [--only seed,mnist,explain,example,sklearn] [--repeats N] [--save | --json PATH]``

Runs every workload for us and for each peer, alternating us/peers, ``--repeats`` times, and
prints medians and ratios (ours / peer: below 1 means we are faster; for the seed, the median of
paired ratios), the GEMM-peak fraction and peak memory of each mnist-shape epoch beside the
fraction its matrix products alone reach (the ceiling), the machine, its load and the share of
its CPU other processes took meanwhile, and every target beside this run's figure and the tracked
record's, judged met or not only when the machine was quiet.  Writes all of it only when asked:
``--save`` (bench/results.json, the tracked record, and the printed report as bench/results.txt)
or ``--json PATH``.

The whole benchmark, as the record is made: ``python -m bench --threads 2 --save``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import explain_workload, seed_workload, sklearn_workload
from .machine import blas_threads, cpu_seconds, machine_info, others_share

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
MNIST_SIZES = [784, 256, 128, 10]
# The targets, each printed beside this run's figure and the tracked record's (bench/results.json,
# the last quiet run saved): the share of the same run's GEMM peak, time against PyTorch eager at
# every batch and against scikit-learn's fit on its five data sets, peak memory at 60,000 samples,
# the seed's online updates against the hand-written Python-float loop.
TARGETS = {
    "peak_fraction": {128: 0.60, 1024: 0.72},
    "ours_over_torch": 0.75,
    "ours_over_sklearn_fit": 0.6,
    "memory_ratio": 1.15,
    "seed_over_python_floats": 0.8,
}
QUIET = 0.10  # at most this share of the machine's CPU used by other processes: a run quiet enough to judge


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one repeat, 2,000 samples, 1,000 seed updates: proves it runs")
    p.add_argument("--repeats", type=int, default=None, help="repeats per measurement (default 3, quick 1)")
    p.add_argument("--only", default="seed,mnist,explain,example,sklearn", help="comma-separated workloads")
    p.add_argument("--batches", default="32,128,1024", help="mnist-shape batch sizes")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS/torch threads for the mnist-shape runs (default: NumPy's BLAS threads)",
    )
    p.add_argument(
        "--samples", type=int, default=None, help="mnist-shape samples per epoch (default 60,000; quick 2,000)"
    )
    p.add_argument("--save", action="store_true", help=f"write the results to {RESULTS} (the tracked record)")
    p.add_argument("--json", default=None, metavar="PATH", help="write the results as JSON to PATH")
    a = p.parse_args(argv)
    repeats = a.repeats or (1 if a.quick else 3)
    only = set(a.only.split(","))
    threads = a.threads or blas_threads()
    command = " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)])
    last = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}  # the record, read before --save
    started, cpu_before = time.perf_counter(), cpu_seconds()
    result = {
        "machine": machine_info(),
        "threads": threads,
        "command": command,
        "repeats": repeats,
        "quick": a.quick,
        "load_before": os.getloadavg(),
    }
    rows = []
    if "seed" in only:
        result["seed"] = seed(1_000 if a.quick else 10_000, repeats, rows)
    if "mnist" in only:
        batches = [int(b) for b in a.batches.split(",")]
        samples = a.samples or (2_000 if a.quick else 60_000)
        result["mnist"] = mnist(samples, batches, repeats, threads, rows)
    if "explain" in only:
        result["explain"] = explain(repeats, rows)
    if "example" in only:
        result["example"] = example(1 if a.quick else repeats, rows)
    if "sklearn" in only:
        result["sklearn"] = sklearn_workload.run(repeats, rows, threads)
    result["load_after"] = os.getloadavg()
    result["wall_s"] = time.perf_counter() - started
    result["others_cpu_share"] = others_share(cpu_before, cpu_seconds(), result["wall_s"])
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        print_table(result, rows)
        if "sklearn" in result:
            sklearn_workload.print_scores(result["sklearn"])
        print_targets(result, last)
    print(report.getvalue(), end="")
    for path in ([RESULTS] if a.save else []) + ([Path(a.json)] if a.json else []):
        _write(path, json.dumps(result, indent=2) + "\n")
        if a.save:  # the printed report beside the record
            _write(path.with_suffix(".txt"), report.getvalue())
        print(f"\nwritten to {path}")
    return 0


def _write(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all (a temporary file, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def seed(n: int, repeats: int, rows: list) -> dict:
    """Each peer against ours in adjacent pairs: ours, the peer, ours again, every round; the
    ratio of a round is the mean of those two ``ours`` over the peer, and the reported ratio is
    the median of the rounds' ratios.  A pair shares the machine's state (load, clock), so a
    disturbance between rounds cancels out instead of landing on one side (ratios of separate
    medians moved by 1.1x-1.6x from run to run).  Peers under 0.1 s per run get 5x the rounds."""
    ours = {"ours": seed_workload.ours, "ours-numpy-path": seed_workload.ours_numpy}
    runs = {**ours, **seed_workload.PEERS}
    for fn in runs.values():  # warm-up: imports, first calls
        fn(10)
    times = {k: [] for k in runs}
    ratios = {k: [] for k in runs if k != "ours"}
    for k, fn in runs.items():
        if k == "ours":
            continue
        first = _timed(fn, n)
        rounds = repeats * 5 if first < 0.1 else repeats
        for _ in range(rounds):
            before, theirs, after = _timed(runs["ours"], n), _timed(fn, n), _timed(runs["ours"], n)
            times["ours"] += [before, after]
            times[k].append(theirs)
            ratios[k].append((before + after) / 2 / theirs)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = {k: statistics.median(v) for k, v in ratios.items()}
    for k, r in ratio.items():
        rows.append(("seed", f"{n:,} updates", k, med["ours"], med[k], r))
    return {
        "updates": n,
        "seconds": times,
        "median_s": med,
        "us_per_update": {k: v / n * 1e6 for k, v in med.items()},
        "ratio_ours_over": ratio,
        "ratios_per_round": ratios,
    }


def gemm_peak(threads: int, repeats: int = 5, n: int = 2048) -> float:
    """The machine's float32 matmul rate in FLOP/s (best of ``repeats``), NumPy's BLAS."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    c = np.empty_like(a)
    with threadpool_limits(threads, user_api="blas"):
        np.matmul(a, b, out=c)
        best = min(_timed(np.matmul, a, b, c) for _ in range(repeats))
    return 2 * n**3 / best


def flops_per_sample(sizes) -> int:
    """2W (forward) + 2W (weight gradients) + 2(W − W1) (input gradients but the first layer's)."""
    w = [a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * sum(w) + 2 * sum(w) + 2 * (sum(w) - w[0])


def _worker(peer: str, batch: int, samples: int, threads: int) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bench.mnist_worker",
        "--peer",
        peer,
        "--batch",
        str(batch),
        "--samples",
        str(samples),
        "--threads",
        str(threads),
    ]
    env = {**os.environ, **{k: str(threads) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd[1:])} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1]) | {"load": os.getloadavg()[0]}


def mnist(samples: int, batches: list[int], repeats: int, threads: int, rows: list) -> dict:
    """Every peer once per round, ``repeats`` rounds, medians.  ``gemms`` is not a peer but the
    ceiling: the engine's own matrix products alone (bench/mnist_worker.py ``_gemms``), so its
    share of the peak says how far NumPy + the BLAS go at these shapes before anything else runs."""
    peers = ["ours", "ours-engine", "torch", "sklearn"]
    runners = peers[:2] + ["gemms"] + peers[2:]
    peaks = []  # measured before each batch size and at the end; the best is the peak
    flops = flops_per_sample(MNIST_SIZES) * samples
    out = {"samples": samples, "sizes": MNIST_SIZES, "flops_per_epoch": flops, "batches": {}}
    for bs in batches:
        peaks.append(gemm_peak(threads))
        runs = {k: [] for k in runners}
        for _ in range(repeats):
            for k in runners:
                runs[k].append(_worker(k, bs, samples, threads))
        med = {k: statistics.median(r["epoch_s"] for r in v) for k, v in runs.items()}
        entry = {
            "median_epoch_s": med,
            "samples_per_s": {k: samples / v for k, v in med.items()},
            "peak_rss_mb": {k: max(r["peak_rss"] for r in v) / 2**20 for k, v in runs.items()},
            "memory_ratio": {k: max(r["memory_ratio"] for r in v) for k, v in runs.items()},
            "median_setup_s": {k: statistics.median(r["setup_s"] for r in v) for k, v in runs.items()},
            "ratio_ours_over": {k: med["ours"] / med[k] for k in peers if k != "ours"},
            "ours_over_gemms_alone": med["ours"] / med["gemms"],
            "runs": runs,
        }
        out["batches"][bs] = entry
        for k in peers:
            if k != "ours":
                rows.append(("mnist", f"batch {bs}", k, med["ours"], med[k]))
        rows.append(("mnist", f"batch {bs}", "its GEMMs alone (ceiling)", med["ours"], med["gemms"]))
    peaks.append(gemm_peak(threads))
    out["gemm_peak_flops"], out["gemm_peaks_measured"] = max(peaks), peaks
    for entry in out["batches"].values():
        entry["gemm_peak_fraction"] = {k: flops / v / max(peaks) for k, v in entry["median_epoch_s"].items()}
    return out


def explain(repeats: int, rows: list) -> dict:
    res = {"sizes": explain_workload.SIZES}
    for fmt in ("json", "markdown"):
        explain_workload.render(fmt)  # warm-up
        times = [_timed(explain_workload.render, fmt) for _ in range(repeats)]
        res[fmt] = {"seconds": times, "median_s": statistics.median(times), "target_s": 1.0 if fmt == "json" else 2.0}
        rows.append(
            (
                "explain",
                f"784-32-10 {fmt}",
                f"target {res[fmt]['target_s']:g} s",
                res[fmt]["median_s"],
                res[fmt]["target_s"],
            )
        )
    return res


def example(repeats: int, rows: list) -> dict:
    """``chainrule example`` as a whole process (import + explanation + 10,000 updates)."""
    cmd = [sys.executable, "-m", "chainrule", "example"]
    base = [sys.executable, "-c", "import numpy"]

    def wall(c):
        t0 = time.perf_counter()
        subprocess.run(c, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t0

    wall(cmd)
    times, numpy_times = [], []
    for _ in range(repeats):
        times.append(wall(cmd))
        numpy_times.append(wall(base))
    med = statistics.median(times)
    rows.append(("example", "whole process", "target 0.5 s", med, 0.5))
    rows.append(("example", "whole process", "python -c 'import numpy'", med, statistics.median(numpy_times)))
    return {"seconds": times, "median_s": med, "import_numpy_s": numpy_times, "target_s": 0.5}


def print_table(result: dict, rows: list) -> None:
    m = result["machine"]
    blas = ", ".join(f"{b['internal_api']} {b['version']} {b['architecture']} x{b['num_threads']}" for b in m["blas"])
    print(f"machine: {m['processor']}, {m['cores']} cores; BLAS {blas}; threads for peers {result['threads']}")
    print(
        f"python {m['python']}, numpy {m['numpy']}, torch {m['torch']}, scikit-learn {m['sklearn']}; "
        f"OPENBLAS_CORETYPE={m['env']['OPENBLAS_CORETYPE']}; load {result['load_before'][0]:.2f} -> "
        f"{result['load_after'][0]:.2f}; other processes used {result['others_cpu_share']:.0%} of the CPU; "
        f"medians of {result['repeats']}; {result['wall_s']:.0f} s"
    )
    print()
    print(f"{'workload':<9} {'case':<18} {'peer':<26} {'ours':>10} {'peer':>10} {'ours/peer':>10}")
    for wl, case, peer, ours, theirs, *ratio in rows:  # a paired ratio where measured, else of the medians
        r = ratio[0] if ratio else ours / theirs
        print(f"{wl:<9} {case:<18} {peer:<26} {_s(ours):>10} {_s(theirs):>10} {r:>10.3f}")
    if "mnist" in result:
        mn = result["mnist"]
        print(
            f"\nmnist-shape: {mn['flops_per_epoch'] / 1e9:.1f} GFLOP per epoch; GEMM peak "
            f"{mn['gemm_peak_flops'] / 1e9:.1f} GFLOP/s (best of "
            f"{', '.join(f'{p / 1e9:.0f}' for p in mn['gemm_peaks_measured'])}); threads {result['threads']}"
        )
        print(
            f"{'batch':>6} {'peer':<12} {'epoch':>9} {'samples/s':>10} {'of peak':>8} {'peak MB':>8} {'mem ratio':>9}"
        )
        for bs, e in mn["batches"].items():
            for k, v in e["median_epoch_s"].items():
                print(
                    f"{bs:>6} {k:<12} {_s(v):>9} {e['samples_per_s'][k]:>10,.0f} "
                    f"{e['gemm_peak_fraction'][k]:>8.1%} {e['peak_rss_mb'][k]:>8.0f} {e['memory_ratio'][k]:>9.2f}"
                )


def target_lines(result: dict, last: dict) -> list[tuple]:
    """Every target this run measured: (name, this run's figure, the record's, the target, met)."""
    lines = []

    def add(name, now, before, target, met, fmt):
        lines.append((name, fmt(now), "-" if before is None else fmt(before), target, met))

    seed = result.get("seed", {}).get("ratio_ours_over", {})
    if "python-floats" in seed:
        t = TARGETS["seed_over_python_floats"]
        before = last.get("seed", {}).get("ratio_ours_over", {}).get("python-floats")
        add(
            "seed online updates, ours / python-floats",
            seed["python-floats"],
            before,
            f"<= {t}",
            seed["python-floats"] <= t,
            "{:.2f}x".format,
        )
    for bs, e in result.get("mnist", {}).get("batches", {}).items():
        was = last.get("mnist", {}).get("batches", {}).get(str(bs), {})
        if int(bs) in TARGETS["peak_fraction"]:
            f, c, t = (
                e["gemm_peak_fraction"]["ours"],
                e["gemm_peak_fraction"]["gemms"],
                TARGETS["peak_fraction"][int(bs)],
            )
            before = was.get("gemm_peak_fraction", {})
            add(f"mnist batch {bs}: of GEMM peak", f, before.get("ours"), f">= {t:.0%}", f >= t, "{:.1%}".format)
            add(f"mnist batch {bs}: its GEMMs alone (ceiling)", c, before.get("gemms"), "-", None, "{:.1%}".format)
            ceiling = before.get("ours", 0) / before["gemms"] if before.get("gemms") else None
            add(f"mnist batch {bs}: of the ceiling", f / c, ceiling, "-", None, "{:.1%}".format)
        r, t = e["ratio_ours_over"]["torch"], TARGETS["ours_over_torch"]
        before = was.get("ratio_ours_over", {}).get("torch")
        add(f"mnist batch {bs}: time ours / PyTorch", r, before, f"<= {t}", r <= t, "{:.3f}".format)
        m, t = e["memory_ratio"]["ours"], TARGETS["memory_ratio"]
        at_60k = result["mnist"]["samples"] >= 60_000
        add(
            f"mnist batch {bs}: peak memory ratio",
            m,
            was.get("memory_ratio", {}).get("ours"),
            f"<= {t}",
            m <= t if at_60k else None,
            "{:.2f}".format,
        )
    for name, r in result.get("sklearn", {}).items():
        t = TARGETS["ours_over_sklearn_fit"]
        before = last.get("sklearn", {}).get(name, {}).get("ratio_ours_over_sklearn")
        add(
            f"{name} fit, ours / scikit-learn",
            r["ratio_ours_over_sklearn"],
            before,
            f"<= {t}",
            r["ratio_ours_over_sklearn"] <= t,
            "{:.2f}".format,
        )
    return lines


def print_targets(result: dict, last: dict) -> None:
    """Each target beside this run's figure and the record's; judged only on a quiet machine."""
    lines = target_lines(result, last)
    if not lines:
        return
    quiet = result["others_cpu_share"] <= QUIET and not result["quick"]
    record = last.get("command", "none")
    print(f"\n{'target':<46} {'now':>8} {'record':>8} {'target':>8}  met")
    for name, now, before, target, met in lines:
        verdict = "" if met is None else ("yes" if met else "NO") if quiet else "(not judged)"
        print(f"{name:<46} {now:>8} {before:>8} {target:>8}  {verdict}")
    print(f"record: bench/results.json ({record})")
    if not quiet:
        why = (
            "a --quick run" if result["quick"] else f"other processes used {result['others_cpu_share']:.0%} of the CPU"
        )
        print(
            f"not judged: {why} (quiet means at most {QUIET:.0%}); a loaded machine slows two-thread BLAS far "
            "more than anything else, so read the mnist figures against their ceiling (its GEMMs alone)"
        )


def _s(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    sys.exit(main())
