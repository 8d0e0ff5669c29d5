"""The fast paths give the same numbers as the plain engine.

``Network.gradients`` writes into a reused workspace; ``forward``/``backward`` allocate.  Both run
the same code (``_forward``/``_backward``), so they must agree bit for bit, for every activation,
loss and bias mode, for growing and shrinking batches, with dropout masks and sample weights.
``Network.descend`` folds plain SGD's update into the backward pass (BLAS adds −η·deltaᵀ·out into
the weights): bit for bit the explicit step where η·g is exact or BLAS is not used, and within the
rounding of its sums otherwise.
"""

import itertools

import numpy as np
import pytest

import chainrule.core.network as network_module
from chainrule.core import ACTIVATIONS, LOSSES, Network, blas, optimizers
from chainrule.core.optimizers import SGD, get_optimizer
from chainrule.errors import ConfigError

BIAS = [("shared", False), ("shared", True), ("per_neuron", True), ("none", False)]
HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]


def _net(hidden, output, loss, bias, train, dtype="float64"):
    return Network([3, 4, 5, 2], [hidden, hidden, output], loss, bias=bias, train_biases=train, seed=7, dtype=dtype)


def _data(rng, n, loss):
    x = rng.normal(size=(n, 3))
    t = np.eye(2)[rng.integers(0, 2, n)] if "entropy" in loss else rng.uniform(0.05, 0.95, (n, 2))
    return x, t


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("bias,train", BIAS)
def test_workspace_gradients_equal_fresh_forward_backward_bit_for_bit(loss, bias, train):
    rng = np.random.default_rng(3)
    for hidden, output in itertools.product(HIDDEN, ["sigmoid", "softmax", "identity"]):
        net = _net(hidden, output, loss, bias, train)
        for n in (5, 9, 2, 9):  # grow, shrink, grow back: views of the reused buffers
            x, t = _data(rng, n, loss)
            want = net.backward(net.forward(x), t)
            _, got = net.gradients(x, t)
            for a, b in zip(net.gradient_list(got), net.gradient_list(want)):
                _same(a, b)
            for a, b in zip(got.delta + got.dout, want.delta + want.dout):
                _same(a, b)


def test_workspace_with_masks_and_sample_weights_and_float32():
    rng = np.random.default_rng(5)
    for dtype in ("float64", "float32"):
        net = _net("relu", "softmax", "cross_entropy", "per_neuron", True, dtype)
        for n in (6, 4):
            x, t = _data(rng, n, "cross_entropy")
            masks = [(rng.random((n, 4)) > 0.3).astype(dtype) * 2, None, None]
            v = rng.uniform(0.5, 2.0, n)
            want = net.backward(net.forward(x, masks), t, sample_weight=v)
            loss, got = net.gradients(x.astype(dtype), t.astype(dtype), sample_weight=v, masks=masks)
            assert np.isfinite(loss)
            for a, b in zip(net.gradient_list(got), net.gradient_list(want)):
                _same(a, b)


def test_forward_and_backward_results_are_never_overwritten_by_gradients():
    rng = np.random.default_rng(8)
    net = _net("tanh", "sigmoid", "half_sse", "per_neuron", True)
    x, t = _data(rng, 4, "half_sse")
    fwd = net.forward(x)
    grads = net.backward(fwd, t)
    kept = [a.copy() for a in fwd.nets + fwd.outs + grads.dW + grads.delta]
    for _ in range(3):
        x2, t2 = _data(rng, 4, "half_sse")
        net.gradients(x2, t2)
    for a, b in zip(fwd.nets + fwd.outs + grads.dW + grads.delta, kept):
        _same(a, b)


def test_copies_do_not_share_a_workspace():
    rng = np.random.default_rng(9)
    net = _net("sigmoid", "sigmoid", "half_sse", "shared", True)
    x, t = _data(rng, 3, "half_sse")
    _, g1 = net.gradients(x, t)
    twin = net.copy()
    _, g2 = twin.gradients(x + 1.0, t)
    assert not any(np.shares_memory(a, b) for a, b in zip(g1.dW, g2.dW))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_write_into_out_exactly_as_they_allocate(name):
    from chainrule.core import get_activation

    act = get_activation(name)
    rng = np.random.default_rng(1)
    net = rng.normal(scale=3.0, size=(4, 5))
    g = rng.normal(size=(4, 5))
    fresh = act.forward(net)
    buf = np.full_like(net, np.nan)
    assert act.forward(net, into=buf) is buf
    _same(buf, fresh)
    d = act.derivative(fresh, net)
    _same(act.derivative(fresh, net, np.full_like(net, np.nan)), d)
    _same(act.backward(fresh, net, g, np.full_like(net, np.nan)), act.backward(fresh, net, g))


