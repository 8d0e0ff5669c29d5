"""The Python API, plain functions: ``chainrule.explain(...)``, ``chainrule.check(...)``, ``chainrule.exercise(...)``.

It sits at the top of the package because it joins layers: a network may come from a file (io)
and is then explained or checked (explain).

A network may be given as a ``chainrule.Network`` (with ``x``, ``target`` and
``learning_rate``), as a network file's path or contents (a dict), or left out for the seed.
"""

from __future__ import annotations

import os

from .errors import ConfigError, FileFormatError

MAX_SHEET_BYTES = (
    1 << 20
)  # 1 MiB: about 65,000 lines, each checked in about 1.5 ms (a 16 MiB sheet ran over 10 minutes)


MAX_EXPLAIN_PARAMETERS = 250_000  # a step is traced scalar by scalar: about 3 KB and 0.1 ms per parameter


def _explainable(sizes) -> None:
    from .core.constraints import n_parameters

    n = n_parameters(sizes)
    if n > MAX_EXPLAIN_PARAMETERS:
        raise ConfigError(
            f"a network of {n:,} parameters is too large to explain or check step by step "
            f"(the limit is {MAX_EXPLAIN_PARAMETERS:,}: each is traced scalar by scalar; "
            "--only and --neuron narrow what is shown, not what is computed)"
        )


def load_problem(network=None, x=None, target=None, learning_rate=None):
    """(network, inputs, targets, learning rate, source) from any of the accepted forms."""
    from .core.network import Network

    if network is None:
        from . import seed

        return (
            seed.seed_network(),
            seed.INPUT,
            seed.TARGET,
            seed.LEARNING_RATE if learning_rate is None else learning_rate,
            "the seed network",
        )
    if not isinstance(network, Network) and isinstance(getattr(network, "network_", None), Network):
        network = network.network_  # a fitted scikit-learn-style estimator: the network it holds
    if isinstance(network, Network):
        if x is None or target is None:
            raise ConfigError("explaining a Network needs x= and target= (one training sample)")
        return network, x, target, 0.5 if learning_rate is None else learning_rate, repr(network)
    from .io import network_file

    if isinstance(network, network_file.NetworkFile):
        nf = network
    elif isinstance(network, dict):
        nf = network_file.network_from_dict(network, check_sizes=_explainable)
    elif isinstance(network, (str, os.PathLike)):
        nf = network_file.read_network_file(network, check_sizes=_explainable)
    else:
        raise ConfigError(f"a network is a Network, a network file's path or a dict, not {type(network).__name__}")
    return (
        nf.network,
        nf.inputs if x is None else x,
        nf.targets if target is None else target,
        nf.learning_rate if learning_rate is None else learning_rate,
        nf.source,
    )


def _one_sample(network, x, target, sample):
    xs = network.as_inputs(x)
    ts = network.as_targets(target, len(xs))
    n = len(xs)
    if sample is None:
        sample = 1
    if isinstance(sample, bool) or not isinstance(sample, int) or not 1 <= sample <= n:
        raise ConfigError(
            f"there is no sample {sample!r}: the network file gives {n} sample{'s' if n != 1 else ''}"
            + (f" (1 to {n})" if n > 1 else "")
        )
    return xs[sample - 1 : sample], ts[sample - 1 : sample], sample, n


def _read_once(network):
    """A network file's path (read once: a pipe or ``<(cmd)`` cannot be read twice) or contents (a dict)
    as a NetworkFile; anything else as given."""
    if isinstance(network, (str, os.PathLike)):
        from .io import network_file

        return network_file.read_network_file(network, check_sizes=_explainable)
    if isinstance(network, dict):
        from .io import network_file

        return network_file.network_from_dict(network, check_sizes=_explainable)
    return network


def _batch_named(network, batch):
    """The full-batch convention: as asked, or as the network file names it (``"batch": "sum"``).
    ``network`` has been through :func:`_read_once`, so a file is never read a second time here."""
    if batch is not None:
        return batch
    spec = getattr(network, "spec", None)  # a NetworkFile's contents
    return spec.get("batch") if isinstance(spec, dict) else None


def _trace(net, xs, ts, lr, sample, batch):
    from .derivation.step.trace import trace_batch, trace_step

    if batch is not None:
        if sample is not None:
            raise ConfigError("a full-batch step uses every sample; leave out --sample")
        return trace_batch(net, xs, ts, lr, batch), 1, len(xs)
    x1, t1, k, n = _one_sample(net, xs, ts, sample)
    return trace_step(net, x1, t1, lr), k, n


