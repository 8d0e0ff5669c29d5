"""How numbers are written: computed values to 9 decimal places like the seed, givens as typed."""

from __future__ import annotations

import math

LARGE = 1e15  # from here on a number is written with an exponent (float64 holds ~16 digits)


def fmt(value: float, given: bool = False) -> str:
    """``0.593269992`` for a computed value; ``0.15`` for a given one.

    Computed values get 9 decimal places, or 6 significant digits where that needs more
    (``0.0000351019``), so that small errors and gradients keep their digits; a value that is
    short in 9 places (``0.3775``) loses its trailing zeros.
    """
    if not math.isfinite(value):
        return str(value)
    if given:  # as typed: 0.15, not 0.150000000 (a long drawn value is written like a computed one)
        text = repr(float(value))
        text = text[:-2] if text.endswith(".0") else text
        if len(text.lstrip("-")) <= 12 and ("e" not in text or abs(value) >= LARGE):
            return text
    if value == 0:
        return "0"
    if abs(value) >= LARGE:  # 1e+308 would be 309 digits in fixed point
        return f"{value:.9e}"
    decimals = max(9, 5 - math.floor(math.log10(abs(value))))
    if decimals > 30:
        return f"{value:.6e}"
    text = f"{value:.{decimals}f}"
    if text.endswith("000"):  # an exact short value such as 0.3775: write it as such
        text = text.rstrip("0").rstrip(".")
    return text
