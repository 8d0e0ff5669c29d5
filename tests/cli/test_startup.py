"""The command line loads only what the chosen subcommand needs (issue 12 point 7: check starts fast),
and every subcommand's parser is the same whether built alone or with the others."""

import argparse
import json
import subprocess
import sys

import pytest

from chainrule.cli import COMMANDS, build_parser

from support.paths import ROOT


def _subparser(parser, name):
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_subcommand_built_alone_is_the_one_built_with_the_others(name):
    alone, full = _subparser(build_parser(name), name), _subparser(build_parser(), name)
    assert alone.format_help() == full.format_help()
    assert [(a.option_strings, a.choices and list(a.choices)) for a in alone._actions] == [
        (a.option_strings, a.choices and list(a.choices)) for a in full._actions
    ]


def _modules_after(argv):
    code = (
        "import sys, io, contextlib\nfrom chainrule.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(%r)\n    except SystemExit:\n        pass\n"
        "print(__import__('json').dumps(sorted(sys.modules)))".replace("%r", repr(argv))
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_check_loads_no_other_subcommand_and_no_random_generator():
    sheet = ROOT / "chainrule" / "examples" / "seed1.txt"
    loaded = _modules_after(["check", str(sheet)])
    others = {f"chainrule.cli.{m}" for m in COMMANDS.values()} - {"chainrule.cli.check"}
    assert not loaded & others
    assert "numpy.random" not in loaded  # the seed's weights are given: nothing is drawn
    assert not {
        m
        for m in loaded
        if m.startswith(
            (
                "chainrule.training.loop",
                "chainrule.io.model_file",
                "chainrule.viz",
                "chainrule.web",
                "chainrule.interop",
                "chainrule.data",
            )
        )
    }
    # pathlib (with urllib.parse and ipaddress: ~10 ms) only if the interpreter's own start-up loaded it
    started_with = set(
        json.loads(
            subprocess.run(
                [sys.executable, "-c", "import sys, json; print(json.dumps(sorted(sys.modules)))"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    )
    assert "pathlib" not in loaded - started_with


@pytest.mark.parametrize("sheet", ["seed1", "seed2", "seed3"])
def test_check_of_a_seed_sheet_loads_no_numpy(sheet):
    """A seed sheet is checked on Python floats (the step's formulas and the written-out trainer): NumPy,
    a fifth of a second of start-up, is never imported (the registries load it on first use)."""
    loaded = _modules_after(["check", str(ROOT / "chainrule" / "examples" / f"{sheet}.txt")])
    assert "numpy" not in loaded
    assert "chainrule.core.network" not in loaded and "chainrule.core.constraints" not in loaded


def test_check_of_a_network_file_still_uses_the_engine(tmp_path):
    """A network file is read into the engine's Network (its checks live there), so NumPy is loaded."""
    loaded = _modules_after(
        [
            "check",
            str(ROOT / "chainrule" / "examples" / "seed1.txt"),
            "--network",
            str(ROOT / "chainrule" / "examples" / "net.json"),
        ]
    )
    assert "numpy" in loaded and "chainrule.derivation.step.plain" in loaded


def test_version_and_help_of_one_command_load_no_numpy():
    assert "numpy" not in _modules_after(["--version"])
    assert "numpy" not in _modules_after(["check", "--help"])
