"""The page as a Jupyter widget (anywidget): the engine runs in the kernel, no server.

The front end is the page itself (index.html's body, style.css, app.js) inside a shadow root;
app.js talks to its back end through ``call(method, path, body)``, which here is a custom message to
the kernel. The kernel answers each message with the page's own FastAPI app (:func:`create_app`),
called in process (:class:`~.in_process.InProcessClient`: ASGI messages, no socket, no HTTP client)
— the same routes, checks, guard and sessions that ``chainrule serve`` answers with, not a second
copy of them.  Every message with an id gets one reply, whatever it holds: a path or body the API
cannot take is a 404 or 400 with one line, never an exception left in the kernel.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from ..errors import ConfigError

try:
    import anywidget
    import traitlets

    from .app import create_app
    from .in_process import InProcessClient
except ImportError as exc:  # one line naming the extra, not a traceback
    raise ConfigError(
        f"the Jupyter widget needs the widget extra ({exc.name} is missing): pip install 'chainrule[widget]'"
    ) from None

SESSIONS = 16  # sessions one widget keeps (a new dataset on the page is a new session)
MAX_PATH = 2048  # characters in a request's path and query
_PATH = re.compile(r"api/sessions[!-~]*")  # printable ASCII without spaces: no CR, LF or NUL


def _page_parts() -> tuple[str, str, str]:
    static = resources.files("chainrule.web") / "static"
    html = (static / "index.html").read_text(encoding="utf-8")
    body = re.search(r"<body>(.*)</body>", html, re.S).group(1)
    body = re.sub(r"<script[^>]*></script>", "", body)
    # the page's rules for <body> and :root apply to the widget's own box inside its shadow root
    css = (static / "style.css").read_text(encoding="utf-8")
    css = re.sub(r"(?m)^:root\b", ":host", re.sub(r"(?m)^body\b", ".cr-body", css))
    return body, css, (static / "app.js").read_text(encoding="utf-8")


_ESM = """
const BODY = %s, CSS_TEXT = %s, APP = %s;

function render({ model, el }) {
  const host = document.createElement("div");
  el.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });  // the page's ids and styles stay inside
  const style = document.createElement("style");
  style.textContent = CSS_TEXT;
  const body = document.createElement("div");
  body.className = "cr-body";
  body.innerHTML = BODY;
  shadow.append(style, body);

  let next = 0;
  const waiting = new Map();
  const onMessage = (msg) => {
    const w = msg && waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.status >= 400) w.reject(new Error((msg.data && msg.data.error) || `the kernel answered ${msg.status}`));
    else w.resolve(msg.data);
  };
  model.on("msg:custom", onMessage);
  const call = (method, path, body) => new Promise((resolve, reject) => {
    const id = ++next;
    waiting.set(id, { resolve, reject });
    model.send({ id, method, path, body: body === undefined ? null : body });
  });

  // app.js as written, with document and window seen through this widget's shadow root
  const doc = new Proxy(document, { get(t, k) {
    if (k === "getElementById") return (id) => shadow.getElementById(id);
    if (k === "querySelector") return (s) => shadow.querySelector(s);
    if (k === "querySelectorAll") return (s) => shadow.querySelectorAll(s);
    if (k === "body") return body;
    const v = Reflect.get(t, k);
    return typeof v === "function" ? v.bind(t) : v;
  } });
  const win = new Proxy(window, { get(t, k) {
    if (k === "CHAINRULE_CALL") return call;
    if (k === "CHAINRULE_REPLAY") return undefined;
    const v = Reflect.get(t, k);
    return typeof v === "function" ? v.bind(t) : v;
  } });
  new Function("document", "window", APP)(doc, win);
  return () => model.off("msg:custom", onMessage);
}

