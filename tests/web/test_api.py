"""The local web app's JSON API, sessions and assets (issue 6), through FastAPI's test client.

The app is the guarded one `chainrule serve` runs (web/app.py's create_app), asked under this
machine's own name; state changes are sent as JSON, as the page sends them."""

import json
import threading

import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("fastapi", "the page's server")

from fastapi.testclient import TestClient

from chainrule import seed
from chainrule.cli import main
from chainrule.io.network_file import network_from_dict
from chainrule.web.app import create_app
from chainrule.web.export import record, replay_html, snapshot_iterations
from chainrule.web.security import MAX_BODY

LOCAL = "http://127.0.0.1"  # a name the guard allows for a server on 127.0.0.1


@pytest.fixture(scope="module")
def client():
    # entered: one event loop for every request, as in the server (the guard's queue of heavy
    # requests belongs to one loop; without `with`, the test client starts a loop per request)
    with TestClient(create_app(), base_url=LOCAL) as entered:
        yield entered


def new(client, body=None):
    res = client.post("/api/sessions", json=body or {})
    assert res.status_code == 200, res.text
    data = res.json()
    return data["session"], data["state"]


def test_a_new_session_holds_the_seed_and_the_trace_of_its_first_update(client):
    sid, st = new(client)
    assert st["layers"] == [2, 2, 2] and st["iteration"] == 0
    values = st["trace"]["values"]
    assert round(values["out_o1"], 8) == 0.75136507
    assert round(values["w5+"], 8) == 0.35891648
    assert st["shown"]["out_o1"] == "0.751365070" and st["shown"]["w5"] == "0.4"
    line = client.get(f"/api/sessions/{sid}/formula", params={"name": "w5+"}).json()["line"]
    assert line == "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.358916480"  # as the CLI prints
    assert st["curve"] == [[0, pytest.approx(0.298371109, abs=1e-9)]]
    names = {e["name"] for e in st["layout"]["edges"]}
    assert {f"w{k}" for k in range(1, 9)} <= names
    assert "surface" not in st  # one sample of the seed: no 2-D dataset


def test_training_is_the_engines_and_reaches_the_seeds_numbers(client):
    sid, _ = new(client)
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 1}).json()
    assert st["iteration"] == 1
    assert st["trace"]["values"]["w5"] == pytest.approx(0.35891648, abs=1e-8)
    assert st["loss_shown"] == "0.291027774"  # E_total@1
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 4999}).json()
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 5000}).json()
    assert st["iteration"] == 10_000
    assert st["loss_shown"] == "0.0000351019"  # E_total@10000
    assert st["curve"][0][1] == pytest.approx(0.298371109, abs=1e-9)
    assert st["curve"][-1] == [10_000, pytest.approx(3.51019e-5, rel=1e-5)]
    st = client.post(f"/api/sessions/{sid}/reset", json={}).json()
    assert st["iteration"] == 0 and st["trace"]["values"]["w5"] == 0.4


def test_sessions_are_isolated(client):
    a, _ = new(client)
    b, _ = new(client)
    client.post(f"/api/sessions/{a}/train", json={"steps": 100})
    client.post(f"/api/sessions/{a}/edit", json={"set": {"w1": 0.9}})
    st_b = client.get(f"/api/sessions/{b}").json()
    assert st_b["iteration"] == 0 and st_b["trace"]["values"]["w1"] == 0.15


def test_concurrent_sessions_give_the_same_numbers_as_one_at_a_time(client):
    ids = [new(client)[0] for _ in range(6)]
    results = {}

    def work(sid):
        for _ in range(5):
            client.post(f"/api/sessions/{sid}/train", json={"steps": 20})
        results[sid] = client.get(f"/api/sessions/{sid}").json()["trace"]["values"]["w5"]

    threads = [threading.Thread(target=work, args=(sid,)) for sid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alone, _ = new(client)
    expected = client.post(f"/api/sessions/{alone}/train", json={"steps": 100}).json()["trace"]["values"]["w5"]
    assert all(results[sid] == expected for sid in ids)


def test_editing_a_weight_recomputes_every_number(client):
    sid, st = new(client)
    before = st["trace"]["values"]["out_o1"]
    st = client.post(f"/api/sessions/{sid}/edit", json={"set": {"w5": -0.3}}).json()
    assert st["trace"]["values"]["w5"] == -0.3
    assert st["trace"]["values"]["out_o1"] < before
    colours = {e["name"]: e["colour"] for e in st["layout"]["edges"]}
    assert colours["w5"] != colours["w6"]  # red now
    st = client.post(f"/api/sessions/{sid}/edit", json={"set": {"i1": 1.0, "target_o2": 0.5, "eta": 0.1}}).json()
    assert st["trace"]["values"]["i1"] == 1.0 and st["trace"]["values"]["target_o2"] == 0.5
    assert st["learning_rate"] == 0.1
    st = client.post(f"/api/sessions/{sid}/edit", json={"set": {"y1_final": 0.5}})  # a computed value
    assert st.status_code == 400 and "no editable number" in st.json()["error"]


@pytest.mark.parametrize("name", ["w" + "9" * 5000, "\u0394" * 1200 + "w1", "w1\x1b]0;retitled\x07"])
def test_a_hostile_name_to_edit_is_one_short_400_line(client, name):
    """Issue 25: a weight name of 5,000 digits was HTTP 500 on /edit; the reply names it cut short and escaped."""
    sid, _ = new(client)
    st = client.post(f"/api/sessions/{sid}/edit", json={"set": {name: 1.0}})
    error = st.json()["error"]
    assert st.status_code == 400 and "no editable number" in error and len(error) < 200, error
    assert "\x1b" not in error and "\n" not in error


def test_editing_layers_and_activation(client):
    sid, _ = new(client)
    st = client.post(f"/api/sessions/{sid}/edit", json={"layers": [2, 3, 3, 2], "activation": "tanh"}).json()
    assert st["layers"] == [2, 3, 3, 2] and st["activation"] == "tanh"
    assert "out_h2_3" in st["trace"]["values"]
    res = client.post(f"/api/sessions/{sid}/edit", json={"layers": [3, 2, 2]})
    assert res.status_code == 400 and "fixed by the samples" in res.json()["error"]


def test_a_dataset_session_has_a_decision_surface(client):
    sid, st = new(client, {"dataset": {"name": "xor", "n": 40, "hidden": [3], "seed": 1}})
    assert st["n_samples"] == 40 and st["layers"] == [2, 3, 1]
    surface = st["surface"]
    assert len(surface["values"]) == surface["size"] ** 2
    assert all(0 <= v <= 1 for v in surface["values"])
    assert len(st["points"]) == 40
    first = list(surface["values"])
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 200}).json()
    assert st["iteration"] == 200 and st["sample"] == 0  # online: point 200 mod 40
    assert st["surface"]["values"] != first


