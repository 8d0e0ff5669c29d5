"""Our MLPs against scikit-learn's own, number for number, and the bugs of issue 13.

With the same ``random_state`` both start from the same weights (scikit-learn's initialisation),
see the samples in the same order and stop by the same rule, so every fitted number must agree
to rounding — ``loss_curve_``, ``coefs_``, ``n_iter_``, the early-stopping scores.  Data: the
digits, iris and diabetes sets shipped with scikit-learn.
"""

import pickle
import warnings

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("scipy", "sparse matrices (scikit-learn's own dependency)")
need("sklearn", "scikit-learn's estimators and bundled datasets")

import scipy.sparse as sp
from sklearn.datasets import load_diabetes, load_digits, load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkClassifier
from sklearn.neural_network import MLPRegressor as SkRegressor
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils import shuffle as sk_shuffle
from sklearn.utils._param_validation import Interval, InvalidParameterError

from chainrule import ChainruleError, Network
from chainrule.core.constraints import CONSTRAINTS
from chainrule.core.optimizers import SGD
from chainrule.errors import ConfigError, DivergedError
from chainrule.interop.sklearn.stochastic import ScikitLearnSGD
from chainrule.sklearn import MLPClassifier, MLPRegressor

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits[:400] / 16.0
y_digits = y_digits[:400]
X_bin, y_bin = load_digits(n_class=2, return_X_y=True)
X_bin, y_bin = MinMaxScaler().fit_transform(X_bin[:200])[:100], y_bin[:100]
X_dia, y_dia = load_diabetes(return_X_y=True)
X_dia, y_dia = StandardScaler().fit_transform(X_dia)[:300], (y_dia[:300] - 150) / 80
X_ml, Y_ml = make_multilabel_classification(n_samples=80, random_state=0, return_indicator=True)


def _both(ours, theirs, X, y, **fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ours.fit(X, y, **fit), theirs.fit(X, y, **fit)


def _same_fit(a, b, rtol=1e-9):
    assert a.n_iter_ == b.n_iter_
    for name in ("loss_curve_", "validation_scores_"):
        if hasattr(b, name) and getattr(b, name) is not None:
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(a.loss_, b.loss_, rtol=rtol)
    for ours, theirs in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-8)
    for name in ("t_", "n_layers_", "n_outputs_", "out_activation_", "best_loss_", "best_validation_score_"):
        if hasattr(b, name):
            expected = getattr(b, name)  # out_activation_ is a name; newer pytest refuses approx on text
            if isinstance(expected, str) or expected is None:
                assert getattr(a, name) == expected, name
            else:
                assert getattr(a, name) == pytest.approx(expected, rel=rtol), name


CLASSIFIER_CASES = {
    "adam": dict(),
    "sgd-nesterov": dict(solver="sgd", learning_rate_init=0.05),
    "sgd-momentum": dict(solver="sgd", nesterovs_momentum=False, momentum=0.5),
    "sgd-momentum-1": dict(solver="sgd", nesterovs_momentum=False, momentum=1.0, learning_rate_init=0.001),
    "sgd-nesterov-1": dict(solver="sgd", momentum=1.0, learning_rate_init=0.001),
    "sgd-invscaling": dict(solver="sgd", momentum=0, learning_rate="invscaling", learning_rate_init=0.5, power_t=0.3),
    "sgd-adaptive": dict(solver="sgd", learning_rate="adaptive", tol=0.05, n_iter_no_change=2),
    "early-stopping": dict(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3),
    "alpha-10": dict(alpha=10.0),
    "batch-7-tanh-2-layers": dict(batch_size=7, activation="tanh", hidden_layer_sizes=(12, 7)),
    "logistic-no-shuffle": dict(activation="logistic", shuffle=False),
    "lbfgs": dict(solver="lbfgs", max_iter=30),
}


@pytest.mark.parametrize("case", list(CLASSIFIER_CASES))
def test_classifier_fits_the_same_numbers_as_scikit_learn(case):
    params = {**dict(hidden_layer_sizes=(20,), random_state=3, max_iter=25), **CLASSIFIER_CASES[case]}
    a, b = _both(MLPClassifier(**params), SkClassifier(**params), X_digits, y_digits)
    _same_fit(a, b, rtol=1e-6 if case == "lbfgs" else 1e-9)
    np.testing.assert_array_equal(a.predict(X_digits), b.predict(X_digits))
    np.testing.assert_allclose(a.predict_proba(X_digits), b.predict_proba(X_digits), rtol=1e-6, atol=1e-9)


REGRESSOR_CASES = {
    "adam": (dict(), None),
    "sgd": (dict(solver="sgd", learning_rate_init=0.01), None),
    "two-outputs": (dict(), "two"),
    "poisson-lbfgs": (dict(loss="poisson", solver="lbfgs", max_iter=40), "counts"),
    "sample-weight": (dict(batch_size=32), "weights"),
    "float32": (dict(), "float32"),
}


