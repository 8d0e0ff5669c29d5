"""The page's request bodies (pydantic models): every field's type and range, checked before a
route runs, so that a bad value is a 422 with one clear line.

Names of activations, losses and datasets are checked against the core's registries when a request
arrives (one registered at run time counts); numeric ranges come from :mod:`.page_limits` (the
constraint table's, narrowed by the page's caps).  pydantic publishes a model's docstring as its
description in the server's schema (``/api/openapi.json``), so the models say the rest in comments.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, field_validator

from . import choices
from .page_limits import (
    BATCH_SIZE,
    L1,
    L2,
    LEARNING_RATE,
    MAX_PAGE_LAYERS,
    MAX_PAGE_SAMPLES,
    NOISE,
    SEED,
    STEPS,
    TEST_FRACTION,
)

Activation = Annotated[
    str, AfterValidator(choices.check_activation), Field(json_schema_extra=choices.activation_schema)
]
LossName = Annotated[str, AfterValidator(choices.check_loss), Field(json_schema_extra=choices.loss_schema)]
DatasetName = Annotated[str, AfterValidator(choices.check_dataset), Field(json_schema_extra=choices.dataset_schema)]


def check_learning_rate(value: float | None) -> float | None:
    """``value`` if it is None or in the page's range of learning rates, (0, 100].

    Parameters
    ----------
    value : float or None
        The learning rate a request asks for.

    Returns
    -------
    float or None
        ``value`` unchanged.

    Raises
    ------
    ValueError
        One line with the range (pydantic turns it into the 422's message).
    """
    if value is not None and not LEARNING_RATE["gt"] < value <= LEARNING_RATE["le"]:
        raise ValueError(
            f"the learning rate must be above {LEARNING_RATE['gt']:g} and at most "
            f"{LEARNING_RATE['le']:g}, not {value:g}"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DatasetRequest(_Strict):
    """A 2-D toy dataset and the network for it; what is left out comes from the dataset's preset."""

    name: DatasetName
    n: int = Field(200, ge=10, le=MAX_PAGE_SAMPLES)
    noise: float = Field(0.1, **NOISE)
    seed: int = Field(0, **SEED)
    hidden: list[int] | None = Field(None, max_length=MAX_PAGE_LAYERS - 2)
    activation: Activation | None = None
    learning_rate: StrictFloat | None = None  # strict: "0.5" and true are not learning rates
    test_fraction: float = Field(0.0, **TEST_FRACTION)
    batch_size: int | None = Field(None, **BATCH_SIZE)
    l1: float = Field(0.0, **L1)
    l2: float = Field(0.0, **L2)
    _rate = field_validator("learning_rate")(check_learning_rate)


class CreateRequest(_Strict):  # a network file's contents, a 2-D dataset, or neither (the server's network)
    network: dict | None = None  # a network file's contents; checked by the network-file reader
    dataset: DatasetRequest | None = None


class TrainRequest(_Strict):
    steps: int = Field(1, **STEPS)
    view: Literal["full", "frame"] = "full"  # "frame": only what the page redraws while playing
    curve_from: int | None = Field(None, ge=0)  # a frame: the curve's points from this index on (the page has the rest)


class EditRequest(_Strict):
    set: dict[str, StrictFloat] | None = Field(None, max_length=512)  # {"w5": 0.3, "i1": 0.1, "eta": 0.2}
    learning_rate: StrictFloat | None = None  # strict: "0.5" and true are not learning rates
    activation: Activation | list[Activation] | None = None  # one (for every hidden layer), or one per layer
    loss: LossName | None = None
    layers: list[int] | None = Field(None, min_length=2, max_length=MAX_PAGE_LAYERS)
    seed: int | None = Field(None, **SEED)
    batch_size: int | None = Field(None, **BATCH_SIZE)  # the trainer's options, for 2-D datasets
    l1: float | None = Field(None, **L1)
    l2: float | None = Field(None, **L2)
    _rate = field_validator("learning_rate")(check_learning_rate)
    _eta = field_validator("set")(
        lambda value: (
            value if value is None or "eta" not in value else {**value, "eta": check_learning_rate(value["eta"])}
        )
    )  # eta is the learning rate

    @field_validator("activation")
    @classmethod
    def _one_per_layer(cls, value):
        if isinstance(value, list) and not 1 <= len(value) <= MAX_PAGE_LAYERS - 1:
            raise ValueError(f"give one activation name, or a list of one per layer (at most {MAX_PAGE_LAYERS - 1})")
        return value


class Created(BaseModel):  # what POST /api/sessions answers: the new session's id and its full state
    session: str
    state: dict
