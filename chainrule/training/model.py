"""A trained model: the network plus what it needs around it — input standardisation, class
labels, names, and the training history.

``train(X, y, hidden=[64], ...)`` builds and trains one; ``Model.predict`` gives class labels (or
values), ``predict_proba`` the output layer, ``transform`` a hidden layer's outputs.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core.losses import get_loss
from ..core.network import Network
from ..errors import ConfigError, DataError, NumericalError
from .history import History
from .loop import Trainer
from .metrics import accuracy, evaluate, r2
from .preprocess import LabelEncoder, Standardizer

TASKS = ("classification", "regression")
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")  # a classifier's outputs are probabilities: in [0, 1]


class Model:
    """A trained network with what it needs around it: input standardisation, class labels,
    feature and target names, and its training history.

    `train` (and ``chainrule train``) build one; `save_model` and `load_model` keep it on disk.
    It takes raw features (as in the data) and gives class labels or values.

    Parameters
    ----------
    network : Network
        The network; ``model.network``.
    task : {"classification", "regression"}, default "classification"
        Class labels or values.
    classes : array_like, optional
        The class labels, in the order of the output neurons (classification).
    scaler : Standardizer, optional
        The training data's column means and standard deviations; None feeds features raw.
    feature_names : list of str, optional
        The input columns' names (``chainrule predict`` matches CSV columns by them).
    target_name : str, optional
        The name of what is predicted.
    history : History, optional
        The training history: ``model.history["loss"]``, one value per epoch.
    info : dict, optional
        How it was made (data, split, optimizer, held-out score in ``info["test"]``).

    Raises
    ------
    ConfigError
        A task other than classification or regression, or a classifier whose outputs are not
        probabilities (an output activation other than sigmoid or softmax; softmax over one output).

    Examples
    --------
    >>> import chainrule
    >>> iris = chainrule.load_dataset("iris")
    >>> model = chainrule.train(iris.X, iris.y, hidden=[16], learning_rate=0.01, epochs=50)
    >>> model
    Model(classification, Network([4, 16, 3], activation=[relu,softmax], loss='cross_entropy', dtype=float64))
    >>> model.predict(iris.X[[0, 60, 120]]).tolist(), round(model.score(iris.X, iris.y), 2)
    ([0, 1, 2], 0.99)
    """

    def __init__(
        self,
        network: Network,
        task: str = "classification",
        classes=None,
        scaler: Standardizer | None = None,
        feature_names=None,
        target_name=None,
        history: History | None = None,
        info: dict | None = None,
    ):
        if task not in TASKS:
            raise ConfigError(f"task must be classification or regression, not {task!r}")
        if task == "classification":
            _check_probability_outputs(network)
        self.network = network
        self.task = task
        self.encoder = LabelEncoder(classes) if classes is not None else None
        self.scaler = scaler
        self.feature_names = None if feature_names is None else [str(f) for f in feature_names]
        self.target_name = target_name
        self.history = history if history is not None else History()
        self.info = dict(info or {})

    @property
    def classes(self):
        """The class labels in the order of the output neurons (None for regression)."""
        return None if self.encoder is None else self.encoder.classes

    # ---------------------------------------------------------------------------- encoding
    def inputs(self, X) -> np.ndarray:
        """Raw features → what the network reads (standardised with the training mean and std).

        Raises
        ------
        DataError
            Not one row per sample with the model's number of columns, or a value that is not finite.
        """
        X = _matrix(X, "inputs")
        if X.shape[1] != self.network.n_inputs:
            raise DataError(f"data have {X.shape[1]} feature column(s), the model expects {self.network.n_inputs}")
        if not np.isfinite(X).all():
            raise DataError("data contain a value that is not a finite number (NaN or infinity)")
        if self.scaler is None:
            return _cast(X, self.network.dtype, "data")
        return _cast(self.scaler.transform(X), self.network.dtype, "data", copy=False)  # a new array already

    def targets(self, y) -> np.ndarray:
        """Labels → one-hot rows (classification), or values → a column per output (regression).

        Raises
        ------
        DataError
            A class label the model has never seen, the wrong number of columns, or a non-finite value.
        """
        if self.task == "classification":
            return self.encoder.one_hot(y, self.network.dtype, binary_single_column=self.network.n_outputs == 1)
        y = _matrix(y, "targets", column=True)
        if y.shape[1] != self.network.n_outputs:
            raise DataError(f"targets have {y.shape[1]} column(s), the model has {self.network.n_outputs} output(s)")
        if not np.isfinite(y).all():
            raise DataError("targets contain a value that is not a finite number (NaN or infinity)")
        return _cast(y, self.network.dtype, "targets")

    # ---------------------------------------------------------------------------- using it
    def outputs(self, X) -> np.ndarray:
        """The output layer's values for each row of ``X``, every one a finite number.

        Parameters
        ----------
        X : array_like
            Raw features, one row per sample (standardised inside, as in training).

        Returns
        -------
        numpy.ndarray
            One row per sample, one column per output neuron.

        Raises
        ------
        DataError
            Rows that do not fit the model, a value that is not finite or too large for its dtype.
        NumericalError
            An output that is not a finite number (weights or inputs that overflow in the model's
            dtype): one line, rather than NaN predictions.
        """
        inputs = self.inputs(X)
        with np.errstate(over="ignore", invalid="ignore"):  # not finite: said below, in one line
            out = self.network.predict(inputs)
        if not np.isfinite(out).all():
            bad = int((~np.isfinite(out)).any(axis=1).sum())
            raise NumericalError(
                f"the model's outputs are not finite numbers for {bad} of {len(out)} sample(s): its weights or "
                f"these inputs overflow {np.dtype(self.network.dtype).name}"
            )
        return out

    def predict_proba(self, X) -> np.ndarray:
        """The output layer's values for each row of ``X``: the class probabilities for softmax outputs.

        Parameters
        ----------
        X : array_like
            Raw features, one row per sample (standardised inside, as in training).

        Returns
        -------
        numpy.ndarray
            One row per sample, one column per class (two for a single sigmoid output: 1 − p, p).

        Raises
        ------
        DataError
            Rows with the wrong number of columns or a value that is not finite (or too large for
            a float32 model).
        NumericalError
            An output that is not a finite number (weights that overflow in the model's dtype).

        Examples
        --------
        >>> import chainrule
        >>> iris = chainrule.load_dataset("iris")
        >>> model = chainrule.train(iris.X, iris.y, hidden=[16], learning_rate=0.01, epochs=50)
        >>> model.predict_proba(iris.X[:1]).round(2).tolist()
        [[1.0, 0.0, 0.0]]
        """
        out = self.outputs(X)
        if self.task == "classification" and out.shape[1] == 1:
            out = np.hstack([1.0 - out, out])
        return out

    def predict(self, X) -> np.ndarray:
        """A class label (classification) or a value (regression) for each row of ``X``.

        Parameters
        ----------
        X : array_like
            Raw features, one row per sample.

        Returns
        -------
        numpy.ndarray
            One label (from ``classes``) or value per row; one column per target for several values.

        Raises
        ------
        DataError
            Rows with the wrong number of columns or a value that is not finite (or too large for
            a float32 model).
        NumericalError
            An output that is not a finite number (weights that overflow in the model's dtype).

        Examples
        --------
        >>> import chainrule
        >>> xor = chainrule.load_dataset("xor")
        >>> model = chainrule.train(xor.X, xor.y, hidden=[4], learning_rate=0.05, epochs=300)
        >>> model.predict([[0, 1], [1, 1]]).tolist()
        [1, 0]
        """
        out = self.outputs(X)
        if self.task == "classification":
            idx = (out[:, 0] > 0.5).astype(np.intp) if out.shape[1] == 1 else out.argmax(axis=1)
            return self.encoder.decode(idx)
        return out[:, 0] if out.shape[1] == 1 else out

    def transform(self, X, layer: int = -1) -> np.ndarray:
        """The outputs of a hidden layer for each row of ``X``: what that layer's neurons compute.

        Parameters
        ----------
        X : array_like
            Raw features, one row per sample.
        layer : int, default -1
            Which hidden layer: 1 is the first, −1 the last.

        Returns
        -------
        numpy.ndarray
            One row per sample, one column per neuron of that layer.

        Raises
        ------
        ConfigError
            No such hidden layer (or none at all).

        Examples
        --------
        >>> import chainrule
        >>> iris = chainrule.load_dataset("iris")
        >>> model = chainrule.train(iris.X, iris.y, hidden=[16, 8], epochs=2)
        >>> model.transform(iris.X[:5], 1).shape, model.transform(iris.X[:5]).shape
        ((5, 16), (5, 8))
        """
        n_hidden = len(self.network.layers) - 1
        if n_hidden == 0:
            raise ConfigError("this network has no hidden layer")
        index = layer if layer > 0 else n_hidden + 1 + layer
        if not 1 <= index <= n_hidden:
            raise ConfigError(f"hidden layer must be 1..{n_hidden} (or negative from the end), not {layer}")
        return self.network.forward(self.inputs(X)).outs[index]

    def evaluate(self, X, y) -> dict:
        """The loss and the task's metric (accuracy, or R² for values) on labelled data.

        Parameters
        ----------
        X : array_like
            Raw features, one row per sample.
        y : array_like
            Their class labels or values.

        Returns
        -------
        dict
            ``{"loss": ..., "accuracy": ...}`` or ``{"loss": ..., "r2": ...}`` (what ``chainrule evaluate`` prints).

        Raises
        ------
        DataError
            Data that do not fit the model, or a class label it has never seen.

        Examples
        --------
        >>> import chainrule
        >>> iris = chainrule.load_dataset("iris")
        >>> model = chainrule.train(iris.X, iris.y, hidden=[16], learning_rate=0.01, epochs=50)
        >>> sorted(model.evaluate(iris.X, iris.y))
        ['accuracy', 'loss']
        """
        metrics = ("accuracy",) if self.task == "classification" else ("r2",)
        return evaluate(self.network, self.inputs(X), self.targets(y), metrics)

    def score(self, X, y) -> float:
        """Accuracy (classification) or R² (regression) on labelled data, as scikit-learn's ``score``.

        Parameters
        ----------
        X : array_like
            Raw features, one row per sample.
        y : array_like
            Their class labels or values.

        Returns
        -------
        float
            The share of rows classified right, or the coefficient of determination R².

        Raises
        ------
        DataError
            Data that do not fit the model, or a class label it has never seen.

        Examples
        --------
        >>> import chainrule
        >>> iris = chainrule.load_dataset("iris")
        >>> model = chainrule.train(iris.X, iris.y, hidden=[16], learning_rate=0.01, epochs=50)
        >>> model.score(iris.X, iris.y) > 0.9
        True
        """
        out = self.outputs(X).astype(np.float64)
        t = self.targets(y).astype(np.float64)
        return accuracy(out, t) if self.task == "classification" else r2(out, t)

    def __repr__(self) -> str:
        return f"Model({self.task}, {self.network!r})"


def train(X, y, hidden=(32,), **options) -> Model:
    """Build a network for your data and train it: ``chainrule train``'s run, in one call.

    Inputs are standardised, classes one-hot encoded. The defaults are ``chainrule train``'s: Adam
    (η = 0.001), 30 epochs, batches of 32, ReLU, softmax with cross-entropy for classes (identity and
    MSE for values). `fit` trains a `Network` you built (plain SGD for 10 epochs unless told otherwise).

    Parameters
    ----------
    X, y : array_like
        The features (one row per sample) and one class label or value (or row of values) per sample.
    hidden : list of int, default (32,)
        The hidden layers' sizes.
    **options
        The keywords below, and the `Trainer`'s (``learning_rate``, ``batch_size``, ``l2``,
        ``dropout``, ``validation_split``, ``early_stopping``, ...).

    Other Parameters
    ----------------
    task : {"classification", "regression"}, default "classification"
    activation, loss, output_activation, init, bias, train_biases, dtype, seed : str, bool or int
        The network, as `Network` takes them (``activation="relu"``; loss and output: for the task).
    standardize, class_weight, sample_weight, validation_data : bool, str, dict or array_like
        The data's handling (``standardize=True``; ``class_weight="balanced"`` or a dict).
    optimizer : str, default "adam"
    epochs : int, default 30

    Returns
    -------
    Model
        The trained network with its standardisation, classes and history.

    Raises
    ------
    ConfigError, DataError
        An option out of range or a `Network` in place of ``X`` (`fit`'s call); data not finite.
    NumericalError
        Training diverged (a learning rate too high, or unscaled inputs).

    Warns
    -----
    UserWarning
        The loss ended far above where it started (over 10 times, and by over 1): it diverged.

    Examples
    --------
    >>> iris = chainrule.load_dataset("iris")
    >>> model = chainrule.train(iris.X, iris.y, hidden=[16], learning_rate=0.01, epochs=50)
    >>> len(model.history["loss"]), model.score(iris.X, iris.y) > 0.9
    (50, True)
    """
    from .progress import exploded, start_loss

    model, trainer = prepare(X, y, hidden, **options)
    start = start_loss(trainer)
    trainer.run()
    warning = exploded(trainer, start)  # a short run can end exploded before its loss turns infinite
    if warning:
        warnings.warn(warning, UserWarning, stacklevel=2)
    return model


def prepare(
    X,
    y,
    hidden=(32,),
    *,
    task: str = "classification",
    activation: str = "relu",
    loss: str | None = None,
    output_activation: str | None = None,
    output_size: int | None = None,
    standardize: bool = True,
    init: str = "auto",
    bias: str = "per_neuron",
    train_biases=True,
    dtype: str = "float64",
    seed: int | None = 0,
    feature_names=None,
    target_name=None,
    class_weight=None,
    sample_weight=None,
    validation_data=None,
    optimizer="adam",
    epochs: int = 30,
    **options,
) -> tuple[Model, Trainer]:
    """A model for (X, y) and its trainer, not yet run: `train` without the training (``TrainingRun``
    calls it). The parameters are `train`'s; ``trainer.run()`` trains the model's network.

    Examples
    --------
    >>> from chainrule.training.model import prepare
    >>> model, trainer = prepare([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], hidden=[4])
    >>> trainer.optimizer.name, trainer.epochs, model.network.sizes
    ('adam', 30, [2, 4, 2])
    """
    X, loss = _inputs(X, task, loss)
    scaler = Standardizer().fit(X) if standardize else None
    classes, n_out, loss = _outputs(task, y, loss, output_size)
    if output_activation is None:  # the loss's own partner, else sigmoid for classes, identity for values
        fused = get_loss(loss).fused_activation
        output_activation = fused or ("sigmoid" if task == "classification" else "identity")
    hidden = [int(h) for h in hidden]
    network = Network(
        [X.shape[1], *hidden, n_out],
        [activation] * len(hidden) + [output_activation],
        loss,
        bias=bias,
        train_biases=train_biases,
        init=init,
        seed=seed,
        dtype=dtype,
    )
    info = {"activation": activation, "hidden": hidden}
    model = Model(network, task, classes, scaler, feature_names, target_name, info=info)
    if class_weight is not None:
        sample_weight = _class_sample_weight(model, y, class_weight, sample_weight)
    options.update(seed=seed, sample_weight=sample_weight, optimizer=optimizer, epochs=epochs)
    return model, _trainer(model, X, y, validation_data=validation_data, **options)


def _trainer(model: Model, X, y, validation_data=None, **options) -> Trainer:
    """The model's trainer: inputs standardised, classes one-hot, the task's metric, its history."""
    if validation_data is not None:
        validation_data = (model.inputs(validation_data[0]), model.targets(validation_data[1]))
    options.setdefault("metrics", ("accuracy",) if model.task == "classification" else ("r2",))
    return Trainer(
        model.network,
        model.inputs(X),
        model.targets(y),
        validation_data=validation_data,
        history=model.history,
        **options,
    )


def _inputs(X, task: str, loss: str | None):
    """(the inputs as a finite float64 table, the loss's registered name or None), after checking the task."""
    if isinstance(X, Network):
        raise ConfigError(
            "train(X, y, hidden=[...]) builds a new network for the data; to train a Network you "
            "already have, call chainrule.fit(network, X, T)"
        )
    if task not in TASKS:
        raise ConfigError(f"task must be classification or regression, not {task!r}")
    if loss is not None:
        loss = get_loss(loss).name  # the registered name for any spelling ("bce" → binary_cross_entropy)
    X = _matrix(X, "inputs")
    if not np.isfinite(X).all():
        raise DataError("inputs contain a value that is not a finite number (NaN or infinity)")
    return X, loss


def _outputs(task: str, y, loss: str | None, output_size: int | None):
    """(class labels or None, the number of outputs, the loss) for targets ``y``.

    Classes: one output per class, or one sigmoid output for two classes with binary
    cross-entropy; values: one output per target column. ``output_size``, when given, must agree.
    """
    if task == "regression":
        n_out = _matrix(y, "targets", column=True).shape[1]
        if output_size is not None and output_size != n_out:
            raise ConfigError(
                f"the targets have {n_out} column(s), so the output layer needs {n_out} neuron(s), not {output_size}"
            )
        return None, n_out, loss or "mse"
    y_arr = np.asarray(y).reshape(-1)
    if y_arr.dtype.kind == "f" and not np.isfinite(y_arr).all():
        raise DataError("class labels contain NaN")
    classes = LabelEncoder().fit(y_arr).classes
    single = len(classes) == 2 and (output_size == 1 or (output_size is None and loss == "binary_cross_entropy"))
    n_out = 1 if single else len(classes)
    if output_size is not None and output_size != n_out:
        valid = f"{len(classes)} (one per class)" + (
            " or 1 (sigmoid and binary_cross_entropy)" if len(classes) == 2 else ""
        )
        raise ConfigError(
            f"the data have {len(classes)} classes, so the output layer needs {valid} neurons, not {output_size}"
        )
    return classes, n_out, loss or ("binary_cross_entropy" if single else "cross_entropy")


def _class_sample_weight(model: Model, y, class_weight, sample_weight):
    """Weights per class (``"balanced"``: n / (k · n_class)) become weights per sample."""
    idx = model.encoder.indices(y)
    k = len(model.classes)
    if isinstance(class_weight, str) and class_weight == "balanced":
        per_class = len(idx) / (k * np.bincount(idx, minlength=k))
    elif isinstance(class_weight, dict):
        per_class = np.ones(k)
        for label, w in class_weight.items():
            match = np.nonzero(model.classes == label)[0]
            if len(match) == 0:
                raise DataError(f"class weight given for unknown class {label!r}")
            per_class[match[0]] = float(w)
    else:
        raise ConfigError("class_weight must be 'balanced' or a mapping class -> weight")
    v = per_class[idx]
    return v if sample_weight is None else v * np.asarray(sample_weight, dtype=np.float64).reshape(-1)


def _check_probability_outputs(network: Network) -> None:
    """A classifier's outputs are read as probabilities: sigmoid (any number of outputs) or softmax
    (two or more: over one output it is always 1), never identity, ReLU or tanh, whose outputs
    can be negative or above 1."""
    name = network.layers[-1].activation.name
    if name not in PROBABILITY_OUTPUTS:
        raise ConfigError(
            f"a classifier's outputs are probabilities, so its output activation must be sigmoid or softmax, "
            f"not {name} (whose outputs can be below 0 or above 1)"
        )
    if name == "softmax" and network.n_outputs == 1:
        raise ConfigError(
            "a classifier with one output needs sigmoid there: softmax over one output is always 1, "
            "so it would predict the same class for every sample"
        )


def _cast(values: np.ndarray, dtype, what: str, copy: bool = True) -> np.ndarray:
    """``values`` (float64) in the network's dtype (a new array unless ``copy`` is false), refused when a
    value would overflow to infinity there."""
    largest = np.finfo(dtype).max
    if values.size and np.abs(values).max() > largest:
        raise DataError(
            f"{what} contain a value ({np.abs(values).max():.3g} in size) too large for the model's "
            f"{np.dtype(dtype).name} (at most {largest:.3g})"
        )
    return values.astype(dtype, copy=copy)


def _matrix(value, what: str, column: bool = False) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numbers in a regular (not ragged) array") from None
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1) if column else arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise DataError(f"{what} must be a non-empty table (rows are samples), got shape {arr.shape}")
    return arr