def test_the_network_file_downloads_and_reads_back(client):
    sid, _ = new(client)
    client.post(f"/api/sessions/{sid}/train", json={"steps": 1})
    res = client.get(f"/api/sessions/{sid}/network.json")
    assert res.status_code == 200 and "attachment" in res.headers["content-disposition"]
    nf = network_from_dict(res.json())
    assert nf.network.layers[1].weights[0, 0] == pytest.approx(0.35891648, abs=1e-8)
    sid2, st = new(client, {"network": res.json()})  # and opens as a new session (a shared link)
    assert st["trace"]["values"]["w5"] == pytest.approx(0.35891648, abs=1e-8)


@pytest.mark.parametrize(
    "path, body, fragment",
    [
        ("train", {"steps": 0}, "steps"),
        ("train", {"steps": 10**9}, "steps"),
        ("train", {"steps": "many"}, "steps"),
        ("train", {"steps": 1, "extra": 1}, "extra"),
        ("edit", {"set": {"w5": "x"}}, "set.w5"),
        ("edit", {"learning_rate": -1}, "learning_rate"),
        ("edit", {"activation": "softsign"}, "activation"),
        ("edit", {"layers": [2, 100, 2]}, "layers"),
    ],
)
def test_bad_fields_are_422_with_one_clear_line(client, path, body, fragment):
    sid, _ = new(client)
    res = client.post(f"/api/sessions/{sid}/{path}", json=body)
    assert res.status_code == 422
    error = res.json()["error"]
    assert fragment in error and "\n" not in error


def test_non_finite_numbers_and_bad_json_are_refused(client):
    sid, _ = new(client)
    res = client.post(
        f"/api/sessions/{sid}/edit", content='{"set": {"w5": NaN}}', headers={"content-type": "application/json"}
    )
    assert res.status_code == 422
    res = client.post(f"/api/sessions/{sid}/train", content="{", headers={"content-type": "application/json"})
    assert res.status_code == 422


def test_bad_network_files_and_datasets_are_400_or_422(client):
    res = client.post("/api/sessions", json={"network": {"layers": [2, 2], "weights": "no"}})
    assert res.status_code == 400 and "\n" not in res.json()["error"]
    res = client.post("/api/sessions", json={"network": {"layers": [2, 40, 2], "input": [0, 0], "target": [0, 0]}})
    assert res.status_code == 400 and "at most 16 neurons" in res.json()["error"]
    res = client.post("/api/sessions", json={"dataset": {"name": "moons"}})
    assert res.status_code == 422
    res = client.post("/api/sessions", json={"dataset": {"name": "xor", "hidden": [0]}})
    assert res.status_code == 422


def test_too_much_work_and_exploding_weights_are_400(client):
    sid, _ = new(client, {"dataset": {"name": "circles", "hidden": [16, 16, 16, 16]}})
    res = client.post(f"/api/sessions/{sid}/train", json={"steps": 5000})
    assert res.status_code == 400 and "too much work" in res.json()["error"]
    # a learning rate beyond the page's cap is refused before anything changes (422, the whole edit):
    # the next updates are the seed's own
    sid, _ = new(client)
    res = client.post(f"/api/sessions/{sid}/edit", json={"set": {"eta": 1e300, "i1": 1e300}})
    assert res.status_code == 422
    assert res.json()["error"] == "set: the learning rate must be above 0 and at most 100, not 1e+300"
    res = client.post(f"/api/sessions/{sid}/train", json={"steps": 3})
    untouched, _ = new(client)
    assert res.status_code == 200 and res.json()["iteration"] == 3
    assert res.json()["loss"] == client.post(f"/api/sessions/{untouched}/train", json={"steps": 3}).json()["loss"]
    # weights that do explode (an unbounded identity network, the largest learning rate): 400, and unchanged
    net = {
        "layers": [1, 3, 1],
        "activation": "identity",
        "loss": "half_sse",
        "learning_rate": 100,
        "weights": [[[3], [3], [3]], [[3, 3, 3]]],
        "input": [100],
        "target": [1],
    }
    sid, before = new(client, {"network": net})
    res = client.post(f"/api/sessions/{sid}/train", json={"steps": 50})
    assert res.status_code == 400
    assert res.json()["error"] == (
        "the weights overflowed (the learning rate is too large?); the network is as it was before these updates"
    )
    after = client.get(f"/api/sessions/{sid}").json()
    assert after["iteration"] == 0 and after["spec"]["weights"] == before["spec"]["weights"]


