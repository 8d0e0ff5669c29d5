// The page: draws what the Python engine computed. No mathematics here beyond drawing —
// every value, its formatted form, its name as written, its worked formula (text and MathML),
// the menus' choices and the loss's written form come from the server (or, in an exported
// page, from the recorded run embedded in it).
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const SPEEDS = [1, 2, 5, 10, 50, 200, 1000]; // updates per frame while playing
const PHASES = [
  () => "The network's weights. Press “Next phase ▸” (above the diagram) to run one update step by step.",
  () => "1. Forward pass: each neuron's net input net = Σ w·out + b, and its output out = f(net).",
  () => `2. The error of each output, ${full.loss_form.text} (loss ${full.loss_form.name}), summed into E_total.`,
  () => "3. Backward pass, output layer: each output's δ and the gradient ∂E_total/∂w of the weights into it.",
  () => "4. Backward pass, hidden layers: δ of each hidden neuron through the weights above it, and ∂E_total/∂w.",
  () => "5. Update: every weight w+ = w − η·∂E_total/∂w. “Next phase” applies it and starts the next update.",
];
const KIND_TEXT = {
  weight: "a weight of the network (given; it changes only by an update).",
  bias: "a bias (given).",
  input: "an input of the sample (given).",
  target: "the target output for this sample (given).",
  learning_rate: "the learning rate η (given).",
};
const PHONE = window.matchMedia("(max-width: 700px)");

let api = null;        // the server API, or the recorded replay
let full = null;       // the last full state: trace, names, kinds, choices
let state = null;      // what is drawn now: the full state, or it updated by a play frame
let phase = 0;         // 0 .. 5, see PHASES
let selected = null;   // the name of the chosen quantity
let playing = null;    // the running play loop (a promise), or null
let steps = {};        // trace step by name
let hovered = null;    // the neuron whose map the surface shows (hover or focus), or null

// ------------------------------------------------------------------------------ the API
async function fetchCall(method, path, body) {
  const opts = { method, headers: {} };
  if (method !== "GET") {  // the server takes state changes only as JSON (web/security.py)
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body === undefined ? {} : body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw Object.assign(new Error("the server is not answering; your work is kept in this page's address — reload the page when the server runs again"), { offline: true });
  }
  let data = null;
  try { data = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok) throw Object.assign(new Error((data && data.error) || `the server answered ${res.status}`), { status: res.status });
  return data;
}

function serverApi(call = fetchCall) {
  // call(method, path, body): over HTTP, or (in Jupyter, web/widget.py) as messages to the kernel.
  // A session the server no longer has (it restarted) is made again from what the page holds.
  let sid = null, origin = {};
  const at = (p) => `api/sessions/${sid}${p}`;
  const lost = (err) => err && (err.status === 404 || /unknown or expired session/.test(err.message || ""));
  const self = {
    replay: false,
    origin: () => origin,
    sid: () => sid,
    async create(body, resume) {
      const data = await call("POST", "api/sessions", Object.assign({}, body || {}, resume ? { resume } : {}));
      origin = body || {};
      sid = data.session;
      if ($("download")) $("download").href = at("/network.json");
      return data.state;
    },
    async attach(id, body) { // a session this tab had before a reload
      const data = await call("GET", `api/sessions/${id}`);
      sid = id; origin = body || {};
      $("download").href = at("/network.json");
      return data;
    },
    async session(method, tail, body) {
      try {
        return await call(method, at(tail), body);
      } catch (err) {
        if (!lost(err) || !full) throw err;
        await self.create(origin, resumeNow()); // the server forgot the session: carry on where the page is
        say(`The server had forgotten this page's session (restarted?); your network was restored from the page, at update ${full.iteration.toLocaleString("en")}.`);
        return call(method, at(tail), body);
      }
    },
    get: () => self.session("GET", ""),
    train: (n, view, curveFrom) => self.session("POST", "/train", view ? { steps: n, view, curve_from: curveFrom } : { steps: n }),
    edit: (changes) => self.session("POST", "/edit", changes),
    reset: () => self.session("POST", "/reset"),
    formula: (name) => self.session("GET", `/formula?name=${encodeURIComponent(name)}`),
    exportPage: (n) => self.session("GET", `/export?iterations=${n}`),
  };
  return self;
}

function resumeNow() {
  // what a new session needs to carry on where this page is: the network now (as the last full state
  // had it: a play frame carries no weights), its updates and its curve up to then
  const out = { iteration: full.iteration, curve: full.curve.filter((p) => p[0] <= full.iteration) };
  if (!full.pristine) out.network = full.spec;
  if (full.dataset && full.options) Object.assign(out, full.options);
  return out;
}

function expand(run) {
  // a recorded run as export.py's compact() wrote it: every frame rebuilt whole (see there)
  if (!run.compact) return run;
  const frames = [];
  for (const c of run.frames) {
    const prev = frames[frames.length - 1], f = Object.assign({}, c);
    for (const key of c.same || []) {
      if (key === "trace.steps") f.trace = Object.assign({}, c.trace, { steps: prev.trace.steps });
      else f[key] = prev[key];
    }
    if (c.curve_from !== undefined) f.curve = prev.curve.slice(0, c.curve_from).concat(c.curve);
    delete f.same; delete f.curve_from;
    f.formulas = {};
    for (const [name, [t, numbers, line]] of Object.entries(c.formulas || {})) {
      const parts = run.templates[t];
      f.formulas[name] = [parts.map((p, k) => (k < numbers.length ? `${p}<mn>${numbers[k]}</mn>` : p)).join(""), line];
    }
    frames.push(f);
  }
  return { frames };
}

function replayApi(run) {
  // a recorded run: frames of the state at chosen updates; "training" moves to the next frame
  let i = 0;
  const frame = () => run.frames[i];
  return {
    replay: true,
    async create() { i = 0; return frame(); },
    async get() { return frame(); },
    async train(n) {
      const goal = frame().iteration + n;
      while (i < run.frames.length - 1 && run.frames[i].iteration < goal) i++;
      return frame();
    },
    async edit() { throw new Error("this is a recorded run; editing needs `chainrule serve`"); },
    async reset() { i = 0; return frame(); },
    async formula(name) { const f = (frame().formulas || {})[name] || ["", ""]; return { name, mathml: f[0], line: f[1] }; },
  };
}

// ------------------------------------------------------------------------------ the page's address
// The address holds the page's state, live: how the session began ("o": the server's network, a
// network file, or a dataset with its options), the network now when it differs ("n"), its
// updates ("i") and the phase shown ("p"). A reload, Back/Forward or a restarted server rebuilds
// the page from it; sessionStorage keeps this tab's session id and loss curve beside it.
const STORE = "chainrule-page";

function b64url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let k = 0; k < bytes.length; k += 0x8000) bin += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function unb64url(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
}

function addressed() {
  return !api.replay && !window.CHAINRULE_CALL; // a served page (not an exported file, not the widget)
}

function pageState() {
  const out = { o: api.origin(), i: full.iteration, p: phase };
  if (!full.pristine) out.n = full.spec;
  if (full.dataset && full.options) out.opt = full.options;
  return out;
}

function readAddress() {
  const m = location.hash.match(/^#(s|net|data)=([A-Za-z0-9_-]+)$/);
  if (!m) return null;
  try {
    const value = JSON.parse(unb64url(m[2]));
    if (m[1] === "net") return { o: { network: value } }; // links made before the address was live
    if (m[1] === "data") return { o: { dataset: value } };
    return value && typeof value === "object" ? value : null;
  } catch (e) {
    say("the link's network could not be read; showing the default network", true);
    return null;
  }
}

let addressTimer = null, lastWrite = 0;
function remember(now) {
  // write the state into the address and this tab's storage: at once, or at most twice a second
  if (!addressed() || !state) return;
  clearTimeout(addressTimer);
  const wait = now ? 0 : Math.max(0, 500 - (Date.now() - lastWrite));
  const write = () => {
    lastWrite = Date.now();
    const hash = `#s=${b64url(JSON.stringify(pageState()))}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    try {
      sessionStorage.setItem(STORE, JSON.stringify({ sid: api.sid(), hash, curve: full.curve }));
    } catch (e) { /* storage full or off: the address alone still restores the network */ }
  };
  if (wait === 0) write(); else addressTimer = setTimeout(write, wait);
}

function stored() {
  try { return JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { return null; }
}

async function restore() {
  // this tab's session if the server still has it, else a new one made from the address
  const saved = readAddress() || {};
  const mine = stored();
  const same = mine && mine.hash === location.hash && mine.sid;
  if (same) {
    try { return { state: await api.attach(mine.sid, saved.o), saved }; } catch (e) { /* gone: made again below */ }
  }
  const carry = saved.n || saved.i ? Object.assign({ network: saved.n, iteration: saved.i || 0 }, saved.opt || {}) : null;
  if (carry && same && mine.curve) carry.curve = mine.curve;
  try {
    const st = await api.create(saved.o || {}, carry);
    if (carry && location.hash) say(`Restored from the page's address: ${carry.iteration.toLocaleString("en")} updates${carry.curve ? "" : " (the loss curve starts again here)"}.`);
    return { state: st, saved };
  } catch (err) {
    say(`${err.message}; showing the default network`, true);
    return { state: await api.create({}), saved: {} };
  }
}

// ------------------------------------------------------------------------------ status line
let statusTimer = null;
function say(text, isError) {
  const el = $("status");
  el.textContent = text;
  el.className = "show" + (isError ? " error" : "");
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { el.className = ""; }, isError ? 7000 : 3500);
}

async function guarded(action) {
  try {
    await action();
  } catch (err) {
    stop();
    if (state) syncControls(true); // a refused value does not stay in its field
    say(err.message || String(err), true);
  }
}

