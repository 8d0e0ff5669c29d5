"""Issue 15 (5, 11–16): bounded memory for every input, and one line instead of a traceback.

Commands run in a subprocess under an address-space limit (RLIMIT_AS): an unbounded read or an
inflated archive ends in MemoryError there, which the CLI must turn into one line and exit 2 —
and the bounded readers must refuse with their own message long before that."""

import io
import json
import os
import resource
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest

from chainrule.errors import ChainruleError, DataError, FileFormatError

LIMIT_AS = 1536 * 2**20  # 1.5 GiB of address space: Python, NumPy and the command fit, a bomb does not
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))


def _cli(*argv, cwd=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limited,
        env=ENV,
        cwd=cwd,
    )


def _one_line(r, *words):
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    for w in words:
        assert w in r.stderr, r.stderr


# ----------------------------------------------------------------------------- special files
@pytest.mark.parametrize(
    "argv,word",
    [
        (["explain", "/dev/zero"], "limit"),
        (["diagram", "/dev/zero", "-o", "d.svg"], "limit"),
        (["check", "/dev/zero"], "limit"),
        (["serve", "/dev/zero", "--port", "0"], "limit"),
        (["plot", "/dev/zero", "-o", "p.png"], "limit"),
        (["train", "--data", "/dev/zero", "--target", "y", "--layers", "2,2"], "limit"),
        (["predict", "--model", "/dev/zero", "--data", "xor"], "limit"),
        (["predict", "--model", "m.npz", "--data", "xor"], "no such file"),
    ],
)
def test_dev_zero_is_read_with_a_bound(argv, word, tmp_path):
    if "/dev/zero" in argv and argv[0] == "predict":
        os.symlink("/dev/zero", tmp_path / "zero.json")
        argv = ["predict", "--model", tmp_path / "zero.json", "--data", "xor"]
    _one_line(_cli(*argv, cwd=tmp_path), word)


def test_dev_zero_as_idx_is_bounded(tmp_path):
    os.symlink("/dev/zero", tmp_path / "img-idx3-ubyte")
    os.symlink("/dev/zero", tmp_path / "lab-idx1-ubyte")
    _one_line(
        _cli(
            "train", "--data", tmp_path / "img-idx3-ubyte", "--labels", tmp_path / "lab-idx1-ubyte", "--layers", "2,2"
        ),
        "limit",
    )


def test_an_endless_fifo_is_read_with_a_bound(tmp_path):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    stop = threading.Event()

    def endless():
        try:
            with open(fifo, "wb") as f:
                chunk = b" " * 65536
                while not stop.is_set():
                    f.write(chunk)
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    try:
        _one_line(_cli("explain", fifo), "not a regular file")
    finally:
        stop.set()
        writer.join(10)


def test_process_substitution_is_read_whole_when_small(tmp_path):
    spec = json.dumps({"layers": [2, 2], "input": [0.1, 0.2], "target": [0, 1], "weights": [[[1, 2], [3, 4]]]})
    r = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m chainrule explain <(echo '{spec}')"],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
    )
    assert r.returncode == 0 and r.stdout.startswith("A 2-2 network"), r.stderr


