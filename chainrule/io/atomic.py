"""Every file chainrule writes goes through here: ``-o``, ``--save``, ``--history``, ``--export``,
checkpoints, exercise sheets.  What happens to what is already at the path (docs/reliability.md):

* ``-`` and ``/dev/stdout`` write to standard output.
* A regular file (or no file) is replaced atomically: the bytes go to a temporary file in the same
  folder, are flushed and fsync'ed, and the temporary file replaces the target in one
  ``os.replace`` — a crash mid-save leaves the previous file intact.  An existing file keeps its
  permission bits.  Temporary files are named ``.NAME.chainrule-PID-XXXX.tmp``; ones left by a
  process that no longer runs (killed mid-save) are removed on the next save to the same name.
* A symbolic link is followed: the file it points to is replaced atomically, the link is kept —
  except in a sticky world-writable folder (``/tmp``), where a link of another user (other than
  the folder's owner) is refused, and so is a dangling link (Linux's ``protected_symlinks`` rule,
  for every part of the path, whatever the system's setting).
* A character device or FIFO (``/dev/null``, a named pipe, ``/dev/fd/N``) is written to directly,
  never replaced, opened without blocking: a FIFO that nothing reads is refused at once.
  Sockets, block devices and folders are refused.
* A file with other hard links is refused (replacing it would silently separate the names), and so
  is a file the user may not write (read-only), and a name too long for its temporary file's.

:func:`check_output` runs these checks without writing, so that a command can refuse a bad output
path *before* it trains or computes anything.  Every error names the user's path, never a
temporary name.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import sys
import tempfile
from pathlib import Path

from ..errors import OutputError

STDOUT_NAMES = ("-", "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1")
_TMP = "chainrule-"


@functools.cache
def _default_mode() -> int:
    """The mode an ordinary ``open(path, "w")`` would give: 0o666 less the umask (read once:
    reading the umask means setting it, which is not thread-safe)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def is_stdout(path) -> bool:
    return str(path) in STDOUT_NAMES


def _plan(path, option: str = "") -> tuple[str, Path, os.stat_result | None]:
    """("stdout" | "descriptor" | "direct" | "replace", the path to write, its stat or None);
    OutputError if the target cannot or must not be written."""
    label = f"{option} {path}" if option else str(path)

    def refuse(why: str):
        return OutputError(f"{label}: {why}")

    text = str(path)
    if is_stdout(text):
        return "stdout", Path(text), None
    if text == "":
        raise refuse("an empty file name")
    link = os.path.islink(text)
    real = os.path.realpath(text)
    if link and (real.startswith("/proc/") or text.startswith(("/dev/fd/", "/proc/"))):
        return "descriptor", Path(text), None  # /dev/fd/N, /dev/stderr: an open descriptor, not a file
    _check_links(text, refuse)
    target = Path(real) if link else Path(text)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise refuse(f"{target.parent} is not a folder") from None
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    if st is not None and _existing(target, st, refuse) == "direct":
        return "direct", target, st
    _check_folder(target, refuse)
    return "replace", target, st


def _existing(target: Path, st: os.stat_result, refuse) -> str:
    """How an existing target is written: "direct" (a character device or FIFO) or "replace"; refused
    when it is a folder, a socket, a block device, a file with other hard links or a read-only file."""
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise refuse("is a folder; give a file name")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        if not os.access(target, os.W_OK):
            raise refuse("permission denied")
        return "direct"
    if stat.S_ISSOCK(mode) or stat.S_ISBLK(mode):
        raise refuse(f"is a {'socket' if stat.S_ISSOCK(mode) else 'block device'}; refusing to write to it")
    if st.st_nlink > 1:
        raise refuse(
            f"has {st.st_nlink} hard links, and saving would replace this name only; "
            "write to another name or remove the other links first"
        )
    if not os.access(target, os.W_OK) or not st.st_mode & 0o222:  # no w bit: read-only, even for root
        raise refuse("is read-only; change its permissions or choose another name")
    return "replace"


