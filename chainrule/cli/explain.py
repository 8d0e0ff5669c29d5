"""``chainrule explain [NETWORK]``: one training step of any network, every number explained."""

from __future__ import annotations


def add_parser(sub) -> None:
    from ..derivation.rendering.formats import names

    p = sub.add_parser(
        "explain",
        help="the worked derivation of one training step of a network (default: the seed's)",
        description="Explain one gradient-descent step of a network read from a JSON or TOML network file "
        "(without one, the seed's 2-2-2 network): forward pass, errors, gradients layer by layer, updates, "
        "and the error after the update.",
    )
    p.add_argument("network", nargs="?", metavar="NETWORK", help="network file (.json or .toml)")
    p.add_argument("--format", "-f", choices=names(), default="text", help="output format (default text)")
    p.add_argument(
        "--only",
        metavar="NAMES",
        help="comma-separated weights, biases or quantities, e.g. w5,w1: only the steps their gradients need",
    )
    p.add_argument("--neuron", metavar="NAME", help="one neuron in full, e.g. h12 or o1 (its inputs, delta, gradients)")
    p.add_argument(
        "--batch",
        choices=("sum", "mean"),
        help="one full-batch step on every sample of the file, its error the sum or the mean of "
        'theirs (default: the file\'s "batch", else one sample)',
    )
    p.add_argument("--sample", type=int, metavar="K", help="which sample of the file to explain (1-based; default 1)")
    detail = p.add_mutually_exclusive_group()
    detail.add_argument(
        "--full", action="store_const", const="full", dest="detail", help="every scalar, even for a large network"
    )
    detail.add_argument(
        "--summary",
        action="store_const",
        const="summary",
        dest="detail",
        help="layer by layer (vectors and matrices), even for a small network",
    )
    from ..derivation.notation.profiles import PROFILES

    p.add_argument(
        "--notation",
        choices=list(PROFILES),
        default="seed",
        help="write the derivation in a book's names (e.g. han-kamber: I_4, O_4, Err_6, w_46)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of the terminal")
    p.set_defaults(run=run, detail="auto")


def run(args) -> int:
    from ..api import explain
    from ..io.atomic import check_outputs, write_text

    check_outputs({"--output": args.output}, {"NETWORK": args.network})
    only = [n for n in (args.only or "").split(",") if n.strip()]
    if args.neuron:
        only.append(args.neuron)
    text = explain(
        args.network,
        format=args.format,
        only=only or None,
        sample=args.sample,
        detail=args.detail,
        notation=args.notation,
        batch=args.batch,
    )
    if args.output:
        write_text(args.output, text)
    else:
        print(text, end="")
    return 0