# ------------------------------------------------------------------ the written-out online update
from chainrule.core import Activation, get_activation, get_loss, unrolled  # noqa: E402
from chainrule.training import train_online  # noqa: E402


class ToySoftplus(Activation):
    """out = ln(1 + e^net), dout/dnet = 1 − e^(−out): scalar forms written with math.log1p and math.expm1."""

    name = "toy_softplus"
    text = "ln(1 + e^(<x>))"
    latex = r"\ln(1 + e^{<x>})"
    derivative_text = "1 - e^(-<y>)"
    derivative_latex = r"1 - e^{-<y>}"
    scalar = "log1p(exp(-abs({x}))) + max({x}, 0.0)"
    scalar_derivative = "-expm1(-{y})"

    def torch_module(self, nn):
        return nn.Softplus()

    def forward(self, net, into=None):
        return np.add(np.log1p(np.exp(-np.abs(net))), np.maximum(net, 0.0), out=into)

    def derivative(self, out, net, into=None):
        return np.negative(np.expm1(-out), out=into)


@pytest.mark.parametrize("name", HIDDEN)
def test_each_activations_scalar_form_is_its_numpy_formula(name):
    _scalar_forms_are_the_numpy_formulas(get_activation(name))


def test_a_scalar_form_may_use_all_of_math_as_the_written_out_trainer_does():
    """log1p and expm1 are neither exp nor tanh: the forms are read with the trainer's own names."""
    act = ToySoftplus()
    _scalar_forms_are_the_numpy_formulas(act)
    net = Network([3, 4, 2], [act, "sigmoid"], "half_sse", seed=11)
    assert unrolled.compile_online(net) is not None
    twin = net.copy()
    x, t = [[0.3, -1.2, 2.0]], [[0.2, 0.7]]
    fast = train_online(net, x, t, 0.1, 60)
    slow = [twin.train_step(x, t, 0.1) for _ in range(60)]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=0)


def _scalar_forms_are_the_numpy_formulas(act):
    net = np.concatenate([np.linspace(-30, 30, 601), [-800.0, -1e-300, 0.0, 1e-300, 800.0]])
    out = act.forward(net)
    ns = unrolled.SCALAR_NAMESPACE  # the names the written-out trainer binds (core/unrolled.py): one definition
    f = [eval(act.scalar.format(x="x"), {**ns, "x": v}) for v in net.tolist()]
    d = [
        eval(act.scalar_derivative.format(x="x", y="y"), {**ns, "x": v, "y": y})
        for v, y in zip(net.tolist(), out.tolist())
    ]
    np.testing.assert_allclose(f, out, rtol=1e-15, atol=0)
    np.testing.assert_allclose(d, act.derivative(out, net), rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_losses_scalar_form_is_its_numpy_formula(name):

    loss = get_loss(name)
    rng = np.random.default_rng(2)
    net = rng.normal(scale=4, size=(50, 3))
    y = 1 / (1 + np.exp(-net))
    t = rng.uniform(0, 1, size=(50, 3))
    ns = unrolled.SCALAR_NAMESPACE  # the names the written-out trainer binds (core/unrolled.py)

    def ev(src, **v):
        return np.array(
            [
                [eval(src.format(t="t", y="y", x="x", m=3), {**ns, "t": a, "y": b, "x": c}) for a, b, c in zip(*row)]
                for row in zip(v["t"].tolist(), v["y"].tolist(), v["x"].tolist())
            ]
        )

    np.testing.assert_allclose(ev(loss.scalar_term, t=t, y=y, x=net), loss.terms(y, t), rtol=1e-15)
    np.testing.assert_allclose(ev(loss.scalar_gradient, t=t, y=y, x=net), loss.gradient(y, t), rtol=1e-15)
    if loss.scalar_fused_term:
        np.testing.assert_allclose(ev(loss.scalar_fused_term, t=t, y=y, x=net), loss.terms(y, t, net), rtol=1e-14)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("bias,train", BIAS)
def test_written_out_online_training_equals_numpy_train_step(loss, bias, train):
    rng = np.random.default_rng(4)
    for hidden, output in itertools.product(HIDDEN, ["sigmoid", "identity", "tanh"]):
        if loss in ("binary_cross_entropy", "cross_entropy") and output != "sigmoid":
            continue  # these losses need outputs in (0, 1)
        net = Network([3, 4, 2], [hidden, output], loss, bias=bias, train_biases=train, seed=11)
        assert unrolled.supports(net)
        twin = net.copy()
        x = rng.normal(size=(1, 3))
        t = rng.uniform(0.1, 0.9, size=(1, 2))
        fast = train_online(net, x, t, 0.1, 60)
        slow = [twin.train_step(x, t, 0.1) for _ in range(60)]
        assert fast[0] == pytest.approx(slow[0], rel=1e-15)
        # to 1e-12 of the starting loss (where a loss reaches 1e-18, its own last digits are noise)
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12 * slow[0])
        for a, b in zip(
            net.parameters() + [l.bias for l in net.layers if l.bias is not None],
            twin.parameters() + [l.bias for l in twin.layers if l.bias is not None],
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_seed_online_training_written_out_matches_numpy_to_rounding():
    from chainrule import seed

    net, twin = seed.seed_network(), seed.seed_network()
    fast = np.array(train_online(net, seed.INPUT, seed.TARGET, 0.5, 10_000))
    slow = np.array([twin.train_step([seed.INPUT], [seed.TARGET], 0.5) for _ in range(10_000)])
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=0)
    assert fast[0] == slow[0]  # the first loss: the same operations, the same bits
    for a, b in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


