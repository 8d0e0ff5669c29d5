"""How fast the page answers and plays: where a frame's time goes, requests per second, frames per second.

    python scripts/page_speed.py                 # everything, against a server it starts on 127.0.0.1
    python scripts/page_speed.py --no-browser    # the server's side only
    python scripts/page_speed.py --url http://127.0.0.1:8000   # a server already running (e.g. an older one)

Where the time goes (in this process, no HTTP): for the seed, XOR (2-4-4-1, online) and spirals
(2-8-8-1, mini-batches of 10), the milliseconds the engine takes for one Play frame at "1000 / frame"
(the server's limit per request, when lower), to build the frame's state and to write it as JSON, and
the frame's size.  Requests per second: a small bounded loopback client (``--clients`` concurrent,
``--seconds`` each kind) sends ``{"steps": 1}`` on the seed and on spirals.  Frames per second:
headless Chromium (Debian's) plays each of the three at "1000 / frame" for ``--seconds`` and counts
frames as the page shows them (updates shown / 1000 per second), the milliseconds the page takes
to draw one, and the processor time each side spends per frame (``cpu_ms_per_frame``: the server,
and Chromium's processes with Playwright's driver; Linux only): on a two-core machine the two sides
share the cores, so a frame costs their sum.  Prints one JSON summary with the machine's load
average before and after (the figures are noisy on a busy machine).
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
PLAYED = {"seed": None, "xor": "xor", "spirals": "spirals"}  # what the page plays, by its data menu's value


def breakdown(frames: int = 20) -> dict:
    """Per dataset, the median milliseconds of one Play frame's parts, in this process."""
    from chainrule.web.dataset_sessions import create_dataset_session
    from chainrule.web.schemas import DatasetRequest
    from chainrule.web.sessions import SessionStore

    store, out = SessionStore(), {}
    for name in PLAYED:
        _, session = store.create() if name == "seed" else create_dataset_session(store, DatasetRequest(name=name))
        model, view = session.model, session.view
        steps = min(1000, model.max_steps())
        train, build, write, size = [], [], [], 0
        for _ in range(frames):
            t0 = time.perf_counter()
            model.train(steps)
            t1 = time.perf_counter()
            state = view.state("frame", max(0, len(model.curve) - 1))
            t2 = time.perf_counter()
            text = json.dumps(state, allow_nan=False, separators=(",", ":"))
            t3 = time.perf_counter()
            train.append(t1 - t0), build.append(t2 - t1), write.append(t3 - t2)
            size = len(text)
        ms = lambda xs: round(1000 * statistics.median(xs), 2)  # noqa: E731
        out[name] = {
            "updates_per_frame": steps,
            "train_ms": ms(train),
            "state_ms": ms(build),
            "json_ms": ms(write),
            "frame_bytes": size,
            "server_frames_per_second": round(
                1 / statistics.median([a + b + c for a, b, c in zip(train, build, write)]), 1
            ),
        }
    return out


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
        stop_at = time.monotonic() + seconds

        async def one(sid):
            nonlocal count, errors
            curve = []
            while time.monotonic() < stop_at:
                body = {"steps": 1, **({"view": view, "curve_from": max(0, len(curve) - 1)} if view else {})}
                res = await http.post(f"{base}/api/sessions/{sid}/train", json=body)
                if res.status_code != 200:
                    errors += 1
                elif view:
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
    }


DRAW_TIMER = """() => {  // the milliseconds each show() of a play frame takes (the page's drawing)
  window.__draws = [];
  const drawn = show;
  show = function (next, ...rest) { const t = performance.now(); drawn(next, ...rest);
    if (next.view === 'frame') window.__draws.push(performance.now() - t); };
}"""


def _cpu_seconds(root: int) -> dict | None:
    """Processor seconds so far of each process under ``root`` (its children, theirs, ...), by
    process id, from /proc (None where there is none)."""
    proc = pathlib.Path("/proc")
    if not proc.is_dir():
        return None
    tick, parent, spent = os.sysconf("SC_CLK_TCK"), {}, {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():  # /proc/self, /proc/cpuinfo, ...
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # not a process, or one that has just ended
            continue
        parent[int(entry.name)] = int(fields[1])
        spent[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    under = {root}
    for _ in range(8):  # the driver, Chromium, its zygote, its renderers: a few generations
        under |= {pid for pid, up in parent.items() if up in under}
    return {pid: spent[pid] for pid in under - {root}}


def _cpu_ms_per_frame(before: dict | None, after: dict | None, server: int | None, frames: float) -> dict | None:
    """The server's and the browser's processor milliseconds per frame between two `_cpu_seconds`."""
    if before is None or after is None or frames <= 0:
        return None
    used = {pid: t - before.get(pid, 0.0) for pid, t in after.items()}
    server_ms = used.pop(server, None) if server is not None else None
    return {
        "server": None if server_ms is None else round(1000 * server_ms / frames, 1),
        "browser": round(1000 * sum(used.values()) / frames, 1),
    }


def _frames_per_second(base: str, seconds: float, server: int | None = None) -> dict:
    import shutil

    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
    exe = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium")
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=flags)
        for name, value in PLAYED.items():
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready='1']")
            if value:
                shown = page.evaluate("() => Number(document.body.dataset.shown)")
                page.select_option("#dataset", value)
                page.wait_for_function(f"() => Number(document.body.dataset.shown) > {shown}")
            page.fill("#speed", "6")
            page.dispatch_event("#speed", "input")
            page.evaluate(DRAW_TIMER)

            def updates(page=page) -> int:
                return int(page.locator("#iteration").text_content().replace(",", ""))

            page.click("#play")
            page.wait_for_timeout(1000)  # settle
            page.evaluate("() => { window.__draws = []; }")
            first, t0, cpu0 = updates(), time.monotonic(), _cpu_seconds(os.getpid())
            page.wait_for_timeout(int(seconds * 1000))
            last, t1, cpu1 = updates(), time.monotonic(), _cpu_seconds(os.getpid())
            draws = page.evaluate("() => window.__draws")
            page.click("#play")
            page.close()
            out[name] = {
                "frames_per_second": round((last - first) / 1000 / (t1 - t0), 1),
                "updates": last - first,
                "draw_ms": round(statistics.median(draws), 2) if draws else None,
                "cpu_ms_per_frame": _cpu_ms_per_frame(cpu0, cpu1, server, (last - first) / 1000),
            }
        browser.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown of a frame")
    parser.add_argument("--url", help="a server already running on 127.0.0.1 (e.g. an older version, to compare)")
    args = parser.parse_args(argv)
    proc, base = (None, args.url.rstrip("/")) if args.url else start_server()
    try:
        summary = {"load_average": os.getloadavg(), "cpus": os.cpu_count(), "clients": args.clients}
        if not args.no_breakdown:
            summary["frame_breakdown"] = breakdown()
        summary["seed_train_1"] = asyncio.run(_requests_per_second(base, {}, args.clients, args.seconds))
        summary["spirals_train_1"] = asyncio.run(_requests_per_second(base, SPIRALS, args.clients, args.seconds))
        summary["spirals_frame_1"] = asyncio.run(
            _requests_per_second(base, SPIRALS, args.clients, args.seconds, "frame")
        )
        if not args.no_browser:
            summary["browser_1000_per_frame"] = _frames_per_second(base, args.seconds, proc and proc.pid)
        summary["load_average_after"] = os.getloadavg()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
