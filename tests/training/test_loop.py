"""The training loop: determinism, resume, divergence, early stopping, weights, dropout, the seed."""

import json
import math

import numpy as np
import pytest

from chainrule import Network, seed
from chainrule.errors import ConfigError, DataError, NumericalError
from chainrule.io.checkpoint import Checkpoint, load_checkpoint
from chainrule.training import train_online
from chainrule.training.loop import Callback, Trainer, fit
from chainrule.training.model import prepare, train


def _blobs(n=120, seed_=0):
    rng = np.random.default_rng(seed_)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 4)) + 2.0 * np.eye(3, 4)[y]
    return X, y


def _net(seed_=0, **kw):
    return Network([4, 8, 3], ["tanh", "softmax"], "cross_entropy", seed=seed_, **kw)


OPTIONS = dict(
    epochs=8,
    batch_size=16,
    optimizer="adam",
    learning_rate=0.01,
    l2=1e-3,
    l1=1e-4,
    dropout=0.2,
    validation_split=0.25,
    early_stopping=20,
    seed=5,
)


def test_same_seed_same_numbers_bit_for_bit():
    X, y = _blobs()
    T = np.eye(3)[y]
    a, b = _net(), _net()
    ha, hb = fit(a, X, T, **OPTIONS), fit(b, X, T, **OPTIONS)
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert ha.series == hb.series
    c = _net()
    fit(c, X, T, **{**OPTIONS, "seed": 6})
    assert not np.array_equal(a.layers[0].weights, c.layers[0].weights)


class _StopAfter(Callback):
    def __init__(self, k):
        self.k = k

    def on_epoch_end(self, trainer, epoch, logs):
        if trainer.epoch == self.k:
            trainer.stop_training = True


@pytest.mark.parametrize("optimizer", ["adam", "nesterov"])
def test_resumed_run_ends_with_the_same_parameters(tmp_path, optimizer):
    X, y = _blobs()
    opts = dict(OPTIONS, optimizer=optimizer, epochs=10)
    whole, _ = prepare(X, y, [8], activation="tanh", **opts)
    _.run()
    first, t1 = prepare(X, y, [8], activation="tanh", callbacks=[Checkpoint(tmp_path), _StopAfter(4)], **opts)
    t1.run()
    assert t1.epoch == 4
    resumed, t2 = prepare(X, y, [8], activation="tanh", **opts)
    t2.load_state_dict(load_checkpoint(tmp_path))
    t2.run()
    assert t2.epoch == 10
    for p, q in zip(whole.network.parameters(), resumed.network.parameters()):
        assert np.array_equal(p, q)
    assert whole.history.series == resumed.history.series


