"""ONNX export of the scikit-learn estimators through skl2onnx (the ``onnx`` extra:
``pip install 'chainrule[onnx]'``, skl2onnx and onnxruntime).

skl2onnx converts scikit-learn's own MLPs but not a class it does not know: ours raised
``MissingShapeCalculator``.  :func:`register` adds a converter for each of our estimators, by
skl2onnx's documented route (``update_registered_converter``: the class, an alias, a shape
calculator and a converter), so that ``skl2onnx.to_onnx(estimator, X)`` works as it does for
scikit-learn's; :func:`to_onnx` registers and converts in one call::

    from chainrule.interop.onnx import to_onnx

    onx = to_onnx(clf, X[:1].astype("float32"))  # clf: a fitted chainrule.sklearn.MLPClassifier

The graph is the estimator's forward pass, as the engine computes it: the input standardisation
(``standardize=True``: z = (x − mean) / std, computed in double as the estimator computes it),
then per layer net = x · W + b (``MatMul``, ``Add``) and the layer's activation; a classifier
outputs its label (``ArgMax`` over the probabilities, looked up in ``classes_``) and the
probabilities of every class (two columns, 1 − p and p, for one logistic output), a regressor its
values.  It computes in the input's precision: double for ``DoubleTensorType`` inputs, else float.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from ..errors import ConfigError

ONNX_ACTIVATIONS = {  # each activation's ONNX operator (and its attributes)
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu": ("Relu", {}),
    "leaky_relu": ("Max", {}),  # max(net, slope · net), as core/activations.py computes it (see _activate)
    "identity": ("Identity", {}),
    "softmax": ("Softmax", {"axis": 1}),
    "exp": ("Exp", {}),  # the Poisson regressor's output
}
_registered = False


def _skl2onnx():
    if importlib.util.find_spec("skl2onnx") is None:
        raise ConfigError("ONNX export needs skl2onnx and onnxruntime: pip install 'chainrule[onnx]'")
    import skl2onnx

    return skl2onnx


def register() -> None:
    """Register converters for :class:`~chainrule.sklearn.MLPClassifier` and
    :class:`~chainrule.sklearn.MLPRegressor` with skl2onnx (once; calling again does nothing)."""
    global _registered
    if _registered:
        return
    skl2onnx = _skl2onnx()
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    from .sklearn import MLPClassifier, MLPRegressor

    skl2onnx.update_registered_converter(
        MLPClassifier,
        "ChainruleMLPClassifier",
        calculate_linear_classifier_output_shapes,
        _convert_classifier,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
    )
    skl2onnx.update_registered_converter(MLPRegressor, "ChainruleMLPRegressor", _regressor_shapes, _convert_regressor)
    _registered = True


def to_onnx(estimator, X, **options):
    """``skl2onnx.to_onnx(estimator, X, **options)`` after :func:`register`: the fitted estimator
    as an ONNX ``ModelProto`` (``X``: a sample of inputs, whose dtype sets the graph's)."""
    register()
    return _skl2onnx().to_onnx(estimator, X, **options)


# ----------------------------------------------------------------------------- the graph
def _regressor_shapes(operator) -> None:
    """One output: [N, the estimator's number of outputs], in the input's precision."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    kind = DoubleTensorType if isinstance(operator.inputs[0].type, DoubleTensorType) else FloatTensorType
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = kind([n, operator.raw_operator.n_outputs_])


def _precision(operator):
    """The graph's element type: double for a double input, else float."""
    from skl2onnx.common.data_types import DoubleTensorType
    from skl2onnx.proto import onnx_proto

    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return onnx_proto.TensorProto.DOUBLE if double else onnx_proto.TensorProto.FLOAT


def _forward(scope, operator, container, proto) -> str:
    """The output layer's name: the inputs standardised (in double, as the estimator does), then
    out = f(x · W + b) layer by layer (MatMul, Add, the activation)."""
    from skl2onnx.proto import onnx_proto

    est = operator.raw_operator
    network = est._engine()
    dtype = np.float64 if proto == onnx_proto.TensorProto.DOUBLE else np.float32
    x = _cast(scope, container, operator.inputs[0].full_name, onnx_proto.TensorProto.DOUBLE)
    scaler = getattr(est, "_scaler", None)
    if scaler is not None:  # z = (x − mean) / std
        x = _node(scope, container, "Sub", [x, _constant(scope, container, scaler.mean, np.float64)])
        x = _node(scope, container, "Div", [x, _constant(scope, container, scaler.std, np.float64)])
    x = _cast(scope, container, x, proto)
    for layer in network.layers:
        net = _node(scope, container, "MatMul", [x, _constant(scope, container, layer.weights.T, dtype)])
        if layer.bias is not None:
            bias = np.broadcast_to(layer.bias, (layer.n_out,))
            net = _node(scope, container, "Add", [net, _constant(scope, container, bias, dtype)])
        x = _activate(scope, container, layer.activation, net, dtype)
    return x


def _activate(scope, container, activation, net: str, dtype) -> str:
    """out = f(net): the activation's ONNX operator; leaky ReLU as max(net, slope · net), the engine's
    own two steps (onnxruntime has no double-precision LeakyRelu)."""
    op, attrs = _activation(activation.name)
    if activation.name == "leaky_relu":
        scaled = _node(scope, container, "Mul", [net, _constant(scope, container, [activation.slope], dtype)])
        return _node(scope, container, "Max", [net, scaled])
    return _node(scope, container, op, [net], **attrs)


def _convert_regressor(scope, operator, container) -> None:
    out = _forward(scope, operator, container, _precision(operator))
    container.add_node("Identity", [out], operator.outputs[0].full_name, name=scope.get_unique_operator_name("Id"))


def _convert_classifier(scope, operator, container) -> None:
    """Probabilities (1 − p and p for one logistic output) and the label of the likeliest class."""
    from skl2onnx.common.utils_classifier import get_label_classes
    from skl2onnx.proto import onnx_proto

    est = operator.raw_operator
    if est._label_binarizer.y_type_ == "multilabel-indicator":
        raise ConfigError("a classifier fitted on a label-indicator matrix (multilabel) has no ONNX converter here")
    proto = _precision(operator)
    dtype = np.float64 if proto == onnx_proto.TensorProto.DOUBLE else np.float32
    out = _forward(scope, operator, container, proto)
    probabilities = operator.outputs[1].full_name
    if est.n_outputs_ == 1:  # one logistic output p: the classes' probabilities are 1 − p and p
        negative = _node(scope, container, "Sub", [_constant(scope, container, np.ones(1), dtype), out])
        container.add_node("Concat", [negative, out], probabilities, axis=1, name=scope.get_unique_operator_name("C"))
    else:
        container.add_node("Identity", [out], probabilities, name=scope.get_unique_operator_name("Id"))
    classes, kind = _labels(get_label_classes(scope, est))
    best = _node(scope, container, "ArgMax", [probabilities], axis=1)
    names = scope.get_unique_variable_name("classes")
    container.add_initializer(names, kind, classes.shape, classes.tolist())
    found = _node(scope, container, "ArrayFeatureExtractor", [names, best], op_domain="ai.onnx.ml")
    shape = _constant(scope, container, np.array([-1]), np.int64)
    container.add_node(
        "Reshape", [found, shape], operator.outputs[0].full_name, name=scope.get_unique_operator_name("R")
    )


def _labels(classes):
    """The class labels as ONNX holds them: int64 for whole numbers (and booleans), else text."""
    from skl2onnx.proto import onnx_proto

    classes = np.asarray(classes)
    if classes.dtype.kind in "biu" or (classes.dtype.kind == "f" and np.array_equal(classes, np.round(classes))):
        return classes.astype(np.int64), onnx_proto.TensorProto.INT64
    if classes.dtype.kind == "f":
        raise ConfigError(
            f"class labels {classes.tolist()[:3]}... are not whole numbers: ONNX labels are int64 or text"
        )
    return np.array([str(c).encode("utf-8") for c in classes]), onnx_proto.TensorProto.STRING


def _activation(name: str):
    if name not in ONNX_ACTIVATIONS:
        raise ConfigError(f"the activation {name!r} has no ONNX form here (known: {', '.join(ONNX_ACTIVATIONS)})")
    return ONNX_ACTIVATIONS[name]


def _node(scope, container, op: str, inputs: list[str], op_domain: str = "", **attrs) -> str:
    """One node whose single output gets a fresh name; that name."""
    out = scope.get_unique_variable_name(op.lower())
    container.add_node(op, inputs, out, name=scope.get_unique_operator_name(op), op_domain=op_domain, **attrs)
    return out


def _cast(scope, container, name: str, proto) -> str:
    return _node(scope, container, "Cast", [name], to=proto)


def _constant(scope, container, values, dtype) -> str:
    from skl2onnx.proto import onnx_proto

    values = np.asarray(values, dtype=dtype)
    kinds = {np.float64: onnx_proto.TensorProto.DOUBLE, np.float32: onnx_proto.TensorProto.FLOAT}
    kind = kinds.get(np.dtype(dtype).type, onnx_proto.TensorProto.INT64)
    name = scope.get_unique_variable_name("constant")
    container.add_initializer(name, kind, values.shape, values.ravel().tolist())
    return name
