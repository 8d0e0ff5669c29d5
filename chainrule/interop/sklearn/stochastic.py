"""The stochastic solvers (``sgd``, ``adam``) with scikit-learn's loop semantics, on the engine.

Every update is the engine's: ``loss, grads = network.gradients(xb, tb, sample_weight=vb)``, the
L2 term's gradient α·W / Σv is added to each weight gradient (Σv = the batch's sample-weight sum,
or its size), and the engine's optimizer updates the network's arrays in place.

What is scikit-learn's here: the batch size (``"auto"`` = min(200, n)), the order of the
samples (``sklearn.utils.shuffle``'s permutation from the estimator's ``RandomState``, once per epoch), the
early-stopping split (``train_test_split``, stratified for single-output classifiers), the loss
recorded per epoch — Σ_batches |batch| · (data loss + ½α‖W‖² / Σv) / n, so ``loss_curve_``
includes the L2 term as scikit-learn's does —, ``t_`` (samples seen), the ``ConvergenceWarning``
at ``max_iter``, and the stopping rule of :mod:`.stopping`.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ...core.optimizers import SGD, Adam
from ...training.dropout import draw_masks, mask_buffers
from . import stopping


class ScikitLearnSGD(SGD):
    """The engine's SGD with scikit-learn's range of μ, [0, 1] (``CONSTRAINTS["sklearn_momentum"]``).

    At μ = 1 the velocity never decays, v+ = v − η g; scikit-learn's MLPs allow it, the engine's
    own ``"momentum"`` entry stops short of it.  Only the check differs: the update is SGD's.
    """

    momentum_range = "sklearn_momentum"


def make_optimizer(est):
    """The engine's optimizer for ``solver`` (sgd: (Nesterov) momentum; adam: β₁, β₂, ε), each value
    checked by the constraint table as it is built."""
    if est.solver == "adam":
        return Adam(est.learning_rate_init, beta1=est.beta_1, beta2=est.beta_2, epsilon=est.epsilon)
    if est.momentum == 0:  # v+ = −η g: plain gradient descent, with or without Nesterov
        return ScikitLearnSGD(est.learning_rate_init)
    return ScikitLearnSGD(est.learning_rate_init, momentum=est.momentum, nesterov=bool(est.nesterovs_momentum))


def shuffled(idx: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """``idx`` in a new random order: the permutation ``sklearn.utils.shuffle(idx, random_state=rng)``
    draws (``rng.shuffle`` of 0..n−1), without its per-call validation."""
    order = np.arange(len(idx))
    rng.shuffle(order)
    return idx[order]


def fit_stochastic(est, network, X, T, sample_weight, incremental: bool, inputs):
    """Run up to ``max_iter`` epochs (one for ``partial_fit``) on (X, T).

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        The estimator: its parameters, and the training state it keeps under scikit-learn's names.
    network : Network
        The engine's network, updated in place.
    X, T : array or sparse matrix, array
        The samples and their targets (the output layer's encoding).
    sample_weight : array or None
        One weight per sample.
    incremental : bool
        ``partial_fit``: one epoch from the current weights and optimizer state.
    inputs : callable
        ``inputs(X, rows)`` turns rows of X (dense or sparse) into the network's input batch.
    """
    if not incremental or getattr(est, "_optimizer", None) is None:
        est._optimizer = make_optimizer(est)
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    X, T, sample_weight, validation = validation_split(est, X, T, sample_weight)
    epoch = Epoch(est, network, X, T, sample_weight, inputs, batch_size(est, X.shape[0]))
    est.n_iter_ = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for _ in range(est.max_iter):
            if end_of_epoch(est, epoch, epoch.run(est._optimizer), validation) or incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                    "optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
    if est.early_stopping:  # back to the weights of the best validation score
        for p, best in zip(epoch.params, est._best_params):
            np.copyto(p, best)


def validation_split(est, X, T, sample_weight):
    """(X, T, sample_weight, validation): with ``early_stopping``, scikit-learn's split (``train_test_split``
    from the estimator's ``RandomState``, stratified for one 0/1 output) and validation = (X_val, y_val,
    sw_val), the arguments of ``est._validation_score``; without it, everything for training and None."""
    if not est.early_stopping:
        return X, T, sample_weight, None
    stratify = T.astype(bool) if est._is_classifier and T.shape[1] == 1 else None  # as scikit-learn: 0/1 labels
    parts = train_test_split(
        X,
        T,
        *([] if sample_weight is None else [sample_weight]),
        random_state=est._random_state,
        test_size=est.validation_fraction,
        stratify=stratify,
    )
    X, X_val, T, T_val = parts[:4]
    sample_weight, sw_val = parts[4:] if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your dataset.")
    return X, T, sample_weight, (X_val, est._decode_targets(T_val), sw_val)


def batch_size(est, n: int) -> int:
    """scikit-learn's batch size: ``"auto"`` = min(200, n); a number is clipped to 1..n (with its warning)."""
    if est.batch_size == "auto":
        return min(200, n)
    if est.batch_size > n:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped", stacklevel=4
        )
    return int(np.clip(est.batch_size, 1, n))


