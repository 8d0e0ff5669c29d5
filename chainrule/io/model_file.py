"""Models on disk: JSON for small models, ``.npz`` (arrays + JSON metadata) for large ones.

Never pickle, never code: a model file is data only.  Writes are atomic (see ``atomic.py``) and
loading validates every field, shape and number, raising ``FileFormatError`` otherwise.

JSON layout::

    {"format": "chainrule-model", "version": 1, "task": "classification",
     "layers": [64, 32, 10], "activations": ["relu", "softmax"], "loss": "cross_entropy",
     "bias": "per_neuron", "train_biases": [true, true], "dtype": "float64",
     "classes": [0, 1, ...] | null, "scaler": {"mean": [...], "std": [...]} | null,
     "feature_names": [...] | null, "target_name": "..." | null, "history": {"unit": "epoch", ...},
     "info": {...}, "weights": [[[...]], ...], "biases": [[...] | null, ...]}

In ``.npz`` the same object is the ``meta`` entry, without "weights"/"biases", and the arrays are
``W1, b1, W2, b2, ...`` (layer 1 = the first hidden layer).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..core.activations import ACTIVATIONS
from ..core.constraints import check, n_parameters
from ..core.network import Network
from ..errors import ChainruleError, ConfigError, FileFormatError
from ..training.history import History
from ..training.model import Model
from ..training.preprocess import Standardizer
from .atomic import write_text
from .bounded_read import loads_json, read_text
from .npz import load_npz, save_npz

FORMAT, VERSION = "chainrule-model", 1
JSON_LIMIT = 200_000  # parameters; larger models must be saved as .npz
MAX_JSON_BYTES = 64 << 20  # a JSON model of JSON_LIMIT parameters takes about 5 MB; its history may add more


def model_meta(model: Model) -> dict:
    net = model.network
    classes = None if model.classes is None else model.classes.tolist()
    return {
        "format": FORMAT,
        "version": VERSION,
        "task": model.task,
        "layers": list(net.sizes),
        "activations": [l.activation.name for l in net.layers],
        "loss": net.loss_fn.name,
        "bias": net.layers[0].bias_mode,
        "train_biases": [bool(l.train_bias) for l in net.layers],
        "dtype": np.dtype(net.dtype).name,
        "classes": classes,
        "scaler": None if model.scaler is None else model.scaler.to_dict(),
        "feature_names": model.feature_names,
        "target_name": model.target_name,
        "history": model.history.to_dict(),
        "info": model.info,
    }


def save_model(model, path) -> Path:
    """Write a model to a file, atomically: JSON for small models, ``.npz`` for any size.

    The file holds the layers, activations, loss, biases, dtype, class labels, standardisation,
    feature names and history; never pickle. A crash mid-save leaves the previous file intact.

    Parameters
    ----------
    model : Model or a fitted chainrule.sklearn estimator
        What `train` (or ``chainrule train``) made, or a fitted ``MLPClassifier``/``MLPRegressor``,
        written as the Model it is (its network, standardisation, classes, feature names and loss
        curve): `load_model` and ``chainrule predict`` read it back as a Model.
    path : str or os.PathLike
        Ends in ``.json`` (at most 200,000 parameters) or ``.npz`` (the arrays, with the same JSON
        metadata inside).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ConfigError
        Neither a Model nor a fitted estimator, or an estimator a model file cannot hold (the
        Poisson regressor, a multilabel classifier, True/False labels): the line names what to use.
    FileFormatError
        Another ending, or a model too large for JSON.
    OutputError
        A path that cannot be written (no such folder, a folder, a read-only file).

    Examples
    --------
    >>> import chainrule
    >>> xor = chainrule.load_dataset("xor")
    >>> model = chainrule.train(xor.X, xor.y, hidden=[4], epochs=5)
    >>> chainrule.save_model(model, "xor-model.json")
    PosixPath('xor-model.json')
    >>> chainrule.load_model("xor-model.json").network.sizes
    [2, 4, 2]
    """
    model, path = as_model(model), Path(path)
    _write(model, path)
    return path


def _write(model: Model, path: Path) -> None:
    """The model's metadata and arrays: in one ``.npz`` archive, or one JSON object."""
    meta = model_meta(model)
    net = model.network
    if path.suffix == ".npz":
        arrays = {}
        for l, layer in enumerate(net.layers, start=1):
            arrays[f"W{l}"] = layer.weights
            if layer.bias is not None:
                arrays[f"b{l}"] = layer.bias
        save_npz(path, meta, arrays)
    elif path.suffix == ".json":
        n_params = sum(p.size for p in net.parameters())
        if n_params > JSON_LIMIT:
            raise FileFormatError(f"a model of {n_params:,} parameters is too large for JSON; save it as .npz")
        meta["weights"] = [l.weights.tolist() for l in net.layers]
        meta["biases"] = [None if l.bias is None else l.bias.tolist() for l in net.layers]
        write_text(path, json.dumps(meta, indent=1) + "\n")
    else:
        raise FileFormatError(f"{path}: a model file must end in .json or .npz")


