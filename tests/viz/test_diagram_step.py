"""`chainrule diagram --step`: no edge runs through a number (issue 14, "Layout": b2's dashed line
ran through o1's and o2's numbers).

The SVG the command writes is measured as drawn: once from its own coordinates (each number's
background box, which holds its text with a margin), and once rendered by Chromium (each text's
real box, every line's ends).
"""

import math
import xml.etree.ElementTree as ET

import pytest

from chainrule import seed
from chainrule.cli import main
from chainrule.core.network import Network
from chainrule.derivation.step.trace import trace_step
from chainrule.viz.diagram import layout, to_svg

NS = "{http://www.w3.org/2000/svg}"


def crosses(seg, box) -> bool:
    """The segment (x1, y1, x2, y2) passes through the box (x, y, w, h), shrunk by half a pixel."""
    x1, y1, x2, y2 = seg
    bx, by, bw, bh = box[0] + 0.5, box[1] + 0.5, box[2] - 1, box[3] - 1
    t0, t1, dx, dy = 0.0, 1.0, x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - bx), (dx, bx + bw - x1), (-dy, y1 - by), (dy, by + bh - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def numbers_and_lines(svg: str):
    """Every number's background box as drawn (an edge's label, a neuron's values; each holds its
    text with a margin) with its text, and every edge."""
    root = ET.fromstring(svg)
    texts = [t for t in root.iter(f"{NS}text") if "=" in "".join(t.itertext())]
    boxes = []
    for r in root.iter(f"{NS}rect"):
        if r.get("class") not in ("label", "notes"):
            continue
        box = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
        inside = [
            "".join(t.itertext())
            for t in texts
            if box[0] <= float(t.get("x")) <= box[0] + box[2] and box[1] <= float(t.get("y")) <= box[1] + box[3]
        ]
        assert inside, box
        own = r.get("data-name") if r.get("class") == "label" else None
        boxes += [(text, own, box) for text in inside]
    assert len({text for text, _, _ in boxes}) == len(texts)  # every number has its box
    lines = [
        (l.get("data-name"), tuple(float(l.get(k)) for k in ("x1", "y1", "x2", "y2"))) for l in root.iter(f"{NS}line")
    ]
    return boxes, lines


def step_svg(net, title="") -> str:
    values = trace_step(
        net,
        seed.INPUT if net.n_inputs == 2 else [0.1] * net.n_inputs,
        seed.TARGET if net.n_outputs == 2 else [0.5] * net.n_outputs,
        0.5,
    ).values
    return to_svg(layout(net, values, title))


@pytest.mark.parametrize("sizes", [None, [2, 3, 2], [3, 3, 3, 2]])
def test_no_edge_runs_through_a_number_of_the_step_diagram(sizes):
    net = seed.seed_network() if sizes is None else Network(sizes, "sigmoid", "half_sse", seed=3)
    boxes, lines = numbers_and_lines(step_svg(net))
    assert len(boxes) >= 20
    crossed = [
        f"{name} through {text!r}"
        for text, own, box in boxes
        for name, seg in lines
        if name != own and crosses(seg, box)
    ]
    assert not crossed
    overlapping = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[2] != b[2]
        and a[2][0] < b[2][0] + b[2][2]
        and b[2][0] < a[2][0] + a[2][2]
        and a[2][1] < b[2][1] + b[2][3]
        and b[2][1] < a[2][1] + a[2][3]
    ]
    assert not overlapping


def test_the_commands_svg_has_the_seeds_step_numbers_where_no_edge_crosses_them(tmp_path):
    out = tmp_path / "step.svg"
    assert main(["diagram", "--step", "-o", str(out)]) == 0
    svg = out.read_text()
    boxes, lines = numbers_and_lines(svg)
    texts = {text for text, _, _ in boxes}
    assert {"δ = 0.138498562", "∂E/∂w5 = 0.082167041", "b2 = 0.6", "out = 0.751365070"} <= texts
    b2 = [seg for name, seg in lines if name == "b2"]
    assert len(b2) == 2  # the bias drawn to o1 and o2
    near_outputs = [
        box
        for text, _, box in boxes
        if text.startswith(("net = 1.2", "out = 0.77", "δ = -0.038", "net = 1.1", "out = 0.75", "δ = 0.138"))
    ]
    assert len(near_outputs) == 6 and not any(crosses(seg, box) for seg in b2 for box in near_outputs)


@pytest.mark.browser
@pytest.mark.parametrize("sizes", [None, [2, 3, 2], [3, 3, 3, 2]])
def test_chromium_draws_no_edge_through_a_number(tmp_path, sizes):
    """The same SVG rendered: each text's real box (getBBox) against every edge but its own."""
    from support.tiers import chromium, need

    need("playwright", "the browser tests drive chromium through Playwright")
    from playwright.sync_api import sync_playwright

    path = tmp_path / "step.svg"
    net = seed.seed_network() if sizes is None else Network(sizes, "sigmoid", "half_sse", seed=3)
    path.write_text(step_svg(net, "one step"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(path.as_uri())
        found = page.evaluate("""() => {
          const texts = [...document.querySelectorAll('text')].filter((t) => t.textContent.includes('='))
            .map((t) => { const b = t.getBBox(); return {text: t.textContent, own: t.dataset.edge || null,
                                                          x: b.x, y: b.y, w: b.width, h: b.height}; });
          const lines = [...document.querySelectorAll('line')].map((l) => ({name: l.dataset.name,
            x1: +l.getAttribute('x1'), y1: +l.getAttribute('y1'),
            x2: +l.getAttribute('x2'), y2: +l.getAttribute('y2')}));
          return {texts, lines};
        }""")
        browser.close()
    assert len(found["texts"]) >= 30
    crossed = [
        f"{l['name']} through {t['text']!r}"
        for t in found["texts"]
        for l in found["lines"]
        if l["name"] != t["own"] and crosses((l["x1"], l["y1"], l["x2"], l["y2"]), (t["x"], t["y"], t["w"], t["h"]))
    ]
    assert not crossed
    assert all(math.isfinite(t["w"]) and t["w"] > 0 for t in found["texts"])
