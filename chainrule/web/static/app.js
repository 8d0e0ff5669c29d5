// The page: draws what the Python engine computed. No mathematics here beyond drawing —
// every value, its formatted form and its worked formula come from the server (or, in an
// exported page, from the recorded run embedded in it).
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const SPEEDS = [1, 2, 5, 10, 50, 200, 1000]; // updates per frame while playing
const PHASES = [
  "The network's weights. Press “Next phase” to run one update step by step.",
  "1. Forward pass: each neuron's net input net = Σ w·out + b, and its output out = f(net).",
  "2. The error: E_o = ½(target − out)² for each output, summed into E_total.",
  "3. Backward pass, output layer: each output's δ and the gradient ∂E/∂w of the weights into it.",
  "4. Backward pass, hidden layers: δ of each hidden neuron through the weights above it, and ∂E/∂w.",
  "5. Update: every weight w+ = w − η·∂E/∂w. “Next phase” applies it and starts the next update.",
];
// which trace sections are visible at each phase
const SECTION_PHASE = { forward: 1, error: 2, output: 3, hidden: 4, after: 5 };

let api = null;        // the server API, or the recorded replay
let state = null;      // what the engine computed for the network as it is now
let phase = 0;         // 0 .. 5, see PHASES
let selected = null;   // the name of the clicked quantity
let playing = false;
let steps = {};        // trace step by name

