"""The engine's numerical behaviour and its validation of bad input."""

import warnings

import numpy as np
import pytest

from chainrule import ConfigError, ShapeError
from chainrule.core import ACTIVATIONS, Network, get_activation, get_loss
from chainrule.seed import INPUT, TARGET, seed_network


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_are_stable_at_large_net(name):
    act = get_activation(name)
    net = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = act.forward(net)
        d = act.derivative(out, net)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(d))


def test_sigmoid_limits_and_seed_form_of_derivative():
    act = get_activation("sigmoid")
    out = act.forward(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 0.5, 1.0], atol=1e-300)
    assert act.derivative(np.array(0.75), None) == pytest.approx(0.75 * 0.25)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_fused_cross_entropy_stays_finite_when_outputs_saturate(loss):
    act = "sigmoid" if loss == "binary_cross_entropy" else "softmax"
    net = Network([1, 2], act, loss, weights=[[[1000.0], [-1000.0]]], bias="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = net.loss([[1.0]], [[0.0, 1.0]])
        g = net.backward(net.forward([[1.0]]), [[0.0, 1.0]])
    assert np.isfinite(value) and value == pytest.approx(2000.0 if loss == "cross_entropy" else 2000.0, rel=1e-6)
    assert np.all(np.isfinite(g.dW[0]))


def test_float32_and_float64_agree_to_float32_precision():
    rng = np.random.default_rng(1)
    for acts, loss in [
        (["tanh", "softmax"], "cross_entropy"),
        (["relu", "sigmoid"], "binary_cross_entropy"),
        (["sigmoid", "identity"], "mse"),
        (["leaky_relu", "sigmoid"], "half_sse"),
    ]:
        n64 = Network([5, 7, 3], acts, loss, seed=4)
        n32 = n64.astype("float32")
        x = rng.normal(size=(6, 5))
        t = np.eye(3)[rng.integers(0, 3, 6)]
        f64, f32 = n64.forward(x), n32.forward(x)
        assert f32.output.dtype == np.float32
        np.testing.assert_allclose(f32.output, f64.output, rtol=1e-5, atol=1e-6)
        g64, g32 = n64.backward(f64, t), n32.backward(f32, t)
        for a, b in zip(g32.dW, g64.dW):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    s32 = seed_network("float32")
    assert s32.loss(INPUT, TARGET) == pytest.approx(0.298371109, abs=1e-6)


def test_same_seed_same_weights_bit_for_bit():
    a = Network([4, 8, 3], "relu", "cross_entropy", seed=11)
    b = Network([4, 8, 3], "relu", "cross_entropy", seed=11)
    c = Network([4, 8, 3], "relu", "cross_entropy", seed=12)
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not np.array_equal(a.parameters()[0], c.parameters()[0])


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        (dict(sizes=[2]), ConfigError, "at least two layers"),
        (dict(sizes=[2, 0, 1]), ConfigError, "positive whole numbers"),
        (dict(sizes=[2, 2.5, 1]), ConfigError, "positive whole numbers"),
        (dict(sizes="2,2"), ConfigError, "list of layer sizes"),
        (dict(sizes=[100_000, 100_000, 10]), ConfigError, "larger than the limit"),
        (dict(sizes=[2, 2], activation="swish"), ConfigError, "unknown activation"),
        (dict(sizes=[2, 2], loss="hinge"), ConfigError, "unknown loss"),
        (dict(sizes=[2, 2, 2], activation=["tanh"]), ConfigError, "1 entries for 2 layers"),
        (dict(sizes=[2, 2], weights=[[[1, 2, 3], [4, 5, 6]]]), ShapeError, "2x2 matrix"),
        (dict(sizes=[2, 2], weights=[[[1, 2], [4]]]), ShapeError, "ragged"),
        (dict(sizes=[2, 2], weights=[[[1, float("nan")], [4, 5]]]), ShapeError, "finite"),
        (dict(sizes=[2, 2], bias="per_neuron", biases=[[1, 2, 3]]), ShapeError, "bias of layer 1"),
        (dict(sizes=[2, 2], bias="sometimes"), ConfigError, "bias must be one of"),
        (dict(sizes=[2, 2], dtype="float16"), ConfigError, "float64 or float32"),
        (dict(sizes=[2, 2], init="zeros", weights=None), ConfigError, "unknown initialiser"),
    ],
)
def test_bad_networks_raise_one_clear_error(kwargs, error, words):
    with pytest.raises(error, match=words) as info:
        Network(kwargs.pop("sizes"), **kwargs)
    assert "\n" not in str(info.value)


def test_bad_samples_raise_shape_errors():
    net = seed_network()
    with pytest.raises(ShapeError, match="2 column"):
        net.forward([1.0, 2.0, 3.0])
    with pytest.raises(ShapeError, match="finite"):
        net.forward([1.0, float("inf")])
    with pytest.raises(ShapeError, match="targets for"):
        net.backward(net.forward([[1.0, 2.0]]), [[0.0, 1.0], [1.0, 0.0]])


def test_losses_by_alias():
    # issue 12: every loss name means one formula; "sse" is Σ(t − out)², no longer read as half_sse
    assert get_loss("SSE").name == "sse"
    assert get_loss("half-SSE").name == "half_sse"
    assert get_loss("categorical-cross-entropy").name == "cross_entropy"
    assert get_activation("logistic").name == "sigmoid"


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_every_seeded_part_refuses_a_bad_seed(seed):
    from chainrule.data.split import train_test_split
    from chainrule.data.toy2d import circles
    from chainrule.training.loop import Trainer

    with pytest.raises(ConfigError, match="seed must be"):
        Network([2, 2], seed=seed)
    with pytest.raises(ConfigError, match="seed must be"):
        train_test_split(np.zeros((8, 2)), np.arange(8) % 2, 0.25, seed)
    with pytest.raises(ConfigError, match="seed must be"):
        circles(20, 0.1, seed)
    with pytest.raises(ConfigError, match="seed must be"):
        Trainer(Network([2, 1], seed=0), np.zeros((4, 2)), np.zeros((4, 1)), seed=seed)
