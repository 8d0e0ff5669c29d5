"""Exercises for teachers: a random small network, its questions, and the answer key.

The same seed gives the same exercise, bit for bit: sizes, activations, weights with few decimals,
the sample and the learning rate are all drawn from ``numpy.random.default_rng(seed)``.  A teacher
may fix or narrow the shape (:class:`Shape`: hidden layers, neurons per hidden layer, the hidden
activations, the loss), choose what is asked (the forward pass, one update, or values after N
updates), the decimals asked for and the notation the names are written in; left at their
defaults, the draws are those of the first version, so a seed's exercise never changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np

from ...core.activations import ACTIVATIONS, hidden_names
from ...core.losses import LOSSES
from ...core.network import Network
from ...errors import ConfigError
from ..notation.expressions import parse
from ..notation.expressions import write as write_expression
from ..notation.names import Notation
from ..notation.profiles import PROFILES
from ..notation.reader import Reader, resolve
from ..notation.writer import Writer
from ..step.trace import trace_step

_OUTPUTS = [("sigmoid", "half_sse"), ("identity", "half_sse"), ("softmax", "cross_entropy")]
QUANTITIES = ("forward", "step", "updates")  # what is asked: the forward pass, one update, N updates
MAX_UPDATES = 100  # values after N updates: N at most this (by hand, a few; with code, a hundred)


@dataclass(frozen=True)
class Shape:
    """What a teacher may choose of an exercise (every field None: drawn, as the seed gives).

    Attributes
    ----------
    hidden_layers : tuple of int, optional
        The range (lowest, highest) of hidden layers, 1 to 3; default 1 or 2.
    neurons : tuple of int, optional
        The range of neurons in a hidden layer, 1 to 5; default 2 or 3.
    activations : tuple of str, optional
        The hidden-layer activations to draw from (any elementwise one); default sigmoid, tanh, ReLU.
    loss : str, optional
        The loss (any registered one; ``cross_entropy`` comes with a softmax output, the others
        with a sigmoid or identity output); default drawn: half_sse or cross_entropy.
    quantities : {"forward", "step", "updates"}
        Asked: the forward pass and the error; one update (the default: also every delta, a gradient
        and an update per layer, and the error after it); or besides, values after ``updates`` updates.
    updates : int
        N for ``quantities="updates"`` (2 to 100).
    decimals : int
        The decimal places the questions ask for (1 to 15; default 9).
    notation : str
        The notation the questions and the sheet write names in (a profile: ``"nielsen"``, ``"ng"``, ...).
    """

    hidden_layers: tuple[int, int] | None = None
    neurons: tuple[int, int] | None = None
    activations: tuple[str, ...] | None = None
    loss: str | None = None
    quantities: str = "step"
    updates: int = 2
    decimals: int = 9
    notation: str = "seed"

    def checked(self) -> Shape:
        """The shape with names made canonical; one ConfigError line for the first value out of range."""
        _range("hidden_layers", self.hidden_layers, 1, 3)
        _range("neurons", self.neurons, 1, 5)
        _whole("decimals", self.decimals, 1, 15)
        if self.quantities not in QUANTITIES:
            raise ConfigError(f"quantities must be one of {', '.join(QUANTITIES)}, not {self.quantities!r}")
        _whole("updates", self.updates, 2, MAX_UPDATES)
        if self.notation not in PROFILES:
            raise ConfigError(f"unknown notation {self.notation!r}; choose one of {', '.join(PROFILES)}")
        acts = None if self.activations is None else tuple(_hidden_activation(a) for a in self.activations)
        if acts == ():
            raise ConfigError("activations: name at least one")
        loss = None if self.loss is None else LOSSES.canonical(self.loss)
        return Shape(
            self.hidden_layers, self.neurons, acts, loss, self.quantities, self.updates, self.decimals, self.notation
        )

    def to_dict(self) -> dict:
        """The shape as JSON-ready data (a class folder's ``class.json``)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, data: dict) -> Shape:
        """The shape ``to_dict`` wrote (unknown keys refused with one line)."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"unknown exercise option {unknown[0]!r}")
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**data).checked()


def _range(name: str, value, low: int, high: int) -> None:
    if value is None:
        return
    if not (isinstance(value, tuple) and len(value) == 2 and all(_is_whole(v) for v in value)):
        raise ConfigError(f"{name} must be a range of two whole numbers (lowest, highest), not {value!r}")
    if not low <= value[0] <= value[1] <= high:
        raise ConfigError(f"{name} must lie within {low} to {high}, lowest first, not {value[0]} to {value[1]}")


def _whole(name: str, value, low: int, high: int) -> None:
    if not _is_whole(value) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}")


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _hidden_activation(name) -> str:
    canonical = ACTIVATIONS.canonical(name)
    if canonical not in hidden_names():
        raise ConfigError(f"activation must be one of {', '.join(hidden_names())}, not {name!r}")
    return canonical


@dataclass
class Exercise:
    """One exercise: its network file, questions, blank sheet and answer key.

    Attributes
    ----------
    seed : int
        The seed it was drawn from.
    spec : dict
        The network file's contents.
    questions, sheet, answers : str
        The questions (Markdown), a blank answer sheet (``name = `` lines) and the answer key (Markdown).
    asked : list of str
        What is asked, in the seed's names (the sheet writes them in ``shape.notation``).
    values : dict
        The exact value of every quantity of the step (the seed's names).
    network_file : str
        The network file's name in :meth:`files`.
    shape : Shape
        The options it was drawn with.
    sheet_names : dict
        Each asked quantity (the seed's name) → as the sheet writes it.
    """

    seed: int
    spec: dict  # the network file's contents
    questions: str  # Markdown
    sheet: str  # an answer sheet to fill in: ``name = `` lines
    answers: str  # the answer key (Markdown, the explanation)
    asked: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict, repr=False)
    network_file: str = ""
    shape: Shape = field(default_factory=Shape)
    sheet_names: dict = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        """File name → contents."""
        return {
            self.network_file or f"exercise-{self.seed}.json": json.dumps(self.spec, indent=1) + "\n",
            "questions.md": self.questions,
            "answers.txt": self.sheet,
            "answer-key.md": self.answers,
        }

    def written(self, name: str) -> str:
        """An asked quantity (the seed's name) as this exercise's sheet writes it (its notation)."""
        return self.sheet_names.get(name, name)


def _draw(rng, shape, decimals: int, low: float = -1.0, high: float = 1.0) -> list:
    values = np.round(rng.uniform(low, high, size=shape), decimals)
    values[values == 0] = 0.1  # a zero weight teaches nothing
    return values.tolist()


def make_exercise(
    seed: int = 0,
    hidden_layers: int | None = None,
    activation: str | None = None,
    *,
    shape: Shape | None = None,
    title: str | None = None,
    network_file: str | None = None,
) -> Exercise:
    """Draw exercise ``seed``: ``hidden_layers`` (1 or 2) and ``activation`` fix those draws, ``shape``
    narrows or fixes the others; ``title`` and ``network_file`` name it (default ``Exercise N`` and
    ``exercise-N.json``)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be a whole number of at least 0, not {seed!r}")
    shape = (shape or Shape()).checked()
    if hidden_layers is not None:
        if hidden_layers not in (1, 2):
            raise ConfigError("an exercise has 1 or 2 hidden layers")
        shape = Shape(**{**shape.__dict__, "hidden_layers": (hidden_layers, hidden_layers)})
    if activation is not None:  # chosen: any activation the registry offers for hidden layers
        shape = Shape(**{**shape.__dict__, "activations": (_hidden_activation(activation),)})
    rng = np.random.default_rng(seed)
    spec, net = _network(rng, shape, seed if title is None else None)
    if title is not None:
        spec = {"title": title, **spec}
    trace = trace_step(net, spec["input"], spec["target"], spec["learning_rate"])
    from ..rendering.explanation import Explanation

    name = network_file or f"exercise-{seed}.json"
    heading = title or f"Exercise {seed}"
    notation = None if shape.notation == "seed" else shape.notation
    key = Explanation(trace, detail="full", source=name, file_hint=name, notation=notation)
    asked = _questions(trace, shape)
    sheet_names = _sheet_names(trace.notation, shape.notation, asked)
    return Exercise(
        seed,
        spec,
        _questions_markdown(heading, name, spec, net, asked, shape),
        _sheet(heading, name, asked, sheet_names, shape.notation),
        key.to_markdown().replace("# One step of backpropagation, explained", f"# {heading}: answer key", 1),
        asked,
        dict(trace.values),
        name,
        shape,
        sheet_names,
    )


def _network(rng, shape: Shape, seed: int | None) -> tuple[dict, Network]:
    """The network file's contents and the network, drawn in the first version's order (one draw per
    choice, whatever the shape fixes, so a default shape gives the first version's exercises)."""
    n_hidden = _between(rng, shape.hidden_layers or (1, 2))
    out_act, loss = _output(int(rng.integers(len(_OUTPUTS))), shape.loss)
    n_out = int(rng.integers(2, 4)) if out_act == "softmax" else int(rng.integers(1, 3))
    low, high = shape.neurons or (2, 3)
    sizes = [int(rng.integers(2, 4))] + [int(rng.integers(low, high + 1)) for _ in range(n_hidden)] + [n_out]
    choices = shape.activations or ("sigmoid", "tanh", "relu")
    drawn = int(rng.integers(len(choices) if len(choices) > 1 else 3))  # one chosen: the first version's draw
    hidden_act = choices[drawn] if len(choices) > 1 else choices[0]
    activations = [hidden_act] * n_hidden + [out_act]
    lr = [0.1, 0.25, 0.5, 1.0][int(rng.integers(4))]
    for _ in range(100):  # redraw until no ReLU sits on its kink (its derivative is undefined at 0)
        weights = [_draw(rng, (b, a), 2) for a, b in zip(sizes, sizes[1:])]
        biases = [_draw(rng, (b,), 1) for b in sizes[1:]]
        x = _draw(rng, (sizes[0],), 1, 0.0, 1.0)
        target = _target(rng, out_act, n_out)
        net = Network(sizes, activations, loss, weights=weights, biases=biases, bias="per_neuron", train_biases=True)
        if all(np.all(np.abs(n) > 1e-3) for n in net.forward(x).nets):
            break
    spec = {} if seed is None else {"title": f"Exercise {seed}"}
    spec.update(layers=sizes, activation=activations, loss=loss, learning_rate=lr, weights=weights)
    spec.update(biases=biases, train_biases=True, input=x, target=target)
    return spec, net


def _between(rng, bounds: tuple[int, int]) -> int:
    """A whole number from ``bounds`` (lowest, highest), one draw (the first version's 1-or-2 draw)."""
    return int(rng.integers(bounds[0], bounds[1] + 1))


def _output(drawn: int, loss: str | None) -> tuple[str, str]:
    """(output activation, loss): the drawn pair, or with ``loss`` chosen the drawn one among those
    that suit it (cross-entropy: softmax; binary cross-entropy: sigmoid; another: sigmoid or identity)."""
    if loss is None:
        return _OUTPUTS[drawn]
    if loss == "cross_entropy":
        return "softmax", loss
    suits = ["sigmoid"] if loss == "binary_cross_entropy" else ["sigmoid", "identity"]
    return suits[drawn % len(suits)], loss


def _target(rng, out_act: str, n_out: int) -> list:
    """A target the output can reach: one-hot for softmax, within (0, 1) for sigmoid, else in [-1, 1]."""
    if out_act == "softmax":
        target = [0.0] * n_out
        target[int(rng.integers(n_out))] = 1.0
        return target
    if out_act == "sigmoid":
        return np.round(rng.uniform(0.05, 0.95, size=n_out), 2).tolist()
    return np.round(rng.uniform(-1, 1, size=n_out), 1).tolist()


def _sheet_names(names: Notation, notation: str, asked: list[str]) -> dict[str, str]:
    """Each asked quantity → as the sheet writes it in ``notation``, read back to the same quantity: where
    the book's form of a weight is ambiguous (Han & Kamber's w_810 for units 8 and 10, or 81 and 0), the
    weight is written by the units it joins, w(8,10), which every notation reads."""
    if notation == "seed":
        return {a: a for a in asked}
    write, reader = Writer(names, notation), Reader(names, notation)
    out = {}
    for a in asked:
        written = write(a)
        m = re.search(r"w\d+", a)
        if not _reads_as(reader, written, a) and m and names.weight_location(m.group()) is not None:
            l, r, s = names.weight_location(m.group())
            units = f"w({write.unit[names.senders(l)[s]]},{write.unit[names.neurons[l][r]]})"
            written = written.replace(write(m.group()), units, 1)
        out[a] = written
    return out


def _reads_as(reader: Reader, written: str, name: str) -> bool:
    """Whether ``written`` reads back as ``name`` (minus twice, -Err_6 for delta_o1, is the name)."""
    node = resolve(parse(written), reader)
    return node is not None and write_expression(node).replace("--", "") == name


def _questions(trace, shape: Shape) -> list[str]:
    """What to compute: the forward pass and the error; for one update also every delta, and for each
    layer the first weight's gradient and update, then the error after the update; for N updates
    also those weights and the error after N."""
    names: Notation = trace.notation
    asked = []
    for layer in names.neurons:
        for n in layer:
            asked += [f"net_{n}", f"out_{n}"]
    asked.append("E_total")
    weights = []
    if shape.quantities != "forward":
        for l in range(len(names.neurons) - 1, -1, -1):
            asked += [f"delta_{n}" for n in names.neurons[l]]
            w = names.weights[l][-1][-1] if l == len(names.neurons) - 1 else names.weights[l][0][0]
            asked += [f"dE_total/d{w}", f"{w}+"]
            weights.append(w)
        asked.append("E_total@1")
    have = trace.values
    asked = [a for a in asked if a in have]
    if shape.quantities == "updates":
        asked += [f"{w}@{shape.updates}" for w in weights] + [f"E_total@{shape.updates}"]
    return asked


def _questions_markdown(heading: str, file: str, spec: dict, net: Network, asked: list[str], shape: Shape) -> str:
    """The questions: the network's numbers (in the sheet's notation), what to compute and how to check it."""
    names = Notation(net)
    givens = [w for layer in names.weights for row in layer for w in row] + names.inputs + names.targets
    givens += [b for layer in names.biases if layer for b in layer]
    sheet_names = _sheet_names(names, shape.notation, asked + list(dict.fromkeys(givens)))
    write = sheet_names.__getitem__
    acts = ", ".join(spec["activation"])
    out = [
        f"# {heading}",
        "",
        f"A {'-'.join(map(str, spec['layers']))} network; activations by layer: {acts}; "
        f"loss `{spec['loss']}`; learning rate η = {spec['learning_rate']}. Biases are per neuron and trained.",
        "",
        "Weights (one row per receiving neuron, one column per sending neuron) and biases:",
        "",
    ]
    for l, rows in enumerate(names.weights):
        senders = names.senders(l)
        out.append(f"Layer {l + 1} ({spec['activation'][l]}):")
        out.append("")
        out.append("| to \\ from | " + " | ".join(senders) + " | bias |")
        out.append("|---" * (len(senders) + 2) + "|")
        for j, row in enumerate(rows):
            cells = [f"{write(w)} = {spec['weights'][l][j][s]}" for s, w in enumerate(row)]
            bias = f"{write(names.biases[l][j])} = {spec['biases'][l][j]}"
            out.append(f"| {names.neurons[l][j]} | " + " | ".join(cells) + f" | {bias} |")
        out.append("")
    given = ", ".join(f"{write(i)} = {v}" for i, v in zip(names.inputs, spec["input"]))
    target = ", ".join(f"{write(t)} = {v}" for t, v in zip(names.targets, spec["target"]))
    out += [f"Input: {given}; target: {target}.", "", "## Compute", ""]
    out += [f"Work to {shape.decimals} decimal places. Fill in `answers.txt` and check it with", ""]
    out += [f"    chainrule check answers.txt --network {file}{_notation_option(shape.notation)}", ""]
    out += [f"{k}. `{write(a)}`" for k, a in enumerate(asked, start=1)]
    return "\n".join(out) + "\n"


def _notation_option(notation: str) -> str:
    return "" if notation == "seed" else f" --notation {notation}"


def _sheet(heading: str, file: str, asked: list[str], sheet_names: dict, notation: str) -> str:
    """A blank sheet: one ``name = `` line per asked quantity, as the notation writes it."""
    lines = [
        f"# {heading}: write each value after its '=' and run",
        f"#   chainrule check answers.txt --network {file}{_notation_option(notation)}",
    ]
    lines += [f"{sheet_names[a]} = " for a in asked]
    return "\n".join(lines) + "\n"
