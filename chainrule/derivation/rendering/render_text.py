"""Plain text: each section's title, underlined, then ``name = formula = numbers = result`` lines."""

from __future__ import annotations

from .equation_lines import Line, trace_sections


def text_sections(sections: list[tuple[str, list[Line]]]) -> list[str]:
    """The one text formatter: a title, its underline, the lines, a blank line — per section."""
    out: list[str] = []
    for title, lines in sections:
        out += [title, "-" * len(title)]
        out += [line.written for line in lines]
        out.append("")
    return out


def render_text(explanation) -> str:
    """An explanation: what is given, then the derivation."""
    return "\n".join([*explanation.header(), "", *text_sections(explanation.sections())])


def render_trace(trace) -> str:
    """A bare trace (``chainrule example``): the derivation alone."""
    return "\n".join(text_sections(trace_sections(trace))).rstrip("\n") + "\n"
