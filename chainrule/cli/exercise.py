"""``chainrule exercise --seed N``: a random small network, its questions and the answer key."""

from __future__ import annotations

from .arguments import whole_number


def add_parser(sub) -> None:
    p = sub.add_parser(
        "exercise",
        help="a random exercise for teachers: network file, questions, blank answer sheet, answer key",
        description="Draw a small random network (the same seed gives the same exercise) and write "
        "exercise-N.json (the network file), questions.md, answers.txt (a blank sheet for 'chainrule check') "
        "and answer-key.md (the full explanation) into a folder.",
    )
    p.add_argument("--seed", type=whole_number(0), default=0, metavar="N", help="which exercise (default 0)")
    p.add_argument("--out", metavar="DIR", help="folder to write into (default exercise-N)")
    p.add_argument(
        "--force", action="store_true", help="replace files already in the folder (a filled-in answers.txt!)"
    )
    p.add_argument(
        "--print",
        choices=("questions", "answers", "network", "sheet"),
        dest="show",
        help="print one part instead of writing files",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from ..api import exercise, save_exercise

    ex = exercise(args.seed)
    files = ex.files()
    if args.show:
        key = {
            "questions": "questions.md",
            "answers": "answer-key.md",
            "sheet": "answers.txt",
            "network": f"exercise-{ex.seed}.json",
        }[args.show]
        print(files[key], end="")
        return 0
    folder = save_exercise(ex, args.out, force=args.force, option_names={"folder": "--out", "force": "--force"})
    print(f"Exercise {ex.seed} written to {folder}/: " + ", ".join(files))
    print(
        f"Students: fill in {folder / 'answers.txt'} and run "
        f"'chainrule check {folder / 'answers.txt'} --network {folder / f'exercise-{ex.seed}.json'}'"
    )
    return 0