def as_model(model) -> Model:
    """``model`` itself, or the `Model` a fitted estimator of ``chainrule.sklearn`` is (its network,
    standardisation, classes, feature names and loss curve); one ConfigError line otherwise."""
    if isinstance(model, Model):
        return model
    network = model._engine() if hasattr(model, "_engine") and hasattr(model, "coefs_") else None
    if not isinstance(network, Network):
        fitted = " (fit it first)" if hasattr(model, "get_params") else ""
        raise ConfigError(
            "save_model writes a chainrule Model (chainrule.train, TrainingRun) or a fitted chainrule.sklearn "
            f"estimator, not {type(model).__name__}{fitted}"
        )
    if network.layers[-1].activation.name not in ACTIVATIONS:  # the Poisson regressor's exp output
        raise ConfigError(
            f"a model file cannot hold the {network.layers[-1].activation.name!r} output of {type(model).__name__} "
            "(loss='poisson'); keep the estimator with joblib.dump"
        )
    binarizer = getattr(model, "_label_binarizer", None)
    if binarizer is not None and binarizer.y_type_ == "multilabel-indicator":
        raise ConfigError(
            "a model file holds one label per sample, not a label-indicator matrix; keep it with joblib.dump"
        )
    classes = getattr(model, "classes_", None)
    if classes is not None and np.asarray(classes).dtype == bool:
        raise ConfigError("a model file's class labels are numbers or text, not True/False; fit on 0/1 instead")
    names = getattr(model, "feature_names_in_", None)
    curve = getattr(model, "loss_curve_", None)
    return Model(
        network,
        "regression" if classes is None else "classification",
        classes,
        getattr(model, "_scaler", None),
        None if names is None else list(names),
        history=History("epoch", {"loss": curve} if curve else None),
        info={"estimator": type(model).__name__},
    )


def load_model(path) -> Model:
    """Read a model file written by `save_model` (or ``chainrule train --save``).

    Every field, shape and number is checked; loading never runs code.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.json`` or ``.npz`` model file.

    Returns
    -------
    Model
        Ready to `Model.predict`, with its standardisation, classes and history.

    Raises
    ------
    FileFormatError
        Not a model file (a network file, say), or a malformed one: the line says what is wrong.
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import chainrule
    >>> xor = chainrule.load_dataset("xor")
    >>> path = chainrule.save_model(chainrule.train(xor.X, xor.y, hidden=[4], epochs=5), "xor-model.json")
    >>> model = chainrule.load_model(path)
    >>> model.task, model.classes.tolist()
    ('classification', [0, 1])
    """
    path = Path(path)
    if path.suffix == ".npz":
        meta, arrays = load_npz(path, "model", _npz_layout)
        n = len(meta["layers"]) - 1
        weights = [arrays.get(f"W{l}") for l in range(1, n + 1)]
        biases = [arrays.get(f"b{l}") for l in range(1, n + 1)]
    else:
        text = read_text(path, MAX_JSON_BYTES, "JSON model file")
        try:
            meta = loads_json(text)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting too deep, a key twice
            raise FileFormatError(
                f"{path}: not a readable JSON model ({type(exc).__name__}: {str(exc)[:80]})"
            ) from None
        if not isinstance(meta, dict):
            raise FileFormatError(f"{path}: a model file must hold a JSON object")
        weights, biases = meta.pop("weights", None), meta.pop("biases", None)
    try:
        return _build(meta, weights, biases)
    except FileFormatError as exc:
        raise FileFormatError(f"{path}: {exc}") from None
    except ChainruleError as exc:  # a bad activation name, shape, ... inside the file
        raise FileFormatError(f"{path}: {exc}") from None


