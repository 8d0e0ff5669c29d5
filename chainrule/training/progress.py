"""What a training run tells its user while it trains: a line per epoch, a progress bar, notes.

A :class:`Report` is a :class:`~chainrule.training.loop.Callback` with three more methods that a run
(:class:`chainrule.io.run.TrainingRun`) calls: ``note`` (what it is doing: the data and network,
resuming, the weights kept, the file saved), ``result`` (the final score) and ``stopped`` (Ctrl-C
with a checkpoint to resume from). The base class says nothing; :class:`Progress` prints what
``chainrule train`` prints, and ``chainrule train`` is one ``Progress`` away from the Python call.
"""

from __future__ import annotations

import sys

from ..core.constraints import Whole
from .loop import Callback, Trainer


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

    # ------------------------------------------------------------------ the run's own lines
    def note(self, line: str) -> None:
        if not self.quiet:
            print(line, flush=True)

    def result(self, line: str) -> None:
        print(line, flush=True)

    def stopped(self, epoch: int) -> None:
        print(f"\nstopped after epoch {epoch}; continue with {self.resume_hint}", file=sys.stderr)

    # ------------------------------------------------------------------ the training loop's hooks
    def on_train_begin(self, trainer: Trainer) -> None:
        self.bar = None if self.quiet or not self._bar_wanted() else _tqdm_bar(trainer)

    def on_batch_end(self, trainer: Trainer, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict) -> None:
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
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _bar_wanted(self) -> bool:
        return sys.stderr.isatty() if self.want_bar is None else bool(self.want_bar)


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