def explain(
    network=None,
    format: str | None = None,
    only=None,
    *,
    sample: int | None = None,
    detail: str = "auto",
    x=None,
    target=None,
    learning_rate=None,
    notation: str | dict | None = None,
    batch: str | None = None,
):
    """One training step of a network, written out like the worked example (``chainrule explain``).

    Parameters
    ----------
    network : str, os.PathLike, dict, Network or estimator, optional
        A network file's path or contents, a `Network` (or estimator) with ``x`` and ``target``, or None (the seed).
    format : {"text", "markdown", "html", "latex", "json"}, optional
        Return that rendering (a str) instead of the `Explanation`.
    only, sample, detail, x, target, learning_rate, notation, batch
        ``chainrule explain``'s options: only what some names need (``"w5"``, a neuron ``"h12"``), a
        file's sample (1-based), ``"full"`` or ``"summary"``, a `Network`'s sample and η, a book's
        names (``"nielsen"``, ...), a full batch (``"sum"`` or ``"mean"`` of the samples').

    Returns
    -------
    Explanation or str
        ``values`` (every name → its number) and ``to_text()``, ``to_markdown()``, ``to_html()``, ...

    Raises
    ------
    FileFormatError, ConfigError
        A malformed file; an unknown format, notation or name, or over 250,000 parameters.

    Examples
    --------
    >>> round(chainrule.explain(only="w5").values["w5+"], 9)  # the seed network
    0.35891648
    """
    from .derivation.rendering.explanation import Explanation

    hint_wanted = isinstance(network, (str, os.PathLike))
    network = _read_once(network)
    net, xs, ts, lr, source = load_problem(network, x, target, learning_rate)
    trace, k, n = _trace(net, xs, ts, lr, sample, _batch_named(network, batch))
    hint = source if hint_wanted else None
    exp = Explanation(
        trace,
        only=only,
        detail=detail,
        sample=k,
        n_samples=n,
        source=source,
        file_hint=hint,
        notation=notation,
        drawn_seed=getattr(network, "drawn_seed", None),
    )
    return exp if format is None else exp.render(format)


explain_network = explain  # the name this function had before ``chainrule.explain`` became one


def check(
    sheet,
    network=None,
    *,
    sample: int | None = None,
    notation: str | dict | None = None,
    digits: int | None = None,
    abs: float | None = None,
    rel: float | None = None,
    x=None,
    target=None,
    learning_rate=None,
    batch: str | None = None,
    follow_through: bool = True,
):
    """Check an answer sheet against one training step of ``network``, line by line.

    Parameters
    ----------
    sheet : str or os.PathLike
        The sheet's text (``name = value`` lines), or a path to it.
    network : optional
        A network file's path or contents (a dict), a ``Network`` (with ``x=``, ``target=``), or None
        for the seed's 2-2-2 network.
    sample : int, optional
        Which sample of the file (1-based); in a full-batch step, what a name without ``[k]`` means.
    notation : str or dict, optional
        A book's names (``"han-kamber"``, ``"nielsen"``, ...) or a table of one's own; default: detected.
    digits, abs, rel : optional
        Another rule (at most one): N significant digits, within X, within X · |exact|; default: the
        exact value rounded or truncated to the digits written, give or take one unit.
    x, target, learning_rate, batch : optional
        The sample and learning rate, for a ``Network`` (or to replace a file's); ``batch="sum"`` or
        ``"mean"``: one full-batch step on every sample (default: the file's ``"batch"``).
    follow_through : bool, default True
        Also judge a line by what the learner's earlier lines give (``"carried"`` when one is wrong).

    Returns
    -------
    CheckResult
        Each line's ``Verdict`` (``kind``: ``"ok"``, ``"carried"``, ``"wrong"``, ``"too_few_digits"``,
        ``"unknown"``, ``"unreadable"``, ``"error"``); ``ok``, ``count()``, ``to_text()``, ``to_dict()``.

    Raises
    ------
    FileFormatError, ConfigError
        An unreadable sheet or none of its lines ``name = value``; a bad option (two rules, no such sample).

    Examples
    --------
    >>> import chainrule
    >>> [v.kind for v in chainrule.check("net_h1 = 0.3775\\nout_h1 = 0.5933\\nout_h1 = 0.6\\n").verdicts]
    ['ok', 'ok', 'too_few_digits']
    """
    from .derivation.checking.check import check_answers
    from .derivation.checking.tolerance import Rule

    rule, (answers, source) = Rule(digits=digits, abs=abs, rel=rel), _answers(sheet)
    trace, run, k = _checked_step(network, x, target, learning_rate, sample, batch)
    return check_answers(answers, trace, run, source, rule, notation, follow_through, k)