def test_written_out_code_declines_what_it_cannot_do():
    assert not unrolled.supports(Network([2, 3, 2], ["sigmoid", "softmax"], "cross_entropy"))
    assert not unrolled.supports(Network([2, 2, 2], dtype="float32"))
    assert not unrolled.supports(Network([20, 20, 2]))
    net = Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=1)
    twin = net.copy()
    losses = train_online(net, [0.3, -0.2], [0.0, 1.0], 0.2, 5)  # falls back to NumPy
    assert losses == [twin.train_step([[0.3, -0.2]], [[0.0, 1.0]], 0.2) for _ in range(5)]


def test_source_shows_the_seed_update_in_the_seed_notation():
    from chainrule import seed

    src = unrolled.source(seed.seed_network())
    assert "net1_1 = w1_1_1 * i1 + w1_1_2 * i2 + b1" in src
    assert "w2_1_1 -= eta * (delta2_1 * out1_1)" in src
    assert "b1 -=" not in src  # the seed's biases are frozen


def test_written_out_code_is_reused_exactly_when_the_source_would_be_the_same():
    """compile_online skips writing the source for a kind of network it has compiled before; a
    network that differs in anything the source reads (sizes, activations, bias mode, frozen
    biases, loss, fused output, the hints' variant) gets its own function."""
    nets = [
        Network(sizes, [hidden, output], loss, bias=bias, train_biases=train, seed=seed)
        for sizes in ([2, 2, 2], [2, 3, 2], [3, 2, 2])
        for hidden in ("sigmoid", "tanh")
        for output, loss in (("sigmoid", "half_sse"), ("sigmoid", "binary_cross_entropy"), ("identity", "mse"))
        for bias, train in (("shared", False), ("shared", True), ("per_neuron", True), ("none", False))
        for seed in (1, 2)
    ]
    for through_updated in (False, True):
        by_source = {}
        for net in nets:
            fn = unrolled.compile_online(net, through_updated)
            assert by_source.setdefault(unrolled.source(net, through_updated), fn) is fn
        assert len(set(map(id, by_source.values()))) == len(by_source) == len(nets) // 2  # seeds share


def test_a_shorter_batch_runs_in_the_first_rows_of_the_kept_workspace():
    """An epoch's short last batch reuses the workspace (views of its first rows) instead of
    rebuilding it, and the next full batch finds the same arrays; a longer batch makes a new one."""
    rng = np.random.default_rng(12)
    net = _net("relu", "softmax", "cross_entropy", "per_neuron", True, "float32")
    x, t = _data(rng, 8, "cross_entropy")
    x, t = x.astype("float32"), t.astype("float32")
    _, full = net.gradients(x, t)
    ws, arrays = net._workspace, list(full.delta)
    _, short = net.gradients(x[:3], t[:3])
    assert net._workspace is ws
    assert all(s.shape[0] == 3 and np.shares_memory(s, a) and s.flags.c_contiguous for s, a in zip(short.delta, arrays))
    want = net.backward(net.forward(x[:3]), t[:3])
    for a, b in zip(net.gradient_list(short), net.gradient_list(want)):
        _same(a, b)
    _, again = net.gradients(x, t)
    assert net._workspace is ws and all(a is b for a, b in zip(again.delta, arrays))
    net.gradients(np.vstack([x, x]), np.vstack([t, t]))
    assert net._workspace is not ws and net._workspace.rows == 16


