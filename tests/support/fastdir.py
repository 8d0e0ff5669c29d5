"""A scratch folder for fuzzing readers that take a path: in memory (/dev/shm) where the system has
one — the files are real files, only the disk is skipped — else pytest's tmp_path."""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_dir(fallback: Path):
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="chainrule-fuzz-", dir=shm))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        yield fallback
