"""Named values after N updates: ``NAME@N`` is NAME in the step that starts from the network after N
updates (``out_o1@10000``, ``E_total@1``, ``w5@3``, ``delta_h1@2``, ``out_o1[2]@200``, ``E_total@200``).

The updates are the engine's: for one sample the online loop of ``chainrule example`` (so both report
the same numbers, bit for bit); for a full batch (``"batch": "sum"`` or ``"mean"``) N full-batch
steps, each on every sample.  A small network (one the straight-line trainer writes out) is trained
and traced on Python floats, without NumPy; any other with NumPy.

Only the names asked for are kept, and the work is bounded before any is done: N at most
``MAX_ITERATIONS``; updates × parameters (× samples) at most ``MAX_TRAINING``; the distinct N asked ×
parameters at most ``MAX_RECORDED`` (a forward pass at each), or ``MAX_TRACED`` where a name of the
backward pass is asked at N (a step traced scalar by scalar).  An N past a bound is refused with the
reason, never run for hours or into the memory limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..notation.names import Notation
from .plain import PlainNetwork

MAX_ITERATIONS = 100_000  # NAME@N is computed by training; beyond this a line is refused, not run for hours
MAX_TRAINING = 50_000_000  # updates × parameters (× samples): about a second of training
MAX_RECORDED = 20_000_000  # distinct N × parameters: a forward pass at each N asked
MAX_TRACED = 1_000_000  # distinct N × parameters where a backward-pass name is asked at N


@dataclass
class Run:
    """The training the values belong to: a network before any update, its sample(s), the learning rate,
    and for a full batch how its samples combine (``"sum"``, ``"mean"``; None: online on one sample)."""

    network: object  # a Network, or a PlainNetwork (one sample, written out)
    x: object
    target: object
    learning_rate: float
    batch: str | None = None

    @property
    def n_parameters(self) -> int:
        layers = self.network.layers
        return sum(layer.n_in * layer.n_out + (len(layer.bias) if layer.bias is not None else 0) for layer in layers)

    @property
    def n_samples(self) -> int:
        return len(self.x) if self.batch is not None else 1


def refusal(run: Run, n: int, rank: int, backward: bool) -> str | None:
    """Why NAME@n is not computed (None: it is): ``rank`` is n's place among the distinct N asked, smallest
    first (each costs a forward pass, or a traced step where ``backward``: a backward-pass name is asked)."""
    p = run.n_parameters
    if n > MAX_ITERATIONS:
        return f"values after more than {MAX_ITERATIONS:,} updates are not computed"
    if n * p * run.n_samples > MAX_TRAINING:
        most = MAX_TRAINING // (p * run.n_samples)
        return f"values after more than {most:,} updates of a network of {p:,} parameters are not computed"
    limit = MAX_TRACED if backward and not isinstance(run.network, PlainNetwork) else MAX_RECORDED
    if rank * p > limit:
        return (
            f"too many different numbers of updates for a network of {p:,} parameters: values after "
            f"at most {max(1, limit // p):,} of them{' with a gradient or delta' if limit == MAX_TRACED else ''} "
            "are computed (the smallest numbers first)"
        )
    return None


def values_after(run: Run, wanted: dict[int, set[str]], through_updated: bool = False) -> dict[str, float]:
    """``{"NAME@N": value}`` for each N in ``wanted`` and each NAME in ``wanted[N]`` this network has
    (the caller has checked :func:`refusal`).  ``through_updated=True`` trains instead with a known
    learner's mistake (the hints'): each layer updated as soon as its deltas are known, so the layers
    below backpropagate through already-updated weights (one sample only)."""
    if isinstance(run.network, PlainNetwork):
        try:
            return _after_on_floats(run, wanted, through_updated)
        except (OverflowError, ZeroDivisionError, ValueError):  # a diverging run: NumPy carries on with inf and nan
            run = Run(run.network.to_network(), run.x, run.target, run.learning_rate, run.batch)
    return _after_with_numpy(run, wanted, through_updated)


def _after_on_floats(run: Run, wanted: dict[int, set[str]], through_updated: bool) -> dict[str, float]:
    """A written-out network: trained by core/unrolled.py's code, each N's step traced on Python floats."""
    from ...core import unrolled
    from .trace import trace_scalar, values_with

    train = unrolled.compiled(run.network, through_updated)
    step = trace_scalar(run.network, run.x, run.target, run.learning_rate)  # its formulas, for every N
    params, done, out = run.network.parameters(), 0, {}
    for n in sorted(wanted):
        if n > done:
            _, params = train(params, list(run.x), list(run.target), run.learning_rate, n - done)
            done = n
        values = values_with(step, run.network.with_parameters(params))
        out.update((f"{name}@{n}", values[name]) for name in wanted[n] if name in values)
    return out


def _after_with_numpy(run: Run, wanted: dict[int, set[str]], through_updated: bool) -> dict[str, float]:
    """Any network: trained with the engine, each N's values from a forward pass (or, where a name of the
    backward pass is asked, the step traced)."""
    net = run.network.copy()
    xs = net.as_inputs(run.x)
    ts = net.as_targets(run.target, len(xs))
    names, done, out = Notation(net), 0, {}
    for n in sorted(wanted):
        if n > done:
            _train(net, xs, ts, run, n - done, through_updated)
            done = n
        values = _forward_values(net, xs, ts, names, run.batch)
        if any(name not in values for name in wanted[n]):
            values = _traced(net, xs, ts, run)
        out.update((f"{name}@{n}", values[name]) for name in wanted[n] if name in values)
    return out


def _train(net, xs, ts, run: Run, iterations: int, through_updated: bool) -> None:
    """``iterations`` more updates of ``net``, in place: online (the loop of ``chainrule example``), full
    batch, or the updated-weights mistake."""
    from ...training.online import train_online

    if through_updated:
        _train_through_updated(net, xs, ts, run.learning_rate, iterations)
    elif run.batch is None:
        train_online(net, xs, ts, run.learning_rate, iterations)
    else:
        scale = float(len(xs)) if run.batch == "sum" else 1.0  # the engine's gradient is the mean: × n for a sum
        for _ in range(iterations):
            net.train_step(xs, ts, run.learning_rate * scale)


def _train_through_updated(net, xs, ts, learning_rate: float, iterations: int) -> None:
    """A loop that steps the layers from the output down, each one's gradient backpropagated through the
    already-stepped layers above.  Tiny networks run the engine's written-out code in that order
    (core/unrolled.py); others the engine's NumPy passes."""
    from ...core import unrolled

    train = unrolled.compile_online(net, through_updated=True) if len(xs) == 1 else None
    if train is not None:
        _, params = train(unrolled.flat_parameters(net), xs[0].tolist(), ts[0].tolist(), learning_rate, iterations)
        unrolled.set_flat_parameters(net, params)
        return
    for _ in range(iterations):
        fwd = net.forward(xs)
        for l in range(len(net.layers) - 1, -1, -1):
            g = net.backward(fwd, ts)
            layer = net.layers[l]
            layer.weights -= learning_rate * g.dW[l]
            if layer.train_bias:
                layer.bias -= learning_rate * g.db[l]


