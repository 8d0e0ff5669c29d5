"""Every parameter the library accepts and what it may be: one table, one check.

scikit-learn's ``_parameter_constraints`` is the model.  ``CONSTRAINTS`` maps each parameter name
to a declarative constraint (a whole number in a range, a real number in an interval, one of some
options, a seed, layer sizes); :func:`check` validates a dict of values against it and returns
them converted (``int``, ``float``), or raises one :class:`~chainrule.errors.ConfigError` line
naming the parameter and the value.  The network, the optimizers, the seeded generators, the
trainer, the network-file reader and the command line's argument types all read this table, so
each limit is written once.

    >>> check({"epochs": 10, "l2": 0})
    {'epochs': 10, 'l2': 0.0}
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError

MAX_PARAMETERS = 50_000_000  # refuse larger networks before allocating anything
MAX_LAYERS = 1000
MAX_EPOCHS = 1_000_000  # passes over the data (10**30 would never end)
MAX_ITERATIONS = 1_000_000  # the seed loop's updates: each one's loss is kept (8 MB of them; 20 MB as a history file)
MAX_DECAY = 1e6  # L1/L2 weight decay: past it a step only zeroes the weights, and λ·w overflows Adam's g² near 1e154


class Constraint:
    """What one parameter accepts; calling it returns the value converted, or raises ConfigError."""

    def __init__(self, label: str = "", none: bool = False):
        self.label = label  # how messages name the parameter ("" = its name in the table)
        self.none = none  # whether None is accepted (and kept)

    def __call__(self, value, label: str = ""):
        if value is None and self.none:
            return None
        return self.convert(value, self.label or label)

    def convert(self, value, label: str):
        raise NotImplementedError

    def limits(self) -> dict:
        """The numeric range as ``ge``/``gt``/``le``/``lt`` (the keywords of pydantic's ``Field`` and of
        JSON Schema's minimum/maximum), so that a schema built elsewhere states the same range; {} for none."""
        return {}

    @staticmethod
    def fail(label: str, text: str) -> ConfigError:
        """The one-line error: ``"<label> must be ..., not <value>"`` (no label: ``"must be ..."``)."""
        return ConfigError(f"{label} {text}".strip())


def _is_whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


class Whole(Constraint):
    """A whole number (not a bool, not a float) of at least ``low`` (and at most ``high``)."""

    def __init__(self, low: int = 0, high: int | None = None, **kw):
        super().__init__(**kw)
        self.low, self.high = low, high

    def convert(self, value, label):
        if not (_is_whole(value) and value >= self.low and (self.high is None or value <= self.high)):
            upper = "" if self.high is None else f" and at most {self.high:,}"
            raise self.fail(label, f"must be a whole number of at least {self.low}{upper}, not {value!r}")
        return int(value)

    def limits(self) -> dict:
        return {"ge": self.low} | ({} if self.high is None else {"le": self.high})


class Real(Constraint):
    """A finite real number in an interval: ``low``/``high`` (None: unbounded), each end closed or open."""

    def __init__(self, low: float | None = None, high: float | None = None, closed: str = "both", **kw):
        super().__init__(**kw)
        self.low, self.high, self.closed = low, high, closed

    def convert(self, value, label):
        if isinstance(value, (bool, np.bool_, str, bytes)):
            raise self.fail(label, f"must be a number, not {value!r}")
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(label, f"must be a number, not {value!r}") from None
        low_ok = self.low is None or (v >= self.low if self.closed in ("both", "left") else v > self.low)
        high_ok = self.high is None or (v <= self.high if self.closed in ("both", "right") else v < self.high)
        if not (math.isfinite(v) and low_ok and high_ok):
            raise self.fail(label, f"must be {self.describe()}, not {value!r}")
        return v

    def limits(self) -> dict:
        closed_left, closed_right = self.closed in ("both", "left"), self.closed in ("both", "right")
        return ({} if self.low is None else {"ge" if closed_left else "gt": self.low}) | (
            {} if self.high is None else {"le" if closed_right else "lt": self.high}
        )

    def describe(self) -> str:
        if self.high is None and self.low == 0:
            return "a non-negative number" if self.closed in ("both", "left") else "a positive number"
        if self.high is None and self.low is None:
            return "a finite number"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        return f"in {left}{self.low:g}, {self.high:g}{right}"


class Options(Constraint):
    """One of a fixed set of values (compared as they are)."""

    def __init__(self, options, **kw):
        super().__init__(**kw)
        self.options = tuple(options)

    def convert(self, value, label):
        if not isinstance(value, (str, bool, int, float)) or value not in self.options:
            raise self.fail(label, f"must be one of {', '.join(map(str, self.options))}, not {value!r}")
        return value


class Flag(Constraint):
    """True or false."""

    def convert(self, value, label):
        if not isinstance(value, (bool, np.bool_)):
            raise self.fail(label, f"must be true or false, not {value!r}")
        return bool(value)


class Seed(Constraint):
    """A seed for ``np.random.default_rng``: None, a Generator, a whole number ≥ 0 or a list of them."""

    def __call__(self, value, label: str = ""):
        if value is None or isinstance(value, np.random.Generator):
            return value
        parts = list(value) if isinstance(value, (list, tuple)) and value else [value]
        if not all(_is_whole(p) and p >= 0 for p in parts):
            raise ConfigError(f"seed must be a non-negative whole number, not {value!r}")
        return value

    def limits(self) -> dict:
        return {"ge": 0}


class DType(Constraint):
    """float64 or float32 (a name or a NumPy dtype), converted to the NumPy type."""

    TYPES = {"float64": np.float64, "float32": np.float32}

    def convert(self, value, label):
        try:
            key = value if isinstance(value, str) else np.dtype(value).name
        except (TypeError, ValueError):  # not a dtype at all (0, a list, a dict, ...)
            key = None
        if key not in self.TYPES:
            raise self.fail(label, f"must be float64 or float32, not {value!r}")
        return self.TYPES[key]


def n_parameters(sizes) -> int:
    """The number of weights and biases of a network with layer sizes ``sizes`` (one bias per neuron:
    the most any bias mode has): Σ (n_in · n_out + n_out) over consecutive layers."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


class LayerSizes(Constraint):
    """Layer sizes from inputs to outputs: at least two positive whole numbers, at most
    ``MAX_LAYERS`` of them and ``MAX_PARAMETERS`` weights and biases (checked before allocating)."""

    def convert(self, sizes, label):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise ConfigError(f"layers must be a list of layer sizes such as [2, 2, 2], not {sizes!r}")
        if len(sizes) < 2:
            raise ConfigError("a network needs at least two layers (inputs and outputs)")
        if len(sizes) > MAX_LAYERS:
            raise ConfigError(f"a network of {len(sizes):,} layers is more than the limit of {MAX_LAYERS:,}")
        for s in sizes:
            if not (_is_whole(s) and s >= 1):
                raise ConfigError(f"layer sizes must be positive whole numbers, not {s!r}")
        out = [int(s) for s in sizes]
        n_params = n_parameters(out)
        if n_params > MAX_PARAMETERS:
            raise ConfigError(f"network of {n_params:,} parameters is larger than the limit of {MAX_PARAMETERS:,}")
        return out


CONSTRAINTS: dict[str, Constraint] = {
    # the network (core/network.py)
    "sizes": LayerSizes(),
    "bias": Options(("shared", "per_neuron", "none")),
    "dtype": DType(),
    "seed": Seed(),
    # the optimizers (core/optimizers.py); the learning rate also in network files and the page
    "learning_rate": Real(0, closed="right", label="learning rate"),
    "momentum": Real(0, 1, closed="left"),
    # scikit-learn's MLPs also allow μ = 1 (v+ = v − η g: the velocity never decays); the optimizer
    # their sgd solver builds (interop/sklearn/stochastic.py) checks μ here, as the estimators do
    "sklearn_momentum": Real(0, 1, label="momentum"),
    "beta1": Real(0, 1, closed="left"),
    "beta2": Real(0, 1, closed="left"),
    "epsilon": Real(0, closed="right"),
    # the seed's loop (training/online.py): the same update repeated on the same sample(s)
    "iterations": Whole(0, MAX_ITERATIONS),
    # the trainer (training/loop.py)
    "epochs": Whole(0, MAX_EPOCHS),
    "batch_size": Whole(1, none=True, label="batch size"),
    "l2": Real(0, MAX_DECAY, label="L2 weight decay"),
    "l1": Real(0, MAX_DECAY, label="L1 weight decay"),
    "min_delta": Real(0),
    "early_stopping": Whole(1, none=True, label="patience"),
    "validation_split": Real(0, 1, closed="left", label="validation split"),
    "test_size": Real(0, 1, closed="left", label="test size"),  # the command line's held-out share
    "dropout": Real(0, 1, closed="left", label="dropout probability"),
    # the learning-rate schedules (training/schedules.py): η·γ^⌊e/step_size⌋ and η / (1 + e)^power
    "step_size": Whole(1, label="step size"),
    "gamma": Real(0, 1, closed="right"),
    "power": Real(0),
    # the 2-D toy datasets (data/toy2d.py): the spread of the points
    "noise": Real(0, 1),
    "shuffle": Flag(),
    "train_metrics": Flag(),
}


def limits(name: str, **narrower) -> dict:
    """``CONSTRAINTS[name]``'s range, narrowed by ``narrower`` (a front end's own, smaller caps, such as the
    page's ``le=1`` for L2); a cap that would widen the table's range is refused (a programming error)."""
    table = CONSTRAINTS[name].limits()
    for key, cap in narrower.items():
        other = {"ge": "gt", "gt": "ge", "le": "lt", "lt": "le"}[key]
        current = table.get(key, table.get(other))
        if current is not None and (cap < current if key in ("ge", "gt") else cap > current):
            raise ValueError(f"{name}: {key}={cap} is outside the table's range {table}")
        table.pop(other, None)
    return table | narrower


def check(params: dict, table: dict[str, Constraint] = CONSTRAINTS) -> dict:
    """``params`` checked against ``table`` and converted; the first bad one is one ConfigError line."""
    return {name: table[name](value, name) for name, value in params.items()}
