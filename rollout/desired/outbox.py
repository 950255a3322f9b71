"""The transactional outbox: a change to what hosts may run is recorded with the change itself.

``outbox_enqueue`` writes an ``OutboxEntry`` in the caller's transaction and, on commit, asks a
worker to process the tenant. A lost task (worker killed, Redis restarted) loses nothing: the row
stays pending and the beat sweep (``rollout.tasks.outbox_sweep``) picks it up again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import redis
from celery import current_app
from django.db import connection, transaction
from django.utils import timezone

from rollout.distribution.base import BackendUnavailable, PublishInProgress
from rollout.models import OutboxEntry

log = logging.getLogger(__name__)
OUTBOX_TASK = "rollout.tasks.outbox_process_tenant"


def outbox_enqueue(*, tenant_id: uuid.UUID | str, reason: str, host_ids: list[str] | None = None) -> None:
    """Records that ``tenant_id``'s desired state must be recomputed (``host_ids`` None: all hosts)."""
    OutboxEntry.objects.create(
        tenant_id=tenant_id, reason=reason[:100], host_ids=[str(h) for h in host_ids] if host_ids else None
    )
    tid = str(tenant_id)

    def _schedule() -> None:
        # By its registered name: the task module imports this one (processing calls recompute).
        try:
            current_app.send_task(OUTBOX_TASK, args=(tid,), retry=False)
        except Exception:
            log.warning("outbox: could not schedule tenant %s", tid, exc_info=True)

    transaction.on_commit(_schedule)


# Outbox reasons that cannot change a host's attributes or group membership: a recompute for them
# compares targets only. Anything else (group changes, resync, unknown reasons) refreshes groups.
TARGETS_ONLY_PREFIXES = (
    "sensor_policy",
    "content_policy",
    "policy_move",
    "window",
    "freeze",
    "pause",
    "content_release",
    "sensor_build",
    "ring",
    "rollout",
)


def targets_only(reason: str) -> bool:
    return reason.startswith(TARGETS_ONLY_PREFIXES)


def tenants_needing_sync(*, older_than: timedelta = timedelta(seconds=10)) -> list[str]:
    """Tenants with outbox rows pending for a while, or whose desired revision is unpublished."""
    cutoff = timezone.now() - older_than
    pending = set(
        OutboxEntry.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tenant_id FROM rollout_tenantrevision WHERE revision > 0"
            " AND (published_revision IS NULL OR published_revision < revision)"
        )
        behind = {r[0] for r in cursor.fetchall()}
    return sorted(str(t) for t in pending | behind)


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    deleted, _ = OutboxEntry.objects.filter(
        processed_at__isnull=False, processed_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# Redis errors come from the embedded edge (and the sync-status record) when Redis restarts.
RETRYABLE: tuple[type[Exception], ...] = (
    PublishInProgress,
    BackendUnavailable,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