function active() {
  // the focused element, inside the widget's shadow root too
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

// ------------------------------------------------------------------------------ showing a state
function show(next, keepPhase, newPhase) {
  const focus = focusKey();
  if (next.view === "frame") {
    if (next.curve_from !== undefined) next = Object.assign({}, next, { curve: state.curve.slice(0, next.curve_from).concat(next.curve) });
    state = Object.assign({}, full, next); // a play frame: the forward pass, the loss, the surface
  } else {
    full = state = next;
    steps = {};
    for (const s of full.trace.steps) steps[s.name] = s;
    indexNames();
  }
  if (!keepPhase) phase = newPhase || 0;
  $("iteration").textContent = state.iteration.toLocaleString("en");
  $("loss").textContent = state.loss_shown;
  $("loss-name").textContent = state.n_samples === 1 ? "E_total" : `loss (mean ${full.loss_name} over ${state.n_samples} points)`;
  const b = state.batch_size || 1;
  $("sample-note").textContent = state.n_samples <= 1 ? ""
    : b > 1 ? ` · next update uses points ${state.sample + 1}–${state.sample + b} (wrapping) of ${state.n_samples}`
      : ` · next update uses point ${state.sample + 1} of ${state.n_samples}`;
  const test = state.test_loss_shown !== undefined && state.test_loss_shown !== null;
  $("test-loss-box").hidden = !test;
  if (test) $("test-loss").textContent = state.test_loss_shown;
  syncControls(false);
  drawDiagram();
  drawCurve();
  drawSurface();
  if (!$("table-box").hidden) drawTable();
  if (next.view !== "frame") showFormula(selected && known(selected) ? selected : null, { open: false });
  restoreFocus(focus);
  if (next.view !== "frame") remember(); // a frame's numbers are the full state's until play stops
  document.body.dataset.shown = Number(document.body.dataset.shown || 0) + 1; // states drawn (tests wait on it)
}

function focusKey() {
  // what has the focus, as something a redraw keeps: an id, a number's name, a control's action
  const a = active();
  if (!a || a === document.body) return null;
  for (const attr of ["data-name", "data-layer-action", "data-ref", "data-feature"]) {
    if (a.hasAttribute && a.hasAttribute(attr)) return { attr, value: a.getAttribute(attr), inDiagram: !!a.closest("#diagram") };
  }
  return a.id ? { attr: "id", value: a.id } : null;
}

function restoreFocus(key) {
  // after a redraw, the focus goes back where it was (the element drawn afresh), never to the body
  if (!key) return;
  const a = active();
  if (a && a !== document.body && a.isConnected) return;
  const scope = key.inDiagram ? "#diagram " : "";
  const found = key.attr === "id" ? $(key.value)
    : document.querySelector(`${scope}[${key.attr}="${CSS.escape(key.value)}"]`);
  if (found && !found.disabled) { focusNumber(found) || found.focus(); return; }
  if (key.attr === "data-layer-action") { const other = document.querySelector("#layer-buttons button:not(:disabled)"); if (other) other.focus(); }
}

function known(name) {
  return name in state.shown && visible(name);
}

function visible(name) {
  // givens (weights, inputs, targets, eta) always; computed values from the phase that computes them
  if (name in full.kinds) return true;
  return name in full.phase_of && full.phase_of[name] <= phase;
}

function fresh(name) {
  return phase > 0 && full.phase_of[name] === phase; // computed by the phase shown now
}

function label(name) {
  return (full.labels && full.labels[name]) || name;
}

function numberText(name) {
  return `${label(name)} = ${state.shown[name]}`;
}

function fillSelect(select, names, current) {
  if ([...select.options].map((o) => o.value).join() !== names.join()) {
    select.textContent = "";
    for (const n of names) {
      const o = document.createElement("option");
      o.value = o.textContent = n;
      select.appendChild(o);
    }
  }
  select.value = current;
}

function syncControls(force) {
  const hidden = full.layers.slice(1, -1);
  if (force || active() !== $("hidden")) $("hidden").value = hidden.join(", ");
  fillSelect($("activation"), full.choices.activations.filter((a) => a.hidden).map((a) => a.name), full.activation);
  fillSelect($("loss-choice"), full.choices.losses.map((l) => l.name), full.loss_name);
  for (const o of $("activation").options) o.title = (full.choices.activations.find((a) => a.name === o.value) || {}).formula || "";
  for (const o of $("loss-choice").options) o.title = (full.choices.losses.find((l) => l.name === o.value) || {}).formula || "";
  if (force || active() !== $("eta")) $("eta").value = full.learning_rate;
  $("dataset").value = full.dataset ? full.dataset.name : "";
  syncSamples(force);
  syncPlayground(force);
  document.querySelectorAll("#phases button").forEach((b) => {
    const p = Number(b.dataset.phase);
    b.className = p === phase ? "now" : p < phase ? "done" : "";
    b.setAttribute("aria-pressed", p === phase ? "true" : "false");
  });
  $("phase-text").textContent = PHASES[phase]();
  $("phase").textContent = phase === 5 ? "Apply update ▸" : "Next phase ▸";
}

function syncSamples(force) {
  const box = $("sample-edit");
  if (!force && box.contains(active())) return;
  box.textContent = "";
  if (state.n_samples === 1) {
    const names = Object.keys(full.kinds).filter((n) => full.kinds[n] === "input")
      .concat(Object.keys(full.kinds).filter((n) => full.kinds[n] === "target"));
    for (const name of names) {
      const lab = document.createElement("label");
      lab.className = "row";
      lab.textContent = name + " ";
      const input = document.createElement("input");
      input.type = "number"; input.step = "any"; input.dataset.name = name;
      input.value = full.trace.values[name];
      input.id = "set-" + name;
      lab.appendChild(input);
      box.appendChild(lab);
    }
  } else {
    const p = document.createElement("p");
    p.className = "hint";
    const b = full.batch_size || 1;
    p.textContent = b > 1 ? `${state.n_samples} points; each update uses the next ${b} of them (mini-batch gradient descent).`
      : `${state.n_samples} points; one update per point, in turn (online gradient descent).`;
    box.appendChild(p);
  }
}

// ------------------------------------------------------------------------------ TensorFlow Playground's controls
function syncPlayground(force) {
  const d = full.dataset;
  $("data-options").hidden = !d;
  if (d) {
    if (force || active() !== $("noise")) $("noise").value = d.noise;
    $("noise-label").textContent = Number($("noise").value).toFixed(2);
    $("test-fraction").value = String(d.test_fraction || 0);
    const o = full.options || {};
    for (const [id, key] of [["batch-size", "batch_size"], ["l1", "l1"], ["l2", "l2"]]) {
      if (force || active() !== $(id)) $(id).value = o[key];
    }
    syncFeatures(d);
  }
  $("show-test-row").hidden = !(full.test_points || []).length;
  syncLayerButtons();
}

function syncFeatures(d) {
  const box = $("features");
  const all = full.feature_choices || [];
  const chosen = new Set(d.features || ["x1", "x2"]);
  if (box.querySelectorAll("input").length !== all.length) {
    box.querySelectorAll("label").forEach((l) => l.remove());
    for (const [name, text] of all) {
      const lab = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox"; input.dataset.feature = name;
      input.onchange = () => guarded(async () => {
        const features = [...box.querySelectorAll("input:checked")].map((i) => i.dataset.feature);
        if (!features.length) { input.checked = true; throw new Error("the network needs at least one input"); }
        await recreateData({ features });
      });
      lab.append(input, ` ${text}`);
      box.appendChild(lab);
    }
  }
  box.querySelectorAll("input").forEach((i) => { i.checked = chosen.has(i.dataset.feature); i.disabled = api.replay; });
}

function syncLayerButtons() {
  // + and − for the hidden layers and for each layer's neurons; each button's name is its text
  const box = $("layer-buttons");
  const hidden = full.layers.slice(1, -1);
  const button = (text, title, action, sizes, disabled) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.title = title; b.dataset.layerAction = action;
    b.disabled = !!disabled || api.replay;
    b.onclick = () => guarded(async () => { show(await api.edit({ layers: [full.layers[0], ...sizes, full.layers[full.layers.length - 1]] })); });
    return b;
  };
  box.textContent = "";
  const row = (text, ...buttons) => {
    const div = document.createElement("div");
    div.className = "buttons";
    div.setAttribute("role", "group");
    const span = document.createElement("span");
    span.textContent = text;
    span.id = `layers-${box.children.length}`;
    div.setAttribute("aria-labelledby", span.id);
    div.append(span, ...buttons);
    box.appendChild(div);
  };
  row(`${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}:`,
    button("+ layer", "add a hidden layer", "add-layer", [...hidden, hidden.length ? hidden[hidden.length - 1] : 2], hidden.length >= 4),
    button("− layer", "remove the last hidden layer", "remove-layer", hidden.slice(0, -1), hidden.length === 0));
  hidden.forEach((n, k) => {
    const more = hidden.slice(), fewer = hidden.slice();
    more[k] = n + 1; fewer[k] = n - 1;
    row(`layer ${k + 1}: ${n} neuron${n === 1 ? "" : "s"}`,
      button("+ neuron", `add a neuron to hidden layer ${k + 1}`, `more:${k}`, more, n >= 16),
      button("− neuron", `remove a neuron from hidden layer ${k + 1}`, `fewer:${k}`, fewer, n <= 1));
  });
}

async function recreateData(changes) {
  // the same dataset with new points, noise, split or inputs: a new session, the network's shape kept
  const d = full.dataset, o = full.options || {};
  const body = { name: d.name, n: d.n, noise: d.noise, seed: d.seed, test_fraction: d.test_fraction || 0,
    hidden: full.layers.slice(1, -1), activation: full.activation, learning_rate: full.learning_rate,
    batch_size: o.batch_size, l1: o.l1, l2: o.l2, features: d.features || ["x1", "x2"] };
  show(await api.create({ dataset: Object.assign(body, changes) }));
}

