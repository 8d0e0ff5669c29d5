"""Training loops on the engine.  The seed's: one sample, the same update repeated."""

from __future__ import annotations

import numpy as np

from ..core.constraints import check
from ..core.network import Network


def train_online(network: Network, x, target, learning_rate: float, iterations: int) -> list[float]:
    """The seed's training loop: forward, backward and update, ``iterations`` times on the same sample(s).

    A tiny float64 network trained on one sample runs the engine's written-out update
    (``chainrule.core.unrolled``: the same equations on Python floats, some ten times faster
    than NumPy calls at this size); anything else runs `Network.train_step`.

    Parameters
    ----------
    network : Network
        The network to train, in place.
    x, target : array_like
        The sample(s) and their target outputs.
    learning_rate : float
        η, a finite number above 0.
    iterations : int
        How many updates.

    Returns
    -------
    list of float
        The loss measured before each update (``losses[0]`` is the untrained E_total).

    Raises
    ------
    ConfigError
        A learning rate that is not a finite number above 0, or ``iterations`` below 1.
    ShapeError
        A sample that does not fit the network.

    Examples
    --------
    >>> import chainrule
    >>> net = chainrule.seed_network()
    >>> losses = chainrule.train_online(net, [0.05, 0.10], [0.01, 0.99], 0.5, 10_000)
    >>> round(losses[0], 9), round(net.loss([0.05, 0.10], [0.01, 0.99]), 10)  # E_total, E_total@10000
    (0.298371109, 3.51019e-05)
    """
    checked = check({"learning_rate": learning_rate, "iterations": iterations})  # one ConfigError line if bad
    learning_rate, iterations = checked["learning_rate"], checked["iterations"]
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    if len(xs) == 1 and iterations > 0:
        from ..core import unrolled

        train = unrolled.compile_online(network)
        if train is not None:
            try:
                losses, params = train(
                    unrolled.flat_parameters(network), xs[0].tolist(), ts[0].tolist(), learning_rate, iterations
                )
            except (OverflowError, ZeroDivisionError, ValueError):
                pass  # a diverging run: let NumPy carry on with infinities and NaN as it does
            else:
                unrolled.set_flat_parameters(network, params)
                return losses
    return [network.train_step(xs, ts, learning_rate) for _ in range(iterations)]


def train_in_turn(network: Network, x, target, learning_rate: float, iterations: int, start: int = 0) -> list[float]:
    """Online training on many samples in turn: update k uses sample (start + k) mod n alone.

    Each update is one sample's forward pass, backward pass and w+ = w − η ∂E/∂w — what a
    ``Trainer`` with batches of one, no shuffling and no regularisation does, one update at a
    time.  Returns the loss of each update's sample before that update.

    A tiny float64 network runs the engine's written-out update (:mod:`chainrule.core.unrolled`,
    the same equations on Python floats, sums possibly in another order); anything else runs
    ``Network.train_step`` on each sample.

    Parameters
    ----------
    network : Network
        Trained in place.
    x, target : array_like
        The samples' inputs and targets, one row per sample.
    learning_rate : float
        η, a finite number above 0.
    iterations : int
        How many updates.
    start : int
        The sample the first update uses.

    Returns
    -------
    list of float
        The loss before each update, on that update's sample.
    """
    checked = check({"learning_rate": learning_rate, "iterations": iterations})  # one ConfigError line if bad
    learning_rate, iterations = checked["learning_rate"], checked["iterations"]
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    n = len(xs)
    if iterations > 0:
        from ..core import unrolled

        train = unrolled.compile_online(network, in_turn=True)
        if train is not None:
            try:
                losses, params = train(
                    unrolled.flat_parameters(network), xs.tolist(), ts.tolist(), learning_rate, iterations, start
                )
            except (OverflowError, ZeroDivisionError, ValueError):
                pass  # a diverging run: let NumPy carry on with infinities and NaN as it does
            else:
                unrolled.set_flat_parameters(network, params)
                return losses
    rows = (start + np.arange(iterations)) % n
    return [network.train_step(xs[k : k + 1], ts[k : k + 1], learning_rate) for k in rows]
