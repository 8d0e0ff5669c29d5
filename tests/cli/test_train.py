"""``chainrule train / predict / evaluate`` as a user runs them (in-process, through cli.main)."""

import json
import re

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.io import checkpoint as checkpoint_module
from chainrule.io.model_file import load_model

from support.tiers import requires  # test tiers: skip with a reason when missing

IRIS = [
    "train",
    "--data",
    "iris",
    "--layers",
    "4,16,3",
    "--epochs",
    "40",
    "--batch-size",
    "16",
    "--optimizer",
    "adam",
    "--learning-rate",
    "0.01",
]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@requires("sklearn", "the iris dataset")
def test_train_prints_epochs_and_the_held_out_score_and_saves(tmp_path, capsys):
    model_path, history_path = tmp_path / "iris.json", tmp_path / "h.json"
    code, out, err = _run(capsys, *IRIS, "--validation-split", "0.2", "--save", model_path, "--history", history_path)
    assert code == 0 and err == ""  # not a terminal: no progress bar
    assert (
        "iris: 114 training samples (23 of them for validation), 36 held out; "
        "network 4-16-3 (relu hidden, softmax output)" in out
    )
    assert re.search(r"epoch 40/40  loss [\d.]+  accuracy [\d.]+  val_loss [\d.]+  val_accuracy [\d.]+", out)
    score = float(re.search(r"test accuracy ([\d.]+)", out).group(1))
    assert score >= 0.9
    history = json.loads(history_path.read_text())
    assert history["unit"] == "epoch" and len(history["loss"]) == 40 and len(history["val_accuracy"]) == 40
    model = load_model(model_path)
    assert model.network.sizes == [4, 16, 3] and model.info["data"] == "iris"

    code, out, _ = _run(capsys, "evaluate", "--model", model_path, "--data", "iris")
    assert code == 0 and f"accuracy {score:.4f}" in out and "36 samples (the held-out 25% of iris, split seed 0" in out


@requires("sklearn", "the iris dataset")
def test_quiet_prints_only_the_score(capsys):
    code, out, _ = _run(capsys, *IRIS, "--quiet")
    assert code == 0 and out.count("\n") == 1 and out.startswith("test accuracy")


def test_xor_from_the_seed_scripts_setup(tmp_path, capsys):
    code, out, _ = _run(
        capsys,
        "train",
        "--data",
        "xor",
        "--layers",
        "2,5,1",
        "--activation",
        "sigmoid",
        "--loss",
        "half_sse",
        "--optimizer",
        "sgd",
        "--lr",
        "0.5",
        "--batch-size",
        "1",
        "--epochs",
        "2500",
        "--init",
        "uniform",
        "--bias",
        "shared",
        "--freeze-biases",
        "--no-standardize",
        "--test-size",
        "0",
        "--save",
        tmp_path / "xor.json",
    )
    assert code == 0 and "training accuracy 1.0000" in out
    code, out, _ = _run(capsys, "predict", "--model", tmp_path / "xor.json", "--data", "xor")
    assert out.split() == ["prediction", "0", "1", "1", "0"]


