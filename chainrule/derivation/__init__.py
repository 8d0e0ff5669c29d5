"""Derivations: one training step's named record (trace), its names (notation), its renderings
(one module per format, registered in :mod:`formats`) and the checking of answers against it.

Five sub-packages, each importing only from itself and those before it in this list (checked by
tests/project/test_architecture.py): ``notation`` ← ``step`` ← ``rendering`` ← ``checking`` ← ``exercises``.

The functions people call are in :mod:`chainrule.api`: ``chainrule.explain``, ``chainrule.check``,
``chainrule.exercise``.
"""
