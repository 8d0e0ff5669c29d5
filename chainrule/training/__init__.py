"""Training loops on the engine: the seed's online loop, mini-batch training, models."""

from .online import train_online

__all__ = ["train_online", "fit", "Trainer", "Callback", "History", "Model", "train", "Progress", "Report"]


def __getattr__(name):
    if name in ("fit", "Trainer", "Callback"):
        from . import loop

        return getattr(loop, name)
    if name == "History":
        from .history import History

        return History
    if name in ("Progress", "Report"):
        from . import progress

        return getattr(progress, name)
    if name in ("Model", "train"):
        from . import model

        return getattr(model, name)
    raise AttributeError(name)
