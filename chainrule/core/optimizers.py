"""Optimizers: in-place updates of the arrays of ``Network.parameters()``.

Each optimizer keeps its state (velocities, moments, step count) as arrays shaped like the
parameters, allocated once, and updates the parameters in place — no allocation per step.  When
the gradients are consecutive pieces of one array (as ``Network.gradients`` lays them out), the
state is kept the same way and each operation of a step runs once over all the parameters instead
of once per parameter: the same operations on the same numbers, so the same bits, in fewer calls.

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

    def __getstate__(self) -> dict:
        """What a copy or a pickle keeps: everything but the flat path's caches (its views would
        come back as separate arrays; the next step makes them again from the state's values)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_flat_seen", "_flat_states")}

    def _flat(self, grads) -> np.ndarray | None:
        """The gradients as one 1-D array when they are its consecutive pieces, else None (kept
        for the same gradient arrays: a training loop passes its workspace's every step)."""
        seen = self.__dict__.get("_flat_seen")
        if seen is None or len(seen[0]) != len(grads) or any(a is not b for a, b in zip(seen[0], grads)):
            seen = self._flat_seen = (list(grads), _consecutive(grads))
        return seen[1]

    def _flat_state(self, name: str, grads, flat: np.ndarray) -> np.ndarray:
        """The state ``self.<name>`` (a list of arrays shaped like the parameters: what checkpoints
        save) as pieces of one array laid out as ``flat`` is, which is returned; made once, from the
        list's values where it holds some (zeros otherwise), and again only if the list is replaced."""
        kept = self.__dict__.setdefault("_flat_states", {}).get(name)
        views = getattr(self, name)
        if (
            kept is not None
            and kept[1] is views
            and kept[0].shape == flat.shape
            and all(v.base is kept[0] for v in views)
        ):
            return kept[0]
        whole = np.zeros_like(flat)
        pieces = _pieces(whole, grads)
        if views is not None and len(views) == len(pieces):
            for piece, value in zip(pieces, views):
                np.copyto(piece, value)
        setattr(self, name, pieces)
        self._flat_states[name] = (whole, pieces)
        return whole

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
        flat = self._flat(grads)
        if flat is not None:
            self._step_flat(params, grads, flat)
            return
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

    def _step_flat(self, params, grads, g: np.ndarray) -> None:
        """The step of ``step``, each operation once over all parameters (``g``: every gradient)."""
        eta, mu = self.learning_rate, self.momentum
        tmp = self._flat_state("_scratch", grads, g)
        np.multiply(g, eta, out=tmp)
        if mu == 0.0:
            for w, t in zip(params, self._scratch):
                w -= t  # w+ = w − η g
            return
        v = self._flat_state("velocities", grads, g)
        v *= mu  # v+ = μ v − η g
        v -= tmp
        if self.nesterov:  # w+ = w + μ v+ − η g
            for w, t in zip(params, self._scratch):
                w -= t
            np.multiply(v, mu, out=tmp)
            for w, t in zip(params, self._scratch):
                w += t
        else:  # w+ = w + v+
            for w, vw in zip(params, self.velocities):
                w += vw

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
        flat = self._flat(grads)
        if flat is not None:
            self._step_flat(params, grads, flat)
            return
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.s = [np.zeros_like(p) for p in params]
        self._buffers(params)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        eta_t = self.learning_rate * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        for w, g, m, s, tmp in zip(params, grads, self.m, self.s, self._scratch):
            _adam_moments_and_step(m, s, g, tmp, b1, b2, self.epsilon, eta_t)
            w -= tmp  # w+ = w − η_t m+ / (√s+ + ε)

    def _step_flat(self, params, grads, g: np.ndarray) -> None:
        """The step of ``step``, each operation once over all parameters (``g``: every gradient)."""
        m, s, tmp = (self._flat_state(name, grads, g) for name in ("m", "s", "_scratch"))
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        eta_t = self.learning_rate * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        _adam_moments_and_step(m, s, g, tmp, b1, b2, self.epsilon, eta_t)
        for w, t in zip(params, self._scratch):
            w -= t  # w+ = w − η_t m+ / (√s+ + ε)

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


def _adam_moments_and_step(m, s, g, tmp, b1: float, b2: float, epsilon: float, eta_t: float) -> None:
    """Adam's moments and step, in place: m+ = β1 m + (1 − β1) g, s+ = β2 s + (1 − β2) g², and
    ``tmp`` = η_t m+ / (√s+ + ε), the amount to take from the weights (one array or all of them flat)."""
    m *= b1
    np.multiply(g, 1.0 - b1, out=tmp)
    m += tmp
    s *= b2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - b2
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += epsilon
    np.divide(m, tmp, out=tmp)
    tmp *= eta_t


def _consecutive(arrays) -> np.ndarray | None:
    """The 1-D array whose consecutive pieces ``arrays`` are, in order and each contiguous, or None."""
    base = arrays[0].base if arrays else None
    if not isinstance(base, np.ndarray) or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    start = end = arrays[0].__array_interface__["data"][0]
    for a in arrays:
        if a.base is not base or a.dtype != base.dtype or not (a.flags.c_contiguous or a.flags.f_contiguous):
            return None
        if a.__array_interface__["data"][0] != end:
            return None
        end += a.nbytes
    first = (start - base.__array_interface__["data"][0]) // base.itemsize
    return base[first : first + (end - start) // base.itemsize]


def _pieces(whole: np.ndarray, like) -> list[np.ndarray]:
    """``whole`` cut in turn into arrays shaped and laid out as the arrays ``like`` are."""
    pieces, start = [], 0
    for a in like:
        order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
        pieces.append(whole[start : start + a.size].reshape(a.shape, order=order))
        start += a.size
    return pieces


def get_optimizer(spec="sgd", learning_rate: float | None = None, momentum: float = 0.9, **kwargs) -> Optimizer:
    """An optimizer by name: ``sgd``, ``momentum``, ``nesterov`` or ``adam`` (or itself)."""
    if isinstance(spec, Optimizer):
        return spec
    cls = OPTIMIZERS.lookup(spec)
    lr = cls.default_learning_rate if learning_rate is None else learning_rate
    return cls.from_options(lr, momentum=momentum, **kwargs)
