"""scikit-learn estimators on the engine: ``MLPClassifier`` and ``MLPRegressor``.

They follow scikit-learn's conventions (fit / predict / predict_proba / score / partial_fit,
get_params / set_params, ``classes_``, ``n_features_in_``, ``n_iter_``, ``loss_curve_``) and pass
``sklearn.utils.estimator_checks.check_estimator``.  The parameters mirror scikit-learn's own
MLPClassifier where they mean the same: ``alpha`` is its L2 penalty, applied as the gradient
``alpha · W / batch_size`` just as scikit-learn does; training stops, like scikit-learn's, when the
training loss has not improved by ``tol`` for ``n_iter_no_change`` epochs (here the best weights
are then restored).  ``standardize=True`` standardises the inputs inside the estimator (off by
default, as in scikit-learn, where a ``StandardScaler`` in a pipeline does it).

scikit-learn is an optional extra (``pip install 'chainrule[sklearn]'``).
"""

from __future__ import annotations

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted
except ImportError as exc:  # pragma: no cover - the extra is missing
    from ..errors import ConfigError

    raise ConfigError("scikit-learn is not installed (pip install 'chainrule[sklearn]')") from exc

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6

    def validate_data(estimator, X="no_validation", y="no_validation", reset=True, **kw):
        return estimator._validate_data(X, y, reset=reset, **kw)


from ..core.optimizers import get_optimizer
from ..training.loop import Trainer
from ..training.model import Model, prepare


class _BaseMLP(BaseEstimator):
    _task = ""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", solver="adam", learning_rate_init=0.001,
                 alpha=0.0001, batch_size="auto", max_iter=200, momentum=0.9, nesterovs_momentum=True,
                 learning_rate="constant", dropout=0.0, standardize=False, tol=1e-4, n_iter_no_change=10,
                 shuffle=True, random_state=None, dtype="float64"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.learning_rate = learning_rate
        self.dropout = dropout
        self.standardize = standardize
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.dtype = dtype

    # ------------------------------------------------------------------------------ helpers
    def _seed(self):
        rs = self.random_state
        if rs is None or isinstance(rs, (int, np.integer)):
            return None if rs is None else int(rs)
        return int(rs.randint(np.iinfo(np.int32).max))  # a RandomState instance

    def _optimizer(self):
        name = self.solver
        if name == "sgd" and self.momentum > 0:
            name = "nesterov" if self.nesterovs_momentum else "momentum"
        return get_optimizer(name, self.learning_rate_init, momentum=self.momentum)

    def _options(self, n: int, epochs: int, optimizer) -> dict:
        bs = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)
        return dict(epochs=epochs, batch_size=bs, optimizer=optimizer, l2=self.alpha / bs,
                    schedule="invscaling" if self.learning_rate == "invscaling" else "constant",
                    dropout=self.dropout, shuffle=self.shuffle, metrics=(), train_metrics=False)

    def _hidden(self):
        h = self.hidden_layer_sizes
        return [int(h)] if np.isscalar(h) else [int(x) for x in h]

    def _y(self, y):
        return y

    def _fit(self, X, y, incremental: bool, classes=None):
        first = not (incremental and hasattr(self, "model_"))
        X, y = self._validate(X, y, reset=first)
        if first:
            self._prepare_targets(y, classes)
            self._rng_calls = 0
            model, trainer = prepare(
                X, self._y(y), self._hidden(), task=self._task, activation=self.activation, standardize=self.standardize,
                dtype=self.dtype, seed=self._seed(),
                **self._options(len(X), 1 if incremental else self.max_iter, self._optimizer()),
                early_stopping=None if incremental else self.n_iter_no_change, min_delta=self.tol,
            )
            self.model_, self._opt = model, trainer.optimizer
            self.n_iter_ = 0
        else:
            model = self.model_
            seed = None if self._seed() is None else [self._seed(), self._rng_calls]
            trainer = Trainer(model.network, model.inputs(X), model.targets(self._y(y)), seed=seed,
                              history=model.history, **self._options(len(X), 1, self._opt))
        self._rng_calls += 1
        trainer.run()
        self.n_iter_ += trainer.epoch
        self.loss_curve_ = list(model.history["loss"])
        self.loss_ = self.loss_curve_[-1]
        return self

    def _validate(self, X, y, reset):
        return validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32])

    def _prepare_targets(self, y, classes):
        pass

    # ------------------------------------------------------------------------------ the API
    def fit(self, X, y):
        """Train a new network on (X, y) for up to ``max_iter`` epochs."""
        for attr in ("model_", "_opt"):
            self.__dict__.pop(attr, None)
        return self._fit(X, y, incremental=False)

    def _check_X(self, X):
        check_is_fitted(self, "model_")
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])

    @property
    def network_(self):
        check_is_fitted(self, "model_")
        return self.model_.network

    def transform_hidden(self, X, layer: int = -1):
        """The outputs of a hidden layer (1 = first, −1 = last) for inspection."""
        X = self._check_X(X)
        return self.model_.transform(X, layer)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier: hidden layers of ``activation``, softmax (or, for two
    classes, one sigmoid) output, cross-entropy loss."""

    _task = "classification"

    def _validate(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        return X, y

    def _prepare_targets(self, y, classes):
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        if len(self.classes_) < 2:
            raise ValueError(f"MLPClassifier needs samples of at least 2 classes; got {len(self.classes_)} class")

    def _fit(self, X, y, incremental, classes=None):
        if incremental and hasattr(self, "model_"):
            return super()._fit(X, y, True)
        if incremental:  # the first partial_fit: the classes must be known up front
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            X, y = self._validate(X, y, reset=True)
            self._prepare_targets(y, classes)
            # a first batch that lacks some declared classes: build the network for all of them
            unseen = np.setdiff1d(self.classes_, np.unique(y))
            if len(np.setdiff1d(np.unique(y), self.classes_)):
                raise ValueError("partial_fit got labels that are not in 'classes'")
            if len(unseen):
                return self._first_partial_with_unseen(X, y)
        return super()._fit(X, y, incremental)

    def _first_partial_with_unseen(self, X, y):
        model, trainer = prepare(
            np.vstack([X, X[: len(self.classes_)]]), np.concatenate([y, self.classes_]), self._hidden(),
            task="classification", activation=self.activation, standardize=False, dtype=self.dtype, seed=self._seed(),
            **self._options(len(X), 1, self._optimizer()),
        )
        model.encoder.classes = self.classes_
        if self.standardize:
            from ..training.preprocess import Standardizer

            model.scaler = Standardizer().fit(X)
        self.model_, self._opt, self.n_iter_, self._rng_calls = model, trainer.optimizer, 0, 0
        return super()._fit(X, y, True)

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing from the current weights and optimizer state."""
        return self._fit(X, y, incremental=True, classes=classes)

    def predict_proba(self, X):
        X = self._check_X(X)
        return self.model_.predict_proba(X).astype(np.float64)

    def predict_log_proba(self, X):
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        X = self._check_X(X)
        return self.model_.predict(X)


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor: hidden layers of ``activation``, identity outputs, MSE loss."""

    _task = "regression"

    def _validate(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32], y_numeric=True, multi_output=True)
        if reset:
            self._y_1d = y.ndim == 1
        return X, y

    def partial_fit(self, X, y):
        """One epoch over (X, y), continuing from the current weights and optimizer state."""
        return self._fit(X, y, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X):
        X = self._check_X(X)
        out = np.asarray(self.model_.network.predict(self.model_.inputs(X)), dtype=np.float64)
        return out[:, 0] if self._y_1d else out


__all__ = ["MLPClassifier", "MLPRegressor", "Model"]
