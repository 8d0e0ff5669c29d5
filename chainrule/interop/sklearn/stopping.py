"""scikit-learn's stopping rule and learning-rate schedules for the stochastic solvers.

After each epoch (scikit-learn's "iteration"):

* without early stopping, an epoch "does not improve" when its training loss L > best_loss − tol;
* with early stopping, when its validation score s < best_score + tol (the best weights so far
  are kept and restored at the end);
* an improving epoch resets the count; when the count exceeds ``n_iter_no_change`` training
  stops — except with ``learning_rate="adaptive"`` (sgd), which divides η by 5 and carries on
  until η ≤ 10⁻⁶;
* ``learning_rate="invscaling"`` (sgd) sets η = η₀ / (t + 1)^power_t, t = samples seen so far.

The state lives on the estimator under scikit-learn's names (``best_loss_``,
``best_validation_score_``, ``validation_scores_``, ``_no_improvement_count``).
"""

from __future__ import annotations

ADAPTIVE_FLOOR = 1e-6


def record_epoch(est, params, val_score=None) -> None:
    """Update the no-improvement count (and the best weights, under early stopping)."""
    if est.early_stopping:
        est.validation_scores_.append(val_score)
        if est.verbose:
            print(f"Validation score: {val_score:f}")
        worse = val_score < est.best_validation_score_ + est.tol  # NaN compares False: counts as improving
        est._no_improvement_count = est._no_improvement_count + 1 if worse else 0
        if val_score > est.best_validation_score_:
            est.best_validation_score_ = val_score
            est._best_params = [p.copy() for p in params]
    else:
        loss = est.loss_curve_[-1]
        est._no_improvement_count = est._no_improvement_count + 1 if loss > est.best_loss_ - est.tol else 0
        if loss < est.best_loss_:
            est.best_loss_ = loss


def end_of_epoch_learning_rate(est, optimizer) -> None:
    """η = η₀ / (t + 1)^power_t for sgd's ``invscaling`` (t = samples seen)."""
    if est.solver == "sgd" and est.learning_rate == "invscaling":
        optimizer.learning_rate = float(est.learning_rate_init) / (est.t_ + 1) ** est.power_t


def should_stop(est, optimizer) -> bool:
    """True when the count has run out; ``adaptive`` sgd first lowers η by a factor of 5."""
    if not est._no_improvement_count > est.n_iter_no_change:
        return False
    what = "Validation score did not improve" if est.early_stopping else "Training loss did not improve"
    msg = f"{what} more than tol={est.tol:f} for {est.n_iter_no_change} consecutive epochs."
    if est.solver == "sgd" and est.learning_rate == "adaptive":
        if optimizer.learning_rate > ADAPTIVE_FLOOR:
            optimizer.learning_rate /= 5.0
            est._no_improvement_count = 0
            if est.verbose:
                print(f"{msg} Setting learning rate to {optimizer.learning_rate:f}")
            return False
        msg += " Learning rate too small."
    if est.verbose:
        print(msg + " Stopping.")
    return True
