"""The page's sessions: each browser tab has its own network, trained by the engine, behind its own lock.

A session holds a network file's contents (the network, its samples, the learning rate), the
network as it is now, how many updates it has had and the loss curve so far.  Training is online:
update k uses sample k mod n (for the seed's single sample, the seed's loop exactly).  What the
page shows — the layout of the diagram, the trace of the next update, the decision surface — is
computed here by the engine and sent as JSON; the page only draws it.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import OrderedDict

import numpy as np

from .. import seed
from ..derivation.rendering.equation_lines import step_line
from ..derivation.rendering.latex_forms import aligned
from ..derivation.rendering.mathml import to_mathml
from ..derivation.rendering.number_format import fmt
from ..derivation.step.trace import trace_step
from ..errors import ConfigError, NumericalError
from ..io.network_file import network_from_dict, network_to_dict
from ..training.loop import Trainer
from ..training.online import train_online
from .choices import choices, label, loss_latex, loss_text
from .security import pick_evictee, precheck_spec

MAX_LAYERS = 6  # inputs, up to four hidden layers, outputs
MAX_NEURONS = 16  # per layer: the page draws every neuron and edge
MAX_SAMPLES = 1000
MAX_STEPS = 5000  # updates per request
MAX_WORK = 500_000  # updates x parameters per request, to keep every request short
CURVE_PER_OCTAVE = 64  # loss-curve points kept per doubling of the update count (all of the first 64)
MAP_GRID = 12  # each neuron's small map: MAP_GRID x MAP_GRID outputs
GRID = 41  # the decision surface: GRID x GRID predictions over [-1.2, 1.2]^2
EXTENT = 1.2
# each dataset's network and settings when the page asks for the dataset alone (TensorFlow
# Playground's spirals setting: 8-8 tanh, mini-batches of 10; online updates at 0.1 stall near 0.65)
PRESETS = {
    "xor": {"hidden": [4, 4]},
    "circles": {"hidden": [4, 4]},
    "gaussians": {"hidden": [2]},
    "spirals": {"hidden": [8, 8], "learning_rate": 0.1, "batch_size": 10},
    "plane": {"hidden": [2], "learning_rate": 0.03},
    "bumps": {"hidden": [8], "learning_rate": 0.03, "batch_size": 10},
}


SECTION_PHASE = {"forward": 1, "error": 2, "output": 3, "hidden": 4, "after": 5}  # the page's phases


def phase_of(step) -> int:
    """The page's phase (1 forward, 2 error, 3 and 4 backward, 5 update) that computes a step."""
    if step.name.endswith("+") or "@" in step.name:  # a new weight, or a value after the update
        return 5
    return SECTION_PHASE.get(step.section, 5)


def kinds(network, givens) -> dict[str, str]:
    """What each given number is: weight, bias, input, target or learning_rate (the page's editor)."""
    from ..derivation.notation.names import Notation

    names = Notation(network)
    out = {"eta": "learning_rate"}
    out.update({n: "input" for n in names.inputs})
    out.update({n: "target" for n in names.targets})
    out.update({n: "weight" for layer in names.weights for row in layer for n in row})
    out.update({n: "bias" for layer in names.biases if layer for n in layer})
    return {n: kind for n, kind in out.items() if n in givens}