def test_large_bodies_are_413(client):
    sid, _ = new(client)
    big = json.dumps({"set": {f"w{k}": 0.1 for k in range(MAX_BODY // 10)}})
    res = client.post(f"/api/sessions/{sid}/edit", content=big, headers={"content-type": "application/json"})
    assert res.status_code == 413


def test_unknown_sessions_and_paths_are_404(client):
    assert client.get("/api/sessions/nope").status_code == 404
    assert client.post("/api/sessions/nope/train", json={"steps": 1}).json()["error"].startswith("unknown")
    for path in [
        "/static/../app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e/sessions.py",
        "/static/app.py",
        "/etc/passwd",
        "/static/",
    ]:
        res = client.get(path)
        assert res.status_code == 404, path
        assert "def " not in res.text


def test_the_page_and_its_assets_are_served_without_external_references(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["x-content-type-options"] == "nosniff"
    for asset in ["app.js", "style.css", "favicon.svg"]:
        res = client.get(f"/static/{asset}")
        assert res.status_code == 200
        assert "http://" not in res.text.replace("http://www.w3.org/2000/svg", "") and "https://" not in res.text
    assert "https://" not in page.text and "http://" not in page.text


def test_sessions_beyond_the_limit_drop_the_oldest():
    small = TestClient(create_app(session_limit=2), base_url=LOCAL)
    a = small.post("/api/sessions", json={}).json()["session"]
    small.post("/api/sessions", json={})
    small.post("/api/sessions", json={})
    assert small.get(f"/api/sessions/{a}").status_code == 404


def test_the_served_network_comes_from_a_file(tmp_path):
    spec = dict(seed.SPEC, learning_rate=0.25)
    app = create_app(spec)
    st = TestClient(app, base_url=LOCAL).post("/api/sessions", json={}).json()["state"]
    assert st["learning_rate"] == 0.25


# ----------------------------------------------------------------------------- the exported page
def test_snapshots_cover_the_run():
    assert snapshot_iterations(10_000) == [0, 1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]
    assert snapshot_iterations(3) == [0, 1, 2, 3]


def test_the_replay_page_is_one_file_with_the_recorded_run(tmp_path, capsys):
    page = tmp_path / "page.html"
    assert main(["serve", "--export", str(page), "--iterations", "100"]) == 0
    assert "replaying 100 updates" in capsys.readouterr().out
    html = page.read_text()
    assert "<script src=" not in html and 'rel="stylesheet"' not in html  # everything inlined
    assert "window.CHAINRULE_REPLAY" in html
    data = html.split("window.CHAINRULE_REPLAY = ", 1)[1].split(";</script>", 1)[0]
    run = json.loads(data)
    assert [f["iteration"] for f in run["frames"]] == [0, 1, 2, 3, 4, 5, 10, 20, 50, 100]
    assert run["frames"][0]["shown"]["out_o1"] == "0.751365070"
    assert run["frames"][1]["trace"]["values"]["w5"] == pytest.approx(0.35891648, abs=1e-8)


def test_the_replay_page_cannot_be_closed_early_by_its_data():
    run = record(dict(seed.SPEC), 1)
    run["frames"][0]["spec"]["title"] = "</script><script>alert(1)</script>"
    html = replay_html(run)
    assert html.count("</script>") == 2  # the data's and the page's script: nothing injected
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html  # JSON's own escapes


def test_serve_refuses_a_bad_port_and_a_bad_file(tmp_path, capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["serve", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# ----------------------------------------------------------------------------- issue 14: what was broken
def test_the_curve_keeps_its_early_history(client):
    sid, _ = new(client)
    for _ in range(2):
        st = client.post(f"/api/sessions/{sid}/train", json={"steps": 5000}).json()
    curve = st["curve"]
    assert curve[0][0] == 0 and curve[-1][0] == 10_000
    early = [p for p in curve if p[0] < 1000]
    assert len(early) >= 200  # was 1 of 1,501 points: the older half was thinned again and again
    assert [p[0] for p in curve[:128]] == list(range(128))  # every one of the first updates
    assert len(curve) < 700  # and still a bounded curve: 64 points per doubling
    iterations = [p[0] for p in curve]
    assert iterations == sorted(set(iterations))


def test_exported_frames_carry_the_curve_up_to_their_own_update():
    run = record(None, 2000)
    for frame in run["frames"]:
        assert frame["curve"][-1][0] == frame["iteration"]  # not the live curve up to 2,000
        assert all(p[0] <= frame["iteration"] for p in frame["curve"])
    assert run["frames"][0]["curve"] == [[0, pytest.approx(0.298371109, abs=1e-9)]]


@pytest.mark.parametrize("sequence", [["identity"], ["leaky_relu"], ["tanh", "sigmoid"], [["relu", "leaky_relu"]]])
def test_activation_names_of_any_length_are_accepted(client, sequence):
    sid, _ = new(client)
    for name in sequence:
        res = client.post(f"/api/sessions/{sid}/edit", json={"activation": name})
        assert res.status_code == 200, res.text
    expected = sequence[-1] if isinstance(sequence[-1], str) else sequence[-1][0]
    assert res.json()["activation"] == expected


def test_changing_the_depth_keeps_each_layers_activation(client):
    sid, _ = new(client)
    st = client.post(f"/api/sessions/{sid}/edit", json={"layers": [2, 2, 2, 2]}).json()
    assert st["layers"] == [2, 2, 2, 2] and st["spec"]["activation"] == ["sigmoid"] * 3
    sid, st = new(client, {"dataset": {"name": "xor", "n": 40}})
    res = client.post(f"/api/sessions/{sid}/edit", json={"layers": [2, 16, 16, 16, 1]})
    assert res.status_code == 200, res.text
    assert res.json()["spec"]["activation"] == ["tanh"] * 3 + ["sigmoid"]
    # one name for a network whose output has its own activation: the hidden layers take it
    st = client.post(f"/api/sessions/{sid}/edit", json={"activation": "relu"}).json()
    assert st["spec"]["activation"] == ["relu"] * 3 + ["sigmoid"]


def test_reset_goes_back_to_the_network_as_loaded(client):
    sid, _ = new(client)
    client.post(f"/api/sessions/{sid}/edit", json={"set": {"w5": -1.5}})
    client.post(f"/api/sessions/{sid}/edit", json={"layers": [2, 3, 2]})
    client.post(f"/api/sessions/{sid}/train", json={"steps": 10})
    st = client.post(f"/api/sessions/{sid}/reset", json={}).json()
    assert st["layers"] == [2, 2, 2] and st["iteration"] == 0
    assert st["trace"]["values"]["w5"] == 0.4 and st["loss_shown"] == "0.298371109"


def test_the_readmes_edit_example_and_a_huge_learning_rate(client):
    sid, _ = new(client)
    res = client.post(f"/api/sessions/{sid}/edit", json={"set": {"w5": 0.3}, "learning_rate": 0.1, "layers": [2, 3, 2]})
    assert res.status_code == 200, res.text
    st = res.json()
    assert st["layers"] == [2, 3, 2] and st["learning_rate"] == 0.1 and st["trace"]["values"]["w5"] == 0.3
    res = client.post(f"/api/sessions/{sid}/edit", json={"learning_rate": 1e9})
    assert res.status_code == 422
    assert res.json()["error"] == "learning_rate: the learning rate must be above 0 and at most 100, not 1e+09"
    assert client.get(f"/api/sessions/{sid}").json()["learning_rate"] == 0.1  # unchanged


def test_the_spirals_preset_learns(client):
    sid, st = new(client, {"dataset": {"name": "spirals"}})
    assert st["layers"] == [2, 8, 8, 1] and st["batch_size"] == 10
    for _ in range(40):  # 19,040 updates of 10 points
        st = client.post(f"/api/sessions/{sid}/train", json={"steps": st["max_steps"], "view": "frame"}).json()
    assert st["loss"] < 0.35 and st["surface"]["accuracy"] > 0.8  # it stalled at 0.6516 for 200,000 updates


# ----------------------------------------------------------------------------- ranges from the constraint table
TABLE_FIELDS = [
    ("DatasetRequest", "noise", "noise"),
    ("DatasetRequest", "test_fraction", "test_size"),
    ("DatasetRequest", "batch_size", "batch_size"),
    ("DatasetRequest", "l1", "l1"),
    ("DatasetRequest", "l2", "l2"),
    ("DatasetRequest", "seed", "seed"),
    ("TrainRequest", "steps", "iterations"),
    ("EditRequest", "batch_size", "batch_size"),
    ("EditRequest", "seed", "seed"),
]


@pytest.mark.parametrize("model, field, name", TABLE_FIELDS, ids=[f"{m}.{f}" for m, f, _ in TABLE_FIELDS])
def test_the_page_accepts_no_value_its_engine_refuses(model, field, name):
    """Each range the server publishes for a field of the constraint table lies inside the table's:
    the page's closed ends are values the engine accepts, its open ends values the engine refuses."""
    from chainrule.core.constraints import CONSTRAINTS
    from chainrule.errors import ConfigError
    from chainrule.web import schemas

    schema = getattr(schemas, model).model_json_schema()["properties"][field]
    numeric = next(s for s in schema.get("anyOf", [schema]) if s.get("type") in ("integer", "number"))
    closed = [numeric[k] for k in ("minimum", "maximum") if k in numeric]
    opened = [numeric[k] for k in ("exclusiveMinimum", "exclusiveMaximum") if k in numeric]
    assert len(closed) + len(opened) == 2  # both ends are published
    for bound in closed:
        CONSTRAINTS[name](bound, name)  # accepted: no ConfigError
    for bound in opened:
        with pytest.raises(ConfigError):
            CONSTRAINTS[name](bound, name)


# ----------------------------------------------------------------------------- choices from the registries
def test_the_pages_choices_and_written_forms_come_from_the_registries(client):
    from chainrule.core.activations import ACTIVATIONS
    from chainrule.core.losses import LOSSES

    _, st = new(client)
    assert [a["name"] for a in st["choices"]["activations"]] == list(ACTIVATIONS)
    assert [x["name"] for x in st["choices"]["losses"]] == list(LOSSES)
    assert st["loss_form"]["name"] == "half_sse" and st["loss_form"]["text"] == "E_o = 1/2 * (target - out)^2"
    assert st["loss_form"]["mathml"].startswith("<math")
    assert st["kinds"]["w5"] == "weight" and st["kinds"]["b1"] == "bias" and st["kinds"]["eta"] == "learning_rate"
    assert st["kinds"]["i1"] == "input" and st["kinds"]["target_o2"] == "target"
    assert st["phase_of"]["out_o1"] == 1 and st["phase_of"]["E_total"] == 2 and st["phase_of"]["w5+"] == 5
    assert st["labels"]["dE_total/dw5"] == "∂E_total/∂w5"
    _, xor = new(client, {"dataset": {"name": "xor", "n": 20}})
    assert xor["loss_form"]["name"] == "binary_cross_entropy" and "log" in xor["loss_form"]["text"]


def test_an_activation_and_loss_registered_at_run_time_reach_the_schema_and_the_page():
    import numpy as np

    from chainrule.core import activations, losses

    class Softsign(activations.Activation):
        name = "softsign"
        text = "<x> / (1 + |<x>|)"
        latex = r"\frac{<x>}{1+|<x>|}"
        derivative_text = "1 / (1 + |<x>|)^2"
        derivative_latex = r"\frac{1}{(1+|<x>|)^2}"

        def torch_module(self, nn):
            return nn.Softsign()

        def forward(self, net, into=None):
            return np.divide(net, 1 + np.abs(net), out=into)

        def derivative(self, out, net, into=None):
            return np.divide(1.0, (1 + np.abs(net)) ** 2, out=into)

    class QuarterSSE(losses.Loss):
        name = "quarter_sse"
        text = "1/4 * (<t> - <y>)^2"
        latex = r"\frac{1}{4}(<t> - <y>)^2"
        gradient_text = "-(<t> - <y>) / 2"
        gradient_latex = r"-\frac{<t> - <y>}{2}"
        metrics = ("mse",)

        def torch_terms(self, torch, out, target):
            return 0.25 * (target - out) ** 2

        def terms(self, out, target, net=None):
            return 0.25 * (target - out) ** 2

        def gradient(self, out, target):
            return (out - target) / 2

    activations.register(Softsign)
    losses.register(QuarterSSE)
    try:
        client = TestClient(create_app(), base_url=LOCAL)
        schema = client.get("/api/openapi.json").json()["components"]["schemas"]["EditRequest"]["properties"]
        assert "softsign" in str(schema["activation"]) and "quarter_sse" in str(schema["loss"])
        sid, st = new(client)
        assert "softsign" in [a["name"] for a in st["choices"]["activations"]]
        assert "quarter_sse" in [x["name"] for x in st["choices"]["losses"]]
        res = client.post(f"/api/sessions/{sid}/edit", json={"activation": "softsign", "loss": "quarter_sse"})
        assert res.status_code == 200, res.text
        st = res.json()
        assert st["activation"] == "softsign" and st["loss_form"]["text"] == "E_o = 1/4 * (target - out)^2"
        assert client.post(f"/api/sessions/{sid}/train", json={"steps": 3}).status_code == 200
    finally:
        activations.ACTIVATIONS.unregister("softsign")
        losses.LOSSES.unregister("quarter_sse")


# ----------------------------------------------------------------------------- fast answers
def test_a_play_frame_carries_only_what_the_page_redraws(client):
    sid, full = new(client, {"dataset": {"name": "spirals"}})
    frame = client.post(f"/api/sessions/{sid}/train", json={"steps": 5, "view": "frame"})
    st = frame.json()
    assert st["view"] == "frame" and st["iteration"] == 5
    assert "trace" not in st and "points" not in st and "choices" not in st
    assert all(full["phase_of"].get(name, 0) <= 1 for name in st["shown"])  # the forward pass and the givens
    assert len(frame.content) < 0.3 * len(json.dumps(full))
    answer = client.get(f"/api/sessions/{sid}/formula", params={"name": "out_o1"}).json()
    assert answer["mathml"].startswith("<math") and answer["line"].startswith("out_o1 = ")
    assert client.get(f"/api/sessions/{sid}/formula", params={"name": "nope"}).status_code == 400


# ----------------------------------------------------------------------------- the Playground's features
def test_a_test_split_batch_size_and_regularisation_are_the_trainers(client):
    sid, st = new(client, {"dataset": {"name": "circles", "n": 100, "test_fraction": 0.2, "batch_size": 5, "l2": 0.01}})
    assert st["n_samples"] == 80 and len(st["test_points"]) == 20 and st["batch_size"] == 5
    assert st["options"] == {"batch_size": 5, "l1": 0.0, "l2": 0.01}
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 3}).json()
    assert st["iteration"] == 3 and st["sample"] == 15  # three batches of five points
    assert st["curve"][-1][0] == 3 and len(st["curve"][-1]) == 3  # update, training loss, test loss
    assert st["test_loss_shown"] and "neuron_maps" in st and "h1_1" in st["neuron_maps"]["maps"]
    st = client.post(f"/api/sessions/{sid}/edit", json={"batch_size": 1, "l1": 0.001}).json()
    assert st["options"] == {"batch_size": 1, "l1": 0.001, "l2": 0.01}


@pytest.mark.parametrize("name", ["plane", "bumps"])
def test_regression_datasets_train_an_identity_output(client, name):
    sid, st = new(client, {"dataset": {"name": name, "n": 60}})
    assert st["output_activation"] == "identity" and st["loss_name"] == "half_sse"
    assert st["surface"]["centre"] == 0.0 and "accuracy" not in st["surface"]
    before = st["loss"]
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 600}).json()
    assert st["loss"] < before


def test_an_idle_connection_outlives_the_clients_own_keep_alive(tmp_path):
    """The load test's one ReadError: uvicorn closed idle connections after 5 s, the moment httpx
    (5 s idle expiry) might reuse them.  `chainrule serve` keeps them longer than that."""
    import os
    import re
    import socket
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "chainrule", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", proc.stdout.readline()).group(1))
        request = b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

        def response(s) -> bytes:  # one whole response: the head, then content-length bytes
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    return data  # closed by the server
                data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            while len(body) < length:
                body += s.recv(65536)
            return head

        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(request)
            assert response(s).startswith(b"HTTP/1.1 200")
            time.sleep(6.5)  # idle for longer than httpx's keep-alive expiry (5 s)
            s.sendall(request)
            assert response(s).startswith(b"HTTP/1.1 200")  # not closed under the client
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_every_connection_sends_small_writes_at_once():
    """`chainrule serve` listens on a socket made as socket.socket(AF_INET, SOCK_STREAM) (proto 0);
    asyncio sets TCP_NODELAY only when proto is IPPROTO_TCP, so every answer's body waited for the
    client's delayed ACK of its head (44 ms a request, capping "1000 / frame" near 15 fps).  The
    server's protocol sets TCP_NODELAY on each connection itself."""
    import socket
    import threading
    import time

    import uvicorn

    from chainrule.web.security import uvicorn_settings

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as cli/serve.py makes it
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", **uvicorn_settings()))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        with socket.create_connection(sock.getsockname(), timeout=10) as client:
            client.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(65536).startswith(b"HTTP/1.1 200")
            connections = list(server.server_state.connections)
            assert len(connections) == 1
            accepted = connections[0].transport.get_extra_info("socket")
            assert accepted.proto == 0  # what asyncio looks at: it did not set the option itself
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.mark.parametrize("steps", [1, 7, 1000])
def test_a_frame_sends_only_the_curves_new_points_and_the_page_rebuilds_it(client, steps):
    sid, st = new(client)
    curve = st["curve"]
    sizes = []
    for _ in range(40):  # across many of the curve's buckets (each doubling keeps 64 points)
        frame = client.post(
            f"/api/sessions/{sid}/train", json={"steps": steps, "view": "frame", "curve_from": max(0, len(curve) - 1)}
        )
        answer = frame.json()
        curve = curve[: answer["curve_from"]] + answer["curve"]  # what app.js's show() does
        sizes.append(len(answer["curve"]))
    full = client.get(f"/api/sessions/{sid}").json()
    assert curve == full["curve"] and curve[-1][0] == 40 * steps
    assert sizes[-1] <= steps + 1 and sizes[-1] < len(curve) / 4  # the newest points only, not the whole curve
    # a page that asks from beyond the curve's end gets its newest point again (never a gap)
    answer = client.post(f"/api/sessions/{sid}/train", json={"steps": 1, "view": "frame", "curve_from": 10**6}).json()
    assert len(answer["curve"]) == 1
    assert answer["curve_from"] + 1 == len(client.get(f"/api/sessions/{sid}").json()["curve"])


@pytest.mark.parametrize(
    "body",
    [
        {},  # the seed: shared biases
        {"dataset": {"name": "spirals", "hidden": [8, 8]}},  # a bias per neuron, 2-8-8-1
        {
            "network": {
                "layers": [3, 4, 3],
                "activation": ["relu", "softmax"],
                "loss": "categorical_cross_entropy",
                "input": [0.5, -1.0, 2.0],
                "target": [0, 1, 0],
                "learning_rate": 0.1,
                "seed": 2,
            }
        },
        {
            "network": {
                "layers": [2, 3, 1],
                "activation": "tanh",
                "bias": "none",
                "inputs": [[0, 1], [1, 1]],
                "targets": [[1], [0]],
                "learning_rate": 0.3,
                "seed": 1,
            }
        },
    ],
)
def test_a_play_frames_numbers_are_the_traces_own(client, body):
    """A frame names and computes its numbers with the engine's forward pass alone (no trace of
    the whole update): each must equal what the full state's trace gives, name for name."""
    sid, _ = new(client, body)
    for steps in (1, 3):
        frame = client.post(f"/api/sessions/{sid}/train", json={"steps": steps, "view": "frame"}).json()
        full = client.get(f"/api/sessions/{sid}").json()
        wanted = {n for n in full["shown"] if n in full["kinds"] or full["phase_of"].get(n) == 1}
        assert set(frame["shown"]) == wanted
        assert frame["shown"] == {n: full["shown"][n] for n in wanted}
        edges = full["layout"]["edges"]  # a frame repaints the full state's edges, in their order
        assert frame["paint"] == {"colours": [e["colour"] for e in edges], "widths": [e["width"] for e in edges]}
        assert "layout" not in frame


SESSION_ROUTES = [
    ("GET", "", None),
    ("POST", "/train", {"steps": 1}),
    ("POST", "/edit", {"set": {"w5": 0.3}}),
    ("POST", "/reset", {}),
    ("GET", "/formula?name=out_o1", None),
    ("GET", "/network.json", None),
    ("GET", "/export?iterations=2", None),
]


@pytest.mark.parametrize("method, tail, body", SESSION_ROUTES, ids=[t or "state" for _, t, _ in SESSION_ROUTES])
def test_every_session_route_answers_an_unknown_session_with_one_404(client, method, tail, body):
    """One dependency looks the session up for every route under /api/sessions/{sid}: an unknown id is
    the same 404 everywhere, whatever the body; a known one reaches the route."""
    for sid_body in (body, {"steps": "not a number", "set": 5}):
        r = client.request(method, f"/api/sessions/no-such-session{tail}", json=sid_body)
        assert r.status_code == 404 and r.json() == {"error": "unknown or expired session; reload the page"}
    sid, _ = new(client)
    assert client.request(method, f"/api/sessions/{sid}{tail}", json=body).status_code == 200


def test_the_session_look_up_is_a_declared_dependency():
    from fastapi.routing import APIRoute

    from chainrule.web.routes import path_session, router

    # the API's router, as create_app() includes it (recent FastAPI keeps an included router whole
    # rather than copying its routes into app.routes)
    routes = [r for r in router.routes if isinstance(r, APIRoute) and "{sid}" in r.path]
    assert len(routes) == len(SESSION_ROUTES)
    for route in routes:
        assert [d.call for d in route.dependant.dependencies] == [path_session], route.path


# ----------------------------------------------------------------------------- issue 23: the page's server side
def test_input_features_are_what_the_network_reads_and_the_points_stay_on_the_plane(client):
    from chainrule.data.features import expand
    from chainrule.data.toy2d import make_toy2d

    sid, st = new(client, {"dataset": {"name": "circles", "n": 60, "features": ["x1^2", "x2^2", "x1"]}})
    assert st["layers"][0] == 3 and st["dataset"]["features"] == ["x1", "x1^2", "x2^2"]  # the table's order
    assert st["input_labels"] == {"i1": "X₁", "i2": "X₁²", "i3": "X₂²"}
    x, _ = make_toy2d("circles", 60, 0.1, 0)
    assert [p[:2] for p in st["points"]] == x.round(4).tolist()  # drawn at their coordinates
    assert st["spec"]["layers"][0] == 3
    first = st["trace"]["values"]
    wanted = expand(x.round(4)[:1], ["x1", "x1^2", "x2^2"])[0]
    assert [first["i1"], first["i2"], first["i3"]] == pytest.approx(wanted, abs=1e-4)  # written to 4 decimals
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 300}).json()
    assert st["iteration"] == 300 and st["surface"]["accuracy"] > 0.9  # x1² + x2²: circles are easy
    res = client.post("/api/sessions", json={"dataset": {"name": "xor", "features": ["x3"]}})
    assert res.status_code == 422 and "unknown input feature 'x3'" in res.json()["error"]
    res = client.post("/api/sessions", json={"dataset": {"name": "xor", "features": ["x1", "x1"]}})
    assert res.status_code == 422 and "at most once" in res.json()["error"]


def test_the_surface_and_maps_bytes_are_their_values_as_the_page_draws_them(client):
    import base64

    sid, st = new(client, {"dataset": {"name": "xor", "n": 40}})
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 50, "view": "frame"}).json()
    full = client.get(f"/api/sessions/{sid}").json()
    surface, frame = full["surface"], st["surface"]
    assert "values" not in frame and frame["bytes"] == surface["bytes"]
    got = list(base64.b64decode(surface["bytes"]))
    for byte, value in zip(got, surface["values"]):
        q = (value - surface["centre"]) / surface["scale"]
        assert (byte >= 128) == (q >= 0) or abs(q) < 1e-4  # the side of the boundary (at 4 decimals)
        assert abs((byte - 127.5) / 127.5 - max(-1, min(1, q))) <= 0.5 / 127.5 + 1e-3
    maps = full["neuron_maps"]
    assert maps["order"] == list(maps["maps"]) and st["neuron_maps"]["bytes"] == maps["bytes"]
    raw = base64.b64decode(maps["bytes"])
    assert len(raw) == len(maps["order"]) * maps["size"] ** 2 and min(raw) == 0 and max(raw) == 255


