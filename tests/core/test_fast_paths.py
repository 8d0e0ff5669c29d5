"""The fast paths give the same numbers as the plain engine.

``Network.gradients`` writes into a reused workspace; ``forward``/``backward`` allocate.  Both run
the same code (``_forward``/``_backward``), so they must agree bit for bit, for every activation,
loss and bias mode, for growing and shrinking batches, with dropout masks and sample weights.
"""

import itertools

import numpy as np
import pytest

from chainrule.core import ACTIVATIONS, LOSSES, Network

BIAS = [("shared", False), ("shared", True), ("per_neuron", True), ("none", False)]
HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]


def _net(hidden, output, loss, bias, train, dtype="float64"):
    return Network([3, 4, 5, 2], [hidden, hidden, output], loss, bias=bias, train_biases=train, seed=7, dtype=dtype)


def _data(rng, n, loss):
    x = rng.normal(size=(n, 3))
    t = np.eye(2)[rng.integers(0, 2, n)] if "entropy" in loss else rng.uniform(0.05, 0.95, (n, 2))
    return x, t


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("bias,train", BIAS)
def test_workspace_gradients_equal_fresh_forward_backward_bit_for_bit(loss, bias, train):
    rng = np.random.default_rng(3)
    for hidden, output in itertools.product(HIDDEN, ["sigmoid", "softmax", "identity"]):
        net = _net(hidden, output, loss, bias, train)
        for n in (5, 9, 2, 9):  # grow, shrink, grow back: views of the reused buffers
            x, t = _data(rng, n, loss)
            want = net.backward(net.forward(x), t)
            _, got = net.gradients(x, t)
            for a, b in zip(net.gradient_list(got), net.gradient_list(want)):
                _same(a, b)
            for a, b in zip(got.delta + got.dout, want.delta + want.dout):
                _same(a, b)


def test_workspace_with_masks_and_sample_weights_and_float32():
    rng = np.random.default_rng(5)
    for dtype in ("float64", "float32"):
        net = _net("relu", "softmax", "cross_entropy", "per_neuron", True, dtype)
        for n in (6, 4):
            x, t = _data(rng, n, "cross_entropy")
            masks = [(rng.random((n, 4)) > 0.3).astype(dtype) * 2, None, None]
            v = rng.uniform(0.5, 2.0, n)
            want = net.backward(net.forward(x, masks), t, sample_weight=v)
            loss, got = net.gradients(x.astype(dtype), t.astype(dtype), sample_weight=v, masks=masks)
            assert np.isfinite(loss)
            for a, b in zip(net.gradient_list(got), net.gradient_list(want)):
                _same(a, b)


def test_forward_and_backward_results_are_never_overwritten_by_gradients():
    rng = np.random.default_rng(8)
    net = _net("tanh", "sigmoid", "half_sse", "per_neuron", True)
    x, t = _data(rng, 4, "half_sse")
    fwd = net.forward(x)
    grads = net.backward(fwd, t)
    kept = [a.copy() for a in fwd.nets + fwd.outs + grads.dW + grads.delta]
    for _ in range(3):
        x2, t2 = _data(rng, 4, "half_sse")
        net.gradients(x2, t2)
    for a, b in zip(fwd.nets + fwd.outs + grads.dW + grads.delta, kept):
        _same(a, b)


def test_copies_do_not_share_a_workspace():
    rng = np.random.default_rng(9)
    net = _net("sigmoid", "sigmoid", "half_sse", "shared", True)
    x, t = _data(rng, 3, "half_sse")
    _, g1 = net.gradients(x, t)
    twin = net.copy()
    _, g2 = twin.gradients(x + 1.0, t)
    assert not any(np.shares_memory(a, b) for a, b in zip(g1.dW, g2.dW))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_write_into_out_exactly_as_they_allocate(name):
    from chainrule.core import get_activation

    act = get_activation(name)
    rng = np.random.default_rng(1)
    net = rng.normal(scale=3.0, size=(4, 5))
    g = rng.normal(size=(4, 5))
    fresh = act.forward(net)
    buf = np.full_like(net, np.nan)
    assert act.forward(net, into=buf) is buf
    _same(buf, fresh)
    d = act.derivative(fresh, net)
    _same(act.derivative(fresh, net, np.full_like(net, np.nan)), d)
    _same(act.backward(fresh, net, g, np.full_like(net, np.nan)), act.backward(fresh, net, g))


