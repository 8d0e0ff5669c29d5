"""Argument types shared by the subcommands: a bad value is one argparse error line (exit 2).

The limits are the library's own (core/constraints.py); these only turn the command line's text
into a value first.
"""

from __future__ import annotations

import argparse


def whole_number(minimum: int, name: str | None = None):
    """An argparse type accepting whole numbers ≥ ``minimum`` (the constraint ``Whole(minimum)``) and,
    with ``name``, within that parameter's entry in core/constraints.py (``--epochs``: at most 1,000,000)."""

    def parse(text: str) -> int:
        from ..core.constraints import CONSTRAINTS, Whole  # on use: building the parser stays light
        from ..errors import ConfigError

        if len(text) > 100:  # int() refuses more than 4,300 digits with a traceback's ValueError
            raise argparse.ArgumentTypeError(
                f"not a whole number of a usable size: {text[:20]!r}... ({len(text):,} characters)"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        try:
            value = Whole(minimum)(value)
            return value if name is None else CONSTRAINTS[name](value)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = f"whole number ≥ {minimum}"
    return parse


positive_int = whole_number(1)


def parameter(name: str):
    """An argparse type for the library parameter ``name``: the text read as a number, then checked
    against ``name``'s entry in core/constraints.py, so the command line accepts what the library does."""

    def parse(text: str):
        from ..core.constraints import CONSTRAINTS
        from ..errors import ConfigError

        if len(text) > 100:  # int() refuses more than 4,300 digits with a traceback's ValueError
            raise argparse.ArgumentTypeError(
                f"not a number of a usable size: {text[:20]!r}... ({len(text):,} characters)"
            )
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        try:
            return CONSTRAINTS[name](value)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = name.replace("_", " ")
    return parse


def one_of(registry) -> dict:
    """``add_argument`` options accepting any name registered in ``registry`` (core/registry.py),
    in any spelling the registry accepts: ``parser.add_argument("--loss", **one_of(LOSSES))``."""
    return {"type": registry.canonical, "choices": list(registry)}
