"""The JSON form of a trace: ``{"values": {name: number}, "steps": [...]}``."""

from __future__ import annotations

from .trace import Trace


def trace_to_dict(trace: Trace, steps: bool = True) -> dict:
    """Every named value, and every step with its formula templates (``<name>`` marks a quantity)."""
    return {
        "values": trace.values,
        "steps": [
            {"name": s.name, "value": s.value, "section": s.section, "text": s.text, "latex": s.latex,
             "note": s.note, "layer": s.layer}
            for s in trace.steps
        ] if steps else [],
    }
