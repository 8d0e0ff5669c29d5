"""Every file chainrule reads is read through :func:`read_bytes`: whole, but never more than a limit.

A regular file's size is checked before reading; a FIFO, a device (``/dev/zero``), ``/dev/stdin``
or a process substitution (``<(cmd)``) has no size to check, so it is read in chunks and refused
as soon as it passes the limit — memory stays bounded whatever the path is.  Files are opened
without blocking, so a named pipe that nothing writes to is refused at once, not waited on.  Each reader states
its limit (docs/reliability.md lists them).
"""

from __future__ import annotations

import io
import json
import os
import stat

from ..errors import ChainruleError, ConfigError, FileFormatError

CHUNK = 1 << 20


def read_bytes(path, limit: int, what: str = "file", error: type[ChainruleError] = FileFormatError) -> bytes:
    """The bytes of ``path``, or ``error`` with one line: no such file, a folder, more than ``limit`` bytes;
    a ConfigError line for something that is not a path at all (a dict, a number)."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise ConfigError(f"{_a(what)} is read from a path (a str or os.PathLike), not a {type(path).__name__}")
    shown = str(path)
    st = _stat(path, what, error)
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise error(f"{shown}: {st.st_size:,} bytes is larger than the limit of {limit:,} for {_a(what)}")
    chunks, size = [], 0
    try:
        with _open(path) as f:
            while True:
                chunk = f.read(min(CHUNK, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise error(
                        f"{shown}: more than the limit of {limit:,} bytes for {_a(what)} "
                        "(it is not a regular file; read stopped there)"
                    )
    except OSError as exc:
        raise error(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    if size == 0 and stat.S_ISFIFO(st.st_mode):
        raise error(f"{shown}: a named pipe that nothing writes to (nothing to read)")
    return b"".join(chunks)


def _open(path):
    """``path`` opened for reading, unbuffered, without waiting for a FIFO's writer (``O_NONBLOCK``:
    a named pipe that nothing writes to reads as empty at once instead of blocking in ``open``);
    reads then block as usual, for a writer that is there."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        os.set_blocking(fd, True)
    except OSError:
        os.close(fd)
        raise
    return open(fd, "rb", buffering=0)


def read_text(path, limit: int, what: str = "file", error: type[ChainruleError] = FileFormatError) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a byte-order mark is dropped)."""
    raw = read_bytes(path, limit, what, error)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}); is it {_a(what)}?") from None


class _Bounded(io.RawIOBase):
    """A file read through a byte budget: reading past ``limit`` bytes raises ``error``."""

    def __init__(self, f, limit: int, fail):
        self.f, self.left, self.fail = f, limit, fail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.f.readinto(memoryview(buffer)[: max(1, min(len(buffer), self.left + 1))])
        self.left -= n or 0
        if self.left < 0:
            raise self.fail()
        return n

    def close(self) -> None:
        self.f.close()
        super().close()


def open_text(path, limit: int, what: str = "file", error: type[ChainruleError] = FileFormatError):
    """A text stream (UTF-8, BOM dropped, newlines kept for the csv module) of ``path`` that raises
    ``error`` once more than ``limit`` bytes have been read — for readers that go line by line."""
    shown = str(path)
    st = _stat(path, what, error)
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise error(f"{shown}: {st.st_size:,} bytes is larger than the limit of {limit:,} for {_a(what)}")
    try:
        raw = _open(path)
    except OSError as exc:
        raise error(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    bounded = _Bounded(
        raw,
        limit,
        lambda: error(
            f"{shown}: more than the limit of {limit:,} bytes for {_a(what)} "
            "(it is not a regular file; read stopped there)"
        ),
    )
    return io.TextIOWrapper(io.BufferedReader(bounded, CHUNK), encoding="utf-8-sig", newline="")


def _a(what: str) -> str:
    """``what`` with its article: "a network file", "an answer sheet", "an IDX file"."""
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


def _stat(path, what: str, error):
    shown = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"{shown}: no such file") from None
    except NotADirectoryError:
        raise error(f"{shown}: no such file (a part of the path is not a folder)") from None
    except OSError as exc:
        raise error(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{shown}: is a folder, not {_a(what)}")
    return st


def loads_json(text: str):
    """``json.loads`` that refuses what JSON readers let through: the constants NaN/Infinity and a key
    written twice in one object (ValueError, which each reader turns into its own one-line error)."""
    return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_duplicate_keys)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a finite number")


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the key {next(k for k in keys if keys.count(k) > 1)!r} appears twice")
    return dict(pairs)