def test_a_memory_error_is_one_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    from chainrule.cli import explain as explain_cli
    from chainrule.cli import main

    def boom(args):
        raise MemoryError()

    monkeypatch.setattr(explain_cli, "run", boom)
    code = main(["explain"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("chainrule explain: error: out of memory") and err.count("\n") == 1


# ----------------------------------------------------------------------------- archives
def _npy_header(shape, dtype="<f8") -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": dtype, "fortran_order": False, "shape": shape})
    return out.getvalue()


def _npy(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def _model_meta(layers=(2, 2)):
    return {
        "format": "chainrule-model",
        "version": 1,
        "task": "regression",
        "layers": list(layers),
        "activations": ["identity"] * (len(layers) - 1),
        "loss": "mse",
        "bias": "per_neuron",
        "train_biases": [True] * (len(layers) - 1),
        "dtype": "float64",
        "classes": None,
        "scaler": None,
        "feature_names": None,
        "target_name": None,
        "history": {"unit": "epoch"},
        "info": {},
    }


def _bomb(path, entries: dict, big_name: str | None, big_shape=None, big_bytes=0):
    """An archive whose ``big_name`` entry inflates to ``big_bytes`` of zeros (about 1/1000 on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        if big_name:
            with z.open(big_name, "w", force_zip64=True) as f:
                f.write(_npy_header(big_shape))
                block = bytes(1 << 20)
                for _ in range(big_bytes >> 20):
                    f.write(block)


@pytest.mark.parametrize("case", ["unexpected name", "shape disagrees with the metadata", "header lies about size"])
def test_a_zip_bomb_model_is_refused_before_inflating(case, tmp_path):
    path = tmp_path / "m.npz"
    meta = {"meta.npy": _npy(np.array(json.dumps(_model_meta()))), "b1.npy": _npy(np.zeros(2))}
    size = 1024 << 20  # 1 GiB inflated: with the interpreter, near the address-space limit
    if case == "unexpected name":
        _bomb(path, {**meta, "W1.npy": _npy(np.eye(2))}, "X.npy", (size // 8,), size)
        word = "unexpected arrays X"
    elif case == "shape disagrees with the metadata":
        _bomb(path, meta, "W1.npy", (size // 16, 2), size)
        word = "the metadata says (2, 2)"
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in meta.items():
                z.writestr(name, data)
            z.writestr("W1.npy", _npy_header((2, 2)) + bytes(size >> 4))  # 128 MiB of data for 32 bytes
        word = "holds"
    assert path.stat().st_size < 8 << 20
    _one_line(_cli("predict", "--model", path, "--data", "xor"), word)


def test_a_checkpoint_bomb_is_refused_before_inflating(tmp_path):
    from chainrule.io.checkpoint import load_checkpoint

    folder = tmp_path / "ck"
    folder.mkdir()
    meta = {
        "format": "chainrule-checkpoint",
        "version": 1,
        "settings": {},
        "params": 1,
        "optimizer": {},
        "epoch": 1,
        "rng": {},
        "history": {},
        "best": 1.0,
        "best_epoch": 0,
        "wait": 0,
        "best_params": None,
    }
    _bomb(
        folder / "checkpoint.npz",
        {"meta.npy": _npy(np.array(json.dumps(meta)))},
        "params_0.npy",
        (4096, 4096),
        128 << 20,
    )
    with pytest.raises(FileFormatError, match="shape"):
        load_checkpoint(folder, shapes=[(2, 2)])


def test_a_tiny_npz_of_millions_of_zero_parameters_is_refused_before_inflating(tmp_path):
    """Issue 25: a 375 KB .npz holding 48M zero parameters (within the 50M limit) made predict use
    900 MB on the old code; an entry that inflates more than 10:1 (real weights: about 1.1:1) is refused."""
    n = 6928  # layers 2-6928-6928-1: 48.0M parameters
    layers = (2, n, n, 1)
    arrays = {"W1": (n, 2), "b1": (n,), "W2": (n, n), "b2": (n,), "W3": (1, n), "b3": (1,)}
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.npy", _npy(np.array(json.dumps(_model_meta(layers)))))
        for name, shape in arrays.items():
            with z.open(f"{name}.npy", "w", force_zip64=True) as f:
                f.write(_npy_header(shape))
                left = int(np.prod(shape)) * 8
                while left:
                    f.write(bytes(min(left, 1 << 24)))
                    left -= min(left, 1 << 24)
    assert path.stat().st_size < 1 << 20
    _one_line(_cli("predict", "--model", path, "--data", "xor"), "'W2' inflates from", "more than 10:1")


def _checkpoint(tmp_path):
    from chainrule.cli import main

    assert (
        main(
            ["train", "--data", "xor", "--layers", "2,3,2", "--epochs", "2", "--checkpoint", str(tmp_path / "ck"), "-q"]
        )
        == 0
    )
    return tmp_path / "ck" / "checkpoint.npz"


@pytest.mark.parametrize(
    "field,value",
    [
        ("epoch", -1),
        ("epoch", "3"),
        ("best", "x"),
        ("wait", 1.5),
        ("rng", [1, 2]),
        ("history", None),
        ("best_epoch", -5),
        ("optimizer", "adam"),
        ("params", 99),
    ],
)
def test_a_damaged_checkpoint_field_is_one_line(field, value, tmp_path, capsys):
    from chainrule.cli import main
    from chainrule.io.npz import load_npz, save_npz

    path = _checkpoint(tmp_path)
    meta, arrays = load_npz(path, "checkpoint")
    meta[field] = value
    save_npz(path, meta, arrays)
    capsys.readouterr()
    code = main(
        [
            "train",
            "--data",
            "xor",
            "--layers",
            "2,3,2",
            "--epochs",
            "2",
            "--checkpoint",
            str(tmp_path / "ck"),
            "--resume",
            "-q",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "damaged checkpoint" in err and "settings" not in err, err


def test_a_checkpoint_with_nan_weights_is_refused_naming_the_checkpoint(tmp_path, capsys):
    from chainrule.cli import main
    from chainrule.io.npz import load_npz, save_npz

    path = _checkpoint(tmp_path)
    meta, arrays = load_npz(path, "checkpoint")
    arrays["params_0"][0, 0] = np.nan
    save_npz(path, meta, arrays)
    capsys.readouterr()
    code = main(
        [
            "train",
            "--data",
            "xor",
            "--layers",
            "2,3,2",
            "--epochs",
            "2",
            "--checkpoint",
            str(tmp_path / "ck"),
            "--resume",
            "-q",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "NaN" in err and "learning rate" not in err


# ----------------------------------------------------------------------------- wrong answers
@pytest.mark.parametrize("classes", [[0, 0.0], [1, True], ["1", 1], [0.5, float("nan")]])
def test_colliding_class_labels_are_refused(classes, tmp_path):
    from chainrule.io.model_file import load_model

    meta = _model_meta((2, 2))
    meta.update(
        task="classification",
        activations=["softmax"],
        loss="cross_entropy",
        classes=classes,
        weights=[[[1.0, 2.0], [3.0, 4.0]]],
        biases=[[0.0, 0.0]],
    )
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(FileFormatError):
        load_model(tmp_path / "m.json")


def test_duplicate_keys_in_a_model_are_refused(tmp_path):
    from chainrule.io.model_file import load_model

    (tmp_path / "m.json").write_text('{"format": "chainrule-model", "format": "x"}')
    with pytest.raises(FileFormatError, match="appears twice"):
        load_model(tmp_path / "m.json")


def test_an_infinite_csv_target_is_refused(tmp_path):
    from chainrule.data.csv_file import read_csv

    (tmp_path / "d.csv").write_text("x,y\n1,0\n2,inf\n3,1\n")
    with pytest.raises(DataError, match="not a finite number"):
        read_csv(tmp_path / "d.csv", target="y")


@pytest.mark.parametrize("dims", [(0, 28, 28), (5, 0, 3), (0,)])
def test_idx_files_that_hold_nothing_are_refused(dims, tmp_path):
    from chainrule.data.idx import read_idx

    raw = bytes([0, 0, 8, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    (tmp_path / "x.idx").write_bytes(raw)
    with pytest.raises(DataError, match="hold no values"):
        read_idx(tmp_path / "x.idx")


@pytest.mark.parametrize(
    "text,word",
    [
        ('{"unit": "epoch", "loss": [' + "9" * 400 + "]}", "too large"),
        ('{"unit": "epoch", "loss": [' + "9" * 5000 + "]}", "readable"),
        ('{"unit": "epoch", "loss": ' + "[" * 100_000 + "]" * 100_000 + "}", "readable"),
        ('{"unit": "epoch", "loss": [1], "loss": [2]}', "twice"),
        ('{"layers": [2, 2], "input": [1, 2], "target": [1, 2]}', "not a history"),
        ('{"loss": [1, 2, 3]}', "not a history"),
    ],
)
def test_plot_refuses_what_is_not_a_history_in_one_line(text, word, tmp_path, capsys):
    from chainrule.cli import main

    (tmp_path / "h.json").write_text(text)
    code = main(["plot", str(tmp_path / "h.json"), "-o", str(tmp_path / "p.png")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and word in err, err
    assert not (tmp_path / "p.png").exists()


def test_a_network_without_weights_or_seed_gives_the_same_numbers_every_run(tmp_path):
    (tmp_path / "n.json").write_text(json.dumps({"layers": [3, 4, 2], "input": [1, 2, 3], "target": [0, 1]}))
    outs = {
        subprocess.run(
            [sys.executable, "-m", "chainrule", "explain", str(tmp_path / "n.json")],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        for _ in range(2)
    }
    assert len(outs) == 1 and "w1 = " in outs.pop()


def test_explain_refuses_a_network_too_large_to_trace_in_one_line(tmp_path):
    (tmp_path / "n.json").write_text(json.dumps({"layers": [1, 16_000_000, 1], "input": [1], "target": [1]}))
    r = _cli("explain", tmp_path / "n.json")
    _one_line(r, "250,000")


def test_reading_limits_are_errors_of_the_library(tmp_path):
    from chainrule.io.bounded_read import read_bytes

    (tmp_path / "f").write_bytes(b"x" * 11)
    with pytest.raises(ChainruleError, match="larger than the limit of 10"):
        read_bytes(tmp_path / "f", 10)
    with pytest.raises(ChainruleError, match="more than the limit of 10"):
        read_bytes("/dev/zero", 10)
    with pytest.raises(ChainruleError, match="is a folder"):
        read_bytes(tmp_path, 10)
    assert read_bytes(tmp_path / "f", 11) == b"x" * 11


@pytest.mark.parametrize("what, article", [("answer sheet", "an"), ("IDX file", "an"), ("network file", "a")])
def test_reading_errors_name_the_file_kind_with_its_article(tmp_path, what, article):
    from chainrule.io.bounded_read import read_text

    with pytest.raises(ChainruleError, match=f"is a folder, not {article} {what}$"):
        read_text(tmp_path, 100, what)