@pytest.mark.parametrize("case", list(REGRESSOR_CASES))
def test_regressor_fits_the_same_numbers_as_scikit_learn(case):
    extra, data = REGRESSOR_CASES[case]
    X, y, fit = X_dia, y_dia, {}
    if data == "two":
        y = np.column_stack([y_dia, np.sin(3 * y_dia)])
    elif data == "counts":
        y = np.random.default_rng(0).poisson(np.exp(0.5 * X_dia[:, 2] + 1.0)).astype(float)
    elif data == "weights":
        fit = dict(sample_weight=np.random.default_rng(1).uniform(0.2, 3.0, len(y)))
    elif data == "float32":
        X, y = X.astype(np.float32), y.astype(np.float32)
    params = {**dict(hidden_layer_sizes=(16,), random_state=5, max_iter=30), **extra}
    a, b = _both(MLPRegressor(**params), SkRegressor(**params), X, y, **fit)
    _same_fit(a, b, rtol=1e-4 if data == "float32" else (1e-6 if "lbfgs" in case else 1e-9))
    assert a.predict(X).dtype == b.predict(X).dtype
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-4, atol=1e-6)


def test_sparse_and_multilabel_and_float32_match_scikit_learn():
    params = dict(hidden_layer_sizes=(10,), random_state=0, max_iter=15)
    a, b = _both(MLPClassifier(**params), SkClassifier(**params), sp.csr_matrix(X_digits), y_digits)
    _same_fit(a, b)
    a, b = _both(MLPClassifier(**params), SkClassifier(**params), X_ml, Y_ml)
    _same_fit(a, b)
    assert a.predict(X_ml).shape == Y_ml.shape and a.out_activation_ == "logistic"
    a, b = _both(MLPClassifier(**params), SkClassifier(**params), X_digits.astype(np.float32), y_digits)
    assert a.coefs_[0].dtype == np.float32 and a.predict_proba(X_digits.astype(np.float32)).dtype == np.float32
    _same_fit(a, b, rtol=1e-4)


def test_the_shuffle_order_is_scikit_learns():
    from chainrule.interop.sklearn.stochastic import shuffled

    idx = np.arange(37)[::-1].copy()
    np.testing.assert_array_equal(
        shuffled(idx, np.random.RandomState(4)), sk_shuffle(idx, random_state=np.random.RandomState(4))
    )


# ------------------------------------------------------------------------- issue 13's bugs
def test_stopping_rule_is_scikit_learns():
    # issue 13: binary digits, sgd, tol=0.01 stopped after 51/82/93 epochs (scikit-learn: 4/7/12)
    for patience in (2, 5, 10):
        params = dict(tol=0.01, max_iter=3000, solver="sgd", n_iter_no_change=patience, random_state=0)
        a, b = _both(MLPClassifier(**params), SkClassifier(**params), X_bin, y_bin)
        assert a.n_iter_ == b.n_iter_ < 60 and a._no_improvement_count == patience + 1


def test_loss_curve_includes_the_l2_term():
    # issue 13: alpha=10 gave 0.91 (data loss only) where scikit-learn reports 8.71
    params = dict(alpha=10.0, hidden_layer_sizes=(30,), max_iter=3, random_state=0)
    a, b = _both(MLPClassifier(**params), SkClassifier(**params), X_bin, y_bin)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-10)
    squares = sum((c**2).sum() for c in a.coefs_)
    assert a.loss_curve_[-1] > 0.5 * 10.0 * squares / len(X_bin)  # the penalty alone is part of it


