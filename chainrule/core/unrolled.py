"""Straight-line Python for the online training of tiny networks (the seed's 2-2-2 and its like).

A 2-2-2 update is a few dozen multiplications; done with NumPy it is some 30 calls of about a
microsecond each, most of it call overhead.  For a network this small the fastest honest code is
the update written out — every neuron's net, out and delta as a local float — which is what this
module writes, once per network, from the network's own layers and from the scalar forms each
activation and loss keeps next to its NumPy formula (``Activation.scalar``,
``Loss.scalar_term``, ...).  The equations are those of :meth:`Network.backward`:

    net_k = Σ_j w_kj · out_j + b              out_k = f(net_k)
    delta_o = dE/dout_o · f'(net_o)  (= out_o − t_o when the loss is fused with f)
    dE/dout_h = Σ_o delta_o · w_oh            delta_h = dE/dout_h · f'(net_h)
    w+ = w − η · delta_receiver · out_sender   b+ = b − η · Σ delta (over what shares b)

``source(network)`` shows the code; ``compile_online(network)`` returns it as a function, or
``None`` where it does not apply (float32, softmax, more than ``MAX_WEIGHTS`` weights).  The
results equal the NumPy engine's to rounding (sums may be formed in another order); the tests
compare the two for every activation, loss and bias mode.
"""

from __future__ import annotations

import functools
import math
import re
import textwrap

import numpy as np

MAX_WEIGHTS = 256  # beyond this the written-out code grows long and NumPy catches up


def supports(network) -> bool:
    """Whether ``network`` can be trained by the written-out code."""
    loss = network.loss_fn
    return (
        network.dtype == np.float64
        and network.n_weights <= MAX_WEIGHTS
        and all(layer.activation.scalar and layer.activation.scalar_derivative for layer in network.layers)
        and bool(loss.scalar_term and loss.scalar_gradient)
        and (not network._fused or bool(loss.scalar_fused_term))
    )


def source(network, through_updated: bool = False) -> str:
    """The Python source of ``train(params, x, t, eta, iterations) -> (losses, params)``.

    ``params`` is :func:`flat_parameters`' list; ``x`` and ``t`` one sample's inputs and targets;
    ``losses[i]`` is the loss before update i, as ``Network.train_step`` returns it.

    ``through_updated=True`` writes a known learner's mistake instead (``chainrule check``'s hints):
    each layer is updated as soon as its deltas are known, so the layer below backpropagates
    through the already-updated weights.
    """
    layers = network.layers
    L = len(layers)
    m = network.n_outputs
    inp = [f"i{j + 1}" for j in range(network.n_inputs)]
    outs = [inp] + [[f"out{l + 1}_{k + 1}" for k in range(layer.n_out)] for l, layer in enumerate(layers)]
    nets = [None] + [[f"net{l + 1}_{k + 1}" for k in range(layer.n_out)] for l, layer in enumerate(layers)]
    w = [
        [[f"w{l + 1}_{k + 1}_{j + 1}" for j in range(layer.n_in)] for k in range(layer.n_out)]
        for l, layer in enumerate(layers)
    ]
    b = [_bias_names(l, layer) for l, layer in enumerate(layers)]
    params = [name for l in range(L) for row in w[l] for name in row] + [
        name for names in b for name in set_order(names)
    ]
    tgt = [f"t{k + 1}" for k in range(m)]

    code = ["def train(params, x, t, eta, iterations):"]
    put = code.append
    put(f"    {', '.join(params)}, = params")
    put(f"    {', '.join(inp)}, = x")
    put(f"    {', '.join(tgt)}, = t")
    put("    losses = []")
    put("    record = losses.append")
    put("    for _ in range(iterations):")
    put("        # forward: net = Σ w · out_prev + b, out = f(net)")
    for l, layer in enumerate(layers):
        act = layer.activation
        for k in range(layer.n_out):
            s = " + ".join(f"{w[l][k][j]} * {outs[l][j]}" for j in range(layer.n_in))
            if b[l]:
                s = f"{s} + {b[l][k]}"
            put(f"        {nets[l + 1][k]} = {s}")
            put(f"        {outs[l + 1][k]} = {act.scalar.format(x=nets[l + 1][k])}")
    loss = network.loss_fn
    fused = network._fused
    terms = [
        (loss.scalar_fused_term if fused else loss.scalar_term).format(t=tgt[k], y=outs[L][k], x=nets[L][k], m=m)
        for k in range(m)
    ]
    put(f"        record({' + '.join(f'({s})' for s in terms)})  # E_total = Σ_k E_ok")
    put("        # backward: the output layer's deltas, then each layer below")
    last = layers[-1].activation
    for k in range(m):
        o, n, d = outs[L][k], nets[L][k], f"delta{L}_{k + 1}"
        if fused:
            put(f"        {d} = {o} - {tgt[k]}")
        else:
            put(
                f"        {d} = ({loss.scalar_gradient.format(t=tgt[k], y=o, m=m)}) * "
                f"({last.scalar_derivative.format(x=n, y=o)})"
            )
    for l in range(L - 1, 0, -1):  # delta of layer l's neurons from layer l + 1's, through the old weights
        if through_updated:
            _put_update(put, layers, l, w, b, outs)
        act = layers[l - 1].activation
        for j in range(layers[l].n_in):
            g = " + ".join(f"delta{l + 1}_{k + 1} * {w[l][k][j]}" for k in range(layers[l].n_out))
            put(f"        delta{l}_{j + 1} = ({g}) * ({act.scalar_derivative.format(x=nets[l][j], y=outs[l][j])})")
    put(
        "        # update: w+ = w − η · delta_receiver · out_sender"
        + ("" if through_updated else " (every delta above used the old weights)")
    )
    for l in range(1 if through_updated else L):
        _put_update(put, layers, l, w, b, outs)
    put(f"    return losses, [{', '.join(params)}]")
    return "\n".join(code) + "\n"