// ------------------------------------------------------------------------------ the diagram
// Drawn at one unit per pixel for the width of its box, so every number is 12 px. The layout
// (where neurons sit, where each label goes) depends only on the network's shape and the width:
// neurons do not move between phases. When every label fits, every number is drawn; when the
// network is too crowded, the page draws the numbers of one neuron — the chosen number's — and of
// the edges into it, and keeps every other number in the drawing, in the network's order, as a
// button that shows itself when reached by keyboard (arrow keys) or when its neuron or edge is
// hovered; the table view lists them all.
const FONT = 12, LH = 15, PAD = 3, BAND = 2 * LH + 8;
let plan = null;        // the layout and the placed labels, see makePlan
let where = { neuronOf: {} }; // quantity -> the neuron it belongs to (see indexNames)
let measurer = null;

function el(tag, attrs, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function textWidth(text, bold) {
  if (!measurer) measurer = document.createElement("canvas").getContext("2d");
  const family = getComputedStyle($("diagram")).fontFamily || "sans-serif";
  measurer.font = `${bold ? "bold " : ""}${FONT}px ${family}`;
  return measurer.measureText(text).width;
}

function indexNames() {
  // the neuron each quantity belongs to: its own values, and the edges into it (weights, biases)
  const biasNodes = new Set(full.layout.nodes.filter((n) => n.kind === "bias").map((n) => n.name));
  where = { neuronOf: {} };
  for (const [n, qs] of Object.entries(full.names.nodes)) if (!biasNodes.has(n)) for (const [q] of qs) where.neuronOf[q] = n;
  for (const e of full.layout.edges) {
    const en = full.names.edges[e.name] || {};
    for (const q of [e.name, en.grad, en.update]) if (q && !(q in where.neuronOf)) where.neuronOf[q] = e.target;
  }
}

function items() {
  // every labelled thing of the drawing, in the network's order: a layer's neurons' values, then the
  // edges from that layer (weights by number, then its bias), ... and E_total last
  const lay = full.layout, names = full.names, out = [];
  const sizes = full.layers;
  const biasNodes = new Set(lay.nodes.filter((n) => n.kind === "bias").map((n) => n.name));
  for (let l = 0; l < sizes.length; l++) {
    for (const n of lay.nodes.filter((m) => m.layer === l && m.kind !== "bias")) {
      const lines = (names.nodes[n.name] || []).map((q) => q[0]).filter((q) => q in full.shown);
      if (lines.length) out.push({ kind: "note", key: "n:" + n.name, anchor: n.name, lines, rows: lines.length });
    }
    const seen = new Set();
    for (const e of lay.edges.filter((m) => m.layer === l)) {
      if (seen.has(e.name)) continue; // a shared bias: one label for its edges
      seen.add(e.name);
      const en = names.edges[e.name] || {};
      const lines = [e.name, en.grad, en.update].filter((q) => q && q in full.shown);
      out.push({ kind: "edge", key: "e:" + e.name, anchor: e.name, edge: e, lines, rows: 2, bias: biasNodes.has(e.source) });
    }
  }
  if ("E_total" in full.shown && state.n_samples === 1) out.push({ kind: "total", key: "E_total", anchor: null, lines: ["E_total"], rows: 1 });
  for (const it of out) {
    const texts = it.lines.map((q) => `${label(q)} = ${reserve(full.shown[q])}`);
    it.w = Math.ceil(Math.max(...texts.map((t) => textWidth(t)))) + 2 * PAD + 2;
    it.h = it.rows * LH + 2 * PAD;
  }
  return out;
}

function reserve(shown) {
  // room for a value as it may become while training (a sign, nine digits): never less than it is now
  const room = "-0.000000000";
  return String(shown).length > room.length ? shown : room;
}

function diagramWidth() {
  return Math.max(240, Math.floor($("diagram-box").clientWidth) - 2);
}

function makePlan() {
  // the layout for this network and width: every label placed (full), else one neuron's (focus)
  const W = diagramWidth(), phone = PHONE.matches;
  const key = `${full.layers.join("-")}|${full.layout.nodes.length}|${full.layout.edges.length}|${W}|${phone}|${JSON.stringify(full.input_labels || {})}`;
  if (plan && plan.key === key && plan.fits()) return plan;
  const all = items();
  const labelled = all.filter((it) => it.kind === "edge").length;
  const tries = labelled > 48 ? [] : phone ? [() => rowsGeometry(all, W, "full", true)]
    : [1, 1.2, 1.45, 1.7].map((k) => () => columnsGeometry(all, W, k)) // columns, drawn not too tall
      .concat([() => rowsGeometry(all, W, "full", false)], [2, 2.6].map((k) => () => columnsGeometry(all, W, k)));
  for (const geometryOf of tries) {
    const geo = geometryOf();
    if (!geo) continue;
    const placed = placeAll(geo, all, all);
    if (placed.every((b) => b)) return (plan = finishPlan(key, geo, all, placed, "full"));
  }
  const geo = phone ? rowsGeometry(all, W, "focus", true) : columnsGeometry(all, W, 1, true);
  return (plan = finishPlan(key, geo, all, null, "focus"));
}

function finishPlan(key, geo, all, placed, mode) {
  const p = { key, geo, items: all, mode, placed, focusPlaced: new Map() };
  p.fits = () => p.items.every((it) => it.lines.every((q) => !(q in state.shown) || textWidth(numberText(q)) + 2 * PAD <= it.w + 0.5));
  return p;
}

function focusNeuron() {
  // the neuron whose numbers a crowded drawing shows: the chosen number's, else the first output
  const n = selected && where.neuronOf[selected];
  if (n) return n;
  const outs = full.layout.nodes.filter((m) => m.kind === "output");
  return outs.length ? outs[0].name : null;
}

function placedNow() {
  // each item's box (or null: drawn only when reached or hovered), for the phase and focus shown
  if (plan.mode === "full") return plan.placed;
  const focus = focusNeuron();
  if (!plan.focusPlaced.has(focus)) {
    const wanted = plan.items.filter((it) => it.anchor === focus || (it.kind === "edge" && it.edge.target === focus)
      || (it.kind === "note" && full.kinds[it.lines[0]] === "input") || it.kind === "total");
    plan.focusPlaced.set(focus, placeAll(plan.geo, plan.items, wanted));
  }
  return plan.focusPlaced.get(focus);
}

// ---- geometry: where the neurons sit
function layerNodes() {
  const lay = full.layout, L = full.layers.length, rows = [];
  for (let l = 0; l < L; l++) rows.push(lay.nodes.filter((n) => n.layer === l && n.kind !== "bias"));
  const bias = {}; // layer index l (feeding l + 1) -> its shared bias node
  for (const n of lay.nodes.filter((m) => m.kind === "bias")) bias[n.layer - 1] = n;
  return { rows, bias };
}

function noteSize(all, name) {
  const it = all.find((x) => x.anchor === name && x.kind === "note");
  return it ? { w: it.w, h: it.h } : { w: 0, h: 0 };
}

function columnsGeometry(all, W, stretch, compact) {
  // layers as columns, left to right (wide screens)
  const { rows, bias } = layerNodes();
  const L = rows.length, tallest = Math.max(...rows.map((r) => r.length)) + (Object.keys(bias).length ? 1 : 0);
  const noteH = Math.max(0, ...all.filter((x) => x.kind === "note").map((x) => x.h));
  const noteW = Math.max(0, ...all.filter((x) => x.kind === "note").map((x) => x.w));
  const margin = Math.max(40, Math.min(noteW / 2 + 6, 110));
  const g = (W - 2 * margin) / (L - 1);
  if (g < 60) return null;
  const pitch0 = compact ? Math.max(48, Math.min(120, 620 / tallest)) : 2 * 20 + noteH + 2 * LH + 18;
  const pitch = Math.max(44, pitch0 * stretch);
  const r = Math.max(13, Math.min(20, pitch * 0.32));
  const top = 14 + r + (compact ? 0 : 2 * LH + 12); // room above the top row for the labels of its edges
  const at = {};
  rows.forEach((row, l) => row.forEach((n, j) => {
    at[n.name] = { x: margin + l * g, y: top + ((tallest - (Object.keys(bias).length ? 1 : 0) - row.length) / 2 + j) * pitch, r, kind: n.kind };
  }));
  const lowest = Math.max(...Object.values(at).map((p) => p.y));
  for (const [l, n] of Object.entries(bias)) { // a shared bias below the column that feeds it, as the seed draws it
    at[n.name] = { x: margin + Number(l) * g + g * 0.4, y: lowest + r + (compact ? LH : noteH) + 14, r: r * 0.75, kind: "bias" };
  }
  const lowestEdge = Math.max(...Object.values(at).map((p) => p.y + p.r));
  const strip = compact ? lowestEdge + 2 * LH + 12 : undefined; // crowded: room for the chosen neuron's values
  const bottom = (compact ? strip + noteH + 8 : lowestEdge + noteH + 10) + (all.some((x) => x.kind === "total") ? LH + 14 : 0);
  const H = Math.ceil(bottom + 8);
  if (!compact && H > Math.max(760, 1.3 * W)) return null; // too tall to read as one picture: another layout
  return { kind: "columns", W, H, r, at, pitch, g, strip };
}

function rowsGeometry(all, W, mode, phone) {
  // layers as rows, top to bottom (phones; and wide screens when the columns are too narrow): each
  // labelled edge gets a band of its own across the gap between two rows
  const { rows, bias } = layerNodes();
  const L = rows.length;
  const slots = rows.map((row, l) => row.length + (bias[l] ? 1 : 0));
  const r = Math.max(12, Math.min(18, ...slots.map((n) => (W / n) * 0.36)));
  const noteOf = (n) => noteSize(all, n.name);
  // a row whose neurons' values are wider than their slot writes every other neuron's above it
  const alternate = rows.map((row, l) => row.some((n) => noteOf(n).w > W / slots[l] - 4));
  if (mode === "full" && rows.some((row, l) => alternate[l] && row.some((n) => noteOf(n).w > 2 * W / slots[l] - 4))) return null;
  const labelled = (l) => all.filter((x) => x.kind === "edge" && x.edge.layer === l).length;
  if (mode === "full" && all.filter((x) => x.kind === "edge").length > (phone ? 24 : 40)) return null;
  const bands = rows.map((_, l) => (l === L - 1 ? 0 : mode === "full" ? labelled(l) : Math.min(labelled(l), rows[l].length + (bias[l] ? 1 : 0))));
  const below = (l) => Math.max(0, ...rows[l].filter((n, j) => !alternate[l] || j % 2 === 0).map((n) => noteOf(n).h));
  const above = (l) => (alternate[l] ? Math.max(0, ...rows[l].filter((n, j) => j % 2 === 1).map((n) => noteOf(n).h)) : 0);
  const y = [];
  let cursor = 8 + above(0) + r;
  for (let l = 0; l < L; l++) {
    y.push(cursor);
    if (l < L - 1) cursor += r + below(l) + 8 + bands[l] * BAND + 8 + above(l + 1) + r + 6;
  }
  const at = {};
  rows.forEach((row, l) => {
    const n = slots[l];
    row.forEach((node, j) => { at[node.name] = { x: ((j + 0.5) * W) / n, y: y[l], r, kind: node.kind, up: alternate[l] && j % 2 === 1 }; });
    if (bias[l]) at[bias[l].name] = { x: ((n - 0.5) * W) / n, y: y[l], r: r * 0.75, kind: "bias" };
  });
  const bandTop = y.map((yl, l) => yl + r + below(l) + 8);
  const H = Math.ceil(y[L - 1] + r + below(L - 1) + 12 + (all.some((x) => x.kind === "total") ? LH + 14 : 0));
  if (mode === "full" && H > (phone ? 2600 : 1500)) return null;
  return { kind: "rows", W, H, r, at, y, bandTop, bands };
}

// ---- placing the labels
function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function crosses(seg, b) {
  // does the segment (x1, y1)-(x2, y2) pass through box b? (clip it against the box: Liang–Barsky)
  let t0 = 0, t1 = 1;
  const dx = seg.x2 - seg.x1, dy = seg.y2 - seg.y1;
  for (const [p, q] of [[-dx, seg.x1 - b.x], [dx, b.x + b.w - seg.x1], [-dy, seg.y1 - b.y], [dy, b.y + b.h - seg.y1]]) {
    if (p === 0) { if (q < 0) return false; continue; }
    const r = q / p;
    if (p < 0) { if (r > t1) return false; if (r > t0) t0 = r; } else { if (r < t0) return false; if (r < t1) t1 = r; }
  }
  return t1 - t0 > 1e-6;
}

function segments(geo) {
  return full.layout.edges.map((e) => ({ name: e.name, x1: geo.at[e.source].x, y1: geo.at[e.source].y, x2: geo.at[e.target].x, y2: geo.at[e.target].y }));
}

function placeAll(geo, all, wanted) {
  // each wanted item in the first free place among its candidates (fewest edges through it): a box
  // {x, y, w, h}, or null where none is free
  const taken = Object.values(geo.at).map((p) => ({ x: p.x - p.r - 2, y: p.y - p.r - 2, w: 2 * p.r + 4, h: 2 * p.r + 4 }));
  const segs = segments(geo);
  const band = {};
  const result = all.map(() => null);
  const order = all.map((it, k) => k).filter((k) => wanted.includes(all[k]));
  // the neurons' values first, then the edges: on columns the most crossed first (least room)
  const crossed = (it) => (geo.kind === "columns" && it.kind === "edge" ? segs.filter((s) => s.name !== it.anchor && crosses(s, spanOf(geo, it.edge))).length : 0);
  const busy = all.map((it) => (wanted.includes(it) ? crossed(it) : 0));
  order.sort((a, b) => rank(all[a]) - rank(all[b]) || busy[b] - busy[a] || a - b);
  for (const k of order) {
    const it = all[k];
    let best = null;
    for (const c of candidates(geo, it, band)) {
      const box = { x: c.x, y: c.y, w: it.w, h: it.h };
      if (box.x < 1 || box.y < 1 || box.x + box.w > geo.W - 1 || box.y + box.h > geo.H - 1) continue;
      if (taken.some((t) => overlaps(t, box))) continue;
      const cost = (geo.kind === "columns" ? segs.filter((s) => s.name !== it.anchor && crosses(s, box)).length : 0) + (c.cost || 0);
      if (!best || cost < best.cost) best = { box, cost };
      if (cost === 0) break;
    }
    if (best) { result[k] = best.box; taken.push(best.box); }
  }
  return result;
}

function spanOf(geo, e) {
  // the box an edge spans, shrunk a little (an edge "crosses" another inside it)
  const a = geo.at[e.source], b = geo.at[e.target];
  return { x: Math.min(a.x, b.x) + 1e-3, y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x) - 2e-3, h: Math.abs(b.y - a.y) + 1e-3 };
}