def _answers(sheet):
    """(the sheet's ``name = value`` lines, where it came from); one FileFormatError line for a sheet
    with none (saying so when its lines are there but not answered yet)."""
    from .derivation.checking.check import parse_sheet

    sheet, source = _sheet_text(sheet)
    answers = parse_sheet(sheet)
    if not answers:
        blank = sum(1 for line in sheet.splitlines() if "=" in line.split("#", 1)[0])
        lines = f"its {blank} 'name =' lines have" if blank != 1 else "its 'name =' line has"
        raise FileFormatError(
            f"{source}: no 'name = value' lines to check"
            + (f" (no answers yet: {lines} nothing after the '=')" if blank else "")
        )
    return answers, source


def _sheet_text(sheet) -> tuple[str, str]:
    """A sheet's text and where it came from: the text itself, or a path's contents (within the limit)."""
    if isinstance(sheet, os.PathLike) or (isinstance(sheet, str) and "=" not in sheet and "\n" not in sheet):
        path = os.fspath(sheet)  # a path (os, not pathlib: check's start-up is counted in milliseconds)
        from .io.bounded_read import read_text

        return read_text(path, MAX_SHEET_BYTES, "answer sheet"), str(path)
    if not isinstance(sheet, str):
        raise ConfigError("an answer sheet is its text or a path to it")
    return sheet, "<sheet>"


def _checked_step(network, x, target, learning_rate, sample, batch):
    """(the step's trace, the run its values after N updates belong to, the batch's sample to read names
    without [k] as, or None).  A small network on one sample is traced on Python floats; the seed's, with
    no NumPy at all."""
    from .derivation.step.after_updates import Run
    from .derivation.step.plain import PlainNetwork
    from .derivation.step.trace import trace_scalar

    if network is None and batch is None:
        from . import seed

        lr = seed.LEARNING_RATE if learning_rate is None else _learning_rate(learning_rate)
        plain = PlainNetwork.from_spec(seed.SPEC)
        return trace_scalar(plain, seed.INPUT, seed.TARGET, lr), Run(plain, seed.INPUT, seed.TARGET, lr), None
    network = _read_once(network)
    net, xs, ts, lr, _ = load_problem(network, x, target, learning_rate)
    batch = _batch_named(network, batch)
    if batch is not None:
        trace, _, n = _trace(net, xs, ts, lr, None, batch)
        if sample is not None:
            _one_sample(net, xs, ts, sample)  # one ConfigError line for a sample the file does not have
        return trace, Run(net, xs, ts, trace.learning_rate, batch), sample
    x1, t1, _, _ = _one_sample(net, xs, ts, sample)
    import numpy as np

    plain = PlainNetwork.from_network(net) if net.dtype == np.float64 else None
    if plain is not None and plain.written_out():
        lr, x1, t1 = _learning_rate(lr), x1[0].tolist(), t1[0].tolist()
        return trace_scalar(plain, x1, t1, lr), Run(plain, x1, t1, lr), None
    trace, _, _ = _trace(net, x1, t1, lr, None, None)
    return trace, Run(net, x1, t1, trace.learning_rate), None


def _learning_rate(value) -> float:
    from .core.constraints import CONSTRAINTS

    return float(CONSTRAINTS["learning_rate"](value))


