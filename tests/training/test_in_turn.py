"""Online training on many samples in turn (training/online.py's ``train_in_turn``): the page's
2-D datasets with batches of one.  It is the Trainer's update with batches of one, no shuffling and
no regularisation, written out for tiny networks (core/unrolled.py) and NumPy's otherwise."""

import numpy as np
import pytest

from chainrule.core import unrolled
from chainrule.core.network import Network
from chainrule.training.loop import Trainer
from chainrule.training.online import train_in_turn


def _data(n=7, inputs=2, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, inputs)), (rng.uniform(0, 1, (n, outputs)) > 0.5).astype(float)


@pytest.mark.parametrize(
    "sizes, activation, loss",
    [
        ([2, 4, 4, 1], "tanh", "binary_cross_entropy"),
        ([2, 3, 2], "sigmoid", "half_sse"),
        ([3, 5, 1], "relu", "half_sse"),
    ],
)
@pytest.mark.parametrize("start", [0, 5])
def test_in_turn_is_the_trainers_update_with_batches_of_one(sizes, activation, loss, start):
    x, t = _data(7, sizes[0], sizes[-1])
    acts = [activation] * (len(sizes) - 2) + ["sigmoid" if loss == "binary_cross_entropy" else activation]
    ours, theirs = (Network(sizes, acts, loss, seed=3) for _ in range(2))
    assert unrolled.compile_online(ours, in_turn=True) is not None  # the written-out path runs here
    steps = 23  # more than three passes over the seven samples, from sample `start`
    losses = train_in_turn(ours, x, t, 0.3, steps, start)
    rows = (start + np.arange(steps)) % len(x)
    Trainer(theirs, x[rows], t[rows], epochs=1, batch_size=1, learning_rate=0.3, shuffle=False, metrics=()).run()
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)  # the same sums, perhaps in another order
    assert len(losses) == steps
    first = Network(sizes, acts, loss, seed=3)
    assert losses[0] == pytest.approx(first.loss(x[start : start + 1], t[start : start + 1]), rel=1e-12)


def test_a_network_the_written_out_code_cannot_train_runs_numpy_in_turn():
    x, t = _data(5, 2, 3)
    ours = Network([2, 3, 3], ["tanh", "softmax"], "categorical_cross_entropy", seed=1)
    assert unrolled.compile_online(ours, in_turn=True) is None  # softmax: NumPy's path
    twin = ours.copy()
    train_in_turn(ours, x, t, 0.1, 8, start=2)
    for k in range(8):
        j = (2 + k) % 5
        twin.train_step(x[j : j + 1], t[j : j + 1], 0.1)
    for a, b in zip(ours.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a, b)


def test_the_written_out_source_of_the_seed_is_unchanged_by_the_new_variant():
    from chainrule import seed

    net = seed.seed_network()
    assert "xs[k]" not in unrolled.source(net) and "start" not in unrolled.source(net)
    assert "def train(params, xs, ts, eta, iterations, start):" in unrolled.source(net, in_turn=True)
