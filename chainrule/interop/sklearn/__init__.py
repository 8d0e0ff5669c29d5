"""scikit-learn estimators on the engine: ``MLPClassifier`` and ``MLPRegressor``.

A drop-in for scikit-learn's own MLPs (same parameters, attributes and behaviour; they pass
scikit-learn's ``check_estimator`` and its MLP test file), with chainrule's extras.  The pieces:
:mod:`.params` (the parameter table), :mod:`.weights` (the engine's arrays in scikit-learn's
layout), :mod:`.stochastic` and :mod:`.stopping` (sgd/adam with scikit-learn's loop), :mod:`.lbfgs`
(SciPy's L-BFGS-B) and :mod:`.estimators` (the two classes).

scikit-learn is an optional extra (``pip install 'chainrule[sklearn]'``).
"""

try:
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - the extra is missing
    from ...errors import ConfigError

    raise ConfigError("scikit-learn is not installed (pip install 'chainrule[sklearn]')") from exc

from .estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
