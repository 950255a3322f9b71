from __future__ import annotations

from django.db.models import QuerySet

from console.models import Notification, Tenant

BELL_CAP = 99  # the bell says "99+" past this; counting further is work nobody reads


def notifications_unread_count(tenant: Tenant) -> int:
    """Unread notifications of the tenant, counted up to ``BELL_CAP + 1``."""
    ids = Notification.objects.filter(tenant=tenant, read_at__isnull=True).values("pk")[: BELL_CAP + 1]
    return Notification.objects.filter(pk__in=ids).count()


def notification_list(tenant: Tenant, *, unread_only: bool = False) -> QuerySet[Notification]:
    items = Notification.objects.filter(tenant=tenant)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items.order_by("-created_at")
