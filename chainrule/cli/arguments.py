"""Argument types shared by the subcommands: a bad value is one argparse error line (exit 2)."""

from __future__ import annotations

import argparse


def whole_number(minimum: int):
    """An argparse type accepting whole numbers ≥ ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = f"whole number ≥ {minimum}"
    return parse


positive_int = whole_number(1)


def one_of(registry) -> dict:
    """``add_argument`` options accepting any name registered in ``registry`` (core/registry.py),
    in any spelling the registry accepts: ``parser.add_argument("--loss", **one_of(LOSSES))``."""
    return {"type": registry.canonical, "choices": list(registry)}
