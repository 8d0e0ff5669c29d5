"""Network files: a network, its training sample(s) and learning rate, in JSON or TOML.

    {"layers": [2, 2, 2], "activation": "sigmoid", "loss": "half_sse", "learning_rate": 0.5,
     "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
     "biases": [0.35, 0.60], "train_biases": false,
     "input": [0.05, 0.10], "target": [0.01, 0.99]}

* ``weights``: one matrix per layer, one row per receiving neuron, one column per sending neuron
  (so reading them row by row numbers w1, w2, ... in the seed's order).  Missing: drawn from
  the seeded initialiser (``"seed": 7``, ``"init": "xavier"``; the seed is 0 when not given).
* ``activation``: one name, or a list with one per layer.
* ``biases``: one number per layer (shared, the seed's b1, b2) or one list per layer (per neuron);
  ``"bias": "none"`` for none.  ``train_biases``: true (default) or false, or one per layer.
* one sample (``input``, ``target``) or several (``inputs``, ``targets``).
* ``learning_rate`` (default 0.5, the seed's).

The network's own values (sizes and their limits, names, biases, seed, learning rate) are checked
by the network itself (``Network`` and core/constraints.py; the sizes first, before anything is
allocated); this module checks what only a file has: its keys, the JSON types of its numbers and
its samples.  Any problem is one :class:`FileFormatError` line.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ChainruleError, FileFormatError

MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_LEARNING_RATE = 0.5
DEFAULT_SEED = 0  # weights a file does not give are drawn with this seed: the same numbers on every run

KEYS = (
    "layers",
    "activation",
    "loss",
    "learning_rate",
    "weights",
    "biases",
    "bias",
    "train_biases",
    "init",
    "seed",
    "input",
    "target",
    "inputs",
    "targets",
    "title",
    "description",
    "batch",
)


@dataclass
class NetworkFile:
    """What a network file holds: the network (before any update), its samples and learning rate."""

    network: object  # chainrule.core.network.Network
    inputs: object  # (n, n_inputs) array
    targets: object  # (n, n_outputs) array
    learning_rate: float
    spec: dict  # the file's contents, checked
    source: str = "<dict>"

    @property
    def n_samples(self) -> int:
        return len(self.inputs)

    @property
    def drawn_seed(self) -> int | None:
        """The seed the weights were drawn with, when the file gives none (its ``"seed"``, else 0)."""
        return None if "weights" in self.spec else self.spec.get("seed", DEFAULT_SEED)


def read_network_file(path, check_sizes=None) -> NetworkFile:
    """Read and check a network file: a network, its sample(s) and its learning rate.

    A network file is what ``chainrule explain``, ``check --network``, ``diagram`` and ``serve``
    read (``chainrule examples`` writes the seed's as ``examples/net.json``): ``layers``,
    ``activation`` (one, or one per layer), ``loss``, ``learning_rate``, ``weights`` (one row per
    receiving neuron; without them, drawn with ``"seed"``), ``biases``, ``train_biases``, and
    ``input``/``target`` (one sample) or ``inputs``/``targets`` (several).

    Parameters
    ----------
    path : str or os.PathLike
        The file: TOML when its name ends in ``.toml``, JSON otherwise (at most 64 MiB).
    check_sizes : callable, optional
        Called with the layer sizes before the network is built (a caller's own size limit).

    Returns
    -------
    NetworkFile
        ``network`` (before any update), ``inputs``, ``targets``, ``learning_rate`` and ``spec``
        (the file's contents, checked).

    Raises
    ------
    FileFormatError
        Not valid JSON or TOML, or a field that is missing, unknown or wrong (the line names it).
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import json
    >>> import chainrule
    >>> spec = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "learning_rate": 0.1,
    ...         "seed": 4, "input": [0, 1], "target": [1]}
    >>> with open("xor-net.json", "w") as f:
    ...     _ = f.write(json.dumps(spec))
    >>> nf = chainrule.read_network_file("xor-net.json")
    >>> nf.network, nf.learning_rate, nf.inputs.tolist()
    (Network([2, 3, 1], activation=[tanh,tanh], loss='half_sse', dtype=float64), 0.1, [[0.0, 1.0]])
    """
    from .bounded_read import read_text

    text = read_text(path, MAX_FILE_BYTES, "network file")
    return parse_network_text(
        text, toml=Path(path).suffix.lower() == ".toml", source=str(path), check_sizes=check_sizes
    )


def parse_network_text(text: str, toml: bool = False, source: str = "<text>", check_sizes=None) -> NetworkFile:
    if toml:
        import tomllib

        try:
            spec = tomllib.loads(text)
        except (ValueError, RecursionError) as exc:  # TOMLDecodeError, 5000-digit integers, deep nesting
            raise FileFormatError(f"{source}: not valid TOML: {_one_line(exc)}") from None
    else:
        from .bounded_read import loads_json

        try:
            spec = loads_json(text)
        except json.JSONDecodeError as exc:
            raise FileFormatError(
                f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        except (ValueError, RecursionError) as exc:  # NaN/Infinity, a key twice, 5000-digit integers, deep nesting
            raise FileFormatError(f"{source}: not a usable JSON file: {_one_line(exc)}") from None
    return network_from_dict(spec, source, check_sizes)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# ----------------------------------------------------------------------------- checking
def network_from_dict(spec, source: str = "<dict>", check_sizes=None) -> NetworkFile:
    """A :class:`NetworkFile` from the file's contents (a dict), every value checked first."""
    try:
        return _from_dict(spec, source, check_sizes)
    except FileFormatError:
        raise
    except ChainruleError as exc:  # the engine's own checks (shapes, names): the same one line
        raise FileFormatError(f"{source}: {exc}") from None


def _from_dict(spec, source: str, check_sizes=None) -> NetworkFile:
    import numpy as np

    from ..core.constraints import check
    from ..core.network import Network

    def bad(message: str):
        return FileFormatError(f"{source}: {message}")

    if not isinstance(spec, dict):
        raise bad("a network file holds one object (a JSON {...} or a TOML table)")
    for key in spec:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            raise bad(
                f"unknown key {key!r}"
                + (f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(KEYS)}")
            )
    if "layers" not in spec:
        raise bad('"layers" is missing (the layer sizes, such as [2, 2, 2])')
    sizes = check({"sizes": spec["layers"]})["sizes"]  # the network's limits, before anything is allocated
    if check_sizes is not None:
        check_sizes(sizes)  # the caller's own limit (what explain, diagram or the page can handle)
    lr = check({"learning_rate": spec.get("learning_rate", DEFAULT_LEARNING_RATE)})["learning_rate"]
    weights = spec.get("weights")
    if isinstance(weights, list) and len(weights) == len(sizes) - 1:
        for l, matrix in enumerate(weights):
            _check_matrix(matrix, sizes[l + 1], sizes[l], f"weights of layer {l + 1}", bad)
    bias_mode = _bias_mode(spec, bad)
    if bias_mode == "per_neuron":
        _check_bias_rows(spec.get("biases"), sizes, bad)
    for key in ("title", "description"):
        if key in spec and not isinstance(spec[key], str):
            raise bad(f'"{key}" must be text')
    if "batch" in spec and spec["batch"] not in ("sum", "mean"):  # one step on all samples, E summed or averaged
        raise bad('"batch" must be "sum" or "mean" (how one full-batch step combines the samples\' errors)')

    inputs = _samples(spec, "input", "inputs", sizes[0], bad)
    targets = _samples(spec, "target", "targets", sizes[-1], bad)
    if len(inputs) != len(targets):
        raise bad(f"{len(inputs)} input sample(s) but {len(targets)} target(s)")

    network = Network(
        sizes,
        spec.get("activation", "sigmoid"),
        spec.get("loss", "half_sse"),
        weights=weights,
        biases=spec.get("biases"),
        bias=bias_mode,
        train_biases=spec.get("train_biases", True),
        init=spec.get("init", "auto"),
        seed=spec.get("seed", DEFAULT_SEED),
    )
    return NetworkFile(
        network, np.array(inputs, dtype=np.float64), np.array(targets, dtype=np.float64), float(lr), spec, source
    )


def _bias_mode(spec, bad) -> str:
    """The bias mode, as ``"bias"`` says or as ``"biases"`` are written: one number per layer
    (shared) or one list of numbers per layer (per neuron).  The values are the network's to check."""
    from ..core.constraints import check

    mode, biases = spec.get("bias"), spec.get("biases")
    if mode is not None:
        check({"bias": mode})
    if not isinstance(biases, list) or mode == "none":
        return mode or "per_neuron"
    if all(_is_number(b) for b in biases):
        found = "shared"
    elif all(isinstance(row, list) and all(_is_number(b) for b in row) for row in biases):
        found = "per_neuron"
    else:
        raise bad(
            '"biases" must be one number per layer (shared) or one list of numbers per layer (per neuron), not a mix'
        )
    if mode is not None and mode != found:
        raise bad(f'"bias" says {mode!r} but "biases" are written {found.replace("_", " ")}')
    return found


def _check_bias_rows(biases, sizes: list[int], bad) -> None:
    """Per-neuron biases: one number per neuron of each layer, never one broadcast to all of them."""
    if not isinstance(biases, list) or len(biases) != len(sizes) - 1:
        return  # none given, or one per layer: the network's to check
    for l, row in enumerate(biases):
        if isinstance(row, list) and len(row) != sizes[l + 1]:
            raise bad(
                f"the biases of layer {l + 1} must be {sizes[l + 1]} number(s), one per neuron, not {len(row)} "
                "(or one number per layer for a shared bias)"
            )


def _check_matrix(matrix, rows: int, cols: int, what: str, bad) -> None:
    shape = f"a {rows}x{cols} matrix (one row per receiving neuron, one column per sending neuron)"
    if not isinstance(matrix, list) or len(matrix) != rows:
        raise bad(f"{what} must be {shape}")
    for row in matrix:
        if not isinstance(row, list) or len(row) != cols:
            raise bad(f"{what} must be {shape}; a row has the wrong length or is not a list")
        for v in row:
            if not _is_number(v):
                raise bad(f"{what} must hold numbers, not {_short(v)}")
            if not _finite(v):
                raise bad(f"{what} contain a value that is not a finite number")


def _samples(spec, one: str, many: str, width: int, bad) -> list[list[float]]:
    if one in spec and many in spec:
        raise bad(f'give either "{one}" (one sample) or "{many}" (several), not both')
    if one in spec:
        rows = [spec[one]]
        label = f'"{one}"'
    elif many in spec:
        rows = spec[many]
        label = f'"{many}"'
        if not isinstance(rows, list) or not rows:
            raise bad(f'"{many}" must be a non-empty list of samples, each a list of {width} numbers')
    else:
        raise bad(f'"{one}" is missing (one sample, {width} numbers), or "{many}" for several')
    for row in rows:
        if not isinstance(row, list) or len(row) != width:
            raise bad(
                f"{label} must hold {width} number(s) per sample, "
                f"one per {'input' if one == 'input' else 'output'} neuron"
            )
        for v in row:
            if not _is_number(v) or not _finite(v):
                raise bad(f"{label} must hold finite numbers, not {_short(v)}")
    return rows


def _finite(v) -> bool:
    """A finite number (an integer too large for a float is not)."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _short(v) -> str:
    text = json.dumps(v) if isinstance(v, (str, int, float, bool, type(None))) else type(v).__name__
    return text if len(text) <= 40 else text[:37] + "..."


# ----------------------------------------------------------------------------- writing
def network_to_dict(network, inputs, targets, learning_rate: float, **extra) -> dict:
    """The file form of a network and its samples (weights and biases written out in full)."""
    layers = network.layers
    spec = {
        "layers": list(network.sizes),
        "activation": [layer.activation.name for layer in layers],
        "loss": network.loss_fn.name,
        "learning_rate": float(learning_rate),
        "weights": [layer.weights.tolist() for layer in layers],
    }
    modes = {layer.bias_mode for layer in layers}
    if modes == {"none"}:
        spec["bias"] = "none"
    elif modes == {"shared"}:
        spec["biases"] = [float(layer.bias[0]) for layer in layers]
    else:
        spec["biases"] = [layer.bias.tolist() for layer in layers]
    if modes != {"none"}:
        spec["train_biases"] = [bool(layer.train_bias) for layer in layers]
    import numpy as np

    xs, ts = np.atleast_2d(inputs).tolist(), np.atleast_2d(targets).tolist()
    if len(xs) == 1:
        spec["input"], spec["target"] = xs[0], ts[0]
    else:
        spec["inputs"], spec["targets"] = xs, ts
    spec.update(extra)
    return spec