# ------------------------------------------------------------------ the fused gradient-descent step
def _explicit_step(net, x, t, eta, **kw):
    """The reference: gradients, then plain SGD's step (w+ = w − η g, rounded as SGD.step rounds it)."""
    loss, grads = net.gradients(x, t, **kw)
    SGD(eta).step(net.parameters(), net.gradient_list(grads))
    return loss


def _descend_pair(net, rng, n, eta, loss_name, blas_off=False, monkeypatch=None, **kw):
    """(net after descend, net after the explicit step, the two losses, the batch) from one state."""
    x, t = _data(rng, n, loss_name)
    x, t = x.astype(net.dtype), t.astype(net.dtype)
    ref = net.copy()
    if blas_off:
        monkeypatch.setattr(network_module, "bind_gemm_update", lambda *args: None)
    got = net.descend(x, t, eta, **kw)
    want = _explicit_step(ref, x, t, eta, **kw)
    return net, ref, got, want, (x, t)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("bias,train", BIAS)
def test_descend_without_numpys_blas_is_gradients_then_sgd_bit_for_bit(loss, bias, train, monkeypatch):
    """The pure-NumPy form of the fused step (used where NumPy's BLAS is not reachable) rounds
    exactly as gradients() followed by SGD.step: every weight and bias, bit for bit."""
    rng = np.random.default_rng(21)
    for hidden, output in itertools.product(HIDDEN, ["sigmoid", "softmax", "identity"]):
        for dtype in ("float64", "float32"):
            net = _net(hidden, output, loss, bias, train, dtype)
            for n in (7, 3):
                with np.errstate(all="ignore"):  # e.g. cross-entropy after an identity output: NaN is fine here
                    net, ref, got, want, _ = _descend_pair(net, rng, n, 0.3, loss, True, monkeypatch)
                np.testing.assert_equal(got, want)
                for a, b in zip(net.parameters(), ref.parameters()):
                    _same(a, b)


def test_descend_with_masks_and_sample_weights_is_the_explicit_step(monkeypatch):
    rng = np.random.default_rng(22)
    for blas_off in (True, False):
        net = _net("relu", "softmax", "cross_entropy", "per_neuron", True)
        n = 6
        masks = [(rng.random((n, 4)) > 0.3) * 2.0, None, None]
        v = rng.uniform(0.5, 2.0, n)
        net, ref, got, want, _ = _descend_pair(
            net, rng, n, 0.25, "cross_entropy", blas_off, monkeypatch, sample_weight=v, masks=masks
        )
        assert got == want
        for a, b in zip(net.parameters(), ref.parameters()):
            _same(a, b)  # η = 1/4: η·g is exact, so BLAS's single rounding is the explicit one