export default { render };
"""


def _esm() -> str:
    body, css, app = _page_parts()
    return _ESM % (json.dumps(body), json.dumps(css), json.dumps(app))


class PageWidget(anywidget.AnyWidget):
    """The interactive page in a notebook; its requests are answered in the kernel."""

    _esm = traitlets.Unicode("").tag(sync=True)
    session = traitlets.Unicode("").tag(sync=True)  # the page's current session (one per network/dataset)
    iteration = traitlets.Int(0).tag(sync=True)  # updates applied so far, as the last answer said
    loss = traitlets.Float(None, allow_none=True).tag(
        sync=True
    )  # the total loss, as the last answer said (JSON null before)

    def __init__(self, network: dict | None = None, **kwargs):
        if network is not None and not isinstance(network, dict):
            raise ConfigError(
                "PageWidget(network): give a network file's contents as a dict, or None for the seed "
                "(chainrule.widget also takes a Network or a file's path)"
            )
        super().__init__(_esm=_esm(), **kwargs)
        # the app as `chainrule serve` guards it, asked under this machine's own name
        self._client = InProcessClient(create_app(network, session_limit=SESSIONS))
        self.on_msg(self._answer)
        self.request("POST", "api/sessions")  # the session the kernel shows before any view asks

    def request(self, method: str, path: str, body=None) -> tuple[int, dict]:
        """Answer one of the page's requests (``"POST", "api/sessions/ID/train", {"steps": 1}``).

        Parameters
        ----------
        method : str
            ``"GET"`` or ``"POST"``.
        path : str
            The API path and query, without the leading slash.
        body : optional
            A POST's body (JSON's types; NaN and infinities are refused).

        Returns
        -------
        tuple
            (the HTTP status, the answer as a dict): ``{"error": one line}`` for a refusal.
        """
        if method not in ("GET", "POST") or not isinstance(path, str) or not path.startswith("api/sessions"):
            return 404, {"error": "not found"}
        if len(path) > MAX_PATH or not _PATH.fullmatch(path):
            return 400, {"error": f"the request's path must be printable ASCII of at most {MAX_PATH} characters"}
        sent = {} if method == "POST" and body is None else body
        try:
            res = self._client.request(method, "/" + path, json=sent if method == "POST" else None)
        except ConfigError as exc:  # NaN, an infinity, or not JSON's types
            return 400, {"error": str(exc)}
        data = res.json()
        if res.status_code == 200 and isinstance(data, dict):
            if "session" in data and "state" in data:
                self.session = data["session"]
            state = data.get("state", data)
            if "iteration" in state and "loss" in state:
                self.iteration, self.loss = state["iteration"], state["loss"]
        return res.status_code, data

    def _answer(self, _widget, content, _buffers) -> None:
        """Reply to one message from the front end: ``{"id", "status", "data"}``, always (an error
        the API did not foresee is a 500 with one line, not an exception left in the kernel)."""
        if not isinstance(content, dict) or not isinstance(content.get("id"), (int, str)):
            return  # no id: nothing the front end waits for
        try:
            status, data = self.request(content.get("method"), content.get("path"), content.get("body"))
        except Exception as exc:  # noqa: BLE001 - the front end must hear back whatever happened
            status, data = 500, {"error": f"the kernel could not answer: {type(exc).__name__}"}
        self.send({"id": content["id"], "status": status, "data": data})

    def __repr__(self) -> str:
        loss = "None" if self.loss is None else f"{self.loss:.9g}"
        return f"chainrule.widget(session={self.session!r}, iteration={self.iteration}, loss={loss})"


def widget(network=None, *, x=None, target=None, learning_rate=None) -> PageWidget:
    """The page of ``chainrule serve`` as a Jupyter widget: the engine runs in the notebook's kernel.

    Make it the last line of a cell to show it. Needs the widget extra:
    ``pip install "chainrule[widget]"``.

    Parameters
    ----------
    network : str, os.PathLike, dict, Network or estimator, optional
        None (the seed network), a network file's path or contents (a dict), or a `Network` (or a
        fitted estimator holding one in ``network_``) with ``x`` and ``target``.
    x, target : array_like, optional
        The samples the page trains on (one row each, or one row per sample); they replace a
        file's own.
    learning_rate : float, optional
        η (default: the file's, or 0.5).

    Returns
    -------
    PageWidget
        The widget; its ``session``, ``iteration`` and ``loss`` follow what the page last asked for.

    Raises
    ------
    ConfigError
        The widget extra is not installed (anywidget, FastAPI), or a `Network` without ``x`` and
        ``target``.
    FileFormatError
        A malformed network file.

    Examples
    --------
    >>> import chainrule
    >>> page = chainrule.widget()  # the seed network
    >>> page.iteration, round(page.loss, 9)
    (0, 0.298371109)
    """
    return PageWidget(network_spec(network, x, target, learning_rate))


def network_spec(network, x=None, target=None, learning_rate=None) -> dict | None:
    """A network file's contents for any form :func:`widget` takes (None stays None: the seed)."""
    from ..core.network import Network
    from ..io.network_file import network_from_dict, network_to_dict, read_network_file

    if network is None and x is None and target is None and learning_rate is None:
        return None
    if not isinstance(network, Network) and isinstance(getattr(network, "network_", None), Network):
        network = network.network_  # a fitted scikit-learn-style estimator: the network it holds
    if isinstance(network, Network):
        if x is None or target is None:
            raise ConfigError("widget(Network) needs x= and target= (the samples the page trains on)")
        xs, ts = network.as_inputs(x), network.as_targets(target, len(network.as_inputs(x)))
        return network_to_dict(network, xs, ts, 0.5 if learning_rate is None else float(learning_rate))
    if network is None:
        from .sessions import seed_spec

        nf = network_from_dict(seed_spec())
    elif isinstance(network, dict):
        nf = network_from_dict(network)
    elif isinstance(network, (str, Path)):
        nf = read_network_file(network)
    else:
        raise ConfigError(
            f"widget(network): a Network, a network file's path or its contents (a dict), or None "
            f"for the seed; not {type(network).__name__}"
        )
    if x is None and target is None and learning_rate is None:
        return (
            nf.spec
            if isinstance(network, dict)
            else network_to_dict(
                nf.network,
                nf.inputs,
                nf.targets,
                nf.learning_rate,
                **{k: nf.spec[k] for k in ("title", "description") if k in nf.spec},
            )
        )
    xs = nf.inputs if x is None else nf.network.as_inputs(x)
    ts = nf.targets if target is None else nf.network.as_targets(target, len(xs))
    return network_to_dict(nf.network, xs, ts, nf.learning_rate if learning_rate is None else float(learning_rate))
