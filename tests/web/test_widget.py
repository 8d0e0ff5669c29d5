"""The page as a Jupyter widget (issue 14, point 8): its kernel side answers the page's requests
exactly as the HTTP API does, a notebook that creates it runs, and its front end works in Chromium."""

import json
import os
import sys

import pytest

from support.tiers import chromium, need  # noqa: E402  (test tiers: skip with a reason when missing)

need("anywidget", "the Jupyter widget")
need("fastapi", "the page's routes, which the widget answers with")

from fastapi.testclient import TestClient

import chainrule
from chainrule import seed
from chainrule.web.app import create_app
from chainrule.web.widget import PageWidget


def ask(w, method, path, body=None, msg_id=1):
    """Send ``w`` one message as the page's front end does; return the widget's reply message."""
    replies = []
    w.send = replies.append  # what would go to the front end
    w._answer(w, {"id": msg_id, "method": method, "path": path, "body": body}, [])
    assert len(replies) == 1
    assert replies[0]["id"] == msg_id
    return replies[0]


def test_widget_is_an_anywidget_with_a_seed_session():
    import anywidget

    w = chainrule.widget()
    assert isinstance(w, anywidget.AnyWidget) and isinstance(w, PageWidget)
    assert w.session and w.iteration == 0
    assert round(w.loss, 9) == 0.298371109
    assert "export default" in w._esm and "CHAINRULE_CALL" in w._esm


def test_messages_get_the_http_apis_answers_with_the_seeds_numbers():
    w = chainrule.widget()
    http = TestClient(create_app(), base_url="http://127.0.0.1")

    made = ask(w, "POST", "api/sessions", {})
    res = http.post("/api/sessions", json={})
    assert made["status"] == 200 and res.status_code == 200
    sid, hid = made["data"]["session"], res.json()["session"]
    assert w.session == sid
    st = made["data"]["state"]
    assert st == res.json()["state"]
    assert round(st["trace"]["values"]["out_o1"], 8) == 0.75136507
    assert st["shown"]["out_o1"] == "0.751365070"
    assert round(st["loss"], 9) == 0.298371109

    got = ask(w, "GET", f"api/sessions/{sid}", None, 2)
    assert got["status"] == 200 and got["data"] == http.get(f"/api/sessions/{hid}").json()

    step = ask(w, "POST", f"api/sessions/{sid}/train", {"steps": 1}, 3)
    assert step["data"] == http.post(f"/api/sessions/{hid}/train", json={"steps": 1}).json()
    assert step["data"]["iteration"] == 1 and w.iteration == 1
    # after one update the seed's w5 is 0.358916480 (the worked example's first update)
    assert step["data"]["shown"]["w5"] == "0.358916480"
    assert w.loss == step["data"]["loss"] < 0.298371109

    for steps in (4999, 5000):  # at most 5,000 a request, as over HTTP
        many = ask(w, "POST", f"api/sessions/{sid}/train", {"steps": steps, "view": "frame"}, 4)
        assert many["data"] == http.post(f"/api/sessions/{hid}/train", json={"steps": steps, "view": "frame"}).json()
    assert many["data"]["iteration"] == 10_000
    assert f"{many['data']['loss']:.6g}" == "3.51019e-05"  # the worked example after 10,000 updates

    f = ask(w, "GET", f"api/sessions/{sid}/formula?name=w5%2B", None, 5)
    assert f["data"] == http.get(f"/api/sessions/{hid}/formula", params={"name": "w5+"}).json()
    assert "<math" in f["data"]["mathml"]

    edit = ask(w, "POST", f"api/sessions/{sid}/edit", {"set": {"w5": 0.3}}, 6)
    assert edit["data"] == http.post(f"/api/sessions/{hid}/edit", json={"set": {"w5": 0.3}}).json()
    reset = ask(w, "POST", f"api/sessions/{sid}/reset", None, 7)
    assert reset["data"] == http.post(f"/api/sessions/{hid}/reset", json={}).json()
    assert reset["data"]["iteration"] == 0 and reset["data"]["shown"]["w5"] == "0.4"


def test_refusals_are_the_http_apis_refusals():
    w = chainrule.widget()
    http = TestClient(create_app(), base_url="http://127.0.0.1")
    sid, hid = w.session, http.post("/api/sessions", json={}).json()["session"]
    for body in ({"steps": 0}, {"steps": "many"}, {"nope": 1}):
        got = ask(w, "POST", f"api/sessions/{sid}/train", body)
        res = http.post(f"/api/sessions/{hid}/train", json=body)
        assert got["status"] == res.status_code == 422 and got["data"] == res.json()
    bad = ask(w, "POST", f"api/sessions/{sid}/edit", {"layers": [2, 100, 2]})
    assert bad["status"] == 422 and "layers" in bad["data"]["error"]
    assert ask(w, "GET", "api/sessions/nope")["status"] == 404
    # only the page's API: not its files, nor anything else the app might serve
    assert ask(w, "GET", "static/app.js")["status"] == 404
    assert ask(w, "DELETE", f"api/sessions/{sid}")["status"] == 404


