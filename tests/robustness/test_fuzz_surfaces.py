"""The fuzz harness (tests/support/fuzz_harness.py) grown into the surfaces issue 15 found it missed: the
server's Host/Origin/content-type checks and the output targets.  Bounded: a few thousand
deterministic mutations, all in-process or in a temporary folder."""

import os
import random
import stat

import pytest

from chainrule.errors import OutputError
from chainrule.io.atomic import write_text

from support.fuzz_harness import mutate_text
from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)

N = 3000


def _guard():
    need("fastapi", "fuzz surfaces")
    from chainrule.web.security import Guard

    return Guard(None, host="127.0.0.1")


def _accepted_host(value: str) -> bool:
    """The rule, written independently: a name the server was started for, any port."""
    v = value.strip().lower()
    if v.startswith("["):
        name, rest = v[1:].split("]", 1) if "]" in v else (None, "")
        ok_rest = rest == "" or (rest.startswith(":") and rest[1:].isdigit())
        return name == "::1" and ok_rest
    name, colon, port = v.partition(":")  # a colon needs a port after it (Starlette's reading of Host)
    return name in ("localhost", "127.0.0.1", "::1") and (not colon or port.isdigit()) and ":" not in port


def test_mutated_host_headers_are_accepted_exactly_when_they_name_this_server():
    guard, rng = _guard(), random.Random(15)
    seeds = ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "evil.example", "127.0.0.1.evil.example:8000"]
    wrong = []
    for _ in range(N):
        host = mutate_text(rng.choice(seeds), rng)
        if "\x00" in host or any(ord(c) > 0xFF for c in host):
            continue  # not a header value a client can send (latin-1 bytes)
        refused = guard.refusal("GET", {"host": host})
        if (refused is None) != _accepted_host(host):
            wrong.append((host, refused))
    assert not wrong, wrong[:10]


def test_mutated_origins_and_content_types_never_let_a_foreign_page_change_state():
    guard, rng = _guard(), random.Random(16)
    origins = ["http://evil.example", "http://127.0.0.1:8000.evil.example", "null", "http://localhost:8001"]
    types = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/json"]
    for _ in range(N):
        origin = mutate_text(rng.choice(origins), rng)
        ctype = mutate_text(rng.choice(types), rng) if rng.random() < 0.5 else rng.choice(types)
        headers = {"host": "127.0.0.1:8000", "origin": origin, "content-type": ctype}
        refused = guard.refusal("POST", headers)
        same_origin = origin.strip().lower() in ("http://127.0.0.1:8000",)
        json_type = ctype.split(";", 1)[0].strip().lower() == "application/json"
        assert (refused is None) == (same_origin and json_type), (origin, ctype, refused)


def _target(kind: str, folder):
    path = folder / f"t-{kind}"
    if kind == "regular":
        path.write_text("old")
    elif kind == "read-only":
        path.write_text("old")
        path.chmod(0o444)
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink":
        (folder / "real").write_text("old")
        path.symlink_to(folder / "real")
    elif kind == "dangling":
        path.symlink_to(folder / "made")
    elif kind == "hard link":
        (folder / "other").write_text("old")
        os.link(folder / "other", path)
    elif kind == "fifo-less device":
        return "/dev/null"
    elif kind == "missing folder":
        return folder / "no" / "file"
    return path


KINDS = [
    "regular",
    "read-only",
    "folder",
    "symlink",
    "dangling",
    "hard link",
    "fifo-less device",
    "missing folder",
    "new",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_output_target_is_written_as_documented_or_refused_in_one_line(kind, tmp_path):
    path = _target(kind, tmp_path)
    before = {p.name: (p.lstat().st_mode, p.lstat().st_ino) for p in tmp_path.iterdir()}
    try:
        write_text(path, "new")
    except OutputError as exc:
        assert kind in ("read-only", "folder", "hard link", "missing folder"), (kind, exc)
        assert "\n" not in str(exc) and str(path) in str(exc)
        after = {p.name: (p.lstat().st_mode, p.lstat().st_ino) for p in tmp_path.iterdir()}
        assert after == before  # nothing replaced, nothing left behind
        return
    assert kind in ("regular", "symlink", "dangling", "fifo-less device", "new"), kind
    if kind == "symlink":
        assert os.path.islink(path) and (tmp_path / "real").read_text() == "new"
    elif kind == "fifo-less device":
        assert stat.S_ISCHR(os.stat(path).st_mode)
    elif kind == "dangling":
        assert os.path.islink(path) and (tmp_path / "made").read_text() == "new"
    else:
        assert path.read_text() == "new"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
