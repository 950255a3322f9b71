"""Celery tasks of the telemetry app (they call a service; beat schedules them)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from telemetry.counts import counts_verify
from telemetry.fleet import telemetry_retention, telemetry_tick


@shared_task(ignore_result=True)
def telemetry_tick_task() -> dict[str, Any]:
    """Flush staged heartbeats to PostgreSQL and publish fleet health (every TICK_SECONDS, see schedule.py)."""
    result = telemetry_tick()
    return {"skipped": result.skipped, "heartbeats": result.heartbeats, "tenants": len(result.tenants)}


@shared_task(ignore_result=True)
def telemetry_retention_task() -> tuple[int, int]:
    return telemetry_retention()


@shared_task(ignore_result=True, name="telemetry.tasks.fleet_counts_verify_task")
def fleet_counts_verify_task() -> int:
    """Proves the fleet counters equal PostgreSQL (repairs and logs the tenants that differ)."""
    return len(counts_verify())
