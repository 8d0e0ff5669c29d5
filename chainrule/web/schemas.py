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


def check_hidden(value: list[int] | None) -> list[int] | None:
    """``value`` if it is None or at most ``MAX_PAGE_LAYERS - 2`` hidden layers (one line otherwise)."""
    if value is not None and len(value) > MAX_PAGE_LAYERS - 2:
        raise ValueError(f"the page draws at most {MAX_PAGE_LAYERS - 2} hidden layers, not {len(value)}")
    return value


def check_layers(value: list[int] | None) -> list[int] | None:
    """``value`` if it is None or inputs, at most ``MAX_PAGE_LAYERS - 2`` hidden layers and outputs."""
    if value is not None:
        if len(value) < 2:
            raise ValueError("give the layer sizes from the inputs to the outputs, at least two")
        check_hidden(value[1:-1])
    return value


def check_features(value: list[str] | None) -> list[str] | None:
    """``value`` if it is None or input features of the 2-D plane, each once (one line otherwise)."""
    if value is not None:
        from ..data.features import check_features as known
        from ..errors import ConfigError

        try:
            known(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
    return value


class DatasetRequest(_Strict):
    """A 2-D toy dataset and the network for it; what is left out comes from the dataset's preset."""

    name: DatasetName
    n: int = Field(200, ge=10, le=MAX_PAGE_SAMPLES)
    noise: float = Field(0.1, **NOISE)
    seed: int = Field(0, **SEED)
    hidden: Annotated[list[int] | None, AfterValidator(check_hidden)] = Field(None, max_length=64)
    features: Annotated[list[str] | None, AfterValidator(check_features)] = Field(None, max_length=16)
    activation: Activation | None = None
    loss: LossName | None = None
    learning_rate: StrictFloat | None = None  # strict: "0.5" and true are not learning rates
    test_fraction: float = Field(0.0, **TEST_FRACTION)
    batch_size: int | None = Field(None, **BATCH_SIZE)
    l1: float = Field(0.0, **L1)
    l2: float = Field(0.0, **L2)
    _rate = field_validator("learning_rate")(check_learning_rate)


class ResumeRequest(_Strict):  # where a page left off (a reload, a restarted server): see SessionModel.resume
    network: dict | None = None  # the network file of the network as the page last had it (its samples: the session's)
    iteration: int = Field(0, ge=0, le=10**15)  # the updates it had
    curve: list[list[float]] | None = Field(None, max_length=4096)  # its loss curve so far
    batch_size: int | None = Field(None, **BATCH_SIZE)  # the trainer's options, for 2-D datasets
    l1: float | None = Field(None, **L1)
    l2: float | None = Field(None, **L2)

    @field_validator("curve")
    @classmethod
    def _points(cls, value):
        if value is not None and any(len(p) not in (2, 3) or p[0] < 0 or p[0] != int(p[0]) for p in value):
            raise ValueError("each curve point is [update, loss] or [update, loss, test loss]")
        return value


class CreateRequest(_Strict):  # a network file's contents, a 2-D dataset, or neither (the server's network)
    network: dict | None = None  # a network file's contents; checked by the network-file reader
    dataset: DatasetRequest | None = None
    resume: ResumeRequest | None = None  # then carry on from where a page left off


class TrainRequest(_Strict):
    steps: int = Field(1, **STEPS)
    view: Literal["full", "frame"] = "full"  # "frame": only what the page redraws while playing
    curve_from: int | None = Field(None, ge=0)  # a frame: the curve's points from this index on (the page has the rest)


class EditRequest(_Strict):
    set: dict[str, StrictFloat] | None = Field(None, max_length=512)  # {"w5": 0.3, "i1": 0.1, "eta": 0.2}
    learning_rate: StrictFloat | None = None  # strict: "0.5" and true are not learning rates
    activation: Activation | list[Activation] | None = None  # one (for every hidden layer), or one per layer
    loss: LossName | None = None
    layers: Annotated[list[int] | None, AfterValidator(check_layers)] = Field(None, max_length=64)
    seed: int | None = Field(None, **SEED)  # fresh weights drawn with this seed (with or without new layers)
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
