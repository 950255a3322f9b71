"""Health-gate evaluation (pure, Hypothesis): silence fails a gate like crashes; a gate never passes
below its minimum sample; a failing rate always fails."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rollout.rings.gates import HEALTH_STATES, GateThresholds, HostHealth, gate_evaluate

T = GateThresholds(
    max_crash_rate=0.02,
    max_boot_loop_rate=0.02,
    max_silence_rate=0.05,
    max_update_failure_rate=0.1,
    min_sample=10,
)


def hosts(state: str, n: int, start: int = 0) -> list[HostHealth]:
    return [HostHealth(f"h{start + i}", state) for i in range(n)]  # type: ignore[arg-type]


def test_it_passes_a_healthy_ring() -> None:
    # given / when
    result = gate_evaluate(hosts("ok", 50), T)
    # then
    assert result.verdict == "passed"
    assert result.sample == 50


def test_it_waits_for_the_minimum_sample() -> None:
    assert gate_evaluate(hosts("ok", 9), T).verdict == "waiting"


def test_it_fails_on_crashes() -> None:
    result = gate_evaluate(hosts("ok", 95) + hosts("crashed", 5, 100), T)
    assert result.verdict == "failed"
    assert result.failed_on == ("crash",)
    assert "crash 5/100" in result.reason


def test_it_fails_on_silence_exactly_like_crashes() -> None:
    # given: hosts that stopped reporting after the update (a boot loop sends nothing)
    samples = hosts("ok", 90) + hosts("silent", 10, 100)
    # when
    result = gate_evaluate(samples, T)
    # then
    assert result.verdict == "failed"
    assert result.failed_on == ("silence",)


def test_it_does_not_wait_for_the_sample_when_the_bad_hosts_alone_fail_it() -> None:
    result = gate_evaluate(hosts("crashed", 3), T)
    assert result.verdict == "failed"


def test_it_counts_a_host_once() -> None:
    result = gate_evaluate(
        [HostHealth("h1", "crashed"), HostHealth("h1", "crashed"), *hosts("ok", 200, 10)], T
    )
    assert result.values[0].count == 1


@given(
    counts=st.fixed_dictionaries({s: st.integers(0, 60) for s in HEALTH_STATES}),
    min_sample=st.integers(0, 50),
    limit=st.floats(0, 1),
)
def test_it_never_passes_a_failing_rate_or_a_too_small_sample(
    counts: dict[str, int], min_sample: int, limit: float
) -> None:
    thresholds = GateThresholds(limit, limit, limit, limit, min_sample)
    samples = []
    n = 0
    for state, count in counts.items():
        samples += hosts(state, count, n)
        n += count
    result = gate_evaluate(samples, thresholds)
    assert result.sample == n
    if any(v.rate > v.threshold for v in result.values):
        assert result.verdict == "failed" or (
            result.sample < min_sample
            and all(v.count / max(min_sample, 1) <= v.threshold for v in result.values)
        )
    if result.verdict == "passed":
        assert n >= min_sample
        assert all(v.rate <= v.threshold for v in result.values)
    if result.verdict == "failed":
        assert any(v.count > 0 for v in result.values)
