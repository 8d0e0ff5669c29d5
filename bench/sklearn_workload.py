"""sklearn: fit time of ``chainrule.sklearn``'s MLPs against scikit-learn's own, same data, same settings.

Five data sets shipped with scikit-learn (digits, iris, breast cancer, wine; diabetes for
regression), each split 75/25 (stratified for classes, ``random_state=0``) and standardised on
the training part (the diabetes target too).  Both sides get the same estimator settings —
scikit-learn's defaults (adam, ``hidden_layer_sizes=(100,)``, ``max_iter=200``, its stopping
rule) with ``random_state=0`` — so both start from the same weights and stop after the same
number of epochs; what differs is the time.  Runs alternate ours / scikit-learn's; medians;
both use the same number of BLAS threads (``--threads``).
"""

from __future__ import annotations

import statistics
import time
import warnings

SETS = ("digits", "iris", "breast_cancer", "wine", "diabetes")


def problem(name: str):
    import numpy as np
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    regression = name == "diabetes"
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=0, stratify=None if regression else y)
    scaler = StandardScaler().fit(Xa)
    Xa, Xb = scaler.transform(Xa), scaler.transform(Xb)
    if regression:
        mean, std = ya.mean(), ya.std()
        ya, yb = (ya - mean) / std, (yb - mean) / std
    return regression, Xa, Xb, np.asarray(ya), np.asarray(yb)


def run(repeats: int, rows: list, threads: int, sets=SETS) -> dict:
    """Fit both on every set ``repeats`` times, alternating, with ``threads`` BLAS threads."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads):
        return _run(repeats, rows, sets)


def _run(repeats: int, rows: list, sets) -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as SkClassifier
    from sklearn.neural_network import MLPRegressor as SkRegressor

    from chainrule.sklearn import MLPClassifier, MLPRegressor

    out = {}
    for name in sets:
        regression, Xa, Xb, ya, yb = problem(name)
        makers = {
            "ours": MLPRegressor if regression else MLPClassifier,
            "sklearn": SkRegressor if regression else SkClassifier,
        }
        times = {k: [] for k in makers}
        fitted = {}
        for _ in range(repeats):
            for who, make in makers.items():  # interleaved: ours, theirs, ours, theirs, ...
                est = make(random_state=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    start = time.perf_counter()
                    est.fit(Xa, ya)
                    times[who].append(time.perf_counter() - start)
                fitted[who] = est
        med = {k: statistics.median(v) for k, v in times.items()}
        score = {k: float(e.score(Xb, yb)) for k, e in fitted.items()}
        out[name] = {
            "train_samples": len(Xa),
            "features": Xa.shape[1],
            "metric": "r2" if regression else "accuracy",
            "median_s": med,
            "ratio_ours_over_sklearn": med["ours"] / med["sklearn"],
            "test_score": score,
            "score_difference_points": 100 * (score["ours"] - score["sklearn"]),
            "epochs": {k: int(e.n_iter_) for k, e in fitted.items()},
        }
        rows.append(
            ("sklearn", f"{name} fit ({fitted['ours'].n_iter_} epochs)", "sklearn", med["ours"], med["sklearn"])
        )
    return out


def print_scores(result: dict) -> None:
    print("\nsklearn workload: test scores (same split, same settings)")
    for name, r in result.items():
        s = r["test_score"]
        print(
            f"  {name:14s} {r['metric']:8s} ours {s['ours']:.4f}  scikit-learn {s['sklearn']:.4f}  "
            f"difference {r['score_difference_points']:+.2f} points  "
            f"epochs {r['epochs']['ours']}/{r['epochs']['sklearn']}"
            f"  fit ours/sklearn {r['ratio_ours_over_sklearn']:.2f}"
        )
