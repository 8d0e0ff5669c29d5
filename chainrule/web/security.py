"""What keeps the local server the user's own (docs/reliability.md, "The local server").
:func:`~chainrule.web.app.create_app` puts the page's app behind :class:`Guard` unless a test opts out.

* **Host allow-list** (against DNS rebinding): a request whose ``Host`` is not a name the server
  was started for — localhost, 127.0.0.1, [::1], the ``--host`` value; on a non-loopback address
  also any IP literal and this machine's name — gets 403.  A rebinding page reaches the server
  under its own domain name, so it is refused.  Starlette's public ``TrustedHostMiddleware``
  matches the names (:class:`HostCheck`).
* **Cross-site requests**: every state-changing request (anything but GET and HEAD) must carry
  ``Content-Type: application/json`` — which a page on another site cannot send without a CORS
  preflight, which this server never grants — and, when the browser sends ``Origin``, it must be
  this server under the same ``Host`` and port (``Sec-Fetch-Site: cross-site`` is refused too);
  415 / 403 otherwise.
* **Bounded work**: the body is read whole, within ``BODY_TIMEOUT`` seconds (408) and
  ``MAX_BODY`` bytes (413, declared or streamed) before the app sees it; then at most
  ``MAX_HEAVY`` API requests compute at once, the others wait up to ``QUEUE_TIMEOUT`` (503).
* **Slow clients**: a connection must send its request line and headers within
  ``HEADER_TIMEOUT`` seconds (the connection is closed); beyond ``MAX_CONNECTIONS`` open
  connections, the oldest one the server is waiting on — for its headers, for the rest of its body,
  or idle between requests — is closed, never one whose request is being answered
  (:class:`GuardedH11`).  uvicorn has no public hook for either, so ``GuardedH11`` extends its h11
  protocol: only for the uvicorn versions it was written against (``UVICORN_VERSIONS``) and only
  when the attributes it reads are there; otherwise the server runs uvicorn's own ``"h11"`` and
  says so (the guard's body deadline and uvicorn's public ``limit_concurrency`` still apply).
* **Sessions**: a network sent to ``POST /api/sessions`` is size-checked before anything is
  allocated (:func:`precheck_spec`); when the session limit is reached, sessions never used after
  creation are evicted before ones a user worked with (:func:`pick_evictee`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

MAX_BODY = 256 * 1024
BODY_TIMEOUT = 10.0  # seconds to send the whole body
HEADER_TIMEOUT = 10.0  # seconds to send the request line and headers
MAX_CONNECTIONS = 256  # open connections at once
MAX_HEAVY = 4  # API requests computing at once
QUEUE_TIMEOUT = 15.0  # seconds an API request waits for its turn before 503
# seconds an idle keep-alive connection stays open: longer than clients' own idle expiry (httpx: 5 s),
# or a client may reuse a connection just as the server closes it (the load test's one ReadError)
KEEP_ALIVE = 20
SAFE_METHODS = ("GET", "HEAD")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")  # this machine's own names (cli/serve.py warns on any other)
UNEXPECTED_HOST = "unexpected Host header (this server answers only to the names it was started for)"


# ----------------------------------------------------------------------------- hosts
def allowed_hosts(host: str = "127.0.0.1") -> dict:
    """What ``Host`` and ``Origin`` may name for a server listening on ``host``.

    Parameters
    ----------
    host : str
        The address the server listens on (``--host``).

    Returns
    -------
    dict
        ``{"names": [...], "any_ip": bool}``: the host names, written as Starlette's
        ``TrustedHostMiddleware`` matches them (an IPv6 address in brackets), and whether any IP
        literal is allowed too (a server reachable from other machines, which address it by IP).
    """
    names = {*LOOPBACK_NAMES, host.strip("[]").lower()}
    wide = host.strip("[]") in ("0.0.0.0", "::") or not _is_loopback(host)
    if wide:  # reachable from other machines: they address it by IP or by this machine's name
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return {"names": sorted(f"[{n}]" if ":" in n else n for n in names), "any_ip": wide}


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_IP_CHARACTERS = frozenset("0123456789abcdefABCDEF.:[]")
_TRUSTED = "chainrule.trusted_host"  # set in a copy of the scope when Starlette accepts its Host


async def _trusted(scope, receive, send) -> None:
    scope[_TRUSTED] = True


async def _nothing():  # pragma: no cover - TrustedHostMiddleware never reads the body
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message) -> None:
    """Where Starlette's own refusal goes: the guard answers with its own one line."""


