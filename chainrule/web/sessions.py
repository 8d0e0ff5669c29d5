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
from ..errors import ConfigError
from ..derivation.numbers import fmt
from ..derivation.render_json import trace_to_dict
from ..derivation.views import step_line
from ..derivation.trace import trace_step
from ..io.network_file import network_from_dict, network_to_dict
from .security import pick_evictee, precheck_spec

MAX_LAYERS = 6  # inputs, up to four hidden layers, outputs
MAX_NEURONS = 16  # per layer: the page draws every neuron and edge
MAX_SAMPLES = 1000
MAX_STEPS = 5000  # updates per request
MAX_WORK = 500_000  # updates x parameters per request, to keep every request short
MAX_CURVE = 2000  # loss-curve points kept (older ones are thinned)
GRID = 41  # the decision surface: GRID x GRID predictions over [-1.2, 1.2]^2
EXTENT = 1.2


def seed_spec() -> dict:
    return copy.deepcopy(seed.SPEC)


def check_page_size(sizes) -> None:
    if len(sizes) > MAX_LAYERS:
        raise ConfigError(f"the page draws at most {MAX_LAYERS} layers (inputs, hidden, outputs), not {len(sizes)}")
    if max(sizes) > MAX_NEURONS:
        raise ConfigError(f"the page draws at most {MAX_NEURONS} neurons per layer, not {max(sizes)}")


class Session:
    def __init__(self, spec: dict, dataset: dict | None = None):
        self.lock = threading.Lock()
        self.touched = time.monotonic()
        self.uses = 0  # requests after creation: unused sessions are evicted first (security.py)
        self.dataset = dataset  # {"name", "n", "noise", "seed"} for a 2-D toy dataset
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
        self.initial = nf.network.copy()
        self.network = nf.network
        self.inputs, self.targets = np.asarray(nf.inputs, float), np.asarray(nf.targets, float)
        self.learning_rate = float(nf.learning_rate)
        self.extra = {k: spec[k] for k in ("title", "description") if k in spec}
        self.iteration = 0
        self.curve: list[list[float]] = [[0, self.total_loss()]]

    def spec(self, initial: bool = False) -> dict:
        """The network file of the network as it is now (or as it was loaded)."""
        net = self.initial if initial else self.network
        return network_to_dict(net, self.inputs, self.targets, self.learning_rate, **self.extra)

    def reset(self) -> None:
        self.load(self.spec(initial=True))

    def total_loss(self) -> float:
        """The loss over every sample (the seed's E_total for its one sample)."""
        return float(self.network.loss(self.inputs, self.targets))

    # ------------------------------------------------------------------------- training
    def sample(self) -> int:
        """The index of the sample the next update uses."""
        return self.iteration % len(self.inputs)

    def train(self, steps: int) -> None:
        """``steps`` online updates of the engine: w+ = w - eta * dE/dw on one sample each."""
        work = steps * sum(w.size + (0 if l.bias is None else l.bias.size) for l, w in
                           ((l, l.weights) for l in self.network.layers))
        if work > MAX_WORK:
            raise ConfigError(f"{steps} updates of this network is too much work for one request; "
                              f"ask for at most {max(1, MAX_WORK // (work // steps))}")
        n = len(self.inputs)
        saved = (self.network.copy(), self.iteration, [list(p) for p in self.curve])
        for _ in range(steps):
            k = self.iteration % n
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected below
                loss = self.network.train_step(self.inputs[k:k + 1], self.targets[k:k + 1], self.learning_rate)
            if n == 1:  # the loss before this update is E_total@iteration: every point of the curve
                self._record(self.iteration, loss)
            self.iteration += 1
        with np.errstate(over="ignore", invalid="ignore"):
            self._record(self.iteration, self.total_loss())
            finite = all(np.isfinite(w).all() for w in self.network.parameters()) and np.isfinite(self.total_loss())
        if not finite:
            self.network, self.iteration, self.curve = saved  # the last good parameters
            raise ConfigError("the weights overflowed (the learning rate is too large?); "
                              "the network is as it was before these updates")

    def _record(self, iteration: int, loss: float) -> None:
        if self.curve and self.curve[-1][0] == iteration:
            self.curve[-1][1] = loss
        else:
            self.curve.append([iteration, loss])
        if len(self.curve) > MAX_CURVE:  # thin the older half, keep the newest points
            half = len(self.curve) // 2
            self.curve = self.curve[:half:2] + self.curve[half:]

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
        if changes.get("layers") is not None and list(changes["layers"]) != sizes:
            spec["layers"] = list(changes["layers"])
            spec.pop("weights")  # a new shape: fresh, seeded weights
            spec["seed"] = int(changes.get("seed") or 0)
            shared = isinstance(spec.get("biases"), list) and not any(isinstance(b, list) for b in spec["biases"])
            if not (shared and len(spec["layers"]) == len(sizes)):  # the seed's shared biases stay as they are
                spec.pop("biases", None)
                spec.pop("train_biases", None)
            if spec["layers"][0] != sizes[0] or spec["layers"][-1] != sizes[-1]:
                raise ConfigError("the first and last layer sizes are fixed by the samples "
                                  f"({sizes[0]} inputs, {sizes[-1]} outputs)")
        for key in ("activation", "learning_rate", "loss"):
            if changes.get(key) is not None:
                spec[key] = changes[key]
        for name, value in (changes.get("set") or {}).items():
            self._set(spec, name, value)
        self.load(spec)

    def _set(self, spec: dict, name: str, value: float) -> None:
        from ..derivation.notation import Notation, canonical_name

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
        if (where is not None or name.startswith("b")) and "weights" not in spec:  # the layers change too
            raise ConfigError(f"change the layers and set {name} in two separate edits (the weights are new)")
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
        raise ConfigError(f"no editable number called {name!r} (weights w1.., biases, inputs i1.., "
                          "targets target_o1.., eta)")

    # ------------------------------------------------------------------------- showing
    def state(self) -> dict:
        """Everything the page draws, computed by the engine; numbers also written as the CLI does."""
        with np.errstate(over="ignore", invalid="ignore"):  # huge values: checked by the caller (JSON, finite)
            return self._state()

    def _state(self) -> dict:
        from ..viz.diagram import layout

        k = self.sample()
        tr = trace_step(self.network, self.inputs[k], self.targets[k], self.learning_rate)
        values = tr.values
        trace = trace_to_dict(tr)
        for s in trace["steps"]:  # the worked line, exactly as `chainrule explain` prints it
            original = tr.step(s["name"])
            s["line"] = step_line(original, values, tr.givens).written
            s["shown"] = fmt(s["value"])
        shown = {name: fmt(v, name in tr.givens) for name, v in values.items()}
        out = {
            "iteration": self.iteration,
            "sample": k,
            "n_samples": len(self.inputs),
            "learning_rate": self.learning_rate,
            "layers": list(self.network.sizes),
            "activation": self.network.layers[0].activation.name,
            "output_activation": self.network.layers[-1].activation.name,
            "loss_name": self.network.loss_fn.name,
            "loss": self.total_loss(),
            "loss_shown": fmt(self.total_loss()),
            "curve": self.curve,
            "layout": layout(self.network, values).to_dict(),  # spaced for two-line labels
            "trace": trace,
            "shown": shown,
            "givens": sorted(tr.givens),
            "dataset": self.dataset,
            "spec": self.spec(),
        }
        if self.dataset is not None:  # the points are in "points"; the file is at .../network.json
            for key in ("inputs", "targets", "input", "target"):
                out["spec"].pop(key, None)
        if self.dataset is not None and self.network.n_inputs == 2:
            out["surface"] = self.surface()
            out["points"] = np.column_stack([self.inputs, self.targets[:, :1]]).round(4).tolist()
        return out

    def surface(self) -> dict:
        """The first output of the network over a grid: the decision surface behind the data."""
        axis = np.linspace(-EXTENT, EXTENT, GRID)
        gx, gy = np.meshgrid(axis, axis)  # row r: y = axis[r]
        pred = self.network.predict(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0]
        return {"size": GRID, "extent": EXTENT, "values": pred.round(4).tolist()}


