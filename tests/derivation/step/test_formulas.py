"""Every step carries its formula as a computation (``inputs`` and ``compute``): run in order from the
givens they give the engine's own numbers, for every activation, loss, bias mode, depth, softmax and a
full batch; a small network's step traced on Python floats from them (no NumPy) equals the engine's."""

import json
import math
import subprocess
import sys

import pytest

from chainrule import Network, seed
from chainrule.core import ACTIVATIONS, LOSSES
from chainrule.core.activations import Exp
from chainrule.core.losses import Poisson
from chainrule.derivation.step.plain import PlainNetwork
from chainrule.derivation.step.trace import evaluate, trace_batch, trace_scalar, trace_step


def _networks():
    x3, t2, t3 = [0.2, -0.3, 0.5], [0.0, 1.0], [0.0, 1.0, 0.0]
    yield seed.seed_network(), seed.INPUT, seed.TARGET
    for k, act in enumerate(a for a in ACTIVATIONS if ACTIVATIONS[a].elementwise):
        for loss in LOSSES:
            out = "softmax" if loss == "cross_entropy" else "sigmoid"
            yield Network([3, 4, 3], [act, out], loss, seed=k, bias="per_neuron"), x3, t3
    yield Network([3, 4, 3], ["tanh", "softmax"], "mse", seed=2), x3, t3  # softmax, not fused
    yield Network([3, 4, 2, 2], ["tanh", "relu", "sigmoid"], "binary_cross_entropy", seed=3), x3, t2
    yield Network([2, 3, 2], ["leaky_relu", "identity"], "mse", seed=4, train_biases=[True, False]), [0.2, -0.3], t2
    yield Network([2, 3, 1], ["tanh", Exp()], Poisson(), seed=5), [0.2, -0.3], [2.0]


def _differing(steps, values):
    return [
        (s.name, s.value, values[s.name])
        for s in steps
        if not math.isclose(s.value, values[s.name], rel_tol=1e-11, abs_tol=1e-14)
    ]


@pytest.mark.parametrize("k,case", list(enumerate(_networks())), ids=lambda c: str(c) if isinstance(c, int) else "")
def test_the_formulas_give_the_engines_numbers(k, case):
    net, x, t = case
    tr = trace_step(net, x, t, 0.5)
    assert all(s.compute is not None for s in tr.steps if s.section != "after")
    assert not _differing(tr.steps, evaluate(tr.steps, tr.givens))


@pytest.mark.parametrize("combine", ["sum", "mean"])
def test_the_formulas_of_a_full_batch_give_the_engines_numbers(combine):
    net = Network([2, 2, 2], "sigmoid", "half_sse", seed=5, bias="shared")
    tr = trace_batch(net, [[0.1, 0.2], [0.3, -0.1], [0.5, 0.5]], [[0, 1], [1, 0], [0.5, 0.5]], 0.5, combine)
    values = evaluate(tr.steps, tr.givens)
    assert not _differing(tr.steps, values)
    assert tr.step("dE_total/dw5").inputs == ("dE_total/dw5[1]", "dE_total/dw5[2]", "dE_total/dw5[3]")


def test_a_formula_recomputes_a_quantity_from_other_numbers():
    """Fed other numbers (a learner's), the same formulas give what those numbers imply: out_h1 from a
    net_h1 of 0.4 is the sigmoid of 0.4, and everything after it follows."""
    tr = trace_step(seed.seed_network(), seed.INPUT, seed.TARGET, seed.LEARNING_RATE)
    given = {**tr.givens, "net_h1": 0.4}
    steps = [s for s in tr.steps if s.name != "net_h1"]
    values = evaluate(steps, given)
    assert values["out_h1"] == pytest.approx(1 / (1 + math.exp(-0.4)), rel=1e-15)
    assert values["net_o1"] == pytest.approx(0.4 * values["out_h1"] + 0.45 * values["out_h2"] + 0.6, rel=1e-15)
    assert values["out_h2"] == tr.values["out_h2"]  # not downstream of net_h1


def _written_out_networks():
    yield PlainNetwork.from_spec(seed.SPEC), seed.INPUT, seed.TARGET
    for k, (hidden, out, loss) in enumerate(
        [("tanh", "sigmoid", "binary_cross_entropy"), ("relu", "identity", "mse"), ("leaky_relu", "sigmoid", "sse")]
    ):
        net = Network([3, 4, 2], [hidden, out], loss, seed=k, bias="per_neuron" if k % 2 else "shared")
        yield PlainNetwork.from_network(net), [0.2, -0.3, 0.5], [0.0, 1.0]
    yield PlainNetwork.from_network(Network([2, 3, 2, 2], "tanh", "half_mse", seed=7)), [0.5, -1.0], [0.3, 0.1]


@pytest.mark.parametrize("case", list(_written_out_networks()), ids=lambda c: repr(c[0]))
def test_a_small_networks_step_on_python_floats_equals_the_engines(case):
    plain, x, t = case
    assert plain.written_out()
    scalar = trace_scalar(plain, x, t, 0.5)
    layers = [{"weights": layer.weights, "bias": layer.bias} for layer in plain.layers]
    net = Network(
        plain.sizes,
        [layer.activation.name for layer in plain.layers],
        plain.loss_fn.name,
        weights=[layer["weights"] for layer in layers],
        biases=[b["bias"] if plain.layers[l].bias_mode == "per_neuron" else b["bias"][0] for l, b in enumerate(layers)],
        bias=plain.layers[0].bias_mode,
        train_biases=[layer.train_bias for layer in plain.layers],
    )
    engine = trace_step(net, x, t, 0.5)
    assert [s.name for s in scalar.steps] == [s.name for s in engine.steps]
    assert [s.text for s in scalar.steps] == [s.text for s in engine.steps]
    a, b = scalar.values, engine.values
    assert list(a) == list(b)
    assert all(math.isclose(a[k], b[k], rel_tol=1e-12, abs_tol=1e-15) for k in b), [k for k in b if a[k] != b[k]]


def test_the_seeds_step_on_python_floats_loads_no_numpy():
    code = (
        "import sys, json\n"
        "from chainrule import seed\n"
        "from chainrule.derivation.step.plain import PlainNetwork\n"
        "from chainrule.derivation.step.trace import trace_scalar\n"
        "tr = trace_scalar(PlainNetwork.from_spec(seed.SPEC), seed.INPUT, seed.TARGET, seed.LEARNING_RATE)\n"
        "print(json.dumps([tr.values['w5+'], 'numpy' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    w5, numpy_loaded = json.loads(out)
    assert round(w5, 8) == 0.35891648 and not numpy_loaded
