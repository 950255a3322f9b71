"""The exposure forecast: the resolver run forward in time, one hour boundary after another.

For each hour of the horizon the real ``resolve_content`` decides, with a simulated ``now``, what
every distinct combination of hosts (platform, build, versions, groups, ring) may have; the hosts
of a combination count once their target is the release, and from then on they run it (a host
that received a version keeps it: never backward, DESIGN section 4 rule 2). So GA + delay,
maintenance windows in their own zones, freezes, pauses and their expiry, pins and the contract
matrix all act exactly as they will, because they are the same code.

The one thing the resolver does not decide is how a staged rollout moves through the rings: that
is the gate tick's job. ``RingPlan`` projects it the way the tick moves a rollout when every gate
passes (after each ring's soak, and past a ring only once the tenant's default policy would take
the release: ``advance_allowed``); a halted or rolled-back rollout stays where it is. The forecast
is therefore "if nothing fails"; a failing gate can only make it smaller.

Pure: plain dataclasses in and out, no Django.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from rollout.resolver.resolve import resolve_content
from rollout.resolver.rings import AFTER_THE_LAST_RING, ring_state_for
from rollout.resolver.state import HostFacts, RingState, TenantState

MAX_HORIZON_HOURS = 168
DEFAULT_HORIZON_HOURS = 72
# Shares of the tenant's hosts whose time of reach the previews name (besides the first host).
MILESTONE_SHARES = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0)


@dataclass(frozen=True)
class RingPlan:
    """The newest unfinished rollout of the release's subject in the tenant, as the tick would
    move it if every gate passes. ``state``: in_ring, halted, rolled_back, pending or completed."""

    rollout_id: str
    version: str
    previous: str | None
    state: str
    ring_index: int
    ring_entered_at: datetime | None
    soak_minutes: tuple[int, ...]
    ring_names: tuple[str, ...]
    # The earliest time the tenant's default policy takes the release (advance_allowed); None: never.
    advance_from: datetime | None


def ring_position(plan: RingPlan, at: datetime, start: datetime) -> tuple[int, str]:
    """(ring index, state) of ``plan`` at ``at``: soaks elapse and rings advance; nothing else moves."""
    if plan.state != "in_ring" or not plan.soak_minutes:
        return plan.ring_index, plan.state
    index = plan.ring_index
    entered = plan.ring_entered_at or start
    while True:
        soak = plan.soak_minutes[min(index, len(plan.soak_minutes) - 1)]
        if plan.advance_from is None:
            return index, "in_ring"
        leaves = max(entered + timedelta(minutes=soak), plan.advance_from)
        if leaves > at:
            return index, "in_ring"
        if index + 1 >= len(plan.soak_minutes):
            return index, "completed"
        index, entered = index + 1, leaves


def ring_state_of(
    plan: RingPlan, index: int, state: str, host_ring: int, running: str | None
) -> RingState | None:
    """The ring state ``ring_states_for_hosts`` gives a host in ring ``host_ring`` while the
    rollout is at ``index`` in ``state`` (None once it has completed: no ring state at all)."""
    if state == "completed":
        return None
    names = plan.ring_names
    return ring_state_for(
        rollout_id=plan.rollout_id,
        staged=plan.version,
        previous=plan.previous,
        state=state,
        ring_index=index,
        host_ring=host_ring,
        ring_name=names[host_ring] if host_ring < len(names) else AFTER_THE_LAST_RING,
        running=running,
    )


@dataclass(frozen=True)
class Combo:
    """Hosts with the same resolver inputs (their ring states aside): they resolve once."""

    facts: HostFacts
    hosts: int
    ring: int = 0  # the index of the ring that takes them (len(rings) when none does)


@dataclass(frozen=True)
class ForecastPoint:
    at: datetime
    hour: int
    hosts: int  # hosts that have received the release by ``at`` (or run it already)
    new: int  # of which reached at this hour boundary
    waiting: Mapping[str, int] = field(default_factory=dict)  # the others, by the rule holding them


@dataclass(frozen=True)
class Milestone:
    share: float  # of the tenant's hosts; 0 for "the first host"
    hosts: int
    hour: int | None  # hours from the start until reached; None: not within the horizon
    at: datetime | None


@dataclass(frozen=True)
class Forecast:
    category: str
    version: str
    start: datetime
    hours: int
    hosts_total: int
    points: tuple[ForecastPoint, ...]
    combinations: int
    resolutions: int  # resolver calls made (hosts with the same inputs resolve once per hour)
    ring_plan: RingPlan | None = None

    @property
    def reached(self) -> int:
        return self.points[-1].hosts if self.points else 0

    def milestones(self) -> list[Milestone]:
        wanted = [(0.0, 1)] + [(s, max(1, round(s * self.hosts_total))) for s in MILESTONE_SHARES]
        # One row per host count (a small tenant's 10 % and 25 % may be the same host): the larger share.
        wanted = [w for i, w in enumerate(wanted) if i + 1 == len(wanted) or wanted[i + 1][1] != w[1]]
        out: list[Milestone] = []
        for share, hosts in wanted:
            if hosts > self.hosts_total:
                continue
            point = next((p for p in self.points if p.hosts >= hosts), None)
            out.append(Milestone(share, hosts, point.hour if point else None, point.at if point else None))
        return out


def _facts_key(facts: HostFacts, ring: RingState | None) -> tuple[object, ...]:
    return (
        facts.platform,
        facts.sensor_build,
        tuple(sorted(facts.content_versions.items())),
        facts.group_ids,
        ring,
    )


def forecast_run(
    state: TenantState,
    combos: Sequence[Combo],
    *,
    category: str,
    version: str,
    start: datetime,
    hours: int,
    plan: RingPlan | None = None,
) -> Forecast:
    """How many hosts of ``combos`` have ``category`` ``version`` at each hour boundary from
    ``start`` (hour 0) to ``start + hours``: ``resolve_content`` at each boundary, with the ring
    states ``plan`` projects; a combination reached stays reached (its hosts run the release)."""
    hosts_total = sum(c.hosts for c in combos)
    # Hosts already running the release count only if they may keep it (a rollback moves them off).
    reached = [False] * len(combos)
    points: list[ForecastPoint] = []
    resolutions = 0
    before = 0
    subject = f"content:{category}"
    for hour in range(hours + 1):
        at = start + timedelta(hours=hour)
        position = ring_position(plan, at, start) if plan is not None else None
        memo: dict[tuple[object, ...], tuple[str | None, str]] = {}
        waiting: dict[str, int] = defaultdict(int)
        for i, combo in enumerate(combos):
            if reached[i]:
                continue
            facts = combo.facts
            ring = None
            if plan is not None and position is not None:
                running = facts.content_versions.get(category)
                ring = ring_state_of(plan, position[0], position[1], combo.ring, running)
            key = _facts_key(facts, ring)
            if key not in memo:
                with_ring = (
                    replace(facts, ring_states={**facts.ring_states, subject: ring}) if ring else facts
                )
                decision = resolve_content(state, with_ring, category, at)
                resolutions += 1
                memo[key] = (decision.target, decision.rule)
            target, rule = memo[key]
            if target == version:
                reached[i] = True
            else:
                waiting[rule] += combo.hosts
        total = sum(c.hosts for i, c in enumerate(combos) if reached[i])
        points.append(ForecastPoint(at, hour, total, total - before if hour else total, dict(waiting)))
        before = total
    return Forecast(
        category=category,
        version=version,
        start=start,
        hours=hours,
        hosts_total=hosts_total,
        points=tuple(points),
        combinations=len(combos),
        resolutions=resolutions,
        ring_plan=plan,
    )
