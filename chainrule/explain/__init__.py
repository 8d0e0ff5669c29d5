"""Explaining: the named record of one step (trace), its names (notation) and its renderings.

This package is also callable: ``chainrule.explain(network, format=None, only=None, ...)`` is
:func:`chainrule.api.explain_network` (the package and the function share one name, so
the package itself takes the call; ``chainrule.explain.trace`` and the other modules stay reachable).
"""

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, network=None, format=None, only=None, **options):
        """One training step of ``network`` explained; see :func:`chainrule.api.explain_network`."""
        from ..api import explain_network  # the facade at the top of the package

        return explain_network(network, format, only, **options)


sys.modules[__name__].__class__ = _CallableModule
explain = sys.modules[__name__]  # ``from chainrule.explain import explain`` is this callable package
