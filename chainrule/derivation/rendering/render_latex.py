"""A LaTeX document a teacher can compile (``pdflatex``; needs only amsmath)."""

from __future__ import annotations

from .latex_forms import _wrap, escape_text
from .render_markdown import TITLE

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\sloppy
"""


def render_latex(explanation) -> str:
    out = [
        PREAMBLE.rstrip(),
        rf"\title{{{TITLE}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        "",
        r"\begin{itemize}",
    ]
    out += [rf"  \item {_plain(line)}" for line in explanation.header()]
    out.append(r"\end{itemize}")
    for title, lines in explanation.sections():
        out += ["", rf"\section*{{{escape_text(title)}}}"]
        for line in lines:
            parts = line.latex
            if len(parts) >= 4:
                body = rf"{parts[0]} &= {_wrap(parts[1])} \\ &= {_wrap(' = '.join(parts[2:]))}"
            else:
                body = rf"{parts[0]} &= {_wrap(' = '.join(parts[1:]))}"
            note = rf" && \text{{{escape_text(line.note)}}}" if line.inline_note and line.note else ""
            out += [r"\begin{align*}", body + note, r"\end{align*}"]
    out += ["", r"\end{document}", ""]
    return "\n".join(out)


def _plain(text: str) -> str:
    return escape_text(text).replace("ᵀ", r"$^\top$").replace("→", r"$\to$")
