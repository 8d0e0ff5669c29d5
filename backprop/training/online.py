"""Training loops on the engine.  The seed's: one sample, the same update repeated."""

from __future__ import annotations

from ..core.network import Network


def train_online(network: Network, x, target, learning_rate: float, iterations: int) -> list[float]:
    """Repeat forward, backward and update ``iterations`` times on the same sample(s).

    Returns the loss measured before each update (so ``losses[0]`` is E_total@0).
    """
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    return [network.train_step(xs, ts, learning_rate) for _ in range(iterations)]
