"""The page in a real browser: headless Chromium (Debian's) driven by Playwright against the real server.

The server runs in a thread on a free loopback port; Chromium is the system's ``/usr/bin/chromium``
(installed by ``.ci/run``), never a browser downloaded by the test tool.  Screenshots go to the
test's tmp folder (``CHAINRULE_SCREENSHOTS=folder`` keeps them).
"""

import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from support.tiers import chromium, need  # noqa: E402  (test tiers: skip with a reason when missing)

need("uvicorn", "the page's server")
need("playwright", "the browser tests drive chromium through Playwright")
need("fastapi", "the page's server")

import uvicorn
from playwright.sync_api import expect, sync_playwright

from chainrule.web.app import create_app
from chainrule.web.export import record, replay_html

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    return chromium()  # skipped without it, failed under CI=true


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
    expect(page.locator("#worked")).to_have_text(  # (with its MathML, from the server's /formula)
        "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.358916480"
    )
    page.click("#formula button.ref[data-ref='dE_total/dw5']")  # and follow the chain rule backwards
    expect(page.locator("#worked")).to_have_text(
        re.compile(
            re.escape("dE_total/dw5 = dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.741365070 * 0.186815602")
        )
    )
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
    assert page.locator("#diagram line[data-hit='w5']").count() == 1  # click the edge: its weight
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


def test_playing_a_dataset_redraws_the_neurons_maps_at_most_five_times_a_second(page):
    """Issue 23, item 6: a neuron's map is a picture made anew; while playing, the maps change at
    most every 200 ms (the numbers and the surface every frame), and after Play stops each map is
    the one of the network as it is."""
    page.select_option("#dataset", "spirals")
    page.wait_for_function("() => full.dataset && full.dataset.name === 'spirals'")
    page.evaluate(
        """() => { window.__mapChanges = 0; window.__frames = 0;
        const h1_1 = (ms) => ms.filter((m) => m.target.dataset.map === 'h1_1').length;
        new MutationObserver((ms) => { window.__mapChanges += h1_1(ms); })
          .observe(document.querySelector('#diagram'), {attributes: true, subtree: true, attributeFilter: ['href']});
        const drawn = show; show = function (next, ...rest) { if (next.view === 'frame') window.__frames += 1;
          return drawn(next, ...rest); }; }"""
    )
    page.fill("#speed", "3")  # 10 updates a frame: many frames a second
    page.dispatch_event("#speed", "input")
    started = time.monotonic()
    page.click("#play")
    page.wait_for_function("() => window.__frames >= 20", timeout=30_000)
    page.click("#play")
    elapsed = time.monotonic() - started
    changes, frames = page.evaluate("() => [window.__mapChanges, window.__frames]")
    assert frames >= 20 and 1 <= changes <= elapsed / 0.2 + 1 and changes < frames
    page.wait_for_function("() => state.view === 'full' && state.iteration === full.iteration")
    stale = page.evaluate(
        "() => [...document.querySelectorAll('#diagram image[data-map]')]"
        ".filter((img) => img.getAttribute('href') !== mapOf(img.dataset.map)).map((img) => img.dataset.map)"
    )
    assert stale == []


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
    assert re.search(r"#s=[A-Za-z0-9_-]+$", url) and url == page.url  # the address itself, kept live
    other = browser.new_page()
    other.goto(url)
    other.wait_for_selector("body[data-ready='1']")
    assert number(other, "w5") == 0.123
    other.close()


