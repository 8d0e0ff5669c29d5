"""The page in a real browser: headless Chromium (Debian's) driven by Playwright against the real server.

The server runs in a thread on a free loopback port; Chromium is the system's ``/usr/bin/chromium``
(installed by ``.ci/run``), never a browser downloaded by the test tool.  Screenshots go to the
test's tmp folder (``CHAINRULE_SCREENSHOTS=folder`` keeps them).
"""

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright

from chainrule.web.app import create_app
from chainrule.web.export import record, replay_html

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def chromium_path() -> str:
    path = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is needed for the browser tests (.ci/run installs it: apt-get install chromium)"
    return path


@pytest.fixture(scope="module")
def server():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    # Playwright gives every launch a new, empty profile folder of its own (--user-data-dir)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, timeout=30_000)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CHAINRULE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(server)
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    context.close()
    assert not errors, errors


def number(pg, name) -> float:
    """The number the page shows for ``name`` (clickable text 'label = value' in the diagram)."""
    text = pg.locator(f"#diagram .num[data-name='{name}']").first.text_content()
    return float(text.split("=")[-1])


def next_phase(pg, times=1):
    for _ in range(times):
        before = pg.locator("#phases button.now").text_content()
        pg.click("#phase")
        expect(pg.locator("#phases button.now")).not_to_have_text(before)


def test_step_through_one_update_and_read_the_seeds_numbers(page, shots):
    assert page.locator("#phases button.now").text_content() == "weights"
    assert page.locator("#diagram .num[data-name='out_o1']").count() == 0  # not computed yet
    assert number(page, "w5") == 0.4
    next_phase(page)  # forward pass
    assert number(page, "out_o1") == pytest.approx(0.75136507, abs=1e-8)
    assert number(page, "net_h1") == pytest.approx(0.3775, abs=1e-12)
    next_phase(page)  # error
    assert number(page, "E_total") == pytest.approx(0.298371109, abs=1e-9)
    next_phase(page)  # backward, output layer
    assert number(page, "dE_total/dw5") == pytest.approx(0.082167041, abs=1e-9)
    assert number(page, "delta_o1") == pytest.approx(0.138498562, abs=1e-9)
    assert page.locator("#diagram .num[data-name='delta_h1']").count() == 0
    next_phase(page)  # backward, hidden layers
    assert number(page, "delta_h1") == pytest.approx(0.008771355, abs=1e-9)
    next_phase(page)  # update
    assert number(page, "w5+") == pytest.approx(0.35891648, abs=1e-8)
    page.screenshot(path=str(shots / "seed-update-phase.png"), full_page=True)

    # click a number: its worked formula, exactly as the CLI prints it
    page.click("#diagram .num[data-name='w5+']")
    assert page.locator("#worked").text_content() == \
        "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.358916480"
    page.click("#formula button.ref[data-ref='dE_total/dw5']")  # and follow the chain rule backwards
    assert page.locator("#worked").text_content().startswith(
        "dE_total/dw5 = dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.741365070 * 0.186815602")
    page.screenshot(path=str(shots / "seed-formula.png"), full_page=True)

    # the last phase applies the update: the network now has the new weights
    page.click("#phase")
    expect(page.locator("#iteration")).to_have_text("1")
    assert number(page, "w5") == pytest.approx(0.35891648, abs=1e-8)
    assert page.locator("#loss").text_content() == "0.291027774"


def test_train_with_play_and_watch_the_error_fall(page, shots):
    page.click("#step")
    expect(page.locator("#iteration")).to_have_text("1")
    page.fill("#speed", "6")  # 1000 updates a frame
    page.dispatch_event("#speed", "input")
    page.click("#play")
    expect(page.locator("#iteration")).to_have_text(re.compile(r"^([3-9]|\d\d+),\d{3}$"), timeout=30_000)  # >= 3,000
    page.click("#play")
    assert page.locator("#play").text_content().startswith("Play")
    loss = float(page.locator("#loss").text_content())
    assert loss < 0.001
    page.screenshot(path=str(shots / "seed-trained.png"), full_page=True)
    page.click("#reset")
    expect(page.locator("#iteration")).to_have_text("0")
    assert page.locator("#loss").text_content() == "0.298371109"