function rank(it) {
  return it.kind === "note" ? 0 : it.kind === "edge" ? 1 : 2;
}

function* candidates(geo, it, band) {
  if (it.kind === "total") {
    yield { x: (geo.W - it.w) / 2, y: geo.H - it.h - 4 };
    return;
  }
  if (it.kind === "note") {
    const p = geo.at[it.anchor];
    if (!p) return;
    const below = { x: p.x - it.w / 2, y: p.y + p.r + 4 }, above = { x: p.x - it.w / 2, y: p.y - p.r - 4 - it.h };
    const clampX = (c) => Object.assign(c, { x: Math.min(Math.max(c.x, 2), geo.W - it.w - 2) });
    if (geo.kind === "rows") { // on its side of the row, centred, else a little to either side
      for (const side of p.up ? [above, below] : [below, above]) {
        for (const dx of [0, 12, -12, 24, -24, 36, -36, 50, -50, 64, -64]) yield clampX({ x: side.x + dx, y: side.y, cost: Math.abs(dx) / 64 });
      }
      return;
    }
    yield clampX(below);
    for (const d of [0, 8, 16, 28]) {
      yield { x: p.x + p.r + 6 + d, y: p.y - it.h / 2, cost: 0.5 };
      yield { x: p.x - p.r - 6 - d - it.w, y: p.y - it.h / 2, cost: 0.5 };
      yield clampX({ x: p.x - it.w / 2, y: p.y + p.r + 4 + d, cost: 0.3 });
      yield clampX({ x: p.x - it.w / 2, y: p.y - p.r - 4 - it.h - d, cost: 0.6 });
    }
    // a crowded drawing: in the strip kept free below the neurons, under the neuron's column
    if (geo.strip !== undefined) yield clampX({ x: p.x - it.w / 2, y: geo.strip, cost: 1000 }); // only when nothing nearer is free
    return;
  }
  const e = it.edge, a = geo.at[e.source], b = geo.at[e.target];
  if (geo.kind === "rows") { // a band of its own across the gap, where the edge crosses it
    const l = e.layer;
    band[l] = (band[l] || 0) + 1;
    for (let k = band[l] - 1; k < geo.bands[l] + 2; k++) {
      const cy = geo.bandTop[l] + (k + 0.5) * BAND;
      const t = (cy - a.y) / ((b.y - a.y) || 1);
      const cx = a.x + (b.x - a.x) * Math.min(1, Math.max(0, t));
      yield { x: Math.min(Math.max(cx - it.w / 2, 2), geo.W - it.w - 2), y: cy - it.h / 2, cost: k - band[l] + 1 };
    }
    return;
  }
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1, nx = -(b.y - a.y) / len, ny = (b.x - a.x) / len;
  for (const off of [0, 14, -14, 28, -28, 44, -44, 60, -60, 78, -78]) {
    for (let dt = 0; dt <= 0.45; dt += 0.05) {
      for (const t of dt ? [0.4 + dt, 0.4 - dt] : [0.4]) { // nearer the sender first, where crossing edges are apart
        if (t < 0.08 || t > 0.92) continue;
        const cx = a.x + (b.x - a.x) * t + nx * off, cy = a.y + (b.y - a.y) * t + ny * off;
        yield { x: cx - it.w / 2, y: cy - it.h / 2, cost: Math.abs(t - 0.4) * 2 + Math.abs(off) / 28 };
      }
    }
  }
}

// ---- drawing
function drawDiagram() {
  if (updateDiagram()) return;
  const svg = $("diagram");
  makePlan();
  const geo = plan.geo, boxes = placedNow();
  svg.textContent = "";
  svg.setAttribute("width", geo.W); svg.setAttribute("height", geo.H);
  svg.setAttribute("viewBox", `0 0 ${geo.W} ${geo.H}`);
  svg.dataset.mode = plan.mode;
  svg.dataset.key = diagramKey();
  $("legend-how").textContent = plan.mode === "full"
    ? (PHONE.matches ? "tap any number to see how it was computed" : "click any number to see how it was computed; Tab to the diagram, then the arrow keys go through its numbers in order")
    : "the chosen neuron's numbers and the weights into it are shown: choose another number, or hover over a neuron or an edge (or Tab to the diagram and use the arrow keys) to see the rest — and every number is in the table";
  drawEdges(svg, geo);
  drawNeurons(svg, geo);
  const roving = rovingName();
  plan.items.forEach((it, k) => drawItem(svg, geo, it, boxes[k], roving));
  el("g", { id: "popup", class: "popup", "aria-hidden": "true" }, svg);
}

function diagramKey() {
  return `${plan ? plan.key : ""}|${phase}|${plan && plan.mode === "focus" ? focusNeuron() : ""}`;
}

