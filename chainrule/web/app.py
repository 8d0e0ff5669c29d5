"""The local web app: the interactive page and its typed JSON API (FastAPI).

    GET  /                                  the page
    GET  /static/NAME                       its own assets (a fixed list; nothing else is served)
    POST /api/sessions                      a new session: the server's network, one sent, or a 2-D dataset
    GET  /api/sessions/ID                   the state: layout, trace of the next update, loss curve, ...
    POST /api/sessions/ID/train             {"steps": N}: N updates of the engine
                                            ("view": "frame": only what play redraws)
    POST /api/sessions/ID/edit              {"set": {"w5": 0.3}, "learning_rate": .., "activation": ..,
                                             "loss": .., "layers": [..]}
    POST /api/sessions/ID/reset             back to the network as loaded
    GET  /api/sessions/ID/formula?name=w5+  one worked formula of the next update, as MathML
    GET  /api/sessions/ID/network.json      the network as it is now, as a network file

Every request body is checked (422 with one clear line), bad values for the engine give 400,
bodies over ``MAX_BODY`` bytes give 413; every session has its own network and lock.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, field_validator

from ..core.constraints import limits
from ..errors import ChainruleError
from . import choices
from .dataset_sessions import create_dataset_session
from .page_limits import MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES, MAX_STEPS
from .sessions import Session, SessionStore

MAX_BODY = 256 * 1024
# names checked against the core's registries when a request arrives (one registered at run time counts)
Activation = Annotated[
    str, AfterValidator(choices.check_activation), Field(json_schema_extra=choices.activation_schema)
]
LossName = Annotated[str, AfterValidator(choices.check_loss), Field(json_schema_extra=choices.loss_schema)]
MAX_LEARNING_RATE = 100.0
# the ranges are the constraint table's (core/constraints.py), narrowed by the page's own caps
LEARNING_RATE = limits("learning_rate", le=MAX_LEARNING_RATE)  # {"gt": 0, "le": 100}
SEED = limits("seed", le=2**31 - 1)
BATCH_SIZE = limits("batch_size", le=MAX_PAGE_SAMPLES)
L1, L2 = limits("l1", le=1), limits("l2", le=1)


def _learning_rate(value: float | None) -> float | None:
    if value is not None and not LEARNING_RATE["gt"] < value <= LEARNING_RATE["le"]:
        raise ValueError(
            f"the learning rate must be above {LEARNING_RATE['gt']:g} and at most "
            f"{LEARNING_RATE['le']:g}, not {value:g}"
        )
    return value


TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DatasetRequest(_Strict):
    """A 2-D toy dataset and the network for it; what is left out comes from the dataset's preset."""

    name: Annotated[str, AfterValidator(choices.check_dataset), Field(json_schema_extra=choices.dataset_schema)]
    n: int = Field(200, ge=10, le=MAX_PAGE_SAMPLES)
    noise: float = Field(0.1, ge=0, le=1)
    seed: int = Field(0, **SEED)
    hidden: list[int] | None = Field(None, max_length=4)
    activation: Activation | None = None
    learning_rate: StrictFloat | None = None  # strict: "0.5" and true are not learning rates
    test_fraction: float = Field(0.0, **limits("test_size", le=0.8))  # held out: the test loss beside the training loss
    batch_size: int | None = Field(None, **BATCH_SIZE)
    l1: float = Field(0.0, **L1)
    l2: float = Field(0.0, **L2)
    _rate = field_validator("learning_rate")(_learning_rate)


class CreateRequest(_Strict):
    network: dict | None = None  # a network file's contents; checked by the network-file reader
    dataset: DatasetRequest | None = None


class TrainRequest(_Strict):
    steps: int = Field(1, ge=1, le=MAX_STEPS)
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
    _rate = field_validator("learning_rate")(_learning_rate)
    _eta = field_validator("set")(
        lambda value: value if value is None or "eta" not in value else {**value, "eta": _learning_rate(value["eta"])}
    )  # eta is the learning rate

    @field_validator("activation")
    @classmethod
    def _one_per_layer(cls, value):
        if isinstance(value, list) and not 1 <= len(value) <= MAX_PAGE_LAYERS - 1:
            raise ValueError(f"give one activation name, or a list of one per layer (at most {MAX_PAGE_LAYERS - 1})")
        return value


class Created(BaseModel):
    session: str
    state: dict


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes (413), declared or streamed."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = _error(413, f"request body larger than {self.limit:,} bytes")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await too_big(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooBig()
            return message

        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooBig:
            if not started:
                await too_big(scope, receive, send)


class _TooBig(Exception):
    pass


def _assets() -> dict[str, bytes]:
    """The page's own files, read once from the package (nothing outside this list is served)."""
    folder = resources.files("chainrule.web") / "static"
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file() and f.name[0] not in "._"}


_TYPE_TAG = re.compile(r"str|int|float|bool|list\[.*\]|dict\[.*\]|[\w-]+\[.*\]")


