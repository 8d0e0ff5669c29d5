"""NumPy, imported when it is first used.

The registries (``activations.py``, ``losses.py``) and the straight-line trainer (``unrolled.py``)
keep their written and scalar forms beside NumPy formulas.  Reading the forms needs no NumPy, and
``chainrule check`` of a small network reads only them (it computes on Python floats), so these
modules bind ``np`` to :data:`np` below: a stand-in that imports NumPy on the first attribute read
and then holds NumPy's own names, so every later ``np.exp`` is an ordinary attribute lookup.
"""

from __future__ import annotations

import types


class _NumPyOnFirstUse(types.ModuleType):
    """A module object that becomes NumPy's namespace the first time a name is read from it."""

    def __getattr__(self, name: str):  # only called for a name not (yet) in this module's namespace
        import numpy

        self.__dict__.update(numpy.__dict__)  # np.exp, np.ndarray, ... from now on found directly
        return getattr(numpy, name)  # and names NumPy itself provides lazily (np.random, ...)


np = _NumPyOnFirstUse("numpy")