class HostCheck:
    """Whether a request's ``Host`` is one this server answers to (against DNS rebinding).

    The names are Starlette's ``TrustedHostMiddleware``'s to match (its parsing of the header, its
    rules); on a server reachable from other machines any IP literal is allowed too, which Starlette's
    patterns cannot say (a DNS-rebinding page reaches the server under its own domain name).

    Parameters
    ----------
    host : str
        The address the server listens on.
    """

    def __init__(self, host: str = "127.0.0.1"):
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        allowed = allowed_hosts(host)
        self.names, self.any_ip = allowed["names"], allowed["any_ip"]
        self._middleware = TrustedHostMiddleware(_trusted, allowed_hosts=self.names, www_redirect=False)

    def allows(self, value: str | None) -> bool:
        """True when a ``Host`` header of ``value`` names this server.

        Starlette's middleware is asked as it would be inside a server: with a scope holding only that
        header, its app a marker and its refusal sent nowhere.  Nothing in that call waits for I/O,
        so it is run to its end here, synchronously."""
        if value is None:
            return False
        value = value.strip()  # as a server hands it over (h11 strips the spaces around a header's value)
        probe = {"type": "http", "headers": [(b"host", value.encode("latin-1", errors="replace"))]}
        call = self._middleware(probe, _nothing, _discard)
        try:
            call.send(None)
        except StopIteration:
            pass
        else:  # pragma: no cover - Starlette's check never waits; if one day it does, refuse
            call.close()
            return False
        return bool(probe.get(_TRUSTED)) or (self.any_ip and _ip_literal(value))


