from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from console.errors import InvalidInput
from console.models import Membership, Role, Tenant
from console.realtime import publish_on_commit

EVENTS_TOPIC: Final = "events"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def sockets_notify(tenant: Tenant, event: str, **payload: Any) -> None:
    """Open sockets of the tenant re-check their access when this arrives (and close if it ended)."""
    publish_on_commit(tenant.pk, EVENTS_TOPIC, "notify", {"event": event, **payload})


def expiry_check(value: datetime | None, field: str, *, maximum: timedelta | None = None) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        raise InvalidInput("Times need a timezone.", errors={field: ["Give a timezone offset (e.g. Z)."]})
    now = timezone.now()
    if value <= now:
        raise InvalidInput("The expiry is in the past.", errors={field: ["Must be in the future."]})
    if maximum is not None and value > now + maximum:
        raise InvalidInput("The expiry is too far away.", errors={field: [f"At most {maximum} from now."]})


def tenant_admin_emails(tenant: Tenant) -> list[str]:
    return [
        e
        for e in Membership.objects.filter(tenant=tenant, role__in=[Role.OWNER, Role.ADMIN])
        .order_by("user__email")
        .values_list("user__email", flat=True)
        if e
    ]


def mail_on_commit(subject: str, body: str, to: list[str]) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to))