def drawn_names(network, values) -> dict:
    """Which quantities the diagram writes where: beside each neuron (``"nodes"``: [name, short
    label] pairs, such as ``["net_h1", "net"]``) and, for each edge's weight, its gradient and its
    updated value (``"edges"``) — the names the engine's trace uses."""
    from ..derivation.notation.names import Notation

    names = Notation(network)
    nodes = {i: [[i, i]] for i in names.inputs}
    for l, layer in enumerate(names.neurons):
        for j, n in enumerate(layer):
            listed = [[f"net_{n}", "net"], [f"out_{n}", "out"], [f"delta_{n}", "δ"]]
            if names.biases[l] and network.layers[l].bias_mode != "shared":
                listed.append([names.biases[l][j], names.biases[l][j]])
            if l == len(names.neurons) - 1:
                listed += [[f"target_{n}", "target"], [f"E_{n}", f"E_{n}"]]
            nodes[n] = [q for q in listed if q[0] in values]
    edges = {}
    for layer in names.weights:
        for row in layer:
            for w in row:
                edges[w] = {"grad": f"dE_total/d{w}", "update": f"{w}+"}
    for l, layer in enumerate(network.layers):
        if layer.bias_mode == "shared":
            b = names.biases[l][0]
            edges[b] = {"grad": f"dE_total/d{b}", "update": f"{b}+"}
            nodes[b] = [[b, b]]
    return {"nodes": nodes, "edges": {k: {r: n for r, n in v.items() if n in values} for k, v in edges.items()}}


def _layout_dict(lay) -> dict:
    """The layout as JSON-ready dicts (a shallow copy per node and edge: quicker than asdict)."""
    return {
        "width": lay.width,
        "height": lay.height,
        "radius": lay.radius,
        "title": lay.title,
        "nodes": [dict(vars(n)) for n in lay.nodes],
        "edges": [dict(vars(e)) for e in lay.edges],
    }


