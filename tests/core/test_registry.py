"""One registry per extension point, end to end: an activation and a loss registered at run time
reach every part that lists or maps them — the CLI's choices, the server's schema and the page's
state, ``to_torch``/``torch_loss``, ``explain``, the scikit-learn estimators' ``activation=``,
``exercise``, the initialiser choice, the metrics, the straight-line trainer and training — with
nothing edited but the two classes.  And every registered
activation and loss maps to PyTorch.

The toy activation is softsign, out = net / (1 + |net|), dout/dnet = 1 / (1 + |net|)² = (1 − |out|)²
(PyTorch's ``nn.Softsign`` documents the same formula); the toy loss is log-cosh,
E = log cosh(out − t), dE/dout = tanh(out − t).
"""

import argparse
import math

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("torch", "PyTorch is the independent oracle")

import torch

from chainrule import Network
from chainrule.core import ACTIVATIONS, LOSSES, Activation, Loss, register_activation, register_loss
from chainrule.core.init import he
from chainrule.core.optimizers import OPTIMIZERS
from chainrule.core.rng import make_rng
from chainrule.errors import ConfigError


class Softsign(Activation):
    name = "softsign"
    aliases = ("soft_sign",)
    text = "<x> / (1 + |<x>|)"
    latex = r"\frac{<x>}{1 + |<x>|}"
    derivative_text = "(1 - |<y>|)^2"
    derivative_latex = r"(1 - |<y>|)^2"
    scalar = "{x} / (1.0 + abs({x}))"
    scalar_derivative = "(1.0 - abs({y})) * (1.0 - abs({y}))"
    init = "he"  # a deliberate hint, so that the test can see it obeyed (auto would otherwise pick xavier)

    def torch_module(self, nn):
        return nn.Softsign()

    def forward(self, net, into=None):
        y = np.abs(net, out=into)
        y += 1.0
        return np.divide(net, y, out=y)

    def derivative(self, out, net, into=None):
        d = np.abs(out, out=into)
        np.subtract(1.0, d, out=d)
        d *= d
        return d


class LogCosh(Loss):
    name = "log_cosh"
    text = "log(cosh(<y> - <t>))"
    latex = r"\log\cosh(<y> - <t>)"
    gradient_text = "tanh(<y> - <t>)"
    gradient_latex = r"\tanh(<y> - <t>)"
    scalar_term = "log(cosh({y} - {t}))"
    scalar_gradient = "tanh({y} - {t})"
    metrics = ("r2",)

    def torch_terms(self, torch, out, target):
        return torch.log(torch.cosh(out - target))

    def terms(self, out, target, net=None):
        return np.log(np.cosh(out - target))

    def gradient(self, out, target):
        return np.tanh(out - target)


@pytest.fixture
def toys():
    """Softsign and log-cosh registered for one test, and removed again afterwards."""
    register_activation(Softsign)
    register_loss(LogCosh)
    try:
        yield
    finally:
        ACTIVATIONS.unregister("softsign")
        LOSSES.unregister("log_cosh")
    assert "softsign" not in ACTIVATIONS and "soft_sign" not in ACTIVATIONS.aliases and "log_cosh" not in LOSSES


def _toy_network(seed=3):
    return Network([3, 5, 2], ["softsign", "identity"], "log_cosh", seed=seed)


def _choices(subcommand: str, flag: str):
    from chainrule.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[subcommand]
    return next(a for a in sub._actions if flag in a.option_strings).choices


# ------------------------------------------------------------------------------ the registries
def test_a_registered_activation_and_loss_are_found_by_name(toys):
    net = _toy_network()
    assert net.layers[0].activation.name == "softsign" and net.loss_fn.name == "log_cosh"
    assert Network([1, 1], "Soft-Sign").layers[0].activation.name == "softsign"  # aliases and spellings too


def test_registering_checks_the_class():
    class NoTorch(Activation):
        name = "no_torch"
        text, latex, derivative_text, derivative_latex = "<x>", "<x>", "1", "1"

        def forward(self, net, into=None):
            return net

        def derivative(self, out, net, into=None):
            return np.ones_like(net)

    with pytest.raises(ConfigError, match="torch_module"):
        register_activation(NoTorch)
    assert "no_torch" not in ACTIVATIONS

    class Taken(Softsign):
        name = "sigmoid"

    with pytest.raises(ConfigError, match="already"):
        register_activation(Taken)
    assert ACTIVATIONS["sigmoid"].__name__ == "Sigmoid"

    class Unnamed(Softsign):
        name = "Has Spaces"

    with pytest.raises(ConfigError, match="name"):
        register_activation(Unnamed)