class SessionStore:
    """Sessions by id; the least recently used is dropped beyond ``limit``."""

    def __init__(self, initial_spec: dict | None = None, limit: int = 1000):
        self.initial_spec = initial_spec or seed_spec()
        precheck_spec(self.initial_spec, MAX_LAYERS, MAX_NEURONS, MAX_SAMPLES)  # fail early: too big for the page
        network_from_dict(self.initial_spec, source="network")  # fail early on a bad file
        self.limit = limit
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def create(self, spec: dict | None = None, dataset: dict | None = None) -> tuple[str, Session]:
        session = Session(copy.deepcopy(spec) if spec is not None else copy.deepcopy(self.initial_spec), dataset)
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


def dataset_spec(name: str, n: int, noise: float, data_seed: int, hidden: list[int], activation: str,
                 learning_rate: float) -> dict:
    """A network file for a 2-D toy dataset: 2 inputs, the hidden layers, one sigmoid output."""
    from ..data.toy2d import make_toy2d

    x, y = make_toy2d(name, n, noise, data_seed)
    sizes = [2, *hidden, 1]
    check_page_size(sizes)
    return {
        "layers": sizes,
        "activation": [activation] * len(hidden) + ["sigmoid"],
        "loss": "binary_cross_entropy",
        "learning_rate": learning_rate,
        "seed": data_seed,
        "inputs": x.round(4).tolist(),
        "targets": y.tolist(),
        "title": f"{name} ({n} points)",
    }
