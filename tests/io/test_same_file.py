"""Issue 25: an output written over an input (or over another output) is refused before any work.

On the old code each of these exited 0 and destroyed a file: ``train --data d.csv --history d.csv``
replaced the training data, ``--save m.json --history ./m.json`` lost the model (the check compared
strings), ``predict -o`` over ``--model``, ``explain -o`` over the network file, ``serve --export``
over its input, and ``--save`` through a symbolic link to the data replaced the data.
"""

import os
import shutil

import pytest

from chainrule.cli import main
from chainrule.errors import ConfigError
from chainrule.io.atomic import check_outputs
from chainrule.io.run import TrainingRun

from support.paths import ROOT

TRAIN = ["train", "--target", "species", "--layers", "4,3,3", "--epochs", "1", "-q"]


@pytest.fixture
def files(tmp_path, monkeypatch):
    """d.csv (data), n.json and n.svg (network files), m.json (a model), h.json (a history) in the working folder."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "chainrule" / "examples" / "iris.csv", "d.csv")
    shutil.copy(ROOT / "chainrule" / "examples" / "net.json", "n.json")
    shutil.copy(ROOT / "chainrule" / "examples" / "net.json", "n.svg")  # a network file by another name
    assert main([*TRAIN, "--data", "d.csv", "--save", "m.json", "--history", "h.json"]) == 0
    return tmp_path


def _snapshot(folder):
    return {p.name: (p.read_bytes() if p.is_file() else None, os.path.islink(p)) for p in folder.iterdir()}


CASES = {
    "train --history over --data": [*TRAIN, "--data", "d.csv", "--history", "d.csv"],
    "train --history ./ over --data": [*TRAIN, "--data", "d.csv", "--history", "./d.csv"],
    "train --save over --history, spelt ./": [*TRAIN, "--data", "d.csv", "--save", "x.json", "--history", "./x.json"],
    "train --save through a link to --data": [*TRAIN, "--data", "d.csv", "--save", "link.json"],
    "predict -o over --model": ["predict", "--model", "m.json", "--data", "d.csv", "-o", "m.json"],
    "predict -o over --data": ["predict", "--model", "m.json", "--data", "d.csv", "-o", "./d.csv"],
    "explain -o over the network file": ["explain", "n.json", "-o", "n.json"],
    "diagram -o over the network file": ["diagram", "n.svg", "-o", "./n.svg"],
    "serve --export over the network file": ["serve", "n.json", "--export", "n.json"],
    "plot -o over the history": ["plot", "h.json", "-o", "h.json"],
}


@pytest.mark.parametrize("case", CASES)
def test_an_output_over_an_input_is_refused_and_every_file_kept(case, files, capsys):
    os.symlink("d.csv", "link.json")
    before = _snapshot(files)
    assert main(CASES[case]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and ("destroy that input" in err or "both name" in err), err
    assert _snapshot(files) == before  # nothing written, nothing replaced


def test_a_hard_link_and_a_symbolic_link_are_the_file_they_name(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b\n1,2\n")
    os.link(data, tmp_path / "hard.csv")
    os.symlink(data, tmp_path / "soft.csv")
    for spelling in ("hard.csv", "soft.csv", "./d.csv", "../" + tmp_path.name + "/d.csv"):
        with pytest.raises(ConfigError, match="destroy that input"):
            check_outputs({"-o": tmp_path / spelling}, {"--data": data})


def test_two_outputs_that_are_not_yet_files_are_compared_by_where_they_would_be(tmp_path):
    os.symlink(tmp_path / "new.json", tmp_path / "link.json")  # dangling: both create new.json
    with pytest.raises(ConfigError, match="both name"):
        check_outputs({"--save": tmp_path / "new.json", "--history": tmp_path / "link.json"})
    check_outputs({"--save": tmp_path / "a.json", "--history": tmp_path / "b.json"})  # different: accepted


def test_devices_standard_output_and_data_set_names_are_not_files_to_protect(tmp_path):
    check_outputs({"-o": "-", "--history": "/dev/null"}, {"--data": "/dev/null", "--model": "iris"})
    check_outputs({"-o": tmp_path / "iris"}, {"--data": "iris"})  # the built-in data set, not a file


def test_the_python_run_refuses_the_same_before_reading_the_data(tmp_path):
    data = tmp_path / "d.csv"
    shutil.copy(ROOT / "chainrule" / "examples" / "iris.csv", data)
    run = TrainingRun(data, [4, 3, 3], target="species", epochs=1)
    with pytest.raises(ConfigError, match=r"^history .*d\.csv is the file data .*d\.csv reads"):
        run.run(history=tmp_path / "." / "d.csv")
    assert run.model is None and data.read_bytes() == (ROOT / "chainrule" / "examples" / "iris.csv").read_bytes()


def test_a_checkpoint_folder_s_file_is_an_output_too(files):
    os.mkdir("ck")
    assert main([*TRAIN, "--data", "d.csv", "--checkpoint", "ck", "--save", "ck/checkpoint.npz"]) == 2
    assert os.listdir("ck") == []
