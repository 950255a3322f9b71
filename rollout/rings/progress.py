"""A rollout's progress as people read it: the ring stepper, percent deployed, the gate's verdict
and evidence in words, soak end and the ETA to the next ring. Built from ``rollout_detail`` (the
API's shape), so the detail page, the rollouts list and the dashboard say the same thing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

GATE_WORDS = {
    "passed": "Passing",
    "failed": "Failing",
    "waiting": "Still waiting: not enough evidence to pass yet",
}
MEASURE_WORDS = {
    "crash": "crashed",
    "boot_loop": "boot-looping",
    "silence": "silent since the update",
    "update_failure": "failed to update",
}
LIVE_STATES = ("in_ring", "halted")


def _percent(part: int, whole: int) -> int:
    return int(part * 100 / whole) if whole else 0


def gate_evidence(gate: dict[str, Any]) -> list[str]:
    """Each gate measure as a sentence: '2 of 40 hosts crashed (5.0 %; halts above 1.0 %)'."""
    sample = gate.get("sample") or 0
    out = []
    for v in gate.get("values") or []:
        what = MEASURE_WORDS.get(v["name"], str(v["name"]).replace("_", " "))
        line = f"{v['count']} of {sample} hosts {what} ({v['rate']:.1%}; halts above {v['threshold']:.1%})"
        out.append(("Over the limit: " if v.get("exceeded") else "") + line)
    return out


def rollout_progress_view(detail: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """The presentation of one ``rollout_detail``: what the progress fragment renders."""
    now = now or timezone.now()
    state = detail["state"]
    rings = detail["rings"]
    index = detail["ring_index"]
    total = sum(r["hosts"] for r in rings)
    done = sum(r["done"] for r in rings)
    steps = []
    for r in rings:
        if state == "completed" or (r["index"] < index and state not in ("rolled_back",)):
            status = "done"
        elif r["index"] == index and state == "halted":
            status = "halted"
        elif r["index"] == index and state == "in_ring":
            status = "current"
        elif state == "rolled_back" and r["index"] <= index:
            status = "rolled_back"
        else:
            status = "waiting"
        steps.append({**r, "status": status, "percent": _percent(r["done"], r["hosts"])})
    current = rings[index] if index < len(rings) else None
    ring_words = f"ring {index + 1} of {len(rings)}" + (f" ({current['name']})" if current else "")
    headline = {
        "in_ring": f"In {ring_words}",
        "halted": f"Halted in {ring_words}",
        "completed": "Completed: every ring has it",
        "rolled_back": f"Rolled back to {detail.get('previous_version') or 'the previous version'}",
        "superseded": "Superseded by a newer build",
        "pending": "Waiting to start",
    }.get(state, state.replace("_", " "))
    gate = detail.get("gate") or {}
    soak_end = None
    entered = parse_datetime(detail["ring_entered_at"]) if detail.get("ring_entered_at") else None
    if state == "in_ring" and entered is not None and current is not None:
        soak_end = entered + timedelta(minutes=current["soak_minutes"])
    next_ring = rings[index + 1] if index + 1 < len(rings) and state in LIVE_STATES else None
    eta = None
    eta_words = ""
    if state == "halted":
        eta_words = "Stopped: no ring advances until someone resumes or promotes it."
    elif next_ring is not None and soak_end is not None:
        if gate.get("verdict") == "failed":
            eta_words = "Held: the gate is failing, so the next ring is not reached."
        else:
            eta = max(soak_end, now)
            eta_words = "" if gate.get("verdict") == "passed" else "if the gate passes by then"
    elif state == "in_ring" and next_ring is None and soak_end is not None:
        eta_words = "Last ring: completes when its soak ends and the gate passes."
    return {
        "state": state,
        "headline": headline,
        "live": state in LIVE_STATES,
        "steps": steps,
        "ring_number": index + 1,
        "ring_count": len(rings),
        "hosts_total": total,
        "hosts_done": done,
        "percent": _percent(done, total),
        "gate_verdict": GATE_WORDS.get(gate.get("verdict", ""), "Not evaluated yet"),
        "gate_state": gate.get("verdict") or "none",
        "gate_reason": gate.get("reason") or "",
        "gate_evidence": gate_evidence(gate),
        "soak_end": soak_end,
        "soak_seconds": max(int((soak_end - now).total_seconds()), 0) if soak_end else None,
        "next_ring": next_ring["name"] if next_ring else "",
        "eta": eta,
        "eta_words": eta_words,
        "halted_reason": detail.get("halted_reason") or "",
    }
