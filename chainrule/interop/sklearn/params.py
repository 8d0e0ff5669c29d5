"""The estimators' parameters: scikit-learn's own constraint table, plus chainrule's extras.

The table is scikit-learn's ``MLPClassifier._parameter_constraints`` / ``MLPRegressor``'s, read
from the installed scikit-learn, so validation follows the installed version and a bad value
raises scikit-learn's ``InvalidParameterError`` (a ``ValueError`` and ``TypeError``) with its
message.  The extras — per-layer activations, ``dropout``, ``standardize``, ``dtype`` and the
classifier's ``class_weight`` — add rows; each default gives scikit-learn's behaviour.
"""

from __future__ import annotations

from numbers import Real

from sklearn.neural_network import MLPClassifier as _SkClassifier
from sklearn.neural_network import MLPRegressor as _SkRegressor
from sklearn.utils._param_validation import Interval, StrOptions

# hidden activations: scikit-learn's four, and the engine's leaky ReLU
HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu")

EXTRAS = {
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), "array-like"],  # one name, or one per hidden layer
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "standardize": ["boolean"],
    "dtype": [None, StrOptions({"float32", "float64"})],
}

CLASSIFIER_CONSTRAINTS = {
    **_SkClassifier._parameter_constraints,
    **EXTRAS,
    "class_weight": [None, dict, StrOptions({"balanced"})],
}
REGRESSOR_CONSTRAINTS = {**_SkRegressor._parameter_constraints, **EXTRAS}


def hidden_sizes(value) -> list[int]:
    """``hidden_layer_sizes`` as a list (scikit-learn accepts one number or a sequence)."""
    sizes = list(value) if hasattr(value, "__iter__") else [value]
    if any(int(s) != s or s <= 0 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return [int(s) for s in sizes]


def hidden_activations(activation, n_hidden: int) -> list[str]:
    """One activation name per hidden layer (a single name applies to all of them)."""
    if isinstance(activation, str):
        return [activation] * n_hidden
    names = list(activation)
    if len(names) != n_hidden or any(a not in HIDDEN_ACTIVATIONS for a in names):
        raise ValueError(
            f"activation must be one of {HIDDEN_ACTIVATIONS} or a list of {n_hidden} of them "
            f"(one per hidden layer), got {activation!r}"
        )
    return names


def dropout_rates(dropout, n_hidden: int) -> list[float]:
    """One dropout probability per hidden layer."""
    rates = [float(p) for p in dropout] if hasattr(dropout, "__iter__") else [float(dropout)] * n_hidden
    if len(rates) != n_hidden or any(not 0.0 <= p < 1.0 for p in rates):
        raise ValueError(f"dropout must be a probability in [0, 1) or a list of {n_hidden} of them, got {dropout!r}")
    return rates