def test_edit_a_weight_and_see_the_numbers_recomputed(page, shots):
    next_phase(page)
    before = number(page, "out_o1")
    page.click("#diagram .num[data-name='w5']")
    page.fill("#edit-value", "-1.5")
    page.click("#edit-set")
    expect(page.locator("#diagram .num[data-name='w5']")).to_have_text("w5 = -1.5")
    assert page.locator("#diagram line[data-name='w5']").count() == 1
    assert number(page, "w5") == -1.5
    next_phase(page)
    after = number(page, "out_o1")
    assert after < before  # a negative weight from h1 lowers o1's net input
    assert page.locator("#diagram line[data-edge='w5']").get_attribute("stroke") == "#c53030"  # red: negative
    assert page.locator("#diagram line[data-edge='w6']").get_attribute("stroke") == "#2b6cb0"
    page.screenshot(path=str(shots / "seed-edited.png"), full_page=True)
    # a bad value is a clear message, not a broken page
    page.click("#diagram .num[data-name='w5']")
    page.fill("#edit-value", "")
    page.click("#edit-set")
    page.wait_for_selector("#status.error")
    assert "must be a number" in page.locator("#status").text_content()


def test_inputs_targets_and_layers_are_editable(page):
    page.fill("#set-i1", "0.5")
    page.fill("#hidden", "3")
    page.select_option("#activation", "tanh")
    page.click("#apply")
    expect(page.locator("#diagram circle[data-neuron]")).to_have_count(9)  # 2 + 3 + 2 neurons, b1, b2
    next_phase(page)
    assert page.locator("#diagram .num[data-name='out_h3']").count() == 1
    assert page.input_value("#set-i1") == "0.5"
    page.fill("#hidden", "2, x")
    page.click("#apply")
    page.wait_for_selector("#status.error")


def test_a_2d_dataset_draws_its_decision_surface(page, shots):
    page.select_option("#dataset", "circles")
    page.wait_for_selector("#surface-box:not([hidden])")
    assert "200 points" in page.locator("#sample-edit").text_content()
    page.click("#play")
    expect(page.locator("#iteration")).to_have_text(re.compile(r"^([2-9]\d\d|\d+,\d{3})$"), timeout=30_000)  # >= 200
    page.click("#play")
    # the canvas holds both colours of the surface, computed by the server's network
    import io

    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(page.locator("#surface").screenshot()), format="png")[..., :3]
    blue = (pixels[..., 2] > pixels[..., 0] + 0.08).sum()
    orange = (pixels[..., 0] > pixels[..., 2] + 0.08).sum()
    assert blue > 1000 and orange > 1000
    page.screenshot(path=str(shots / "circles.png"), full_page=True)


def test_share_link_opens_the_same_network(page, browser):
    page.click("#diagram .num[data-name='w5']")
    page.fill("#edit-value", "0.123")
    page.click("#edit-set")
    expect(page.locator("#diagram .num[data-name='w5']")).to_have_text("w5 = 0.123")
    href = page.get_attribute("#download", "href")  # the download link: the network file as it is now
    saved = page.request.get(page.url.split("#")[0] + href).json()
    assert saved["weights"][1][0][0] == 0.123 and saved["layers"] == [2, 2, 2]
    page.click("#share")
    url = page.input_value("#share-url")
    assert re.search(r"#net=[A-Za-z0-9_-]+$", url)
    other = browser.new_page()
    other.goto(url)
    other.wait_for_selector("body[data-ready='1']")
    assert number(other, "w5") == 0.123
    other.close()


def test_the_exported_page_replays_without_a_server(browser, tmp_path, shots):
    path = tmp_path / "page.html"
    path.write_text(replay_html(record(None, 10_000)))
    pg = browser.new_page(viewport={"width": 1500, "height": 950})
    requests = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(path.as_uri())
    pg.wait_for_selector("body[data-ready='1']")
    assert all(u.startswith("file:") for u in requests)  # nothing fetched from anywhere
    assert "recorded run" in pg.locator("#mode").text_content()
    assert not pg.locator("#download").is_visible()  # no server: nothing to download from
    next_phase(pg)
    assert number(pg, "out_o1") == pytest.approx(0.75136507, abs=1e-8)
    pg.fill("#speed", "6")
    pg.dispatch_event("#speed", "input")
    pg.click("#play")
    expect(pg.locator("#iteration")).to_have_text("10,000", timeout=30_000)
    assert pg.locator("#loss").text_content() == "0.0000351019"
    pg.screenshot(path=str(shots / "replay.png"), full_page=True)
    pg.close()