@pytest.mark.skipif(not blas.available("float64"), reason="NumPy's BLAS is not reachable here")
def test_descend_writes_into_the_weights_themselves_and_never_makes_the_gradient():
    rng = np.random.default_rng(23)
    for dtype in ("float64", "float32"):
        net = _net("relu", "softmax", "cross_entropy", "per_neuron", True, dtype)
        x, t = _data(rng, 5, "cross_entropy")
        params = net.parameters()
        before = [(p, p.ctypes.data, p.copy()) for p in params]
        net.descend(x.astype(dtype), t.astype(dtype), 0.1)
        for (p, address, old), q in zip(before, net.parameters()):
            assert q is p and q.ctypes.data == address and not np.array_equal(q, old)
        assert "dW" not in net._workspace.__dict__  # the workspace never made dE/dW
        assert [layer.weights.flags.f_contiguous for layer in net.layers] == [True] * 3


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_descend_is_bit_for_bit_the_explicit_step_when_eta_scales_exactly(dtype):
    """With η a power of two, η·g is exact, so adding η·deltaᵀ·out into W with one rounding (BLAS,
    α = −η, β = 1) and subtracting the rounded η·g (the explicit step) give the same bits."""
    rng = np.random.default_rng(24)
    for hidden, output, loss in [("relu", "softmax", "cross_entropy"), ("tanh", "identity", "half_sse")]:
        net = _net(hidden, output, loss, "per_neuron", True, dtype)
        for n in (1, 8, 5):
            net, ref, got, want, _ = _descend_pair(net, rng, n, 0.5, loss)
            assert got == want
            for a, b in zip(net.parameters(), ref.parameters()):
                _same(a, b)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_descend_agrees_with_the_explicit_step_within_the_rounding_of_its_sums(dtype):
    """For any η the two steps differ only in how the products' terms are rounded into W: the
    explicit step rounds Σ_s delta_s·out_s, then η times it, then w − that; the fused step adds
    −η·(each block of the sum) into w, rounding each time.  Both are within γ_(n+2)·(|w| + η·Σ_s
    |delta_s|·|out_s|) of the exact w − η·Σ_s delta_s·out_s (n samples, γ_k = k·u/(1 − k·u), u the
    unit roundoff), the standard bound for a sum of n + 2 terms, so they are within twice that of
    each other; checked on a batch long enough (300 rows) for BLAS to cut the sum into blocks."""
    rng = np.random.default_rng(25)
    u = np.finfo(dtype).eps / 2
    net = Network([40, 30, 20, 3], ["relu", "tanh", "softmax"], "cross_entropy", seed=3, dtype=dtype)
    for eta, n in ((0.01, 300), (0.37, 300), (0.07, 33)):
        x = rng.normal(size=(n, 40)).astype(dtype)
        t = np.eye(3, dtype=dtype)[rng.integers(0, 3, n)]
        start = [w.astype(np.float64) for w in net.parameters()[::2]]
        _, grads = net.copy().gradients(x, t)  # the same forward and backward pass as descend's
        outs, deltas = [x, *net.forward(x).outs[1:-1]], grads.delta
        ref = net.copy()
        _explicit_step(ref, x, t, eta)
        net.descend(x, t, eta)
        gamma = (n + 2) * u / (1 - (n + 2) * u)
        for w0, o, d, fused, explicit in zip(start, outs, deltas, net.parameters()[::2], ref.parameters()[::2]):
            o, d = o.astype(np.float64), d.astype(np.float64)
            exact = w0 - eta * (d.T @ o)
            bound = gamma * (np.abs(w0) + eta * (np.abs(d).T @ np.abs(o)))
            assert np.all(np.abs(fused - exact) <= bound) and np.all(np.abs(explicit - exact) <= bound)
            assert np.all(np.abs(fused.astype(np.float64) - explicit) <= 2 * bound)
        for a, b in zip(net.parameters()[1::2], ref.parameters()[1::2]):
            _same(a, b)  # the biases: b+ = b − η Σ delta, the same operations on both paths


def test_descend_checks_its_learning_rate_before_any_weight_changes():
    net = _net("relu", "softmax", "cross_entropy", "per_neuron", True)
    kept = [p.copy() for p in net.parameters()]
    x, t = _data(np.random.default_rng(26), 4, "cross_entropy")
    for eta in (0.0, -0.1, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="learning rate"):
            net.descend(x, t, eta)
    for a, b in zip(net.parameters(), kept):
        _same(a, b)


def test_plain_sgd_offers_its_rate_for_the_fused_step_and_nothing_else_does():
    assert SGD(0.3).descent_rate() == 0.3
    assert SGD(0.3, momentum=0.5).descent_rate() is None
    assert get_optimizer("adam").descent_rate() is None and get_optimizer("nesterov").descent_rate() is None

    class Clipped(SGD):  # an SGD whose step is its own must get the gradients
        def step(self, params, grads):
            super().step(params, [np.clip(g, -1, 1) for g in grads])

    assert Clipped(0.3).descent_rate() is None


# ------------------------------------------------------------------ NumPy's BLAS, C ← C + α·A·B
@pytest.mark.skipif(not blas.available("float64"), reason="NumPy's BLAS is not reachable here")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gemm_update_adds_the_product_in_place_for_every_memory_order(dtype):
    rng = np.random.default_rng(27)
    u = np.finfo(dtype).eps / 2
    for order_c, order_a, order_b in itertools.product("CF", repeat=3):
        a = np.asarray(rng.normal(size=(5, 7)), dtype=dtype, order=order_a)
        b = np.asarray(rng.normal(size=(7, 3)), dtype=dtype, order=order_b)
        c = np.asarray(rng.normal(size=(5, 3)), dtype=dtype, order=order_c)
        c0, address = c.astype(np.float64), c.ctypes.data
        assert blas.gemm_update(c, a, b, -0.3)
        assert c.ctypes.data == address and c.flags[f"{order_c}_CONTIGUOUS"]
        exact = c0 - 0.3 * (a.astype(np.float64) @ b)
        bound = 10 * u * (np.abs(c0) + 0.3 * (np.abs(a) @ np.abs(b)))
        assert np.all(np.abs(c - exact) <= bound)


