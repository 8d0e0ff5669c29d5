"""Scaling out on Dask: a grid search on a local Dask cluster (joblib's Dask backend) gives the
same ``cv_results_`` as the sequential search, and ``partial_fit`` over the blocks of a Dask
array gives the same network as over the same blocks in memory.  Data: scikit-learn's digits."""

import warnings

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("sklearn", "scikit-learn's estimators and bundled datasets")

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from chainrule import ConfigError, DataError
from chainrule.interop.dask import fit_blocks
from chainrule.sklearn import MLPClassifier, MLPRegressor

da = need("dask.array", "sklearn dask")
distributed = need("distributed", "sklearn dask")
joblib = need("joblib", "sklearn dask")

X, y = load_digits(return_X_y=True)
X, y = X[:300] / 16.0, y[:300]
GRID = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-2]}


def _search():
    return GridSearchCV(MLPClassifier(max_iter=15, random_state=0), GRID, cv=3)


def test_grid_search_on_a_local_dask_cluster_matches_the_sequential_one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sequential = _search().fit(X, y)
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            with joblib.parallel_backend("dask"):
                on_dask = _search().fit(X, y)
            assert len(client.scheduler_info()["workers"]) == 2
    for key in (
        "params",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        *(f"split{i}_test_score" for i in range(3)),
    ):
        want, got = sequential.cv_results_[key], on_dask.cv_results_[key]
        if key == "params":
            assert got == want
        else:
            np.testing.assert_array_equal(got, want)
    assert on_dask.best_params_ == sequential.best_params_


def test_partial_fit_over_dask_blocks_equals_the_same_blocks_in_memory():
    Xd = da.from_array(X, chunks=(70, -1))  # 5 blocks of rows: 70, 70, 70, 70, 20
    yd = da.from_array(y, chunks=70)
    assert Xd.numblocks == (5, 1)
    out_of_core = fit_blocks(
        MLPClassifier(hidden_layer_sizes=(12,), learning_rate_init=0.05, random_state=1),
        Xd,
        yd,
        epochs=5,
        classes=np.arange(10),
    )
    in_memory = MLPClassifier(hidden_layer_sizes=(12,), learning_rate_init=0.05, random_state=1)
    for _ in range(5):
        for start in range(0, len(X), 70):
            in_memory.partial_fit(X[start : start + 70], y[start : start + 70], classes=np.arange(10))
    for a, b in zip(out_of_core.coefs_ + out_of_core.intercepts_, in_memory.coefs_ + in_memory.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert out_of_core.t_ == 5 * len(X) and out_of_core.score(X, y) > 0.5


def test_fit_blocks_for_a_regressor_with_weights_and_its_errors():
    t = X @ np.linspace(-1, 1, 64)
    w = np.linspace(0.5, 2.0, len(X))
    Xd, td, wd = da.from_array(X, chunks=(100, -1)), da.from_array(t, chunks=100), da.from_array(w, chunks=100)
    reg = fit_blocks(MLPRegressor(hidden_layer_sizes=(8,), random_state=0), Xd, td, sample_weight=wd)
    twin = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    for s in range(0, len(X), 100):
        twin.partial_fit(X[s : s + 100], t[s : s + 100], sample_weight=w[s : s + 100])
    np.testing.assert_array_equal(reg.predict(X), twin.predict(X))
    with pytest.raises(DataError, match="same row blocks"):
        fit_blocks(MLPRegressor(), Xd, da.from_array(t, chunks=50))
    with pytest.raises(ConfigError, match="partial_fit"):
        fit_blocks(MLPRegressor(solver="lbfgs"), Xd, td)
    with pytest.raises(DataError, match="Dask array"):
        fit_blocks(MLPRegressor(), X, t)
