"""A self-contained page that replays a recorded run without a server.

The run is recorded by the same sessions the server uses (the engine trains, the trace explains),
at chosen updates; the page's own script and style are inlined, with the recording as JSON.
"""

from __future__ import annotations

import json
import re
from importlib import resources

from ..errors import ConfigError
from .sessions import Session, seed_spec

MAX_FRAMES = 60
MAX_FORMULAS = 12_000  # worked formulas in one recording (a large network's file records fewer snapshots)
EXPORT_ITERATIONS = 1000  # updates the page's Export button records by default
MAX_EXPORT_ITERATIONS = 10_000  # and at most, from the page (the command line allows more)


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


def record(
    spec: dict | None = None,
    iterations: int = 10_000,
    dataset: dict | None = None,
    test: tuple | None = None,
    plane: dict | None = None,
    options: dict | None = None,
) -> dict:
    """The state of the page after each of :func:`snapshot_iterations` updates.

    Parameters
    ----------
    spec : dict, optional
        The network file to start from (default: the seed's).
    iterations : int
        How many updates the run has (1 to 1,000,000).
    dataset, test, plane : optional
        A 2-D dataset's description, its held-out points and its points as drawn (as a session has them).
    options : dict, optional
        The trainer's options (``batch_size``, ``l1``, ``l2``).

    Returns
    -------
    dict
        ``{"frames": [...]}``: each snapshot's full state and its worked formulas.
    """
    if isinstance(iterations, bool) or not isinstance(iterations, int) or not 1 <= iterations <= 1_000_000:
        raise ConfigError(f"the recorded run needs 1 to 1,000,000 updates, not {iterations!r}")
    session = Session(spec if spec is not None else seed_spec(), dataset, test, plane)
    model, view = session.model, session.view
    model.options.update(options or {})
    marks = _fewer(snapshot_iterations(iterations)[:MAX_FRAMES], MAX_FORMULAS // max(1, len(view.formulas_names())))
    frames = []
    for mark in marks:
        while mark > model.iteration:  # in the chunks one request may ask for (a long run is many)
            model.train(min(mark - model.iteration, model.max_steps()))
        frame = view.state()
        for key in ("surface", "neuron_maps"):  # the file carries the values; their bytes are for frames
            if key in frame:
                frame[key].pop("bytes", None)
        # the worked formulas, as MathML and as the CLI's line (no server to ask when the page is opened)
        frame["formulas"] = {f["name"]: [f["mathml"], f["line"]] for f in view.formulas()}
        frames.append(frame)
    return {"frames": frames}


def _fewer(marks: list[int], most: int) -> list[int]:
    """At most ``most`` (at least 2) of ``marks``, evenly spread, the first and the last kept."""
    most = max(2, most)
    if len(marks) <= most:
        return marks
    picks = {round(k * (len(marks) - 1) / (most - 1)) for k in range(most)}
    return [marks[k] for k in sorted(picks)]


def recording_start(session) -> dict:
    """What :func:`record` needs to replay a session from its network as it is now: its network
    file, dataset, held-out points, points as drawn, trainer's options, and a title for the page."""
    import copy

    m = session.model
    return {
        "spec": m.spec(),
        "dataset": copy.deepcopy(m.dataset),
        "test": m.test,
        "plane": m.plane,
        "options": dict(m.options),
        "title": m.extra.get("title") or "-".join(map(str, m.network.sizes)) + " network",
    }


_NUMBER = re.compile(r"<mn>([^<]*)</mn>")


def compact(run: dict) -> dict:
    """The recorded run written once: a frame after the first leaves out what equals the frame
    before it (``"same"`` lists those keys; ``"trace.steps"`` the trace's step templates), carries
    only its loss curve's new points (``"curve_from"``: the earlier ones are the frame before's),
    and writes each formula's MathML as a shared template and its numbers (``"templates"``).
    app.js's ``expand`` rebuilds every frame exactly; no number is changed or rounded."""
    templates, index = [], {}
    frames, prev = [], None
    for frame in run["frames"]:
        out, same = {}, []
        for key, value in frame.items():
            if key == "formulas":
                out[key] = {}
                for name, (mathml, line) in value.items():
                    parts = _NUMBER.split(mathml)  # text, number, text, number, ..., text
                    shape = tuple(parts[0::2])
                    if shape not in index:
                        index[shape] = len(templates)
                        templates.append(list(shape))
                    out[key][name] = [index[shape], parts[1::2], line]
            elif prev is not None and key in prev and prev[key] == value:
                same.append(key)
            elif key == "curve" and prev is not None and value[: len(prev["curve"]) - 1] == prev["curve"][:-1]:
                out["curve_from"] = k = max(0, len(prev["curve"]) - 1)
                out["curve"] = value[k:]
            elif key == "trace" and prev is not None and prev["trace"]["steps"] == value["steps"]:
                out["trace"] = {k: v for k, v in value.items() if k != "steps"}
                same.append("trace.steps")
            else:
                out[key] = value
        if same:
            out["same"] = same
        frames.append(out)
        prev = frame
    return {"compact": 1, "templates": templates, "frames": frames}


def replay_html(run: dict, title: str = "chainrule — a recorded run") -> str:
    """One HTML file: the page, its script and style inlined, and the recorded run."""
    static = resources.files("chainrule.web") / "static"
    page = (static / "index.html").read_text(encoding="utf-8")
    css = (static / "style.css").read_text(encoding="utf-8")
    js = (static / "app.js").read_text(encoding="utf-8")
    # inside <script>, "<!--" or "</script" in a title would change how the page is parsed: JSON's own
    # \u escapes keep every <, > and & out of the script's text
    data = (
        json.dumps(compact(run), separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    page = page.replace('<link rel="icon" href="static/favicon.svg">\n', "")
    page = page.replace('<link rel="stylesheet" href="static/style.css">', f"<style>\n{css}</style>")
    js = js.replace("</", "<\\/")  # nothing in the script may close its <script> element
    page = page.replace(
        '<script src="static/app.js"></script>',
        f"<script>window.CHAINRULE_REPLAY = {data};</script>\n<script>\n{js}</script>",
    )
    page = page.replace("<title>chainrule — watch a network learn</title>", f"<title>{title}</title>")
    return page