def test_unknown_names_list_what_is_registered(toys):
    with pytest.raises(ConfigError, match="softsign"):
        Network([2, 2], "swish")
    with pytest.raises(ConfigError, match="log_cosh"):
        Network([2, 2], loss="hinge")


# ------------------------------------------------------------------------------ the CLI
def test_the_cli_offers_them_and_trains_with_them(toys, capsys):
    from chainrule.cli import main

    assert "softsign" in _choices("train", "--activation") and "softsign" in _choices("train", "--output-activation")
    assert "log_cosh" in _choices("train", "--loss")
    assert list(_choices("train", "--optimizer")) == list(OPTIMIZERS)
    code = main(
        [
            "train",
            "--data",
            "xor",
            "--layers",
            "2,4,1",
            "--activation",
            "soft-sign",
            "--loss",
            "log_cosh",
            "--task",
            "regression",
            "--epochs",
            "3",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr()


def test_without_registration_the_cli_refuses_them(capsys):
    from chainrule.cli import main

    assert "softsign" not in _choices("train", "--activation")
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--data", "xor", "--layers", "2,4,1", "--activation", "softsign"])
    assert exit_.value.code == 2 and "invalid choice: 'softsign'" in capsys.readouterr().err


# ------------------------------------------------------------------------------ PyTorch
def test_to_torch_computes_the_same_outputs_loss_and_gradients(toys):
    from chainrule.interop.torch import from_torch, to_torch, torch_loss

    net = _toy_network()
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(6, 3)) * 2, rng.normal(size=(6, 2))
    module = to_torch(net)
    assert isinstance(module[1], torch.nn.Softsign)
    out = module(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), net.predict(x), rtol=0, atol=1e-12)
    loss = torch_loss(net)(out, torch.from_numpy(t))
    ours, grads = net.gradients(x, t)
    assert abs(loss.item() - ours) <= 1e-12 * max(1.0, abs(ours))
    loss.backward()
    for dW, linear in zip(grads.dW, [m for m in module if isinstance(m, torch.nn.Linear)]):
        np.testing.assert_allclose(dW, linear.weight.grad.numpy(), rtol=0, atol=1e-12)
    back = from_torch(module, loss="log_cosh")
    assert [layer.activation.name for layer in back.layers] == ["softsign", "identity"]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_registered_activation_maps_to_pytorch(name):
    from chainrule.interop.torch import from_torch, to_torch

    net = Network([3, 4, 3], [name, name], "half_sse", seed=1)
    x = np.random.default_rng(1).normal(size=(5, 3)) * 3
    module = to_torch(net)
    np.testing.assert_allclose(module(torch.from_numpy(x)).detach().numpy(), net.predict(x), rtol=0, atol=1e-12)
    assert [layer.activation.name for layer in from_torch(module).layers] == [name, name]


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_registered_loss_maps_to_pytorch(name):
    from chainrule.interop.torch import torch_loss

    loss = LOSSES[name]()
    out_act = loss.fused_activation or "identity"
    net = Network([3, 4, 3], ["tanh", out_act], name, seed=2)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 3))
    t = np.eye(3)[rng.integers(0, 3, 5)] if loss.fused_activation else rng.normal(size=(5, 3))
    ours = net.loss(x, t)
    theirs = torch_loss(net)(torch.from_numpy(net.predict(x)), torch.from_numpy(t)).item()
    assert math.isfinite(ours) and abs(ours - theirs) <= 1e-10 * max(1.0, abs(ours))


