"""Issue 20 (1): a training run is a library object. ``chainrule train`` and ``TrainingRun(...).run(...)``
give the same files, byte for byte, and the same lines; the run's safety (outputs checked before any
work, checkpoints kept, resumed or refused, the model saved first) holds for the Python call too."""

import json

import numpy as np
import pytest

import chainrule
from chainrule import ConfigError, FileFormatError, OutputError, Progress, TrainingRun
from chainrule.cli import main
from chainrule.data import Dataset
from chainrule.io import atomic
from chainrule.io import checkpoint as checkpoint_module
from chainrule.io.checkpoint import checkpoint_path, load_checkpoint
from chainrule.io.model_file import load_model
from chainrule.training.progress import Report

# circles: 200 samples, so a held-out part, a validation part, dropout and shuffling all draw from the seed
SETTINGS = dict(
    layers=[2, 8, 2],
    validation_split=0.2,
    dropout=0.1,
    optimizer="momentum",
    learning_rate=0.05,
    schedule="step",
    step_size=2,
    epochs=5,
    batch_size=16,
    l2=0.001,
    seed=4,
)
ARGV = [
    *("train", "--data", "circles", "--layers", "2,8,2", "--validation-split", "0.2", "--dropout", "0.1"),
    *("--optimizer", "momentum", "--lr", "0.05", "--schedule", "step", "--step-size", "2", "--epochs", "5"),
    *("--batch-size", "16", "--l2", "0.001", "--seed", "4"),
]


def _outputs(folder, model_name="m.json"):
    return folder / model_name, folder / "h.json", folder / "ck"


def _files(folder, model_name="m.json"):
    model, history, ck = _outputs(folder, model_name)
    return {
        name: path.read_bytes()
        for name, path in (("model", model), ("history", history), ("ck", ck / "checkpoint.npz"))
    }


@pytest.mark.parametrize("model_name", ["m.json", "m.npz"])
def test_the_command_and_the_python_call_write_the_same_files_and_lines(tmp_path, capsys, model_name):
    (tmp_path / "cli").mkdir()
    (tmp_path / "py").mkdir()
    model, history, ck = _outputs(tmp_path / "cli", model_name)
    assert main([*ARGV, "--save", str(model), "--history", str(history), "--checkpoint", str(ck)]) == 0
    cli_out = capsys.readouterr().out

    model, history, ck = _outputs(tmp_path / "py", model_name)
    trained = TrainingRun("circles", **SETTINGS).run(save=model, history=history, checkpoint=ck, progress=Progress())
    py_out = capsys.readouterr().out

    cli_files, py_files = _files(tmp_path / "cli", model_name), _files(tmp_path / "py", model_name)
    assert cli_files.keys() == py_files.keys() and all(len(b) > 100 for b in cli_files.values())
    for name in cli_files:
        assert cli_files[name] == py_files[name], name
    assert py_out.replace(str(tmp_path / "py"), "DIR") == cli_out.replace(str(tmp_path / "cli"), "DIR")
    assert "circles: 150 training samples (30 of them for validation), 50 held out" in py_out
    assert [line.split()[1] for line in py_out.splitlines() if line.startswith("epoch")] == [
        f"{e}/5" for e in range(1, 6)
    ]
    assert (
        trained.info["data"] == "circles" and trained.info["test_size"] == 0.25 and "accuracy" in trained.info["test"]
    )


def test_a_python_run_stopped_by_ctrl_c_is_resumed_by_the_command_to_the_same_result(tmp_path, capsys, monkeypatch):
    TrainingRun("circles", **SETTINGS).run(save=tmp_path / "whole.json")

    save = checkpoint_module.Checkpoint.on_epoch_end

    def save_then_interrupt(self, trainer, epoch, logs):
        save(self, trainer, epoch, logs)
        if trainer.epoch == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint_module.Checkpoint, "on_epoch_end", save_then_interrupt)
    run = TrainingRun("circles", **SETTINGS)
    with pytest.raises(KeyboardInterrupt):
        run.run(save=tmp_path / "resumed.json", checkpoint=tmp_path / "ck", progress=Progress())
    assert run.trainer.epoch == 2 and load_checkpoint(tmp_path / "ck")["epoch"] == 2
    err = capsys.readouterr().err
    assert "stopped after epoch 2; continue with the same call and resume=True" in err
    assert not (tmp_path / "resumed.json").exists()
    monkeypatch.setattr(checkpoint_module.Checkpoint, "on_epoch_end", save)

    code = main([*ARGV, "--checkpoint", str(tmp_path / "ck"), "--resume", "--save", str(tmp_path / "resumed.json")])
    assert code == 0 and "resuming from" in capsys.readouterr().out
    assert (tmp_path / "resumed.json").read_bytes() == (tmp_path / "whole.json").read_bytes()


