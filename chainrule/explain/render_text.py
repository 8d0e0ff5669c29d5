"""The plain-text rendering of a trace: formula, numbers substituted, result — in the seed's order."""

from __future__ import annotations

import re

from .numbers import fmt
from .trace import SECTIONS, Trace

REF = re.compile(r"<([^<>]+)>")


def symbolic(template: str) -> str:
    """The formula with names: ``<w1> * <i1>`` → ``w1 * i1``."""
    return REF.sub(lambda m: m.group(1), template)


def substituted(template: str, values: dict[str, float], givens: dict[str, float]) -> str:
    """The formula with numbers: ``<w1> * <i1>`` → ``0.15 * 0.05``."""
    return REF.sub(lambda m: fmt(values[m.group(1)], m.group(1) in givens), template)


def render_text(trace: Trace) -> str:
    values = trace.values
    lines: list[str] = []
    section = None
    for step in trace.steps:
        if step.section != section:
            section = step.section
            if lines:
                lines.append("")
            lines += [SECTIONS[section], "-" * len(SECTIONS[section])]
        lines.append(step_line(step, values, trace.givens))
    return "\n".join(lines) + "\n"


def step_line(step, values, givens) -> str:
    result = fmt(step.value)
    if not REF.search(step.text):
        return f"{step.name} = {result}    ({step.note})"
    formula = symbolic(step.text)
    numbers = substituted(step.text, values, givens)
    if numbers == formula or formula == numbers.strip():
        return f"{step.name} = {formula} = {result}"
    if REF.fullmatch(step.text.strip()):  # a single quantity, such as dnet_o1/dw5 = out_h1
        return f"{step.name} = {formula} = {numbers}"  # a given, such as dnet_o1/dout_h1 = w5
    return f"{step.name} = {formula} = {numbers} = {result}"