def exercise(seed: int = 0, **options):
    """A random small exercise for a class: a network file, its questions, a blank sheet, the key.

    The network has 1 or 2 hidden layers of 2 or 3 neurons, weights with two decimals, and one
    sample; the same seed always gives the same exercise, bit for bit (``chainrule exercise``).

    Parameters
    ----------
    seed : int, default 0
        Which exercise: a whole number of at least 0.
    **options
        ``hidden_layers`` (1 or 2) and ``activation`` (any hidden-layer activation), to choose
        instead of drawing; ``shape`` (a ``chainrule.derivation.exercises.exercise.Shape``: ranges of
        hidden layers and neurons, activations, loss, what is asked, decimals, notation).

    Returns
    -------
    Exercise
        ``spec`` (the network file's contents), ``questions`` (Markdown), ``sheet`` (a blank
        answer sheet for `check`), ``answers`` (the answer key) and ``files()`` (name → contents).

    Raises
    ------
    ConfigError
        A seed that is not a whole number of at least 0, or an option out of range.

    Examples
    --------
    >>> import chainrule
    >>> ex = chainrule.exercise(7)
    >>> sorted(ex.files())
    ['answer-key.md', 'answers.txt', 'exercise-7.json', 'questions.md']
    >>> chainrule.check(ex.sheet.replace(" = ", " = 1", 1), network=ex.spec).ok
    False
    """
    from .derivation.exercises.exercise import make_exercise

    return make_exercise(seed, **options)


