"""Training history: one list of floats per series (loss, val_loss, accuracy, ...), one entry per epoch.

As JSON: ``{"unit": "epoch", "loss": [...], "val_loss": [...], "accuracy": [...]}`` — the format
``chainrule plot`` reads.
"""

from __future__ import annotations

import math

from ..errors import FileFormatError


class History:
    def __init__(self, unit: str = "epoch", series: dict | None = None):
        self.unit = unit
        self.series: dict[str, list[float]] = {k: [float(x) for x in v] for k, v in (series or {}).items()}

    def append(self, logs: dict) -> None:
        for key, value in logs.items():
            self.series.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        return self.series[key]

    def __contains__(self, key: str) -> bool:
        return key in self.series

    def __len__(self) -> int:
        return max((len(v) for v in self.series.values()), default=0)

    def to_dict(self) -> dict:
        # JSON has no NaN: a missing value is written as null
        return {"unit": self.unit, **{k: [x if math.isfinite(x) else None for x in v] for k, v in self.series.items()}}

    @classmethod
    def from_dict(cls, data) -> History:
        if not isinstance(data, dict) or not isinstance(data.get("unit", "epoch"), str):
            raise FileFormatError("a history must be a JSON object with a 'unit' and lists of numbers")
        series = {}
        for key, values in data.items():
            if key == "unit":
                continue
            if not isinstance(values, list) or any(
                v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))) for v in values
            ):
                raise FileFormatError(f"history series {key!r} must be a list of numbers")
            series[key] = [math.nan if v is None else float(v) for v in values]
        return cls(data.get("unit", "epoch"), series)

    def __repr__(self) -> str:
        return f"History({len(self)} {self.unit}s: {', '.join(self.series)})"
