"""The command line: parses arguments, calls the library, maps errors to exit codes.

Each subcommand lives in its own module of this package with two functions:
``add_parser(subparsers)`` and ``run(args) -> int``.  Modules import the heavy parts of the
library inside ``run`` so that ``chainrule --help`` and ``chainrule example`` start fast.

Exit codes: 0 success, 1 a check found wrong answers, 2 bad input (one line on stderr),
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand name -> module in this package
COMMANDS = {
    "example": "example",
    "explain": "explain",
    "check": "check",
    "exercise": "exercise",
    "grade": "grade",
    "diagram": "diagram",
    "plot": "plot",
    "serve": "serve",
    "train": "train",
    "predict": "predict",
    "evaluate": "evaluate",
    "examples": "examples",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2 (with "did you mean" for a misspelt
    subcommand)."""

    def error(self, message: str):
        if "invalid choice" in message and self.prog == "chainrule":
            import difflib

            typed = message.split("invalid choice: ", 1)[1].split(" (choose", 1)[0].strip("'")
            close = difflib.get_close_matches(typed, COMMANDS, n=1)
            message = f"no command {typed!r}" + (
                f"; did you mean {close[0]!r}?" if close else f"; the commands are {', '.join(COMMANDS)}"
            )
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every subcommand, or with ``command`` (a name in COMMANDS) that one
    alone (with ``""`` none), so that running it imports only what its own arguments need (``train``'s choices load the
    registries, and NumPy with them; ``check`` needs none of that).  A subcommand's parser is the
    same either way: ``chainrule check --help`` shows what ``build_parser()`` holds for it."""
    from .. import __version__

    parser = _Parser(
        prog="chainrule",
        description="Train feedforward neural networks by backpropagation and show every number.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        if command in (None, name):
            importlib.import_module(f".{module}", __name__).add_parser(sub)
    return parser


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of subcommand ``name`` inside the command line's parser."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def _refuse_unknown_options(sub: argparse.ArgumentParser, argv: list[str]) -> None:
    """A usage error naming the first option ``sub`` does not know, with the closest one it does.

    argparse would report it from the top-level parser ("chainrule: error: unrecognized
    arguments"), or only that a required option is missing when the unknown one is a misspelling
    of it (``train --lyaers 4,16,3``); this names the subcommand, the option and a likely fix.
    Long options may be abbreviated (argparse's rule), values may be negative numbers, and
    everything after ``--`` is a value.
    """
    import difflib
    import re

    known = [option for action in sub._actions for option in action.option_strings]
    longs = [option for option in known if option.startswith("--")]
    for token in argv:
        if token == "--":
            return
        if not token.startswith("-") or token == "-" or re.fullmatch(r"-\.?\d[\d.e+-]*", token):
            continue
        name = token.split("=", 1)[0]
        if name in known or (not name.startswith("--") and name[:2] in known):
            continue  # a short option may carry its value: -ostep.html
        if name.startswith("--") and any(option.startswith(name) for option in longs):
            continue  # an abbreviation (argparse says whether it is ambiguous)
        close = difflib.get_close_matches(name, longs if name.startswith("--") else known, n=1)
        sub.error(f"unknown option {name}" + (f"; did you mean {close[0]}?" if close else ""))


def main(argv: list[str] | None = None) -> int:
    from ..errors import ChainruleError

    argv = sys.argv[1:] if argv is None else list(argv)
    chosen = argv[0] if argv and argv[0] in COMMANDS else "" if argv == ["--version"] else None
    parser = build_parser(chosen)  # only what the chosen command needs ("": none, for --version)
    if chosen:
        _refuse_unknown_options(_subcommand(parser, chosen), argv[1:])
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    prefix = f"chainrule {args.command}: error:"  # the same prefix as argparse's usage errors
    import warnings

    try:
        with warnings.catch_warnings():  # NumPy's overflow warnings: the library reports non-finite results itself
            warnings.simplefilter("ignore", RuntimeWarning)
            return int(args.run(args) or 0)
    except ChainruleError as exc:
        print(f"{prefix} {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours; entry_point ends quietly
        raise
    except OSError as exc:  # a file that cannot be read or written
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"{prefix} {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            f"{prefix} out of memory; try a smaller network or data set (docs/reliability.md lists the limits)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130


def entry_point() -> None:
    """The ``chainrule`` console script."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `chainrule example | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
