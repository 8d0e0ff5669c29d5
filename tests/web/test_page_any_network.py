"""The page for any network it allows, at any width, by any hand (issue 23), in real Chromium.

For the seed, "2, 2, 2", "3, 3", "4, 4" and the spirals preset (2-8-8-1), at 360 and 390 px (phones,
touch) and at 1366 and 1920 px, one scenario measures what a learner meets:

1. layout: at every phase no two numbers drawn overlap, none is under 11 px, no neuron name under
   11 px, the neurons do not move between phases; a crowded network shows the chosen number's
   neuron; every value is in the diagram (a button, reachable by keyboard) and in the table; the
   formula's scripts and fraction parts are 10 px or more;
2. focus: after Enter in a weight's edit box the focus is on that weight in the diagram, after a
   "made of" link on the linked number's heading, after + / − on that button; on a phone Escape
   closes the formula sheet, the focus goes back to the number, and while it is open nothing
   behind it is in the Tab order;
3. screen reader: every number's accessible name is "its name = its value"; the numbers come in
   the network's order; choosing one is announced (a live region); every control's name holds its
   visible text; the speed slider's value text is "5 / frame";
4. continuity: the address changes as the page does; a reload, Back then Forward, and a server
   that lost every session give back the network, its weights, its updates and the phase;
5. TensorFlow Playground's parity: new random weights (and Reset back to the loaded ones), an
   Export button that downloads the replaying page; for a 2-D dataset the extra input features,
   the held-out points' toggle and a neuron's map enlarged on hover.

Each scenario gathers every problem it finds and fails with all of them (so that a run against an
older page lists what it lacked); axe-core finds no violation at any impact.
"""

import json
import re

import pytest

from support.tiers import chromium, need  # noqa: E402  (test tiers: skip with a reason when missing)

need("uvicorn", "the page's server")
need("playwright", "the browser tests drive chromium through Playwright")
need("fastapi", "the page's server")

from playwright.sync_api import sync_playwright  # noqa: E402

from support.axe import axe_source  # noqa: E402

pytestmark = pytest.mark.browser

