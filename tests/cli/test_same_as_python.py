"""Issue 20 (1): a command only parses, calls the library and prints, so the Python call gives the
same files and numbers: predict, evaluate, exercise, diagram and example's history."""

import json

import numpy as np
import pytest

import chainrule
from chainrule import ConfigError, DataError, TrainingRun
from chainrule.api import diagram, save_exercise
from chainrule.cli import main
from chainrule.io.history_file import save_history
from chainrule.io.model_data import features, labelled, predictions_csv


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def circles_model(tmp_path):
    path = tmp_path / "m.json"
    TrainingRun("circles", [2, 6, 2], epochs=3, learning_rate=0.05).run(save=path)
    return path


def test_predict_writes_what_predictions_csv_gives(tmp_path, capsys, circles_model):
    data = tmp_path / "new.csv"
    data.write_text("label,x2,x1\n0,0.1,0.2\n1,1.4,-1.2\n")  # another column order, a target column too
    assert (
        _run(capsys, "predict", "--model", circles_model, "--data", data, "--proba", "-o", tmp_path / "p.csv")[0] == 0
    )
    model = chainrule.load_model(circles_model)
    X = features(model, str(data))
    assert np.array_equal(X, [[0.2, 0.1], [-1.2, 1.4]])  # by the model's feature names
    assert (tmp_path / "p.csv").read_text() == predictions_csv(model, X, proba=True)
    assert predictions_csv(model, X).splitlines()[0] == "prediction"


def test_evaluate_scores_the_part_the_run_held_out(capsys, circles_model):
    model = chainrule.load_model(circles_model)
    X, y, split = labelled(model, "circles")
    assert split and len(X) == 50 and model.evaluate(X, y) == model.info["test"]  # the run's own held-out score
    code, out, _ = _run(capsys, "evaluate", "--model", circles_model, "--data", "circles", "--json")
    assert code == 0 and json.loads(out) == {"samples": 50, **model.info["test"]}
    X_all, _, split = labelled(model, "circles", held_out=False)
    assert not split and len(X_all) == 200


def test_a_csv_without_a_known_target_is_one_line(tmp_path):
    model = chainrule.train([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1], hidden=[2], epochs=1)  # no target name
    data = tmp_path / "d.csv"
    data.write_text("x\n1\n")
    with pytest.raises(DataError, match=r"^say which CSV column holds the true values \(target COLUMN\)$"):
        labelled(model, str(data))


def test_exercise_writes_what_save_exercise_writes(tmp_path, capsys):
    assert _run(capsys, "exercise", "--seed", 5, "--out", tmp_path / "cli")[0] == 0
    folder = save_exercise(chainrule.exercise(5), tmp_path / "py")
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in (tmp_path / "cli").iterdir())
    for path in folder.iterdir():
        assert path.read_bytes() == (tmp_path / "cli" / path.name).read_bytes()
    (folder / "answers.txt").write_text("net_h1 = 0.5\n")
    with pytest.raises(ConfigError, match="not replacing them .* without force=True$"):
        save_exercise(chainrule.exercise(5), folder)
    assert (folder / "answers.txt").read_text() == "net_h1 = 0.5\n"


def test_diagram_writes_what_the_python_call_draws(tmp_path, capsys):
    code, out, _ = _run(capsys, "diagram", "--step", "--title", "t", "-o", tmp_path / "cli.svg")
    network = diagram(output=tmp_path / "py.svg", step=True, title="t")
    assert code == 0 and out == f"wrote {tmp_path / 'cli.svg'} (2-2-2 network, one step annotated)\n"
    assert network.sizes == [2, 2, 2]
    assert (tmp_path / "cli.svg").read_text() == (tmp_path / "py.svg").read_text()
    with pytest.raises(ConfigError, match="cannot draw a diagram as .txt"):
        diagram(output=tmp_path / "d.txt")


def test_example_history_is_the_examples_history_saved(tmp_path, capsys):
    assert _run(capsys, "example", "--iterations", 5, "--history", tmp_path / "cli.json")[0] == 0
    example = chainrule.run_example(5)
    save_history(example.history, tmp_path / "py.json")
    assert (tmp_path / "cli.json").read_bytes() == (tmp_path / "py.json").read_bytes()
    saved = json.loads((tmp_path / "py.json").read_text())
    assert saved["unit"] == "iteration" and saved["loss"] == example.losses and len(saved["loss"]) == 6
