"""The control cohort of a rollout's statistical gate, read from the database: the tenant's hosts
(of the same platform, for a sensor build) that no reached ring holds and that still run the
previous version, with the failures they had over the same window as the treated hosts.

A control host failed on a measure when it sent a crash report in the window, or when it is now
crashed, boot-looping or silent and was alive in the window (a host dead before the rollout began
says nothing about today's background)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from rollout.rings.stats import Cohort
from telemetry.models import CrashEvent, HostStatus


@dataclass(frozen=True)
class ControlHost:
    host_id: str
    status: str
    last_seen_at: datetime | None


def control_cohort(
    tenant_id: uuid.UUID | str, hosts: list[ControlHost], *, since: datetime, now: datetime
) -> Cohort:
    """``hosts`` as a cohort exposed from ``since`` to ``now``."""
    if not hosts:
        return Cohort(hosts=0, exposure_hours=0.0)
    ids = {h.host_id for h in hosts}
    reported = {
        str(h)
        for h in CrashEvent.objects.filter(tenant_id=tenant_id, occurred_at__gte=since)
        .values_list("host_id", flat=True)
        .distinct()
    } & ids
    crash = boot_loop = silence = 0
    for h in hosts:
        alive_in_window = h.last_seen_at is not None and h.last_seen_at >= since
        if h.host_id in reported or (h.status == HostStatus.CRASHED and alive_in_window):
            crash += 1
        elif h.status == HostStatus.BOOT_LOOP and alive_in_window:
            boot_loop += 1
        elif h.status == HostStatus.SILENT and alive_in_window:
            silence += 1
    hours = len(hosts) * max((now - since).total_seconds(), 0.0) / 3600
    return Cohort(hosts=len(hosts), exposure_hours=hours, crash=crash, boot_loop=boot_loop, silence=silence)