function drawEdges(svg, geo) {
  const biasNodes = new Set(full.layout.nodes.filter((n) => n.kind === "bias").map((n) => n.name));
  const g = el("g", { "aria-hidden": "true" }, svg);
  state.layout.edges.forEach((e, k) => {
    const a = geo.at[e.source], b = geo.at[e.target];
    el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: paintOf(k, e).colour, "stroke-width": paintOf(k, e).width, "data-edge": e.name,
      "stroke-opacity": 0.75, "stroke-dasharray": biasNodes.has(e.source) ? "5 4" : "none" }, g);
  });
  state.layout.edges.forEach((e) => { // a wide invisible line on top: click an edge to see its weight
    const a = geo.at[e.source], b = geo.at[e.target];
    el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "transparent", "stroke-width": 9, "data-hit": e.name, class: "hit" }, g);
  });
}

function paintOf(k, e) {
  const p = state.paint;
  return p ? { colour: p.colours[k], width: p.widths[k] } : { colour: e.colour, width: e.width };
}

function drawNeurons(svg, geo) {
  const kinds = { input: ["#e6f0fa", "#4a6f94"], hidden: ["#eef7ee", "#4f8a55"], output: ["#fdf0e6", "#b7773a"], bias: ["#f4f4f4", "#8a8a8a"] };
  const g = el("g", { "aria-hidden": "true" }, svg);
  const captions = full.input_labels || {};
  for (const n of full.layout.nodes) {
    const p = geo.at[n.name];
    el("circle", { cx: p.x, cy: p.y, r: p.r, fill: kinds[n.kind][0], stroke: kinds[n.kind][1], "stroke-width": 2, "data-neuron": n.name }, g);
    const map = mapOf(n.name);
    if (map) { // TensorFlow Playground's small picture: this neuron's output over the plane
      const clip = el("clipPath", { id: `clip-${n.name}` }, g);
      el("circle", { cx: p.x, cy: p.y, r: p.r - 2 }, clip);
      el("image", { x: p.x - p.r, y: p.y - p.r, width: 2 * p.r, height: 2 * p.r, href: map, "data-map": n.name,
        "clip-path": `url(#clip-${n.name})`, preserveAspectRatio: "none", opacity: 0.8, "pointer-events": "none" }, g);
    }
    const name = el("text", { x: p.x, y: p.y + 4.5, "text-anchor": "middle", class: "neuron-name" + (p.r < 17 ? " small" : "") }, g);
    name.textContent = captions[n.name] || n.name;
  }
}

function rovingName() {
  // the one number of the diagram in the Tab order (the arrow keys move from it): the chosen one
  if (selected && full.shown[selected] !== undefined && visible(selected)) return selected;
  return null;
}

function activeLines(it) {
  // the lines an item shows at this phase: an edge shows its weight, or its new value in phase 5
  if (it.kind !== "edge") return it.lines.filter((q) => visible(q));
  const [w, grad, update] = [it.lines[0], it.lines.find((q) => q.startsWith("dE_total/")), it.lines.find((q) => q.endsWith("+"))];
  const first = phase >= 5 && update && visible(update) ? update : w;
  return [first, grad].filter((q) => q && visible(q));
}

function drawItem(svg, geo, it, box, roving) {
  const shown = activeLines(it);
  const present = it.lines.filter((q) => visible(q) && q in state.shown);
  if (!present.length) return;
  const g = el("g", { class: "item" + (box ? "" : " latent"), "data-item": it.key }, svg);
  // what it shows now, centred in its room (which stays reserved for what it will show)
  const wide = shown.length ? Math.min(box ? box.w : 0, Math.ceil(Math.max(...shown.map((q) => textWidth(numberText(q))))) + 2 * PAD + 2) : 0;
  const tall = it.kind === "edge" ? shown.length * LH + 2 * PAD : box ? box.h : 0;
  const dx = box ? (box.w - wide) / 2 : 0, dy = box ? (box.h - tall) / 2 : 0;
  if (box && shown.length) {
    const attrs = { x: box.x + dx, y: box.y + dy, width: wide, height: tall, rx: 4, fill: "white", "fill-opacity": 0.95 };
    if (it.kind === "edge") Object.assign(attrs, { stroke: edgeColour(it.edge.name), "stroke-width": 0.8 });
    el("rect", attrs, g);
  }
  for (const q of present) {
    const row = it.kind === "edge" ? (q === shown[0] ? 0 : q === shown[1] ? 1 : -1) : it.lines.indexOf(q);
    const x = box ? box.x + dx + PAD + 1 : 0, y = box ? box.y + dy + PAD + (Math.max(row, 0) + 1) * LH - 3.5 : 0;
    const latent = !box || row < 0;
    const t = el("text", { x, y, class: "num" + (latent ? " latent" : "") + (fresh(q) ? " fresh" : "") + (q === selected ? " sel" : ""),
      "data-name": q, role: "button", tabindex: q === roving ? 0 : -1, "aria-label": numberText(q) }, g);
    if (it.kind === "edge" && !latent && !fresh(q)) t.setAttribute("fill", edgeColour(it.edge.name));
    t.textContent = numberText(q);
  }
}

function edgeColour(name) {
  const k = state.layout.edges.findIndex((e) => e.name === name);
  return k < 0 ? "#222" : paintOf(k, state.layout.edges[k]).colour;
}

function updateDiagram() {
  // while playing the same network at the same phase: change the numbers, colours, widths and maps in
  // place (no new elements, no layout); false when the drawing must be made afresh
  const svg = $("diagram");
  if (state.view !== "frame" || !plan || svg.dataset.key !== diagramKey()) return false;
  const v = state.shown;
  const nums = svg.querySelectorAll(".num");
  for (const t of nums) if (!(t.dataset.name in v)) return false;
  const lines = svg.querySelectorAll("line[data-edge]");
  if (state.paint && lines.length === state.paint.colours.length) {
    lines.forEach((line, k) => { line.setAttribute("stroke", state.paint.colours[k]); line.setAttribute("stroke-width", state.paint.widths[k]); });
  }
  for (const t of nums) {
    const text = numberText(t.dataset.name);
    if (text !== t.textContent) { t.textContent = text; t.setAttribute("aria-label", text); }
  }
  // the neurons' maps (a picture each, made and decoded anew) at most every MAP_EVERY_MS and only when
  // the diagram is in view: the numbers, colours and the surface still change every frame; the full
  // state drawn when the play stops brings every map up to date
  const now = performance.now();
  if (now - mapsShownAt >= MAP_EVERY_MS && inView(svg)) {
    mapsShownAt = now;
    svg.querySelectorAll("image[data-map]").forEach((img) => { const m = mapOf(img.dataset.map); if (m) img.setAttribute("href", m); });
  }
  return true;
}

const MAP_EVERY_MS = 200; // the neurons' maps change at most five times a second while playing
let mapsShownAt = 0;

function inView(element) {
  const r = element.getBoundingClientRect();
  return r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth;
}

// ---- the keyboard and the pointer
function numbersInOrder() {
  return [...$("diagram").querySelectorAll(".num")];
}

function focusNumber(t) {
  // move the diagram's one Tab stop to t and focus it (a number not drawn shows itself while focused)
  if (!t || !t.classList || !t.classList.contains("num")) return false;
  numbersInOrder().forEach((n) => n.setAttribute("tabindex", n === t ? 0 : -1));
  t.focus();
  return true;
}

function onDiagramKey(ev) {
  const nums = numbersInOrder();
  const k = nums.indexOf(ev.target);
  if (k < 0) return;
  const to = { ArrowRight: k + 1, ArrowDown: k + 1, ArrowLeft: k - 1, ArrowUp: k - 1, Home: 0, End: nums.length - 1 }[ev.key];
  if (to !== undefined) {
    ev.preventDefault();
    focusNumber(nums[Math.max(0, Math.min(nums.length - 1, to))]);
  } else if (ev.key === "Enter" || ev.key === " ") {
    ev.preventDefault();
    choose(ev.target.dataset.name, true);
  }
}

function ensureTabStop() {
  // one number of the diagram is always in the Tab order
  const nums = numbersInOrder();
  if (nums.length && !nums.some((n) => n.getAttribute("tabindex") === "0")) nums[0].setAttribute("tabindex", 0);
}

function showPopup(names, focused) {
  // a number not drawn (crowded networks): shown beside its neuron or on its edge while it is reached
  hidePopup();
  const pop = $("popup"), geo = plan.geo;
  if (!pop || !names.length) return;
  const it = plan.items.find((x) => x.lines.includes(names[0]));
  const w = Math.max(...names.map((q) => textWidth(numberText(q)))) + 2 * PAD + 2, h = names.length * LH + 2 * PAD;
  let cx, cy;
  if (it && it.kind === "edge") {
    const a = geo.at[it.edge.source], b = geo.at[it.edge.target];
    cx = (a.x + b.x) / 2; cy = (a.y + b.y) / 2;
  } else {
    const p = geo.at[it ? it.anchor : ""] || { x: geo.W / 2, y: geo.H / 2, r: 0 };
    cx = p.x; cy = p.y + p.r + 4 + h / 2;
  }
  const x = Math.min(Math.max(cx - w / 2, 1), geo.W - w - 1), y = Math.min(Math.max(cy - h / 2, 1), geo.H - h - 1);
  el("rect", { x, y, width: w, height: h, rx: 4 }, pop);
  names.forEach((q, k) => {
    const t = el("text", { x: x + PAD + 1, y: y + PAD + (k + 1) * LH - 3.5, class: q === focused ? "focused" : "" }, pop);
    t.textContent = numberText(q);
  });
  if (focused) el("rect", { x: x - 2, y: y - 2, width: w + 4, height: h + 4, rx: 5, class: "focused" }, pop);
}

function hidePopup() {
  const pop = $("popup");
  if (pop) pop.textContent = "";
}

function latentOf(node) {
  // the numbers a hovered neuron or edge would show, when the drawing does not
  const svg = $("diagram");
  const key = node.dataset.neuron ? "n:" + node.dataset.neuron : "e:" + node.dataset.hit;
  const g = svg.querySelector(`g[data-item="${CSS.escape(key)}"]`);
  if (!g) return [];
  return [...g.querySelectorAll(".num.latent")].map((t) => t.dataset.name);
}