# ------------------------------------------------------------------ the written-out online update
from chainrule.core import Activation, get_activation, get_loss, unrolled  # noqa: E402
from chainrule.training import train_online  # noqa: E402


class ToySoftplus(Activation):
    """out = ln(1 + e^net), dout/dnet = 1 − e^(−out): scalar forms written with math.log1p and math.expm1."""

    name = "toy_softplus"
    text = "ln(1 + e^(<x>))"
    latex = r"\ln(1 + e^{<x>})"
    derivative_text = "1 - e^(-<y>)"
    derivative_latex = r"1 - e^{-<y>}"
    scalar = "log1p(exp(-abs({x}))) + max({x}, 0.0)"
    scalar_derivative = "-expm1(-{y})"

    def torch_module(self, nn):
        return nn.Softplus()

    def forward(self, net, into=None):
        return np.add(np.log1p(np.exp(-np.abs(net))), np.maximum(net, 0.0), out=into)

    def derivative(self, out, net, into=None):
        return np.negative(np.expm1(-out), out=into)


@pytest.mark.parametrize("name", HIDDEN)
def test_each_activations_scalar_form_is_its_numpy_formula(name):
    _scalar_forms_are_the_numpy_formulas(get_activation(name))


def test_a_scalar_form_may_use_all_of_math_as_the_written_out_trainer_does():
    """log1p and expm1 are neither exp nor tanh: the forms are read with the trainer's own names."""
    act = ToySoftplus()
    _scalar_forms_are_the_numpy_formulas(act)
    net = Network([3, 4, 2], [act, "sigmoid"], "half_sse", seed=11)
    assert unrolled.compile_online(net) is not None
    twin = net.copy()
    x, t = [[0.3, -1.2, 2.0]], [[0.2, 0.7]]
    fast = train_online(net, x, t, 0.1, 60)
    slow = [twin.train_step(x, t, 0.1) for _ in range(60)]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=0)


def _scalar_forms_are_the_numpy_formulas(act):
    net = np.concatenate([np.linspace(-30, 30, 601), [-800.0, -1e-300, 0.0, 1e-300, 800.0]])
    out = act.forward(net)
    ns = unrolled.SCALAR_NAMESPACE  # the names the written-out trainer binds (core/unrolled.py): one definition
    f = [eval(act.scalar.format(x="x"), {**ns, "x": v}) for v in net.tolist()]
    d = [
        eval(act.scalar_derivative.format(x="x", y="y"), {**ns, "x": v, "y": y})
        for v, y in zip(net.tolist(), out.tolist())
    ]
    np.testing.assert_allclose(f, out, rtol=1e-15, atol=0)
    np.testing.assert_allclose(d, act.derivative(out, net), rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_losses_scalar_form_is_its_numpy_formula(name):

    loss = get_loss(name)
    rng = np.random.default_rng(2)
    net = rng.normal(scale=4, size=(50, 3))
    y = 1 / (1 + np.exp(-net))
    t = rng.uniform(0, 1, size=(50, 3))
    ns = unrolled.SCALAR_NAMESPACE  # the names the written-out trainer binds (core/unrolled.py)

    def ev(src, **v):
        return np.array(
            [
                [eval(src.format(t="t", y="y", x="x", m=3), {**ns, "t": a, "y": b, "x": c}) for a, b, c in zip(*row)]
                for row in zip(v["t"].tolist(), v["y"].tolist(), v["x"].tolist())
            ]
        )

    np.testing.assert_allclose(ev(loss.scalar_term, t=t, y=y, x=net), loss.terms(y, t), rtol=1e-15)
    np.testing.assert_allclose(ev(loss.scalar_gradient, t=t, y=y, x=net), loss.gradient(y, t), rtol=1e-15)
    if loss.scalar_fused_term:
        np.testing.assert_allclose(ev(loss.scalar_fused_term, t=t, y=y, x=net), loss.terms(y, t, net), rtol=1e-14)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("bias,train", BIAS)
def test_written_out_online_training_equals_numpy_train_step(loss, bias, train):
    rng = np.random.default_rng(4)
    for hidden, output in itertools.product(HIDDEN, ["sigmoid", "identity", "tanh"]):
        if loss in ("binary_cross_entropy", "cross_entropy") and output != "sigmoid":
            continue  # these losses need outputs in (0, 1)
        net = Network([3, 4, 2], [hidden, output], loss, bias=bias, train_biases=train, seed=11)
        assert unrolled.supports(net)
        twin = net.copy()
        x = rng.normal(size=(1, 3))
        t = rng.uniform(0.1, 0.9, size=(1, 2))
        fast = train_online(net, x, t, 0.1, 60)
        slow = [twin.train_step(x, t, 0.1) for _ in range(60)]
        assert fast[0] == pytest.approx(slow[0], rel=1e-15)
        # to 1e-12 of the starting loss (where a loss reaches 1e-18, its own last digits are noise)
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12 * slow[0])
        for a, b in zip(
            net.parameters() + [l.bias for l in net.layers if l.bias is not None],
            twin.parameters() + [l.bias for l in twin.layers if l.bias is not None],
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_seed_online_training_written_out_matches_numpy_to_rounding():
    from chainrule import seed

    net, twin = seed.seed_network(), seed.seed_network()
    fast = np.array(train_online(net, seed.INPUT, seed.TARGET, 0.5, 10_000))
    slow = np.array([twin.train_step([seed.INPUT], [seed.TARGET], 0.5) for _ in range(10_000)])
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=0)
    assert fast[0] == slow[0]  # the first loss: the same operations, the same bits
    for a, b in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


