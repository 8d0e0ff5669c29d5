"""A self-contained HTML page: the math is MathML (rendered natively, no script, no network)."""

from __future__ import annotations

from html import escape

from .latex_forms import aligned
from .mathml import to_mathml
from .render_markdown import TITLE

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.step { margin: 0.6rem 0; overflow-x: auto; }
.step math { font-size: 1.15rem; text-align: left; }
.step mfrac > * { math-style: normal; }
mtable.aligned mtd:nth-child(odd) { text-align: right; padding-right: 0; }
mtable.aligned mtd:nth-child(even) { text-align: left; padding-left: 0; }
.note { color: #666; font-size: 0.9rem; margin-left: 1rem; }
ul.given li { margin: 0.2rem 0; }
"""


def render_html(explanation, page: bool = True) -> str:
    body = [f"<h1>{TITLE}</h1>", '<ul class="given">']
    body += [f"<li>{escape(line)}</li>" for line in explanation.header()]
    body.append("</ul>")
    for title, lines in explanation.sections():
        body.append(f"<h2>{escape(title)}</h2>")
        for line in lines:
            note = f'<div class="note">{escape(line.note)}</div>' if line.note else ""
            body.append(f'<div class="step" title="{escape(line.name)}">{to_mathml(aligned(line.latex))}{note}</div>')
    content = "\n".join(body)
    if not page:  # for Jupyter: the alignment rules travel with the fragment
        rules = "\n".join(
            f".chainrule-explanation {rule}"
            for rule in STYLE.strip().split("\n")
            if rule.startswith((".step", "mtable"))
        )
        return f'<div class="chainrule-explanation">\n<style>{rules}</style>\n{content}\n</div>'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{TITLE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{content}\n</body>\n</html>\n"
    )
