"""Models on disk: JSON and npz round trips, atomic writes, and refusal of malformed files."""

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from chainrule.errors import FileFormatError
from chainrule.io import atomic
from chainrule.io.model_file import load_model, save_model
from chainrule.training.model import train


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    return train(X, y, [4], epochs=3, validation_split=0.2, feature_names=["a", "b", "c"], target_name="ok")


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_round_trip_is_exact(tmp_path, model, suffix):
    path = save_model(model, tmp_path / f"m{suffix}")
    back = load_model(path)
    for p, q in zip(model.network.parameters(), back.network.parameters()):
        assert np.array_equal(p, q) and p.dtype == q.dtype
    X = np.random.default_rng(1).normal(size=(10, 3))
    assert np.array_equal(model.predict_proba(X), back.predict_proba(X))
    assert back.classes.tolist() == ["no", "yes"] and back.feature_names == ["a", "b", "c"]
    assert back.history.series == model.history.series and back.target_name == "ok"


def test_regression_and_shared_frozen_biases_round_trip(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 2))
    m = train(X, X.sum(axis=1), [3], task="regression", bias="shared", train_biases=[True, False], epochs=2)
    back = load_model(save_model(m, tmp_path / "r.json"))
    assert [l.bias_mode for l in back.network.layers] == ["shared", "shared"]
    assert [l.train_bias for l in back.network.layers] == [True, False]
    assert np.array_equal(back.predict(X), m.predict(X))


def test_a_crash_mid_save_leaves_the_previous_file_intact(tmp_path, model, monkeypatch):
    path = save_model(model, tmp_path / "m.json")
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError):
        save_model(model, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]  # no temporary file left behind


def _write(tmp_path, data) -> str:
    p = tmp_path / "bad.json"
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return p


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.update(format="other"), "not a chainrule model"),
        (lambda d: d.update(version=99), "unsupported model version"),
        (lambda d: d.update(layers=[3, 0, 2]), "positive whole numbers"),
        (lambda d: d["weights"][0].pop(), "4x3|matrix"),
        (lambda d: d.update(activations=["relu", "bogus"]), "unknown activation"),
        (lambda d: d.update(classes=["no"]), "2 distinct class labels"),
        (lambda d: d.update(task="clustering"), "'task'"),
        (lambda d: d["scaler"].update(std=[1, 0, 1]), "std values must be positive"),
        (lambda d: d["weights"][1][0].__setitem__(0, float("nan")), "finite"),
        (lambda d: d.update(biases=None), "bias entries"),
    ],
)
def test_malformed_models_are_refused(tmp_path, model, change, message):
    data = json.loads((save_model(model, tmp_path / "ok.json")).read_text())
    change(data)
    with pytest.raises(FileFormatError, match=message) as info:
        load_model(_write(tmp_path, data))
    assert "\n" not in str(info.value)


def test_not_json_and_pickled_npz_are_refused(tmp_path):
    with pytest.raises(FileFormatError, match="not valid JSON"):
        load_model(_write(tmp_path, "{nope"))
    p = tmp_path / "evil.npz"
    np.savez(p, meta=np.array([{"format": "chainrule-model"}], dtype=object))
    with pytest.raises(FileFormatError):
        load_model(p)
    p.write_bytes(b"not a zip")
    with pytest.raises(FileFormatError):
        load_model(p)


def test_model_file_must_be_json_or_npz(tmp_path, model):
    with pytest.raises(FileFormatError, match=".json or .npz"):
        save_model(model, tmp_path / "m.pkl")


def test_atomic_writes_get_ordinary_file_permissions(tmp_path):
    import os

    from chainrule.io.atomic import _default_mode, write_text

    _default_mode.cache_clear()
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "page.html", "<p>hi</p>")
    finally:
        os.umask(umask)
        _default_mode.cache_clear()
    assert (tmp_path / "page.html").stat().st_mode & 0o777 == 0o644


