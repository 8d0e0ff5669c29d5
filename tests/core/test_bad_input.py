"""Engine edge cases (issue 7): NaN, infinity, huge numbers, wrong types and wrong shapes given to
``Network(...)``, ``forward`` and ``backward`` raise the library's own errors with one-line
messages — never a bare NumPy/Python exception, and nothing is allocated for absurd sizes."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from chainrule.core import Network
from chainrule.errors import ConfigError, ShapeError

BAD_NUMBERS = [float("nan"), float("inf"), -float("inf")]


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text, repr(text)
    return text


@pytest.mark.parametrize("bad", BAD_NUMBERS)
@pytest.mark.parametrize("where", ["weights", "biases", "inputs", "targets", "sample_weight"])
def test_non_finite_numbers_are_refused_everywhere(bad, where):
    good_w = [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]]
    w = [np.array(m, dtype=float) for m in good_w]
    b = [np.array([0.1]), np.array([0.2])]
    x, t, v = np.array([[0.5, -0.5], [1.0, 2.0]]), np.array([[1.0], [0.0]]), np.array([1.0, 2.0])
    {"weights": w[0], "biases": b[1], "inputs": x, "targets": t, "sample_weight": v}[where].flat[0] = bad
    with pytest.raises(ShapeError) as err:
        net = Network([2, 2, 1], "tanh", "half_sse", weights=w, biases=b, bias="shared")
        # samples as the user writes them (lists); a ready float64 array of the right shape takes the
        # engine's unchecked fast path, and the training loops check the loss instead
        net.gradients(x.tolist(), t.tolist(), sample_weight=v)
    assert "finite" in one_line(err.value)


@given(
    st.lists(
        st.one_of(st.integers(-3, 10**12), st.floats(allow_nan=True), st.text(max_size=3), st.none(), st.booleans()),
        max_size=6,
    )
)
def test_any_layer_list_builds_a_network_or_raises_a_config_error(sizes):
    try:
        net = Network(sizes, "sigmoid", "half_sse", seed=0)
    except ConfigError as exc:
        one_line(exc)
    else:  # only genuine, small-enough layer lists are accepted
        assert all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)
        assert net.sizes == sizes


def test_a_network_of_a_billion_weights_is_refused_before_allocation():
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ConfigError) as err:
        Network([100_000, 10_000, 10], seed=0)  # 10⁹ weights: 8 GB if allocated
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "limit" in one_line(err.value)
    assert peak < 10_000_000  # nothing near the size of the weights was allocated


@given(
    st.one_of(st.text(max_size=12), st.integers(), st.none(), st.lists(st.integers(), max_size=2)),
    st.one_of(st.text(max_size=12), st.integers(), st.none()),
    st.one_of(st.text(max_size=12), st.integers(), st.none()),
    st.one_of(st.text(max_size=8), st.integers(), st.none()),
)
def test_unknown_names_and_wrong_types_raise_config_errors(activation, loss, bias, dtype):
    try:
        Network([2, 3, 1], activation, loss, bias=bias, dtype=dtype, seed=0)
    except (ConfigError, ShapeError) as exc:
        one_line(exc)
    except TypeError as exc:  # dtype=None etc. reach NumPy: report it, it is the library's job
        pytest.fail(f"bare TypeError for activation={activation!r} loss={loss!r} bias={bias!r} dtype={dtype!r}: {exc}")


@st.composite
def ragged_or_wrong(draw):
    """Things that are not a 2x2 / 1x2 matrix: ragged, empty, deeper, strings, dicts."""
    return draw(
        st.one_of(
            st.just([]),
            st.just([[]]),
            st.just([[1.0, 2.0], [3.0]]),
            st.just([[[1.0, 2.0]], [[3.0, 4.0]]]),
            st.just("0.1 0.2"),
            st.just({"a": 1}),
            st.just([[1.0, "x"], [2.0, 3.0]]),
            st.just(None),
            st.lists(st.lists(st.floats(-1e3, 1e3), max_size=4), max_size=4),
        )
    )


@given(ragged_or_wrong(), ragged_or_wrong())
def test_ragged_or_empty_matrices_raise_shape_errors(w1, w2):
    try:
        Network([2, 2, 2], "sigmoid", "half_sse", weights=[w1, w2])
    except (ShapeError, ConfigError) as exc:
        one_line(exc)
    else:
        assert np.shape(w1) == (2, 2) and np.shape(w2) == (2, 2)


@given(ragged_or_wrong(), ragged_or_wrong())
@example([[0.1, 0.2]], [[0.3, 0.4]])  # accepted: one sample, one target
@example([[0.1, 0.2], [0.5, 0.6]], [[0.3, 0.4]])  # refused: two samples, one target
@example([[0.1, 0.2], [3.0]], [[0.3, 0.4]])  # refused: ragged
def test_forward_and_backward_refuse_bad_samples(x, t):
    net = Network([2, 2, 2], "sigmoid", "half_sse", seed=0)
    try:
        fwd = net.forward(x)
        grads = net.backward(fwd, t)
    except (ShapeError, ConfigError) as exc:
        one_line(exc)
    else:  # only rows of 2 inputs each, with as many rows of 2 targets, are accepted
        rows = np.asarray(x, dtype=float)
        assert rows.ndim == 2 and rows.shape[1] == 2 and len(rows) >= 1, x
        assert np.shape(t) == rows.shape, (x, t)
        assert fwd.output.shape == rows.shape and [dW.shape for dW in grads.dW] == [(2, 2), (2, 2)]


@given(st.floats(1e3, 1e308), st.sampled_from(["sigmoid", "tanh", "softmax"]), st.integers(0, 2**16))
def test_bounded_activations_stay_finite_for_huge_inputs(big, activation, seed):
    """Overflowing activations: a huge (finite) input drives net inputs to ±inf; sigmoid, tanh and
    softmax must still give finite outputs and finite gradients, never a NaN.
    (Unbounded activations may overflow; training detects that — see tests/test_reliability*.)"""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 10, (4, 3)), rng.normal(0, 10, (3, 4))]  # big enough to overflow 1e308
    net = Network([3, 4, 3], [activation, activation], "half_sse", weights=weights, seed=seed)
    x = np.array([[big, -big, big / 3]])
    with np.errstate(over="ignore", invalid="raise"):  # net = ±inf is allowed; inf − inf = NaN is not
        fwd = net.forward(x)
        assert np.all(np.isfinite(fwd.output)), (big, activation, fwd.output)
        grads = net.backward(fwd, [[0.2, 0.3, 0.5]])
    assert all(np.all(np.isfinite(dw)) for dw in grads.dW)
