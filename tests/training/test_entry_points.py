"""fit(network, X, T) and train(X, y, hidden=...): two entry points, each saying so when called the other's way."""

import numpy as np
import pytest

import chainrule
from chainrule import ConfigError

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
Y = [0, 1, 1, 0]  # class labels: what train takes
T = [[0.0], [1.0], [1.0], [0.0]]  # target output rows: what fit takes


def one_line(exc) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_fit_called_like_train_names_train():
    with pytest.raises(ConfigError) as exc:
        chainrule.fit(X, Y, hidden=[8])  # was a TypeError (missing T)
    assert "chainrule.train(X, y, hidden=" in one_line(exc)


def test_fit_without_a_network_names_train():
    with pytest.raises(ConfigError) as exc:
        chainrule.fit(np.array(X), np.array(T))
    assert "chainrule.train" in one_line(exc)


def test_fit_with_hidden_on_a_network_is_refused():
    net = chainrule.Network([2, 3, 1], "sigmoid", "half_sse", seed=0)
    with pytest.raises(ConfigError) as exc:
        chainrule.fit(net, X, T, hidden=[8])
    assert "chainrule.train" in one_line(exc)


def test_fit_without_targets_says_what_it_needs():
    net = chainrule.Network([2, 3, 1], "sigmoid", "half_sse", seed=0)
    with pytest.raises(ConfigError) as exc:
        chainrule.fit(net, X)
    assert "targets T" in one_line(exc)


def test_train_called_like_fit_names_fit():
    net = chainrule.Network([2, 3, 1], "sigmoid", "half_sse", seed=0)
    before = [p.copy() for p in net.parameters()]
    with pytest.raises(ConfigError) as exc:
        chainrule.train(net, X, T)
    assert "chainrule.fit(network, X, T)" in one_line(exc)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.parameters()))  # untouched


def test_trainer_refuses_what_is_not_a_network():
    with pytest.raises(ConfigError) as exc:
        chainrule.Trainer(X, Y, T)
    assert "chainrule.train" in one_line(exc)


def test_each_entry_point_trains_when_called_its_own_way():
    net = chainrule.Network([2, 4, 1], "tanh", "half_sse", seed=1)
    history = chainrule.fit(net, X, T, optimizer="sgd", learning_rate=0.3, batch_size=1, epochs=300)
    assert history["loss"][-1] < history["loss"][0]
    model = chainrule.train(X, Y, hidden=[8], epochs=5, seed=0)
    assert isinstance(model, chainrule.Model)
    assert model.network.layers[0].weights.shape == (8, 2)
