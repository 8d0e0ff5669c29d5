"""Fuzzing the readers of network files (JSON and TOML), CSV data and IDX data (issue 7):
≥ 10,000 malformed inputs per reader (``FUZZ_N``); each gives a valid result or the library's own
error with a one-line message."""

import gzip
import json
import os

import numpy as np
import pytest

from support.fastdir import scratch_dir
from support.fuzz_data import DEEP_FILE, IRIS, SEED_FILE  # shared with other test modules
from support.fuzz_harness import byte_inputs, fuzz, json_inputs, text_inputs

N = int(os.environ.get("FUZZ_N", "10000"))


@pytest.fixture
def fast_path(tmp_path):
    """Where fuzzed files are written: in memory when the system allows (see support/fastdir.py)."""
    with scratch_dir(tmp_path) as folder:
        yield folder


SEED_TOML = """title = "the seed"
layers = [2, 2, 2]
activation = "sigmoid"
loss = "half_sse"
learning_rate = 0.5
weights = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]
biases = [0.35, 0.60]
train_biases = false
input = [0.05, 0.10]
target = [0.01, 0.99]
"""


def _finite_network(data, nf):
    net = nf.network
    if not all(np.all(np.isfinite(p)) for p in net.parameters()):
        return "non-finite parameters accepted"
    if not (
        np.all(np.isfinite(np.asarray(nf.inputs, dtype=float)))
        and np.all(np.isfinite(np.asarray(nf.targets, dtype=float)))
    ):
        return "non-finite samples accepted"
    if not (isinstance(nf.learning_rate, float) and np.isfinite(nf.learning_rate)):
        return f"learning rate {nf.learning_rate!r} accepted"
    return None


def test_network_files_json():
    from chainrule.io.network_file import parse_network_text

    report = fuzz(parse_network_text, json_inputs([SEED_FILE, DEEP_FILE], N, seed=21), check=_finite_network)
    assert not report.failures, report
    assert report.refused > N // 2, report


def test_network_files_toml():
    from chainrule.io.network_file import parse_network_text

    report = fuzz(
        lambda text: parse_network_text(text, toml=True), text_inputs([SEED_TOML], N, seed=22), check=_finite_network
    )
    assert not report.failures, report
    assert report.refused > N // 2, report


def test_network_files_on_disk_with_non_utf8_bytes(fast_path):
    from chainrule.io.network_file import read_network_file

    path = fast_path / "net.json"
    originals = [
        json.dumps(SEED_FILE).encode(),
        json.dumps(DEEP_FILE, indent=1).encode(),
        b"\xef\xbb\xbf" + json.dumps(SEED_FILE).encode(),
    ]

    def read(data):
        path.write_bytes(data)
        return read_network_file(path)

    report = fuzz(read, byte_inputs(originals, N // 5, seed=23), check=_finite_network)
    assert not report.failures, report


REGRESSION = "x1,x2,y\n1,2,3.5\n-1e3,0.5,2\n0,0,0\n"


def test_csv_files(fast_path):
    from chainrule.data.csv_file import read_csv

    path = fast_path / "data.csv"

    def read(data):
        text, target = data
        path.write_bytes(text.encode("utf-8", "surrogatepass"))  # lone surrogates: invalid UTF-8
        return read_csv(path, target=target)

    def valid(data, result):
        X, y, names = result
        if not np.all(np.isfinite(X)):
            return "non-finite features accepted"
        if y is not None and y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            return "non-finite targets accepted"
        if X.shape[0] != len(y) or X.shape[1] != len(names):
            return f"inconsistent shapes {X.shape}, {y.shape}, {len(names)} names"
        return None

    texts = text_inputs([IRIS, REGRESSION, IRIS.replace(",", ";")], N, seed=24)
    targets = ["species", "y", "nope", "", "x1"]
    inputs = ((t, targets[k % len(targets)]) for k, t in enumerate(texts))
    report = fuzz(read, inputs, check=valid)
    assert not report.failures, report
    assert report.refused > N // 4, report


def test_csv_files_with_non_utf8_bytes(fast_path):
    from chainrule.data.csv_file import read_csv

    path = fast_path / "data.csv"

    def read(data):
        path.write_bytes(data)
        return read_csv(path, target="species")

    report = fuzz(read, byte_inputs([IRIS.encode()], N // 5, seed=25))
    assert not report.failures, report


def _idx(array: np.ndarray, kind: int) -> bytes:
    import struct

    types = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4", 0x0E: ">f8"}
    return (
        bytes([0, 0, kind, array.ndim])
        + struct.pack(f">{array.ndim}I", *array.shape)
        + array.astype(types[kind]).tobytes()
    )


def test_idx_files(fast_path):
    from chainrule.data.idx import load_idx

    rng = np.random.default_rng(0)
    images = [
        _idx(rng.integers(0, 256, (4, 3, 3)), 0x08),
        _idx(rng.normal(size=(4, 5)), 0x0E),
        _idx(rng.normal(size=(4, 2)), 0x0D),
    ]
    labels = _idx(rng.integers(0, 3, 4), 0x08)
    images += [gzip.compress(images[0], mtime=0)]
    img, lab = fast_path / "images.idx", fast_path / "labels.idx"

    def read(data):
        img.write_bytes(data)
        lab.write_bytes(labels)
        return load_idx(img, lab)

    def valid(data, result):
        X, y = result
        return None if np.all(np.isfinite(X)) else "non-finite pixel values accepted"

    report = fuzz(read, byte_inputs(images, N, seed=26), check=valid)
    assert not report.failures, report
    assert report.refused > N // 4, report


@pytest.mark.parametrize("layers", [[100_000, 10_000, 2], [2, 10**9, 2], [2, 2**62, 2], [10**30, 1]])
def test_a_network_file_asking_for_a_billion_weights_is_refused_before_allocation(layers):
    import tracemalloc

    from chainrule.errors import FileFormatError
    from chainrule.io.network_file import parse_network_text

    text = json.dumps({"layers": layers, "activation": "sigmoid", "input": [0.0] * 2, "target": [0.0] * 2})
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError) as err:
            parse_network_text(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "\n" not in str(err.value)
    assert peak < 10_000_000, peak
