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

    ``inputs(rows)`` turns rows of X (dense or sparse) into the network's input batch.
    """
    params = network.parameters()
    if not incremental or getattr(est, "_optimizer", None) is None:
        est._optimizer = make_optimizer(est)
    opt = est._optimizer
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")

    X_val = y_val = sw_val = None
    if est.early_stopping:
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
        if sample_weight is not None:
            sample_weight, sw_val = parts[4:]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size of your dataset."
            )
        y_val = est._decode_targets(T_val)

    n = X.shape[0]
    if est.batch_size == "auto":
        bs = min(200, n)
    else:
        if est.batch_size > n:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped", stacklevel=3
            )
        bs = int(np.clip(est.batch_size, 1, n))

    weights_at = [i for i, p in enumerate(params) if any(p is layer.weights for layer in network.layers)]
    decay = [np.empty_like(params[i]) for i in weights_at]
    scale = est._loss_scale(T)
    alpha = float(est.alpha)
    rates = est._dropout_rates()
    masks = mask_buffers(rates, network.sizes[1:-1], bs, network.dtype) if any(rates) else None
    rng = np.random.default_rng(est._random_state.randint(np.iinfo(np.int32).max)) if masks else None
    tbuf = np.empty((bs, T.shape[1]), dtype=network.dtype)
    idx = np.arange(n)

    est.n_iter_ = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for _ in range(est.max_iter):
            if est.shuffle:
                idx = shuffled(idx, est._random_state)
            total = 0.0
            for start in range(0, n, bs):
                rows = idx[start : start + bs]
                m = len(rows)
                xb = inputs(X, rows)
                tb = np.take(T, rows, axis=0, out=tbuf[:m])
                vb = None if sample_weight is None else sample_weight[rows]
                sw_sum = m if vb is None else float(vb.sum())
                layer_masks = None if masks is None else draw_masks(rng, rates, masks, m)
                loss, grads = network.gradients(xb, tb, sample_weight=vb, masks=layer_masks)
                g = network.gradient_list(grads)
                squares = 0.0
                for i, buf in zip(weights_at, decay):  # + d(½α‖W‖² / Σv)/dW = α W / Σv
                    w = params[i]
                    squares += float(np.vdot(w, w))
                    np.multiply(w, alpha / sw_sum, out=buf)
                    g[i] += buf
                total += (loss * scale + 0.5 * alpha * squares / sw_sum) * m
                opt.step(params, g)
            est.n_iter_ += 1
            est.loss_ = total / n
            est.t_ += n
            est.loss_curve_.append(est.loss_)
            if est.verbose:
                print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
            score = est._validation_score(X_val, y_val, sw_val) if est.early_stopping else None
            stopping.record_epoch(est, params, score)
            stopping.end_of_epoch_learning_rate(est, opt)
            if stopping.should_stop(est, opt):
                break
            if incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                    "optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
    if est.early_stopping:  # back to the weights of the best validation score
        for p, best in zip(params, est._best_params):
            np.copyto(p, best)
