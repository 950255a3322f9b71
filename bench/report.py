"""The one output format of ``make bench``."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(
    id: str, metric: str, value: float, unit: str, baseline: float | None, target: str, **extra: Any
) -> None:
    """Prints ``{"id","metric","value","unit","baseline","ratio","target"}`` as one line."""
    ratio = round(value / baseline, 4) if baseline else None
    record = {
        "id": id,
        "metric": metric,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4) if baseline is not None else None,
        "ratio": ratio,
        "target": target,
        **extra,
    }
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
