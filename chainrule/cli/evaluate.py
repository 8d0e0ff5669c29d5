"""``chainrule evaluate``: a saved model's loss and accuracy (or R²) on labelled data."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a saved model on labelled data (loss, accuracy or R²)",
        description="Load a model and print its loss and accuracy (classification) or R² (regression) on "
        "labelled data. On the built-in dataset it was trained on, the held-out part of the same "
        "seeded split is used unless --all is given.",
    )
    p.add_argument("--model", required=True, metavar="FILE", help="a .json or .npz model file")
    p.add_argument("--data", required=True, metavar="NAME|FILE", help="a dataset name, CSV file or IDX images file")
    p.add_argument("--target", metavar="COLUMN", help="the CSV column holding the true values (default: the model's)")
    p.add_argument("--labels", metavar="FILE", help="the IDX labels file, for IDX images")
    p.add_argument("--all", action="store_true", help="score every sample, not only the held-out part")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args) -> int:
    import json

    from ..io.model_data import labelled
    from ..io.model_file import load_model

    model = load_model(args.model)
    X, y, split = labelled(
        model, args.data, args.target, args.labels, held_out=not args.all, option_names={"target": "--target"}
    )
    scores = model.evaluate(X, y)
    if args.json:
        print(json.dumps({"samples": len(X), **scores}))
        return 0
    info = model.info
    where = (
        f"the held-out {info['test_size']:.0%} of {args.data}, split seed {info.get('split_seed', 0)}; "
        "--all for every sample"
        if split
        else "all samples"
    )
    metric = "accuracy" if model.task == "classification" else "r2"
    print(f"{metric} {scores[metric]:.4f}, loss {scores['loss']:.4f} on {len(X)} samples ({where})")
    return 0
