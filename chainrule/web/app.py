"""The local web app (FastAPI): the page, its own files and its JSON API.

    GET  /                the page
    GET  /static/NAME     its own assets (a fixed list; nothing else is served)
    /api/sessions...      the JSON API (web/routes.py)

:func:`create_app` puts it together: the session store, the routers and one-line JSON errors.
Every request body is checked (422 with one clear line), bad values for the engine give 400,
bodies over ``MAX_BODY`` bytes give 413; every session has its own network and lock.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from ..errors import ChainruleError
from .responses import HEADERS, error_response
from .routes import UnknownSession
from .routes import router as api_router
from .sessions import SessionStore

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
page_router = APIRouter(include_in_schema=False)
MAX_BODY = 256 * 1024


@functools.cache
def _assets() -> dict[str, bytes]:
    """The page's own files, read once from the package (nothing outside this list is served)."""
    folder = resources.files("chainrule.web") / "static"
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file() and f.name[0] not in "._"}


def _asset(name: str) -> Response:
    assets = _assets()
    if name not in assets:
        return error_response(404, "not found")
    suffix = name[name.rfind(".") :]
    return Response(assets[name], media_type=TYPES.get(suffix, "application/octet-stream"), headers=HEADERS)


@page_router.get("/")
def page():
    return _asset("index.html")


@page_router.get("/static/{name}")
def static(name: str):
    return _asset(name)


# ----------------------------------------------------------------------------- errors: one line each
_TYPE_TAG = re.compile(r"str|int|float|bool|list\[.*\]|dict\[.*\]|[\w-]+\[.*\]")


def _first_line(exc: RequestValidationError) -> str:
    """pydantic's errors as one line: ``field.path: what is wrong (and N more)``, our own words first."""
    errors = exc.errors()
    err = next((e for e in errors if e.get("type") == "value_error"), errors[0])  # our own words first
    # the field's path, without pydantic's names for the members of a union ("str", "function-after[...]")
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body" and not _TYPE_TAG.fullmatch(str(p))) or "body"
    fields = {tuple(e.get("loc", ()))[:2] for e in errors}  # a union's members' errors count once
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    msg = err.get("msg", "invalid").removeprefix("Value error, ")  # our own checks' words, as written
    return f"{where}: {msg}{more}"


async def _invalid(request: Request, exc: RequestValidationError):
    return error_response(422, _first_line(exc))


async def _bad_value(request: Request, exc: ChainruleError):
    return error_response(400, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


async def _unknown_session(request: Request, exc: UnknownSession):
    return error_response(404, "unknown or expired session; reload the page")


async def _not_found(request: Request, exc):
    return error_response(404, "not found")


async def _not_allowed(request: Request, exc):
    return error_response(405, "method not allowed")


async def _unreadable(request: Request, exc):  # e.g. a body JSON cannot parse (deep nesting, 5000 digits)
    return error_response(400, "the request body is not readable JSON")


ERROR_HANDLERS = {
    RequestValidationError: _invalid,
    ChainruleError: _bad_value,
    UnknownSession: _unknown_session,
    404: _not_found,
    405: _not_allowed,
    400: _unreadable,
}


# ----------------------------------------------------------------------------- the app
class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes (413), declared or streamed."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = error_response(413, f"request body larger than {self.limit:,} bytes")
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


def create_app(initial_spec: dict | None = None, session_limit: int = 1000) -> FastAPI:
    """The app, serving ``initial_spec`` (a network file's contents; default the seed's) to new sessions."""
    store = SessionStore(initial_spec, session_limit)
    app = FastAPI(
        title="chainrule",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        exception_handlers=ERROR_HANDLERS,
    )
    app.state.store = store
    app.include_router(page_router)
    app.include_router(api_router)
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    return app
