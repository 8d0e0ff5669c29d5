"""``python -m bench.profile [--batches 32,128,1024] [--samples N] [--threads T] [--epochs E]``

Where an epoch's time goes: the mnist-shape ``Trainer`` epoch of ``bench/mnist_worker.py`` run
under Linux ``perf`` (``perf record -e cpu-clock``: a software clock, so it works in virtual
machines without hardware counters), sampled only while the timed epochs run (perf's control
FIFO), and each sample put in a category by the function it landed in — the BLAS products, the
BLAS threads waiting for work, NumPy's elementwise loops, memory copies (the shuffled gather),
fresh memory (zeroing pages), the interpreter and NumPy's call overhead, the rest.  The figures
are CPU time of this process alone, so other jobs on the machine move them much less than they
move wall time; every table also gives the epoch's wall time and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (category, pattern on perf script's "address symbol (library)" line), first match wins
CATEGORIES = (
    ("BLAS threads waiting", r"blas_thread_server|exec_blas|sched_yield|blas_thread_shutdown|syscall"),
    ("matrix products (BLAS)", r"gemm|blas"),
    ("elementwise loops (NumPy)", r"\b(FLOAT|DOUBLE|BOOL|LONG|HALF)_\w+|_contig_cast|reduce_loop|_aligned_"),
    ("copies (gather, memmove)", r"memmove|memcpy|npy_fasttake|mapiter"),
    (
        "allocation (malloc, zeroing, page faults)",
        r"memset|malloc|_int_free|\bfree\b|clear_page|page_fault|folio|alloc_pages|zero_user",
    ),
    ("interpreter and call overhead", r"libpython|/python3|_multiarray_umath|_ctypes|libffi|\.cpython-"),
    ("operating system (other)", r"kernel"),
)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    p.add_argument("--batches", default="32,128,1024")
    p.add_argument("--samples", type=int, default=20_000, help="samples per epoch (default 20,000)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1: CPU time is exact there)")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per batch size (default 3)")
    p.add_argument("--top", type=int, default=0, help="also list the N functions with the most samples")
    p.add_argument("--json", default=None, metavar="PATH", help="also write the tables as JSON")
    p.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)  # internal: one batch size
    p.add_argument("--control", default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker is not None:
        return _worker(a.worker, a.samples, a.epochs, a.control)
    if shutil.which("perf") is None:
        raise SystemExit("bench.profile: needs Linux perf (apt-get install linux-perf)")
    tables = {}
    for bs in (int(b) for b in a.batches.split(",")):
        tables[bs] = profile(bs, a.samples, a.threads, a.epochs)
        print_table(bs, tables[bs], a.top)
    if a.json:
        Path(a.json).write_text(json.dumps(tables, indent=2) + "\n")
    return 0


def profile(batch: int, samples: int, threads: int, epochs: int) -> dict:
    """Run the worker under ``perf record`` and count its samples per category."""
    with tempfile.TemporaryDirectory() as tmp:
        control, data = os.path.join(tmp, "control"), os.path.join(tmp, "perf.data")
        os.mkfifo(control)
        cmd = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "4999", "-D", "-1", "--control", f"fifo:{control}"]
        cmd += ["-o", data, "--", sys.executable, "-m", "bench.profile", "--worker", str(batch)]
        cmd += ["--samples", str(samples), "--epochs", str(epochs), "--control", control]
        env = {
            **os.environ,
            **{k: str(threads) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        }
        load = os.getloadavg()[0]
        run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            raise SystemExit(f"bench.profile: {' '.join(cmd)} failed:\n{run.stderr[-3000:]}")
        timing = json.loads(run.stdout.strip().splitlines()[-1])
        script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"], capture_output=True, text=True)
    functions = Counter(line.split(None, 1)[-1] for line in script.stdout.splitlines() if line.strip())
    counts = Counter()
    for function, k in functions.items():
        counts[_category(function)] += k
    total = sum(counts.values())
    cpu_s = timing["cpu_s"] / epochs
    return {
        "samples_per_epoch": samples,
        "threads": threads,
        "epochs": epochs,
        "load": [load, os.getloadavg()[0]],
        "wall_s_per_epoch": timing["wall_s"] / epochs,
        "cpu_s_per_epoch": cpu_s,
        "categories_s": {k: cpu_s * v / total for k, v in counts.most_common()},
        "functions_s": {f: cpu_s * v / total for f, v in functions.most_common(40)},
    }


def _category(line: str) -> str:
    for name, pattern in CATEGORIES:
        if re.search(pattern, line):
            return name
    return "other"


def _worker(batch: int, samples: int, epochs: int, control: str | None) -> int:
    """A Trainer on the mnist shape: one untimed epoch, then ``epochs`` sampled ones."""
    import numpy as np

    from chainrule.training.loop import Trainer

    from .mnist_worker import LR, SIZES, _network

    rng = np.random.default_rng(0)
    X = rng.random((samples, SIZES[0]), dtype=np.float32)
    T = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], samples)]
    net = _network()
    options = dict(batch_size=batch, optimizer="sgd", learning_rate=LR, metrics=(), train_metrics=False, seed=0)
    Trainer(net, X, T, epochs=1, **options).run()
    trainer = Trainer(net, X, T, epochs=epochs, **options)
    fifo = open(control, "w") if control else None  # noqa: SIM115 (held open while the epochs run)
    if fifo:
        fifo.write("enable\n")
        fifo.flush()
    cpu, wall = time.process_time(), time.perf_counter()
    trainer.run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if fifo:
        fifo.write("disable\n")
        fifo.flush()
        fifo.close()
    print(json.dumps({"cpu_s": cpu, "wall_s": wall}))
    return 0


def print_table(batch: int, t: dict, top: int = 0) -> None:
    print(
        f"\nbatch {batch}: {t['samples_per_epoch']:,} samples, {t['threads']} thread(s), {t['epochs']} epochs; "
        f"per epoch {t['cpu_s_per_epoch'] * 1e3:.0f} ms CPU, {t['wall_s_per_epoch'] * 1e3:.0f} ms wall; "
        f"load {t['load'][0]:.2f} -> {t['load'][1]:.2f}"
    )
    for name, s in t["categories_s"].items():
        print(f"  {name:<38} {s * 1e3:8.1f} ms  {s / t['cpu_s_per_epoch']:6.1%}")
    for function, s in list(t["functions_s"].items())[:top]:
        print(f"    {s * 1e3:8.1f} ms  {_category(function)[:12]:<12} {function[:110]}")


if __name__ == "__main__":
    sys.exit(main())
