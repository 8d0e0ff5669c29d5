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
import sys
import textwrap

from .deferred import np  # NumPy on first use: writing and running the code needs none

MAX_WEIGHTS = 256  # beyond this the written-out code grows long and NumPy catches up

# What the written-out code may call: the scalar forms (Activation.scalar, Loss.scalar_term, ...) may
# use any function of Python's math module (exp, tanh, log, cosh, ...), min, max, abs, and float64's
# smallest normal number TINY and machine epsilon EPS.
SCALAR_NAMESPACE: dict = {
    **{name: value for name, value in vars(math).items() if not name.startswith("_")},
    "min": min,
    "max": max,
    "abs": abs,
    "TINY": sys.float_info.min,  # np.finfo(np.float64).tiny
    "EPS": sys.float_info.epsilon,  # np.finfo(np.float64).eps
}


def supports(network) -> bool:
    """Whether ``network`` can be trained by the written-out code."""
    return network.dtype == np.float64 and written_out(network)


def written_out(network) -> bool:
    """Whether ``network``'s update can be written out (float64 assumed): at most ``MAX_WEIGHTS``
    weights, and every activation and the loss with their scalar forms."""
    loss = network.loss_fn
    return (
        network.n_weights <= MAX_WEIGHTS
        and all(layer.activation.scalar and layer.activation.scalar_derivative for layer in network.layers)
        and bool(loss.scalar_term and loss.scalar_gradient)
        and (not network._fused or bool(loss.scalar_fused_term))
    )


def source(network, through_updated: bool = False, in_turn: bool = False) -> str:
    """The Python source of ``train(params, x, t, eta, iterations) -> (losses, params)``.

    ``params`` is :func:`flat_parameters`' list; ``x`` and ``t`` one sample's inputs and targets;
    ``losses[i]`` is the loss before update i, as ``Network.train_step`` returns it.

    ``through_updated=True`` writes a known learner's mistake instead (``chainrule check``'s hints):
    each layer is updated as soon as its deltas are known, so the layer below backpropagates
    through the already-updated weights.

    ``in_turn=True`` writes ``train(params, xs, ts, eta, iterations, start)`` instead: online
    training on many samples, update k on sample (start + k) mod n of ``xs`` and ``ts`` (lists of
    each sample's inputs and targets) — the same update, one sample at a time, in turn.
    """
    v = Variables(network)
    if in_turn:
        code = [
            "def train(params, xs, ts, eta, iterations, start):",
            f"    {', '.join(v.params)}, = params",
            "    losses = []",
            "    record = losses.append",
            "    n = len(xs)",
            "    k = start % n",
            "    for _ in range(iterations):",
            f"        {', '.join(v.outs[0])}, = xs[k]  # sample k: (start + update) mod n",
            f"        {', '.join(v.targets)}, = ts[k]",
            "        k = k + 1 if k + 1 < n else 0",
        ]
    else:
        code = [
            "def train(params, x, t, eta, iterations):",
            f"    {', '.join(v.params)}, = params",
            f"    {', '.join(v.outs[0])}, = x",
            f"    {', '.join(v.targets)}, = t",
            "    losses = []",
            "    record = losses.append",
            "    for _ in range(iterations):",
        ]
    code += _forward_lines(network, v)
    code += _backward_lines(network, v, through_updated)
    code.append(
        "        # update: w+ = w − η · delta_receiver · out_sender"
        + ("" if through_updated else " (every delta above used the old weights)")
    )
    for l in range(1 if through_updated else len(network.layers)):
        code += _update_lines(network.layers, l, v)
    code.append(f"    return losses, [{', '.join(v.params)}]")
    return "\n".join(code) + "\n"


class Variables:
    """The written-out code's local names: inputs ``i1..``, per layer l (from 1) and neuron k
    ``net{l}_{k}``, ``out{l}_{k}`` and ``delta{l}_{k}``, weights ``w{l}_{k}_{j}``, biases ``b{l}`` (shared)
    or ``b{l}_{k}``, targets ``t1..``; ``params`` in :func:`flat_parameters`' order."""

    def __init__(self, network):
        layers = network.layers
        self.outs = [[f"i{j + 1}" for j in range(network.n_inputs)]]  # outs[0]: the inputs
        self.outs += [[f"out{l + 1}_{k + 1}" for k in range(layer.n_out)] for l, layer in enumerate(layers)]
        self.nets = [None] + [[f"net{l + 1}_{k + 1}" for k in range(layer.n_out)] for l, layer in enumerate(layers)]
        self.w = [
            [[f"w{l + 1}_{k + 1}_{j + 1}" for j in range(layer.n_in)] for k in range(layer.n_out)]
            for l, layer in enumerate(layers)
        ]
        self.b = [_bias_names(l, layer) for l, layer in enumerate(layers)]
        self.params = [name for rows in self.w for row in rows for name in row]
        self.params += [name for names in self.b for name in set_order(names)]
        self.targets = [f"t{k + 1}" for k in range(network.n_outputs)]


