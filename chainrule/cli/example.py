"""``chainrule example``: the seed's worked example, every number, then 10,000 iterations."""

from __future__ import annotations

from .arguments import whole_number


def add_parser(sub) -> None:
    p = sub.add_parser(
        "example",
        help="the seed's 2-2-2 worked example: forward pass, error, gradients, updates, training",
        description="Run the classic step-by-step backpropagation example (2-2-2 logistic network) "
        "and print every number of the first update, then train and print the result.",
    )
    p.add_argument(
        "--iterations",
        type=whole_number(1, "iterations"),
        default=10_000,
        metavar="N",
        help="how many updates to train for at the end (default 10000, at most 1,000,000)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object with every value")
    p.add_argument(
        "--history",
        metavar="FILE",
        help="also write the total error before each update, and after the last, as a "
        "history file for 'chainrule plot'",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import seed
    from ..derivation.rendering.number_format import fmt
    from ..derivation.rendering.render_text import render_trace
    from ..example import run_example
    from ..io.atomic import check_output
    from ..io.history_file import save_history

    check_output(args.history, "--history")
    ex = run_example(args.iterations)
    if args.history:
        save_history(ex.history, args.history)
    if args.json:
        import json

        print(json.dumps({"network": seed.SPEC, "iterations": ex.iterations, "values": ex.values}, indent=2))
        return 0
    n = ex.iterations
    print("The seed example: a 2-2-2 network of logistic neurons")
    print("  inputs i1 = 0.05, i2 = 0.1; targets 0.01, 0.99; learning rate eta = 0.5")
    print("  weights w1..w8 = 0.15 0.2 0.25 0.3 0.4 0.45 0.5 0.55; biases b1 = 0.35, b2 = 0.6 (not trained)")
    print()
    print(render_trace(ex.trace))
    print(f"After {n:,} iteration{'s' if n != 1 else ''}")
    print("-" * len(f"After {n:,} iterations"))
    print(f"E_total@{n} = {fmt(ex.final[f'E_total@{n}'])}")
    print(f"out_o1@{n} = {fmt(ex.final[f'out_o1@{n}'])}    (target 0.01)")
    print(f"out_o2@{n} = {fmt(ex.final[f'out_o2@{n}'])}    (target 0.99)")
    return 0