def test_written_out_code_declines_what_it_cannot_do():
    assert not unrolled.supports(Network([2, 3, 2], ["sigmoid", "softmax"], "cross_entropy"))
    assert not unrolled.supports(Network([2, 2, 2], dtype="float32"))
    assert not unrolled.supports(Network([20, 20, 2]))
    net = Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=1)
    twin = net.copy()
    losses = train_online(net, [0.3, -0.2], [0.0, 1.0], 0.2, 5)  # falls back to NumPy
    assert losses == [twin.train_step([[0.3, -0.2]], [[0.0, 1.0]], 0.2) for _ in range(5)]


def test_source_shows_the_seed_update_in_the_seed_notation():
    from chainrule import seed

    src = unrolled.source(seed.seed_network())
    assert "net1_1 = w1_1_1 * i1 + w1_1_2 * i2 + b1" in src
    assert "w2_1_1 -= eta * (delta2_1 * out1_1)" in src
    assert "b1 -=" not in src  # the seed's biases are frozen


def test_written_out_code_is_reused_exactly_when_the_source_would_be_the_same():
    """compile_online skips writing the source for a kind of network it has compiled before; a
    network that differs in anything the source reads (sizes, activations, bias mode, frozen
    biases, loss, fused output, the hints' variant) gets its own function."""
    nets = [
        Network(sizes, [hidden, output], loss, bias=bias, train_biases=train, seed=seed)
        for sizes in ([2, 2, 2], [2, 3, 2], [3, 2, 2])
        for hidden in ("sigmoid", "tanh")
        for output, loss in (("sigmoid", "half_sse"), ("sigmoid", "binary_cross_entropy"), ("identity", "mse"))
        for bias, train in (("shared", False), ("shared", True), ("per_neuron", True), ("none", False))
        for seed in (1, 2)
    ]
    for through_updated in (False, True):
        by_source = {}
        for net in nets:
            fn = unrolled.compile_online(net, through_updated)
            assert by_source.setdefault(unrolled.source(net, through_updated), fn) is fn
        assert len(set(map(id, by_source.values()))) == len(by_source) == len(nets) // 2  # seeds share


def test_a_shorter_batch_runs_in_the_first_rows_of_the_kept_workspace():
    """An epoch's short last batch reuses the workspace (views of its first rows) instead of
    rebuilding it, and the next full batch finds the same arrays; a longer batch makes a new one."""
    rng = np.random.default_rng(12)
    net = _net("relu", "softmax", "cross_entropy", "per_neuron", True, "float32")
    x, t = _data(rng, 8, "cross_entropy")
    x, t = x.astype("float32"), t.astype("float32")
    _, full = net.gradients(x, t)
    ws, arrays = net._workspace, list(full.delta)
    _, short = net.gradients(x[:3], t[:3])
    assert net._workspace is ws
    assert all(s.shape[0] == 3 and np.shares_memory(s, a) and s.flags.c_contiguous for s, a in zip(short.delta, arrays))
    want = net.backward(net.forward(x[:3]), t[:3])
    for a, b in zip(net.gradient_list(short), net.gradient_list(want)):
        _same(a, b)
    _, again = net.gradients(x, t)
    assert net._workspace is ws and all(a is b for a, b in zip(again.delta, arrays))
    net.gradients(np.vstack([x, x]), np.vstack([t, t]))
    assert net._workspace is not ws and net._workspace.rows == 16
