"""Fuzzing the readers of files on disk (issue 7): model files (JSON and .npz) and training
checkpoints.  ≥ 10,000 malformed files per reader (``FUZZ_N``); each must load as a valid model or
raise the library's own error with a one-line message.  And loading never executes code."""

import io
import json
import os
import pathlib

import numpy as np
import pytest

from chainrule.core import Network
from chainrule.errors import FileFormatError

from support.fastdir import scratch_dir
from support.fuzz_harness import byte_inputs, fuzz, json_inputs, mutate_tree

N = int(os.environ.get("FUZZ_N", "10000"))


@pytest.fixture
def fast_path(tmp_path):
    """Where fuzzed files are written: in memory when the system allows (see support/fastdir.py)."""
    with scratch_dir(tmp_path) as folder:
        yield folder


def _models():
    from chainrule.training.model import train

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    clf = train(X, y, hidden=[4], epochs=2, seed=0)
    reg = train(X, X[:, 2] * 2, hidden=[3, 2], task="regression", activation="tanh", epochs=2, seed=0)
    return clf, reg


@pytest.fixture(scope="module")
def models():
    return _models()


def _loads_as_valid_model(data, model):
    net = model.network
    if not all(np.all(np.isfinite(p)) for p in net.parameters()):
        return "a model with non-finite parameters was loaded"
    if net.n_weights > 10**6:
        return "a huge model was loaded"
    return None


def test_model_json_files(models, fast_path):
    from chainrule.io.model_file import load_model, save_model

    docs = []
    for m in models:
        save_model(m, fast_path / "m.json")
        docs.append(json.loads((fast_path / "m.json").read_text()))
    path = fast_path / "fuzzed.json"

    def read(text):
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        return load_model(path)

    report = fuzz(read, json_inputs(docs, N, seed=11), check=_loads_as_valid_model)
    assert not report.failures, report
    assert report.refused > N // 2, report