def test_gemm_update_declines_what_it_cannot_do_in_place_and_leaves_it_untouched():
    rng = np.random.default_rng(28)
    c = rng.normal(size=(4, 3))
    a, b = rng.normal(size=(4, 6)), rng.normal(size=(6, 3))
    kept = c.copy()
    assert not blas.gemm_update(c.astype(np.int64), a.astype(np.int64), b.astype(np.int64), 1.0)  # not floats
    assert not blas.gemm_update(c, a.astype(np.float32), b, 1.0)  # mixed dtypes
    assert not blas.gemm_update(c, a[:, ::2], b[::2], 1.0)  # strided operands
    assert not blas.gemm_update(c, a, b[:, :2], 1.0)  # shapes that do not fit
    big = rng.normal(size=(8, 8))
    assert not blas.gemm_update(big[:4, :4], big[4:, :4], big[:4, 4:], 1.0)  # not contiguous, and overlapping
    assert not blas.gemm_update(a[:, :4], a[:, 2:], np.eye(4)[:, :4][:4], 1.0)
    read_only = c.copy()
    read_only.flags.writeable = False
    assert not blas.gemm_update(read_only, a, b, 1.0)
    _same(c, kept)
    if blas.available("float64"):
        assert blas.gemm_update(c, a[:, :0], b[:0], 1.0)  # an empty sum adds nothing
        _same(c, kept)


@pytest.mark.skipif(not blas.available("float64"), reason="NumPy's BLAS is not reachable here")
def test_a_bound_gemm_update_makes_gemm_updates_bits_each_time_the_arrays_change_in_place():
    rng = np.random.default_rng(30)
    for order_c, order_a, order_b in itertools.product("CF", repeat=3):
        a = np.asarray(rng.normal(size=(5, 7)), order=order_a)
        b = np.asarray(rng.normal(size=(7, 3)), order=order_b)
        c = np.asarray(rng.normal(size=(5, 3)), order=order_c)
        twin = c.copy(order="K")
        update = blas.bind_gemm_update(c, a, b)
        for alpha in (-0.3, -0.1, 0.7):
            a[...], b[...] = rng.normal(size=a.shape), rng.normal(size=b.shape)  # new numbers, same arrays
            update(alpha)
            assert blas.gemm_update(twin, a, b, alpha)
            _same(c, twin)


def test_bind_gemm_update_declines_what_gemm_update_declines():
    rng = np.random.default_rng(31)
    c, a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 6)), rng.normal(size=(6, 3))
    read_only = c.copy()
    read_only.flags.writeable = False
    assert blas.bind_gemm_update(c, a[:, ::2], b[::2]) is None  # strided operands
    assert blas.bind_gemm_update(c, a, b[:, :2]) is None  # shapes that do not fit
    assert blas.bind_gemm_update(read_only, a, b) is None
    assert blas.bind_gemm_update(c, a, c.T @ c) is None  # not the shapes of a product into c
    assert blas.bind_gemm_update(c[:, :2], c[:, 1:], np.eye(2)) is None  # c overlaps a


def test_the_workspace_keeps_a_layers_bound_update_while_its_arrays_stay_and_rebinds_when_they_change():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=3)
    x, t = np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[1.0], [0.0]])
    net.descend(x, t, 0.5)
    ws = net._workspace
    kept = [
        ws.weight_update(l, layer.weights, ws.delta[l], ws.out[l - 1] if l else x) for l, layer in enumerate(net.layers)
    ]
    net.descend(x, t, 0.5)  # the same arrays: the same bound updates
    assert all(u is ws._updates[l][3] for l, u in enumerate(kept))
    ref = net.copy()
    net.layers[1].weights = net.layers[1].weights.copy(order="F")  # a new weights array: bound afresh
    net.descend(x.copy(), t, 0.5)  # a new batch array: the first layer bound afresh
    assert ws._updates[1][0] is net.layers[1].weights and ws._updates[0][2] is not x
    ref.descend(x, t, 0.5)
    for p, q in zip(net.parameters(), ref.parameters()):
        _same(p, q)


# ------------------------------------------------------------------ descend_in_turn: steps on batches in turn
def _descends_in_turn(net, x, t, eta, steps, b, start):
    """The reference: one `descend` per step, each on its rows gathered into fresh arrays."""
    n = len(x)
    for k in range(steps):
        rows = (start + k * b + np.arange(b)) % n
        net.descend(x[rows].copy(), t[rows].copy(), eta)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("bias,train", BIAS)
