"""A simulation of one ring's health gate over many rollouts, through the product's own pure gate
functions (``gate_evaluate_counts``, ``stat_evaluate``, ``gate_judge``): false halts of healthy
releases, detection of bad ones, and the simulated time to a verdict. ``make bench`` runs it at scale
(``bench/gate_stats.py``); the suite runs it small with a seeded RNG.

The model, in simulated minutes from the moment the ring is allowed the version:
- the ring's hosts receive the version when they next poll, uniformly over the first
  ``poll_minutes``; a control cohort (``control_factor`` times the ring: the hosts of later rings)
  stays on the previous version;
- every host, treated or not, crashes for unrelated reasons at ``background_crash_per_hour`` (and
  goes silent at ``background_silence_per_hour``), a constant hazard;
- a bad release makes a fraction ``bad_rate`` of the treated hosts fail (crash or go silent) a short
  exponential delay (mean ``fail_delay_minutes``) after they receive it;
- the gate is evaluated on every failure report (the safety loop) and on every tick
  (``tick_minutes``); it halts, or passes once the soak has elapsed, or runs until ``horizon_minutes``
  (an inconclusive end). Exposure and counts are taken the way ``RolloutHealth`` takes them: the hosts
  that received the version times the time since the ring was allowed it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from typing import Any, Literal

from rollout.rings.gates import GateThresholds, HealthState, gate_evaluate_counts, gate_judge
from rollout.rings.stats import Cohort, StatParams, stat_evaluate

Mode = Literal["thresholds", "statistical"]
Outcome = Literal["halted", "passed", "inconclusive"]

DEFAULT_THRESHOLDS = GateThresholds(
    max_crash_rate=0.02,
    max_boot_loop_rate=0.02,
    max_silence_rate=0.05,
    max_update_failure_rate=0.10,
    min_sample=5,
)


@dataclass(frozen=True)
class Scenario:
    ring_hosts: int
    bad_rate: float = 0.0  # fraction of treated hosts the release makes fail
    bad_kind: Literal["crash", "silence"] = "crash"
    background_crash_per_hour: float = 0.002
    background_silence_per_hour: float = 0.0005
    control_factor: int = 4
    soak_minutes: float = 30.0
    poll_minutes: float = 5.0
    fail_delay_minutes: float = 1.0
    tick_minutes: float = 1.0
    horizon_minutes: float = 24 * 60.0

    @property
    def label(self) -> str:
        if self.bad_rate <= 0:
            return "healthy"
        return f"bad {self.bad_kind} {self.bad_rate:.0%}"


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    minutes: float  # simulated minutes to the verdict (the horizon when inconclusive)
    by_statistics: bool = False  # halted by the statistical test (the thresholds alone held)
    reason: str = ""


@dataclass(frozen=True)
class _Event:
    at: float
    host: int  # < ring_hosts: treated; otherwise control
    kind: str  # crash | silence


def _background(
    rng: random.Random, first: int, hosts: int, per_hour: float, horizon: float, kind: str
) -> list[_Event]:
    """The hosts among ``hosts`` that fail before ``horizon`` at a constant hazard, skipping
    geometrically between them (cheap when the hazard is small)."""
    q = -math.expm1(-per_hour * horizon / 60)  # P(a host fails before the horizon), < 1
    if q <= 0:
        return []
    out: list[_Event] = []
    log_keep = math.log1p(-q)
    i = -1
    while True:
        i += 1 + int(math.log(1 - rng.random()) / log_keep)  # geometric gap to the next failing host
        if i >= hosts:
            return out
        at = -math.log(1 - rng.random() * q) / per_hour * 60  # its time, given it fails in the horizon
        out.append(_Event(at, first + i, kind))


def simulate_rollout(scenario: Scenario, mode: Mode, rng: random.Random, params: StatParams) -> RunResult:
    """One ring of one rollout through the gate; the verdict and when it came."""
    s = scenario
    n, m = s.ring_hosts, s.ring_hosts * s.control_factor
    received = sorted(rng.uniform(0, s.poll_minutes) for _ in range(n))
    events = _background(rng, 0, n + m, s.background_crash_per_hour, s.horizon_minutes, "crash")
    events += _background(rng, 0, n + m, s.background_silence_per_hour, s.horizon_minutes, "silence")
    if s.bad_rate > 0:
        order = list(range(n))
        rng.shuffle(order)
        for host in order[: round(n * s.bad_rate)]:
            at = received[host] + rng.expovariate(1 / s.fail_delay_minutes)
            events.append(_Event(at, host, s.bad_kind))
    events.sort(key=lambda e: e.at)
    ticks = [k * s.tick_minutes for k in range(1, int(s.horizon_minutes / s.tick_minutes) + 1)]
    checks = sorted({*(e.at for e in events if e.at <= s.horizon_minutes), *ticks, s.soak_minutes})
    failed: dict[int, str] = {}
    next_event = 0
    for now in checks:
        while next_event < len(events) and events[next_event].at <= now:
            e = events[next_event]
            failed.setdefault(e.host, e.kind)
            next_event += 1
        got = _received_by(received, now)
        treated = {"crash": 0, "silence": 0}
        control = {"crash": 0, "silence": 0}
        for host, kind in failed.items():
            if host >= n:
                control[kind] += 1
            elif kind == "crash" or received[host] <= now:
                # A host that crashes counts whether or not it reported the version (it may crash while
                # loading it); a silent one only once it was offered it.
                treated[kind] += 1
        sample = max(got, treated["crash"] + treated["silence"])
        counts: dict[HealthState, int] = {
            "ok": sample - treated["crash"] - treated["silence"],
            "crashed": treated["crash"],
            "silent": treated["silence"],
        }
        thresholds = replace(DEFAULT_THRESHOLDS, min_sample=min(DEFAULT_THRESHOLDS.min_sample, n))
        gate = floor = gate_evaluate_counts(counts, thresholds)
        if mode == "statistical":
            stat = stat_evaluate(
                Cohort(sample, sample * now / 60, crash=treated["crash"], silence=treated["silence"]),
                Cohort(m, m * now / 60, crash=control["crash"], silence=control["silence"]),
                params,
            )
            gate = gate_judge(gate, stat)
        if gate.verdict == "failed":
            return RunResult("halted", now, by_statistics=floor.verdict != "failed", reason=gate.reason)
        if gate.verdict == "passed" and now >= s.soak_minutes:
            return RunResult("passed", now)
    return RunResult("inconclusive", s.horizon_minutes)


def _received_by(received: list[int | float], now: float) -> int:
    lo, hi = 0, len(received)
    while lo < hi:
        mid = (lo + hi) // 2
        if received[mid] <= now:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def simulate_gate(
    scenario: Scenario,
    *,
    runs: int,
    mode: Mode = "statistical",
    seed: int = 0,
    params: StatParams | None = None,
) -> dict[str, Any]:
    """``runs`` rollouts of ``scenario``: the share halted, passed and inconclusive, and the simulated
    minutes to a halt and to a pass (median, 95th percentile, max)."""
    params = params or StatParams()
    # The same draws for both modes: the thresholds-only figures are a baseline on the same rollouts.
    rng = random.Random(f"{seed}:{scenario}")  # noqa: S311 - a simulation, not a secret
    results = [simulate_rollout(scenario, mode, rng, params) for _ in range(runs)]
    halts = [r.minutes for r in results if r.outcome == "halted"]
    passes = [r.minutes for r in results if r.outcome == "passed"]

    def spread(values: list[float]) -> dict[str, float | None]:
        return {
            "median": _quantile(values, 0.5),
            "p95": _quantile(values, 0.95),
            "max": max(values) if values else None,
        }

    return {
        "scenario": scenario.label,
        "mode": mode,
        "ring_hosts": scenario.ring_hosts,
        "control_hosts": scenario.ring_hosts * scenario.control_factor,
        "background_crash_per_hour": scenario.background_crash_per_hour,
        "bad_rate": scenario.bad_rate,
        "runs": runs,
        "halted": len(halts) / runs,
        "halted_by_statistics": sum(1 for r in results if r.by_statistics) / runs,
        "passed": len(passes) / runs,
        "inconclusive": (runs - len(halts) - len(passes)) / runs,
        "minutes_to_halt": spread(halts),
        "minutes_to_pass": spread(passes),
    }


RING_SIZES = (100, 1000)
BAD_RATES = (0.01, 0.03, 0.05, 1.0)


def gate_scenarios() -> list[tuple[Scenario, str]]:
    """The scenarios of the figures, each with its role: ``healthy`` ones count false halts, ``bad``
    ones detections. ``1% -> 5%``: a fleet whose background is 1 % per hour, and a release at 5 %."""
    out: list[tuple[Scenario, str]] = []
    for n in RING_SIZES:
        out.append((Scenario(ring_hosts=n), "healthy"))
    out.append((Scenario(ring_hosts=1000, background_crash_per_hour=0.01), "healthy"))
    for n in RING_SIZES:
        for kind in ("crash", "silence"):
            for rate in BAD_RATES:
                out.append((Scenario(ring_hosts=n, bad_rate=rate, bad_kind=kind), "bad"))
    out.append((Scenario(ring_hosts=1000, bad_rate=0.05, background_crash_per_hour=0.01), "bad"))
    return out


def gate_figures(*, healthy_runs: int, bad_runs: int, seed: int = 0) -> list[dict[str, Any]]:
    """Every scenario through the statistical gate and through the thresholds alone (same seeds)."""
    out = []
    for scenario, role in gate_scenarios():
        runs = healthy_runs if role == "healthy" else bad_runs
        for mode in ("statistical", "thresholds"):
            figures = simulate_gate(scenario, runs=runs, mode=mode, seed=seed)
            figures["role"] = role
            out.append(figures)
    return out
