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
