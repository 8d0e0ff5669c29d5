"""The fast paths give the same numbers as the plain engine.

``Network.gradients`` writes into a reused workspace; ``forward``/``backward`` allocate.  Both run
the same code (``_forward``/``_backward``), so they must agree bit for bit, for every activation,
loss and bias mode, for growing and shrinking batches, with dropout masks and sample weights.
"""

import itertools

import numpy as np
import pytest

from backprop.core import ACTIVATIONS, LOSSES, Network

BIAS = [("shared", False), ("shared", True), ("per_neuron", True), ("none", False)]
HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]


def _net(hidden, output, loss, bias, train, dtype="float64"):
    return Network([3, 4, 5, 2], [hidden, hidden, output], loss, bias=bias, train_biases=train,
                   seed=7, dtype=dtype)


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
            for a, b in zip(got.deltas + got.grad_outs, want.deltas + want.grad_outs):
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
    kept = [a.copy() for a in fwd.nets + fwd.outs + grads.weights + grads.deltas]
    for _ in range(3):
        x2, t2 = _data(rng, 4, "half_sse")
        net.gradients(x2, t2)
    for a, b in zip(fwd.nets + fwd.outs + grads.weights + grads.deltas, kept):
        _same(a, b)


def test_copies_do_not_share_a_workspace():
    rng = np.random.default_rng(9)
    net = _net("sigmoid", "sigmoid", "half_sse", "shared", True)
    x, t = _data(rng, 3, "half_sse")
    _, g1 = net.gradients(x, t)
    twin = net.copy()
    _, g2 = twin.gradients(x + 1.0, t)
    assert not any(np.shares_memory(a, b) for a, b in zip(g1.weights, g2.weights))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_write_into_out_exactly_as_they_allocate(name):
    from backprop.core import get_activation

    act = get_activation(name)
    rng = np.random.default_rng(1)
    net = rng.normal(scale=3.0, size=(4, 5))
    g = rng.normal(size=(4, 5))
    fresh = act.forward(net)
    buf = np.full_like(net, np.nan)
    assert act.forward(net, out=buf) is buf
    _same(buf, fresh)
    d = act.derivative(fresh, net)
    _same(act.derivative(fresh, net, np.full_like(net, np.nan)), d)
    _same(act.backward(fresh, net, g, np.full_like(net, np.nan)), act.backward(fresh, net, g))
