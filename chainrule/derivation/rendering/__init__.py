"""An explanation and its renderings: the lines, the formats (one module each), LaTeX and MathML."""
