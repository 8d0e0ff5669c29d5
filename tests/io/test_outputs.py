"""Issue 15 (1–4) and issue 10's small defects: what happens to whatever is already at an output path.

One write helper (chainrule.io.atomic) serves every output; these tests attack it with the targets
a user can give: standard output, devices, FIFOs, symlinks, hard links, read-only files, folders.
"""

import csv
import io
import os
import stat
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.errors import OutputError
from chainrule.io import atomic
from chainrule.io.atomic import check_output, write_text
from chainrule.io.model_file import load_model

from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _cli(*argv, **kw):
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *map(str, argv)], capture_output=True, text=True, timeout=120, **kw
    )


# ----------------------------------------------------------------------------- targets
@pytest.mark.parametrize("target", ["-", "/dev/stdout"])
def test_dash_and_dev_stdout_write_to_standard_output(target, tmp_path):
    r = _cli("explain", "-o", target, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("A 2-2-2 network") and r.stderr == ""
    assert os.listdir(tmp_path) == []  # no file named "-", no temporary file


def test_diagram_to_standard_output_is_svg(tmp_path):
    r = _cli("diagram", "-o", "-", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("<svg") and "wrote" not in r.stdout


def test_dev_null_is_written_to_not_replaced():
    before = os.stat("/dev/null")
    write_text("/dev/null", "nothing\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_a_fifo_is_written_to_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    for _ in range(1000):  # until the reader is there (a FIFO that nothing reads is refused at once)
        try:
            write_text(fifo, "through the pipe\n")
            break
        except OutputError as exc:
            assert "nothing reads" in str(exc)
            time.sleep(0.01)
    reader.join(10)
    assert got == [b"through the pipe\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_is_followed_and_kept(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new" and sorted(os.listdir(tmp_path / "real")) == ["out.txt"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "made.txt")
    write_text(link, "made")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text() == "made"


def test_a_hard_link_is_refused_and_both_names_keep_their_bytes(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("shared")
    os.link(a, b)
    with pytest.raises(OutputError, match=r"a\.txt: has 2 hard links"):
        write_text(a, "new")
    assert a.read_text() == b.read_text() == "shared" and os.stat(a).st_ino == os.stat(b).st_ino


def test_a_read_only_file_is_refused(tmp_path):
    f = tmp_path / "ro.txt"
    f.write_text("keep")
    f.chmod(0o444)
    with pytest.raises(OutputError, match="ro.txt: is read-only"):
        write_text(f, "new")
    assert f.read_text() == "keep"


def test_an_existing_folder_is_refused(tmp_path, capsys):
    (tmp_path / "d").mkdir()
    code, _, err = _run(capsys, "explain", "-o", tmp_path / "d")
    assert code == 2 and err.count("\n") == 1 and "is a folder" in err


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_permission_bits_are_kept(tmp_path, mode):
    f = tmp_path / "m.txt"
    f.write_text("old")
    f.chmod(mode)
    write_text(f, "new")
    assert stat.S_IMODE(os.stat(f).st_mode) == mode and f.read_text() == "new"


def test_a_socket_is_refused(tmp_path):
    import socket

    path = tmp_path / "s.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    try:
        with pytest.raises(OutputError, match="is a socket"):
            write_text(path, "x")
    finally:
        s.close()


def test_errors_name_the_users_path_never_a_temporary_one(tmp_path, capsys, monkeypatch):
    def full(src, dst):
        raise OSError(28, "No space left on device", src)

    monkeypatch.setattr(atomic.os, "replace", full)
    code, _, err = _run(capsys, "explain", "-f", "html", "-o", tmp_path / "x.html")
    assert code == 2 and err.count("\n") == 1
    assert f"cannot write {tmp_path / 'x.html'}: No space left on device" in err and ".tmp" not in err
    assert os.listdir(tmp_path) == []


def test_a_missing_folder_is_named_before_any_work(capsys):
    code, _, err = _run(capsys, "explain", "-f", "html", "-o", "/nonexistent/x.html")
    assert (
        code == 2
        and err == "chainrule explain: error: --output /nonexistent/x.html: the folder /nonexistent does not exist\n"
    )


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_stale_temporary_files_of_our_naming_are_removed_on_the_next_save(tmp_path):
    stale = tmp_path / f".m.json.chainrule-{_dead_pid()}-abcd1234.tmp"
    alive = tmp_path / f".m.json.chainrule-{os.getppid()}-efgh5678.tmp"  # a save still running elsewhere
    other = tmp_path / ".m.json.not-ours.tmp"
    for f in (stale, alive, other):
        f.write_text("partial")
    write_text(tmp_path / "m.json", "{}")
    assert not stale.exists() and alive.exists() and other.exists()


def test_a_killed_save_leaves_only_a_temporary_file_that_the_next_save_removes(tmp_path):
    code = (
        "import os, sys; from chainrule.io import atomic\n"
        "real = os.fsync\n"
        "def die(fd): os.kill(os.getpid(), 9)\n"
        "atomic.os.fsync = die\n"
        f"atomic.write_text({str(tmp_path / 'm.json')!r}, 'half')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], timeout=60)
    assert r.returncode == -9
    left = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(left) == 1 and not (tmp_path / "m.json").exists()
    write_text(tmp_path / "m.json", "whole")
    assert os.listdir(tmp_path) == ["m.json"]


# ----------------------------------------------------------------------------- train
XOR = ["train", "--data", "xor", "--layers", "2,4,2", "--epochs", "3"]


def test_a_bad_history_path_is_refused_before_training(tmp_path, capsys):
    code, out, err = _run(capsys, *XOR, "--history", tmp_path / "nodir" / "h.json", "--save", tmp_path / "m.json")
    assert code == 2 and out == "" and "--history" in err and "does not exist" in err
    assert not (tmp_path / "m.json").exists()


def test_a_bad_save_path_is_refused_before_training(tmp_path, capsys):
    code, out, err = _run(capsys, *XOR, "--save", "/nonexistent/m.json")
    assert code == 2 and out == "" and err.startswith("chainrule train: error: --save /nonexistent/m.json")


def test_a_json_save_too_large_is_refused_before_training(tmp_path, capsys):
    code, out, err = _run(capsys, "train", "--data", "xor", "--layers", "2,600,600,2", "--save", tmp_path / "m.json")
    assert code == 2 and out == "" and "save it as .npz" in err


def test_a_late_write_failure_still_saves_the_model_and_says_so(tmp_path, capsys, monkeypatch):
    real = atomic.write_text

    def failing(path, text):
        if str(path).endswith("h.json"):
            raise OutputError(f"cannot write {path}: No space left on device")
        real(path, text)

    monkeypatch.setattr(atomic, "write_text", failing)
    code, _, err = _run(capsys, *XOR, "--history", tmp_path / "h.json", "--save", tmp_path / "m.json")
    assert code == 2 and err.count("\n") == 1
    assert "No space left on device" in err and f"the model to {tmp_path / 'm.json'} saved" in err
    assert load_model(tmp_path / "m.json").network.sizes == [2, 4, 2]


def test_a_checkpoint_is_not_overwritten_without_resume(tmp_path, capsys):
    ck = tmp_path / "ck"
    assert _run(capsys, *XOR, "--checkpoint", ck, "-q")[0] == 0
    before = (ck / "checkpoint.npz").read_bytes()
    code, out, err = _run(capsys, *XOR, "--checkpoint", ck)
    assert code == 2 and out == "" and "--resume" in err and "--overwrite" in err
    assert (ck / "checkpoint.npz").read_bytes() == before
    assert _run(capsys, *XOR, "--checkpoint", ck, "--overwrite", "-q")[0] == 0
    assert _run(capsys, *XOR, "--checkpoint", ck, "--resume", "-q")[0] == 0


def test_exercise_never_overwrites_a_filled_in_sheet_without_force(tmp_path, capsys):
    folder = tmp_path / "ex"
    assert _run(capsys, "exercise", "--seed", 4, "--out", folder)[0] == 0
    (folder / "answers.txt").write_text("net_h1 = 0.5\n")
    code, _, err = _run(capsys, "exercise", "--seed", 4, "--out", folder)
    assert code == 2 and "--force" in err and (folder / "answers.txt").read_text() == "net_h1 = 0.5\n"
    assert _run(capsys, "exercise", "--seed", 4, "--out", folder, "--force")[0] == 0
    assert (folder / "answers.txt").read_text() != "net_h1 = 0.5\n"


def test_check_output_accepts_what_write_accepts(tmp_path):
    check_output("-")
    check_output(tmp_path / "new.txt")
    with pytest.raises(OutputError, match="--save"):
        check_output(tmp_path / "no" / "m.json", "--save")


# ----------------------------------------------------------------------------- wrong answers
def test_huge_features_standardise_without_overflow_and_the_model_loads(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)) * np.array([1e200, 1.0])
    y = (X[:, 1] > 0).astype(int)
    data = tmp_path / "big.csv"
    data.write_text("a,b,y\n" + "".join(f"{float(a)!r},{float(b)!r},{t}\n" for (a, b), t in zip(X, y)))
    code, _, err = _run(
        capsys,
        "train",
        "--data",
        data,
        "--target",
        "y",
        "--layers",
        "2,4,2",
        "--epochs",
        "2",
        "--test-size",
        "0",
        "--save",
        tmp_path / "m.json",
        "-q",
    )
    assert code == 0, err
    model = load_model(tmp_path / "m.json")
    assert np.isfinite(model.scaler.std).all() and model.scaler.std[0] == pytest.approx(
        np.std(X[:, 0] / 1e200) * 1e200, rel=1e-9
    )
    assert np.ptp(model.scaler.transform(X)[:, 0]) > 1  # the feature is not zeroed


def test_predict_quotes_labels_and_neutralises_formulas(tmp_path, capsys):
    rows = [("0.1", "a,b"), ("0.2", "=1+2"), ("0.9", "x\ny"), ("1.0", "-neg")] * 5
    data = tmp_path / "d.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["f", "label"])
    w.writerows(rows)
    data.write_text(buf.getvalue())
    assert (
        _run(
            capsys,
            "train",
            "--data",
            data,
            "--target",
            "label",
            "--layers",
            "1,4,4",
            "--epochs",
            "2",
            "--test-size",
            "0",
            "--save",
            tmp_path / "m.json",
            "-q",
        )[0]
        == 0
    )
    code, out, _ = _run(capsys, "predict", "--model", tmp_path / "m.json", "--data", data, "--proba")
    assert code == 0
    table = list(csv.reader(io.StringIO(out)))
    assert all(len(r) == len(table[0]) == 5 for r in table)  # no shifted columns
    cells = {c for r in table for c in r}
    assert "=1+2" not in cells and "-neg" not in cells, cells
    assert "p_a,b" in table[0] and "p_=1+2" in table[0]  # a header starting with p_ is no formula
    assert {r[0] for r in table[1:]} <= {"a,b", "'=1+2", "x\ny", "'-neg"}


@pytest.mark.parametrize("layers", ["2,-5,2", "3_0,2", "2,,2", "2, 5;2", "２,2"])
def test_layers_that_are_not_plain_sizes_are_refused(layers, capsys):
    code, out, err = _run(capsys, "train", "--data", "xor", "--layers", layers)
    assert code == 2 and out == "" and "--layers must be whole numbers" in err


def test_xor_output_size_message_names_both_valid_sizes(capsys):
    code, _, err = _run(capsys, "train", "--data", "xor", "--layers", "2,5,3")
    assert code == 2 and "2 (one per class) or 1 (sigmoid and binary_cross_entropy)" in err


def test_unknown_dataset_lists_every_builtin(capsys):
    code, _, err = _run(capsys, "train", "--data", "nosuch", "--layers", "2,2")
    assert code == 2 and all(n in err for n in ("xor", "iris", "circles", "spirals", "gaussians"))


def test_a_misspelt_command_gets_did_you_mean():
    r = _cli("trian")
    assert r.returncode == 2 and "did you mean 'train'?" in r.stderr and r.stderr.count("\n") == 1


def test_every_command_error_has_the_same_prefix(tmp_path, capsys):
    for argv in (
        ["train", "--data", "nosuch", "--layers", "2,2"],
        ["explain", tmp_path / "none.json"],
        ["predict", "--model", tmp_path / "none.json", "--data", "xor"],
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2 and err.startswith(f"chainrule {argv[0]}: error: "), err


def test_train_prints_every_epoch_by_default(capsys):
    code, out, _ = _run(capsys, "train", "--data", "xor", "--layers", "2,3,2", "--epochs", "45")
    assert code == 0 and [int(l.split()[1].split("/")[0]) for l in out.splitlines() if l.startswith("epoch")] == list(
        range(1, 46)
    )
    code, out, _ = _run(capsys, "train", "--data", "xor", "--layers", "2,3,2", "--epochs", "45", "--print-every", "10")
    assert [l.split()[1] for l in out.splitlines() if l.startswith("epoch")] == [
        "1/45",
        "10/45",
        "20/45",
        "30/45",
        "40/45",
        "45/45",
    ]


def test_train_help_gives_every_option_a_text_and_no_issue_numbers():
    from chainrule.cli import build_parser

    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        text = sub.format_help()
        assert "issue" not in text.lower(), name
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{name} {action.option_strings[0]} has no help"
    train = parser._subparsers._group_actions[0].choices["train"]
    helps = {o: a.help for a in train._actions for o in a.option_strings}
    for option, default in (
        ("--epochs", "30"),
        ("--bias", "per_neuron"),
        ("--dtype", "float64"),
        ("--step-size", "10"),
        ("--gamma", "0.5"),
        ("--power", "0.5"),
    ):
        assert f"default {default}" in helps[option], option
    assert "or for classes" not in helps["--output-activation"]


@pytest.mark.parametrize("title", ["$\\frac{$", "$", "a $x^{2$ b"])
def test_a_title_with_dollar_signs_is_drawn_as_text(title, tmp_path, capsys):
    need("matplotlib", "outputs")
    assert _run(capsys, "diagram", "--title", title, "-o", tmp_path / "d.png")[0] == 0
    (tmp_path / "h.json").write_text('{"unit": "epoch", "loss": [1, 0.5, 0.2]}')
    assert _run(capsys, "plot", tmp_path / "h.json", "--title", title, "-o", tmp_path / "p.png")[0] == 0
    assert (tmp_path / "d.png").stat().st_size > 0 and (tmp_path / "p.png").stat().st_size > 0


# ----------------------------------------------------------------------------- issue 25: links, FIFOs, long names
NOBODY = 65534  # another user's uid (Debian's "nobody")


def _sticky(tmp_path):
    """A sticky world-writable folder like /tmp, owned by this user, holding a file of ours."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    mine = tmp_path / "mine.txt"
    mine.write_text("mine")
    return shared, mine


def _as_nobody(link):
    if os.geteuid() != 0:
        pytest.skip("planting another user's link needs root (os.lchown)")
    os.lchown(link, NOBODY, NOBODY)


def test_another_user_s_link_in_a_sticky_world_writable_folder_is_not_followed(tmp_path, capsys):
    shared, mine = _sticky(tmp_path)
    (shared / "report.txt").symlink_to(mine)
    _as_nobody(shared / "report.txt")
    code, _, err = _run(capsys, "explain", "-o", shared / "report.txt")
    assert code == 2 and "symbolic link of another user (uid 65534)" in err and "refusing to follow" in err
    assert mine.read_text() == "mine" and os.path.islink(shared / "report.txt")


def test_a_dangling_link_in_a_sticky_world_writable_folder_creates_nothing(tmp_path, capsys):
    shared, _ = _sticky(tmp_path)
    (shared / "report.txt").symlink_to(tmp_path / "planted.txt")
    code, _, err = _run(capsys, "explain", "-o", shared / "report.txt")
    assert code == 2 and "dangling symbolic link in the sticky world-writable folder" in err
    assert not (tmp_path / "planted.txt").exists()


def test_a_link_anywhere_in_the_path_is_judged_by_the_same_rule(tmp_path):
    shared, _ = _sticky(tmp_path)
    (tmp_path / "real").mkdir()
    (shared / "dir").symlink_to(tmp_path / "real")
    _as_nobody(shared / "dir")
    with pytest.raises(OutputError, match="symbolic link of another user"):
        write_text(shared / "dir" / "out.txt", "new")
    assert list((tmp_path / "real").iterdir()) == []


def test_our_own_link_in_a_sticky_folder_and_any_link_elsewhere_are_followed(tmp_path):
    shared, mine = _sticky(tmp_path)
    (shared / "own.txt").symlink_to(mine)
    write_text(shared / "own.txt", "through our own link")
    assert mine.read_text() == "through our own link"
    (tmp_path / "plain.txt").symlink_to(mine)  # not a sticky folder: followed whoever owns the link
    _as_nobody(tmp_path / "plain.txt")
    write_text(tmp_path / "plain.txt", "followed")
    assert mine.read_text() == "followed"


def test_a_fifo_that_nothing_reads_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    r = _cli("explain", "-o", fifo)  # the old code waited for a reader forever (timeout: 120 s)
    assert r.returncode == 2 and "a named pipe that nothing reads" in r.stderr and r.stderr.count("\n") == 1
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_as_history_is_refused_after_training_and_the_model_still_saved(tmp_path):
    fifo = tmp_path / "h.json"
    os.mkfifo(fifo)
    r = _cli("train", "--data", "xor", "--layers", "2,2,2", "--epochs", "1", "--save", tmp_path / "m.json",
             "--history", fifo)  # fmt: skip
    assert r.returncode == 2 and "nothing reads" in r.stderr and "the model to" in r.stderr
    assert load_model(tmp_path / "m.json").network.sizes == [2, 2, 2]


def test_a_fifo_as_the_saved_model_is_refused_before_training(tmp_path):
    from chainrule.errors import ConfigError
    from chainrule.io.run import TrainingRun

    os.mkfifo(tmp_path / "m.json")
    run = TrainingRun("no-such-data", [2, 2])
    with pytest.raises(ConfigError, match="m.json: is a named pipe; a model is saved to a file"):
        run.run(save=tmp_path / "m.json")
    assert run.model is None


def test_a_name_too_long_for_its_temporary_file_is_refused_before_any_work(tmp_path):
    from chainrule.io.run import TrainingRun

    name = tmp_path / ("m" * 236 + ".json")  # 241 bytes: fits the folder, its temporary name does not
    run = TrainingRun("no-such-data", [2, 2])  # reading the data would fail: the name's error comes first
    with pytest.raises(OutputError, match=r"the name is 241 bytes, and the temporary file .* choose a shorter name"):
        run.run(save=name)
    assert run.model is None and list(tmp_path.iterdir()) == []
    write_text(tmp_path / ("m" * 200 + ".json"), "a long name that fits")