class Epoch:
    """One pass over the training rows in batches of ``bs``, with what every pass reuses (the target
    buffer, the L2 gradients, the dropout masks), so that no epoch allocates a large array."""

    def __init__(self, est, network, X, T, sample_weight, inputs, bs: int):
        self.est, self.network, self.X, self.T, self.sample_weight, self.inputs = (
            est,
            network,
            X,
            T,
            sample_weight,
            inputs,
        )
        self.n, self.bs = X.shape[0], bs
        self.params = network.parameters()
        self.weights_at = [i for i, p in enumerate(self.params) if any(p is layer.weights for layer in network.layers)]
        self.decay = [np.empty_like(self.params[i]) for i in self.weights_at]
        self.scale = est._loss_scale(T)
        self.alpha = float(est.alpha)
        self.rates = est._dropout_rates()
        self.masks = mask_buffers(self.rates, network.sizes[1:-1], bs, network.dtype) if any(self.rates) else None
        self.rng = np.random.default_rng(est._random_state.randint(np.iinfo(np.int32).max)) if self.masks else None
        self.tbuf = np.empty((bs, T.shape[1]), dtype=network.dtype)
        self.idx = np.arange(self.n)

    def run(self, opt) -> float:
        """One epoch of updates by ``opt``; the loss scikit-learn records, Σ_batches |batch| · E_batch / n."""
        if self.est.shuffle:
            self.idx = shuffled(self.idx, self.est._random_state)
        total = 0.0
        for start in range(0, self.n, self.bs):
            rows = self.idx[start : start + self.bs]
            total += self.step(opt, rows) * len(rows)
        return total / self.n

    def step(self, opt, rows) -> float:
        """One update on the batch ``rows``; its loss E_batch = data loss + ½α‖W‖² / Σv."""
        m = len(rows)
        xb = self.inputs(self.X, rows)
        tb = np.take(self.T, rows, axis=0, out=self.tbuf[:m])
        vb = None if self.sample_weight is None else self.sample_weight[rows]
        sw_sum = m if vb is None else float(vb.sum())
        layer_masks = None if self.masks is None else draw_masks(self.rng, self.rates, self.masks, m)
        loss, grads = self.network.gradients(xb, tb, sample_weight=vb, masks=layer_masks)
        g = self.network.gradient_list(grads)
        squares = 0.0
        for i, buf in zip(self.weights_at, self.decay):  # + d(½α‖W‖² / Σv)/dW = α W / Σv
            w = self.params[i]
            squares += float(np.vdot(w, w))
            np.multiply(w, self.alpha / sw_sum, out=buf)
            g[i] += buf
        opt.step(self.params, g)
        return loss * self.scale + 0.5 * self.alpha * squares / sw_sum


def end_of_epoch(est, epoch: Epoch, loss: float, validation) -> bool:
    """Record the epoch as scikit-learn does (``n_iter_``, ``loss_``, ``t_``, ``loss_curve_``, the
    validation score), apply the schedule and the stopping rule (:mod:`.stopping`); True: stop."""
    est.n_iter_ += 1
    est.loss_ = loss
    est.t_ += epoch.n
    est.loss_curve_.append(est.loss_)
    if est.verbose:
        print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
    score = est._validation_score(*validation) if est.early_stopping else None
    stopping.record_epoch(est, epoch.params, score)
    stopping.end_of_epoch_learning_rate(est, est._optimizer)
    return stopping.should_stop(est, est._optimizer)
