"""axe-core (Deque's accessibility rules) run inside a Playwright page.

The rules come from the ``axe-playwright-python`` package on PyPI, which ships ``axe.min.js``
(axe-core 4.12.1); we read that file and run it in the page — nothing is fetched at run time.
"""

from __future__ import annotations

from importlib import resources

_SOURCE: str | None = None


def axe_source() -> str:
    global _SOURCE
    if _SOURCE is None:
        _SOURCE = (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    return _SOURCE


def serious_violations(page, context: str = "document") -> list[str]:
    """axe's serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())  # through the DevTools protocol, so the page's CSP does not block it
    result = page.evaluate(
        "async (ctx) => await axe.run(ctx === 'document' ? document : ctx, {resultTypes: ['violations']})", context
    )
    lines = []
    for v in result["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}" + (" …" if len(v["nodes"]) > 3 else ""))
    return lines
