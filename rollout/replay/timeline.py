"""The stop timeline of a replay: for every halt or recall of the replayed release, when each stage
of the safety loop happened (crash report received, gate saw it, stop committed, hold published,
edge first served it), in seconds after the replay's first crash report, and per stage the
fastest, median and slowest tenant. ``replay_incident --json`` prints it as ``stop_timeline``, and
``hold_served_seconds`` as ``seconds_first_crash_to_hold_served``."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q

from rollout.distribution.served import hold_served_at
from rollout.models import RolloutStop
from rollout.rings.records import STAGES


def stops_timeline(tenant_ids: Iterable[Any], version: str, first_crash: datetime) -> dict[str, Any]:
    stops = list(
        RolloutStop.objects.filter(tenant_id__in=list(tenant_ids))
        .filter(Q(rollout__version=version) | Q(release__version=version))
        .select_related("tenant")
        .order_by("committed_at")
    )
    rows = []
    per_stage: dict[str, list[float]] = {name.removesuffix("_at"): [] for name, _ in STAGES}
    for stop in stops:
        steps: dict[str, float | None] = {}
        for name, _ in STAGES:
            at = getattr(stop, name)
            if name == "edge_served_at" and at is None:
                at = hold_served_at(str(stop.tenant_id), f"{stop.hold_scope}:{stop.hold_key}")
            seconds = round((at - first_crash).total_seconds(), 3) if at else None
            steps[name.removesuffix("_at")] = seconds
            if seconds is not None:
                per_stage[name.removesuffix("_at")].append(seconds)
        rows.append({"tenant": stop.tenant.slug, "kind": stop.kind, "by_signal": stop.by_signal, **steps})
    summary = {
        stage: {"min": min(v), "median": round(statistics.median(v), 3), "max": max(v), "n": len(v)}
        for stage, v in per_stage.items()
        if v
    }
    return {"seconds_after_first_crash_report": summary, "stops": rows}


def hold_served_seconds(timeline: dict[str, Any]) -> float | None:
    """Seconds from the first crash report until the edge had served the stop hold in every stopped
    tenant (each tenant's first stop; None when no hold was seen served)."""
    first: dict[str, float | None] = {}
    for row in timeline["stops"]:  # ordered by commit: a tenant's first stop comes first
        first.setdefault(row["tenant"], row["edge_served"])
    served = [v for v in first.values() if v is not None]
    return max(served) if served and len(served) == len(first) else None
