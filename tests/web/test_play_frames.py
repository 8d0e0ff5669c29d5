"""The page's Play on a dataset, frame by frame: the numbers the engine's steps in turn give
(issue 23, item 6: fast enough for 20 frames a second) are the numbers a Trainer gives on the same
points in the same order, bit for bit, and PyTorch's SGD to 1e-12."""

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("fastapi", "the page's server")

from chainrule.training.loop import Trainer
from chainrule.web.dataset_sessions import create_dataset_session
from chainrule.web.schemas import DatasetRequest
from chainrule.web.sessions import SessionStore

FRAMES = (1000, 333, 1000, 1)  # Play at "1000 / frame", then frames of other lengths


def _session(**request):
    _, session = create_dataset_session(SessionStore(), DatasetRequest(**request))
    return session.model


def _trainer_frames(net, x, t, eta, b, frames):
    """The reference, as the page trained before its steps in turn: a Trainer per frame (plain SGD,
    no shuffling) on the frame's points, update k of the run on points (k·b + j) mod n."""
    done = 0
    for steps in frames:
        rows = (done * b + np.arange(steps * b)) % len(x)
        Trainer(net, x[rows], t[rows], epochs=1, batch_size=b, learning_rate=eta, shuffle=False, metrics=()).run()
        done += steps


@pytest.mark.parametrize(
    "request_",
    [
        {"name": "spirals"},  # 2-8-8-1, batches of 10 of 200 points: the page's slow case
        {"name": "spirals", "batch_size": 7},  # batches that wrap round the points' end
        {"name": "bumps"},  # regression: identity output, ½·squared error
        {"name": "circles", "batch_size": 3, "test_fraction": 0.25},
    ],
    ids=lambda r: "-".join(f"{v}" for v in r.values()),
)
def test_play_frames_give_the_trainers_bits(request_):
    model = _session(**request_)
    b, start = model.batch_size(), model.network.copy()
    frames = [min(steps, model.max_steps()) for steps in FRAMES]
    for steps in frames:
        model.train(steps)
    assert model.iteration == sum(frames) and b > 1
    _trainer_frames(start, model.inputs, model.targets, model.learning_rate, b, frames)
    for got, want in zip(model.network.parameters(), start.parameters()):
        np.testing.assert_array_equal(got, want)
    assert model.curve[-1][1] == float(f"{start.loss(model.inputs, model.targets):.9g}")


def test_play_frames_match_pytorchs_sgd():
    need("torch", "PyTorch is the independent oracle")
    import torch

    from chainrule.interop.torch import to_torch, torch_loss

    model = _session(name="spirals")
    module, loss_of = to_torch(model.network), torch_loss(model.network)
    sgd = torch.optim.SGD(module.parameters(), lr=model.learning_rate)
    x, t, b, n = torch.from_numpy(model.inputs), torch.from_numpy(model.targets), model.batch_size(), len(model.inputs)
    for _ in range(3):
        model.train(100)
    for k in range(300):
        rows = torch.from_numpy((k * b + np.arange(b)) % n)
        sgd.zero_grad()
        loss_of(module(x[rows]), t[rows]).backward()
        sgd.step()
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.network.layers, linears):
        np.testing.assert_allclose(layer.weights, linear.weight.detach().numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.bias, linear.bias.detach().numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("request_", [{"name": "bumps"}, {"name": "plane", "batch_size": 10}], ids=["bumps", "plane"])
def test_a_play_frame_that_overflows_leaves_the_network_as_it_was(request_):
    """Batches at the largest learning rate: the numbers overflow, one ConfigError line says so,
    and the network, its update count and its curve are those before the frame."""
    from chainrule.errors import ConfigError
    from chainrule.web.session_model import OVERFLOWED

    model = _session(**request_, learning_rate=100.0)  # regression: an identity output, unbounded
    model.train(3)
    before = ([p.copy() for p in model.network.parameters()], model.iteration, [list(p) for p in model.curve])
    with pytest.raises(ConfigError, match="overflowed") as caught:
        model.train(model.max_steps())
    assert str(caught.value) == OVERFLOWED and model.batch_size() == 10
    for got, kept in zip(model.network.parameters(), before[0]):
        np.testing.assert_array_equal(got, kept)
    assert (model.iteration, model.curve) == before[1:]
