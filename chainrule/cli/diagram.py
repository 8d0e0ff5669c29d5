"""``chainrule diagram [NETWORK.json] -o net.svg``: the network drawn like the seed's figures."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "diagram",
        help="draw a network (SVG or PNG): neurons, biases, every weight named and valued",
        description="Draw a network like the seed's figures: inputs, hidden and output neurons, biases, "
        "each edge labelled with its weight's name and value, coloured by sign (blue +, red -) and "
        "thicker the larger it is. Without NETWORK, the seed's 2-2-2 network.",
    )
    p.add_argument("network", nargs="?", metavar="NETWORK", help="a network file (JSON or TOML); default: the seed")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write: .svg or .png (matplotlib)")
    p.add_argument(
        "--step",
        action="store_true",
        help="annotate one training step on the network's sample: net, out, delta and dE/dw",
    )
    p.add_argument("--title", default="", help="a title above the drawing")
    p.set_defaults(run=run)


def load_network(path):
    """(network, inputs, targets, learning rate) from a network file, or the seed's."""
    if path is None:
        from .. import seed

        return seed.seed_network(), [seed.INPUT], [seed.TARGET], seed.LEARNING_RATE
    from ..io.network_file import read_network_file
    from ..viz.diagram import MAX_DRAWN_NEURONS

    def drawable(sizes):
        from ..errors import ConfigError

        if max(sizes) > MAX_DRAWN_NEURONS:
            raise ConfigError(f"a layer of {max(sizes)} neurons is too large to draw (at most {MAX_DRAWN_NEURONS})")

    nf = read_network_file(path, check_sizes=drawable)
    return nf.network, nf.inputs, nf.targets, nf.learning_rate


def run(args) -> int:
    from pathlib import Path

    from ..errors import ConfigError
    from ..io.atomic import check_output, is_stdout, write_bytes, write_text
    from ..viz.diagram import layout, to_png, to_svg

    out = Path(args.output)
    kind = ".svg" if is_stdout(args.output) else out.suffix.lower()
    if kind not in (".svg", ".png"):
        raise ConfigError(f"cannot draw a diagram as {kind or 'a file without extension'}; use .svg or .png")
    check_output(args.output, "--output")
    network, xs, ts, lr = load_network(args.network)
    values = None
    if args.step:
        from ..derivation.step.trace import trace_step

        values = trace_step(network, xs[0], ts[0], lr).values
    lay = layout(network, values, args.title)
    if kind == ".svg":
        write_text(args.output, to_svg(lay))
    else:
        write_bytes(args.output, to_png(lay))
    if is_stdout(args.output):
        return 0
    print(f"wrote {out} ({'-'.join(map(str, network.sizes))} network{', one step annotated' if values else ''})")
    return 0
