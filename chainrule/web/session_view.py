"""What the page draws of a session's model: the state it renders, and the worked formulas.

:class:`SessionView` computes, with the engine, everything the page shows of a
:class:`~chainrule.web.session_model.SessionModel` — the diagram's layout, the trace of the next
update, the loss and its curve, the decision surface and each neuron's map — and hands it over as
JSON-ready dicts; the page only draws them.  Numbers are also written as the CLI writes them.
"""

from __future__ import annotations

import json

import numpy as np

from ..derivation.notation.names import Notation
from ..derivation.rendering.equation_lines import step_line
from ..derivation.rendering.latex_forms import aligned
from ..derivation.rendering.mathml import to_mathml
from ..derivation.rendering.number_format import fmt
from ..derivation.step.trace import trace_step
from ..errors import ConfigError
from .choices import choices, label, loss_latex, loss_text

MAP_GRID = 12  # each neuron's small map: MAP_GRID x MAP_GRID outputs
GRID = 41  # the decision surface: GRID x GRID predictions over [-1.2, 1.2]^2
EXTENT = 1.2
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


def _narrow(parts: list[str]) -> str:
    """``explain``'s aligned formula (name = formula, then = numbers = result), with the result on a
    row of its own: the page's formula panel is narrow, and a cut-off row would hide the result."""
    text = aligned(parts)
    end = f" = {parts[-1]} \\end{{aligned}}"
    return (
        text[: -len(end)] + f" \\\\ &= {parts[-1]} \\end{{aligned}}" if len(parts) >= 4 and text.endswith(end) else text
    )


