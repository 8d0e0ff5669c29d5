"""Load test of the local server (issue 7): N concurrent clients for T seconds on 127.0.0.1, each
with its own session, mixing trace (GET state), train and edit requests; stops by itself.

    python scripts/load_test.py                     # 200 clients for 30 s against a server it starts
    python scripts/load_test.py --clients 20 --seconds 5
    python scripts/load_test.py --url http://127.0.0.1:8000   # a server already running (loopback only)

Every response is checked: status 200, valid JSON with finite numbers, and — session isolation —
after a client sets its weight w1 to a value only it uses, the state it reads back holds exactly
that value.  Prints one JSON summary (requests, errors, latency percentiles); exit 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from urllib.parse import urlparse

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def start_server(timeout: float = 60.0):
    """``chainrule serve --port 0`` on 127.0.0.1; returns (process, base URL)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "chainrule", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if match:
            return proc, f"http://127.0.0.1:{match.group(1)}"
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"the server did not start: {line!r} {proc.stderr.read()[:500]!r}")


def _finite(obj) -> bool:
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return True


async def client(http, base: str, k: int, stop_at: float, stats: dict) -> None:
    rng = random.Random(k)

    async def call(method: str, path: str, body=None) -> dict | None:
        start = time.perf_counter()
        try:
            response = await http.request(method, base + path, json=body)
        except Exception as exc:  # connection refused, reset, timeout
            stats["errors"].append(f"{method} {path}: {type(exc).__name__}: {exc}")
            return None
        stats["latencies"].append(time.perf_counter() - start)
        stats["requests"] += 1
        if response.status_code != 200:
            stats["errors"].append(f"{method} {path}: HTTP {response.status_code} {response.text[:200]}")
            return None
        try:
            data = json.loads(response.text)
        except ValueError:
            stats["errors"].append(f"{method} {path}: not JSON")
            return None
        if not _finite(data):
            stats["errors"].append(f"{method} {path}: a non-finite number")
        return data

    if rng.random() < 0.5:  # the seed network, or a small 2-D dataset
        created = await call("POST", "/api/sessions", {})  # state changes are JSON (web/security.py)
    else:
        created = await call(
            "POST",
            "/api/sessions",
            {"dataset": {"name": rng.choice(["xor", "circles", "gaussians"]), "n": 40, "hidden": [4], "seed": k}},
        )
    if created is None:
        return
    sid = created["session"]
    mine = 0.001 * (k + 1)  # a w1 value no other client uses
    while time.monotonic() < stop_at:
        r = rng.random()
        if r < 0.4:
            await call("GET", f"/api/sessions/{sid}")  # the trace of the next update
        elif r < 0.8:
            await call("POST", f"/api/sessions/{sid}/train", {"steps": rng.randint(1, 20)})
        else:
            await call("POST", f"/api/sessions/{sid}/edit", {"set": {"w1": mine}})
            state = await call("GET", f"/api/sessions/{sid}")
            if state is not None:
                w1 = state["spec"]["weights"][0][0][0]
                stats["isolation_checks"] += 1
                if w1 != mine:
                    stats["errors"].append(f"session {k} reads w1 = {w1}, it set {mine}: sessions are not isolated")


async def run_load(base: str, clients: int, seconds: float) -> dict:
    import httpx

    host = urlparse(base).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"load_test: only loopback servers (127.0.0.1), not {host}")
    stats = {"requests": 0, "errors": [], "latencies": [], "isolation_checks": 0}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60.0, limits=limits, trust_env=False) as http:
        stop_at = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(*(client(http, base, k, stop_at, stats) for k in range(clients)))
        elapsed = time.monotonic() - started
    lat = sorted(stats["latencies"]) or [float("nan")]

    def pct(q):
        return round(1000 * lat[min(len(lat) - 1, int(q * len(lat)))], 1)

    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": stats["requests"],
        "requests_per_second": round(stats["requests"] / elapsed, 1),
        "errors": len(stats["errors"]),
        "first_errors": stats["errors"][:5],
        "isolation_checks": stats["isolation_checks"],
        "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99), "max": round(1000 * lat[-1], 1)},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--url", help="a running server on 127.0.0.1 (default: start one)")
    args = parser.parse_args(argv)
    proc = None
    base = args.url
    if base is None:
        proc, base = start_server()
    try:
        summary = asyncio.run(run_load(base.rstrip("/"), args.clients, args.seconds))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps(summary, indent=1))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
