"""The library's own exceptions.

Every error a user can cause (a bad file, a wrong shape, a wild hyper-parameter) is raised as a
subclass of ``ChainruleError`` with a message that fits on one line.  The CLI turns any of them
into that line on stderr and exit code 2.
"""


class ChainruleError(Exception):
    """Base class of every error the library raises on purpose.

    Its message fits on one line; the command line prints it after ``chainrule COMMAND: error:``
    and exits with code 2. Catch it to handle any bad input at once.

    Examples
    --------
    >>> import chainrule
    >>> try:
    ...     chainrule.Network([2, 0, 1])
    ... except chainrule.ChainruleError as error:
    ...     print(type(error).__name__, "-", error)
    ConfigError - layer sizes must be positive whole numbers, not 0
    """


class ConfigError(ChainruleError, ValueError):
    """A network, a loss, an activation or a hyper-parameter that cannot be used.

    Also a ``ValueError``.

    Examples
    --------
    >>> import chainrule
    >>> try:
    ...     chainrule.get_activation("sigmod")
    ... except chainrule.ConfigError as error:
    ...     print(error)
    unknown activation 'sigmod'; ...
    """


class ShapeError(ConfigError):
    """Arrays whose shapes do not fit the network (inputs, targets, weights, biases).

    A kind of ``ConfigError``.

    Examples
    --------
    >>> import chainrule
    >>> net = chainrule.seed_network()
    >>> try:
    ...     net.forward([0.05, 0.10, 0.15])
    ... except chainrule.ShapeError as error:
    ...     print(error)
    inputs must have 2 column(s) (one per neuron), got shape (1, 3)
    """


class DataError(ChainruleError, ValueError):
    """Data that cannot be read or used (ragged CSV, NaN, unknown target column, ...).

    Also a ``ValueError``.

    Examples
    --------
    >>> import chainrule
    >>> try:
    ...     chainrule.load_dataset("irises")
    ... except chainrule.DataError as error:
    ...     print(error)
    no dataset or file named 'irises' (built in: xor, seed, iris, ...
    """


class FileFormatError(ChainruleError, ValueError):
    """A file (network, answer sheet, model, checkpoint) that is malformed.

    Also a ``ValueError``. The message names the file and what is wrong with it.

    Examples
    --------
    >>> import chainrule
    >>> with open("net.json", "w") as f:
    ...     _ = f.write('{"layers": [2, 2], "activation": "tanh"')
    >>> try:
    ...     chainrule.read_network_file("net.json")
    ... except chainrule.FileFormatError as error:
    ...     print(error)
    net.json: not valid JSON: ...
    """


class NumericalError(ChainruleError, ArithmeticError):
    """Training produced non-finite numbers (overflow, exploding learning rate, ...).

    Also an ``ArithmeticError``. The parameters from before the failing epoch are kept.

    Examples
    --------
    >>> import chainrule
    >>> net = chainrule.Network([1, 1], "identity", "mse", seed=0)
    >>> try:
    ...     chainrule.fit(net, [[1e150]], [[0.0]], learning_rate=100, epochs=3)
    ... except chainrule.NumericalError as error:
    ...     print(error)
    training diverged in epoch ...: the loss became inf; the learning rate (100) is probably too high ...
    """


class OutputError(ChainruleError, OSError):
    """An output path that cannot or must not be written (a folder, a read-only file, no such folder).

    Also an ``OSError``. Raised before any work is done, so a bad path costs nothing.

    Examples
    --------
    >>> import chainrule
    >>> model = chainrule.train([[0.0], [1.0]] * 10, [0, 1] * 10, hidden=[2], epochs=1)
    >>> try:
    ...     chainrule.save_model(model, "no-such-folder/model.json")
    ... except chainrule.OutputError as error:
    ...     print(error)
    no-such-folder/model.json: ...
    """


class DivergedError(NumericalError, ValueError):
    """Training ended with non-finite weights; also a ``ValueError``, which scikit-learn code catches."""