def test_a_registered_optimizer_reaches_the_trainer_and_the_cli(capsys):
    """Sign descent, w+ = w − η sign(g), as a run-time optimizer: one class, nothing else edited."""
    from chainrule.cli import main
    from chainrule.core.optimizers import Optimizer, register
    from chainrule.training.loop import Trainer

    @register
    class SignDescent(Optimizer):
        name = "sign_descent"
        default_learning_rate = 0.002

        def step(self, params, grads):
            for w, g in zip(params, grads):
                w -= self.learning_rate * np.sign(g)  # w+ = w − η sign(g)

    try:
        assert "sign_descent" in _choices("train", "--optimizer")
        rng = np.random.default_rng(8)
        X = rng.normal(size=(32, 3))
        T = X @ rng.normal(size=(3, 2))
        net = Network([3, 4, 2], ["tanh", "identity"], "mse", seed=8)
        trainer = Trainer(net, X, T, optimizer="Sign-Descent", epochs=20, batch_size=32)
        assert isinstance(trainer.optimizer, SignDescent) and trainer.optimizer.learning_rate == 0.002
        before = net.loss(X, T)
        trainer.run()
        assert net.loss(X, T) < before
        assert (
            main(
                [
                    "train",
                    "--data",
                    "xor",
                    "--layers",
                    "2,3,1",
                    "--optimizer",
                    "sign_descent",
                    "--epochs",
                    "2",
                    "--quiet",
                ]
            )
            == 0
        ), capsys.readouterr()
    finally:
        OPTIMIZERS.unregister("sign_descent")
    assert "sign_descent" not in _choices("train", "--optimizer")


# ------------------------------------------------------------------------------ explain
def test_explain_writes_their_formulas(toys):
    import chainrule

    text = chainrule.explain(_toy_network(), format="text", x=[0.5, -1.0, 2.0], target=[0.1, -0.2])
    assert "out_h1 = net_h1 / (1 + |net_h1|)" in text
    assert "log(cosh(out_o1 - " in text
    assert "(1 - |out_h1|)^2" in text  # the derivative's written form, in the backward pass
    latex = chainrule.explain(_toy_network(), format="latex", x=[0.5, -1.0, 2.0], target=[0.1, -0.2])
    assert r"\log\cosh" in latex


# ------------------------------------------------------------------------------ the rest of the engine
def test_the_initialiser_hint_is_obeyed(toys):
    net = Network([3, 5, 2], ["softsign", "softsign"], "log_cosh", seed=9)
    rng = make_rng(9)
    assert np.array_equal(net.layers[0].weights, he(rng, 5, 3))
    assert np.array_equal(net.layers[1].weights, he(rng, 2, 5))


@pytest.mark.parametrize("name", ["mse", "cross_entropy", "binary_cross_entropy"])
def test_the_trainer_reports_the_loss_own_metrics(name):
    from chainrule.training.loop import Trainer

    net = Network([2, 2], ["sigmoid"], name, seed=0)
    trainer = Trainer(net, np.zeros((4, 2)), np.eye(2)[[0, 1, 0, 1]], epochs=1)
    assert trainer.metrics == LOSSES[name].metrics
    assert set(trainer.run().series) >= {"loss", *LOSSES[name].metrics}


def test_training_with_them_lowers_the_loss(toys):
    from chainrule.training.loop import fit

    rng = np.random.default_rng(5)
    X = rng.normal(size=(64, 3))
    T = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1)
    net = _toy_network(seed=5)
    before = net.loss(X, T)
    history = fit(net, X, T, epochs=30, batch_size=8, optimizer="adam", learning_rate=0.01, seed=0)
    assert "r2" in history.series  # the loss's own metrics
    assert net.loss(X, T) < 0.7 * before


def test_their_scalar_forms_drive_the_straight_line_trainer(toys):
    from chainrule.core import unrolled

    net = Network([2, 3, 2], ["softsign", "softsign"], "log_cosh", seed=4)
    assert unrolled.supports(net)
    twin = net.copy()
    x, t = [0.3, -0.7], [0.2, -0.4]
    losses, params = unrolled.compile_online(net)(unrolled.flat_parameters(net), x, t, 0.5, 5)
    expected = [twin.train_step(x, t, 0.5) for _ in range(5)]
    np.testing.assert_allclose(losses, expected, rtol=1e-13, atol=0)
    np.testing.assert_allclose(params, unrolled.flat_parameters(twin), rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------------------------ scikit-learn and exercises
def _iris():
    need("sklearn", "scikit-learn's estimators and bundled datasets")
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


def test_the_estimators_and_exercise_offer_it(toys):
    """``MLPClassifier(activation=...)`` accepts it (one name or one per hidden layer) and trains with it;
    ``chainrule.exercise`` can be asked for it, and its written form is in the questions' answer key."""
    import warnings

    import chainrule
    from chainrule.sklearn import MLPClassifier

    X, y = _iris()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a few epochs are enough here
        clf = MLPClassifier((6,), "softsign", max_iter=100, learning_rate_init=0.01, random_state=0).fit(X, y)
        per_layer = MLPClassifier(hidden_layer_sizes=(6, 4), activation=["soft_sign", "relu"], max_iter=5).fit(X, y)
    assert [layer.activation.name for layer in clf.network_.layers] == ["softsign", "softmax"]
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0] and clf.score(X, y) > 0.8
    assert [layer.activation.name for layer in per_layer.network_.layers] == ["softsign", "relu", "softmax"]
    for seed in (0, 5):
        drawn, chosen = chainrule.exercise(seed), chainrule.exercise(seed, activation="Soft-Sign")
        assert (
            chosen.spec["activation"] == ["softsign"] * (len(chosen.spec["layers"]) - 2) + drawn.spec["activation"][-1:]
        )
        assert chosen.spec["layers"] == drawn.spec["layers"]  # the same draws, but the activation
        assert r"}{1 + |net_{h1" in chosen.answers  # its written form, \frac{net_h1}{1 + |net_h1|}
        assert chainrule.explain(chosen.spec).values["E_total"] > 0


