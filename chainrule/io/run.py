"""A training run with its files: what ``chainrule train`` does, as one Python call.

    from chainrule import Progress, TrainingRun

    run = TrainingRun("iris", [4, 16, 3], learning_rate=0.01, epochs=40, batch_size=16)
    model = run.run(save="iris.json", history="iris-history.json", checkpoint="iris-run", progress=Progress())

``chainrule train`` parses its options into a ``TrainingRun``, calls ``TrainingRun.run``
with a ``chainrule.training.progress.Progress`` and prints nothing itself, so the command and
the Python call write the same files, byte for byte.

The run lives in ``io`` because it joins training to files (and to ``data``, for the data set and
its held-out part); each piece stays where it was: the model and its trainer are
``training.model.prepare``'s, checkpoints ``checkpoint.py``'s, model files ``model_file.py``'s,
history files ``history_file.py``'s, and what the user sees a ``training.progress.Report``'s.
``TrainingRun.run``, in order:

1. the outputs are checked before any work (a bad path must not cost a trained model): ``resume``
   needs a checkpoint folder and excludes ``overwrite``; ``save`` ends in .json or .npz, a JSON
   model stays under ``model_file.JSON_LIMIT`` parameters; ``save`` and ``history`` are different
   files; a folder already holding a checkpoint is kept unless ``resume`` or ``overwrite`` is given;
2. the data are loaded and a seeded, stratified share is held out for the final score;
3. the model and its trainer are prepared, and ``model.info`` records how (data, split, optimizer);
4. with a checkpoint folder, a checkpoint is resumed (``resume``) and one is written every epoch;
5. the trainer runs; Ctrl-C with a checkpoint says how to continue (``Report.stopped``);
6. the held-out part is scored (``model.info["test"]``);
7. the model is written first (it cost the training), then the history; if one write fails, the
   other is still written and the one error line says what was saved.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import KW_ONLY, dataclass, field, fields

import numpy as np

from ..core.constraints import Whole, check, n_parameters
from ..data.datasets import Dataset, load_dataset
from ..data.split import train_test_split
from ..errors import ChainruleError, ConfigError, OutputError
from ..training.loop import Trainer
from ..training.model import Model, prepare
from ..training.progress import Report
from ..training.schedules import Schedule, canonical
from . import atomic
from .checkpoint import Checkpoint, checkpoint_path, restore
from .history_file import save_history
from .model_file import JSON_LIMIT, save_model

SMALL_DATA = 20  # below this many samples nothing is held out by default


@dataclass
class TrainingRun:
    """A training run: data, network and training settings; `run` trains it and writes its files.

    What ``chainrule train`` does, as one Python call: the same defaults, the same held-out
    score, checkpoints, resuming and safe saving, the same files byte for byte.

    Parameters
    ----------
    data : str, os.PathLike or Dataset
        A data set by name (xor, seed, iris, digits, wine, breast_cancer, circles, spirals,
        gaussians, plane, bumps), a CSV or IDX images file, or a ``chainrule.data.Dataset`` (your
        own arrays: ``Dataset(name, X, y, task)``).
    layers : str or list of int
        Every layer size from inputs to outputs, such as ``[64, 64, 10]`` or ``"64,64,10"``.
    target, labels, task
        For a file: the CSV column to predict, the IDX labels file, and ``"auto"``,
        ``"classification"`` or ``"regression"`` (default: guessed from the target).
    test_size : float or None, default None
        The share held out for the final score, seeded and stratified; None: 0.25, or 0 for data
        of fewer than 20 samples (such as xor); 0: none.
    validation_split : float, default 0
        The share of the training part used for ``val_loss`` each epoch.
    standardize : bool, default True
        Standardise each input column with the training part's mean and standard deviation.
    activation, output_activation, loss, init, bias, dtype
        The network: as `train` takes them (``output_activation`` and ``loss``
        None: chosen for the task).
    freeze_biases : bool, default False
        Never update the biases (the seed's choice).
    optimizer, learning_rate, momentum, epochs, batch_size, l2, l1, dropout, early_stopping, seed
        The training: as the `Trainer` takes them (defaults: adam, its
        own learning rate, 0.9, 30 epochs, 32 samples per update, none, seed 0); ``seed`` also
        seeds the held-out split.
    schedule, step_size, gamma, power
        The learning rate per epoch: constant, step (η·γ^⌊e/step_size⌋) or invscaling
        (η / (1 + e)^power).
    class_weight : "balanced", dict or None
        Weight samples by 1 / class frequency (``"balanced"``) or by class.
    option_names : dict, optional
        How error messages spell the options (``{"save": "--save", ...}`` for the command line);
        default: the parameter names.

    Attributes
    ----------
    sizes : list of int
        The layer sizes, checked.
    model : Model or None
        The model of the last `run` (set before training starts).
    trainer : Trainer or None
        Its trainer (``trainer.epoch``: the epochs completed, also after Ctrl-C).

    Raises
    ------
    ConfigError
        A setting out of range (every limit is the constraint table's), or layer sizes that do
        not fit a data set given by name.

    Examples
    --------
    >>> from chainrule import TrainingRun
    >>> run = TrainingRun("xor", [2, 4, 2], epochs=3)
    >>> run.run().network.sizes
    [2, 4, 2]
    """

    # in the order of ``chainrule train --help``, the order a checkpoint records them in
    data: str | os.PathLike | Dataset
    _: KW_ONLY
    target: str | None = None
    labels: str | None = None
    task: str = "auto"
    test_size: float | None = None
    validation_split: float = 0.0
    standardize: bool = True
    layers: str | list[int] = field(kw_only=False)  # the second positional parameter, after data
    activation: str = "relu"
    output_activation: str | None = None
    loss: str | None = None
    init: str = "auto"
    bias: str = "per_neuron"
    freeze_biases: bool = False
    dtype: str = "float64"
    optimizer: str = "adam"
    learning_rate: float | None = None
    momentum: float = 0.9
    schedule: str = "constant"
    step_size: int = 10
    gamma: float = 0.5
    power: float = 0.5
    epochs: int = 30
    batch_size: int | None = 32
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    class_weight: str | dict | None = None
    early_stopping: int | None = None
    seed: int = 0
    option_names: dict | None = field(default=None, repr=False, compare=False)
    model: Model | None = field(default=None, init=False, repr=False, compare=False)
    trainer: Trainer | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check every setting now (one ConfigError line), before any data are read."""
        self.sizes = layer_sizes(self.layers, self._name("layers"))
        numbers = check(  # every limit: core/constraints.py
            {
                "validation_split": self.validation_split,
                "momentum": self.momentum,
                "epochs": self.epochs,
                "batch_size": self.batch_size,
                "l2": self.l2,
                "l1": self.l1,
                "early_stopping": self.early_stopping,
                "step_size": self.step_size,
                "gamma": self.gamma,
                "power": self.power,
            }
        )
        if self.test_size is not None:
            numbers["test_size"] = check({"test_size": self.test_size})["test_size"]
        if self.learning_rate is not None:
            numbers["learning_rate"] = check({"learning_rate": self.learning_rate})["learning_rate"]
        numbers["seed"] = Whole(0)(self.seed, "seed")  # a whole number: it is recorded in the model file
        numbers["dtype"] = np.dtype(check({"dtype": self.dtype})["dtype"]).name  # its name: "float64"
        for name, value in numbers.items():
            setattr(self, name, value)
        self.schedule = canonical(self.schedule)
        Schedule(self.schedule, self.step_size, self.gamma, self.power)  # refuses a bad schedule now

    # ------------------------------------------------------------------------------ the run
    def run(
        self,
        save=None,
        history=None,
        checkpoint=None,
        *,
        resume: bool = False,
        overwrite: bool = False,
        progress: Report | None = None,
    ) -> Model:
        """Train, score the held-out part and write the files.

        Parameters
        ----------
        save : str or os.PathLike, optional
            Write the model here (``.json``, or ``.npz`` for large models).
        history : str or os.PathLike, optional
            Write the per-epoch loss and metrics here as JSON (for ``chainrule plot``).
        checkpoint : str or os.PathLike, optional
            Write a checkpoint to this folder after every epoch.
        resume : bool, default False
            Continue from the checkpoint in ``checkpoint`` (made with the same settings).
        overwrite : bool, default False
            Start afresh even though ``checkpoint`` holds a checkpoint (it is replaced).
        progress : Report, optional
            What to tell the user: `Progress` prints what ``chainrule train`` prints; default:
            nothing.

        Returns
        -------
        Model
            The trained model (also in ``self.model``), its held-out score in ``model.info["test"]``.

        Raises
        ------
        ConfigError, OutputError
            A setting or an output that cannot work, before any data are read.
        DataError, FileFormatError
            Data that cannot be trained on; a checkpoint made with other settings, or damaged.
        OutputError
            A file that could not be written at the end (the message says what was saved).
        """
        report = Report() if progress is None else progress
        self._check_outputs(save, history, checkpoint, resume, overwrite)  # a bad path must not cost a trained model
        data = self._load()
        share = self._test_share(len(data.X))
        train_part, test_part = self._hold_out(data, share)
        settings = self.settings(test_size=share)
        self.model, self.trainer = self._prepare(data, train_part, settings)
        if checkpoint:
            if resume and restore(self.trainer, checkpoint, settings):
                report.note(f"resuming from {checkpoint_path(checkpoint)} after epoch {self.trainer.epoch}")
            self.trainer.callbacks.append(Checkpoint(checkpoint, settings))
        report.note(self._describe(data, train_part, test_part))
        self.trainer.callbacks.append(report)
        self._train(report, checkpoint)
        self._score(data, train_part, test_part, report)
        _write_outputs(self.model, save, history, report)
        return self.model

    def settings(self, test_size: float | None = None) -> dict:
        """The run's settings as JSON data: what a checkpoint records and a resumed run must match.

        Parameters
        ----------
        test_size : float, optional
            The held-out share once the data are known (``test_size=None`` depends on their size).
        """
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init and f.name != "option_names"}
        values.update(data=self._data_name(), layers=",".join(map(str, self.sizes)))
        if test_size is not None:
            values["test_size"] = test_size
        return _as_json(values)

    # ---------------------------------------------------------------------------- its steps
    def _check_outputs(self, save, history, checkpoint, resume: bool, overwrite: bool) -> None:
        """Refuse, before any work, an output that could not be written, and a checkpoint that would be lost."""
        name = self._name
        if resume and not checkpoint:
            raise ConfigError(
                f"{name('resume')} needs {name('checkpoint')} DIR (the folder the checkpoints were written to)"
            )
        if resume and overwrite:
            raise ConfigError(
                f"{name('resume')} continues the checkpoint and {name('overwrite')} replaces it: give one of them"
            )
        if save:
            _check_model_file(os.fspath(save), self.sizes, name("save"))
        outputs = {name("save"): save, name("history"): history}
        if checkpoint:
            atomic.check_output_folder(checkpoint, name("checkpoint"))
            if os.path.isdir(checkpoint):  # else created later, holding nothing yet
                outputs[name("checkpoint")] = checkpoint_path(checkpoint)
        inputs = {} if isinstance(self.data, Dataset) else {name("data"): self.data, name("labels"): self.labels}
        atomic.check_outputs(outputs, inputs)  # no output is an input or another output, by any spelling
        if checkpoint:
            if checkpoint_path(checkpoint).exists() and not (resume or overwrite):
                raise ConfigError(
                    f"{name('checkpoint')} {checkpoint} already holds a checkpoint: add {name('resume')} to "
                    f"continue it, or {name('overwrite')} to start afresh and replace it"
                )

    def _load(self) -> Dataset:
        data = self.data
        if not isinstance(data, Dataset):
            data = load_dataset(os.fspath(data), target=self.target, labels=self.labels, task=self.task)
        n_features = data.X.shape[1]
        if self.sizes[0] != n_features:
            raise ConfigError(
                f"the {data.name} data have {n_features} input feature(s), so {self._name('layers')} must start "
                f"with {n_features}, not {self.sizes[0]}"
            )
        return data

    def _test_share(self, n_samples: int) -> float:
        if self.test_size is not None:
            return self.test_size
        return 0.25 if n_samples >= SMALL_DATA else 0.0  # tiny problems (xor's 4 points) need every sample

    def _hold_out(self, data: Dataset, share: float):
        """((X, y) to train on, (X, y) held out or None)."""
        if share == 0:
            return (data.X, data.y), None
        X, X_test, y, y_test = held_out_split(data.X, data.y, share, self.seed, data.task)
        return (X, y), (X_test, y_test)

    def _prepare(self, data: Dataset, train_part, settings: dict) -> tuple[Model, Trainer]:
        X, y = train_part
        model, trainer = prepare(
            X,
            y,
            self.sizes[1:-1],
            task=data.task,
            activation=self.activation,
            loss=self.loss,
            output_activation=self.output_activation,
            output_size=self.sizes[-1],
            standardize=self.standardize,
            init=self.init,
            bias=self.bias,
            train_biases=not self.freeze_biases,
            dtype=self.dtype,
            seed=self.seed,
            feature_names=data.feature_names,
            target_name=data.target_name,
            class_weight=self.class_weight,
            epochs=self.epochs,
            batch_size=self.batch_size,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            schedule=Schedule(self.schedule, self.step_size, self.gamma, self.power),
            l2=self.l2,
            l1=self.l1,
            dropout=self.dropout,
            validation_split=self.validation_split,
            early_stopping=self.early_stopping,
        )
        model.info.update(  # what evaluate needs to find the held-out part again, and how it was trained
            data=settings["data"],
            test_size=settings["test_size"],
            split_seed=self.seed,
            epochs=self.epochs,
            optimizer=trainer.optimizer.config(),
            batch_size=trainer.batch_size,
        )
        return model, trainer

    def _describe(self, data: Dataset, train_part, test_part) -> str:
        """One line: the samples, the network, the loss and the optimizer."""
        trainer, net = self.trainer, self.model.network
        acts = [layer.activation.name for layer in net.layers]
        val = f" ({len(trainer.X_val)} of them for validation)" if trainer.X_val is not None else ""
        held = f", {len(test_part[0])} held out" if test_part is not None else ""
        return (
            f"{data.name}: {len(train_part[0])} training samples{val}{held}; "
            f"network {'-'.join(map(str, net.sizes))} ({acts[0]} hidden, {acts[-1]} output), loss {net.loss_fn.name}, "
            f"{trainer.optimizer.name} eta={trainer.optimizer.learning_rate:g}, batch {trainer.batch_size}"
        )

    def _train(self, report: Report, checkpoint) -> None:
        trainer = self.trainer
        try:
            trainer.run()
        except KeyboardInterrupt:
            if checkpoint:
                report.stopped(trainer.epoch)
            raise
        if trainer.early_stopping and trainer.best_epoch >= 0:
            best = "val_loss" if trainer.X_val is not None else "loss"
            report.note(f"kept the weights of epoch {trainer.best_epoch + 1} (the best {best})")

    def _score(self, data: Dataset, train_part, test_part, report: Report) -> None:
        """The held-out score (recorded as ``model.info["test"]``), else a classifier's training accuracy."""
        model = self.model
        if test_part is not None:
            X_test, y_test = test_part
            scores = model.evaluate(X_test, y_test)
            metric = "accuracy" if model.task == "classification" else "r2"
            model.info["test"] = scores
            report.result(
                f"test {metric} {scores[metric]:.4f}, test loss {scores['loss']:.4f} ({len(X_test)} held-out samples)"
            )
        elif model.task == "classification":
            X, y = train_part
            accuracy = float(np.mean(model.predict(X) == np.asarray(y)))
            why = f"{data.name} has only {len(X)} samples" if len(X) < SMALL_DATA else f"{self._name('test_size')} 0"
            report.result(f"training accuracy {accuracy:.4f} (no held-out data: {why})")

    def _name(self, key: str) -> str:
        return (self.option_names or {}).get(key, key)

    def _data_name(self) -> str:
        """The data as the user named them (a Dataset: its name); ``chainrule evaluate --data`` matches it."""
        return self.data.name if isinstance(self.data, Dataset) else os.fspath(self.data)


def held_out_split(X, y, test_size: float, seed: int, task: str):
    """(X_train, X_test, y_train, y_test): the seeded split a run holds out (stratified by class for
    classification); ``chainrule evaluate`` finds the same held-out part with it."""
    return train_test_split(X, y, test_size, seed, stratify=task == "classification")


def layer_sizes(layers, option: str = "layers") -> list[int]:
    """Layer sizes from a list, or from text such as ``64,32,10`` or ``64-32-10`` (``option`` names it in errors)."""
    if not isinstance(layers, str):
        return check({"sizes": layers})["sizes"]
    parts = re.split(r"\s*[,-]\s*", layers.strip())  # "2,-5" and "3_0" are not sizes
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise ConfigError(f"{option} must be whole numbers separated by commas, such as 64,32,10, not {layers!r}")
    if any(len(p) > 12 for p in parts):  # int() refuses 4,300 digits with a ValueError; far past the limits anyway
        raise ConfigError(f"{option}: a layer size of {max(map(len, parts)):,} digits is far too large")
    sizes = [int(p) for p in parts]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ConfigError(f"{option} needs at least an input and an output size, all positive, not {layers!r}")
    return sizes


def _as_json(value):
    """``value`` as JSON would give it back (tuples as lists, keys as text): what a file records."""
    import json

    return json.loads(json.dumps(value))


def _check_model_file(path: str, sizes: list[int], option: str) -> None:
    """A model file's name and size: .json or .npz, and JSON only up to ``JSON_LIMIT`` parameters."""
    if not path.endswith((".json", ".npz")):
        raise ConfigError(f"{option} {path}: a model file must end in .json or .npz")
    atomic.check_output(path, option)
    if os.path.exists(path) and stat.S_ISFIFO(os.stat(path).st_mode):
        raise ConfigError(
            f"{option} {path}: is a named pipe; a model is saved to a file (it is written after training, "
            "when nothing may be reading the pipe)"
        )
    n_params = n_parameters(sizes)
    if path.endswith(".json") and n_params > JSON_LIMIT:
        raise ConfigError(
            f"{option} {path}: a model of {n_params:,} parameters is too large for JSON "
            f"(limit {JSON_LIMIT:,}); save it as .npz"
        )


def _write_outputs(model: Model, save, history, report: Report) -> None:
    """The model first (it cost the training), then the history; if one write fails, the other is
    still written and the error says what was saved."""
    saved, failed = [], []
    jobs = [("the model", save, save_model, model), ("the history", history, _save_history, model)]
    for what, path, write, value in jobs:
        if not path:
            continue
        try:
            write(value, path)
        except ChainruleError as exc:
            failed.append(str(exc))
            continue
        saved.append(f"{what} to {path}")
        if what == "the model":
            report.note(f"saved the model to {path}")
    if failed:
        kept = f" ({'; '.join(saved)} saved)" if saved else ""
        raise OutputError("; ".join(failed) + kept)


def _save_history(model: Model, path) -> None:
    save_history(model.history, path)
