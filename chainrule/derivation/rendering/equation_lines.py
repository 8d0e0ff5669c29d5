"""One line of a derivation in both written forms: ``name = formula = numbers = result``.

A :class:`Line` holds the parts of one equation as plain text and as LaTeX; every renderer
(text, Markdown, HTML, LaTeX) writes the same parts, so every format says the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..step.trace import REF, SECTIONS
from .number_format import fmt


@dataclass
class Line:
    section: str
    name: str
    text: list[str]  # name, formula, numbers, result (those that say something)
    latex: list[str]
    note: str = ""
    layer: int | None = None
    inline_note: bool = False  # a bare result whose note says what it is ("after one update")

    @property
    def plain(self) -> str:
        return " = ".join(self.text)

    @property
    def written(self) -> str:
        """The plain line as the text output prints it: a bare result carries its note."""
        return self.plain + (f"    ({self.note})" if self.inline_note else "")

    @property
    def math(self) -> str:
        return " = ".join(self.latex)


def symbolic(template: str, rename=None) -> str:
    """The formula with names: ``<w1> * <i1>`` → ``w1 * i1`` (each through ``rename``, a book's names)."""
    return REF.sub(lambda m: rename(m.group(1)) if rename else m.group(1), template)


def substituted(template: str, values: dict[str, float], givens: dict[str, float]) -> str:
    """The formula with numbers: ``<w1> * <i1>`` → ``0.15 * 0.05``; a negative number right after a
    minus sign is put in parentheses (``e^(-(-0.7))``, not ``e^(--0.7)``)."""

    def number(m):
        v = values[m.group(1)]
        text = fmt(v, m.group(1) in givens)
        return f"({text})" if v < 0 and template[: m.start()].endswith("-") else text

    return REF.sub(number, template)


def step_line(step, values: dict, givens: dict, rename=None, latex: bool = True) -> Line:
    """The parts of one scalar step, with the seed's shortcuts (no formula for a plain result,
    no result where the numbers are already it).  ``latex=False``: the plain text only (``Line.latex``
    then holds empty strings), for callers that never render math."""
    result = fmt(step.value)
    polynomial = re.fullmatch(r"[\d\s.+\-*()]*", REF.sub("", step.text)) is not None  # sums of products: cancellation
    if (
        polynomial
        and step.value != 0
        and abs(step.value) <= 1e-14 * max((abs(values[n]) for n in REF.findall(step.text) if n in values), default=0.0)
    ):
        result = f"0 (float64 rounding leaves {step.value:.3g})"  # an exact 0 computed as 5.6e-17
    written = rename(step.name) if rename else step.name
    if latex:  # on use: the checker's hints ask for the plain line only
        from .latex_forms import latex_name, latex_numbers, latex_symbolic
    lname = latex_name(written) if latex else ""
    if not REF.search(step.text):
        return Line(step.section, step.name, [written, result], [lname, result], step.note, step.layer, True)
    formula, numbers = symbolic(step.text, rename), substituted(step.text, values, givens)
    lformula, lnumbers = (
        (latex_symbolic(step.latex, rename), latex_numbers(step.latex, values, givens)) if latex else ("", "")
    )
    if numbers == symbolic(step.text) or symbolic(step.text) == numbers.strip():
        return Line(
            step.section, step.name, [written, formula, result], [lname, lformula, result], step.note, step.layer
        )
    if REF.fullmatch(step.text.strip()):  # a single quantity, such as dnet_o1/dw5 = out_h1
        return Line(
            step.section, step.name, [written, formula, numbers], [lname, lformula, lnumbers], step.note, step.layer
        )
    return Line(
        step.section,
        step.name,
        [written, formula, numbers, result],
        [lname, lformula, lnumbers, result],
        step.note,
        step.layer,
    )


def trace_sections(trace) -> list[tuple[str, list[Line]]]:
    """Every step of a trace as lines, grouped by section (titles written out)."""
    return group_lines([step_line(s, trace.values, trace.givens) for s in trace.steps])


def group_lines(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    groups: list[tuple[str, list[Line]]] = []
    for line in lines:
        if not groups or groups[-1][0] != line.section:
            groups.append((line.section, []))
        groups[-1][1].append(line)
    return [(SECTIONS[key], lines) for key, lines in groups]
