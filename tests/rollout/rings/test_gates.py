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


def test_it_passes_a_ring_with_one_or_two_unrelated_crashes() -> None:
    # given a 40-host canary where one, then two hosts crashed for unrelated reasons (2.5 %, 5 % > 2 %)
    for crashed in (1, 2):
        # when
        result = gate_evaluate(hosts("ok", 40 - crashed) + hosts("crashed", crashed, 100), T)
        # then the background does not halt a good release, and the reason says it was noticed
        assert result.verdict == "passed", result.reason
        assert "Within the background allowance: crash" in result.reason


def test_it_fails_on_the_third_bad_host_or_when_every_host_is_bad() -> None:
    # given / when / then
    assert gate_evaluate(hosts("ok", 37) + hosts("crashed", 3, 100), T).verdict == "failed"
    assert gate_evaluate(hosts("crashed", 1), T).verdict == "failed"
    assert gate_evaluate(hosts("boot_loop", 2), T).verdict == "failed"
    strict = GateThresholds(0.02, 0.02, 0.05, 0.1, min_sample=10, min_failures=1)
    assert gate_evaluate(hosts("ok", 39) + hosts("crashed", 1, 100), strict).verdict == "failed"


def test_it_passes_every_ring_of_a_healthy_release_over_background_crashes() -> None:
    # given 20 tenants' canary (1 %), early (10 %) and broad (100 %) rings of 5,000 hosts each, where
    # 0.2 % of hosts crash for unrelated reasons (drawn with a fixed seed, so the test is repeatable)
    import random

    rng = random.Random(20240719)
    verdicts = []
    for _ in range(20):
        crashed = {i for i in range(5000) if rng.random() < 0.002}
        for size in (50, 500, 5000):  # a gate judges every host up to its ring
            sample = [HostHealth(f"h{i}", "crashed" if i in crashed else "ok") for i in range(size)]
            verdicts.append(gate_evaluate(sample, T).verdict)
    # when / then: no false halt anywhere
    assert verdicts.count("passed") == 60


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
    enough = max(min(thresholds.min_failures, n), 1)
    if any(v.rate > v.threshold and v.count >= enough for v in result.values):
        assert result.verdict == "failed" or (
            result.sample < min_sample
            and all(v.count / max(min_sample, 1) <= v.threshold for v in result.values)
        )
    if result.verdict == "passed":
        assert n >= min_sample
        # a rate over its threshold passes only on fewer bad hosts than min_failures (background)
        assert all(v.rate <= v.threshold or v.count < enough for v in result.values)
    if result.verdict == "failed":
        assert any(v.count > 0 for v in result.values)
