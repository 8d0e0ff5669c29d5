"""Numerical faults (issue 7): exploding learning rates, unscaled or huge inputs, overflowing
activations, vanishing gradients.  Training either finishes with finite parameters or stops with a
NumericalError that names the epoch and the likely cause — and keeps the last good parameters."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from chainrule.core import Network
from chainrule.errors import NumericalError
from chainrule.training.loop import Callback, Trainer

N = settings.default.max_examples


class Snapshots(Callback):
    """The parameters at the start and after every completed epoch."""

    def on_train_begin(self, trainer):
        self.after = {0: [p.copy() for p in trainer.params]}

    def on_epoch_end(self, trainer, epoch, logs):
        self.after[epoch + 1] = [p.copy() for p in trainer.params]


@settings(max_examples=N)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "identity", "leaky_relu", "tanh", "sigmoid"]),
    loss=st.sampled_from(["half_sse", "mse"]),
    eta=st.sampled_from([1e-2, 1.0, 1e2, 1e4, 1e8]),
    input_scale=st.sampled_from([1.0, 1e3, 1e6, 1e150]),
    optimizer=st.sampled_from(["sgd", "momentum", "adam"]),
    batch_size=st.sampled_from([1, 4, None]),
    seed=st.integers(0, 1000),
)
def test_training_finishes_finite_or_stops_with_a_clear_error_keeping_good_parameters(
    sizes, activation, loss, eta, input_scale, optimizer, batch_size, seed
):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, 3)) * input_scale  # unscaled inputs when input_scale is large
    T = rng.normal(size=(12, 2)) * 10
    net = Network([3, *sizes, 2], activation, loss, seed=seed)
    snaps = Snapshots()
    trainer = Trainer(
        net,
        X,
        T,
        epochs=4,
        batch_size=batch_size,
        optimizer=optimizer,
        learning_rate=eta,
        metrics=(),
        seed=seed,
        callbacks=[snaps],
    )
    try:
        trainer.run()
    except NumericalError as exc:
        event("diverged")
        message = str(exc)
        assert "\n" not in message
        epoch = int(re.search(r"epoch (\d+)", message).group(1))
        assert "learning rate" in message and "scal" in message, message  # names the likely causes
        # the last good parameters: those after the last completed epoch
        assert epoch == len(trainer.history) + 1
        for p, good in zip(net.parameters(), snaps.after[epoch - 1]):
            np.testing.assert_array_equal(p, good)
        assert all(np.all(np.isfinite(p)) for p in net.parameters())
    else:
        event("finished")
        assert all(np.all(np.isfinite(p)) for p in net.parameters())
        assert all(np.isfinite(v) for v in trainer.history["loss"])


def test_an_exploding_learning_rate_is_reported_with_its_epoch():
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(20, 2)) * 100, rng.normal(size=(20, 1)) * 100
    net = Network([2, 8, 1], "identity", "mse", seed=0)
    start = [p.copy() for p in net.parameters()]
    with pytest.raises(NumericalError, match=r"epoch 1: .*learning rate \(1e\+06\) is probably too high"):
        Trainer(net, X, T, epochs=5, batch_size=4, optimizer="sgd", learning_rate=1e6, metrics=()).run()
    for p, s in zip(net.parameters(), start):
        np.testing.assert_array_equal(p, s)


def test_vanishing_gradients_train_without_nan():
    """A deep sigmoid stack: the gradients reaching the first layer are tiny, but never NaN."""
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(16, 4)), rng.random((16, 1))
    net = Network([4] + [8] * 20 + [1], "sigmoid", "half_sse", seed=1)
    _, grads = net.gradients(X, T)
    first, last = np.abs(grads.dW[0]).max(), np.abs(grads.dW[-1]).max()
    assert 0 < first < 1e-6 * last  # vanished by many orders of magnitude — and still finite
    Trainer(net, X, T, epochs=3, batch_size=4, learning_rate=0.5, optimizer="sgd", metrics=()).run()
    assert all(np.all(np.isfinite(p)) for p in net.parameters())


def test_the_cli_reports_divergence_in_one_line_and_saves_nothing(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 2)) * 1e4
    rows = ["a,b,y"] + [f"{a},{b},{3 * a - b}" for a, b in X]
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "chainrule",
            "train",
            "--data",
            "big.csv",
            "--target",
            "y",
            "--task",
            "regression",
            "--layers",
            "2,4,1",
            "--activation",
            "identity",
            "--no-standardize",
            "--optimizer",
            "sgd",
            "--learning-rate",
            "10",
            "--epochs",
            "5",
            "--save",
            "m.json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert re.search(r"epoch \d+", result.stderr) and "learning rate" in result.stderr
    assert not (tmp_path / "m.json").exists()
