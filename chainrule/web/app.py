"""The local web app: the interactive page and its typed JSON API (FastAPI).

    GET  /                                  the page
    GET  /static/NAME                       its own assets (a fixed list; nothing else is served)
    POST /api/sessions                      a new session: the server's network, one sent, or a 2-D dataset
    GET  /api/sessions/ID                   the state: layout, trace of the next update, loss curve, ...
    POST /api/sessions/ID/train             {"steps": N}: N updates of the engine
    POST /api/sessions/ID/edit              {"set": {"w5": 0.3}, "learning_rate": .., "activation": .., "layers": [..]}
    POST /api/sessions/ID/reset             back to the network as loaded
    GET  /api/sessions/ID/network.json      the network as it is now, as a network file

Every request body is checked (422 with one clear line), bad values for the engine give 400,
bodies over ``MAX_BODY`` bytes give 413; every session has its own network and lock.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ChainruleError
from .sessions import MAX_NEURONS, MAX_SAMPLES, MAX_STEPS, SessionStore, dataset_spec

MAX_BODY = 256 * 1024
ACTIVATIONS = Literal["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DatasetRequest(_Strict):
    name: Literal["xor", "circles", "spirals", "gaussians"]
    n: int = Field(200, ge=10, le=MAX_SAMPLES)
    noise: float = Field(0.1, ge=0, le=1)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    hidden: list[int] = Field([4, 4], max_length=4)
    activation: ACTIVATIONS = "tanh"
    learning_rate: float = Field(0.1, gt=0, le=10)


class CreateRequest(_Strict):
    network: dict | None = None  # a network file's contents; checked by the network-file reader
    dataset: DatasetRequest | None = None


class TrainRequest(_Strict):
    steps: int = Field(1, ge=1, le=MAX_STEPS)


class EditRequest(_Strict):
    set: dict[str, float] | None = Field(None, max_length=512)  # {"w5": 0.3, "i1": 0.1, "eta": 0.2}
    learning_rate: float | None = Field(None, gt=0, le=100)
    activation: ACTIVATIONS | list[ACTIVATIONS] | None = Field(None, max_length=6)  # one, or one per layer
    layers: list[int] | None = Field(None, min_length=2, max_length=6)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)


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


def _first_line(exc: RequestValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{where}: {err.get('msg', 'invalid')}{more}"


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
        suffix = name[name.rfind("."):]
        return Response(assets[name], media_type=TYPES.get(suffix, "application/octet-stream"), headers=HEADERS)

    @app.get("/", include_in_schema=False)
    def page():
        return asset("index.html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        return asset(name)

    def session_or_404(sid: str):
        session = store.get(sid)
        if session is None:
            return None, _error(404, "unknown or expired session; reload the page")
        return session, None

    def state_response(session) -> Response:
        try:
            text = json.dumps(session.state(), allow_nan=False)
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
            if any(not 1 <= h <= MAX_NEURONS for h in d.hidden):
                return _error(422, f"dataset.hidden: each hidden layer has 1 to {MAX_NEURONS} neurons")
            spec = dataset_spec(d.name, d.n, d.noise, d.seed, d.hidden, d.activation, d.learning_rate)
            sid, session = store.create(spec, {"name": d.name, "n": d.n, "noise": d.noise, "seed": d.seed})
        else:
            sid, session = store.create(body.network)
        with session.lock:
            state = session.state()
        text = json.dumps({"session": sid, "state": state}, allow_nan=False)
        return Response(text, media_type="application/json", headers=HEADERS)

    @app.get("/api/sessions/{sid}")
    def get_state(sid: str):
        session, missing = session_or_404(sid)
        if missing:
            return missing
        with session.lock:
            return state_response(session)

    @app.post("/api/sessions/{sid}/train")
    def train(sid: str, body: TrainRequest):
        session, missing = session_or_404(sid)
        if missing:
            return missing
        with session.lock:
            session.train(body.steps)
            return state_response(session)

    @app.post("/api/sessions/{sid}/edit")
    def edit(sid: str, body: EditRequest):
        session, missing = session_or_404(sid)
        if missing:
            return missing
        if body.layers is not None and (len(body.layers) < 2 or any(not 1 <= n <= MAX_NEURONS for n in body.layers)):
            return _error(422, f"layers: each layer has 1 to {MAX_NEURONS} neurons")
        with session.lock:
            session.edit(body.model_dump(exclude_none=True))
            return state_response(session)

    @app.post("/api/sessions/{sid}/reset")
    def reset(sid: str):
        session, missing = session_or_404(sid)
        if missing:
            return missing
        with session.lock:
            session.reset()
            return state_response(session)

    @app.get("/api/sessions/{sid}/network.json")
    def download(sid: str):
        session, missing = session_or_404(sid)
        if missing:
            return missing
        with session.lock:
            text = json.dumps(session.spec(), indent=1) + "\n"
        return Response(text, media_type="application/json",
                        headers={**HEADERS, "Content-Disposition": 'attachment; filename="network.json"'})

    app.add_middleware(BodyLimit, limit=MAX_BODY)
    return app