// ------------------------------------------------------------------------------ the API
function serverApi() {
  let sid = null;
  async function call(method, path, body) {
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
  const at = (p) => `api/sessions/${sid}${p}`;
  return {
    replay: false,
    async create(body) {
      const data = await call("POST", "api/sessions", body || {});
      sid = data.session;
      $("download").href = at("/network.json");
      return data.state;
    },
    train: (n) => call("POST", at("/train"), { steps: n }),
    edit: (changes) => call("POST", at("/edit"), changes),
    reset: () => call("POST", at("/reset")),
  };
}

function replayApi(run) {
  // a recorded run: frames of the state at chosen updates; "training" moves to the next frame
  let i = 0;
  const frame = () => run.frames[i];
  return {
    replay: true,
    async create() { i = 0; return frame(); },
    async train(n) {
      const goal = frame().iteration + n;
      while (i < run.frames.length - 1 && run.frames[i].iteration < goal) i++;
      return frame();
    },
    async edit() { throw new Error("this is a recorded run; editing needs `chainrule serve`"); },
    async reset() { i = 0; return frame(); },
    atEnd: () => i >= run.frames.length - 1,
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
    say(err.message || String(err), true);
  }
}

// ------------------------------------------------------------------------------ showing a state
function show(next, keepPhase, newPhase) {
  state = next;
  steps = {};
  for (const s of state.trace.steps) steps[s.name] = s;
  if (!keepPhase) phase = newPhase || 0;
  $("iteration").textContent = state.iteration.toLocaleString("en");
  $("loss").textContent = state.loss_shown;
  $("loss-name").textContent = state.n_samples === 1 ? "E_total" : `loss (mean ${state.loss_name} over ${state.n_samples} points)`;
  $("sample-note").textContent = state.n_samples > 1 ? ` · next update uses point ${state.sample + 1} of ${state.n_samples}` : "";
  syncControls();
  drawDiagram();
  drawCurve();
  drawSurface();
  showFormula(selected && known(selected) ? selected : null);
}

function known(name) {
  return name in state.shown && visible(name);
}

function visible(name) {
  // givens (weights, inputs, targets, eta) always; computed values from their phase on
  if (state.givens.includes(name)) return true;
  const s = steps[name];
  return !!s && SECTION_PHASE[s.section] <= phase;
}

function syncControls() {
  const hidden = state.layers.slice(1, -1);
  if (document.activeElement !== $("hidden")) $("hidden").value = hidden.join(", ");
  $("activation").value = state.activation;
  if (document.activeElement !== $("eta")) $("eta").value = state.learning_rate;
  $("dataset").value = state.dataset ? state.dataset.name : "";
  const box = $("sample-edit");
  box.textContent = "";
  if (state.n_samples === 1) {
    const names = state.givens.filter((n) => /^i\d+$/.test(n)).concat(state.givens.filter((n) => /^target_/.test(n)));
    for (const name of names) {
      const label = document.createElement("label");
      label.className = "row";
      label.textContent = name + " ";
      const input = document.createElement("input");
      input.type = "number"; input.step = "any"; input.dataset.name = name;
      input.value = state.trace.values[name];
      input.id = "set-" + name;
      label.appendChild(input);
      box.appendChild(label);
    }
  } else {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = `${state.n_samples} points; one update per point, in turn (online gradient descent).`;
    box.appendChild(p);
  }
  document.querySelectorAll("#phases li").forEach((li) => {
    const p = Number(li.dataset.phase);
    li.className = p === phase ? "now" : p < phase ? "done" : "";
  });
  $("phase-text").textContent = PHASES[phase];
  $("phase").textContent = phase === 5 ? "Apply update ▸" : "Next phase ▸";
}

// ------------------------------------------------------------------------------ the diagram
function el(tag, attrs, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function number(parent, x, y, name, text, cls) {
  // a clickable number: "text" shows state.shown[name]
  const t = el("text", { x, y, "text-anchor": "middle", class: "num " + (cls || ""), "data-name": name }, parent);
  t.textContent = text;
  if (name === selected) t.classList.add("sel");
  return t;
}

function drawDiagram() {
  const svg = $("diagram");
  const lay = state.layout;
  svg.textContent = "";
  svg.setAttribute("viewBox", `0 0 ${lay.width} ${lay.height + 20}`);
  svg.setAttribute("width", "100%");
  svg.style.maxWidth = `${lay.width * 1.25}px`;
  const v = state.shown;
  // edges: colour and thickness by the weight's current sign and size (from the layout)
  for (const e of lay.edges) {
    el("line", { x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, stroke: e.colour, "stroke-width": e.width, "data-edge": e.name,
      "stroke-opacity": 0.75, "stroke-dasharray": e.source.startsWith("b") ? "5 4" : "none" }, svg);
  }
  for (const e of lay.edges) { // a wide invisible line on top: click an edge to see its weight
    const hit = el("line", { x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, stroke: "transparent", "stroke-width": 9,
      "data-name": e.name, class: "hit" }, svg);
    el("title", {}, hit).textContent = `${e.name} = ${v[e.name]}`;
  }
  for (const e of lay.edges) {
    if (!e.label) continue;
    const lines = [];
    const updated = phase >= 5 && (e.name + "+") in v;
    lines.push(updated ? [e.name + "+", `${e.name}+ = ${v[e.name + "+"]}`, "fresh"] : [e.name, `${e.name} = ${v[e.name]}`, ""]);
    const grad = "dE_total/d" + e.name;
    if (grad in v && visible(grad)) lines.push([grad, `∂E/∂${e.name} = ${v[grad]}`, ""]);
    const w = 7 * Math.max(...lines.map((l) => l[1].length)) + 10, h = 15 * lines.length + 4;
    const g = el("g", {}, svg);
    el("rect", { x: e.label_x - w / 2, y: e.label_y - h / 2, width: w, height: h, rx: 4, fill: "white",
      "fill-opacity": 0.93, stroke: e.colour, "stroke-width": 0.7 }, g);
    lines.forEach(([name, text, cls], k) => {
      const t = number(g, e.label_x, e.label_y - h / 2 + 14 + 15 * k, name, text, cls);
      t.setAttribute("fill", e.colour);
    });
  }
  const kinds = { input: ["#e6f0fa", "#4a6f94"], hidden: ["#eef7ee", "#4f8a55"], output: ["#fdf0e6", "#b7773a"], bias: ["#f4f4f4", "#8a8a8a"] };
  for (const n of lay.nodes) {
    const r = n.kind === "bias" ? lay.radius * 0.75 : lay.radius;
    el("circle", { cx: n.x, cy: n.y, r, fill: kinds[n.kind][0], stroke: kinds[n.kind][1], "stroke-width": 2, "data-neuron": n.name }, svg);
    el("text", { x: n.x, y: n.y + 5, "text-anchor": "middle", class: "neuron-name" }, svg).textContent = n.name;
    const notes = [];
    if (n.kind === "input" && n.name in v) notes.push([n.name, `${n.name} = ${v[n.name]}`]);
    for (const [q, label] of [["net", "net"], ["out", "out"], ["delta", "δ"]]) {
      const name = `${q}_${n.name}`;
      if (name in v && visible(name)) notes.push([name, `${label} = ${v[name]}`]);
    }
    if (`b_${n.name}` in v) notes.push([`b_${n.name}`, `b_${n.name} = ${v["b_" + n.name]}`]);
    if (n.kind === "output") {
      const k = n.name.slice(1);
      if (`target_${n.name}` in v) notes.push([`target_${n.name}`, `target = ${v["target_" + n.name]}`]);
      if (`E_${n.name}` in v && visible(`E_${n.name}`)) notes.push([`E_${n.name}`, `E_o${k} = ${v["E_" + n.name]}`]);
    }
    if (n.kind === "bias" && !lay.edges.some((e) => e.source === n.name && e.label)) notes.push([n.name, `${n.name} = ${v[n.name]}`]);
    if (!notes.length) continue;
    const w = 6.8 * Math.max(...notes.map((x) => x[1].length)) + 8;
    el("rect", { x: n.x - w / 2, y: n.y + r + 4, width: w, height: 14 * notes.length + 5, rx: 4, fill: "white", "fill-opacity": 0.93 }, svg);
    notes.forEach(([name, text], k) => number(svg, n.x, n.y + r + 16 + 14 * k, name, text, "note"));
  }
  if (state.n_samples === 1 && visible("E_total")) {
    number(svg, lay.width / 2, lay.height + 10, "E_total", `E_total = ${v.E_total}`, "note");
  }
}

// ------------------------------------------------------------------------------ the formula panel
function showFormula(name) {
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
  b.textContent = `${name} = ${state.shown[name]}`;
  head.appendChild(b);
  box.appendChild(head);
  if (s) {
    const note = document.createElement("p");
    note.textContent = s.note;
    box.appendChild(note);
    const worked = document.createElement("div");
    worked.className = "worked";
    worked.id = "worked";
    worked.textContent = s.line;
    box.appendChild(worked);
    const refs = [...new Set([...s.text.matchAll(/<([^<>]+)>/g)].map((m) => m[1]))];
    if (refs.length) {
      const p = document.createElement("p");
      p.append("made of: ");
      refs.forEach((r, k) => {
        const a = document.createElement("a");
        a.className = "ref";
        a.textContent = r;
        a.onclick = () => showFormula(r);
        p.append(a, k < refs.length - 1 ? ", " : "");
      });
      box.appendChild(p);
    }
  } else {
    const p = document.createElement("p");
    p.textContent = describeGiven(name);
    box.appendChild(p);
    if (!api.replay && (/^w\d+$/.test(name) || /^b/.test(name) || /^i\d+$/.test(name) || /^target_/.test(name) || name === "eta")) {
      const form = document.createElement("div");
      form.className = "edit";
      const input = document.createElement("input");
      input.type = "number"; input.step = "any"; input.id = "edit-value"; input.value = state.trace.values[name];
      const button = document.createElement("button");
      button.id = "edit-set";
      button.textContent = `Set ${name}`;
      const apply = () => guarded(async () => {
        const value = Number(input.value);
        if (input.value.trim() === "" || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
        show(await api.edit({ set: { [name]: value } }));
        showFormula(name);
        say(`${name} set to ${state.shown[name]}; every number recomputed`);
      });
      button.onclick = apply;
      input.onkeydown = (ev) => { if (ev.key === "Enter") apply(); };
      form.append(input, button);
      box.appendChild(form);
    }
  }
  const users = state.trace.steps.filter((x) => x.text.includes(`<${name}>`) && visible(x.name)).map((x) => x.name);
  if (users.length) {
    const p = document.createElement("p");
    p.append("used in: ");
    users.slice(0, 12).forEach((u, k) => {
      const a = document.createElement("a");
      a.className = "ref";
      a.textContent = u;
      a.onclick = () => showFormula(u);
      p.append(a, k < Math.min(users.length, 12) - 1 ? ", " : users.length > 12 ? " …" : "");
    });
    box.appendChild(p);
  }
}

function describeGiven(name) {
  if (/^w\d+$/.test(name)) return `a weight of the network (given; it changes only by an update).`;
  if (/^b/.test(name)) return `a bias (given${state.spec.train_biases && state.spec.train_biases.some((t) => t) ? "" : "; not trained here, as in the seed"}).`;
  if (/^i\d+$/.test(name)) return "an input of the sample (given).";
  if (/^target_/.test(name)) return "the target output for this sample (given).";
  if (name === "eta") return "the learning rate η (given).";
  return "a given value.";
}

// ------------------------------------------------------------------------------ the loss curve
function drawCurve() {
  const c = $("curve"), g = c.getContext("2d");
  const W = c.width, H = c.height, L = 48, R = 10, T = 12, B = 28;
  g.clearRect(0, 0, W, H);
  const pts = state.curve.filter((p) => p[1] > 0 && Number.isFinite(p[1]));
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#627080";
  if (pts.length < 1) return;
  const xmax = Math.max(1, pts[pts.length - 1][0]);
  let lo = Math.log10(Math.min(...pts.map((p) => p[1]))), hi = Math.log10(Math.max(...pts.map((p) => p[1])));
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
  if (pts.length === 1) { g.fillStyle = "#2b6cb0"; g.beginPath(); g.arc(X(pts[0][0]), Y(pts[0][1]), 3, 0, 7); g.fill(); }
}

// ------------------------------------------------------------------------------ the decision surface
function drawSurface() {
  const box = $("surface-box");
  if (!state.surface) { box.hidden = true; return; }
  box.hidden = false;
  const c = $("surface"), g = c.getContext("2d");
  const { size, extent, values } = state.surface;
  const img = g.createImageData(size, size);
  for (let r = 0; r < size; r++) {
    for (let k = 0; k < size; k++) {
      const p = values[r * size + k];            // row r: y from -extent (bottom) up
      const o = ((size - 1 - r) * size + k) * 4; // canvas rows go down
      const a = Math.min(1, Math.abs(p - 0.5) * 2);
      const [cr, cg, cb] = p >= 0.5 ? [43, 108, 176] : [221, 107, 32];
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
  for (const [x, y, label] of state.points) {
    g.beginPath(); g.arc(X(x), Y(y), 3.6, 0, 7);
    g.fillStyle = label >= 0.5 ? "#2b6cb0" : "#dd6b20"; g.fill();
    g.strokeStyle = "#fff"; g.lineWidth = 1.2; g.stroke();
  }
}

// ------------------------------------------------------------------------------ training controls
async function nextPhase() {
  if (phase < 5) {
    phase += 1;
    show(state, true);
    return;
  }
  show(await api.train(1));
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
  while (playing) {
    const n = SPEEDS[Number($("speed").value)];
    const before = state.iteration;
    await guarded(async () => show(await api.train(n), false, 1)); // show the outputs as they learn
    if (api.replay && state.iteration === before) stop();
    await new Promise((done) => setTimeout(done, 40));
  }
}

function changes() {
  const out = {};
  const hidden = $("hidden").value.split(/[ ,]+/).filter((s) => s).map(Number);
  if (hidden.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("hidden layers: whole numbers such as 2 or 4, 4");
  const layers = [state.layers[0], ...hidden, state.layers[state.layers.length - 1]];
  if (layers.join() !== state.layers.join()) out.layers = layers;
  if ($("activation").value !== state.activation) out.activation = state.dataset ? [...hidden.map(() => $("activation").value), "sigmoid"] : $("activation").value;
  const eta = Number($("eta").value);
  if (!(eta > 0)) throw new Error("the learning rate must be a positive number");
  if (eta !== state.learning_rate) out.learning_rate = eta;
  const set = {};
  document.querySelectorAll("#sample-edit input").forEach((input) => {
    const value = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(value)) throw new Error(`${input.dataset.name} must be a number`);
    if (value !== state.trace.values[input.dataset.name]) set[input.dataset.name] = value;
  });
  if (Object.keys(set).length) out.set = set;
  return out;
}

async function chooseData() {
  const name = $("dataset").value;
  if (!name) { show(await api.create({})); history.replaceState(null, "", location.pathname); return; }
  const hidden = name === "spirals" ? [8, 8] : name === "gaussians" ? [2] : [4, 4];
  show(await api.create({ dataset: { name, hidden, activation: "tanh", learning_rate: 0.1 } }));
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
  if (state.dataset) {
    const d = state.dataset;
    const data = { name: d.name, n: d.n, noise: d.noise, seed: d.seed, hidden: state.layers.slice(1, -1),
      activation: state.activation, learning_rate: state.learning_rate };
    return `${base}#data=${b64url(JSON.stringify(data))}`;
  }
  return `${base}#net=${b64url(JSON.stringify(state.spec))}`;
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
  $("diagram").addEventListener("click", (ev) => {
    const t = ev.target.closest("[data-name]");
    if (t) showFormula(t.dataset.name);
  });
  document.querySelectorAll("#phases li").forEach((li) => {
    li.onclick = () => { phase = Number(li.dataset.phase); show(state, true); };
  });
}

async function start() {
  wire();
  if (window.CHAINRULE_REPLAY) {
    api = replayApi(window.CHAINRULE_REPLAY);
    document.body.classList.add("replay");
    $("mode").textContent = `a recorded run of ${window.CHAINRULE_REPLAY.frames.length} snapshots — no server needed`;
    for (const id of ["apply", "dataset", "hidden", "activation", "eta", "share"]) $(id).disabled = true;
    $("download").removeAttribute("href");
    $("download").hidden = true;
  } else {
    api = serverApi();
  }
  await guarded(async () => show(await api.create(fromUrl())));
  document.body.dataset.ready = "1";
}

start();
