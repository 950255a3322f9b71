"""The forecast's ring projection: soaks elapse and rings advance only as the gate tick would let
them when every gate passes; a halted rollout stays where it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rollout.resolver.forecast import RingPlan, ring_position

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
