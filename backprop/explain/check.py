"""Checking a learner's numbers against the exact computation.

An answer sheet holds one ``name = value`` per line (``#`` starts a comment).  Names may be in
DESIGN.md's notation or in the third seed's (see :func:`notation.canonical_name`).  A value is right
when |given − exact| ≤ max(one unit in the last decimal place written, 1e-8 · |exact|).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from ..core.network import Network
from ..errors import FileFormatError
from .notation import Notation, canonical_name

RELATIVE_TOLERANCE = 1e-8


@dataclass
class AnswerLine:
    line: int  # 1-based line number in the sheet
    name: str  # as written
    canonical: str  # in DESIGN.md's notation
    text: str  # the number as written
    given: float


def parse_sheet(text: str) -> list[AnswerLine]:
    """The ``name = value`` lines of an answer sheet; a malformed line is a FileFormatError."""
    answers = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise FileFormatError(f"line {number}: expected 'name = value', got {raw.strip()!r}")
        name, value = (part.strip() for part in line.rsplit("=", 1))
        if not name:
            raise FileFormatError(f"line {number}: no name before '='")
        try:
            given = float(Decimal(value))
        except (InvalidOperation, ValueError):
            raise FileFormatError(f"line {number}: {value!r} is not a number") from None
        if not np.isfinite(given):
            raise FileFormatError(f"line {number}: {value!r} is not a finite number")
        answers.append(AnswerLine(number, name, canonical_name(name), value, given))
    return answers


def last_place(text: str) -> float:
    """One unit in the last decimal place written: ``"0.05"`` → 0.01, ``"3.51e-05"`` → 1e-7."""
    return float(Decimal(1).scaleb(Decimal(text).as_tuple().exponent))


def is_close(text: str, exact: float) -> bool:
    """The sheet's rule: right when |given − exact| ≤ max(last place written, 1e-8 · |exact|)."""
    return abs(float(Decimal(text)) - exact) <= max(last_place(text), RELATIVE_TOLERANCE * abs(exact))


_AT = re.compile(r"(.+)@(\d+)")


def values_after(network: Network, x, target, learning_rate: float, iterations: set[int]) -> dict[str, float]:
    """Named values after N updates (``out_o1@N``, ``net_h1@N``, ``E_total@N``, ``w5@N``, ...).

    Trains a copy of ``network`` with the engine, once, up to the largest N asked for.
    """
    names = Notation(network)
    net = network.copy()
    xs, ts = net.as_inputs(x), None
    ts = net.as_targets(target, len(xs))
    values: dict[str, float] = {}
    done = 0
    for n in sorted(iterations):
        while done < n:
            net.apply_gradients(net.backward(net.forward(xs), ts), learning_rate)
            done += 1
        fwd = net.forward(xs)
        for l, layer in enumerate(net.layers):
            for j, neuron in enumerate(names.neurons[l]):
                values[f"net_{neuron}@{n}"] = float(fwd.nets[l][0, j])
                values[f"out_{neuron}@{n}"] = float(fwd.outs[l + 1][0, j])
                for s, w in enumerate(names.weights[l][j]):
                    values[f"{w}@{n}"] = float(layer.weights[j, s])
            if names.biases[l] is not None:
                for j, b in enumerate(dict.fromkeys(names.biases[l])):
                    values[f"{b}@{n}"] = float(layer.bias[j])
        values[f"E_total@{n}"] = net.loss(xs, ts)
    return values


def iterations_asked(answers: list[AnswerLine]) -> set[int]:
    return {int(m.group(2)) for a in answers if (m := _AT.fullmatch(a.canonical))}
