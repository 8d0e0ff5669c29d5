"""The JSON form of a trace: ``{"values": {name: number}, "steps": [...]}``."""

from __future__ import annotations

import json

from ..step.trace import Trace

INDENTED_UP_TO = 100  # weights; a larger network's JSON is written on one line, without indentation


def trace_to_dict(trace: Trace, steps: bool = True) -> dict:
    """Every named value, and every step with its formula templates (``<name>`` marks a quantity)."""
    return {
        "values": trace.values,
        "steps": [
            {
                "name": s.name,
                "value": s.value,
                "section": s.section,
                "text": s.text,
                "latex": s.latex,
                "note": s.note,
                "layer": s.layer,
            }
            for s in trace.steps
        ]
        if steps
        else [],
    }


def explanation_to_dict(explanation) -> dict:
    """An explanation's numbers and steps (only those asked for; a summary's lines for a large network)."""
    tr = explanation.trace
    doc = trace_to_dict(tr, steps=not explanation.summary)
    if explanation.summary:  # a large network: its steps layer by layer, every scalar still in "values"
        doc["steps"] = [
            {"name": l.name, "section": l.section, "text": l.plain, "latex": l.math, "note": l.note, "layer": l.layer}
            for l in explanation.lines()
        ]
    if explanation.only:
        keep = {s.name for s in explanation.steps}
        doc["steps"] = [s for s in doc["steps"] if s["name"] in keep]
    if explanation.rename is not None:  # a book's notation: how it writes each of the seed's names
        doc["written"] = {name: explanation.rename(name) for name in tr.values}
    net = tr.network
    return {
        "network": {
            "layers": net.sizes,
            "activation": [l.activation.name for l in net.layers],
            "loss": net.loss_fn.name,
            "learning_rate": tr.learning_rate,
        },
        "sample": explanation.sample,
        "n_samples": explanation.n_samples,
        "batch": tr.batch,
        "notation": explanation.notation if isinstance(explanation.notation, str) else "custom",
        **({"only": explanation.only} if explanation.only else {}),
        **doc,
    }


def render_json(explanation) -> str:
    small = explanation.trace.network.n_weights <= INDENTED_UP_TO
    return json.dumps(explanation_to_dict(explanation), indent=1 if small else None) + "\n"
