"""Training checkpoints: ``DIR/checkpoint.npz`` after every epoch, written atomically.

It holds everything :meth:`Trainer.state_dict` returns — parameters, optimizer state (velocities,
Adam moments and step count), the random generator's state, history, early-stopping state — plus
the run's settings, so that a resumed run ends with exactly the parameters of an uninterrupted one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import FileFormatError
from ..training.loop import Callback, Trainer
from .npz import load_npz, save_npz

FILENAME = "checkpoint.npz"
_ARRAY_LISTS = ("params", "best_params")
_OPTIMIZER_ARRAYS = ("velocities", "m", "s")


def checkpoint_path(folder) -> Path:
    return Path(folder) / FILENAME


def save_checkpoint(folder, state: dict, settings: dict | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta, arrays = {"format": "chainrule-checkpoint", "version": 1, "settings": settings or {}}, {}
    for key, value in state.items():
        if key in _ARRAY_LISTS:
            meta[key] = _put(arrays, key, value)
        elif key == "optimizer":
            opt = dict(value)
            for name in _OPTIMIZER_ARRAYS:
                if name in opt:
                    opt[name] = _put(arrays, f"optimizer_{name}", opt[name])
            meta["optimizer"] = opt
        else:
            meta[key] = value
    path = checkpoint_path(folder)
    save_npz(path, meta, arrays)
    return path


def load_checkpoint(folder, settings: dict | None = None) -> dict:
    """The state saved in ``folder``; refuses a checkpoint made with other settings."""
    path = checkpoint_path(folder)
    meta, arrays = load_npz(path, "checkpoint")
    if meta.get("format") != "chainrule-checkpoint" or meta.get("version") != 1:
        raise FileFormatError(f"{path}: not a chainrule checkpoint")
    if settings is not None and meta.get("settings") != settings:
        changed = sorted(k for k in set(settings) | set(meta.get("settings") or {})
                         if settings.get(k) != (meta.get("settings") or {}).get(k))
        raise FileFormatError(f"{path} was made with other settings ({', '.join(changed)}); "
                              "resume with the same options or remove the checkpoint")
    state = {k: v for k, v in meta.items() if k not in ("format", "version", "settings")}
    try:
        for key in _ARRAY_LISTS:
            state[key] = _get(arrays, key, state.get(key))
        opt = dict(state["optimizer"])
        for name in _OPTIMIZER_ARRAYS:
            if name in opt:
                opt[name] = _get(arrays, f"optimizer_{name}", opt[name])
        state["optimizer"] = opt
        for key in ("epoch", "rng", "history", "best", "best_epoch", "wait"):
            state[key]
    except (KeyError, TypeError, ValueError) as exc:
        raise FileFormatError(f"{path}: incomplete checkpoint ({exc})") from None
    return state


class Checkpoint(Callback):
    """Save the run's state to ``folder`` at the end of every ``every``-th epoch."""

    def __init__(self, folder, settings: dict | None = None, every: int = 1):
        self.folder, self.settings, self.every = Path(folder), settings, max(1, int(every))

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict) -> None:
        if trainer.epoch % self.every == 0 or trainer.epoch == trainer.epochs or trainer.stop_training:
            save_checkpoint(self.folder, trainer.state_dict(), self.settings)


def _put(arrays: dict, key: str, values):
    if values is None:
        return None
    for i, a in enumerate(values):
        arrays[f"{key}_{i}"] = np.asarray(a)
    return len(values)


def _get(arrays: dict, key: str, count):
    if count is None:
        return None
    return [arrays[f"{key}_{i}"] for i in range(int(count))]
