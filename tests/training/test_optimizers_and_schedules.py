"""Optimizers against PyTorch's (an independent implementation), and schedules by their formulas."""

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("torch", "PyTorch is the independent oracle")

import torch

from chainrule.core.optimizers import SGD, Adam, get_optimizer
from chainrule.errors import ConfigError
from chainrule.training.schedules import Schedule


def _run_ours(opt, w0, grads):
    w = [w0.copy()]
    for g in grads:
        opt.step(w, [g.copy()])
    return w[0]


def _run_torch(make, w0, grads):
    p = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    opt = make([p])
    for g in grads:
        opt.zero_grad()
        p.grad = torch.from_numpy(g.copy())
        opt.step()
    return p.detach().numpy()


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    return rng.normal(size=(4, 3)), [rng.normal(size=(4, 3)) for _ in range(7)]


def test_sgd_is_w_minus_eta_g(problem):
    w0, grads = problem
    expected = w0 - 0.1 * sum(grads)
    np.testing.assert_allclose(_run_ours(SGD(0.1), w0, grads), expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_torch(problem, nesterov):
    w0, grads = problem
    ours = _run_ours(SGD(0.05, momentum=0.9, nesterov=nesterov), w0, grads)
    theirs = _run_torch(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=nesterov), w0, grads)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-13)


def test_adam_matches_torch(problem):
    w0, grads = problem
    # torch divides by √ŝ + ε, we (like scikit-learn) by √s + ε with a corrected step: equal for ε → 0
    ours = _run_ours(Adam(0.01, epsilon=1e-300), w0, grads)
    theirs = _run_torch(lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-300), w0, grads)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_updates_are_in_place(problem):
    w0, grads = problem
    w = w0.copy()
    for opt in (SGD(0.1), SGD(0.1, momentum=0.5), Adam(0.1)):
        before = id(w)
        opt.step([w], [grads[0]])
        assert id(w) == before and not np.array_equal(w, w0)


def test_state_round_trip_continues_identically(problem):
    w0, grads = problem
    a = Adam(0.01)
    w = [w0.copy()]
    for g in grads[:3]:
        a.step(w, [g])
    b = Adam(0.01)
    b.load_state_dict(a.state_dict())
    w_b = [w[0].copy()]
    for g in grads[3:]:
        a.step(w, [g])
        b.step(w_b, [g])
    assert np.array_equal(w[0], w_b[0])


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError):
        get_optimizer("rmsprop")
    with pytest.raises(ConfigError):
        SGD(-1.0)
    with pytest.raises(ConfigError):
        SGD(0.1, momentum=1.5)
    with pytest.raises(ConfigError):
        Schedule("cosine")


def test_schedules_follow_their_formulas():
    assert Schedule("constant")(0.1, 7) == 0.1
    assert Schedule("step", step_size=3, gamma=0.5)(0.8, 7) == 0.8 * 0.5**2
    assert Schedule("invscaling", power=0.5)(1.0, 3) == pytest.approx(0.5)
