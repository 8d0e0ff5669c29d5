"""The page's sessions: each browser tab has its own network, trained by the engine, behind its own lock.

A :class:`Session` joins the model it drives (:class:`~.session_model.SessionModel`: the network,
its training and edits) and the view it renders (:class:`~.session_view.SessionView`: what the page
draws), and keeps them consistent: an edit after which the page could not write its numbers (an
overflow to infinity) changes nothing.  :class:`SessionStore` holds the sessions by id.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections import OrderedDict

import numpy as np

from .. import seed
from ..errors import ConfigError
from ..io.network_file import network_from_dict
from .page_limits import MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES
from .security import pick_evictee, precheck_spec
from .session_model import SessionModel
from .session_view import SessionView


def seed_spec() -> dict:
    """The seed's network file (a copy: the caller may change it)."""
    return copy.deepcopy(seed.SPEC)


class Session:
    """One browser tab's session: its model, its view, and the lock its requests take in turn.

    Parameters
    ----------
    spec : dict
        A network file's contents.
    dataset : dict, optional
        ``{"name", "n", "noise", "seed", ...}`` for a 2-D toy dataset.
    test : tuple, optional
        The held-out (inputs, targets) of a dataset's split.
    plane : dict, optional
        A 2-D dataset's points as drawn, when the network reads other features of them.

    Raises
    ------
    ConfigError
        When ``spec`` is not a network the page can draw, or its numbers overflow.
    """

    def __init__(self, spec: dict, dataset: dict | None = None, test: tuple | None = None, plane: dict | None = None):
        self.lock = threading.Lock()
        self.uses = 0  # requests after creation: unused sessions are evicted first (security.py)
        self.model = SessionModel(spec, dataset, test, plane)
        self.view = SessionView(self.model)
        if not self.view.is_finite():
            raise ConfigError("this network's numbers overflow (a value too large?)")

    def edit(self, changes: dict) -> None:
        """Apply the page's edits (``set`` by name, learning rate, activation, layers, options):
        all of them, or — when one is refused or the numbers the page shows overflow — none."""
        with self.model.unchanged_on_error():
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected just below
                self.model.edit(changes)
                finite = self.view.is_finite()
            if not finite:
                raise ConfigError("with that value the network's numbers overflow (too large?); nothing was changed")

    def resume(self, where: dict) -> None:
        """Carry on from where a page left off (:meth:`SessionModel.resume`): the network it had, its
        updates and curve, its trainer's options; all of it, or — refused or overflowing — none."""
        with self.model.unchanged_on_error():
            chosen = {k: where[k] for k in ("batch_size", "l1", "l2") if where.get(k) is not None}
            self.model.options = {**self.model.options, **chosen}
            with np.errstate(over="ignore", invalid="ignore"):
                self.model.resume(where.get("network"), where.get("iteration", 0), where.get("curve"))
                self.model.pristine = where.get("network") is None and not where.get("iteration")
                finite = self.view.is_finite()
            if not finite:
                raise ConfigError("the network to resume overflows (a value too large?)")


class SessionStore:
    """Sessions by id; beyond ``limit``, one is dropped (:func:`~.security.pick_evictee`).

    Parameters
    ----------
    initial_spec : dict, optional
        The network file new sessions start from (default: the seed's); checked at once.
    limit : int
        The most sessions kept.
    """

    def __init__(self, initial_spec: dict | None = None, limit: int = 1000):
        self.initial_spec = initial_spec or seed_spec()
        # fail early: too big for the page, or a bad file
        precheck_spec(self.initial_spec, MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES)
        network_from_dict(self.initial_spec, source="network")
        self.limit = limit
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def create(
        self, spec: dict | None = None, dataset: dict | None = None, test=None, plane=None
    ) -> tuple[str, Session]:
        """A new session for ``spec`` (default: the store's network) under a new, unguessable id."""
        spec = copy.deepcopy(spec) if spec is not None else copy.deepcopy(self.initial_spec)
        session = Session(spec, dataset, test, plane)
        sid = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[sid] = session
            while len(self._sessions) > self.limit:
                del self._sessions[pick_evictee(self._sessions)]
        return sid, session

    def get(self, sid: str) -> Session | None:
        """The session ``sid`` (now the most recently used), or None."""
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None:
                self._sessions.move_to_end(sid)
                session.uses += 1
            return session

    def discard(self, sid: str) -> None:
        """Forget the session ``sid`` (if it is there)."""
        with self._lock:
            self._sessions.pop(sid, None)

    def __len__(self) -> int:
        return len(self._sessions)
