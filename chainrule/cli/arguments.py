"""Argument types shared by the subcommands: a bad value is one argparse error line (exit 2).

The limits are the library's own (core/constraints.py); these only turn the command line's text
into a value first.
"""

from __future__ import annotations

import argparse


def whole_number(minimum: int):
    """An argparse type accepting whole numbers ≥ ``minimum`` (the constraint ``Whole(minimum)``)."""

    def parse(text: str) -> int:
        from ..core.constraints import Whole  # on use: building the parser stays light
        from ..errors import ConfigError

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        try:
            return Whole(minimum)(value)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = f"whole number ≥ {minimum}"
    return parse


positive_int = whole_number(1)


def one_of(registry) -> dict:
    """``add_argument`` options accepting any name registered in ``registry`` (core/registry.py),
    in any spelling the registry accepts: ``parser.add_argument("--loss", **one_of(LOSSES))``."""
    return {"type": registry.canonical, "choices": list(registry)}
