"""Markdown with LaTeX math in ``$$...$$``, as the seeds are written."""

from __future__ import annotations

from .latex_forms import aligned

TITLE = "One step of backpropagation, explained"


def render_markdown(explanation) -> str:
    out = [f"# {TITLE}", ""]
    out += [f"- {line}" for line in explanation.header()]
    for title, lines in explanation.sections():
        out += ["", f"## {title}", ""]
        for line in lines:
            out.append(f"$${aligned(line.latex)}$$")
            if line.inline_note and line.note:
                out.append(f"({line.note})")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