def test_without_registration_the_estimators_and_exercise_refuse_it():
    import chainrule
    from chainrule.sklearn import MLPClassifier

    X, y = _iris()
    with pytest.raises(ValueError, match="'activation' parameter"):
        MLPClassifier(activation="softsign").fit(X, y)
    with pytest.raises(ValueError, match="one per hidden layer"):
        MLPClassifier(hidden_layer_sizes=(3, 3), activation=["softsign", "relu"]).fit(X, y)
    with pytest.raises(ConfigError, match="^activation must be one of sigmoid, tanh, relu, .*not 'softsign'$"):
        chainrule.exercise(0, activation="softsign")
    with pytest.raises(ConfigError, match="softmax"):
        chainrule.exercise(0, activation="softmax")  # not elementwise: an output activation only


# ------------------------------------------------------------------------------ the server and the page
def test_the_server_schema_and_the_page_state_offer_them_and_train_with_them(toys):
    from fastapi.testclient import TestClient

    from chainrule.web.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")  # a name the server's guard allows
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["EditRequest"]["properties"]
    assert "softsign" in str(schema["activation"]) and "log_cosh" in str(schema["loss"])
    created = client.post("/api/sessions", json={})
    assert created.status_code == 200, created.text
    sid, state = created.json()["session"], created.json()["state"]
    offered = {a["name"]: a for a in state["choices"]["activations"]}
    assert offered["softsign"]["formula"] == "out = net / (1 + |net|)" and offered["softsign"]["hidden"]
    assert "E_o = log(cosh(out - target))" in [loss["formula"] for loss in state["choices"]["losses"]]
    edited = client.post(f"/api/sessions/{sid}/edit", json={"activation": "softsign", "loss": "log_cosh"})
    assert edited.status_code == 200, edited.text
    state = edited.json()
    assert state["activation"] == "softsign" and state["loss_form"]["text"] == "E_o = log(cosh(out - target))"
    before = state["loss"]
    trained = client.post(f"/api/sessions/{sid}/train", json={"steps": 200})
    assert trained.status_code == 200, trained.text
    assert trained.json()["loss"] < before


# ------------------------------------------------------------------------------ the architecture page
def test_the_architecture_page_names_files_that_exist(root):
    """docs/architecture.md's rooms and "to add, change these files" table name real files and registries."""
    import re

    page = (root / "docs" / "architecture.md").read_text()
    paths = set(
        re.findall(r"`((?:core|training|derivation|data|io|interop|viz|web|cli)/[\w/]+\.(?:py|js|html))`", page)
    )
    assert len(paths) >= 10
    missing = [p for p in sorted(paths) if not (root / "chainrule" / p).exists()]
    assert not missing, missing
    for registry in ("ACTIVATIONS", "LOSSES", "OPTIMIZERS", "FORMATS", "COMMANDS", "CONSTRAINTS"):
        assert f"`{registry}`" in page


def test_a_loss_alias_chooses_what_its_name_chooses():
    """prepare() picks one sigmoid output for two classes and binary cross-entropy, however spelled."""
    from chainrule.training.model import prepare

    X, y = np.random.default_rng(0).normal(size=(8, 2)), np.array([0, 1] * 4)
    for spelling in ("binary_cross_entropy", "BCE", "binary-crossentropy"):
        model, _ = prepare(X, y, [3], loss=spelling, epochs=1)
        assert model.network.sizes == [2, 3, 1] and model.network.loss_fn.name == "binary_cross_entropy", spelling