def test_a_dataset_trained_one_point_at_a_time_is_the_trainers_update(client):
    """Batches of one run the engine's written-out update (training/online.py's train_in_turn): the
    Trainer's numbers to rounding, much faster; with L2 the Trainer itself runs."""
    from chainrule.training.loop import Trainer

    sid, st = new(client, {"dataset": {"name": "xor", "n": 40, "hidden": [4, 4]}})
    net = network_from_dict(
        dict(st["spec"], inputs=[p[:2] for p in st["points"]], targets=[[p[2]] for p in st["points"]])
    )
    rows = [k % 40 for k in range(130)]
    x = [[p[0], p[1]] for p in st["points"]]
    t = [[p[2]] for p in st["points"]]
    import numpy as np

    Trainer(
        net.network,
        np.array(x)[rows],
        np.array(t)[rows],
        epochs=1,
        batch_size=1,
        learning_rate=0.1,
        shuffle=False,
        metrics=(),
    ).run()
    st = client.post(f"/api/sessions/{sid}/train", json={"steps": 130}).json()
    assert st["iteration"] == 130 and st["sample"] == 10
    ours = client.get(f"/api/sessions/{sid}/network.json").json()
    for a, b in zip(ours["weights"], [layer.weights.tolist() for layer in net.network.layers]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_new_random_weights_keep_the_layers_and_reset_goes_back_to_the_loaded_ones(client):
    sid, st = new(client, {"dataset": {"name": "xor", "n": 40}})
    loaded = st["spec"]["weights"]
    st = client.post(f"/api/sessions/{sid}/edit", json={"seed": 7}).json()
    assert st["layers"] == [2, 4, 4, 1] and st["spec"]["weights"] != loaded and st["pristine"] is False
    again = client.post(f"/api/sessions/{sid}/edit", json={"seed": 7}).json()
    assert again["spec"]["weights"] == st["spec"]["weights"]  # seeded: the same seed, the same weights
    st = client.post(f"/api/sessions/{sid}/reset", json={}).json()
    assert st["spec"]["weights"] == loaded and st["pristine"] is True and st["iteration"] == 0


def test_a_session_resumes_where_a_page_left_off(client):
    """A restarted server (or a reload in a new tab) loses the session; the page sends what it had —
    the network as it was, its updates and its curve — and carries on; Reset still goes back to the
    network as first loaded."""
    sid, _ = new(client, {"dataset": {"name": "spirals", "n": 100, "test_fraction": 0.2}})
    client.post(f"/api/sessions/{sid}/edit", json={"l2": 0.001, "batch_size": 5})
    was = client.post(f"/api/sessions/{sid}/train", json={"steps": 40}).json()
    was = client.get(f"/api/sessions/{sid}").json()
    resume = {"network": was["spec"], "iteration": 40, "curve": was["curve"], "batch_size": 5, "l2": 0.001}
    body = {"dataset": {"name": "spirals", "n": 100, "test_fraction": 0.2}, "resume": resume}
    res = client.post("/api/sessions", json=body)
    assert res.status_code == 200, res.text
    now = res.json()["state"]
    for key in ("iteration", "sample", "curve", "shown", "loss", "options", "test_loss", "layers"):
        assert now[key] == was[key], key
    assert now["pristine"] is False
    other = client.post(f"/api/sessions/{res.json()['session']}/reset", json={}).json()
    assert other["iteration"] == 0 and other["spec"]["weights"] != was["spec"]["weights"]
    seed_resumed = new(
        client,
        {
            "resume": {
                "network": {**seed.SPEC, "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6], [0.7, 0.8]]]},
                "iteration": 3,
            }
        },
    )[1]
    assert (
        seed_resumed["shown"]["w1"] == "0.1"
        and seed_resumed["iteration"] == 3
        and seed_resumed["curve"] == [[3, pytest.approx(seed_resumed["loss"])]]
    )
    for bad in (
        {"network": {**seed.SPEC, "layers": [2, 3, 2]}},  # weights of another shape
        {"network": {**seed.SPEC, "layers": [3, 2, 2], "weights": [[[1, 1, 1], [1, 1, 1]], [[1, 1], [1, 1]]]}},
        {"iteration": 2, "curve": [[0, 0.3], [5, 0.2]]},  # a curve beyond its iteration
        {"curve": [[0, 0.3, 1, 2]]},
    ):
        before = len(client.app.state.store)
        res = client.post("/api/sessions", json={"resume": bad})
        assert res.status_code in (400, 422) and "\n" not in res.json()["error"], bad
        assert len(client.app.state.store) == before  # nothing half-made stays behind


def test_five_hidden_layers_are_refused_in_the_pages_words(client):
    sid, _ = new(client)
    res = client.post(f"/api/sessions/{sid}/edit", json={"layers": [2, 2, 2, 2, 2, 2, 2]})
    assert res.status_code == 422 and res.json()["error"] == "layers: the page draws at most 4 hidden layers, not 5"
    res = client.post("/api/sessions", json={"dataset": {"name": "xor", "hidden": [2] * 5}})
    assert res.json()["error"] == "dataset.hidden: the page draws at most 4 hidden layers, not 5"


def test_the_export_route_answers_the_replaying_page_of_the_network_as_it_is(client):
    sid, _ = new(client)
    client.post(f"/api/sessions/{sid}/edit", json={"set": {"w5": 0.3}})
    res = client.get(f"/api/sessions/{sid}/export", params={"iterations": 50})
    assert res.status_code == 200 and res.json()["filename"].endswith(".html")
    html = res.json()["html"]
    assert html.startswith("<!doctype html>") and "CHAINRULE_REPLAY" in html and "static/app.js" not in html
    data = json.loads(html.split("window.CHAINRULE_REPLAY = ", 1)[1].split(";</script>", 1)[0])
    assert data["frames"][0]["shown"]["w5"] == "0.3" and data["frames"][-1]["iteration"] == 50
    assert client.get(f"/api/sessions/{sid}/export", params={"iterations": 10**6}).status_code == 422
    sid, _ = new(client, {"dataset": {"name": "xor", "n": 40, "features": ["x1", "x2", "x1*x2"]}})
    html = client.get(f"/api/sessions/{sid}/export", params={"iterations": 20}).json()["html"]
    assert '"input_labels"' in html