def test_divergence_stops_with_numerical_error_and_keeps_last_good_parameters():
    X = np.random.default_rng(0).normal(size=(64, 3))
    T = X.sum(axis=1, keepdims=True) ** 2
    net = Network([3, 16, 1], ["relu", "identity"], "mse", seed=0)
    keep = []

    class Remember(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            keep.append([p.copy() for p in trainer.params])

    with pytest.raises(NumericalError, match=r"epoch 2: .*learning rate \(0.2\) is probably too high") as info:
        fit(net, X, T, epochs=50, batch_size=8, optimizer="sgd", learning_rate=0.2, metrics=(), callbacks=[Remember()])
    assert "\n" not in str(info.value)
    assert len(keep) == 1  # epoch 1 completed, epoch 2 blew up: epoch 1's parameters are kept
    assert all(np.array_equal(p, q) for p, q in zip(net.parameters(), keep[0]))


def test_early_stopping_restores_the_best_weights():
    X, y = _blobs(60)
    Xv, yv = _blobs(60, seed_=1)
    yv = (yv + 1) % 3  # validation labels that disagree: val_loss gets worse as training goes on
    snapshots = []

    class Snap(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            snapshots.append([p.copy() for p in trainer.params])

    model, trainer = prepare(
        X,
        y,
        [8],
        activation="tanh",
        standardize=False,
        epochs=200,
        batch_size=8,
        optimizer="adam",
        learning_rate=0.05,
        early_stopping=3,
        validation_data=(Xv, yv),
        callbacks=[Snap()],
    )
    trainer.run()
    assert trainer.epoch < 200  # it stopped early
    val = model.history["val_loss"]
    best = int(np.argmin(val))
    assert trainer.best_epoch == best and len(val) == best + 4
    assert all(np.array_equal(p, q) for p, q in zip(model.network.parameters(), snapshots[best]))


def test_a_zero_sample_weight_is_the_same_as_leaving_the_sample_out():
    X, y = _blobs(40)
    T = np.eye(3)[y]
    v = np.ones(40)
    v[::4] = 0.0
    a, b = _net(), _net()
    opts = dict(epochs=5, batch_size=None, shuffle=False, optimizer="sgd", learning_rate=0.5, metrics=())
    fit(a, X, T, sample_weight=v, **opts)
    fit(b, X[v > 0], T[v > 0], **opts)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


def test_balanced_class_weights_weigh_each_class_equally():
    X, y = _blobs(90)
    y[:60] = 0  # mostly class 0
    model, trainer = prepare(X, y, [4], class_weight="balanced", epochs=1)
    per_sample = trainer.v
    totals = [per_sample[y == c].sum() for c in range(3)]
    np.testing.assert_allclose(totals, [30.0, 30.0, 30.0])


def test_l2_decay_adds_lambda_w_to_the_weight_gradient_only():
    X, y = _blobs(10)
    T = np.eye(3)[y]
    net = _net()
    before = net.copy()
    fit(net, X, T, epochs=1, batch_size=None, shuffle=False, optimizer="sgd", learning_rate=0.1, l2=0.3, metrics=())
    _, g = before.gradients(X, T)
    for l, layer in enumerate(before.layers):
        np.testing.assert_allclose(
            net.layers[l].weights, layer.weights - 0.1 * (g.dW[l] + 0.3 * layer.weights), atol=1e-15
        )
        np.testing.assert_allclose(net.layers[l].bias, layer.bias - 0.1 * g.db[l], atol=1e-15)


def test_dropout_is_seeded_changes_training_and_is_off_for_predictions():
    X, y = _blobs()
    T = np.eye(3)[y]
    a, b, c = _net(), _net(), _net()
    opts = dict(epochs=3, batch_size=16, optimizer="sgd", learning_rate=0.1, seed=1, metrics=())
    fit(a, X, T, dropout=0.5, **opts)
    fit(b, X, T, dropout=0.5, **opts)
    fit(c, X, T, **opts)
    assert np.array_equal(a.layers[0].weights, b.layers[0].weights)
    assert not np.array_equal(a.layers[0].weights, c.layers[0].weights)
    assert np.array_equal(a.predict(X), a.predict(X))
    with pytest.raises(ConfigError):
        fit(_net(), X, T, dropout=1.0)


def test_online_training_of_the_seed_reproduces_the_seed_loop():
    net, twin, online = seed.seed_network(), seed.seed_network(), seed.seed_network()
    fit(
        net,
        [seed.INPUT],
        [seed.TARGET],
        epochs=1000,
        batch_size=1,
        optimizer="sgd",
        learning_rate=seed.LEARNING_RATE,
        metrics=(),
    )
    for _ in range(1000):  # the engine's own update, w+ = w − η dE/dw
        twin.train_step(seed.INPUT, seed.TARGET, seed.LEARNING_RATE)
    assert all(np.array_equal(p, q) for p, q in zip(net.parameters(), twin.parameters()))
    train_online(online, seed.INPUT, seed.TARGET, seed.LEARNING_RATE, 1000)  # the seed's loop (may be unrolled)
    for p, q in zip(net.parameters(), online.parameters()):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


def test_xor_is_solved_by_the_seed_scripts_2_5_1_sigmoid_setup():
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    y = [0, 1, 1, 0]
    model = train(
        X,
        y,
        [5],
        activation="sigmoid",
        loss="half_sse",
        output_size=1,
        standardize=False,
        init="uniform",
        bias="shared",
        train_biases=False,
        optimizer="sgd",
        learning_rate=0.5,
        batch_size=1,
        epochs=2500,
        seed=0,
    )
    out = model.network.predict(np.array(X, dtype=float))[:, 0]
    assert list(out > 0.5) == [False, True, True, False]
    assert list(model.predict(X)) == y


def test_history_has_one_value_per_epoch_and_writes_the_plot_format():
    X, y = _blobs()
    model = train(X, y, [8], epochs=4, validation_split=0.2, optimizer="adam", learning_rate=0.01)
    d = model.history.to_dict()
    assert d["unit"] == "epoch"
    assert set(d) == {"unit", "loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(d[k]) == 4 and all(isinstance(x, float) for x in d[k]) for k in d if k != "unit")
    assert json.loads(json.dumps(d)) == d


def test_regression_reports_r2_and_learns_a_line():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = X @ [1.5, -2.0] + 0.5
    model = train(X, y, [8], task="regression", activation="tanh", epochs=60, optimizer="adam", learning_rate=0.01)
    assert model.history["r2"][-1] > 0.95
    assert model.score(X, y) > 0.95


def test_transform_gives_the_hidden_layer_outputs():
    X, y = _blobs()
    model = train(X, y, [8, 5], epochs=1)
    fwd = model.network.forward(model.inputs(X))
    assert np.array_equal(model.transform(X, 1), fwd.outs[1])
    assert np.array_equal(model.transform(X), fwd.outs[2])
    with pytest.raises(ConfigError):
        model.transform(X, 3)


def test_data_is_checked_once_with_clear_errors():
    net = _net()
    X, y = _blobs(10)
    T = np.eye(3)[y]
    X[3, 1] = math.nan
    with pytest.raises(DataError, match="finite"):
        Trainer(net, X, T)
    with pytest.raises(DataError, match="column"):
        Trainer(net, np.ones((10, 5)), T)
    with pytest.raises(DataError, match="targets"):
        Trainer(net, np.ones((9, 4)), T)


def test_float32_training_stays_float32():
    X, y = _blobs()
    model = train(X, y, [8], dtype="float32", epochs=2)
    assert all(p.dtype == np.float32 for p in model.network.parameters())
    assert model.score(X, y) > 0.5


def test_a_run_that_stopped_early_stays_stopped_when_resumed(tmp_path):
    X, y = _blobs(60)
    Xv, yv = _blobs(60, seed_=1)
    yv = (yv + 1) % 3
    opts = dict(
        standardize=False,
        epochs=200,
        batch_size=8,
        optimizer="adam",
        learning_rate=0.05,
        early_stopping=3,
        validation_data=(Xv, yv),
    )
    first, t1 = prepare(X, y, [8], activation="tanh", callbacks=[Checkpoint(tmp_path)], **opts)
    t1.run()
    again, t2 = prepare(X, y, [8], activation="tanh", **opts)
    t2.load_state_dict(load_checkpoint(tmp_path))
    t2.run()
    assert t2.epoch == t1.epoch < 200
    assert all(np.array_equal(p, q) for p, q in zip(first.network.parameters(), again.network.parameters()))


def test_full_batch_with_a_validation_part_trains_on_the_training_rows_only():
    X, y = _blobs(50)
    T = np.eye(3)[y]
    a, b = _net(), _net()
    trainer = Trainer(a, X, T, epochs=4, batch_size=None, optimizer="sgd", learning_rate=0.3, validation_split=0.2)
    trainer.run()
    rows = trainer.train_idx
    assert len(rows) == 40 and "val_loss" in trainer.history and "accuracy" in trainer.history
    fit(b, X[rows], T[rows], epochs=4, batch_size=None, optimizer="sgd", learning_rate=0.3, metrics=())
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


# ------------------------------------------------------------ plain SGD, folded into the backward pass
class _Counting:
    """Wraps a network's gradients and descend, counting the calls."""

    def __init__(self, net, monkeypatch):
        self.calls = {"gradients": 0, "descend": 0}
        for name in self.calls:
            method = getattr(net, name)

            def counted(*args, _name=name, _method=method, **kw):
                self.calls[_name] += 1
                return _method(*args, **kw)

            monkeypatch.setattr(net, name, counted)


@pytest.mark.parametrize(
    "options, folded",
    [
        (dict(optimizer="sgd"), True),
        (dict(optimizer="sgd", dropout=0.3, sample_weight=np.linspace(0.5, 2, 120)), True),
        (dict(optimizer="sgd", l2=1e-3), False),  # weight decay changes the gradient: explicit
        (dict(optimizer="momentum"), False),
        (dict(optimizer="adam"), False),
    ],
)
def test_plain_sgd_descends_inside_the_backward_pass_and_every_other_update_gets_the_gradients(
    options, folded, monkeypatch
):
    X, y = _blobs()
    net = _net()
    counter = _Counting(net, monkeypatch)
    fit(net, X, np.eye(3)[y], epochs=2, batch_size=16, learning_rate=0.05, seed=1, **options)
    batches = 2 * math.ceil(120 / 16)
    assert counter.calls == ({"gradients": 0, "descend": batches} if folded else {"gradients": batches, "descend": 0})


def test_the_folded_sgd_run_is_the_explicit_one_to_rounding(monkeypatch):
    """The same run with the step folded (Network.descend) and with gradients + SGD.step: the same
    losses and weights to rounding, and bit for bit where the fused product is not used."""
    X, y = _blobs()
    T = np.eye(3)[y]
    opts = dict(epochs=5, batch_size=16, optimizer="sgd", learning_rate=0.1, validation_split=0.2, seed=3)
    folded, explicit = _net(), _net()
    h_folded = fit(folded, X, T, **opts)
    from chainrule.core.optimizers import SGD

    monkeypatch.setattr(SGD, "descent_rate", lambda self: None)
    h_explicit = fit(explicit, X, T, **opts)
    for p, q in zip(folded.parameters(), explicit.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
    for key, values in h_explicit.series.items():
        np.testing.assert_allclose(h_folded.series[key], values, rtol=1e-12)
    monkeypatch.undo()
    import chainrule.core.network as network_module

    monkeypatch.setattr(network_module, "bind_gemm_update", lambda *args: None)  # the NumPy form of the fused step
    numpy_form = _net()
    h_numpy = fit(numpy_form, X, T, **opts)
    assert all(np.array_equal(p, q) for p, q in zip(numpy_form.parameters(), explicit.parameters()))
    assert h_numpy.series == h_explicit.series
