"""Metrics computed from a network's outputs and the targets.

* accuracy: the share of samples whose predicted class (argmax of the outputs; out > 0.5 for a
  single output) equals the target's class.
* r2: R² = 1 − Σ(t − y)² / Σ(t − mean t)², averaged over outputs (scikit-learn's convention).

Which of them a run reports by default is a property of its loss (``Loss.metrics``).
"""

from __future__ import annotations

import numpy as np

METRICS = ("accuracy", "r2")


def predicted_class(out: np.ndarray) -> np.ndarray:
    return (out[:, 0] > 0.5).astype(np.intp) if out.shape[1] == 1 else out.argmax(axis=1)


def accuracy(out: np.ndarray, target: np.ndarray) -> float:
    return float(np.mean(predicted_class(out) == predicted_class(target)))


def r2(out: np.ndarray, target: np.ndarray) -> float:
    ss_res = ((target - out) ** 2).sum(axis=0)
    ss_tot = ((target - target.mean(axis=0)) ** 2).sum(axis=0)
    per_output = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.where(ss_res > 0, 0.0, 1.0))
    return float(per_output.mean())


def evaluate(network, X, T, metrics=(), chunk: int = 4096, rows=None) -> dict:
    """Loss and metrics of ``network`` on (X, T), in chunks of rows (inputs as the network expects).

    ``rows`` (an index array) restricts it to those rows without copying the whole data.
    """
    X = network.as_inputs(X)
    T = network.as_targets(T, len(X))
    fused = network.loss_fn.fused_activation == network.layers[-1].activation.name
    n = len(X) if rows is None else len(rows)
    outs, targets, total = [], [], 0.0
    for start in range(0, n, chunk):
        if rows is None:
            x, t = X[start : start + chunk], T[start : start + chunk]
        else:
            idx = rows[start : start + chunk]
            x, t = X[idx], T[idx]
        fwd = network.forward(x)
        total += network.loss_fn.value(fwd.output, t, fwd.nets[-1] if fused else None) * len(t)
        outs.append(fwd.output)
        targets.append(t)
    out = np.concatenate(outs) if len(outs) > 1 else outs[0]
    tgt = np.concatenate(targets) if len(targets) > 1 else targets[0]
    logs = {"loss": total / n}
    for name in metrics:
        logs[name] = {"accuracy": accuracy, "r2": r2}[name](out.astype(np.float64), tgt.astype(np.float64))
    return logs
