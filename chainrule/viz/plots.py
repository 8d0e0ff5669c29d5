"""Training plots with matplotlib (the ``plot`` extra): loss and metrics per epoch or iteration.

A history is the JSON that training writes (``chainrule train --history``, ``chainrule example
--history``): ``{"unit": "epoch" | "iteration", "loss": [...], "val_loss": [...], ...}`` — every
other key is a series name with one number per unit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..errors import ConfigError, FileFormatError
from ..io.bounded_read import loads_json

UNITS = ("epoch", "iteration")
MAX_HISTORY_BYTES = 64 << 20  # ~8M numbers; 1M iterations of chainrule example write ~20 MB


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend, or a one-line error if matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("drawing plots (and PNG diagrams) needs matplotlib: pip install 'chainrule[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def read_history(path) -> dict:
    """Read and check a history file; returns ``{"unit": ..., "series": {name: [floats]}}``."""
    from ..io.bounded_read import read_text

    text = read_text(path, MAX_HISTORY_BYTES, "history file")
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: not a JSON history file ({str(exc).splitlines()[0]})") from None
    except (ValueError, RecursionError) as exc:  # 5000-digit integers, deep nesting, a key twice
        raise FileFormatError(
            f"{path}: not a readable JSON history file ({type(exc).__name__}: {' '.join(str(exc).split())[:80]})"
        ) from None
    return check_history(data, str(path))


def check_history(data, source: str = "<history>") -> dict:
    if not isinstance(data, dict):
        raise FileFormatError(f'{source}: a history is one JSON object, such as {{"unit": "epoch", "loss": [...]}}')
    if "unit" not in data or "layers" in data or "format" in data:
        raise FileFormatError(
            f'{source}: not a history file (a history has "unit" and series such as "loss": [...]; '
            "write one with chainrule train --history or chainrule example --history)"
        )
    unit = data.get("unit", "epoch")
    if unit not in UNITS:
        raise FileFormatError(f'{source}: "unit" must be "epoch" or "iteration", not {unit!r}')
    series = {}
    for name, values in data.items():
        if name == "unit":
            continue
        if not isinstance(values, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) or v is None for v in values
        ):
            continue  # metadata (strings, settings): not a series
        try:
            series[name] = [math.nan if v is None else float(v) for v in values]
        except OverflowError:  # a 400-digit integer
            raise FileFormatError(f"{source}: series {name!r} holds a number too large for a float") from None
    series = {k: v for k, v in series.items() if v}
    if not series:
        raise FileFormatError(f'{source}: no series to plot (expected lists of numbers such as "loss": [...])')
    return {"unit": unit, "series": series}


def _is_loss(name: str) -> bool:
    return "loss" in name or name.startswith("E_") or "error" in name


def plot_history(history: dict, log: bool | None = None, title: str = ""):
    """A matplotlib figure: losses on the left axes (log scale when they span over two decades,
    or when ``log`` is true), other metrics (accuracy, ...) on a second panel."""
    plt = pyplot()
    unit, series = history["unit"], history["series"]
    losses = {k: v for k, v in series.items() if _is_loss(k)}
    metrics = {k: v for k, v in series.items() if not _is_loss(k)}
    panels = [p for p in (losses, metrics) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 4.4), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        for name, values in panel.items():
            xs = range(len(values)) if unit == "iteration" else range(1, len(values) + 1)
            ax.plot(list(xs), values, label=_text(name), lw=1.6)
        ax.set_xlabel("iterations (updates)" if unit == "iteration" else "epoch")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        if panel is losses:
            finite = [v for vs in panel.values() for v in vs if v > 0 and math.isfinite(v)]
            spread = max(finite) / min(finite) if finite else 1
            if log or (log is None and spread > 100):
                ax.set_yscale("log")
            ax.set_ylabel("loss" + (" (log scale)" if ax.get_yscale() == "log" else ""))
            first = next(iter(panel.values()))
            ax.set_title(f"{next(iter(panel))}: {first[0]:.3g} → {first[-1]:.3g}", fontsize=10, parse_math=False)
        else:
            ax.set_ylabel("metric")
    if title:
        fig.suptitle(title, parse_math=False)  # text, never (possibly broken) mathtext such as "$\frac{$"
    fig.tight_layout()
    return fig


def _text(name: str) -> str:
    """A series name as plain text: every ``$`` escaped, so that matplotlib reads no mathtext in it
    (a legend entry takes no ``parse_math=False``; "$\\frac{$" would be a parse error)."""
    return name.replace("$", r"\$")


def save_history_plot(history: dict, path, log: bool | None = None, title: str = "") -> None:
    """Draw a history to ``path`` (.png, .svg or .pdf), atomically."""
    import io

    from ..io.atomic import write_bytes

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".") or "png"
    if fmt not in ("png", "svg", "pdf"):
        raise ConfigError(f"cannot draw a plot as .{fmt}; use .png, .svg or .pdf")
    fig = plot_history(history, log, title)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    pyplot().close(fig)
    write_bytes(path, buf.getvalue())
