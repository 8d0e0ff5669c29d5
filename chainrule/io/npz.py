"""``.npz`` archives holding named arrays plus one JSON document ("meta"); never pickle."""

from __future__ import annotations

import io
import json
import zipfile
import zlib

import numpy as np

from ..errors import FileFormatError
from .atomic import write_bytes


def save_npz(path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)
    write_bytes(path, buf.getvalue())


def load_npz(path, what: str = "file") -> tuple[dict, dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            _check_sizes(path, archive)
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, zipfile.BadZipFile, EOFError, KeyError, OSError, NotImplementedError, RuntimeError,
            zlib.error, MemoryError) as exc:  # a damaged archive, whatever part of it is damaged
        raise FileFormatError(f"{path}: not a readable {what} (.npz without pickled objects): {(str(exc).splitlines() or [type(exc).__name__])[0]}") from None
    if "meta" not in arrays or arrays["meta"].dtype.kind != "U" or arrays["meta"].ndim != 0:
        raise FileFormatError(f"{path}: not a chainrule {what} (no 'meta' entry)")
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: its metadata is not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise FileFormatError(f"{path}: its metadata is not readable JSON ({type(exc).__name__})") from None
    if not isinstance(meta, dict):
        raise FileFormatError(f"{path}: its metadata must be a JSON object")
    return meta, arrays


def _check_sizes(path, archive) -> None:
    """Refuse, before allocating it, an array whose header declares more data than the file holds."""
    for name in archive.files:
        info = archive.zip.getinfo(name + ".npy")
        with archive.zip.open(info) as fp:
            version = np.lib.format.read_magic(fp)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(fp)
        if int(np.prod(shape, dtype=object)) * dtype.itemsize > info.file_size:
            raise FileFormatError(f"{path}: array {name!r} declares shape {shape}, more than the file holds")
