"""Issue 25: the estimators convert to ONNX through skl2onnx, and onnxruntime agrees with them.

On the old code ``skl2onnx.to_onnx`` refused our estimators (``MissingShapeCalculator``) where it
converts scikit-learn's own MLPs; and an estimator fitted with ``standardize=True``, converted
after a manual registration of scikit-learn's converter, lost its scaling silently.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("sklearn", "the estimators and iris")
skl2onnx = need("skl2onnx", "the ONNX converters")
ort = need("onnxruntime", "running the converted graphs")

from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from chainrule.errors import ConfigError
from chainrule.interop.onnx import register, to_onnx
from chainrule.sklearn import MLPClassifier, MLPRegressor

X, Y = load_iris(return_X_y=True)
X = X * [1, 10, 100, 1000]  # columns of very different scales: standardising matters
NAMES = np.array(["setosa", "versicolor", "virginica"])


def _fit(estimator, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _run(onx, inputs):
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: inputs})


LABELS = {"integers": Y, "text": NAMES[Y], "two classes": (Y == 1).astype(int)}


@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("precision", [np.float32, np.float64])
def test_onnxruntime_agrees_with_predict_and_predict_proba(labels, standardize, precision):
    y = LABELS[labels]
    clf = _fit(MLPClassifier((8, 5), activation=["tanh", "leaky_relu"], standardize=standardize, max_iter=150,
                             random_state=0), y)  # fmt: skip
    label, proba = _run(to_onnx(clf, X[:1].astype(precision), options={"zipmap": False}), X.astype(precision))
    assert label.tolist() == clf.predict(X).tolist()  # every label
    tolerance = 1e-12 if precision is np.float64 else 1e-5
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=tolerance, atol=tolerance)


def test_skl2onnx_s_own_entry_point_converts_after_register_and_zipmap_is_a_list_of_dicts():
    clf = _fit(MLPClassifier((6,), standardize=True, max_iter=100, random_state=0), NAMES[Y])
    register()
    register()  # again: nothing changes
    label, maps = _run(skl2onnx.to_onnx(clf, X[:1].astype(np.float32)), X[:5].astype(np.float32))
    assert label.tolist() == clf.predict(X[:5]).tolist()
    assert [sorted(m) for m in maps] == [sorted(NAMES)] * 5
    np.testing.assert_allclose([[m[c] for c in clf.classes_] for m in maps], clf.predict_proba(X[:5]), atol=1e-5)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_a_regressor_of_one_or_several_outputs_converts(loss):
    target = np.abs(X[:, :2]) / 1000 if loss == "poisson" else X[:, :2]
    reg = _fit(MLPRegressor(loss=loss, hidden_layer_sizes=(6,), standardize=True, max_iter=100, random_state=0), target)
    (values,) = _run(to_onnx(reg, X[:1]), X)
    np.testing.assert_allclose(values, reg.predict(X), rtol=1e-12, atol=1e-12)
    one = _fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0), X[:, 0])
    (values,) = _run(to_onnx(one, X[:1]), X)
    assert values.shape == (len(X), 1)
    np.testing.assert_allclose(values[:, 0], one.predict(X), rtol=1e-12, atol=1e-12)


def test_a_pipeline_holding_an_estimator_converts_whole():
    pipe = make_pipeline(StandardScaler(), MLPClassifier((6,), max_iter=100, random_state=0))
    _fit(pipe, Y)
    register()
    label, proba = _run(skl2onnx.to_onnx(pipe, X[:1], options={"zipmap": False}), X)
    assert label.tolist() == pipe.predict(X).tolist()
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-10, atol=1e-12)


def test_what_has_no_onnx_form_is_one_line():
    multilabel = _fit(MLPClassifier((4,), max_iter=20, random_state=0), np.eye(3, dtype=int)[Y])
    with pytest.raises(ConfigError, match="multilabel"):
        to_onnx(multilabel, X[:1])
    from chainrule.core import ACTIVATIONS, Activation, register_activation

    @register_activation
    class Softsign(Activation):
        """out = net / (1 + |net|): registered at run time, with no ONNX operator here."""

        name = "softsign_onnx_test"
        text, latex, derivative_text, derivative_latex = "<x>", "<x>", "1", "1"

        def torch_module(self, nn):
            return nn.Softsign()

        def forward(self, net, into=None):
            return np.divide(net, 1.0 + np.abs(net), out=into)

        def derivative(self, out, net, into=None):
            return np.square(1.0 - np.abs(out), out=into)

    try:
        custom = _fit(MLPClassifier((4,), activation="softsign_onnx_test", max_iter=20, random_state=0), Y)
        with pytest.raises(ConfigError, match="'softsign_onnx_test' has no ONNX form"):
            to_onnx(custom, X[:1])
    finally:
        ACTIVATIONS.unregister("softsign_onnx_test")


def test_without_skl2onnx_the_message_names_the_extra():
    code = (
        "import sys\nsys.modules['skl2onnx'] = None\n"
        "from chainrule.interop.onnx import register\n"
        "from chainrule.errors import ChainruleError\n"
        "try:\n    register()\nexcept ChainruleError as exc:\n    print(exc, file=sys.stderr); sys.exit(2)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "pip install 'chainrule[onnx]'" in proc.stderr
