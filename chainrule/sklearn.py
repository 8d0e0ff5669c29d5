"""``chainrule.sklearn.MLPClassifier`` / ``MLPRegressor``: scikit-learn estimators on the engine.

A short name for :mod:`chainrule.interop.sklearn` (imports scikit-learn only when used).
"""

from .interop.sklearn import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
