"""The local server under load and under attack, for real, on 127.0.0.1 (issue 7).

A bounded version of ``scripts/load_test.py`` (20 clients for 5 s, mixed trace/train/edit requests,
each client in its own session) must see zero errors and every session read back only its own
numbers; raw path-traversal requests to /static are refused; the server listens on 127.0.0.1."""

import asyncio
import importlib.util
import socket

import pytest

from support.tiers import need  # test tiers: skip with a reason when missing

need("fastapi", "the page's server")
need("uvicorn", "the page's server")

from support.paths import ROOT


def _load_script():
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server():
    load_test = _load_script()
    proc, base = load_test.start_server()
    try:
        yield load_test, proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()


def test_twenty_clients_for_five_seconds_see_no_errors_and_only_their_own_sessions(server):
    load_test, proc, base = server
    summary = asyncio.run(load_test.run_load(base, clients=20, seconds=5))
    assert summary["errors"] == 0, summary["first_errors"]
    assert summary["requests"] > 20  # every client got through more than its first request
    assert summary["isolation_checks"] > 0
    assert proc.poll() is None  # still serving


def _raw_get(port: int, target: bytes) -> tuple[int, bytes]:
    """Send the request line exactly as written (no client-side normalisation of '..')."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


TRAVERSALS = [
    b"/static/../../../../etc/passwd",
    b"/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    b"/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    b"/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    b"/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    b"/static/..%5c..%5c..%5cetc%5cpasswd",
    b"/static/....//....//....//etc/passwd",
    b"/static//etc/passwd",
    b"/static/%2fetc%2fpasswd",
    b"/static/index.html%00.js",
    b"/static/..%c0%af..%c0%afetc%c0%afpasswd",
    b"/static/../app.py",
    b"/static/%2e%2e/app.py",
    b"/static/..%2fapp.py",
    b"/static/..%2f__init__.py",
    b"//etc/passwd",
    b"/../../etc/passwd",
    b"/static/.",
    b"/static/",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_traversal_is_refused(server, target):
    _, _, base = server
    port = int(base.rsplit(":", 1)[1])
    status, data = _raw_get(port, target)
    assert status in (400, 404, 405), (target, data[:200])
    assert b"root:" not in data and b"import " not in data and b"def " not in data


def test_its_own_assets_are_served(server):
    _, _, base = server
    port = int(base.rsplit(":", 1)[1])
    for name in (b"/", b"/static/app.js", b"/static/style.css"):
        status, data = _raw_get(port, name)
        assert status == 200, name


def test_the_server_listens_on_loopback_only(server):
    _, _, base = server
    assert base.startswith("http://127.0.0.1:")
    port = int(base.rsplit(":", 1)[1])
    # reachable on 127.0.0.1 ...
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    # ... and bound to it: another local address of this machine (127.0.0.2 is loopback too, but a
    # socket bound to 127.0.0.1 alone does not answer there)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", port), timeout=5).close()


def test_listening_anywhere_but_127_0_0_1_is_warned_about():
    """Told another address, the server warns that other machines may reach it.  (127.0.0.2 is
    still loopback, so nothing leaves this machine during the test.)"""
    import os
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "chainrule", "serve", "--host", "127.0.0.2", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    try:
        line = proc.stdout.readline()  # the "serving ... at http://..." line comes after the warning
        assert "127.0.0.2" in line, line
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert "warning" in err and "127.0.0.1" in err, err
