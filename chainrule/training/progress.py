"""What a training run tells its user while it trains: a line per epoch, a progress bar, notes.

A ``Report`` is a ``chainrule.training.loop.Callback`` with three more methods that a run
(``chainrule.io.run.TrainingRun``) calls: ``note`` (what it is doing: the data and network,
resuming, the weights kept, the file saved), ``result`` (the final score) and ``stopped`` (Ctrl-C
with a checkpoint to resume from). The base class says nothing; ``Progress`` prints what
``chainrule train`` prints, and ``chainrule train`` is one ``Progress`` away from the Python call.
"""

from __future__ import annotations

import math
import sys

from ..core.constraints import Whole
from .loop import Callback, Trainer

EXPLODED = 10.0  # a run whose loss ends this many times above its start (and over 1 above it) diverged
START_SAMPLES = 1000  # the untrained loss is measured on at most this many training samples


class Report(Callback):
    """A run's silent reporter: every hook does nothing (subclass it to log elsewhere)."""

    def note(self, line: str) -> None:
        """What the run is doing (one line)."""

    def result(self, line: str) -> None:
        """The run's final score (one line)."""

    def stopped(self, epoch: int) -> None:
        """The run was interrupted after ``epoch`` completed epochs, with a checkpoint to resume from."""


class Progress(Report):
    """Print a run's progress: a line per epoch (or every ``every``-th; the first and last always),
    a tqdm progress bar on a terminal, the run's notes and its result.

    A run whose training loss ends far above where it started (more than 10 times, and by more
    than 1) gets a warning on standard error, quiet or not: a short run can end with an exploded
    loss before it turns infinite (which stops training with a ``NumericalError``).

    Parameters
    ----------
    every : int, default 1
        Print the metrics of every ``every``-th epoch.
    quiet : bool, default False
        Print only the result (and the Ctrl-C line): no epoch lines, notes or bar.
    bar : bool or None, default None
        Show a tqdm progress bar on standard error; ``None``: only when standard error is a terminal
        and tqdm is installed (``pip install "chainrule[progress]"``).
    resume_hint : str
        How to continue an interrupted run, ending the Ctrl-C line ``stopped after epoch N; continue
        with ...``.

    Raises
    ------
    ConfigError
        ``every`` is not a whole number of at least 1.

    Examples
    --------
    >>> from chainrule import Progress, TrainingRun
    >>> model = TrainingRun("xor", [2, 4, 2], epochs=3).run(progress=Progress(every=2))
    xor: 4 training samples; network 2-4-2 (relu hidden, softmax output), ...
    epoch 1/3  loss ...  accuracy ...
    epoch 2/3  loss ...  accuracy ...
    epoch 3/3  loss ...  accuracy ...
    training accuracy ... (no held-out data: xor has only 4 samples)
    """

    def __init__(
        self,
        every: int = 1,
        *,
        quiet: bool = False,
        bar: bool | None = None,
        resume_hint: str = "the same call and resume=True",
    ):
        self.every = Whole(1)(every, "every")
        self.quiet, self.want_bar, self.resume_hint = quiet, bar, resume_hint
        self.bar = None
        self.start = math.nan  # the loss before training, for the exploded-loss warning

    # ------------------------------------------------------------------ the run's own lines
    def note(self, line: str) -> None:
        """Print what the run is doing (not when quiet)."""
        if not self.quiet:
            print(line, flush=True)

    def result(self, line: str) -> None:
        """Print the run's final score (also when quiet)."""
        print(line, flush=True)

    def stopped(self, epoch: int) -> None:
        """Say on standard error how far an interrupted run got, and how to continue it."""
        print(f"\nstopped after epoch {epoch}; continue with {self.resume_hint}", file=sys.stderr)

    # ------------------------------------------------------------------ the training loop's hooks
    def on_train_begin(self, trainer: Trainer) -> None:
        """Measure the untrained loss and open the progress bar (on a terminal, when tqdm is installed)."""
        self.start = start_loss(trainer)
        self.bar = None if self.quiet or not self._bar_wanted() else _tqdm_bar(trainer)

    def on_batch_end(self, trainer: Trainer, n: int) -> None:
        """Move the bar by the ``n`` samples of the batch just trained on."""
        if self.bar is not None:
            self.bar.update(n)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict) -> None:
        """Print the epoch's line: its loss and metrics (every ``every``-th epoch, the first and the last)."""
        if self.bar is not None:
            self.bar.set_description(f"epoch {min(trainer.epoch + 1, trainer.epochs)}", refresh=False)
        last = trainer.epoch == trainer.epochs or trainer.stop_training
        if self.quiet or not (epoch == 0 or (epoch + 1) % self.every == 0 or last):
            return
        line = f"epoch {epoch + 1:>{len(str(trainer.epochs))}}/{trainer.epochs}  " + "  ".join(
            f"{k} {_num(v)}" for k, v in logs.items()
        )
        if self.bar is not None:
            self.bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    def on_train_end(self, trainer: Trainer) -> None:
        """Close the bar, and warn when the loss ended far above where it started."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        warning = exploded(trainer, self.start)
        if warning:
            print(f"warning: {warning}", file=sys.stderr, flush=True)

    def _bar_wanted(self) -> bool:
        return sys.stderr.isatty() if self.want_bar is None else bool(self.want_bar)


def start_loss(trainer: Trainer) -> float:
    """The loss of the network as it is before training, on (at most 1,000 of) the training samples."""
    idx = trainer.train_idx[:START_SAMPLES]
    try:
        return float(trainer.network.loss(trainer.X[idx], trainer.T[idx]))
    except (ArithmeticError, ValueError):  # an overflow, a NaN: no reference, no warning
        return math.nan


def exploded(trainer: Trainer, start: float) -> str | None:
    """A warning when the last epoch's loss ended far above ``start`` (end > 10·start and end > start + 1):
    the run diverged without reaching infinity. None when it did not, or nothing is known."""
    losses = trainer.history.series.get("loss") or [math.nan]
    end = losses[-1]
    if not (math.isfinite(start) and math.isfinite(end)) or end <= max(EXPLODED * start, start + 1.0):
        return None
    return (
        f"the training loss ended at {end:.4g}, up from {start:.4g} before training: the run diverged; "
        f"the learning rate ({trainer.base_learning_rate:g}) is probably too high, or the inputs are not scaled"
    )


def _tqdm_bar(trainer: Trainer):
    """A bar over every sample of the run (a resumed run starts where it stopped), or None without tqdm."""
    try:
        from tqdm import tqdm
    except ImportError:  # the progress extra is optional
        return None
    return tqdm(
        total=trainer.epochs * trainer.n_train,
        initial=trainer.epoch * trainer.n_train,
        unit=" samples",
        unit_scale=True,
        file=sys.stderr,
        leave=False,
        desc=f"epoch {trainer.epoch + 1}",
    )


def _num(v: float) -> str:
    return f"{v:.4f}" if abs(v) < 1e6 else f"{v:.4g}"
