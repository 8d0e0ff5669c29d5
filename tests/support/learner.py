"""A learner simulated by hand, for the follow-through tests: the seed's step worked out on paper, in plain
Python (no chainrule), every line computed from the lines written before it, rounded to the digits the
learner keeps — with slips where asked, carried forward as a learner carries them.

``work(digits, slips)`` returns the sheet's lines in order: (name, value written, the names this one was
computed from).  ``slips`` maps a name to how the learner gets it wrong (a function of the right value
from their own numbers).  With ``digits=None`` nothing is rounded and nothing slips: the exact values.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

GIVEN = {
    "i1": 0.05, "i2": 0.10, "target_o1": 0.01, "target_o2": 0.99, "eta": 0.5, "b1": 0.35, "b2": 0.60,
    "w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55,
}  # fmt: skip


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def _derivation():
    """(name, the names it is computed from, how) in the order a learner writes them (the seed's)."""
    lines = []
    for h, (wa, wb) in (("h1", ("w1", "w2")), ("h2", ("w3", "w4"))):
        lines.append((f"net_{h}", (wa, "i1", wb, "i2", "b1"), lambda a, x, b, y, c: a * x + b * y + c))
        lines.append((f"out_{h}", (f"net_{h}",), _sigmoid))
    for o, (wa, wb) in (("o1", ("w5", "w6")), ("o2", ("w7", "w8"))):
        lines.append((f"net_{o}", (wa, "out_h1", wb, "out_h2", "b2"), lambda a, x, b, y, c: a * x + b * y + c))
        lines.append((f"out_{o}", (f"net_{o}",), _sigmoid))
    for o in ("o1", "o2"):
        lines.append((f"E_{o}", (f"target_{o}", f"out_{o}"), lambda t, y: 0.5 * (t - y) ** 2))
    lines.append(("E_total", ("E_o1", "E_o2"), lambda a, b: a + b))
    for o, ws in (("o1", ("w5", "w6")), ("o2", ("w7", "w8"))):
        lines.append((f"dE_total/dout_{o}", (f"target_{o}", f"out_{o}"), lambda t, y: y - t))
        lines.append((f"dout_{o}/dnet_{o}", (f"out_{o}",), lambda y: y * (1 - y)))
        for w, h in zip(ws, ("h1", "h2")):
            lines.append((f"dnet_{o}/d{w}", (f"out_{h}",), lambda v: v))
            ins = (f"dE_total/dout_{o}", f"dout_{o}/dnet_{o}", f"dnet_{o}/d{w}")
            lines.append((f"dE_total/d{w}", ins, lambda a, b, c: a * b * c))
            lines.append((f"{w}+", (w, "eta", f"dE_total/d{w}"), lambda w, e, g: w - e * g))
    for o in ("o1", "o2"):
        lines.append((f"dE_{o}/dnet_{o}", (f"dE_total/dout_{o}", f"dout_{o}/dnet_{o}"), lambda a, b: a * b))
    for h, ws, ins_w in (("h1", ("w5", "w7"), ("w1", "w2")), ("h2", ("w6", "w8"), ("w3", "w4"))):
        for o, w in zip(("o1", "o2"), ws):
            lines.append((f"dnet_{o}/dout_{h}", (w,), lambda v: v))
            lines.append((f"dE_{o}/dout_{h}", (f"dE_{o}/dnet_{o}", f"dnet_{o}/dout_{h}"), lambda a, b: a * b))
        lines.append((f"dE_total/dout_{h}", (f"dE_o1/dout_{h}", f"dE_o2/dout_{h}"), lambda a, b: a + b))
        lines.append((f"dout_{h}/dnet_{h}", (f"out_{h}",), lambda y: y * (1 - y)))
        for w, i in zip(ins_w, ("i1", "i2")):
            lines.append((f"dnet_{h}/d{w}", (i,), lambda v: v))
            ins = (f"dE_total/dout_{h}", f"dout_{h}/dnet_{h}", f"dnet_{h}/d{w}")
            lines.append((f"dE_total/d{w}", ins, lambda a, b, c: a * b * c))
            lines.append((f"{w}+", (w, "eta", f"dE_total/d{w}"), lambda w, e, g: w - e * g))
    return lines


def rounded(value: float, digits: int) -> str:
    """``value`` written with ``digits`` significant digits (half up), as a learner writes it."""
    if value == 0:
        return "0." + "0" * digits
    exponent = math.floor(math.log10(abs(value))) - digits + 1
    return format(Decimal(repr(value)).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP), "f")


def work(digits: int | None, slips: dict | None = None, skip: set | None = None, copies: dict | None = None):
    """The learner's sheet: [(name, text written, the names it was computed from)], each line from the
    values written before it (rounded to ``digits``; a line in ``skip`` is computed at full precision and
    not written).  ``slips[name](right) -> wrong`` makes the learner write a wrong value there and carry
    on from it; ``copies`` gives misread givens, written first."""
    slips, skip, copies = slips or {}, skip or set(), copies or {}
    known = dict(GIVEN)
    sheet = []
    for name, value in copies.items():
        known[name] = value
        sheet.append((name, repr(value), ()))
    for name, inputs, how in _derivation():
        value = how(*[known[i] for i in inputs])
        if name in slips:
            value = slips[name](value)
        if digits is None or name in skip:
            known[name], text = value, repr(value)
        else:
            text = rounded(value, digits)
            known[name] = float(text)
        if name not in skip:
            sheet.append((name, text, inputs))
    return sheet


def inputs_of() -> dict[str, tuple[str, ...]]:
    """Each derived quantity's inputs, as the learner computes it."""
    return {name: inputs for name, inputs, _ in _derivation()}
