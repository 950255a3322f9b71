"""The replay's stop figure: the edge served every stopped tenant's stop hold."""

from __future__ import annotations

from rollout.replay.timeline import hold_served_seconds


def row(tenant: str, served: float | None) -> dict[str, object]:
    return {"tenant": tenant, "kind": "rolled_back", "edge_served": served}


def test_it_takes_the_slowest_tenants_first_stop_served() -> None:
    # given: two tenants; the second stopped twice (its first stop's hold served later)
    timeline = {"stops": [row("a", 0.8), row("b", 1.6), row("b", 0.4)]}
    # when
    seconds = hold_served_seconds(timeline)
    # then
    assert seconds == 1.6


def test_it_reports_nothing_while_a_stopped_tenant_was_never_served_its_hold() -> None:
    # given
    timeline = {"stops": [row("a", 0.8), row("b", None)]}
    # when / then
    assert hold_served_seconds(timeline) is None
    assert hold_served_seconds({"stops": []}) is None
