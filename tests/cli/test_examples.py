"""``chainrule examples``: the example files travel with the package and come out of it whole, and a
user's own file of the same name is never replaced without --force."""

import pytest

from chainrule.cli import main
from chainrule.cli.examples import FILES

from support.paths import ROOT

PACKAGED = ROOT / "chainrule" / "examples"


def test_every_packaged_file_is_described_and_every_described_file_is_packaged():
    assert sorted(p.name for p in PACKAGED.iterdir()) == sorted(FILES)


def test_the_files_are_copied_byte_for_byte_and_listed(tmp_path, capsys):
    out = tmp_path / "here"
    assert main(["examples", "--out", str(out)]) == 0
    for name in FILES:
        assert (out / name).read_bytes() == (PACKAGED / name).read_bytes(), name
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed] == [str(out / name) for name in FILES]


def test_the_default_folder_is_examples_and_a_second_run_keeps_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["examples"]) == 0
    before = {name: (tmp_path / "examples" / name).stat().st_mtime_ns for name in FILES}
    capsys.readouterr()
    assert main(["examples"]) == 0  # the same contents: nothing is written again
    assert {name: (tmp_path / "examples" / name).stat().st_mtime_ns for name in FILES} == before
    assert capsys.readouterr().out == f"examples: the {len(FILES)} example files are there already\n"
    (tmp_path / "examples" / "iris.csv").unlink()
    assert main(["examples"]) == 0  # only what is missing
    assert capsys.readouterr().out.split()[0] == "examples/iris.csv"
    assert main(["explain", "examples/net.json", "--only", "w5"]) == 0
    assert "0.358916480" in capsys.readouterr().out


def test_a_changed_file_is_kept_without_force(tmp_path, capsys):
    out = tmp_path / "examples"
    out.mkdir()
    (out / "net.json").write_text("my own network\n")
    assert main(["examples", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "net.json" in err[0] and "--force" in err[0], err
    assert (out / "net.json").read_text() == "my own network\n"
    assert not (out / "iris.csv").exists()  # refused before anything was written
    assert main(["examples", "--out", str(out), "--force"]) == 0
    assert (out / "net.json").read_bytes() == (PACKAGED / "net.json").read_bytes()


@pytest.mark.parametrize("make", ["file", "folder"])
def test_a_bad_out_is_one_line(tmp_path, capsys, make):
    out = tmp_path / "taken"
    if make == "file":
        out.write_text("x")
    else:
        (out / "net.json").mkdir(parents=True)  # a folder where a file would go
    assert main(["examples", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("chainrule examples: error:"), err


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_network_file_given_as_a_model_is_called_a_network_file(command, capsys):
    """The example network file is the likeliest wrong --model: the line says what it is, in words."""
    argv = [command, "--model", str(PACKAGED / "net.json"), "--data", str(PACKAGED / "iris.csv")]
    assert main(argv + (["--target", "species"] if command == "evaluate" else [])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a chainrule model but a network file" in err[0], err
    assert "chainrule train --save" in err[0] and "format is None" not in err[0]
