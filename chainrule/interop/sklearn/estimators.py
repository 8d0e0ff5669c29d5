"""``MLPClassifier`` and ``MLPRegressor``: scikit-learn's MLP estimators, trained by the engine.

Every parameter and fitted attribute of scikit-learn's own MLPs means the same here — the
solvers (``adam``, ``sgd``, ``lbfgs``), the learning-rate schedules, ``early_stopping``,
``warm_start``, ``partial_fit``, sample weights, sparse X, float32 kept float32, multilabel
targets, the regressor's ``loss="poisson"``, ``coefs_``/``intercepts_`` (views of the engine's
arrays), ``loss_curve_`` (with the L2 term), the stopping rule and the warnings.  The extras
(``activation`` per layer, ``dropout``, ``standardize``, ``dtype``, ``class_weight``) default to
scikit-learn's behaviour; ``network_`` is the fitted :class:`chainrule.Network`, ``to_torch()``
gives it as a PyTorch module.
"""

from __future__ import annotations

import copy

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ...core.constraints import check
from ...errors import DivergedError
from ...training.preprocess import Standardizer
from . import params as P
from .lbfgs import Objective, fit_lbfgs
from .stochastic import fit_stochastic
from .weights import build_network, coef_view, coef_views, glorot_uniform, intercept_views, is_view

STOCHASTIC = ("sgd", "adam")


