"""What the page can draw and compute in one request: its own caps, and the ranges its request
bodies accept.

The page draws every neuron and edge, so its networks are small: at most ``MAX_PAGE_LAYERS``
layers (the engine's own limit, ``chainrule.core.constraints.MAX_LAYERS``, is far larger),
``MAX_PAGE_NEURONS`` neurons per layer and ``MAX_PAGE_SAMPLES`` samples.  One request asks for at
most ``MAX_STEPS`` updates and ``MAX_WORK`` updates × parameters, so every answer is quick.

Where a request field is a parameter of the constraint table (``core/constraints.py``), its range
is the table's, narrowed by the page's caps through :func:`~chainrule.core.constraints.limits`:
the learning rate is above 0 (the table) and at most 100 (the page).
"""

from __future__ import annotations

from ..core.constraints import limits
from ..errors import ConfigError

MAX_PAGE_LAYERS = 6  # inputs, up to four hidden layers, outputs
MAX_PAGE_NEURONS = 16  # per layer: the page draws every neuron and edge
MAX_PAGE_SAMPLES = 1000
MAX_STEPS = 5000  # updates per request
MAX_WORK = (
    2_000_000  # updates x batch x parameters per request, to keep every request short (spirals: 1,000 batches of 10)
)
MAX_LEARNING_RATE = 100.0

# the constraint table's ranges, narrowed by the page's caps (pydantic's ge/gt/le/lt)
LEARNING_RATE = limits("learning_rate", le=MAX_LEARNING_RATE)  # {"gt": 0, "le": 100}
SEED = limits("seed", le=2**31 - 1)
BATCH_SIZE = limits("batch_size", le=MAX_PAGE_SAMPLES)
L1, L2 = limits("l1", le=1), limits("l2", le=1)
TEST_FRACTION = limits("test_size", le=0.8)  # held out: the test loss beside the training loss
NOISE = limits("noise")  # a 2-D dataset's noise: the table's [0, 1]
STEPS = limits("iterations", ge=1, le=MAX_STEPS)  # updates per request: at least one


def check_page_size(sizes) -> None:
    """Refuse layer sizes the page cannot draw: more than ``MAX_PAGE_LAYERS`` layers, or a layer of
    more than ``MAX_PAGE_NEURONS`` neurons.

    Parameters
    ----------
    sizes : sequence of int
        The layer sizes, inputs to outputs.

    Raises
    ------
    ConfigError
        One line naming the page's cap and the size asked for.
    """
    if len(sizes) > MAX_PAGE_LAYERS:
        raise ConfigError(
            f"the page draws at most {MAX_PAGE_LAYERS} layers (inputs, hidden, outputs), not {len(sizes)}"
        )
    if max(sizes) > MAX_PAGE_NEURONS:
        raise ConfigError(f"the page draws at most {MAX_PAGE_NEURONS} neurons per layer, not {max(sizes)}")