def _npz_layout(meta: dict) -> dict:
    """The arrays an .npz model must hold, and their shapes, from its metadata's layer sizes
    (checked first, so that nothing is inflated for a network that could not be built)."""
    from ..core.constraints import MAX_PARAMETERS

    sizes, mode = meta.get("layers"), meta.get("bias")
    if not isinstance(sizes, list) or len(sizes) < 2 or any(type(s) is not int or s < 1 for s in sizes):
        raise FileFormatError("'layers' must be a list of at least two positive whole numbers")
    if n_parameters(sizes) > MAX_PARAMETERS:
        raise FileFormatError(f"'layers' describe more than the limit of {MAX_PARAMETERS:,} parameters")
    if mode not in ("per_neuron", "shared", "none"):
        raise FileFormatError(f"'bias' must be per_neuron, shared or none, not {mode!r}")
    shapes = {}
    for l in range(1, len(sizes)):
        shapes[f"W{l}"] = (sizes[l], sizes[l - 1])
        if mode != "none":
            shapes[f"b{l}"] = (1,) if mode == "shared" else (sizes[l],)
    return shapes


def _not_a_model(meta: dict) -> str:
    """What a file that is not a model is, in plain words (a network file, most likely)."""
    what = "model files are what chainrule train --save and chainrule.save_model write"
    if "format" not in meta and "layers" in meta:
        return f"not a chainrule model but a network file (for explain, check, diagram and serve); {what}"
    return f"not a chainrule model; {what}" + (
        f" (this one's format is {meta['format']!r})" if "format" in meta else ""
    )


def _build(meta: dict, weights, biases) -> Model:
    """The model a file's metadata and arrays describe, every field checked (FileFormatError)."""
    if meta.get("format") != FORMAT:
        raise FileFormatError(_not_a_model(meta))
    if meta.get("version") != VERSION:
        raise FileFormatError(f"unsupported model version {meta.get('version')!r} (this chainrule reads {VERSION})")
    sizes = check({"sizes": meta.get("layers")})["sizes"]  # the network's own limits (core/constraints.py)
    network = _network(meta, sizes, weights, biases)
    classes = _classes(meta.get("task"), meta.get("classes"), sizes)
    scaler = _scaler(meta.get("scaler"), sizes[0])
    names = meta.get("feature_names")
    if names is not None and (
        not isinstance(names, list) or len(names) != sizes[0] or not all(isinstance(x, str) for x in names)
    ):
        raise FileFormatError(f"'feature_names' must be null or {sizes[0]} strings")
    target = meta.get("target_name")
    if target is not None and not isinstance(target, str):
        raise FileFormatError("'target_name' must be null or a string")
    info = meta.get("info") or {}
    if not isinstance(info, dict):
        raise FileFormatError("'info' must be an object")
    history = History.from_dict(meta.get("history") or {"unit": "epoch"})
    return Model(network, meta["task"], classes, scaler, names, target, history, info)


def _network(meta: dict, sizes: list[int], weights, biases) -> Network:
    """The network: one activation, bias flag, weight matrix and bias entry per layer."""
    n = len(sizes) - 1
    for key in ("activations", "train_biases"):
        if not isinstance(meta.get(key), list) or len(meta[key]) != n:
            raise FileFormatError(f"'{key}' must list one entry per layer ({n})")
    if any(not isinstance(t, bool) for t in meta["train_biases"]):
        raise FileFormatError("'train_biases' must be true/false values")
    if not isinstance(weights, list) or len(weights) != n or any(w is None for w in weights):
        raise FileFormatError(f"the model must hold {n} weight matrices")
    bias_mode = meta.get("bias")
    if not isinstance(biases, list) or len(biases) != n:
        raise FileFormatError(f"the model must hold {n} bias entries")
    if bias_mode == "none":
        if any(b is not None for b in biases):
            raise FileFormatError("bias is 'none' but bias values are stored")
        biases = None
    elif any(b is None for b in biases):
        raise FileFormatError(f"bias is {bias_mode!r} but a layer has no bias values")
    dtype = check({"dtype": meta.get("dtype", "float64")})["dtype"]
    for l in range(n):
        weights[l] = _parameters(weights[l], (sizes[l + 1], sizes[l]), f"layer {l + 1}'s weights", dtype)
        if biases is not None:
            shape = (1,) if bias_mode == "shared" else (sizes[l + 1],)
            biases[l] = _parameters(biases[l], shape, f"layer {l + 1}'s biases ({bias_mode})", dtype)
    return Network(
        sizes,
        meta["activations"],
        meta.get("loss"),
        weights=list(weights),  # checked there
        biases=None if biases is None else list(biases),
        bias=str(bias_mode),
        train_biases=meta["train_biases"],
        dtype=meta.get("dtype", "float64"),
    )