def test_descend_in_turn_makes_descends_bits_step_after_step(loss, bias, train):
    """Batches of 1, 3, 4 and 10 of 10 samples (wrapping round the end), from several starts:
    every weight and bias as one descend per batch leaves it, bit for bit."""
    rng = np.random.default_rng(40)
    output = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, "identity")
    for hidden, (b, start) in itertools.product(["tanh", "relu"], [(1, 0), (3, 8), (4, 5), (10, 3)]):
        net = _net(hidden, output, loss, bias, train)
        x, t = _data(rng, 10, loss)
        ref = net.copy()
        net.descend_in_turn(x, t, 0.3, 7, b, start)
        _descends_in_turn(ref, x, t, 0.3, 7, b, start)
        for p, q in zip(net.parameters(), ref.parameters()):
            _same(p, q)


def test_descend_in_turn_makes_the_trainers_bits_without_shuffling():
    """A Trainer (plain SGD, no shuffling) on the rows taken in turn: the same parameters."""
    from chainrule.training.loop import Trainer

    rng = np.random.default_rng(41)
    x, t = _data(rng, 23, "binary_cross_entropy")
    t = t[:, :1]
    net = Network([3, 8, 8, 1], ["tanh", "tanh", "sigmoid"], "binary_cross_entropy", seed=5)
    ref = net.copy()
    net.descend_in_turn(x, t, 0.1, steps=40, batch_size=10, start=17)
    rows = (17 + np.arange(400)) % 23
    Trainer(ref, x[rows], t[rows], epochs=1, batch_size=10, learning_rate=0.1, shuffle=False, metrics=()).run()
    for p, q in zip(net.parameters(), ref.parameters()):
        _same(p, q)


def test_descend_in_turn_on_sparse_inputs_is_one_descend_per_batch():
    from support.tiers import need

    sparse = need("scipy.sparse", "sparse inputs (SciPy) are read by the first layer's product")
    rng = np.random.default_rng(45)
    x, t = _data(rng, 9, "half_sse")
    x[x < 0.3] = 0.0
    net = _net("tanh", "sigmoid", "half_sse", "per_neuron", True)
    ref = net.copy()
    net.descend_in_turn(sparse.csr_matrix(x), t, 0.2, steps=5, batch_size=4, start=2)
    for k in range(5):
        rows = (2 + 4 * k + np.arange(4)) % 9
        ref.descend(sparse.csr_matrix(x)[rows], t[rows], 0.2)
    for p, q in zip(net.parameters(), ref.parameters()):
        _same(p, q)


def test_a_nan_made_outside_a_product_runs_the_steps_again_as_descend_runs_them(monkeypatch):
    """A learning rate so large that the numbers overflow: somewhere a NaN is made outside a
    product (∞ · 0, ∞ − ∞), the steps run again with NumPy's errors ignored, and the parameters
    (NaN and infinities included) are those of one descend per batch."""
    runs = []
    steps_in_turn = Network._steps_in_turn
    monkeypatch.setattr(
        Network, "_steps_in_turn", lambda self, *a, **kw: runs.append(kw["trap"]) or steps_in_turn(self, *a, **kw)
    )
    rng = np.random.default_rng(42)
    x, t = _data(rng, 10, "half_sse")
    net = Network([3, 4, 5, 2], ["relu", "relu", "identity"], "half_sse", seed=7)
    ref = net.copy()
    with np.errstate(all="ignore"):
        net.descend_in_turn(x, t, 1e150, steps=20, batch_size=3)
        _descends_in_turn(ref, x, t, 1e150, 20, 3, 0)
    assert runs == [False, True]  # the trapped run, then the run again
    assert not all(np.isfinite(p).all() for p in net.parameters())
    for p, q in zip(net.parameters(), ref.parameters()):
        _same(p, q)


def test_a_large_batch_is_not_kept_alive_by_the_workspace_a_small_one_is_reused():
    import gc
    import weakref

    net = Network([2, 3, 1], ["tanh", "identity"], "half_sse", seed=3)
    big = np.random.default_rng(44).normal(size=(40_000, 2))
    net.descend(big, big[:, :1], 0.01)
    gone = weakref.ref(big)
    del big
    gc.collect()
    assert gone() is None
    small = np.ones((4, 2))
    net.descend(small, small[:, :1], 0.01)
    assert net._workspace.first(4)._updates[0][2] is small


