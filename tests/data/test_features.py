"""Extra input features of 2-D points (data/features.py): TensorFlow Playground's X1², X2², X1X2 and
sines beside the coordinates, in one fixed order, with one clear line for a bad choice."""

import numpy as np
import pytest

from chainrule.data.features import FEATURES, PLAIN, check_features, expand, labels
from chainrule.errors import ConfigError


def test_each_feature_is_its_formula_of_the_coordinates():
    x = np.array([[0.5, -1.0], [0.0, 0.25], [-0.75, 0.5]])
    got = expand(x, list(FEATURES))
    x1, x2 = x[:, 0], x[:, 1]
    wanted = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(np.pi * x1), np.sin(np.pi * x2)])
    np.testing.assert_array_equal(got, wanted)
    np.testing.assert_array_equal(expand(x, PLAIN), x)  # the coordinates alone: the points themselves


def test_the_order_is_the_tables_and_the_labels_follow_it():
    assert check_features(["sin(x2)", "x1", "x1*x2"]) == ["x1", "x1*x2", "sin(x2)"]
    assert labels(["x2^2", "x1"]) == ["X₁", "X₂²"]


@pytest.mark.parametrize(
    "bad, words", [(["x3"], "unknown input feature 'x3'"), ([], "at least one"), (["x1", "x1"], "at most once")]
)
def test_a_bad_choice_is_one_line(bad, words):
    with pytest.raises(ConfigError, match=words) as caught:
        check_features(bad)
    assert "\n" not in str(caught.value)
