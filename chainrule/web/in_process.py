"""The page's app called in this process, with no socket and no HTTP client: what the Jupyter widget
answers with (and a plain way to try the JSON API from Python).

A request becomes the ASGI messages a server would pass the app (the scope, the body, the reply's
start and body), run on one event loop kept in a daemon thread for the whole process, so that a
caller that is not async (a kernel's message handler, a script) simply waits for the answer.  The
app is the guarded one: it sees the request under ``Host: 127.0.0.1`` as ``chainrule serve`` would.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..errors import ConfigError

TIMEOUT = 120.0  # seconds one request may take (the page's requests are bounded far below this)

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _event_loop() -> asyncio.AbstractEventLoop:
    """The process's loop for in-process requests, started on first use in a daemon thread."""
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="chainrule-in-process", daemon=True).start()
        return _loop


@dataclass
class Answer:
    """The app's answer: its HTTP status, its headers (lower-case names) and its body."""

    status_code: int
    headers: dict = field(default_factory=dict)
    content: bytes = b""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        """The body read as JSON."""
        return json.loads(self.content)


class InProcessClient:
    """Requests to an ASGI app answered in this process (no sockets, no httpx).

    Parameters
    ----------
    app : callable
        An ASGI app, such as :func:`~chainrule.web.app.create_app`'s.
    host : str
        The ``Host`` the requests name (the guard answers only to the server's own names).

    Examples
    --------
    >>> from chainrule.web.app import create_app
    >>> client = InProcessClient(create_app())
    >>> client.request("POST", "/api/sessions", json={}).json()["state"]["shown"]["w5"]
    '0.4'
    """

    def __init__(self, app, host: str = "127.0.0.1"):
        self.app, self.host = app, host

    def request(self, method: str, path: str, json=None, headers: dict | None = None) -> Answer:
        """Send one request and wait for its answer.

        Parameters
        ----------
        method : str
            ``"GET"``, ``"POST"``, ...
        path : str
            The path and query, such as ``/api/sessions/ID/formula?name=w5%2B``.
        json : optional
            The body, sent as JSON (NaN and infinities are refused: they are not JSON).
        headers : dict, optional
            More headers.

        Returns
        -------
        Answer
            The status, headers and body.

        Raises
        ------
        ConfigError
            When ``json`` holds NaN or an infinity, or is not made of JSON's types.
        """
        try:
            body = b"" if json is None else _json.dumps(json, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"the request body is not JSON ({exc})") from None
        call = self._call(method, path, body, headers or {})
        return asyncio.run_coroutine_threadsafe(call, _event_loop()).result(TIMEOUT)

    async def _call(self, method: str, path: str, body: bytes, extra: dict) -> Answer:
        target, _, query = path.partition("?")
        headers = {"host": self.host, **{k.lower(): v for k, v in extra.items()}}
        if body:
            headers.setdefault("content-type", "application/json")
            headers["content-length"] = str(len(body))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": "http",
            "path": unquote(target),
            "raw_path": target.encode("latin-1"),
            "root_path": "",
            "query_string": query.encode("latin-1"),
            "headers": [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()],
            "client": ("127.0.0.1", 0),
            "server": (self.host, 80),
            "state": {},
        }
        sent = False
        answered = asyncio.Event()
        answer = Answer(500)
        parts: list[bytes] = []

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered.wait()  # after the body, only a disconnect could come: once answered
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                answer.status_code = message["status"]
                answer.headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answered.set()

        await self.app(scope, receive, send)
        answered.set()
        answer.content = b"".join(parts)
        return answer


_json = json  # ``request``'s argument named ``json`` hides the module there