def test_layers_as_text_and_as_a_list_are_the_same_run(tmp_path):
    as_list = TrainingRun("xor", [2, 3, 2], epochs=2)
    as_text = TrainingRun("xor", "2-3-2", epochs=2)
    assert as_list.settings() == as_text.settings() and as_text.settings()["layers"] == "2,3,2"


def test_a_dataset_of_your_own_arrays_trains_and_is_recorded_by_its_name(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    data = Dataset("mine", X, (X[:, 0] > 0).astype(int), "classification")
    model = TrainingRun(data, [3, 4, 2], epochs=3).run(save=tmp_path / "m.json")
    assert load_model(tmp_path / "m.json").info["data"] == "mine" and model.info["test_size"] == 0.25


# ----------------------------------------------------------------------------- safety, as a Python user meets it
def test_outputs_are_checked_before_the_data_are_read(tmp_path):
    run = TrainingRun("no-such-data", [2, 2])  # reading it would fail: the output's error comes first
    with pytest.raises(OutputError, match="^save /nonexistent/m.json: the folder /nonexistent does not exist$"):
        run.run(save="/nonexistent/m.json")
    with pytest.raises(OutputError, match="^history "):
        run.run(history=tmp_path / "no" / "h.json")
    with pytest.raises(ConfigError, match="^save m.txt: a model file must end in .json or .npz$"):
        run.run(save="m.txt")
    with pytest.raises(ConfigError, match="save and history both name"):
        run.run(save=tmp_path / "x.json", history=tmp_path / "x.json")
    with pytest.raises(ConfigError, match="^resume needs checkpoint DIR"):
        run.run(resume=True)
    with pytest.raises(ConfigError, match="^resume continues the checkpoint and overwrite replaces it"):
        run.run(checkpoint=tmp_path / "ck", resume=True, overwrite=True)
    assert run.model is None and list(tmp_path.iterdir()) == []


def test_a_json_model_too_large_is_refused_before_training():
    with pytest.raises(ConfigError, match=r"too large for JSON \(limit 200,000\); save it as .npz"):
        TrainingRun("no-such-data", [2, 600, 600, 2]).run(save="big.json")


def test_settings_are_checked_when_the_run_is_made():
    with pytest.raises(ConfigError, match="layers must be whole numbers"):
        TrainingRun("xor", "2,x")
    with pytest.raises(ConfigError, match="test size"):
        TrainingRun("xor", [2, 2], test_size=1.5)
    with pytest.raises(ConfigError, match="seed"):
        TrainingRun("xor", [2, 2], seed=-1)
    with pytest.raises(ConfigError, match="schedule"):
        TrainingRun("xor", [2, 2], schedule="sometimes")
    with pytest.raises(ConfigError, match="float64 or float32"):
        TrainingRun("xor", [2, 2], dtype="float16")
    with pytest.raises(ConfigError, match="so layers must start with 2, not 3$"):
        TrainingRun("xor", [3, 2]).run()


def test_a_checkpoint_is_kept_unless_resumed_or_overwritten(tmp_path):
    ck = tmp_path / "ck"
    TrainingRun("xor", [2, 3, 2], epochs=2).run(checkpoint=ck)
    before = checkpoint_path(ck).read_bytes()
    with pytest.raises(ConfigError, match="already holds a checkpoint: add resume to continue it, or overwrite"):
        TrainingRun("xor", [2, 3, 2], epochs=2).run(checkpoint=ck)
    assert checkpoint_path(ck).read_bytes() == before
    with pytest.raises(FileFormatError, match=r"other settings \(epochs\)"):
        TrainingRun("xor", [2, 3, 2], epochs=3).run(checkpoint=ck, resume=True)
    TrainingRun("xor", [2, 3, 2], epochs=3).run(checkpoint=ck, overwrite=True)
    assert load_checkpoint(ck)["epoch"] == 3


def test_a_damaged_checkpoint_is_one_file_format_error(tmp_path):
    ck = tmp_path / "ck"
    TrainingRun("xor", [2, 3, 2], epochs=2).run(checkpoint=ck)
    data = checkpoint_path(ck).read_bytes()
    checkpoint_path(ck).write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="checkpoint.npz"):
        TrainingRun("xor", [2, 3, 2], epochs=2).run(checkpoint=ck, resume=True)


