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

let api = null;        // the server API, or the recorded replay
let full = null;       // the last full state: trace, names, kinds, choices
let state = null;      // what is drawn now: the full state, or it updated by a play frame
let phase = 0;         // 0 .. 5, see PHASES
let selected = null;   // the name of the chosen quantity
let playing = false;
let steps = {};        // trace step by name
let spotCache = { key: "", spots: new Map() }; // where the diagram's numbers went, per network and phase

// ------------------------------------------------------------------------------ the API
async function fetchCall(method, path, body) {
  const opts = { method, headers: {} };
  if (method !== "GET") {  // the server takes state changes only as JSON (web/security.py)
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body === undefined ? {} : body);
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok) throw new Error((data && data.error) || `the server answered ${res.status}`);
  return data;
}

function serverApi(call = fetchCall) {
  // call(method, path, body): over HTTP, or (in Jupyter, web/widget.py) as messages to the kernel
  let sid = null;
  const at = (p) => `api/sessions/${sid}${p}`;
  return {
    replay: false,
    async create(body) {
      const data = await call("POST", "api/sessions", body || {});
      sid = data.session;
      $("download").href = at("/network.json");
      return data.state;
    },
    get: () => call("GET", at("")),
    // a frame may ask for the curve's points from `curveFrom` on only (the page keeps the others)
    train: (n, view, curveFrom) => call("POST", at("/train"), view ? { steps: n, view, curve_from: curveFrom } : { steps: n }),
    edit: (changes) => call("POST", at("/edit"), changes),
    reset: () => call("POST", at("/reset")),
    formula: (name) => call("GET", at(`/formula?name=${encodeURIComponent(name)}`)),
  };
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

// ------------------------------------------------------------------------------ status line
let statusTimer = null;
function say(text, isError) {
  const el = $("status");
  el.textContent = text;
  el.className = "show" + (isError ? " error" : "");
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { el.className = ""; }, isError ? 6000 : 2500);
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

// ------------------------------------------------------------------------------ showing a state
function show(next, keepPhase, newPhase) {
  if (next.view === "frame") {
    if (next.curve_from !== undefined) next = Object.assign({}, next, { curve: state.curve.slice(0, next.curve_from).concat(next.curve) });
    state = Object.assign({}, full, next); // a play frame: the forward pass, the loss, the surface
  } else {
    full = state = next;
    steps = {};
    for (const s of full.trace.steps) steps[s.name] = s;
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
  if (next.view !== "frame") showFormula(selected && known(selected) ? selected : null, false);
  document.body.dataset.shown = Number(document.body.dataset.shown || 0) + 1; // states drawn (tests wait on it)
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
  if (force || document.activeElement !== $("hidden")) $("hidden").value = hidden.join(", ");
  fillSelect($("activation"), full.choices.activations.filter((a) => a.hidden).map((a) => a.name), full.activation);
  fillSelect($("loss-choice"), full.choices.losses.map((l) => l.name), full.loss_name);
  for (const o of $("activation").options) o.title = (full.choices.activations.find((a) => a.name === o.value) || {}).formula || "";
  for (const o of $("loss-choice").options) o.title = (full.choices.losses.find((l) => l.name === o.value) || {}).formula || "";
  if (force || document.activeElement !== $("eta")) $("eta").value = full.learning_rate;
  $("dataset").value = full.dataset ? full.dataset.name : "";
  const box = $("sample-edit");
  if (force || !box.contains(document.activeElement)) {
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
  syncPlayground(force);
  document.querySelectorAll("#phases button").forEach((b) => {
    const p = Number(b.dataset.phase);
    b.className = p === phase ? "now" : p < phase ? "done" : "";
    b.setAttribute("aria-pressed", p === phase ? "true" : "false");
  });
  $("phase-text").textContent = PHASES[phase]();
  $("phase").textContent = phase === 5 ? "Apply update ▸" : "Next phase ▸";
}

// ------------------------------------------------------------------------------ TensorFlow Playground's controls
function syncPlayground(force) {
  const d = full.dataset;
  $("data-options").hidden = !d;
  if (d) {
    if (force || document.activeElement !== $("noise")) $("noise").value = d.noise;
    $("noise-label").textContent = Number($("noise").value).toFixed(2);
    $("test-fraction").value = String(d.test_fraction || 0);
    const o = full.options || {};
    for (const [id, key] of [["batch-size", "batch_size"], ["l1", "l1"], ["l2", "l2"]]) {
      if (force || document.activeElement !== $(id)) $(id).value = o[key];
    }
  }
  // + and − for the hidden layers and for each layer's neurons
  const box = $("layer-buttons");
  box.textContent = "";
  const hidden = full.layers.slice(1, -1);
  const button = (text, title, sizes, disabled) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.title = title; b.setAttribute("aria-label", title);
    b.disabled = !!disabled || api.replay;
    b.onclick = () => guarded(async () => { show(await api.edit({ layers: [full.layers[0], ...sizes, full.layers[full.layers.length - 1]] })); });
    return b;
  };
  const layers = document.createElement("div");
  layers.className = "buttons";
  layers.append("layers: ", button("+", "add a hidden layer", [...hidden, hidden.length ? hidden[hidden.length - 1] : 2], hidden.length >= 4),
    button("−", "remove the last hidden layer", hidden.slice(0, -1), hidden.length === 0));
  box.appendChild(layers);
  hidden.forEach((n, k) => {
    const row = document.createElement("div");
    row.className = "buttons";
    const more = hidden.slice(), fewer = hidden.slice();
    more[k] = n + 1; fewer[k] = n - 1;
    row.append(`layer ${k + 1}: ${n} neuron${n === 1 ? "" : "s"} `, button("+", `add a neuron to hidden layer ${k + 1}`, more, n >= 16),
      button("−", `remove a neuron from hidden layer ${k + 1}`, fewer, n <= 1));
    box.appendChild(row);
  });
}

async function recreateData(changes) {
  // the same dataset with new points, noise or split: a new session, the network's shape kept
  const d = full.dataset, o = full.options || {};
  const body = { name: d.name, n: d.n, noise: d.noise, seed: d.seed, test_fraction: d.test_fraction || 0,
    hidden: full.layers.slice(1, -1), activation: full.activation, learning_rate: full.learning_rate,
    batch_size: o.batch_size, l1: o.l1, l2: o.l2 };
  show(await api.create({ dataset: Object.assign(body, changes) }));
}

// ------------------------------------------------------------------------------ the diagram
function el(tag, attrs, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function number(parent, x, y, name, text, cls, anchor) {
  // a number the reader can choose (click, tap, Tab + Enter): "text" shows state.shown[name]
  const t = el("text", { x, y, "text-anchor": anchor || "middle", class: "num " + (cls || "") + (fresh(name) ? " fresh" : ""),
    "data-name": name, tabindex: 0, role: "button", "aria-label": `${text}: show how it was computed` }, parent);
  t.textContent = text;
  if (name === selected) t.classList.add("sel");
  return t;
}

function boxOf(node) {
  const b = node.getBBox();
  return { x: b.x - 2, y: b.y - 1, w: b.width + 4, h: b.height + 2 };
}

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

// the page spreads the diagram's columns and rows a little wider than the printed diagram, so
// that two-line edge labels find places where no other edge crosses them
const SPREAD_X = 1.35, SPREAD_Y = 1.5;

function spread(lay) {
  const X = (x) => 90 + (x - 90) * SPREAD_X, Y = (y) => 50 + (y - 50) * SPREAD_Y;
  return Object.assign({}, lay, {
    width: X(lay.width - 90) + 90, height: Y(lay.height),
    nodes: lay.nodes.map((n) => Object.assign({}, n, { x: X(n.x), y: Y(n.y) })),
    edges: lay.edges.map((e) => Object.assign({}, e, { x1: X(e.x1), y1: Y(e.y1), x2: X(e.x2), y2: Y(e.y2),
      label_x: X(e.label_x), label_y: Y(e.label_y) })),
  });
}

// a phone: the layers stacked from top (inputs) to bottom (outputs), as wide as the screen, so
// that every neuron and number is on the screen at full size (no sideways panning)
const PHONE = window.matchMedia("(max-width: 700px)");
const BAND_MARGIN = 50; // a stacked gap's room next to each row, for the neurons' own values

function stack(lay, W) {
  // each layer a row; a layer's shared bias sits at the end of the row that feeds it (the "+1" input)
  const rows = [];
  for (const n of lay.nodes) {
    const r = n.kind === "bias" ? n.layer - 1 : n.layer;
    (rows[r] = rows[r] || []).push(n);
  }
  const crowded = !lay.edges.some((e) => e.label);
  const widest = Math.max(...rows.map((row) => row.length));
  const radius = Math.min(lay.radius * 0.8, (W / widest) * 0.38);
  const y = [crowded ? radius + 8 : 60];  // room above the inputs for their values
  for (let r = 1; r < rows.length; r++) {
    const labels = lay.edges.filter((e) => e.label && e.layer === r - 1).length;
    // each two-line label (~34 px tall, about half the screen wide) gets a band of its own across
    // the gap, clear of the neurons' values (two side by side would collide where the edges cross)
    y.push(y[r - 1] + (crowded ? Math.max(70, W / widest * 1.2) : 2 * radius + 2 * BAND_MARGIN + 34 * labels));
  }
  const at = {};
  rows.forEach((row, r) => row.forEach((n, j) => {
    at[n.name] = Object.assign({}, n, { x: (j + 0.5) * W / row.length, y: y[r] });
  }));
  const nodes = lay.nodes.map((n) => at[n.name]);
  const edges = lay.edges.map((e) => {
    const a = at[e.source], b = at[e.target], t = 0.5;
    return Object.assign({}, e, { x1: a.x, y1: a.y, x2: b.x, y2: b.y, label_x: a.x + (b.x - a.x) * t, label_y: a.y + (b.y - a.y) * t });
  });
  const bottom = Math.max(...nodes.map((n) => n.y)) + radius + 16;
  return Object.assign({}, lay, { width: W, height: bottom, radius, nodes, edges, bounds: { x: 0, w: W }, rows: y });
}

function bands(lay, notes) {
  // a stacked diagram's edge labels: one band each across the gap between two rows, below the
  // upper row's values and above the lower row's (notes: each neuron's placed values' box), from
  // the top: the edges into the first neuron, then into the next, ...
  const y = lay.rows, r0 = lay.radius;
  for (let r = 1; r < y.length; r++) {
    let top = y[r - 1] + r0, bottom = y[r] - r0;
    for (const n of lay.nodes) {
      const box = notes.get(n.name);
      if (!box) continue;
      if (Math.abs(n.y - y[r - 1]) < 1) top = Math.max(top, box.y + box.h);
      if (Math.abs(n.y - y[r]) < 1) bottom = Math.min(bottom, box.y);
    }
    const mine = lay.edges.filter((e) => e.label && e.layer === r - 1);
    mine.forEach((e, k) => { e.band = (top + 4 + (bottom - top - 8) * (k + 0.5) / mine.length - y[r - 1]) / (y[r] - y[r - 1]); });
  }
}

function outside(box, bounds) {
  // how far a box sticks out of the screen's width (0 inside)
  return bounds ? Math.max(0, bounds.x - box.x) + Math.max(0, box.x + box.w - bounds.x - bounds.w) : 0;
}

function updateDiagram() {
  // while playing the same network at the same phase: change the numbers, colours and widths in
  // place (no new elements, no layout reads); false when the drawing must be made afresh
  const svg = $("diagram");
  if (state.view !== "frame" || svg.dataset.key !== diagramKey() || state.neuron_maps) return false;
  const v = state.shown;
  const nums = svg.querySelectorAll(".num");
  for (const t of nums) if (!(t.dataset.name in v)) return false;
  for (const e of state.layout.edges) {
    const line = svg.querySelector(`line[data-edge="${CSS.escape(e.name)}"]`);
    if (!line) return false;
    line.setAttribute("stroke", e.colour);
    line.setAttribute("stroke-width", e.width);
  }
  for (const t of nums) {
    const text = `${t.textContent.slice(0, t.textContent.lastIndexOf(" = "))} = ${v[t.dataset.name]}`;
    if (text !== t.textContent) { t.textContent = text; t.setAttribute("aria-label", `${text}: show how it was computed`); }
  }
  return true;
}

function phoneWidth() {
  // the width the stacked diagram may take on a phone (null on wider screens)
  return PHONE.matches ? Math.floor($("diagram-box").clientWidth) - 2 : null;
}

function diagramKey() {
  return `${full.layers.join("-")}|${phase}|${state.layout.width}|${phoneWidth()}|${numFont}`;
}

let numFont = 12; // the numbers' size in the drawing's units: on a wide screen the drawing is scaled
                  // to its box, so it grows until they show at 11 px or more (drawDiagram's end)

function drawDiagram(again) {
  if (updateDiagram()) return;
  const svg = $("diagram");
  const W = phoneWidth();
  if (W) numFont = 12; // a phone draws at 1 unit per pixel
  svg.style.setProperty("--num-font", `${numFont}px`);
  const lh = numFont + 2; // a line of numbers
  const lay = W ? stack(state.layout, W) : state.layout.edges.some((e) => e.label) ? spread(state.layout) : state.layout;
  const bounds = lay.bounds;
  const names = full.names;
  const crowded = !lay.edges.some((e) => e.label);
  svg.textContent = "";
  svg.classList.toggle("crowded", crowded);
  $("legend-how").textContent = W ? (crowded ? "tap a neuron to list its numbers" : "tap any number to see how it was computed")
    : crowded ? "hover over or tab to a neuron to see its numbers; click it to list them"
      : "click or tab to any number to see how it was computed";
  const v = state.shown;
  const biasNodes = new Set(lay.nodes.filter((n) => n.kind === "bias").map((n) => n.name));
  const segs = [];
  // edges: colour and thickness by the weight's current sign and size (from the layout)
  for (const e of lay.edges) {
    el("line", { x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, stroke: e.colour, "stroke-width": e.width, "data-edge": e.name,
      "stroke-opacity": 0.75, "stroke-dasharray": biasNodes.has(e.source) ? "5 4" : "none" }, svg);
    segs.push({ name: e.name, x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2 });
  }
  for (const e of lay.edges) { // a wide invisible line on top: click an edge to see its weight
    const hit = el("line", { x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, stroke: "transparent", "stroke-width": 9,
      "data-name": e.name, class: "hit" }, svg);
    el("title", {}, hit).textContent = `${label(e.name)} = ${v[e.name]}`;
  }
  const kinds = { input: ["#e6f0fa", "#4a6f94"], hidden: ["#eef7ee", "#4f8a55"], output: ["#fdf0e6", "#b7773a"], bias: ["#f4f4f4", "#8a8a8a"] };
  const r0 = lay.radius;
  const circles = [];
  for (const n of lay.nodes) {
    const r = n.kind === "bias" ? r0 * 0.75 : r0;
    const c = el("circle", { cx: n.x, cy: n.y, r, fill: kinds[n.kind][0], stroke: kinds[n.kind][1], "stroke-width": 2, "data-neuron": n.name }, svg);
    circles.push({ x: n.x - r, y: n.y - r, w: 2 * r, h: 2 * r });
    const map = state.neuron_maps && state.neuron_maps.maps[n.name];
    if (map) { // TensorFlow Playground's small picture: this neuron's output over the plane
      const clip = el("clipPath", { id: `clip-${n.name}` }, svg);
      el("circle", { cx: n.x, cy: n.y, r: r - 2 }, clip);
      el("image", { x: n.x - r, y: n.y - r, width: 2 * r, height: 2 * r, href: mapImage(map, state.neuron_maps.size),
        "clip-path": `url(#clip-${n.name})`, preserveAspectRatio: "none", opacity: 0.8, "aria-hidden": "true",
        "pointer-events": "none" }, svg); // a tap or click on the picture reaches its neuron
    }
    const name = el("text", { x: n.x, y: n.y + 5, "text-anchor": "middle", class: "neuron-name", "aria-hidden": "true" }, svg);
    name.textContent = n.name;
    if (r0 < 24) { name.style.fontSize = `${Math.max(11, r0 * 0.7)}px`; name.setAttribute("y", n.y + r0 * 0.25); }
    if (crowded) { // many neurons: each neuron's numbers on hover or focus, not all at once
      const shown = ((names.nodes[n.name]) || []).map((q) => q[0]).filter((q) => q in v && visible(q));
      if (!shown.length) continue;
      c.setAttribute("tabindex", 0);
      c.setAttribute("role", "button");
      c.setAttribute("class", "neuron");
      c.setAttribute("aria-label", `${n.name}: ${shown.map((q) => `${label(q)} = ${v[q]}`).join(", ")}`);
      c.dataset.neuronNames = shown.join(" ");
    }
  }
  const placed = circles.slice();
  // while playing, every frame reuses the places found for this network and phase (no search)
  const key = diagramKey();
  const reuse = state.view === "frame" && spotCache.key === key;
  if (!reuse) spotCache = { key, spots: new Map() };
  const edgeLabel = new Set(lay.edges.filter((e) => e.label).map((e) => e.name));
  // each neuron's numbers first: below it, or where they meet no other numbers and no edge (right, above, left)
  if (!crowded) {
    for (const n of lay.nodes) {
      const r = n.kind === "bias" ? r0 * 0.75 : r0;
      const notes = ((names.nodes[n.name]) || []).filter(([q]) => q in v && visible(q) && !(n.kind === "bias" && edgeLabel.has(q)));
      if (!notes.length) continue;
      const g = el("g", { class: "notes" }, svg);
      const rect = el("rect", { rx: 4, fill: "white", "fill-opacity": 0.95 }, g);
      const texts = notes.map(([q, short]) => number(g, 0, 0, q, `${short} = ${v[q]}`, "note"));
      const h = lh * notes.length;
      const spots = [];
      for (const far of [0, 14, 28, 42]) {
        spots.push([n.x, n.y + r + 4 + lh - 2 + far, "middle"], [n.x + r + 6 + far, n.y - h / 2 + 10, "start"],
          [n.x, n.y - r - 6 - h + 12 - far, "middle"], [n.x - r - 6 - far, n.y - h / 2 + 10, "end"],
          [n.x + r * 0.6 + far, n.y + r + 16 + far, "start"], [n.x - r * 0.6 - far, n.y + r + 16 + far, "end"],
          [n.x + r * 0.6 + far, n.y - r - h + 6 - far, "start"], [n.x - r * 0.6 - far, n.y - r - h + 6 - far, "end"]);
        spots.slice(-8).forEach((spot) => spot.push(far));
      }
      const known = reuse && spotCache.spots.get("n:" + n.name);
      if (known) spots.splice(0, spots.length, known);
      let best = known ? { bad: 0, x: known[0], y: known[1], anchor: known[2], box: known[3] } : null;
      for (const [x, y, anchor, far] of known ? [] : spots) {
        texts.forEach((t, k) => { t.setAttribute("x", x); t.setAttribute("y", y + lh * k); t.setAttribute("text-anchor", anchor); });
        const boxes = texts.map(boxOf);
        const box = { x: Math.min(...boxes.map((b) => b.x)) - 2, y: Math.min(...boxes.map((b) => b.y)) - 1,
          w: Math.max(...boxes.map((b) => b.x + b.w)) - Math.min(...boxes.map((b) => b.x)) + 4, h: h + 4 };
        const crossed = segs.filter((s) => crosses(s, box)).length;
        // a stacked (phone) diagram: its edges leave each neuron downwards, so the values stay near
        // their neuron, over an edge if need be (on a white box), rather than drift away from it
        const bad = placed.filter((p) => overlaps(p, box)).length * 10 + outside(box, bounds) * 10
          + (lay.rows ? crossed * 0.5 + far / 14 : crossed);
        if (!best || bad < best.bad) best = { bad, x, y, anchor, box };
        if (bad === 0) break;
      }
      texts.forEach((t, k) => { t.setAttribute("x", best.x); t.setAttribute("y", best.y + lh * k); t.setAttribute("text-anchor", best.anchor); });
      spotCache.spots.set("n:" + n.name, [best.x, best.y, best.anchor, best.box]);
      Object.entries({ x: best.box.x, y: best.box.y, width: best.box.w, height: best.box.h }).forEach(([k, val]) => rect.setAttribute(k, val));
      placed.push(best.box);
    }
  }
  if (lay.rows) bands(lay, new Map(lay.nodes.map((n) => [n.name, (spotCache.spots.get("n:" + n.name) || [])[3]])));
  // then each edge's label, at the first place along its edge (or just beside it) that meets no numbers and no other edge
  const labelled = [];
  const crossing = (e) => segs.filter((s) => s.name !== e.name && crosses(s, { x: Math.min(e.x1, e.x2) + 1e-3, y: Math.min(e.y1, e.y2),
    w: Math.abs(e.x2 - e.x1) - 2e-3, h: Math.abs(e.y2 - e.y1) + 1e-3 })).length;
  const order = lay.edges.filter((e) => e.label).sort((a, b) => crossing(b) - crossing(a)); // the most crossed first
  for (const e of order) {
    const en = names.edges[e.name] || {};
    const lines = [];
    const updated = phase >= 5 && en.update && en.update in v;
    lines.push(updated ? [en.update, `${label(en.update)} = ${v[en.update]}`] : [e.name, `${label(e.name)} = ${v[e.name]}`]);
    if (en.grad && en.grad in v && visible(en.grad)) lines.push([en.grad, `${label(en.grad)} = ${v[en.grad]}`]);
    const g = el("g", { class: "label", "data-edge": e.name }, svg);
    const rect = el("rect", { rx: 4, fill: "white", "fill-opacity": 0.95, stroke: e.colour, "stroke-width": 0.7 }, g);
    const texts = lines.map(([name, text]) => {
      const t = number(g, 0, 0, name, text);
      t.setAttribute("fill", e.colour);
      return t;
    });
    const at0 = (e.label_x - e.x1) / ((e.x2 - e.x1) || 1);
    const len = Math.hypot(e.x2 - e.x1, e.y2 - e.y1) || 1, nx = -(e.y2 - e.y1) / len, ny = (e.x2 - e.x1) / len;
    const tries = [];  // along the edge first, then a little to either side of it
    for (const off of [0, 16, -16, 30, -30, 44, -44, 58, -58, 72, -72]) {
      tries.push([at0, off]);
      for (let d = 0.02; d < 0.8; d += 0.02) tries.push([at0 + d, off], [at0 - d, off]);
    }
    if (e.band !== undefined) tries.splice(0, tries.length, [e.band, 0]); // a phone: its own band, on the edge
    const half = bounds ? Math.max(...texts.map((tx) => tx.getBBox().width)) / 2 + 5 : 0;
    const put = (t, off) => {
      let cx = e.x1 + (e.x2 - e.x1) * t + nx * off;
      const cy = e.y1 + (e.y2 - e.y1) * t + ny * off;
      if (bounds) cx = Math.min(Math.max(cx, bounds.x + half), bounds.x + bounds.w - half); // kept on the screen
      texts.forEach((tx, k) => { tx.setAttribute("x", cx); tx.setAttribute("y", cy - (lh + 1) * (lines.length - 1) / 2 + (lh + 1) * k + numFont / 3); });
    };
    const known = reuse && spotCache.spots.get("e:" + e.name);
    if (known) tries.splice(0, tries.length, known);
    const search = (others) => {
      let best = known ? { bad: 0, t: known[0], off: known[1], box: known[2] } : null;
      for (const [t, off] of known ? [] : tries.filter(([t]) => (t > 0.08 && t < 0.92) || e.band === t)) {
        put(t, off);
        const boxes = texts.map(boxOf);
        const box = { x: Math.min(...boxes.map((b) => b.x)) - 3, y: Math.min(...boxes.map((b) => b.y)) - 1,
          w: Math.max(...boxes.map((b) => b.w)) + 6, h: boxes.reduce((s, b) => s + b.h, 0) + 2 };
        const bad = others.filter((p) => overlaps(p, box)).length * 10 + segs.filter((s) => s.name !== e.name && crosses(s, box)).length
          + outside(box, bounds) * 10;
        if (!best || bad < best.bad) best = { bad, t, off, box };
        if (bad === 0) break;
      }
      put(best.t, best.off);
      Object.entries({ x: best.box.x, y: best.box.y, width: best.box.w, height: best.box.h }).forEach(([k, val]) => rect.setAttribute(k, val));
      spotCache.spots.set("e:" + e.name, [best.t, best.off, best.box]);
      return best;
    };
    const first = search(placed);
    const entry = { search, box: first.box, crossed: first.bad > 0 };
    labelled.push(entry);
    placed.push(entry.box);
  }
  // a second look for any label that found no free place: with every other label now in its place
  for (let pass = 0; pass < (reuse ? 0 : 3); pass++) {
    let moved = false;
    for (const entry of labelled) {
      const others = placed.filter((b) => b !== entry.box);
      if (!others.some((p) => overlaps(p, entry.box)) && !entry.crossed) continue;
      const best = entry.search(others);
      placed[placed.indexOf(entry.box)] = best.box;
      entry.box = best.box;
      entry.crossed = best.bad > 0;
      moved = true;
    }
    if (!moved) break;
  }
  let bottom = lay.height;
  if (state.n_samples === 1 && "E_total" in v && visible("E_total")) { // below everything placed
    const below = Math.max(lay.height, ...placed.map((b) => b.y + b.h)) + 16;
    const t = number(svg, lay.width / 2, below, "E_total", `E_total = ${v.E_total}`, "note");
    bottom = below + 8;
    placed.push(boxOf(t));
  }
  // the drawing's extent: everything placed, with a margin
  const xs = placed.map((b) => b.x), xe = placed.map((b) => b.x + b.w);
  const ys = placed.map((b) => b.y), ye = placed.map((b) => b.y + b.h).concat([bottom]);
  let x0 = Math.min(...xs) - 4, w = Math.max(...xe) - x0 + 4;
  if (bounds) { x0 = Math.min(bounds.x, x0); w = Math.max(bounds.x + bounds.w, x0 + w) - x0; } // a phone: the screen's width
  const y0 = Math.min(...ys) - 4, h = Math.max(...ye) - y0 + 4;
  svg.setAttribute("viewBox", `${x0} ${y0} ${w} ${h}`);
  svg.dataset.key = key;
  svg.style.setProperty("--natural-width", `${w}px`);
  svg.dataset.naturalWidth = w;
  if (crowded) drawHoverNotes();
  if (!W && !crowded && !again) { // numbers at 11 to 12.5 px on the screen, whatever the box's width
    const px = numFont * svg.getBoundingClientRect().width / w;
    if (px < 11.05 || (px > 12.5 && numFont > 12)) {
      numFont = Math.min(24, Math.max(12, numFont * 11.15 / px));
      drawDiagram(true);
    }
  }
}

function mapImage(values, size) {
  // values of one neuron over a size x size grid (row 0 at the bottom): blue above the middle, orange below
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d"), img = g.createImageData(size, size);
  const lo = Math.min(...values), hi = Math.max(...values), mid = (lo + hi) / 2, half = (hi - lo) / 2 || 1;
  for (let r = 0; r < size; r++) {
    for (let k = 0; k < size; k++) {
      const p = (values[r * size + k] - mid) / half, o = ((size - 1 - r) * size + k) * 4, a = Math.min(1, Math.abs(p));
      const [cr, cg, cb] = p >= 0 ? [43, 108, 176] : [221, 107, 32];
      img.data[o] = 255 - (255 - cr) * a * 0.7; img.data[o + 1] = 255 - (255 - cg) * a * 0.7;
      img.data[o + 2] = 255 - (255 - cb) * a * 0.7; img.data[o + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
  return c.toDataURL();
}

function drawHoverNotes() {
  // crowded networks: a neuron's numbers appear beside it on hover or focus
  const svg = $("diagram");
  const show = (c) => {
    hideHover();
    const names = (c.dataset.neuronNames || "").split(" ").filter((x) => x);
    if (!names.length) return;
    const x = Number(c.getAttribute("cx")) + Number(c.getAttribute("r")) + 6, y = Number(c.getAttribute("cy"));
    const g = el("g", { id: "hover-notes", "aria-hidden": "true" }, svg);
    const rect = el("rect", { rx: 4, fill: "white", stroke: "#8a8a8a", "stroke-width": 0.8 }, g);
    const texts = names.map((q, k) => {
      const t = el("text", { x: x + 6, y: y - 14 * (names.length - 1) / 2 + 14 * k + 4, class: "note" }, g);
      t.textContent = `${label(q)} = ${state.shown[q]}`;
      return t;
    });
    const boxes = texts.map(boxOf);
    rect.setAttribute("x", x); rect.setAttribute("y", Math.min(...boxes.map((b) => b.y)) - 2);
    rect.setAttribute("width", Math.max(...boxes.map((b) => b.w)) + 10);
    rect.setAttribute("height", boxes.reduce((s, b) => s + b.h, 0) + 4);
  };
  svg.querySelectorAll("circle.neuron").forEach((c) => {
    c.addEventListener("mouseenter", () => show(c));
    c.addEventListener("focus", () => show(c));
    c.addEventListener("mouseleave", hideHover);
    c.addEventListener("blur", hideHover);
  });
}

function hideHover() {
  const old = $("hover-notes");
  if (old) old.remove();
}

function chooseNeuron(circle) {
  // a crowded network's neuron: its numbers, each a button, in the formula panel
  const names = (circle.dataset.neuronNames || "").split(" ").filter((x) => x);
  const box = $("formula");
  box.textContent = "";
  const head = document.createElement("p");
  head.className = "qname";
  head.textContent = `neuron ${circle.dataset.neuron}`;
  box.appendChild(head);
  const list = document.createElement("ul");
  list.className = "plain";
  for (const q of names) {
    const li = document.createElement("li");
    li.appendChild(refButton(q, `${label(q)} = ${state.shown[q]}`));
    list.appendChild(li);
  }
  box.appendChild(list);
  openSheet();
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
function refButton(name, text) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "ref";
  b.dataset.ref = name;
  b.textContent = text || label(name);
  b.onclick = () => showFormula(name);
  return b;
}

function openSheet() {
  // on a phone the formula is a sheet over the bottom of the screen: keep the chosen number above it
  $("formula-box").classList.add("open");
  keepAboveSheet();
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

function showFormula(name, open) {
  selected = name;
  document.querySelectorAll("#diagram .num").forEach((t) => t.classList.toggle("sel", t.dataset.name === name));
  const box = $("formula");
  box.textContent = "";
  if (!name) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "Click a number in the network (a weight, net, out, δ or gradient) to see how it was computed.";
    box.appendChild(p);
    return;
  }
  const s = steps[name];
  const head = document.createElement("p");
  const b = document.createElement("span");
  b.className = "qname";
  b.textContent = `${label(name)} = ${state.shown[name]}`;
  head.appendChild(b);
  box.appendChild(head);
  if (s) {
    const note = document.createElement("p");
    note.textContent = s.note;
    box.appendChild(note);
    const math = document.createElement("div");
    math.className = "math";
    math.id = "math";
    math.tabIndex = 0; // it may scroll sideways: reachable by keyboard
    math.setAttribute("role", "group");
    math.setAttribute("aria-label", `worked formula of ${label(name)}`);
    box.appendChild(math);
    const iteration = state.iteration;
    api.formula(name).then((f) => {
      // MathML from the server's converter (the one `chainrule explain --format html` uses)
      if (selected !== name || state.iteration !== iteration) return;
      worked.textContent = f.line || "";
      if (f.mathml) { math.innerHTML = f.mathml; keepAboveSheet(); }
    }, () => {});
    const worked = document.createElement("div");
    worked.className = "worked";
    worked.id = "worked";  // the worked line, as `chainrule explain` prints it: with the MathML
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "as `chainrule explain` prints it";
    details.append(summary, worked);
    box.appendChild(details);
    const refs = [...new Set([...s.text.matchAll(/<([^<>]+)>/g)].map((m) => m[1]))];
    if (refs.length) {
      const p = document.createElement("p");
      p.append("made of: ");
      refs.forEach((r, k) => p.append(refButton(r), k < refs.length - 1 ? " " : ""));
      box.appendChild(p);
    }
  } else {
    const p = document.createElement("p");
    p.textContent = KIND_TEXT[full.kinds[name]] || "a given value.";
    box.appendChild(p);
    if (!api.replay && name in full.kinds) {
      const form = document.createElement("div");
      form.className = "edit";
      const input = document.createElement("input");
      input.type = "number"; input.step = "any"; input.id = "edit-value"; input.value = full.trace.values[name];
      input.setAttribute("aria-label", `new value of ${label(name)}`);
      const button = document.createElement("button");
      button.id = "edit-set";
      button.textContent = `Set ${label(name)}`;
      const apply = () => guarded(async () => {
        const value = Number(input.value);
        if (input.value.trim() === "" || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
        show(await api.edit({ set: { [name]: value } }), true);
        showFormula(name);
        say(`${name} set to ${state.shown[name]}; every number recomputed`);
      });
      button.onclick = apply;
      input.onkeydown = (ev) => { if (ev.key === "Enter") apply(); };
      form.append(input, button);
      box.appendChild(form);
    }
  }
  const users = full.trace.steps.filter((x) => x.text.includes(`<${name}>`) && visible(x.name)).map((x) => x.name);
  if (users.length) {
    const p = document.createElement("p");
    p.append("used in: ");
    users.slice(0, 12).forEach((u, k) => p.append(refButton(u), k < Math.min(users.length, 12) - 1 ? " " : users.length > 12 ? " …" : ""));
    box.appendChild(p);
  }
  if (open !== false) openSheet();
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
  const first = state.curve[0], last = state.curve[state.curve.length - 1];
  c.setAttribute("aria-label", `The error curve (log scale): ${Number(first[1]).toPrecision(4)} at update ${first[0].toLocaleString("en")}, `
    + `${Number(last[1]).toPrecision(4)} at update ${last[0].toLocaleString("en")}; ${state.curve.length} points drawn.`);
}

// ------------------------------------------------------------------------------ the decision surface
function drawSurface() {
  const box = $("surface-box");
  if (!state.surface) { box.hidden = true; return; }
  box.hidden = false;
  const c = $("surface"), g = c.getContext("2d");
  const { size, extent, values } = state.surface;
  const centre = state.surface.centre === undefined ? 0.5 : state.surface.centre, scale = state.surface.scale || 0.5;
  const discrete = $("discretise").checked;
  const img = g.createImageData(size, size);
  for (let r = 0; r < size; r++) {
    for (let k = 0; k < size; k++) {
      const p = values[r * size + k];            // row r: y from -extent (bottom) up
      const o = ((size - 1 - r) * size + k) * 4; // canvas rows go down
      const a = discrete ? 1 : Math.min(1, Math.abs(p - centre) / scale);
      const [cr, cg, cb] = p >= centre ? [43, 108, 176] : [221, 107, 32];
      img.data[o] = 255 - (255 - cr) * a * 0.55; img.data[o + 1] = 255 - (255 - cg) * a * 0.55;
      img.data[o + 2] = 255 - (255 - cb) * a * 0.55; img.data[o + 3] = 255;
    }
  }
  const tmp = document.createElement("canvas");
  tmp.width = tmp.height = size;
  tmp.getContext("2d").putImageData(img, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(tmp, 0, 0, c.width, c.height);
  const X = (x) => (x + extent) / (2 * extent) * c.width, Y = (y) => (extent - y) / (2 * extent) * c.height;
  for (const [x, y, lab] of full.points || []) {
    g.beginPath(); g.arc(X(x), Y(y), 3.6, 0, 7);
    g.fillStyle = lab >= centre ? "#2b6cb0" : "#dd6b20"; g.fill();
    g.strokeStyle = "#fff"; g.lineWidth = 1.2; g.stroke();
  }
  for (const [x, y, lab] of full.test_points || []) { // held-out points: rings
    g.beginPath(); g.arc(X(x), Y(y), 3.6, 0, 7);
    g.strokeStyle = lab >= centre ? "#2b6cb0" : "#dd6b20"; g.lineWidth = 2; g.stroke();
  }
  $("test-note").textContent = (full.test_points || []).length ? "; rings: the points held out for testing" : "";
  const s = state.surface;
  c.setAttribute("aria-label", `The decision surface: the network's output over the plane from −${extent} to ${extent}, `
    + `blue where it is above 0.5, orange below${s.accuracy !== undefined ? `; it classifies ${Math.round(100 * s.accuracy)}% of the ${(full.points || []).length} points correctly` : ""}.`);
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
  const boxes = [...document.querySelectorAll("#diagram .fresh")].map((t) => t.getBoundingClientRect());
  if (!boxes.length) return;
  const top = Math.min(...boxes.map((r) => r.top)), bottom = Math.max(...boxes.map((r) => r.bottom));
  const ceiling = $("toolbar").getBoundingClientRect().bottom;
  let dy = 0;
  if (bottom > window.innerHeight - 8) dy = bottom - window.innerHeight + 16; // the lowest new number up…
  if (top - dy < ceiling + 8) dy = top - ceiling - 16; // …but the highest never under the controls
  if (Math.abs(dy) > 1) window.scrollBy(0, dy);
}

function stop() {
  playing = false;
  $("play").textContent = "Play ▶";
  $("play").classList.remove("on");
}

async function play() {
  if (playing) { stop(); return; }
  playing = true;
  $("play").textContent = "Pause ❚❚";
  $("play").classList.add("on");
  const ask = () => api.train(Math.min(SPEEDS[Number($("speed").value)], full.max_steps || Infinity), "frame", // the server's limit per request
    Math.max(0, state.curve.length - 1)); // the curve's points before its newest never change: only the rest is sent
  let pending = ask();
  while (playing) {
    const before = state.iteration;
    const frame = new Promise((done) => requestAnimationFrame(done));
    let next = null;
    await guarded(async () => { next = await pending; });
    if (!playing || !next) break;
    pending = api.replay ? null : ask(); // the server computes the next frame while this one is drawn
    show(next, false, 1); // show the outputs as they learn
    if (api.replay) { if (state.iteration === before) stop(); else pending = ask(); }
    await frame; // at most one frame per animation frame
  }
  if (pending) await pending.catch(() => {});
  await guarded(async () => { if (state.view !== "full" || state.iteration !== full.iteration) show(await api.get(), false, 1); });
}

function changes() {
  const out = {};
  const hidden = $("hidden").value.split(/[ ,]+/).filter((s) => s).map(Number);
  if (hidden.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("hidden layers: whole numbers such as 2 or 4, 4");
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
  if (!name) { show(await api.create({})); history.replaceState(null, "", location.pathname); return; }
  show(await api.create({ dataset: { name } })); // the server's preset for this dataset
}

// ------------------------------------------------------------------------------ sharing
function b64url(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function unb64url(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
}

function shareUrl() {
  const base = location.href.split("#")[0];
  if (full.dataset) {
    const d = full.dataset;
    const o = full.options || {};
    const data = { name: d.name, n: d.n, noise: d.noise, seed: d.seed, test_fraction: d.test_fraction || 0,
      hidden: full.layers.slice(1, -1), activation: full.activation, learning_rate: full.learning_rate,
      batch_size: o.batch_size, l1: o.l1, l2: o.l2 };
    return `${base}#data=${b64url(JSON.stringify(data))}`;
  }
  return `${base}#net=${b64url(JSON.stringify(full.spec))}`;
}

function fromUrl() {
  const m = location.hash.match(/^#(net|data)=([A-Za-z0-9_-]+)$/);
  if (!m) return {};
  try {
    const value = JSON.parse(unb64url(m[2]));
    return m[1] === "net" ? { network: value } : { dataset: value };
  } catch (e) {
    say("the link's network could not be read; showing the default network", true);
    return {};
  }
}

// ------------------------------------------------------------------------------ start
function choose(target) {
  const t = target.closest("[data-name]");
  if (t) { showFormula(t.dataset.name); return true; }
  const c = target.closest("circle.neuron");
  if (c) { chooseNeuron(c); return true; }
  return false;
}

function wire() {
  $("phase").onclick = () => guarded(nextPhase);
  $("step").onclick = () => guarded(async () => show(await api.train(1), false, 1));
  $("play").onclick = () => play();
  $("reset").onclick = () => guarded(async () => { stop(); show(await api.reset()); });
  $("apply").onclick = () => guarded(async () => {
    const c = changes();
    if (!Object.keys(c).length) { say("nothing changed"); return; }
    show(await api.edit(c));
    say("applied; every number recomputed");
  });
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
  $("speed").oninput = () => { $("speed-label").textContent = `${SPEEDS[$("speed").value]} / frame`; };
  $("speed").oninput();
  $("share").onclick = () => {
    const url = shareUrl();
    history.replaceState(null, "", url);
    const box = $("share-url");
    box.hidden = false; box.value = url; box.select();
    if (navigator.clipboard) navigator.clipboard.writeText(url).then(() => say("link copied"), () => say("link shown below; copy it"));
    else say("link shown below; copy it");
  };
  let drawnWidth = null;  // a phone turned, or a window crossing the phone's width: the diagram drawn afresh
  const redraw = () => {
    const width = $("diagram-box").clientWidth;
    if (state && width !== drawnWidth) { drawnWidth = width; drawDiagram(); }
  };
  PHONE.addEventListener("change", redraw);
  window.addEventListener("resize", redraw);
  $("diagram").addEventListener("click", (ev) => choose(ev.target));
  $("diagram").addEventListener("keydown", (ev) => {
    if ((ev.key === "Enter" || ev.key === " ") && choose(ev.target)) ev.preventDefault();
  });
  $("formula-close").onclick = () => {
    $("formula-box").classList.remove("open");
    const back = selected && document.querySelector(`#diagram [data-name="${CSS.escape(selected)}"]`);
    if (back) back.focus();
  };
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
}

async function start() {
  wire();
  if (window.CHAINRULE_REPLAY) {
    const run = expand(window.CHAINRULE_REPLAY);
    api = replayApi(run);
    document.body.classList.add("replay");
    $("mode").textContent = `a recorded run of ${run.frames.length} snapshots — no server needed`;
    for (const id of ["apply", "dataset", "hidden", "activation", "loss-choice", "eta", "share", "noise", "test-fraction",
      "regenerate", "batch-size", "l1", "l2"]) $(id).disabled = true;
    $("download").removeAttribute("href");
    $("download").hidden = true;
  } else if (window.CHAINRULE_CALL) {  // a Jupyter widget: the engine runs in the kernel (web/widget.py)
    api = serverApi(window.CHAINRULE_CALL);
    $("mode").textContent = "in Jupyter — the engine runs in the notebook's kernel";
    for (const id of ["share", "download"]) $(id).hidden = true;
  } else {
    api = serverApi();
  }
  await guarded(async () => show(await api.create(fromUrl())));
  document.body.dataset.ready = "1";
}

start();
