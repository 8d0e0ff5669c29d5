"""``chainrule check ANSWERS.txt``: a learner's numbers, line by line, against the exact ones."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check an answer sheet ('name = value' lines) against the exact computation",
        description="Check a learner's answer sheet: one 'name = value' per line ('#' comments), names such as "
        "net_h1, dE_total/dw5, w5+, E_total@1, out_o1@10000 (or the third seed's H1, y1_final, Error_w5, "
        "w5_new), a book's (--notation), or expressions of them (eta*dE_total/dw5, 1 - out_o2, Δw5 = w5+ - w5). "
        "A value with two or more significant digits is right when it is the exact value rounded or truncated "
        "to the digits written, give or take one unit of its last digit, or when it is what the sheet's own "
        "earlier lines give (carried, when one of those is wrong); one written shorter is right only if exact, "
        "otherwise 'too few digits to judge'. Exit code 0 when every line is right, 1 when any is not, 2 when "
        "a file cannot be read (or the checker failed on a line).",
    )
    p.add_argument("answers", metavar="ANSWERS", help="the answer sheet (a text file; - for standard input)")
    p.add_argument("--network", metavar="NETWORK", help="the network file the answers are for (default: the seed's)")
    p.add_argument(
        "--batch",
        choices=("sum", "mean"),
        help="one full-batch step on every sample of the file, its error the sum or the mean of "
        'theirs (default: the file\'s "batch", else one sample)',
    )
    p.add_argument(
        "--sample",
        type=int,
        metavar="K",
        help="which sample of the network file (1-based; default 1); in a full-batch step, the sample a name "
        "without [k] means (out_o1 is then out_o1[K])",
    )
    from ..derivation.notation.profiles import PROFILES

    p.add_argument(
        "--notation",
        choices=["auto", *PROFILES],
        default="auto",
        help="the book whose names the sheet uses (default: detected, and said which)",
    )
    rule = p.add_mutually_exclusive_group()
    rule.add_argument(
        "--digits", type=int, metavar="N", help="right when it agrees with the exact value to N significant digits"
    )
    rule.add_argument("--abs", type=float, metavar="X", help="right when within X of the exact value")
    rule.add_argument("--rel", type=float, metavar="X", help="right when within X times |exact| of it")
    p.add_argument(
        "--no-follow-through",
        dest="follow_through",
        action="store_false",
        help="a strict check: judge every line against the exact value only (by default a line wrong there "
        "but right from the sheet's own earlier lines is ok, or 'carried' when one of those is wrong)",
    )
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..api import check

    sheet = _stdin() if args.answers == "-" else _PathArgument(args.answers)
    result = check(
        sheet,
        args.network,
        sample=args.sample,
        notation=args.notation,
        digits=args.digits,
        abs=args.abs,
        rel=args.rel,
        batch=args.batch,
        follow_through=args.follow_through,
    )
    if args.json:
        import json

        print(json.dumps(result.to_dict(), indent=1))
    else:
        print(result.to_text(), end="")
    return 2 if result.failed else 0 if result.ok else 1


class _PathArgument:
    """The sheet's path as typed: an ``os.PathLike``, so a file named ``a=b.txt`` is read as a path,
    never as a sheet's text (a class of three lines, not pathlib: its import is a tenth of check's
    start-up beyond NumPy)."""

    def __init__(self, path: str):
        self.path = path

    def __fspath__(self) -> str:
        return self.path


def _stdin() -> str:
    """The sheet on standard input, within the same size limit as a file's."""
    import sys

    from ..api import MAX_SHEET_BYTES
    from ..errors import FileFormatError

    raw = sys.stdin.buffer.read(MAX_SHEET_BYTES + 1)
    if len(raw) > MAX_SHEET_BYTES:
        raise FileFormatError(f"standard input: more than the limit of {MAX_SHEET_BYTES:,} bytes for an answer sheet")
    try:
        return raw.decode("utf-8-sig") + "\n"  # a newline: the text is the sheet itself, never a path
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"standard input: not UTF-8 text (byte {exc.start}); is it an answer sheet?") from None
