"""The local web app (FastAPI): the page, its own files and its JSON API, guarded by default.

    GET  /                the page
    GET  /static/NAME     its own assets (a fixed list; nothing else is served)
    /api/sessions...      the JSON API (web/routes.py)

:func:`create_app` puts it together: the session store, the routers, one-line JSON errors and the
guard of web/security.py (Host allow-list, same-origin JSON for state changes, bodies of at most
``security.MAX_BODY`` bytes read within a deadline, bounded concurrent work).  Every request body is
checked (422 with one clear line), bad values for the engine give 400; every session has its own
network and lock.
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
from .security import Guard
from .sessions import SessionStore

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
page_router = APIRouter(include_in_schema=False)


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
def create_app(
    initial_spec: dict | None = None,
    session_limit: int = 1000,
    *,
    host: str = "127.0.0.1",
    guarded: bool = True,
    **guard_limits,
) -> FastAPI:
    """The page's app, serving ``initial_spec`` to new sessions, behind the server's guard.

    Parameters
    ----------
    initial_spec : dict, optional
        A network file's contents for new sessions (default: the seed's); checked at once.
    session_limit : int
        The most sessions kept (beyond it, one is evicted).
    host : str
        The address the server listens on: the guard answers only to the names it allows for it
        (``security.allowed_hosts``; 127.0.0.1 also allows localhost and [::1]).
    guarded : bool
        For tests only: False leaves the guard off (no Host, Origin or content-type checks, no body or
        concurrency limits).  Every server and the Jupyter widget keep it on.
    **guard_limits
        The guard's own limits, for tests: ``max_body``, ``body_timeout``, ``max_heavy``, ``queue_timeout``.

    Returns
    -------
    FastAPI
        The app; its sessions are ``app.state.store``.
    """
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
    if guarded:
        app.add_middleware(Guard, host=host, **guard_limits)
    elif guard_limits:
        raise TypeError(f"create_app(guarded=False) takes no guard limits, not {', '.join(guard_limits)}")
    return app
