"""``chainrule train``: the options of a :class:`~chainrule.io.run.TrainingRun`, run with a printed
:class:`~chainrule.training.progress.Progress`. Everything else (the held-out split, checkpoints,
resuming, the safe save) is the run's, so the Python call does the same."""

from __future__ import annotations

from .arguments import one_of, parameter, positive_int, whole_number

# the options that are TrainingRun's settings (besides --data and --layers), by their argparse names
SETTINGS = (
    *("target", "labels", "task", "test_size", "validation_split", "standardize"),
    *("activation", "output_activation", "loss", "init", "bias", "freeze_biases", "dtype"),
    *("optimizer", "learning_rate", "momentum", "schedule", "step_size", "gamma", "power", "epochs", "batch_size"),
    *("l2", "l1", "dropout", "class_weight", "early_stopping", "seed"),
)
# how the run's error messages name the options here
OPTION_NAMES = {
    name: "--" + name.replace("_", "-")
    for name in ("save", "history", "checkpoint", "resume", "overwrite", "layers", "test_size", "data", "labels")
}


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a network on real data (xor, iris, digits, a CSV or IDX file) and save it",
        description="Train a feedforward network by backpropagation on a dataset, print the loss and "
        "accuracy (or R²) of every epoch and the score on held-out data, and save the model. "
        "Example: chainrule train --data digits --layers 64,64,10 --activation relu "
        "--loss cross_entropy --optimizer adam --epochs 30 --batch-size 32 --save model.json",
    )
    _data_options(p.add_argument_group("data"))
    _network_options(p.add_argument_group("network"))
    _training_options(p.add_argument_group("training"))
    _output_options(p.add_argument_group("output"))
    p.set_defaults(run=run)


def run(args) -> int:
    from ..io.run import TrainingRun
    from ..training.progress import Progress

    settings = {name: getattr(args, name) for name in SETTINGS}
    training = TrainingRun(args.data, args.layers, **settings, option_names=OPTION_NAMES)
    progress = Progress(args.print_every, quiet=args.quiet, resume_hint="the same command and --resume")
    training.run(
        args.save, args.history, args.checkpoint, resume=args.resume, overwrite=args.overwrite, progress=progress
    )
    return 0


def _data_options(d) -> None:
    from ..data.datasets import builtin_names
    from ..io.run import SMALL_DATA

    d.add_argument(
        "--data",
        required=True,
        metavar="NAME|FILE",
        help=f"{', '.join(builtin_names())}, a CSV file or an IDX images file",
    )
    d.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    d.add_argument("--labels", metavar="FILE", help="the IDX labels file that goes with IDX images")
    d.add_argument(
        "--task",
        default="auto",
        choices=["auto", "classification", "regression"],
        help="what the target is (default: guessed — words or a few whole numbers are classes)",
    )
    d.add_argument(
        "--test-size",
        type=parameter("test_size"),
        default=None,
        metavar="F",
        help="share held out for the final test score, seeded and stratified (default 0.25, "
        f"or 0 for data of fewer than {SMALL_DATA} samples such as xor; 0 for none)",
    )
    d.add_argument(
        "--validation-split",
        type=parameter("validation_split"),
        default=0.0,
        metavar="F",
        help="share of the training part used for val_loss each epoch (default 0)",
    )
    d.add_argument(
        "--no-standardize",
        dest="standardize",
        action="store_false",
        help="feed the raw features (default: standardise each column with the training mean and std)",
    )


def _network_options(n) -> None:
    from ..core.activations import ACTIVATIONS
    from ..core.init import INITIALISERS
    from ..core.losses import LOSSES

    n.add_argument(
        "--layers",
        required=True,
        metavar="SIZES",
        help="all layer sizes from inputs to outputs, e.g. 64,64,10 or 2,5,1",
    )
    n.add_argument("--activation", default="relu", **one_of(ACTIVATIONS), help="hidden-layer activation (default relu)")
    n.add_argument(
        "--output-activation",
        default=None,
        **one_of(ACTIVATIONS),
        help="output activation (default: the loss's partner — softmax for cross_entropy, sigmoid for "
        "binary_cross_entropy — else sigmoid for classes and identity for values)",
    )
    n.add_argument(
        "--loss", default=None, **one_of(LOSSES), help="the loss (default: cross_entropy for classes, mse for values)"
    )
    n.add_argument(
        "--init",
        default="auto",
        type=str.lower,
        choices=["auto", *INITIALISERS],
        help="the initial weights: uniform (the seed script's), xavier, he, or auto (default: "
        "each activation's own choice)",
    )
    n.add_argument(
        "--bias",
        default="per_neuron",
        choices=["per_neuron", "shared", "none"],
        help="one bias per neuron, one shared per layer (the seed's b1, b2), or none (default per_neuron)",
    )
    n.add_argument("--freeze-biases", action="store_true", help="never update the biases (the seed's choice)")
    n.add_argument(
        "--dtype",
        default="float64",
        choices=["float64", "float32"],
        help="floating-point precision of the weights and arithmetic (default float64)",
    )


