"""Screenshots of the page for docs/the-page.md: desktop (1366x768) and phone (390x844), each at the
first view, phase 3, a formula, a larger network ("3, 3" at phase 5), a crowded one ("4, 4", a hidden
neuron chosen) and the spirals preset after training (with X1² and X2² as extra inputs on desktop).

    python scripts/page_screenshots.py            # writes docs/images/page-*.png

Starts the server on 127.0.0.1 and drives Debian's chromium through Playwright.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from load_test import start_server  # noqa: E402

VIEWS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def _drawn(page) -> int:
    return int(page.evaluate("() => Number(document.body.dataset.shown || 0)"))


def _after(page, before: int) -> None:
    page.wait_for_function(f"() => Number(document.body.dataset.shown || 0) > {before}", timeout=30_000)


def _layers(page, hidden: str) -> None:
    before = _drawn(page)
    page.fill("#hidden", hidden)
    page.click("#apply")
    _after(page, before)


def _close(page, kind: str) -> None:
    if kind == "phone" and page.locator("#formula-close").is_visible():
        page.click("#formula-close")


def shoot(base: str, out: pathlib.Path) -> list[pathlib.Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        for kind, options in VIEWS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready='1']")

            def save(name, kind=kind, page=page, top=None):
                page.mouse.move(1, 1)  # no hover highlight left over from the last click
                page.evaluate("() => { document.getElementById('status').className = ''; }")  # no toast
                if top is not None:
                    page.evaluate("(y) => window.scrollTo(0, y)", top)
                path = out / f"page-{kind}-{name}.png"
                page.screenshot(path=str(path))
                written.append(path)

            save("first-view")
            page.click("#phases button[data-phase='3']")
            save("phase-3")
            page.locator("#diagram .num[data-name='dE_total/dw5']").click()
            page.wait_for_selector("#math math")
            save("formula")
            _close(page, kind)
            _layers(page, "3, 3")
            page.click("#phases button[data-phase='5']")
            save(
                "network-3-3",
                top=page.evaluate(
                    "() => document.getElementById('diagram').getBoundingClientRect().top + scrollY - 60"
                ),
            )
            _layers(page, "4, 4")
            page.click("#phases button[data-phase='4']")
            page.evaluate("() => choose('net_h2_2')")
            _close(page, kind)
            save(
                "network-4-4",
                top=page.evaluate(
                    "() => document.getElementById('diagram').getBoundingClientRect().top + scrollY - 60"
                ),
            )
            before = _drawn(page)
            page.select_option("#dataset", "spirals")
            _after(page, before)
            if kind == "desktop":
                for feature in ("x1^2", "x2^2"):
                    before = _drawn(page)
                    page.check(f"#features input[data-feature='{feature}']")
                    _after(page, before)
            page.evaluate("""async () => {
              for (let k = 0; k < 20; k++) show(await api.train(full.max_steps, 'frame'), false, 1);
              show(await api.get(), false, 1);
            }""")
            if kind == "phone":
                page.locator("#surface").scroll_into_view_if_needed()
                save("spirals-trained")
            else:
                save("spirals-trained", top=0)
            context.close()
        browser.close()
    return written


def main() -> int:
    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    proc, base = start_server()
    try:
        for path in shoot(base, out):
            print(path.relative_to(ROOT))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
