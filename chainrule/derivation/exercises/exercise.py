"""Exercises for teachers: a random small network, its questions, and the answer key.

The same seed gives the same exercise, bit for bit: sizes, activations, weights with few decimals,
the sample and the learning rate are all drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ...core.activations import ACTIVATIONS, hidden_names
from ...core.network import Network
from ...errors import ConfigError
from ..notation.names import Notation
from ..step.trace import trace_step

_OUTPUTS = [("sigmoid", "half_sse"), ("identity", "half_sse"), ("softmax", "cross_entropy")]


@dataclass
class Exercise:
    seed: int
    spec: dict  # the network file's contents
    questions: str  # Markdown
    sheet: str  # an answer sheet to fill in: ``name = `` lines
    answers: str  # the answer key (Markdown, the explanation)

    def files(self) -> dict[str, str]:
        """File name → contents."""
        return {
            f"exercise-{self.seed}.json": json.dumps(self.spec, indent=1) + "\n",
            "questions.md": self.questions,
            "answers.txt": self.sheet,
            "answer-key.md": self.answers,
        }


def _draw(rng, shape, decimals: int, low: float = -1.0, high: float = 1.0) -> list:
    values = np.round(rng.uniform(low, high, size=shape), decimals)
    values[values == 0] = 0.1  # a zero weight teaches nothing
    return values.tolist()


def make_exercise(seed: int = 0, hidden_layers: int | None = None, activation: str | None = None) -> Exercise:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be a whole number of at least 0, not {seed!r}")
    rng = np.random.default_rng(seed)
    n_hidden = int(rng.integers(1, 3)) if hidden_layers is None else hidden_layers
    if n_hidden not in (1, 2):
        raise ConfigError("an exercise has 1 or 2 hidden layers")
    out_act, loss = _OUTPUTS[int(rng.integers(len(_OUTPUTS)))]
    n_out = int(rng.integers(2, 4)) if out_act == "softmax" else int(rng.integers(1, 3))
    sizes = [int(rng.integers(2, 4))] + [int(rng.integers(2, 4)) for _ in range(n_hidden)] + [n_out]
    hidden_act = ["sigmoid", "tanh", "relu"][int(rng.integers(3))]
    if activation is not None:  # chosen: any activation the registry offers for hidden layers
        hidden_act = ACTIVATIONS.canonical(activation)
        if hidden_act not in hidden_names():
            raise ConfigError(f"activation must be one of {', '.join(hidden_names())}, not {activation!r}")
    activations = [hidden_act] * n_hidden + [out_act]
    lr = [0.1, 0.25, 0.5, 1.0][int(rng.integers(4))]
    for _ in range(100):  # redraw until no ReLU sits on its kink (its derivative is undefined at 0)
        weights = [_draw(rng, (b, a), 2) for a, b in zip(sizes, sizes[1:])]
        biases = [_draw(rng, (b,), 1) for b in sizes[1:]]
        x = _draw(rng, (sizes[0],), 1, 0.0, 1.0)
        if out_act == "softmax":
            target = [0.0] * n_out
            target[int(rng.integers(n_out))] = 1.0
        elif out_act == "sigmoid":
            target = np.round(rng.uniform(0.05, 0.95, size=n_out), 2).tolist()
        else:
            target = np.round(rng.uniform(-1, 1, size=n_out), 1).tolist()
        net = Network(sizes, activations, loss, weights=weights, biases=biases, bias="per_neuron", train_biases=True)
        if all(np.all(np.abs(n) > 1e-3) for n in net.forward(x).nets):
            break
    spec = {
        "title": f"Exercise {seed}",
        "layers": sizes,
        "activation": activations,
        "loss": loss,
        "learning_rate": lr,
        "weights": weights,
        "biases": biases,
        "train_biases": True,
        "input": x,
        "target": target,
    }
    trace = trace_step(net, x, target, lr)
    from ..rendering.explanation import Explanation

    key = Explanation(trace, detail="full", source=f"exercise-{seed}.json", file_hint=f"exercise-{seed}.json")
    asked = _questions(trace)
    return Exercise(
        seed,
        spec,
        _questions_markdown(seed, spec, net, asked),
        _sheet(seed, asked),
        key.to_markdown().replace("# One step of backpropagation, explained", f"# Exercise {seed}: answer key", 1),
    )


def _questions(trace) -> list[str]:
    """What to compute: the forward pass, the error, every delta, and for each layer the first
    weight's gradient and update, then the error after the update."""
    names: Notation = trace.notation
    asked = []
    for layer in names.neurons:
        for n in layer:
            asked += [f"net_{n}", f"out_{n}"]
    asked.append("E_total")
    for l in range(len(names.neurons) - 1, -1, -1):
        asked += [f"delta_{n}" for n in names.neurons[l]]
        w = names.weights[l][-1][-1] if l == len(names.neurons) - 1 else names.weights[l][0][0]
        asked += [f"dE_total/d{w}", f"{w}+"]
    asked.append("E_total@1")
    have = trace.values
    return [a for a in asked if a in have]


def _questions_markdown(seed: int, spec: dict, net: Network, asked: list[str]) -> str:
    names = Notation(net)
    acts = ", ".join(spec["activation"])
    out = [
        f"# Exercise {seed}",
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
            cells = [f"{w} = {spec['weights'][l][j][s]}" for s, w in enumerate(row)]
            out.append(
                f"| {names.neurons[l][j]} | "
                + " | ".join(cells)
                + f" | {names.biases[l][j]} = {spec['biases'][l][j]} |"
            )
        out.append("")
    out.append(
        "Input: "
        + ", ".join(f"{i} = {v}" for i, v in zip(names.inputs, spec["input"]))
        + "; target: "
        + ", ".join(f"{t} = {v}" for t, v in zip(names.targets, spec["target"]))
        + "."
    )
    out += [
        "",
        "## Compute",
        "",
        "Work to 9 decimal places. Fill in `answers.txt` and check it with",
        "",
        f"    chainrule check answers.txt --network exercise-{seed}.json",
        "",
    ]
    out += [f"{k}. `{a}`" for k, a in enumerate(asked, start=1)]
    return "\n".join(out) + "\n"


def _sheet(seed: int, asked: list[str]) -> str:
    lines = [
        f"# Exercise {seed}: write each value after its '=' and run",
        f"#   chainrule check answers.txt --network exercise-{seed}.json",
    ]
    lines += [f"{a} = " for a in asked]
    return "\n".join(lines) + "\n"