def _ip_literal(value: str) -> bool:
    """``value`` is an IP address, with or without a port (``192.168.1.20:8000``, ``[fe80::1]:80``)."""
    if not value or not set(value) <= _IP_CHARACTERS:
        return False
    try:
        parts = urlsplit("//" + value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        return False
    return True


def origin_allowed(origin: str, host: str | None) -> bool:
    """Same origin: the page that sent the request was served by this server under this very
    ``Host`` (name and port); ``null`` and every other site are refused."""
    scheme, sep, rest = origin.strip().lower().partition("://")
    if not sep or scheme not in ("http", "https") or host is None:
        return False
    default = ":80" if scheme == "http" else ":443"
    host = host.strip().lower()
    return rest == host or rest + default == host or rest == host + default


# ----------------------------------------------------------------------------- the middleware
class Guard:
    """ASGI middleware: Host, Origin and content type first; then the body, bounded in size and
    time; then at most ``max_heavy`` API requests at once."""

    def __init__(
        self,
        app,
        host: str = "127.0.0.1",
        max_body: int = MAX_BODY,
        body_timeout: float = BODY_TIMEOUT,
        max_heavy: int = MAX_HEAVY,
        queue_timeout: float = QUEUE_TIMEOUT,
    ):
        self.app, self.host_check = app, HostCheck(host)
        self.max_body, self.body_timeout, self.queue_timeout = max_body, body_timeout, queue_timeout
        self.max_heavy = max_heavy
        self._heavy: asyncio.Semaphore | None = None  # made inside the server's event loop

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {}
        for k, v in scope.get("headers") or []:
            headers.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
        refused = self.refusal(scope["method"], headers)
        if refused:
            return await _reply(send, *refused)
        body, refused = await self._read_body(receive, headers)
        if refused:
            return await _reply(send, *refused)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        if not scope["path"].startswith("/api/"):
            return await self.app(scope, replay, send)
        if self._heavy is None:
            self._heavy = asyncio.Semaphore(self.max_heavy)
        try:
            await asyncio.wait_for(self._heavy.acquire(), self.queue_timeout)
        except TimeoutError:
            return await _reply(send, 503, "the server is busy; try again in a moment", {"retry-after": "5"})
        try:
            await self.app(scope, replay, send)
        finally:
            self._heavy.release()

    def refusal(self, method: str, headers: dict) -> tuple[int, str] | None:
        """(status, message) for a request to refuse before reading its body, else None: a ``Host``
        that is not this server's (:class:`HostCheck`), then a state change from another site."""
        if not self.host_check.allows(headers.get("host")):
            return 403, UNEXPECTED_HOST
        if method in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and not origin_allowed(origin, headers.get("host")):
            return 403, "cross-site request refused (Origin is not this server)"
        if headers.get("sec-fetch-site") == "cross-site":
            return 403, "cross-site request refused"
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            return 415, "send the request body as JSON (Content-Type: application/json)"
        return None

    async def _read_body(self, receive, headers: dict) -> tuple[bytes, tuple | None]:
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return b"", (413, f"request body larger than {self.max_body:,} bytes")
        chunks, size = [], 0
        deadline = time.monotonic() + self.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return b"", (408, f"the request body did not arrive within {self.body_timeout:g} s")
            if message["type"] == "http.disconnect":
                return b"", (400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", (413, f"request body larger than {self.max_body:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


async def _reply(send, status: int, message: str, extra: dict | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# ----------------------------------------------------------------------------- uvicorn
UVICORN_VERSIONS = ((0, 27), (1, 0))  # GuardedH11 extends uvicorn's h11 protocol of these: [from, to)


def uvicorn_settings() -> dict:
    """``uvicorn.Config`` options: the guarded protocol, a keep-alive timeout, a header-size cap.

    Returns
    -------
    dict
        The options; ``"http"`` is :class:`GuardedH11`, or uvicorn's own ``"h11"`` (with a warning)
        under a uvicorn outside ``UVICORN_VERSIONS``.
    """
    return {
        "http": guarded_protocol(),
        "timeout_keep_alive": KEEP_ALIVE,
        "h11_max_incomplete_event_size": 16 * 1024,
        "limit_concurrency": MAX_CONNECTIONS + 64,
    }


def guarded_protocol():
    """:class:`GuardedH11` under a uvicorn it was written against, else ``"h11"`` and a warning."""
    import uvicorn

    version = _version(uvicorn.__version__)
    low, high = UVICORN_VERSIONS
    if version is None or not low <= version < high:
        _warn_unguarded(f"uvicorn {uvicorn.__version__} is outside the versions its guard was written for")
        return "h11"
    return __getattr__("GuardedH11")


def _version(text: str) -> tuple[int, int] | None:
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def _warn_unguarded(why: str) -> None:
    import logging

    logging.getLogger("chainrule.web").warning(
        "%s: the page's server runs without its header deadline and connection eviction "
        "(bodies are still bounded in size and time)",
        why,
    )


def _internals_known(protocol) -> bool:
    """Whether a uvicorn protocol object has what GuardedH11 reads: its h11 connection (whose state
    is h11's public API), the server's set of connections, its current cycle and its loop."""
    import h11

    return (
        isinstance(getattr(protocol, "conn", None), h11.Connection)
        and isinstance(getattr(protocol, "connections", None), set)
        and hasattr(protocol, "cycle")
        and hasattr(getattr(protocol, "loop", None), "call_later")
    )


def _guarded_h11():
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    waiting_on_client = (h11.IDLE, h11.SEND_BODY)  # its request line and headers, or the rest of its body

    class GuardedH11(H11Protocol):
        """uvicorn's h11 protocol, plus a deadline for the request line and headers and a cap on
        open connections: beyond it the oldest connection the server is waiting on (its headers,
        the rest of its body, the next request) is closed; a request being answered never is."""

        header_timeout = HEADER_TIMEOUT
        max_connections = MAX_CONNECTIONS
        _guarded = False

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            _no_delay(transport)
            self._guarded = _internals_known(self)
            if not self._guarded:
                _warn_unguarded("uvicorn's h11 protocol is not the one its guard knows")
                return
            self._opened = time.monotonic()
            self._arm()
            if len(self.connections) > self.max_connections:
                idle = [c for c in self.connections if getattr(c, "_guarded", False) and c._waiting_on_client()]
                victim = min(idle, key=lambda c: c._opened) if idle else self
                victim._drop()

        def _waiting_on_client(self) -> bool:
            """The server waits for this client: its request line and headers, the rest of its
            body (the guard reads a body whole before the app runs), or its next request."""
            return self.conn.their_state in waiting_on_client and not self.transport.is_closing()

        def _arm(self) -> None:
            """Expect a whole request (line and headers) within ``header_timeout`` seconds."""
            self._expected = self.cycle  # a new cycle replaces this one once the headers are in
            self._deadline = self.loop.call_later(self.header_timeout, self._late)

        def _late(self) -> None:
            if self.cycle is self._expected:
                self._drop()

        def _drop(self) -> None:
            if not self.transport.is_closing():
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._guarded and not self.transport.is_closing():
                self._deadline.cancel()
                self._arm()

        def connection_lost(self, exc) -> None:
            if self._guarded:
                self._deadline.cancel()
            super().connection_lost(exc)

    return GuardedH11


def _no_delay(transport) -> None:
    """Send small writes at once (TCP_NODELAY).  asyncio sets it only on sockets whose ``proto`` is
    IPPROTO_TCP, and a listening socket made as ``socket.socket(AF_INET, SOCK_STREAM)`` (proto 0)
    passes that 0 on to every connection: the response's body then waits for the client's delayed
    ACK of its headers (~40 ms on Linux) — every request took 44 ms.  ``chainrule serve`` now makes
    its socket with IPPROTO_TCP; this covers any other way of serving the app (uvicorn's own, tests)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass  # a socket that is already closing


def __getattr__(name: str):  # GuardedH11 subclasses uvicorn's protocol: built on first use
    if name == "GuardedH11":
        cls = _guarded_h11()
        globals()["GuardedH11"] = cls
        return cls
    raise AttributeError(name)


# ----------------------------------------------------------------------------- sessions
def precheck_spec(spec, max_layers: int, max_neurons: int, max_samples: int) -> None:
    """Refuse a network request the page cannot draw by looking at its sizes only — before the
    network-file reader allocates a single weight (a 70-byte body can ask for 48M parameters)."""
    from ..errors import ConfigError

    if not isinstance(spec, dict):
        return  # the reader says what is wrong with it
    sizes = spec.get("layers")
    if isinstance(sizes, list) and all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        if len(sizes) > max_layers:
            raise ConfigError(f"the page draws at most {max_layers} layers (inputs, hidden, outputs), not {len(sizes)}")
        if sizes and max(sizes) > max_neurons:
            raise ConfigError(f"the page draws at most {max_neurons} neurons per layer, not {max(sizes)}")
    samples = spec.get("inputs")
    if isinstance(samples, list) and len(samples) > max_samples:
        raise ConfigError(f"the page trains on at most {max_samples} samples, not {len(samples)}")


def pick_evictee(sessions) -> str:
    """The id of the session to drop when the store is full: the oldest never used after its
    creation (a page that was opened and left, or a flood of requests), else the least recently used.
    ``sessions`` is ordered from least to most recently used; a session counts its ``uses``."""
    for sid, session in sessions.items():
        if getattr(session, "uses", 0) == 0:
            return sid
    return next(iter(sessions))
