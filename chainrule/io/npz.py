"""``.npz`` archives holding named arrays plus one JSON document ("meta"); never pickle.

Reading is bounded before anything is inflated: the file is read with a size limit, the zip's
directory is read first, and every entry is checked against what the metadata says it must be —
its name, its dtype, its shape and its declared size — so that a 2 MB "zip bomb" is refused with
one line instead of being inflated to gigabytes.  No array inflates more than ``MAX_INFLATION``
times its compressed size (real weights compress to about 1.1:1; zeros 1000:1), so what reading a
file costs stays in proportion to the file: a 375 KB archive of 48M zeros is refused, not loaded.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable

import numpy as np

from ..errors import FileFormatError
from .atomic import write_bytes
from .bounded_read import read_bytes

MAX_NPZ_BYTES = 1 << 30  # the file on disk: 50M float64 parameters (MAX_PARAMETERS) are 400 MB
MAX_META_BYTES = 64 << 20  # the JSON metadata (a long history)
HEADER_SLACK = 4096  # bytes an .npy header may take besides the data
MAX_INFLATION = 10  # an array's entry inflates at most 10:1 (real weights: about 1.1:1; zeros: 1000:1)
ENTRY_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold: files are reproducible


def save_npz(path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``meta`` (as JSON) and ``arrays`` to ``path`` as an ``.npz``, atomically.

    The archive is what ``np.savez`` writes (stored, not compressed, zip64 entries), with every
    entry's date fixed to ``ENTRY_DATE`` rather than left to ``zipfile``: the same contents give the
    same bytes whenever they are written (a run and its repetition, the command line and the
    Python call, compare equal).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (see ``atomic.py`` for what happens to one already there).
    meta : dict
        JSON-able metadata, stored as the text entry ``meta``.
    arrays : dict of str to numpy.ndarray
        The arrays, by name.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, value in {"meta": np.array(json.dumps(meta)), **arrays}.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=ENTRY_DATE)
            with archive.open(entry, "w", force_zip64=True) as fp:  # zip64 always, as np.savez (numpy gh-10776)
                np.lib.format.write_array(fp, np.asanyarray(value), allow_pickle=False)
    write_bytes(path, buf.getvalue())


Layout = Callable[[dict], dict]  # meta -> {array name: expected shape (tuple), or None for any}


def load_npz(path, what: str = "file", layout: Layout | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays).  ``layout(meta)`` names the arrays the metadata calls for and their shapes;
    anything else in the archive, or any entry whose size disagrees, is refused before inflating."""
    raw = read_bytes(path, MAX_NPZ_BYTES, what)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise FileFormatError(f"{path}: the archive names an entry twice")
        entries = {n[:-4]: i for n, i in zip(names, infos) if n.endswith(".npy")}
        if len(entries) != len(infos):
            raise FileFormatError(
                f"{path}: the archive holds entries that are not arrays "
                f"({_first(set(names) - {n + '.npy' for n in entries})})"
            )
        if "meta" not in entries:
            raise FileFormatError(f"{path}: not a chainrule {what} (no 'meta' entry)")
        if sum(i.file_size for i in infos) > 2 * MAX_NPZ_BYTES:
            raise FileFormatError(
                f"{path}: its entries declare {sum(i.file_size for i in infos):,} bytes when "
                f"inflated, more than the limit of {2 * MAX_NPZ_BYTES:,}"
            )
        meta = _meta(path, archive, entries["meta"])
        expected = layout(meta) if layout is not None else {n: None for n in entries if n != "meta"}
        unknown = sorted(set(entries) - {"meta"} - set(expected))
        if unknown:
            raise FileFormatError(
                f"{path}: unexpected arrays {', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}"
            )
        missing = sorted(set(expected) - set(entries))
        if missing:
            raise FileFormatError(
                f"{path}: missing arrays {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
            )
        for name, shape in expected.items():  # every header checked before any data is inflated
            _check_header(path, archive, entries[name], name, shape)
        arrays = {}
        for name in expected:
            with archive.open(entries[name]) as fp:
                arrays[name] = np.lib.format.read_array(fp, allow_pickle=False)
    except FileFormatError:
        raise
    except (
        ValueError,
        zipfile.BadZipFile,
        EOFError,
        KeyError,
        OSError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
        MemoryError,
        TypeError,
    ) as exc:  # a damaged archive, whatever part of it is damaged
        raise FileFormatError(
            f"{path}: not a readable {what} (.npz without pickled objects): "
            f"{(str(exc).splitlines() or [type(exc).__name__])[0]}"
        ) from None
    return meta, arrays


def _first(names) -> str:
    return sorted(names)[0] if names else ""


def _header(archive, info):
    with archive.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(fp, max_header_size=HEADER_SLACK)
        return shape, dtype, fp.tell()


def _meta(path, archive, info) -> dict:
    if info.file_size > MAX_META_BYTES:
        raise FileFormatError(f"{path}: its metadata declares {info.file_size:,} bytes, more than {MAX_META_BYTES:,}")
    shape, dtype, _ = _header(archive, info)
    if shape != () or dtype.kind != "U":
        raise FileFormatError(f"{path}: its 'meta' entry is not one text")
    with archive.open(info) as fp:
        text = str(np.lib.format.read_array(fp, allow_pickle=False))
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: its metadata is not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise FileFormatError(f"{path}: its metadata is not readable JSON ({type(exc).__name__})") from None
    if not isinstance(meta, dict):
        raise FileFormatError(f"{path}: its metadata must be a JSON object")
    return meta


def _check_header(path, archive, info, name: str, shape) -> None:
    """Refuse an entry whose dtype is not a float, whose shape is not the one the metadata implies,
    or whose declared size is not its header plus its data."""
    found, dtype, header_size = _header(archive, info)
    if dtype.kind != "f" or dtype.itemsize not in (4, 8):
        raise FileFormatError(f"{path}: array {name!r} holds {dtype}, not floating-point numbers")
    if shape is not None and tuple(found) != tuple(shape):
        raise FileFormatError(f"{path}: array {name!r} has shape {tuple(found)}, the metadata says {tuple(shape)}")
    data = int(np.prod(found, dtype=object)) * dtype.itemsize
    if info.file_size != header_size + data:
        raise FileFormatError(
            f"{path}: array {name!r} declares shape {tuple(found)} ({data:,} bytes) but its entry "
            f"holds {info.file_size - header_size:,}"
        )
    if info.file_size > MAX_INFLATION * max(info.compress_size, 1 << 16):  # what inflating may cost, per file byte
        raise FileFormatError(
            f"{path}: array {name!r} inflates from {info.compress_size:,} to {info.file_size:,} bytes, more than "
            f"{MAX_INFLATION}:1 (real weights compress to about 1.1:1); write it uncompressed, as save_model does"
        )
