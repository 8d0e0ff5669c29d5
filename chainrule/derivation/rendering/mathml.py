"""LaTeX → MathML for the small LaTeX the explanations write, so HTML pages render math offline.

Browsers render MathML Core natively (Chromium ≥ 109, Firefox, Safari); no script, no font, no
network.  Covered: groups ``{}``, ``^`` and ``_``, ``\\frac``, ``\\text``, ``\\mathbf``,
``\\left( … \\right)``, ``bmatrix``/``aligned`` environments (``&``, ``\\\\``), Greek letters, and
the operators and function names the templates use.  Anything else is shown as written.
"""

from __future__ import annotations

import re
from html import escape

_TOKEN = re.compile(
    r"\\begin\{(\w+)\}|\\end\{(\w+)\}|\\[A-Za-z]+|\\.|\d+(?:\.\d+)?(?:e[-+]?\d+)?|[A-Za-z]+|\s+|.", re.S
)

_IDENT = {
    r"\eta": "η",
    r"\delta": "δ",
    r"\sigma": "σ",
    r"\partial": "∂",
    r"\alpha": "α",
    r"\beta": "β",
    r"\lambda": "λ",
    r"\mu": "μ",
    r"\theta": "θ",
    r"\Delta": "Δ",
    r"\top": "⊤",
}
_OPS = {
    r"\cdot": "·",
    r"\times": "×",
    r"\odot": "⊙",
    r"\cdots": "⋯",
    r"\ldots": "…",
    r"\vdots": "⋮",
    r"\ddots": "⋱",
    r"\le": "≤",
    r"\ge": "≥",
    r"\in": "∈",
    r"\to": "→",
    r"\approx": "≈",
    r"\sum": "∑",
    r"\_": "_",
    r"\{": "{",
    r"\}": "}",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\|": "‖",
}
_FUNCS = {r"\tanh", r"\max", r"\log", r"\exp", r"\min", r"\ln", r"\sin", r"\cos"}
_SPACES = {r"\,": "0.17em", r"\;": "0.28em", r"\quad": "1em", r"\qquad": "2em", r"\ ": "0.25em", r"\!": "0em"}


def to_mathml(latex: str, display: bool = True) -> str:
    """One ``<math>`` element for a LaTeX formula."""
    tokens = [t for t in (m.group(0) for m in _TOKEN.finditer(latex))]
    parser = _Parser(tokens)
    body = parser.sequence(stop=())
    mode = ' display="block"' if display else ""
    return f"<math{mode}><mrow>{body}</mrow></math>"


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        while self.pos < len(self.tokens) and self.tokens[self.pos].isspace():
            self.pos += 1
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str | None:
        tok = self.peek()
        if tok is not None:
            self.pos += 1
        return tok

    def sequence(self, stop: tuple) -> str:
        out = []
        while True:
            tok = self.peek()
            if tok is None or tok in stop or tok.startswith(r"\end{"):
                break
            atom = self.atom()
            # scripts attach to the atom before them
            while self.peek() in ("^", "_"):
                sub = sup = None
                for _ in range(2):
                    if self.peek() == "_" and sub is None:
                        self.take()
                        sub = self.argument()
                    elif self.peek() == "^" and sup is None:
                        self.take()
                        sup = self.argument()
                if sub is not None and sup is not None:
                    atom = f"<msubsup>{atom}{sub}{sup}</msubsup>"
                elif sub is not None:
                    atom = f"<msub>{atom}{sub}</msub>"
                else:
                    atom = f"<msup>{atom}{sup}</msup>"
            out.append(atom)
        return "".join(out)

    def argument(self) -> str:
        """A script or command argument: a ``{group}`` or a single token."""
        if self.peek() == "{":
            return self.group()
        return self.atom()

    def group(self) -> str:
        self.take()  # {
        body = self.sequence(stop=("}",))
        self.take()  # }
        return f"<mrow>{body}</mrow>"

    def raw_group(self) -> str:
        """The text of a ``{...}`` group as written (for \\text)."""
        if self.peek() != "{":
            return self.take() or ""
        self.take()
        depth, parts = 1, []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    break
            parts.append(tok)
        return "".join(parts)

    def atom(self) -> str:
        tok = self.take()
        if tok is None:
            return "<mrow></mrow>"
        if tok == "{":
            self.pos -= 1
            return self.group()
        if tok.startswith(r"\begin{"):
            return self.environment(tok[7:-1])
        if tok == r"\frac":
            num, den = self.argument(), self.argument()
            return f"<mfrac>{num}{den}</mfrac>"
        if tok in (r"\text", r"\mathrm", r"\operatorname"):
            return f"<mtext>{escape(self.raw_group())}</mtext>"
        if tok == r"\mathbf":  # MathML Core draws no mathvariant but bold: use the bold letters
            return f"<mrow><mi>{escape(_bold(self.raw_group()))}</mi></mrow>"
        if tok in (r"\left", r"\right"):
            delim = self.take() or ""
            delim = {r"\{": "{", r"\}": "}", ".": ""}.get(delim, delim)
            return f'<mo stretchy="true">{escape(delim)}</mo>' if delim else ""
        if tok in _IDENT:
            return f"<mi>{_IDENT[tok]}</mi>"
        if tok in _OPS:
            return f"<mo>{_OPS[tok]}</mo>"
        if tok in _FUNCS:
            return f"<mi>{tok[1:]}</mi><mo>&#x2061;</mo>"
        if tok in _SPACES:
            return f'<mspace width="{_SPACES[tok]}"/>'
        if tok[0].isdigit():
            return f"<mn>{tok}</mn>"
        if tok[0].isalpha():
            return f"<mi>{escape(tok)}</mi>"
        if tok.startswith("\\"):
            return f"<mtext>{escape(tok)}</mtext>"
        return f"<mo>{'−' if tok == '-' else escape(tok)}</mo>"

    def environment(self, name: str) -> str:
        rows, row, cell = [], [], []
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.startswith(r"\end{"):
                self.take()
                break
            if tok == "&":
                self.take()
                row.append("".join(cell))
                cell = []
            elif tok == r"\\":
                self.take()
                row.append("".join(cell))
                rows.append(row)
                row, cell = [], []
            else:
                cell.append(self.sequence(stop=("&", r"\\")))
        if cell or row:
            row.append("".join(cell))
            rows.append(row)
        align = ' class="aligned" columnalign="right left"' if name in ("aligned", "align", "align*") else ""
        table = "".join("<mtr>" + "".join(f"<mtd>{c}</mtd>" for c in r) + "</mtr>" for r in rows)
        table = f"<mtable{align}>{table}</mtable>"
        if name == "bmatrix":
            return f"<mrow><mo>[</mo>{table}<mo>]</mo></mrow>"
        if name == "pmatrix":
            return f"<mrow><mo>(</mo>{table}<mo>)</mo></mrow>"
        return table


def _bold(text: str) -> str:
    """Mathematical bold letters (U+1D400 …) for A–Z and a–z; other characters as they are."""
    return "".join(
        chr(0x1D400 + ord(c) - 65) if "A" <= c <= "Z" else chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z" else c
        for c in text
    )
