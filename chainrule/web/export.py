"""A self-contained page that replays a recorded run without a server.

The run is recorded by the same sessions the server uses (the engine trains, the trace explains),
at chosen updates; the page's own script and style are inlined, with the recording as JSON.
"""

from __future__ import annotations

import json
from importlib import resources

from ..errors import ConfigError
from .sessions import Session, seed_spec

MAX_FRAMES = 60


def snapshot_iterations(total: int) -> list[int]:
    """0, 1, 2, ..., then roughly 1-2-5 steps per decade up to ``total``."""
    marks = {0, total}
    k = 1
    while k <= total:
        for m in (1, 2, 5):
            if k * m <= total:
                marks.add(k * m)
        k *= 10
    marks.update(range(min(total, 5) + 1))
    return sorted(marks)


def record(spec: dict | None = None, iterations: int = 10_000, dataset: dict | None = None) -> dict:
    """The state of the page after each of :func:`snapshot_iterations` updates."""
    if isinstance(iterations, bool) or not isinstance(iterations, int) or not 1 <= iterations <= 1_000_000:
        raise ConfigError(f"the recorded run needs 1 to 1,000,000 updates, not {iterations!r}")
    session = Session(spec if spec is not None else seed_spec(), dataset)
    marks = snapshot_iterations(iterations)[:MAX_FRAMES]
    frames = []
    for mark in marks:
        while mark > session.iteration:  # in the chunks one request may ask for (a long run is many)
            session.train(min(mark - session.iteration, session.max_steps()))
        frame = session.state()
        # the worked formulas, as MathML and as the CLI's line (no server to ask when the page is opened)
        frame["formulas"] = {f["name"]: [f["mathml"], f["line"]] for f in session.formulas()}
        frames.append(frame)
    return {"frames": frames}


def replay_html(run: dict, title: str = "chainrule — a recorded run") -> str:
    """One HTML file: the page, its script and style inlined, and the recorded run."""
    static = resources.files("chainrule.web") / "static"
    page = (static / "index.html").read_text(encoding="utf-8")
    css = (static / "style.css").read_text(encoding="utf-8")
    js = (static / "app.js").read_text(encoding="utf-8")
    # inside <script>, "<!--" or "</script" in a title would change how the page is parsed: JSON's own
    # \u escapes keep every <, > and & out of the script's text
    data = (json.dumps(run, separators=(",", ":"), allow_nan=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    page = page.replace('<link rel="icon" href="static/favicon.svg">\n', "")
    page = page.replace('<link rel="stylesheet" href="static/style.css">', f"<style>\n{css}</style>")
    js = js.replace("</", "<\\/")  # nothing in the script may close its <script> element
    page = page.replace('<script src="static/app.js"></script>',
                        f"<script>window.CHAINRULE_REPLAY = {data};</script>\n<script>\n{js}</script>")
    page = page.replace("<title>chainrule — watch a network learn</title>", f"<title>{title}</title>")
    return page
