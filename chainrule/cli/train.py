"""``chainrule train``: train a network on a dataset, print per-epoch metrics and the held-out score."""

from __future__ import annotations

import sys

from .arguments import one_of, parameter, positive_int, whole_number

SMALL_DATA = 20  # below this many samples nothing is held out by default


def add_parser(sub) -> None:
    from ..core.activations import ACTIVATIONS
    from ..core.init import INITIALISERS
    from ..core.losses import LOSSES
    from ..core.optimizers import OPTIMIZERS
    from ..training import schedules

    p = sub.add_parser(
        "train",
        help="train a network on real data (xor, iris, digits, a CSV or IDX file) and save it",
        description="Train a feedforward network by backpropagation on a dataset, print the loss and "
        "accuracy (or R²) of every epoch and the score on held-out data, and save the model. "
        "Example: chainrule train --data digits --layers 64,64,10 --activation relu "
        "--loss cross_entropy --optimizer adam --epochs 30 --batch-size 32 --save model.json",
    )
    d = p.add_argument_group("data")
    add_data_arguments(d)
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
    n = p.add_argument_group("network")
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
    t = p.add_argument_group("training")
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
    t.add_argument("--gamma", type=float, default=0.5, help="decay factor of the step schedule: η ← γ·η (default 0.5)")
    t.add_argument(
        "--power", type=float, default=0.5, help="exponent p of the invscaling schedule: η_t = η / t^p (default 0.5)"
    )
    t.add_argument(
        "--epochs", type=positive_int, default=30, metavar="N", help="passes over the training data (default 30)"
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
    o = p.add_argument_group("output")
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
    p.set_defaults(run=run)


def add_data_arguments(group, required: bool = True) -> None:
    group.add_argument(
        "--data",
        required=required,
        metavar="NAME|FILE",
        help="xor, seed, iris, digits, wine, breast_cancer, circles, spirals, gaussians, "
        "a CSV file or an IDX images file",
    )
    group.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    group.add_argument("--labels", metavar="FILE", help="the IDX labels file that goes with IDX images")
    group.add_argument(
        "--task",
        default="auto",
        choices=["auto", "classification", "regression"],
        help="what the target is (default: guessed — words or a few whole numbers are classes)",
    )


def run(args) -> int:
    import numpy as np

    from ..data import load_dataset, train_test_split
    from ..errors import ConfigError
    from ..training.model import prepare

    if args.resume and not args.checkpoint:
        raise ConfigError("--resume needs --checkpoint DIR (the folder the checkpoints were written to)")
    if args.resume and args.overwrite:
        raise ConfigError("--resume continues the checkpoint and --overwrite replaces it: give one of them")
    sizes = _sizes(args.layers)
    _check_outputs(args)  # before loading data or training: a bad path must not cost a trained model
    data = load_dataset(args.data, target=args.target, labels=args.labels, task=args.task)
    if sizes[0] != data.X.shape[1]:
        raise ConfigError(
            f"the {data.name} data have {data.X.shape[1]} input feature(s), so --layers must start "
            f"with {data.X.shape[1]}, not {sizes[0]}"
        )
    X, y = data.X, data.y
    X_test = y_test = None
    if args.test_size is None:  # tiny problems (xor's 4 points) need every sample for training
        args.test_size = 0.25 if len(X) >= SMALL_DATA else 0.0
    if args.test_size > 0:
        X, X_test, y, y_test = train_test_split(X, y, args.test_size, args.seed, stratify=data.task == "classification")
    settings = {
        k: v
        for k, v in vars(args).items()
        if k not in ("run", "command", "quiet", "save", "history", "checkpoint", "resume", "overwrite", "print_every")
    }
    model, trainer = prepare(
        X,
        y,
        sizes[1:-1],
        task=data.task,
        activation=args.activation,
        loss=args.loss,
        output_activation=args.output_activation,
        output_size=sizes[-1],
        standardize=args.standardize,
        init=args.init,
        bias=args.bias,
        train_biases=not args.freeze_biases,
        dtype=args.dtype,
        seed=args.seed,
        feature_names=data.feature_names,
        target_name=data.target_name,
        class_weight=args.class_weight,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        momentum=args.momentum,
        schedule=_schedule(args),
        l2=args.l2,
        l1=args.l1,
        dropout=args.dropout,
        validation_split=args.validation_split,
        early_stopping=args.early_stopping,
    )
    model.info.update(
        data=args.data,
        test_size=args.test_size,
        split_seed=args.seed,
        epochs=args.epochs,
        optimizer=trainer.optimizer.config(),
        batch_size=trainer.batch_size,
    )
    if args.checkpoint:
        from ..io.checkpoint import Checkpoint, checkpoint_path, load_checkpoint

        if args.resume and checkpoint_path(args.checkpoint).exists():
            state = load_checkpoint(args.checkpoint, _jsonable(settings), [p.shape for p in trainer.params])
            try:
                trainer.load_state_dict(state)
            except (KeyError, TypeError, ValueError, IndexError) as exc:  # a field the checks above let through
                from ..errors import FileFormatError

                raise FileFormatError(
                    f"{checkpoint_path(args.checkpoint)}: damaged checkpoint ({type(exc).__name__}: {str(exc)[:80]})"
                ) from None
            if not args.quiet:
                print(f"resuming from {checkpoint_path(args.checkpoint)} after epoch {trainer.epoch}")
        trainer.callbacks.append(Checkpoint(args.checkpoint, _jsonable(settings)))
    net = model.network
    if not args.quiet:
        acts = [l.activation.name for l in net.layers]
        val = f" ({len(trainer.X_val)} of them for validation)" if trainer.X_val is not None else ""
        print(
            f"{data.name}: {len(X)} training samples{val}{f', {len(X_test)} held out' if X_test is not None else ''}; "
            f"network {'-'.join(map(str, net.sizes))} ({acts[0]} hidden, {acts[-1]} output), loss {net.loss_fn.name}, "
            f"{trainer.optimizer.name} eta={trainer.optimizer.learning_rate:g}, batch {trainer.batch_size}"
        )
    trainer.callbacks.append(_Report(args.epochs, args.quiet, args.print_every))
    try:
        trainer.run()
    except KeyboardInterrupt:
        if args.checkpoint:
            print(
                f"\nstopped after epoch {trainer.epoch}; continue with the same command and --resume", file=sys.stderr
            )
        raise
    if trainer.early_stopping and trainer.best_epoch >= 0 and not args.quiet:
        print(
            f"kept the weights of epoch {trainer.best_epoch + 1} "
            f"(the best {'val_loss' if trainer.X_val is not None else 'loss'})"
        )
    if X_test is not None:
        scores = model.evaluate(X_test, y_test)
        metric = "accuracy" if model.task == "classification" else "r2"
        model.info["test"] = scores
        print(f"test {metric} {scores[metric]:.4f}, test loss {scores['loss']:.4f} ({len(X_test)} held-out samples)")
    elif model.task == "classification":
        out = model.predict(X)
        why = f"{data.name} has only {len(X)} samples" if len(X) < SMALL_DATA else "--test-size 0"
        print(f"training accuracy {float(np.mean(out == np.asarray(y))):.4f} (no held-out data: {why})")
    _write_outputs(args, model)
    return 0


def _check_outputs(args) -> None:
    """Refuse, before any work, an output that could not be written, and a checkpoint that would be lost."""
    from ..errors import ConfigError
    from ..io.atomic import check_output, check_output_folder

    if args.save:
        _check_model_path(args.save)
        check_output(args.save, "--save")
        from ..core.constraints import n_parameters
        from ..io.model_file import JSON_LIMIT

        sizes = _sizes(args.layers)
        n_params = n_parameters(sizes)
        if args.save.endswith(".json") and n_params > JSON_LIMIT:
            raise ConfigError(
                f"--save {args.save}: a model of {n_params:,} parameters is too large for JSON "
                f"(limit {JSON_LIMIT:,}); save it as .npz"
            )
    check_output(args.history, "--history")
    if args.save and args.history and args.save == args.history:
        raise ConfigError(f"--save and --history both name {args.save}; give them different files")
    if args.checkpoint:
        from ..io.checkpoint import checkpoint_path

        check_output_folder(args.checkpoint, "--checkpoint")
        if checkpoint_path(args.checkpoint).exists() and not (args.resume or args.overwrite):
            raise ConfigError(
                f"--checkpoint {args.checkpoint} already holds a checkpoint: add --resume to continue it, "
                "or --overwrite to start afresh and replace it"
            )


def _write_outputs(args, model) -> None:
    """The model first (it cost the training), then the history; if one write fails, the other is
    still written and the error says what was saved."""
    import json

    from ..errors import ChainruleError
    from ..io.atomic import write_text
    from ..io.model_file import save_model

    saved, failed = [], []
    jobs = [
        ("the model", args.save, lambda: save_model(model, args.save)),
        ("the history", args.history, lambda: write_text(args.history, json.dumps(model.history.to_dict()) + "\n")),
    ]
    for what, path, write in jobs:
        if not path:
            continue
        try:
            write()
        except ChainruleError as exc:
            failed.append(str(exc))
            continue
        saved.append(f"{what} to {path}")
        if not args.quiet and what == "the model":
            print(f"saved the model to {path}")
    if failed:
        kept = f" ({'; '.join(saved)} saved)" if saved else ""
        from ..errors import OutputError

        raise OutputError("; ".join(failed) + kept)


class _Report:
    """A line per epoch (or every ``every``-th) and, on a terminal, a tqdm progress bar."""

    def __init__(self, epochs: int, quiet: bool, every: int = 1):
        self.quiet, self.epochs = quiet, epochs
        self.every = every
        self.bar = None

    def on_train_begin(self, trainer) -> None:
        if self.quiet or not sys.stderr.isatty():
            return
        try:
            from tqdm import tqdm
        except ImportError:  # the progress extra is optional
            return
        self.bar = tqdm(
            total=self.epochs * trainer.n_train,
            initial=trainer.epoch * trainer.n_train,
            unit=" samples",
            unit_scale=True,
            file=sys.stderr,
            leave=False,
            desc=f"epoch {trainer.epoch + 1}",
        )

    def on_batch_end(self, trainer, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if self.bar is not None:
            self.bar.set_description(f"epoch {min(trainer.epoch + 1, self.epochs)}", refresh=False)
        if self.quiet:
            return
        shown = epoch == 0 or (epoch + 1) % self.every == 0 or trainer.epoch == trainer.epochs or trainer.stop_training
        if shown:
            line = f"epoch {epoch + 1:>{len(str(self.epochs))}}/{self.epochs}  " + "  ".join(
                f"{k} {_num(v)}" for k, v in logs.items()
            )
            if self.bar is not None:
                self.bar.write(line, file=sys.stdout)
            else:
                print(line, flush=True)

    def on_train_end(self, trainer) -> None:
        if self.bar is not None:
            self.bar.close()


def _num(v: float) -> str:
    return f"{v:.4f}" if abs(v) < 1e6 else f"{v:.4g}"


def _schedule(args):
    from ..training.schedules import Schedule

    return Schedule(args.schedule, step_size=args.step_size, gamma=args.gamma, power=args.power)


def _sizes(text: str) -> list[int]:
    import re

    from ..errors import ConfigError

    parts = re.split(r"\s*[,-]\s*", text.strip())  # 64,32,10 or 64-32-10; "2,-5" and "3_0" are not sizes
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise ConfigError(f"--layers must be whole numbers separated by commas, such as 64,32,10, not {text!r}")
    sizes = [int(p) for p in parts]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ConfigError(f"--layers needs at least an input and an output size, all positive, not {text!r}")
    return sizes


def _check_model_path(path: str) -> None:
    from ..errors import ConfigError

    if not path.endswith((".json", ".npz")):
        raise ConfigError(f"--save {path}: a model file must end in .json or .npz")


def _jsonable(settings: dict) -> dict:
    import json

    return json.loads(json.dumps(settings))


def _batch_size(text: str):
    return None if text.strip().lower() in ("full", "all") else positive_int(text)