function wireDiagram() {
  const svg = $("diagram");
  svg.addEventListener("click", (ev) => {
    const t = ev.target.closest("[data-name], [data-hit], circle[data-neuron]");
    if (!t) return;
    if (t.dataset.name) choose(t.dataset.name);
    else if (t.dataset.hit) choose(t.dataset.hit);
    else chooseNeuron(t.dataset.neuron);
  });
  svg.addEventListener("keydown", onDiagramKey);
  svg.addEventListener("focusin", (ev) => {
    const t = ev.target;
    if (!t.classList || !t.dataset.name) return;
    if (t.classList.contains("latent")) showPopup([t.dataset.name], t.dataset.name);
    const n = where.neuronOf[t.dataset.name];
    if (n && mapOf(n)) { hovered = n; drawSurface(); }
  });
  svg.addEventListener("focusout", () => { hidePopup(); if (hovered) { hovered = null; drawSurface(); } });
  svg.addEventListener("mouseover", (ev) => {
    const t = ev.target.closest("circle[data-neuron], [data-hit]");
    if (!t) return;
    const names = latentOf(t);
    if (names.length) showPopup(names, null);
    if (t.dataset.neuron && mapOf(t.dataset.neuron) && hovered !== t.dataset.neuron) { hovered = t.dataset.neuron; drawSurface(); }
  });
  svg.addEventListener("mouseout", (ev) => {
    const t = ev.target.closest("circle[data-neuron], [data-hit]");
    if (!t) return;
    if (!svg.contains(active()) || !active().classList.contains("latent")) hidePopup();
    if (hovered && t.dataset.neuron) { hovered = null; drawSurface(); }
  });
}

function choose(name, byKeyboard) {
  // a number chosen (click, tap, Enter): its formula; a crowded drawing now shows its neuron
  const before = plan && plan.mode === "focus" ? focusNeuron() : null;
  showFormula(name, { byKeyboard });
  if (plan && plan.mode === "focus" && focusNeuron() !== before) {
    drawDiagram();
    if (byKeyboard) focusNumber($("diagram").querySelector(`.num[data-name="${CSS.escape(name)}"]`));
  } else {
    $("diagram").querySelectorAll(".num").forEach((t) => t.classList.toggle("sel", t.dataset.name === name));
  }
}

// ------------------------------------------------------------------------------ the neurons' maps
let mapCache = { bytes: null, images: {} };
let mapBytes = { text: null, all: null };

function decode(b64) {
  const bin = atob(b64), out = new Uint8Array(bin.length);
  for (let k = 0; k < bin.length; k++) out[k] = bin.charCodeAt(k);
  return out;
}

function mapValues(name) {
  // one neuron's map, each value in [-1, 1] around its own middle (the server's bytes, or its values)
  const m = state.neuron_maps;
  if (!m) return null;
  if (m.bytes) {
    const k = m.order.indexOf(name);
    if (k < 0) return null;
    if (mapBytes.text !== m.bytes) mapBytes = { text: m.bytes, all: decode(m.bytes) }; // every neuron's, decoded once
    const all = mapBytes.all, n = m.size * m.size;
    return Array.from(all.subarray(k * n, (k + 1) * n), (b) => (b - 127.5) / 127.5);
  }
  const values = m.maps && m.maps[name];
  if (!values) return null;
  const lo = Math.min(...values), hi = Math.max(...values), mid = (lo + hi) / 2, half = (hi - lo) / 2 || 1;
  return values.map((v) => (v - mid) / half);
}

function mapOf(name) {
  // a data: URL of one neuron's map (blue above its middle, orange below), made once per frame
  const m = state.neuron_maps;
  if (!m) return null;
  const stamp = m.bytes || m.maps;
  if (mapCache.bytes !== stamp) mapCache = { bytes: stamp, images: {} };
  if (!(name in mapCache.images)) {
    const values = mapValues(name);
    mapCache.images[name] = values ? paintGrid(values, m.size, 0.7) : null;
  }
  return mapCache.images[name];
}

function paintGrid(values, size, strength) {
  return gridCanvas(values, size, strength).toDataURL();
}

