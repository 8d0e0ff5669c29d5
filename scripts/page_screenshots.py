"""Screenshots of the page for docs/the-page.md: desktop (1440x900) and phone (390x844), each at
the first view, phase 3, a formula and the spirals preset after training.

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
    "desktop": {"viewport": {"width": 1440, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


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

            def save(name, kind=kind, page=page):
                if kind == "desktop":
                    page.mouse.move(1, 1)  # no hover highlight left over from the last click
                path = out / f"page-{kind}-{name}.png"
                page.screenshot(path=str(path))
                written.append(path)

            save("first-view")
            for _ in range(3):
                page.click("#phase")
            page.wait_for_function("() => document.querySelector('#phases .now').dataset.phase === '3'")
            save("phase-3")
            page.locator("#diagram .num[data-name='dE_total/dw5']").click()
            page.wait_for_selector("#math math")
            save("formula")
            if kind == "phone":
                page.click("#formula-close")
            page.select_option("#dataset", "spirals")
            page.wait_for_selector("#surface-box:not([hidden])")
            page.evaluate("""async () => {
              for (let k = 0; k < 40; k++) show(await api.train(full.max_steps, 'frame'), false, 1);
              show(await api.get(), false, 1);
            }""")
            if kind == "phone":
                page.locator("#surface").scroll_into_view_if_needed()
            save("spirals-trained")
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
