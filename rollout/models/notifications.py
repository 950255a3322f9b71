from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant


class WebhookEndpoint(models.Model):
    """A tenant's outgoing webhook: rollout events are POSTed to ``url`` signed the Standard
    Webhooks way with ``secret`` (``whsec_``; older endpoints keep their earlier secret)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="webhooks")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    # During a secret rotation the old secret keeps signing (a second signature) until it expires.
    previous_secret = models.CharField(max_length=128, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(default=list, blank=True, help_text="Empty: every event")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "name"], name="webhook_unique_name"),
        ]
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or being retried) to one webhook endpoint: the delivery log."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # A redelivery is its own log row sent with the original's ``webhook-id`` (receivers deduplicate).
    redelivery_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="redeliveries"
    )
    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, default="pending")  # pending | delivered | failed
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=utc_now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint_id}"
