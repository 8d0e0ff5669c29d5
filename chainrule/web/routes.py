"""The page's JSON API: the routes under ``/api/sessions`` (one FastAPI ``APIRouter``).

    POST /api/sessions                      a new session: the server's network, one sent, or a 2-D dataset
                                            ("resume": carry on where a page left off)
    GET  /api/sessions/ID                   the state: layout, trace of the next update, loss curve, ...
    POST /api/sessions/ID/train             {"steps": N}: N updates of the engine
                                            ("view": "frame": only what play redraws)
    POST /api/sessions/ID/edit              {"set": {"w5": 0.3}, "learning_rate": .., "activation": ..,
                                             "loss": .., "layers": [..]}
    POST /api/sessions/ID/reset             back to the network as loaded
    GET  /api/sessions/ID/formula?name=w5+  one worked formula of the next update, as MathML
    GET  /api/sessions/ID/network.json      the network as it is now, as a network file
    GET  /api/sessions/ID/export?iterations=N  the page that replays N updates from the network as it
                                            is now, as one file: {"filename", "html"}

Two dependencies give a route what it works on: :func:`session_store` (the app's sessions) and,
for every route under ``/api/sessions/{sid}``, :func:`path_session` (that session, or the one 404).
Every route that touches a session holds its lock.  The route functions have no docstrings:
FastAPI would publish them as descriptions in the server's schema (``/api/openapi.json``).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..errors import ChainruleError
from .dataset_sessions import create_dataset_session
from .export import EXPORT_ITERATIONS, MAX_EXPORT_ITERATIONS, record, recording_start, replay_html
from .page_limits import MAX_PAGE_NEURONS
from .responses import error_response, json_response
from .schemas import Created, CreateRequest, EditRequest, TrainRequest
from .sessions import Session, SessionStore

router = APIRouter(prefix="/api/sessions")


class UnknownSession(Exception):
    """The path's session id is not in the store (never made, or dropped as least recently used)."""


async def session_store(request: Request) -> SessionStore:
    """The app's sessions (``app.state.store``, made by :func:`~.app.create_app`)."""
    return request.app.state.store


Store = Annotated[SessionStore, Depends(session_store)]


async def path_session(sid: str, store: Store) -> Session:
    """The dependency every ``/api/sessions/{sid}`` route declares: that session, or a 404 (async: a
    look-up under the store's short lock, on the event loop rather than a worker thread)."""
    session = store.get(sid)
    if session is None:
        raise UnknownSession(sid)
    return session


SessionOf = Annotated[Session, Depends(path_session)]


def state_response(session: Session, view: str = "full", curve_from: int | None = None) -> Response:
    """The session's state as the page reads it (compact JSON); a 400 when a number overflowed."""
    try:
        text = json.dumps(session.view.state(view, curve_from), allow_nan=False, separators=(",", ":"))
    except ValueError:  # a number overflowed to infinity or NaN: say so instead of a 500
        return error_response(400, "the network's numbers overflowed (too large?); press Reset")
    return json_response(text)


@router.post("", response_model=Created)
def create(store: Store, body: CreateRequest | None = None):
    body = body or CreateRequest()
    if body.network is not None and body.dataset is not None:
        return error_response(422, "give a network or a dataset, not both")
    if body.dataset is not None:
        hidden = body.dataset.hidden
        if hidden is not None and any(not 1 <= h <= MAX_PAGE_NEURONS for h in hidden):
            return error_response(422, f"dataset.hidden: each hidden layer has 1 to {MAX_PAGE_NEURONS} neurons")
        sid, session = create_dataset_session(store, body.dataset)
    else:
        sid, session = store.create(body.network)
    with session.lock:
        if body.resume is not None:
            try:
                session.resume(body.resume.model_dump(exclude_none=True))
            except ChainruleError:
                store.discard(sid)  # nothing half-made stays behind
                raise
        state = session.view.state()
    return json_response(json.dumps({"session": sid, "state": state}, allow_nan=False))


@router.get("/{sid}")
def get_state(session: SessionOf):
    with session.lock:
        return state_response(session)


@router.post("/{sid}/train")
def train(session: SessionOf, body: TrainRequest):
    with session.lock:
        session.model.train(body.steps)
        return state_response(session, body.view, body.curve_from)


@router.post("/{sid}/edit")
def edit(session: SessionOf, body: EditRequest):
    layers = body.layers
    if layers is not None and (len(layers) < 2 or any(not 1 <= n <= MAX_PAGE_NEURONS for n in layers)):
        return error_response(422, f"layers: each layer has 1 to {MAX_PAGE_NEURONS} neurons")
    with session.lock:
        session.edit(body.model_dump(exclude_none=True))
        return state_response(session)


@router.post("/{sid}/reset")
def reset(session: SessionOf):
    with session.lock:
        session.model.reset()
        return state_response(session)


@router.get("/{sid}/formula")
def formula(session: SessionOf, name: str = Query(..., max_length=64)):
    with session.lock:
        text = json.dumps(session.view.formula(name), allow_nan=False)
    return json_response(text)


@router.get("/{sid}/export")
def export(session: SessionOf, iterations: int = Query(EXPORT_ITERATIONS, ge=1, le=MAX_EXPORT_ITERATIONS)):
    with session.lock:  # a copy of what the recording starts from; it is recorded without the lock
        start = recording_start(session)
    title = start.pop("title")
    html = replay_html(record(iterations=iterations, **start), title=f"chainrule — {title}")
    return json_response(json.dumps({"filename": "chainrule-page.html", "html": html}))


@router.get("/{sid}/network.json")
def download(session: SessionOf):
    with session.lock:
        text = json.dumps(session.model.spec(), indent=1) + "\n"
    return json_response(text, {"Content-Disposition": 'attachment; filename="network.json"'})
