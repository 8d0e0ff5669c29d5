"""Backpropagated gradients equal central finite differences for random networks of every kind."""

import itertools
import zlib

import numpy as np
import pytest

from chainrule.core import Network

ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]
LOSSES = ["half_sse", "mse", "binary_cross_entropy", "cross_entropy"]
BIASES = ["shared", "per_neuron", "none"]


def _targets(rng, loss, n, m):
    if loss == "cross_entropy":
        return np.eye(m)[rng.integers(0, m, n)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, m)).astype(float)
    return rng.normal(size=(n, m))


def _output_activation(loss, rng):
    return {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss) or rng.choice(ACTS)


@pytest.mark.parametrize("loss,bias", list(itertools.product(LOSSES, BIASES)))
def test_gradients_match_finite_differences(loss, bias):
    rng = np.random.default_rng(zlib.crc32(f"{loss}-{bias}".encode()))
    for trial in range(4):
        sizes = [int(s) for s in rng.integers(1, 5, size=rng.integers(2, 5))]
        sizes[-1] = max(sizes[-1], 2)
        hidden = [str(a) for a in rng.choice([a for a in ACTS if a != "softmax"], len(sizes) - 2)]
        acts = hidden + [str(_output_activation(loss, rng))]
        # random (not zero) biases: a ReLU whose inputs are all zero would sit exactly on its kink
        biases = None if bias == "none" else [rng.normal(size=1 if bias == "shared" else m) for m in sizes[1:]]
        net = Network(sizes, acts, loss, biases=biases, bias=bias, train_biases=True, seed=trial)
        n = int(rng.integers(1, 5))
        x = rng.normal(size=(n, sizes[0]))
        t = _targets(rng, loss, n, sizes[-1])
        grads = net.gradient_list(net.backward(net.forward(x), t))
        h = 1e-6
        for p, g in zip(net.parameters(), grads):
            numeric = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                up = net.loss(x, t)
                p[idx] = old - h
                down = net.loss(x, t)
                p[idx] = old
                numeric[idx] = (up - down) / (2 * h)
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7, err_msg=f"{sizes} {acts} {loss} {bias}")


def test_frozen_biases_are_not_parameters_and_do_not_move():
    net = Network([2, 3, 1], "sigmoid", "half_sse", bias="shared", biases=[0.1, 0.2], train_biases=False, seed=0)
    assert len(net.parameters()) == 2
    before = [l.bias.copy() for l in net.layers]
    net.train_step([[0.3, 0.4]], [[1.0]], 0.5)
    for layer, b in zip(net.layers, before):
        np.testing.assert_array_equal(layer.bias, b)


def test_trainable_shared_bias_gradient_is_the_sum_of_deltas():
    net = Network([2, 2, 2], "sigmoid", "half_sse", bias="shared", biases=[0.35, 0.6], train_biases=True, seed=0)
    g = net.backward(net.forward([0.05, 0.1]), [0.01, 0.99])
    assert g.db[1][0] == pytest.approx(g.delta[1].sum(), abs=1e-15)


def test_half_sse_gradient_of_a_perfect_prediction_is_zero():
    net = Network([3, 4, 2], ["tanh", "sigmoid"], "half_sse", seed=3)
    x = np.random.default_rng(0).normal(size=(5, 3))
    g = net.backward(net.forward(x), net.predict(x))
    for dw in g.dW:
        np.testing.assert_array_equal(dw, 0.0)


def test_dropout_masks_and_sample_weights_give_the_gradient_of_what_they_compute():
    """With fixed masks and weights the loss is a smooth function: finite differences apply."""
    rng = np.random.default_rng(5)
    net = Network([3, 5, 4, 2], ["tanh", "sigmoid", "softmax"], "cross_entropy", seed=2)
    x = rng.normal(size=(6, 3))
    t = np.eye(2)[rng.integers(0, 2, 6)]
    v = rng.random(6) + 0.1
    masks = [(rng.random((6, 5)) > 0.3) / 0.7, (rng.random((6, 4)) > 0.5) / 0.5, None]

    def loss():
        fwd = net.forward(x, masks)
        terms = net.loss_fn.terms(fwd.output, t, fwd.nets[-1]).sum(axis=1)
        return float((terms * v).sum() / v.sum())

    grads = net.gradient_list(net.backward(net.forward(x, masks), t, sample_weight=v))
    for p, g in zip(net.parameters(), grads):
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + 1e-6
            up = loss()
            p[idx] = old - 1e-6
            down = loss()
            p[idx] = old
            numeric[idx] = (up - down) / 2e-6
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)
