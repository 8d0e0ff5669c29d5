"""Names for every array element of a network, in the seed's notation made general.

* inputs ``i1..in``; outputs ``o1..om``;
* hidden neurons ``h1..hk`` when there is one hidden layer, otherwise ``h<layer>_<neuron>``
  (``h1_3`` is neuron 3 of hidden layer 1, ``h2_1`` neuron 1 of hidden layer 2);
* weights ``w1, w2, ...`` numbered layer by layer, then by receiving neuron, then by sending
  neuron (the seed: w1 i1→h1, w2 i2→h1, w3 i1→h2, w4 i2→h2, w5 h1→o1, ...);
* biases: shared per layer ``b1, b2, ...`` (the seed's), per neuron ``b_h1, b_o2, b_h2_3``;
* targets ``target_o1``; the learning rate ``eta``;
* quantities ``net_X``, ``out_X``, ``E_oK``, ``E_total``, ``delta_X``, partial derivatives
  ``dA/dB``, updated parameters ``w5+``, and values after N updates ``NAME@N``.

The third seed's names (x1, H1, H1_final, y1, y1_final, T1, E1, Error_w5, w5_new, ...) are
accepted as aliases by :func:`canonical_name`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...core.network import Network

AT = re.compile(r"(.+)@(\d{1,12})")  # NAME@N: a value after N updates (N of 13 digits or more: no such name)


class Notation:
    """The names of one network's inputs, neurons, weights and biases."""

    def __init__(self, network: Network):
        sizes = network.sizes
        n_hidden_layers = len(sizes) - 2
        self.inputs = [f"i{j + 1}" for j in range(sizes[0])]
        self.neurons: list[list[str]] = []  # per layer (index as in network.layers)
        for l in range(len(sizes) - 1):
            if l == len(sizes) - 2:
                self.neurons.append([f"o{j + 1}" for j in range(sizes[-1])])
            elif n_hidden_layers == 1:
                self.neurons.append([f"h{j + 1}" for j in range(sizes[l + 1])])
            else:
                self.neurons.append([f"h{l + 1}_{j + 1}" for j in range(sizes[l + 1])])
        self.weights: list[list[list[str]]] = []  # [layer][receiver][sender]
        k = 1
        for l in range(len(sizes) - 1):
            rows = []
            for _ in range(sizes[l + 1]):
                rows.append([f"w{k + s}" for s in range(sizes[l])])
                k += sizes[l]
            self.weights.append(rows)
        self.biases: list[list[str] | None] = []  # per layer: one name per neuron (shared: the same)
        for l, layer in enumerate(network.layers):
            if layer.bias_mode == "none":
                self.biases.append(None)
            elif layer.bias_mode == "shared":
                self.biases.append([f"b{l + 1}"] * layer.n_out)
            else:
                self.biases.append([f"b_{x}" for x in self.neurons[l]])
        self.targets = [f"target_{o}" for o in self.neurons[-1]]

    def senders(self, l: int) -> list[str]:
        """Names of the neurons feeding layer l (the inputs for the first layer)."""
        return self.inputs if l == 0 else self.neurons[l - 1]

    def sender_outputs(self, l: int) -> list[str]:
        """Quantity names of what feeds layer l: ``i1, i2`` or ``out_h1, out_h2``."""
        return self.inputs if l == 0 else [f"out_{x}" for x in self.neurons[l - 1]]

    def weight_location(self, name: str) -> tuple[int, int, int] | None:
        """(layer, receiver, sender) of a weight name such as ``w5``, or None."""
        m = re.fullmatch(r"w(\d{1,9})", name)  # w + 5,000 digits: no weight (and no 5,000-digit int)
        if not m:
            return None
        k = int(m.group(1)) - 1
        for l, rows in enumerate(self.weights):
            size = len(rows) * len(rows[0])
            if k < size:
                return l, k // len(rows[0]), k % len(rows[0])
            k -= size
        return None


# ----------------------------------------------------------------------------- aliases
# The third seed's notation: x1 inputs, H1 = net_h1, H1_final = out_h1, y1 = net_o1,
# y1_final = out_o1, T1 = target_o1, E1 = E_o1, Error_w5 = dE_total/dw5, w5_new = w5+.
_SEED3_ATOMS = [
    (r"x(\d+)", r"i\1"),
    (r"H(\d+)_?final", r"out_h\1"),
    (r"H(\d+)", r"net_h\1"),
    (r"y(\d+)_?final", r"out_o\1"),
    (r"y(\d+)", r"net_o\1"),
    (r"T(\d+)", r"target_o\1"),
    (r"t(\d+)", r"target_o\1"),
    (r"E(\d+)", r"E_o\1"),
    (r"E_?total", "E_total"),
    (r"W(\d+)", r"w\1"),
]


def _atom(name: str) -> str:
    for pattern, repl in _SEED3_ATOMS:
        if re.fullmatch(pattern, name):
            return re.sub(pattern, repl, name)
    return name


def canonical_name(name: str) -> str:
    """The DESIGN.md name for a name in either notation (``"Error_w5"`` → ``"dE_total/dw5"``)."""
    name = name.strip().replace(" ", "").replace("∂", "d")
    suffix = ""
    if "@" in name:
        name, at = name.split("@", 1)
        suffix = "@" + at.replace(",", "").replace("_", "")
    m = re.fullmatch(r"Error_?(\w+)", name)
    if m:
        return f"dE_total/d{_atom(m.group(1))}{suffix}"
    m = re.fullmatch(r"(\w+?)_?(new|\+)", name) or re.fullmatch(r"(\w+)(\+)", name)
    if m and re.fullmatch(r"[wWb]\w*", m.group(1)):
        return f"{_atom(m.group(1))}+{suffix}"
    m = re.fullmatch(r"d([\w]+)/d([\w]+)", name)
    if m:
        return f"d{_canonical_quantity(m.group(1))}/d{_canonical_quantity(m.group(2))}{suffix}"
    return _canonical_quantity(name) + suffix


def _canonical_quantity(name: str) -> str:
    if re.fullmatch(r"(net|out|delta|E|target|b)_\w+|E_total|[iwb]\d+|eta", name):
        return name
    m = re.fullmatch(r"(net|out|delta)([ho]\d+(?:_\d+)?)", name)  # deltao1 (δo1): the seed's neuron names
    if m:
        return f"{m.group(1)}_{m.group(2)}"
    return _atom(name)
