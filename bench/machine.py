"""What the benchmark ran on: cores, BLAS (threadpoolctl), versions."""

from __future__ import annotations

import os
import platform
import sys


def blas_threads() -> int:
    """The number of threads NumPy's BLAS uses (peers are given the same)."""
    import numpy  # noqa: F401  (load its BLAS so threadpoolctl sees it)
    from threadpoolctl import threadpool_info

    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return int(info[0]["num_threads"]) if info else 1


def machine_info() -> dict:
    import numpy
    from threadpoolctl import threadpool_info

    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": _cpu_name(),
        "cores": os.cpu_count(),
        "numpy": numpy.__version__,
        "blas": [
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        ],
        "env": {
            k: os.environ.get(k)
            for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
        },
    }
    for name in ("torch", "sklearn", "chainrule"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            info[name] = None
    return info


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds the whole machine has been busy, CPU seconds of this process and its finished
    children), both since boot / start; two readings bracket a run (see :func:`others_share`)."""
    import resource

    ours = sum(
        getattr(resource.getrusage(who), field)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for field in ("ru_utime", "ru_stime")
    )
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return float("nan"), ours
    busy = sum(fields[:3]) + sum(fields[5:8])  # user nice system (idle iowait) irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK"), ours


def others_share(before: tuple[float, float], after: tuple[float, float], wall_s: float) -> float:
    """The share of the machine's CPU that *other* processes used between two :func:`cpu_seconds`
    readings: (machine busy − ours) / (cores × wall time).  0 on a quiet machine; the load
    average cannot say this, since it counts the benchmark's own threads."""
    busy, ours = after[0] - before[0], after[1] - before[1]
    return max(0.0, (busy - ours) / ((os.cpu_count() or 1) * wall_s)) if wall_s > 0 else float("nan")