def test_invscaling_is_sgd_only_and_counts_samples():
    X, y = X_bin[:40], y_bin[:40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        adam = MLPClassifier(learning_rate="invscaling", max_iter=3, random_state=0).fit(X, y)
        sgd = MLPClassifier(solver="sgd", learning_rate="invscaling", power_t=0.25, max_iter=3, random_state=0).fit(
            X, y
        )
    assert adam._optimizer.learning_rate == 0.001  # adam ignores the schedule, as scikit-learn's does
    assert sgd._optimizer.learning_rate == pytest.approx(0.001 / (3 * 40 + 1) ** 0.25)  # η₀ / (t + 1)^p


def test_partial_fit_with_a_first_batch_of_one_class():
    # issue 13: "DataError: 2 training samples but 3 targets"; a later different `classes` was ignored
    clf = MLPClassifier(random_state=0).partial_fit([[1.0, 2.0]], [0], classes=[0, 1])
    assert list(clf.classes_) == [0, 1] and clf.predict([[1.0, 2.0]]).shape == (1,)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit([[1.0, 2.0]], [0], classes=[1, 2])
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit([[1.0, 2.0]], [5])
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")


@pytest.mark.parametrize(
    "bad",
    [
        dict(max_iter=0),
        dict(batch_size=0),
        dict(batch_size=-3),
        dict(batch_size=2.5),
        dict(alpha="x"),
        dict(learning_rate="bogus"),
        dict(momentum=1.5),
        dict(shuffle="no"),
        dict(solver="newton"),
        dict(n_iter_no_change=0),
        dict(validation_fraction=1.0),
        dict(activation="softmax"),
        dict(dropout=1.0),
        dict(dtype="float16"),
        dict(class_weight="some"),
        dict(beta_1=1.0),
        dict(epsilon=0.0),
        dict(max_fun=0),
    ],
)
def test_bad_parameters_raise_scikit_learns_error(bad):
    with pytest.raises(InvalidParameterError, match=f"'{next(iter(bad))}' parameter"):
        MLPClassifier(**bad).fit(X_bin[:10], y_bin[:10])


FINITE_PROBES = [-1.0, -1e-12, 0.0, 1e-12, 0.5, 1.0 - 1e-12, 1.0, 1.0 + 1e-12, 2.0, 1e9, float("nan")]


@pytest.mark.parametrize(
    "row, entry",
    [
        ("momentum", "sklearn_momentum"),
        ("beta_1", "beta1"),
        ("beta_2", "beta2"),
        ("epsilon", "epsilon"),
        ("learning_rate_init", "learning_rate"),
        ("dropout", "dropout"),
    ],
)
def test_the_estimators_rows_accept_what_the_engines_table_accepts(row, entry):
    """What the estimator's validation lets through (scikit-learn's own rows; ``dropout``, our extra, built
    from the table) is what the engine's table accepts when the optimizer is built, and no more."""
    sk_row = next(c for c in MLPClassifier._parameter_constraints[row] if isinstance(c, Interval))
    for value in FINITE_PROBES:
        try:
            ours = CONSTRAINTS[entry](value) == value
        except ConfigError:
            ours = False
        assert sk_row.is_satisfied_by(value) == ours, (row, value)


def test_momentum_1_goes_through_the_table_as_the_optimizer_is_built():
    """scikit-learn allows μ = 1 (the velocity never decays): the sgd solver builds its optimizer with
    it, checked against the table's scikit-learn entry; the engine's own optimizers keep μ < 1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(solver="sgd", momentum=1, learning_rate_init=0.001, max_iter=2).fit(X_bin, y_bin)
    assert type(clf._optimizer) is ScikitLearnSGD and clf._optimizer.momentum == 1.0
    assert clf._optimizer.nesterov and clf._optimizer.name == "nesterov"
    with pytest.raises(ConfigError, match=r"^momentum must be in \[0, 1\], not 1.5$"):
        ScikitLearnSGD(0.1, momentum=1.5)
    with pytest.raises(ConfigError, match=r"^momentum must be in \[0, 1\), not 1.0$"):
        SGD(0.1, momentum=1.0)


def test_each_dropout_rate_is_checked_by_the_table():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ConfigError, match=r"^dropout probability must be in \[0, 1\), not 1.0$"):
        MLPClassifier(hidden_layer_sizes=(4, 3), dropout=[0.2, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match="list of 2"):
        MLPClassifier(hidden_layer_sizes=(4, 3), dropout=[0.2]).fit(X, y)


def test_divergence_raises_a_value_error_that_is_also_ours():
    X = np.finfo(np.float64).max * np.random.default_rng(0).uniform(size=(10, 2))
    with pytest.raises(DivergedError, match="non-finite parameter weights") as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPRegressor(max_iter=5).fit(X, np.arange(10.0))
    assert isinstance(info.value, ValueError) and isinstance(info.value, ChainruleError)


def test_convergence_warning_at_max_iter():
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        MLPClassifier(max_iter=3, random_state=0).fit(X_bin, y_bin)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        MLPClassifier(solver="lbfgs", max_iter=2, random_state=0).fit(X_bin, y_bin)


# ------------------------------------------------------------------ coefs_ are the engine's
def test_coefs_are_views_of_the_network_and_survive_pickling():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X_bin, y_bin)
    assert isinstance(clf.network_, Network)
    for coef, bias, layer in zip(clf.coefs_, clf.intercepts_, clf.network_.layers):
        assert coef.shape == (layer.n_in, layer.n_out) and np.shares_memory(coef, layer.weights)
        assert np.shares_memory(bias, layer.bias)
    before = clf.predict_proba(X_bin)
    clf.coefs_[1][:] = 0.0  # written through the view: every output becomes sigmoid(bias)
    np.testing.assert_allclose(clf.predict_proba(X_bin)[:, 1], 1 / (1 + np.exp(-clf.intercepts_[1][0])))
    clf.coefs_[1] = np.ones((6, 1))  # an assigned array is taken over, as scikit-learn would use it
    assert not np.allclose(clf.predict_proba(X_bin), before) and np.shares_memory(
        clf.coefs_[1], clf.network_.layers[1].weights
    )
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(twin.predict_proba(X_bin), clf.predict_proba(X_bin))
    assert all(np.shares_memory(c, layer.weights) for c, layer in zip(twin.coefs_, twin.network_.layers))


def test_warm_start_continues_from_the_fitted_weights():
    params = dict(hidden_layer_sizes=(8,), max_iter=4, random_state=0, warm_start=True)
    a, b = MLPClassifier(**params), SkClassifier(**params)
    for _ in range(3):
        _both(a, b, X_bin, y_bin)
    _same_fit(a, b)
    assert len(a.loss_curve_) == 12


# ------------------------------------------------------------------------------ the extras
def test_extras_default_to_scikit_learns_behaviour_and_work_when_set():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = MLPClassifier(hidden_layer_sizes=(8, 6), max_iter=60, random_state=0, learning_rate_init=0.01)
        assert base.get_params()["dropout"] == 0.0 and base.get_params()["class_weight"] is None
        per_layer = base.set_params(activation=["tanh", "relu"]).fit(X, y)
        assert [l.activation.name for l in per_layer.network_.layers] == ["tanh", "relu", "softmax"]
        weighted = MLPClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0, class_weight={0: 5.0}).fit(X, y)
        plain = MLPClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(X, y)
        assert weighted.predict_proba(X)[:, 0].mean() > plain.predict_proba(X)[:, 0].mean()
        scaled = MLPClassifier(
            hidden_layer_sizes=(8,), max_iter=100, random_state=0, standardize=True, learning_rate_init=0.01
        ).fit(X, y)
        assert scaled.score(X, y) > 0.9
        dropped = MLPClassifier(
            hidden_layer_sizes=(16,), max_iter=100, random_state=0, dropout=0.3, learning_rate_init=0.01
        ).fit(X, y)
        assert dropped.score(X, y) > 0.8
        as32 = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0, dtype="float32").fit(X, y)
        assert as32.coefs_[0].dtype == np.float32
    with pytest.raises(ValueError, match="one per hidden layer"):
        MLPClassifier(hidden_layer_sizes=(8, 6), activation=["tanh"]).fit(X, y)


def test_to_torch_gives_the_same_outputs():
    torch = need("torch", "sklearn compat")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(10,), max_iter=5, random_state=0).fit(X_digits, y_digits)
    module = clf.to_torch()
    with torch.no_grad():
        out = module(torch.from_numpy(X_digits)).numpy()
    np.testing.assert_allclose(out, clf.predict_proba(X_digits), rtol=1e-10, atol=1e-12)


def test_explain_reads_the_fitted_network():
    import chainrule

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0).fit(X_bin[:, :4], y_bin)
    target = clf._label_binarizer.transform(y_bin[:1]).astype(float)
    text = chainrule.explain(clf, format="text", x=X_bin[:1, :4], target=target)
    assert isinstance(text, str) and len(text) > 200


def test_poisson_output_gradients_are_the_derivative_of_its_loss():
    from chainrule.core.activations import Exp
    from chainrule.core.losses import Poisson

    rng = np.random.default_rng(0)
    net = Network([3, 4, 2], ["tanh", Exp()], Poisson(), seed=1)
    x, t = rng.normal(size=(5, 3)), rng.poisson(2.0, size=(5, 2)).astype(float)
    _, grads = net.gradients(x, t)
    w = net.layers[0].weights
    numeric = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        keep = w[i]
        w[i] = keep + 1e-6
        up = net.loss(x, t)
        w[i] = keep - 1e-6
        down = net.loss(x, t)
        w[i] = keep
        numeric[i] = (up - down) / 2e-6
    np.testing.assert_allclose(grads.dW[0], numeric, rtol=1e-6, atol=1e-9)


def test_sparse_inputs_stay_sparse_through_the_first_layer():
    import tracemalloc

    rng = np.random.default_rng(0)
    n, d, per_row = 2000, 100_000, 20  # dense, X would take 1.6 GB
    indices = rng.integers(0, d, size=n * per_row)
    X = sp.csr_matrix((rng.random(n * per_row), indices, np.arange(0, n * per_row + 1, per_row)), shape=(n, d))
    y = (np.asarray(X[:, : d // 2].sum(axis=1)).ravel() > np.median(np.asarray(X[:, : d // 2].sum(axis=1)))).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        clf.predict_proba(X[:500])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB: X was made dense somewhere"
    theirs = SkClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y)
    np.testing.assert_allclose(clf.loss_curve_, theirs.loss_curve_, rtol=1e-9)