NETWORKS = ["seed", "2, 2, 2", "3, 3", "4, 4", "spirals"]
SCREENS = {
    360: {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    1366: {"viewport": {"width": 1366, "height": 768}},
    1920: {"viewport": {"width": 1920, "height": 1080}},
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


@pytest.fixture(scope="module")
def served():
    """The page's app on 127.0.0.1 in a thread (its store is the test's, to forget every session)."""
    import socket
    import threading
    import time

    import uvicorn

    from chainrule.web.app import create_app

    app = create_app()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield app, f"http://127.0.0.1:{sock.getsockname()[1]}/"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=FLAGS, timeout=30_000)
        yield b
        b.close()


# ----------------------------------------------------------------------------- what is measured in the page
MEASURE = """() => {
  const svg = document.getElementById('diagram');
  const shown = (t) => { const s = getComputedStyle(t); const b = t.getBBox();
    return b.width > 0 && s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0
      && t.closest('[hidden]') === null; };
  const px = (t) => parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM() ? t.getScreenCTM().a : 1);
  const nums = [...svg.querySelectorAll('.num')].filter(shown).map((t) => { const r = t.getBoundingClientRect();
    return {name: t.dataset.name, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height, font: px(t)}; });
  const overlaps = [];
  nums.forEach((a, i) => nums.slice(i + 1).forEach((b) => {
    if (a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1)
      overlaps.push(a.name + ' / ' + b.name);
  }));
  const neurons = {};
  for (const c of svg.querySelectorAll('circle[data-neuron]')) { const r = c.getBoundingClientRect();
    neurons[c.dataset.neuron] = [Math.round(r.left + scrollX + r.width / 2),
                                 Math.round(r.top + scrollY + r.height / 2)]; }
  const names = [...svg.querySelectorAll('text')]
    .filter((t) => !t.classList.contains('num') && !t.closest('#popup') && shown(t)).map(px);
  return {names: nums.map((n) => n.name), overlaps, smallest: Math.min(...nums.map((n) => n.font)),
          nameFont: Math.min(...names), neurons, scrollWidth: document.documentElement.scrollWidth};
}"""

# every number of the diagram, in its DOM order, with its accessible name and whether it can take the focus
NUMBERS = """() => [...document.querySelectorAll('#diagram [data-name]')]
  .filter((t) => t.tagName.toLowerCase() === 'text')
  .map((t) => ({name: t.dataset.name, label: t.getAttribute('aria-label'), role: t.getAttribute('role'),
                tabindex: t.getAttribute('tabindex')}))"""

# what the diagram writes at this phase: each neuron's values, each edge's weight, gradient and new value
DRAWN = """() => {
  const out = new Set();
  for (const qs of Object.values(full.names.nodes)) for (const [q] of qs) out.add(q);
  for (const [w, e] of Object.entries(full.names.edges)) for (const q of [w, e.grad, e.update]) if (q) out.add(q);
  if (state.n_samples === 1) out.add('E_total');
  return [...out].filter((q) => q in state.shown && visible(q));
}"""

# the network's order: a layer's neurons' values, then the weights out of it (by number, then its bias)
ORDER = """() => {
  const rank = {};
  const lay = full.layout, names = full.names;
  const L = full.layers.length;
  for (let l = 0; l < L; l++) {
    lay.nodes.filter((n) => n.layer === l && n.kind !== 'bias').forEach((n, j) =>
      (names.nodes[n.name] || []).forEach(([q], k) => { rank[q] = [2 * l, j, k]; }));
    lay.edges.filter((e) => e.layer === l).forEach((e, j) => {
      const en = names.edges[e.name] || {};
      [e.name, en.grad, en.update].forEach((q, k) => { if (q && !(q in rank)) rank[q] = [2 * l + 1, j, k]; });
    });
  }
  rank.E_total = [2 * L, 0, 0];
  return rank;
}"""

SCRIPTS = """() => { // the font size of every script and fraction part of the formula's MathML
  const parts = [...document.querySelectorAll('#math msub > :not(:first-child), #math msup > :not(:first-child),'
    + '#math msubsup > :not(:first-child), #math munder > :not(:first-child),'
    + '#math mover > :not(:first-child), #math mfrac > *')];
  return parts.map((e) => parseFloat(getComputedStyle(e).fontSize));
}"""

CONTROL_NAMES = """() => { // every visible control outside the diagram whose accessible name lacks its visible text
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
  const bad = [];
  for (const c of document.querySelectorAll('button, a[href], select, input, [role=button]')) {
    if (c.closest('#diagram') || c.offsetParent === null) continue;
    const text = norm(c.tagName === 'INPUT' || c.tagName === 'SELECT' ? '' : c.innerText);
    const name = norm(c.getAttribute('aria-label') || (c.labels && c.labels[0] && c.labels[0].innerText)
      || c.innerText);
    if (text && !name.includes(text)) bad.push(`${c.id || c.tagName}: "${text}" named "${name}"`);
  }
  return bad;
}"""


def violations(page) -> list[str]:
    """axe-core's violations at any impact on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in result["violations"]
    ]


def _open(browser, base, width):
    context = browser.new_context(**SCREENS[width], accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(base)
    pg.wait_for_selector("body[data-ready='1']")
    return context, pg, errors


def _drawn(pg) -> int:
    return int(pg.evaluate("() => Number(document.body.dataset.shown || 0)"))


def _after(pg, before: int, timeout=20_000):
    pg.wait_for_function(f"() => Number(document.body.dataset.shown || 0) > {before}", timeout=timeout)


def _setup(pg, network):
    if network == "spirals":
        before = _drawn(pg)
        pg.select_option("#dataset", "spirals")
        _after(pg, before)
    elif network != "seed":
        before = _drawn(pg)
        pg.fill("#hidden", network)
        pg.click("#apply")
        _after(pg, before)
        pg.wait_for_function("(h) => full.layers.slice(1, -1).join(', ') === h", arg=network)


def _phase(pg, k):
    pg.click(f"#phases button[data-phase='{k}']")
    pg.wait_for_selector(f"#phases button.now[data-phase='{k}']")


def _try(problems, item, what, check):
    """Run one check, recording an exception as a problem (an older page may lack a control)."""
    try:
        found = check()
    except Exception as exc:  # noqa: BLE001 - the scenario lists every problem, not the first
        found = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    if found:
        problems.setdefault(item, []).append(f"{what}: {found}")


# ----------------------------------------------------------------------------- 1. layout
def layout_problems(pg, problems):
    first = None
    for k in range(6):
        _phase(pg, k)
        m = pg.evaluate(MEASURE)
        if m["overlaps"]:
            problems.setdefault("1 layout", []).append(f"phase {k}: {len(m['overlaps'])} overlaps {m['overlaps'][:3]}")
        if m["names"] and m["smallest"] < 11:
            problems.setdefault("1 layout", []).append(f"phase {k}: a number at {m['smallest']:.1f} px")
        if m["nameFont"] < 11:
            problems.setdefault("1 layout", []).append(f"phase {k}: a neuron's name at {m['nameFont']:.1f} px")
        if m["scrollWidth"] > pg.viewport_size["width"]:
            problems.setdefault("1 layout", []).append(f"phase {k}: the page scrolls sideways ({m['scrollWidth']} px)")
        first = first or m["neurons"]
        moved = [
            n
            for n, at in m["neurons"].items()
            if n in first and max(map(abs, (at[0] - first[n][0], at[1] - first[n][1]))) > 1
        ]
        if moved:
            problems.setdefault("1 layout", []).append(f"phase {k}: neurons moved {moved[:4]}")
    # phase 5: every value the diagram writes (each neuron's, each edge's) is a button in it, reachable
    # by keyboard, and every value of the update is in the table; a chosen one is drawn
    values = pg.evaluate("() => Object.keys(state.shown).filter((n) => visible(n))")
    drawn = pg.evaluate(DRAWN)
    numbers = {n["name"]: n for n in pg.evaluate(NUMBERS)}
    missing = [v for v in drawn if v not in numbers or numbers[v]["role"] != "button" or numbers[v]["tabindex"] is None]
    if missing:
        problems.setdefault("1 layout", []).append(
            f"{len(missing)} of {len(drawn)} values not reachable in the diagram, e.g. {missing[:5]}"
        )
    pg.click("#table-toggle")
    table = set(
        pg.evaluate("() => [...document.querySelectorAll('#table-box button[data-ref]')].map((b) => b.dataset.ref)")
    )
    if set(values) - table:
        problems.setdefault("1 layout", []).append(f"not in the table: {sorted(set(values) - table)[:5]}")
    hidden = pg.evaluate("() => full.layout.nodes.filter((n) => n.kind === 'hidden').map((n) => n.name)")
    chosen = f"net_{hidden[0]}"
    pg.click(f"#table-box button[data-ref='{chosen}']")
    pg.wait_for_selector("#formula .qname")
    m = pg.evaluate(MEASURE)
    if chosen not in m["names"]:
        problems.setdefault("1 layout", []).append(f"the chosen {chosen} is not drawn")
    if m["overlaps"]:
        problems.setdefault("1 layout", []).append(f"with {chosen} chosen: overlaps {m['overlaps'][:3]}")
    _close_sheet(pg)
    pg.click("#table-toggle")
    pg.evaluate("() => showFormula('dE_total/dw1')")
    pg.wait_for_selector("#math math", timeout=15_000)
    sizes = pg.evaluate(SCRIPTS)
    if not sizes or min(sizes) < 10:
        problems.setdefault("1 layout", []).append(f"formula scripts at {min(sizes or [0]):.1f} px")
    _close_sheet(pg)
    widest = f"net_{hidden[-1]}"  # the longest worked formula: it scrolls in its panel, never the page
    pg.evaluate("(n) => showFormula(n)", widest)
    pg.wait_for_selector("#math math", timeout=15_000)
    _close_sheet(pg)
    wide = pg.evaluate("() => document.documentElement.scrollWidth")
    if wide > pg.viewport_size["width"]:
        problems.setdefault("1 layout", []).append(f"with {widest}'s formula shown the page is {wide} px wide")


def _close_sheet(pg):
    """Close the phone's formula sheet (its close button), if it is open."""
    if pg.evaluate("() => document.getElementById('formula-box').classList.contains('open')"):
        if pg.locator("#formula-close").is_visible():
            pg.click("#formula-close")
            pg.wait_for_selector("#formula-box:not(.open)")


# ----------------------------------------------------------------------------- 2. focus
def _weight_element(pg, weight):
    return pg.locator(f"#diagram .num[data-name='{weight}']").first


def focus_problems(pg, phone, problems):
    _phase(pg, 0)

    def edited_number():
        _weight_element(pg, "w1").focus()
        pg.keyboard.press("Enter")
        pg.wait_for_selector("#edit-value")
        pg.focus("#edit-value")
        pg.fill("#edit-value", "0.123")
        before = _drawn(pg)
        pg.keyboard.press("Enter")
        _after(pg, before)
        pg.wait_for_timeout(100)
        focused = pg.evaluate("() => document.activeElement && document.activeElement.dataset.name")
        return None if focused == "w1" else f"the focus is on {focused!r}, not w1"

    _try(problems, "2 focus", "Enter in a weight's edit box", edited_number)
    _close_sheet(pg)

    def made_of():
        _phase(pg, 5)
        pg.evaluate("() => showFormula('dE_total/dw1')")
        link = pg.locator("#formula button.ref").first
        target = link.get_attribute("data-ref")
        link.focus()
        pg.keyboard.press("Enter")
        pg.wait_for_timeout(150)
        where = pg.evaluate("""() => { const a = document.activeElement;
          return {body: a === document.body, inPanel: !!a.closest('#formula-box'), text: a.textContent,
                  name: a.dataset && a.dataset.name}; }""")
        label = pg.evaluate("(n) => label(n)", target)
        if where["body"] or not (label in (where["text"] or "") or where["name"] == target):
            return f"after the link to {target} the focus is on {where}"
        return None

    _try(problems, "2 focus", "Enter on a 'made of' link", made_of)
    _close_sheet(pg)

    def plus_button():
        action = "more:0"
        old = "#layer-buttons button[aria-label='add a neuron to hidden layer 1']"  # the page before issue 23
        button = pg.locator(f"#layer-buttons button[data-layer-action='{action}'], {old}").first
        button.focus()
        before = _drawn(pg)
        pg.keyboard.press("Enter")
        _after(pg, before)
        pg.wait_for_timeout(100)
        focused = pg.evaluate(
            "() => { const a = document.activeElement;"
            " return a.dataset.layerAction || a.getAttribute('aria-label') || a.tagName; }"
        )
        old = "#layer-buttons button[aria-label='remove a neuron from hidden layer 1']"
        fewer = pg.locator(f"#layer-buttons button[data-layer-action='fewer:0'], {old}").first
        before = _drawn(pg)
        fewer.click()  # the network as it was
        _after(pg, before)
        return None if focused in (action, "add a neuron to hidden layer 1") else f"the focus is on {focused!r}"

    _try(problems, "2 focus", "Enter on a + neuron button", plus_button)

    if phone:

        def escape_closes_the_sheet():
            _phase(pg, 1)
            first = pg.evaluate("() => document.querySelector('#diagram .num:not(.latent)').dataset.name")
            _weight_element(pg, first).focus()
            pg.keyboard.press("Enter")
            pg.wait_for_selector("#formula-box.open")
            found = []
            for _ in range(40):
                pg.keyboard.press("Tab")
                inside = pg.evaluate(
                    "() => !!document.activeElement.closest('#formula-box') || document.activeElement === document.body"
                )
                if not inside:
                    found.append(
                        pg.evaluate(
                            "() => document.activeElement.id || document.activeElement.textContent.slice(0, 30)"
                        )
                    )
            pg.keyboard.press("Escape")
            pg.wait_for_timeout(100)
            still = pg.evaluate("() => document.getElementById('formula-box').classList.contains('open')")
            back = pg.evaluate("() => document.activeElement.dataset && document.activeElement.dataset.name")
            if found:
                return f"{len(found)} of 40 Tab stops behind the sheet, e.g. {found[:3]}"
            if still:
                return "Escape left the sheet open"
            return None if back == first else f"the focus went to {back!r}, not {first}"

        _try(problems, "2 focus", "the phone's formula sheet", escape_closes_the_sheet)
        _close_sheet(pg)


# ----------------------------------------------------------------------------- 3. screen reader
def reader_problems(pg, problems):
    _phase(pg, 5)
    numbers = pg.evaluate(NUMBERS)
    wanted = pg.evaluate(
        "() => Object.fromEntries(Object.keys(state.shown).map((n) => [n, `${label(n)} = ${state.shown[n]}`]))"
    )
    wrong = [(n["name"], n["label"]) for n in numbers if n["label"] != wanted.get(n["name"])]
    if wrong:
        problems.setdefault("3 reader", []).append(f"{len(wrong)} numbers not named 'name = value', e.g. {wrong[:3]}")
    rank = pg.evaluate(ORDER)
    seq = [rank.get(n["name"], [99]) for n in numbers]
    if seq != sorted(seq):
        k = next(i for i in range(1, len(seq)) if seq[i] < seq[i - 1])
        first = [n["name"] for n in numbers[:8]]
        problems.setdefault("3 reader", []).append(
            f"not in the network's order: {numbers[k - 1]['name']} before {numbers[k]['name']} ({first}…)"
        )
    pg.evaluate("() => { const t = document.querySelector('#diagram .num:not(.latent)'); if (t) t.focus(); }")
    chosen = pg.evaluate("() => document.activeElement.dataset.name")
    pg.keyboard.press("Enter")
    pg.wait_for_timeout(300)
    told = pg.evaluate(
        """(n) => { const a = document.activeElement;
          if (a.closest('#formula-box')) return true;
          return [...document.querySelectorAll('[aria-live]')].some((r) => r.textContent.includes(label(n))); }""",
        chosen,
    )
    if not told:
        problems.setdefault("3 reader", []).append(f"choosing {chosen} is not announced (no live region, no focus)")
    _close_sheet(pg)
    bad = pg.evaluate(CONTROL_NAMES)
    if bad:
        problems.setdefault("3 reader", []).append(f"controls named otherwise than their text: {bad[:4]}")
    text = pg.get_attribute("#speed", "aria-valuetext")
    if text != "5 / frame":
        problems.setdefault("3 reader", []).append(f"the speed slider's value text is {text!r}")


# ----------------------------------------------------------------------------- 4. continuity
def _snapshot(pg):
    return pg.evaluate(
        """() => ({layers: full.layers.join('-'), w1: state.shown.w1, iteration: state.iteration, phase,
                  dataset: full.dataset ? full.dataset.name : null})"""
    )


def continuity_problems(pg, app, problems):
    _phase(pg, 0)
    before = _drawn(pg)
    pg.evaluate("async () => show(await api.edit({set: {w1: 0.123}}), true)")
    _after(pg, before)
    for _ in range(2):
        before = _drawn(pg)
        pg.click("#step")
        _after(pg, before)
    _phase(pg, 3)
    pg.wait_for_timeout(700)  # the address is written at most twice a second
    was = _snapshot(pg)
    if not re.search(r"#.+", pg.url):
        problems.setdefault("4 continuity", []).append("the address does not hold the page's state")

    def comes_back(how):
        now = _snapshot(pg)
        if now != was:
            return f"{how}: {now} instead of {was}"
        return None

    def reload():
        pg.reload()
        pg.wait_for_selector("body[data-ready='1']")
        return comes_back("after a reload")

    def back_and_forward():
        pg.goto("about:blank")
        pg.go_back()
        pg.wait_for_selector("body[data-ready='1']")
        return comes_back("after Back (from another page)")

    def server_restart():
        app.state.store._sessions.clear()  # what a restarted server has: no sessions at all
        before = _drawn(pg)
        pg.click("#step")
        _after(pg, before)
        pg.wait_for_timeout(200)
        if pg.locator("#status.error").count():
            return f"after a restart: {pg.locator('#status').text_content()}"
        now = _snapshot(pg)
        if now["iteration"] != was["iteration"] + 1 or now["layers"] != was["layers"]:
            return f"after a restart and one step: {now}, was {was}"
        return None

    for what, check in (("reload", reload), ("Back/Forward", back_and_forward), ("restart", server_restart)):
        _try(problems, "4 continuity", what, check)


# ----------------------------------------------------------------------------- 5. playground
def parity_problems(pg, network, problems):
    def new_weights():
        w1 = pg.evaluate("() => state.shown.w1")
        before = _drawn(pg)
        pg.click("#new-weights")
        _after(pg, before)
        changed = pg.evaluate("() => state.shown.w1")
        before = _drawn(pg)
        pg.click("#reset")
        _after(pg, before)
        loaded = pg.evaluate("() => state.shown.w1")
        if changed == w1:
            return "New random weights changed nothing"
        return None if pg.evaluate("() => state.iteration") == 0 and loaded != changed else "Reset did not go back"

    _try(problems, "5 parity", "new random weights", new_weights)

    def export():
        with pg.expect_download(timeout=60_000) as download:
            pg.click("#export")
        path = download.value.path()
        html = open(path, encoding="utf-8").read()
        return None if "CHAINRULE_REPLAY" in html else "the download is not the replaying page"

    _try(problems, "5 parity", "Export", export)
    if network != "spirals":
        return

    def features():
        before = _drawn(pg)
        pg.check("#features input[data-feature='x1^2']")
        _after(pg, before)
        layers = pg.evaluate("() => full.layers")
        return None if layers[0] == 3 else f"X1² gave layers {layers}"

    def test_points():
        before = _drawn(pg)
        pg.select_option("#test-fraction", "0.2")
        _after(pg, before)
        on = pg.get_attribute("#surface", "aria-label")
        pg.uncheck("#show-test")
        off = pg.get_attribute("#surface", "aria-label")
        return None if "held-out" in on and "held-out" not in off else f"the toggle did nothing ({on!r} / {off!r})"

    def enlarged_map():
        neuron = "h1_3"
        pg.hover(f"#diagram circle[data-neuron='{neuron}']")
        pg.wait_for_timeout(150)
        caption = pg.locator("#surface-caption").text_content()
        return None if neuron in caption else f"hovering {neuron} shows {caption!r}"

    for what, check in (("input features", features), ("show test data", test_points), ("enlarged map", enlarged_map)):
        _try(problems, "5 parity", what, check)


# ----------------------------------------------------------------------------- the scenario
@pytest.mark.slow
@pytest.mark.parametrize("width", list(SCREENS))
@pytest.mark.parametrize("network", NETWORKS)
def test_the_page_for_this_network_at_this_width(browser, served, network, width):
    app, base = served
    context, pg, errors = _open(browser, base, width)
    problems: dict = {}
    try:
        _setup(pg, network)
        _try(problems, "1 layout", "measuring", lambda: layout_problems(pg, problems))
        _try(problems, "2 focus", "measuring", lambda: focus_problems(pg, width < 700, problems))
        _try(problems, "3 reader", "measuring", lambda: reader_problems(pg, problems))
        _phase(pg, 5)
        pg.evaluate("() => showFormula('dE_total/dw1')")
        found = violations(pg)
        if found:
            problems["axe"] = found
        _close_sheet(pg)
        _try(problems, "4 continuity", "measuring", lambda: continuity_problems(pg, app, problems))
        _try(problems, "5 parity", "measuring", lambda: parity_problems(pg, network, problems))
    finally:
        context.close()
    if errors:
        problems["script errors"] = errors[:3]
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.slow
def test_every_number_of_a_crowded_network_is_reached_with_the_arrow_keys(browser, served):
    """Spirals' 88 weights (none of which the old diagram let a keyboard reach): Tab into the diagram,
    then the arrow keys visit every number in the network's order, each shown while it has the focus."""
    _, base = served
    context, pg, errors = _open(browser, base, 1366)
    try:
        _setup(pg, "spirals")
        _phase(pg, 3)
        pg.focus("#diagram-box")
        pg.evaluate("() => document.querySelector('#diagram .num[tabindex=\"0\"]').focus()")
        pg.keyboard.press("Home")
        seen = [pg.evaluate("() => document.activeElement.dataset.name")]
        total = pg.evaluate("() => document.querySelectorAll('#diagram .num').length")
        for _ in range(total - 1):
            pg.keyboard.press("ArrowRight")
            seen.append(pg.evaluate("() => document.activeElement.dataset.name"))
        weights = pg.evaluate("() => Object.keys(full.kinds).filter((n) => full.kinds[n] === 'weight')")
        assert len(weights) == 88 and set(weights) <= set(seen)
        assert len(seen) == len(set(seen)) == total
        pg.evaluate("() => document.querySelector('#diagram .num.latent').focus()")
        box = pg.locator("#popup rect").first.bounding_box()
        assert box and box["width"] > 40  # a number not drawn shows itself while it has the focus
    finally:
        context.close()
    assert not errors, errors


# ----------------------------------------------------------------------------- 7. the smaller findings
@pytest.fixture
def wide(browser, served):
    _, base = served
    context, pg, errors = _open(browser, base, 1366)
    yield pg
    context.close()
    assert not errors, errors


def test_reset_during_play_goes_back_to_the_first_phase(wide):
    pg = wide
    pg.fill("#speed", "4")
    pg.dispatch_event("#speed", "input")
    pg.click("#play")
    pg.wait_for_function("() => state.iteration >= 100")
    pg.click("#reset")
    pg.wait_for_function("() => state.iteration === 0 && full.iteration === 0")
    pg.wait_for_timeout(300)
    assert pg.locator("#phases button.now").text_content() == "weights"
    assert pg.locator("#play").text_content().startswith("Play")


def test_five_hidden_layers_are_refused_in_the_pages_words(wide):
    pg = wide
    pg.fill("#hidden", "2, 2, 2, 2, 2")
    pg.click("#apply")
    pg.wait_for_selector("#status.error")
    text = pg.locator("#status").text_content()
    assert "at most 4 hidden layers" in text and "List should" not in text


INSIDE = """() => { const t = document.querySelector('#diagram .num.sel'); const r = t.getBoundingClientRect();
  const box = t.closest('g').querySelector('rect').getBoundingClientRect();
  return r.left >= box.left - 0.5 && r.right <= box.right + 0.5; }"""


def test_a_chosen_number_stays_inside_its_box(wide):
    pg = wide
    _phase(pg, 5)
    for name in ("out_h2", "E_o1", "dE_total/dw7", "w5+"):  # a neuron's values, an edge's label
        pg.click(f"#diagram .num[data-name='{name}']")
        assert pg.evaluate(INSIDE), name


def test_regression_points_are_coloured_by_their_value(wide):
    pg = wide
    before = _drawn(pg)
    pg.select_option("#dataset", "bumps")
    _after(pg, before)
    pg.wait_for_timeout(300)  # the surface's picture is drawn when its image has loaded
    colours = pg.evaluate(
        """() => { const c = document.getElementById('surface'), g = c.getContext('2d'), e = full.surface.extent;
          const seen = new Set();
          const apart = full.points.filter(([x, y], i) => full.points.every(([u, v], j) =>
            i === j || Math.hypot((x - u) / (2 * e) * c.width, (y - v) / (2 * e) * c.height) > 9));
          for (const [x, y] of apart) {  // a point on its own: its centre is its own colour
            const at = [Math.round((x + e) / (2 * e) * c.width), Math.round((e - y) / (2 * e) * c.height)];
            const px = g.getImageData(at[0], at[1], 1, 1).data;
            seen.add(`${px[0] >> 3},${px[1] >> 3},${px[2] >> 3}`);
          }
          return seen.size; }"""
    )
    assert colours >= 8  # a scale of colours, not the two of classes


def test_the_curve_counts_its_points_in_words(wide):
    assert "1 point drawn" in wide.get_attribute("#curve", "aria-label")


def test_at_1366_by_768_the_data_and_network_controls_are_on_the_first_screen(wide):
    for selector in ("#dataset", "#hidden", "#apply"):  # they started 836 px down
        box = wide.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 768, selector
    assert wide.locator("#diagram").bounding_box()["y"] < 768 / 2  # and the diagram starts high on it
