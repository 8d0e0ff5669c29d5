"""PyTorch as an independent oracle: the same network in both gives the same outputs and gradients.

Random networks with every activation, every loss and every bias mode (and dropout masks and
sample weights) — to 1e-12 in float64.  Plus to_torch / from_torch round trips.
"""

import itertools
import zlib

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("torch", "PyTorch is the independent oracle")

import torch

from chainrule import Network
from chainrule.errors import ConfigError
from chainrule.interop.torch import from_torch, to_torch, torch_loss

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
# each loss with the output activations it is used with
OUTPUTS = {
    "half_sse": ["sigmoid", "identity", "tanh"],
    "sse": ["sigmoid"],
    "mse": ["identity", "relu"],
    "binary_cross_entropy": ["sigmoid"],
    "cross_entropy": ["softmax"],
}
CASES = [
    (h, o, loss, bias)
    for h in HIDDEN
    for loss, outs in OUTPUTS.items()
    for o in outs
    for bias in ("per_neuron", "shared", "none")
]


def _targets(rng, loss, n, m):
    if loss == "cross_entropy":
        return np.eye(m)[rng.integers(0, m, n)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, m)).astype(float)
    return rng.normal(size=(n, m))


def _torch_grads(net, module, x, t, sample_weight=None, masks=None):
    """Run the torch module layer by layer (applying our dropout masks to each layer's output)."""
    out = torch.from_numpy(x)
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    mods = list(module)
    layer = -1
    for i, m in enumerate(mods):
        out = m(out)
        last_of_layer = i + 1 == len(mods) or isinstance(mods[i + 1], torch.nn.Linear)
        if isinstance(m, torch.nn.Linear):
            layer += 1
        if last_of_layer and masks is not None and masks[layer] is not None:
            out = out * torch.from_numpy(masks[layer])
    v = None if sample_weight is None else torch.from_numpy(sample_weight)
    loss = torch_loss(net)(out, torch.from_numpy(t), v)
    loss.backward()
    return loss.item(), out.detach().numpy(), linears


@pytest.mark.parametrize("hidden,output,loss,bias", CASES)
def test_same_outputs_and_gradients_as_pytorch(hidden, output, loss, bias):
    seed = zlib.crc32(f"{hidden}-{output}-{loss}-{bias}".encode())
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(1, 5)), int(rng.integers(2, 6)), int(rng.integers(2, 5)), int(rng.integers(1, 4))]
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    net = Network(sizes, [hidden, hidden, output], loss, bias=bias, train_biases=[True, False, True], seed=seed)
    for layer in net.layers:  # biases away from zero, so that a bias mistake shows
        if layer.bias is not None:
            layer.bias[:] = rng.normal(size=layer.bias.shape)
    n = 7
    x = rng.normal(size=(n, sizes[0]))
    t = _targets(rng, loss, n, sizes[-1])
    module = to_torch(net, allow_shared_training=True)
    ours_loss, g = net.gradients(x, t)
    theirs_loss, out, linears = _torch_grads(net, module, x, t)
    np.testing.assert_allclose(net.predict(x), out, rtol=0, atol=1e-12)
    # the loss itself to 1e-10: torch's log(1 − out) loses digits where out is near 1 (we compute it from net)
    assert abs(ours_loss - theirs_loss) <= 1e-10 * max(1.0, abs(theirs_loss))
    for l, (layer, lin) in enumerate(zip(net.layers, linears)):
        np.testing.assert_allclose(g.dW[l], lin.weight.grad.numpy(), rtol=0, atol=1e-12)
        if layer.bias is None:
            assert lin.bias is None
        elif layer.train_bias:
            expected = lin.bias.grad.numpy()
            if bias == "shared":  # one number shared by the layer: its gradient is the sum
                expected = expected.sum(keepdims=True)
            np.testing.assert_allclose(g.db[l], expected, rtol=0, atol=1e-12)
        else:
            assert not lin.bias.requires_grad


@pytest.mark.parametrize("hidden,loss", list(itertools.product(["tanh", "relu"], ["mse", "cross_entropy"])))
def test_dropout_masks_and_sample_weights_match_pytorch(hidden, loss):
    rng = np.random.default_rng(7)
    out_act = "softmax" if loss == "cross_entropy" else "identity"
    net = Network([3, 6, 5, 3], [hidden, hidden, out_act], loss, seed=2)
    n = 9
    x, t = rng.normal(size=(n, 3)), _targets(rng, loss, n, 3)
    masks = [(rng.random((n, 6)) >= 0.3) / 0.7, (rng.random((n, 5)) >= 0.5) / 0.5, None]
    v = rng.random(n) + 0.1
    module = to_torch(net)
    ours_loss, g = net.gradients(x, t, sample_weight=v, masks=masks)
    theirs_loss, _, linears = _torch_grads(net, module, x, t, sample_weight=v, masks=masks)
    assert abs(ours_loss - theirs_loss) <= 1e-12
    for l, lin in enumerate(linears):
        np.testing.assert_allclose(g.dW[l], lin.weight.grad.numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(g.db[l], lin.bias.grad.numpy(), rtol=0, atol=1e-12)


def test_from_torch_reads_the_weights_back():
    net = Network([4, 3, 2], ["leaky_relu", "softmax"], "cross_entropy", seed=1)
    back = from_torch(to_torch(net), loss="cross_entropy")
    for p, q in zip(net.parameters(), back.parameters()):
        assert np.array_equal(p, q)
    x = np.random.default_rng(0).normal(size=(5, 4))
    assert np.array_equal(back.predict(x), net.predict(x))


def test_a_torch_trained_module_comes_back():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    net = from_torch(module, loss="mse")
    x = torch.randn(6, 2, dtype=torch.float64)
    np.testing.assert_allclose(net.predict(x.numpy()), module(x).detach().numpy(), rtol=0, atol=1e-12)
    assert [l.activation.name for l in net.layers] == ["tanh", "identity"]


def test_shared_biases_are_frozen_in_torch_and_read_back_when_equal():
    net = Network([2, 2, 2], "sigmoid", "half_sse", bias="shared", biases=[0.35, 0.6], train_biases=True)
    module = to_torch(net)
    assert not module[0].bias.requires_grad and module[0].bias.tolist() == [0.35, 0.35]
    back = from_torch(module, bias="shared")
    assert back.layers[0].bias.tolist() == [0.35] and back.layers[0].bias_mode == "shared"
    with torch.no_grad():
        module[0].bias[1] = 0.0
    with pytest.raises(ConfigError, match="differ"):
        from_torch(module, bias="shared")


def test_unsupported_modules_are_config_errors():
    with pytest.raises(ConfigError, match="unsupported"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()))
    with pytest.raises(ConfigError, match="slope"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2)))