function gridCanvas(values, size, strength) {
  // a size x size canvas of the values in [-1, 1]: blue above 0, orange below, paler towards 0
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d"), img = g.createImageData(size, size);
  for (let r = 0; r < size; r++) {
    for (let k = 0; k < size; k++) {
      const p = values[r * size + k], o = ((size - 1 - r) * size + k) * 4, a = Math.min(1, Math.abs(p)); // row 0 at the bottom
      const [cr, cg, cb] = p >= 0 ? [43, 108, 176] : [221, 107, 32];
      img.data[o] = 255 - (255 - cr) * a * strength; img.data[o + 1] = 255 - (255 - cg) * a * strength;
      img.data[o + 2] = 255 - (255 - cb) * a * strength; img.data[o + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
  return c;
}

function chooseNeuron(name) {
  // a neuron clicked: its numbers, each a button, in the formula panel
  const qs = ((full.names.nodes[name]) || []).map((q) => q[0]).filter((q) => known(q));
  if (qs.length) { choose(qs[0]); }
  const box = $("formula");
  box.textContent = "";
  const head = document.createElement("p");
  head.className = "qname"; head.tabIndex = -1;
  head.textContent = `neuron ${name}`;
  box.appendChild(head);
  const list = document.createElement("ul");
  list.className = "plain";
  for (const q of qs) {
    const li = document.createElement("li");
    li.appendChild(refButton(q, numberText(q)));
    list.appendChild(li);
  }
  box.appendChild(list);
  openSheet(null);
}

// ------------------------------------------------------------------------------ the table view
function drawTable() {
  // the same numbers as the diagram, as a table a screen reader can walk (the current phase)
  const box = $("table-box");
  box.textContent = "";
  const table = document.createElement("table");
  const cap = document.createElement("caption");
  cap.textContent = `Numbers of update ${state.iteration.toLocaleString("en")} at phase ${phase} (new in this phase: marked “new”)`;
  table.appendChild(cap);
  const head = table.createTHead().insertRow();
  for (const h of ["quantity", "value", "computed in phase"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.appendChild(th);
  }
  const body = table.createTBody();
  const names = Object.keys(full.kinds).concat(full.trace.steps.map((s) => s.name));
  for (const name of names) {
    if (!(name in state.shown) || !visible(name)) continue;
    const row = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.appendChild(refButton(name, label(name)));
    row.appendChild(th);
    row.insertCell().textContent = state.shown[name];
    row.insertCell().textContent = name in full.kinds ? "given" : `${full.phase_of[name]}${fresh(name) ? " (new)" : ""}`;
  }
  box.appendChild(table);
}

// ------------------------------------------------------------------------------ the formula panel
let opener = null; // what opened the phone's formula sheet: the focus goes back there when it closes

function refButton(name, text) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "ref";
  b.dataset.ref = name;
  b.textContent = text || label(name);
  b.onclick = () => { showFormula(name, { focusPanel: true }); redrawForFocus(); };
  return b;
}

function redrawForFocus() {
  // a crowded drawing shows the chosen number's neuron
  if (plan && plan.mode === "focus" && $("diagram").dataset.key !== diagramKey()) {
    const keep = focusKey();
    drawDiagram();
    restoreFocus(keep);
  }
}

function openSheet(from) {
  // on a phone the formula is a sheet over the bottom of the screen, and what is behind it is inert
  const box = $("formula-box");
  const was = box.classList.contains("open");
  box.classList.add("open");
  if (!PHONE.matches) return;
  if (!was) opener = from || opener;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-modal", "true");
  for (const id of ["centre", "controls"]) $(id).inert = true;
  document.querySelectorAll("header, #side > :not(#formula-box):not(#formula-live)").forEach((n) => { n.inert = true; });
  keepAboveSheet();
}

function closeSheet() {
  const box = $("formula-box");
  if (!box.classList.contains("open")) return;
  box.classList.remove("open");
  box.setAttribute("role", "region");
  box.removeAttribute("aria-modal");
  for (const id of ["centre", "controls"]) $(id).inert = false;
  document.querySelectorAll("header, #side > *").forEach((n) => { n.inert = false; });
  const back = (opener && opener.isConnected ? opener : null)
    || (selected && $("diagram").querySelector(`.num[data-name="${CSS.escape(selected)}"]`));
  opener = null;
  if (back) focusNumber(back) || back.focus();
}

function keepAboveSheet() {
  // the sheet may grow when its MathML arrives: scroll the chosen number up above it again
  const box = $("formula-box");
  if (!box.classList.contains("open") || getComputedStyle(box).position !== "fixed" || !selected) return;
  const t = document.querySelector(`#diagram [data-name="${CSS.escape(selected)}"]`);
  if (!t) return;
  const r = t.getBoundingClientRect(), top = box.getBoundingClientRect().top;
  if (r.bottom > top - 8) window.scrollBy(0, r.bottom - top + 24);
}

function showFormula(name, how) {
  // the chosen number's worked formula; `how`: {open: false} (a redraw), {byKeyboard}, {focusPanel}
  how = how || {};
  const from = active();
  selected = name;
  const box = $("formula");
  box.textContent = "";
  if (!name) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "Click a number in the network (a weight, net, out, δ or gradient) to see how it was computed.";
    box.appendChild(p);
    return;
  }
  const head = document.createElement("p");
  head.className = "qname"; head.tabIndex = -1; head.id = "formula-name";
  head.textContent = numberText(name);
  box.appendChild(head);
  const s = steps[name];
  if (s) formulaOf(box, name, s, how.open !== false);
  else givenOf(box, name);
  usedIn(box, name);
  if (how.open === false) return;
  $("formula-live").textContent = `${numberText(name)}. ${s ? s.note : KIND_TEXT[full.kinds[name]] || ""}`;
  openSheet(from && from.closest && from.closest("#diagram, #table-box") ? from : null);
  if (how.focusPanel || (PHONE.matches && $("formula-box").classList.contains("open"))) head.focus();
}

function formulaOf(box, name, s, announce) {
  const note = document.createElement("p");
  note.textContent = s.note;
  box.appendChild(note);
  const math = document.createElement("div");
  math.className = "math"; math.id = "math";
  math.tabIndex = 0; // it may scroll sideways: reachable by keyboard
  math.setAttribute("role", "group");
  math.setAttribute("aria-label", `worked formula of ${label(name)}`);
  box.appendChild(math);
  const worked = document.createElement("div");
  worked.className = "worked"; worked.id = "worked"; // the worked line, as `chainrule explain` prints it
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "as `chainrule explain` prints it";
  details.append(summary, worked);
  box.appendChild(details);
  const iteration = state.iteration;
  api.formula(name).then((f) => {
    // MathML from the server's converter (the one `chainrule explain --format html` uses)
    if (selected !== name || state.iteration !== iteration) return;
    worked.textContent = f.line || "";
    if (announce && f.line) $("formula-live").textContent = f.line;
    if (f.mathml) { math.innerHTML = f.mathml; keepAboveSheet(); }
  }, () => {});
  const refs = [...new Set([...s.text.matchAll(/<([^<>]+)>/g)].map((m) => m[1]))];
  if (refs.length) {
    const p = document.createElement("p");
    p.append("made of: ");
    refs.forEach((r, k) => p.append(refButton(r), k < refs.length - 1 ? " " : ""));
    box.appendChild(p);
  }
}

function givenOf(box, name) {
  const p = document.createElement("p");
  p.textContent = KIND_TEXT[full.kinds[name]] || "a given value.";
  box.appendChild(p);
  if (api.replay || !(name in full.kinds)) return;
  const form = document.createElement("div");
  form.className = "edit";
  const input = document.createElement("input");
  input.type = "number"; input.step = "any"; input.id = "edit-value"; input.value = full.trace.values[name];
  input.setAttribute("aria-label", `new value of ${label(name)}`);
  const button = document.createElement("button");
  button.type = "button"; button.id = "edit-set";
  button.textContent = `Set ${label(name)}`;
  const apply = () => guarded(async () => {
    const value = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
    show(await api.edit({ set: { [name]: value } }), true);
    showFormula(name, { open: false });
    say(`${name} set to ${state.shown[name]}; every number recomputed`);
    // the focus goes to the number just edited, in the diagram (or its sheet stays open on a phone)
    const t = $("diagram").querySelector(`.num[data-name="${CSS.escape(name)}"]`);
    if (PHONE.matches) closeSheet();
    if (t) focusNumber(t);
  });
  button.onclick = apply;
  input.onkeydown = (ev) => { if (ev.key === "Enter") { ev.preventDefault(); apply(); } };
  form.append(input, button);
  box.appendChild(form);
}

function usedIn(box, name) {
  const users = full.trace.steps.filter((x) => x.text.includes(`<${name}>`) && visible(x.name)).map((x) => x.name);
  if (!users.length) return;
  const p = document.createElement("p");
  p.append("used in: ");
  users.slice(0, 12).forEach((u, k) => p.append(refButton(u), k < Math.min(users.length, 12) - 1 ? " " : users.length > 12 ? " …" : ""));
  box.appendChild(p);
}

// ------------------------------------------------------------------------------ the loss curve
function drawCurve() {
  const c = $("curve"), g = c.getContext("2d");
  const W = c.width, H = c.height, L = 48, R = 10, T = 12, B = 28;
  g.clearRect(0, 0, W, H);
  const pts = state.curve.filter((p) => p[1] > 0 && Number.isFinite(p[1]));
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#4a5563";
  if (pts.length < 1) return;
  const xmax = Math.max(1, pts[pts.length - 1][0]);
  const all = pts.flatMap((p) => p.slice(1).filter((v) => v > 0));
  let lo = Math.log10(Math.min(...all)), hi = Math.log10(Math.max(...all));
  lo = Math.floor(lo); hi = Math.ceil(hi); if (hi === lo) hi = lo + 1;
  const X = (i) => L + (W - L - R) * i / xmax, Y = (v) => T + (H - T - B) * (hi - Math.log10(v)) / (hi - lo);
  g.strokeStyle = "#e3e8ee"; g.lineWidth = 1;
  for (let d = lo; d <= hi; d++) {
    g.beginPath(); g.moveTo(L, Y(10 ** d)); g.lineTo(W - R, Y(10 ** d)); g.stroke();
    g.fillText(`1e${d}`, 4, Y(10 ** d) + 4);
  }
  g.fillText("0", L - 3, H - 10);
  g.textAlign = "right"; g.fillText(`${xmax.toLocaleString("en")} update${xmax === 1 ? "" : "s"}`, W - R, H - 10); g.textAlign = "left";
  g.strokeStyle = "#2b6cb0"; g.lineWidth = 2; g.beginPath();
  pts.forEach((p, k) => (k ? g.lineTo(X(p[0]), Y(p[1])) : g.moveTo(X(p[0]), Y(p[1]))));
  g.stroke();
  const test = pts.filter((p) => p.length > 2 && p[2] > 0);
  if (test.length) { // the test loss beside the training loss
    g.strokeStyle = "#dd6b20"; g.setLineDash([5, 3]); g.beginPath();
    test.forEach((p, k) => (k ? g.lineTo(X(p[0]), Y(p[2])) : g.moveTo(X(p[0]), Y(p[2]))));
    g.stroke(); g.setLineDash([]);
    g.fillStyle = "#2b6cb0"; g.fillText("training", W - R - 110, T + 10); g.fillStyle = "#b85412"; g.fillText("- - test", W - R - 50, T + 10);
  }
  if (pts.length === 1) { g.fillStyle = "#2b6cb0"; g.beginPath(); g.arc(X(pts[0][0]), Y(pts[0][1]), 3, 0, 7); g.fill(); }
  const first = state.curve[0], last = state.curve[state.curve.length - 1], n = state.curve.length;
  c.setAttribute("aria-label", `The error curve (log scale): ${Number(first[1]).toPrecision(4)} at update ${first[0].toLocaleString("en")}, `
    + `${Number(last[1]).toPrecision(4)} at update ${last[0].toLocaleString("en")}; ${n} point${n === 1 ? "" : "s"} drawn.`);
}

// ------------------------------------------------------------------------------ the decision surface
function surfaceValues() {
  // the surface's values as (value − centre) / scale in [-1, 1]: the server's bytes, or its values
  const s = state.surface;
  if (s.bytes) return Array.from(decode(s.bytes), (b) => (b - 127.5) / 127.5);
  const centre = s.centre === undefined ? 0.5 : s.centre, scale = s.scale || 0.5;
  return s.values.map((p) => Math.max(-1, Math.min(1, (p - centre) / scale)));
}

function drawSurface() {
  const box = $("surface-box");
  if (!state.surface) { box.hidden = true; return; }
  box.hidden = false;
  const c = $("surface"), g = c.getContext("2d");
  const { extent } = state.surface;
  const centre = state.surface.centre === undefined ? 0.5 : state.surface.centre, scale = state.surface.scale || 0.5;
  const neuron = hovered && mapValues(hovered) ? hovered : null;
  const discrete = $("discretise").checked && !neuron;
  const size = neuron ? state.neuron_maps.size : state.surface.size;
  const values = neuron ? mapValues(neuron) : surfaceValues().map((q) => (discrete ? (q >= 0 ? 1 : -1) : q));
  const grid = gridCanvas(values, size, 0.55); // drawn at once, scaled up (no picture to encode and decode)
  const drawPoints = () => {
    const X = (x) => (x + extent) / (2 * extent) * c.width, Y = (y) => (extent - y) / (2 * extent) * c.height;
    const regression = full.dataset && full.dataset.kind === "regression";
    const colour = (t) => { // classes in two colours; a regression's targets along the same scale
      if (!regression) return t >= centre ? "#2b6cb0" : "#dd6b20";
      const q = Math.max(-1, Math.min(1, (t - centre) / scale)), a = 0.35 + 0.65 * Math.abs(q);
      const [cr, cg, cb] = q >= 0 ? [43, 108, 176] : [221, 107, 32];
      return `rgb(${Math.round(255 - (255 - cr) * a)}, ${Math.round(255 - (255 - cg) * a)}, ${Math.round(255 - (255 - cb) * a)})`;
    };
    for (const [x, y, t] of full.points || []) {
      g.beginPath(); g.arc(X(x), Y(y), 3.6, 0, 7);
      g.fillStyle = colour(t); g.fill();
      g.strokeStyle = "#fff"; g.lineWidth = 1.2; g.stroke();
    }
    if ($("show-test").checked) {
      for (const [x, y, t] of full.test_points || []) { // held-out points: rings
        g.beginPath(); g.arc(X(x), Y(y), 3.6, 0, 7);
        g.strokeStyle = colour(t); g.lineWidth = 2; g.stroke();
      }
    }
  };
  g.imageSmoothingEnabled = true;
  g.drawImage(grid, 0, 0, c.width, c.height);
  drawPoints();
  const held = (full.test_points || []).length && $("show-test").checked;
  const s = state.surface;
  $("surface-caption").textContent = neuron
    ? `neuron ${neuron}'s output over the plane (blue above its middle, orange below); move away for the network's output`
    : `colour: the network's output over the plane (blue → ${centre === 0 ? "above 0" : "1"}, orange → ${centre === 0 ? "below 0" : "0"}); dots: the data${held ? "; rings: the points held out for testing" : ""}.`;
  c.setAttribute("aria-label", neuron ? `Neuron ${neuron}'s output over the plane.`
    : `The decision surface: the network's output over the plane from −${extent} to ${extent}, `
    + `blue where it is above ${centre}, orange below${s.accuracy !== undefined ? `; it classifies ${Math.round(100 * s.accuracy)}% of the ${(full.points || []).length} points correctly` : ""}${held ? "; rings: the held-out points" : ""}.`);
}

// ------------------------------------------------------------------------------ training controls
async function nextPhase() {
  if (phase < 5) {
    phase += 1;
    show(state, true);
    revealFresh();
    return;
  }
  show(await api.train(1));
}

function revealFresh() {
  // on a phone the stacked diagram is taller than the screen: scroll what the phase just computed
  // into view (as much of it as fits, its top never under the sticky controls)
  if (!PHONE.matches) return;
  const boxes = [...document.querySelectorAll("#diagram .fresh:not(.latent)")].map((t) => t.getBoundingClientRect());
  if (!boxes.length) return;
  const top = Math.min(...boxes.map((r) => r.top)), bottom = Math.max(...boxes.map((r) => r.bottom));
  const ceiling = $("toolbar").getBoundingClientRect().bottom;
  let dy = 0;
  if (bottom > window.innerHeight - 8) dy = bottom - window.innerHeight + 16; // the lowest new number up…
  if (top - dy < ceiling + 8) dy = top - ceiling - 16; // …but the highest never under the controls
  if (Math.abs(dy) > 1) window.scrollBy(0, dy);
}

let wantStop = false;
function stop() {
  wantStop = true;
  $("play").textContent = "Play ▶";
  $("play").classList.remove("on");
}

function play() {
  if (playing) { stop(); return playing; }
  wantStop = false;
  $("play").textContent = "Pause ❚❚";
  $("play").classList.add("on");
  playing = playLoop().finally(() => { playing = null; });
  return playing;
}

async function playLoop() {
  const ask = () => api.train(Math.min(SPEEDS[Number($("speed").value)], full.max_steps || Infinity), "frame", // the server's limit per request
    Math.max(0, state.curve.length - 1)); // the curve's points before its newest never change: only the rest is sent
  let pending = ask();
  while (!wantStop) {
    const before = state.iteration;
    const frame = new Promise((done) => requestAnimationFrame(done));
    let next = null;
    await guarded(async () => { next = await pending; });
    if (wantStop || !next) break;
    pending = api.replay ? null : ask(); // the server computes the next frame while this one is drawn
    show(next, false, 1); // show the outputs as they learn
    if (api.replay) { if (state.iteration === before) stop(); else pending = ask(); }
    await frame; // at most one frame per animation frame
  }
  if (pending) await pending.catch(() => {});
  stop();
  await guarded(async () => { if (state.view !== "full" || state.iteration !== full.iteration) show(await api.get(), false, 1); });
}

async function resetNetwork() {
  // back to the network as loaded, at its first phase (also while playing: the play stops first)
  if (playing) { stop(); await playing; }
  show(await api.reset(), false, 0);
}

function changes() {
  const out = {};
  const hidden = $("hidden").value.split(/[ ,]+/).filter((s) => s).map(Number);
  if (hidden.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("hidden layers: whole numbers such as 2 or 4, 4");
  if (hidden.length > 4) throw new Error(`the page draws at most 4 hidden layers, not ${hidden.length}`);
  if (hidden.some((n) => n > 16)) throw new Error("the page draws at most 16 neurons per layer");
  const layers = [full.layers[0], ...hidden, full.layers[full.layers.length - 1]];
  if (layers.join() !== full.layers.join()) out.layers = layers;
  if ($("activation").value !== full.activation) out.activation = $("activation").value;
  if ($("loss-choice").value !== full.loss_name) out.loss = $("loss-choice").value;
  const eta = Number($("eta").value);
  if (!(eta > 0)) throw new Error("the learning rate must be a positive number");
  if (eta !== full.learning_rate) out.learning_rate = eta;
  const set = {};
  document.querySelectorAll("#sample-edit input").forEach((input) => {
    const value = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(value)) throw new Error(`${input.dataset.name} must be a number`);
    if (value !== full.trace.values[input.dataset.name]) set[input.dataset.name] = value;
  });
  if (Object.keys(set).length) out.set = set;
  return out;
}

async function chooseData() {
  const name = $("dataset").value;
  show(await api.create(name ? { dataset: { name } } : {})); // the server's preset for this dataset
}

async function exportPage() {
  // one HTML file that replays this network learning (recorded by the server), downloaded
  say("recording the run for the exported page…");
  const answer = await api.exportPage(1000);
  const url = URL.createObjectURL(new Blob([answer.html], { type: "text/html" }));
  const a = document.createElement("a");
  a.href = url; a.download = answer.filename; a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  say(`${answer.filename} downloaded: it replays 1,000 updates, no server needed`);
}

function shareUrl() {
  remember(true);
  return location.href;
}

// ------------------------------------------------------------------------------ start
function wire() {
  $("phase").onclick = () => guarded(nextPhase);
  $("step").onclick = () => guarded(async () => show(await api.train(1), false, 1));
  $("play").onclick = () => play();
  $("reset").onclick = () => guarded(resetNetwork);
  $("apply").onclick = () => guarded(async () => {
    const c = changes();
    if (!Object.keys(c).length) { say("nothing changed"); return; }
    show(await api.edit(c));
    say("applied; every number recomputed");
  });
  $("new-weights").onclick = () => guarded(async () => {
    show(await api.edit({ seed: Math.floor(Math.random() * 2147483647) }));
    say("new random weights; Reset goes back to the loaded ones");
  });
  $("export").onclick = () => guarded(exportPage);
  $("dataset").onchange = () => guarded(chooseData);
  $("noise").oninput = () => { $("noise-label").textContent = Number($("noise").value).toFixed(2); };
  $("noise").onchange = () => guarded(() => recreateData({ noise: Number($("noise").value) }));
  $("test-fraction").onchange = () => guarded(() => recreateData({ test_fraction: Number($("test-fraction").value) }));
  $("regenerate").onclick = () => guarded(() => recreateData({ seed: (full.dataset.seed + 1) % 2147483647 }));
  for (const [id, key] of [["batch-size", "batch_size"], ["l1", "l1"], ["l2", "l2"]]) {
    $(id).onchange = () => guarded(async () => {
      const value = Number($(id).value);
      if ($(id).value.trim() === "" || !Number.isFinite(value)) throw new Error(`${key} must be a number`);
      show(await api.edit({ [key]: key === "batch_size" ? Math.round(value) : value }), true);
      say(`${key.replace("_", " ")} set to ${value}`);
    });
  }
  $("discretise").onchange = () => drawSurface();
  $("show-test").onchange = () => drawSurface();
  $("speed").oninput = () => {
    const text = `${SPEEDS[$("speed").value]} / frame`;
    $("speed-label").textContent = text;
    $("speed").setAttribute("aria-valuetext", text);
  };
  $("speed").oninput();
  $("share").onclick = () => {
    const url = shareUrl();
    const box = $("share-url");
    box.hidden = false; box.value = url; box.select();
    if (navigator.clipboard) navigator.clipboard.writeText(url).then(() => say("link copied"), () => say("link shown below; copy it"));
    else say("link shown below; copy it");
  };
  let drawnWidth = null;  // a phone turned, or a window crossing the phone's width: the diagram laid out afresh
  const redraw = () => {
    const width = $("diagram-box").clientWidth;
    if (state && width !== drawnWidth) { drawnWidth = width; const keep = focusKey(); drawDiagram(); restoreFocus(keep); }
  };
  PHONE.addEventListener("change", redraw);
  window.addEventListener("resize", redraw);
  wireDiagram();
  $("formula-close").onclick = closeSheet;
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    if ($("formula-box").classList.contains("open") && PHONE.matches) { ev.preventDefault(); closeSheet(); return; }
    if ($("formula-box").contains(active()) && selected) { // back from the panel to the chosen number
      const t = $("diagram").querySelector(`.num[data-name="${CSS.escape(selected)}"]`);
      if (t) focusNumber(t);
    }
  });
  document.querySelectorAll("#phases button").forEach((b) => {
    b.onclick = () => { phase = Number(b.dataset.phase); show(state, true); revealFresh(); };
  });
  $("table-toggle").onclick = () => {
    const box = $("table-box");
    box.hidden = !box.hidden;
    $("table-toggle").setAttribute("aria-expanded", String(!box.hidden));
    $("table-toggle").textContent = box.hidden ? "Show the numbers as a table" : "Hide the table";
    if (!box.hidden) drawTable();
  };
  window.addEventListener("pagehide", () => remember(true));
  new MutationObserver(ensureTabStop).observe($("diagram"), { childList: true });
}