def _first_line(exc: RequestValidationError) -> str:
    errors = exc.errors()
    err = next((e for e in errors if e.get("type") == "value_error"), errors[0])  # our own words first
    # the field's path, without pydantic's names for the members of a union ("str", "function-after[...]")
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body" and not _TYPE_TAG.fullmatch(str(p))) or "body"
    fields = {tuple(e.get("loc", ()))[:2] for e in errors}  # a union's members' errors count once
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    msg = err.get("msg", "invalid").removeprefix("Value error, ")  # our own checks' words, as written
    return f"{where}: {msg}{more}"


class UnknownSession(Exception):
    """The path's session id is not in the store (never made, or dropped as least recently used)."""


async def path_session(sid: str, request: Request) -> Session:
    """The dependency every ``/api/sessions/{sid}`` route declares: that session, or a 404 (async: a
    look-up under the store's short lock, on the event loop rather than a worker thread)."""
    session = request.app.state.store.get(sid)
    if session is None:
        raise UnknownSession(sid)
    return session


SessionOf = Annotated[Session, Depends(path_session)]


def create_app(initial_spec: dict | None = None, session_limit: int = 1000) -> FastAPI:
    """The app, serving ``initial_spec`` (a network file's contents; default the seed's) to new sessions."""
    store = SessionStore(initial_spec, session_limit)
    assets = _assets()
    app = FastAPI(title="chainrule", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return _error(422, _first_line(exc))

    @app.exception_handler(ChainruleError)
    async def _bad_value(request: Request, exc: ChainruleError):
        return _error(400, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    @app.exception_handler(UnknownSession)
    async def _unknown_session(request: Request, exc: UnknownSession):
        return _error(404, "unknown or expired session; reload the page")

    @app.exception_handler(404)
    async def _not_found(request: Request, exc):
        return _error(404, "not found")

    @app.exception_handler(405)
    async def _not_allowed(request: Request, exc):
        return _error(405, "method not allowed")

    @app.exception_handler(400)
    async def _unreadable(request: Request, exc):  # e.g. a body JSON cannot parse (deep nesting, 5000 digits)
        return _error(400, "the request body is not readable JSON")

    def asset(name: str) -> Response:
        if name not in assets:
            return _error(404, "not found")
        suffix = name[name.rfind(".") :]
        return Response(assets[name], media_type=TYPES.get(suffix, "application/octet-stream"), headers=HEADERS)

    @app.get("/", include_in_schema=False)
    def page():
        return asset("index.html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        return asset(name)

    def state_response(session, view: str = "full", curve_from: int | None = None) -> Response:
        try:
            text = json.dumps(session.view.state(view, curve_from), allow_nan=False, separators=(",", ":"))
        except ValueError:  # a number overflowed to infinity or NaN: say so instead of a 500
            return _error(400, "the network's numbers overflowed (too large?); press Reset")
        return Response(text, media_type="application/json", headers=HEADERS)

    @app.post("/api/sessions", response_model=Created)
    def create(body: CreateRequest | None = None):
        body = body or CreateRequest()
        if body.network is not None and body.dataset is not None:
            return _error(422, "give a network or a dataset, not both")
        if body.dataset is not None:
            d = body.dataset
            if d.hidden is not None and any(not 1 <= h <= MAX_PAGE_NEURONS for h in d.hidden):
                return _error(422, f"dataset.hidden: each hidden layer has 1 to {MAX_PAGE_NEURONS} neurons")
            sid, session = create_dataset_session(store, d)
        else:
            sid, session = store.create(body.network)
        with session.lock:
            state = session.view.state()
        text = json.dumps({"session": sid, "state": state}, allow_nan=False)
        return Response(text, media_type="application/json", headers=HEADERS)

    @app.get("/api/sessions/{sid}")
    def get_state(session: SessionOf):
        with session.lock:
            return state_response(session)

    @app.post("/api/sessions/{sid}/train")
    def train(session: SessionOf, body: TrainRequest):
        with session.lock:
            session.model.train(body.steps)
            return state_response(session, body.view, body.curve_from)

    @app.post("/api/sessions/{sid}/edit")
    def edit(session: SessionOf, body: EditRequest):
        if body.layers is not None and (
            len(body.layers) < 2 or any(not 1 <= n <= MAX_PAGE_NEURONS for n in body.layers)
        ):
            return _error(422, f"layers: each layer has 1 to {MAX_PAGE_NEURONS} neurons")
        with session.lock:
            session.edit(body.model_dump(exclude_none=True))
            return state_response(session)

    @app.post("/api/sessions/{sid}/reset")
    def reset(session: SessionOf):
        with session.lock:
            session.model.reset()
            return state_response(session)

    @app.get("/api/sessions/{sid}/formula")
    def formula(session: SessionOf, name: str = Query(..., max_length=64)):
        with session.lock:
            text = json.dumps(session.view.formula(name), allow_nan=False)
        return Response(text, media_type="application/json", headers=HEADERS)

    @app.get("/api/sessions/{sid}/network.json")
    def download(session: SessionOf):
        with session.lock:
            text = json.dumps(session.model.spec(), indent=1) + "\n"
        return Response(
            text,
            media_type="application/json",
            headers={**HEADERS, "Content-Disposition": 'attachment; filename="network.json"'},
        )

    app.add_middleware(BodyLimit, limit=MAX_BODY)
    return app
