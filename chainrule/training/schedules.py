"""Learning-rate schedules, as functions of the epoch e (counted from 0).

* constant:           η_e = η
* step:               η_e = η · γ^⌊e / step⌋
* inverse scaling:    η_e = η / (1 + e)^p
"""

from __future__ import annotations

from ..errors import ConfigError

SCHEDULES = ("constant", "step", "invscaling")
ALIASES = {"inverse_scaling": "invscaling", "inv_scaling": "invscaling"}


def canonical(name) -> str:
    """The schedule's name for any accepted spelling (lower case, ``-`` as ``_``, aliases resolved)."""
    key = str(name).strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


class Schedule:
    def __init__(self, name: str = "constant", step_size: int = 10, gamma: float = 0.5, power: float = 0.5):
        key = canonical(name)
        if key not in SCHEDULES:
            raise ConfigError(f"unknown learning-rate schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
        if step_size < 1 or not (0 < gamma <= 1) or power < 0:
            raise ConfigError("schedule needs step_size >= 1, 0 < gamma <= 1 and power >= 0")
        self.name, self.step_size, self.gamma, self.power = key, int(step_size), float(gamma), float(power)

    def __call__(self, eta: float, epoch: int) -> float:
        if self.name == "step":
            return eta * self.gamma ** (epoch // self.step_size)
        if self.name == "invscaling":
            return eta / (1.0 + epoch) ** self.power
        return eta

    def config(self) -> dict:
        return {"name": self.name, "step_size": self.step_size, "gamma": self.gamma, "power": self.power}


def get_schedule(spec) -> Schedule:
    if isinstance(spec, Schedule):
        return spec
    return Schedule("constant" if spec is None else spec)
