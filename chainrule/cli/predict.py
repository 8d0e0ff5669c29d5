"""``chainrule predict``: a saved model's predictions for new data, as CSV on stdout (or a file)."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "predict",
        help="predict with a saved model (class or value per row; --proba for the outputs)",
        description="Load a model written by 'chainrule train --save' and print one prediction per row "
        "of the data as CSV. Columns are matched by name when the model knows its feature names; "
        "other columns (such as the target) are ignored.",
    )
    p.add_argument("--model", required=True, metavar="FILE", help="a .json or .npz model file")
    p.add_argument("--data", required=True, metavar="NAME|FILE", help="a CSV file (or a built-in dataset name)")
    p.add_argument("--labels", metavar="FILE", help="the IDX labels file, for IDX images")
    p.add_argument("--proba", action="store_true", help="also print the output of every output neuron")
    p.add_argument("--output", "-o", metavar="FILE", help="write the CSV to FILE instead of stdout")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..io.atomic import check_outputs, write_text
    from ..io.model_data import features, predictions_csv
    from ..io.model_file import load_model

    check_outputs({"--output": args.output}, {"--model": args.model, "--data": args.data, "--labels": args.labels})
    model = load_model(args.model)
    table = predictions_csv(model, features(model, args.data, args.labels), proba=args.proba)
    if args.output:
        write_text(args.output, table)
    else:
        print(table, end="")
    return 0