def test_a_deep_copy_of_a_network_never_updates_the_originals_weights():
    """The workspace's bound updates write where the original's arrays lie: a deep copy binds its own."""
    import copy

    net = Network([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=3)
    x, t = np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[1.0], [0.0]])
    net.descend_in_turn(x, t, 0.5, 3, batch_size=2)
    kept = [p.copy() for p in net.parameters()]
    twin = copy.deepcopy(net)
    twin.descend_in_turn(x, t, 0.5, 3, batch_size=2)
    for p, q in zip(net.parameters(), kept):
        _same(p, q)
    net.descend_in_turn(x, t, 0.5, 3, batch_size=2)
    for p, q in zip(net.parameters(), twin.parameters()):
        _same(p, q)


def test_descend_in_turn_refuses_what_descend_refuses_and_zero_steps_change_nothing():
    from chainrule.errors import ShapeError

    net = _net("tanh", "sigmoid", "half_sse", "per_neuron", True)
    x, t = _data(np.random.default_rng(43), 5, "half_sse")
    kept = [p.copy() for p in net.parameters()]
    for bad in ({"learning_rate": 0.0}, {"learning_rate": float("nan")}, {"steps": -1}, {"batch_size": 0}):
        with pytest.raises(ConfigError):
            net.descend_in_turn(x, t, **{"learning_rate": 0.1, "steps": 3, **bad})
    with pytest.raises(ShapeError):
        net.descend_in_turn(x[:, :2], t, 0.1, 3)
    with pytest.raises(ShapeError):
        net.descend_in_turn(x, t[:4], 0.1, 3)
    net.descend_in_turn(x, t, 0.1, 0)
    for p, q in zip(net.parameters(), kept):
        _same(p, q)


# ------------------------------------------------------------------ optimizers over one flat array
@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("bias,train", BIAS)
def test_an_optimizer_over_the_workspaces_flat_gradients_makes_the_per_parameter_bits(name, bias, train):
    """Network.gradients cuts every gradient from one array, so the optimizer runs each operation
    of its step once over all parameters; given copies (separate arrays) it runs per parameter.
    The same operations on the same numbers: the same parameters and state, bit for bit."""
    rng = np.random.default_rng(29)
    flat_net = _net("tanh", "softmax", "cross_entropy", bias, train)
    each_net = flat_net.copy()
    flat_opt, each_opt = get_optimizer(name, 0.05), get_optimizer(name, 0.05)
    for n in (6, 6, 3, 6):
        x, t = _data(rng, n, "cross_entropy")
        _, grads = flat_net.gradients(x, t)
        g = flat_net.gradient_list(grads)
        assert optimizers._consecutive(g) is not None
        flat_opt.step(flat_net.parameters(), g)
        _, grads = each_net.gradients(x, t)
        copies = [a.copy() for a in each_net.gradient_list(grads)]
        assert optimizers._consecutive(copies) is None
        each_opt.step(each_net.parameters(), copies)
    for a, b in zip(flat_net.parameters(), each_net.parameters()):
        _same(a, b)
    for key in ("velocities", "m", "s"):
        for a, b in zip(flat_opt.state_dict().get(key) or [], each_opt.state_dict().get(key) or []):
            _same(a, b)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_an_optimizer_copied_or_restored_mid_run_continues_with_the_same_bits(name):
    import copy
    import pickle

    rng = np.random.default_rng(30)
    batches = [_data(rng, 5, "cross_entropy") for _ in range(6)]

    def run(net, opt, part):
        for x, t in part:
            _, grads = net.gradients(x, t)
            opt.step(net.parameters(), net.gradient_list(grads))

    whole_net, whole_opt = _net("relu", "softmax", "cross_entropy", "per_neuron", True), get_optimizer(name, 0.05)
    start = whole_net.copy()
    run(whole_net, whole_opt, batches)
    for restore in ("pickle", "deepcopy", "state_dict"):
        net, opt = start.copy(), get_optimizer(name, 0.05)
        run(net, opt, batches[:3])
        if restore == "pickle":
            opt = pickle.loads(pickle.dumps(opt))
        elif restore == "deepcopy":
            opt = copy.deepcopy(opt)
        else:
            state, opt = opt.state_dict(), get_optimizer(name, 0.05)
            opt.load_state_dict({k: copy.deepcopy(v) for k, v in state.items()})
        run(net, opt, batches[3:])
        for a, b in zip(net.parameters(), whole_net.parameters()):
            _same(a, b)
