"""The server's JSON API in-process (issue 7): malformed bodies for every endpoint (``FUZZ_API_N``,
700 in CI, 10,000 in scripts/fuzz_long.py), size limits, and session isolation.  Every answer is 200 with
finite JSON, or a 4xx with {"error": one line} — never a 500."""

import json
import math
import os
import warnings

import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("fastapi", "the page's server")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx versions
    from fastapi.testclient import TestClient

from chainrule.web.app import create_app
from chainrule.web.security import MAX_BODY

from support.fuzz_data import DEEP_FILE, SEED_FILE
from support.fuzz_harness import fuzz, json_inputs

N = int(os.environ.get("FUZZ_API_N", "700"))


@pytest.fixture(scope="module")
def client():
    # the guarded app `chainrule serve` runs, asked under this machine's own name, on one event loop
    with TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False) as entered:
        yield entered


def _finite(obj) -> bool:
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return True


def _judge(response) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    try:
        body = json.loads(response.text)
    except ValueError:
        return f"HTTP {response.status_code} without JSON: {response.text[:100]!r}"
    if response.status_code == 200:
        return None if _finite(body) else "non-finite numbers in a 200 answer"
    if not (
        isinstance(body, dict)
        and isinstance(body.get("error"), str)
        and body["error"].strip()
        and "\n" not in body["error"]
    ):
        return f"HTTP {response.status_code} without a one-line error: {response.text[:200]}"
    return None


BODIES = {
    "create": [
        {"network": SEED_FILE},
        {"network": DEEP_FILE},
        {
            "dataset": {
                "name": "xor",
                "n": 40,
                "noise": 0.1,
                "seed": 1,
                "hidden": [4, 3],
                "activation": "tanh",
                "learning_rate": 0.1,
            }
        },
    ],
    "train": [{"steps": 5}],
    "edit": [
        {
            "set": {"w5": 0.3, "i1": 0.2, "eta": 0.1},
            "learning_rate": 0.2,
            "activation": "tanh",
            "layers": [2, 3, 2],
            "seed": 4,
        },
        {"activation": ["relu", "sigmoid"]},
    ],
}


@pytest.mark.parametrize("endpoint", ["create", "train", "edit"])
def test_malformed_bodies_never_crash_the_api(client, endpoint):
    sid = client.post("/api/sessions", json={}).json()["session"]
    path = {"create": "/api/sessions", "train": f"/api/sessions/{sid}/train", "edit": f"/api/sessions/{sid}/edit"}[
        endpoint
    ]

    def send(text):
        response = client.post(
            path, content=text.encode("utf-8", "surrogatepass"), headers={"content-type": "application/json"}
        )
        problem = _judge(response)
        if problem:
            raise AssertionError(problem)
        return response.status_code

    statuses = {}

    def check(text, status):
        statuses[status] = statuses.get(status, 0) + 1

    report = fuzz(send, json_inputs(BODIES[endpoint], N, seed=41), check=check)
    assert not report.failures, report
    assert sum(v for k, v in statuses.items() if 400 <= k < 500) > N // 4, statuses


def test_a_body_over_the_limit_is_refused_with_413(client):
    big = json.dumps({"network": {**SEED_FILE, "title": "x" * (MAX_BODY + 10)}})
    response = client.post("/api/sessions", content=big.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger" in response.json()["error"]


def test_a_network_too_large_for_the_page_is_refused(client):
    for spec in (
        {**SEED_FILE, "layers": [2, 100_000, 100_000, 2], "weights": None},
        {"layers": [2] + [4] * 10 + [2]},
        {"layers": [2, 17, 2]},
    ):
        spec = {k: v for k, v in spec.items() if v is not None}
        response = client.post("/api/sessions", json={"network": spec})
        assert 400 <= response.status_code < 500, response.text[:200]
        assert "\n" not in response.json()["error"]
    sid = client.post("/api/sessions", json={}).json()["session"]
    response = client.post(f"/api/sessions/{sid}/edit", json={"layers": [2, 10_000, 2]})
    assert response.status_code == 422


def test_sessions_never_see_each_others_networks(client):
    a = client.post("/api/sessions", json={}).json()["session"]
    b = client.post("/api/sessions", json={"network": DEEP_FILE}).json()["session"]
    assert a != b
    assert client.post(f"/api/sessions/{a}/edit", json={"set": {"w1": 0.777}}).status_code == 200
    client.post(f"/api/sessions/{a}/train", json={"steps": 10})
    state_b = client.get(f"/api/sessions/{b}").json()
    assert state_b["layers"] == DEEP_FILE["layers"] and state_b["iteration"] == 0
    assert client.get(f"/api/sessions/{a}").json()["iteration"] == 10
    fresh = client.post("/api/sessions", json={}).json()
    assert fresh["state"]["spec"]["weights"][0][0][0] == SEED_FILE["weights"][0][0][0]  # not a's 0.777
    # session ids are not guessable and unknown ones are refused
    assert len(a) >= 16
    for sid in ("0", a[:-1] + ("x" if a[-1] != "x" else "y"), "%2e%2e%2f" + a, a + "%00"):
        response = client.get(f"/api/sessions/{sid}")
        assert response.status_code == 404, sid


def test_an_overflowing_edit_or_training_is_refused_and_rolled_back(client):
    sid = client.post("/api/sessions", json={}).json()["session"]
    before = client.get(f"/api/sessions/{sid}").json()
    response = client.post(f"/api/sessions/{sid}/edit", json={"set": {"w5": -1e308, "w6": -1e308}})
    assert response.status_code == 400 and "\n" not in response.json()["error"]
    after = client.get(f"/api/sessions/{sid}")
    assert after.status_code == 200 and after.json()["spec"] == before["spec"]  # nothing was changed
    # an exploding learning rate on an unbounded network: the last good parameters stay
    net = {
        "layers": [1, 3, 1],
        "activation": "identity",
        "loss": "half_sse",
        "learning_rate": 1,
        "weights": [[[3], [3], [3]], [[3, 3, 3]]],
        "input": [100],
        "target": [1],
    }
    sid = client.post("/api/sessions", json={"network": net}).json()["session"]
    client.post(f"/api/sessions/{sid}/edit", json={"learning_rate": 100})
    good = client.get(f"/api/sessions/{sid}").json()
    response = client.post(f"/api/sessions/{sid}/train", json={"steps": 50})
    assert response.status_code == 400 and "overflowed" in response.json()["error"]
    state = client.get(f"/api/sessions/{sid}")
    assert state.status_code == 200
    assert state.json()["spec"]["weights"] == good["spec"]["weights"] and state.json()["iteration"] == good["iteration"]