def _parameters(values, shape: tuple, what: str, dtype) -> np.ndarray:
    """One layer's weights or biases as the file holds them (JSON lists, or an .npz array): numbers
    only (not ``"0.1"``, not ``true``), of exactly ``shape`` (a per-neuron bias is not broadcast from
    one number), finite, and finite still after the cast to the model's ``dtype`` (1e300 is
    infinity in float32)."""
    if not isinstance(values, np.ndarray):
        for v in _leaves(values, len(shape), what):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise FileFormatError(f"{what} must be numbers, not {json.dumps(v)[:40]}")
        try:
            values = np.asarray(values, dtype=np.float64)
        except (ValueError, OverflowError):  # ragged rows; an integer too large for a float
            raise FileFormatError(f"{what} must be a {'x'.join(map(str, shape))} array of finite numbers") from None
    if values.shape != shape:
        raise FileFormatError(
            f"{what} must have shape {'x'.join(map(str, shape))}, not {'x'.join(map(str, values.shape))}"
        )
    if not np.isfinite(values).all():
        raise FileFormatError(f"{what} contain a value that is not a finite number")
    largest, found = np.finfo(dtype).max, max(values.max(), -values.min()) if values.size else 0.0  # no copy
    if found > largest:
        raise FileFormatError(
            f"{what} hold {found:.3g}, too large for the model's {np.dtype(dtype).name} "
            f"(at most {largest:.3g}): it would be infinity"
        )
    return values


def _leaves(values, depth: int, what: str):
    """The numbers of a nested list ``depth`` levels deep (anything else is one line)."""
    if depth == 0:
        yield values
        return
    if not isinstance(values, list):
        raise FileFormatError(f"{what} must be {'a list of lists' if depth == 2 else 'a list'} of numbers")
    for item in values:
        yield from _leaves(item, depth - 1, what)


def _classes(task, classes, sizes: list[int]):
    """A classifier's labels (as an array; one sigmoid output means two classes), None for values."""
    if task == "regression":
        return None
    if task != "classification":
        raise FileFormatError(f"'task' must be classification or regression, not {task!r}")
    n_classes = 2 if sizes[-1] == 1 else sizes[-1]
    if not isinstance(classes, list) or len(classes) != n_classes or len(set(map(repr, classes))) != n_classes:
        raise FileFormatError(f"'classes' must list {n_classes} distinct class labels")
    if any(isinstance(c, (dict, list, bool)) or c is None for c in classes):
        raise FileFormatError("class labels must be numbers or strings")
    if len({isinstance(c, str) for c in classes}) > 1:
        raise FileFormatError("class labels must be all numbers or all strings, not a mix")
    if any(isinstance(c, float) and not math.isfinite(c) for c in classes):
        raise FileFormatError("class labels must be finite numbers")
    classes = np.asarray(classes)
    if len(np.unique(classes)) != n_classes:  # 0 and 0.0 are one label
        raise FileFormatError(f"'classes' must list {n_classes} distinct class labels (two of them are equal)")
    return classes


def _scaler(scaler, n_inputs: int) -> Standardizer | None:
    """The input standardisation: a mean and a positive std per input, or none."""
    if scaler is None:
        return None
    if not isinstance(scaler, dict) or set(scaler) != {"mean", "std"}:
        raise FileFormatError('\'scaler\' must be null or {"mean": [...], "std": [...]}')
    mean, std = (_numbers(scaler[k], n_inputs, f"scaler {k}") for k in ("mean", "std"))
    if np.any(std <= 0):
        raise FileFormatError("scaler std values must be positive")
    return Standardizer(mean, std)


def _numbers(values, n: int, what: str) -> np.ndarray:
    if (
        not isinstance(values, list)
        or len(values) != n
        or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in values)
    ):
        raise FileFormatError(f"{what} must be {n} finite numbers")
    return np.asarray(values, dtype=np.float64)
