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


def load_checkpoint(folder, settings: dict | None = None, shapes: list[tuple] | None = None) -> dict:
    """The state saved in ``folder``; refuses a checkpoint made with other settings, and one whose
    arrays do not have ``shapes`` (the network's parameter shapes) — checked before inflating them."""
    path = checkpoint_path(folder)
    meta, arrays = load_npz(path, "checkpoint", lambda meta: _layout(meta, shapes))
    if meta.get("format") != "chainrule-checkpoint" or meta.get("version") != 1:
        raise FileFormatError(f"{path}: not a chainrule checkpoint")
    if settings is not None and meta.get("settings") != settings:
        changed = sorted(
            k
            for k in set(settings) | set(meta.get("settings") or {})
            if settings.get(k) != (meta.get("settings") or {}).get(k)
        )
        raise FileFormatError(
            f"{path} was made with other settings ({', '.join(changed)}); "
            "resume with the same options or remove the checkpoint"
        )
    state = {k: v for k, v in meta.items() if k not in ("format", "version", "settings")}
    problem = _bad_field(state)
    if problem:
        raise FileFormatError(f"{path}: damaged checkpoint ({problem})")
    for name, a in arrays.items():
        if not np.isfinite(a).all():
            raise FileFormatError(f"{path}: damaged checkpoint (array {name} holds NaN or infinity)")
    for key in _ARRAY_LISTS:
        state[key] = _get(arrays, key, state.get(key))
    opt = dict(state["optimizer"])
    for name in _OPTIMIZER_ARRAYS:
        if name in opt:
            opt[name] = _get(arrays, f"optimizer_{name}", opt[name])
    state["optimizer"] = opt
    return state


def _count(value) -> bool:
    return type(value) is int and 0 <= value <= 10_000


def _layout(meta: dict, shapes) -> dict:
    """Array names (and shapes, when the network's are known) the checkpoint's metadata calls for."""
    lists = [(key, meta.get(key)) for key in _ARRAY_LISTS]
    opt = meta.get("optimizer")
    if not isinstance(opt, dict):
        raise FileFormatError("damaged checkpoint ('optimizer' is not an object)")
    lists += [(f"optimizer_{name}", opt[name]) for name in _OPTIMIZER_ARRAYS if name in opt]
    out = {}
    for key, count in lists:
        if count is None and key != "params":
            continue
        if not _count(count) or (shapes is not None and count != len(shapes)):
            raise FileFormatError(
                f"damaged checkpoint ('{key}' names {count!r} arrays"
                + (f", the network has {len(shapes)} parameter arrays)" if shapes is not None else ")")
            )
        for i in range(count):
            out[f"{key}_{i}"] = None if shapes is None else tuple(shapes[i])
    return out


def _bad_field(state: dict) -> str | None:
    """What is wrong with the checkpoint's plain fields, or None."""

    def whole(v, least):
        return type(v) is int and v >= least

    if not whole(state.get("epoch"), 0):
        return "'epoch' must be a whole number of at least 0"
    if not whole(state.get("best_epoch"), -1):
        return "'best_epoch' must be a whole number of at least -1"
    if not whole(state.get("wait"), 0):
        return "'wait' must be a whole number of at least 0"
    best = state.get("best")
    if isinstance(best, bool) or not isinstance(best, (int, float)) or best != best or best == float("-inf"):
        return "'best' must be a number"
    for key in ("rng", "history", "optimizer"):
        if not isinstance(state.get(key), dict):
            return f"'{key}' must be an object"
    rng = state["rng"]
    if not isinstance(rng.get("bit_generator"), str) or not isinstance(rng.get("state"), dict):
        return "'rng' is not a random generator's state"
    return None


def restore(trainer: Trainer, folder, settings: dict | None = None) -> bool:
    """Continue ``trainer`` from the checkpoint in ``folder``, if there is one: True when it did.

    Parameters
    ----------
    trainer : Trainer
        The run to continue, built with the same settings as the one that wrote the checkpoint.
    folder : str or os.PathLike
        The checkpoint folder (``DIR`` of ``DIR/checkpoint.npz``).
    settings : dict, optional
        The run's settings; a checkpoint written with other settings is refused.

    Raises
    ------
    FileFormatError
        The checkpoint was made with other settings, or is damaged (its fields, its arrays, or a
        state the trainer cannot take).
    """
    path = checkpoint_path(folder)
    if not path.exists():
        return False
    state = load_checkpoint(folder, settings, [p.shape for p in trainer.params])
    try:
        trainer.load_state_dict(state)
    except (KeyError, TypeError, ValueError, IndexError) as exc:  # a field the checks above let through
        raise FileFormatError(f"{path}: damaged checkpoint ({type(exc).__name__}: {str(exc)[:80]})") from None
    return True


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
