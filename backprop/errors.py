"""The library's own exceptions.

Every error a user can cause (a bad file, a wrong shape, a wild hyper-parameter) is raised as a
subclass of :class:`BackpropError` with a message that fits on one line.  The CLI turns any of them
into that line on stderr and exit code 2.
"""


class BackpropError(Exception):
    """Base class of every error the library raises on purpose."""


class ConfigError(BackpropError, ValueError):
    """A network, a loss, an activation or a hyper-parameter that cannot be used."""


class ShapeError(ConfigError):
    """Arrays whose shapes do not fit the network (inputs, targets, weights, biases)."""


class DataError(BackpropError, ValueError):
    """Data that cannot be read or used (ragged CSV, NaN, unknown target column, ...)."""


class FileFormatError(BackpropError, ValueError):
    """A file (network, answer sheet, model, checkpoint) that is malformed."""


class NumericalError(BackpropError, ArithmeticError):
    """Training produced non-finite numbers (overflow, exploding learning rate, ...)."""
