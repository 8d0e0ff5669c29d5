"""IDX files (the MNIST format), plain or gzip-compressed, read from the user's disk.

Header: two zero bytes, a type byte (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float,
0x0E double), the number of dimensions, then each dimension as a big-endian 32-bit integer; then
the values, big-endian.  Images (n, rows, cols) become rows of rows·cols values.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError

MAX_IDX_BYTES = (
    128 << 20
)  # 128 MiB of (decompressed) data, 1 GiB as float64 features: MNIST's training images are 47 MB

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    return _read(path)[0]


def _read(path) -> tuple[np.ndarray, int]:
    """(the array, its IDX type byte); the file is read with a size bound, whatever kind of file it is."""
    from ..io.bounded_read import read_bytes

    path = Path(path)
    raw = read_bytes(path, MAX_IDX_BYTES, "IDX file", DataError)
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, path)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _TYPES:
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    ndim = raw[3]
    if ndim < 1 or len(raw) < 4 + 4 * ndim:
        raise DataError(f"{path}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    if 0 in dims:
        raise DataError(f"{path}: IDX dimensions {' x '.join(map(str, dims))} hold no values (a dimension is 0)")
    dtype = np.dtype(_TYPES[raw[2]])
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize
    body = raw[4 + 4 * ndim :]
    if len(body) != expected:
        raise DataError(f"{path}: IDX header announces {expected} bytes of data, the file holds {len(body)}")
    return np.frombuffer(body, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("=")), raw[2]


def _gunzip(raw: bytes, path) -> bytes:
    """Decompress, stopping at MAX_IDX_BYTES so that a small file cannot expand without bound."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16 + MAX_WBITS: expect a gzip header
    try:
        data = inflater.decompress(raw, MAX_IDX_BYTES + 1)
    except zlib.error as exc:
        raise DataError(f"{path}: broken gzip file ({exc})") from None
    if len(data) > MAX_IDX_BYTES:
        raise DataError(f"{path}: decompresses to more than {MAX_IDX_BYTES:,} bytes; refused")
    if not inflater.eof:
        raise DataError(f"{path}: broken gzip file (it ends before its data does)")
    return data


def load_idx(images, labels):
    """(X, y) from an images file (n, ...) and a labels file (n,); ubyte pixels are scaled to [0, 1]."""
    X, kind = _read(images)
    y = read_idx(labels)
    if y.ndim != 1:
        raise DataError(f"{labels}: a labels file must be one-dimensional, got shape {y.shape}")
    if len(X) != len(y):
        raise DataError(f"{images} holds {len(X)} samples but {labels} holds {len(y)} labels")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise DataError(f"{images}: holds a value that is not a finite number (NaN or infinity)")
    X = X.reshape(len(X), -1).astype(np.float64)
    if kind == 0x08:
        X /= 255.0
    return X, y.astype(np.int64)


def write_idx(path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as IDX (for tests and exports); gzip when the name ends in .gz."""
    array = np.asarray(array)
    kind = next(k for k, v in _TYPES.items() if np.dtype(v).newbyteorder("=") == array.dtype.newbyteorder("="))
    data = bytes([0, 0, kind, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.astype(np.dtype(_TYPES[kind])).tobytes()
    if compress if compress is not None else str(path).endswith(".gz"):
        data = gzip.compress(data)
    Path(path).write_bytes(data)
