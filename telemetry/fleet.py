"""Live fleet health: one tick flushes staged heartbeats, then publishes one message per changed tenant.

Each message is a full snapshot (small: counts) with a per-tenant sequence number, so a client
that missed one notices the gap and asks for a resync; it is also kept in Redis so a websocket
that connects gets the latest without recomputing. Every tick also writes the tenant's
per-minute sample (the last snapshot of the minute wins) for the time-series charts.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import connection

from console.realtime import publish_now
from console.redis import redis_client
from telemetry.ingest import FlushResult, heartbeats_flush
from telemetry.models import CrashEvent, FleetSample
from telemetry.schedule import TICK_SECONDS
from telemetry.selectors import fleet_series, fleet_snapshot

TOPIC: Final = "fleet"
EVENT_TYPE: Final = "fleet.update"
SERIES_MINUTES: Final = 60


def _seq_key(tenant_id: uuid.UUID | str) -> str:
    return f"telemetry:fleet:seq:{tenant_id}"


def _snapshot_key(tenant_id: uuid.UUID | str) -> str:
    return f"telemetry:fleet:snapshot:{tenant_id}"


def series_point(snapshot: dict[str, Any], minute: datetime) -> dict[str, Any]:
    """What a per-minute sample keeps of a snapshot."""
    return {
        "minute": minute.isoformat(),
        "total": snapshot["total"],
        "status": snapshot["status"],
        "crashes_last_hour": snapshot["crashes_last_hour"],
        "sensor_builds": {f"{b['platform']}/{b['build']}": b["hosts"] for b in snapshot["sensor_builds"]},
        "content": {f"{c['category']}:{c['version']}": c["hosts"] for c in snapshot["content"]},
    }


def _sample_upsert(tenant_id: str, minute: datetime, point: dict[str, Any]) -> None:
    data = {k: v for k, v in point.items() if k != "minute"}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO telemetry_fleetsample (id, tenant_id, minute, data) VALUES (gen_random_uuid(), %s, %s, %s) "
            "ON CONFLICT (tenant_id, minute) DO UPDATE SET data = EXCLUDED.data",
            [tenant_id, minute, json.dumps(data)],
        )


def fleet_publish(tenant_ids: Iterable[str], *, now: datetime | None = None) -> dict[str, int]:
    """Recomputes, records and publishes each tenant's snapshot; returns the sequence number sent."""
    now = now or datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)
    client = redis_client()
    sent: dict[str, int] = {}
    for tenant_id in sorted(set(tenant_ids)):
        snapshot = fleet_snapshot(tenant_id, now=now)
        point = series_point(snapshot, minute)
        _sample_upsert(tenant_id, minute, point)
        seq = int(client.incr(_seq_key(tenant_id)))
        message = {"seq": seq, "snapshot": snapshot, "point": point}
        client.set(_snapshot_key(tenant_id), json.dumps(message), ex=24 * 3600)
        publish_now(tenant_id, TOPIC, EVENT_TYPE, message)
        sent[tenant_id] = seq
    return sent


def fleet_current(tenant_id: uuid.UUID | str) -> dict[str, Any]:
    """The latest published snapshot with its sequence number and the recent series (for connects/resyncs)."""
    client = redis_client()
    raw = client.get(_snapshot_key(tenant_id))
    if raw:
        message: dict[str, Any] = json.loads(raw)
    else:
        seq = client.get(_seq_key(tenant_id))
        message = {"seq": int(seq) if seq else 0, "snapshot": fleet_snapshot(tenant_id)}
    message["series"] = fleet_series(tenant_id, minutes=SERIES_MINUTES)
    return message


DIRTY_KEY: Final = "telemetry:fleet:dirty"  # tenants whose fleet changed since their last message
NEXT_DUE_KEY: Final = "telemetry:fleet:next_due"  # tenant -> unix time before which it is not recomputed
# A tenant whose snapshot takes longer than this share of the time between its messages gets
# fewer messages (never more than one per tick), so one huge fleet cannot starve the others.
MAX_DUTY: Final = 0.25


def telemetry_tick() -> FlushResult:
    """One tick of the fast path: flush staged heartbeats, then one message per changed tenant.

    Changed tenants are remembered in Redis until a message went out, so a tenant whose snapshot
    is expensive (a very large fleet) is published less often but never forgotten.
    """
    result = heartbeats_flush()
    if result.skipped:
        return result
    client = redis_client()
    if result.tenants:
        client.sadd(DIRTY_KEY, *result.tenants)
    dirty = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in client.smembers(DIRTY_KEY))
    if not dirty:
        return result
    due_at = dict(zip(dirty, client.hmget(NEXT_DUE_KEY, dirty), strict=True))
    now = time.time()
    for tenant_id in dirty:
        due = due_at.get(tenant_id)
        if due is not None and float(due) > now:
            continue
        client.srem(DIRTY_KEY, tenant_id)
        started = time.monotonic()
        try:
            fleet_publish([tenant_id])
        except Exception:
            client.sadd(DIRTY_KEY, tenant_id)  # try again next tick
            raise
        spent = time.monotonic() - started
        client.hset(NEXT_DUE_KEY, tenant_id, repr(time.time() + spent / MAX_DUTY - TICK_SECONDS))
    return result


def telemetry_retention(now: datetime | None = None) -> tuple[int, int]:
    """Deletes per-minute samples and crash events older than their retention; returns the counts."""
    now = now or datetime.now(UTC)
    sample_days = int(getattr(settings, "TELEMETRY_SERIES_RETENTION_DAYS", 14))
    crash_days = int(getattr(settings, "TELEMETRY_CRASH_RETENTION_DAYS", 90))
    samples, _ = FleetSample.objects.filter(minute__lt=now - timedelta(days=sample_days)).delete()
    crashes, _ = CrashEvent.objects.filter(occurred_at__lt=now - timedelta(days=crash_days)).delete()
    return samples, crashes