def _check_folder(target: Path, refuse) -> None:
    """The folder a file is replaced in: it exists, may be written, and takes the temporary file's
    name (``.NAME.chainrule-PID-XXXXXXXX.tmp``: about 30 bytes longer than NAME), checked now so
    that a long name is refused before any work rather than after it."""
    folder = target.parent
    if not folder.exists():
        raise refuse(f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise refuse(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise refuse(f"cannot create files in the folder {folder} (permission denied)")
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    longest = len(os.fsencode(_temporary_prefix(target.name))) + len("XXXXXXXX.tmp")
    if longest > name_max:
        raise refuse(
            f"the name is {len(os.fsencode(target.name))} bytes, and the temporary file it is written "
            f"through would be {longest}, more than the folder allows ({name_max}); choose a shorter name"
        )


def _sticky_shared(st: os.stat_result) -> bool:
    """A sticky, world-writable folder (``/tmp``): anyone may plant a link there."""
    return bool(st.st_mode & stat.S_ISVTX and st.st_mode & stat.S_IWOTH)


def _check_links(text: str, refuse) -> None:
    """Linux's ``protected_symlinks`` rule, whatever the system's setting, for every part of the path:
    in a sticky world-writable folder a symbolic link is followed only when it belongs to this user
    or to the folder's owner (another user's link may point at this user's files), and nothing is
    created there through a dangling link."""
    parts, folder, hops = list(Path(os.path.abspath(text)).parts[1:]), Path("/"), 0
    while parts:
        part = parts.pop(0)
        here = folder / part
        try:
            st = os.lstat(here)
        except OSError:
            return  # nothing there: nothing further to follow
        if not stat.S_ISLNK(st.st_mode):
            folder = here
            continue
        hops += 1
        if hops > 40:
            raise refuse("too many levels of symbolic links")
        shared = _sticky_shared(os.stat(folder))
        if shared and st.st_uid not in (os.geteuid(), os.stat(folder).st_uid):
            raise refuse(
                f"{here} is a symbolic link of another user (uid {st.st_uid}) in the sticky world-writable "
                f"folder {folder}; refusing to follow it"
            )
        if shared and not os.path.exists(here):
            raise refuse(
                f"{here} is a dangling symbolic link in the sticky world-writable folder {folder}; "
                "refusing to create a file through it"
            )
        target = os.readlink(here)
        parts = [*Path(target).parts[1 if os.path.isabs(target) else 0 :], *parts]
        folder = Path("/") if os.path.isabs(target) else folder


def check_output(path, option: str = "") -> None:
    """Refuse now, before any work, an output path that could not be written (``option``, such as
    ``--save``, starts the message)."""
    if path is not None:
        _plan(path, option)


def check_outputs(outputs: dict, inputs: dict | None = None) -> None:
    """Refuse, before any work, an output that could not be written (:func:`check_output`), one that
    is an input, and two outputs that are one file — by any spelling: ``./m.json`` and ``m.json``, a
    symbolic link and its target, two hard links.

    Parameters
    ----------
    outputs : dict of str to path or None
        The outputs, by how messages name them (``{"--save": "m.json", "--history": None}``).
    inputs : dict of str to path or None, optional
        The files the work reads (``{"--data": "d.csv"}``); names that are no file (a data set's
        name such as ``iris``) and standard input are left out.

    Raises
    ------
    OutputError
        An output that cannot be written.
    ConfigError
        An output that is an input or another output.
    """
    from ..errors import ConfigError

    seen = []  # (label, path, what makes it one file)
    for label, path in (inputs or {}).items():
        if path is not None and not is_stdout(path) and os.path.exists(path):
            seen.append((label, path, _identity(path)))
    for label, path in outputs.items():
        if path is None or is_stdout(path):
            continue
        key = _identity(path)
        for other, other_path, other_key in seen:
            if key is not None and key == other_key:
                if other in (inputs or {}):
                    raise ConfigError(
                        f"{label} {path} is the file {other} {other_path} reads: writing it would destroy "
                        "that input; give another name"
                    )
                raise ConfigError(f"{other} and {label} both name {path}; give them different files")
        seen.append((label, path, key))
    for label, path in outputs.items():
        check_output(path, label)


def _identity(path) -> tuple | None:
    """What makes two paths one file: its device and inode when it exists (so a symbolic or hard link
    is its target), else the path it would be created at; None for a character device
    (``/dev/null``), which writing never replaces."""
    try:
        st = os.stat(path)
    except OSError:
        return ("new", os.path.realpath(path))
    return None if stat.S_ISCHR(st.st_mode) else ("file", st.st_dev, st.st_ino)


def check_output_folder(folder, option: str = "") -> None:
    """Refuse a folder that cannot be created or written into (``--checkpoint DIR``, ``exercise --out``)."""
    label = f"{option} {folder}" if option else str(folder)
    folder = Path(folder)
    if folder.exists():
        if not folder.is_dir():
            raise OutputError(f"{label}: exists and is not a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"{label}: cannot create files in it (permission denied)")
        return
    parent = folder.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{label}: cannot create the folder (no permission in {parent})")


def write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` as described in this module's docstring."""
    kind, target, st = _plan(path)
    try:
        if kind == "stdout":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        elif kind in ("direct", "descriptor"):
            _write_directly(target, data, follow=kind == "descriptor", label=str(path))
        else:
            _replace(target, data, st)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_directly(target: Path, data: bytes, follow: bool, label: str) -> None:
    """Write to a character device or FIFO without replacing it: opened without blocking (a FIFO
    that no one reads is refused at once, not waited on) and without following a link planted since
    it was checked (``O_NOFOLLOW``; an open descriptor's ``/dev/fd/N`` is a link by nature)."""
    flags = os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO with no reader
            raise OutputError(f"{label}: a named pipe that nothing reads; refusing to wait for a reader") from None
        raise
    os.set_blocking(fd, True)  # a reader is there: write everything
    with open(fd, "wb") as f:
        f.write(data)


def write_text(path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def _replace(path: Path, data: bytes, st: os.stat_result | None) -> None:
    folder = path.parent
    _remove_stale(folder, path.name)
    fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(path.name), suffix=".tmp", dir=folder)
    try:
        # mkstemp makes 0600; keep an existing file's bits, else what open() would give
        os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else _default_mode())
        if st is not None:
            try:
                os.fchown(fd, st.st_uid, st.st_gid)  # only root may give a file away: best effort
            except OSError:
                pass
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


def _temporary_prefix(name: str) -> str:
    """The temporary file's name before its random part: ``.NAME.chainrule-PID-``."""
    return f".{name}.{_TMP}{os.getpid()}-"


def _remove_stale(folder: Path, name: str) -> None:
    """Remove ``.NAME.chainrule-PID-*.tmp`` files whose process no longer runs (killed mid-save)."""
    prefix = f".{name}.{_TMP}"
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
