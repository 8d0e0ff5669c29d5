"""Expressions of named quantities on the left of an answer line: ``eta*dE_total/dw5``, ``w5 - w5+``,
``1 - out_o2``, ``out_h1*(1-out_h1)``, ``η·∂E_total/∂w5``.

A small recursive-descent parser (no ``eval``): numbers, names, ``+ - * / ^ ( )``, ``× · −`` and
Euler's ``e`` (so ``e^(-net_h1)`` is a name for the number a source writes inside the sigmoid).
A derivative such as ``dE_total/dw5`` (or ``∂E_total/∂w5``) is one name, not a division; a ``+``
written right after a weight or bias (``w5+``, ``b1+``) is part of the name (the updated value);
``@N`` and ``[k]`` suffixes belong to the name before them; a weight may be named by its endpoints
(``w(h1,o1)``, ``w_{o1,h1}``); ``numgrad(w5, 1e-4)`` and ``relerr(w5, 1e-4)`` are a gradient check's
numbers (one name each).

Sign convention: ``Δw5`` (or ``delta_w5``, ``dw5``) is the change the update makes,
Δw5 = w5+ − w5 = −η · ∂E_total/∂w5 — so it is negative where the gradient is positive.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import FileFormatError

_NORMAL = str.maketrans(
    {
        "×": "*",
        "·": "*",
        "⋅": "*",
        "∗": "*",
        "−": "-",
        "–": "-",
        "÷": "/",
        "∂": "d",
        "⁺": "+",
        "δ": "delta",
        "η": "eta",
        "Δ": "Δ",
    }
)
# a name: letters, digits, _, primes; a layer written ^2, ^{2}, ^(2), ^[2] or [2]_ (Nielsen, Bishop, Ng);
# subscripts in braces _{46}; then a sample [k], an update's + (or "(new)", "(updated)"), and @N.
# Each piece can be read one way only: the digits of a layer are taken whole (\d++) and a name, once
# read, is never split again (an atomic group), so a line that is not a derivative fails at once
# instead of trying every split of its digits (dx^11^11...: 2^n splits).
_ENDS = r"[({\[]\s*+\w++\s*+(?:,|->|→)\s*+\w++\s*+[)}\]]"  # a weight by its endpoints: w(h1,o1), w_{o1,h1}
_NAME = (
    rf"(?>[^\W\d_](?:[\w'′]|\^\{{?[\[(]?\d++[\])]?\}}?|\{{[\d,]++\}}|\[\d++\](?=_)|\(\d++\)(?=_)|{_ENDS})*+"
    r"(?:\[\d++\])?(?:\+(?![\w(.])|\s*\(\s*(?:new|updated)\s*\))?(?:@[\d,_]++)?)"
)
_NUMBER = r"\d++(?:\.\d*+)?(?:[eE][-+]?\d++)?|\.\d++(?:[eE][-+]?\d++)?"
_TOKEN = re.compile(  # a derivative is one name, spaces allowed: "d E_total / d w5"
    rf"\s*(?:(?P<deriv>d\s*{_NAME}\s*/\s*d\s*{_NAME})"
    rf"|(?P<check>(?:numgrad|relerr)\s*\(\s*{_NAME}\s*,\s*(?:{_NUMBER})\s*\))"  # a gradient check's numbers
    rf"|(?P<num>{_NUMBER})|(?P<name>{_NAME})|(?P<op>[-+*/()^]))"
)
MAX_LEFT_CHARS = 1_000  # a left side is a name or a short formula: a longer one is refused before it is read
MAX_NAME_CHARS = 100  # one name (dE_total/dout_h1_2@10000 is 25 characters)
MAX_TOKENS = 200  # names, numbers and signs: a longer left side is refused, not recursed into
MAX_DEPTH = 50  # brackets, signs and powers nested


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Neg:
    arg: Node


@dataclass(frozen=True)
class Bin:
    op: str
    left: Node
    right: Node


Node = Num | Name | Neg | Bin


def tokens(text: str) -> list[tuple[str, str]]:
    """The names, numbers and signs of a left side, in order; at most ``MAX_TOKENS`` of them (counted as they
    are read, so a long line costs no more than a short one that is refused)."""
    text = text.translate(_NORMAL).strip()
    if len(text) > MAX_LEFT_CHARS:
        raise FileFormatError(
            f"the left side is too long to read ({len(text):,} characters; at most {MAX_LEFT_CHARS:,})"
        )
    out, k = [], 0
    while k < len(text):
        m = _TOKEN.match(text, k)
        if not m or m.end() == k:
            raise FileFormatError(f"cannot read {text[k:].strip()!r} in {text!r}")
        kind = m.lastgroup
        token = re.sub(r"\s+", "", m.group(kind))
        if kind != "op" and len(token) > MAX_NAME_CHARS:
            raise FileFormatError(f"a name or number of more than {MAX_NAME_CHARS} characters: {token[:20]!r}...")
        out.append((kind if kind == "num" or kind == "op" else "name", token))
        if len(out) > MAX_TOKENS:
            raise FileFormatError(
                f"the left side is too long to read (more than {MAX_TOKENS} names, numbers and signs)"
            )
        k = m.end()
        while k < len(text) and text[k].isspace():
            k += 1
    return out


def parse(text: str) -> Node:
    """The expression tree of ``text``; a FileFormatError says what cannot be read."""
    toks = tokens(text)
    if not toks:
        raise FileFormatError("no name before '='")
    return _Parser(text, toks).whole()


class _Parser:
    """Recursive descent over ``tokens(text)``, one method per rule of the grammar:

    expr = term (("+" | "-") term)*;  term = power (("*" | "/") power)*;
    power = factor ("^" (power | factor))?;  factor = ("-" | "+") factor | "(" expr ")" | number | name.
    """

    def __init__(self, text: str, toks: list[tuple[str, str]]):
        self.text, self.toks = text, toks
        self.pos = 0  # the next token
        self.depth = 0  # factors nested: brackets, signs and powers

    def whole(self) -> Node:
        """The expression, which must use every token."""
        node = self.expr()
        if self.pos != len(self.toks):
            raise FileFormatError(f"cannot read {' '.join(v for _, v in self.toks[self.pos :])!r} in {self.text!r}")
        return node

    def peek(self) -> tuple[str | None, str | None]:
        return self.toks[self.pos] if self.pos < len(self.toks) else (None, None)

    def take(self) -> tuple[str | None, str | None]:
        self.pos += 1
        return self.toks[self.pos - 1] if self.pos <= len(self.toks) else (None, None)

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = Bin(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.power()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            node = Bin(op, node, self.power())
        return node

    def power(self) -> Node:
        node = self.factor()
        if self.peek() == ("op", "^"):
            self.take()
            return Bin("^", node, self.power() if self.peek() != ("op", "-") else self.factor())
        return node

    def factor(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FileFormatError(f"the left side is nested too deeply to read (at most {MAX_DEPTH} levels)")
        try:
            return self._factor()
        finally:
            self.depth -= 1

    def _factor(self) -> Node:
        kind, value = self.peek()
        if (kind, value) == ("op", "-"):
            self.take()
            return Neg(self.factor())
        if (kind, value) == ("op", "+"):
            self.take()
            return self.factor()
        if (kind, value) == ("op", "("):
            self.take()
            node = self.expr()
            if self.take() != ("op", ")"):
                raise FileFormatError(f"a ')' is missing in {self.text!r}")
            return node
        if kind == "num":
            self.take()
            return Num(float(value))
        if kind == "name":
            self.take()
            return Name(value)
        raise FileFormatError(f"expected a name or a number in {self.text!r}" + (f", not {value!r}" if value else ""))


def names(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [] if node.name == "e" else [node.name]
    if isinstance(node, Neg):
        return names(node.arg)
    if isinstance(node, Bin):
        return names(node.left) + names(node.right)
    return []


def evaluate(node: Node, lookup: Callable[[str], float]) -> float:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return math.e if node.name == "e" else lookup(node.name)
    if isinstance(node, Neg):
        return -evaluate(node.arg, lookup)
    a, b = evaluate(node.left, lookup), evaluate(node.right, lookup)
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    if node.op == "*":
        return a * b
    if node.op == "^":
        try:
            return float(a**b) if a > 0 or float(b).is_integer() else float("nan")
        except OverflowError:
            return float("inf")
        except ZeroDivisionError:  # 0^-1: no finite value
            return float("nan")
    return a / b if b != 0 else float("nan")


def write(node: Node, rename: Callable[[str], str] = str, top: bool = True) -> str:
    """The expression written back, names through ``rename``."""
    if isinstance(node, Num):
        return repr(node.value).removesuffix(".0")
    if isinstance(node, Name):
        return rename(node.name)
    if isinstance(node, Neg):
        return "-" + write(node.arg, rename, False)
    text = f"{write(node.left, rename, False)} {node.op} {write(node.right, rename, False)}"
    return text if top else f"({text})"
