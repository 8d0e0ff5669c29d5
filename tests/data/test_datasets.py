"""Datasets, CSV and IDX reading, splits and preprocessing."""

import gzip

import numpy as np
import pytest

from chainrule.data import LabelEncoder, Standardizer, load_dataset, train_test_split
from chainrule.data.csv_file import read_csv
from chainrule.data.idx import load_idx, read_idx, write_idx
from chainrule.errors import ConfigError, DataError

from support.tiers import requires  # test tiers: skip with a reason when missing


@pytest.mark.parametrize(
    "name,shape,classes",
    [
        ("xor", (4, 2), 2),
        *[
            pytest.param(*case, marks=requires("sklearn", "scikit-learn's bundled datasets"))
            for case in [
                ("iris", (150, 4), 3),
                ("digits", (1797, 64), 10),
                ("wine", (178, 13), 3),
                ("breast_cancer", (569, 30), 2),
                ("breast-cancer", (569, 30), 2),
            ]
        ],
    ],
)
def test_built_in_datasets(name, shape, classes):
    d = load_dataset(name)
    assert d.X.shape == shape and len(np.unique(d.y)) == classes and d.task == "classification"


def test_the_seed_sample():
    d = load_dataset("seed")
    assert d.X.tolist() == [[0.05, 0.10]] and d.y.tolist() == [[0.01, 0.99]] and d.task == "regression"


def test_unknown_dataset_is_a_data_error():
    with pytest.raises(DataError, match="no dataset or file"):
        load_dataset("mnist-from-the-internet")


def _csv(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_with_word_labels(tmp_path):
    p = _csv(tmp_path, "a,b,kind\n1,2,cat\n3,4.5,dog\n\n5,6,cat\n")
    X, y, names = read_csv(p, "kind")
    assert X.tolist() == [[1, 2], [3, 4.5], [5, 6]] and y.tolist() == ["cat", "dog", "cat"] and names == ["a", "b"]
    d = load_dataset(str(p), target="kind")
    assert d.task == "classification"


def test_csv_numeric_target_guesses_regression(tmp_path):
    p = _csv(tmp_path, "x,y\n" + "".join(f"{i},{i * 0.37}\n" for i in range(30)))
    assert load_dataset(str(p), target="y").task == "regression"


@pytest.mark.parametrize(
    "text,message",
    [
        ("a,b,t\n1,2,0\n3,4\n", "line 3 has 2 field"),
        ("a,b,t\n1,nan,0\n3,4,1\n", "line 2, column 'b'.*not a finite"),
        ("a,b,t\n1,,0\n3,4,1\n", "line 2, column 'b' is empty"),
        ("a,b,t\n1,x,0\n3,4,1\n", "'x' is not a number"),
        ("a,b,t\n1,2,\n3,4,1\n", "missing target"),
        ("a,b,t\n", "at least one data row"),
    ],
)
def test_bad_csv_gives_one_clear_data_error(tmp_path, text, message):
    with pytest.raises(DataError, match=message) as info:
        read_csv(_csv(tmp_path, text), "t")
    assert "\n" not in str(info.value)


def test_unknown_target_column_lists_the_columns(tmp_path):
    with pytest.raises(DataError, match=r"no column named 'label' \(columns: a, b, t\)"):
        read_csv(_csv(tmp_path, "a,b,t\n1,2,0\n"), "label")


def test_csv_columns_are_picked_by_name(tmp_path):
    X, y, names = read_csv(_csv(tmp_path, "t,b,a\nx,2,1\n"), None, require_target=False, columns=["a", "b"])
    assert X.tolist() == [[1, 2]] and y is None and names == ["a", "b"]


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, suffix):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([7, 1], dtype=np.uint8)
    write_idx(tmp_path / f"img-idx3-ubyte{suffix}", images)
    write_idx(tmp_path / f"lab-idx1-ubyte{suffix}", labels)
    assert np.array_equal(read_idx(tmp_path / f"img-idx3-ubyte{suffix}"), images)
    X, y = load_idx(tmp_path / f"img-idx3-ubyte{suffix}", tmp_path / f"lab-idx1-ubyte{suffix}")
    assert X.shape == (2, 12) and X.max() == 23 / 255 and y.tolist() == [7, 1]
    d = load_dataset(str(tmp_path / f"img-idx3-ubyte{suffix}"), labels=tmp_path / f"lab-idx1-ubyte{suffix}")
    assert d.X.shape == (2, 12)


def test_idx_float_and_errors(tmp_path):
    a = np.linspace(0, 1, 6).reshape(2, 3)
    write_idx(tmp_path / "f.idx", a)
    assert np.array_equal(read_idx(tmp_path / "f.idx"), a)
    (tmp_path / "bad.idx").write_bytes(b"\x01\x02\x03")
    with pytest.raises(DataError, match="bad magic"):
        read_idx(tmp_path / "bad.idx")
    raw = (tmp_path / "f.idx").read_bytes()
    (tmp_path / "short.idx").write_bytes(raw[:-3])
    with pytest.raises(DataError, match="announces"):
        read_idx(tmp_path / "short.idx")
    (tmp_path / "broken.idx.gz").write_bytes(gzip.compress(raw)[:-8])
    with pytest.raises(DataError):
        read_idx(tmp_path / "broken.idx.gz")


