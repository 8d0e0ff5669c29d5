"""``chainrule grade DIR SUBMISSIONS``: every sheet checked against its student's network, a gradebook
and one feedback file per student."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "grade",
        help="mark a class's sheets (a folder or an LMS's ZIP): gradebook.csv, canvas.csv, feedback per student",
        description="Check each student's sheet against the network 'chainrule exercise --roster' gave them "
        "(follow-through included), give points by the scheme, and write gradebook.csv (one row per student: "
        "grade, points, one-line feedback, points per group and per question), canvas.csv (Canvas's gradebook "
        "import) and feedback/ID.md. A file that matches no student, is not a sheet, is empty, or is a second "
        "sheet is reported in the gradebook; the other students are marked.",
    )
    p.add_argument("folder", metavar="DIR", help="the class folder ('chainrule exercise --roster' wrote it)")
    p.add_argument(
        "submissions",
        metavar="SUBMISSIONS",
        help="a folder of sheets named by student id, or a ZIP (Moodle, Canvas, or plain)",
    )
    p.add_argument("--out", metavar="DIR", help="where to write the grades (default DIR/grades)")
    p.add_argument(
        "--points",
        metavar="VERDICT=SHARE,...",
        help="share of a question's worth per verdict (default ok=1,carried=0.5; others 0)",
    )
    p.add_argument(
        "--worth",
        metavar="NAME=POINTS,...",
        help="points a question or group is worth (default 1 each): deltas=2,E_total=3",
    )
    p.add_argument(
        "--assignment", default="Backpropagation", metavar="NAME", help="the assignment's column in canvas.csv"
    )
    rule = p.add_mutually_exclusive_group()
    rule.add_argument("--digits", type=int, metavar="N", help="right when it agrees to N significant digits")
    rule.add_argument("--abs", type=float, metavar="X", help="right when within X")
    rule.add_argument("--rel", type=float, metavar="X", help="right when within X times |exact|")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..api import grade
    from ..classroom.gradebook import grades_folder
    from ..classroom.grading import Points

    points = Points.parse(args.points, args.worth)
    rows = grade(
        args.folder,
        args.submissions,
        args.out,
        points=points,
        digits=args.digits,
        abs=args.abs,
        rel=args.rel,
        assignment=args.assignment,
    )
    graded = [r.percent for r in rows if r.graded]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    mean = f"; mean grade {sum(graded) / len(graded):.1f}%" if graded else ""
    print(f"{len(rows)} rows: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + mean)
    for r in rows:
        if not r.graded or r.status != "marked":
            print(f"  {r.id}: {r.status}: {r.note}")
    out = grades_folder(args.folder, args.submissions, args.out)  # where grade wrote them
    print(f"Written: {out / 'gradebook.csv'}, {out / 'canvas.csv'}, {out / 'feedback'}/")
    return 0