def curve_bucket(iteration: int) -> tuple[int, int]:
    """The loss curve's bucket of an update: one per update below ``2 * CURVE_PER_OCTAVE``, then
    ``CURVE_PER_OCTAVE`` equal buckets per doubling (so early history stays as the run grows)."""
    stride = 1 << max(0, (iteration // CURVE_PER_OCTAVE).bit_length() - 1)
    return stride, iteration // stride


def _narrow(parts: list[str]) -> str:
    """``explain``'s aligned formula (name = formula, then = numbers = result), with the result on a
    row of its own: the page's formula panel is narrow, and a cut-off row would hide the result."""
    text = aligned(parts)
    end = f" = {parts[-1]} \\end{{aligned}}"
    return (
        text[: -len(end)] + f" \\\\ &= {parts[-1]} \\end{{aligned}}" if len(parts) >= 4 and text.endswith(end) else text
    )


def _nine(value) -> float:
    """A loss as the curve keeps it: 9 significant digits (what the page can draw)."""
    return float(f"{float(value):.9g}")


def seed_spec() -> dict:
    return copy.deepcopy(seed.SPEC)


def check_page_size(sizes) -> None:
    if len(sizes) > MAX_LAYERS:
        raise ConfigError(f"the page draws at most {MAX_LAYERS} layers (inputs, hidden, outputs), not {len(sizes)}")
    if max(sizes) > MAX_NEURONS:
        raise ConfigError(f"the page draws at most {MAX_NEURONS} neurons per layer, not {max(sizes)}")


class Session:
    def __init__(self, spec: dict, dataset: dict | None = None, test: tuple | None = None):
        self.lock = threading.Lock()
        self.touched = time.monotonic()
        self.uses = 0  # requests after creation: unused sessions are evicted first (security.py)
        self.dataset = dataset  # {"name", "n", "noise", "seed", ...} for a 2-D toy dataset
        self.test = None if test is None else (np.asarray(test[0], float), np.asarray(test[1], float))  # held out
        self.options = {"batch_size": 1, "l1": 0.0, "l2": 0.0}  # the trainer's options (TensorFlow Playground's)
        self.loaded = copy.deepcopy(spec)  # what Reset goes back to
        self.load(spec)
        if not self._finite():
            raise ConfigError("this network's numbers overflow (a value too large?)")

    # ------------------------------------------------------------------ the network file
    def load(self, spec: dict) -> None:
        """Replace the network by the one ``spec`` describes (checked by the network-file reader)."""
        precheck_spec(spec, MAX_LAYERS, MAX_NEURONS, MAX_SAMPLES)  # before allocating anything
        nf = network_from_dict(spec, source="network")
        check_page_size(nf.network.sizes)
        if nf.n_samples > MAX_SAMPLES:
            raise ConfigError(f"the page trains on at most {MAX_SAMPLES} samples, not {nf.n_samples}")
        self.network = nf.network
        self.inputs, self.targets = np.asarray(nf.inputs, float), np.asarray(nf.targets, float)
        self.learning_rate = float(nf.learning_rate)
        self.extra = {k: spec[k] for k in ("title", "description") if k in spec}
        self.iteration = 0
        self.curve: list[list[float]] = []  # [update, loss] or [update, loss, test loss]
        self._record(0, self.total_loss())

    def spec(self) -> dict:
        """The network file of the network as it is now."""
        return network_to_dict(self.network, self.inputs, self.targets, self.learning_rate, **self.extra)

    def reset(self) -> None:
        """Back to the network as loaded: its layers, weights, samples and learning rate."""
        self.load(copy.deepcopy(self.loaded))

    def total_loss(self) -> float:
        """The loss over every sample (the seed's E_total for its one sample)."""
        return float(self.network.loss(self.inputs, self.targets))

    # ------------------------------------------------------------------------- training
    def max_steps(self) -> int:
        """The most updates one request may ask for: updates x batch x parameters <= MAX_WORK."""
        size = sum(layer.weights.size + (0 if layer.bias is None else layer.bias.size) for layer in self.network.layers)
        return max(1, min(MAX_STEPS, MAX_WORK // (self.batch_size() * size)))

    def batch_size(self) -> int:
        return min(int(self.options["batch_size"]), len(self.inputs))

    def sample(self) -> int:
        """The index of the (first) sample the next update uses."""
        return (self.iteration * self.batch_size()) % len(self.inputs)

    def test_loss(self) -> float | None:
        """The loss on the held-out points (None without a split)."""
        return None if self.test is None else float(self.network.loss(*self.test))

    def train(self, steps: int) -> None:
        """``steps`` online updates of the engine: w+ = w - eta * dE/dw on one sample each."""
        if steps > self.max_steps():
            raise ConfigError(
                f"{steps} updates of this network is too much work for one request; ask for at most {self.max_steps()}"
            )
        n = len(self.inputs)
        saved = (self.network.copy(), self.iteration, [list(p) for p in self.curve])
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected below
            if n == 1:  # the seed's loop: the loss before each update is E_total@iteration
                losses = train_online(self.network, self.inputs, self.targets, self.learning_rate, steps)
                its = np.arange(self.iteration, self.iteration + steps)
                stride = np.left_shift(1, np.floor(np.log2(np.maximum(its // CURVE_PER_OCTAVE, 1))).astype(np.int64))
                for j in np.flatnonzero(its % stride == 0):  # the first update of each curve bucket
                    self._record(int(its[j]), losses[j])
                self._record(int(its[-1]), losses[-1])  # and the newest
                self.iteration += steps
            else:  # the trainer, on the next steps x batch points in turn: `steps` updates of one batch each
                b = self.batch_size()
                rows = (self.iteration * b + np.arange(steps * b)) % n
                try:
                    Trainer(
                        self.network,
                        self.inputs[rows],
                        self.targets[rows],
                        epochs=1,
                        batch_size=b,
                        learning_rate=self.learning_rate,
                        l1=self.options["l1"],
                        l2=self.options["l2"],
                        shuffle=False,
                        metrics=(),
                        train_metrics=False,
                    ).run()
                except NumericalError:
                    self.network, self.iteration, self.curve = saved
                    raise ConfigError(
                        "the weights overflowed (the learning rate is too large?); "
                        "the network is as it was before these updates"
                    ) from None
                self.iteration += steps
            self._record(self.iteration, self.total_loss())
            finite = all(np.isfinite(w).all() for w in self.network.parameters()) and np.isfinite(self.total_loss())
        if not finite:
            self.network, self.iteration, self.curve = saved  # the last good parameters
            raise ConfigError(
                "the weights overflowed (the learning rate is too large?); "
                "the network is as it was before these updates"
            )

    def _record(self, iteration: int, loss: float) -> None:
        """Add a point to the loss curve.  The curve keeps the first point of each bucket of
        :func:`curve_bucket` (every update up to 128, then 64 per doubling) and the newest point."""
        curve = self.curve
        # kept as the page draws it (9 significant digits), so that a state copies it as it is
        point = [iteration, _nine(loss)] if self.test is None else [iteration, _nine(loss), _nine(self.test_loss())]
        if curve and curve[-1][0] == iteration:
            curve[-1] = point
            return
        if len(curve) >= 2 and curve_bucket(curve[-1][0]) == curve_bucket(curve[-2][0]):
            curve.pop()  # it was kept only as the newest point
        curve.append(point)

    # ---------------------------------------------------------------------- editing
    def edit(self, changes: dict) -> None:
        """Apply the page's edits (``set`` by name, learning rate, activation, layers, samples):
        all of them, or — when one is refused or the numbers overflow — none."""
        saved = dict(self.__dict__)  # load() replaces the network objects; these stay intact
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected just below
                self._edit(changes)
                finite = self._finite()
            if not finite:
                raise ConfigError("with that value the network's numbers overflow (too large?); nothing was changed")
        except BaseException:
            self.__dict__.update(saved)
            raise

    def _finite(self) -> bool:
        """Every number the page shows can be written (no overflow to infinity or NaN)."""
        import json

        try:
            with np.errstate(over="ignore", invalid="ignore"):
                json.dumps(self.state(), allow_nan=False)
        except ValueError:
            return False
        return True

    def _edit(self, changes: dict) -> None:
        spec = self.spec()
        sizes = list(spec["layers"])
        layers = changes.get("layers")
        if layers is not None and list(layers) != sizes:
            if layers[0] != sizes[0] or layers[-1] != sizes[-1]:
                raise ConfigError(
                    f"the first and last layer sizes are fixed by the samples ({sizes[0]} inputs, {sizes[-1]} outputs)"
                )
            spec = reshaped(spec, list(layers), int(changes.get("seed") or 0))
        if changes.get("activation") is not None:
            spec["activation"] = per_layer(changes["activation"], spec["activation"], len(spec["layers"]) - 1)
        for key in ("learning_rate", "loss"):
            if changes.get(key) is not None:
                spec[key] = changes[key]
        chosen = {k: changes[k] for k in ("batch_size", "l1", "l2") if changes.get(k) is not None}
        if chosen:  # the trainer's options: a new dict, so that a refused edit leaves the old one
            self.options = {**self.options, **chosen}
        if changes.get("set"):
            self.load(spec)  # the new layers' weights exist now, so numbers can be set on them
            spec = self.spec()
            for name, value in changes["set"].items():
                self._set(spec, name, value)
        self.load(spec)

    def _set(self, spec: dict, name: str, value: float) -> None:
        from ..derivation.notation.names import Notation, canonical_name

        name = canonical_name(name) if name not in ("eta",) else name
        names = Notation(self.network)
        if name == "eta":
            spec["learning_rate"] = value
            return
        if name in names.inputs and len(self.inputs) == 1:
            spec["input"][names.inputs.index(name)] = value
            return
        if name in names.targets and len(self.inputs) == 1:
            spec["target"][names.targets.index(name)] = value
            return
        where = names.weight_location(name)
        if where is not None:
            l, r, s = where
            spec["weights"][l][r][s] = value
            return
        for l, biases in enumerate(names.biases):
            if biases and name in biases:
                if isinstance(spec["biases"][l], list):
                    spec["biases"][l][biases.index(name)] = value
                else:
                    spec["biases"][l] = value
                return
        raise ConfigError(
            f"no editable number called {name!r} (weights w1.., biases, inputs i1.., targets target_o1.., eta)"
        )

    # ------------------------------------------------------------------------- showing
    def state(self, view: str = "full", curve_from: int | None = None) -> dict:
        """What the page draws, computed by the engine; numbers also written as the CLI does.

        ``view="full"``: everything (the trace of the next update with its worked lines, the
        choices, the names' kinds); ``"frame"``: only what the page redraws while playing (the
        diagram's forward pass, the loss, its curve, the surface).  ``curve_from=k`` (a frame): the
        page keeps the first k points of the curve it has, so only the points from k on are sent
        (``"curve_from"`` says where they start; points before the newest one never change)."""
        with np.errstate(over="ignore", invalid="ignore"):  # huge values: checked by the caller (JSON, finite)
            return self._state(view, curve_from)

    def _state(self, view: str, curve_from: int | None = None) -> dict:
        from ..viz.diagram import layout

        k = self.sample()
        full = view == "full"
        if full:
            tr = trace_step(self.network, self.inputs[k], self.targets[k], self.learning_rate)
            values, givens = tr.values, tr.givens
            phase = {st.name: phase_of(st) for st in tr.steps}
            drawn = values
        else:  # a play frame draws the givens and the forward pass only: no trace of the whole update
            drawn, givens = self._forward(k)
        loss = self.total_loss()
        out = {
            "view": view,
            "iteration": self.iteration,
            "sample": k,
            "n_samples": len(self.inputs),
            "loss": loss,
            "loss_shown": fmt(loss),
            "batch_size": self.batch_size(),
            "max_steps": self.max_steps(),
            "curve": list(self.curve),  # a copy: frames never share it (its points are replaced, never changed)
            "layout": _layout_dict(layout(self.network, drawn)),
            "shown": {name: fmt(v, name in givens) for name, v in drawn.items()},
        }
        if curve_from is not None and not full:
            out["curve_from"] = k0 = min(curve_from, max(0, len(self.curve) - 1))
            out["curve"] = self.curve[k0:]
        if full:
            # each step's name, formula template (its <names> are the "made of" links) and note; its
            # value is in "values" and "shown", its worked line and MathML come from /formula on demand
            trace = {
                "values": values,
                "steps": [{"name": st.name, "text": st.text, "note": st.note} for st in tr.steps],
            }
            loss_fn = self.network.loss_fn
            out.update(
                {
                    "learning_rate": self.learning_rate,
                    "layers": list(self.network.sizes),
                    "activation": self.network.layers[0].activation.name,
                    "output_activation": self.network.layers[-1].activation.name,
                    "loss_name": loss_fn.name,
                    "loss_form": {
                        "name": loss_fn.name,
                        "text": loss_text(loss_fn),
                        "mathml": to_mathml(loss_latex(loss_fn), display=False),
                    },
                    "trace": trace,
                    "givens": sorted(givens),
                    "kinds": kinds(self.network, givens),
                    "names": drawn_names(self.network, values),
                    "phase_of": phase,
                    "labels": {name: text for name in values if (text := label(name)) != name},  # where they differ
                    "choices": choices(),
                    "dataset": self.dataset,
                    "spec": self.spec(),
                }
            )
            if self.dataset is not None:  # the points are in "points"; the file is at .../network.json
                for key in ("inputs", "targets", "input", "target"):
                    out["spec"].pop(key, None)
        if self.test is not None:
            out["test_loss"] = self.test_loss()
            out["test_loss_shown"] = fmt(out["test_loss"])
        if self.dataset is not None and self.network.n_inputs == 2:
            out["surface"] = self.surface()
            out["neuron_maps"] = self.neuron_maps()
            if full:
                out["options"] = dict(self.options)
                out["points"] = np.column_stack([self.inputs, self.targets[:, :1]]).round(4).tolist()
                if self.test is not None:
                    out["test_points"] = np.column_stack([self.test[0], self.test[1][:, :1]]).round(4).tolist()
        return out

    def _forward(self, k: int) -> tuple[dict, dict]:
        """(the givens and the forward pass of sample k, the givens) by the names the trace gives
        them (``w5``, ``b1``, ``i1``, ``target_o1``, ``eta``; ``net_h1``, ``out_h1``): the engine's
        own forward pass, without tracing the backward pass and update a play frame never draws.
        tests/web/test_api.py checks these equal the full state's (trace_step's) values."""
        from ..derivation.notation.names import Notation

        net, names = self.network, Notation(self.network)
        xs = net.as_inputs(self.inputs[k])
        fwd = net.forward(xs)
        givens = dict(zip(names.inputs, xs[0].tolist()))
        for l, layer in enumerate(net.layers):
            for row, weights in zip(names.weights[l], layer.weights.tolist()):
                givens.update(zip(row, weights))
            if names.biases[l] is not None:
                for j, b in enumerate(names.biases[l]):
                    givens[b] = float(layer.bias[0 if layer.bias_mode == "shared" else j])
        givens.update(zip(names.targets, net.as_targets(self.targets[k], 1)[0].tolist()))
        givens["eta"] = float(self.learning_rate)
        values = dict(givens)
        for l, neurons in enumerate(names.neurons):
            nets, outs = fwd.nets[l][0].tolist(), fwd.outs[l + 1][0].tolist()
            for j, n in enumerate(neurons):
                values[f"net_{n}"], values[f"out_{n}"] = nets[j], outs[j]
        return values, givens

    def formula(self, name: str) -> dict:
        """The worked formula of one computed quantity of the next update, as MathML (the
        converter of ``chainrule explain --format html``) and as the CLI's text line."""
        found = self.formulas([name])
        if not found:
            raise ConfigError(f"no computed quantity called {name!r} in this update")
        return found[0]

    def formulas(self, names=None) -> list[dict]:
        """:meth:`formula` of each of ``names`` (default: every step of the next update)."""
        k = self.sample()
        tr = trace_step(self.network, self.inputs[k], self.targets[k], self.learning_rate)
        wanted = None if names is None else set(names)
        lines = (
            (st.name, step_line(st, tr.values, tr.givens)) for st in tr.steps if wanted is None or st.name in wanted
        )
        return [{"name": name, "mathml": to_mathml(_narrow(line.latex)), "line": line.written} for name, line in lines]

    def surface(self) -> dict:
        """The first output of the network over a grid: the decision surface behind the data."""
        axis = np.linspace(-EXTENT, EXTENT, GRID)
        gx, gy = np.meshgrid(axis, axis)  # row r: y = axis[r]
        pred = self.network.predict(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0]
        regression = self.dataset.get("kind") == "regression"
        out = {
            "size": GRID,
            "extent": EXTENT,
            "values": pred.round(4).tolist(),
            "centre": 0.0 if regression else 0.5,
            "scale": 1.0 if regression else 0.5,
        }
        if not regression:  # the share of training points on the right side of 0.5
            out["accuracy"] = float(
                ((self.network.predict(self.inputs)[:, 0] >= 0.5) == (self.targets[:, 0] >= 0.5)).mean()
            )
        return out

    def neuron_maps(self) -> dict:
        """Each hidden and output neuron's output over a coarse grid of the plane (TensorFlow
        Playground's small maps inside the neurons), from the engine's forward pass."""
        from ..derivation.notation.names import Notation

        axis = np.linspace(-EXTENT, EXTENT, MAP_GRID)
        gx, gy = np.meshgrid(axis, axis)
        fwd = self.network.forward(np.column_stack([gx.ravel(), gy.ravel()]))
        names = Notation(self.network).neurons
        maps = {}
        for l, layer_names in enumerate(names):
            outs = fwd.outs[l + 1]
            for j, name in enumerate(layer_names):
                maps[name] = outs[:, j].round(3).tolist()
        return {"size": MAP_GRID, "maps": maps}


class SessionStore:
    """Sessions by id; the least recently used is dropped beyond ``limit``."""

    def __init__(self, initial_spec: dict | None = None, limit: int = 1000):
        self.initial_spec = initial_spec or seed_spec()
        precheck_spec(self.initial_spec, MAX_LAYERS, MAX_NEURONS, MAX_SAMPLES)  # fail early: too big for the page
        network_from_dict(self.initial_spec, source="network")  # fail early on a bad file
        self.limit = limit
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def create(self, spec: dict | None = None, dataset: dict | None = None, test=None) -> tuple[str, Session]:
        session = Session(copy.deepcopy(spec) if spec is not None else copy.deepcopy(self.initial_spec), dataset, test)
        sid = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[sid] = session
            while len(self._sessions) > self.limit:
                del self._sessions[pick_evictee(self._sessions)]
        return sid, session

    def get(self, sid: str) -> Session | None:
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None:
                self._sessions.move_to_end(sid)
                session.touched = time.monotonic()
                session.uses += 1
            return session

    def __len__(self) -> int:
        return len(self._sessions)


def reshaped(spec: dict, layers: list[int], seed: int) -> dict:
    """``spec`` with new layer sizes: fresh, seeded weights; each layer's activation kept
    (the hidden layers take the first hidden layer's); shared biases kept when the depth is."""
    spec = dict(spec, layers=layers, seed=seed)
    old = len(spec.pop("weights"))
    if isinstance(spec["activation"], list):
        spec["activation"] = [spec["activation"][0]] * (len(layers) - 2) + [spec["activation"][-1]]
    shared = isinstance(spec.get("biases"), list) and not any(isinstance(b, list) for b in spec["biases"])
    if not (shared and old == len(layers) - 1):
        spec.pop("biases", None)
        spec.pop("train_biases", None)
    return spec


def per_layer(chosen, current, n_layers: int):
    """The activations after choosing ``chosen``: a list is one per layer; one name replaces every
    layer's when all layers share one, else the hidden layers' (the output keeps its own, such as
    the sigmoid that goes with binary cross-entropy)."""
    if isinstance(chosen, list):
        return chosen
    current = current if isinstance(current, list) else [current] * n_layers
    if len(set(current)) == 1:
        return chosen
    return [chosen] * (n_layers - 1) + [current[-1]]


def dataset_spec(
    name: str, n: int, noise: float, data_seed: int, hidden: list[int], activation: str, learning_rate: float
) -> dict:
    """A network file for a 2-D toy dataset: 2 inputs, the hidden layers, one output — a sigmoid
    with binary cross-entropy for the classification sets, identity with ½·squared error for regression."""
    from ..data.toy2d import kind, make_toy2d

    x, y = make_toy2d(name, n, noise, data_seed)
    sizes = [2, *hidden, 1]
    check_page_size(sizes)
    regression = kind(name) == "regression"
    return {
        "layers": sizes,
        "activation": [activation] * len(hidden) + ["identity" if regression else "sigmoid"],
        "loss": "half_sse" if regression else "binary_cross_entropy",
        "learning_rate": learning_rate,
        "seed": data_seed,
        "inputs": x.round(4).tolist(),
        "targets": y.round(4).tolist() if regression else y.tolist(),
        "title": f"{name} ({n} points)",
    }


def split_points(spec: dict, test_fraction: float, seed: int, stratify: bool) -> tuple[dict, tuple | None]:
    """``spec`` trained on the training part, and the held-out (inputs, targets) — the data
    package's seeded split; ``(spec, None)`` without a test fraction."""
    if not test_fraction:
        return spec, None
    from ..data.split import train_test_split

    x, y = np.asarray(spec["inputs"], float), np.asarray(spec["targets"], float)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction, seed, stratify=stratify)
    return dict(spec, inputs=x_train.tolist(), targets=y_train.tolist()), (x_test, y_test)
