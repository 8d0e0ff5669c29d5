"""``solver="lbfgs"``: SciPy's L-BFGS-B over the engine's loss and gradients, as scikit-learn does.

The objective is the full-batch loss J(θ) = data loss + ½α‖W‖² / Σv and its gradient
(the engine's dE/dW + α·W / Σv, and dE/db), with θ all weights then all biases in
scikit-learn's packing.  ``maxiter = max_iter``, ``maxfun = max_fun``, ``gtol = tol``; when SciPy
reports no convergence a ``ConvergenceWarning`` says why, and ``n_iter_`` = min(nit, max_iter).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .weights import Packing


class Objective:
    """θ ↦ (J(θ), ∇J(θ)) for a network on fixed data; writes θ into the network's arrays."""

    def __init__(self, network, X, T, sample_weight, alpha: float, loss_scale: float):
        self.network, self.X, self.T, self.v = network, X, T, sample_weight
        self.alpha, self.loss_scale = float(alpha), loss_scale
        self.packing = Packing(network)
        self.sw_sum = X.shape[0] if sample_weight is None else float(np.sum(sample_weight))
        self.grad = np.empty(self.packing.size)

    def __call__(self, theta):
        net, p = self.network, self.packing
        p.unpack(theta)
        loss, grads = net.gradients(self.X, self.T, sample_weight=self.v)
        squares = sum(float(np.vdot(c, c)) for c in p.coefs)
        value = loss * self.loss_scale + 0.5 * self.alpha * squares / self.sw_sum
        dW = [dw.T + (self.alpha / self.sw_sum) * c for dw, c in zip(grads.dW, p.coefs)]  # (n_in, n_out)
        return value, p.pack(dW + list(grads.db), into=self.grad).copy()


def fit_lbfgs(est, network, X, T, sample_weight) -> None:
    objective = Objective(network, X, T, sample_weight, est.alpha, est._loss_scale(T))
    callback = None
    if est.verbose:
        seen = [0]

        def callback(intermediate_result):
            seen[0] += 1
            print(f"Iteration {seen[0]}, loss = {intermediate_result.fun:.8f}")

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        result = scipy.optimize.minimize(
            objective,
            objective.packing.pack(),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
        )
    est.n_iter_ = min(result.nit, est.max_iter)
    if result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {est.n_iter_} iteration(s) (status={result.status}):\n{result.message}\n",
            ConvergenceWarning,
            stacklevel=3,
        )
    est.loss_ = float(result.fun)
    objective.packing.unpack(result.x)
