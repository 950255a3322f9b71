"""Sync status per tenant: failing / recovered notifications, the status the sync page and API show,
and a resync on request."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.audit import audit_record
from console.models import Tenant
from rollout.desired.events import DISTRIBUTION_RESYNCED
from rollout.desired.outbox import outbox_enqueue
from rollout.desired.recompute import tenant_revision
from rollout.distribution.sync import sync_status
from rollout.models import OutboxEntry, TenantRevision
from rollout.notifications.events import notify

log = logging.getLogger(__name__)


def sync_failure_record(tenant_id: str, message: str) -> None:
    """Records a failed attempt to reach the backend (publish, hold) and, once the failures have
    lasted ``SYNC_FAILING_AFTER_ATTEMPTS`` attempts or ``SYNC_FAILING_AFTER_SECONDS``, tells the
    tenant ``sync.failing``: once per failure episode (the episode ends at the next successful
    publish, which sends ``sync.recovered``), however many retries the outage takes."""
    now = timezone.now()
    with transaction.atomic():
        tr = tenant_revision(tenant_id)
        tr.last_error = message[:2000]
        tr.last_error_at = now
        tr.publish_failures += 1
        tr.failing_since = tr.failing_since or now
        fields = ["last_error", "last_error_at", "publish_failures", "failing_since"]
        attempts = int(getattr(settings, "SYNC_FAILING_AFTER_ATTEMPTS", 3))
        seconds = float(getattr(settings, "SYNC_FAILING_AFTER_SECONDS", 120))
        failing = tr.publish_failures >= attempts or (now - tr.failing_since).total_seconds() >= seconds
        if failing and tr.failing_notified_at is None:
            tr.failing_notified_at = now
            fields.append("failing_notified_at")
            _sync_notify(tr, "sync.failing", now)
        tr.save(update_fields=fields)


def sync_recovered(tr: TenantRevision, now: datetime) -> None:
    """Ends a failure episode (``tr`` is locked by the caller); ``sync.recovered`` if it was announced."""
    if tr.publish_failures == 0 and tr.failing_since is None:
        return
    if tr.failing_notified_at is not None:
        _sync_notify(tr, "sync.recovered", now)
    tr.publish_failures = 0
    tr.failing_since = tr.failing_notified_at = None
    tr.save(update_fields=["publish_failures", "failing_since", "failing_notified_at"])


def _sync_notify(tr: TenantRevision, event: str, now: datetime) -> None:

    since = tr.failing_since
    notify(
        tr.tenant_id,
        event,
        {
            "backend": tr.backend or getattr(settings, "DISTRIBUTION_BACKEND", "edge") or "edge",
            "desired_revision": tr.revision,
            "published_revision": tr.published_revision,
            "failed_attempts": tr.publish_failures,
            "failing_since": since.isoformat() if since else None,
            "failing_seconds": round((now - since).total_seconds(), 1) if since else 0.0,
            "last_error": tr.last_error[:300],
        },
    )


def sync_status_for(tenant: Tenant) -> dict[str, Any]:
    """Desired / published / acknowledged revision of ``tenant``, lag, last error, circuit state."""

    tr = TenantRevision.objects.filter(tenant=tenant).first()
    now = timezone.now()
    circuit: str | None = None
    backend = getattr(settings, "DISTRIBUTION_BACKEND", "edge") or "edge"
    try:
        circuit = sync_status(str(tenant.pk)).circuit_state
    except Exception:
        circuit = "unknown (Redis unreachable)"
    pending = OutboxEntry.objects.filter(tenant=tenant, processed_at__isnull=True).count()
    if tr is None:
        return {
            "backend": backend,
            "desired_revision": 0,
            "published_revision": None,
            "acknowledged_revision": None,
            "lag_revisions": 0,
            "lag_seconds": 0.0,
            "in_sync": pending == 0,
            "pending_changes": pending,
            "digest": "",
            "last_error": "",
            "last_error_at": None,
            "last_repair": "",
            "last_reconciled_at": None,
            "recomputed_at": None,
            "published_at": None,
            "circuit_state": circuit,
            "failing": False,
            "failing_since": None,
            "failed_attempts": 0,
        }
    acknowledged = tr.acknowledged_revision or 0
    behind = tr.revision > acknowledged
    since = tr.changed_at or tr.recomputed_at
    return {
        "backend": tr.backend or backend,
        "desired_revision": tr.revision,
        "published_revision": tr.published_revision,
        "acknowledged_revision": tr.acknowledged_revision,
        "lag_revisions": max(0, tr.revision - acknowledged),
        "lag_seconds": round((now - since).total_seconds(), 1) if behind and since else 0.0,
        "in_sync": not behind and pending == 0,
        "pending_changes": pending,
        "digest": tr.published_digest,
        "last_error": tr.last_error,
        "last_error_at": tr.last_error_at.isoformat() if tr.last_error_at else None,
        "last_repair": tr.last_repair,
        "last_reconciled_at": tr.last_reconciled_at.isoformat() if tr.last_reconciled_at else None,
        "recomputed_at": tr.recomputed_at.isoformat() if tr.recomputed_at else None,
        "published_at": tr.published_at.isoformat() if tr.published_at else None,
        "circuit_state": circuit,
        "failing": tr.failing_notified_at is not None,
        "failing_since": tr.failing_since.isoformat() if tr.failing_since else None,
        "failed_attempts": tr.publish_failures,
    }


def sync_resync(*, tenant: Tenant, actor: Any) -> dict[str, Any]:
    """ "Resync now": the next publish replaces the whole host set under a new revision, and the
    holds are checked against the active pauses. Audited; the work runs on a worker."""

    with transaction.atomic():
        tr = tenant_revision(str(tenant.pk))
        before = {"revision": tr.revision, "published_revision": tr.published_revision}
        if tr.revision > 0:
            tr.revision += 1
        tr.full_needed = True
        tr.save(update_fields=["revision", "full_needed"])
        outbox_enqueue(tenant_id=tenant.pk, reason="sync.resync")
        audit_record(
            tenant=tenant,
            actor=actor,
            action=DISTRIBUTION_RESYNCED,
            target=tenant,
            before=before,
            after={"revision": tr.revision, "full": True},
        )
        tid = str(tenant.pk)

        def _reconcile() -> None:

            try:
                current_app.send_task("rollout.tasks.distribution_reconcile_tenant", args=(tid,), countdown=5)
            except Exception:
                log.warning("resync: reconciliation not scheduled for %s", tid, exc_info=True)

        transaction.on_commit(_reconcile)
    return sync_status_for(tenant)
