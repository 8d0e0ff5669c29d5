"""History files: a run's loss and metrics per epoch (or iteration) as one JSON object.

``{"unit": "epoch", "loss": [...], "val_loss": [...], "accuracy": [...]}``, the format
``chainrule plot`` reads; written atomically, like every file chainrule writes (``atomic.py``).
"""

from __future__ import annotations

import json

from ..training.history import History
from . import atomic


def save_history(history: History, path) -> None:
    """Write ``history`` to ``path`` as one line of JSON (``null`` for a value that is not finite).

    Parameters
    ----------
    history : History
        The series to write, such as ``model.history``.
    path : str or os.PathLike
        The file (``-`` for standard output).
    """
    atomic.write_text(path, json.dumps(history.to_dict()) + "\n")
