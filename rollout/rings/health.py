from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from rollout.models import DesiredState, Ring, Rollout, RolloutEvent
from rollout.rings.admin import ring_thresholds
from rollout.rings.control import ControlHost, control_cohort
from rollout.rings.gates import GateResult, GateThresholds, HostHealth, gate_evaluate, gate_judge
from rollout.rings.stats import Cohort, stat_evaluate
from rollout.selectors.rings import ring_membership
from telemetry.models import CrashEvent, Host, HostStatus

UPDATE_FAILED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class RolloutHealth:
    """The samples of one rollout's hosts, with the ring index of each host."""

    samples: tuple[tuple[int, HostHealth], ...]
    ring_hosts: tuple[int, ...]  # hosts per ring
    entered_at: tuple[datetime, ...] = ()  # when each ring up to the current one was allowed the version
    # hosts of later rings still on the previous version (read only when a ring has the statistical gate)
    control_hosts: tuple[ControlHost, ...] = ()
    tenant_id: Any = None
    at: datetime | None = None  # when this was read

    def control(self) -> Cohort:
        """The control cohort with its failures since the first ring was allowed the version (one query,
        only for a ring whose statistical gate is on)."""
        now = self.at or timezone.now()
        since = min(self.entered_at, default=now)
        return control_cohort(self.tenant_id, list(self.control_hosts), since=since, now=now)

    def upto(self, ring_index: int) -> list[HostHealth]:
        return [h for index, h in self.samples if index <= ring_index]

    def treated(self, ring_index: int) -> Cohort:
        """The hosts of rings ``<= ring_index`` that received the version, with their exposure since
        their ring was allowed it, as the statistical gate counts them."""
        now = self.at or timezone.now()
        per_ring: dict[int, int] = {}
        counts = {"crashed": 0, "boot_loop": 0, "silent": 0}
        for index, h in self.samples:
            if index > ring_index:
                continue
            per_ring[index] = per_ring.get(index, 0) + 1
            if h.state in counts:
                counts[h.state] += 1
        hours = 0.0
        for index, n in per_ring.items():
            since = self.entered_at[index] if index < len(self.entered_at) else now
            hours += n * max((now - since).total_seconds(), 0.0) / 3600
        return Cohort(
            hosts=sum(per_ring.values()),
            exposure_hours=hours,
            crash=counts["crashed"],
            boot_loop=counts["boot_loop"],
            silence=counts["silent"],
        )


def thresholds_for_rings(
    thresholds: GateThresholds, health: RolloutHealth, ring_index: int
) -> GateThresholds:
    """Rings up to ``ring_index`` holding fewer hosts than the minimum sample are judged on every
    host they have: a 1 % canary of a 500-host tenant may hold a single host, and a gate waiting
    for five would hold a healthy release there forever."""
    hosts = sum(health.ring_hosts[: ring_index + 1])
    return replace(thresholds, min_sample=min(thresholds.min_sample, hosts))


def ring_gate_evaluate(ring: Ring, health: RolloutHealth, ring_index: int) -> GateResult:
    """The gate of the rollout's current ``ring``: its thresholds over the hosts of rings up to
    ``ring_index`` and, when the ring asks for it, the statistical test against the control cohort."""
    thresholds = thresholds_for_rings(ring_thresholds(ring), health, ring_index)
    gate = gate_evaluate(health.upto(ring_index), thresholds)
    if not ring.statistical_gate:
        return gate
    return gate_judge(gate, stat_evaluate(health.treated(ring_index), health.control()))


def _ring_entries(rollout: Rollout) -> dict[int, datetime]:
    entries: dict[int, datetime] = {}
    for index, at in RolloutEvent.objects.filter(rollout=rollout, kind="ring.entered").values_list(
        "ring_index", "at"
    ):
        entries.setdefault(index, at)
    return entries