class _BaseMLP(BaseEstimator):
    _is_classifier = False

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        standardize=False,
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.standardize = standardize
        self.dtype = dtype

    # ------------------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None):
        """Fit the model to X and y (class labels, a label-indicator matrix, or values)."""
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in STOCHASTIC:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is not stochastic."
            )
        return True

    def _fit(self, X, y, sample_weight, incremental: bool):
        sizes = P.hidden_sizes(self.hidden_layer_sizes)
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, T, labels = self._validate_input(X, y, incremental, reset=first_pass)
        if sp.issparse(X):
            X = X.tocsr()  # row batches
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        sample_weight = self._class_sample_weight(labels, sample_weight)
        self.n_outputs_ = T.shape[1]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X, T, sizes)
        network = self._engine()
        T = np.asarray(T, dtype=network.dtype)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=network.dtype)
        if self.solver in STOCHASTIC:
            fit_stochastic(self, network, X, T, sample_weight, incremental, self._batch_inputs(network))
        else:
            fit_lbfgs(self, network, self._inputs(X, network), T, sample_weight)
        if not all(np.isfinite(p).all() for p in network.parameters()):
            raise DivergedError(
                "Solver produced non-finite parameter weights. The input data may contain large "
                "values and need to be preprocessed."
            )
        return self

    def _initialize(self, X, T, sizes):
        """A new network (scikit-learn's initialisation) and fresh training state."""
        self.n_iter_ = 0
        self.t_ = 0
        units = check({"sizes": [X.shape[1], *sizes, T.shape[1]]})["sizes"]  # the limits, before drawing any weight
        self.n_layers_ = len(units)
        self.out_activation_ = self._output_activation()
        hidden = P.hidden_activations(self.activation, len(sizes))
        dtype = np.dtype(self.dtype or X.dtype)
        coefs, intercepts = [], []
        for i, (fan_in, fan_out) in enumerate(zip(units, units[1:])):
            c, b = glorot_uniform(
                self._random_state, fan_in, fan_out, hidden[min(i, len(hidden) - 1)] if hidden else "relu", dtype
            )
            coefs.append(c)
            intercepts.append(b)
        self.network_ = build_network(coefs, intercepts, hidden, self.out_activation_, dtype)
        self._set_views()
        self._best_params = [p.copy() for p in self.network_.parameters()]
        self._optimizer = None
        self._scaler = self._fit_scaler(X) if self.standardize else None
        if self.solver in STOCHASTIC:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = [], -np.inf, None
            else:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = None, None, np.inf

    # ---------------------------------------------------------------- the engine's network
    def _engine(self):
        """The network, after taking over any arrays assigned to ``coefs_`` / ``intercepts_``."""
        net = self.__dict__.get("network_")
        coefs, intercepts = self.coefs_, self.intercepts_
        if (
            net is None
            or len(coefs) != len(net.layers)
            or any(np.shape(c) != coef_view(layer).shape for c, layer in zip(coefs, net.layers))
        ):
            dtype = np.asarray(coefs[0]).dtype if np.asarray(coefs[0]).dtype in (np.float32, np.float64) else np.float64
            hidden = P.hidden_activations(self.activation, len(coefs) - 1)
            self.network_ = net = build_network(coefs, intercepts, hidden, self.out_activation_, dtype)
            self._set_views()
            return net
        changed = False
        for layer, c, b in zip(net.layers, coefs, intercepts):
            if not is_view(c, layer):
                coef_view(layer)[...] = c
                changed = True
            if not is_view(b, layer):
                layer.bias[...] = np.reshape(b, layer.bias.shape)
                changed = True
        if changed:
            self._set_views()
        return net

    def _set_views(self):
        self.coefs_ = coef_views(self.network_)
        self.intercepts_ = intercept_views(self.network_)

    def _fit_scaler(self, X):
        if sp.issparse(X):
            from sklearn.utils.sparsefuncs import mean_variance_axis

            mean, var = mean_variance_axis(X, axis=0)
            std = np.sqrt(var)
            return Standardizer(mean, np.where(std > 0, std, 1.0))
        return Standardizer().fit(X)

    def _inputs(self, X, network):
        """Rows of X as the network reads them, in its dtype: sparse rows stay sparse (CSR, into the
        first layer's product); standardising (which centres) makes them dense."""
        scaler = getattr(self, "_scaler", None)
        if sp.issparse(X):
            if scaler is None:
                return X.tocsr().astype(network.dtype, copy=False)
            X = X.toarray()
        if scaler is not None:
            return scaler.transform(X, network.dtype)
        return np.asarray(X, dtype=network.dtype)

    def _batch_inputs(self, network):
        """``inputs(X, rows)`` for the training loop; dense rows are gathered into one reused buffer."""
        buffers = {}

        def inputs(X, rows):
            if sp.issparse(X) or getattr(self, "_scaler", None) is not None or X.dtype != network.dtype:
                return self._inputs(X[rows], network)
            buf = buffers.get(X.shape[1])
            if buf is None or buf.shape[0] < len(rows):
                buf = buffers[X.shape[1]] = np.empty((len(rows), X.shape[1]), dtype=network.dtype)
            return np.take(X, rows, axis=0, out=buf[: len(rows)])

        return inputs

    def _forward(self, X, check_input=True):
        if check_input:
            check_is_fitted(self)
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        network = self._engine()
        return network.predict(self._inputs(X, network))

    def _loss_scale(self, T) -> float:
        """scikit-learn's squared error is ½·mean over outputs; the engine's half_sse sums them."""
        return 1.0 / T.shape[1] if getattr(self, "loss", None) == "squared_error" else 1.0

    def _loss_grad_lbfgs(self, packed, X, Y, sample_weight=None, *unused):
        """The L-BFGS objective at ``packed`` (weights then biases): (loss, gradient).

        The name and arguments are scikit-learn's (its extra work arrays are not needed here)."""
        network = self._engine()
        Y = np.asarray(Y, dtype=network.dtype).reshape(len(Y), -1)
        return Objective(network, self._inputs(X, network), Y, sample_weight, self.alpha, self._loss_scale(Y))(packed)

    def _dropout_rates(self):
        return P.dropout_rates(self.dropout, len(self.network_.layers) - 1)

    def _validation_score(self, X, y, sample_weight):
        """The score on the early-stopping split (NaN when the predictions are not finite)."""
        pred = self._forward(X, check_input=False)
        if not np.isfinite(pred).all():
            return np.nan
        return float(self._score_function(y, self._decode_predictions(pred), sample_weight=sample_weight))

    def _class_sample_weight(self, labels, sample_weight):
        return sample_weight

    # ------------------------------------------------------------------------------ extras
    def to_torch(self):
        """The fitted network as a PyTorch ``nn.Sequential`` (weights copied); with
        ``standardize=True`` its first module standardises the inputs exactly as ``predict`` does
        (:class:`~chainrule.interop.torch_modules.Standardize`)."""
        from ..torch import to_torch

        check_is_fitted(self)
        return to_torch(self._engine(), scaler=getattr(self, "_scaler", None))

    def transform_hidden(self, X, layer: int = -1):
        """The outputs of a hidden layer (1 = first, −1 = last) for X."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        network = self._engine()
        n_hidden = len(network.layers) - 1
        index = layer if layer > 0 else n_hidden + 1 + layer
        if not 1 <= index <= n_hidden:
            raise ValueError(f"hidden layer must be 1..{n_hidden} (or negative from the end), not {layer}")
        return network.forward(self._inputs(X, network)).outs[index]

    # ------------------------------------------------------------------------------ pickling
    def __getstate__(self):
        if "network_" in self.__dict__:
            self._engine()  # take over assigned coefs_ before they are dropped
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        state.pop("coefs_", None)  # views: rebuilt from network_ on loading
        state.pop("intercepts_", None)
        net = state.get("network_")
        if net is not None and "_workspace" in net.__dict__:
            net = copy.copy(net)
            del net.__dict__["_workspace"]  # reused buffers, not state
            state["network_"] = net
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "network_" in self.__dict__:
            self._set_views()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on the chainrule engine.

    Softmax outputs and cross-entropy for several classes; one logistic output for two classes;
    one logistic output per label for a label-indicator matrix.  ``class_weight`` (``None``,
    ``"balanced"`` or a dict) multiplies the sample weights.
    """

    _is_classifier = True
    _parameter_constraints = P.CLASSIFIER_CONSTRAINTS
    _score_function = staticmethod(accuracy_score)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        standardize=False,
        dtype=None,
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            standardize=standardize,
            dtype=dtype,
        )
        self.class_weight = class_weight

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], multi_output=True, dtype=(np.float64, np.float32), reset=reset
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the previous "
                        f"call to fit. Previously got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y), y

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _class_sample_weight(self, labels, sample_weight):
        if self.class_weight is None:
            return sample_weight
        w = compute_sample_weight(self.class_weight, labels)
        return w if sample_weight is None else w * sample_weight

    def _decode_targets(self, T):
        return self._label_binarizer.inverse_transform(T)

    def _decode_predictions(self, out):
        return self._label_binarizer.inverse_transform(out.ravel() if self.n_outputs_ == 1 else out)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y) from the current weights; ``classes`` is required on the first call."""
        self._validate_params()
        if getattr(self, "classes_", None) is None:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self.classes_ = unique_labels(classes)
            multilabel = type_of_target(y).startswith("multilabel")
            self._label_binarizer = LabelBinarizer().fit(y if multilabel else classes)
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to partial_fit, was: {self.classes_!r}"
            )
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """The predicted class of each sample (or label-indicator rows)."""
        check_is_fitted(self)
        return self._decode_predictions(self._forward(X))

    def predict_proba(self, X):
        """Probabilities per class, in the order of ``classes_``."""
        check_is_fitted(self)
        out = self._forward(X)
        if self.n_outputs_ == 1:
            p = out.ravel()
            return np.vstack([1 - p, p]).T
        return out

    def predict_log_proba(self, X):
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor`` on the chainrule engine.

    ``loss="squared_error"``: identity outputs, ½(y − ŷ)²; ``loss="poisson"``: exponential outputs
    and the half Poisson deviance.
    """

    _parameter_constraints = P.REGRESSOR_CONSTRAINTS
    _score_function = staticmethod(r2_score)

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        standardize=False,
        dtype=None,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            standardize=standardize,
            dtype=dtype,
        )
        self.loss = loss

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y.reshape(len(y), -1), y

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _decode_targets(self, T):
        return T

    def _decode_predictions(self, out):
        return out.ravel() if out.shape[1] == 1 else out

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y) from the current weights and optimizer state."""
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """The predicted values (one column per output; 1-D for one output)."""
        check_is_fitted(self)
        return self._decode_predictions(self._forward(X))
