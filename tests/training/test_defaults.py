"""One set of defaults: ``chainrule train``, ``TrainingRun`` and ``chainrule.train()`` train the same
way when nothing is said (Adam, 30 epochs, 32 samples per update, ReLU, ...); only ``fit`` and the
``Trainer`` underneath, which train a network you built, keep plain SGD and 10 epochs."""

import dataclasses
import inspect

import numpy as np

import chainrule
from chainrule.cli import build_parser
from chainrule.cli.train import SETTINGS
from chainrule.training.loop import Trainer
from chainrule.training.model import prepare

SHARED = ("optimizer", "epochs", "batch_size", "learning_rate", "momentum", "activation", "init", "bias")
SHARED += ("dtype", "seed", "l2", "l1", "dropout", "validation_split", "early_stopping", "standardize")


def _cli_defaults() -> dict:
    parser = build_parser("train")
    sub = next(a for a in parser._actions if a.dest == "command").choices["train"]
    return {a.dest: a.default for a in sub._actions if a.dest in SETTINGS}


def _python_defaults() -> dict:
    """What chainrule.train() uses when told nothing: prepare's defaults, then the Trainer's."""
    defaults = {}
    for function in (prepare, Trainer.__init__):
        for name, p in inspect.signature(function).parameters.items():
            if p.default is not inspect.Parameter.empty:
                defaults.setdefault(name, p.default)
    return defaults


def test_the_command_the_run_and_train_share_their_defaults():
    cli = _cli_defaults()
    run = {f.name: f.default for f in dataclasses.fields(chainrule.TrainingRun) if f.name in SETTINGS}
    python = _python_defaults()
    for name in SHARED:
        assert cli[name] == run[name] == python[name], (name, cli[name], run[name], python[name])
    assert (cli["optimizer"], cli["epochs"]) == ("adam", 30)


def test_train_called_with_nothing_builds_the_commands_trainer():
    X = np.random.default_rng(0).normal(size=(40, 3))
    _, trainer = prepare(X, (X[:, 0] > 0).astype(int))
    assert (trainer.optimizer.name, trainer.epochs, trainer.batch_size) == ("adam", 30, 32)
    assert trainer.base_learning_rate == 0.001  # Adam's own default, as the command's --lr says


def test_fit_and_the_trainer_keep_the_textbook_loop_and_say_so():
    assert _python_defaults()["optimizer"] == "adam"
    trainer_defaults = inspect.signature(Trainer.__init__).parameters
    assert (trainer_defaults["optimizer"].default, trainer_defaults["epochs"].default) == ("sgd", 10)
    for documented in (Trainer.__doc__, chainrule.fit.__doc__, chainrule.train.__doc__):
        assert "adam" in documented.lower() and "sgd" in documented.lower()
