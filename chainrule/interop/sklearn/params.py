"""The estimators' parameters: scikit-learn's own constraint table, plus chainrule's extras.

The table is scikit-learn's ``MLPClassifier._parameter_constraints`` / ``MLPRegressor``'s, read
from the installed scikit-learn, so validation follows the installed version and a bad value
raises scikit-learn's ``InvalidParameterError`` (a ``ValueError`` and ``TypeError``) with its
message.  The extras — per-layer activations, ``dropout``, ``standardize``, ``dtype`` and the
classifier's ``class_weight`` — add rows; each default gives scikit-learn's behaviour.  The extras
that the engine also knows read the engine's rules: ``activation`` the activation registry (any
elementwise activation, by any spelling, scikit-learn's ``"logistic"`` being the engine's sigmoid),
``dropout`` the range in ``chainrule.core.constraints.CONSTRAINTS``.
"""

from __future__ import annotations

from numbers import Real

from sklearn.neural_network import MLPClassifier as _SkClassifier
from sklearn.neural_network import MLPRegressor as _SkRegressor
from sklearn.utils._param_validation import Interval, StrOptions

from ...core.activations import hidden_names
from ...core.constraints import CONSTRAINTS


class HiddenActivations(StrOptions):
    """scikit-learn's ``StrOptions`` for the hidden activations, its options read from the activation
    registry whenever they are asked for (validation runs at fit time), so an activation registered at
    run time is accepted as ``activation=``.
    """

    def __init__(self):
        super().__init__(set())

    @property
    def options(self) -> set[str]:
        """Every accepted spelling of every elementwise activation registered now."""
        return set(hidden_names(aliases=True))

    @options.setter
    def options(self, _value) -> None:  # StrOptions.__init__ assigns it; the registry is the one source
        pass


def interval(name: str) -> Interval:
    """``CONSTRAINTS[name]``'s range (a :class:`~chainrule.core.constraints.Real`) as scikit-learn's
    ``Interval``, so that an estimator's row states exactly what the engine's table accepts.

    Parameters
    ----------
    name : str
        An entry of ``CONSTRAINTS`` that is a real number in an interval.

    Returns
    -------
    Interval
        ``Interval(Real, low, high, closed=...)``; an unbounded end counts as open, as scikit-learn requires.
    """
    c = CONSTRAINTS[name]
    left = c.low is not None and c.closed in ("both", "left")
    right = c.high is not None and c.closed in ("both", "right")
    closed = {(True, True): "both", (True, False): "left", (False, True): "right", (False, False): "neither"}
    return Interval(Real, c.low, c.high, closed=closed[left, right])


EXTRAS = {
    "activation": [HiddenActivations(), "array-like"],  # one name, or one per hidden layer
    "dropout": [interval("dropout"), "array-like"],  # one probability, or one per hidden layer
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
    """One activation name per hidden layer (a single name applies to all of them); each one a
    registered elementwise activation (:func:`chainrule.core.activations.hidden_names`)."""
    if isinstance(activation, str):
        return [activation] * n_hidden
    names = list(activation)
    choices = hidden_names(aliases=True)
    if len(names) != n_hidden or any(a not in choices for a in names):
        raise ValueError(
            f"activation must be one of {', '.join(choices)} or a list of {n_hidden} of them "
            f"(one per hidden layer), got {activation!r}"
        )
    return names


def dropout_rates(dropout, n_hidden: int) -> list[float]:
    """One dropout probability per hidden layer, each checked by ``CONSTRAINTS["dropout"]`` (a
    :class:`~chainrule.errors.ConfigError`, which is a ``ValueError``, for one outside [0, 1))."""
    rates = list(dropout) if hasattr(dropout, "__iter__") else [dropout] * n_hidden
    if len(rates) != n_hidden:
        raise ValueError(f"dropout must be a probability or a list of {n_hidden} of them, got {dropout!r}")
    return [CONSTRAINTS["dropout"](p) for p in rates]
