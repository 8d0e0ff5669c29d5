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


def load_features(model, data: str, labels=None, target_required: bool = False):
    """(X, y or None) for a model: CSV columns by the model's feature names, else a dataset by name."""
    from pathlib import Path

    from ..data import load_dataset
    from ..data.csv_file import read_csv

    if Path(data).suffix.lower() == ".csv" and Path(data).exists():
        target = model.target_name if model.target_name else None
        import csv

        from ..data.csv_file import MAX_CSV_BYTES
        from ..errors import DataError
        from ..io.bounded_read import open_text

        try:
            with open_text(data, MAX_CSV_BYTES, "CSV file", DataError) as f:
                header = [h.strip() for h in next(csv.reader(f), [])]
        except (UnicodeDecodeError, csv.Error):
            header = []  # read_csv below says what is wrong
        if target not in header:
            target = None
        X, y, _ = read_csv(data, target=target, require_target=target_required, columns=model.feature_names)
        return X, y
    ds = load_dataset(data, labels=labels)
    return ds.X, ds.y


def run(args) -> int:
    import io

    import numpy as np

    from ..io.model_file import load_model

    if args.output:
        from ..io.atomic import check_output

        check_output(args.output, "--output")
    model = load_model(args.model)
    X, _ = load_features(model, args.data, args.labels)
    pred = model.predict(X)
    buf = io.StringIO()
    if model.task == "classification":
        header = ["prediction"]
        rows = [[str(p.item() if hasattr(p, "item") else p)] for p in pred]
        if args.proba:
            proba = model.predict_proba(X)
            header += [f"p_{c.item() if hasattr(c, 'item') else c}" for c in model.classes]
            rows = [r + [f"{v:.6g}" for v in pv] for r, pv in zip(rows, proba)]
    else:
        pred = np.asarray(pred).reshape(len(X), -1)
        header = (
            [model.target_name or "prediction"] if pred.shape[1] == 1 else [f"o{k + 1}" for k in range(pred.shape[1])]
        )
        rows = [[f"{v:.10g}" for v in r] for r in pred]
    import csv

    writer = csv.writer(buf, lineterminator="\n")  # quotes labels holding commas, quotes or newlines
    writer.writerow([_cell(h) for h in header])
    writer.writerows([_cell(c) for c in r] for r in rows)
    if args.output:
        from ..io.atomic import write_text

        write_text(args.output, buf.getvalue())
    else:
        print(buf.getvalue(), end="")
    return 0


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text: '=1+2', '@SUM(...)' and the like get a leading apostrophe
    (OWASP's advice against CSV injection); numbers such as -0.5 are left alone."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text