def test_a_state_the_trainer_cannot_take_is_a_damaged_checkpoint(tmp_path, monkeypatch):
    ck = tmp_path / "ck"
    TrainingRun("xor", [2, 3, 2], epochs=2).run(checkpoint=ck)
    real = checkpoint_module.load_checkpoint

    def without_rng_state(*args, **kw):
        state = real(*args, **kw)
        state["rng"] = {"bit_generator": "PCG64", "state": {}}  # passes the file's checks, not the generator's
        return state

    monkeypatch.setattr(checkpoint_module, "load_checkpoint", without_rng_state)
    with pytest.raises(FileFormatError, match="damaged checkpoint"):
        TrainingRun("xor", [2, 3, 2], epochs=2).run(checkpoint=ck, resume=True)


def test_the_model_is_saved_first_and_the_error_says_so(tmp_path, monkeypatch):
    real = atomic.write_text

    def failing(path, text):
        if str(path).endswith("h.json"):
            raise OutputError(f"cannot write {path}: No space left on device")
        real(path, text)

    monkeypatch.setattr(atomic, "write_text", failing)
    with pytest.raises(OutputError, match=r"No space left on device \(the model to .*m\.json saved\)$"):
        TrainingRun("xor", [2, 3, 2], epochs=2).run(save=tmp_path / "m.json", history=tmp_path / "h.json")
    assert load_model(tmp_path / "m.json").network.sizes == [2, 3, 2]


# ----------------------------------------------------------------------------- what the user is told
class _Lines(Report):
    def __init__(self):
        self.lines = []

    def note(self, line):
        self.lines.append(("note", line))

    def result(self, line):
        self.lines.append(("result", line))

    def on_epoch_end(self, trainer, epoch, logs):
        self.lines.append(("epoch", epoch + 1))


def test_a_report_hears_the_run_in_order_and_the_default_is_silent(tmp_path, capsys):
    report = _Lines()
    TrainingRun("circles", [2, 4, 2], epochs=3).run(save=tmp_path / "m.json", progress=report)
    assert [kind for kind, _ in report.lines] == ["note", "epoch", "epoch", "epoch", "result", "note"]
    assert report.lines[0][1].startswith("circles: 150 training samples, 50 held out; network 2-4-2")
    assert report.lines[4][1].startswith("test accuracy ")
    assert report.lines[5][1] == f"saved the model to {tmp_path / 'm.json'}"
    TrainingRun("xor", [2, 3, 2], epochs=2).run(save=tmp_path / "quiet.json")
    assert capsys.readouterr() == ("", "")


def test_early_stopping_is_told_after_the_last_epoch(tmp_path):
    report = _Lines()
    run = TrainingRun("circles", [2, 4, 2], epochs=40, learning_rate=0.5, validation_split=0.2, early_stopping=1)
    run.run(progress=report)
    kept = [i for i, (kind, line) in enumerate(report.lines) if kind == "note" and line.startswith("kept the weights")]
    epochs = [i for i, (kind, _) in enumerate(report.lines) if kind == "epoch"]
    assert run.trainer.stop_training and len(epochs) < 40  # it did stop early
    assert kept == [epochs[-1] + 1]
    assert report.lines[kept[0]][1] == f"kept the weights of epoch {run.trainer.best_epoch + 1} (the best val_loss)"


def test_the_run_is_exported_lazily_and_documented():
    assert chainrule.TrainingRun is TrainingRun and "TrainingRun" in chainrule.__all__
    assert "Parameters" in TrainingRun.__doc__ and "Parameters" in TrainingRun.run.__doc__
    assert json.loads(json.dumps(TrainingRun("xor", [2, 2]).settings()))["data"] == "xor"


def test_the_commands_defaults_are_the_runs():
    from chainrule.cli import build_parser
    from chainrule.cli.train import SETTINGS

    args = build_parser("train").parse_args(["train", "--data", "wine", "--layers", "13,32,3"])
    from_the_command = TrainingRun(args.data, args.layers, **{name: getattr(args, name) for name in SETTINGS})
    assert from_the_command.settings() == TrainingRun("wine", [13, 32, 3]).settings()
    assert set(SETTINGS) | {"data", "layers"} == set(TrainingRun("wine", [13, 32, 3]).settings())
