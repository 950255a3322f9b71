"""Health-gate evaluation: pure functions, dataclasses in, dataclasses out (no ORM).

A gate looks at the hosts of a ring that received the new version. A host that stopped reporting
after the update counts against the gate exactly like a crash: a boot-looping host sends nothing,
so silence is the loudest signal there is.

A healthy fleet is not silent: about 0.2 % of hosts crash for reasons unrelated to any release. In a
40-host canary ring one such crash is a 2.5 % crash rate, over a 2 % threshold, and a gate that
failed on it would halt a good release in about one tenant in thirteen. So a measure fails only
when at least ``min_failures`` hosts (default 3) are bad on it, or when every host that received the
version is: with the background rate, three unrelated crashes in a 40-host ring happen about once in
10,000 rings, while a release that really crashes hosts produces them within seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from rollout.rings.stats import StatResult

HealthState = Literal["ok", "crashed", "boot_loop", "silent", "update_failed"]


HEALTH_STATES: tuple[HealthState, ...] = ("ok", "crashed", "boot_loop", "silent", "update_failed")


Verdict = Literal["passed", "failed", "waiting"]


@dataclass(frozen=True)
class HostHealth:
    """One host of the ring that received the new version, and how it is doing since."""

    host_id: str
    state: HealthState


@dataclass(frozen=True)
class GateThresholds:
    max_crash_rate: float
    max_boot_loop_rate: float
    max_silence_rate: float
    max_update_failure_rate: float
    min_sample: int
    min_failures: int = 3  # fewer bad hosts than this (unless all are bad) is background noise


@dataclass(frozen=True)
class GateValue:
    name: str  # crash | boot_loop | silence | update_failure
    count: int
    rate: float
    threshold: float

    @property
    def exceeded(self) -> bool:
        return self.rate > self.threshold


@dataclass(frozen=True)
class GateResult:
    verdict: Verdict
    sample: int
    min_sample: int
    values: tuple[GateValue, ...] = field(default_factory=tuple)
    reason: str = ""
    statistical: StatResult | None = None

    @property
    def failed_on(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values if v.exceeded)

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "sample": self.sample,
            "min_sample": self.min_sample,
            "reason": self.reason,
            "values": [
                {
                    "name": v.name,
                    "count": v.count,
                    "rate": v.rate,
                    "threshold": v.threshold,
                    "exceeded": v.exceeded,
                }
                for v in self.values
            ],
            "statistical": self.statistical.as_dict() if self.statistical is not None else None,
        }


_MEASURES: tuple[tuple[str, HealthState, str], ...] = (
    ("crash", "crashed", "max_crash_rate"),
    ("boot_loop", "boot_loop", "max_boot_loop_rate"),
    ("silence", "silent", "max_silence_rate"),
    ("update_failure", "update_failed", "max_update_failure_rate"),
)


def gate_evaluate(samples: Iterable[HostHealth], thresholds: GateThresholds) -> GateResult:
    """``failed`` when any rate exceeds its threshold on at least ``min_failures`` bad hosts (or on
    every host that received the version); ``waiting`` while too few hosts received the version to
    judge a pass. Bad hosts need no minimum sample to fail the gate once their count alone exceeds the
    threshold applied to the minimum sample: ten crashed hosts are not "too few to tell"."""
    counts = dict.fromkeys(HEALTH_STATES, 0)
    seen: set[str] = set()
    for s in samples:
        if s.host_id in seen:
            continue
        seen.add(s.host_id)
        counts[s.state] += 1
    return gate_evaluate_counts(counts, thresholds)


def gate_evaluate_counts(counts: Mapping[HealthState, int], thresholds: GateThresholds) -> GateResult:
    """``gate_evaluate`` over the number of distinct hosts in each state (the simulation calls this)."""
    sample = sum(counts.get(state, 0) for state in HEALTH_STATES)
    counts = {state: counts.get(state, 0) for state in HEALTH_STATES}
    values = tuple(
        GateValue(
            name=name,
            count=counts[state],
            rate=(counts[state] / sample) if sample else 0.0,
            threshold=float(getattr(thresholds, attr)),
        )
        for name, state, attr in _MEASURES
    )
    judged_on = max(sample, thresholds.min_sample, 1)
    enough = max(min(thresholds.min_failures, sample), 1)
    failing = [v for v in values if v.count >= enough and v.count / judged_on > v.threshold]
    if failing:
        worst = ", ".join(f"{v.name} {v.count}/{sample} = {v.rate:.1%} > {v.threshold:.1%}" for v in failing)
        return GateResult("failed", sample, thresholds.min_sample, values, f"Gate failed: {worst}.")
    if sample < thresholds.min_sample:
        return GateResult(
            "waiting",
            sample,
            thresholds.min_sample,
            values,
            f"{sample} of at least {thresholds.min_sample} hosts reported on the new version.",
        )
    noise = [v for v in values if v.exceeded]
    note = (
        " Within the background allowance: " + ", ".join(f"{v.name} {v.count}/{sample}" for v in noise) + "."
        if noise
        else ""
    )
    return GateResult("passed", sample, thresholds.min_sample, values, f"Healthy on {sample} hosts.{note}")


def gate_judge(threshold: GateResult, stat: StatResult | None) -> GateResult:
    """The ring's verdict from the thresholds (the hard floor) and the statistical test against the
    control cohort: a threshold failure halts; so does a statistical halt; a threshold pass passes only
    when the statistical test passes too (inconclusive keeps the ring soaking, never passes), or when
    there is no control cohort to compare with (``unavailable``: the thresholds alone decide)."""
    if stat is None:
        return threshold
    if threshold.verdict == "failed":
        return replace(threshold, statistical=stat)
    if stat.verdict == "halt":
        return replace(
            threshold, verdict="failed", reason=f"Statistical gate: {stat.reason}", statistical=stat
        )
    if threshold.verdict == "passed" and stat.verdict == "inconclusive":
        return replace(
            threshold, verdict="waiting", reason=f"{threshold.reason} {stat.reason}", statistical=stat
        )
    if threshold.verdict == "passed":
        return replace(threshold, reason=f"{threshold.reason} {stat.reason}", statistical=stat)
    return replace(threshold, statistical=stat)
