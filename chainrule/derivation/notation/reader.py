"""Reading a name as a book writes it: the seed's name (or a signed one) for ``Err_6``, ``w^2_11``, ``Δw_46``.

A :class:`Reader` applies one profile of :mod:`profiles` to one network's :class:`Notation`.  It
returns an expression tree (:mod:`expressions`) in the seed's names, so that a name meaning "minus
that quantity" (Han & Kamber's Err_j = −delta_j) is read as exactly that.
"""

from __future__ import annotations

import re

from ...errors import ConfigError
from .expressions import Bin, Name, Neg, Node, Num
from .names import AT, Notation, canonical_name
from .profiles import PROFILES

_UPDATED = re.compile(r"(.+?)(?:\+|_?new|'|′|\(new\)|\(updated\))")
_CHECK = re.compile(r"(numgrad|relerr)\((.+),([^,()]+)\)")  # a gradient check: numgrad(w5,1e-4)
_ENDPOINTS = re.compile(r"w_?[({\[](\w+)(?:,|->|→)(\w+)[)}\]]")  # w(h1,o1), w_{o1,h1}, w(i1→h1)
_SAMPLE = re.compile(r"(.+?)(\[\d{1,9}\])")


class Reader:
    """Written names → the seed's names, for one network and one book's notation."""

    def __init__(self, notation: Notation, profile: str | dict = "seed"):
        if isinstance(profile, dict):  # a table of one's own, in the profiles' form
            self.profile_name, self.profile = profile.get("name", "custom"), profile
        elif profile in PROFILES:
            self.profile_name, self.profile = profile, PROFILES[profile]
        else:
            raise ConfigError(f"unknown notation {profile!r}; choose one of {', '.join(PROFILES)}")
        self.names = notation
        self.rules = [(re.compile(p), t) for p, t in self.profile.get("read", [])]
        self.units = [("input", i) for i in notation.inputs] + [
            ("neuron", n) for layer in notation.neurons for n in layer
        ]
        self.where = {n: (l, j) for l, layer in enumerate(notation.neurons) for j, n in enumerate(layer)}

    # ----------------------------------------------------------------------- the entry point
    def read(self, written: str) -> Node | None:
        """The seed-name expression for one written name, or None when this profile cannot read it."""
        name = written.strip().replace(" ", "")
        sample = self.profile.get("sample")  # how the book marks the training example: Ng's z^[1](2)_1
        if sample:
            m = re.search(sample, name)
            if m:  # moved to the end as [i], before any @N: A^[2](1)_1@1 is out_o1[1]@1
                rest, at = re.fullmatch(r"(.*?)(@[\d,_]+)?", name[: m.start()] + name[m.end() :]).groups()
                name = f"{rest}[{m.group(1)}]{at or ''}"
        m = _CHECK.fullmatch(name)
        if m:  # numgrad(w5,1e-4), relerr(w(h1,o1),0.0001): a gradient check of one parameter
            param = self.read(m.group(2))
            if isinstance(param, Name) and self._is_parameter(param.name):
                return Name(f"{m.group(1)}({param.name},{float(m.group(3))!r})")
            return None
        for pattern, mark in ((AT, "@"), (_SAMPLE, "")):  # NAME@N, NAME[k]: the name read, the mark kept
            m = pattern.fullmatch(name)
            if m:
                inner = self.read(m.group(1))
                suffix = mark + m.group(2)
                return _suffixed(inner, suffix) if inner is not None else None
        if name.startswith(("Δ", "delta_w", "delta_b", "delta_θ", "Delta")):
            base = (
                name[1:] if name.startswith("Δ") else name.split("_", 1)[1] if name.startswith("delta_") else name[5:]
            )
            base = base.lstrip("_")
            if base.startswith(("Δ", "delta_", "Delta")):  # ΔΔw5 is nothing (and Δ×1200 no deep recursion)
                return None
            param = self.read(base)
            if isinstance(param, Name) and self._is_parameter(param.name):
                return Bin("-", Name(param.name + "+"), param)  # Δw = w+ − w = −η ∂E/∂w
            return None
        direct = self._rule(name)  # a whole name first (a book may name a derivative: dy1/dnet)
        if direct is not None:
            return direct
        m = re.fullmatch(r"d([^/]+)/d([^/]+)", name)
        if m:
            return self._derivative(m.group(1), m.group(2))
        m = _UPDATED.fullmatch(name)
        if m:
            base = self._plain(m.group(1))
            if isinstance(base, Name) and self._is_parameter(base.name):
                return Name(base.name + "+")
        return self._plain(name, ruled=True)

    def _plain(self, name: str, ruled: bool = False) -> Node:
        """One name without a derivative, an update or a suffix: by the profile's rules (unless ``ruled``:
        already tried), by its endpoints (``w(h1,o1)``), or in the seed's names (``wN`` numbered as the
        profile numbers its weights)."""
        node = None if ruled else self._rule(name)
        if node is None:
            node = self._endpoints(name)
        return node if node is not None else Name(self._numbered(canonical_name(name)))

    def _endpoints(self, name: str) -> Node | None:
        """A weight named by the units it joins, in either order (``w(h1,o1)``, ``w_{o1,h1}``, ``w(i2→h1)``;
        units by the seed's names or, in a book numbering units, by number), or a bias as the weight from a
        constant input (``w(0,h1)``, ``w(x0,h1)``, ``w(b,h1)``); None when ``name`` is not of that form."""
        m = _ENDPOINTS.fullmatch(name)
        if not m:
            return None
        ends = [self._unit_named(u) for u in (m.group(1), m.group(2))]
        if None in ends:
            return Name(name)  # no such unit: an unknown name
        (ka, a), (kb, b) = ends
        if "bias" in (ka, kb):
            neuron = b if ka == "bias" else a
            bias = self._quantity("bias", "neuron", neuron) if neuron in self.where else None
            return Name(bias) if bias else Name(name)
        la, lb = self._layer(a), self._layer(b)
        if abs(la - lb) != 1:
            return Name(name)
        sender, receiver = (a, b) if la < lb else (b, a)
        return Name(self._weight(receiver, sender))

    def _unit_named(self, unit: str) -> tuple[str, str] | None:
        """("input" | "neuron" | "bias", the seed's name) for a unit as a sheet names it."""
        if unit in ("0", "x0", "i0", "b", "bias"):
            return "bias", unit
        if unit.isdigit() and self.profile.get("index") == "unit":
            k = int(unit)
            return self.units[k - 1] if 1 <= k <= len(self.units) else None
        unit = re.sub(r"^x(?=\d)", "i", unit)
        if unit in self.names.inputs:
            return "input", unit
        return ("neuron", unit) if unit in self.where else None

    def _layer(self, unit: str) -> int:
        return -1 if unit in self.names.inputs else self.where[unit][0]

    def _numbered(self, name: str) -> str:
        """``wN`` in the profile's numbering: layer by layer, then by receiving neuron (the seed's), or by
        sending neuron first (``"weights": "sender-major"``: w1 i1→h1, w2 i1→h2, w3 i2→h1, ...)."""
        m = re.fullmatch(r"w(\d{1,9})", name)
        if not m or self.profile.get("weights") != "sender-major":
            return name
        k = int(m.group(1)) - 1
        for rows in self.names.weights:
            n_out, n_in = len(rows), len(rows[0])
            if k < n_out * n_in:
                return rows[k % n_out][k // n_out]
            k -= n_out * n_in
        return name

    # ----------------------------------------------------------------------- the pieces
    def _rule(self, name: str) -> Node | None:
        for pattern, template in self.rules:
            m = pattern.fullmatch(name)
            if m:
                try:
                    return self._place(template, m.groups())
                except (IndexError, KeyError, ValueError):
                    continue  # a unit or layer this network does not have: another rule may read it
        return None

    def _derivative(self, top: str, bottom: str) -> Node | None:
        a, b = self.read(top), self.read(bottom)
        sign = 1
        if isinstance(a, Neg):
            a, sign = a.arg, -sign
        if isinstance(b, Neg):
            b, sign = b.arg, -sign
        if not isinstance(a, Name) or not isinstance(b, Name):
            return None
        if a.name == "E_total" and b.name.startswith("net_"):  # ∂E/∂net_X is the node delta
            node = Name("delta_" + b.name[4:])
        else:
            node = Name(f"d{a.name}/d{b.name}")
        return node if sign > 0 else Neg(node)

    def _is_parameter(self, name: str) -> bool:
        return self.names.weight_location(name) is not None or any(b and name in b for b in self.names.biases)

    def _place(self, template: str, groups: tuple) -> Node:
        sign = template.startswith("-")
        kind, _, args = template.lstrip("-").partition(":")
        if kind == "name":  # the seed's name itself, or a gradient check or endpoints written in it
            node: Node = self._produced(args.format(None, *groups))
            return Neg(node) if sign else node
        args = args.format(None, *groups).split(",") if args else []  # {1} is the first group
        if self.profile.get("index") == "unit":
            node = self._by_unit(kind, [int(a) for a in args])
        else:
            node = self._by_layer(kind, args)
        return Neg(node) if sign else node

    def _produced(self, name: str) -> Node:
        """A name a rule produced (``name:...``): a gradient check, a weight by its endpoints, or a seed name."""
        m = _CHECK.fullmatch(name)
        if m:
            param = self._produced(m.group(2))
            return Name(f"{m.group(1)}({param.name},{float(m.group(3))!r})") if isinstance(param, Name) else param
        m = re.fullmatch(r"d([^/]+)/d([^/]+)", name)
        if m and _ENDPOINTS.search(name):  # dE_total/dw(h1,o2): a derivative of a weight named by its endpoints
            return self._derivative(m.group(1), m.group(2)) or Name(name)
        node = self._endpoints(name)
        return node if node is not None else Name(self._numbered(name))

    def _unit(self, k: int) -> tuple[str, str]:
        if k < 1:
            raise IndexError(k)
        return self.units[k - 1]

    def _by_unit(self, kind: str, args: list[int]) -> Node:
        if kind == "weight":
            (_, sender), (rk, receiver) = self._unit(args[0]), self._unit(args[1])
            if rk != "neuron":
                raise KeyError(receiver)
            return Name(self._weight(receiver, sender))
        what, unit = self._unit(args[0])
        return Name(self._quantity(kind, what, unit))

    def _by_layer(self, kind: str, args: list[str]) -> Node:
        first = self.profile.get("first_layer", 1)
        n_layers = len(self.names.neurons)
        l = n_layers - 1 if args[0] == "last" else int(args[0]) - first  # −1: the inputs
        if not -1 <= l < n_layers:
            raise IndexError(l)
        if kind in ("weight", "dweight"):
            j, s = int(args[1]) - 1, int(args[2]) - 1
            if l < 0 or j < 0 or s < 0:
                raise IndexError(j)
            w = self.names.weights[l][j][s]
            return Name(w if kind == "weight" else f"dE_total/d{w}")
        j = int(args[1]) - 1
        if j < 0:
            raise IndexError(j)
        if l < 0:
            return Name(self._quantity(kind, "input", self.names.inputs[j]))
        if kind == "dbias":
            return Name("dE_total/d" + self._quantity("bias", "neuron", self.names.neurons[l][j]))
        return Name(self._quantity(kind, "neuron", self.names.neurons[l][j]))

    def _quantity(self, kind: str, what: str, unit: str) -> str:
        if what == "input":
            if kind == "out":
                return unit
            raise KeyError(kind)
        if kind in ("net", "out", "delta"):
            return f"{kind}_{unit}"
        if kind == "target":
            return f"target_{unit}"
        if kind == "error":  # one output's error term E_oK
            if unit not in self.names.neurons[-1]:
                raise KeyError(unit)
            return f"E_{unit}"
        if kind == "bias":
            l, j = self.where[unit]
            if self.names.biases[l] is None:
                raise KeyError(unit)
            return self.names.biases[l][j]
        raise KeyError(kind)

    def _weight(self, receiver: str, sender: str) -> str:
        l, j = self.where[receiver]
        senders = self.names.senders(l)
        return self.names.weights[l][j][senders.index(sender)]


def _suffixed(node: Node, suffix: str) -> Node:
    if isinstance(node, Name):
        return Name(node.name + suffix)
    if isinstance(node, Neg):
        return Neg(_suffixed(node.arg, suffix))
    if isinstance(node, Bin):
        return Bin(node.op, _suffixed(node.left, suffix), _suffixed(node.right, suffix))
    return node if isinstance(node, Num) else node


def resolve(node: Node, reader: Reader) -> Node | None:
    """Every name of an expression read through ``reader``; None when one cannot be read."""
    if isinstance(node, Name):
        return reader.read(node.name)
    if isinstance(node, Neg):
        inner = resolve(node.arg, reader)
        return None if inner is None else Neg(inner)
    if isinstance(node, Bin):
        a, b = resolve(node.left, reader), resolve(node.right, reader)
        return None if a is None or b is None else Bin(node.op, a, b)
    return node


def detect(written: list[str], notation: Notation, known) -> tuple[str, int]:
    """The profile that reads the most of ``written`` as known quantities (``known(name) -> bool``
    on the seed's names); the seed's on a tie.  Returns the profile and how many it read."""
    from .expressions import names as names_in
    from .expressions import parse

    trees = []
    for w in written:
        try:
            trees.append(parse(w))
        except Exception:  # an unreadable line is judged on its own later
            continue
    best, best_count = "seed", -1
    for name in PROFILES:
        reader = Reader(notation, name)
        count = 0
        for tree in trees:
            try:
                node = resolve(tree, reader)
            except (ValueError, RecursionError):  # a name no profile can read: judged on its own later
                continue
            count += node is not None and all(known(n) for n in names_in(node))
        if count > best_count:
            best, best_count = name, count
        if best_count == len(trees):  # every name read: no later profile can read more
            break
    return best, best_count
