"""Atomic file writes: a crash mid-save leaves the previous file intact.

The bytes go to a temporary file in the same folder, are flushed and fsync'ed, and the temporary
file then replaces the target in one ``os.replace``.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path


@functools.cache
def _default_mode() -> int:
    """The mode an ordinary ``open(path, "w")`` would give: 0o666 less the umask (read once:
    reading the umask means setting it, which is not thread-safe)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes(path, data: bytes) -> None:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, _default_mode())  # mkstemp makes 0600; a saved page or model is shareable
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def write_text(path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
