"""The scikit-learn estimators: scikit-learn's own estimator checks, and real use."""

import warnings

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("sklearn", "scikit-learn's estimators and bundled datasets")

from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
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


def test_classifier_on_iris_scores_as_scikit_learns_own():
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    X, y = load_iris(return_X_y=True)
    ours = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=300, random_state=0)
    )
    theirs = make_pipeline(
        StandardScaler(),
        SkMLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=300, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(ours, X, y, cv=3)
        np.testing.assert_allclose(scores, cross_val_score(theirs, X, y, cv=3))
        assert scores.mean() >= 0.9
        clf = ours.fit(X, y)[-1]
    proba = ours.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert clf.n_iter_ >= 1 and len(clf.loss_curve_) == clf.n_iter_
    assert clf.transform_hidden(StandardScaler().fit_transform(X)).shape == (150, 16)


def test_string_labels_and_two_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")
    clf = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=200, random_state=0).fit(X, y)
    assert set(clf.predict(X)) <= {"up", "down"} and clf.score(X, y) > 0.9
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1 and clf.coefs_[1].shape == (8, 1)


def test_partial_fit_continues_training():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = MLPClassifier(hidden_layer_sizes=(16,), random_state=0, learning_rate_init=0.01)
    clf.partial_fit(X[:10], y[:10], classes=[0, 1, 2])  # first batch holds only class 0
    first = clf.score(X, y)
    for _ in range(150):
        clf.partial_fit(X, y)
    # scikit-learn's counters: n_iter_ counts the epochs of the last call, t_ every sample seen
    assert clf.score(X, y) > max(first, 0.9) and clf.n_iter_ == 1 and clf.t_ == 10 + 150 * 150
    with pytest.raises(ValueError, match="classes"):
        MLPClassifier().partial_fit(X, y)


def test_regressor_in_a_pipeline_with_several_outputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X @ [1.0, 2.0, -1.0], np.sin(X[:, 0])])
    reg = make_pipeline(
        StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), batch_size=20, max_iter=200, random_state=0)
    )
    reg.fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.9


def test_get_and_set_params():
    clf = MLPClassifier(hidden_layer_sizes=(5,))
    assert clf.get_params()["hidden_layer_sizes"] == (5,)
    clf.set_params(solver="sgd", momentum=0.5)
    assert clf.get_params()["solver"] == "sgd"


def test_a_network_over_the_parameter_limit_is_refused_before_any_weight_is_drawn():
    """Issue 25: sparse X of 3M columns (and the default 100 hidden units: 300M parameters) drew
    2.4 GB of initial weights on the old code before the 50M-parameter limit refused the network."""
    import tracemalloc

    import scipy.sparse as sp

    from chainrule.errors import ConfigError

    X = sp.csr_matrix((np.ones(20), (np.arange(20), np.arange(20) * 1000)), shape=(20, 3_000_000))
    y = np.arange(20) % 2
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="300,000,201 parameters is larger than the limit of 50,000,000"):
            MLPClassifier().fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 << 20, f"{peak:,} bytes allocated before refusing"