def test_the_exported_page_replays_without_a_server(browser, tmp_path, shots):
    path = tmp_path / "page.html"
    run = record(None, 10_000)
    path.write_text(replay_html(run))
    whole = len(json.dumps(run, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e"))
    assert path.stat().st_size < whole / 3  # each frame as written in full: 2.1 MB for 10,000 updates
    pg = browser.new_page(viewport={"width": 1500, "height": 950})
    requests = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(path.as_uri())
    pg.wait_for_selector("body[data-ready='1']")
    assert all(u.startswith("file:") for u in requests)  # nothing fetched from anywhere
    assert "recorded run" in pg.locator("#mode").text_content()
    # the page rebuilds every recorded frame exactly: each number, curve point and formula
    assert json.loads(pg.evaluate("() => JSON.stringify(expand(window.CHAINRULE_REPLAY).frames)")) == json.loads(
        json.dumps(run["frames"])
    )
    assert not pg.locator("#download").is_visible()  # no server: nothing to download from
    next_phase(pg)
    assert number(pg, "out_o1") == pytest.approx(0.75136507, abs=1e-8)
    pg.click("#diagram .num[data-name='out_h1']")  # its worked formula, recorded in the file
    expect(pg.locator("#worked")).to_have_text(re.compile(r"^out_h1 = .* = 0\.593269992$"))
    pg.wait_for_selector("#math math")
    pg.fill("#speed", "6")
    pg.dispatch_event("#speed", "input")
    pg.click("#play")
    expect(pg.locator("#iteration")).to_have_text("10,000", timeout=30_000)
    assert pg.locator("#loss").text_content() == "0.0000351019"
    pg.screenshot(path=str(shots / "replay.png"), full_page=True)
    pg.close()


# ----------------------------------------------------------------------------- issue 14: the page, fixed
from support.axe import axe_source  # noqa: E402


def violations(page) -> list[str]:
    """axe-core's violations at any impact (minor to critical) on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())  # through the DevTools protocol, so the page's CSP does not block it
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in result["violations"]
    ]


# every number drawn (a number kept for the keyboard is not drawn: "latent"), and which of them meet
MEASURE = """() => {
  const svg = document.getElementById('diagram');
  const nums = [...svg.querySelectorAll('.num:not(.latent)')].filter((t) => t.getBBox().width > 0).map((t) => {
    const r = t.getBoundingClientRect();
    return {name: t.dataset.name, x: r.left, y: r.top, w: r.width, h: r.height,
            font: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a};
  });
  const overlaps = [];
  nums.forEach((a, i) => nums.slice(i + 1).forEach((b) => {
    if (a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1)
      overlaps.push(a.name + ' / ' + b.name);
  }));
  return {count: nums.length, overlaps, smallest: Math.min(...nums.map((n) => n.font)), mode: svg.dataset.mode};
}"""


def test_axe_finds_nothing_at_any_impact_on_any_view(page, browser, tmp_path):
    found = {"first view": violations(page)}
    for k in range(1, 6):
        next_phase(page)
        found[f"phase {k}"] = violations(page)
    page.click("#diagram .num[data-name='w5+']")
    page.wait_for_selector("#math math")
    found["a formula"] = violations(page)
    page.click("#table-toggle")
    found["the table"] = violations(page)
    page.select_option("#dataset", "circles")
    page.wait_for_selector("#surface-box:not([hidden])")
    found["a dataset"] = violations(page)
    path = tmp_path / "page.html"
    path.write_text(replay_html(record(None, 100)))
    other = browser.new_page()
    other.goto(path.as_uri())
    other.wait_for_selector("body[data-ready='1']")
    found["the exported page"] = violations(other)
    other.close()
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_every_number_chip_and_link_works_from_the_keyboard(page):
    page.focus("#phases button[data-phase='3']")
    page.keyboard.press("Enter")
    expect(page.locator("#phases button.now")).to_have_text("3 backward: output")
    number_ = page.locator("#diagram .num[data-name='dE_total/dw5']")
    number_.focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    page.keyboard.press("Enter")
    expect(page.locator("#formula .qname")).to_have_text("∂E_total/∂w5 = 0.082167041")
    page.wait_for_selector("#math math")  # rendered as MathML by the server's converter
    assert "∂" in page.locator("#math").text_content()
    ref = page.locator("#formula button.ref[data-ref='dnet_o1/dw5']")  # "made of": a link, by keyboard
    ref.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#formula .qname")).to_have_text("∂net_o1/∂w5 = 0.593269992")
    # every number in the diagram is a button named "its name = its value"; the diagram is one stop in
    # the Tab order (the chosen number), and the arrow keys go through its numbers in the network's order
    numbers = page.locator("#diagram .num")
    assert numbers.count() > 20
    tabbable = [numbers.nth(k).get_attribute("tabindex") for k in range(numbers.count())]
    assert tabbable.count("0") == 1 and set(tabbable) == {"0", "-1"}
    for k in range(numbers.count()):
        assert numbers.nth(k).get_attribute("role") == "button"
        assert re.fullmatch(r"\S+ = \S+", numbers.nth(k).get_attribute("aria-label"))
    order = page.evaluate("() => [...document.querySelectorAll('#diagram .num')].map((t) => t.dataset.name)")
    number_.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.dataset.name") == order[order.index("dE_total/dw5") + 1]
    assert page.evaluate("() => document.activeElement.getAttribute('tabindex')") == "0"  # the Tab stop moved too


def test_the_table_view_lists_the_current_phases_numbers(page):
    page.click("#table-toggle")
    assert page.locator("#table-box tbody tr").count() == 15  # the givens only, before the forward pass
    assert page.locator("#table-box th button[data-ref='out_o1']").count() == 0
    next_phase(page)
    expect(page.locator("#table-box th button[data-ref='out_o1']")).to_have_count(1)
    row = page.locator("#table-box tr", has=page.locator("button[data-ref='out_o1']"))
    assert row.locator("td").first.text_content() == "0.751365070"
    assert "(new)" in row.locator("td").nth(1).text_content()


def test_canvases_have_text_alternatives(page):
    page.click("#step")
    expect(page.locator("#iteration")).to_have_text("1")
    label = page.get_attribute("#curve", "aria-label")
    assert "0.2984 at update 0" in label and "0.2910 at update 1" in label
    page.select_option("#dataset", "xor")
    page.wait_for_selector("#surface-box:not([hidden])")
    assert re.search(r"classifies \d+% of the 200 points", page.get_attribute("#surface", "aria-label"))


def apply(pg):
    """Press "Apply changes" and wait for the server's answer to be drawn."""
    before = int(pg.evaluate("() => document.body.dataset.shown || 0"))
    pg.click("#apply")
    pg.wait_for_function(f"() => Number(document.body.dataset.shown) > {before}")


def test_a_phase_highlights_what_it_computed_and_hides_what_is_to_come(page):
    assert page.locator("#diagram .num[data-name='E_total']").count() == 0  # not before the forward pass
    assert "E_o = 1/2 * (target - out)^2" not in page.locator("#phase-text").text_content()
    next_phase(page, 2)
    assert "E_o = 1/2 * (target - out)^2" in page.locator("#phase-text").text_content()  # the session's loss
    assert page.locator("#diagram .num.fresh[data-name='E_o1']").count() == 1
    assert page.locator("#diagram .num.fresh[data-name='out_o1']").count() == 0  # computed in phase 1
    page.select_option("#loss-choice", "mse")
    apply(page)
    expect(page.locator("#phases button.now")).to_have_text("weights")
    next_phase(page, 2)
    assert "E_o = (target - out)^2 / m" in page.locator("#phase-text").text_content()


def test_the_activation_menu_and_the_depth_can_change(page):
    for name in ("identity", "leaky_relu", "tanh", "sigmoid"):
        page.select_option("#activation", name)
        apply(page)
        expect(page.locator("#activation")).to_have_value(name)
    page.fill("#hidden", "2, 2")
    apply(page)
    expect(page.locator("#diagram circle[data-neuron='h2_2']")).to_have_count(1)  # 2-2-2-2: a second hidden layer
    assert not page.locator("#status.error").count()


def test_a_refused_learning_rate_does_not_stay_in_its_field(page):
    page.fill("#eta", "1e9")
    page.click("#apply")
    page.wait_for_selector("#status.error")
    assert "at most 100" in page.locator("#status").text_content()
    assert page.input_value("#eta") == "0.5"


def test_reset_after_an_edit_restores_the_loaded_weights(page):
    page.click("#diagram .num[data-name='w5']")
    page.fill("#edit-value", "-1.5")
    page.click("#edit-set")
    expect(page.locator("#diagram .num[data-name='w5']")).to_have_text("w5 = -1.5")
    page.click("#reset")
    expect(page.locator("#diagram .num[data-name='w5']")).to_have_text("w5 = 0.4")


@pytest.mark.parametrize("hidden, phases", [(None, [0, 3, 5]), ("3", [0, 3, 5]), ("8, 8", [0, 1])])
def test_no_two_numbers_overlap_and_none_is_under_11_px(page, hidden, phases):
    if hidden == "8, 8":
        page.select_option("#dataset", "spirals")  # 2-8-8-1
        page.wait_for_selector("#surface-box:not([hidden])")
    elif hidden:
        page.fill("#hidden", hidden)
        page.click("#apply")
        expect(page.locator("#diagram circle[data-neuron='h3']")).to_have_count(1)
    for k in range(6):
        if k in phases:
            m = page.evaluate(MEASURE)
            assert not m["overlaps"] and m["count"] > 0 and m["smallest"] >= 11, (k, m)
        if k < 5:
            next_phase(page)
    if hidden == "8, 8":  # crowded: one neuron's numbers drawn; the rest shown on hover or focus
        assert page.locator("#diagram").get_attribute("data-mode") == "focus"
        page.hover("#diagram circle[data-neuron='h2_3']")
        expect(page.locator("#popup text")).to_have_count(4)  # its net, out, δ and bias (phase 5), not drawn until now
        assert page.locator("#popup text").first.text_content().startswith("net_h2_3 = ")
        page.click("#diagram circle[data-neuron='h2_3']")
        expect(page.locator("#formula button.ref")).to_have_count(4)
        assert page.locator("#diagram .num[data-name='net_h2_3']:not(.latent)").count() == 1  # now drawn
    else:  # every number drawn
        assert page.locator("#diagram").get_attribute("data-mode") == "full"


ACROSS = """() => {  // every neuron and every number drawn, and how wide the page is
  const boxes = [...document.querySelectorAll('#diagram circle[data-neuron], #diagram .num:not(.latent)')]
    .filter((e) => e.getBBox().width > 0)
    .map((e) => { const r = e.getBoundingClientRect();
                  return {name: e.dataset.name || e.dataset.neuron, left: r.left, right: r.right, top: r.top}; });
  return {boxes, scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, scrollX: scrollX,
          boxScroll: document.getElementById('diagram-box').scrollLeft};
}"""


def all_across_the_screen(pg, width=390) -> dict:
    """Every neuron and number lies within the screen's width, and nothing scrolls sideways."""
    m = pg.evaluate(ACROSS)
    cut = [b["name"] for b in m["boxes"] if b["left"] < 0 or b["right"] > width]
    assert not cut, f"cut at the screen's edge: {cut}"
    assert m["scrollWidth"] <= m["innerWidth"] == width and m["scrollX"] == 0 and m["boxScroll"] == 0
    return m


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(server)
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    context.close()
    assert not errors, errors


def test_the_phone_layout_keeps_the_diagram_numbers_and_controls_at_hand(phone):
    pg, screen = phone, 844

    def inside(selector) -> bool:
        box = pg.locator(selector).bounding_box()
        return (
            box is not None
            and box["y"] >= 0
            and box["y"] + box["height"] <= screen
            and box["x"] >= 0
            and box["x"] + box["width"] <= 390
        )

    diagram = pg.locator("#diagram-box").bounding_box()
    assert diagram["y"] < screen / 2 and diagram["y"] + diagram["height"] > screen * 0.8  # on the first screen
    assert all(inside(s) for s in ("#phase", "#step", "#play", "#reset"))  # the training buttons too
    # the seed's layers stacked: every neuron and every number across the screen, at every phase
    first = all_across_the_screen(pg)
    assert {b["name"] for b in first["boxes"]} >= {"i1", "i2", "h1", "h2", "o1", "o2", "b1", "b2", "w1", "w8"}
    for k in range(6):
        pg.click(f"#phases button[data-phase='{k}']")
        m = pg.evaluate(MEASURE)
        assert m["smallest"] >= 11 and not m["overlaps"], (k, m)  # every number at least 11 px, none on another
        all_across_the_screen(pg)
    assert pg.locator("#diagram .num:not(.latent)").count() == 37  # phase 5: every number of the update is drawn
    pg.click("#phases button[data-phase='1']")
    pg.locator("#diagram .num[data-name='out_h1']").tap()
    expect(pg.locator("#formula .qname")).to_have_text("out_h1 = 0.593269992")
    pg.wait_for_selector("#math math")
    assert inside("#formula-box")  # the formula in a sheet on the same screen as the number
    sheet = pg.locator("#formula-box").bounding_box()
    assert sheet["height"] <= 0.6 * screen
    number_ = pg.locator("#diagram .num[data-name='out_h1']").bounding_box()
    assert 0 <= number_["y"] and number_["y"] + number_["height"] <= sheet["y"]  # the number stays in view above it
    all_across_the_screen(pg)  # opening the sheet scrolled nothing sideways
    pg.click("#formula-close")
    pg.evaluate("() => window.scrollTo(0, 700)")
    assert inside("#play") and inside("#phase")  # the toolbar stays at hand when the page scrolls


FRESH = """() => {
  const boxes = [...document.querySelectorAll('#diagram .fresh')].map((t) => t.getBoundingClientRect());
  return {names: [...document.querySelectorAll('#diagram .fresh')].map((t) => t.dataset.name),
          top: Math.min(...boxes.map((r) => r.top)), bottom: Math.max(...boxes.map((r) => r.bottom)),
          ceiling: document.getElementById('toolbar').getBoundingClientRect().bottom, height: innerHeight};
}"""


def test_on_a_phone_each_phase_brings_what_it_computed_into_view(phone):
    """The stacked diagram is taller than a phone's screen: "Next phase" scrolls the numbers the phase
    just computed into view — all of them where they fit, else from the highest down, never under the
    sticky controls (phase 3's δ_o1 and δ_o2 sit at the bottom of the diagram, off the first screen)."""
    pg = phone
    for k in range(1, 6):
        pg.click("#phase")
        expect(pg.locator("#phases button[aria-pressed='true']")).to_have_attribute("data-phase", str(k))
        m = pg.evaluate(FRESH)
        assert m["names"], k
        assert m["top"] >= m["ceiling"], (k, m)  # the highest new number is not under the controls
        assert m["bottom"] <= m["height"] or m["top"] <= m["ceiling"] + 24, (k, m)  # all of it, or from the top
        if k == 3:
            assert {"delta_o1", "delta_o2"} <= set(m["names"]) and m["bottom"] <= m["height"], m


def test_a_wider_and_a_crowded_network_fit_the_phone_too(phone):
    pg = phone
    pg.fill("#hidden", "3")  # 2-3-2: every number still drawn, the layers stacked
    pg.click("#apply")
    expect(pg.locator("#diagram circle[data-neuron='h3']")).to_have_count(1)
    for k in (0, 3, 5):
        pg.click(f"#phases button[data-phase='{k}']")
        m = pg.evaluate(MEASURE)
        assert m["smallest"] >= 11 and not m["overlaps"], (k, m)
        all_across_the_screen(pg)
    assert pg.locator("#diagram .num:not(.latent)").count() == 48  # phase 5: every number drawn
    pg.select_option("#dataset", "spirals")  # 2-8-8-1: crowded, one neuron's values drawn, the others on tap
    pg.wait_for_selector("#surface-box:not([hidden])")
    m = all_across_the_screen(pg)
    assert len([b for b in m["boxes"] if b["name"] in ("i1", "i2", "o1") or b["name"].startswith("h")]) >= 2 + 8 + 8 + 1
    assert pg.locator("#diagram").get_attribute("data-mode") == "focus"
    pg.click("#phases button[data-phase='4']")
    pg.locator("#diagram circle[data-neuron='h2_3']").tap()  # through its output map, drawn over it
    expect(pg.locator("#formula button.ref")).to_have_count(4)  # its net, out, delta and bias, each a button
    assert pg.locator("#formula button.ref").first.text_content().startswith("net_h2_3 = ")
    all_across_the_screen(pg)


def test_tensorflow_playgrounds_controls_on_the_same_engine(page):
    page.select_option("#dataset", "circles")
    page.wait_for_selector("#data-options:not([hidden])")
    assert page.locator("#diagram image").count() == 9  # each neuron's output map: 4 + 4 hidden, 1 output
    points = page.evaluate("() => JSON.stringify(full.points)")
    page.select_option("#test-fraction", "0.2")
    expect(page.locator("#test-loss-box")).to_be_visible()
    assert "160 points" in page.locator("#sample-edit").text_content()  # 200, 20% held out
    page.click("#regenerate")
    page.wait_for_function(f"() => JSON.stringify(full.points) !== {points!r} && full.dataset.seed === 1")
    page.fill("#batch-size", "10")
    page.dispatch_event("#batch-size", "change")
    page.wait_for_function("() => full.options.batch_size === 10")
    page.fill("#l2", "0.001")
    page.dispatch_event("#l2", "change")
    page.wait_for_function("() => full.options.l2 === 0.001")
    page.click("#layer-buttons button[data-layer-action='more:0']")  # "+ neuron" of hidden layer 1
    page.wait_for_function("() => full.layers.join() === '2,5,4,1'")
    page.click("#layer-buttons button[data-layer-action='add-layer']")
    page.wait_for_function("() => full.layers.join() === '2,5,4,4,1'")
    page.click("#step")
    page.wait_for_function("() => state.iteration === 1 && state.sample === 10")  # one batch of ten points
    page.check("#discretise")
    page.select_option("#dataset", "bumps")  # a regression set: identity output, ½ squared error
    page.wait_for_function("() => full.dataset && full.dataset.name === 'bumps'")
    assert page.evaluate("() => full.output_activation") == "identity"
    assert not page.locator("#status.error").count()
