"""explain: the JSON and the Markdown explanation of one training step of a 784-32-10 network."""

from __future__ import annotations

SIZES = [784, 32, 10]


def problem():
    import numpy as np

    from chainrule.core.network import Network

    rng = np.random.default_rng(0)
    net = Network(SIZES, ["sigmoid", "softmax"], "cross_entropy", seed=0)
    x = rng.random(SIZES[0])
    t = np.eye(SIZES[-1])[3]
    return net, x, t


def render(fmt: str, detail: str = "auto") -> int:
    """Trace one step and render it; returns the length of the text (so nothing is skipped)."""
    net, x, t = problem()
    from chainrule.api import explain_network

    return len(explain_network(net, format=fmt, x=x, target=t, learning_rate=0.5, detail=detail))