# ----------------------------------------------------------------------------- issue 25: a FIFO with no writer
@pytest.mark.parametrize(
    "argv",
    [
        ["predict", "--model", "{fifo}.json", "--data", "iris"],
        ["evaluate", "--model", "{fifo}.npz", "--data", "iris"],
        ["explain", "{fifo}.json"],
        ["train", "--data", "{fifo}.csv", "--layers", "2,2"],
    ],
    ids=["predict --model", "evaluate --model .npz", "explain NETWORK", "train --data CSV"],
)
def test_a_named_pipe_that_nothing_writes_to_is_refused_at_once(tmp_path, argv):
    argv = [a.format(fifo=tmp_path / "pipe") for a in argv]
    os.mkfifo(next(a for a in argv if str(tmp_path) in a))
    r = subprocess.run(
        [sys.executable, "-m", "chainrule", *argv], capture_output=True, text=True, timeout=120
    )  # the old code waited in open() for a writer, forever
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert "named pipe that nothing writes to" in r.stderr or "needs a header row" in r.stderr


def test_a_named_pipe_with_a_writer_is_read_as_before(tmp_path, model):
    save_model(model, tmp_path / "m.json")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes((tmp_path / "m.json").read_bytes()), daemon=True)
    writer.start()  # blocks in open() until the reader comes: it counts as a writer from then on
    for _ in range(1000):
        try:
            back = load_model(fifo)
            break
        except FileFormatError as exc:  # the writer thread had not reached open() yet
            assert "nothing writes to" in str(exc)
            time.sleep(0.01)
    writer.join(10)
    assert back.classes.tolist() == ["no", "yes"]


# ----------------------------------------------------------------------------- issue 25: models that predict nonsense
def _edited(tmp_path, model, change, suffix=".json"):
    data = json.loads(save_model(model, tmp_path / "ok.json").read_text())
    change(data)
    return _write(tmp_path, data)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.update(dtype="float32") or d["weights"][0][0].__setitem__(0, 1e300), "too large for .* float32"),
        (lambda d: d["weights"][0][0].__setitem__(0, "0.1"), 'weights must be numbers, not "0.1"'),
        (lambda d: d["weights"][1][1].__setitem__(1, True), "weights must be numbers, not true"),
        (lambda d: d["biases"][0].__setitem__(0, "0.35"), 'biases \\(per_neuron\\) must be numbers, not "0.35"'),
        (lambda d: d["biases"].__setitem__(0, [0.35]), "layer 1's biases \\(per_neuron\\) must have shape 4, not 1"),
        (lambda d: d["activations"].__setitem__(1, "identity"), "must be sigmoid or softmax, not identity"),
        (lambda d: d["activations"].__setitem__(1, "relu"), "must be sigmoid or softmax, not relu"),
    ],
    ids=["float32 overflow", "weight as text", "weight as true", "bias as text", "short bias list", "identity", "relu"],
)  # fmt: skip
def test_a_model_that_would_predict_nonsense_is_refused_when_loaded(tmp_path, model, change, message):
    """On the old code each loaded: 1e300 became infinity in float32 (predict printed nan), "0.1" and
    true were read as numbers, [0.35] was broadcast to every neuron, identity and ReLU outputs
    printed negative or unbounded "probabilities"."""
    with pytest.raises(FileFormatError, match=message) as info:
        load_model(_edited(tmp_path, model, change))
    assert "\n" not in str(info.value)


