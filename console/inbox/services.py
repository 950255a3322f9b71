from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.events import NOTIFICATION_ALL_READ, NOTIFICATION_READ
from console.models import Notification, Tenant
from console.realtime import publish_on_commit

INBOX_TOPIC = "events"


def notification_record(
    *,
    tenant_id: uuid.UUID | str,
    event: str,
    title: str,
    link: str = "",
    severity: str = "danger",
    payload: dict[str, Any] | None = None,
) -> Notification:
    """Keeps one live event for the notification centre, in the transaction of the change it reports
    (a rolled-back change leaves no notification, as it sends no banner)."""
    return Notification.objects.create(
        tenant_id=tenant_id,
        event=event[:64],
        title=title[:300],
        link=link[:200],
        severity=severity,
        payload=payload or {},
    )


def _read_changed(tenant: Tenant) -> None:
    # Other open pages of the tenant re-read their bell (the count is the tenant's, not the user's).
    publish_on_commit(tenant.pk, INBOX_TOPIC, "notify", {"event": "notifications.read"})


def notification_mark_read(*, tenant: Tenant, actor: Actor, notification: Notification) -> Notification:
    """Marks one notification read (idempotent: an already read one keeps who read it first)."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk, tenant=tenant)
        if locked.read_at is not None:
            return locked
        locked.read_at = timezone.now()
        locked.read_by = actor.label[:200]
        locked.save(update_fields=["read_at", "read_by"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=NOTIFICATION_READ,
            target=locked,
            target_label=locked.title[:200],
            before={"read": False},
            after={"read": True},
        )
        _read_changed(tenant)
    return locked


def notifications_mark_all_read(*, tenant: Tenant, actor: Actor) -> int:
    """Marks every unread notification of the tenant read; one audit row with how many."""
    with transaction.atomic():
        count = Notification.objects.filter(tenant=tenant, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=actor.label[:200]
        )
        if count:
            audit_record(
                tenant=tenant,
                actor=actor,
                action=NOTIFICATION_ALL_READ,
                target_type="notification",
                target_label=f"{count} notifications",
                after={"marked_read": count},
            )
            _read_changed(tenant)
    return count