def _forward_lines(network, v: Variables) -> list[str]:
    """net = Σ w · out_prev + b, out = f(net) for every neuron, then E_total = Σ_k E_ok recorded."""
    lines = ["        # forward: net = Σ w · out_prev + b, out = f(net)"]
    for l, layer in enumerate(network.layers):
        for k in range(layer.n_out):
            s = " + ".join(f"{v.w[l][k][j]} * {v.outs[l][j]}" for j in range(layer.n_in))
            if v.b[l]:
                s = f"{s} + {v.b[l][k]}"
            lines.append(f"        {v.nets[l + 1][k]} = {s}")
            lines.append(f"        {v.outs[l + 1][k]} = {layer.activation.scalar.format(x=v.nets[l + 1][k])}")
    loss, L, m = network.loss_fn, len(network.layers), network.n_outputs
    term = loss.scalar_fused_term if network._fused else loss.scalar_term
    terms = [term.format(t=v.targets[k], y=v.outs[L][k], x=v.nets[L][k], m=m) for k in range(m)]
    lines.append(f"        record({' + '.join(f'({s})' for s in terms)})  # E_total = Σ_k E_ok")
    return lines


def _backward_lines(network, v: Variables, through_updated: bool) -> list[str]:
    """delta_o = dE/dout_o · f'(net_o) (out_o − t_o when fused), then layer by layer down
    delta_h = (Σ_o delta_o · w_oh) · f'(net_h) — through the updated weights if ``through_updated``."""
    layers, L, m = network.layers, len(network.layers), network.n_outputs
    lines = ["        # backward: the output layer's deltas, then each layer below"]
    for k in range(m):
        o, n, t, d = v.outs[L][k], v.nets[L][k], v.targets[k], f"delta{L}_{k + 1}"
        if network._fused:
            lines.append(f"        {d} = {o} - {t}")
        else:
            gradient = network.loss_fn.scalar_gradient.format(t=t, y=o, m=m)
            lines.append(f"        {d} = ({gradient}) * ({layers[-1].activation.scalar_derivative.format(x=n, y=o)})")
    for l in range(L - 1, 0, -1):  # delta of layer l's neurons from layer l + 1's, through the old weights
        if through_updated:
            lines += _update_lines(layers, l, v)
        act = layers[l - 1].activation
        for j in range(layers[l].n_in):
            g = " + ".join(f"delta{l + 1}_{k + 1} * {v.w[l][k][j]}" for k in range(layers[l].n_out))
            derivative = act.scalar_derivative.format(x=v.nets[l][j], y=v.outs[l][j])
            lines.append(f"        delta{l}_{j + 1} = ({g}) * ({derivative})")
    return lines


def _update_lines(layers, l: int, v: Variables) -> list[str]:
    """Layer l's w+ = w − η · delta_receiver · out_sender and b+ = b − η · Σ delta (over what shares b)."""
    layer = layers[l]
    lines = [
        f"        {v.w[l][k][j]} -= eta * (delta{l + 1}_{k + 1} * {v.outs[l][j]})"
        for k in range(layer.n_out)
        for j in range(layer.n_in)
    ]
    if layer.train_bias:
        if layer.bias_mode == "shared":
            total = " + ".join(f"delta{l + 1}_{k + 1}" for k in range(layer.n_out))
            lines.append(f"        {v.b[l][0]} -= eta * ({total})")
        else:
            lines += [f"        {v.b[l][k]} -= eta * delta{l + 1}_{k + 1}" for k in range(layer.n_out)]
    return lines


def compile_online(network, through_updated: bool = False, in_turn: bool = False):
    """The written-out training function for ``network``, or ``None`` if it does not apply
    (``in_turn=True``: the one that trains on many samples in turn, see :func:`source`).

    Compiled once per kind of network: :func:`source` runs only for a :func:`kind` not seen
    before (writing the source costs ~0.1 ms, about as much as 100 updates of the seed)."""
    return compiled(network, through_updated, in_turn) if supports(network) else None


def compiled(network, through_updated: bool = False, in_turn: bool = False):
    """The written-out training function for a network :func:`written_out` accepts: a float64 ``Network``,
    or anything with the same ``layers``, ``loss_fn`` and sizes whose numbers are Python floats."""
    key = (kind(network), through_updated, in_turn)
    train = _by_kind.get(key)
    if train is None:
        if len(_by_kind) >= 256:  # many kinds (a long hypothesis run): start again rather than grow
            _by_kind.clear()
        train = _by_kind[key] = _compiled(
            source(network, through_updated, in_turn), f"<chainrule.core.unrolled {network.sizes}>"
        )
    return train


_by_kind: dict = {}  # (kind(network), through_updated, in_turn) -> the compiled train function


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
    """``src``'s ``train``, compiled once per source; the names it calls from ``SCALAR_NAMESPACE``
    bound as closure variables, which Python reads faster than globals."""
    used = sorted(set(re.findall(r"[A-Za-z_]\w*", src)) & SCALAR_NAMESPACE.keys())
    factory = f"def make({', '.join(used)}):\n" + textwrap.indent(src, "    ") + "    return train\n"
    namespace: dict = {}
    exec(compile(factory, filename, "exec"), namespace)
    return namespace["make"](*(SCALAR_NAMESPACE[name] for name in used))


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
