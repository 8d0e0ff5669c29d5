"""An unknown option is named with its subcommand and the closest option it has, in one line (exit
2), before argparse would blame the top-level command or only report a missing required option."""

import pytest

from chainrule.cli import main

CASES = [  # (argv, the line's end)
    (["example", "--iteratons", "5"], "unknown option --iteratons; did you mean --iterations?"),
    (["train", "--lyaers", "4,16,3"], "unknown option --lyaers; did you mean --layers?"),
    (
        ["train", "--data", "xor", "--layers", "2,3,1", "--learnig-rate=0.1"],
        "unknown option --learnig-rate; did you mean --learning-rate?",
    ),
    (["explain", "--formt", "html"], "unknown option --formt; did you mean --format?"),
    (["check", "answers.txt", "--zzzzzz"], "unknown option --zzzzzz"),
]


@pytest.mark.parametrize("argv, end", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_an_unknown_option_is_named_with_its_subcommand(argv, end, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"chainrule {argv[0]}: error: "), lines[0]
    assert f"{end} (see 'chainrule {argv[0]} --help')" in lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--data", "xor", "--layer", "2,3,1", "--epochs", "1", "-q"],  # an abbreviation
        ["train", "--data", "xor", "--layers", "2,3,1", "--epochs=1", "--quiet", "--lr", "0.5"],
        ["explain", "-fjson", "--only=w5"],  # a short option with its value attached
        ["example", "--iterations", "3"],
    ],
)
def test_known_options_in_every_form_still_run(argv, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().err == ""


def test_a_negative_number_is_a_value_not_an_option(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--data", "xor", "--layers", "2,3,1", "--l2", "-0.5"])
    err = capsys.readouterr().err
    assert "unknown option" not in err and "not -0.5" in err, err
