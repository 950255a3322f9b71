"""The forecast's ring projection: soaks elapse and rings advance only as the gate tick would let
them when every gate passes; a halted rollout stays where it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rollout import resolver as rv
from rollout.resolver.forecast import Combo, RingPlan, forecast_run, ring_position

START = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


def plan(**changes: object) -> RingPlan:
    base = RingPlan(
        rollout_id="r",
        version="291.4",
        previous="291.3",
        state="in_ring",
        ring_index=0,
        ring_entered_at=START,
        soak_minutes=(60, 120, 30),
        ring_names=("canary", "early", "broad"),
        advance_from=START - timedelta(hours=1),
    )
    return RingPlan(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_it_advances_a_ring_as_each_soak_ends_and_completes_after_the_last() -> None:
    at = lambda minutes: START + timedelta(minutes=minutes)  # noqa: E731
    assert ring_position(plan(), at(59), START) == (0, "in_ring")
    assert ring_position(plan(), at(60), START) == (1, "in_ring")
    assert ring_position(plan(), at(179), START) == (1, "in_ring")
    assert ring_position(plan(), at(180), START) == (2, "in_ring")
    assert ring_position(plan(), at(210), START) == (2, "completed")


def test_it_holds_past_the_first_ring_until_the_default_policy_takes_the_release() -> None:
    waiting = plan(advance_from=START + timedelta(hours=10))
    assert ring_position(waiting, START + timedelta(hours=9), START) == (0, "in_ring")
    assert ring_position(waiting, START + timedelta(hours=10), START) == (1, "in_ring")
    assert ring_position(plan(advance_from=None), START + timedelta(days=7), START) == (0, "in_ring")


def test_it_leaves_a_halted_or_rolled_back_rollout_where_it_is() -> None:
    later = START + timedelta(days=3)
    assert ring_position(plan(state="halted", ring_index=1), later, START) == (1, "halted")
    assert ring_position(plan(state="rolled_back"), later, START) == (0, "rolled_back")


def test_it_counts_hosts_that_run_the_release_only_while_they_may_keep_it() -> None:
    # given 291.4 (GA) staged through rings: 3 hosts in the first ring already run it, 5 do not
    catalog = rv.Catalog(
        releases=(
            rv.Release("rapid_response", "291.3", "ga", True, ga_at=START - timedelta(days=9)),
            rv.Release("rapid_response", "291.4", "ga", True, ga_at=START - timedelta(days=1)),
        )
    )
    state = rv.TenantState(
        catalog=catalog,
        content_policies=(rv.ContentPolicy("p", "default", "rapid_response", "ga", 0, is_default=True),),
    )
    on_new = rv.HostFacts("", "windows", "7.11.200", {"rapid_response": "291.4"})
    on_old = rv.HostFacts("", "windows", "7.11.200", {"rapid_response": "291.3"})
    combos = [Combo(on_new, 3, ring=0), Combo(on_old, 5, ring=1)]

    def run(state_name: str) -> list[int]:
        forecast = forecast_run(
            state, combos, category="rapid_response", version="291.4", start=START, hours=4,
            plan=plan(state=state_name),
        )  # fmt: skip
        return [p.hosts for p in forecast.points]

    # when / then: in the first ring they keep it and the others follow after the 1 h soak
    assert run("in_ring") == [3, 8, 8, 8, 8]
    # halted: they keep it, nobody else gets it; rolled back: nobody keeps it
    assert run("halted") == [3, 3, 3, 3, 3]
    assert run("rolled_back") == [0, 0, 0, 0, 0]
