"""``chainrule exercise``: a random small network, its questions and the answer key — for one seed, or
one per student of a roster (``--roster students.csv``)."""

from __future__ import annotations

import argparse

from .arguments import whole_number


def _span(text: str) -> tuple[int, int]:
    """``2`` or ``1-3``: a range of whole numbers (lowest, highest)."""
    low, _, high = text.partition("-")
    try:
        span = (int(low), int(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or LOW-HIGH, not {text!r}") from None
    return span


def add_parser(sub) -> None:
    p = sub.add_parser(
        "exercise",
        help="a random exercise for teachers: network file, questions, blank answer sheet, answer key",
        description="Draw a small random network (the same seed gives the same exercise) and write "
        "exercise-N.json (the network file), questions.md, answers.txt (a blank sheet for 'chainrule check') "
        "and answer-key.md (the full explanation) into a folder. With --roster, one such folder per student, "
        "each network drawn from the course seed and the student's id, with index.csv and class.json "
        "for 'chainrule grade'.",
    )
    p.add_argument(
        "--seed", type=whole_number(0), default=0, metavar="N", help="which exercise, or the course's seed (default 0)"
    )
    p.add_argument("--out", metavar="DIR", help="folder to write into (default exercise-N, or class with --roster)")
    p.add_argument(
        "--roster",
        metavar="CSV",
        help="a class list (an id column; name, email, lms_id optional): one exercise per student",
    )
    p.add_argument(
        "--force", action="store_true", help="replace files already in the folder (a filled-in answers.txt!)"
    )
    p.add_argument(
        "--print",
        choices=("questions", "answers", "network", "sheet"),
        dest="show",
        help="print one part instead of writing files",
    )
    lms = p.add_argument_group("with --roster: into the tools a class uses")
    lms.add_argument("--nbgrader", metavar="COURSE_DIR", help="also write an nbgrader source assignment there")
    lms.add_argument("--moodle", metavar="QUIZ.xml", help="also write a Moodle XML quiz (a category per student)")
    lms.add_argument("--assignment", default="backprop", metavar="NAME", help="the nbgrader assignment's name")
    lms.add_argument(
        "--points", metavar="VERDICT=SHARE,...", help="as for 'chainrule grade' (default ok=1,carried=0.5)"
    )
    lms.add_argument("--worth", metavar="NAME=POINTS,...", help="as for 'chainrule grade' (default 1 per question)")
    g = p.add_argument_group("the exercise's shape (default: drawn)")
    g.add_argument("--hidden-layers", type=_span, metavar="N|LOW-HIGH", help="hidden layers, 1 to 3 (default 1-2)")
    g.add_argument("--neurons", type=_span, metavar="N|LOW-HIGH", help="neurons per hidden layer, 1 to 5 (default 2-3)")
    g.add_argument(
        "--activation", metavar="NAME[,NAME]", help="hidden-layer activations to draw from (default sigmoid,tanh,relu)"
    )
    g.add_argument("--loss", metavar="NAME", help="the loss (default drawn: half_sse or cross_entropy with softmax)")
    asked = "what is asked: the forward pass, one update (default), or also values after --updates updates"
    g.add_argument("--ask", choices=("forward", "step", "updates"), default="step", help=asked)
    g.add_argument("--updates", type=whole_number(2), default=2, metavar="N", help="N for --ask updates (default 2)")
    g.add_argument(
        "--decimals", type=whole_number(1), default=9, metavar="N", help="decimal places asked for (default 9)"
    )
    g.add_argument(
        "--notation", default="seed", metavar="BOOK", help="write the names as a book does (nielsen, ng, ...)"
    )
    p.set_defaults(run=run)


def _shape(args):
    from ..derivation.exercises.exercise import Shape

    acts = None if args.activation is None else tuple(a.strip() for a in args.activation.split(",") if a.strip())
    return Shape(
        args.hidden_layers, args.neurons, acts, args.loss, args.ask, args.updates, args.decimals, args.notation
    )


def run(args) -> int:
    if args.roster:
        return _run_class(args)
    from ..api import exercise, save_exercise

    ex = exercise(args.seed, shape=_shape(args))
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


def _run_class(args) -> int:
    from pathlib import Path

    from ..api import exercise_class
    from ..errors import ConfigError
    from ..io.atomic import check_outputs

    if args.show:
        raise ConfigError("--print shows one exercise; leave it out with --roster")
    out = Path(args.out or "class")
    inputs = {"--roster": args.roster, "class.json": out / "class.json", "index.csv": out / "index.csv"}
    check_outputs({"--moodle": args.moodle}, inputs)  # never over the roster or the class, before any work
    exports = args.nbgrader or args.moodle
    if exports and (out / "class.json").exists() and not args.force:
        info = _same_class(out, args)  # the class is there: export it as it is
        print(f"{len(info.students)} exercises already in {out}/ (course seed {info.course_seed})")
    else:
        info = exercise_class(args.roster, out, args.seed, force=args.force, **_shape(args).to_dict())
        n = len(info.students)
        print(
            f"{n} exercises written to {out}/ (course seed {args.seed}): one folder per student, index.csv, class.json"
        )
        print(f"Hand out each student's folder without answer-key.md; mark with 'chainrule grade {out} SUBMISSIONS'")
    _export(info, args)
    return 0


def _same_class(out, args):
    """The class in ``out``, refused (one line) unless it is the one these options would write."""
    from ..classroom.class_folder import same_class
    from ..classroom.roster import read_roster

    return same_class(out, read_roster(args.roster), args.seed, _shape(args))


def _export(info, args) -> None:
    """The nbgrader assignment and the Moodle quiz, where asked for."""
    from ..classroom.grading import Points

    points = Points.parse(args.points, args.worth)
    if args.nbgrader:
        from ..classroom.nbgrader_export import export_nbgrader

        path = export_nbgrader(info, args.nbgrader, args.assignment, points)
        print(f"nbgrader source assignment: {path} (then: nbgrader generate_assignment {args.assignment})")
    if args.moodle:
        from ..classroom.moodle_quiz import write_quiz

        write_quiz(info, args.moodle, points=points)
        print(f"Moodle XML quiz: {args.moodle} (Question bank > Import > Moodle XML format)")
