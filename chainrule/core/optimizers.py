"""Optimizers: in-place updates of the arrays of ``Network.parameters()``.

Each optimizer keeps its state (velocities, moments, step count) as arrays shaped like the
parameters, allocated once, and updates the parameters in place — no allocation per step.

* SGD:       w+ = w − η g
* momentum:  v+ = μ v − η g,  w+ = w + v+
* Nesterov:  v+ = μ v − η g,  w+ = w + μ v+ − η g
* Adam:      m+ = β1 m + (1 − β1) g,  s+ = β2 s + (1 − β2) g²,
             w+ = w − η √(1 − β2ᵗ)/(1 − β1ᵗ) · m+ / (√s+ + ε)

``OPTIMIZERS`` is their registry (name → class); a new optimizer is one subclass of
:class:`Optimizer` registered with :func:`register` (see ``core/registry.py``).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError
from .constraints import check
from .registry import Registry


class Optimizer:
    name = ""
    aliases: tuple[str, ...] = ()
    default_learning_rate = 0.01

    @classmethod
    def from_options(cls, learning_rate: float, momentum: float = 0.9, **options) -> Optimizer:
        """The optimizer :func:`get_optimizer` builds by name (``momentum`` for those that use one)."""
        return cls(learning_rate, **options)

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = check({"learning_rate": learning_rate})["learning_rate"]  # core/constraints.py
        self._scratch: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        raise NotImplementedError

    def descent_rate(self) -> float | None:
        """η when this optimizer's step is plain gradient descent, w+ = w − η g, else ``None``.

        A training loop may then fold the step into the network's weight-gradient products
        (``Network.descend``) instead of asking for the gradients; an optimizer that keeps state
        or needs the gradients themselves (momentum, Adam, any other) answers ``None``.

        Returns
        -------
        float or None
            The learning rate of a plain gradient-descent step; ``None`` for every other update.
        """
        return None

    def _buffers(self, params) -> None:
        if self._scratch is None or len(self._scratch) != len(params):
            self._scratch = [np.empty_like(p) for p in params]

    # ---- state, for checkpoints (plain arrays and numbers; never pickle)
    def state_dict(self) -> dict:
        return {"name": self.name, "learning_rate": self.learning_rate}

    def load_state_dict(self, state: dict) -> None:
        self.learning_rate = float(state["learning_rate"])

    def config(self) -> dict:
        return {"name": self.name, "learning_rate": self.learning_rate}


OPTIMIZERS = Registry("optimizer", Optimizer, required=("step",))


def register(cls: type[Optimizer], *, replace: bool = False) -> type[Optimizer]:
    """Add an :class:`Optimizer` subclass to ``OPTIMIZERS`` (a class decorator); see core/registry.py."""
    return OPTIMIZERS.register(cls, replace=replace)


@register
class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum."""

    name = "sgd"
    momentum_range = "momentum"  # the entry of CONSTRAINTS (core/constraints.py) that μ is checked against

    @classmethod
    def from_options(cls, learning_rate, momentum=0.9, **options):
        return cls(learning_rate)

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check({self.momentum_range: momentum})[self.momentum_range]
        if nesterov and self.momentum == 0:
            raise ConfigError("Nesterov momentum needs a momentum above 0 (e.g. 0.9)")
        self.nesterov = bool(nesterov)
        self.velocities: list[np.ndarray] | None = None
        self.name = "nesterov" if self.nesterov else ("momentum" if self.momentum else "sgd")

    def descent_rate(self) -> float | None:
        """η for plain SGD (no momentum) whose ``step`` is this class's own; ``None`` otherwise."""
        plain = self.momentum == 0.0 and type(self).step is SGD.step
        return self.learning_rate if plain else None

    def step(self, params, grads):
        eta, mu = self.learning_rate, self.momentum
        if mu == 0.0:
            self._buffers(params)
            for w, g, tmp in zip(params, grads, self._scratch):
                np.multiply(g, eta, out=tmp)  # w+ = w − η g
                w -= tmp
            return
        if self.velocities is None:
            self.velocities = [np.zeros_like(p) for p in params]
        self._buffers(params)
        for w, g, v, tmp in zip(params, grads, self.velocities, self._scratch):
            np.multiply(g, eta, out=tmp)
            v *= mu  # v+ = μ v − η g
            v -= tmp
            if self.nesterov:  # w+ = w + μ v+ − η g
                w -= tmp
                np.multiply(v, mu, out=tmp)
                w += tmp
            else:  # w+ = w + v+
                w += v

    def state_dict(self):
        d = super().state_dict()
        d.update(momentum=self.momentum, nesterov=self.nesterov, velocities=self.velocities)
        return d

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.velocities = None if state.get("velocities") is None else [np.array(v) for v in state["velocities"]]

    def config(self):
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}


@register
class Momentum(SGD):
    """SGD with momentum μ."""

    name = "momentum"

    @classmethod
    def from_options(cls, learning_rate, momentum=0.9, **options):
        return cls(learning_rate, momentum)

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9):
        super().__init__(learning_rate, momentum)


@register
class Nesterov(Momentum):
    """SGD with Nesterov momentum μ."""

    name = "nesterov"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9):
        SGD.__init__(self, learning_rate, momentum, nesterov=True)


@register
class Adam(Optimizer):
    name = "adam"
    default_learning_rate = 0.001

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8):
        super().__init__(learning_rate)
        c = check({"beta1": beta1, "beta2": beta2, "epsilon": epsilon})
        self.beta1, self.beta2, self.epsilon = c["beta1"], c["beta2"], c["epsilon"]
        self.t = 0
        self.m: list[np.ndarray] | None = None
        self.s: list[np.ndarray] | None = None

    def step(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.s = [np.zeros_like(p) for p in params]
        self._buffers(params)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        eta_t = self.learning_rate * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        for w, g, m, s, tmp in zip(params, grads, self.m, self.s, self._scratch):
            m *= b1  # m+ = β1 m + (1 − β1) g
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp
            s *= b2  # s+ = β2 s + (1 − β2) g²
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            s += tmp
            np.sqrt(s, out=tmp)  # w+ = w − η_t m+ / (√s+ + ε)
            tmp += self.epsilon
            np.divide(m, tmp, out=tmp)
            tmp *= eta_t
            w -= tmp

    def state_dict(self):
        d = super().state_dict()
        d.update(beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon, t=self.t, m=self.m, s=self.s)
        return d

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.t = int(state["t"])
        self.m = None if state.get("m") is None else [np.array(a) for a in state["m"]]
        self.s = None if state.get("s") is None else [np.array(a) for a in state["s"]]

    def config(self):
        return {**super().config(), "beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}


def get_optimizer(spec="sgd", learning_rate: float | None = None, momentum: float = 0.9, **kwargs) -> Optimizer:
    """An optimizer by name: ``sgd``, ``momentum``, ``nesterov`` or ``adam`` (or itself)."""
    if isinstance(spec, Optimizer):
        return spec
    cls = OPTIMIZERS.lookup(spec)
    lr = cls.default_learning_rate if learning_rate is None else learning_rate
    return cls.from_options(lr, momentum=momentum, **kwargs)
