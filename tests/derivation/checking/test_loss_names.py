"""Every loss name a network file accepts means exactly one formula (issue 12 point 4): the table
below lists every accepted name with its formula, written out here in plain Python; the engine's
E_total and dE_total/dout_k for each name must equal it, and docs/explain-and-check.md must list it."""

import math
import re

import pytest

import chainrule
from chainrule.core.losses import LOSSES

from support.paths import ROOT


def _half_sse(t, y):
    return sum(0.5 * (a - b) ** 2 for a, b in zip(t, y)), [b - a for a, b in zip(t, y)]


def _sse(t, y):
    return sum((a - b) ** 2 for a, b in zip(t, y)), [2 * (b - a) for a, b in zip(t, y)]


def _mse(t, y):
    m = len(t)
    return sum((a - b) ** 2 for a, b in zip(t, y)) / m, [2 * (b - a) / m for a, b in zip(t, y)]


def _half_mse(t, y):
    m = len(t)
    return sum((a - b) ** 2 for a, b in zip(t, y)) / (2 * m), [(b - a) / m for a, b in zip(t, y)]


def _bce(t, y):
    return (
        -sum(a * math.log(b) + (1 - a) * math.log(1 - b) for a, b in zip(t, y)),
        [(b - a) / (b * (1 - b)) for a, b in zip(t, y)],
    )


def _ce(t, y):
    return -sum(a * math.log(b) for a, b in zip(t, y)), [-a / b for a, b in zip(t, y)]


# every accepted name → (E_total and dE_total/dout_k of one sample, the output activation used here)
FORMULAS = {
    "half_sse": (_half_sse, "sigmoid"),
    "half_sum_of_squares": (_half_sse, "sigmoid"),
    "sse": (_sse, "sigmoid"),
    "mse": (_mse, "sigmoid"),
    "mean_squared_error": (_mse, "sigmoid"),
    "half_mse": (_half_mse, "sigmoid"),
    "squared_error": (_half_mse, "sigmoid"),
    "binary_cross_entropy": (_bce, "sigmoid"),
    "bce": (_bce, "sigmoid"),
    "binary_crossentropy": (_bce, "sigmoid"),
    "cross_entropy": (_ce, "softmax"),
    "ce": (_ce, "softmax"),
    "categorical_cross_entropy": (_ce, "softmax"),
    "categorical_crossentropy": (_ce, "softmax"),
    "softmax_cross_entropy": (_ce, "softmax"),
}


def _network(loss, output):
    return {
        "layers": [2, 2, 3],
        "activation": ["sigmoid", output],
        "loss": loss,
        "learning_rate": 0.5,
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55], [-0.3, 0.2]]],
        "biases": [0.35, 0.6],
        "input": [0.05, 0.1],
        "target": [0.1, 0.7, 0.2],
    }


def test_every_accepted_name_is_in_the_table():
    accepted = set(LOSSES) | set(LOSSES.aliases)
    assert accepted == set(FORMULAS), "a loss name without a formula here (or a formula for a name no longer accepted)"


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_each_loss_name_means_its_formula(name):
    formula, output = FORMULAS[name]
    for spelling in (name, name.upper().replace("_", "-")):
        values = chainrule.explain(_network(spelling, output)).values
        out = [values[f"out_o{k}"] for k in (1, 2, 3)]
        e, grads = formula([0.1, 0.7, 0.2], out)
        assert values["E_total"] == pytest.approx(e, rel=1e-12, abs=1e-15), spelling
        assert [values[f"dE_total/dout_o{k}"] for k in (1, 2, 3)] == pytest.approx(grads, rel=1e-12), spelling


def test_squared_error_is_scikit_learns_and_not_the_seeds():
    """scikit-learn's MLPRegressor: loss = ½·mean((y − ŷ)²) over samples and outputs."""
    values = chainrule.explain(_network("squared_error", "sigmoid")).values
    out = [values[f"out_o{k}"] for k in (1, 2, 3)]
    sklearn_loss = sum((t - y) ** 2 for t, y in zip([0.1, 0.7, 0.2], out)) / 3 / 2
    assert values["E_total"] == pytest.approx(sklearn_loss, rel=1e-12)
    half_sse = chainrule.explain(_network("half_sse", "sigmoid")).values["E_total"]
    assert half_sse == pytest.approx(3 * values["E_total"], rel=1e-12)


def test_the_docs_list_every_accepted_name():
    text = (ROOT / "docs" / "explain-and-check.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\s*\| `", line)]
    listed = {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert set(FORMULAS) <= listed