def rollout_health(rollout: Rollout, rings: list[Ring], *, now: datetime | None = None) -> RolloutHealth:
    """Every host of rings ``<= ring_index`` that received the new version, and its state since.

    Received: it reports the version, it reported a crash on it, or it was alive after its ring was
    allowed the version and has since crashed, boot-looped or gone silent (a host that crashes while
    loading still reports the old version, and a boot-looping one reports nothing)."""
    now = now or timezone.now()
    category = rollout.category
    entries = _ring_entries(rollout)
    start = rollout.created_at
    hosts = Host.objects.filter(tenant_id=rollout.tenant_id)
    crashes = CrashEvent.objects.filter(tenant_id=rollout.tenant_id, occurred_at__gte=start)
    offered: set[str] | None = None  # hosts the new version was offered to (None: every host)
    rows: list[tuple[Any, str, str | None, datetime | None, datetime | None]]
    if rollout.is_sensor:
        # Only the platform's hosts whose policy level moved to this build are part of it: the others
        # (another platform, another N level, a pin) were never offered it and do not count.

        hosts = hosts.filter(platform=category)
        crashes = crashes.filter(sensor_build=rollout.version)
        offered = {
            str(h)
            for h in DesiredState.objects.filter(
                tenant_id=rollout.tenant_id, platform=category, sensor_build=rollout.version
            ).values_list("host_id", flat=True)
        }
        rows = list(hosts.values_list("pk", "status", "sensor_build", "last_seen_at", "update_offered_at"))
    else:
        crashes = crashes.filter(category=category, content_version=rollout.version)
        rows = [
            (pk, status, (versions or {}).get(category), last_seen, on_offer)
            for pk, status, versions, last_seen, on_offer in hosts.values_list(
                "pk", "status", "content_versions", "last_seen_at", "update_offered_at"
            )
        ]
    membership = ring_membership(rollout.tenant_id, rings, [str(r[0]) for r in rows])
    crashed = {str(h) for h in crashes.values_list("host_id", flat=True)}
    ring_hosts = [0] * (len(rings) + 1)
    samples: list[tuple[int, HostHealth]] = []
    controls: list[ControlHost] = []
    statistical = any(ring.statistical_gate for ring in rings)  # only those gates read the control
    for pk, status, running, last_seen, on_offer in rows:
        hid = str(pk)
        index = membership[hid]
        ring_hosts[index] += 1
        if index > rollout.ring_index:
            if statistical and running != rollout.version:
                controls.append(ControlHost(hid, status, last_seen))
            continue
        allowed_at = entries.get(index, start)
        has_it = running == rollout.version
        was_offered = offered is None or hid in offered
        alive_after = was_offered and last_seen is not None and last_seen >= allowed_at
        state: str | None = None
        if hid in crashed or (status == HostStatus.CRASHED and (has_it or alive_after)):
            state = "crashed"
        elif status == HostStatus.BOOT_LOOP and (has_it or alive_after):
            state = "boot_loop"
        elif status == HostStatus.SILENT and (has_it or alive_after):
            # Telemetry derives "silent" for a host that stopped reporting for three heartbeat
            # intervals after an update was offered; a plain "offline" host was quiet regardless.
            state = "silent"
        elif has_it:
            state = "ok"
        elif (
            was_offered
            and on_offer is not None
            and on_offer >= allowed_at
            and now - on_offer > UPDATE_FAILED_AFTER
        ):
            state = "update_failed"
        if state is not None:
            samples.append((index, HostHealth(hid, state)))  # type: ignore[arg-type]
    entered_at = tuple(entries.get(i, start) for i in range(rollout.ring_index + 1))
    return RolloutHealth(
        tuple(samples), tuple(ring_hosts), entered_at, tuple(controls), rollout.tenant_id, now
    )


def rollout_progress(rollout: Rollout, rings: list[Ring]) -> list[dict[str, Any]]:
    """Per ring: hosts, done (on the new version), failed (crashed or boot-looping), silent, pending."""
    health = rollout_health(rollout, rings)
    out = []
    for index, ring in enumerate(rings):
        mine = [h for i, h in health.samples if i == index]
        done = sum(1 for h in mine if h.state == "ok")
        failed = sum(1 for h in mine if h.state in ("crashed", "boot_loop", "update_failed"))
        silent = sum(1 for h in mine if h.state == "silent")
        total = health.ring_hosts[index]
        out.append(
            {
                "index": index,
                "name": ring.name,
                "hosts": total,
                "done": done,
                "failed": failed,
                "silent": silent,
                "pending": max(total - done - failed - silent, 0) if index <= rollout.ring_index else total,
                "current": index == rollout.ring_index,
                "reached": index <= rollout.ring_index,
            }
        )
    return out
