"""The network drawn like the seed's figures: inputs, hidden and output neurons, biases, weighted edges.

One layout (:func:`layout`) feeds every drawing: SVG written directly here (no dependencies),
PNG through matplotlib (the ``plot`` extra), and the interactive page, which receives the same
layout as JSON.  Edges are coloured by the sign of their weight (blue positive, red negative) and
drawn thicker the larger it is; each is labelled with its weight's name and value.  Given a trace,
every neuron is annotated with its net input, output and delta and every edge with dE_total/dw.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape

from ..core.network import Network
from ..errors import ConfigError
from ..derivation.notation import Notation
from ..derivation.numbers import fmt

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
    label: str  # "w5 = 0.4", a second line "∂E/∂w5 = ..." with a step (empty when the network is too large to label every edge)
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
        return Edge(name, src.name, dst.name, float(value), src.x, src.y, dst.x, dst.y,
                    POSITIVE if value >= 0 else NEGATIVE, round(1 + 5 * abs(value) / biggest, 2),
                    label, round(lx, 1), round(ly, 1), layer)

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


# ----------------------------------------------------------------------------------- SVG
def to_svg(lay: Layout) -> str:
    """A standalone SVG document of the layout."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:g}" height="{lay.height:g}" '
        f'viewBox="0 0 {lay.width:g} {lay.height:g}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="100%" height="100%" fill="white"/>',
    ]
    if lay.title:
        out.append(f'<text x="{lay.width / 2:g}" y="26" font-size="16" text-anchor="middle" '
                   f'font-weight="bold">{escape(lay.title)}</text>')
    r = lay.radius
    for e in lay.edges:  # edges first, under the neurons
        dash = ' stroke-dasharray="5 4"' if e.source.startswith("b") else ""
        out.append(f'<line class="edge" data-name="{escape(e.name)}" x1="{e.x1:g}" y1="{e.y1:g}" x2="{e.x2:g}" '
                   f'y2="{e.y2:g}" stroke="{e.colour}" stroke-width="{e.width:g}" stroke-opacity="0.8"{dash}/>')
    for e in lay.edges:
        if e.label:
            lines = e.label.split("\n")
            w, h = 6.8 * max(map(len, lines)) + 10, 15 * len(lines) + 4
            top = e.label_y - h / 2
            out.append(f'<rect x="{e.label_x - w / 2:g}" y="{top:g}" width="{w:g}" height="{h:g}" rx="4" '
                       f'fill="white" fill-opacity="0.92" stroke="{e.colour}" stroke-width="0.6"/>')
            for k, line in enumerate(lines):
                out.append(f'<text x="{e.label_x:g}" y="{top + 14 + 15 * k:g}" font-size="12" text-anchor="middle" '
                           f'fill="{e.colour}">{escape(line)}</text>')
    for n in lay.nodes:
        rr = r * 0.75 if n.kind == "bias" else r
        out.append(f'<circle class="neuron" data-name="{escape(n.name)}" cx="{n.x:g}" cy="{n.y:g}" r="{rr:g}" '
                   f'fill="{FILL[n.kind]}" stroke="{STROKE[n.kind]}" stroke-width="2"/>')
        out.append(f'<text x="{n.x:g}" y="{n.y + 5:g}" font-size="15" text-anchor="middle" '
                   f'font-weight="bold">{escape(n.name)}</text>')
        if n.notes:
            w = 6.6 * max(map(len, n.notes)) + 8
            out.append(f'<rect x="{n.x - w / 2:g}" y="{n.y + r + 4:g}" width="{w:g}" height="{14 * len(n.notes) + 4:g}" '
                       f'rx="4" fill="white" fill-opacity="0.92"/>')
        for k, note in enumerate(n.notes):
            out.append(f'<text x="{n.x:g}" y="{n.y + r + 16 + 14 * k:g}" font-size="11.5" text-anchor="middle" '
                       f'fill="#333">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------- PNG
def to_png(lay: Layout, dpi: int = 100) -> bytes:
    """The same drawing as PNG bytes, through matplotlib (``pip install 'chainrule[plot]'``)."""
    import io

    from .plots import pyplot

    plt = pyplot()
    fig = plt.figure(figsize=(lay.width / 100, lay.height / 100), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)  # SVG's y axis points down
    ax.set_aspect("equal")
    ax.axis("off")
    px = 72 / 100  # layout units (pixels at 100 dpi) -> points
    if lay.title:
        ax.text(lay.width / 2, 26, lay.title, fontsize=16 * px, ha="center", va="baseline", weight="bold",
                parse_math=False)  # a title is text: "$\frac{$" must not be read as (broken) mathtext
    for e in lay.edges:
        ax.plot([e.x1, e.x2], [e.y1, e.y2], color=e.colour, lw=e.width * px, alpha=0.8,
                ls="--" if e.source.startswith("b") else "-", zorder=1)
    for e in lay.edges:
        if e.label:
            ax.text(e.label_x, e.label_y, e.label, fontsize=12 * px, ha="center", va="center", color=e.colour,
                    zorder=2, bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=e.colour, lw=0.6, alpha=0.9))
    import matplotlib.patches as mpatches

    for n in lay.nodes:
        rr = lay.radius * (0.75 if n.kind == "bias" else 1)
        ax.add_patch(mpatches.Circle((n.x, n.y), rr, fc=FILL[n.kind], ec=STROKE[n.kind], lw=2 * px, zorder=3))
        ax.text(n.x, n.y, n.name, fontsize=15 * px, ha="center", va="center", weight="bold", zorder=4)
        if n.notes:  # one block, so that no line's background hides the one above it
            ax.text(n.x, n.y + lay.radius + 5, "\n".join(n.notes), fontsize=11.5 * px, ha="center", va="top",
                    color="#333", zorder=4, linespacing=1.2,
                    bbox=dict(boxstyle="round,pad=0.15", fc=(1, 1, 1, 0.88), ec="none"))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
