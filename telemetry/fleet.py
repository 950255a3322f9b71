"""Live fleet health: each flush of staged heartbeats publishes one message per changed tenant.

Each message is a full snapshot (small: counts) with a per-tenant sequence number, so a client
that missed one notices the gap and asks for a resync. Right after a flush the message is built
from the tenant's fleet counters (``telemetry.counts``, kept by the flush itself): its cost
follows the number of versions, never the fleet size, so it goes out at once (``"source":
"counters"``). The full SQL snapshot (``"source": "sql"``) runs at most once a minute per changed
tenant: it writes the tenant's per-minute sample for the time-series charts and is kept in Redis
so a websocket that connects (or asks for a resync) gets it without recomputing.
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
from telemetry.counts import counts_for
from telemetry.ingest import FlushResult, heartbeats_flush
from telemetry.models import CrashEvent, FleetSample
from telemetry.schedule import TICK_SECONDS
from telemetry.selectors import (
    STATUSES,
    builds_rows,
    content_rows,
    fleet_crash_counts,
    fleet_series,
    fleet_snapshot,
)

TOPIC: Final = "fleet"
EVENT_TYPE: Final = "fleet.update"
SERIES_MINUTES: Final = 60
SNAPSHOT_SECONDS: Final = 60.0  # a changed tenant's SQL snapshot (and minute sample) at most this often
CRASHES_TTL: Final = 3600


def _seq_key(tenant_id: uuid.UUID | str) -> str:
    return f"telemetry:fleet:seq:{tenant_id}"


def _snapshot_key(tenant_id: uuid.UUID | str) -> str:
    return f"telemetry:fleet:snapshot:{tenant_id}"


def _crashes_key(tenant_id: uuid.UUID | str) -> str:
    return f"telemetry:fleet:crashes:{tenant_id}"


def _crashes_store(tenant_id: str, crashed: dict[tuple[str, str], tuple[int, int]]) -> None:
    rows = [[cat, ver, hosts, elsewhere] for (cat, ver), (hosts, elsewhere) in crashed.items()]
    redis_client().set(_crashes_key(tenant_id), json.dumps(rows), ex=CRASHES_TTL)


def _crashes(tenant_id: str, *, refresh: bool, now: datetime) -> dict[tuple[str, str], tuple[int, int]]:
    """The crash figures of the tenant's last snapshot, read again when this flush brought crashes."""
    raw = None if refresh else redis_client().get(_crashes_key(tenant_id))
    if raw:
        return {(cat, ver): (hosts, elsewhere) for cat, ver, hosts, elsewhere in json.loads(raw)}
    crashed = fleet_crash_counts(tenant_id, now=now)
    _crashes_store(tenant_id, crashed)
    return crashed


def counts_snapshot(
    tenant_id: str, counts: dict[str, int], crashed: dict[tuple[str, str], tuple[int, int]], now: datetime
) -> dict[str, Any]:
    """The snapshot ``fleet_snapshot`` computes in SQL, built from the fleet counters instead."""
    status = dict.fromkeys(STATUSES, 0)
    platforms: dict[str, dict[str, Any]] = {}
    builds_count: dict[tuple[str, str], int] = {}
    on_version: dict[tuple[str, str], int] = {}
    for field, n in counts.items():
        kind, _, rest = field.partition("|")
        if kind == "s":
            status[rest] = status.get(rest, 0) + n
        elif kind == "p":
            plat, _, st = rest.partition("|")
            entry = platforms.setdefault(plat, {"total": 0, "status": dict.fromkeys(STATUSES, 0)})
            entry["total"] += n
            entry["status"][st] = entry["status"].get(st, 0) + n
        elif kind == "b":
            plat, _, build = rest.partition("|")
            builds_count[(plat, build)] = n
        elif kind == "c":
            cat, _, ver = rest.partition("|")
            on_version[(cat, ver)] = n
    total = sum(status.values())
    return {
        "tenant_id": tenant_id,
        "group_id": None,
        "platform": None,
        "as_of": now.isoformat(),
        "total": total,
        "status": status,
        "platforms": platforms,
        "sensor_builds": builds_rows(builds_count, total),
        "content": content_rows(on_version, crashed, total),
        "crashes_last_hour": sum(c[0] for c in crashed.values()),
    }


