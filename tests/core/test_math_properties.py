"""Property tests of the mathematics (issue 7): for hundreds of random networks — architectures,
activations, losses, bias modes — the engine's chainrule gradients equal central finite differences
(float64, relative error ≤ 1e-6) and PyTorch autograd on an independently built model (≤ 1e-12);
a gradient step with η → 0 changes the loss by −η‖g‖² to first order; a perfect prediction has a
zero half-SSE gradient.  Example counts follow the hypothesis profile (tests/conftest.py)."""

import numpy as np

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("torch", "PyTorch is the independent oracle")

import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from support.nets import cases, min_distance_to_kink

N = settings.default.max_examples  # 100 in the "ci" profile, more with HYPOTHESIS_PROFILE=long
H = 2e-4  # finite-difference step of the 5-point stencil: truncation ~H⁴/30·E⁽⁵⁾, rounding ~1.5·ε·E/H


def flat(arrays) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖): one number for the whole gradient, blind to which entry is small."""
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def kink_pattern(net, x) -> tuple:
    """Which ReLU-like neurons are on (net > 0): the loss is smooth while this does not change."""
    fwd = net.forward(x)
    return tuple(
        (z > 0).tobytes() for layer, z in zip(net.layers, fwd.nets) if layer.activation.name in ("relu", "leaky_relu")
    )


class CrossesAKink(Exception):
    pass


def finite_differences(net, x, t) -> np.ndarray:
    """dE/dθ_i ≈ [E(θ − 2h) − 8E(θ − h) + 8E(θ + h) − E(θ + 2h)] / 12h for every trainable θ_i
    (the 5-point central stencil); raises CrossesAKink when a step switches a ReLU on or off."""
    base = kink_pattern(net, x)
    numeric = []
    for p in net.parameters():
        for idx in np.ndindex(p.shape):
            old = p[idx]
            h = H * max(1.0, abs(old))
            e = {}
            for k in (-2, -1, 1, 2):
                p[idx] = old + k * h
                if base and kink_pattern(net, x) != base:
                    p[idx] = old
                    raise CrossesAKink
                e[k] = net.loss(x, t)
            p[idx] = old
            numeric.append((e[-2] - 8 * e[-1] + 8 * e[1] - e[2]) / (12 * h))
    return np.array(numeric)


@settings(max_examples=3 * N)
@given(cases())
def test_backpropagation_equals_central_finite_differences(case):
    net = case.network()
    loss, grads = net.gradients(case.x, case.t)
    g = flat(net.gradient_list(grads)).copy()
    # finite differences resolve ~1e-12·E per entry: a gradient that has vanished below 1e-4·E
    # cannot be checked to 1e-6 relative by them (PyTorch checks those cases below)
    assume(np.linalg.norm(g) > 1e-4 * max(1.0, loss))
    try:
        numeric = finite_differences(net, case.x, case.t)
    except CrossesAKink:
        assume(False)  # the loss is not smooth within the stencil: nothing to compare
    assert g.shape == numeric.shape
    assert relative_error(g, numeric) <= 1e-6, case


# ------------------------------------------------------------------ PyTorch, built independently
_TORCH_ACT = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "identity": lambda z: z,
    "softmax": lambda z: torch.softmax(z, dim=-1),
}


def torch_loss_and_grads(case):
    """The same network from the same numbers, written in PyTorch; autograd gives the gradients."""
    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in case.weights]
    bs = [
        None if case.biases is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
        for b in (case.biases or [None] * len(ws))
    ]
    out = torch.tensor(case.x, dtype=torch.float64)
    t = torch.tensor(case.t, dtype=torch.float64)
    n, m = case.t.shape
    for w, b, act in zip(ws, bs, case.activations):
        net = out @ w.T + (0 if b is None else b)  # a shared bias broadcasts its one number
        out = _TORCH_ACT[act](net)
    if case.loss == "half_sse":
        loss = 0.5 * ((t - out) ** 2).sum() / n
    elif case.loss == "mse":
        loss = ((t - out) ** 2).sum() / m / n
    elif case.loss == "binary_cross_entropy":  # after a sigmoid: log y = logσ(net), log(1 − y) = logσ(−net)
        loss = -(t * torch.nn.functional.logsigmoid(net) + (1 - t) * torch.nn.functional.logsigmoid(-net)).sum() / n
    else:  # cross-entropy after a softmax
        loss = -(t * torch.log_softmax(net, dim=-1)).sum() / n
    loss.backward()
    grads = []
    for w, b in zip(ws, bs):
        grads.append(w.grad.numpy())
        if b is not None:
            grads.append(b.grad.numpy())
    return float(loss.detach()), flat(grads), out.detach().numpy()


@settings(max_examples=3 * N)
@given(cases(max_layers=6, max_width=8, max_samples=6))
def test_backpropagation_equals_pytorch_autograd(case):
    net = case.network(train_biases=True)
    loss, grads = net.gradients(case.x, case.t)
    t_loss, t_grads, t_out = torch_loss_and_grads(case)
    out = net.predict(
        case.x
    )  # outputs: the same ≤ 1e-12 measure as the gradients (an output near 0 can be a cancellation)
    assert np.max(np.abs(out - t_out)) <= 1e-12 * max(1.0, np.max(np.abs(t_out))), case
    assert abs(loss - t_loss) <= 1e-12 * max(1.0, abs(t_loss)), case
    g = flat(net.gradient_list(grads))
    assert np.max(np.abs(g - t_grads), initial=0.0) <= 1e-12 * max(1.0, np.max(np.abs(t_grads), initial=0.0)), case


# ------------------------------------------------------------------------- first-order step
@settings(max_examples=N)
@given(cases(), st.sampled_from([1e-5, 1e-6, 1e-7]))
def test_a_tiny_step_changes_the_loss_by_minus_eta_g_squared(case, c):
    net = case.network()
    assume(min_distance_to_kink(net, case.x) > 1e-3)
    loss, grads = net.gradients(case.x, case.t)
    g2 = float(np.sum(flat(net.gradient_list(grads)) ** 2))
    assume(g2 > 1e-4)
    eta = c / max(1.0, np.sqrt(g2))  # η → 0 measured against the gradient: a step of length ≤ c
    net.apply_gradients(grads, eta)  # θ+ = θ − η g
    change = net.loss(case.x, case.t) - loss
    # ΔE = −η‖g‖² + O(η²): the relative deviation shrinks with η
    assert change < 0, case
    assert abs(change / (-eta * g2) - 1) <= 1e-3, (case, change, -eta * g2)


# ------------------------------------------------------------------------ perfect prediction
@settings(max_examples=N)
@given(cases())
def test_the_gradient_of_a_perfect_prediction_is_zero(case):
    net = case.network()
    for loss in ("half_sse", "mse"):
        from chainrule.core import get_loss

        net.loss_fn = get_loss(loss)
        _, grads = net.gradients(case.x, net.predict(case.x))  # target = output: out − t = 0 exactly
        for dw in grads.dW:
            np.testing.assert_array_equal(dw, 0.0)
        for db in grads.db:
            if db is not None:
                np.testing.assert_array_equal(db, 0.0)