async function start() {
  wire();
  if (window.CHAINRULE_REPLAY) {
    const run = expand(window.CHAINRULE_REPLAY);
    api = replayApi(run);
    document.body.classList.add("replay");
    $("mode").textContent = `a recorded run of ${run.frames.length} snapshots — no server needed`;
    for (const id of ["apply", "dataset", "hidden", "activation", "loss-choice", "eta", "share", "noise", "test-fraction",
      "regenerate", "batch-size", "l1", "l2", "new-weights", "export"]) $(id).disabled = true;
    for (const id of ["download", "export", "new-weights"]) $(id).hidden = true;
    $("download").removeAttribute("href");
    await guarded(async () => show(await api.create({})));
  } else if (window.CHAINRULE_CALL) {  // a Jupyter widget: the engine runs in the kernel (web/widget.py)
    api = serverApi(window.CHAINRULE_CALL);
    $("mode").textContent = "in Jupyter — the engine runs in the notebook's kernel";
    for (const id of ["share", "download"]) $(id).hidden = true;
    await guarded(async () => show(await api.create({})));
  } else {
    api = serverApi();
    await guarded(async () => {
      const { state: st, saved } = await restore();
      show(st, false, 0);
      if (saved.p) { phase = Math.max(0, Math.min(5, Number(saved.p) || 0)); show(state, true); }
    });
  }
  ensureTabStop();
  document.body.dataset.ready = "1";
}

start();
