"""When a written number is right: the rule a teacher marks by.

The default rule reads the digits written.  With u the unit of the last digit written (0.0001 for
``0.5933``):

* a value written with at least two significant digits is right when it equals the exact value
  rounded (half up or half to even) or truncated to those digits, give or take one unit of its last
  digit carried from rounded intermediates — |written − r| ≤ u for r the exact value rounded or
  truncated to u.  ``0.0235600257`` is right for 0.02356002558… (rounded: 0.0235600256, one unit
  carried), ``0.5037`` for 0.503593 (rounded: 0.5036);
* a value written with fewer (``1``, ``0``, ``0.5``, ``0.00``) is right only if it *is* the exact
  value (``0.4`` for a weight that is exactly 0.4, ``1`` for dnet/db); otherwise there are too few
  digits to judge, and the verdict says so;
* where the digits written go past what float64 holds (16 or more significant digits) a value
  within 1e-15 · |exact| is right as well.

A line that misses the exact value may still be right *from the learner's own earlier lines*:
:mod:`check` judges it by this same rule against what those lines give (follow-through).

A teacher may set another rule: ``Rule(digits=N)`` (agree with the exact value to N significant
figures: within one unit of its N-th digit, and at least N digits written), ``Rule(abs=X)``
(|given − exact| ≤ X) or ``Rule(rel=X)`` (|given − exact| ≤ X · |exact|).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from ...errors import ConfigError

OK, WRONG, TOO_FEW_DIGITS = "ok", "wrong", "too_few_digits"
MIN_DIGITS = 2  # fewer significant digits than this can only be judged when exact
FLOAT64_DIGITS = 16  # written digits beyond what a float64 holds
RELATIVE_FLOOR = Decimal("1e-15")  # exactly 10^-15, compared in decimal
# |given − exact| ≤ 1e-12 · max(1, |exact|): the same number, up to float64 rounding (an exact 0 computed as 5.6e-17)
EXACT = 1e-12


MAX_NUMBER_CHARS = 100  # a written number (17 significant digits and an exponent need 25)


def read_number(text: str) -> float:
    """The value of a written number; ValueError (one line: why) when it is not a usable number: not a
    number, longer than ``MAX_NUMBER_CHARS``, infinite, or beyond the range of float64
    (``1e-9999999``: its digits cannot even be counted in ordinary decimal arithmetic)."""
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of more than {MAX_NUMBER_CHARS} characters ({len(text):,})")
    try:
        d = Decimal(text)
    except (ArithmeticError, ValueError):
        raise ValueError(f"{text!r} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if d and not -330 <= d.adjusted() <= 310:
        raise ValueError(f"{text!r} is beyond the range of float64 numbers")
    value = float(d)
    if not math.isfinite(value) or (d and value == 0):
        raise ValueError(f"{text!r} is beyond the range of float64 numbers")
    return value


def significant_digits(text: str) -> int:
    """Significant digits written: ``"0.0500"`` → 3, ``"12"`` → 2, ``"0"`` and ``"0.00"`` → 0."""
    digits = Decimal(text.strip()).as_tuple().digits
    stripped = "".join(map(str, digits)).lstrip("0")
    return len(stripped)


def negated(text: str) -> str:
    """The number ``text`` written with the other sign (``"0.5"`` → ``"-0.5"``, ``"-0.5"`` → ``"0.5"``)."""
    text = text.strip()
    return text[1:] if text.startswith("-") else "-" + text


def is_exact(given: float, exact: float) -> bool:
    return given == exact or abs(given - exact) <= EXACT * max(1.0, abs(exact))


def first_digits(value: float, n: int = 3) -> str:
    """The exact value to ``n`` significant digits, as a hint for a value written too short."""
    if value == 0 or not math.isfinite(value):
        return repr(value)
    return f"{value:.{n}g}" if 1e-4 <= abs(value) < 1e6 else f"{value:.{n - 1}e}"


@dataclass(frozen=True)
class Rule:
    """How close a written value must be; the default reads the digits written (see the module)."""

    digits: int | None = None
    abs: float | None = None
    rel: float | None = None

    def __post_init__(self):
        chosen = [k for k in ("digits", "abs", "rel") if getattr(self, k) is not None]
        if len(chosen) > 1:
            raise ConfigError(f"choose one tolerance rule, not {' and '.join(chosen)}")
        if self.digits is not None and (
            isinstance(self.digits, bool) or not isinstance(self.digits, int) or not 1 <= self.digits <= 17
        ):
            raise ConfigError(f"digits must be a whole number from 1 to 17, not {self.digits!r}")
        for k in ("abs", "rel"):
            v = getattr(self, k)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ConfigError(f"{k} tolerance must be a number of at least 0, not {v!r}")

    def describe(self) -> str:
        if self.digits is not None:
            return f"agree with the exact value to {self.digits} significant digits"
        if self.abs is not None:
            return f"within {self.abs:g} of the exact value"
        if self.rel is not None:
            return f"within {self.rel:g} x |exact| of the exact value"
        return (
            "the exact value rounded or truncated to the digits written, give or take one unit of the last digit "
            "(at least two significant digits, or exact)"
        )

    def verdict(self, text: str, exact: float) -> str:
        """``"ok"``, ``"wrong"`` or ``"too_few_digits"`` for the number ``text`` against ``exact``."""
        return self.judge(Written.read(text), exact)

    def judge(self, w: Written, exact: float) -> str:
        """The verdict on a number already read (the hints judge one reading against many values)."""
        given = w.value
        if not math.isfinite(exact):  # a written number is finite: never right for inf or nan
            return WRONG
        if given == exact:
            return OK
        diff = abs(given - exact)
        if self.abs is not None:
            return OK if diff <= self.abs else WRONG
        if self.rel is not None:
            return OK if diff <= self.rel * abs(exact) else WRONG
        if self.digits is not None:
            if w.digits < self.digits:
                return OK if is_exact(given, exact) else TOO_FEW_DIGITS
            unit = 10.0 ** (math.floor(math.log10(abs(exact))) - self.digits + 1) if exact else w.unit
            return OK if diff <= max(unit, w.unit) * (1 + 1e-9) else WRONG
        if w.digits < MIN_DIGITS:  # judged only when it is the exact value (up to float64 rounding)
            return OK if is_exact(given, exact) else TOO_FEW_DIGITS
        if w.digits >= FLOAT64_DIGITS and abs(w.decimal - Decimal(exact)) <= RELATIVE_FLOOR * abs(Decimal(exact)):
            return OK
        return OK if written_from(w, exact) else WRONG


def written_from(w: Written, exact: float) -> bool:
    """Whether ``w`` is ``exact`` rounded (half up or half to even) or truncated to the digits written,
    give or take one unit u of the last digit: |w − r| ≤ u.  Decimal arithmetic on the float's exact
    value, so that a unit is a unit, not its binary approximation."""
    diff, unit = abs(w.value - exact), w.unit
    if diff <= unit * (1 - 1e-9):  # within one unit of the exact value: within one unit of its rounding too
        return True
    if diff > 2 * unit * (1 + 1e-9):  # every r is within one unit of the exact value
        return False
    written, x = w.decimal, Decimal(exact)
    u = Decimal(1).scaleb(written.as_tuple().exponent)
    with localcontext() as ctx:
        ctx.prec = max(28, x.adjusted() - u.adjusted() + 4)  # every digit of x down to u's, exactly
        ctx.Emin, ctx.Emax = -9999, 9999
        rounded = {x.quantize(u, rounding=mode) for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN)}
        return any(abs(written - r) <= u for r in rounded)


@dataclass(frozen=True)
class Written:
    """A number as written: its value, its significant digits and the unit of its last digit."""

    value: float
    digits: int
    unit: float
    text: str = ""

    @classmethod
    def read(cls, text: str) -> Written:
        d = Decimal(text.strip())
        t = d.as_tuple()
        return cls(
            float(d), len("".join(map(str, t.digits)).lstrip("0")), float(Decimal(1).scaleb(t.exponent)), text.strip()
        )

    @property
    def decimal(self) -> Decimal:
        """The number exactly as written."""
        return Decimal(self.text)

    def scaled(self, k: int) -> Written:
        """The digits with the decimal point moved k places (× 10^k), trailing zeros dropped."""
        return Written.read(format(Decimal(self.text).scaleb(k).normalize(), "f"))

    def negated(self) -> Written:
        return Written(-self.value, self.digits, self.unit, negated(self.text))


DEFAULT = Rule()


def is_close(text: str, exact: float, rule: Rule = DEFAULT) -> bool:
    """True when the written ``text`` is right for ``exact`` under ``rule``."""
    return rule.verdict(text, exact) == OK
