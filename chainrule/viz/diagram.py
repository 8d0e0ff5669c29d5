"""The network drawn like the seed's figures: inputs, hidden and output neurons, biases, weighted edges.

One layout (:func:`layout`) feeds every drawing: SVG written directly here (no dependencies),
PNG through matplotlib (the ``plot`` extra), and the interactive page, which receives the same
layout as JSON.  Edges are coloured by the sign of their weight (blue positive, red negative) and
drawn thicker the larger it is; each is labelled with its weight's name and value.  Given a trace,
every neuron is annotated with its net input, output and delta and every edge with dE_total/dw.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape

from ..core.network import Network
from ..derivation.notation.names import Notation
from ..derivation.rendering.numbers import fmt
from ..errors import ConfigError

POSITIVE, NEGATIVE = "#2b6cb0", "#c53030"
FILL = {"input": "#e6f0fa", "hidden": "#eef7ee", "output": "#fdf0e6", "bias": "#f4f4f4"}
STROKE = {"input": "#4a6f94", "hidden": "#4f8a55", "output": "#b7773a", "bias": "#8a8a8a"}
MAX_DRAWN_NEURONS = 64  # per layer; larger layers would be a blur
LABEL_UP_TO = 3  # neurons per layer up to which every edge is labelled


@dataclass
class Node:
    name: str  # i1, h1, o2, b1, b_h1
    kind: str  # input, hidden, output, bias
    x: float
    y: float
    layer: int  # 0 for inputs; l + 1 for neurons of network.layers[l]; biases: the layer they feed
    notes: list[str] = field(default_factory=list)  # values written under the node


@dataclass
class Edge:
    name: str  # w5, or the bias name
    source: str
    target: str
    value: float
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float
    # "w5 = 0.4", a second line "∂E/∂w5 = ..." with a step (empty when the network is too large to label every edge)
    label: str
    label_x: float
    label_y: float
    layer: int  # index into network.layers


@dataclass
class Layout:
    width: float
    height: float
    radius: float
    nodes: list[Node]
    edges: list[Edge]
    title: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def layout(network: Network, values: dict[str, float] | None = None, title: str = "") -> Layout:
    """Positions, colours and labels of every neuron, bias and edge of ``network``.

    ``values`` (a trace's ``.values``) adds net, out and delta under each neuron and the
    gradient to each edge label.
    """
    sizes = network.sizes
    if max(sizes) > MAX_DRAWN_NEURONS:
        raise ConfigError(f"a layer of {max(sizes)} neurons is too large to draw (at most {MAX_DRAWN_NEURONS})")
    names = Notation(network)
    dx, dy, r = (340.0, 170.0, 28.0) if values else (300.0, 130.0, 28.0)
    if max(sizes) > LABEL_UP_TO:  # no edge labels: the columns can come closer
        dx, dy = 210.0, (130.0 if values else 90.0)
    tallest = max(sizes)
    height = tallest * dy + 70
    width = (len(sizes) - 1) * dx + 2 * 90
    top = 50 + (20 if title else 0)
    height += top - 50

    def column(l: int) -> list[str]:
        return names.inputs if l == 0 else names.neurons[l - 1]

    def y_of(j: int, n: int) -> float:
        return top + (tallest - n) * dy / 2 + j * dy + dy / 2

    nodes: dict[str, Node] = {}
    for l in range(len(sizes)):
        kind = "input" if l == 0 else "output" if l == len(sizes) - 1 else "hidden"
        for j, name in enumerate(column(l)):
            nodes[name] = Node(name, kind, 90 + l * dx, y_of(j, sizes[l]), l)

    weights = [abs(float(w)) for layer in network.layers for w in layer.weights.ravel()]
    biases = [abs(float(b)) for layer in network.layers if layer.bias is not None for b in layer.bias]
    biggest = max(weights + biases + [1e-12])
    labelled = max(sizes) <= LABEL_UP_TO  # larger layers: labels would overlap; the page shows them on click
    values = values or {}

    def edge(name, src: Node, dst: Node, value: float, layer: int, at: float) -> Edge:
        # the label sits a fraction `at` of the way from the sender, where crossing edges are apart
        lx, ly = src.x + (dst.x - src.x) * at, src.y + (dst.y - src.y) * at
        label = ""
        if labelled:
            label = f"{name} = {fmt(value)}"
            if f"dE_total/d{name}" in values:  # a second line
                label += f"\n∂E/∂{name} = {fmt(values[f'dE_total/d{name}'])}"
        return Edge(
            name,
            src.name,
            dst.name,
            float(value),
            src.x,
            src.y,
            dst.x,
            dst.y,
            POSITIVE if value >= 0 else NEGATIVE,
            round(1 + 5 * abs(value) / biggest, 2),
            label,
            round(lx, 1),
            round(ly, 1),
            layer,
        )

    edges: list[Edge] = []
    for l, layer in enumerate(network.layers):
        senders, receivers = column(l), column(l + 1)
        for j, dst in enumerate(receivers):
            for s, src in enumerate(senders):
                at = (0.38 if values else 0.33) if len(senders) <= 3 else 0.5
                edges.append(edge(names.weights[l][j][s], nodes[src], nodes[dst], float(layer.weights[j, s]), l, at))
        if layer.bias_mode == "none":
            continue
        # the seed draws one bias per layer, below the column that feeds it
        bx = 90 + l * dx + dx * 0.45
        by = top + tallest * dy + dy * 0.35
        if layer.bias_mode == "shared":
            bias = Node(names.biases[l][0], "bias", bx, by, l + 1)
            nodes[bias.name] = bias
            for j, dst in enumerate(receivers):
                e = edge(bias.name, bias, nodes[dst], float(layer.bias[0]), l, 0.3)
                e.label = e.label if j == 0 else ""  # one shared value: label it once
                edges.append(e)
        else:  # one bias per neuron: written under the neuron rather than drawn as more circles
            for j, dst in enumerate(receivers):
                nodes[dst].notes.append(f"{names.biases[l][j]} = {fmt(float(layer.bias[j]), True)}")

    for node in nodes.values():
        if node.kind == "input" and node.name in values:
            node.notes.append(f"{node.name} = {fmt(values[node.name])}")
        for q in ("net", "out", "delta"):
            key = f"{q}_{node.name}"
            if key in values:
                node.notes.append(f"{'δ' if q == 'delta' else q} = {fmt(values[key])}")
    height = max(n.y + r + 14 * len(n.notes) + 24 for n in nodes.values())
    return Layout(round(width, 1), round(height, 1), r, list(nodes.values()), edges, title)


# ----------------------------------------------------------------------------------- placing the text
LABEL_SIZE, LABEL_LINE = 12.0, 15.0  # an edge's label: font size and line height (px)
NOTE_SIZE, NOTE_LINE = 11.5, 14.0  # a neuron's values
# advance widths of DejaVu Sans (em), to size a text's box before drawing it; others count as 0.66
_EM = {
    **dict.fromkeys("0123456789", 0.636),
    " ": 0.318,
    ".": 0.318,
    "=": 0.838,
    "+": 0.838,
    "-": 0.361,
    "w": 0.818,
    "i": 0.278,
    "l": 0.278,
    "t": 0.392,
    "/": 0.337,
    "_": 0.5,
}


def text_width(text: str, size: float) -> float:
    return size * sum(_EM.get(c, 0.66) for c in text)


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, o: Box) -> bool:
        return self.x < o.x + o.w and o.x < self.x + self.w and self.y < o.y + o.h and o.y < self.y + self.h

    def crossed_by(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """Does the segment pass through the box?  (Liang–Barsky clipping.)"""
        t0, t1, dx, dy = 0.0, 1.0, x2 - x1, y2 - y1
        for p, q in ((-dx, x1 - self.x), (dx, self.x + self.w - x1), (-dy, y1 - self.y), (dy, self.y + self.h - y1)):
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
        return t1 - t0 > 1e-9


@dataclass
class Placed:
    """Where the drawings write each neuron's values (by neuron) and each edge's label (by edge index):
    boxes that no edge crosses and no other box or neuron overlaps, where such a place exists."""

    notes: dict
    labels: dict

    def extent(self, lay: Layout) -> Box:
        boxes = list(self.notes.values()) + list(self.labels.values())
        boxes += [Box(n.x - lay.radius, n.y - lay.radius, 2 * lay.radius, 2 * lay.radius) for n in lay.nodes]
        x0, y0 = min(0.0, *(b.x for b in boxes)), min(0.0, *(b.y for b in boxes))
        x1 = max(lay.width, *(b.x + b.w for b in boxes))
        y1 = max(lay.height, *(b.y + b.h + 8 for b in boxes))
        return Box(x0, y0, x1 - x0, y1 - y0)


def spread(lay: Layout, fx: float = 1.3, fy: float = 1.4) -> Layout:
    """The layout with its columns and rows further apart (about the first neuron): room for
    two-line edge labels where no other edge crosses them (the page does the same)."""
    X, Y = (lambda x: 90 + (x - 90) * fx), (lambda y: 50 + (y - 50) * fy)
    nodes = [Node(n.name, n.kind, X(n.x), Y(n.y), n.layer, list(n.notes)) for n in lay.nodes]
    edges = [
        Edge(
            **{
                **asdict(e),
                "x1": X(e.x1),
                "y1": Y(e.y1),
                "x2": X(e.x2),
                "y2": Y(e.y2),
                "label_x": X(e.label_x),
                "label_y": Y(e.label_y),
            }
        )
        for e in lay.edges
    ]
    return Layout(X(lay.width - 90) + 90, Y(lay.height), lay.radius, nodes, edges, lay.title)


def _drawn(lay: Layout) -> Layout:
    """What to_svg and to_png draw: a step's two-line labels get a spread layout."""
    return spread(lay) if any("\n" in e.label for e in lay.edges) else lay


def place(lay: Layout) -> Placed:
    """Find places for the text: the neurons' values first (beside the neuron: below, above, right
    or left, further out step by step), then each edge's label (along its own edge, then a little
    to either side) — each where it meets no edge but its own, no neuron and no text placed before."""
    segments = [(e.name, e.x1, e.y1, e.x2, e.y2) for e in lay.edges]
    taken = [Box(n.x - lay.radius, n.y - lay.radius, 2 * lay.radius, 2 * lay.radius) for n in lay.nodes]

    def badness(box: Box, own: str | None = None) -> int:
        crossed = sum(box.crossed_by(*seg[1:]) for seg in segments if seg[0] != own)
        return 10 * sum(box.overlaps(t) for t in taken) + crossed

    def best(boxes) -> Box:
        found = None
        for box in boxes:
            bad = badness(box) if not isinstance(box, tuple) else badness(*box)
            if found is None or bad < found[0]:
                found = (bad, box)
            if bad == 0:
                break
        return found[1] if not isinstance(found[1], tuple) else found[1][0]

    notes = {}
    for n in lay.nodes:
        if not n.notes:
            continue
        r = lay.radius * (0.75 if n.kind == "bias" else 1)
        w = max(text_width(t, NOTE_SIZE) for t in n.notes) + 8
        h = NOTE_LINE * len(n.notes) + 4
        spots = []
        for far in range(0, 80, 8):
            spots += [
                Box(n.x - w / 2, n.y + r + 4 + far, w, h),
                Box(n.x - w / 2, n.y - r - 4 - h - far, w, h),
                Box(n.x + r + 4 + far, n.y - h / 2, w, h),
                Box(n.x - r - 4 - w - far, n.y - h / 2, w, h),
                Box(n.x + r * 0.5 + far, n.y + r + far, w, h),
                Box(n.x - r * 0.5 - w - far, n.y + r + far, w, h),
                Box(n.x + r * 0.5 + far, n.y - r - h - far, w, h),
                Box(n.x - r * 0.5 - w - far, n.y - r - h - far, w, h),
            ]
        notes[n.name] = best(spots)
        taken.append(notes[n.name])
    labels = {}
    for i, e in enumerate(lay.edges):
        if not e.label:
            continue
        lines = e.label.split("\n")
        w = max(text_width(t, LABEL_SIZE) for t in lines) + 10
        h = LABEL_LINE * len(lines) + 4
        length = math.hypot(e.x2 - e.x1, e.y2 - e.y1) or 1.0
        nx, ny = -(e.y2 - e.y1) / length, (e.x2 - e.x1) / length  # across the edge
        at = (e.label_x - e.x1) / (e.x2 - e.x1) if e.x2 != e.x1 else (e.label_y - e.y1) / ((e.y2 - e.y1) or 1)
        spots = []
        for off in (0, 12, -12, 24, -24, 36, -36, 48, -48):
            for k in range(40):
                for t in (at + 0.02 * k, at - 0.02 * k) if k else (at,):
                    if 0.12 <= t <= 0.88:
                        cx, cy = e.x1 + (e.x2 - e.x1) * t + nx * off, e.y1 + (e.y2 - e.y1) * t + ny * off
                        spots.append((Box(cx - w / 2, cy - h / 2, w, h), e.name))
        labels[i] = best(spots)
        taken.append(labels[i])
    return Placed(notes, labels)


# ----------------------------------------------------------------------------------- SVG
def to_svg(lay: Layout) -> str:
    """A standalone SVG document of the layout (its text placed by :func:`place`)."""
    lay = _drawn(lay)
    placed = place(lay)
    ext = placed.extent(lay)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{ext.w:g}" height="{ext.h:g}" '
        f'viewBox="{ext.x:g} {ext.y:g} {ext.w:g} {ext.h:g}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect x="{ext.x:g}" y="{ext.y:g}" width="100%" height="100%" fill="white"/>',
    ]
    if lay.title:
        out.append(
            f'<text x="{lay.width / 2:g}" y="26" font-size="16" text-anchor="middle" '
            f'font-weight="bold">{escape(lay.title)}</text>'
        )
    r = lay.radius
    for e in lay.edges:  # edges first, under the neurons
        dash = ' stroke-dasharray="5 4"' if e.source.startswith("b") else ""
        out.append(
            f'<line class="edge" data-name="{escape(e.name)}" x1="{e.x1:g}" y1="{e.y1:g}" x2="{e.x2:g}" '
            f'y2="{e.y2:g}" stroke="{e.colour}" stroke-width="{e.width:g}" stroke-opacity="0.8"{dash}/>'
        )
    for i, box in placed.labels.items():
        e = lay.edges[i]
        out.append(
            f'<rect class="label" data-name="{escape(e.name)}" x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" '
            f'height="{box.h:.1f}" rx="4" fill="white" fill-opacity="0.92" stroke="{e.colour}" stroke-width="0.6"/>'
        )
        for k, line in enumerate(e.label.split("\n")):
            out.append(
                f'<text class="number" data-edge="{escape(e.name)}" x="{box.x + box.w / 2:.1f}" '
                f'y="{box.y + 14 + LABEL_LINE * k:.1f}" font-size="{LABEL_SIZE:g}" text-anchor="middle" '
                f'fill="{e.colour}">{escape(line)}</text>'
            )
    for n in lay.nodes:
        rr = r * 0.75 if n.kind == "bias" else r
        out.append(
            f'<circle class="neuron" data-name="{escape(n.name)}" cx="{n.x:g}" cy="{n.y:g}" r="{rr:g}" '
            f'fill="{FILL[n.kind]}" stroke="{STROKE[n.kind]}" stroke-width="2"/>'
        )
        out.append(
            f'<text x="{n.x:g}" y="{n.y + 5:g}" font-size="15" text-anchor="middle" '
            f'font-weight="bold">{escape(n.name)}</text>'
        )
        box = placed.notes.get(n.name)
        if box is None:
            continue
        out.append(
            f'<rect class="notes" data-name="{escape(n.name)}" x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" '
            f'height="{box.h:.1f}" rx="4" fill="white" fill-opacity="0.92"/>'
        )
        for k, note in enumerate(n.notes):
            out.append(
                f'<text class="number" x="{box.x + box.w / 2:.1f}" y="{box.y + 12 + NOTE_LINE * k:.1f}" '
                f'font-size="{NOTE_SIZE:g}" text-anchor="middle" fill="#333">{escape(note)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------- PNG
def to_png(lay: Layout, dpi: int = 100) -> bytes:
    """The same drawing as PNG bytes, through matplotlib (``pip install 'chainrule[plot]'``)."""
    import io

    from .plots import pyplot

    plt = pyplot()
    lay = _drawn(lay)
    placed = place(lay)
    ext = placed.extent(lay)
    fig = plt.figure(figsize=(ext.w / 100, ext.h / 100), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(ext.x, ext.x + ext.w)
    ax.set_ylim(ext.y + ext.h, ext.y)  # SVG's y axis points down
    ax.set_aspect("equal")
    ax.axis("off")
    px = 72 / 100  # layout units (pixels at 100 dpi) -> points
    if lay.title:
        ax.text(
            lay.width / 2, 26, lay.title, fontsize=16 * px, ha="center", va="baseline", weight="bold", parse_math=False
        )  # a title is text: "$\frac{$" must not be read as (broken) mathtext
    for e in lay.edges:
        ax.plot(
            [e.x1, e.x2],
            [e.y1, e.y2],
            color=e.colour,
            lw=e.width * px,
            alpha=0.8,
            ls="--" if e.source.startswith("b") else "-",
            zorder=1,
        )
    for i, box in placed.labels.items():
        e = lay.edges[i]
        ax.text(
            box.x + box.w / 2,
            box.y + box.h / 2,
            e.label,
            fontsize=12 * px,
            ha="center",
            va="center",
            color=e.colour,
            zorder=2,
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=e.colour, lw=0.6, alpha=0.9),
        )
    import matplotlib.patches as mpatches

    for n in lay.nodes:
        rr = lay.radius * (0.75 if n.kind == "bias" else 1)
        ax.add_patch(mpatches.Circle((n.x, n.y), rr, fc=FILL[n.kind], ec=STROKE[n.kind], lw=2 * px, zorder=3))
        ax.text(n.x, n.y, n.name, fontsize=15 * px, ha="center", va="center", weight="bold", zorder=4)
        box = placed.notes.get(n.name)
        if box is not None:  # one block, so that no line's background hides the one above it
            ax.text(
                box.x + box.w / 2,
                box.y + 2,
                "\n".join(n.notes),
                fontsize=11.5 * px,
                ha="center",
                va="top",
                color="#333",
                zorder=4,
                linespacing=1.2,
                bbox=dict(boxstyle="round,pad=0.15", fc=(1, 1, 1, 0.88), ec="none"),
            )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
