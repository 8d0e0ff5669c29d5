"""Derivations: one training step's named record (trace), its names (notation), its renderings
(one module per format, registered in :mod:`formats`) and the checking of answers against it.

The functions people call are in :mod:`chainrule.api`: ``chainrule.explain``, ``chainrule.check``,
``chainrule.exercise``.
"""
