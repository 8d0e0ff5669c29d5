"""Writing a seed name as a book writes it (``chainrule explain --notation han-kamber``): net_h1 → I_4.

The ``write`` table of a profile (:mod:`profiles`) gives, per kind, a template with ``{unit}``
(units numbered through the layers, inputs first), ``{l}`` (the book's layer number), ``{j}`` (the
neuron's number in its layer), ``{n}`` (the seed's number of the neuron: 1 for h1, 1_3 for h1_3), and for
weights ``{from}``, ``{to}`` (units) and ``{j}``, ``{k}`` (receiving and sending neuron in their layers);
``E_total``, ``eta`` and one output's ``E_o`` have their forms too, an updated parameter ``updated``
(``{name}_new``; default ``w5+``) and an example of a full batch ``sample`` (Ng's ``Z^[1](2)_1``;
default ``NAME[k]``).  A template that begins with ``-`` names the
negative of the quantity (Han & Kamber's Err_j is −delta_j), so ``delta_o1`` is written ``-Err_6``:
the line stays true.  A profile gives a form for every name a derivation writes
(tests/derivation/notation/test_book_notation.py checks that none is left in the seed's names); a
table of one's own may give fewer, and the names it has no form for are written in the seed's names.
"""

from __future__ import annotations

import re

from ...errors import ConfigError
from .names import Notation
from .profiles import PROFILES


class Writer:
    def __init__(self, notation: Notation, profile: str | dict):
        if isinstance(profile, str):
            if profile not in PROFILES:
                raise ConfigError(f"unknown notation {profile!r}; choose one of {', '.join(PROFILES)}")
            profile = PROFILES[profile]
        self.table = profile.get("write", {})
        self.first = profile.get("first_layer", 1)
        self.names = notation
        self.unit, self.place = {}, {}
        k = 1
        for j, i in enumerate(notation.inputs):
            self.unit[i], self.place[i] = k, (self.first - 1, j + 1)
            k += 1
        for l, layer in enumerate(notation.neurons):
            for j, n in enumerate(layer):
                self.unit[n], self.place[n] = k, (l + self.first, j + 1)
                k += 1

    def __call__(self, name: str) -> str:
        if not self.table:
            return name
        m = re.fullmatch(r"(.+?)(\+?)(?:\[(\d+)\])?(@\d+)?", name)  # w5+, out_o1[2]@1, dE_total/dw5[1]
        name, updated, sample, at = m.group(1), m.group(2), m.group(3), m.group(4) or ""
        d = re.fullmatch(r"d(.+)/d(.+)", name)
        if d:
            top, bottom = self._one(d.group(1)), self._one(d.group(2))
            sign = "-" if top.startswith("-") != bottom.startswith("-") else ""
            written = f"{sign}d{top.lstrip('-')}/d{bottom.lstrip('-')}"
        else:
            written = self._one(name)
        if updated:
            template = self.table.get("updated")
            written = template.format(name=written) if template else written + "+"
        if sample:
            written = self._sample(written, sample)
        return written + at

    def _sample(self, written: str, k: str) -> str:
        """Example k of a full batch: the book's mark after the name's first ``]`` (Ng's Z^[1](2)_1),
        else ``NAME[k]`` (what every profile reads)."""
        template = self.table.get("sample")
        if template and "]" in written:
            cut = written.index("]") + 1
            return written[:cut] + template.format(k=k) + written[cut:]
        return f"{written}[{k}]"

    def _one(self, name: str) -> str:
        t, names = self.table, self.names
        if name in ("E_total", "eta"):
            return t.get(name, name)
        if name.startswith("E_") and name[2:] in names.neurons[-1] and "E_o" in t:  # one output's error term
            return self._fill("E_o", name[2:])
        if name in self.unit and name in names.inputs:
            return self._fill("input", name) or name
        m = re.fullmatch(r"(net|out|delta|target)_(.+)", name)
        if m and m.group(2) in self.unit:
            kind, neuron = m.groups()
            side = "o" if neuron in names.neurons[-1] else "h"
            key = f"{kind}_{side}" if f"{kind}_{side}" in t else kind
            return self._fill(key, neuron) or name
        where = names.weight_location(name)
        if where is not None and "weight" in t:
            l, r, s = where
            receiver = names.neurons[l][r]
            sender = names.senders(l)[s]
            return t["weight"].format(
                **{"from": self.unit[sender], "to": self.unit[receiver], "l": l + self.first, "j": r + 1, "k": s + 1}
            )
        for l, biases in enumerate(names.biases):
            if biases and name in biases and "bias" in t:
                neuron = names.neurons[l][biases.index(name)]
                return self._fill("bias", neuron) or name
        return name

    def _fill(self, key: str, unit_name: str) -> str | None:
        template = self.table.get(key)
        if template is None:
            return None
        l, j = self.place[unit_name]
        return template.format(unit=self.unit[unit_name], l=l, j=j, k=j, n=unit_name.lstrip("hoi"))