def fleet_publish_live(tenant_ids: Iterable[str], *, crashes: bool = False) -> dict[str, int]:
    """Publishes each tenant's snapshot from its fleet counters (no fleet scan); returns the sequence sent.

    ``crashes``: the flush brought crash events, so the crash figures are read again (a read of
    the last hour's crash events, not of the fleet).
    """
    now = datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)
    client = redis_client()
    sent: dict[str, int] = {}
    for tenant_id in sorted(set(tenant_ids)):
        snapshot = counts_snapshot(
            tenant_id, counts_for(tenant_id, client), _crashes(tenant_id, refresh=crashes, now=now), now
        )
        seq = int(client.incr(_seq_key(tenant_id)))
        message = {
            "seq": seq,
            "source": "counters",
            "snapshot": snapshot,
            "point": series_point(snapshot, minute),
        }
        client.set(_snapshot_key(tenant_id), json.dumps(message), ex=24 * 3600)  # connects and resyncs
        publish_now(tenant_id, TOPIC, EVENT_TYPE, message)
        sent[tenant_id] = seq
    return sent


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
            # A tenant deleted while it waited for its snapshot gets no sample (and does not fail the tick).
            "INSERT INTO telemetry_fleetsample (id, tenant_id, minute, data) "
            "SELECT gen_random_uuid(), t.id, %s, %s FROM console_tenant t WHERE t.id = %s "
            "ON CONFLICT (tenant_id, minute) DO UPDATE SET data = EXCLUDED.data",
            [minute, json.dumps(data), tenant_id],
        )


def fleet_publish(tenant_ids: Iterable[str], *, now: datetime | None = None) -> dict[str, int]:
    """Recomputes, records and publishes each tenant's snapshot; returns the sequence number sent."""
    now = now or datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)
    client = redis_client()
    sent: dict[str, int] = {}
    for tenant_id in sorted(set(tenant_ids)):
        snapshot = fleet_snapshot(tenant_id, now=now)
        _crashes_store(tenant_id, fleet_crash_counts(tenant_id, now=now))  # for the live messages
        point = series_point(snapshot, minute)
        _sample_upsert(tenant_id, minute, point)
        seq = int(client.incr(_seq_key(tenant_id)))
        message = {"seq": seq, "source": "sql", "snapshot": snapshot, "point": point}
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
    series = fleet_series(tenant_id, minutes=SERIES_MINUTES)
    point = message.get("point")
    if point:  # the minute in progress as the latest message saw it (samples are written once a minute)
        series = [s for s in series if s["minute"] != point["minute"]] + [point]
        series.sort(key=lambda s: s["minute"])
    message["series"] = series
    return message


DIRTY_KEY: Final = "telemetry:fleet:dirty"  # tenants whose fleet changed since their last message
NEXT_DUE_KEY: Final = "telemetry:fleet:next_due"  # tenant -> unix time before which it is not recomputed
# A tenant whose SQL snapshot takes longer than this share of the time between two of them gets
# them less often than once a minute, so one huge fleet cannot starve the others.
MAX_DUTY: Final = 0.25


def telemetry_tick() -> FlushResult:
    """One flush of the fast path: staged heartbeats to PostgreSQL, then one message per changed tenant.

    The message is built from the fleet counters at once; a changed tenant whose SQL snapshot is
    due (once a minute, less often when it is expensive) gets that instead. Changed tenants are
    remembered in Redis until their SQL snapshot went out, so none is forgotten.
    """
    result = heartbeats_flush()
    client = redis_client()
    if result.tenants:
        client.sadd(DIRTY_KEY, *result.tenants)
    dirty = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in client.smembers(DIRTY_KEY))
    due_at = dict(zip(dirty, client.hmget(NEXT_DUE_KEY, dirty), strict=True)) if dirty else {}
    now = time.time()
    due = [t for t in dirty if due_at.get(t) is None or float(due_at[t] or 0) <= now]
    if result.tenants - set(due):
        fleet_publish_live(result.tenants - set(due), crashes=result.crashes > 0)
    for tenant_id in due:
        client.srem(DIRTY_KEY, tenant_id)
        started = time.monotonic()
        try:
            fleet_publish([tenant_id])
        except Exception:
            client.sadd(DIRTY_KEY, tenant_id)  # try again next tick
            raise
        spent = time.monotonic() - started
        wait = max(SNAPSHOT_SECONDS, spent / MAX_DUTY)
        client.hset(NEXT_DUE_KEY, tenant_id, repr(time.time() + wait - TICK_SECONDS))
    return result


def telemetry_retention(now: datetime | None = None) -> tuple[int, int]:
    """Deletes per-minute samples and crash events older than their retention; returns the counts."""
    now = now or datetime.now(UTC)
    sample_days = int(getattr(settings, "TELEMETRY_SERIES_RETENTION_DAYS", 14))
    crash_days = int(getattr(settings, "TELEMETRY_CRASH_RETENTION_DAYS", 90))
    samples, _ = FleetSample.objects.filter(minute__lt=now - timedelta(days=sample_days)).delete()
    crashes, _ = CrashEvent.objects.filter(occurred_at__lt=now - timedelta(days=crash_days)).delete()
    return samples, crashes
