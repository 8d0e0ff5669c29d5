"""Training loops on the engine.  The seed's: one sample, the same update repeated."""

from __future__ import annotations

from ..core.constraints import check
from ..core.network import Network


def train_online(network: Network, x, target, learning_rate: float, iterations: int) -> list[float]:
    """Repeat forward, backward and update ``iterations`` times on the same sample(s).

    Returns the loss measured before each update (so ``losses[0]`` is E_total@0).

    A tiny float64 network trained on one sample runs the engine's written-out update
    (:mod:`chainrule.core.unrolled`: the same equations on Python floats, some ten times faster
    than NumPy calls at this size); anything else runs ``Network.train_step``.
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