def save_exercise(exercise, folder=None, *, force: bool = False, option_names=None):
    """Write an exercise's files (``Exercise.files``) into ``folder``; the folder.

    Nothing is replaced without ``force``: a folder already holding one of the files (a student's
    filled-in ``answers.txt``?) is refused, and every file is checked before any is written.

    Parameters
    ----------
    exercise : Exercise
        What `exercise` returns.
    folder : str or os.PathLike, optional
        Where to write (created if missing); default ``exercise-N`` for seed N.
    force : bool, default False
        Replace files already there.
    option_names : dict, optional
        How the error messages spell the options (``{"folder": "--out", "force": "--force"}``).

    Raises
    ------
    ConfigError
        The folder holds one of the files and ``force`` is not given.
    OutputError
        The folder or a file cannot be written.
    """
    from pathlib import Path

    from .io.atomic import check_output, check_output_folder, write_text

    names = {"folder": "folder", "force": "force=True", **(option_names or {})}
    files = exercise.files()
    folder = Path(folder or f"exercise-{exercise.seed}")
    check_output_folder(folder, names["folder"])
    there = [name for name in files if (folder / name).exists() or (folder / name).is_symlink()]
    if there and not force:
        raise ConfigError(
            f"{folder} already holds {', '.join(there)}; not replacing them (a student's answers?) "
            f"without {names['force']}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        check_output(folder / name)
    for name, text in files.items():
        write_text(folder / name, text)
    return folder


def exercise_class(roster, out, seed: int = 0, *, force: bool = False, **shape):
    """One exercise per student of a roster, reproducible from the course seed and each id (``chainrule
    exercise --roster``).

    Parameters
    ----------
    roster : str, os.PathLike or list of Student
        A roster CSV file (an ``id`` column; ``name``, ``email``, ``lms_id`` optional), or its students.
    out : str or os.PathLike
        The class's folder: ``ID/`` per student (network.json, questions.md, answers.txt,
        answer-key.md), ``index.csv`` and ``class.json``.
    seed : int, default 0
        The course's seed.
    force : bool, default False
        Replace files already there.
    **shape
        The exercise's options (``chainrule.derivation.exercises.exercise.Shape``):
        ``hidden_layers`` and ``neurons`` (ranges), ``activations``, ``loss``, ``quantities``
        (``"forward"``, ``"step"``, ``"updates"``), ``updates``, ``decimals``, ``notation``.

    Returns
    -------
    ClassInfo
        The course seed, the options, the students and each one's questions.

    Raises
    ------
    FileFormatError, ConfigError, OutputError
        A roster that cannot be read; a bad option or a folder already holding the files; a path
        that cannot be written.

    Examples
    --------
    >>> import chainrule, tempfile
    >>> from chainrule.classroom.roster import Student
    >>> info = chainrule.exercise_class([Student("s1"), Student("s2")], tempfile.mkdtemp(), seed=7)
    >>> sorted(info.asked) == ["s1", "s2"]
    True
    """
    from .classroom.class_folder import write_class
    from .classroom.roster import read_roster
    from .derivation.exercises.exercise import Shape

    students = read_roster(roster) if isinstance(roster, (str, os.PathLike)) else list(roster)
    ranges = {k: tuple(v) if isinstance(v, list) else v for k, v in shape.items()}
    return write_class(students, out, seed, Shape(**ranges), force=force)


def grade(
    class_folder, submissions, out=None, *, points=None, digits=None, abs=None, rel=None, assignment="Backpropagation"
):
    """Mark a class's sheets, each against its student's network (``chainrule grade``).

    Parameters
    ----------
    class_folder : str or os.PathLike
        What ``exercise_class`` wrote.
    submissions : str or os.PathLike
        A folder of sheets named by student id (``ID.txt`` or ``ID/answers.txt``), or a ZIP of them
        or as Moodle or Canvas exports an assignment's submissions.
    out : str, os.PathLike or False, optional
        Where to write ``gradebook.csv``, ``canvas.csv`` and ``feedback/ID.md`` (default
        ``CLASS_FOLDER/grades``); ``False``: nothing is written.
    points : Points, optional
        The points scheme (default: ok 1, carried ½, the rest 0; each question worth 1).
    digits, abs, rel : optional
        Another marking rule, as in ``check``.
    assignment : str, default "Backpropagation"
        The assignment's column in ``canvas.csv``.

    Returns
    -------
    list of StudentMark
        One per student in the roster's order (``status``, ``percent``, ``questions``, ``result``),
        then one per file no student matches.

    Raises
    ------
    FileFormatError, ConfigError, OutputError
        Not a class folder; submissions that are neither a folder nor a ZIP; an output over an input.

    Examples
    --------
    >>> import chainrule, pathlib, tempfile
    >>> from chainrule.classroom.roster import Student
    >>> here = pathlib.Path(tempfile.mkdtemp())
    >>> info = chainrule.exercise_class([Student("s1"), Student("s2")], here / "class", seed=3)
    >>> (here / "sheets").mkdir()
    >>> _ = (here / "sheets" / "s1.txt").write_text("E_total = 0.5\\n")
    >>> [(row.id, row.status) for row in chainrule.grade(here / "class", here / "sheets", out=False)]
    [('s1', 'marked'), ('s2', 'no submission')]
    """
    from .classroom.class_folder import read_class
    from .classroom.gradebook import grades_folder, write_grades
    from .classroom.grading import mark_class
    from .classroom.submissions import collect
    from .derivation.checking.tolerance import Rule

    rule, info = Rule(digits=digits, abs=abs, rel=rel), read_class(class_folder)
    out = grades_folder(class_folder, submissions, out)
    rows = mark_class(info, collect(submissions, info.students), points, rule)
    if out is not False:
        inputs = {"SUBMISSIONS": submissions, "class.json": os.path.join(class_folder, "class.json")}
        write_grades(rows, out, assignment, inputs)
    return rows


def diagram(network=None, output="-", *, step: bool = False, title: str = "", option: str = ""):
    """Draw ``network`` like the seed's figures and write it to ``output`` (.svg or .png); the network.

    Parameters
    ----------
    network : str, os.PathLike or None
        A network file (JSON or TOML), or None for the seed's 2-2-2 network.
    output : str or os.PathLike, default "-"
        The picture: ``.svg`` or ``.png`` (matplotlib); ``-`` writes SVG to standard output.
    step : bool, default False
        Annotate one training step on the network's first sample: net, out, delta and dE/dw.
    title : str, default ""
        A title above the drawing.
    option : str, default ""
        How error messages name the output (``--output`` on the command line).

    Raises
    ------
    ConfigError
        Not .svg or .png, or a layer too large to draw.
    """
    from pathlib import Path

    from .io.atomic import check_outputs, is_stdout, write_bytes, write_text
    from .viz.diagram import layout, to_png, to_svg

    kind = ".svg" if is_stdout(output) else Path(output).suffix.lower()
    if kind not in (".svg", ".png"):
        raise ConfigError(f"cannot draw a diagram as {kind or 'a file without extension'}; use .svg or .png")
    check_outputs({option or "output": output}, {"network": network})
    net, xs, ts, lr = _drawable_network(network)
    values = None
    if step:
        from .derivation.step.trace import trace_step

        values = trace_step(net, xs[0], ts[0], lr).values
    drawing = layout(net, values, title)
    if kind == ".svg":
        write_text(output, to_svg(drawing))
    else:
        write_bytes(output, to_png(drawing))
    return net


def _drawable_network(path):
    """(network, inputs, targets, learning rate) from a network file, or the seed's; a layer too
    large to draw is refused before the network is built."""
    if path is None:
        from . import seed

        return seed.seed_network(), [seed.INPUT], [seed.TARGET], seed.LEARNING_RATE
    from .io.network_file import read_network_file
    from .viz.diagram import check_drawable

    nf = read_network_file(path, check_sizes=check_drawable)
    return nf.network, nf.inputs, nf.targets, nf.learning_rate
