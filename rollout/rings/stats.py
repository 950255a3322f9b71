"""The statistical health gate: the ring's hosts that received the new version against a concurrent
control cohort (hosts of the same tenant still on the previous version), pure functions, no ORM.

Why: a fixed threshold with ``min_failures=3`` catches a release that crashes every host, but it
cannot tell a 0.5 % -> 3 % rise from the background (about 0.2 % of hosts crash for reasons
unrelated to any release) on a small ring without false halts or a long soak. The control cohort
measures that background now, in this tenant, under today's conditions.

The test, per measure (crash, boot loop, silence), is a sequential test of a Poisson rate with
exposure time: the treated hosts' failures ``x`` over ``E`` host-hours, against

    H0: rate = lambda        H1: rate = lambda + delta

where ``lambda``, the background rate, is not known but read from the control cohort (its failures
over its host-hours, a Gamma posterior with a Jeffreys prior) and integrated out, which gives the
Bayes factor in closed form (``excess_log_bayes_factor``: ``lgamma`` and a log-sum-exp). With a
control that has seen much it is Wald's SPRT log-likelihood ratio ``x ln(1 + delta/lambda) - delta E``;
with a young control one treated failure weighs less, since a higher background is still plausible.
``delta`` is the smallest excess failure rate worth halting for (per host-hour). Wald's bounds:
halt when the log factor reaches ``ln((1 - beta) / alpha)``, pass when it falls to
``ln(beta / (1 - alpha))``; in between the evidence is inconclusive and the ring keeps soaking: it
never passes on "no news". The error rates are split over the three measures (Bonferroni). No
library: three lines of ``math`` do not justify scipy.

The figures (false halts, detection, time to verdict) come from ``rollout.rings.simulation``, which
calls these same functions (``make bench``: ``bench/gate_stats.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

StatVerdict = Literal["halt", "pass", "inconclusive", "unavailable"]


STAT_MEASURES: tuple[str, ...] = ("crash", "boot_loop", "silence")


PRIOR_FAILURES = 0.5  # Jeffreys prior of a Poisson rate: the baseline is (x_c + 1/2) / E_c


@dataclass(frozen=True)
class Cohort:
    """Hosts of one cohort, their exposure (host-hours since they could have received the version) and
    how many of them failed on each measure in that time (a host counts once per measure)."""

    hosts: int
    exposure_hours: float
    crash: int = 0
    boot_loop: int = 0
    silence: int = 0

    def failures(self, measure: str) -> int:
        count: int = getattr(self, measure)
        return count


@dataclass(frozen=True)
class StatParams:
    """The sequential test's design: ``delta`` is the excess failure rate (per host-hour) it must catch,
    ``alpha`` the false-halt rate and ``beta`` the miss rate it is built for, over all measures."""

    delta_per_host_hour: float = 0.1
    alpha: float = 0.001
    beta: float = 0.01
    min_control_hosts: int = 20

    @property
    def halt_bound(self) -> float:
        per_measure = self.alpha / len(STAT_MEASURES)
        return math.log((1 - self.beta) / per_measure)

    @property
    def pass_bound(self) -> float:
        per_measure = self.beta / len(STAT_MEASURES)
        return math.log(per_measure / (1 - self.alpha))


@dataclass(frozen=True)
class MeasureEvidence:
    """One measure's counts, rates and log-likelihood ratio."""

    name: str
    treated: int
    treated_hours: float
    control: int
    control_hours: float
    baseline_rate: float  # lambda0, per host-hour
    llr: float

    @property
    def treated_rate(self) -> float:
        return self.treated / self.treated_hours if self.treated_hours > 0 else 0.0

    @property
    def control_rate(self) -> float:
        return self.control / self.control_hours if self.control_hours > 0 else 0.0


@dataclass(frozen=True)
class StatResult:
    verdict: StatVerdict
    treated_hosts: int
    control_hosts: int
    measures: tuple[MeasureEvidence, ...]
    params: StatParams
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "test": "Sequential Bayes factor, Poisson rates with exposure, background from the control cohort",
            "treated_hosts": self.treated_hosts,
            "control_hosts": self.control_hosts,
            "delta_per_host_hour": self.params.delta_per_host_hour,
            "alpha": self.params.alpha,
            "beta": self.params.beta,
            "halt_bound": round(self.params.halt_bound, 4),
            "pass_bound": round(self.params.pass_bound, 4),
            "measures": [
                {
                    "name": m.name,
                    "treated": m.treated,
                    "treated_hours": round(m.treated_hours, 3),
                    "treated_rate": m.treated_rate,
                    "control": m.control,
                    "control_hours": round(m.control_hours, 3),
                    "control_rate": m.control_rate,
                    "baseline_rate": m.baseline_rate,
                    "llr": round(m.llr, 4),
                }
                for m in self.measures
            ],
        }