def test_widget_for_another_network_and_a_clear_error_for_a_bad_one():
    spec = json.loads(json.dumps(seed.SPEC))
    spec["learning_rate"] = 0.1
    w = chainrule.widget(spec)
    st = ask(w, "POST", "api/sessions", {})["data"]["state"]
    assert st["learning_rate"] == 0.1
    with pytest.raises(chainrule.ChainruleError, match="widget"):
        chainrule.widget(42)
    with pytest.raises(chainrule.ChainruleError, match="no-such-net.json"):
        chainrule.widget("no-such-net.json")  # a path: read as a network file


def test_widget_takes_a_network_object_with_its_samples_or_a_network_files_path(tmp_path):
    from chainrule.core.network import Network

    w = chainrule.widget(seed.seed_network(), x=seed.INPUT, target=seed.TARGET, learning_rate=0.5)
    st = ask(w, "GET", f"api/sessions/{w.session}")["data"]
    assert st["shown"]["out_o1"] == "0.751365070" and st["loss_shown"] == "0.298371109"  # the seed's numbers
    step = ask(w, "POST", f"api/sessions/{w.session}/train", {"steps": 1})["data"]
    assert step["shown"]["w5"] == "0.358916480"
    with pytest.raises(chainrule.ChainruleError, match="x= and target="):
        chainrule.widget(seed.seed_network())
    xor = Network([2, 3, 1], "tanh", "half_sse", seed=4)
    w = chainrule.widget(xor, x=[[0, 0], [0, 1], [1, 0], [1, 1]], target=[[0], [1], [1], [0]], learning_rate=0.2)
    st = ask(w, "GET", f"api/sessions/{w.session}")["data"]
    assert st["layers"] == [2, 3, 1] and st["n_samples"] == 4 and st["learning_rate"] == 0.2
    assert st["trace"]["values"]["w1"] == xor.layers[0].weights[0, 0]  # the network's own weights
    spec = dict(json.loads(json.dumps(seed.SPEC)), learning_rate=0.1, title="my net")
    path = tmp_path / "net.json"
    path.write_text(json.dumps(spec))
    for given in (str(path), path):
        st = ask(chainrule.widget(given), "POST", "api/sessions", {})["data"]["state"]
        assert st["learning_rate"] == 0.1 and st["shown"]["out_o1"] == "0.751365070" and st["spec"]["title"] == "my net"


@pytest.mark.parametrize(
    "path, body",
    [
        ("api/sessions\r\nX-Evil: 1", {}),  # a CR (and LF) in the path
        ("api/sessions\x00", {}),  # a NUL
        ("api/sessions/" + "a" * 1_000_000, {}),  # a 1 MB path
        ("api/sessions", {"dataset": {"name": "xor", "noise": float("nan")}}),  # NaN is not JSON
        ("api/sessions", {"network": {"learning_rate": float("inf")}}),
        ("api/sessions", {"network": {1, 2}}),  # not JSON's types at all
        (["api/sessions"], {}),  # not a path
        ("api/sessions /x", {}),
    ],
    ids=["CR", "NUL", "1 MB path", "NaN", "infinity", "a set", "a list", "a space"],
)
def test_every_message_gets_one_reply_even_one_the_api_cannot_take(path, body):
    """Issue 25: a CR, NUL or 1 MB path, or a NaN body, raised inside the kernel and the page waited
    forever for a reply.  Each gets one reply with a 4xx status and one line."""
    w = chainrule.widget()
    got = ask(w, "POST", path, body, msg_id=7)
    assert 400 <= got["status"] < 500 and got["data"]["error"].count("\n") == 0, got
    json.dumps(got, allow_nan=False)  # the reply itself is JSON


def test_a_message_without_an_id_is_ignored_and_one_the_api_breaks_on_gets_a_500(monkeypatch):
    w = chainrule.widget()
    replies = []
    w.send = replies.append
    w._answer(w, {"method": "GET", "path": "api/sessions"}, [])
    w._answer(w, "not a dict", [])
    assert replies == []

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(w._client, "request", broken)
    got = ask(w, "GET", f"api/sessions/{w.session}")
    assert got["status"] == 500 and "RuntimeError" in got["data"]["error"]


