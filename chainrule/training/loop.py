"""The training loop: online, mini-batch and full-batch gradient descent on the engine.

Every update is the engine's own: ``loss, grads = network.gradients(xb, tb, ...)``, then weight
decay is added to the weight gradients (L2: g += λ₂ w, L1: g += λ₁ sign(w); biases are not
decayed) and the optimizer updates ``network.parameters()`` in place.  Plain SGD (no momentum,
no decay) is taken inside the backward pass instead: ``loss = network.descend(xb, tb, η, ...)``.

One epoch: the sample order is shuffled (seeded), the data are cut into batches of
``batch_size`` rows (1 = online, ``None`` = the whole set), each batch is gathered into a reused
buffer (the dataset is never copied per epoch), and the logs of the epoch (``loss`` — the mean
batch loss during the epoch —, ``val_loss``, ``accuracy``, ``val_accuracy``, ``r2``, ...) are
appended to the history.  The same seed gives the same numbers, bit for bit, and a run resumed
from a checkpoint ends with exactly the parameters of an uninterrupted one.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from ..core.constraints import check
from ..core.network import Network
from ..core.optimizers import Optimizer, get_optimizer
from ..core.rng import make_rng
from ..errors import ConfigError, DataError, NumericalError
from .dropout import draw_masks, mask_buffers
from .history import History
from .metrics import METRICS, evaluate
from .schedules import get_schedule


class Callback:
    """Hooks into a run; ``on_epoch_end`` may set ``trainer.stop_training = True``.

    A callback may also define ``on_batch_end(trainer, n_samples)``, called after every update.
    """

    def on_train_begin(self, trainer: Trainer) -> None: ...

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict) -> None: ...

    def on_train_end(self, trainer: Trainer) -> None: ...


class Trainer:
    """Gradient descent on a network: online, mini-batch or full batch, epoch by epoch.

    The training loop behind `fit`, `train` and ``chainrule train``. Its own defaults are the
    textbook loop's, plain SGD for 10 epochs, for a network you built; `train` and
    ``chainrule train`` ask it for Adam and 30 epochs instead.

    Parameters
    ----------
    network : Network
        The network to train, in place.
    X, T : array_like
        Inputs and target output rows, one row per sample.
    epochs : int, default 10
        Passes over the training data.
    batch_size : int or None, default 32
        Samples per update: 1 = online, None = the whole set.
    optimizer : str or Optimizer, default "sgd"
        ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adam"`` (``chainrule.core.optimizers.OPTIMIZERS``)
        or an optimizer instance.
    learning_rate : float, optional
        η; default the optimizer's own (0.001 for Adam, 0.01 for the others).
    momentum : float, default 0.9
        μ, for ``"momentum"`` and ``"nesterov"``.
    schedule : str or Schedule, default "constant"
        The learning rate per epoch (``training/schedules.py``).
    l2, l1 : float, default 0
        Weight decay: g += λ₂ w, g += λ₁ sign(w) (weights only, never biases).
    dropout : float or list of float, default 0
        Dropout probability of the hidden layers (one, or one per hidden layer).
    sample_weight : array_like, optional
        One non-negative weight per sample.
    validation_data : (X, T), optional
        Data for ``val_loss`` and the validation metrics; else ``validation_split``, a seeded share
        of the training data.
    metrics : "auto" or list of str
        Metrics logged each epoch (``"auto"``: the loss's own).
    train_metrics : bool, default True
        Also compute the metrics on the training data each epoch.
    early_stopping : int or None
        Stop after this many epochs without an improvement of ``min_delta`` (of ``val_loss``, else
        ``loss``) and keep the best weights.
    shuffle : bool, default True
        Shuffle the sample order every epoch (seeded).
    seed : int or None, default 0
        Seeds the shuffling, the validation split and dropout.
    callbacks : list of Callback
        Hooks called at the start, after every batch and epoch, and at the end.
    history : History, optional
        Where the epochs' logs go (a Model passes its own).

    Raises
    ------
    ConfigError
        A value outside its range (a learning rate that is not a finite number above 0, a dropout
        of 1, ...) or something that is not a `Network`.
    DataError
        Inputs or targets that are not finite numbers, or do not fit the network.

    See Also
    --------
    fit : the same loop in one call.
    train : a network built for your data, then this loop.

    Examples
    --------
    >>> import chainrule
    >>> from chainrule import Trainer
    >>> net = chainrule.seed_network()
    >>> trainer = Trainer(net, [[0.05, 0.10]], [[0.01, 0.99]], learning_rate=0.5, batch_size=1, epochs=3)
    >>> [round(loss, 9) for loss in trainer.run()["loss"]]  # E_total before each update
    [0.298371109, 0.291027774, 0.283547133]
    """

    def __init__(
        self,
        network: Network,
        X,
        T,
        *,
        epochs: int = 10,
        batch_size: int | None = 32,
        optimizer="sgd",
        learning_rate: float | None = None,
        momentum: float = 0.9,
        schedule="constant",
        l2: float = 0.0,
        l1: float = 0.0,
        dropout=0.0,
        sample_weight=None,
        validation_data=None,
        validation_split: float = 0.0,
        metrics="auto",
        train_metrics: bool = True,
        early_stopping: int | None = None,
        min_delta: float = 0.0,
        shuffle: bool = True,
        seed: int | None = 0,
        callbacks=(),
        history: History | None = None,
    ):
        self.network = _a_network(network)
        c = check(
            {
                "epochs": epochs,
                "batch_size": batch_size,
                "l2": l2,
                "l1": l1,
                "early_stopping": early_stopping,
                "min_delta": min_delta,
                "validation_split": validation_split,
                "shuffle": shuffle,
                "train_metrics": train_metrics,
                "seed": seed,
            }
        )  # every limit: core/constraints.py
        for name in ("epochs", "l2", "l1", "min_delta", "early_stopping", "shuffle", "train_metrics", "seed"):
            setattr(self, name, c[name])
        self.optimizer: Optimizer = get_optimizer(optimizer, learning_rate, momentum=momentum)
        self.base_learning_rate = self.optimizer.learning_rate
        self.schedule = get_schedule(schedule)
        self.callbacks = list(callbacks)
        self.history = history if history is not None else History()
        self.metrics = _metric_names(network, metrics)
        # the data, validated once: finite numbers of the right shapes, in the network's dtype
        self.X, self.T = _check_data(network, X, T, "training")
        self.v = _check_sample_weight(sample_weight, len(self.X), network.dtype)
        self._hold_out(validation_data, c["validation_split"])
        self.batch_size = self.n_train if c["batch_size"] is None else min(c["batch_size"], self.n_train)
        self.dropout = _dropout_per_layer(dropout, len(network.layers) - 1)
        self.rng = make_rng(seed)
        self._start()

    def _start(self) -> None:
        """The state of a run that has not begun (a checkpoint replaces it: ``load_state_dict``)."""
        self.epoch = 0  # epochs completed
        self.stop_training = False
        self.best = math.inf
        self.best_epoch = -1
        self.wait = 0
        self.params = self.network.parameters()
        self.best_params = [p.copy() for p in self.params] if self.early_stopping else None
        self._weight_positions = _weight_positions(self.network)

    def _hold_out(self, validation_data, split: float) -> None:
        """The validation data: given, or a seeded share of the training data (the rest trains)."""
        n = len(self.X)
        indices = np.arange(n)
        self.X_val = self.T_val = None
        if validation_data is not None:
            self.X_val, self.T_val = _check_data(self.network, *validation_data, "validation")
        elif split:
            n_val = int(round(n * split))
            if n_val < 1 or n_val >= n:
                raise ConfigError(f"a validation split of {split} leaves no samples to train or to validate on")
            perm = make_rng(self.seed, 1).permutation(n)
            val_idx, indices = np.sort(perm[:n_val]), np.sort(perm[n_val:])
            self.X_val, self.T_val = self.X[val_idx], self.T[val_idx]
        self.train_idx = indices
        self.n_train = len(indices)

    # ------------------------------------------------------------------------------ the run
    def run(self) -> History:
        """Train for the epochs left (all, or those after a resumed checkpoint).

        Returns
        -------
        History
            One value per epoch for the loss and each metric (``history["loss"]``), and
            ``val_loss`` and the validation metrics with validation data.

        Raises
        ------
        NumericalError
            The loss or a weight became infinite or NaN; the parameters from before that epoch are kept.
        """
        buffers = self._buffers()
        for cb in self.callbacks:
            cb.on_train_begin(self)
        batch_hooks = [cb.on_batch_end for cb in self.callbacks if hasattr(cb, "on_batch_end")]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while self.epoch < self.epochs and not self.stop_training:
                self._epoch(buffers, batch_hooks)
        if self.early_stopping and self.best_epoch >= 0:
            for p, best in zip(self.params, self.best_params):  # restore the best weights
                np.copyto(p, best)
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def _buffers(self) -> SimpleNamespace:
        """The arrays every batch reuses (the dataset is never copied per epoch)."""
        net, bs, n = self.network, self.batch_size, self.n_train
        b = SimpleNamespace(
            order=np.empty(n, dtype=np.intp),
            x=np.empty((bs, net.n_inputs), dtype=net.dtype),
            t=np.empty((bs, net.n_outputs), dtype=net.dtype),
            v=None if self.v is None else np.empty(bs, dtype=net.dtype),
            masks=self._mask_buffers(bs),
            decay=[np.empty_like(self.params[i]) for i in self._weight_positions] if (self.l2 or self.l1) else None,
            last_good=[np.empty_like(p) for p in self.params],
            whole=bs == n,  # full batch: the mean gradient needs no shuffling or gathering
            X=self.X,
            T=self.T,
            sample_weight=self.v,
        )
        if b.whole and n != len(self.X):  # full batch beside a validation part: gather the training part once
            b.X, b.T = self.X[self.train_idx], self.T[self.train_idx]
            b.sample_weight = None if self.v is None else self.v[self.train_idx]
        return b

    def _epoch(self, b: SimpleNamespace, batch_hooks) -> None:
        """One pass: shuffle (seeded), update batch by batch, log, check, and call the callbacks."""
        epoch = self.epoch
        eta = self.optimizer.learning_rate = self.schedule(self.base_learning_rate, epoch)
        for keep, p in zip(b.last_good, self.params):
            np.copyto(keep, p)
        np.copyto(b.order, self.train_idx)
        if self.shuffle:
            self.rng.shuffle(b.order)
        total = self._batches(b, batch_hooks, epoch, eta)
        if not all(np.isfinite(p).all() for p in self.params):
            self._diverged(b.last_good, epoch, eta, "a weight became infinite or NaN")
        logs = self._logs(total)
        if not all(math.isfinite(v) for v in logs.values()):
            self._diverged(b.last_good, epoch, eta, "the loss became infinite or NaN")
        self.history.append(logs)
        self.epoch = epoch + 1
        self._early_stopping(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, logs)

    def _batches(self, b: SimpleNamespace, batch_hooks, epoch: int, eta: float) -> float:
        """Every update of one epoch (w+ = the optimizer's step on dE/dw + decay); Σ batch loss · batch size.

        Plain SGD without weight decay is folded into the backward pass (``Network.descend``: the
        weight gradients are never stored); every other optimizer gets the gradients."""
        net, bs, n = self.network, self.batch_size, self.n_train
        descend = self.optimizer.descent_rate() is not None and b.decay is None
        total = 0.0
        for start in range(0, n, bs):
            if b.whole:
                xb, tb, vb, m = b.X, b.T, b.sample_weight, n
            else:
                idx = b.order[start : start + bs]
                m = len(idx)
                # a full batch goes into the buffers themselves: the same arrays every update, so the
                # engine's bound weight update (Workspace.weight_update) is kept from one to the next
                xb = np.take(self.X, idx, axis=0, out=b.x if m == bs else b.x[:m])
                tb = np.take(self.T, idx, axis=0, out=b.t if m == bs else b.t[:m])
                vb = None if b.v is None else np.take(self.v, idx, axis=0, out=b.v[:m])
            masks = self._draw_masks(b.masks, m)
            if descend:  # w+ = w − η dE/dw, inside the backward pass
                loss = net.descend(xb, tb, self.optimizer.learning_rate, sample_weight=vb, masks=masks)
            else:
                loss, grads = net.gradients(xb, tb, sample_weight=vb, masks=masks)
            if not math.isfinite(loss):
                self._diverged(b.last_good, epoch, eta, f"the loss became {loss}")
            if not descend:
                g = net.gradient_list(grads)
                if b.decay is not None:
                    self._add_weight_decay(g, b.decay)
                self.optimizer.step(self.params, g)
            total += loss * m
            for hook in batch_hooks:  # e.g. a progress bar; only called when a callback has it
                hook(self, m)
        return total

    def _logs(self, total: float) -> dict:
        """The epoch's ``loss`` (the mean batch loss during the epoch), metrics and validation scores."""
        net, n = self.network, self.n_train
        logs = {"loss": total / n}
        if self.metrics and self.train_metrics:
            rows = None if n == len(self.X) else self.train_idx
            logs.update(
                {k: v for k, v in evaluate(net, self.X, self.T, self.metrics, rows=rows).items() if k != "loss"}
            )
        if self.X_val is not None:
            logs.update({f"val_{k}": v for k, v in evaluate(net, self.X_val, self.T_val, self.metrics).items()})
        return logs

    # ---------------------------------------------------------------------------- the pieces
    def _mask_buffers(self, bs: int):
        if not any(self.dropout):
            return None
        return mask_buffers(self.dropout, self.network.sizes[1:-1], bs, self.network.dtype)

    def _draw_masks(self, masks, m: int):
        """Inverted dropout (see :mod:`.dropout`)."""
        return None if masks is None else draw_masks(self.rng, self.dropout, masks, m)

    def _add_weight_decay(self, g, decay) -> None:
        for i, buf in zip(self._weight_positions, decay):
            w = self.params[i]
            if self.l2:  # d(λ₂/2 · Σw²)/dw = λ₂ w
                np.multiply(w, self.l2, out=buf)
                g[i] += buf
            if self.l1:  # d(λ₁ Σ|w|)/dw = λ₁ sign(w)
                np.sign(w, out=buf)
                buf *= self.l1
                g[i] += buf

    def _early_stopping(self, logs: dict) -> None:
        if not self.early_stopping:
            return
        value = logs.get("val_loss", logs["loss"])
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, self.epoch - 1, 0
            for keep, p in zip(self.best_params, self.params):
                np.copyto(keep, p)
        else:
            self.wait += 1
            if self.wait >= self.early_stopping:
                self.stop_training = True

    def _diverged(self, last_good, epoch: int, eta: float, what: str):
        for p, keep in zip(self.params, last_good):
            np.copyto(p, keep)
        raise NumericalError(
            f"training diverged in epoch {epoch + 1}: {what}; the learning rate ({eta:g}) is probably "
            f"too high or the inputs are not scaled (standardise them); the parameters from before "
            f"that epoch were kept"
        )

    # ------------------------------------------------------------------ checkpoints (no pickle)
    def state_dict(self) -> dict:
        """Everything needed to continue this run exactly: parameters, optimizer, RNG, history.

        Returns
        -------
        dict
            Arrays and plain values (what a checkpoint stores; no pickle), for `load_state_dict`.
        """
        return {
            "epoch": self.epoch,
            "params": [p.copy() for p in self.params],
            "optimizer": self.optimizer.state_dict(),
            "rng": self.rng.bit_generator.state,
            "history": self.history.to_dict(),
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "best_params": None if self.best_params is None else [p.copy() for p in self.best_params],
        }

    def load_state_dict(self, state: dict) -> None:
        """Continue from a `state_dict`: parameters, optimizer state, RNG and history restored.

        Raises
        ------
        FileFormatError
            The state's parameters do not fit this trainer's network.
        """
        from ..errors import FileFormatError

        params = state["params"]
        if len(params) != len(self.params) or any(a.shape != p.shape for a, p in zip(params, self.params)):
            raise FileFormatError("the checkpoint's parameters do not fit this network")
        for p, a in zip(self.params, params):
            np.copyto(p, a)
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng.bit_generator.state = state["rng"]
        loaded = History.from_dict(state["history"])
        self.history.unit, self.history.series = loaded.unit, loaded.series  # the model keeps its History object
        self.epoch = int(state["epoch"])
        self.best, self.best_epoch, self.wait = float(state["best"]), int(state["best_epoch"]), int(state["wait"])
        self.stop_training = bool(self.early_stopping and self.wait >= self.early_stopping)  # it had stopped early
        if self.best_params is not None and state.get("best_params") is not None:
            for p, a in zip(self.best_params, state["best_params"]):
                np.copyto(p, a)


def fit(network: Network, X=None, T=None, **options) -> History:
    """Train a network you built, in place, on inputs ``X`` and target output rows ``T``.

    To have a network built for your data (labels or values ``y``, standardised inputs, one-hot
    classes), call `train` instead: ``chainrule.train(X, y, hidden=[16])``. Called that way,
    ``fit`` raises a ``ConfigError`` that says so. Its defaults are the `Trainer`'s, plain SGD for
    10 epochs (`train` and ``chainrule train``: Adam, 30 epochs).

    Parameters
    ----------
    network : Network
        The network to train; its weights change in place.
    X, T : array_like
        The inputs and the target *output rows* (one row of ``n_outputs`` numbers per sample).
    **options
        The `Trainer`'s: ``epochs``, ``batch_size``, ``optimizer``, ``learning_rate``,
        ``momentum``, ``schedule``, ``l2``, ``l1``, ``dropout``, ``sample_weight``,
        ``validation_data`` or ``validation_split``, ``early_stopping``, ``seed``, ``callbacks``.

    Returns
    -------
    History
        The loss (and metrics) of every epoch: ``history["loss"]``.

    Raises
    ------
    ConfigError
        ``network`` is not a `Network` (or ``hidden=`` was given: that is `train`'s call), or an
        option is out of range.
    DataError
        Inputs or targets that are not finite or do not fit the network.
    NumericalError
        Training diverged (the parameters from before that epoch are kept).

    Examples
    --------
    The seed network, trained online on its one sample:

    >>> import chainrule
    >>> net = chainrule.seed_network()
    >>> history = chainrule.fit(net, [[0.05, 0.10]], [[0.01, 0.99]], learning_rate=0.5, batch_size=1, epochs=100)
    >>> round(history["loss"][0], 9), len(history["loss"])
    (0.298371109, 100)
    """
    if not isinstance(network, Network) or "hidden" in options:
        raise ConfigError(
            "fit(network, X, T) trains a Network you built; to build a network for your data and "
            "train it, call chainrule.train(X, y, hidden=[...])"
        )
    if X is None or T is None:
        raise ConfigError("fit(network, X, T) needs the inputs X and the targets T (one row per sample)")
    return Trainer(network, X, T, **options).run()


def _a_network(network) -> Network:
    if not isinstance(network, Network):
        raise ConfigError(
            f"a Trainer trains a Network, not {type(network).__name__}; "
            "chainrule.train(X, y, hidden=[...]) builds one for your data"
        )
    return network


def _metric_names(network: Network, metrics) -> tuple[str, ...]:
    """The metrics to log: the loss's own (``"auto"``), or those named, each one known."""
    names = tuple(network.loss_fn.metrics if metrics == "auto" else metrics or ())
    for m in names:
        if m not in METRICS:
            raise ConfigError(f"unknown metric {m!r}; choose from {', '.join(METRICS)}")
    return names


def _check_data(network: Network, X, T, what: str):
    try:  # straight to the network's dtype: float32 data are never widened to float64
        X = (
            np.asarray(X)
            if isinstance(X, np.ndarray) and X.dtype == network.dtype
            else np.asarray(X, dtype=network.dtype)
        )
        T = (
            np.asarray(T)
            if isinstance(T, np.ndarray) and T.dtype == network.dtype
            else np.asarray(T, dtype=network.dtype)
        )
    except (TypeError, ValueError):
        raise DataError(f"{what} data must be numbers in regular (not ragged) arrays") from None
    if X.ndim == 1:
        X = X.reshape(-1, 1) if network.n_inputs == 1 else X.reshape(1, -1)
    if T.ndim == 1:
        T = T.reshape(-1, 1) if network.n_outputs == 1 else T.reshape(1, -1)
    if X.ndim != 2 or X.shape[1] != network.n_inputs:
        raise DataError(f"{what} inputs have {X.shape[-1]} column(s), the network has {network.n_inputs} input(s)")
    if T.ndim != 2 or T.shape[1] != network.n_outputs:
        raise DataError(f"{what} targets have {T.shape[-1]} column(s), the network has {network.n_outputs} output(s)")
    if len(X) != len(T):
        raise DataError(f"{len(X)} {what} samples but {len(T)} targets")
    if len(X) == 0:
        raise DataError(f"no {what} samples")
    # min and max are finite exactly when every value is (NaN propagates through both), and they
    # need no boolean array the size of the data (47 MB for MNIST's 60,000 x 784 float32)
    if not all(np.isfinite(a.min()) and np.isfinite(a.max()) for a in (X, T)):
        raise DataError(f"{what} data contain a value that is not a finite number (NaN or infinity)")
    return np.ascontiguousarray(X), np.ascontiguousarray(T)


def _weight_positions(network: Network) -> list[int]:
    positions, i = [], 0
    for layer in network.layers:
        positions.append(i)
        i += 2 if layer.train_bias else 1
    return positions


def _check_sample_weight(sample_weight, n: int, dtype):
    if sample_weight is None:
        return None
    v = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if v.shape != (n,) or not np.all(np.isfinite(v)) or np.any(v < 0) or v.sum() <= 0:
        raise DataError(f"sample weights must be {n} finite, non-negative numbers, not all zero")
    return v.astype(dtype)


def _dropout_per_layer(dropout, n_hidden: int) -> list[float]:
    """One dropout probability per hidden layer (never the output layer)."""
    p = list(dropout) if isinstance(dropout, (list, tuple)) else [dropout] * n_hidden
    if len(p) != n_hidden:
        raise ConfigError(f"dropout lists {len(p)} probabilities for {n_hidden} hidden layer(s)")
    return [check({"dropout": q})["dropout"] for q in p]
