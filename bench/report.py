"""The one output format of ``make bench``, with the machine's load beside every figure.

Each line records the 1-minute load average and the CPU count at the start and at the end of its
benchmark (``bench_begin`` marks the start; ``python -m bench`` calls it before each module) and
``"noisy": true`` when either load is above the CPU count: such a figure says more about the
machine than about the code. A benchmark that measured nothing (no samples, no rows, or a figure
or baseline that is not a number) does not print a figure: it prints an error line and raises
``NothingMeasured``, so ``make bench`` exits non-zero.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any

# Extra fields that count what a figure was computed from: zero means nothing was measured.
COUNT_FIELDS = ("samples", "rows")


class NothingMeasured(RuntimeError):
    """A benchmark produced a figure from nothing (0 rows, 0 samples, NaN)."""


def load_1min() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_started: dict[str, float] = {"load": load_1min()}


def bench_begin() -> None:
    """Marks the start of a benchmark: the load its lines report as ``load_start``."""
    _started["load"] = load_1min()


def machine_load() -> dict[str, Any]:
    """The load fields of a line: the start (``bench_begin``) and now, the CPU count, and noisy."""
    start, end, cpus = _started["load"], load_1min(), cpu_count()
    return {"load_start": start, "load_end": end, "cpus": cpus, "noisy": max(start, end) > cpus}


def _empty(value: float, baseline: float | None, extra: dict[str, Any]) -> str:
    if not math.isfinite(value):
        return f"the figure is {value}"
    if baseline is not None and not math.isfinite(baseline):
        return f"the baseline is {baseline}"
    for name in COUNT_FIELDS:
        if name in extra and not extra[name]:
            return f"{name} is {extra[name]}"
    return ""


def emit(
    id: str, metric: str, value: float, unit: str, baseline: float | None, target: str, **extra: Any
) -> None:
    """Prints ``{"id","metric","value","unit","baseline","ratio","target"}`` and the load as one line.

    Raises ``NothingMeasured`` (after printing an ``"error"`` line instead of the figure) when the
    figure was computed from nothing.
    """
    problem = _empty(value, baseline, extra)
    if problem:
        record: dict[str, Any] = {
            "id": id,
            "metric": metric,
            "error": f"measured nothing: {problem}",
            **extra,
            **machine_load(),
        }
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
        raise NothingMeasured(f"{id} {metric}: measured nothing ({problem})")
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
        **machine_load(),
    }
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
