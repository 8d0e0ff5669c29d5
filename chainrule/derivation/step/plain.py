"""A small network as Python lists: what a step's names and formulas need, without NumPy.

``chainrule check`` of the seed's 2-2-2 network (and of any network the straight-line trainer can
write out: core/unrolled.py) works on Python floats: its step from the formulas each step carries
(:func:`chainrule.derivation.step.trace.trace_scalar`), its values after N updates from the
written-out trainer.  A :class:`PlainNetwork` holds such a network the way ``Network`` does — the same
layers (``weights`` one row per receiving neuron, ``bias``, ``activation``, ``train_bias``,
``bias_mode``) and loss — with lists for arrays, so the naming (``Notation``), the step's formulas
and the written-out trainer read either alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PlainLayer:
    weights: list[list[float]]  # one row per receiving neuron, one column per sending neuron
    bias: list[float] | None  # one number (shared), one per neuron, or None
    activation: object  # a registered Activation
    train_bias: bool
    bias_mode: str  # "shared", "per_neuron" or "none"

    @property
    def n_in(self) -> int:
        return len(self.weights[0])

    @property
    def n_out(self) -> int:
        return len(self.weights)


class PlainNetwork:
    """A float64 network held in Python lists (see the module)."""

    dtype = "float64"

    def __init__(self, layers: list[PlainLayer], loss_fn):
        self.layers, self.loss_fn = layers, loss_fn
        self.sizes = [layers[0].n_in] + [layer.n_out for layer in layers]

    @classmethod
    def from_network(cls, network) -> PlainNetwork:
        """The same network, its arrays as lists."""
        layers = [
            PlainLayer(
                layer.weights.tolist(),
                None if layer.bias is None else layer.bias.tolist(),
                layer.activation,
                layer.train_bias,
                layer.bias_mode,
            )
            for layer in network.layers
        ]
        return cls(layers, network.loss_fn)

    @classmethod
    def from_spec(cls, spec: dict) -> PlainNetwork:
        """A network from a trusted description in a network file's terms (the seed's ``SPEC``): given
        weights, one activation (or one per layer), a loss, biases one number per layer (shared) or one
        list per layer (per neuron), ``train_biases``.  Nothing is checked: make a ``Network`` for that."""
        from ...core.activations import get_activation
        from ...core.losses import get_loss

        n = len(spec["weights"])
        acts = spec["activation"] if isinstance(spec["activation"], list) else [spec["activation"]] * n
        train = spec.get("train_biases", True)
        train = train if isinstance(train, list) else [train] * n
        layers = []
        for l, weights in enumerate(spec["weights"]):
            b = spec["biases"][l]
            mode = "shared" if isinstance(b, (int, float)) else "per_neuron"
            bias = [float(b)] if mode == "shared" else [float(v) for v in b]
            rows = [[float(w) for w in row] for row in weights]
            layers.append(PlainLayer(rows, bias, get_activation(acts[l]), bool(train[l]), mode))
        return cls(layers, get_loss(spec.get("loss", "half_sse")))

    @property
    def n_inputs(self) -> int:
        return self.sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.sizes[-1]

    @property
    def n_weights(self) -> int:
        return sum(layer.n_in * layer.n_out for layer in self.layers)

    @property
    def _fused(self) -> bool:
        return self.loss_fn.fused_activation == self.layers[-1].activation.name

    def written_out(self) -> bool:
        """Whether its step and its updates can be computed on Python floats (core/unrolled.py)."""
        from ...core.unrolled import written_out

        return written_out(self)

    def parameters(self) -> list[float]:
        """Every weight (layer by layer, row by row), then every bias value: core/unrolled.py's order."""
        values = [w for layer in self.layers for row in layer.weights for w in row]
        return values + [b for layer in self.layers if layer.bias is not None for b in layer.bias]

    def with_parameters(self, values: list[float]) -> PlainNetwork:
        """The same network with :meth:`parameters` replaced by ``values``."""
        values, layers = list(values), []
        for layer in self.layers:
            rows = [values[k * layer.n_in : (k + 1) * layer.n_in] for k in range(layer.n_out)]
            del values[: layer.n_in * layer.n_out]
            layers.append(PlainLayer(rows, None, layer.activation, layer.train_bias, layer.bias_mode))
        for new, layer in zip(layers, self.layers):
            if layer.bias is not None:
                new.bias, values = values[: len(layer.bias)], values[len(layer.bias) :]
        return PlainNetwork(layers, self.loss_fn)

    def to_network(self):
        """The same network as a NumPy ``Network`` (float64)."""
        from ...core.network import Network

        biases = [None if l.bias is None else l.bias[0] if l.bias_mode == "shared" else l.bias for l in self.layers]
        modes = {l.bias_mode for l in self.layers if l.bias is not None} or {"none"}
        return Network(
            self.sizes,
            [layer.activation for layer in self.layers],
            self.loss_fn,
            weights=[layer.weights for layer in self.layers],
            biases=None if modes == {"none"} else biases,
            bias=modes.pop() if len(modes) == 1 else "per_neuron",
            train_biases=[layer.train_bias for layer in self.layers],
        )

    def __repr__(self) -> str:
        acts = ", ".join(layer.activation.name for layer in self.layers)
        return f"PlainNetwork({self.sizes}, [{acts}], {self.loss_fn.name})"
