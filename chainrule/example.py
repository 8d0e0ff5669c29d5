"""The seed example end to end: one step explained, then N iterations of training."""

from __future__ import annotations

from dataclasses import dataclass

from . import seed
from .derivation.step.trace import Trace, trace_step
from .errors import ConfigError
from .training import train_online
from .training.history import History


@dataclass
class Example:
    trace: Trace  # the first step, every quantity named
    iterations: int
    final: dict[str, float]  # E_total@N, out_o1@N, out_o2@N
    losses: list[float]  # E_total@0 .. E_total@N: the history of the training

    @property
    def values(self) -> dict[str, float]:
        return {**self.trace.values, **self.final}

    @property
    def history(self) -> History:
        """The total error before each update and after the last, per iteration (for ``chainrule plot``)."""
        return History("iteration", {"loss": self.losses})


def run_example(iterations: int = seed.ITERATIONS, dtype: str = "float64") -> Example:
    """The worked example, as ``chainrule example`` prints it: the first update in full, then
    ``iterations`` updates in all.

    Parameters
    ----------
    iterations : int, default 10000
        How many online updates to run on the seed's one sample.
    dtype : {"float64", "float32"}, default "float64"
        The precision of the engine.

    Returns
    -------
    Example
        ``values`` (every named number of the first update, as `trace_step` names them, and the
        ``@N`` values after ``iterations`` updates), ``final`` (those ``@N`` values), ``losses``
        (E_total before each update, and after the last) and ``trace``.

    Raises
    ------
    ConfigError
        ``iterations`` is not a whole number of at least 1.

    Examples
    --------
    >>> import chainrule
    >>> run = chainrule.run_example(iterations=10_000)
    >>> round(run.values["w5+"], 9), round(run.values["E_total@1"], 9)
    (0.35891648, 0.291027774)
    >>> round(run.final["E_total@10000"], 10)
    3.51019e-05
    """
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ConfigError(f"iterations must be a whole number of at least 1, not {iterations!r}")
    network = seed.seed_network(dtype)
    trace = trace_step(network, seed.INPUT, seed.TARGET, seed.LEARNING_RATE)
    trained = network.copy()
    losses = train_online(trained, seed.INPUT, seed.TARGET, seed.LEARNING_RATE, iterations)
    losses.append(trained.loss(seed.INPUT, seed.TARGET))
    out = trained.predict(seed.INPUT)[0]
    n = iterations
    final = {
        f"E_total@{n}": losses[-1],
        f"out_o1@{n}": float(out[0]),
        f"out_o2@{n}": float(out[1]),
    }
    return Example(trace, iterations, final, losses)