def poisson_sprt_llr(*, failures: int, exposure_hours: float, baseline_rate: float, delta: float) -> float:
    """ln of the likelihood ratio of ``rate = baseline + delta`` against ``rate = baseline`` for
    ``failures`` events over ``exposure_hours`` (the Poisson terms ``x!`` cancel): Wald's statistic
    when the baseline is known exactly."""
    if baseline_rate <= 0 or delta <= 0:
        raise ValueError("baseline_rate and delta must be positive")
    return failures * math.log1p(delta / baseline_rate) - delta * exposure_hours


def excess_log_bayes_factor(
    *, failures: int, exposure_hours: float, control_failures: int, control_hours: float, delta: float
) -> float:
    """ln of the Bayes factor of ``rate = baseline + delta`` against ``rate = baseline`` for the
    treated ``failures`` over ``exposure_hours``, the baseline not known but read from the control: a
    Gamma(``control_failures + 1/2``, ``control_hours``) posterior (Jeffreys prior), integrated out.

    With ``a, b`` that posterior, ``x, E`` the treated failures and exposure, both marginals share the
    factor ``E^x / x!`` and ``b^a / G(a)``, and expanding ``(l + delta)^x`` binomially leaves

        ln BF = -delta E + ln sum_k C(x, k) delta^(x-k) G(a+k) / (b+E)^(a+k) - ln G(a+x) / (b+E)^(a+x)

    (``G`` the gamma function; computed with ``lgamma`` and a log-sum-exp). When the control has seen
    much, this tends to ``poisson_sprt_llr`` at the control's rate; when it has seen little, a
    treated failure weighs less, because a higher baseline is still plausible."""
    if control_hours <= 0 or delta <= 0:
        raise ValueError("control_hours and delta must be positive")
    a = control_failures + PRIOR_FAILURES
    b_e = math.log(control_hours + exposure_hours)
    x = failures
    log_delta = math.log(delta)
    terms = [
        math.lgamma(x + 1)
        - math.lgamma(k + 1)
        - math.lgamma(x - k + 1)
        + (x - k) * log_delta
        + math.lgamma(a + k)
        - (a + k) * b_e
        for k in range(x + 1)
    ]
    top = max(terms)
    log_h1 = top + math.log(sum(math.exp(t - top) for t in terms))
    log_h0 = math.lgamma(a + x) - (a + x) * b_e
    return -delta * exposure_hours + log_h1 - log_h0


def baseline_rate(control: Cohort, measure: str) -> float:
    """The control's rate, the posterior mean with a Jeffreys prior (``(x + 1/2) / E``)."""
    return (control.failures(measure) + PRIOR_FAILURES) / control.exposure_hours


def stat_evaluate(treated: Cohort, control: Cohort, params: StatParams | None = None) -> StatResult:
    """``halt`` when some measure's evidence of an excess reaches the halt bound, ``pass`` when every
    measure's evidence of no excess reaches the pass bound, ``inconclusive`` otherwise, and
    ``unavailable`` without a control cohort to compare with (the last ring, or too few hosts)."""
    params = params or StatParams()
    if control.hosts < params.min_control_hosts or control.exposure_hours <= 0:
        return StatResult(
            "unavailable",
            treated.hosts,
            control.hosts,
            (),
            params,
            f"No control cohort to compare with ({control.hosts} hosts still on the previous version; "
            f"at least {params.min_control_hosts} needed): the thresholds alone decide.",
        )
    measures = []
    for name in STAT_MEASURES:
        base = baseline_rate(control, name)
        llr = excess_log_bayes_factor(
            failures=treated.failures(name),
            exposure_hours=treated.exposure_hours,
            control_failures=control.failures(name),
            control_hours=control.exposure_hours,
            delta=params.delta_per_host_hour,
        )
        measures.append(
            MeasureEvidence(
                name,
                treated.failures(name),
                treated.exposure_hours,
                control.failures(name),
                control.exposure_hours,
                base,
                llr,
            )
        )
    high = [m for m in measures if m.llr >= params.halt_bound]
    if high:
        worst = ", ".join(
            f"{m.name} {m.treated} in {m.treated_hours:.1f} host-h vs control {m.control} in "
            f"{m.control_hours:.1f} host-h (LLR {m.llr:.1f} >= {params.halt_bound:.1f})"
            for m in high
        )
        verdict: StatVerdict = "halt"
        reason = f"Worse than the control cohort: {worst}."
    elif all(m.llr <= params.pass_bound for m in measures):
        verdict = "pass"
        reason = f"No excess over the control cohort ({treated.exposure_hours:.1f} host-h observed)."
    else:
        open_ = ", ".join(f"{m.name} LLR {m.llr:.1f}" for m in measures if m.llr > params.pass_bound)
        verdict = "inconclusive"
        reason = (
            f"Inconclusive against the control cohort ({open_}; pass at {params.pass_bound:.1f}, halt at "
            f"{params.halt_bound:.1f}): keep soaking."
        )
    return StatResult(verdict, treated.hosts, control.hosts, tuple(measures), params, reason)
