"""The statistical gate's pure parts: the test statistic on known cases, the verdicts, how they
combine with the thresholds, and the simulation's figures at small scale (seeded, deterministic)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from rollout.rings.gates import GateThresholds, gate_evaluate_counts, gate_judge
from rollout.rings.simulation import Scenario, gate_figures, simulate_gate
from rollout.rings.stats import (
    Cohort,
    StatParams,
    excess_log_bayes_factor,
    poisson_sprt_llr,
    stat_evaluate,
)

T = GateThresholds(
    max_crash_rate=0.02,
    max_boot_loop_rate=0.02,
    max_silence_rate=0.05,
    max_update_failure_rate=0.1,
    min_sample=5,
)


def test_it_computes_the_poisson_log_likelihood_ratio_by_hand() -> None:
    # 3 failures in 10 host-hours, baseline 0.01/h against 0.11/h: 3 ln 11 - 0.1 * 10
    assert poisson_sprt_llr(failures=3, exposure_hours=10, baseline_rate=0.01, delta=0.1) == pytest.approx(
        3 * math.log(11) - 1.0
    )
    # no failures: only the exposure speaks, against the excess
    assert poisson_sprt_llr(failures=0, exposure_hours=50, baseline_rate=0.01, delta=0.1) == pytest.approx(
        -5.0
    )


def test_it_tends_to_the_known_baseline_ratio_when_the_control_has_seen_much() -> None:
    # a control of a million host-hours with 2,000 failures: the background is 0.002/h, known
    known = poisson_sprt_llr(failures=4, exposure_hours=20, baseline_rate=2000.5 / 1e6, delta=0.1)
    bayes = excess_log_bayes_factor(
        failures=4, exposure_hours=20, control_failures=2000, control_hours=1e6, delta=0.1
    )
    assert bayes == pytest.approx(known, abs=0.01)


def test_it_weighs_a_failure_less_when_the_control_has_seen_little() -> None:
    young = excess_log_bayes_factor(
        failures=3, exposure_hours=10, control_failures=0, control_hours=100, delta=0.1
    )
    plug_in = poisson_sprt_llr(failures=3, exposure_hours=10, baseline_rate=0.5 / 100, delta=0.1)
    assert young < plug_in
    # and with no failure at all it is the exposure term alone, whatever the control
    assert excess_log_bayes_factor(
        failures=0, exposure_hours=10, control_failures=0, control_hours=100, delta=0.1
    ) == pytest.approx(-1.0)


def test_it_refuses_a_meaningless_baseline() -> None:
    with pytest.raises(ValueError, match="positive"):
        poisson_sprt_llr(failures=1, exposure_hours=1, baseline_rate=0, delta=0.1)
    with pytest.raises(ValueError, match="positive"):
        excess_log_bayes_factor(failures=1, exposure_hours=1, control_failures=0, control_hours=0, delta=0.1)


def test_it_halts_passes_or_keeps_soaking_on_the_evidence() -> None:
    # given: a ring of 500 hosts 10 minutes in, a control of 1,000 with 2 crashes (0.2 %)
    control = Cohort(hosts=1000, exposure_hours=1000 / 6, crash=2)
    # when / then: 3 % crashes halt, with the evidence
    bad = stat_evaluate(Cohort(hosts=500, exposure_hours=500 / 6, crash=15), control)
    assert bad.verdict == "halt"
    crash = next(m for m in bad.measures if m.name == "crash")
    assert (crash.treated, crash.control) == (15, 2)
    assert crash.llr >= StatParams().halt_bound
    assert bad.as_dict()["measures"][0]["name"] == "crash"
    # one crash in a 40-host ring 45 minutes in: no verdict either way
    small = stat_evaluate(Cohort(hosts=40, exposure_hours=30, crash=1), Cohort(hosts=200, exposure_hours=150))
    assert small.verdict == "inconclusive"
    assert "keep soaking" in small.reason
    # the same ring three hours in: enough exposure to rule out an excess
    later = stat_evaluate(
        Cohort(hosts=40, exposure_hours=120, crash=1), Cohort(hosts=200, exposure_hours=600)
    )
    assert later.verdict == "pass"
    # no control cohort (the last ring): unavailable
    assert stat_evaluate(Cohort(hosts=40, exposure_hours=120), Cohort(hosts=0, exposure_hours=0)).verdict == (
        "unavailable"
    )


def test_it_keeps_the_thresholds_as_the_floor_and_never_passes_an_inconclusive_ring() -> None:
    control = Cohort(hosts=200, exposure_hours=150)
    inconclusive = stat_evaluate(Cohort(hosts=40, exposure_hours=30, crash=1), control)
    passing = stat_evaluate(
        Cohort(hosts=40, exposure_hours=120, crash=1), Cohort(hosts=200, exposure_hours=600)
    )
    healthy = gate_evaluate_counts({"ok": 39, "crashed": 1}, T)
    every_host_crashed = gate_evaluate_counts({"crashed": 40}, T)
    assert healthy.verdict == "passed"
    # a threshold failure halts whatever the statistics say
    assert gate_judge(every_host_crashed, passing).verdict == "failed"
    # inconclusive: the ring waits (soaks on), it does not pass
    waiting = gate_judge(healthy, inconclusive)
    assert waiting.verdict == "waiting" and "keep soaking" in waiting.reason
    assert waiting.as_dict()["statistical"]["verdict"] == "inconclusive"  # type: ignore[index]
    assert gate_judge(healthy, passing).verdict == "passed"
    halting = stat_evaluate(
        Cohort(hosts=500, exposure_hours=500 / 6, crash=15), Cohort(1000, 1000 / 6, crash=2)
    )
    lenient = replace(T, max_crash_rate=0.05)  # 3 % is within this ring's threshold
    judged = gate_judge(gate_evaluate_counts({"ok": 485, "crashed": 15}, lenient), halting)
    assert judged.verdict == "failed" and judged.reason.startswith("Statistical gate")


def test_it_keeps_false_halts_rare_and_catches_bad_releases_in_the_simulation() -> None:
    # given: a few hundred seeded simulated rollouts (``make bench`` runs thousands)
    healthy = [simulate_gate(Scenario(ring_hosts=n), runs=150, seed=7) for n in (100, 1000)]
    # then: no healthy ring halted by the statistics, and every one ends (passes) within the horizon
    for figures in healthy:
        assert figures["halted_by_statistics"] == 0.0
        assert figures["inconclusive"] == 0.0
        assert float(figures["halted"]) <= 0.02  # the threshold floor's own rare halts
    # a 1 % -> 5 % rise at 1,000 hosts is caught, within 10 simulated minutes
    rise = simulate_gate(
        Scenario(ring_hosts=1000, bad_rate=0.05, background_crash_per_hour=0.01), runs=60, seed=7
    )
    assert rise["halted"] == 1.0
    assert rise["minutes_to_halt"]["max"] <= 10  # type: ignore[index]
    # 1 % and 3 % crash rates at 1,000 hosts, that the thresholds alone miss or catch later
    one = simulate_gate(Scenario(ring_hosts=1000, bad_rate=0.01), runs=60, seed=7)
    one_thresholds = simulate_gate(
        Scenario(ring_hosts=1000, bad_rate=0.01), runs=60, seed=7, mode="thresholds"
    )
    assert float(one["halted"]) >= 0.95 and float(one_thresholds["halted"]) <= 0.1
    # 100 % crashes: as fast as the thresholds alone (the floor), on the same seeded rollouts
    total = simulate_gate(Scenario(ring_hosts=100, bad_rate=1.0), runs=60, seed=7)
    total_thresholds = simulate_gate(
        Scenario(ring_hosts=100, bad_rate=1.0), runs=60, seed=7, mode="thresholds"
    )
    assert total["halted"] == total_thresholds["halted"] == 1.0
    assert total["minutes_to_halt"] == total_thresholds["minutes_to_halt"]


def test_it_reports_every_scenario_in_both_modes() -> None:
    figures = gate_figures(healthy_runs=3, bad_runs=2)
    assert {f["mode"] for f in figures} == {"statistical", "thresholds"}
    assert len(figures) == 2 * (3 + 17)
    assert all(0 <= float(f["halted"]) <= 1 for f in figures)