class SessionView:
    """What the page draws of ``model``, computed by the engine on request.

    Parameters
    ----------
    model : SessionModel
        The session's network, samples, curve and options (read, never changed).
    """

    def __init__(self, model):
        self.model = model

    def state(self, view: str = "full", curve_from: int | None = None) -> dict:
        """What the page draws, computed by the engine; numbers also written as the CLI does.

        ``view="full"``: everything (the trace of the next update with its worked lines, the
        choices, the names' kinds); ``"frame"``: only what the page redraws while playing (the
        diagram's forward pass, the loss, its curve, the surface).  ``curve_from=k`` (a frame): the
        page keeps the first k points of the curve it has, so only the points from k on are sent
        (``"curve_from"`` says where they start; points before the newest one never change)."""
        with np.errstate(over="ignore", invalid="ignore"):  # huge values: checked by the caller (JSON, finite)
            return self._state(view, curve_from)

    def is_finite(self) -> bool:
        """Every number the page shows can be written (no overflow to infinity or NaN)."""
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                json.dumps(self.state(), allow_nan=False)
        except ValueError:
            return False
        return True

    def _state(self, view: str, curve_from: int | None = None) -> dict:
        from ..viz.diagram import layout

        m = self.model
        k = m.sample()
        if view == "full":
            tr = trace_step(m.network, m.inputs[k], m.targets[k], m.learning_rate)
            drawn, givens = tr.values, tr.givens
        else:  # a play frame draws the givens and the forward pass only: no trace of the whole update
            tr, (drawn, givens) = None, self._forward(k)
        loss = m.total_loss()
        out = {
            "view": view,
            "iteration": m.iteration,
            "sample": k,
            "n_samples": len(m.inputs),
            "loss": loss,
            "loss_shown": fmt(loss),
            "batch_size": m.batch_size(),
            "max_steps": m.max_steps(),
            "curve": list(m.curve),  # a copy: frames never share it (its points are replaced, never changed)
            "shown": {name: fmt(v, name in givens) for name, v in drawn.items()},
            "pristine": m.pristine,
        }
        lay = layout(m.network, drawn)
        if tr is None:  # a frame: only what changes while playing, each edge's colour and width
            out["paint"] = _paint(lay)
        else:
            out["layout"] = _layout_dict(lay)
        if curve_from is not None and tr is None:
            out["curve_from"] = k0 = min(curve_from, max(0, len(m.curve) - 1))
            out["curve"] = m.curve[k0:]
        if tr is not None:
            out.update(self._explained(tr))
        if m.test is not None:
            out["test_loss"] = m.test_loss()
            out["test_loss_shown"] = fmt(out["test_loss"])
        if m.dataset is not None:
            out.update(self._plane(full=tr is not None))
        return out

    def _explained(self, tr) -> dict:
        """The full state's part beyond a frame: the trace of the next update (each step's name,
        formula template and note; its worked line and MathML come from :meth:`formula` on demand),
        the names' kinds, phases and labels, the menus and the network file."""
        m = self.model
        values, givens, loss_fn = tr.values, tr.givens, m.network.loss_fn
        out = {
            "learning_rate": m.learning_rate,
            "layers": list(m.network.sizes),
            "activation": m.network.layers[0].activation.name,
            "output_activation": m.network.layers[-1].activation.name,
            "loss_name": loss_fn.name,
            "loss_form": {
                "name": loss_fn.name,
                "text": loss_text(loss_fn),
                "mathml": to_mathml(loss_latex(loss_fn), display=False),
            },
            "trace": {
                "values": values,
                "steps": [{"name": st.name, "text": st.text, "note": st.note} for st in tr.steps],
            },
            "givens": sorted(givens),
            "kinds": kinds(m.network, givens),
            "names": drawn_names(m.network, values),
            "phase_of": {st.name: phase_of(st) for st in tr.steps},
            "labels": {name: text for name in values if (text := label(name)) != name},  # where they differ
            "choices": choices(),
            "dataset": m.dataset,
            "spec": m.spec(),
        }
        if m.dataset is not None:  # the points are in "points"; the file is at .../network.json
            for key in ("inputs", "targets", "input", "target"):
                out["spec"].pop(key, None)
        return out

    def _plane(self, full: bool) -> dict:
        """A 2-D dataset's pictures: the decision surface and each neuron's map; in the full state
        also the trainer's options and the (training and held-out) points."""
        m = self.model
        out = {"surface": self.surface(values=full), "neuron_maps": self.neuron_maps(values=full)}
        if full:
            from ..data.features import labels

            out["options"] = dict(m.options)
            train, test = self._points()
            out["points"] = np.column_stack([train, m.targets[:, :1]]).round(4).tolist()
            if m.test is not None:
                out["test_points"] = np.column_stack([test, m.test[1][:, :1]]).round(4).tolist()
            from ..data.features import FEATURES

            names = m.dataset.get("features") or ["x1", "x2"]
            out["input_labels"] = dict(zip(Notation(m.network).inputs, labels(names)))
            out["feature_choices"] = [[name, text] for name, (text, _) in FEATURES.items()]
        return out

    def _points(self) -> tuple:
        """A 2-D dataset's training and held-out points as drawn on the plane (X₁, X₂)."""
        m = self.model
        if m.plane is not None:
            return m.plane["train"], m.plane["test"]
        return m.inputs[:, :2], None if m.test is None else m.test[0][:, :2]

    def _grid_inputs(self, size: int) -> np.ndarray:
        """The network's inputs over a size x size grid of the plane (row r: y = axis[r]), in the
        features the network reads."""
        from ..data.features import expand

        axis = np.linspace(-EXTENT, EXTENT, size)
        gx, gy = np.meshgrid(axis, axis)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        return expand(points, (self.model.dataset or {}).get("features") or ["x1", "x2"])

    def _forward(self, k: int) -> tuple[dict, dict]:
        """(the givens and the forward pass of sample k, the givens) by the names the trace gives
        them (``w5``, ``b1``, ``i1``, ``target_o1``, ``eta``; ``net_h1``, ``out_h1``): the engine's
        own forward pass, without tracing the backward pass and update a play frame never draws.
        tests/web/test_api.py checks these equal the full state's (trace_step's) values."""
        from ..derivation.notation.names import Notation

        m = self.model
        net, names = m.network, Notation(m.network)
        xs = net.as_inputs(m.inputs[k])
        fwd = net.forward(xs)
        givens = dict(zip(names.inputs, xs[0].tolist()))
        for l, layer in enumerate(net.layers):
            for row, weights in zip(names.weights[l], layer.weights.tolist()):
                givens.update(zip(row, weights))
            if names.biases[l] is not None:
                for j, b in enumerate(names.biases[l]):
                    givens[b] = float(layer.bias[0 if layer.bias_mode == "shared" else j])
        givens.update(zip(names.targets, net.as_targets(m.targets[k], 1)[0].tolist()))
        givens["eta"] = float(m.learning_rate)
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

    def formulas_names(self) -> list[str]:
        """The names of the next update's computed quantities (one worked formula each)."""
        m = self.model
        k = m.sample()
        return [st.name for st in trace_step(m.network, m.inputs[k], m.targets[k], m.learning_rate).steps]

    def formulas(self, names=None) -> list[dict]:
        """:meth:`formula` of each of ``names`` (default: every step of the next update)."""
        m = self.model
        k = m.sample()
        tr = trace_step(m.network, m.inputs[k], m.targets[k], m.learning_rate)
        wanted = None if names is None else set(names)
        lines = (
            (st.name, step_line(st, tr.values, tr.givens)) for st in tr.steps if wanted is None or st.name in wanted
        )
        return [{"name": name, "mathml": to_mathml(_narrow(line.latex)), "line": line.written} for name, line in lines]

    def surface(self, values: bool = True) -> dict:
        """The first output of the network over a grid: the decision surface behind the data.

        ``"bytes"``: each grid value as one byte (base64), (value − centre) / scale clipped to
        [-1, 1] and mapped to 0..255 — 128 and above where the value is at least the centre — which
        is all the page draws; ``values=True`` also gives the values themselves (4 decimals)."""
        m = self.model
        pred = m.network.predict(self._grid_inputs(GRID))[:, 0]
        regression = m.dataset.get("kind") == "regression"
        centre, scale = (0.0, 1.0) if regression else (0.5, 0.5)
        out = {
            "size": GRID,
            "extent": EXTENT,
            "centre": centre,
            "scale": scale,
            "bytes": _bytes((pred - centre) / scale),
        }
        if values:
            out["values"] = pred.round(4).tolist()
        if not regression:  # the share of training points on the right side of 0.5
            out["accuracy"] = float(((m.network.predict(m.inputs)[:, 0] >= 0.5) == (m.targets[:, 0] >= 0.5)).mean())
        return out

    def neuron_maps(self, values: bool = True) -> dict:
        """Each hidden and output neuron's output over a coarse grid of the plane (TensorFlow
        Playground's small maps inside the neurons), from the engine's forward pass.  ``"bytes"``:
        every map, in ``"order"``, each value as one byte between its map's lowest (0) and highest
        (255) value (base64); ``values=True`` also gives the outputs (3 decimals)."""
        from ..derivation.notation.names import Notation

        fwd = self.model.network.forward(self._grid_inputs(MAP_GRID))
        names = Notation(self.model.network).neurons
        maps, order, scaled = {}, [], []
        for l, layer_names in enumerate(names):
            outs = fwd.outs[l + 1]
            for j, name in enumerate(layer_names):
                column = outs[:, j]
                low, high = float(column.min()), float(column.max())
                half = (high - low) / 2 or 1.0
                order.append(name)
                scaled.append((column - (low + high) / 2) / half)
                if values:
                    maps[name] = column.round(3).tolist()
        out = {"size": MAP_GRID, "order": order, "bytes": _bytes(np.concatenate(scaled)) if scaled else ""}
        if values:
            out["maps"] = maps
        return out


def _bytes(scaled: np.ndarray) -> str:
    """Values in [-1, 1] (clipped) as one byte each, 0..255 (127.5 is 0: a value at or above 0 is
    128 or more), in base64: what the page draws of a surface or a neuron's map."""
    import base64

    with np.errstate(invalid="ignore"):
        b = np.rint((np.clip(np.nan_to_num(scaled), -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    return base64.b64encode(b.tobytes()).decode("ascii")


def _paint(lay) -> dict:
    """Each edge's colour and width, in the layout's order of edges: what a play frame redraws of them."""
    return {"colours": [e.colour for e in lay.edges], "widths": [e.width for e in lay.edges]}
