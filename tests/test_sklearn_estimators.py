"""The scikit-learn estimators: scikit-learn's own estimator checks, and real use."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import estimator_checks_generator

from chainrule.sklearn import MLPClassifier, MLPRegressor


def _checks():
    for estimator in (MLPClassifier(), MLPRegressor()):
        for est, check in estimator_checks_generator(estimator, legacy=True):
            name = getattr(check, "func", check).__name__
            if name == "check_array_api_input":  # we do not claim array-API support; sklearn skips it anyway
                continue
            yield pytest.param(est, check, id=f"{type(est).__name__}-{name}")


@pytest.mark.parametrize("estimator,check", list(_checks()))
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_classifier_on_iris():
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)
    assert cross_val_score(clf, X, y, cv=3).mean() >= 0.93
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert clf.n_iter_ >= 1 and len(clf.loss_curve_) == clf.n_iter_
    assert clf.transform_hidden(X).shape == (150, 16)


def test_string_labels_and_two_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=200, random_state=0).fit(X, y)
    assert set(clf.predict(X)) <= {"up", "down"} and clf.score(X, y) > 0.9


def test_partial_fit_continues_training():
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(hidden_layer_sizes=(16,), random_state=0, learning_rate_init=0.01)
    clf.partial_fit(X[:10], y[:10], classes=[0, 1, 2])  # first batch holds only class 0
    first = clf.score(X, y)
    for _ in range(150):
        clf.partial_fit(X, y)
    assert clf.score(X, y) > max(first, 0.9) and clf.n_iter_ == 151
    with pytest.raises(ValueError, match="classes"):
        MLPClassifier().partial_fit(X, y)


def test_regressor_in_a_pipeline_with_several_outputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X @ [1.0, 2.0, -1.0], np.sin(X[:, 0])])
    reg = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), batch_size=20, max_iter=200, random_state=0))
    reg.fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.9


def test_get_and_set_params():
    clf = MLPClassifier(hidden_layer_sizes=(5,))
    assert clf.get_params()["hidden_layer_sizes"] == (5,)
    clf.set_params(solver="sgd", momentum=0.5)
    assert clf.get_params()["solver"] == "sgd"
