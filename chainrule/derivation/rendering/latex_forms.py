"""LaTeX forms of names and formulas: ``dE_total/dw5`` → ``\\frac{\\partial E_{total}}{\\partial w_{5}}``."""

from __future__ import annotations

import re

from ..step.trace import REF
from .number_format import fmt

_GREEK = {
    "eta": r"\eta",
    "delta": r"\delta",
    "η": r"\eta",
    "α": r"\alpha",
    "θ": r"\theta",
    "δ": r"\delta",
    "Δ": r"\Delta",
}  # the seed's and the books' (profiles.py) Greek names, as LaTeX commands


def latex_name(name: str) -> str:
    """A name in LaTeX: the seed's (``w5`` → ``w_{5}``) or a book's (``z^2_1`` → ``z^{2}_{1}``, ``θ_4``)."""
    if name.startswith("-"):  # a book's name for minus a quantity (Han & Kamber's -Err_6)
        return "-" + latex_name(name[1:])
    at = ""
    if "@" in name:
        name, n = name.split("@", 1)
        at = f"^{{({n})}}"
    m = re.fullmatch(r"d([^/]+)/d(.+)", name)
    if m:
        return rf"\frac{{\partial {latex_name(m.group(1))}}}{{\partial {latex_name(m.group(2))}}}" + at
    plus = ""
    if name.endswith("+"):
        name, plus = name[:-1], "^{+}"
    elif name.endswith("'"):  # an updated parameter in Nielsen's names (w')
        return f"{{{latex_name(name[:-1])}}}'" + at
    if name in _GREEK:
        return _GREEK[name] + plus + at
    m = re.fullmatch(r"([a-z])(\d+(?:\[\d+\])?)", name)  # w5, i1, b1 (w5[2]: sample 2's, in a full batch)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}{plus}{at}"
    m = re.fullmatch(r"([^\W\d_]+)\^(\S+?)_(\w+)", name)  # a book's layer: z^2_1, W^[1]_11, a^(2)_1, Z^[1](2)_1
    if m:
        return f"{{{_head(m.group(1))}^{{{m.group(2)}}}_{{{m.group(3)}}}}}{plus}{at}"
    m = re.fullmatch(r"([^\W\d_]+)_(.+)", name)  # net_h1, E_total, delta_o1, b_h2_3, θ_4
    if m:
        return f"{_head(m.group(1))}_{{{m.group(2).replace('_', ',')}}}{plus}{at}"
    return name.replace("_", r"\_") + plus + at


def _head(letters: str) -> str:
    return _GREEK.get(letters, letters)


def latex_symbolic(template: str, rename=None) -> str:
    return REF.sub(lambda m: latex_name(rename(m.group(1)) if rename else m.group(1)), template)


def latex_numbers(template: str, values: dict, givens: dict) -> str:
    """The formula with numbers; a negative number inside a formula is written in parentheses."""
    whole = REF.fullmatch(template.strip()) is not None

    def number(m):
        v = values[m.group(1)]
        text = fmt(v, m.group(1) in givens)
        before = template[: m.start()].rstrip()[-1:]
        bracketed = before in ("", "(", "{", "[", ",")  # already set apart: no parentheses needed
        return f"({text})" if v < 0 and not whole and not bracketed else text

    return REF.sub(number, template)


def aligned(parts: list[str]) -> str:
    """``name = formula = numbers = result``; four parts break after the formula, and a long sum
    (a net input of many terms) breaks every few terms."""
    if len(parts) >= 4:
        return (
            rf"\begin{{aligned}} {parts[0]} &= {_wrap(parts[1])} \\ &= {_wrap(' = '.join(parts[2:]))}"
            r" \end{aligned}"
        )
    return " = ".join(parts)


def _wrap(sum_: str, width: int = 90, per_line: int = 3) -> str:
    if len(sum_) <= width:
        return sum_
    terms = _top_level_terms(sum_)
    if len(terms) <= per_line:
        return sum_
    rows = [" + ".join(terms[k : k + per_line]) for k in range(0, len(terms), per_line)]
    return r" \\ &\quad + ".join(rows)


def _top_level_terms(text: str) -> list[str]:
    """``a + b + c`` split at the ``+`` signs outside braces and ``\\left( … \\right)``."""
    terms, depth, start, k = [], 0, 0, 0
    while k < len(text):
        if text.startswith(r"\left", k):
            depth += 1
        elif text.startswith(r"\right", k):
            depth -= 1
        elif text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
        elif depth == 0 and text.startswith(" + ", k):
            terms.append(text[start:k])
            start = k + 3
            k += 3
            continue
        k += 1
    terms.append(text[start:])
    return terms


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    **{c: f"${cmd}$" for c, cmd in _GREEK.items() if len(c) == 1},
}  # a book's η, θ in a sentence


def escape_text(text: str) -> str:
    """Plain text for a LaTeX document."""
    return "".join(_TEX_SPECIAL.get(c, c) for c in text)
