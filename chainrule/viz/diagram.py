"""The network drawn like the seed's figures: inputs, hidden and output neurons, biases, weighted edges.

One layout (:func:`layout`) feeds every drawing: SVG written directly here (no dependencies),
PNG through matplotlib (the ``plot`` extra), and the interactive page, which receives the same
layout as JSON.  Edges are coloured by the sign of their weight (blue positive, red negative) and
drawn thicker the larger it is; each is labelled with its weight's name and value.  Given a trace,
every neuron is annotated with its net input, output and delta and every edge with dE_total/dw.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape

import numpy as np

from ..core.network import Network
from ..derivation.notation.names import Notation
from ..derivation.rendering.number_format import fmt
from ..errors import ConfigError

POSITIVE, NEGATIVE = "#2b6cb0", "#c53030"
FILL = {"input": "#e6f0fa", "hidden": "#eef7ee", "output": "#fdf0e6", "bias": "#f4f4f4"}
STROKE = {"input": "#4a6f94", "hidden": "#4f8a55", "output": "#b7773a", "bias": "#8a8a8a"}
MAX_DRAWN_NEURONS = 64  # per layer; larger layers would be a blur
MAX_DRAWN_LAYERS = 12  # inputs, ten hidden layers, outputs: about 0.7 s of placing text per layer of 64
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
    check_drawable(sizes)
    grid = Grid(Notation(network), sizes, bool(values), bool(title))
    nodes: dict[str, Node] = {}
    for l in range(len(sizes)):
        kind = "input" if l == 0 else "output" if l == len(sizes) - 1 else "hidden"
        for j, name in enumerate(grid.column(l)):
            nodes[name] = Node(name, kind, grid.x(l), grid.y(j, sizes[l]), l)
    values = values or {}
    edges = _edges(network, grid, nodes, values)
    for node in nodes.values():
        if node.kind == "input" and node.name in values:
            node.notes.append(f"{node.name} = {fmt(values[node.name])}")
        for q in ("net", "out", "delta"):
            key = f"{q}_{node.name}"
            if key in values:
                node.notes.append(f"{'δ' if q == 'delta' else q} = {fmt(values[key])}")
    height = max(n.y + grid.r + 14 * len(n.notes) + 24 for n in nodes.values())
    width = (len(sizes) - 1) * grid.dx + 2 * 90
    return Layout(round(width, 1), round(height, 1), grid.r, list(nodes.values()), edges, title)


def check_drawable(sizes) -> None:
    """Refuse, before anything is built or traced, a network too wide or too deep to draw: at most
    ``MAX_DRAWN_NEURONS`` per layer and ``MAX_DRAWN_LAYERS`` layers (so at most 11 · 64 · 65 =
    45,760 parameters, far below what a step's trace allows: ``diagram --step`` stays bounded too)."""
    if max(sizes) > MAX_DRAWN_NEURONS:
        raise ConfigError(f"a layer of {max(sizes)} neurons is too large to draw (at most {MAX_DRAWN_NEURONS})")
    if len(sizes) > MAX_DRAWN_LAYERS:
        raise ConfigError(
            f"a network of {len(sizes)} layers is too deep to draw "
            f"(at most {MAX_DRAWN_LAYERS}, inputs and outputs included)"
        )


class Grid:
    """Where each neuron sits: layer l in the column x = 90 + l·dx, its neuron j of n at row j of a
    column of n centred on the tallest layer, rows dy apart from ``top`` (below the title, if any);
    further apart when a step's values are written, closer when edges go unlabelled."""

    def __init__(self, names: Notation, sizes: list[int], with_values: bool, with_title: bool):
        self.names, self.tallest = names, max(sizes)
        self.dx, self.dy, self.r = (340.0, 170.0, 28.0) if with_values else (300.0, 130.0, 28.0)
        self.labelled = self.tallest <= LABEL_UP_TO  # larger layers: labels would overlap; the page shows them on click
        if not self.labelled:  # no edge labels: the columns can come closer
            self.dx, self.dy = 210.0, (130.0 if with_values else 90.0)
        self.top = 50 + (20 if with_title else 0)

    def column(self, l: int) -> list[str]:
        """The names of layer l's neurons (0: the inputs)."""
        return self.names.inputs if l == 0 else self.names.neurons[l - 1]

    def x(self, l: int) -> float:
        return 90 + l * self.dx

    def y(self, j: int, n: int) -> float:
        return self.top + (self.tallest - n) * self.dy / 2 + j * self.dy + self.dy / 2


def _edges(network: Network, grid: Grid, nodes: dict[str, Node], values: dict) -> list[Edge]:
    """Every weight's edge; a shared bias as one more node below the column that feeds it (as the seed
    draws it) with its edges, a bias per neuron written under the neuron instead (added to ``nodes``)."""
    parameters = [abs(float(w)) for layer in network.layers for w in layer.weights.ravel()]
    parameters += [abs(float(b)) for layer in network.layers if layer.bias is not None for b in layer.bias]
    style = EdgeStyle(max(parameters + [1e-12]), grid.labelled, values)
    names, edges = grid.names, []
    for l, layer in enumerate(network.layers):
        senders, receivers = grid.column(l), grid.column(l + 1)
        for j, dst in enumerate(receivers):
            for s, src in enumerate(senders):
                at = (0.38 if values else 0.33) if len(senders) <= 3 else 0.5
                edges.append(
                    style.edge(names.weights[l][j][s], nodes[src], nodes[dst], float(layer.weights[j, s]), l, at)
                )
        if layer.bias_mode == "none":
            continue
        if layer.bias_mode == "shared":
            by = grid.top + grid.tallest * grid.dy + grid.dy * 0.35
            bias = Node(names.biases[l][0], "bias", grid.x(l) + grid.dx * 0.45, by, l + 1)
            nodes[bias.name] = bias
            for j, dst in enumerate(receivers):
                e = style.edge(bias.name, bias, nodes[dst], float(layer.bias[0]), l, 0.3)
                e.label = e.label if j == 0 else ""  # one shared value: label it once
                edges.append(e)
        else:  # one bias per neuron: written under the neuron rather than drawn as more circles
            for j, dst in enumerate(receivers):
                nodes[dst].notes.append(f"{names.biases[l][j]} = {fmt(float(layer.bias[j]), True)}")
    return edges


@dataclass
class EdgeStyle:
    """How an edge is drawn: coloured by its value's sign, 1 to 6 wide by its size relative to the
    ``biggest`` parameter, labelled "w5 = 0.4" (and "∂E/∂w5 = ..." with a step) when ``labelled``."""

    biggest: float
    labelled: bool
    values: dict

    def edge(self, name: str, src: Node, dst: Node, value: float, layer: int, at: float) -> Edge:
        """The edge from ``src`` to ``dst``, its label a fraction ``at`` of the way from the sender
        (where crossing edges are apart)."""
        lx, ly = src.x + (dst.x - src.x) * at, src.y + (dst.y - src.y) * at
        label = ""
        if self.labelled:
            label = f"{name} = {fmt(value)}"
            if f"dE_total/d{name}" in self.values:  # a second line
                label += f"\n∂E/∂{name} = {fmt(self.values[f'dE_total/d{name}'])}"
        colour = POSITIVE if value >= 0 else NEGATIVE
        width = round(1 + 5 * abs(value) / self.biggest, 2)
        return Edge(
            name,
            src.name,
            dst.name,
            float(value),
            src.x,
            src.y,
            dst.x,
            dst.y,
            colour,
            width,
            label,
            round(lx, 1),
            round(ly, 1),
            layer,
        )


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
    obstacles = Obstacles(lay)

    def best(boxes) -> Box:
        found = None
        for spot in boxes:
            box, own = spot if isinstance(spot, tuple) else (spot, None)
            bad = obstacles.badness(box, own)
            if found is None or bad < found[0]:
                found = (bad, box)
            if bad == 0:
                break
        return found[1]

    notes = {}
    for n in lay.nodes:
        if n.notes:
            notes[n.name] = best(_note_spots(n, lay.radius))
            obstacles.take(notes[n.name])
    labels = {}
    for i, e in enumerate(lay.edges):
        if e.label:
            labels[i] = best(_label_spots(e))
            obstacles.take(labels[i])
    return Placed(notes, labels)


class Obstacles:
    """What text must avoid — every edge, every neuron and the text placed so far — as arrays, so
    that what one box meets is counted in NumPy passes over the edges near it: those of the layers
    whose columns it overlaps (a Python loop over a 64-64-64 network's 8,192 edges for each of its
    notes' 80 candidate places took minutes, and the time grew with the square of the depth)."""

    def __init__(self, lay: Layout):
        edges = sorted(lay.edges, key=lambda e: e.layer)
        self.names = np.array([e.name for e in edges], dtype=object)
        self.x1, self.y1 = np.array([e.x1 for e in edges], float), np.array([e.y1 for e in edges], float)
        self.dx = np.array([e.x2 for e in edges], float) - self.x1
        self.dy = np.array([e.y2 for e in edges], float) - self.y1
        self.layers = []  # (first, end, leftmost x, rightmost x) of each layer's edges
        for _, group in itertools.groupby(range(len(edges)), key=lambda i: edges[i].layer):
            index = list(group)
            xs = [x for i in index for x in (edges[i].x1, edges[i].x2)]
            self.layers.append((index[0], index[-1] + 1, min(xs), max(xs)))
        capacity = 2 * len(lay.nodes) + len(edges)  # the neurons, then their notes and the edges' labels
        self.boxes, self.n = np.empty((4, capacity)), 0
        for node in lay.nodes:
            self.take(Box(node.x - lay.radius, node.y - lay.radius, 2 * lay.radius, 2 * lay.radius))

    def take(self, box: Box) -> None:
        self.boxes[:, self.n] = box.x, box.y, box.w, box.h
        self.n += 1

    def badness(self, box: Box, own: str | None = None) -> int:
        """10 for each box it overlaps, 1 for each edge through it (its own edge, named ``own``, aside)."""
        x, y, w, h = self.boxes[:, : self.n]
        overlaps = (box.x < x + w) & (x < box.x + box.w) & (box.y < y + h) & (y < box.y + box.h)
        crossed = 0
        for first, end, left, right in self.layers:
            if right >= box.x and left <= box.x + box.w:  # else no edge of this layer can reach the box
                hits = self.crossed(box, slice(first, end))
                if own is not None:
                    hits &= self.names[first:end] != own
                crossed += np.count_nonzero(hits)
        return int(10 * np.count_nonzero(overlaps) + crossed)

    def crossed(self, box: Box, edges: slice) -> np.ndarray:
        """Which of ``edges`` pass through the box: :meth:`Box.crossed_by` (Liang–Barsky clipping)
        for all of them at once — t0 rises and t1 falls step by step, so an empty interval stays empty."""
        x1, y1, dx, dy = self.x1[edges], self.y1[edges], self.dx[edges], self.dy[edges]
        t0, t1, outside = np.zeros(len(x1)), np.ones(len(x1)), np.zeros(len(x1), bool)
        for p, q in ((-dx, x1 - box.x), (dx, (box.x + box.w) - x1), (-dy, y1 - box.y), (dy, (box.y + box.h) - y1)):
            outside |= (p == 0) & (q < 0)  # parallel to this side and beyond it
            with np.errstate(divide="ignore", invalid="ignore"):
                r = q / p
            t0 = np.where(p < 0, np.maximum(t0, r), t0)
            t1 = np.where(p > 0, np.minimum(t1, r), t1)
        return ~outside & (t1 - t0 > 1e-9)


def _note_spots(n: Node, radius: float) -> list[Box]:
    """Where a neuron's values may go, in order of preference: below, above, right, left and the four
    diagonals, then the same 8, 16, ... 72 px further out."""
    r = radius * (0.75 if n.kind == "bias" else 1)
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
    return spots


def _label_spots(e: Edge) -> list[tuple[Box, str]]:
    """Where an edge's label may go, each with the edge's name (its own edge may cross it), in order of
    preference: centred on the edge at its label point, then sliding along it (within 12 % to 88 % of
    the way), then the same 12, 24, 36, 48 px to either side."""
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
    return spots


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
    _png_edges(ax, lay, placed, px)
    _png_neurons(ax, lay, placed, px)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def _png_edges(ax, lay: Layout, placed: Placed, px: float) -> None:
    """Each edge as a line (dashed from a bias), then each label in its placed box."""
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


def _png_neurons(ax, lay: Layout, placed: Placed, px: float) -> None:
    """Each neuron as a circle with its name, and its values in their placed box."""
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
