"""A class of students simulated by hand, for the classroom tests: each fills in their own blank sheet
(the ``name = `` lines of their folder's answers.txt) for their own network file, computing every line
the way a student on paper does — from the lines they wrote before it (follow_oracle.py's formulas,
plain Python, no chainrule), with mistakes planted where asked:

``perfect``   every value to 9 decimals;
``rounded``   every value to 5 decimals, each computed from the student's own rounded earlier lines;
``slip``      one line's value off by 7 % (an arithmetic slip), every later line computed from it;
``sign``      one delta written with the wrong sign, carried forward;
``swap``      two output-layer weights read the wrong way round (the seed's w6 and w7), carried;
``digits``    one line written with a single significant digit;
``missing``   a few lines left blank;
``lazy``      only the first half of the sheet filled in.

The marks each sheet *should* get are computed independently of chainrule: the marking rule in
rational arithmetic (published.independent_verdict), follow-through by follow_oracle.mark, exact
values from PyTorch (published.oracle and published.after).  ``planted`` also records, by
construction, the verdict of the line where the mistake was made (``slip``: wrong, ``digits``:
too_few_digits, ...) so that a test can see that the oracle agrees with the plan.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from support.follow_oracle import _NoFormula, _Values, formulas, mark
from support.published import after, evaluate, oracle

KINDS = ("perfect", "rounded", "slip", "sign", "swap", "digits", "missing", "lazy")
SHARE = {"ok": 1.0, "carried": 0.5}  # the default points scheme, written again


@dataclass
class SimulatedSheet:
    """One student's filled-in sheet and the marks it should get."""

    student: str
    kind: str
    text: str
    verdicts: dict[str, str]  # asked quantity (seed name) → verdict ("missing" where blank)
    planted: dict[str, str] = field(default_factory=dict)  # by construction: the mistake's own line

    @property
    def points(self) -> dict[str, float]:
        return {name: SHARE.get(v, 0.0) for name, v in self.verdicts.items()}

    @property
    def total(self) -> float:
        return sum(self.points.values())


def roster_csv(n: int) -> str:
    """A roster of n students: ids s001.., names, emails, LMS ids."""
    first = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine", "Claude"]
    last = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Johnson", "Shannon"]
    rows = ["id,name,email,lms_id"]
    for k in range(1, n + 1):
        name = f"{first[k % 10]} {last[(k // 10) % 10]}{'' if k < 100 else ' ' + 'ABCDEFGHIJ'[k % 10]}"
        rows.append(f"s{k:03d},{name} {k:03d},s{k:03d}@school.example,{40000 + k}")
    return "\n".join(rows) + "\n"


def blank_names(sheet: str) -> list[str]:
    """The names of a blank sheet's ``name = `` lines, in order."""
    return [m.group(1) for line in sheet.splitlines() if (m := re.fullmatch(r"(\S+) = ", line))]


def simulate(student: str, kind: str, spec: dict, blank: str, rng: random.Random) -> SimulatedSheet:
    """The sheet ``student`` hands in for ``spec`` with the mistake ``kind``, and the marks it should get."""
    names = blank_names(blank)
    givens, f = formulas(spec)
    exact = oracle(spec)
    for n in {int(m.group(1)) for name in names if (m := re.search(r"@(\d+)$", name))}:
        exact.update(after(spec, n))
    plan = _plan(kind, names, spec, exact, rng)
    written = _fill(names, givens, f, exact, plan)
    lines, text_lines = [], [line for line in blank.splitlines() if line.startswith("#")]
    for name in names:
        if name in written:
            lines.append((len(text_lines) + 1, name, written[name]))
            text_lines.append(f"{name} = {written[name]}")
    verdicts = {name: "missing" for name in names}
    marked = mark(lines, spec, exact, evaluate)
    for line, name, _ in lines:
        verdicts[name] = marked[line][0]
    return SimulatedSheet(student, kind, "\n".join(text_lines) + "\n", verdicts, plan.get("planted", {}))


def _plan(kind: str, names: list[str], spec: dict, exact: dict, rng: random.Random) -> dict:
    """Where the mistake goes: the line (or weights) and what the line should get by construction (a
    slip or a sign on a value that is not 0: a dead ReLU's 0 has no sign to get wrong)."""
    plain = [n for n in names if "@" not in n and abs(exact[n]) > 1e-6]
    if kind == "slip":
        at = rng.choice(plain[: max(2, len(plain) * 2 // 3)])
        return {"slip": at, "planted": {at: "wrong"}}
    if kind == "sign":
        at = rng.choice([n for n in plain if n.startswith("delta_")])
        return {"sign": at, "planted": {at: "wrong"}}
    if kind == "swap":
        return {"swap": _output_pair(spec)}
    if kind == "digits":
        at = rng.choice(plain)
        return {"digits": at}
    if kind == "missing":
        return {"blank": set(rng.sample(names, k=min(3, len(names) - 1)))}
    if kind == "lazy":
        return {"blank": set(names[len(names) // 2 :])}
    return {"decimals": 5} if kind == "rounded" else {}


def _output_pair(spec: dict) -> tuple[str, str]:
    """The seed's w6 and w7: the output layer's weight from its second sender into its first neuron and
    the one from its first sender into its second neuron (one output: its first two weights)."""
    before = sum(len(m) * len(m[0]) for m in spec["weights"][:-1])
    rows, cols = len(spec["weights"][-1]), len(spec["weights"][-1][0])
    second = (1, 0) if rows > 1 else (0, 1)
    first = (0, 1) if rows > 1 else (0, 0)
    return tuple(f"w{before + r * cols + c + 1}" for r, c in (first, second))


def _fill(names, givens, f, exact, plan) -> dict[str, str]:
    """name → the number written, each line from the student's own earlier lines."""
    givens = dict(givens)
    if "swap" in plan:
        a, b = plan["swap"]
        givens[a], givens[b] = givens[b], givens[a]
    decimals = plan.get("decimals", 9)
    sheet: dict[str, tuple[float, frozenset]] = {}
    written = {}
    for name in names:
        try:
            value = _Values({}, sheet, givens, f)[name]
        except _NoFormula:
            value = exact[name]  # after N updates: the exact value (no follow-through there)
        if plan.get("slip") == name:
            value *= 1.07
        if plan.get("sign") == name:
            value = -value
        if name in plan.get("blank", ()):
            continue
        text = f"{value:.{decimals}f}"
        if plan.get("digits") == name:
            text = _one_digit(value)
            plan["planted"] = {name: "too_few_digits"} if _one_digit_is_inexact(text, value) else {}
        written[name] = text
        sheet[name] = (float(text), frozenset())
    return written


def _one_digit(value: float) -> str:
    """``value`` with one significant digit, as a careless student writes it (0.6 for 0.5933)."""
    if value == 0:
        return "0"
    e = math.floor(math.log10(abs(value)))
    return f"{round(value, -e):.{max(0, -e)}f}"


def _one_digit_is_inexact(text: str, value: float) -> bool:
    return float(text) != value