def test_a_one_output_softmax_classifier_is_refused_when_loaded(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    one = train(X, y, [3], loss="binary_cross_entropy", epochs=1)  # one sigmoid output: fine
    assert one.network.sizes[-1] == 1 and one.network.layers[-1].activation.name == "sigmoid"
    data = json.loads(save_model(one, tmp_path / "one.json").read_text())
    data["activations"][-1] = "softmax"  # always 1: the old code predicted class 1 for every sample
    with pytest.raises(FileFormatError, match="softmax over one output is always 1"):
        load_model(_write(tmp_path, data))


def test_outputs_that_overflow_are_refused_not_printed_as_nan(tmp_path, capsys):
    from chainrule.cli import main
    from chainrule.core.network import Network
    from chainrule.errors import NumericalError
    from chainrule.training.model import Model

    net = Network(
        [1, 2, 2], ["relu", "softmax"], "cross_entropy", weights=[[[3e38], [3e38]], [[1.0, -1.0], [1.0, 1.0]]],
        biases=[[0.0, 0.0], [0.0, 0.0]], dtype="float32",
    )  # fmt: skip
    model = Model(net, "classification", classes=[0, 1], feature_names=["x"])
    with pytest.raises(NumericalError, match="not finite numbers for 1 of 2 sample"):
        model.predict([[0.5], [10.0]])  # 10 · 3e38 is infinity in float32; inf − inf is NaN
    save_model(model, tmp_path / "m.json")
    (tmp_path / "x.csv").write_text("x\n10\n")
    assert main(["predict", "--model", str(tmp_path / "m.json"), "--data", str(tmp_path / "x.csv")]) == 2
    assert "overflow float32" in capsys.readouterr().err


def test_inputs_too_large_for_a_float32_model_are_refused():
    from chainrule.errors import DataError

    X = np.random.default_rng(0).normal(size=(30, 2))
    m = train(X, (X[:, 0] > 0).astype(int), [3], dtype="float32", standardize=False, epochs=1)
    with pytest.raises(DataError, match=r"too large for the model's float32"):
        m.predict([[1e300, 0.0]])


# ----------------------------------------------------------------------------- issue 25: estimators
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # scikit-learn's ConvergenceWarning: few epochs
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_a_fitted_estimator_is_saved_as_the_model_it_is(tmp_path, suffix, capsys):
    """On the old code save_model(estimator, path) raised AttributeError: no attribute 'network'."""
    from support.tiers import need

    need("sklearn", "the estimators")
    import chainrule
    from chainrule.cli import main
    from chainrule.sklearn import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3)) * [1, 10, 100]
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0], [-0.5, 0.5])]
    clf = MLPClassifier((6,), standardize=True, max_iter=60, random_state=0).fit(X, y)
    back = chainrule.load_model(chainrule.save_model(clf, tmp_path / f"clf{suffix}"))
    assert back.predict(X).tolist() == clf.predict(X).tolist()
    assert np.array_equal(back.predict_proba(X), clf.predict_proba(X))
    assert back.info["estimator"] == "MLPClassifier" and back.history["loss"] == clf.loss_curve_
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=40, random_state=0).fit(X, X[:, :2])
    again = chainrule.load_model(chainrule.save_model(reg, tmp_path / f"reg{suffix}"))
    assert np.array_equal(again.predict(X), reg.predict(X)) and again.task == "regression"
    np.savetxt(tmp_path / "x.csv", X[:4], delimiter=",", header="x0,x1,x2", comments="")
    assert main(["predict", "--model", str(tmp_path / f"clf{suffix}"), "--data", str(tmp_path / "x.csv")]) == 0
    assert capsys.readouterr().out.split()[1:] == clf.predict(X[:4]).tolist()


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_what_a_model_file_cannot_hold_is_one_line_naming_what_to_use(tmp_path):
    from support.tiers import need

    need("sklearn", "the estimators")
    import chainrule
    from chainrule.errors import ConfigError
    from chainrule.sklearn import MLPClassifier, MLPRegressor

    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(ConfigError, match=r"not MLPClassifier \(fit it first\)"):
        chainrule.save_model(MLPClassifier(), tmp_path / "m.json")
    with pytest.raises(ConfigError, match="or a fitted chainrule.sklearn estimator, not dict"):
        chainrule.save_model({}, tmp_path / "m.json")
    poisson = MLPRegressor(loss="poisson", hidden_layer_sizes=(3,), max_iter=5).fit(X, np.abs(X[:, 0]))
    with pytest.raises(ConfigError, match="keep the estimator with joblib.dump"):
        chainrule.save_model(poisson, tmp_path / "m.json")
    multilabel = MLPClassifier((3,), max_iter=5).fit(X, np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int))
    with pytest.raises(ConfigError, match="label-indicator matrix; keep it with joblib.dump"):
        chainrule.save_model(multilabel, tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []
