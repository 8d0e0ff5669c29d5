"""How fast the page answers (issue 14, "fast answers"): requests per second and frames per second.

    python scripts/page_speed.py                 # both, against a server it starts on 127.0.0.1
    python scripts/page_speed.py --no-browser    # requests per second only

Requests per second: a small bounded loopback client (``--clients`` concurrent, ``--seconds`` each
kind) sends the page's own training calls — ``{"steps": 1}`` on the seed and on the spirals
preset (2-8-8-1, 200 points) — and reports requests per second and the response size.
Frames per second: headless Chromium (Debian's) plays the seed at "1000 / frame" for
``--seconds`` and counts frames as the page shows them (updates shown / 1000 per second).
Prints one JSON summary; the machine's load average is part of it (the figures are noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from load_test import start_server  # noqa: E402

SPIRALS = {"dataset": {"name": "spirals", "n": 200, "hidden": [8, 8], "seed": 0}}


async def _requests_per_second(base: str, body: dict, clients: int, seconds: float, view: str | None = None) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60.0, limits=limits, trust_env=False) as http:
        sids = []
        for _ in range(clients):
            res = await http.post(base + "/api/sessions", json=body)
            res.raise_for_status()
            sids.append(res.json()["session"])
        count, sizes, errors = 0, [], 0
        # a frame as Play asks for it: only the curve's points from the page's newest one on
        # ("curve_from"; an older server that refuses the field is asked without it)
        keep = (
            view == "frame"
            and (
                await http.post(
                    f"{base}/api/sessions/{sids[0]}/train", json={"steps": 1, "view": view, "curve_from": 0}
                )
            ).status_code
            == 200
        )
        stop_at = time.monotonic() + seconds

        async def one(sid):
            nonlocal count, errors
            curve = []
            while time.monotonic() < stop_at:
                body = {"steps": 1, **({"view": view} if view else {})}
                if keep:
                    body["curve_from"] = max(0, len(curve) - 1)
                res = await http.post(f"{base}/api/sessions/{sid}/train", json=body)
                if res.status_code != 200:
                    errors += 1
                elif keep:
                    answer = res.json()
                    curve = curve[: answer["curve_from"]] + answer["curve"]
                count += 1
                sizes.append(len(res.content))

        started = time.monotonic()
        await asyncio.gather(*(one(s) for s in sids))
        elapsed = time.monotonic() - started
    return {
        "requests_per_second": round(count / elapsed, 1),
        "requests": count,
        "errors": errors,
        "response_bytes": int(statistics.median(sizes)) if sizes else 0,
        **({"curve_from": keep} if view == "frame" else {}),
    }


def _frames_per_second(base: str, seconds: float) -> dict:
    import shutil

    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
    exe = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=flags)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/")
        page.wait_for_selector("body[data-ready='1']")
        page.fill("#speed", "6")
        page.dispatch_event("#speed", "input")

        def updates() -> int:
            return int(page.locator("#iteration").text_content().replace(",", ""))

        page.click("#play")
        page.wait_for_timeout(1000)  # settle
        first, t0 = updates(), time.monotonic()
        page.wait_for_timeout(int(seconds * 1000))
        last, t1 = updates(), time.monotonic()
        page.click("#play")
        browser.close()
    return {"frames_per_second": round((last - first) / 1000 / (t1 - t0), 1), "updates": last - first}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--url", help="a server already running on 127.0.0.1 (e.g. an older version, to compare)")
    parser.add_argument(
        "--frame", action="store_true", help='also time {"view": "frame"} training calls (what play sends)'
    )
    args = parser.parse_args(argv)
    proc, base = (None, args.url.rstrip("/")) if args.url else start_server()
    try:
        summary = {
            "load_average": os.getloadavg()[0],
            "cpus": os.cpu_count(),
            "clients": args.clients,
            "seed": asyncio.run(_requests_per_second(base, {}, args.clients, args.seconds)),
            "spirals_2_8_8_1": asyncio.run(_requests_per_second(base, SPIRALS, args.clients, args.seconds)),
        }
        if args.frame:
            summary["seed_frame"] = asyncio.run(_requests_per_second(base, {}, args.clients, args.seconds, "frame"))
            summary["spirals_frame"] = asyncio.run(
                _requests_per_second(base, SPIRALS, args.clients, args.seconds, "frame")
            )
        if not args.no_browser:
            summary["browser_1000_per_frame"] = _frames_per_second(base, args.seconds)
        summary["load_average_after"] = os.getloadavg()[0]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