def _forward_values(net, xs, ts, names: Notation, batch: str | None) -> dict[str, float]:
    """The network's parameters and one forward pass: net_X, out_X, E_oK and E_total (sample k's as
    NAME[k] in a batch, and the batch's E_total)."""
    values: dict[str, float] = {}
    for l, layer in enumerate(net.layers):
        for row, weights in zip(names.weights[l], layer.weights.tolist()):
            values.update(zip(row, weights))
        if names.biases[l] is not None:
            values.update(zip(dict.fromkeys(names.biases[l]), layer.bias.tolist()))
    fwd = net.forward(xs)
    terms = net.loss_fn.terms(fwd.output, ts, fwd.nets[-1] if net._fused else None)
    suffixes = [""] if batch is None else [f"[{k + 1}]" for k in range(len(xs))]
    for k, suffix in enumerate(suffixes):
        for l in range(len(net.layers)):
            nets, outs = fwd.nets[l][k].tolist(), fwd.outs[l + 1][k].tolist()
            for j, neuron in enumerate(names.neurons[l]):
                values[f"net_{neuron}{suffix}"], values[f"out_{neuron}{suffix}"] = nets[j], outs[j]
        for j, o in enumerate(names.neurons[-1]):
            values[f"E_{o}{suffix}"] = float(terms[k, j])
        values[f"E_total{suffix}"] = float(terms[k].sum())
    if batch is not None:  # the batch's E_total as its step writes it: (Σ_k E_total[k]) / n · scale
        scale = float(len(xs)) if batch == "sum" else 1.0
        values["E_total"] = float(terms.sum(axis=1).sum() / len(xs) * scale)
    else:
        values["E_total"] = net.loss(xs, ts)  # as chainrule example reports it
    return values


def _traced(net, xs, ts, run: Run) -> dict[str, float]:
    """Every named value of the step that starts from ``net``."""
    from .trace import trace_batch, trace_step

    if run.batch is not None:
        return trace_batch(net, xs, ts, run.learning_rate, run.batch).values
    return trace_step(net, xs, ts, run.learning_rate).values


_FORWARD = ("net_", "out_", "E_")  # names a forward pass gives (with the parameters)


def _backward(name: str) -> bool:
    """Whether a name is one of the backward pass (a derivative, a delta, an update), not of the forward."""
    import re

    return not (
        name.startswith(_FORWARD) or name == "E_total" or re.fullmatch(r"(?:w\d+|b\d+|b_\w+)(?:\[\d+\])?", name)
    )


class AfterValues:
    """The values after N updates a sheet asks for (``wanted``: N → the names asked at N), each N checked
    against the bounds first (:func:`refusal`); with them, where the bounds allow, the same names after
    N − 1 and N + 1 updates (for the hints: an iteration count off by one)."""

    def __init__(self, run: Run, wanted: dict[int, set[str]]):
        self.run, self.wanted = run, wanted
        backward = {n: any(_backward(name) for name in names) for n, names in wanted.items()}
        ranks = {n: k for k, n in enumerate(sorted(wanted), start=1)}
        self.refused = {n: why for n in wanted if (why := refusal(run, n, ranks[n], backward[n]))}
        asked = {n: names for n, names in wanted.items() if n not in self.refused}
        near = {k: set(asked[n]) for n in asked for k in (n - 1, n + 1) if k >= 0 and k not in asked}
        both = {**near, **asked}
        if near and any(refusal(run, n, k, backward.get(n, True)) for k, n in enumerate(sorted(both), start=1)):
            both = asked  # the neighbours only where they cost nothing more than the bounds allow
        self.values = values_after(run, both) if both else {}

    def get(self, name: str, n: int) -> float | None:
        """``name@n``'s value, None where it was not asked for, is refused or does not exist."""
        return self.values.get(f"{name}@{n}")
