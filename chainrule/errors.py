"""The library's own exceptions.

Every error a user can cause (a bad file, a wrong shape, a wild hyper-parameter) is raised as a
subclass of :class:`ChainruleError` with a message that fits on one line.  The CLI turns any of them
into that line on stderr and exit code 2.
"""


class ChainruleError(Exception):
    """Base class of every error the library raises on purpose."""


class ConfigError(ChainruleError, ValueError):
    """A network, a loss, an activation or a hyper-parameter that cannot be used."""


class ShapeError(ConfigError):
    """Arrays whose shapes do not fit the network (inputs, targets, weights, biases)."""


class DataError(ChainruleError, ValueError):
    """Data that cannot be read or used (ragged CSV, NaN, unknown target column, ...)."""


class FileFormatError(ChainruleError, ValueError):
    """A file (network, answer sheet, model, checkpoint) that is malformed."""


class NumericalError(ChainruleError, ArithmeticError):
    """Training produced non-finite numbers (overflow, exploding learning rate, ...)."""


class OutputError(ChainruleError, OSError):
    """An output path that cannot or must not be written (a folder, a read-only file, no such folder)."""


class DivergedError(NumericalError, ValueError):
    """Training ended with non-finite weights; also a ``ValueError``, which scikit-learn code catches."""
