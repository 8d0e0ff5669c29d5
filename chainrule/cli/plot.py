"""``chainrule plot HISTORY -o loss.png``: loss and metrics per epoch or iteration (matplotlib)."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "plot",
        help="plot a training history (loss, val_loss, accuracy, ...) to PNG/SVG/PDF",
        description="Plot a history file written by 'chainrule train --history' or "
        "'chainrule example --history': every series per epoch or iteration; losses on a log "
        "scale when they span more than two decades. Needs matplotlib (pip install 'chainrule[plot]').",
    )
    p.add_argument("history", metavar="HISTORY", help="a history JSON file")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the picture: .png, .svg or .pdf")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--log", dest="log", action="store_const", const=True, default=None, help="log-scale losses")
    scale.add_argument("--linear", dest="log", action="store_const", const=False, help="linear losses")
    p.add_argument("--title", default="", help="a title above the plot")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..io.atomic import check_outputs, is_stdout
    from ..viz.plots import read_history, save_history_plot

    check_outputs({"--output": args.output}, {"HISTORY": args.history})
    history = read_history(args.history)
    save_history_plot(history, args.output, args.log, args.title)
    if is_stdout(args.output):
        return 0
    n = max(len(v) for v in history["series"].values())
    print(f"wrote {args.output} ({', '.join(history['series'])} over {n:,} {history['unit']}s)")
    return 0
