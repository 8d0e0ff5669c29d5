"""One registry per extension point: a table of name → class that the rest of the library reads.

``ACTIVATIONS``, ``LOSSES`` and ``OPTIMIZERS`` are :class:`Registry` objects (dicts of name →
class).  A new activation, loss or optimizer is one class carrying everything about itself,
registered with its module's ``register`` decorator; every list of choices — the CLI's, the
web schema's, the page's — and every per-kind mapping (PyTorch, the initialiser, the metrics) is
read from the class, so nothing else needs editing::

    from chainrule.core.activations import Activation, register

    @register
    class Softsign(Activation):
        name = "softsign"
        ...

Registering checks that the class has what its kind requires (a name, its written forms, its
methods) and raises :class:`~chainrule.errors.ConfigError` naming what is missing.
"""

from __future__ import annotations

import re

from ..errors import ConfigError

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class Registry(dict):
    """name → class for one kind of thing (``"activation"``, ``"loss"``, ``"optimizer"``).

    ``required`` lists the attributes every registered class must set (non-empty) and the methods
    it must define itself rather than inherit from ``base``.
    """

    def __init__(self, kind: str, base: type, required: tuple[str, ...] = ()):
        super().__init__()
        self.kind, self.base, self.required = kind, base, required
        self.aliases: dict[str, str] = {}  # other spellings → name (read from each class's ``aliases``)

    def register(self, cls: type, *, replace: bool = False) -> type:
        """Add ``cls`` under ``cls.name`` (and its ``aliases``); returns ``cls``, so it is a decorator."""
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise ConfigError(f"a registered {self.kind} must be a subclass of {self.base.__name__}, not {cls!r}")
        name = cls.__dict__.get("name", getattr(cls, "name", None))
        if not (isinstance(name, str) and _NAME.match(name)):
            raise ConfigError(
                f"{self.kind} class {cls.__name__} needs a name of lower-case letters, digits and _, not {name!r}"
            )
        if (name in self or name in self.aliases) and not replace:
            raise ConfigError(f"there is already a {self.kind} named {name!r} (pass replace=True to replace it)")
        missing = [attr for attr in self.required if not self._has(cls, attr)]
        if missing:
            raise ConfigError(f"{self.kind} class {cls.__name__} does not define {', '.join(missing)}")
        self.unregister(name)
        self[name] = cls
        for alias in getattr(cls, "aliases", ()):
            self.aliases[alias] = name
        return cls

    def unregister(self, name: str) -> None:
        """Remove ``name`` and its aliases (nothing happens if it is not registered)."""
        self.pop(name, None)
        for alias in [a for a, target in self.aliases.items() if target == name]:
            del self.aliases[alias]

    def canonical(self, spec: str) -> str:
        """The registered name for a spelling: lower case, ``-`` as ``_``, aliases resolved."""
        key = str(spec).strip().lower().replace("-", "_")
        return self.aliases.get(key, key)

    def lookup(self, spec: str) -> type:
        """The class registered under ``spec`` (any accepted spelling), or one ConfigError line."""
        key = self.canonical(spec)
        if key not in self:
            raise ConfigError(f"unknown {self.kind} {spec!r}; choose one of {', '.join(self)}")
        return self[key]

    def _has(self, cls: type, attr: str) -> bool:
        value = getattr(cls, attr, None)
        if callable(value) and not isinstance(value, type):
            return value is not getattr(self.base, attr, None)  # a method: defined, not inherited from the base
        return value not in (None, "", ())
