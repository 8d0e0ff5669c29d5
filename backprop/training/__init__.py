"""Training loops on the engine."""

from .online import train_online

__all__ = ["train_online"]