def _put_update(put, layers, l, w, b, outs) -> None:
    layer = layers[l]
    for k in range(layer.n_out):
        for j in range(layer.n_in):
            put(f"        {w[l][k][j]} -= eta * (delta{l + 1}_{k + 1} * {outs[l][j]})")
    if layer.train_bias:
        if layer.bias_mode == "shared":
            total = " + ".join(f"delta{l + 1}_{k + 1}" for k in range(layer.n_out))
            put(f"        {b[l][0]} -= eta * ({total})")
        else:
            for k in range(layer.n_out):
                put(f"        {b[l][k]} -= eta * delta{l + 1}_{k + 1}")


def compile_online(network, through_updated: bool = False):
    """The written-out training function for ``network``, or ``None`` if it does not apply.

    Compiled once per kind of network: :func:`source` runs only for a :func:`kind` not seen
    before (writing the source costs ~0.1 ms, about as much as 100 updates of the seed)."""
    if not supports(network):
        return None
    key = (kind(network), through_updated)
    train = _by_kind.get(key)
    if train is None:
        if len(_by_kind) >= 256:  # many kinds (a long hypothesis run): start again rather than grow
            _by_kind.clear()
        train = _by_kind[key] = _compiled(
            source(network, through_updated), f"<chainrule.core.unrolled {network.sizes}>"
        )
    return train


_by_kind: dict = {}  # (kind(network), through_updated) -> the compiled train function


def kind(network) -> tuple:
    """Everything :func:`source` reads from ``network``: two networks of one kind get one source."""
    loss = network.loss_fn
    return (
        network.n_inputs,
        tuple(
            (
                layer.n_in,
                layer.n_out,
                layer.activation.scalar,
                layer.activation.scalar_derivative,
                layer.bias_mode if layer.bias is not None else None,
                layer.train_bias,
            )
            for layer in network.layers
        ),
        loss.scalar_term,
        loss.scalar_fused_term,
        loss.scalar_gradient,
        network._fused,
    )


@functools.lru_cache(maxsize=64)
def _compiled(src: str, filename: str):
    """``src``'s ``train``, compiled once per source; the functions it calls (scalar forms may use
    any of Python's math module, and min, max, abs) bound as closure variables, which Python reads
    faster than globals."""
    names = {  # scalar forms may use any function of Python's math module (exp, tanh, log, cosh, ...)
        **{name: value for name, value in vars(math).items() if not name.startswith("_")},
        "min": min,
        "max": max,
        "abs": abs,
        "TINY": float(np.finfo(np.float64).tiny),
        "EPS": float(np.finfo(np.float64).eps),
    }
    used = sorted(set(re.findall(r"[A-Za-z_]\w*", src)) & names.keys())
    factory = f"def make({', '.join(used)}):\n" + textwrap.indent(src, "    ") + "    return train\n"
    namespace: dict = {}
    exec(compile(factory, filename, "exec"), namespace)
    return namespace["make"](*(names[name] for name in used))


def flat_parameters(network) -> list[float]:
    """Every weight (layer by layer, row by row), then every bias value, as Python floats."""
    values = [v for layer in network.layers for v in layer.weights.ravel().tolist()]
    for layer in network.layers:
        if layer.bias is not None:
            values += layer.bias.tolist()
    return values


def set_flat_parameters(network, values: list[float]) -> None:
    """Write :func:`flat_parameters`' list back into the network's arrays, in place."""
    pos = 0
    for layer in network.layers:
        size = layer.weights.size
        layer.weights[...] = np.reshape(values[pos : pos + size], layer.weights.shape)
        pos += size
    for layer in network.layers:
        if layer.bias is not None:
            size = layer.bias.size
            layer.bias[...] = values[pos : pos + size]
            pos += size


def set_order(names: list[str]) -> list[str]:
    """Distinct names in order (a shared bias is one parameter, written once)."""
    return list(dict.fromkeys(names))


def _bias_names(l: int, layer) -> list[str]:
    if layer.bias is None:
        return []
    if layer.bias_mode == "shared":
        return [f"b{l + 1}"] * layer.n_out
    return [f"b{l + 1}_{k + 1}" for k in range(layer.n_out)]