@requires("sklearn", "the iris dataset")
def test_split_is_seeded_and_stratified():
    d = load_dataset("iris")
    a = train_test_split(d.X, d.y, 0.2, seed=3)
    b = train_test_split(d.X, d.y, 0.2, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert len(a[1]) == 30 and np.bincount(a[3]).tolist() == [10, 10, 10]
    c = train_test_split(d.X, d.y, 0.2, seed=4)
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("bad", [1.0, 1.5, -0.1, float("nan"), "0.3", True])
def test_a_split_checks_its_test_size_against_the_table(bad):
    """test_size in [0, 1), the table's range (the command line's --test-size reads the same entry)."""
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    with pytest.raises(ConfigError, match="^test size must be ") as err:
        train_test_split(X, y, bad)
    assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="^a test size of 0.0 leaves no samples"):
        train_test_split(X, y, 0.0)  # in the table's range, but a split of nothing


@pytest.mark.parametrize("bad", [1.5, -0.1, float("inf"), "0.1", None])
def test_the_2d_toy_sets_check_their_noise_against_the_table(bad):
    from chainrule.data.toy2d import make_toy2d

    with pytest.raises(ConfigError, match="^noise must be "):
        make_toy2d("circles", 20, bad, seed=0)
    assert make_toy2d("circles", 20, 1, seed=0)[0].shape == (20, 2)  # both ends are in: [0, 1]


def test_standardizer_uses_the_fitted_statistics_only():
    train = np.array([[1.0, 5.0], [3.0, 5.0]])
    s = Standardizer().fit(train)
    assert s.transform(train).tolist() == [[-1.0, 0.0], [1.0, 0.0]]  # a constant column keeps std 1
    assert s.transform([[5.0, 6.0]]).tolist() == [[3.0, 1.0]]


def test_one_hot_and_unseen_labels():
    enc = LabelEncoder().fit(["b", "a", "c", "a"])
    assert enc.one_hot(["c", "a"]).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert enc.decode([1]).tolist() == ["b"]
    with pytest.raises(DataError, match="class label d was not seen"):
        enc.one_hot(["a", "d"])
    with pytest.raises(DataError, match="at least two classes"):
        LabelEncoder().fit([1, 1, 1])


def test_the_2d_toy_sets_load_by_name():
    d = load_dataset("circles")
    assert d.X.shape == (200, 2) and d.y.shape == (200,) and sorted(np.unique(d.y).tolist()) == [0, 1]
    assert load_dataset("xor").X.shape == (4, 2)  # "xor" stays the seed script's four points


@pytest.mark.parametrize("name", ["plane", "bumps"])
def test_the_2d_regression_sets_load_as_values(name):
    """plane and bumps hold a value per point: loaded as classification, 200 distinct floats were
    200 classes (and `train --data plane` stopped on the stratified split)."""
    d = load_dataset(name)
    assert d.task == "regression" and d.y.dtype == np.float64 and len(np.unique(d.y)) > 100
    assert d.target_name == "value"


def test_a_gzip_bomb_idx_is_refused_without_expanding_it(tmp_path, monkeypatch):
    import gzip

    import chainrule.data.idx as idx
    from chainrule import DataError

    monkeypatch.setattr(idx, "MAX_IDX_BYTES", 1 << 20)
    bomb = tmp_path / "bomb-idx1-ubyte.gz"
    bomb.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + (8 << 20).to_bytes(4, "big") + bytes(8 << 20)))
    with pytest.raises(DataError, match="decompresses to more than"):
        idx.read_idx(bomb)


def _old_stratified_split(y, test_size, seed):
    """The stratified split as it was written before issue 25: one pass over the labels per class."""
    from chainrule.core.rng import make_rng

    rng, test = make_rng(seed), []
    labels = np.asarray(y).reshape(len(y), -1)[:, 0] if np.asarray(y).ndim > 1 else np.asarray(y)
    for c in np.unique(labels):
        members = rng.permutation(np.nonzero(labels == c)[0])
        test.extend(members[: int(round(len(members) * test_size))])
    return np.sort(np.asarray(test, dtype=np.intp))


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_the_stratified_split_holds_out_the_same_rows_as_before(seed):
    """Issue 25 made the split one sort instead of a pass per class; every held-out part (what
    evaluate finds again) is the one the per-class loop chose, for numbers, words, one-hot rows."""
    rng = np.random.default_rng(seed)
    for y in (
        rng.integers(0, 5, 97),
        np.array(["b", "a", "c"])[rng.integers(0, 3, 60)],
        rng.integers(0, 40, 300).astype(float),
        np.eye(4)[rng.integers(0, 4, 50)],
    ):
        X = np.arange(len(y))[:, None]
        for share in (0.1, 0.25, 0.5):
            _, X_test, _, _ = train_test_split(X, y, share, seed=seed)
            assert np.array_equal(X_test[:, 0], _old_stratified_split(y, share, seed))


def test_all_distinct_labels_say_what_the_target_looks_like():
    """Issue 25: 100,000 distinct labels took 18 s of CPU (a pass per class) to say "a test size of
    0.25 leaves no samples"; now one sort, and the message names the cause."""
    y = np.array([f"c{i}" for i in range(100_000)])
    X = np.zeros((len(y), 1))
    with pytest.raises(ConfigError, match="100,000 distinct labels among 100,000 samples.*task regression"):
        train_test_split(X, y, 0.25)
