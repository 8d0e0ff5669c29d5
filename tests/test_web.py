"""The local web app's JSON API, sessions and assets (issue 6), through FastAPI's test client."""

import json
import threading

import pytest
from fastapi.testclient import TestClient

from chainrule import seed
from chainrule.cli import main
from chainrule.io.network_file import network_from_dict
from chainrule.web.app import MAX_BODY, create_app
from chainrule.web.export import record, replay_html, snapshot_iterations


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


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
    line = next(s["line"] for s in st["trace"]["steps"] if s["name"] == "w5+")
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
    st = client.post(f"/api/sessions/{sid}/reset").json()
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


@pytest.mark.parametrize("path, body, fragment", [
    ("train", {"steps": 0}, "steps"),
    ("train", {"steps": 10**9}, "steps"),
    ("train", {"steps": "many"}, "steps"),
    ("train", {"steps": 1, "extra": 1}, "extra"),
    ("edit", {"set": {"w5": "x"}}, "set.w5"),
    ("edit", {"learning_rate": -1}, "learning_rate"),
    ("edit", {"activation": "softsign"}, "activation"),
    ("edit", {"layers": [2, 100, 2]}, "layers"),
])
def test_bad_fields_are_422_with_one_clear_line(client, path, body, fragment):
    sid, _ = new(client)
    res = client.post(f"/api/sessions/{sid}/{path}", json=body)
    assert res.status_code == 422
    error = res.json()["error"]
    assert fragment in error and "\n" not in error


def test_non_finite_numbers_and_bad_json_are_refused(client):
    sid, _ = new(client)
    res = client.post(f"/api/sessions/{sid}/edit", content='{"set": {"w5": NaN}}',
                      headers={"content-type": "application/json"})
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
    sid, _ = new(client)
    client.post(f"/api/sessions/{sid}/edit", json={"set": {"eta": 1e300, "i1": 1e300}})
    res = client.post(f"/api/sessions/{sid}/train", json={"steps": 3})
    assert res.status_code in (200, 400)  # never a 500
    if res.status_code == 400:
        assert "\n" not in res.json()["error"]


def test_large_bodies_are_413(client):
    sid, _ = new(client)
    big = json.dumps({"set": {f"w{k}": 0.1 for k in range(MAX_BODY // 10)}})
    res = client.post(f"/api/sessions/{sid}/edit", content=big, headers={"content-type": "application/json"})
    assert res.status_code == 413


def test_unknown_sessions_and_paths_are_404(client):
    assert client.get("/api/sessions/nope").status_code == 404
    assert client.post("/api/sessions/nope/train", json={"steps": 1}).json()["error"].startswith("unknown")
    for path in ["/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/sessions.py", "/static/app.py",
                 "/etc/passwd", "/static/"]:
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
    small = TestClient(create_app(session_limit=2))
    a = small.post("/api/sessions", json={}).json()["session"]
    small.post("/api/sessions", json={})
    small.post("/api/sessions", json={})
    assert small.get(f"/api/sessions/{a}").status_code == 404


def test_the_served_network_comes_from_a_file(tmp_path):
    spec = dict(seed.SPEC, learning_rate=0.25)
    app = create_app(spec)
    st = TestClient(app).post("/api/sessions", json={}).json()["state"]
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
    assert "<\\/script><script>alert(1)<\\/script>" in html


def test_serve_refuses_a_bad_port_and_a_bad_file(tmp_path, capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["serve", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
