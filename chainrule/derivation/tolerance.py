"""When a written number is right: the rule a teacher grades by."""

from __future__ import annotations

from decimal import Decimal

RELATIVE_TOLERANCE = 1e-8


def last_place(text: str) -> float:
    """One unit in the last decimal place written: ``"0.05"`` → 0.01, ``"3.51e-05"`` → 1e-7."""
    return float(Decimal(1).scaleb(Decimal(text).as_tuple().exponent))


def is_close(text: str, exact: float) -> bool:
    """The sheet's rule: right when |given − exact| ≤ max(last place written, 1e-8 · |exact|)."""
    return abs(float(Decimal(text)) - exact) <= max(last_place(text), RELATIVE_TOLERANCE * abs(exact))
