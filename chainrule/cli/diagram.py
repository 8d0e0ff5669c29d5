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


def run(args) -> int:
    from pathlib import Path

    from ..api import diagram
    from ..io.atomic import is_stdout

    network = diagram(args.network, args.output, step=args.step, title=args.title, option="--output")
    if is_stdout(args.output):
        return 0
    annotated = ", one step annotated" if args.step else ""
    print(f"wrote {Path(args.output)} ({'-'.join(map(str, network.sizes))} network{annotated})")
    return 0