@pytest.mark.subprocess
def test_creating_the_widget_prints_nothing_and_sends_only_json(tmp_path):
    """Issue 26: the first widget printed Starlette's "Using httpx with starlette.testclient is
    deprecated" and every widget's state held NaN ("Out of range float values are not JSON
    compliant").  Every message to the front end is JSON (no NaN), under warnings as errors."""
    import subprocess

    script = tmp_path / "silent.py"
    script.write_text(
        "import json, warnings\n"
        "warnings.simplefilter('error')\n"
        "from ipywidgets.widgets import widget as ipywidget\n"
        "sent = []\n"
        "class Comm:\n"
        "    comm_id = 'c1'\n"
        "    def __init__(self, **kwargs): sent.append(json.dumps(kwargs.get('data'), allow_nan=False))\n"
        "    def on_msg(self, callback): pass\n"
        "    def send(self, data=None, metadata=None, buffers=None): sent.append(json.dumps(data, allow_nan=False))\n"
        "    def close(self, *args, **kwargs): pass\n"
        "ipywidget.comm.create_comm = lambda **kwargs: Comm(**kwargs)\n"
        "import chainrule\n"
        "w = chainrule.widget()\n"
        "assert w.get_state()['loss'] is not None\n"
        "print(len(sent))\n"
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stderr == "", r.stderr[-2000:]
    assert int(r.stdout) >= 2  # the comm's opening state and the first answer's update


def test_the_in_process_client_answers_as_the_http_api():
    from chainrule.web.in_process import InProcessClient

    client, http = InProcessClient(create_app()), TestClient(create_app(), base_url="http://127.0.0.1")
    made, res = client.request("POST", "/api/sessions", json={}), http.post("/api/sessions", json={})
    assert made.status_code == 200 and made.json()["state"] == res.json()["state"]
    sid = made.json()["session"]
    f = client.request("GET", f"/api/sessions/{sid}/formula?name=w5%2B")
    assert f.status_code == 200 and f.headers["content-type"] == "application/json" and "<math" in f.json()["mathml"]
    assert client.request("GET", "/").text.startswith("<!doctype html>")
    assert client.request("GET", "/", headers={"Host": "evil.example"}).status_code == 403  # the guard is on
    with pytest.raises(chainrule.ChainruleError, match="not JSON"):
        client.request("POST", "/api/sessions", json={"x": float("nan")})


@pytest.mark.subprocess
def test_a_notebook_that_creates_the_widget_runs(tmp_path, monkeypatch):
    need("ipykernel", "running a notebook")
    nbformat = need("nbformat", "running a notebook")
    nbclient = need("nbclient", "running a notebook")
    # a kernel spec for this interpreter (the one with this chainrule installed), in a folder of the test's own
    kernels = tmp_path / "jupyter" / "kernels" / "chainrule-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "chainrule test",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", ""))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import chainrule\nw = chainrule.widget()\nw"),
        nbformat.v4.new_code_cell(
            "import anywidget\n"
            "assert isinstance(w, anywidget.AnyWidget)\n"
            "s = w.get_state()\n"
            "print(s['iteration'], round(s['loss'], 9), len(s['session']) > 0, '_esm' in s)"
        ),
    ]
    nbclient.NotebookClient(
        nb, kernel_name="chainrule-test", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    shown = next(o["data"] for o in nb.cells[0].outputs if o["output_type"] == "execute_result")
    assert "application/vnd.jupyter.widget-view+json" in shown  # a widget view, for a front end to render
    assert shown["text/plain"].startswith("chainrule.widget(session=")
    assert "loss=0.298371109" in shown["text/plain"]
    printed = [o["text"] for o in nb.cells[1].outputs if o.get("name") == "stdout"]
    assert printed == ["0 0.298371109 True True\n"]


@pytest.mark.browser
def test_the_widgets_front_end_in_chromium():
    need("playwright", "the browser test drives chromium through Playwright")
    from playwright.sync_api import sync_playwright

    w = chainrule.widget()
    replies = []
    w.send = replies.append

    def kernel(msg):  # the comm: the front end's message to the kernel, and the kernel's reply
        w._answer(w, msg, [])
        return replies.pop()

    # a stand-in for the notebook's model: send() reaches the kernel, its reply comes back as msg:custom
    host = """
      window.start = async (esm) => {
        const handlers = [];
        const model = { on: (ev, f) => handlers.push(f), off: () => {},
                        send: (msg) => window.kernel(msg).then((r) => handlers.forEach((h) => h(r))) };
        const mod = await import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" })));
        mod.default.render({ model, el: document.getElementById("out") });
      };"""
    errors = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"], timeout=30_000)
        try:
            pg = b.new_page(viewport={"width": 1400, "height": 900})
            pg.set_default_timeout(15_000)
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
            pg.expose_function("kernel", kernel)
            pg.set_content(
                "<!doctype html><html><body><p id=nb>a notebook</p><div id=out></div>"
                f"<script>{host}</script></body></html>"
            )
            pg.evaluate("(esm) => window.start(esm)", w._esm)
            pg.wait_for_selector(".cr-body[data-ready='1']")  # Playwright's CSS selectors see into the shadow root
            num = pg.locator("#diagram .num[data-name='w5']").first
            assert num.text_content().split("=")[-1].strip() == "0.4"
            pg.locator("#step").click()
            pg.wait_for_function(
                "() => document.querySelector('#out div').shadowRoot.querySelector('.cr-body').dataset.shown >= 2"
            )
            assert float(num.text_content().split("=")[-1]) == pytest.approx(0.35891648, abs=1e-8)
            assert w.iteration == 1
            # the page's ids stay in the widget's shadow root, not the notebook's document
            assert pg.evaluate("() => document.getElementById('diagram') === null && !!document.getElementById('nb')")
        finally:
            b.close()
    assert not errors, errors
