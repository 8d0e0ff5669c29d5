"""Named values after N online updates (``out_o1@N``, ``E_total@N``, ``w5@N``, ...)."""

from __future__ import annotations

from ...core.network import Network
from ...training.online import train_online
from ..notation.names import Notation

MAX_ITERATIONS = 100_000  # NAME@N is computed by training; beyond this a line is refused, not run for hours


def values_after(network: Network, x, target, learning_rate: float, iterations: set[int]) -> dict[str, float]:
    """Named values after N updates (``out_o1@N``, ``net_h1@N``, ``E_total@N``, ``w5@N``, ...).

    Trains a copy of ``network`` once, up to the largest N asked for, with the same online loop
    as ``chainrule example`` (so both report the same numbers, bit for bit).
    """
    names = Notation(network)
    net = network.copy()
    xs = net.as_inputs(x)
    ts = net.as_targets(target, len(xs))
    values: dict[str, float] = {}
    done = 0
    for n in sorted(iterations):
        if n > done:
            train_online(net, xs, ts, learning_rate, n - done)
            done = n
        fwd = net.forward(xs)
        for l, layer in enumerate(net.layers):
            for j, neuron in enumerate(names.neurons[l]):
                values[f"net_{neuron}@{n}"] = float(fwd.nets[l][0, j])
                values[f"out_{neuron}@{n}"] = float(fwd.outs[l + 1][0, j])
                for s, w in enumerate(names.weights[l][j]):
                    values[f"{w}@{n}"] = float(layer.weights[j, s])
            if names.biases[l] is not None:
                for j, b in enumerate(dict.fromkeys(names.biases[l])):
                    values[f"{b}@{n}"] = float(layer.bias[j])
        terms = net.loss_fn.terms(fwd.output, ts, fwd.nets[-1] if net._fused else None)[0]
        for k, o in enumerate(names.neurons[-1]):
            values[f"E_{o}@{n}"] = float(terms[k])
        values[f"E_total@{n}"] = net.loss(xs, ts)
    return values