def _csv(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_train_predict_evaluate(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = ["x,y,label"] + [
        f"{a:.3f},{b:.3f},{'in' if a * a + b * b < 1 else 'out'}" for a, b in rng.uniform(-1.5, 1.5, size=(120, 2))
    ]
    data = _csv(tmp_path, "\n".join(rows) + "\n")
    model = tmp_path / "m.npz"
    code, out, _ = _run(
        capsys,
        "train",
        "--data",
        data,
        "--target",
        "label",
        "--layers",
        "2,16,2",
        "--epochs",
        "60",
        "--optimizer",
        "adam",
        "--lr",
        "0.02",
        "--save",
        model,
    )
    assert code == 0 and float(re.search(r"test accuracy ([\d.]+)", out).group(1)) >= 0.8
    new = _csv(tmp_path, "label,y,x\nin,0.1,0.1\nout,1.4,1.4\n", "new.csv")  # columns in another order
    code, out, _ = _run(capsys, "predict", "--model", model, "--data", new, "--proba")
    lines = out.strip().splitlines()
    assert lines[0] == "prediction,p_in,p_out" and lines[1].startswith("in,") and lines[2].startswith("out,")
    code, out, _ = _run(capsys, "evaluate", "--model", model, "--data", new)
    assert code == 0 and out.startswith("accuracy 1.0000")


@pytest.mark.parametrize(
    "text,extra,message",
    [
        ("a,b,t\n1,2,0\n3,4\n", [], "line 3 has 2 field"),
        ("a,b,t\n1,nan,0\n3,4,1\n", [], "not a finite number"),
        ("a,b,t\n1,2,0\n3,4,1\n", ["--target", "label"], "no column named 'label'"),
    ],
)
def test_bad_data_is_one_line_and_exit_2_and_no_file(tmp_path, capsys, text, extra, message):
    data = _csv(tmp_path, text)
    argv = ["train", "--data", data, "--target", "t", "--layers", "2,2", "--save", tmp_path / "m.json", *extra]
    code, out, err = _run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "m.json").exists()


@requires("sklearn", "the iris dataset")
def test_unseen_label_and_wrong_layers_are_clear_errors(tmp_path, capsys):
    data = _csv(tmp_path, "a,b,t\n" + "".join(f"{i},{i % 3},{'xy'[i % 2]}\n" for i in range(20)))
    model = tmp_path / "m.json"
    assert (
        _run(capsys, "train", "--data", data, "--target", "t", "--layers", "2,4,2", "--epochs", "2", "--save", model)[0]
        == 0
    )
    code, _, err = _run(capsys, "evaluate", "--model", model, "--data", _csv(tmp_path, "a,b,t\n1,2,z\n", "u.csv"))
    assert code == 2 and "class label z was not seen" in err
    code, _, err = _run(capsys, "train", "--data", "iris", "--layers", "5,3")
    assert code == 2 and "--layers must start with 4" in err
    code, _, err = _run(capsys, "train", "--data", "iris", "--layers", "4,2")
    assert code == 2 and "3 classes" in err
    code, _, err = _run(capsys, "train", "--data", "iris", "--layers", "4,3", "--resume")
    assert code == 2 and "--checkpoint" in err
    code, _, err = _run(capsys, "predict", "--model", _csv(tmp_path, "{}", "bad.json"), "--data", data)
    assert code == 2 and "not a chainrule model" in err


@requires("sklearn", "the iris dataset")
def test_interrupted_run_resumes_to_the_same_numbers(tmp_path, capsys, monkeypatch):
    argv = [*IRIS, "--epochs", "8", "--dropout", "0.2", "--validation-split", "0.2", "--checkpoint", tmp_path / "ck"]
    assert _run(capsys, *argv[:-2], "--save", tmp_path / "whole.json")[0] == 0

    save = checkpoint_module.Checkpoint.on_epoch_end

    def save_then_interrupt(self, trainer, epoch, logs):
        save(self, trainer, epoch, logs)
        if trainer.epoch == 3:
            raise KeyboardInterrupt  # Ctrl-C right after the third checkpoint

    monkeypatch.setattr(checkpoint_module.Checkpoint, "on_epoch_end", save_then_interrupt)
    code, _, err = _run(capsys, *argv, "--save", tmp_path / "resumed.json")
    assert code == 130 and "stopped after epoch 3" in err and not (tmp_path / "resumed.json").exists()
    monkeypatch.setattr(checkpoint_module.Checkpoint, "on_epoch_end", save)

    code, out, _ = _run(capsys, *argv, "--resume", "--save", tmp_path / "resumed.json")
    assert code == 0 and "resuming from" in out and "after epoch 3" in out and "epoch 3/8" not in out
    whole, resumed = load_model(tmp_path / "whole.json"), load_model(tmp_path / "resumed.json")
    for p, q in zip(whole.network.parameters(), resumed.network.parameters()):
        assert np.array_equal(p, q)
    assert whole.history.series == resumed.history.series

    code, _, err = _run(capsys, *argv[:-4], "--lr", "0.02", "--checkpoint", tmp_path / "ck", "--resume")
    assert code == 2 and "other settings" in err


def test_xor_trains_without_a_held_out_part_by_default(capsys):
    from chainrule.cli import main

    assert (
        main(["train", "--data", "xor", "--layers", "2,5,1", "--activation", "sigmoid", "--epochs", "5", "--quiet"])
        == 0
    )
    assert "no held-out data: xor has only 4 samples" in capsys.readouterr().out


@pytest.mark.parametrize("activation", ["identity", "relu", "tanh"])
def test_a_classifier_whose_outputs_are_not_probabilities_is_refused_before_training(tmp_path, capsys, activation):
    """Issue 25: on the old code --output-activation identity trained and saved a classifier whose
    "probabilities" were negative; now it is refused before training, and nothing is written."""
    code, out, err = _run(capsys, "train", "--data", "xor", "--layers", "2,3,2", "--output-activation", activation,
                          "--save", tmp_path / "m.json")  # fmt: skip
    assert code == 2 and f"must be sigmoid or softmax, not {activation}" in err and "epoch" not in out
    assert list(tmp_path.iterdir()) == []


def test_a_one_output_softmax_classifier_is_refused_before_training(tmp_path, capsys):
    code, _, err = _run(capsys, "train", "--data", "xor", "--layers", "2,3,1", "--loss", "binary_cross_entropy",
                        "--output-activation", "softmax")  # fmt: skip
    assert code == 2 and "softmax over one output is always 1" in err


LONG = "1" * 5000


@pytest.mark.parametrize(
    "option,value,message",
    [
        ("--power", "nan", "--power: must be a non-negative number, not nan"),
        ("--power", "inf", "--power: must be a non-negative number, not inf"),
        ("--gamma", "nan", "--gamma: must be in (0, 1], not nan"),
        ("--l2", "1e308", "L2 weight decay must be in [0, 1e+06], not 1e+308"),
        ("--l1", "1e308", "L1 weight decay must be in [0, 1e+06]"),
        ("--epochs", str(10**30), "at most 1,000,000"),
        ("--epochs", LONG, "not a whole number of a usable size"),
        ("--learning-rate", LONG, "not a number of a usable size"),
        ("--layers", f"2,{LONG},2", "a layer size of 5,000 digits is far too large"),
    ],
    ids=["power nan", "power inf", "gamma nan", "l2 1e308", "l1 1e308", "epochs 10**30", "epochs 5000 digits",
         "lr 5000 digits", "layers 5000 digits"],
)  # fmt: skip
def test_values_no_run_could_use_are_one_line_before_training(capsys, option, value, message):
    """Issue 25: on the old code --power nan trained with a learning rate of NaN, --l2 1e308 made
    Adam's g² infinite so the weights never moved, --epochs 10**30 never ended, and a 5,000-digit
    number was a ValueError traceback (Python's int() limit)."""
    argv = ["train", "--data", "xor", "--layers", "2,3,2", "--schedule", "invscaling", "--epochs", "2", "-q"]
    try:
        code = main([*argv, option, value])
    except SystemExit as exc:  # argparse's usage error: exit 2, one line
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert out == ""


def test_the_python_run_checks_the_schedule_s_numbers_too():
    from chainrule.errors import ConfigError
    from chainrule.io.run import TrainingRun

    for bad in ({"power": float("nan")}, {"gamma": 0.0}, {"step_size": 0}, {"epochs": 10**30}, {"l2": 1e308}):
        with pytest.raises(ConfigError):
            TrainingRun("xor", [2, 3, 2], **bad)
