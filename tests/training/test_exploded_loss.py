"""A short run that ends with an exploded loss (finite, so nothing stopped it) says so: a warning on
stderr from ``chainrule train`` and from ``Progress``, a UserWarning from ``chainrule.train``; a run
that learns says nothing."""

import warnings

import numpy as np
import pytest

import chainrule
from chainrule.cli import main
from chainrule.data import Dataset

X = np.linspace(-1, 1, 40)[:, None]
Y = 3 * X[:, 0]


def _csv(tmp_path):
    path = tmp_path / "line.csv"
    path.write_text("x,y\n" + "".join(f"{x:.4f},{y:.4f}\n" for x, y in zip(X[:, 0], Y)))
    return str(path)


def test_the_command_warns_when_a_short_run_explodes(tmp_path, capsys):
    argv = ["train", "--data", _csv(tmp_path), "--target", "y", "--layers", "1,4,1", "--epochs", "3", "-q"]
    assert main([*argv, "--lr", "100"]) == 0  # finite: nothing stopped it
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: the training loss ended at "), err
    assert "up from" in err[0] and "the learning rate (100) is probably too high" in err[0]
    assert main([*argv, "--lr", "0.01"]) == 0
    assert capsys.readouterr().err == ""


def test_train_warns_and_a_learning_run_does_not():
    with pytest.warns(UserWarning, match=r"the training loss ended at .* up from .* before training"):
        chainrule.train(X, Y, hidden=[4], task="regression", learning_rate=100, epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = chainrule.train(X, Y, hidden=[4], task="regression", learning_rate=0.01, epochs=3)
    assert model.history["loss"][-1] < model.history["loss"][0]


def test_progress_warns_on_a_python_run_too(capsys):
    run = chainrule.TrainingRun(Dataset("line", X, Y, "regression"), [1, 4, 1], learning_rate=100, epochs=3)
    run.run(progress=chainrule.Progress(quiet=True))
    assert capsys.readouterr().err.startswith("warning: the training loss ended at ")
