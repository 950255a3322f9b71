"""A rollout's progress as the pages word it: the stepper, percent deployed, the gate in words,
the soak end and when the next ring is due (``rollout_progress_view`` is pure: plain dicts in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rollout.rings.progress import rollout_progress_view

NOW = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


def ring(index: int, name: str, hosts: int, done: int, soak: int = 60) -> dict[str, Any]:
    return {"index": index, "name": name, "hosts": hosts, "done": done, "failed": 0, "silent": 0,
            "pending": hosts - done, "soak_minutes": soak}  # fmt: skip


def detail(state: str, index: int, gate: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "state": state,
        "ring_index": index,
        "ring_entered_at": (NOW - timedelta(minutes=20)).isoformat(),
        "previous_version": "291.3",
        "halted_reason": "",
        "rings": [ring(0, "canary", 10, 10), ring(1, "early", 50, 15), ring(2, "broad", 40, 0)],
        "gate": gate or {},
    }


def test_it_says_which_ring_how_far_and_when_the_next_ring_is_due() -> None:
    # given a rollout 20 minutes into its second ring's 60-minute soak, gate passing
    view = rollout_progress_view(
        detail("in_ring", 1, {"verdict": "passed", "sample": 15, "values": []}), now=NOW
    )
    # then
    assert view["headline"] == "In ring 2 of 3 (early)"
    assert [s["status"] for s in view["steps"]] == ["done", "current", "waiting"]
    assert view["percent"] == 25 and (view["hosts_done"], view["hosts_total"]) == (25, 100)
    assert view["soak_end"] == NOW + timedelta(minutes=40) and view["soak_seconds"] == 40 * 60
    assert view["next_ring"] == "broad" and view["eta"] == NOW + timedelta(minutes=40)
    assert view["gate_verdict"] == "Passing"


def test_it_promises_no_eta_while_halted_or_failing_and_words_the_evidence() -> None:
    failing = {
        "verdict": "failed",
        "sample": 40,
        "reason": "Gate failed: crash 4/40 = 10.0% > 2.0%.",
        "values": [{"name": "crash", "count": 4, "rate": 0.1, "threshold": 0.02, "exceeded": True}],
    }
    held = rollout_progress_view(detail("in_ring", 1, failing), now=NOW)
    assert held["eta"] is None and "gate is failing" in held["eta_words"]
    assert held["gate_evidence"] == ["Over the limit: 4 of 40 hosts crashed (10.0%; halts above 2.0%)"]
    halted = rollout_progress_view(detail("halted", 1, failing), now=NOW)
    assert halted["headline"] == "Halted in ring 2 of 3 (early)"
    assert [s["status"] for s in halted["steps"]] == ["done", "halted", "waiting"]
    assert halted["eta"] is None and halted["soak_end"] is None and halted["eta_words"].startswith("Stopped")
    done = rollout_progress_view(detail("completed", 2), now=NOW)
    assert done["headline"].startswith("Completed") and {s["status"] for s in done["steps"]} == {"done"}
    assert done["gate_verdict"] == "Not evaluated yet"
