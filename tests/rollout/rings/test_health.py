"""Gate thresholds per rollout: a ring smaller than the minimum sample is judged on all its hosts."""

from __future__ import annotations

from rollout.rings.gates import GateThresholds, HostHealth, gate_evaluate
from rollout.rings.health import RolloutHealth, thresholds_for_rings

T = GateThresholds(0.02, 0.02, 0.05, 0.1, min_sample=5)


def test_it_judges_a_canary_smaller_than_the_minimum_sample_on_every_host_it_has() -> None:
    # given a 1 % canary that holds one host (a 500-host tenant), which took the release and is fine
    health = RolloutHealth(samples=((0, HostHealth("h1", "ok")),), ring_hosts=(1, 49, 450, 0))
    # when
    thresholds = thresholds_for_rings(T, health, 0)
    # then the gate passes instead of waiting for five hosts that ring will never have
    assert thresholds.min_sample == 1
    assert gate_evaluate(health.upto(0), thresholds).verdict == "passed"
    # and the next ring is judged with its full minimum sample again (50 hosts up to it)
    assert thresholds_for_rings(T, health, 1).min_sample == 5


def test_it_still_fails_a_small_ring_whose_only_host_crashed() -> None:
    # given
    health = RolloutHealth(samples=((0, HostHealth("h1", "crashed")),), ring_hosts=(1, 49, 450, 0))
    # when
    result = gate_evaluate(health.upto(0), thresholds_for_rings(T, health, 0))
    # then
    assert result.verdict == "failed"
