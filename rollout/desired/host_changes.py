"""Hosts enrolled or changed (hostname, platform, os version, tags, site, sensor build: what
host-group rules match) reach desired state within seconds, not at the next full refresh.

Telemetry stamps ``telemetry_host.changed_xid`` with the id of the transaction that changed a
rule-relevant attribute (enrolment, or a heartbeat flush that changed one). Every
``HOSTS_CHANGED_SECONDS`` the beat task ``rollout.tasks.hosts_changed_sweep`` runs
``hosts_changed_enqueue``: per tenant, the hosts whose stamp was not yet visible to the tenant's
last sweep become one outbox row (recompute those hosts, groups refreshed).

The watermark is a PostgreSQL snapshot (``pg_current_snapshot()``, taken before the scan), not a
time: a change is swept once its transaction is visible in the scan, and skipped later exactly when
it was visible in the stored snapshot (``pg_visible_in_snapshot``). A transaction that started
early and commits late is therefore never missed (a timestamp watermark would skip it), and a
change is not swept twice however long other transactions run. The tenant's full refresh every
``REFRESH_EVERY`` stays as the backstop (and is what notices deleted hosts).
"""

from __future__ import annotations

from django.db import connection, transaction

from rollout.desired.outbox import outbox_enqueue
from rollout.models import TenantRevision

# More changed hosts than this in one tenant at once: recompute the whole tenant instead.
HOSTS_CHANGED_MAX = 10_000


# One sweep at a time (a slow one and the next beat tick would only find the same hosts twice).
_LOCK_KEY = 0x686F7374  # "host"


_CHANGED_SQL = """
SELECT t.id::text, ARRAY(
  SELECT h.id::text FROM telemetry_host h
  WHERE h.tenant_id = t.id
    AND h.changed_xid >= COALESCE(pg_snapshot_xmin(NULLIF(tr.hosts_changed_snapshot, '')::pg_snapshot)::text::bigint, 0)
    AND NOT COALESCE(pg_visible_in_snapshot(h.changed_xid::text::xid8, NULLIF(tr.hosts_changed_snapshot, '')::pg_snapshot), false)
  ORDER BY h.changed_xid LIMIT %s
)
FROM console_tenant t LEFT JOIN rollout_tenantrevision tr ON tr.tenant_id = t.id
"""


def hosts_changed_enqueue() -> dict[str, int]:
    """Queues a recompute of every tenant's hosts changed since its watermark; returns
    {tenant id: hosts found} for the tenants queued. Tenants being recomputed right now (their
    revision row is locked) are left for the next sweep rather than waited for."""
    found: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        row = cursor.fetchone()
        if not (row and row[0]):
            return found
        # Taken before the scan: whatever is visible in it is visible to the scan too.
        cursor.execute("SELECT pg_current_snapshot()::text")
        row = cursor.fetchone()
        assert row is not None
        snapshot = str(row[0])
        cursor.execute(_CHANGED_SQL, [HOSTS_CHANGED_MAX + 1])
        changed = {tid: ids for tid, ids in cursor.fetchall() if ids}
        if not changed:
            return found
        TenantRevision.objects.bulk_create(
            [TenantRevision(tenant_id=tid) for tid in changed], ignore_conflicts=True
        )
        cursor.execute(
            "UPDATE rollout_tenantrevision SET hosts_changed_snapshot = %s WHERE tenant_id IN"
            " (SELECT tenant_id FROM rollout_tenantrevision WHERE tenant_id = ANY(%s::uuid[])"
            " ORDER BY tenant_id FOR UPDATE SKIP LOCKED) RETURNING tenant_id::text",
            [snapshot, list(changed)],
        )
        for (tid,) in cursor.fetchall():
            ids = changed[tid]
            outbox_enqueue(
                tenant_id=tid, reason="hosts.changed", host_ids=ids if len(ids) <= HOSTS_CHANGED_MAX else None
            )
            found[tid] = len(ids)
    return found