def test_model_json_non_utf8_bytes(models, fast_path):
    from chainrule.io.model_file import load_model, save_model

    save_model(models[0], fast_path / "m.json")
    original = (fast_path / "m.json").read_bytes()
    path = fast_path / "fuzzed.json"

    def read(data):
        path.write_bytes(data)
        return load_model(path)

    report = fuzz(read, byte_inputs([original], N // 5, seed=12), check=_loads_as_valid_model)
    assert not report.failures, report


def _npz_bytes(meta: dict | str | None, arrays: dict) -> bytes:
    buf = io.BytesIO()
    extra = {} if meta is None else {"meta": np.array(meta if isinstance(meta, str) else json.dumps(meta))}
    np.savez(buf, **extra, **arrays)
    return buf.getvalue()


def test_model_npz_files(models, fast_path):
    """Byte-level damage to real .npz models, and well-formed archives with wrong content."""
    import random

    from chainrule.io.model_file import load_model, save_model
    from chainrule.io.npz import load_npz

    originals, parts = [], []
    for m in models:
        save_model(m, fast_path / "m.npz")
        originals.append((fast_path / "m.npz").read_bytes())
        parts.append(load_npz(fast_path / "m.npz", "model"))
    rng = random.Random(13)
    wrong_arrays = [
        np.zeros((0,)),
        np.full((2, 2), np.nan),
        np.full((3,), np.inf),
        np.zeros((4, 3, 2)),
        np.array(["a", "b"]),
        np.zeros((10**3, 3)),
        np.array(1.5),
        np.array([True, False]),
    ]

    def inputs():
        byte_level = byte_inputs(originals, N // 2, seed=14)
        for k in range(N):
            if k % 2:
                yield next(byte_level)
                continue
            meta, arrays = rng.choice(parts)
            meta, arrays = mutate_tree(meta, rng), dict(arrays)
            if rng.random() < 0.5 and arrays:
                key = rng.choice(sorted(arrays))
                op = rng.randrange(3)
                if op == 0:
                    arrays[key] = rng.choice(wrong_arrays)
                elif op == 1:
                    del arrays[key]
                else:
                    arrays[f"W{rng.randint(0, 9)}"] = rng.choice(wrong_arrays)
            yield _npz_bytes(meta if rng.random() > 0.05 else rng.choice([None, "{", "[1]"]), arrays)

    path = fast_path / "fuzzed.npz"

    def read(data):
        path.write_bytes(data)
        return load_model(path)

    report = fuzz(read, inputs(), check=_loads_as_valid_model)
    assert not report.failures, report
    assert report.refused > N // 2, report


def test_checkpoints(fast_path):
    from chainrule.io.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
    from chainrule.training.loop import Trainer

    rng = np.random.default_rng(1)
    net = Network([2, 3, 1], "tanh", "half_sse", seed=0)
    trainer = Trainer(
        net,
        rng.normal(size=(20, 2)),
        rng.normal(size=(20, 1)),
        epochs=2,
        batch_size=5,
        optimizer="adam",
        learning_rate=0.01,
    )
    trainer.run()
    save_checkpoint(fast_path / "good", trainer.state_dict(), {"lr": 0.01})
    original = checkpoint_path(fast_path / "good").read_bytes()
    folder = fast_path / "fuzzed"
    folder.mkdir()

    def read(data):
        checkpoint_path(folder).write_bytes(data)
        return load_checkpoint(folder, {"lr": 0.01})

    report = fuzz(read, byte_inputs([original], N, seed=15))
    assert not report.failures, report


# ---------------------------------------------------------------------------- never code
class _Boom:
    def __reduce__(self):  # unpickling this would run code
        return (pathlib.Path.touch, (pathlib.Path(os.environ.get("BOOM", "/tmp/chainrule-boom")),))


def test_an_npz_with_a_pickled_object_array_is_refused_without_running_it(tmp_path, monkeypatch):
    from chainrule.io.checkpoint import checkpoint_path, load_checkpoint
    from chainrule.io.model_file import load_model

    boom = tmp_path / "boom"
    monkeypatch.setenv("BOOM", str(boom))
    payload = np.empty(1, dtype=object)
    payload[0] = _Boom()
    model_meta = json.dumps({"format": "chainrule-model", "version": 1})
    for name in ("meta", "W1"):
        arrays = {"meta": np.array(model_meta), "W1": np.zeros((2, 2))}
        arrays[name] = payload
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # allow_pickle is on when writing
        (tmp_path / "evil.npz").write_bytes(buf.getvalue())
        with pytest.raises(FileFormatError) as err:
            load_model(tmp_path / "evil.npz")
        assert "\n" not in str(err.value)
        (tmp_path / "ck").mkdir(exist_ok=True)
        checkpoint_path(tmp_path / "ck").write_bytes(buf.getvalue())
        with pytest.raises(FileFormatError):
            load_checkpoint(tmp_path / "ck")
    assert not boom.exists()


def test_json_with_reduce_like_content_is_just_data(models, tmp_path):
    from chainrule.io.model_file import load_model, save_model

    save_model(models[0], tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    doc["info"] = {
        "__reduce__": ["os.system", ["touch " + str(tmp_path / "boom")]],
        "py/object": "os.system",
        "__class__": "subprocess.Popen",
    }
    (tmp_path / "m.json").write_text(json.dumps(doc))
    model = load_model(tmp_path / "m.json")  # unknown info is carried as plain data
    assert model.info["__reduce__"][0] == "os.system"
    assert not (tmp_path / "boom").exists()


# ------------------------------------------------------------------------------ huge sizes
def _peak_memory(fn):
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_model_file_asking_for_a_billion_weights_is_refused_before_allocation(models, tmp_path):
    from chainrule.io.model_file import load_model, save_model

    save_model(models[0], tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    doc["layers"] = [100_000, 10_000, 2]  # 10⁹ weights: 8 GB as float64
    (tmp_path / "huge.json").write_text(json.dumps(doc))

    def load():
        with pytest.raises(FileFormatError, match="limit"):
            load_model(tmp_path / "huge.json")

    assert _peak_memory(load) < 10_000_000


def test_an_npz_whose_header_declares_a_billion_weights_is_refused_before_allocation(tmp_path):
    """A tiny .npz whose array header claims shape (100000, 10000): the reader must not allocate 8 GB."""
    import zipfile

    from chainrule.io.model_file import load_model

    def npy(array, shape=None):
        out = io.BytesIO()
        header = {
            "descr": np.lib.format.dtype_to_descr(array.dtype),
            "fortran_order": False,
            "shape": shape or array.shape,
        }
        np.lib.format.write_array_header_1_0(out, header)
        out.write(array.tobytes())
        return out.getvalue()

    meta = {"format": "chainrule-model", "version": 1, "layers": [100_000, 10_000, 2]}
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as z:  # a consistent archive: CRCs match
        z.writestr("meta.npy", npy(np.array(json.dumps(meta))))
        z.writestr("W1.npy", npy(np.zeros(6), shape=(100_000, 10_000)))

    def load():
        with pytest.raises(FileFormatError, match="declares shape|limit of") as err:
            load_model(tmp_path / "huge.npz")
        assert "\n" not in str(err.value)

    assert _peak_memory(load) < 10_000_000