def _training_options(t) -> None:
    from ..core.optimizers import OPTIMIZERS

    t.add_argument("--optimizer", default="adam", **one_of(OPTIMIZERS), help="(default adam)")
    t.add_argument(
        "--learning-rate",
        "--lr",
        type=parameter("learning_rate"),
        default=None,
        metavar="ETA",
        help="η (default 0.001 for adam, 0.01 otherwise)",
    )
    t.add_argument(
        "--momentum", type=parameter("momentum"), default=0.9, help="μ for momentum and nesterov (default 0.9)"
    )
    _schedule_options(t)
    t.add_argument(
        "--epochs",
        type=whole_number(1, "epochs"),
        default=30,
        metavar="N",
        help="passes over the training data (default 30)",
    )
    t.add_argument(
        "--batch-size",
        type=_batch_size,
        default=32,
        metavar="N",
        help="samples per update: 1 = online, 'full' = the whole set (default 32)",
    )
    t.add_argument("--l2", type=parameter("l2"), default=0.0, help="L2 weight decay λ₂ (gradient += λ₂ w)")
    t.add_argument("--l1", type=parameter("l1"), default=0.0, help="L1 weight decay λ₁ (gradient += λ₁ sign w)")
    t.add_argument("--dropout", type=parameter("dropout"), default=0.0, help="dropout probability of the hidden layers")
    t.add_argument("--class-weight", choices=["balanced"], default=None, help="weight samples by 1 / class frequency")
    t.add_argument(
        "--early-stopping",
        type=positive_int,
        default=None,
        metavar="PATIENCE",
        help="stop after PATIENCE epochs without improvement (of val_loss, else loss) and keep the best weights",
    )
    t.add_argument(
        "--seed", type=whole_number(0), default=0, help="seed of the initial weights, shuffling, split and dropout"
    )


def _schedule_options(t) -> None:
    from ..training import schedules

    t.add_argument(
        "--schedule",
        default="constant",
        type=schedules.canonical,
        choices=schedules.SCHEDULES,
        help="the learning rate per epoch (default constant)",
    )
    t.add_argument(
        "--step-size",
        type=positive_int,
        default=10,
        metavar="N",
        help="epochs between decays of the step schedule (default 10)",
    )
    t.add_argument(
        "--gamma",
        type=parameter("gamma"),
        default=0.5,
        help="decay factor of the step schedule: η ← γ·η, in (0, 1] (default 0.5)",
    )
    t.add_argument(
        "--power",
        type=parameter("power"),
        default=0.5,
        help="exponent p ≥ 0 of the invscaling schedule: η_t = η / t^p (default 0.5)",
    )


def _output_options(o) -> None:
    o.add_argument("--save", metavar="FILE", help="write the model (.json, or .npz for large models)")
    o.add_argument(
        "--history", metavar="FILE", help="write the per-epoch loss and metrics as JSON (for chainrule plot)"
    )
    o.add_argument("--checkpoint", metavar="DIR", help="save a checkpoint to DIR after every epoch")
    o.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint DIR")
    o.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh even though --checkpoint DIR holds a checkpoint (it is replaced)",
    )
    o.add_argument(
        "--print-every",
        type=positive_int,
        default=1,
        metavar="N",
        help="print the metrics of every N-th epoch (default 1: every epoch; the first and last always)",
    )
    o.add_argument("--quiet", "-q", action="store_true", help="print only the final score")


def _batch_size(text: str):
    return None if text.strip().lower() in ("full", "all") else positive_int(text)
